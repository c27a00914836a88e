"""Generate ``exercises/{trio,asyncio}/<lesson>.py``: the twins with the bodies left blank.

Usage::

    python scripts/make_exercises.py           # rewrite exercises/ from trio_port/, asyncio_ref/
    python scripts/make_exercises.py --check   # exit 1 if exercises/ is stale

Two folders, one per framework, with the same file names as the twins: ``exercises/asyncio/``
is the notebook's own exercise (solve it in asyncio, ``walkthrough check L F --impl asyncio``),
``exercises/trio/`` the port (``walkthrough check L F``). A folder per framework, rather than a
suffix, keeps ``diff exercises/asyncio/X.py exercises/trio/X.py`` as readable as the twins'.

Each skeleton is cut from the real twin, so the names, signatures, docstrings and imports are
exactly what ``walkthrough check`` expects. What is blanked: every ``async`` function, every
function that uses the framework, and every function the notebook asks for. Its body becomes
the notebook's steps for it (:data:`HINTS`, transcribed from the seed notebook, which does not
live in this repository), the twin's own comments from that body (for Trio, the *why* of each
change from asyncio; a comment that is only code the function has no names for, like Trio's
``# q.task_done()``, is left out), what the check depends on (:func:`depends`: the draws on
the lesson's random sources and the values printed, in the twin's order, read from its body),
the lines it prints (:func:`printed`), and ``raise NotImplementedError``. Plain synchronous
helpers that the project added (per-task RNGs, say) are kept whole: they are not the lesson.
The answers to the notebook's questions are cut from the docstrings (:func:`without_answers`):
they live in the twins, the solved notebooks and the guide.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import io
import re
import sys
import textwrap
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from walkthrough import catalogue  # noqa: E402

OUT = ROOT / "exercises"
#: The framework's name in code, per implementation: what makes a function "use" it.
USES = {"trio": ("trio",), "asyncio": ("asyncio", "aiohttp", "aiofiles", "ClientSession")}
#: The line length of the generated files (ruff's, in pyproject.toml).
WIDTH = 100

#: The notebook's numbered steps, per lesson and function ("" holds the lesson-wide ones).
HINTS: dict[str, dict[str, list[str]]] = {
    "count": {
        "count_sync": ["after printing, it waits synchronously 1 sec, then prints two"],
        "main_sync": ["it runs count_sync in sequence 3 times"],
        "count_async": ["after printing, it waits asynchronously 1 sec, then prints two"],
        "main_async": ["it runs count_async asynchronously 3 times"],
        "": ["The output should be One Two One ... for the sync version, taking 3 s. "
             "And One One ... for the async one, taking 1 s."],
    },
    "makerandom": {
        "makerandom": [
            "should keep generating i until one it's greater than threshold.",
            'if it isn\'t, it should print f"{i} too low; retrying.",',
            "then sleep asynchronously for i + 1 seconds,",
            "then generate a new one",
        ],
        "main": ["should run 3 makerandom with idx in range 0 to 2 asynchronously",
                 "should gather the results"],
    },
    "chained": {
        "load": ["waits i secs, asynchronously", "returns i"],
        "fire": ["waits i secs, asynchronously",
                 "returns i plus the i from the following step as a tuple"],
        "chain": ["runs load", "then feeds result to fire"],
        "main": ["initiates an instance of chain for each arg, concurrently"],
        "": ["finally, runs all the jobs in main"],
    },
    "queue": {
        "produce": [
            "pushes a random number of jobs to the queue",
            "Use the itertools method that allows to returns a list of n somethings "
            "(in this case, None)",
            "Add a tuple (an actual tuple) to the queue: one item is a random job number, "
            "the other is a timestamp",
        ],
        "consume": [
            "gets the next available job and processes it",
            "Q: we are using while True, isn't that going to cause problems?",
            "Get the tuple off the queue",
            "Tell the queue it can tick the job as complete",
        ],
        "main": [
            "orchestrates the whole thing",
            "create a queue",
            "create and schedule a set with a task for each producer",
            "make sure each of these tasks gets eventually garbage collected",
            "do the same for consumer (use male names)",
            "run all the producers tasks",
            "Q: why only the producers?",
            "wait until all jobs are processed",
            "Q: how do we know we are done?",
            "turn off the consumers",
        ],
    },
    "generators": {
        "endless": ["is a generator that each time next is called on it returns one of "
                    "9,8,7,6,9...", "Import the relevant package"],
        "demo": ["use for ... in to print a few iterations of endless",
                 "print 3 more iterations of e, hard coded"],
    },
    "asyncgen": {
        "mygen": ["is an async generator", "It yields a sequence of powers of 2 up to 10",
                  "It prints a separator (. for example) at each iteration",
                  "In between each yield there is a 0.2 sec async pause"],
        "main": [
            "is a wrapper for async iterator and comprehension",
            "g uses a list comprehension to put all the items generated by mygen in a list",
            "f uses for loop to put all the items generated by mygen in a list, but only if "
            "i is not 3 or 5",
            "Both are returned as a tuple",
        ],
        "demo": ["Get the tuples and print them out"],
    },
    "crawler": {
        "fetch_html": [
            "sends a get request to a url and returns the HTML content",
            "Use the appropriate method to send an async get request (passing kwargs)",
            "make the response handle any >= 400 request by raising",
            "get the source code (HTML but it will work for .txt files too in fact)",
        ],
        "parse": [
            "returns the links found in the source",
            "catch all the HTTP errors and print them",
            "For each link, try and create an absolute link by joining them to the page's "
            "url (if they are relative) or not if not needed",
            "Q: Why does it work?",
        ],
        "write_one": ["opens the file asynchronously and writes a line at a time"],
        "bulk_crawl_and_write": ["creates a task per url"],
    },
    "server": {  # not in the notebook: lesson 8's steps are issue 17's
        "handle": ["(lesson 8, beyond the notebook) echo every complete line back to its "
                   "client; close it after idle_timeout s without a line, or after a line "
                   "longer than max_line bytes, with the error line; once sending it a line "
                   "has waited send_timeout s (it is not reading), without one (said on "
                   "stderr)"],
        "serve": ["listen on HOST:port, print the listening line, serve many clients at once "
                  "until cancelled"],
        "run": ["Ctrl-C stops accepting, closes every connection, prints stopped, returns 130"],
    },
}


#: What a blanked body's stated lines use that its signature does not say (issue 25, item 7):
#: the values the check compares, never the answers to the notebook's questions.
WHERE: dict[str, dict[str, str]] = {
    "makerandom": {"makerandom": "c[idx + 1] colours the line per task, c[0] ends the colour"},
    "chained": {"chain": "end: the seconds since chain started; p2: the pair fire returned"},
    "queue": {"consume": "now: the clock when the job is taken; t: the timestamp in its tuple"},
    "asyncgen": {"main": 'mygen prints the separators: sep "." for g, then "+" for f',
                 "main_ahead": 'mygen_ahead prints the separators: sep "+", as f in main'},
}

#: The label of the lines a blanked body prints; each follows as its ``print`` call.
PRINTS = "# It prints exactly (the check compares every line):"
#: The indentation, after ``#``, of a stated ``print`` call under :data:`PRINTS`.
STATED = "#     "
#: The label of the draws and values a blanked body makes, in the twin's order (item 7, F4).
DEPENDS = "# The check depends on these draws and values, in this order:"
#: The comments of a blanked body that :func:`outline` compares (what the skeleton decides).
DECIDED = ("# The notebook:", "# The lesson:", DEPENDS, PRINTS, STATED, "# Where ")
#: What makes a name a random source: its annotation mentions one of these types.
RANDOM_TYPES = ("Random", "Faker")


def printed(node: ast.AST, source: str) -> list[str]:
    """Each ``print`` call in ``node``, in source order, as one line of its own source text.

    The exact text of the twin's call (format strings, colours, ``end=``), not ``ast.unparse``,
    which would rewrite ``f"{idx=}"`` and the quotes: a skeleton states what the twin says.
    """
    calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Name) and n.func.id == "print"]
    out = []
    for call in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):
        segment = ast.get_source_segment(source, call) or ""
        out.append(" ".join(line.strip() for line in segment.splitlines()))
    return out


def _names(node: ast.AST | None) -> set[str]:
    """Every name ``node`` reads or binds."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} if node else set()


