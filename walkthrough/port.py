"""Read a user's asyncio file and say, construct by construct, what Trio has in its place.

:func:`scan` parses the source with :mod:`ast` (never a regex over the text) and reports each
asyncio construct it meets: ``asyncio.*`` calls and names, methods of objects those return
(an event loop, a queue, a task, a semaphore), aiohttp sessions and responses, aiofiles files,
and a few patterns (a set of tasks kept alive with ``add_done_callback(set.discard)``). Each
:class:`Finding` points at the row of the concept map (``docs/concepts.md``, read through
:mod:`walkthrough.conceptmap`) that gives the Trio counterpart, the gotcha and the page that
shows it: one table for the guide and for this tool, so they cannot disagree.

:func:`rewrite` applies only three mechanical rewrites, and leaves a ``TODO(trio)`` comment
wherever a human must decide. Mechanical is not always safe (``docs/porting.md``): the nursery
raises an ExceptionGroup where gather raised the bare error, and ``trio.sleep`` refuses a
negative delay that ``asyncio.sleep`` returns from at once.

* ``asyncio.sleep(t)`` → ``trio.sleep(t)``;
* ``asyncio.run(main(a, b))`` → ``trio.run(main, a, b)``;
* ``await asyncio.gather(f(x), g(y))`` whose result is unused → a nursery block.

Example::

    >>> findings = scan("import asyncio\\nasyncio.run(main())\\n", "app.py")
    >>> [(f.line, f.construct) for f in findings]
    [(1, 'import asyncio'), (2, 'asyncio.run')]

How names are followed: an ``import``/``from … import`` binds a name to its module path, and a
name assigned (or annotated, or bound by ``async with … as``/``for``) from something known
takes its kind: ``loop = asyncio.get_running_loop()`` makes ``loop.time()`` a finding. The
tracking is per file, not per scope: a cheap approximation that the lessons' twins measure
(``tests/test_port.py`` states recall and precision against the twin diffs).
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from walkthrough import conceptmap

#: Construct name → the concept-map row that explains it (a text in the row's asyncio cell).
ROWS: dict[str, str] = {
    "import asyncio": "`import asyncio`",
    "asyncio.get_running_loop": "`import asyncio`",
    "asyncio.get_event_loop": "`import asyncio`",
    "asyncio.new_event_loop": "`import asyncio`",
    "asyncio.set_event_loop": "`import asyncio`",
    "asyncio.AbstractEventLoop": "`import asyncio`",
    "asyncio.run": "`asyncio.run(main())`",
    "asyncio.Runner": "`asyncio.run(main())`",
    "loop.run_until_complete": "`asyncio.run(main())`",
    "loop.run_forever": "`asyncio.run(main())`",
    "asyncio.create_task": "`asyncio.create_task(coro())`",
    "asyncio.ensure_future": "`asyncio.create_task(coro())`",
    "loop.create_task": "`asyncio.create_task(coro())`",
    "asyncio.Task": "`asyncio.create_task(coro())`",
    "asyncio.Future": "`asyncio.Future`",
    "loop.create_future": "`asyncio.Future`",
    "asyncio.gather": "`asyncio.gather(*aws)`",
    "asyncio.wait": "`asyncio.wait(..., FIRST_COMPLETED)`",
    "asyncio.FIRST_COMPLETED": "`asyncio.wait(..., FIRST_COMPLETED)`",
    "asyncio.FIRST_EXCEPTION": "`asyncio.wait(..., FIRST_COMPLETED)`",
    "asyncio.ALL_COMPLETED": "`asyncio.wait(..., FIRST_COMPLETED)`",
    "asyncio.as_completed": "`asyncio.as_completed(aws)`",
    "asyncio.wait_for": "`asyncio.wait_for(aw, t)`",
    "asyncio.timeout": "`async with asyncio.timeout(t)`",
    "asyncio.timeout_at": "`async with asyncio.timeout_at(when)`",
    "TimeoutError": "`TimeoutError` (builtin",
    "asyncio.TimeoutError": "`TimeoutError` (builtin",
    "asyncio.TaskGroup": "`asyncio.TaskGroup`",
    "task set": "task references in a set",
    "task.cancel": "`task.cancel()`",
    "task.add_done_callback": "task references in a set",
    "task.result": "`asyncio.create_task(coro())`",
    "task.done": "`asyncio.create_task(coro())`",
    "asyncio.shield": "`asyncio.shield(aw)`",
    "asyncio.CancelledError": "`CancelledError`",
    "asyncio.sleep(0)": "`await asyncio.sleep(0)`",
    "asyncio.sleep": "`asyncio.sleep(delay)`",
    "loop.time": "`loop.time()`",
    "loop.call_later": "`loop.call_later(t, cb)`",
    "loop.call_at": "`loop.call_later(t, cb)`",
    "loop.call_soon": "`loop.call_later(t, cb)`",
    "asyncio.Queue": "`asyncio.Queue()`",
    "asyncio.LifoQueue": "`asyncio.PriorityQueue()`",
    "asyncio.PriorityQueue": "`asyncio.PriorityQueue()`",
    "asyncio.Barrier": "`asyncio.Barrier(n)`",
    "asyncio.BrokenBarrierError": "`asyncio.Barrier(n)`",
    "asyncio.QueueEmpty": "`asyncio.Queue()`",
    "asyncio.QueueFull": "`asyncio.Queue()`",
    "queue.put": "`asyncio.Queue()`",
    "queue.get": "`asyncio.Queue()`",
    "queue.put_nowait": "`asyncio.Queue()`",
    "queue.get_nowait": "`asyncio.Queue()`",
    "queue.qsize": "`asyncio.Queue()`",
    "queue.empty": "`asyncio.Queue()`",
    "queue.full": "`asyncio.Queue()`",
    "loop.close": "`asyncio.run(main())`",
    "loop.stop": "`asyncio.run(main())`",
    "queue.task_done": "`q.task_done()`",
    "queue.join": "`q.task_done()`",
    "queue.shutdown": "`q.shutdown()`",
    "asyncio.QueueShutDown": "`q.shutdown()`",
    "asyncio.Semaphore": "`asyncio.Semaphore(n)`",
    "asyncio.BoundedSemaphore": "`asyncio.Semaphore(n)`",
    "semaphore.acquire": "`asyncio.Semaphore(n)`",
    "semaphore.release": "`asyncio.Semaphore(n)`",
    "asyncio.Event": "`asyncio.Event`",
    "asyncio.Lock": "`asyncio.Lock`",
    "asyncio.Condition": "`asyncio.Condition`",
    "loop.run_in_executor": "`loop.run_in_executor(None, fn, *args)`",
    "asyncio.to_thread": "`loop.run_in_executor(None, fn, *args)`",
    "asyncio.run_coroutine_threadsafe": "`loop.call_soon_threadsafe(fn, *args)`",
    "loop.call_soon_threadsafe": "`loop.call_soon_threadsafe(fn, *args)`",
    "asyncio.all_tasks": "`asyncio.all_tasks()`",
    "asyncio.current_task": "`asyncio.all_tasks()`",
    "task.get_stack": "`asyncio.all_tasks()`",
    "task.cancelling": "`task.cancel()`",
    "task.uncancel": "`task.cancel()`",
    "loop.remove_signal_handler": "`loop.add_signal_handler(sig, cb)`",
    "KeyboardInterrupt": "Ctrl-C: `asyncio.run`",
    "loop.add_signal_handler": "`loop.add_signal_handler(sig, cb)`",
    "asyncio.create_subprocess_exec": "`asyncio.create_subprocess_exec(...)`",
    "asyncio.create_subprocess_shell": "`asyncio.create_subprocess_exec(...)`",
    "asyncio.subprocess": "`asyncio.create_subprocess_exec(...)`",
    "asyncio.open_connection": "streams: `asyncio.open_connection()`",
    "loop.create_connection": "protocols and transports",
    "loop.create_server": "protocols and transports",
    "loop.create_datagram_endpoint": "protocols and transports",
    "asyncio.Protocol": "protocols and transports",
    "asyncio.BaseProtocol": "protocols and transports",
    "asyncio.BufferedProtocol": "protocols and transports",
    "asyncio.DatagramProtocol": "protocols and transports",
    "asyncio.Transport": "protocols and transports",
    "asyncio.BaseTransport": "protocols and transports",
    "asyncio.DatagramTransport": "protocols and transports",
    "loop.set_debug": "slow-callback warning",
    "loop.slow_callback_duration": "slow-callback warning",
    "asyncio.start_server": "`asyncio.start_server(cb, host, port)`",
    "asyncio.StreamReader": "streams: `asyncio.open_connection()`",
    "asyncio.StreamWriter": "streams: `asyncio.open_connection()`",
    "stream": "streams: `asyncio.open_connection()`",
    "server": "`asyncio.start_server(cb, host, port)`",
    "stream.readline": "`asyncio.start_server(cb, host, port)`",
    "session": "aiohttp (`ClientSession`)",
    "response": "aiohttp (`ClientSession`)",
    "aiohttp": "aiohttp (`ClientSession`)",
    "aiofiles": "aiofiles (`aiofiles.open`)",
    "nest_asyncio": "`nest_asyncio` in Jupyter",
    "pytest.mark.asyncio": "pytest-asyncio",
}

#: What a call returns, for the names assigned from it.
RETURNS = {
    "asyncio.get_running_loop": "loop", "asyncio.get_event_loop": "loop",
    "asyncio.new_event_loop": "loop",
    "asyncio.create_task": "task", "asyncio.ensure_future": "task", "loop.create_task": "task",
    "asyncio.current_task": "task",
    "asyncio.Queue": "queue", "asyncio.LifoQueue": "queue", "asyncio.PriorityQueue": "queue",
    "asyncio.Semaphore": "semaphore", "asyncio.BoundedSemaphore": "semaphore",
    "aiohttp.ClientSession": "session", "aiofiles.open": "aiofile",
    "asyncio.start_server": "server", "asyncio.start_unix_server": "server",
}
#: An annotation that mentions one of these gives the annotated name its kind.
ANNOTATIONS = {
    "asyncio.AbstractEventLoop": "loop", "asyncio.Queue": "queue", "asyncio.Task": "task",
    "asyncio.Semaphore": "semaphore", "asyncio.BoundedSemaphore": "semaphore",
    "aiohttp.ClientSession": "session", "aiohttp.ClientResponse": "response",
    "asyncio.StreamReader": "stream", "asyncio.StreamWriter": "stream",
    "asyncio.Server": "server",
}
#: Modules whose every use is a finding.
MODULES = ("asyncio", "aiohttp", "aiofiles", "nest_asyncio")
#: Kinds whose every attribute is a finding, ``KIND.attr``. (Not an aiofiles file: Trio's async
#: file has the same methods, so ``await f.write(x)`` needs no change. Nor a loop, queue, task
#: or semaphore: only the methods ``ROWS`` names differ in Trio.)
OBJECT_KINDS = ("session", "response", "stream", "server")
HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "request"}

#: Files larger than this are refused (a generated file, a data dump): bytes.
MAX_BYTES = 2_000_000


class PortError(Exception):
    """A file that cannot be read as Python: the message says why, in one line."""


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    #: the line of the statement the construct stands in (where a TODO comment goes)
    statement: int
    construct: str
    trio: str
    gotcha: str
    #: the concept-map section, then the pages that show the row
    links: tuple[str, ...]
    rewrite: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Scan:
    path: str
    aliases: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    factories: dict[str, str] = field(default_factory=dict)
    found: list[tuple[int, int, str]] = field(default_factory=list)


def _qualname(node: ast.expr, scan: _Scan) -> str | None:
    """``asyncio.sleep``, ``aiohttp.ClientSession``, ``loop.time``: what an expression names."""
    if isinstance(node, ast.Name):
        if node.id in scan.aliases:
            return scan.aliases[node.id]
        kind = scan.kinds.get(node.id)
        return kind
    if isinstance(node, ast.Attribute):
        base = _qualname(node.value, scan)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id in scan.factories:
            return scan.factories[node.func.id]  # def make_client() -> ClientSession
        called = _qualname(node.func, scan)
        if called is None:
            return None
        if called in RETURNS:
            return RETURNS[called]
        if called in scan.factories:
            return scan.factories[called]
        kind, _, method = called.rpartition(".")
        if kind == "session" and method in HTTP_METHODS:
            return "response"
        return None
    if isinstance(node, ast.Subscript):
        return _qualname(node.value, scan)
    if isinstance(node, ast.Await):
        return _qualname(node.value, scan)
    return None


def _annotation_kind(node: ast.expr | None, scan: _Scan) -> tuple[str | None, bool]:
    """The kind an annotation gives, and whether it is a collection of that kind."""
    if node is None:
        return None, False
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name | ast.Attribute):
            name = _qualname(sub, scan)
            if name in ANNOTATIONS:
                collection = not (sub is node or (isinstance(node, ast.Subscript)
                                                  and node.value is sub))
                return ANNOTATIONS[name], collection
    return None, False


def _bind(target: ast.expr, kind: str | None, scan: _Scan) -> None:
    if kind and isinstance(target, ast.Name):
        scan.kinds[target.id] = kind


def _collect(tree: ast.Module, scan: _Scan) -> None:
    """First pass: imports, and the kinds of names assigned from known things."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in MODULES or alias.name == "pytest":
                    scan.aliases[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            if top in MODULES:
                for alias in node.names:
                    scan.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    # Kinds flow through assignments; two passes let a name assigned from a name resolve.
    for _ in range(2):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                kind, collection = _annotation_kind(node.returns, scan)
                if kind and not collection:
                    scan.factories[node.name] = kind
                for arg in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]:
                    kind, collection = _annotation_kind(arg.annotation, scan)
                    if kind:
                        scan.kinds[arg.arg] = f"{kind}s" if collection else kind
            elif isinstance(node, ast.AnnAssign):
                kind, collection = _annotation_kind(node.annotation, scan)
                if kind:
                    _bind(node.target, f"{kind}s" if collection else kind, scan)
                elif node.value is not None:
                    _bind(node.target, _qualname(node.value, scan), scan)
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple) and all(
                    isinstance(t, ast.Tuple) and len(t.elts) == len(node.value.elts)
                    for t in node.targets):
                for target in node.targets:  # loop, task = get_running_loop(), current_task()
                    assert isinstance(target, ast.Tuple)
                    for each, value in zip(target.elts, node.value.elts, strict=True):
                        _bind(each, _qualname(value, scan), scan)
            elif isinstance(node, ast.Assign):
                value = node.value
                kind = _qualname(value, scan)
                if isinstance(value, ast.ListComp | ast.SetComp):
                    element = _qualname(value.elt, scan)
                    kind = f"{element}s" if element else None
                if kind in ("loop", "task", "queue", "semaphore", "session", "response",
                            "aiofile", "tasks", "stream", "server"):
                    for target in node.targets:
                        _bind(target, kind, scan)
            elif isinstance(node, ast.AsyncWith | ast.With):
                for item in node.items:
                    if item.optional_vars is not None:
                        _bind(item.optional_vars, _qualname(item.context_expr, scan), scan)
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                iterated = node.iter
                name = iterated.id if isinstance(iterated, ast.Name) else None
                if name and scan.kinds.get(name, "").endswith("s"):
                    _bind(node.target, scan.kinds[name][:-1], scan)


