"""``--rewrite``: the few rewrites the tool can show keep behaviour, and a TODO everywhere else.

A rewrite is applied only where this file alone shows that it keeps the program's behaviour at
that call site; anywhere else the code stays as it was and its ``# TODO(trio):`` comment says,
in one short reason, why it was kept. Three rewrites, each with the condition that makes it safe:

* ``await asyncio.sleep(t)`` → ``await trio.sleep(t)`` when ``t`` is provably finite and ≥ 0
  (a literal, or literals added and multiplied) and the call is awaited right there (handed to
  ``wait_for`` or ``create_task`` it would be awaited by asyncio): Trio raises ValueError on a
  negative delay, where asyncio sleeps 0 (one pass of its loop), and ``trio.sleep`` has no
  ``result=``.
* ``asyncio.run(main(a))`` → ``trio.run(main, a)`` when ``main`` is an ``async def`` of this
  file. That line moves the *whole* program to Trio, so when anything asyncio stays behind (a
  TODO elsewhere, or an imported module that may use asyncio) it gets a TODO that says so; and
  it always gets one about Ctrl-C, which ``trio.run`` turns into a KeyboardInterrupt at once,
  where ``asyncio.run`` cancelled ``main`` at its next await.
* ``await asyncio.gather(f(x), g(y))`` whose result is unused → a nursery, when every argument
  is a positional call of a module-level ``async def`` of this file (``start_soon`` needs an
  async function, not an awaitable) and no ``except`` of the same function sees it. An
  ``except`` in a *caller* cannot be ruled out from here, so the block always carries a TODO:
  its errors now arrive as an ExceptionGroup, a failing child cancels its siblings, and the
  children run in no fixed order (Trio's scheduler runs each batch of ready tasks in either
  order, at random; gather starts them in argument order).

None of the three is made in a file that binds the name ``trio`` itself (``trio = ...``, a
``def trio``, ``import x as trio``, ...): the ``trio.sleep`` written there would not be Trio's.

A rewritten ``trio.sleep`` or nursery works only under ``trio.run``: an asyncio entry point
that stays says so, and a file with none (a library module) says once that its callers must
run Trio. ``import trio`` goes after ``import asyncio``, or else after the docstring and the
``from __future__`` imports. Every inserted line goes above a line that starts a logical line
(found by one pass of ``tokenize``): above a continuation line it would land inside a string, or
after a backslash. The output keeps the source's line endings, and is built in one pass over
the lines (no ``ast.get_source_segment``, which splits the whole file per call).
"""

from __future__ import annotations

import ast
import io
import math
import sys
import tokenize
from collections.abc import Collection
from dataclasses import dataclass, field

from walkthrough.port.constructs import analyse
from walkthrough.port.mapping import Finding
from walkthrough.port.names import Names, qualname
from walkthrough.port.walking import walk

#: Modules known to run under Trio, besides the standard library (which the scan covers).
TRIO_SAFE_MODULES = frozenset({
    "trio", "trio_websocket", "trio_util", "trio_asyncio", "httpx", "anyio", "outcome",
    "sniffio", "exceptiongroup", "pytest", "hypercorn", "quart_trio", "asks", "attrs", "attr",
    "typing_extensions",
})
#: The entry points that pick the event loop: a rewrite elsewhere needs them to be trio.run.
RUNNERS = ("asyncio.run", "asyncio.Runner", "loop.run_until_complete", "loop.run_forever")

SLEEP_NEGATIVE = ("the tool cannot see that the delay is a finite number >= 0 (Trio raises "
                  "ValueError on a negative delay, where asyncio sleeps 0, one pass of the "
                  "loop: clamp with max(0, t) or use trio.sleep_until)")
SLEEP_RESULT = "trio.sleep has no result=: return the value yourself"
NO_RUN = ("the rewrites in this file run only under Trio, and it has no entry point: "
          "port its callers too (or reach it through trio-asyncio)")