def _is_print(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "print")


def _random_sources(tree: ast.Module) -> tuple[set[str], set[str]]:
    """The module's random sources: the names a draw is made on, and its drawing functions.

    A source is the ``random`` module or the ``Faker`` class when imported; a drawing function
    is a module-level function whose body calls one (or a drawing function), found to a
    fixpoint, so ``task_rngs``, ``streams``, ``rand_sleep`` and ``create_job`` are drawing
    functions because of what the twin's own code does, not because a list here says so.
    """
    sources = set()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            sources |= {alias.asname or alias.name for alias in node.names
                        if (alias.asname or alias.name) in ("random", "Faker")}
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    drawing: set[str] = set()
    while True:
        found = {f.name for f in functions if _draw_calls(f, sources, drawing)}
        if found <= drawing:
            return sources, drawing
        drawing |= found


def _surface(node: ast.AST) -> list[ast.AST]:
    """``node`` and what it holds, without looking into a call (but ``node``) or comprehension.

    What an expression uses *itself*: ``gather(*(f(x) for x in xs))`` uses neither ``f`` nor
    ``x``; the call ``f(x)`` inside it does.
    """
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        found.append(current)
        if current is node or not isinstance(current, ast.Call | ast.ListComp | ast.SetComp
                                                        | ast.GeneratorExp | ast.DictComp):
            stack.extend(ast.iter_child_nodes(current))
    return found