class _Visitor(ast.NodeVisitor):
    def __init__(self, scan: _Scan) -> None:
        self.scan = scan

    def emit(self, node: ast.AST, construct: str) -> None:
        self.scan.found.append((getattr(node, "lineno", 0), getattr(node, "col_offset", 0),
                                construct))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            if top == "asyncio":
                self.emit(node, "import asyncio")
            elif top in MODULES:
                self.emit(node, top)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        top = (node.module or "").split(".")[0]
        if top == "asyncio":
            self.emit(node, "import asyncio")
        elif top in MODULES:
            self.emit(node, top)

    def visit_Call(self, node: ast.Call) -> None:
        if _qualname(node, self.scan) == "session":  # make_client(), which returns a session
            self.emit(node, "aiohttp")
        name = _qualname(node.func, self.scan)
        if name == "asyncio.sleep" and node.args and isinstance(node.args[0], ast.Constant) \
                and node.args[0].value == 0:
            self.emit(node, "asyncio.sleep(0)")
            for arg in node.args:
                self.visit(arg)
            return
        if self._keeps_a_task_alive(node):
            self.emit(node, "task set")
        self.generic_visit(node)

    def _keeps_a_task_alive(self, node: ast.Call) -> bool:
        """``tasks.add(task)`` on a set of tasks, or ``task.add_done_callback(s.discard)``."""
        func = node.func
        if not isinstance(func, ast.Attribute):
            return False
        if func.attr == "add_done_callback":
            return bool(node.args) and isinstance(node.args[0], ast.Attribute) \
                and node.args[0].attr == "discard"
        return func.attr == "add" and isinstance(func.value, ast.Name) \
            and self.scan.kinds.get(func.value.id) == "tasks"

    def visit_Attribute(self, node: ast.Attribute) -> None:
        name = _qualname(node, self.scan)
        if name is None:
            self.generic_visit(node)
            return
        top = name.split(".")[0]
        if top in MODULES:
            # the longest known prefix: asyncio.Queue[...], aiohttp.ClientTimeout(...)
            parts = name.split(".")
            self.emit(node, ".".join(parts[:2]) if top == "asyncio" else top)
            return  # not again for the module name inside it
        if top in OBJECT_KINDS or (name.count(".") == 1 and name in ROWS):
            self.emit(node, ".".join(name.split(".")[:2]))
            return
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            target = self.scan.aliases.get(node.id)
            if target and target.split(".")[0] in MODULES and "." in target:
                top = target.split(".")[0]
                self.emit(node, ".".join(target.split(".")[:2]) if top == "asyncio" else top)
            elif node.id == "TimeoutError":
                self.emit(node, node.id)

    def visit_Try(self, node: ast.Try) -> None:
        # `except KeyboardInterrupt` around asyncio.run: Trio's may come in a group. Around
        # anything else (a sync main) it stays as it is.
        runs = any(isinstance(sub, ast.Call) and _qualname(sub.func, self.scan) == "asyncio.run"
                   for stmt in node.body for sub in ast.walk(stmt))
        if runs:
            for handler in node.handlers:
                if handler.type is not None and any(
                        isinstance(n, ast.Name) and n.id == "KeyboardInterrupt"
                        for n in ast.walk(handler.type)):
                    self.emit(handler, "KeyboardInterrupt")
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._decorators(node)
        self.generic_visit(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._decorators(node)
        self.generic_visit(node)

    def _decorators(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if ast.unparse(target) == "pytest.mark.asyncio":
                self.emit(decorator, "pytest.mark.asyncio")


def _statements(tree: ast.Module) -> dict[int, int]:
    """Each line → the first line of the innermost *simple* statement covering it."""
    starts: dict[int, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            end = node.end_lineno or node.lineno
            compound = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                                  | ast.If | ast.For | ast.AsyncFor | ast.While | ast.With
                                  | ast.AsyncWith | ast.Try | ast.Match | ast.TryStar)
            header_end = node.body[0].lineno - 1 if compound and hasattr(node, "body") else end
            for line in range(node.lineno, max(node.lineno, header_end) + 1):
                if line not in starts or starts[line] < node.lineno:
                    starts[line] = node.lineno
    return starts


def parse(source: str, path: str) -> ast.Module:
    try:
        return ast.parse(source, filename=path)
    except SyntaxError as exc:
        where = f"{path}:{exc.lineno}:{exc.offset}" if exc.lineno else path
        raise PortError(f"{where}: cannot parse as Python: {exc.msg}") from None
    except ValueError as exc:  # a NUL byte
        raise PortError(f"{path}: not a Python source file ({exc})") from None


def _analyse(source: str, path: str) -> tuple[ast.Module, _Scan, list[Finding]]:
    """Parse once: the tree, the names followed, and every finding (for scan and rewrite)."""
    tree = parse(source, path)
    state = _Scan(path)
    _collect(tree, state)
    _Visitor(state).visit(tree)
    statements = _statements(tree)
    findings: dict[tuple[int, str], Finding] = {}
    for line, _, construct in sorted(state.found):
        if (line, construct) in findings:
            continue
        findings[(line, construct)] = describe(path, line, statements.get(line, line), construct)
    return tree, state, list(findings.values())


def scan(source: str, path: str = "<source>") -> list[Finding]:
    """Every asyncio construct in ``source``, in line order, one per construct and line."""
    return _analyse(source, path)[2]


def describe(path: str, line: int, statement: int, construct: str) -> Finding:
    key = ROWS.get(construct) or ROWS.get(construct.split(".")[0])
    if key is None:
        return Finding(path, line, statement, construct,
                       "no row in the concept map yet", "", (conceptmap.PAGE_LINK,))
    row = conceptmap.find(key)
    return Finding(path, line, statement, construct, conceptmap.plain(row.trio),
                   conceptmap.plain(row.gotcha),
                   (f"{conceptmap.PAGE_LINK}#{row.anchor}", *row.links))


# ---------------------------------------------------------------------------------------------
# --rewrite


def _positional_call(node: ast.expr) -> ast.Call | None:
    """``f(a, b)`` with positional, non-starred arguments only: what start_soon can take."""
    if (isinstance(node, ast.Call) and not node.keywords
            and not any(isinstance(a, ast.Starred) for a in node.args)):
        return node
    return None


def _call_as_args(call: ast.Call, source: str) -> str:
    parts = [ast.get_source_segment(source, call.func) or ast.unparse(call.func)]
    parts += [ast.get_source_segment(source, a) or ast.unparse(a) for a in call.args]
    return ", ".join(parts)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _gather_block(stmt: ast.Expr, source: str, indent: str, scan_: _Scan) -> list[str] | None:
    """``await asyncio.gather(...)`` as a statement → a nursery block, or None if not safe."""
    value = stmt.value
    if not (isinstance(value, ast.Await) and isinstance(value.value, ast.Call)):
        return None
    gather = value.value
    if _qualname(gather.func, scan_) != "asyncio.gather" or gather.keywords:
        return None
    inner = indent + "    "
    body: list[str] = []
    for arg in gather.args:
        if isinstance(arg, ast.Starred):
            gen = arg.value
            if not (isinstance(gen, ast.GeneratorExp) and len(gen.generators) == 1
                    and not gen.generators[0].ifs and not gen.generators[0].is_async):
                return None
            call = _positional_call(gen.elt)
            if call is None:
                return None
            comp = gen.generators[0]
            target = ast.get_source_segment(source, comp.target) or ast.unparse(comp.target)
            iterable = ast.get_source_segment(source, comp.iter) or ast.unparse(comp.iter)
            body += [f"{inner}for {target} in {iterable}:",
                     f"{inner}    nursery.start_soon({_call_as_args(call, source)})"]
            continue
        call = _positional_call(arg)
        if call is None:
            return None
        body.append(f"{inner}nursery.start_soon({_call_as_args(call, source)})")
    if not body:
        return None
    return [f"{indent}async with trio.open_nursery() as nursery:", *body]


def _owns_its_lines(node: ast.stmt, lines: list[str]) -> bool:
    """Nothing but this statement on its lines (no `x = 1; await ...`), so it can be replaced."""
    end = node.end_lineno or node.lineno
    # ast's columns count UTF-8 bytes
    before = lines[node.lineno - 1].encode()[: node.col_offset].decode()
    after = lines[end - 1].encode()[node.end_col_offset or 0:].decode().strip()
    return before.strip() == "" and (after == "" or after.startswith("#"))


def rewrite(source: str, path: str = "<source>") -> tuple[str, list[Finding]]:
    """The source with the mechanical rewrites applied and TODOs left; and the findings."""
    tree, state, findings = _analyse(source, path)
    lines = source.splitlines(keepends=True)
    rewritten: set[int] = set()
    #: (start line, end line) → replacement lines, whole statements only
    replace: dict[tuple[int, int], list[str]] = {}
    #: (line, col start, col end, text): edits inside one line
    spans: list[tuple[int, int, int, str]] = []

    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and node.end_lineno is not None:
            block = _gather_block(node, source, _indent(lines[node.lineno - 1]), state)
            if block is not None and _owns_its_lines(node, lines):
                replace[(node.lineno, node.end_lineno)] = [f"{b}\n" for b in block]
                rewritten.update(range(node.lineno, node.end_lineno + 1))
        if not isinstance(node, ast.Call) or node.lineno != node.end_lineno:
            continue
        name = _qualname(node.func, state)
        func = node.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and state.aliases.get(func.value.id) == "asyncio"):
            continue
        if name == "asyncio.sleep" and len(node.args) == 1 and not node.keywords:
            spans.append((node.lineno, func.col_offset, func.end_col_offset or 0, "trio.sleep"))
            rewritten.add(node.lineno)
        elif name == "asyncio.run" and len(node.args) == 1 and not node.keywords:
            inner = _positional_call(node.args[0])
            if inner is not None:
                text = f"trio.run({_call_as_args(inner, source)})"
                spans.append((node.lineno, node.col_offset, node.end_col_offset or 0, text))
                rewritten.add(node.lineno)

    for line, start, end, text in sorted(spans, reverse=True):
        if any(a <= line <= b for a, b in replace):
            continue
        old = lines[line - 1]
        encoded = old.encode()
        lines[line - 1] = (encoded[:start] + text.encode() + encoded[end:]).decode()

    # TODOs: one comment above each statement with a finding that no rewrite took care of.
    todo: dict[int, list[Finding]] = {}
    for finding in findings:
        if finding.line in rewritten and finding.construct in (
                "asyncio.sleep", "asyncio.run", "asyncio.gather", "asyncio.sleep(0)"):
            continue
        if finding.construct == "import asyncio":
            continue
        todo.setdefault(finding.statement, []).append(finding)

    out: list[str] = []
    skip_until = 0
    has_trio = any(isinstance(node, ast.Import) and any(a.name == "trio" for a in node.names)
                   for node in tree.body)
    needs_import = bool(rewritten) and not has_trio
    for number, text in enumerate(lines, start=1):
        if number <= skip_until:
            continue
        span = next(((a, b) for a, b in replace if a == number), None)
        if number in todo:
            indent = _indent(text)
            said = dict.fromkeys(f"{f.construct} → {_short(f.trio)}" for f in todo[number])
            out.append(f"{indent}# TODO(trio): {'; '.join(said)} "
                       f"(see {todo[number][0].links[0]})\n")
        if span is not None:
            out.extend(replace[span])
            skip_until = span[1]
            continue
        out.append(text)
        if needs_import and text.strip() == "import asyncio":
            out.append("import trio\n")
            needs_import = False
    if needs_import:
        out.insert(0, "import trio\n")
    return "".join(out), findings


def _short(text: str, limit: int = 60) -> str:
    first = text.split(". ")[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"


def patch(source: str, path: str) -> tuple[str, list[Finding]]:
    """A unified diff from ``source`` to its rewrite (empty when nothing changes)."""
    new, findings = rewrite(source, path)
    diff = difflib.unified_diff(source.splitlines(keepends=True), new.splitlines(keepends=True),
                                f"a/{path}", f"b/{path}")
    return "".join(diff), findings


def read(path: str, data: bytes) -> str:
    """The text of a file the user named, or a PortError that says why it cannot be read."""
    if len(data) > MAX_BYTES:
        raise PortError(f"{path}: too large to scan ({len(data) / 1e6:.1f} MB; the limit is "
                        f"{MAX_BYTES / 1e6:.0f} MB)")
    if b"\0" in data:
        raise PortError(f"{path}: not a Python source file (it holds binary data)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PortError(f"{path}: not a Python source file (not UTF-8 text: byte "
                        f"{exc.start})") from None


def iter_findings(findings: list[Finding]) -> Iterator[tuple[int, list[Finding]]]:
    """Findings grouped by line, in order."""
    by_line: dict[int, list[Finding]] = {}
    for finding in findings:
        by_line.setdefault(finding.line, []).append(finding)
    yield from sorted(by_line.items())