GATHER_ERRORS = ("errors now arrive as an ExceptionGroup: an `except X` around this, here or "
                 "in a caller, needs `except*`; a failing child now cancels its siblings; and "
                 "the children run in no fixed order (gather starts them in argument order)")
#: On every rewritten run line: what Ctrl-C does changes for every program.
CTRL_C = ("Ctrl-C now raises KeyboardInterrupt at once, in whatever code is running, where "
          "asyncio.run cancelled main at its next await (main saw CancelledError there)")


def _positional_call(node: ast.expr) -> ast.Call | None:
    """``f(a, b)`` with positional, non-starred arguments only: what start_soon can take."""
    if (isinstance(node, ast.Call) and not node.keywords
            and not any(isinstance(a, ast.Starred) for a in node.args)):
        return node
    return None


def _source(node: ast.AST, lines: list[str]) -> str:
    """The text of ``node`` as written. Not ``ast.get_source_segment``: it splits the whole
    file at every call, which makes a rewrite quadratic in the file's size."""
    first, last = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    start, end = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
    if first is None or last is None or start is None or end is None:
        return ast.unparse(node)
    if first == last:
        return lines[first - 1].encode()[start:end].decode()
    text = [lines[first - 1].encode()[start:].decode(), *lines[first:last - 1],
            lines[last - 1].encode()[:end].decode()]
    return "".join(text)


def _call_as_args(call: ast.Call, lines: list[str]) -> str:
    return ", ".join(_source(n, lines) for n in [call.func, *call.args])


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _eol(line: str, default: str) -> str:
    """The line ending of ``line`` (``default`` for a last line without one)."""
    for ending in ("\r\n", "\n", "\r"):
        if line.endswith(ending):
            return ending
    return default


def _split_lines(source: str) -> list[str]:
    """Lines as Python counts them (``\\n``, ``\\r\\n``, ``\\r``), endings kept.

    Not ``str.splitlines``: it also splits at a form feed or ``\\u2028`` inside a string, and
    the line numbers of ``ast`` would then point at the wrong lines.
    """
    return io.StringIO(source, newline="").readlines()


def _logical_starts(lines: list[str]) -> list[int]:
    """For each line number (1-based; index 0 and one past the end included), the nearest line
    at or above it that starts a logical line: where a comment can go without landing inside
    a multi-line string, after a backslash, or inside brackets.

    One pass of ``tokenize``: a line starts a logical line when its first token follows a
    NEWLINE, an NL outside brackets (a blank or comment line), or nothing. Each line is fed
    with ``\\n`` for its ending: Python reads a lone ``\\r`` as a line break, tokenize does not.
    """
    starts = [False] * (len(lines) + 2)
    starts[0] = starts[1] = starts[-1] = True
    fed = iter([line.rstrip("\r\n") + "\n" if _eol(line, "") else line for line in lines])
    try:
        at_start, depth = True, 0
        for token in tokenize.generate_tokens(lambda: next(fed, "")):
            if token.type in (tokenize.ENCODING, tokenize.INDENT, tokenize.DEDENT):
                continue
            if at_start and token.start[0] < len(starts):
                starts[token.start[0]] = True
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth = max(0, depth - 1)
            at_start = token.type == tokenize.NEWLINE or (token.type == tokenize.NL
                                                          and depth == 0)
    except (tokenize.TokenError, SyntaxError):
        starts = [True] * (len(lines) + 2)  # ast read it, so this should not happen
    anchors = list(range(len(starts)))
    for number in range(1, len(starts)):
        if not starts[number]:
            anchors[number] = anchors[number - 1]
    return anchors


def _non_negative(node: ast.expr) -> bool:
    """Provably a finite number ≥ 0: a literal, or such numbers added or multiplied."""
    return _value(node) is not None