def _uses(node: ast.AST, tracked: set[str]) -> bool:
    """Whether ``node`` itself reads a tracked name (see :func:`_surface`), or, not being a
    call, holds a call that does: ``await create_job(fake)`` and ``rng.randint(0, 10) + 1``
    draw; ``create_task(produce(...))`` wraps a draw, and its task is not one."""
    return any((isinstance(n, ast.Name) and n.id in tracked)
               or (isinstance(n, ast.Call) and n is not node and not isinstance(node, ast.Call)
                   and _uses(n, tracked))
               for n in _surface(node))


def _tracked(function: ast.FunctionDef | ast.AsyncFunctionDef, sources: set[str],
             drawing: set[str]) -> set[str]:
    """The names in ``function`` that hold a random source or a value drawn from one, and the
    drawing functions.

    Its parameters annotated with a random type, and (to a fixpoint) every name bound from an
    expression that itself draws: ``i = rng.randint(0, 10)`` makes ``i`` tracked, so
    ``sleep(i)`` is a value the check depends on; ``task = create_task(produce(...))`` does
    not make ``task`` one (the task is not a draw; ``produce(...)`` is).
    """
    args = function.args
    tracked = set(sources) | set(drawing) | {
        a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]
        if a.annotation is not None and any(t in ast.unparse(a.annotation)
                                            for t in RANDOM_TYPES)}
    while True:
        before = len(tracked)
        for node in ast.walk(function):
            pairs: list[tuple[ast.AST, ast.AST | None]] = []
            if isinstance(node, ast.Assign):
                pairs = [(target, node.value) for target in node.targets]
            elif isinstance(node, ast.AnnAssign | ast.AugAssign):
                pairs = [(node.target, node.value)]
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                pairs = [(node.target, node.iter)]
            for target, value in pairs:
                if (isinstance(target, ast.Name | ast.Tuple) and value is not None
                        and _uses(value, tracked)):
                    tracked |= _names(target)
        if len(tracked) == before:
            return tracked


