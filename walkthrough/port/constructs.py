"""Which asyncio constructs a parsed file holds, each on its line.

:class:`Visitor` walks the tree once the names are followed (:mod:`.names`) and emits a
construct name per use: ``asyncio.Queue``, ``loop.time``, ``task set``. :func:`analyse` turns
them into :class:`~.mapping.Finding`s, one per construct and line, each placed on the
statement that holds it (where a TODO comment would go).
"""

from __future__ import annotations

import ast

from walkthrough.port.mapping import Finding, describe
from walkthrough.port.names import MODULES, OBJECT_KINDS, Names, collect, qualname
from walkthrough.port.reading import parse

#: Construct name → the id of the concept-map row that explains it.
ROWS: dict[str, str] = {
    "import asyncio": "loop",
    "asyncio.get_running_loop": "loop",
    "asyncio.get_event_loop": "loop",
    "asyncio.new_event_loop": "loop",
    "asyncio.set_event_loop": "loop",
    "asyncio.AbstractEventLoop": "loop",
    "asyncio.run": "run",
    "asyncio.Runner": "run",
    "loop.run_until_complete": "run",
    "loop.run_forever": "run",
    "asyncio.create_task": "create-task",
    "asyncio.ensure_future": "create-task",
    "loop.create_task": "create-task",
    "asyncio.Task": "create-task",
    "asyncio.Future": "future",
    "loop.create_future": "future",
    "asyncio.gather": "gather",
    "asyncio.wait": "wait-first",
    "asyncio.FIRST_COMPLETED": "wait-first",
    "asyncio.FIRST_EXCEPTION": "wait-first",
    "asyncio.ALL_COMPLETED": "wait-first",
    "asyncio.as_completed": "as-completed",
    "asyncio.wait_for": "wait-for",
    "asyncio.timeout": "timeout",
    "asyncio.timeout_at": "timeout-at",
    "TimeoutError": "timeout-error",
    "asyncio.TimeoutError": "timeout-error",
    "asyncio.TaskGroup": "taskgroup",
    "task set": "task-set",
    "task.cancel": "task-cancel",
    "task.add_done_callback": "task-set",
    "task.result": "create-task",
    "task.done": "create-task",
    "asyncio.shield": "shield",
    "asyncio.CancelledError": "cancelled",
    "asyncio.sleep(0)": "checkpoint",
    "asyncio.sleep": "sleep",
    "loop.time": "loop-time",
    "loop.call_later": "call-later",
    "loop.call_at": "call-later",
    "loop.call_soon": "call-later",
    "asyncio.Queue": "queue",
    "asyncio.LifoQueue": "priority-queue",
    "asyncio.PriorityQueue": "priority-queue",
    "asyncio.Barrier": "barrier",
    "asyncio.BrokenBarrierError": "barrier",
    "asyncio.QueueEmpty": "queue",
    "asyncio.QueueFull": "queue",
    "queue.put": "queue",
    "queue.get": "queue",
    "queue.put_nowait": "queue",
    "queue.get_nowait": "queue",
    "queue.qsize": "queue",
    "queue.empty": "queue",
    "queue.full": "queue",
    "loop.close": "run",
    "loop.stop": "run",
    "queue.task_done": "task-done",
    "queue.join": "task-done",
    "queue.shutdown": "queue-shutdown",
    "asyncio.QueueShutDown": "queue-shutdown",
    "asyncio.Semaphore": "semaphore",
    "asyncio.BoundedSemaphore": "semaphore",
    "semaphore.acquire": "semaphore",
    "semaphore.release": "semaphore",
    "asyncio.Event": "event",
    "asyncio.Lock": "lock",
    "asyncio.Condition": "condition",
    "loop.run_in_executor": "to-thread",
    "asyncio.to_thread": "to-thread",
    "asyncio.run_coroutine_threadsafe": "from-thread",
    "loop.call_soon_threadsafe": "from-thread",
    "asyncio.all_tasks": "all-tasks",
    "asyncio.current_task": "all-tasks",
    "task.get_stack": "all-tasks",
    "task.cancelling": "task-cancel",
    "task.uncancel": "task-cancel",
    "loop.remove_signal_handler": "signals",
    "KeyboardInterrupt": "ctrl-c",
    "loop.add_signal_handler": "signals",
    "asyncio.create_subprocess_exec": "subprocess",
    "asyncio.create_subprocess_shell": "subprocess",
    "asyncio.subprocess": "subprocess",
    "asyncio.open_connection": "streams",
    "loop.create_connection": "protocols",
    "loop.create_server": "protocols",
    "loop.create_datagram_endpoint": "protocols",
    "asyncio.Protocol": "protocols",
    "asyncio.BaseProtocol": "protocols",
    "asyncio.BufferedProtocol": "protocols",
    "asyncio.DatagramProtocol": "protocols",
    "asyncio.Transport": "protocols",
    "asyncio.BaseTransport": "protocols",
    "asyncio.DatagramTransport": "protocols",
    "loop.set_debug": "slow-callback",
    "loop.slow_callback_duration": "slow-callback",
    "asyncio.start_server": "start-server",
    "asyncio.StreamReader": "streams",
    "asyncio.StreamWriter": "streams",
    "stream": "streams",
    "server": "start-server",
    "stream.readline": "start-server",
    "session": "aiohttp-client",
    "response": "aiohttp-client",
    "aiohttp": "aiohttp-client",
    "aiofiles": "aiofiles",
    "nest_asyncio": "nest-asyncio",
    "pytest.mark.asyncio": "pytest-asyncio",
}




class Visitor(ast.NodeVisitor):
    def __init__(self, scan: Names) -> None:
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
        if qualname(node, self.scan) == "session":  # make_client(), which returns a session
            self.emit(node, "aiohttp")
        name = qualname(node.func, self.scan)
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
        name = qualname(node, self.scan)
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
        runs = any(isinstance(sub, ast.Call) and qualname(sub.func, self.scan) == "asyncio.run"
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


def statements(tree: ast.Module) -> dict[int, int]:
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


def row_of(construct: str) -> str | None:
    """The id of the row that explains ``construct`` (a module's own row for ``aiohttp.X``)."""
    return ROWS.get(construct) or ROWS.get(construct.split(".")[0])


def analyse(source: str, path: str) -> tuple[ast.Module, Names, list[Finding]]:
    """Parse once: the tree, the names followed, and every finding (for scan and rewrite)."""
    tree = parse(source, path)
    state = Names(path)
    collect(tree, state)
    Visitor(state).visit(tree)
    starts = statements(tree)
    findings: dict[tuple[int, str], Finding] = {}
    for line, _, construct in sorted(state.found):
        if (line, construct) in findings:
            continue
        findings[(line, construct)] = describe(path, line, starts.get(line, line), construct,
                                                  row_of(construct))
    return tree, state, list(findings.values())