def _value(node: ast.expr) -> float | None:
    """The value of a non-negative numeric literal expression, None when not provably one
    (or when it is infinite: ``1e999``, ``1e308 * 10``)."""
    value: float | None = None
    if isinstance(node, ast.Constant):
        if isinstance(node.value, int | float) and not isinstance(node.value, bool):
            value = node.value
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
        value = _value(node.operand)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mult):
        left, right = _value(node.left), _value(node.right)
        if left is not None and right is not None:
            if max(abs(left), abs(right)) > 1e300:
                return None  # no huge int arithmetic on a hostile literal
            value = left + right if isinstance(node.op, ast.Add) else left * right
    if value is None or not math.isfinite(value) or value < 0:
        return None
    return value


@dataclass
class _File:
    """What one file shows about itself: its own async functions, and who encloses what."""

    tree: ast.Module
    names: Names
    source: str
    lines: list[str]
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    #: module-level ``async def`` names bound nowhere else: a call of one is a coroutine of ours
    local_async: frozenset[str] = frozenset()
    #: every name an enclosing function uses, computed once per function
    used: dict[ast.AST, dict[str, int]] = field(default_factory=dict)
    #: line → the line that starts its logical line (see ``_logical_starts``)
    anchors: list[int] = field(default_factory=list)
    #: why nothing may be rewritten to ``trio.…``: the file binds ``trio`` itself (or None)
    shadowed: str | None = None

    @classmethod
    def read(cls, tree: ast.Module, names: Names, source: str, lines: list[str]) -> _File:
        parents: dict[ast.AST, ast.AST] = {}
        bound: dict[str, int] = {}
        for node in walk(tree):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                bound[node.name] = bound.get(node.name, 0) + 1
            elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                bound[node.id] = bound.get(node.id, 0) + 1
            elif isinstance(node, ast.arg):
                bound[node.arg] = bound.get(node.arg, 0) + 1
            elif isinstance(node, ast.alias):
                name = node.asname or node.name.split(".")[0]
                bound[name] = bound.get(name, 0) + 1
            elif isinstance(node, ast.Global | ast.Nonlocal):
                for name in node.names:
                    bound[name] = bound.get(name, 0) + 2
        local_async = frozenset(
            node.name for node in tree.body
            if isinstance(node, ast.AsyncFunctionDef) and not node.decorator_list
            and bound.get(node.name) == 1)
        line = _binds_trio(tree)
        shadowed = None if line is None else \
            f"the file binds the name `trio` itself (line {line}), not only to the module"
        return cls(tree, names, source, lines, parents, local_async,
                   anchors=_logical_starts(lines), shadowed=shadowed)

    def anchor(self, line: int) -> int:
        """The line a comment about ``line`` goes above: the start of its logical line (a
        comment above a continuation line would land inside a string, or after a backslash)."""
        return self.anchors[line] if 0 <= line < len(self.anchors) else line

    def next_start(self, line: int) -> int:
        """The first line at or below ``line`` that starts a logical line."""
        while line < len(self.anchors) - 1 and self.anchors[line] != line:
            line += 1
        return line

    def function(self, node: ast.AST) -> ast.AST | None:
        """The innermost function (or lambda) that holds ``node``."""
        parent = self.parents.get(node)
        while parent is not None and not isinstance(
                parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            parent = self.parents.get(parent)
        return parent

    def names_in(self, function: ast.AST) -> dict[str, int]:
        """How often each name occurs in ``function`` (nested scopes included: conservative)."""
        if function not in self.used:
            counts: dict[str, int] = {}
            for node in walk(function):
                # `global x` names x too: a for loop would then bind the module's x
                names = node.names if isinstance(node, ast.Global | ast.Nonlocal) else \
                    [node.id] if isinstance(node, ast.Name) else \
                    [node.arg] if isinstance(node, ast.arg) else []
                for name in names:
                    counts[name] = counts.get(name, 0) + 1
            self.used[function] = counts
        return self.used[function]

    def handler_around(self, node: ast.AST) -> str | None:
        """An ``except`` (or ``suppress``) of the same function that would see ``node``'s error."""
        child, parent = node, self.parents.get(node)
        while parent is not None and not isinstance(
                parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            if isinstance(parent, ast.Try | ast.TryStar) and parent.handlers \
                    and any(child is s for s in parent.body):
                return f"the `except` on line {parent.handlers[0].lineno}"
            if isinstance(parent, ast.With | ast.AsyncWith):
                for item in parent.items:
                    if "suppress" in ast.unparse(item.context_expr):
                        return f"the `suppress` on line {parent.lineno}"
            child, parent = parent, self.parents.get(parent)
        return None

    def owns_its_lines(self, node: ast.stmt) -> bool:
        """Nothing but this statement on its lines (no `x = 1; await ...`): it can be replaced."""
        end = node.end_lineno or node.lineno
        # ast's columns count UTF-8 bytes
        before = self.lines[node.lineno - 1].encode()[: node.col_offset].decode()
        after = self.lines[end - 1].encode()[node.end_col_offset or 0:].decode().strip()
        return before.strip() == "" and (after == "" or after.startswith("#")) \
            and self.anchor(node.lineno) == node.lineno  # not after `x = 1; \\`

    def own_coroutine(self, node: ast.expr) -> str | None:
        """Why ``node`` is not a positional call of an async def of this file (None if it is)."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in self.local_async):
            return (f"`{_short(_source(node, self.lines), 40)}` is not a call of an async def "
                    "of this file, and start_soon needs an async function")
        if _positional_call(node) is None:
            return (f"`{_short(_source(node, self.lines), 40)}` passes keyword or * arguments, "
                    "which start_soon does not take")
        return None


def _gather(stmt: ast.Expr, gather: ast.Call, file: _File, indent: str
            ) -> tuple[list[str], str] | str:
    """``await asyncio.gather(...)`` as a statement → (the nursery block, the TODO), or why not."""
    if any(k.arg == "return_exceptions" for k in gather.keywords):
        return "return_exceptions=True returns the errors as results, and a nursery raises them"
    if gather.keywords:
        return "it takes keyword arguments"
    if not gather.args:
        return "it gathers nothing"
    if file.shadowed:
        return file.shadowed
    function = file.function(stmt)
    if not isinstance(function, ast.AsyncFunctionDef):
        return "it is not in an async def"
    used = file.names_in(function)
    body: list[str] = []
    inner = indent + "    "
    nursery = next(n for n in ("nursery", *(f"nursery_{i}" for i in range(1, 100)), "_n")
                   if n not in used)
    for arg in gather.args:
        if isinstance(arg, ast.Starred):
            gen = arg.value
            if not (isinstance(gen, ast.GeneratorExp) and len(gen.generators) == 1
                    and not gen.generators[0].ifs and not gen.generators[0].is_async):
                return (f"`{_short(_source(arg, file.lines), 40)}` is not one plain "
                        "generator expression")
            why = file.own_coroutine(gen.elt)
            if why is not None:
                return why
            comp = gen.generators[0]
            targets = [n for n in walk(comp.target)]
            if not all(isinstance(n, ast.Name | ast.Tuple | ast.Load | ast.Store)
                       for n in targets):
                return "its loop variable is not a plain name"
            inside: dict[str, int] = {}
            for node in walk(gen):
                if isinstance(node, ast.Name):
                    inside[node.id] = inside.get(node.id, 0) + 1
            for name in (n.id for n in targets if isinstance(n, ast.Name)):
                # a for loop binds its variable in the function: it must be used nowhere else
                if used.get(name, 0) != inside.get(name, 0) or name == nursery:
                    return f"its loop variable `{name}` is also used outside it"
            call = gen.elt
            assert isinstance(call, ast.Call)
            body += [f"{inner}for {_source(comp.target, file.lines)} in "
                     f"{_source(comp.iter, file.lines)}:",
                     f"{inner}    {nursery}.start_soon({_call_as_args(call, file.lines)})"]
            continue
        why = file.own_coroutine(arg)
        if why is not None:
            return why
        assert isinstance(arg, ast.Call)
        body.append(f"{inner}{nursery}.start_soon({_call_as_args(arg, file.lines)})")
    seen = file.handler_around(stmt)
    if seen is not None:
        return f"{seen} would no longer match: a nursery raises an ExceptionGroup"
    if not file.owns_its_lines(stmt):
        return "it shares its line with another statement"
    return [f"{indent}async with trio.open_nursery() as {nursery}:", *body], GATHER_ERRORS


def _binds_trio(tree: ast.Module) -> int | None:
    """The first line where the file binds the name ``trio`` to anything but the module
    (``import trio``, ``import trio.x``, ``import trio as trio``): an assignment, a ``def``,
    an argument, ``import x as trio``, ``from x import trio``, ``except E as trio``, a
    ``case`` pattern, ``del trio``. Where it does, a rewritten ``trio.sleep`` or the added
    ``import trio`` could mean something else (module-level, the binding below ``import trio``
    wins; local, it hides the module in that function): None, where it does not."""
    lines = []
    for node in walk(tree):
        if isinstance(node, ast.Import):
            lines += [node.lineno for a in node.names if a.asname == "trio" != a.name]
        elif isinstance(node, ast.ImportFrom):
            lines += [node.lineno for a in node.names if (a.asname or a.name) == "trio"]
        elif isinstance(node, ast.Name | ast.arg | ast.FunctionDef | ast.AsyncFunctionDef
                        | ast.ClassDef | ast.ExceptHandler | ast.MatchAs | ast.MatchStar
                        | ast.MatchMapping):
            name = node.id if isinstance(node, ast.Name) else \
                node.arg if isinstance(node, ast.arg) else \
                node.rest if isinstance(node, ast.MatchMapping) else node.name
            if name == "trio" and not (isinstance(node, ast.Name)
                                       and isinstance(node.ctx, ast.Load)):
                lines.append(node.lineno)
    return min(lines, default=None)


def _imports_unknown(tree: ast.Module) -> list[str]:
    """Imported modules that are neither the standard library nor known to run under Trio."""
    unknown: dict[str, None] = {}
    for node in walk(tree):
        if isinstance(node, ast.Import):
            tops = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            tops = ["." * node.level + (node.module or "")] if node.level else \
                [(node.module or "").split(".")[0]]
        else:
            continue
        for top in tops:
            if top not in sys.stdlib_module_names and top not in TRIO_SAFE_MODULES:
                unknown[top] = None
    return list(unknown)


@dataclass
class _Edits:
    """What the rewrite does, before any line is written."""

    #: (line, column start (bytes), end line, column end, text): one expression replaced
    spans: list[tuple[int, int, int, int, str]] = field(default_factory=list)
    #: first line → (last line, replacement lines without endings, indent): whole statements
    blocks: dict[int, tuple[int, list[str]]] = field(default_factory=dict)
    #: (line, construct) whose every use on that line was rewritten
    done: set[tuple[int, str]] = field(default_factory=set)
    #: (line, construct) → why a use on that line was kept as it was
    kept: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    #: statement line → TODOs about a rewrite that was made
    checks: dict[int, list[str]] = field(default_factory=dict)
    runs: list[tuple[ast.Call, int]] = field(default_factory=list)
    #: TODOs about the whole file, where ``import trio`` goes
    header: list[str] = field(default_factory=list)

    def keep(self, line: int, construct: str, why: str) -> None:
        self.kept.setdefault((line, construct), []).append(why)

    def spans_of(self, prefix: str) -> bool:
        return any(text.startswith(prefix) for *_, text in self.spans)


def rewrite(source: str, path: str = "<source>", project: Collection[str] | None = None
            ) -> tuple[str, list[Finding]]:
    """The source with the safe rewrites applied and TODOs left; and the findings.
    ``project``: as for :func:`.constructs.analyse`."""
    tree, state, findings = analyse(source, path, project)
    lines = _split_lines(source)
    newline = _eol(lines[0], "\n") if lines else "\n"
    file = _File.read(tree, state, source, lines)
    edits = _Edits()

    covered: set[int] = set()  # lines inside a replaced block
    # Gathers first: a block replaces whole lines, and nothing inside it is edited again.
    for node in walk(tree):
        if not isinstance(node, ast.Call) or qualname(node.func, state) != "asyncio.gather":
            continue
        line = node.func.lineno
        stmt = file.parents.get(file.parents.get(node, node), node)
        if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Await)
                and stmt.value.value is node):
            edits.keep(line, "asyncio.gather", "its result is used: the children must store "
                       "their results themselves")
            continue
        made = _gather(stmt, node, file, _indent(lines[stmt.lineno - 1]))
        if isinstance(made, str):
            edits.keep(line, "asyncio.gather", made)
            continue
        block, check = made
        end = stmt.end_lineno or stmt.lineno
        edits.blocks[stmt.lineno] = (end, block)
        covered.update(range(stmt.lineno, end + 1))
        edits.done.add((line, "asyncio.gather"))
        edits.checks.setdefault(stmt.lineno, []).append(check)

    for node in walk(tree):
        if not isinstance(node, ast.Call) or node.lineno in covered:
            continue
        name = qualname(node.func, state)
        if name == "asyncio.sleep":
            _sleep(node, file, edits)
        elif name == "asyncio.run":
            edits.runs.append((node, node.func.lineno))

    # The run line last: whether it needs a TODO depends on what stays asyncio elsewhere.
    rewritten = bool(edits.blocks or edits.spans)
    runs = {line for _, line in edits.runs}
    # an import runs no asyncio code: `from asyncio import run` is not a leftover
    imports = {node.lineno for node in walk(tree) if isinstance(node, ast.Import
                                                                    | ast.ImportFrom)}
    leftovers = sorted({f.line for f in findings
                        if f.construct != "import asyncio" and f.line not in runs
                        and f.statement not in imports
                        and ((f.line, f.construct) not in edits.done
                             or (f.line, f.construct) in edits.kept)})
    unknown = _imports_unknown(tree)
    for call, line in edits.runs:
        _run(call, line, file, edits, leftovers, unknown)
    if rewritten and not edits.spans_of("trio.run"):
        for finding in findings:
            if finding.construct in RUNNERS:
                edits.keep(finding.line, finding.construct,
                           "the rewrites in this file need it to become trio.run")
        if not any(f.construct in RUNNERS for f in findings):
            edits.header.append(NO_RUN)

    return _write(file, edits, findings, newline), findings


def _sleep(call: ast.Call, file: _File, edits: _Edits) -> None:
    func = call.func
    zero = bool(call.args) and isinstance(call.args[0], ast.Constant) \
        and call.args[0].value == 0
    construct = "asyncio.sleep(0)" if zero else "asyncio.sleep"
    # The scan reports a name on the line where it is written: for `(asyncio\n .sleep)(1)`
    # that is the attribute's last line, so the kept TODO is matched to the same finding.
    line = call.lineno if zero else (func.end_lineno or func.lineno)
    awaited = isinstance(file.parents.get(call), ast.Await)
    if not awaited:
        edits.keep(line, construct, "it is not awaited here: a trio.sleep() passed on would "
                   "be awaited by asyncio")
        return
    delay = call.args[0] if call.args else next(
        (k.value for k in call.keywords if k.arg == "delay"), None)
    why = []
    if delay is None or not _non_negative(delay):
        why.append(SLEEP_NEGATIVE)
    if len(call.args) > 1 or any(k.arg == "result" for k in call.keywords):
        why.append(SLEEP_RESULT)
    elif len(call.args) != 1 or call.keywords:
        why.append("trio.sleep takes the delay only, by position")
    if why:
        for reason in why:
            edits.keep(line, construct, reason)
        return
    if func.lineno != func.end_lineno:
        edits.keep(line, construct, "its name spans lines")
        return
    if file.shadowed:
        edits.keep(line, construct, file.shadowed)
        return
    edits.spans.append((func.lineno, func.col_offset, func.lineno, func.end_col_offset or 0,
                        "trio.sleep"))
    edits.done.add((line, construct))


def _run(call: ast.Call, line: int, file: _File, edits: _Edits, leftovers: list[int],
         unknown: list[str]) -> None:
    main = call.args[0] if len(call.args) == 1 and not call.keywords else None
    if main is None:
        edits.keep(line, "asyncio.run", "trio.run takes no keyword arguments of asyncio.run's")
        return
    why = file.own_coroutine(main) or file.shadowed
    if why is not None:
        edits.keep(line, "asyncio.run", why.replace("start_soon", "trio.run"))
        return
    assert isinstance(main, ast.Call)
    edits.spans.append((call.lineno, call.col_offset, call.end_lineno or call.lineno,
                        call.end_col_offset or 0, f"trio.run({_call_as_args(main, file.lines)})"))
    edits.done.add((line, "asyncio.run"))
    # Ctrl-C first: the note on what stays goes right above the line
    edits.checks.setdefault(_statement(call, file), []).append(CTRL_C)
    stays = []
    if leftovers:
        stays.append(f"the asyncio code left on line{'s' if len(leftovers) > 1 else ''} "
                     + ", ".join(map(str, leftovers[:8])) + (", …" if len(leftovers) > 8 else ""))
    if unknown:
        stays.append("what " + ", ".join(unknown[:5]) + (", …" if len(unknown) > 5 else "")
                     + " may run on asyncio")
    if stays:
        edits.checks.setdefault(_statement(call, file), []).append(
            "this line moves the whole program to Trio: " + " and ".join(stays)
            + " fails under it until ported (or bridged with trio-asyncio)")


def _statement(node: ast.AST, file: _File) -> int:
    """The first line of the statement that holds ``node``: a note about it goes above that.

    A decorated ``def`` or ``class`` starts at its first decorator, not at the ``def`` line
    (its ``lineno``): a run call in a decorator (or a default, or an annotation) would
    otherwise get its note between the decorator and the ``def``, where it speaks of the
    ``def`` line; the scan puts a decorator's findings above the decorator too."""
    while not isinstance(node, ast.stmt):
        node = file.parents[node]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) \
            and node.decorator_list:
        return node.decorator_list[0].lineno
    return node.lineno


def _import_line(tree: ast.Module, file: _File, first_edit: int) -> int:
    """The line ``import trio`` goes before: after ``import asyncio`` when that is at module
    level (and before every rewritten line), else after the shebang, encoding line, docstring
    and ``from __future__`` imports (above which it is a SyntaxError)."""
    body = tree.body
    for stmt in body:
        if isinstance(stmt, ast.Import) and any(a.name == "asyncio" for a in stmt.names) \
                and file.owns_its_lines(stmt) and (stmt.end_lineno or stmt.lineno) < first_edit:
            return (stmt.end_lineno or stmt.lineno) + 1
    first = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        first = 1
    while first < len(body) and isinstance(body[first], ast.ImportFrom) \
            and body[first].module == "__future__":  # type: ignore[attr-defined]
        first += 1
    if first == len(body):
        return (body[-1].end_lineno or body[-1].lineno) + 1 if body else 1
    stmt = body[first]
    if file.lines[stmt.lineno - 1].encode()[: stmt.col_offset].strip():
        return (stmt.end_lineno or stmt.lineno) + 1  # shares its line: go after it
    return stmt.lineno


def _write(file: _File, edits: _Edits, findings: list[Finding], newline: str) -> str:
    lines = list(file.lines)
    # Expression edits, right to left so that earlier columns stay valid.
    for start_line, start, end_line, end, text in sorted(edits.spans, reverse=True):
        head = lines[start_line - 1].encode()[:start]
        tail = lines[end_line - 1].encode()[end:]
        lines[start_line - 1] = (head + text.encode() + tail).decode()
        for number in range(start_line + 1, end_line + 1):
            lines[number - 1] = ""

    # TODOs: one comment above each statement with a finding that no rewrite took care of, above
    # the line that starts the statement's logical line.
    checks: dict[int, list[str]] = {}
    for line, notes in edits.checks.items():
        checks.setdefault(file.anchor(line), []).extend(notes)
    todo: dict[int, list[Finding]] = {}
    for finding in findings:
        key = (finding.line, finding.construct)
        if finding.construct == "import asyncio" or (key in edits.done
                                                     and key not in edits.kept):
            continue
        todo.setdefault(file.anchor(finding.statement), []).append(finding)

    has_trio = any(isinstance(node, ast.Import)
                   and any(a.name == "trio" and a.asname is None for a in node.names)
                   for node in file.tree.body)
    header = [f"# TODO(trio): {_one_line(note)}" for note in edits.header]
    if (edits.blocks or edits.spans) and not has_trio:
        header.append("import trio")
    first_edit = min([*(span[0] for span in edits.spans), *edits.blocks], default=0)
    import_at = file.next_start(_import_line(file.tree, file, first_edit)) if header else 0
    if import_at > len(lines) and lines and _eol(lines[-1], "") == "":
        lines[-1] += newline

    out: list[str] = []
    skip_until = 0
    for number, text in enumerate(lines, start=1):
        if number <= skip_until:
            continue
        eol = _eol(text, newline)
        if number == import_at:
            out.extend(h + eol for h in header)
        indent = _indent(text)
        if number in todo:
            found = todo[number]
            said = dict.fromkeys(f"{f.construct} → {_short(f.trio, sentence=True)}"
                                 for f in found)
            reason = _reasons(found, edits.kept)
            out.append(f"{indent}# TODO(trio): " + _one_line(
                f"{'; '.join(said)} (see {found[0].links[0]}){reason}") + eol)
        for check in checks.get(number, ()):
            out.append(f"{indent}# TODO(trio): rewritten, check it: {_one_line(check)}{eol}")
        if number in edits.blocks:
            end, block = edits.blocks[number]
            last_eol = _eol(lines[end - 1], "")
            out.extend(b + eol for b in block[:-1])
            out.append(block[-1] + last_eol)
            skip_until = end
            continue
        out.append(text)
    if import_at > len(lines):
        out.extend(h + newline for h in header)
    return "".join(out)


def _reasons(found: list[Finding], kept: dict[tuple[int, str], list[str]]) -> str:
    """Why the code of these findings was kept: each reason once, named by its construct
    when more than one construct on the statement has one."""
    by: dict[str, dict[str, None]] = {}
    for f in found:
        for why in kept.get((f.line, f.construct), ()):
            by.setdefault(f.construct, {})[why] = None
    if not by:
        return ""
    if len(by) == 1:
        return "; kept as it was: " + "; ".join(*by.values())
    return "; kept as it was: " + "; ".join(f"{c}: {'; '.join(w)}" for c, w in by.items())


def _one_line(text: str) -> str:
    """A comment's text on one line: a reason that quotes a call written over several lines
    would otherwise end the comment mid-quote and leave code-like text on the next line (a
    SyntaxError, found by rewriting every installed module that uses asyncio)."""
    return " ".join(text.split())


def _short(text: str, limit: int = 60, *, sentence: bool = False) -> str:
    """``text`` in at most ``limit`` characters (cut with "…"); with ``sentence``, its first
    sentence only. Only advice is cut at ". ": in quoted code it is no sentence's end
    (``log('Done. Bye')`` was quoted as ``log('Done``, cut without a "…")."""
    first = text.split(". ")[0] if sentence else text
    return first if len(first) <= limit else first[: limit - 1] + "…"