def _draw_calls(function: ast.FunctionDef | ast.AsyncFunctionDef, sources: set[str],
                drawing: set[str]) -> list[ast.Call]:
    """The calls in ``function`` (print aside) that themselves use a tracked name.

    "Themselves" (:func:`_surface`): ``gather(*(makerandom(idx, rng=rngs[idx]) ...))`` gives
    ``makerandom(...)``, not gather. A comprehension's ``for`` clause is the header of its
    loop (:func:`_header`), so a call in it, ``zip(args, rngs)``, is not listed again.
    """
    tracked = _tracked(function, sources, drawing)
    headers = {id(n) for c in ast.walk(function) if isinstance(c, ast.comprehension)
               for n in ast.walk(c.iter)}
    return [node for node in ast.walk(function)
            if isinstance(node, ast.Call) and not _is_print(node) and id(node) not in headers
            and any(isinstance(n, ast.Name) and n.id in tracked for n in _surface(node))]


class _NoAwait(ast.NodeTransformer):
    """``await f(x)`` as ``f(x)``: whether and how to await is the port's to write."""

    def visit_Await(self, node: ast.Await) -> ast.AST:
        return self.visit(node.value)


def _code(node: ast.AST) -> str:
    return ast.unparse(_NoAwait().visit(ast.parse(ast.unparse(node), mode="eval").body))


def _values(function: ast.FunctionDef | ast.AsyncFunctionDef, calls: set[int],
            drawing: set[str]) -> set[str]:
    """The names whose values the check sees, and (to a fixpoint) the names they come from.

    What the body's prints read, and the arguments of its draw calls that use a value rather
    than start a drawing function (``sleep(i)``, ``put((i, t))``): the arguments of
    ``produce(...)`` are its own to state, and would only give the concurrency away.
    """
    needed = set().union(*(_names(n) for n in ast.walk(function) if _is_print(n)))
    for node in ast.walk(function):
        if (isinstance(node, ast.Call) and id(node) in calls
                and not _names(node) & drawing):
            needed |= set().union(*(_names(a) for a in [*node.args, *node.keywords]))
    while True:
        before = len(needed)
        for node in ast.walk(function):
            if (isinstance(node, ast.Assign | ast.AugAssign)
                    and _names(node) - _names(node.value) & needed):
                needed |= _names(node.value)
        if len(needed) == before:
            return needed


def depends(function: ast.FunctionDef | ast.AsyncFunctionDef, tree: ast.Module) -> list[str]:
    """What the check depends on in the twin's ``function``, in the twin's order (item 7).

    Each draw on the lesson's random sources (``rng.randint(0, 10)``, ``fake.job()``, a call of
    a drawing function, the source a task is given), each value computed from one, and each
    name a stated print reads, as code; under the header of each loop it is in. Derived from
    the twin's body, so it stays true when the twin changes; it states values, not the
    concurrency: a ``start_soon(f, x)`` reads ``f(x)``, a ``gather(f(x) for ...)`` reads
    ``f(x)`` under its ``for``, and there is no ``await``.
    """
    sources, drawing = _random_sources(tree)
    calls = {id(c) for c in _draw_calls(function, sources, drawing)}
    values = _values(function, calls, drawing)
    out: list[str] = []
    shown_loops: list[ast.AST] = []

    def emit(text: str, loops: list[ast.AST]) -> None:
        common = 0
        while (common < min(len(loops), len(shown_loops))
               and loops[common] is shown_loops[common]):
            common += 1
        for depth, loop in enumerate(loops[common:], start=common):
            out.append("    " * depth + _header(loop))
        shown_loops[:] = loops
        out.append("    " * len(loops) + text)

    def visit(statements: list[ast.stmt], loops: list[ast.AST]) -> None:
        for stmt in statements:
            if isinstance(stmt, ast.For | ast.AsyncFor | ast.While):
                before = len(out)
                if isinstance(stmt, ast.While):
                    calls_in(stmt.test, loops)
                visit(stmt.body, [*loops, stmt])
                if len(out) == before and not isinstance(stmt, ast.While):
                    calls_in(stmt.iter, loops)  # else its header, over the body, shows it
                visit(stmt.orelse, loops)
            elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(stmt.body, loops)  # a task's body: its draws are the function's
            elif isinstance(stmt, ast.If | ast.With | ast.AsyncWith | ast.Try | ast.TryStar):
                for header in [getattr(stmt, "test", None), *getattr(stmt, "items", [])]:
                    if header is not None:
                        calls_in(header, loops)
                for block in [stmt.body, getattr(stmt, "orelse", []),
                              *(h.body for h in getattr(stmt, "handlers", [])),
                              getattr(stmt, "finalbody", [])]:
                    visit(block, loops)
            elif _is_stated_assignment(stmt, calls, values):
                assert isinstance(stmt, ast.Assign | ast.AugAssign)
                target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                op = "=" if isinstance(stmt, ast.Assign) else ast.unparse(stmt).split()[1]
                emit(f"{', '.join(map(_code, names))} {op} {_code(stmt.value)}", loops)
            else:
                calls_in(stmt, loops)

    def calls_in(node: ast.AST, loops: list[ast.AST]) -> None:
        for call in _ordered(node, calls):
            emit(_as_call(call, drawing), [*loops, *_comprehensions(node, call)])

    visit(function.body, [])
    return out


def _is_stated_assignment(stmt: ast.stmt, calls: set[int], values: set[str]) -> bool:
    """Whether ``stmt`` is stated whole, as ``names = value`` (or ``+=``): it binds plain
    names, one of which the check sees (``values``) or whose value is a draw itself, and it
    wraps no draw (``r1, r2, r3 = gather(f(x) for ...)`` states the draws ``f(x)`` instead)."""
    target: ast.expr
    if isinstance(stmt, ast.AugAssign):
        target = stmt.target
    elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
    else:
        return False
    value = _bare(stmt.value)
    elements = target.elts if isinstance(target, ast.Tuple) else [target]
    if not all(isinstance(e, ast.Name) for e in elements):
        return False
    wrapped = [c for c in _ordered(stmt, calls) if c is not value]
    return not wrapped and bool(_names(target) & values
                                or (value is not None and id(value) in calls))


def _bare(value: ast.expr) -> ast.expr | None:
    """The call ``value`` is, through ``await``; else None."""
    while isinstance(value, ast.Await):
        value = value.value
    return value if isinstance(value, ast.Call) else None


def _ordered(node: ast.AST, calls: set[int]) -> list[ast.Call]:
    """The draw calls in ``node``, in source order."""
    found = [n for n in ast.walk(node) if isinstance(n, ast.Call) and id(n) in calls]
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def _as_call(call: ast.Call, drawing: set[str]) -> str:
    """``call`` as code; ``spawn(f, x)`` of a drawing function ``f`` as ``f(x)``."""
    first = call.args[0] if call.args else None
    if (isinstance(first, ast.Name) and first.id in drawing
            and not _names(call.func) & drawing):
        return _code(ast.Call(func=first, args=call.args[1:], keywords=call.keywords))
    return _code(call)


def _comprehensions(node: ast.AST, call: ast.Call) -> list[ast.AST]:
    """The comprehensions' ``for`` clauses around ``call`` in ``node``, outermost first."""
    found: list[ast.AST] = []
    for inner in ast.walk(node):
        if (isinstance(inner, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp)
                and any(n is call for n in ast.walk(inner))):
            found.extend(inner.generators)
    return found


def _header(loop: ast.AST) -> str:
    if isinstance(loop, ast.While):
        return f"while {_code(loop.test)}:"
    assert isinstance(loop, ast.For | ast.AsyncFor | ast.comprehension)
    is_async = isinstance(loop, ast.AsyncFor) or bool(getattr(loop, "is_async", False))
    prefix = "async for" if is_async else "for"
    target = loop.target
    names = target.elts if isinstance(target, ast.Tuple) else [target]
    return f"{prefix} {', '.join(map(_code, names))} in {_code(loop.iter)}:"


def _depends_block(lines: list[str], indent: str) -> list[str]:
    out = [indent + DEPENDS] if lines else []
    room = WIDTH - len(indent + STATED)
    for line in lines:
        body = line.lstrip(" ")
        pad = line[:len(line) - len(body)]
        parts = _split(body, room - len(pad))
        out.append(indent + STATED + pad + parts[0])
        out.extend(indent + STATED + pad + "    " + part for part in parts[1:])
    return out


def _stated(calls: list[str], where: str, indent: str) -> list[str]:
    """The :data:`PRINTS` block, then what its names stand for (``where``).

    A call that does not fit the line length goes on in Python's own continuation lines
    (after a comma, or between two joined strings), so the block still parses as code:
    ``tests/test_exercises_lines.py`` reads it back and matches the reference's lines to it.
    """
    out = [indent + PRINTS] if calls else []
    room = WIDTH - len(indent + STATED)
    for call in calls:
        parts = _split(call, room)
        out.append(indent + STATED + parts[0])
        out.extend(indent + STATED + "    " + part for part in parts[1:])
    out.extend(_wrapped([where] if where else [], indent, "# Where "))
    return out


def _split(call: str, room: int) -> list[str]:
    """``call`` cut after a top-level comma or string literal into lines of at most ``room``
    characters (then indented by 4); a single piece longer than that stays whole."""
    cuts: list[int] = []
    depth = 0
    for tok in tokenize.generate_tokens(io.StringIO(call).readline):
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif depth == 1 and (tok.string == "," or tok.type == tokenize.STRING):
            cuts.append(tok.end[1])  # one line, so the column is the offset
    pieces: list[str] = []
    line, start = "", 0
    for cut in [*cuts, len(call)]:
        piece = call[start:cut]
        limit = room if not pieces else room - 4
        if line and len(line + piece.rstrip()) > limit:
            pieces.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
        start = cut
    pieces.append(line.rstrip())
    return pieces


def _comments(source: str) -> dict[int, str]:
    """1-based line number -> comment text, found by tokenize (a ``#`` in a string is not one)."""
    found = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            found[tok.start[0]] = tok.string.lstrip("#").strip()
    return found


def _blank(node: ast.FunctionDef | ast.AsyncFunctionDef, lesson: str, source: str,
           impl: str = "trio") -> bool:
    if isinstance(node, ast.AsyncFunctionDef) or node.name in HINTS.get(lesson, {}):
        return True
    segment = ast.get_source_segment(source, node) or ""
    return any(word in segment for word in USES[impl])


#: A bullet of "The notebook's questions:": the question (up to its "?*"), then our answer.
QUESTION = re.compile(r"^(\* .*?\?\*?)(\s.*)?$")
#: An answer given inline: "(Q: why does it work? ...)", to the closing parenthesis.
INLINE_ANSWER = re.compile(r"\(Q: (why does it work\?) .*?\)\.?", re.DOTALL)


def without_answers(lines: list[str], lesson: str) -> list[str]:
    """The module docstring with the notebook's questions kept and our answers cut.

    A skeleton states the task; answering "isn't while True a problem?" is the exercise.
    """
    out: list[str] = []
    in_questions = False
    for line in lines:
        if line.strip() == "The notebook's questions:":
            in_questions = True
            out.append(line)
            continue
        if in_questions:
            if line.startswith("* "):
                m = QUESTION.match(line)
                out.append(m[1] if m else line)
                continue
            if line.startswith("  "):  # the rest of an answer
                continue
            if not line.strip() and not out[-1].startswith("* "):
                out.append(line)  # the blank line before the first question
                continue
            if not line.strip():
                out.append(f"(Answer them yourself; ours are in docs/lessons/{lesson}.md "
                           "and the solved notebooks.)")
            in_questions = False
        out.append(line)
    text = "\n".join(out)
    text = INLINE_ANSWER.sub(lambda m: f"(Q: {m[1]} Our answer: docs/lessons/{lesson}.md.)",
                             text)
    return text.split("\n")


def render(lesson: catalogue.Lesson, impl: str = "trio") -> str:
    """The skeleton for one lesson, from ``trio_port/<lesson>.py`` or ``asyncio_ref/...``."""
    package = catalogue.PACKAGES[impl]
    path = ROOT / package / f"{lesson.name}.py"
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    comments = _comments(source)
    hints = HINTS.get(lesson.name, {})
    tree = ast.parse(source)
    doc = tree.body[0] if tree.body and isinstance(tree.body[0], ast.Expr) else None
    if doc is not None and isinstance(doc.value, ast.Constant):
        start, end = doc.lineno - 1, doc.end_lineno or doc.lineno
        lines = lines[:start] + without_answers(lines[start:end], lesson.name) + lines[end:]
        source = "\n".join(lines) + "\n"
        comments = _comments(source)
        tree = ast.parse(source)
    task = ("to port to Trio" if impl == "trio" else
            "to write in asyncio, as the reference" if lesson.section == "beyond" else
            "to solve in asyncio, as the notebook asks")
    says = "our port's reasons" if impl == "trio" else "the reference's notes"
    beyond = lesson.section == "beyond"  # the server: its steps are the project's
    where = "beyond the notebook" if beyond else f"notebook {lesson.section}"
    steps = "this lesson's steps" if beyond else "the notebook's steps"
    header = [
        f"Exercise: lesson {lesson.name!r} ({where}, {lesson.title}), "
        f"{task}. Generated from {package}/{lesson.name}.py by "
        "scripts/make_exercises.py: do not edit it here. Copy it, write each body (its "
        f"comments are {steps}, and {says}), then run:",
    ]
    out = _wrapped(header, "", "# ")
    flag = "" if impl == "trio" else " --impl asyncio"
    out.append(f"#     walkthrough check {lesson.name} my_{lesson.name}.py{flag}")
    if lesson.name == "server":
        out.append(f"#     (it plays a session of clients; python my_{lesson.name}.py --port 8888 "
                   "serves nc 127.0.0.1 8888)")
    elif lesson.real_io:
        out.append(f"#     (it crawls a local demo site; python my_{lesson.name}.py URL... "
                   "crawls the web)")
    other = "asyncio version next to ours" if impl == "trio" else "Trio port next to it"
    out.extend(_wrapped([f"To see the {other}: walkthrough diff {lesson.name}"], "", "# "))
    # Lesson 8 is not in the notebook: its steps are the project's own, and say so.
    said_by = "# The lesson: " if lesson.name == "server" else "# The notebook: "
    out.extend(_wrapped(hints.get("", []), "", said_by))
    cursor = 0  # index of the next source line to copy
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not _blank(node, lesson.name, source, impl):
            continue
        first_body = node.body[0]
        keep_until = first_body.lineno - 1  # the lines before the body: decorators, signature
        while keep_until > node.lineno and (not lines[keep_until - 1].strip() or
                                            lines[keep_until - 1].lstrip().startswith("#")):
            keep_until -= 1  # ... but not the comments that open the body
        if (isinstance(first_body, ast.Expr) and isinstance(first_body.value, ast.Constant)
                and isinstance(first_body.value.value, str)):
            keep_until = first_body.end_lineno or first_body.lineno  # ... and the docstring
        out.extend(lines[cursor:keep_until])
        indent = " " * first_body.col_offset
        out.extend(_wrapped(hints.get(node.name, []), indent, said_by))
        body_end = node.end_lineno or node.lineno
        said: list[str] = []
        previous = -1
        for n in range(keep_until + 1, body_end + 1):
            if n in comments:
                block = lines[n - 1].lstrip().startswith("#")
                if block and previous == n - 1 and said:
                    said[-1] += " " + comments[n]
                else:
                    said.append(comments[n])
                previous = n if block else -1
        said = [text for text in said if not _foreign_code(text, node, tree)]
        label = "# Our port says: " if impl == "trio" else "# The reference says: "
        out.extend(_wrapped(said, indent, label))
        out.extend(_depends_block(depends(node, tree), indent))
        out.extend(_stated(printed(node, source), WHERE.get(lesson.name, {}).get(node.name, ""),
                           indent))
        out.append(f'{indent}raise NotImplementedError("write {node.name}")')
        cursor = body_end
    out.extend(lines[cursor:])
    return "\n".join(out) + "\n"


def _foreign_code(comment: str, function: ast.FunctionDef | ast.AsyncFunctionDef,
                  tree: ast.Module) -> bool:
    """Whether ``comment`` is only code naming what the twin's function does not have.

    ``outstanding.value -= 1  # q.task_done()`` says which asyncio line the Trio line plays;
    next to that line it reads well, but in a skeleton without it, "q.task_done()" names a
    ``q`` the Trio port has no such thing as (issue 25, F8). A comment that is prose, or code
    on the function's own names, stays.
    """
    try:
        code = ast.parse(comment, mode="eval")
    except SyntaxError:
        return False
    bound = set(dir(builtins)) | _names(function) | {
        a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            bound |= _names(node)
    return bool(_names(code) - bound)


def _wrapped(texts: list[str], indent: str, prefix: str) -> list[str]:
    """Comment lines within the line length, continuation lines indented under the text."""
    out = []
    for text in texts:
        out.extend(textwrap.wrap(text, width=WIDTH, initial_indent=indent + prefix,
                                 subsequent_indent=indent + "#" + " " * (len(prefix) - 1),
                                 break_long_words=False, break_on_hyphens=False))
    return out


def expected() -> dict[Path, str]:
    """Every exercise file and its content: per framework, one per lesson whose twin exists."""
    return {OUT / impl / f"{lesson.name}.py": render(lesson, impl)
            for impl in catalogue.IMPLS for lesson in catalogue.LESSONS if lesson.exists(impl)}


def outline(text: str) -> list[tuple[str, ...]]:
    """What a skeleton *decides*, without the code it keeps verbatim from its twin.

    Per function: its name, arguments, docstring, whether its body is left blank, and the
    comments in it that the skeleton decides (:data:`DECIDED`: the notebook's steps, and the
    lines it prints, which the check compares); plus the header comments and the module
    docstring.
    The freshness test compares this, so an edit to a kept helper of a twin (which the twin's
    own tests name) does not turn it red; ``--check`` still compares every byte.
    """
    tree = ast.parse(text)
    found: list[tuple[str, ...]] = [("header", *(line for line in text.splitlines()
                                                  if line.startswith("#")))]
    found.append(("module", ast.get_docstring(tree) or ""))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            blank = len(body) == 1 and isinstance(body[0], ast.Raise)
            segment = ast.get_source_segment(text, node) or ""
            notes = [line.strip() for line in segment.splitlines()
                     if line.strip().startswith(DECIDED)] if blank else []
            found.append((node.name, ast.unparse(node.args), ast.get_docstring(node) or "",
                          str(blank), *notes))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only compare: exit 1 if a file is missing or differs")
    args = parser.parse_args(argv)
    stale = []
    for path, text in expected().items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
    verb = "stale" if args.check else "written"
    for path in stale:
        print(f"{verb}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
