"""Which asyncio constructs a parsed file holds, each on its line.

:class:`Visitor` walks the tree once the names are followed (:mod:`.names`) and emits a
construct name per use: ``asyncio.Queue``, ``loop.time``, ``task set``. :func:`analyse` turns
them into :class:`~.mapping.Finding`s, one per construct and line, each placed on the
statement that holds it (where a TODO comment would go).
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Collection

from walkthrough.port import libraries
from walkthrough.port.libraries import API_ROWS
from walkthrough.port.mapping import EVIDENCE_PREFIX, Finding, describe
from walkthrough.port.names import (
    COPIES,
    HTTP_METHODS,
    KNOWN_KINDS,
    LOOP_PARAMS,
    MODULES,
    OBJECT_KINDS,
    STDLIB,
    TYPING_WORDS,
    WEBSOCKET_METHODS,
    Names,
    annotation_kind,
    callback_name,
    collect,
    defined_classes_only,
    element,
    evidenced,
    external_of,
    foreign_type,
    lib_construct,
    library_row,
    loop_annotation,
    loop_param,
    makes_loops,
    plainly_typed_fields,
    qualname,
    reference,
    stdlib_bindings,
)
from walkthrough.port.reading import deep, parse
from walkthrough.port.walking import own_nodes, walk

#: Construct name → the id of the concept-map row that explains it.
ROWS: dict[str, str] = {
    "import asyncio": "loop",
    "asyncio.get_running_loop": "loop",
    "asyncio.get_event_loop": "loop",
    "asyncio.new_event_loop": "loop",
    "asyncio.set_event_loop": "loop",
    "asyncio.run": "run",
    "asyncio.Runner": "run",
    "loop.run_until_complete": "run",
    "loop.run_forever": "loop-stop",
    "loop.run_forever alone": "run",
    "loop.stop": "loop-stop",
    "loop.is_closed": "loop",
    "loop passed": "loop",
    "asyncio.events": "loop",
    "asyncio.base_events": "loop",
    "asyncio.windows_events": "loop",
    "asyncio.unix_events": "loop",
    "asyncio.AbstractEventLoop": "loop",
    "asyncio.BaseEventLoop": "loop",
    "asyncio.AbstractEventLoopPolicy": "loop",
    "asyncio.set_event_loop_policy": "loop",
    "asyncio.get_event_loop_policy": "loop",
    "asyncio.DefaultEventLoopPolicy": "loop",
    "asyncio.WindowsSelectorEventLoopPolicy": "loop",
    "asyncio.WindowsProactorEventLoopPolicy": "loop",
    "asyncio.ProactorEventLoop": "loop",
    "asyncio.SelectorEventLoop": "loop",
    "asyncio.create_task": "create-task",
    "asyncio.ensure_future": "create-task",
    "loop.create_task": "create-task",
    "asyncio.Task": "create-task",
    "asyncio.Future": "future",
    "loop.create_future": "future",
    "asyncio.gather": "gather",
    "asyncio.wait": "wait-first",
    "asyncio.wait all": "gather",
    # asyncio.wait({task}, timeout=t): waits for all, for at most t (the corpus README's
    # ruling): trio.move_on_after(t) around a nursery, the wait_for row's Trio side
    "asyncio.wait timed": "wait-for",
    "asyncio.FIRST_COMPLETED": "wait-first",
    "asyncio.FIRST_EXCEPTION": "wait-first",
    "asyncio.ALL_COMPLETED": "gather",  # asyncio.wait(aws, return_when=ALL_COMPLETED)
    "asyncio.as_completed": "as-completed",
    "asyncio.wait_for": "wait-for",
    "asyncio.timeout": "timeout",
    "asyncio.Timeout": "timeout",
    "async_timeout": "timeout",
    "asyncio.timeout_at": "timeout-at",
    "TimeoutError": "timeout-error",
    "asyncio.TimeoutError": "timeout-error",
    "asyncio.TaskGroup": "taskgroup",
    "task set": "task-set",
    "task.cancel": "task-cancel",
    # a done-callback reads the finished task (keeping it in a set is "task set", found apart)
    "task.add_done_callback": "task-result",
    "task.result": "task-result",
    "task.done": "task-result",
    "task.exception": "task-result",
    "task.cancelled": "task-result",
    "await task": "task-result",
    "taskgroup.create_task": "create-task",
    "future.done": "future",
    "future.result": "future",
    "future.exception": "future",
    "future.cancelled": "future",
    "future.set_result": "future",
    "future.set_exception": "future",
    "future.add_done_callback": "future",
    "future.remove_done_callback": "future",
    "future.cancel": "future",
    # return self._fut.__await__(): an awaitable that delegates to a future awaits it
    "future.__await__": "future",
    "future.get_loop": "loop",
    "task.get_loop": "loop",
    "task.get_name": "task-name",
    "task name given": "task-name",
    "task.set_name": "task-name",
    # async for t in asyncio.as_completed(tasks): since Python 3.13 the async iterator yields
    # the tasks handed in, as they are (CPython PR #22491), so t.get_name() is the task's name
    "completed.get_name": "task-name",
    "completed.set_name": "task-name",
    "loop.set_exception_handler": "exception-handler",
    "loop.get_exception_handler": "exception-handler",
    "loop.call_exception_handler": "exception-handler",
    "loop.default_exception_handler": "exception-handler",
    "loop.get_debug": "slow-callback",
    "await future": "future",
    # for coro in asyncio.as_completed(aws): result = await coro
    "await completed": "as-completed",
    "cfuture.result": "from-thread",
    "event.clear": "event",
    "handle.cancel": "call-later",
    "handle.cancelled": "call-later",
    "handle.when": "call-later",
    "asyncio.Handle": "call-later",
    "asyncio.TimerHandle": "call-later",
    "process.communicate": "subprocess",
    "process.wait": "subprocess",
    "process.stdout": "subprocess",
    "process.stdin": "subprocess",
    "process.stderr": "subprocess",
    "loop.create_unix_server": "protocols",
    "loop.create_unix_connection": "protocols",
    "loop.connect_read_pipe": "protocols",
    "loop.connect_write_pipe": "protocols",
    "loop.sock_connect": "protocols",
    "loop.sock_accept": "protocols",
    "loop.sock_recv": "protocols",
    "loop.sock_sendall": "protocols",
    "loop.getaddrinfo": "protocols",
    "loop.subprocess_exec": "subprocess",
    "loop.subprocess_shell": "subprocess",
    # (the loop's housekeeping, which trio.run does itself: the loop row, as all seven working
    # keys with one have it; the run_until_complete around it is the run)
    "loop.shutdown_asyncgens": "loop",
    "loop.set_default_executor": "to-thread",
    "asyncio.iscoroutine": "iscoroutine",
    "asyncio.iscoroutinefunction": "iscoroutine",
    "asyncio.open_unix_connection": "streams",
    "asyncio.start_unix_server": "start-server",
    "asyncio.Server": "start-server",
    "asyncio.AbstractServer": "start-server",
    "aiohttp.web": "http-server",
    # the server's abstract classes and handler types, outside aiohttp.web (its client's
    # AbstractCookieJar and AbstractResolver stay the client's)
    "aiohttp.abc.AbstractView": "http-server",
    "aiohttp.abc.AbstractRouter": "http-server",
    "aiohttp.abc.AbstractMatchInfo": "http-server",
    "aiohttp.abc.AbstractAccessLogger": "http-server",
    "aiohttp.typedefs.Handler": "http-server",
    "aiohttp.typedefs.Middleware": "http-server",
    "aiohttp.ws": "websocket",
    "web": "http-server",
    "websocket": "websocket",
    "session.ws_connect": "websocket",
    "aiofile.close": "aiofiles",
    "aiofilectx": "aiofiles",
    "pytest-asyncio fixture": "pytest-asyncio",
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
    "loop.close": "loop",
    "queue.task_done": "task-done",
    "queue.join": "task-done",
    "queue.shutdown": "queue-shutdown",
    "asyncio.QueueShutDown": "queue-shutdown",
    "asyncio.Semaphore": "semaphore",
    "asyncio.BoundedSemaphore": "semaphore",
    # (acquire() and release() stay: a trio.Semaphore has both, the same; a trio.Lock or
    # CapacityLimiter would not let another task release, but a Semaphore does)
    "semaphore.locked": "semaphore",  # trio.Semaphore has none: its value is 0
    "condition.wait_for": "condition",  # trio.Condition has none: loop on wait()
    "asyncio.Event": "event",
    "asyncio.Lock": "lock",
    "asyncio.Condition": "condition",
    "loop.run_in_executor": "to-thread",
    "asyncio.to_thread": "to-thread",
    "asyncio.run_coroutine_threadsafe": "from-thread",
    "loop.call_soon_threadsafe": "from-thread",
    "asyncio.all_tasks": "all-tasks",
    "asyncio.current_task": "current-task",
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
    "cfuture": "from-thread",
    "runner": "run",
    "transport": "protocols",
    "async generator scope": "async-gen",
    "server": "start-server",
    "lowserver": "start-server",
    # cm.reschedule(t), cm.expired(): the cancel scope's deadline and cancelled_caught in Trio
    "timeoutcm": "timeout",
    "barrier": "barrier",
    "lowserver.close": "start-server",
    "lowserver.wait_closed": "start-server",
    "lowserver.serve_forever": "start-server",
    "lowserver.start_serving": "start-server",
    "service": "service",
    "except RuntimeError from a thread": "from-thread",
    "except TimeoutError from a thread": "from-thread",
    "stream.readline": "streams",
    "session": "aiohttp-client",
    "response": "aiohttp-client",
    "aiohttp": "aiohttp-client",
    "aiohttp.hdrs": "aiohttp-client",
    "aiofiles": "aiofiles",
    "nest_asyncio": "nest-asyncio",
    "pytest.mark.asyncio": "pytest-asyncio",
    # unittest's test case that runs its coroutine tests on asyncio's loop (checked in
    # CPython 3.11's unittest/async_case.py: _setupAsyncioRunner makes an asyncio.Runner):
    # the same move as pytest-asyncio's marker, to pytest-trio
    "unittest.IsolatedAsyncioTestCase": "pytest-asyncio",
    # the rest of asyncio's public names, each with the row its object belongs to
    "asyncio.InvalidStateError": "future",
    "asyncio.isfuture": "future",
    # awaiting what a thread (an executor) computes: trio.to_thread.run_sync's side
    "asyncio.wrap_future": "to-thread",
    # the generator-based coroutine, gone since Python 3.11: async def and await
    "asyncio.coroutine": "coroutine-decorator",
    "yield from": "coroutine-decorator",
    # asyncio's coroutines module: iscoroutine, iscoroutinefunction and their private marker
    # (_is_coroutine), which inspect's functions replace
    "asyncio.coroutines": "iscoroutine",
    "asyncio.IncompleteReadError": "streams",
    "asyncio.LimitOverrunError": "streams",
    "asyncio.SendfileNotAvailableError": "streams",
    # the protocol half of asyncio's streams: a subclass of it is a protocol (its callbacks)
    "asyncio.StreamReaderProtocol": "protocols",
    # the protocol base that gives a StreamWriter its drain(): a protocol all the same
    "asyncio.FlowControlMixin": "protocols",
    "asyncio.ReadTransport": "protocols",
    "asyncio.WriteTransport": "protocols",
    "asyncio.SubprocessProtocol": "subprocess",
    "asyncio.SubprocessTransport": "subprocess",
    "asyncio.get_child_watcher": "subprocess",
    "asyncio.set_child_watcher": "subprocess",
    "asyncio.AbstractChildWatcher": "subprocess",
    "asyncio.ThreadedChildWatcher": "subprocess",
    "asyncio.SafeChildWatcher": "subprocess",
    "asyncio.FastChildWatcher": "subprocess",
    "asyncio.PidfdChildWatcher": "subprocess",
    "asyncio.MultiLoopChildWatcher": "subprocess",
    # watching a file descriptor: a task that awaits trio.lowlevel.wait_readable/wait_writable
    "loop.add_reader": "fd-watch",
    "loop.add_writer": "fd-watch",
    "loop.remove_reader": "fd-watch",
    "loop.remove_writer": "fd-watch",
    "loop.connect_accepted_socket": "protocols",
    "loop.getnameinfo": "protocols",
    "loop.sendfile": "protocols",
    "loop.sock_recv_into": "protocols",
    "loop.sock_recvfrom": "protocols",
    "loop.sock_recvfrom_into": "protocols",
    "loop.sock_sendfile": "protocols",
    "loop.sock_sendto": "protocols",
    "loop.start_tls": "protocols",
    "loop.is_running": "loop",
    "loop.get_task_factory": "create-task",
    "loop.set_task_factory": "create-task",
    # closing a loop by hand: asyncio.Runner.close() runs it between shutdown_asyncgens()
    # and loop.close() (CPython's asyncio/runners.py), and trio.run has no loop or executor
    # to shut down; a to_thread call is no part of it
    "loop.shutdown_default_executor": "loop",
    "task.get_coro": "all-tasks",
    "task.print_stack": "all-tasks",
    "task.remove_done_callback": "task-result",
    # a name is one kind per file: a "task" that gets set_result is the future it also held
    "task.set_result": "future",
    "task.set_exception": "future",
    "queue sentinel": "queue-shutdown",
    "except ConnectionError": "streams",
    "queue.maxsize": "queue",
    # a loop method with no row of its own (a private one, a platform's): no loop in Trio
    "loop": "loop",
    "asyncio.Task.all_tasks": "all-tasks",  # before Python 3.9
    "asyncio.Task.current_task": "current-task",
    "asyncio._get_running_loop": "loop",
    "asyncio._set_running_loop": "loop",
    "asyncio.EventLoop": "loop",
    "asyncio.eager_task_factory": "create-task",
    "asyncio.create_eager_task_factory": "create-task",
}




#: asyncio's submodules: ``asyncio.events.set_event_loop`` is ``asyncio.set_event_loop``.
SUBMODULES = {"events", "base_events", "windows_events", "unix_events", "tasks", "futures",
              "queues", "locks", "streams", "exceptions", "timeouts", "runners", "protocols",
              "transports", "coroutines", "subprocess", "proactor_events", "selector_events",
              "base_futures", "base_tasks", "base_subprocess", "format_helpers", "log",
              "sslproto", "staggered", "trsock", "windows_utils", "mixins", "constants",
              "graph", "taskgroups", "threads"}
# asyncio's machinery named by its module (``asyncio.tasks._PyTask``, ``from asyncio import
# base_events``), where the name after it has no row: the loop row, as for asyncio.events.
for _module in SUBMODULES:
    ROWS.setdefault(f"asyncio.{_module}", "loop")
#: aiohttp names that belong to its WebSocket side, not to HTTP.
AIOHTTP_WEBSOCKET = {"ClientWebSocketResponse", "WebSocketResponse", "WSMsgType", "WSMessage",
                     "WSCloseCode", "WSServerHandshakeError", "WebSocketError"}
#: aiohttp's test servers (``aiohttp.test_utils``): they run an ``aiohttp.web`` app or
#: handler, so they are the server's (an ASGI app under test is served otherwise), while its
#: ``TestClient`` is the client's (the corpus README's ruling on aiohttp's test machinery).
AIOHTTP_TEST_SERVERS = {"TestServer", "RawTestServer", "BaseTestServer"}
#: pytest-asyncio's fixtures: a test that asks for one is a pytest-asyncio test.
PYTEST_ASYNCIO_FIXTURES = {"unused_tcp_port", "unused_tcp_port_factory", "unused_udp_port",
                           "aiohttp_client", "aiohttp_server", "aiohttp_raw_server",
                           "unused_udp_port_factory", "event_loop", "event_loop_policy"}
#: Kinds whose every method but a few is the same on the Trio side, and the row of the rest.
DEFAULT_ROWS = {"loop": "loop"}
#: What an object of each kind belongs to, for the rows of the line that imports it.
FAMILY = {"session": "aiohttp", "response": "aiohttp", "websocket": "aiohttp", "web": "aiohttp"}


def construct_of(name: str) -> str:
    """The construct a qualified name stands for: the longest prefix that has a row."""
    parts = name.split(".")
    top = parts[0]
    if top.startswith("lib:") and name[4:] in API_ROWS:
        return name
    if top.startswith("lib:"):
        return lib_construct(name) or top
    if top == "asyncio":
        if ".".join(parts[:3]) in ROWS:
            return ".".join(parts[:3])  # asyncio.Task.all_tasks, before asyncio.Task
        if len(parts) >= 3 and parts[1] in SUBMODULES and f"asyncio.{parts[2]}" in ROWS:
            return f"asyncio.{parts[2]}"
        return ".".join(parts[:2])
    if top == "aiohttp":
        if any(part in AIOHTTP_WEBSOCKET for part in parts[1:3]):
            return "aiohttp.ws"
        if len(parts) > 1 and (parts[1] == "web" or parts[1].startswith("web_")
                               or any(part in AIOHTTP_TEST_SERVERS for part in parts[1:3])):
            return "aiohttp.web"  # aiohttp.web_exceptions, web_request: the server's modules
        if len(parts) >= 3 and ".".join(parts[:3]) in ROWS:
            return "aiohttp.web"  # aiohttp.abc.AbstractView: the server's, outside web
        if len(parts) > 1 and parts[1] == "hdrs":
            return "aiohttp.hdrs"  # header names, the client's or the server's (see finish)
        return top
    return top


def kept_here(tree: ast.AST, used_as_data: set[int]) -> set[int]:
    """The ``func`` (by id) of each call whose result stays where it is made: a statement of
    its own, a value assigned, or used at once as data (``used_as_data``); not one returned,
    yielded or handed to another call, which code elsewhere may still await."""
    return used_as_data | {id(each.value.func) for each in walk(tree)
                           if isinstance(each, ast.Expr | ast.Assign | ast.AnnAssign)
                           and isinstance(each.value, ast.Call)}


def two_positional(tree: ast.AST) -> set[int]:
    """The ``func`` (by id) of each call with two or more positional arguments written out
    (a ``*args`` may hold none)."""
    return {id(each.func) for each in walk(tree) if isinstance(each, ast.Call)
            and sum(not isinstance(arg, ast.Starred) for arg in each.args) >= 2}


class Visitor(ast.NodeVisitor):
    def __init__(self, scan: Names, lines: list[str] | None = None,
                 tree: ast.AST | None = None) -> None:
        self.scan = scan
        self.tree = tree or ast.Module([], [])
        #: the names the file binds by importing the standard library
        self.stdlib = stdlib_bindings(self.tree) if isinstance(self.tree, ast.Module) else set()
        #: the file's functions typed to return a builtin container or value (-> Dict[...])
        self.plain_makers = _plain_makers(self.tree)
        self.lines = lines or []
        #: the enclosing functions: (name, its parameters, whether it is a generator)
        self.functions: list[tuple[str, set[str], bool]] = []
        #: for each enclosing function, whether it is an ``async def``
        self.coroutines: list[bool] = []
        #: for each enclosing function, whether it is an async generator (a plain one, not
        #: an @asynccontextmanager or a fixture)
        self.generators: list[bool] = []
        #: for each enclosing function, its node (where the async-gen row goes)
        self.generator_defs: list[ast.AST] = []
        #: for each enclosing function, whether it is a generator-based coroutine
        #: (``@asyncio.coroutine``), whose every ``yield from`` is an ``await``
        self.old_style: list[bool] = []
        #: for each enclosing function, the names it calls set_result/set_exception on: a
        #: future there, whatever kind the name has elsewhere in the file
        self.completed: list[set[str]] = []
        #: assignment targets (by id) given a plain reference: ``self.client = api.client``
        self.copies: set[int] = set()
        #: names an enclosing ``if`` tests for being awaitable (duck-typed awaits)
        self.awaitables: set[str] = set()
        #: collections a done-callback removes tasks from (``add_done_callback(s.discard)``)
        self.kept = {reference(node.args[0].value) for node in walk(tree or ast.Module([], []))
                     if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                     and node.func.attr == "add_done_callback" and node.args
                     and isinstance(node.args[0], ast.Attribute)
                     and node.args[0].attr in ("discard", "remove")} - {None}
        #: functions that drop their first argument from a collection (a done-callback that
        #: does ``tasks.discard(t)`` is the same keep-alive set as ``add_done_callback(s.discard)``)
        self.discarders: dict[str, set[str]] = {}
        for each in walk(tree or ast.Module([], [])):
            if isinstance(each, ast.FunctionDef) and each.args.args:
                last = each.args.args[-1].arg
                dropped = {reference(sub.func.value) for sub in walk(each)
                           if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
                           and sub.func.attr in ("discard", "remove") and len(sub.args) == 1
                           and isinstance(sub.args[0], ast.Name) and sub.args[0].id == last}
                if dropped:
                    self.discarders[each.name] = {ref for ref in dropped if ref is not None}
        # a collection such a callback drops the finished task from is kept by hand too
        self.kept |= {ref for node in walk(tree or ast.Module([], []))
                      if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                      and node.func.attr == "add_done_callback" and node.args
                      and isinstance(node.args[0], ast.Name)
                      for ref in self.discarders.get(node.args[0].id, ())}
        #: done-callbacks that complete a future (``outer.set_result(inner.result())``), and the
        #: ``add_done_callback`` attributes (by id) that hand a task to one: a task chained
        #: into a future is the future's business
        completes = any(isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
                        and sub.func.attr in FUTURE_ONLY
                        for sub in walk(tree or ast.Module([], [])))
        completers = {each.name for each in walk(tree or ast.Module([], []))
                      if completes and isinstance(each, ast.FunctionDef | ast.AsyncFunctionDef)
                      and any(isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
                              and sub.func.attr in FUTURE_ONLY for sub in walk(each))}
        self.chained = {id(node.func) for node in walk(tree or ast.Module([], []))
                        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in ("add_done_callback", "remove_done_callback")
                        and node.args and isinstance(node.args[0], ast.Name)
                        and node.args[0].id in completers}
        #: names (by id) in what catches or tells an exception: an ``except`` clause's type,
        #: the arguments of ``suppress(...)``, ``isinstance(exc, ...)``
        self.caught: set[int] = set()
        for each in walk(tree or ast.Module([], [])):
            catches: list[ast.expr] = []
            if isinstance(each, ast.ExceptHandler) and each.type is not None:
                catches = [each.type]
            elif isinstance(each, ast.Call) and _last_name(each.func) in CATCHERS:
                catches = each.args
            self.caught |= {id(sub) for expr in catches for sub in walk(expr)
                            if isinstance(sub, ast.Name)}
        #: expressions (by id) only tested for truth or for None (``if proc.stdout:``,
        #: ``proc.stdin is not None``): a process's pipe is there or is None alike in Trio
        self.tested: set[int] = set()
        for each in walk(tree or ast.Module([], [])):
            if isinstance(each, ast.If | ast.While | ast.IfExp | ast.Assert):
                self.tested |= {id(sub) for sub in _truth_operands(each.test)}
        #: the file's functions that open asyncio streams (``async def _connect(self)`` that
        #: awaits ``open_connection``): a handler around a call of one is around a connect
        self.connectors = {
            each.name for each in walk(tree or ast.Module([], []))
            if isinstance(each, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                isinstance(sub, ast.Call)
                and (qualname(sub.func, self.scan) or "") in STREAM_OPENERS
                for sub in walk(each))}
        #: the file's functions that wait under an asyncio timeout (``async with
        #: asyncio.timeout(t)`` in ``_connect``): a handler around a call of one is around it
        self.timers = {
            each.name for each in walk(tree or ast.Module([], []))
            if isinstance(each, ast.AsyncFunctionDef) and any(
                isinstance(sub, ast.Call) and row_of(construct_of(
                    qualname(sub.func, self.scan) or "")) in ("timeout", "timeout-at",
                                                               "wait-for")
                for sub in walk(each))}
        #: the functions and methods this file defines (its own create_task is not asyncio's)
        self.defined = {each.name for each in walk(tree or ast.Module([], []))
                        if isinstance(each, ast.FunctionDef | ast.AsyncFunctionDef)}
        self.defined_classes = {each.name for each in walk(tree or ast.Module([], []))
                                if isinstance(each, ast.ClassDef)}
        #: (class's own methods, the construct of its asyncio base) for each enclosing class
        self.classes: list[tuple[set[str], str | None]] = []
        #: for each enclosing class, the unlisted package one of its bases comes from
        self.external_bases: list[tuple[str, set[str]] | None] = []
        #: import lines of a family → the constructs its objects gave, added at the end
        self.imports: list[tuple[ast.AST, str]] = []
        self.families: dict[str, set[str]] = {}
        #: whether the file uses asyncio at all (else a TimeoutError is a socket's, a thread's)
        self.asyncio_file = scan.imports_asyncio or any(
            isinstance(node, ast.Name) and node.id == "asyncio"
            for node in walk(tree or ast.Module([], [])))
        #: for each enclosing class, whether all its bases are the package's own (see
        #: :meth:`_own_base_method`), and the names the file imports from its own package
        self.own_bases: list[bool] = []
        #: for each enclosing class, whether one of its bases is the package's own
        self.mixed_bases: list[bool] = []
        self.package_names = {
            alias.asname or alias.name
            for each in walk(tree or ast.Module([], []))
            if isinstance(each, ast.ImportFrom) and (
                each.level or scan.owns(each.module or ""))
            for alias in each.names}
        #: field reads of an aiohttp client error caught by name (see :meth:`_client_errors`)
        self.client_error_fields: set[int] = set()
        #: the ``func`` of each ``queue.put(None)`` (by id)
        self.sentinels: set[int] = set()
        #: ``from asyncio import wait`` lines, and whether each call of wait waits for all
        self.wait_imports: list[ast.AST] = []
        self.waits: set[bool] = set()
        #: ``TimeoutError`` names (by id) caught around no asyncio timeout
        self.other_timeouts: set[int] = set()
        #: ``TimeoutError`` names (by id) caught around aiohttp's own timeout → its construct
        self.library_timeouts: dict[int, str] = {}
        #: whether the visit is inside an f-string (what it names there is only shown)
        self.formatting = False
        #: the ``func`` of every awaited call (by id)
        self.awaited: set[int] = set()
        #: the ``func`` of every call (by id): an attribute called, not read
        self.called: set[int] = set()
        #: the arguments (by id) of every call of an API the tool knows (``loop.start_tls``)
        self.handed: set[int] = set()
        #: the ``func`` (by id) of every ``x.get("key")``: a read by a literal key
        self.keyed: set[int] = set()
        #: what ``async with`` enters and ``async for`` iterates (by id)
        self.entered: set[int] = set()
        #: what is indexed (by id): ``request.app`` in ``request.app[key]``
        self.indexed = {id(each.value) for each in walk(tree or ast.Module([], []))
                        if isinstance(each, ast.Subscript)}
        #: the names ``import`` statements bind (``import urllib3`` → ``urllib3``)
        self.imported = {(alias.asname or alias.name).split(".")[0]
                         for each in walk(tree or ast.Module([], []))
                         if isinstance(each, ast.Import) for alias in each.names}
        #: names imported absolutely from another package than the file's own (``from
        #: playwright.sync_api import BrowserContext``); its own classes may hold asyncio's
        #: objects in their fields, another package's do not hold this file's
        self.third_party = {alias.asname or alias.name for each in walk(tree or ast.Module([], []))
                            if isinstance(each, ast.ImportFrom) and not each.level
                            and each.module and not self.scan.owns(each.module)
                            for alias in each.names}
        #: whether the visit is in a module's ``if __name__ == "__main__":`` block
        self.main_block = False
        #: a field read assigned whole to a name or a field (by id): ``stdin = proc.stdin``
        self.copied = {id(each.value) for each in walk(tree or ast.Module([], []))
                       if isinstance(each, ast.Assign) and isinstance(each.value, ast.Attribute)}
        #: the names of spawn helpers the file enters (``async with create_task(coro) as
        #: t``): asyncio's create_task gives a task, no context manager, so such a helper is
        #: the package's own, which runs and cancels the task in the block, in each call
        self.entered_spawns = {
            _last_name(item.context_expr.func) for each in walk(tree or ast.Module([], []))
            if isinstance(each, ast.With | ast.AsyncWith) for item in each.items
            if isinstance(item.context_expr, ast.Call)
            and _last_name(item.context_expr.func) in SPAWNS}
        #: what is iterated or unpacked (by id): ``for r in resp.history``, ``*resp.history``
        self.spread = {id(value) for each in walk(tree or ast.Module([], []))
                       for value in [each.iter if isinstance(each, ast.For | ast.AsyncFor
                                                             | ast.comprehension)
                                     else each.value if isinstance(each, ast.Starred)
                                     else None]
                       if value is not None}
        #: the ``func`` (by id) of each call whose result is used at once as data: indexed,
        #: a field or method of it taken, unpacked (``Token(**response.json())``)
        self.used_as_data = {
            id(value.func) for each in walk(tree or ast.Module([], []))
            for value in [each.value if isinstance(each, ast.Subscript | ast.Attribute
                                                   | ast.Starred) else
                          each.value if isinstance(each, ast.keyword) and each.arg is None
                          else None]
            if isinstance(value, ast.Call)}
        #: the ``func`` (by id) of each call whose result is kept where it is made, and of
        #: each call with two positional arguments (:meth:`_not_aiohttps_request`)
        self.kept_here = kept_here(tree or ast.Module([], []), self.used_as_data)
        self.two_positional = two_positional(tree or ast.Module([], []))
        #: reference to a task → what the file does with it: (construct, line, whether in
        #: what stops a service); and the lines that create it
        self.uses: dict[str, list[tuple[str, int, bool]]] = {}
        self.created: dict[str, list[ast.AST]] = {}
        #: the line of a ``-> Task`` annotation → the construct of its function's tasks
        self.returned: dict[int, str] = {}
        #: references annotated as one task: (line, reference)
        self.annotated: list[tuple[int, str]] = []
        #: the lines of parameters annotated as a collection of tasks (``list[Task]``)
        self.collections: set[int] = set()
        #: the file's plain functions that run an asyncio program (see :meth:`_runs`)
        self.running: set[str] | None = None
        #: aiohttp's client errors (by id) caught around a WebSocket's connect or calls
        self.websocket_errors: set[int] = set()
        #: for each enclosing function, its local names for a task kept on ``self``
        #: (``task = self._task`` in ``stop()``) → that reference
        self.held_aliases: list[dict[str, str]] = []
        #: for each enclosing function, whether it walks every task (``asyncio.all_tasks``)
        self.sweeps: list[bool] = []

    def emit(self, node: ast.AST, construct: str) -> None:
        if id(node) in self.websocket_errors and row_of(construct) == "aiohttp-client":
            construct = "aiohttp.ws"  # except ClientConnectorError around ws_connect
        if construct in ("asyncio.QueueEmpty", "asyncio.QueueFull") and self.ordered_queues:
            construct = "asyncio.PriorityQueue"  # what the file's ordered queue raises
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Attribute) and node.end_lineno is not None:
            # Movie(\n id=1,\n).upsert(): a method is written, and found, on the line of its
            # name, the last of the attribute (the corpus README: where the API is named)
            line = node.end_lineno
        if isinstance(node, ast.Call) and construct == "task name given":
            # create_task(\n coro,\n name="x"): the name is given on the line where
            # ``name=`` is written (the corpus README's eleventh-part ruling)
            line = next((k.lineno for k in node.keywords if k.arg == "name"), line)
        self.scan.found.append((line, getattr(node, "col_offset", 0), construct))
        if construct != "service" and ROWS.get(construct) in (
                "create-task", "task-cancel", "task-result"):
            self._emit_service(node, construct)

    def _not_aiohttps_request(self, node: ast.AST, parts: list[str]) -> bool:
        """Whether a session's call, made on a name the file gives an aiohttp session, shows
        on its own line that it is another object's (tests/test_port_blocking_sessions_1207.py).

        ``resp = self._session.get(url)``, ``sess.post(url).json()`` in a plain def: aiohttp's
        requests are awaited or entered, which a plain function cannot do, so the session is
        a blocking client's (``requests.Session``) kept under the same name as an aiohttp one
        elsewhere in the file. A request returned or handed on (``def get(self, url): return
        self.session.get(url)``) is still aiohttp's, awaited by the caller, and so is one a
        generator-based coroutine yields from. ``cookies = self.session.get("cookies", [])``:
        aiohttp's ``ClientSession.get(self, url, *, allow_redirects=True, **kwargs)`` takes
        the URL alone by position, so two positional arguments are a mapping's
        ``get(key, default)``."""
        if id(node) not in self.called:
            return False
        method = parts[1] if len(parts) == 2 else None  # session.get(...), not a field's get
        if method == "get" and id(node) in self.two_positional:
            return True
        # (kept here: a plain def awaits nothing, and an awaited request is no value kept)
        return method in HTTP_METHODS and id(node) in self.kept_here \
            and bool(self.coroutines) and not self.coroutines[-1] and not self.functions[-1][2]

    def emit_kind(self, node: ast.AST, name: str) -> None:
        """A use of an object of a known kind: ``stream.write``, ``lib:asyncssh.run``."""
        parts = name.split(".")
        kind = parts[0]
        if kind.startswith("lib:"):
            # aiorun.run(main()) through its module's name: asyncio.run by another name, the
            # run row, as construct_of gives the same call imported by its own name
            self.emit(node, name if name[4:] in API_ROWS else lib_construct(name) or kind)
            return
        pair = ".".join(parts[:2])
        if id(node) in self.sentinels:
            pair = "queue sentinel"
        if kind == "process" and len(parts) == 2 and id(node) in self.tested:
            return  # if proc.stdout: a Trio process has the pipe, or None, all the same
        if kind == "process" and len(parts) == 2 and id(node) in self.copied:
            # stdin = self.process.stdin: the pipe kept under a name, as a Trio process has
            # it; what is called on it (stdin.write, drain) is where the port changes
            return
        if kind == "task" and id(node) in self.chained:
            pair = "future.add_done_callback"
        if kind == "task" and len(parts) == 2 and self.completed \
                and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in self.completed[-1] and f"future.{parts[1]}" in ROWS:
            # if not fut.done(): fut.set_result(r): the future this function completes
            pair = f"future.{parts[1]}"
        if kind == "wsmessage":
            if len(parts) == 2 and id(node) in self.called:
                # msg.json(): trio-websocket hands out str or bytes, no message object (its
                # fields, msg.type and msg.data, are read as plain data)
                self.emit(node, "aiohttp.ws")
            return
        if kind in AIOHTTP_NAMES and len(parts) >= 2 and not parts[1].startswith("_") \
                and parts[1] not in AIOHTTP_NAMES[kind]:
            # api_response.get("status"), res.aread(), data.get("id"): a name aiohttp's object
            # has not. The reference is one per file, so here it holds another object (a dict
            # from resp.json(), httpx's response), whose use is no aiohttp call
            return
        if kind == "response" and len(parts) >= 2 and parts[1] in RESPONSE_AWAITED \
                and id(node) in self.called and id(node) not in self.awaited \
                and (id(node) in self.used_as_data
                     or (self.coroutines and not self.coroutines[-1])):
            # response.json()["result"] in a plain def, Token(**response.json()): aiohttp's
            # json() is a coroutine, used here as the data itself, so the response is a
            # blocking library's (requests') kept under the same name elsewhere in the file
            return
        if kind == "session" and self._not_aiohttps_request(node, parts):
            return
        if kind == "form":
            if len(parts) == 2 and id(node) in self.called:
                # form.add_field(...), mpwriter.append_json(...): aiohttp's client API
                self.emit(node, "aiohttp")
            return
        if kind == "aiofile" and len(parts) == 2 and id(node) in self.called:
            pair = "aiofile.close"  # await f.read(): aiofiles' object, called (settled case 1)
        if kind == "lowserver" and len(parts) == 2 and parts[1] not in SERVER_METHODS:
            # server.sockets: a field read, the same list of sockets under Trio; and a method
            # asyncio's Server lacks belongs to another server kept under the same name
            # (self._server is a reference per file, not per class)
            return
        if kind in ("response", "web") and len(parts) >= 2 and isinstance(node, ast.Attribute) \
                and id(node) not in self.called \
                and not (kind == "web" and len(parts) == 2 and isinstance(node.ctx, ast.Store)) \
                and (parts[1] not in (RESPONSE_OBJECTS if kind == "response"
                                      else WEB_OBJECTS)
                     or (kind == "response" and parts[1:] == ["history"]
                         and id(node) not in self.indexed | self.spread)):
            # resp.headers, resp.url.host, request.remote, request.match_info["id"]: a field
            # of aiohttp's objects read as plain data (the corpus README's settled case 1; a
            # field set on a server object, response.text = ..., app.container = c, is the
            # server's API: the fifth part's ruling on setting a library object's field);
            # resp.status is status_code in httpx, request.app[key] the Application's own
            # state, and a method called (resp.json(), request.match_info.get(k)) the API;
            # resp.history read whole, handed on or counted, is httpx's field too (only a
            # response taken out of it, resp.history[0].status, is aiohttp's object)
            return
        if kind == "web" and len(parts) == 2 and parts[1] in WEB_OBJECTS \
                and isinstance(node, ast.Attribute) and id(node) not in self.called \
                and id(node) not in self.indexed and not isinstance(node.ctx, ast.Store):
            # app = request.app, render(app=request.app): the object handed on as it is;
            # what is done with it (app[KEY], app.router.add_get) is where the port changes
            return
        if kind == "websocket" and len(parts) == 2 and parts[1] == "closed" \
                and isinstance(node, ast.Attribute) and id(node) not in self.called:
            # while not ws.closed: trio-websocket's WebSocketConnection has ``closed`` too
            # (None while open, the close reason after), the same test in a port
            return
        if kind == "session" and len(parts) == 2 and parts[1] in SESSION_SAME \
                and isinstance(node, ast.Attribute) and id(node) not in self.called \
                and isinstance(node.ctx, ast.Load):
            # timeout = session.timeout: httpx's AsyncClient has the field under that name
            return
        if kind == "session" and len(parts) >= 2 and parts[1] == "headers" \
                and (len(parts) == 2 or parts[-1] in ITEM_METHODS) \
                and isinstance(node, ast.Attribute) \
                and (len(parts) > 2 or id(node) not in self.called):
            # "User-Agent" in session.headers, session.headers.update(h), session.headers[k]
            # = v: httpx's AsyncClient keeps its default headers in a mutable mapping with the
            # same methods, so the edit reads the same in a port
            return
        if kind in ("response", "web") and len(parts) >= 3 \
                and parts[1] not in (RESPONSE_OBJECTS if kind == "response" else WEB_OBJECTS) \
                and parts[-1] in ITEM_METHODS:
            # request.method.lower(), response.headers.get(k), request.match_info.get(k): a
            # str or dict method on a field read as plain data is plain data itself, as on
            # any library's object (the corpus README's ruling on field reads; a multidict's
            # own method, request.headers.getall(k), is the server's API)
            return
        if len(parts) == 2 and parts[1] in HANDED_FIELDS.get(kind, ()) \
                and isinstance(node, ast.Attribute) and id(node) in self.handed \
                and isinstance(node.ctx, ast.Load):
            # loop.start_tls(writer.transport, ...): a field of asyncio's object handed as it
            # is to a call of an API the tool knows, whose own line carries the change
            return
        if pair in ROWS:
            construct = pair
        elif kind in OBJECT_KINDS:
            construct = kind
        elif kind in DEFAULT_ROWS and len(parts) == 2:
            construct = pair
        else:
            return
        if kind == "queue" and row_of(construct) == "queue" and self._ordered_queue(node):
            construct = "asyncio.PriorityQueue"  # its put/get order is what has no twin
        self.emit(node, construct)
        if kind == "task" and isinstance(node, ast.Attribute):
            self._use(node.value, construct, node)
        family = FAMILY.get(kind)
        if family:
            self.families.setdefault(family, set()).add(construct)

    @functools.cached_property
    def ordered_queues(self) -> bool:
        """Whether every queue the file makes is a ``PriorityQueue`` or ``LifoQueue``: then
        its ``QueueEmpty`` and ``QueueFull`` are that queue's, with no twin either."""
        made = {origin for ref, origin in self.scan.origins.items()
                if self.scan.kinds.get(ref) == "queue"}
        return bool(made) and made <= {"asyncio.PriorityQueue", "asyncio.LifoQueue"}

    def _ordered_queue(self, node: ast.AST) -> bool:
        """Whether the queue a method is called on was made by ``asyncio.PriorityQueue`` or
        ``LifoQueue`` (``self.dead = asyncio.PriorityQueue()``, then ``self.dead.get()``)."""
        held = node.func if isinstance(node, ast.Call) else node
        held = held.value if isinstance(held, ast.Attribute) else held
        ref = reference(held) if isinstance(held, ast.expr) else None
        return ref is not None and self.scan.origins.get(ref) in (
            "asyncio.PriorityQueue", "asyncio.LifoQueue")

    def _server_headers(self) -> None:
        """``hdrs.ORIGIN`` in a file that serves HTTP with aiohttp and uses none of its
        client: the server's header names (the http-server row), not the client's."""
        found = self.scan.found
        imports = {getattr(node, "lineno", 0) for node, _ in self.imports} | {
            line for line, _, construct in found if construct == "aiohttp"
            and self.lines and 0 < line <= len(self.lines)
            and self.lines[line - 1].lstrip().startswith(("import ", "from "))}
        serves = any(row_of(c) == "http-server" for _, _, c in found)
        client = any(row_of(c) == "aiohttp-client" and c != "aiohttp.hdrs" and line not in imports
                     for line, _, c in found)
        if serves and not client:
            found[:] = [(line, col, "aiohttp.web" if c == "aiohttp.hdrs" else c)
                        for line, col, c in found]

    def _waited_on(self, node: ast.Call, construct: str) -> None:
        """``asyncio.wait(tasks)``, ``gather(*tasks)``: what the file does with ``tasks``.

        In what stops a service (``stop()``, ``close()``, ``__aexit__``), waiting for all of
        the object's own fields (``gather(*self._tasks, return_exceptions=True)``,
        ``wait([self._task])``, or a name that holds one) is the ``await`` on the stop path of
        the tasks it keeps: ``service`` (the corpus README's fifth-part case), as the
        ``cancel()`` before it is; what the object awaits there is its own, whatever holds it.
        """
        held = [each for arg in node.args
                for each in ([arg.value] if isinstance(arg, ast.Starred)
                             else arg.elts if isinstance(arg, ast.List | ast.Tuple | ast.Set)
                             else [arg])]
        for arg in node.args:
            self._use(arg.value if isinstance(arg, ast.Starred) else arg, construct, node)
        aliases = self.held_aliases[-1] if self.held_aliases else {}
        if ROWS.get(construct) == "gather" and held and all(
                ((reference(each) or "").startswith("self.")
                 or (reference(each) or "") in aliases)
                and reference(each) not in self.kept  # (a keep-alive set's tasks live alone)
                for each in held) and self._in_service(starting=False) \
                and not (self.sweeps and self.sweeps[-1]):
            self.emit(node, "service")

    def _use(self, held: ast.expr, construct: str, node: ast.AST) -> None:
        ref = reference(held)
        if ref is not None and self.held_aliases and ref in self.held_aliases[-1]:
            ref = self.held_aliases[-1][ref]  # task = self._task; task.cancel(): self._task's
        if ref is not None:
            self.uses.setdefault(ref, []).append(
                (construct, getattr(node, "lineno", 0), self._in_service(starting=False)))

    def finish(self) -> None:
        """What needs the whole file: rows that depend on every use of a name.

        The import line of a family names the rows its objects needed in this file. A task
        kept on ``self`` and cancelled or awaited where the object stops is a service, on
        every line that creates it. A task's annotation (``self._task: asyncio.Task``,
        ``def done(task: asyncio.Task)``) changes for what the code does with the task, so it
        takes the row of its most common use, not create-task's. ``from asyncio import
        wait`` takes its calls' row: gather when every call waits for all.
        """
        for node, family in self.imports:
            for construct in sorted(self.families.get(family, ())):
                self.emit(node, construct)
        self._server_headers()
        found = self.scan.found
        # asyncio.wait(aws, timeout=t) that waits for all waits for at most t: wait_for's row;
        # queue.put(_STOP), _STOP = object(): the queue's end marker, as put(None) is
        found[:] = [(line, col, "asyncio.wait timed" if construct == "asyncio.wait all"
                     and (line, col) in self.timed_calls else "queue sentinel"
                     if construct in ("queue.put", "queue.put_nowait", "asyncio.PriorityQueue")
                     and (line, col) in self.marker_puts else construct)
                    for line, col, construct in found]
        waits = sorted({construct for _, _, construct in found
                        if construct in ("asyncio.wait all", "asyncio.wait timed")})
        for node in self.wait_imports:  # ``wait`` imported for waiting on all is a gather
            # (or a wait_for, where its calls set a timeout): the rows of its calls' kinds
            for construct in waits if self.waits == {True} else ["asyncio.wait"]:
                self.emit(node, construct)
        fields = {name for _, name in self.task_fields}
        for ref in list(self.uses):
            # timer._task.cancel(), read off an object whose class keeps it as self._task:
            # the same task (the class's), whatever holds the object; and job.task = ...,
            # job.task.cancel() on an object whose class declares ``task: asyncio.Task``
            head, _, attr = ref.rpartition(".")
            if head and "." not in head and head != "self" and head.isidentifier() \
                    and (f"self.{attr}" in self.created or attr in fields):
                self.uses.setdefault(f"self.{attr}", []).extend(self.uses.pop(ref))
                self.created.setdefault(f"self.{attr}", []).extend(self.created.pop(ref, ()))
        services = {ref for ref, uses in self.uses.items()
                    if (ref.startswith("self.") or "[" in ref) and ref in self.created
                    and any(stopping or (ref.startswith("self.")
                                         and ROWS.get(construct) == "task-cancel")
                            for construct, _, stopping in uses)}
        for ref in services:
            # a task kept on the object and cancelled by it (in stop(), or any method) lives
            # as long as the object: a service on each of its lines, the corpus README's
            # settled case (the create_task, the cancel(), the await or done() that stops it)
            for node in self.created[ref]:
                self.emit(node, "service")
            for construct, at, _ in self.uses[ref]:
                if ROWS.get(construct) in ("task-cancel", "task-result") and ref.startswith(
                        "self."):
                    self.scan.found.append((at, 0, "service"))
        retyped: dict[int, str] = {}
        for line, ref in self.annotated:
            if (line, ref) in self.task_fields:
                ref = f"self.{ref}"  # a class body's ``_task: asyncio.Task``: self._task
            rows: dict[str, str] = {}
            counts: dict[str, int] = {}
            for construct, at, _ in self.uses.get(ref, ()):
                row = ROWS.get(construct)
                if at != line and row in TASK_ROWS:
                    rows.setdefault(row, construct)
                    counts[row] = counts.get(row, 0) + 1
            if len(counts) > 1:
                # the line that creates it carries create-task already: the annotation
                # changes for what is done with the task afterwards
                counts.pop("create-task", None)
            if line in self.collections or line in self.kept_params:
                # tasks: set[asyncio.Task], whatever is done with them: a container of tasks
                # is the task-set row (the corpus README's settled case); and so is a task a
                # function is handed to keep in one (def _track(self, t): self._tasks.add(t))
                retyped[line] = "task set"
            elif ref in services:
                retyped[line] = "service"
                if counts:  # and what is done with it besides (cancelled, awaited)
                    also = rows[max(counts, key=lambda row: counts[row])]
                    if ROWS.get(also) != "service":
                        self.scan.found.append((line, 0, f"asyncio.Task for {also}"))
            elif counts:
                row = max(counts, key=lambda row: counts[row])
                # awaited, tested or cancelled, a task held in a name or a field is a spawned
                # task (its role, the README's rule for a Task annotation), where a parameter
                # is what its function does with it; a done-callback's parameter that takes
                # the task out of the set that keeps it (def _forget(self, t): s.discard(t))
                # is that set's. (A name annotated where the task is made, t: Task =
                # create_task(...), has the spawn's row already: it keeps what is done after.)
                made = any(at == line and ROWS.get(construct) == "create-task"
                           and construct != "asyncio.Task" for at, _, construct in self.scan.found)
                retyped[line] = "asyncio.create_task" if row in (
                    "task-result", "task-cancel") and line not in self.parameters \
                    and not made \
                    else "task set" if self.parameters.get(line) in self.discarders \
                    else rows[row]
        for line, construct in self.returned.items():
            retyped.setdefault(line, construct)
        if retyped:
            self.scan.found[:] = [f for f in self.scan.found
                                  if not (f[0] in retyped and f[2] == "asyncio.Task")]
            for line, construct in retyped.items():
                self.scan.found.append((line, 0, f"asyncio.Task for {construct}"))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            if self.scan.owns(alias.name):
                continue  # the package's own module (aiohttp's importing aiohttp)
            if top == "asyncio":
                self.emit(node, "import asyncio")
            elif top in MODULES:
                self.emit(node, construct_of(alias.name))
                self.imports.append((node, top))
            elif self.scan.library(alias.name) is not None:
                self.emit(node, f"lib:{self.scan.library(alias.name)}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return  # a relative import is the package's own module, whatever its name
        top = node.module.split(".")[0]
        if all(self.scan.owns(f"{node.module}.{alias.name}") for alias in node.names):
            return  # (``from pkg.ext import aiohttp`` in pkg's tests: a binding, not its own)
        if top == "asyncio":
            for alias in node.names:
                construct = construct_of(f"{node.module}.{alias.name}")
                if construct == "asyncio.wait":
                    self.wait_imports.append(node)  # its row is its calls' (see finish)
                    continue
                # (on the alias: ``from asyncio import (`` over lines labels each name on
                # the line where it is written, the corpus README's rule)
                self.emit(alias, construct if construct in ROWS else "import asyncio")
        elif top in MODULES:
            for alias in node.names:
                # (on the statement: ``from aiohttp.web import (`` names its module there)
                self.emit(node, construct_of(f"{node.module}.{alias.name}"))
            self.imports.append((node, top))
        else:
            lib = self.scan.library(node.module)
            for alias in node.names:
                lib = lib or self.scan.library(f"{node.module}.{alias.name}")
            if lib is not None:
                self.emit(node, f"lib:{lib}")

    def _own_base_method(self, func: ast.expr) -> bool:
        """``self.create_task(coro)`` in a class whose every base is the package's own
        (imported relatively, or from the package the file is part of): the method is that
        base's, the package's own wrapper, which its port changes where it is defined (the
        corpus README: a package's calls of itself are not labelled). Also
        ``service.create_task("repo", "spike")`` on a name the file shows to be another
        class's object (:attr:`Names.plain`: ``service = TaskService(...)``, ``svc:
        TaskService``): that class's method, whatever asyncio calls its own."""
        if isinstance(func, ast.Attribute) and reference(func.value) in self.scan.plain:
            return True
        return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
            and func.value.id == "self" and bool(self.own_bases) and self.own_bases[-1]

    def _signal_owner(self, func: ast.expr) -> str | None:
        """``trace_config.on_request_start.append(cb)``, ``self.on_message.append(cb)`` in a
        subclass: a callback added to an ``on_*`` list of an asyncio-only library's object (or
        of asyncio's, or aiohttp's) is a callback set on it, a use of the library (the corpus
        README's fifth-part case), though ``append`` on a plain list is plain data. The
        construct of the library, or ``None``."""
        if not (isinstance(func, ast.Attribute) and func.attr in SIGNAL_EDITS
                and isinstance(func.value, ast.Attribute)
                and func.value.attr.startswith("on_")):
            return None
        owner = func.value.value
        name = qualname(owner, self.scan)
        if name is None and reference(owner) in self.scan.origins:
            name = self.scan.origins[reference(owner) or ""]
        if name is None and isinstance(owner, ast.Name) and owner.id == "self" \
                and self.classes and self.classes[-1][1] is not None \
                and func.value.attr not in self.classes[-1][0]:
            return self.classes[-1][1]  # inherited from the class's asyncio-side base
        if name is None or name.startswith("aiohttp.web") or name == "web":
            return None  # (the server's signals have a row of their own: WEB_OBJECTS)
        if name.startswith("lib:"):
            return lib_construct(name)
        if name.split(".")[0] in MODULES:
            return construct_of(name)
        return None

    def visit_Call(self, node: ast.Call) -> None:
        self.called.add(id(node.func))
        signal = self._signal_owner(node.func)
        if signal is not None:
            self.emit(node, signal)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            self.keyed.add(id(node.func))
        if self._shared_helper(node):
            for child in [*node.args, *node.keywords]:
                self.visit(child)
            return
        if qualname(node, self.scan) == "session" and (
                _own_call(node) not in self.defined or id(node) in self.entered):
            # a session made (aiohttp.ClientSession(), a library's factory), or entered and
            # closed here (async with make_client() as session); a call of the file's own
            # function that only hands one out (session = get_session(url)) is the package's
            # call of itself: its body makes the session, what is done with it is found
            self.emit(node, "aiohttp")
        name = qualname(node.func, self.scan)
        if name is not None or (isinstance(node.func, ast.Name)
                                and node.func.id in self.defined):
            # (an API the tool knows, or a function of the file: _read(proc.stdout))
            self.handed.update(id(arg) for arg in [*node.args, *(k.value for k in node.keywords)])
        if name == "asyncio.sleep" and node.args and isinstance(node.args[0], ast.Constant) \
                and node.args[0].value == 0:
            self.emit(node, "asyncio.sleep(0)")
            self._loops_handed(node)
            for arg in node.args:
                self.visit(arg)
            return
        if name == "asyncio.wait_for" and node.args and _no_timeout(node):
            # wait_for(aw, None) is a plain await of aw: the row of what it awaits (the corpus
            # README's settled case); a coroutine awaited plainly needs no row but the call's
            kind = qualname(node.args[0], self.scan) if not isinstance(
                node.args[0], ast.Call) else None
            self.emit(node, f"await {kind}" if kind in ("task", "future") else name)
            if kind == "task":
                self._use(node.args[0], "await task", node)
            self._loops_handed(node)
            for child in [*node.args, *node.keywords]:
                self.visit(child)
            return
        if name == "asyncio.wait":
            waits = next((k.value for k in node.keywords if k.arg == "return_when"), None)
            all_of = waits is None or (qualname(waits, self.scan) or "").endswith(
                "ALL_COMPLETED")
            self.emit(node, "asyncio.wait" if not all_of else "asyncio.wait all")
            self.waits.add(all_of)
            self._waited_on(node, "asyncio.wait" if not all_of else "asyncio.wait all")
            self._loops_handed(node)
            for child in [*node.args, *node.keywords]:
                self.visit(child)
            if isinstance(node.func, ast.Attribute):
                self.visit(node.func.value)
            return
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in FUTURE_ONLY \
                and self.scan.imports_asyncio \
                and qualname(func.value, self.scan) is None \
                and reference(func.value) not in self.scan.plain and not self._own_method(func):
            # only a future has these: in an asyncio file, whatever the receiver came from
            # (a parameter, another object's field), it is one
            self.emit(node, f"future.{func.attr}")
        elif isinstance(func, ast.Attribute) and func.attr in STREAM_ONLY \
                and (func.attr not in FEEDS or any(
                    word in _last_name(func.value).lower() for word in ("reader", "stream"))) \
                and self.scan.imports_asyncio and qualname(func.value, self.scan) is None \
                and reference(func.value) not in self.scan.plain and not self._own_method(func):
            self.emit(node, "stream")  # conn._reader.at_eof(): a StreamReader, however held
        elif name is None and self.scan.loop_file and node.args and not (
                {callback_name(func)} & self.defined) and not self._own_base_method(func) \
                and _last_name(func) not in self.entered_spawns and (
                (isinstance(func, ast.Attribute) and func.attr in SPAWNS)
                or (isinstance(func, ast.Name) and func.id in SPAWNS)):
            # self.create_task(coro), a helper imported from the package's own tools: asyncio's
            # spawn by its name, whatever wraps it (a Service base class, a FutureStore)
            self.emit(node, "asyncio.create_task")
        if name in ("queue.put", "queue.put_nowait") and node.args \
                and _is_none(node.args[0]):
            self.sentinels.add(id(func))  # put(None), put((None, None)): the end sentinel
        if name in ("asyncio.gather", "asyncio.as_completed"):
            self._waited_on(node, name)
        if any(k.arg == "name" for k in node.keywords) and name is not None \
                and (ROWS.get(name) or ROWS.get(construct_of(name))) == "create-task" \
                and qualname(node, self.scan) == "task":
            # create_task(coro, name=...): start_soon's name; loop.create_task's too (its own
            # row, where construct_of gives a loop's method the loop's)
            self.emit(node, "task name given")
        if self._keeps_a_task_alive(node):
            self.emit(node, "task set")
        if isinstance(node.func, ast.Name) and node.func.id in self.scan.classes_given \
                and any(node.func.id in params for _, params, _ in self.functions[-1:]):
            # queue_type(maxsize=10), queue_type: type[asyncio.Queue[T]]: asyncio's class,
            # handed in, made here
            self.emit(node, self.scan.classes_given[node.func.id])
        if _last_name(node.func) == "cast" and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            # cast("asyncio.Future[object]", task): typing.cast's first argument is a type, in
            # quotes or not, so it names asyncio's class as an annotation does; a collection of
            # tasks (cast("set[Task[T]]", ...)) is the task-set row, as annotated
            self._cast_type(node.args[0])
        if _last_name(node.func) == "TypeVar":
            # TypeVar("R", bound="AbstractView | Request"): the bound and the constraints
            # are types, in quotes or not
            for each in [*node.args[1:], *(k.value for k in node.keywords if k.arg == "bound")]:
                self._string_annotation(each)
        if name is not None and ROWS.get(construct_of(name)) in RUNS_COROUTINES:
            # asyncio.create_task(hub.worker()), asyncio.run(client.main()): a package's
            # coroutine run on asyncio's loop, which is as much a sign as awaiting it
            for arg in node.args:
                if isinstance(arg, ast.Call):
                    self._evidence(arg, arg.func)
        self._inherited(node)
        if self._holds_loop(node):
            self.emit(node, "loop passed")  # self._get_loop(): this file's way to a loop
        self._loops_handed(node)
        if any(keyword.arg == "loop" for keyword in node.keywords):
            # Thing(loop=loop): asyncio's old convention for handing an object its loop
            self._evidence(node, node.func)
        for keyword in node.keywords:
            if keyword.arg and makes_loops(keyword.arg) and self.scan.loop_file:
                self.emit(keyword.value, "loop passed")  # asyncio.run(..., loop_factory=...)
        self.generic_visit(node)

    def _loops_handed(self, node: ast.Call) -> None:
        """A loop handed to a call, by position or keyword (``Foo(loop=self._loop)``, also
        to asyncio's own: ``asyncio.wait(aws, loop=self._loop)``): Trio has no loop to pass,
        and each such argument is its own entry on its own line (the corpus README)."""
        shown = callback_name(node.func) in SHOWN
        handed = [*node.args, *(k.value for k in node.keywords)]
        # Thread(target=run, args=(self._loop,)): a loop in the arguments handed on
        handed += [each for arg in handed if isinstance(arg, ast.Tuple | ast.List) and not shown
                   for each in arg.elts]
        for keyword in node.keywords:
            if keyword.arg in LOOP_PARAMS and _is_none(keyword.value) and self.scan.loop_file \
                    and not shown:
                # Pool(..., loop=None): the old loop parameter filled, as a loop handed on is
                self.emit(keyword.value, "loop passed")
        for arg in handed:
            if self.formatting and callback_name(node.func) in SHOWN | {"type", "id"}:
                break  # f"is {type(loop).__name__}": a message that names it, no use of it
            if (qualname(arg, self.scan) == "loop" and reference(arg) is not None) \
                    or (self._loop_field(arg) and not shown):
                self.emit(arg, "loop passed")  # Trio has no loop to pass

    def _shared_helper(self, node: ast.Call) -> bool:
        """``gql(QUERY)``: a plain function (lower-case, not a class) of a package found
        asyncio's only by this file's awaits, called and neither awaited, entered nor
        iterated. Such a package is no listed asyncio library: what the file awaits on it is
        its asyncio side, but a function it calls without waiting (a query parser, a
        builder) runs without any event loop, so it serves a blocking port alike and stays."""
        if not isinstance(node.func, ast.Name) or id(node.func) in self.awaited \
                or id(node) in self.entered:
            return False
        target = self.scan.aliases.get(node.func.id, "")
        module, _, function = target.removeprefix("lib:").rpartition(".")
        return target.startswith("lib:") and evidenced(module) is not None \
            and function.islower() and not function.startswith("_") \
            and f"{module}.{function}" == target.removeprefix("lib:")

    def _own_method(self, func: ast.Attribute) -> bool:
        """``self.drain()`` where the enclosing class defines ``drain``: the class's own method
        (a writer of its own that mimics a StreamWriter), not asyncio's."""
        return isinstance(func.value, ast.Name) and func.value.id == "self" \
            and bool(self.classes) and func.attr in self.classes[-1][0]

    def _inherited(self, node: ast.Call) -> None:
        """``self.when()`` or ``super().__init__()`` in a subclass of an asyncio class."""
        if not self.classes or not isinstance(node.func, ast.Attribute):
            return
        own, base = self.classes[-1]
        if base is None:
            return
        receiver = node.func.value
        calls_super = isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) \
            and receiver.func.id == "super"
        inherited = isinstance(receiver, ast.Name) and receiver.id == "self" \
            and node.func.attr not in own and not (
                # class C(PackageBase, asyncio.Protocol): self._log_tls_info(), a private
                # helper, is the package's own base's (asyncio's protocols have no private
                # API for subclasses to call)
                node.func.attr.startswith("_") and self.mixed_bases and self.mixed_bases[-1])
        primitive = SAME_ON_TRIO.get(base)
        if primitive is not None and node.func.attr != "__init__" \
                and f"{primitive}.{node.func.attr}" not in ROWS:
            return  # class Flag(asyncio.Event): await super().wait() stays, as on trio.Event
        if calls_super or inherited:
            self.emit(node, base)

    def _keeps_a_task_alive(self, node: ast.Call) -> bool:
        """``tasks.add(task)`` on a set of tasks, or ``task.add_done_callback(s.discard)``."""
        func = node.func
        if not isinstance(func, ast.Attribute):
            return False
        if func.attr == "add_done_callback" and node.args:
            callback = node.args[0]
            # (or self._forget, the object's own method that does self._tasks.discard(t))
            return (isinstance(callback, ast.Attribute)
                    and callback.attr in ("discard", "remove")) \
                or (isinstance(callback, ast.Name) and callback.id in self.discarders) \
                or (isinstance(callback, ast.Attribute) and isinstance(callback.value, ast.Name)
                    and callback.value.id == "self" and callback.attr in self.discarders)
        if func.attr in ("add", "append", "discard", "remove", "clear") \
                and reference(func.value) in self.kept:
            return True
        if func.attr == "clear" and not node.args and self._kept_tasks(func.value) \
                and _field_key(func.value) & self.kept_one_by_one:
            # self._tasks.clear() of a container the file keeps tasks in one at a time
            # (add, pop, d[k] = task, del d[k]): emptying it is the container's line, task-set,
            # also in stop(), the corpus README's eleventh-part ruling; a service's container,
            # filled where the service starts, is not (the twelfth part's)
            return True
        # (remove takes a finished task out, as discard does: tasks.remove(done); so does a
        # pop, whatever is done with the task next: taking a task out of a kept container is
        # the container's line, task-set, the corpus README's eleventh-part ruling)
        # (not remove((task, mode)): a record that holds a task, kept for another reason)
        if func.attr in ("pop", "popleft") and (
                id(func) in self.awaited or self._in_service(starting=False)
                or reference(func.value) in self.records
                or (node.args and qualname(node.args[0], self.scan) == "task")):
            # (not await tasks.popleft(): the line awaits the task, its own row; nor a pop
            # where a service stops, a line of the service, as clearing its container is
            # none; nor pop(task), off a mapping keyed by tasks (``WeakKeyDictionary[Task,
            # Connection]``), nor off one the file fills with records)
            return False
        return func.attr in ("add", "discard", "remove", "pop", "popleft") \
            and not (func.attr == "remove" and node.args
                     and isinstance(node.args[0], ast.Tuple)) \
            and qualname(func.value, self.scan) == "tasks" \
            and reference(func.value) not in self.waited_sets \
            and reference(func.value) not in self.wait_results

    def _kept_tasks(self, target: ast.expr) -> bool:
        """Whether ``target`` is a collection of tasks kept by hand (a set, a list or a dict
        the file fills with tasks), neither handed to ``asyncio.wait`` nor given by it."""
        ref = reference(target)
        return ref is not None and qualname(target, self.scan) == "tasks" \
            and ref not in self.waited_sets and ref not in self.wait_results \
            and ref not in self.scan.plain

    @functools.cached_property
    def wait_results(self) -> set[str]:
        """The references ``done, pending = await asyncio.wait(...)`` binds: what the wait
        gave, taken apart (``done.pop().result()``), not a collection kept by hand."""
        found: set[str] = set()
        for each in walk(self.tree):
            call = each.value.value if isinstance(each, ast.Assign) \
                and isinstance(each.value, ast.Await) else None
            if isinstance(each, ast.Assign) and isinstance(call, ast.Call) \
                    and qualname(call.func, self.scan) == "asyncio.wait":
                for target in each.targets:
                    for part in target.elts if isinstance(target, ast.Tuple) else [target]:
                        ref = reference(part)
                        if ref is not None:
                            found.add(ref)
        return found | _copies_of(self.tree, found)

    @functools.cached_property
    def timed_calls(self) -> set[tuple[int, int]]:
        """Where a call given a ``timeout=`` other than a literal ``None`` starts (line,
        column): ``asyncio.wait(aws, timeout=t)`` that waits for all waits for at most t, the
        corpus README's ``wait-for`` (``trio.move_on_after(t)`` around a nursery), not the
        gather that waiting for all is without one."""
        return {(each.lineno, each.col_offset) for each in walk(self.tree)
                if isinstance(each, ast.Call) and any(
                    k.arg == "timeout" and not _is_none(k.value) for k in each.keywords)}

    @functools.cached_property
    def marker_puts(self) -> set[tuple[int, int]]:
        """Where ``q.put(_STOP)`` names its method (line, column), for a value the file binds
        to a bare ``object()`` (``_STOP = object()``, ``self._done = object()``): a marker
        that means nothing but itself, put to tell the consumer the stream has ended, the
        corpus README's ``queue-shutdown`` (a memory channel's ``aclose()``)."""
        markers = {_last_name(target) for each in walk(self.tree)
                   if isinstance(each, ast.Assign | ast.AnnAssign)
                   and isinstance(each.value, ast.Call)
                   and isinstance(each.value.func, ast.Name) and each.value.func.id == "object"
                   and not each.value.args and not each.value.keywords
                   for target in (each.targets if isinstance(each, ast.Assign)
                                  else [each.target])}
        return {(each.func.end_lineno or each.func.lineno, each.func.col_offset)
                for each in walk(self.tree) if isinstance(each, ast.Call)
                and isinstance(each.func, ast.Attribute)
                and each.func.attr in ("put", "put_nowait") and len(each.args) == 1
                # (or in the tuple a priority queue orders: put((LAST, n, _STOP)))
                and any(isinstance(item, ast.Name | ast.Attribute)
                        and _last_name(item) in markers for item in (
                            each.args[0].elts if isinstance(each.args[0], ast.Tuple)
                            else [each.args[0]]))}

    @functools.cached_property
    def task_fields(self) -> set[tuple[int, str]]:
        """The fields a class body declares as one task (``_task: asyncio.Task | None =
        None`` in a class or a dataclass), each with its line: the instances' ``self._task``,
        or ``job.task`` read off one of them, is that field."""
        return {(each.lineno, each.target.id) for cls in walk(self.tree)
                if isinstance(cls, ast.ClassDef) for each in cls.body
                if isinstance(each, ast.AnnAssign) and isinstance(each.target, ast.Name)
                and annotation_kind(each.annotation, self.scan) == ("task", False)}

    @functools.cached_property
    def parameters(self) -> dict[int, str]:
        """The lines of the parameters of the file's functions, each with its function's name
        where the file hands that function to ``add_done_callback`` (a done-callback, whose
        task is the finished one it reads), else with no name."""
        handed = {callback_name(arg.args[0] if isinstance(arg, ast.Call) and arg.args
                                else arg)
                  for each in walk(self.tree) if isinstance(each, ast.Call)
                  and isinstance(each.func, ast.Attribute)
                  and each.func.attr == "add_done_callback"
                  for arg in each.args[:1]}
        return {arg.lineno: each.name if each.name in handed else "" for each in walk(self.tree)
                if isinstance(each, ast.FunctionDef | ast.AsyncFunctionDef)
                for arg in [*each.args.posonlyargs, *each.args.args, *each.args.kwonlyargs]}

    @functools.cached_property
    def kept_params(self) -> set[int]:
        """The lines of the parameters a function of the file puts in a container or takes
        out of one (``self._tasks.add(task)``, ``s.discard(task)``): a task kept by hand so
        that it lives, whose annotation is the task-set row."""
        return {arg.lineno for each in walk(self.tree)
                if isinstance(each, ast.FunctionDef | ast.AsyncFunctionDef)
                for arg in [*each.args.posonlyargs, *each.args.args, *each.args.kwonlyargs]
                if any(isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
                       and sub.func.attr in ("add", "append", "discard", "remove")
                       and len(sub.args) == 1 and isinstance(sub.args[0], ast.Name)
                       and sub.args[0].id == arg.arg for sub in own_nodes(each))}

    @functools.cached_property
    def kept_one_by_one(self) -> set[str]:
        """The containers (by :func:`_field_key`) the file puts items in or takes them out of
        one at a time, outside what starts a service: ``s.add(t)``, ``s.discard(t)``,
        ``d.pop(k)``, ``d[k] = t``, ``del d[k]``, ``s.append(create_task(...))``. Such a
        container is kept by hand (the README's task-set row), where a service's container is
        filled once where the service starts (``self._tasks.append(t)`` in ``start()``).
        ``remove`` is not counted: ``list.remove`` also drops a job being cancelled, and a
        plain ``append`` of a name may add any record."""
        found: set[str] = set()
        scopes: list[ast.AST] = [self.tree, *(
            each for each in walk(self.tree)
            if isinstance(each, ast.FunctionDef | ast.AsyncFunctionDef)
            and each.name not in SERVICE_STARTS)]
        for scope in scopes:
            for each in own_nodes(scope):
                held: list[ast.expr] = []
                if isinstance(each, ast.Call) and isinstance(each.func, ast.Attribute) and (
                        each.func.attr in ONE_BY_ONE
                        or (each.func.attr == "append" and len(each.args) == 1
                            and isinstance(each.args[0], ast.Call))):
                    held = [each.func.value]
                elif isinstance(each, ast.Assign | ast.Delete):
                    held = [target.value for target in (
                        each.targets) if isinstance(target, ast.Subscript)]
                for container in held:
                    found |= _field_key(container)
        return found

    @functools.cached_property
    def records(self) -> set[str]:
        """The containers the file stores tuples in (``self._games[k] = (game, task)``): what
        a pop takes out of one is a record that holds a task, not a task kept alive."""
        return {ref for each in walk(self.tree) if isinstance(each, ast.Assign)
                and isinstance(each.value, ast.Tuple) for target in each.targets
                if isinstance(target, ast.Subscript)
                and (ref := reference(target.value)) is not None}

    @functools.cached_property
    def waited_sets(self) -> set[str]:
        """The references handed to ``asyncio.wait`` in the file: a set of tasks filled for
        the wait is the wait's argument, plain Python to fill, not a set kept by hand so the
        tasks live (a nursery holds its children; what the wait does is found at the wait)."""
        return {ref for each in walk(self.tree) if isinstance(each, ast.Call) and each.args
                and qualname(each.func, self.scan) == "asyncio.wait"
                and (ref := reference(each.args[0])) is not None}

    def visit_Attribute(self, node: ast.Attribute) -> None:
        held = self.scan.kinds.get(reference(node) or "", "")
        if isinstance(node.ctx, ast.Store) and held.rpartition(".")[0] in KNOWN_KINDS:
            # self._request = partial(self.session.post, url): the name of a bound method,
            # stored; its calls are the session's requests, found where they are made
            self.visit(node.value)
            return
        if id(node) in self.client_error_fields and not (
                node.attr == "history" and id(node) not in self.indexed | self.spread):
            self.emit(node, "response")  # err.status: aiohttp's error's field, httpx's differs
            return
        if id(node) in self.library_timeouts:
            self.emit(node, self.library_timeouts[id(node)])  # except asyncio.TimeoutError
            return
        # (``self._buffer`` read in a subclass of an asyncio class is a field the base class
        # keeps: plain data, like any field read on a library's object; what is *called* on
        # ``self`` and inherited is the base class's API, found by :meth:`_inherited`.)
        if isinstance(node.ctx, ast.Store) and not self._own_instance(node.value):
            holder = qualname(node.value, self.scan) or ""
            origin = self.scan.origins.get(reference(node.value) or "", "")
            if holder.startswith("lib:") and origin.rpartition(".")[2] in ROW_GETTERS:
                # record = (await session.execute(q)).scalar(); record.state = "done": a row
                # a query gave, whose field is its data, set as on any object
                self.visit(node.value)
                return
            if holder.startswith("lib:") and lib_construct(holder):
                # client.on_connect = f, atv.listener = Printer(): a callback or a field set
                # on the library's object is a use of it (the corpus README's settled case)
                self.emit(node, lib_construct(holder) or holder)
                self.visit(node.value)
                return
        if isinstance(node.ctx, ast.Store) and self._own_instance(node.value) \
                and reference(node) in self.scan.kinds \
                and self.scan.kinds[reference(node) or ""].startswith("lib:"):
            # self._browser = find_browser(...): the file's own field, bound (again) to what
            # the library gave; the line that makes the object carries the use, the name
            # it is kept under is the file's, as a local variable's is
            self.visit(node.value)
            return
        name = qualname(node, self.scan)
        if name is not None and "." not in name and isinstance(node.value, ast.Name) \
                and qualname(node.value, self.scan) == "loop":
            name = f"loop.{node.attr}"  # loop.server = ...: kept on the loop, the loop's field
        if name is None:
            self.generic_visit(node)
            return
        if name.startswith("asyncio.log.logger.") and isinstance(node.value, ast.Name):
            return  # logger.error(...) after from asyncio.log import logger: plain logging
        if name == "pytest.mark.asyncio":  # pytestmark = pytest.mark.asyncio, not a decorator
            self.emit(node, name)
            return
        top = name.split(".")[0]
        if top.startswith("lib:") and node.attr.startswith("__") and node.attr.endswith("__") \
                and id(node) not in self.called:
            return  # ``aioftp.__version__``: the module's metadata, the same in any port
        if top.startswith("lib:") and node.attr in self.scan.subclassed.get(
                lib_construct(name) or top, ()) and self._own_instance(node.value):
            self.visit(node.value)  # bot.confirmed: what the file's own subclass keeps
            return
        if top in MODULES or (top.startswith("lib:") and reference(node) is None \
                and name.count(".") >= 1 and self._is_module_path(node)):
            construct = construct_of(name)
            self.emit(node, construct)
            if construct.startswith("aiohttp."):
                self.families.setdefault("aiohttp", set()).add(construct)
            return  # not again for the module name inside it
        if node.attr in ("__aenter__", "__aexit__") and name.split(".")[0] in ENTERED:
            # await self._tg.__aenter__(): a task group or a timeout entered and left by
            # hand, across methods; a nursery or a cancel scope is a with block in Trio
            self.emit(node, ENTERED[name.split(".")[0]])
            self.visit(node.value)
            return
        if "." in name and node.attr.startswith("__") and node.attr.endswith("__") \
                and not (id(node) in self.called and reference(node.value) is not None
                         and f"{name.split('.')[0]}.{node.attr}" in ROWS):
            # response.__await__(), task.__class__: Python's data model, which the Trio
            # counterpart's object has as well; the line that made the object carries it
            # (not a future's __await__, held in a name or a field: awaiting it, as ``await
            # fut``, where Trio's counterpart, an Event and the value, has no __await__ to
            # hand on; a future the package's own call returns is awaited as the README's
            # sixth part has it, unlabelled: ``wrapper().__await__()``)
            self.visit(node.value)
            return
        root = node.value
        while isinstance(root, ast.Attribute) and reference(root) not in self.scan.fields:
            root = root.value
        if top.startswith("lib:") and id(node) in self.copies:
            self.visit(node.value)
            return
        data = top.startswith("lib:") and not isinstance(node.ctx, ast.Store) and (
            # (client.on_connect = f: a callback or field set on the library's object is a
            # use of it, the corpus README's settled case; a field read is plain data)
            id(node) not in self.called
            or (reference(root) in self.scan.fields and id(node) not in self.awaited)
            or (id(node) not in self.awaited and (
                node.attr in DATA_METHODS or node.attr.startswith(CONVERSIONS)
                or (node.attr in ITEM_METHODS and isinstance(node.value, ast.Subscript))
                # answer.get("continent").get("name"): a dict read by a literal key, on
                # what the library returned, plain data like the field read it stands for
                or id(node) in self.keyed)))
        if data and node.attr in WEBSOCKET_FIELDS and id(node) not in self.called \
                and row_of(lib_construct(name) or top) == "websocket":
            # websocket.remote_address, ws.open, ws.close_code: fields trio-websocket spells
            # otherwise (remote, closed, closed.code), so the port renames them (the corpus
            # README's rulings on the eighth and ninth parts)
            data = False
        if "." in name and not data:
            # an asyncio-only library's object: its methods are the library's API, but a
            # field read (``container.id``, ``cursor.description``) is plain data in a port,
            # and so is a str or bytes method, not awaited, on what the library gave
            # (``message.body.decode()``, ``(await cache.get(k)).decode()``)
            self.emit_kind(node, name)
        self.visit(node.value)

    def _own_instance(self, node: ast.expr) -> bool:
        """``self``, or an instance of the file's own subclass of a library class (``bot``
        from ``Bot(jid)``): what holds the names that subclass defines. Another object of the
        library (``self.track``, the track a subclass wraps) keeps the library's methods."""
        if isinstance(node, ast.Call):
            return isinstance(node.func, ast.Name) and node.func.id in self.scan.subclasses
        ref = reference(node)
        return ref is not None and (ref in ("self", "cls") or ref in self.scan.instances)

    def _is_module_path(self, node: ast.expr) -> bool:
        """``asyncssh.connect`` (a library's own name), not ``conn.run`` (its object's)."""
        while isinstance(node, ast.Attribute):
            node = node.value
        return isinstance(node, ast.Name) and node.id in self.scan.aliases

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if qualname(node.value, self.scan) == "web":
            # app[key] = v, app[KEY], request["id"]: the Application's (or the request's) own
            # storage, stored or read, by any key, is the server's API (the corpus README's
            # ruling on storage: "read or set"; an ASGI app keeps its state elsewhere), as 19
            # of the 21 literal-key reads in the working keys have it
            self.emit(node, "web")
        elif self.classes and self.classes[-1][1] is not None \
                and isinstance(node.value, ast.Name) and node.value.id == "self" \
                and isinstance(node.ctx, ast.Load):
            self.emit(node, self.classes[-1][1])  # self["plugin"]: the base class's items
        if not isinstance(node.slice, ast.Slice) and self._holds_loop(node.slice):
            # _registry[loop], self._client_per_loop[loop] = c: a loop used as a dict key
            # (the corpus README's ninth-part ruling): Trio has no loop to key by
            self.emit(node.slice, "loop passed")
        generic = node.value.id if isinstance(node.value, ast.Name) else \
            node.value.attr if isinstance(node.value, ast.Attribute) else ""
        if generic in GENERICS:
            # Union["asyncio.Future[T]", ...] in a type alias: a type in quotes all the same
            self._string_annotation(node.slice)
        self.generic_visit(node)

    def _evidence(self, node: ast.AST, value: ast.expr) -> None:
        """``await session.prompt_async()``, ``await self.done`` (an eventkit Event), ``async
        with``/``async for`` on what an unlisted third-party package gave, in a file that uses
        asyncio: the package waits on the program's event loop, so it very likely runs on
        asyncio only. The line is found as that package's (``awaits:<package>``); what is
        not awaited on it (a constructor, a constant) may be its blocking side, and is not."""
        # Not a file whose tests merely run on asyncio's loop (``@pytest.mark.asyncio``):
        # pytest-asyncio runs the tests of AnyIO- and httpx-based libraries too, so what such
        # a test awaits says nothing of the package (the eighth corpus part: most of its false
        # alarms were those packages' tests).
        # Nor a test module (test_*.py, *_test.py, conftest.py): the package a test awaits is
        # the one under test, and tests of AnyIO- and httpx-based libraries import asyncio as
        # often (asyncio.sleep, asyncio.gather in a test), so the import says nothing of it.
        if not self.scan.imports_asyncio or qualname(value, self.scan) is not None \
                or is_test_module(self.scan.path):
            return
        package = external_of(value, self.scan)
        base = self.external_bases[-1] if self.external_bases else None
        if package is None and base is not None and isinstance(value, ast.Attribute) \
                and isinstance(value.value, ast.Name) and value.value.id == "self" \
                and value.attr not in base[1] and not value.attr.startswith("async_") \
                and not self.mixed_bases[-1]:
            # class C(Service) of an unlisted package: await self.sleep(3), a method C
            # inherits, waits on asyncio's loop for that package; but a base that spells its
            # awaited side apart (async_receive_request beside receive_request) serves
            # blocking and async subclasses alike, and the subclass supplies the I/O; nor
            # where a base is the package's own (class C(Thing, BaseAiohttp)): which base
            # the method comes from, the file does not show
            package = base[0]
        if package is not None:
            self.emit(node, f"{EVIDENCE}{package}")
            if ("async" in (callback_name(value) or "").lower()
                    and reference(value) not in self.scan.external_makers) or any(
                    ASYNC_TWIN.search(name) for name, owner in self.scan.external.items()
                    if owner == package):
                # session.prompt_async(), app.run_async(): the package spells its awaited API
                # apart from a blocking twin, so it has a blocking side that may stay (not
                # the file's own get_async_client() annotated to return the package's client:
                # that name is the file's); so does a package the file takes a class named
                # for its async side from (``from ossapi import OssapiAsync, Beatmap``: its
                # models are shared with the blocking ``Ossapi``)
                self.scan.blocking.add(package)

    def visit_Await(self, node: ast.Await) -> None:
        if not (isinstance(node.value, ast.Call) and node.value.args
                and isinstance(node.value.args[0], ast.Call | ast.Await)) \
                and not (isinstance(node.value, ast.Name)
                         and node.value.id in self.awaitables) \
                and not _asgi_call(node.value):
            # (await ensure_async(chan.get_msg())): an adapter awaits what it is handed, no
            # sign of which loop it needs
            self._evidence(node, node.value.func if isinstance(node.value, ast.Call)
                           else node.value)
        if isinstance(node.value, ast.Call):
            self.awaited.add(id(node.value.func))
            if qualname(node.value, self.scan) == "task" \
                    and ROWS.get(construct_of(qualname(node.value.func, self.scan) or "")) \
                    == "create-task":
                # await asyncio.create_task(f()): spawned, then waited for at once
                self.emit(node, "await task")
        if not isinstance(node.value, ast.Call):
            kind = qualname(node.value, self.scan)
            if isinstance(node.value, ast.Name) and node.value.id in self.awaitables:
                kind = None
            if kind and kind.startswith("lib:") and lib_construct(kind):
                self.emit(node, lib_construct(kind) or kind)  # await event: a library's object
            if kind in ("future", "task", "completed"):
                self.emit(node, f"await {kind}")
                if kind == "task":
                    self._use(node.value, "await task", node)
        self.generic_visit(node)

    def visit_YieldFrom(self, node: ast.YieldFrom) -> None:
        """``yield from`` that awaits: in an ``@asyncio.coroutine`` function, or of asyncio's
        own awaitable (``yield from asyncio.sleep(1)``) in an undecorated one; in a plain
        generator that delegates to another (``yield from items``) it stays."""
        before = len(self.scan.found)
        self.generic_visit(node)
        operand = {line for line, _, _ in self.scan.found[before:]}
        if (self.old_style and self.old_style[-1]) or node.lineno in operand:
            self.emit(node, "yield from")

    def visit_AsyncWith(self, node: ast.AsyncWith) -> None:
        for item in node.items:
            expr = item.context_expr
            self.entered.add(id(expr))
            self._evidence(expr, expr.func if isinstance(expr, ast.Call) else expr)
            kind = qualname(item.context_expr, self.scan)
            if reference(item.context_expr) is not None and kind and (
                    kind in OBJECT_KINDS or kind.startswith("lib:") or kind == "aiofilectx"):
                self.emit(item.context_expr, kind)
            elif isinstance(expr, ast.Call) and kind and kind.startswith("lib:") \
                    and _own_call(expr) is not None:
                # async with get_async_client() as client: the file's own function that
                # returns a library's client, entered here (a call of the library itself is
                # found as its call)
                self.emit(expr, kind)
            made = qualname(item.context_expr.func, self.scan) \
                if isinstance(item.context_expr, ast.Call) else kind
            opens = row_of(construct_of(made)) if made else None
            if (opens in SCOPES or (opens == "websocket" and isinstance(expr, ast.Call))) \
                    and self.generators and self.generators[-1] and any(
                        isinstance(sub, ast.Yield) for stmt in node.body
                        for sub in _own_nodes_of(stmt)):
                # an async generator that yields inside what Trio makes a nursery or a
                # cancel scope (trio-websocket's connection opens a nursery too): the
                # async-gen row, on its ``async def`` line, where the port puts
                # @trio.as_safe_channel (the corpus README's ninth-part ruling); not in an
                # @asynccontextmanager, whose one yield is the caller's body, inside the
                # scope on purpose
                self.emit(self.generator_defs[-1], "async generator scope")
        # async with dns.quic.TrioQuicManager(...) as manager: a package that runs under
        # Trio hands out its own object, whatever ``manager`` is elsewhere in the file
        local = {item.optional_vars.id for item in node.items
                 if isinstance(item.optional_vars, ast.Name)
                 and isinstance(item.context_expr, ast.Call)
                 and (qualname(item.context_expr.func, self.scan) or "").startswith("pkg:")}
        outer = self.scan.shadowed
        self.scan.shadowed = outer | local
        self.generic_visit(node)
        self.scan.shadowed = outer

    def visit_For(self, node: ast.For) -> None:
        """``for task in (self._reader, self._keepalive):`` the loop's name holds each of the
        objects the file spells out, in turn: what the loop does with it (``task.cancel()``
        where the object stops) is done with each, as after ``task = self._task`` (a name in
        the tuple that holds such a field stands for it). The same holds for a function's own
        names (``for task in (reader, writer): task.cancel()``): each one's annotation takes
        the row of what the loop does with it, as a field's does."""
        aliases = self.held_aliases[-1] if self.held_aliases else {}
        refs = [aliases.get(ref, ref) for ref in map(reference, node.iter.elts) if ref] \
            if isinstance(node.iter, ast.Tuple | ast.List) else []
        name = node.target.id if isinstance(node.target, ast.Name) else ""
        before = len(self.uses.get(name, ()))
        self.generic_visit(node)
        if name:  # (an element that is no name or field, a call's task, is left out)
            for ref in refs:
                self.uses.setdefault(ref, []).extend(self.uses.get(name, [])[before:])

    def visit_AsyncFor(self, node: ast.AsyncFor) -> None:
        self.entered.add(id(node.iter))
        self._evidence(node.iter, node.iter.func if isinstance(node.iter, ast.Call)
                       else node.iter)
        kind = qualname(node.iter, self.scan)
        if kind and (kind in OBJECT_KINDS or kind.startswith("lib:")):
            self.emit(node.iter, kind)
        elif kind is None and isinstance(node.iter, ast.Name) and self.functions \
                and node.iter.id in self.functions[-1][1] \
                and self.scan.decorated.get(self.functions[-1][0]):
            # @app.agent(topic) async def count(stream): async for x in stream: the library
            # calls the function it decorates and hands it what the loop iterates (its
            # stream), awaited on the library's side
            self.emit(node.iter, self.scan.decorated[self.functions[-1][0]])
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        """``[doc async for doc in cursor]``: an async comprehension over an asyncio object or
        an asyncio-only library's is a use of it, as an ``async for`` statement is."""
        kind = qualname(node.iter, self.scan) if node.is_async else None
        if kind and (kind in OBJECT_KINDS or kind.startswith("lib:")):
            self.emit(node.iter, kind)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        kind, collection = annotation_kind(node.annotation, self.scan)
        if collection and kind in ("task", "future"):
            # a collection of tasks, kept by hand: on the line that names the task type (a
            # ``dict[`` over lines is labelled where ``asyncio.Task`` is written)
            self.emit(self._named_task_type(node.annotation), "task set")
        ref = reference(node.target)
        if kind == "task" and ref is not None \
                and self.scan.origins.get(ref) == "asyncio.current_task":
            self.emit(node, "asyncio.current_task")  # where it is filled says what it is for
        elif kind == "task" and not collection and ref is not None:
            self.annotated.append((node.lineno, ref))
        self._string_annotation(node.annotation)
        if _last_name(node.annotation) == "TypeAlias" and node.value is not None:
            # Handler: TypeAlias = "Callable[[Request], Awaitable[StreamResponse]]": the
            # value is a type, spelled in quotes
            self._string_annotation(node.value)
        before = len(self.scan.found)
        self.generic_visit(node)
        if node.value is not None and ref is not None and any(
                ROWS.get(c) == "create-task" for _, _, c in self.scan.found[before:]):
            # self.task: asyncio.Task = loop.create_task(...): made here, as by a plain `=`
            self.created.setdefault(ref, []).append(node)
            self.uses.setdefault(ref, []).append(("asyncio.create_task", node.lineno, False))

    def _named_task_type(self, annotation: ast.expr) -> ast.AST:
        """Where an annotation names asyncio's task or future type (else the annotation)."""
        for sub in walk(annotation):
            if isinstance(sub, ast.Name | ast.Attribute) \
                    and annotation_kind(sub, self.scan)[0] in ("task", "future"):
                return sub
        return annotation

    def visit_Assign(self, node: ast.Assign) -> None:
        self._visit_assign(node)
        # task = self._task, and worker, self._worker = self._worker, None: each name that
        # takes a task kept on self holds that task
        pairs = [(target, node.value) for target in node.targets] + [
            pair for target in node.targets
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
            and len(target.elts) == len(node.value.elts)
            for pair in zip(target.elts, node.value.elts, strict=True)]
        for target, value in pairs:
            held = reference(value) if isinstance(value, ast.Attribute) else None
            if self.held_aliases and held is not None and held.startswith("self.") \
                    and qualname(value, self.scan) == "task" and isinstance(target, ast.Name):
                self.held_aliases[-1][target.id] = held
        made = node.value.value if isinstance(node.value, ast.Await) else node.value
        fresh = isinstance(made, ast.Call) and not made.args and not made.keywords
        if (self.functions or (self.main_block and not (
                # xmpp = AskConfirm(...), the file's subclass of a library's class: the
                # library's object still (what the class inherits is the library's API)
                isinstance(made, ast.Call) and _last_name(made.func) in self.scan.subclasses)))\
                and self.scan.remade(node.value) and any(
                _rewrappable(qualname(target, self.scan))
                # future = _FakeFuture(): a future of the file's own, made from nothing
                # asyncio gave (a loop wrapped in the file's class stays a loop)
                or (fresh and qualname(target, self.scan) in ("future", "task"))
                for target in node.targets):
            # response = await wrap(response), the package's own Response: from here to the
            # end of the function (or of the block) the name holds that object instead
            self.scan.shadowed = self.scan.shadowed | {
                target.id for target in node.targets if isinstance(target, ast.Name)}

    def _foreign_call(self, value: ast.expr) -> bool:
        """A call of what the file imports from a third-party package neither asyncio nor a
        library (``etree.fromstring(body)``): it gives that package's object, no asyncio or
        aiohttp one. (The standard library's containers are left out: ``waiters =
        deque()`` may be filled with futures.)"""
        if not isinstance(value, ast.Call) or qualname(value, self.scan) is not None:
            return False
        root = value.func
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(value.func, ast.Attribute) \
                and reference(value.func.value) in self.scan.external_refs:
            return True  # cur = self._ddb.cursor(), self._ddb = duckdb.connect(...)
        return isinstance(root, ast.Name) and root.id in self.scan.external \
            and root.id not in self.scan.aliases

    def _plain_value(self, value: ast.expr, name: str) -> bool:
        """``connection = sqlite3.connect(path)``, ``result = dict()``: a value of the standard
        library's or a builtin's, where the file binds ``name`` to one object elsewhere (an
        asyncpg connection, what a library returned). Neither is that object; a container may
        still be filled with tasks or futures, so not where the name holds a collection."""
        kind = self.scan.kinds.get(name, "")
        if element(kind) is not None:
            return False  # tasks = [] beside tasks: set[asyncio.Task]: filled with them
        if isinstance(value, ast.Constant) and value.value is None:
            return False  # self-evidently no rebinding: the object dropped (session = None)
        if isinstance(value, ast.Dict | ast.List | ast.Set | ast.Constant | ast.JoinedStr):
            return True
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, ast.Call) and callback_name(value.func) in self.plain_makers \
                and (isinstance(value.func, ast.Name) or (
                    isinstance(value.func, ast.Attribute)
                    and isinstance(value.func.value, ast.Name)
                    and value.func.value.id in ("self", "cls"))):
            return True  # data = await self._request(...), typed -> Dict[str, Any]
        if not isinstance(value, ast.Call) or qualname(value, self.scan) is not None:
            return False
        root = value.func
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or root.id in self.scan.aliases:
            return False
        return root.id in self.stdlib or (root is value.func and root.id in BUILTIN_VALUES)

    def _rebound(self, node: ast.FunctionDef | ast.AsyncFunctionDef,
                 arguments: list[ast.arg]) -> set[str]:
        """The names this function binds only to what is no known object, where the file
        binds that name to one elsewhere: ``response = etree.fromstring(body)`` in a parser
        beside ``async with session.post(u) as response`` in another method. A local name is
        the function's own; the other function's object does not reach it."""
        plain: dict[str, int] = {}  # name = call of nothing known
        assigns: dict[str, int] = {}  # name = anything
        stores: dict[str, int] = {}  # every binding: assigns, for, with, walrus, unpacking
        shared: set[str] = set()  # names declared global or nonlocal
        # pool: httpcore.AsyncConnectionPool, pool: urllib3.HTTPConnectionPool: typed as a
        # class of a package neither asyncio nor a library the tool knows, so what its
        # methods return (res = await pool.request(...)) is that package's object
        typed = {a.arg for a in arguments if self._other_package_type(a.annotation)
                 or ((node.name, a.arg) not in self.scan.given and self._typed_elsewhere(
                     a.annotation, isinstance(node, ast.FunctionDef)))}
        for sub in own_nodes(node):
            if isinstance(sub, ast.Assign):
                for target in sub.targets:
                    if isinstance(target, ast.Name):
                        assigns[target.id] = assigns.get(target.id, 0) + 1
                        made = sub.value.value if isinstance(sub.value, ast.Await) \
                            else sub.value
                        if self._foreign_call(sub.value) \
                                or self._plain_value(sub.value, target.id) or (
                                    isinstance(made, ast.Call)
                                    and isinstance(made.func, ast.Attribute)
                                    and isinstance(made.func.value, ast.Name)
                                    and made.func.value.id in typed):
                            plain[target.id] = plain.get(target.id, 0) + 1
            elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store | ast.Del):
                stores[sub.id] = stores.get(sub.id, 0) + 1
            elif isinstance(sub, ast.Global | ast.Nonlocal):
                # global _session: the module's name, bound to the object elsewhere
                shared.update(sub.names)
        params = {a.arg for a in arguments} | shared
        return {name for name, count in plain.items()
                if count == assigns[name] == stores.get(name, 0)
                and name not in params and name in self.scan.kinds}

    def _typed_elsewhere(self, annotation: ast.expr | None, plain: bool) -> bool:
        """An annotation whose every class is imported from a module that is neither asyncio,
        aiohttp nor a library's, and is no subclass of a library's class the file defines.
        In a plain ``def`` (``plain``), a class of a package the tool knows nothing of counts
        too: a blocking function's parameter is no asyncio package's object."""
        if annotation is None or annotation_kind(annotation, self.scan)[0] is not None:
            return False
        named = [sub for sub in walk(annotation) if isinstance(sub, ast.Name)
                 and sub.id not in TYPING_WORDS]
        return bool(named) and all(
            sub.id in self.third_party and sub.id not in self.scan.subclasses
            and sub.id not in self.scan.aliases
            and ((sub.id in self.scan.external and plain)
                 or (sub.id not in self.scan.external
                     and foreign_type(sub, self.scan, set())))
            for sub in named)

    def _other_package_type(self, annotation: ast.expr | None) -> bool:
        """``httpcore.AsyncConnectionPool``, ``urllib3.HTTPConnectionPool``: a dotted class of
        an imported package that is not asyncio, aiohttp, a library the tool lists, nor the
        standard library."""
        if not isinstance(annotation, ast.Attribute) \
                or annotation_kind(annotation, self.scan)[0] is not None:
            return False
        root: ast.expr = annotation
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or root.id in self.stdlib:
            return False
        named = qualname(annotation, self.scan)
        return (named is None and root.id in self.imported) or (
            named is not None and named.startswith("pkg:"))

    def _visit_assign(self, node: ast.Assign) -> None:
        value = node.value
        if isinstance(value, ast.Attribute | ast.Name):
            # self.client = self.api.client: a reference to a library's object copied, no use
            # of its API (settled case 1); what is called on it is found where it is called
            self.copies.update(id(target) for target in node.targets)
        if isinstance(value, ast.Call) and (qualname(value.func, self.scan) or "").endswith(
                ".AppKey") and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and any(annotation_kind(arg, self.scan)[0] == "task" for arg in value.args):
            # key = web.AppKey("key", asyncio.Task[None]): a task kept in app[key], whose
            # row is what is done with app[key] (a service, cancelled at cleanup)
            self.annotated.append((node.lineno, f"app[{node.targets[0].id}]"))
        # (coros = (fetch(u) for u in urls), gathered on a later line, is plain Python: the
        # gather's line carries the change, as most keys have it; a finding here was a false
        # alarm on code the tool had not seen)
        empty = isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
            and value.func.id == "set" and not value.args and not value.keywords
        for target in node.targets:
            if empty and self._kept_tasks(target):
                # self._tasks = set(), filled with tasks that must not be garbage-collected:
                # the keep-alive set the README's task-set row names (a nursery keeps them)
                self.emit(node, "task set")
            elif isinstance(target, ast.Subscript) and self._kept_tasks(target.value) \
                    and qualname(value, self.scan) == "task":
                # self._tasks[key] = task: a dict of tasks (the README's ninth-part ruling)
                self.emit(target, "task set")
        if self._holds_loop(value):
            self.emit(value, "loop passed")  # storing a loop (self._loop = loop), or copying it
        elif isinstance(value, ast.Constant) and value.value is None and any(
                reference(target) in self.scan.assigned
                and qualname(target, self.scan) == "loop" for target in node.targets):
            self.emit(node, "loop passed")  # self.loop = None: a loop reference, emptied
        elif isinstance(value, ast.Constant) and value.value is None and self.classes \
                and not self.functions and any(
                    isinstance(target, ast.Name)
                    and self.scan.kinds.get(f"self.{target.id}") == "loop"
                    for target in node.targets):
            self.emit(node, "loop passed")  # class C: _loop = None, the default of self._loop
        comment = node.type_comment or self._type_comment(node)
        if comment:
            try:
                parsed = ast.parse(comment, mode="eval").body
            except SyntaxError:
                parsed = None
            if parsed is not None:
                for sub in walk(parsed):
                    ast.copy_location(sub, node)
                self.visit(parsed)
        before = len(self.scan.found)
        self.generic_visit(node)
        created = any(ROWS.get(c) == "create-task" for _, _, c in self.scan.found[before:])
        for target in node.targets:
            ref = reference(target)
            if created and ref is not None:
                self.created.setdefault(ref, []).append(node)
                self.uses.setdefault(ref, []).append(("asyncio.create_task", node.lineno, False))

    def _loop_field(self, node: ast.expr | None) -> bool:
        """``bus._loop``, ``scheduler._eventloop``, ``self.reactor.loop``: another object's
        loop, read in a file that uses asyncio (handing it on or keeping it is a change)."""
        if not (isinstance(node, ast.Attribute) and self.scan.loop_file
                and node.attr in ("loop", "_loop", "_eventloop", "_event_loop")):
            return False  # (self.eventloop: ipykernel's GUI integration, a function)
        root = node.value
        path: list[str] = []
        while isinstance(root, ast.Attribute):
            path.append(root.attr)
            root = root.value
        if not isinstance(root, ast.Name):
            return False  # what a call returned, not a path of fields
        # (self.config.loop, args.loop: a setting that names a loop kind, uvicorn's
        # --loop option, a string)
        return not any(part.lower().lstrip("_") in SETTINGS for part in [*path, root.id])

    def _holds_loop(self, node: ast.expr | None) -> bool:
        """A reference to a loop (``loop``, ``self._loop``), or a call of this file's own
        function that returns one (``self._get_loop()``): a line that passes, keeps, tests or
        returns it changes, since a Trio program has no loop object."""
        if node is None:
            return False
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("pop", "get") and node.args \
                    and isinstance(node.args[0], ast.Constant) \
                    and node.args[0].value in LOOP_PARAMS and self.scan.loop_file:
                return True  # kwargs.pop("loop", None)
            name = func.id if isinstance(func, ast.Name) else \
                func.attr if isinstance(func, ast.Attribute) else None
            # parent._get_loop(): a method of this file's that returns a loop, on any receiver;
            # unit.loop_initializer(): what makes the program's loop
            return name is not None and (self.scan.factories.get(name) == "loop"
                                         or (self.scan.loop_file and makes_loops(name)))
        if isinstance(node, ast.Tuple | ast.List):
            return any(self._holds_loop(each) for each in node.elts)  # key = args, loop
        ref = reference(node)
        if ref is not None and self.scan.loop_file and makes_loops(ref.rpartition(".")[2]):
            return True  # self.loop_initializer, unit.loop_factory
        if self._loop_field(node):
            return True
        return ref is not None and qualname(node, self.scan) == "loop"

    def visit_Delete(self, node: ast.Delete) -> None:
        """``del self._tasks[key]``: a task taken out of a container of tasks kept by hand,
        as ``remove`` takes one: task-set, the corpus README's eleventh-part ruling (a nursery
        keeps its children, so the container and its lines go). Not ``del d[k]["task"]``, an
        item of an item; nor where a service stops, a line of the service, as clearing its
        container is none (the twelfth part's ruling)."""
        for target in node.targets:
            if isinstance(target, ast.Subscript) \
                    and isinstance(target.value, ast.Name | ast.Attribute) \
                    and self._kept_tasks(target.value) and not self._in_service(starting=False):
                self.emit(target, "task set")
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        """``if loop is None:``, ``loop is not self._loop``: testing a loop handed in."""
        operands = [node.left, *node.comparators]
        if any(self._holds_loop(each) for each in operands) and all(
                self._holds_loop(each) or (isinstance(each, ast.Constant) and each.value is None)
                for each in operands):
            self.emit(node, "loop passed")
        if len(operands) == 2 and isinstance(node.ops[0], ast.In | ast.NotIn) \
                and self._holds_loop(operands[0]) and not self._holds_loop(operands[1]):
            self.emit(node, "loop passed")  # if loop not in self._clients: a loop as a key
        if len(operands) == 2 and isinstance(node.ops[0], ast.In | ast.NotIn) \
                and qualname(operands[1], self.scan) == "web":
            self.emit(node, "web")  # if KEY not in app: a look into the app's storage
        if len(operands) == 2 and isinstance(node.ops[0], ast.Is | ast.IsNot) \
                and _is_none(operands[1]) and isinstance(node.left, ast.Name) \
                and (self.scan.aliases.get(node.left.id) or "").startswith("lib:"):
            # ``if uvloop is not None:`` after ``try: import uvloop except ImportError:
            # uvloop = None``: whether an optional library is there, no use of its API
            return
        self.generic_visit(node)

    def _tests_loop(self, test: ast.expr) -> None:
        """``if self._loop:``, ``if not loop:``, ``loop or asyncio.get_event_loop()``."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            test = test.operand
        values = test.values if isinstance(test, ast.BoolOp) else [test]
        for value in values:
            if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not):
                value = value.operand
            if reference(value) is not None and self._holds_loop(value):
                self.emit(value, "loop passed")

    def visit_If(self, node: ast.If) -> None:
        if not self.functions and not self.main_block and _is_main_test(node.test):
            # if __name__ == "__main__": the script's own scope, where a name bound to the
            # file's own object (ws = WSServer(...)) is that object to the end of the block
            self.main_block = True
            outer = self.scan.shadowed
            self.generic_visit(node)
            self.scan.shadowed = outer
            self.main_block = False
            return
        self._tests_loop(node.test)
        duck = {sub.args[0].id for sub in walk(node.test)
                if isinstance(sub, ast.Call) and sub.args and isinstance(sub.args[0], ast.Name)
                and ((callback_name(sub.func) == "hasattr" and len(sub.args) == 2
                      and isinstance(sub.args[1], ast.Constant)
                      and sub.args[1].value == "__await__")
                     or callback_name(sub.func) == "isawaitable")}
        if duck:
            # if hasattr(result, "__await__"): await result: awaits whatever it was given,
            # any framework's awaitable (a library's close() that may or may not be async)
            outer = self.awaitables
            self.awaitables = outer | duck
            self.visit(node.test)
            for each in node.body:
                self.visit(each)
            self.awaitables = outer
            for each in node.orelse:
                self.visit(each)
            return
        narrowed = self._narrowed(node.test)
        other = self._narrowed_out(node.test)
        if narrowed is None and other is not None:
            # if isinstance(request, web.Request): ... else: request is the other framework's
            # object (a Starlette request), whatever kind the name has in the if branch
            self.visit(node.test)
            for each in node.body:
                self.visit(each)
            outer = self.scan.shadowed
            self.scan.shadowed = outer | {other}
            for each in node.orelse:
                self.visit(each)
            self.scan.shadowed = outer
            return
        if narrowed is None:
            self.generic_visit(node)
            return
        # if isinstance(data, io.BufferedIOBase): under this test ``data`` is that plain
        # object, whatever the name holds elsewhere (await aiofiles.open(data) a line above);
        # and the test asks whether it is that object, not a use of the loop or file it
        # may be instead
        outer = self.scan.shadowed
        self.scan.shadowed = outer | {narrowed}
        self.visit(node.test)
        for each in node.body:
            self.visit(each)
        self.scan.shadowed = outer
        for each in node.orelse:
            self.visit(each)

    def _narrowed_out(self, test: ast.expr) -> str | None:
        """The name ``isinstance(name, T)`` tests, where every ``T`` is asyncio's or an
        asyncio-only library's class: in the ``else`` branch the name is something else."""
        if not (isinstance(test, ast.Call) and isinstance(test.func, ast.Name)
                and test.func.id == "isinstance" and len(test.args) == 2
                and isinstance(test.args[0], ast.Name)):
            return None
        types = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
        for each in types:
            name = qualname(each, self.scan) if isinstance(each, ast.Name | ast.Attribute) \
                else None
            if name is None or not (name.startswith(("lib:", "aiohttp", "web."))):
                # (isinstance(loop, BaseEventLoop): the else branch holds another loop)
                return None
        return test.args[0].id

    def _narrowed(self, test: ast.expr) -> str | None:
        """The name ``isinstance(name, T)`` tests, where every ``T`` is a class of the standard
        library (not asyncio's) or of the file's own: a kind the file gives the name
        elsewhere does not hold in that branch."""
        if not (isinstance(test, ast.Call) and isinstance(test.func, ast.Name)
                and test.func.id == "isinstance" and len(test.args) == 2
                and isinstance(test.args[0], ast.Name)
                and test.args[0].id in self.scan.kinds):
            return None
        types = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
        for each in types:
            if not isinstance(each, ast.Name | ast.Attribute):
                return None
            name = qualname(each, self.scan) or ast.unparse(each)
            if isinstance(each, ast.Name) and (each.id in self.defined_classes
                                               or each.id in PLAIN_TYPES):
                continue
            if foreign_type(each, self.scan, self.defined_classes):
                continue  # the package's own class (nbio_interface.AbstractIOServices)
            if "." not in name or name.split(".")[0] not in STDLIB \
                    or name.startswith("asyncio"):
                return None
        return test.args[0].id

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        outer = self.formatting
        self.formatting = True
        self.generic_visit(node)
        self.formatting = outer

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self._tests_loop(node.test)
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        self._tests_loop(node)
        self.generic_visit(node)

    def visit_Return(self, node: ast.Return) -> None:
        if self._holds_loop(node.value) and not isinstance(node.value, ast.Call):
            self.emit(node, "loop passed")  # a helper that hands the loop on
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        """``{"loop": loop, "limit": n}``: a loop stored in a mapping (settings handed on
        later, a record of a scheduled job) is kept and handed on, as ``self._loop = loop``
        is (the corpus README's third settled case)."""
        for value in node.values:
            if self.scan.loop_file and qualname(value, self.scan) == "loop":
                self.emit(value, "loop passed")
        self.generic_visit(node)

    def visit_Yield(self, node: ast.Yield) -> None:
        """``yield loop`` in a fixture or a context manager hands the loop to its user, as
        ``return loop`` does (the corpus README's sixth-part ruling: returning a loop is
        handing it on)."""
        if node.value is not None and self._holds_loop(node.value):
            self.emit(node, "loop passed")
        self.generic_visit(node)

    def _type_comment(self, node: ast.Assign) -> str | None:
        """``x = None  # type: asyncio.Handle`` (the tree is parsed without type comments)."""
        if node.end_lineno != node.lineno or not 0 < node.lineno <= len(self.lines):
            return None
        text = self.lines[node.lineno - 1]
        at = text.find("# type:")
        if at < 0 or at < (node.end_col_offset or 0):
            return None
        comment = text[at + len("# type:"):].split("#")[0].strip()
        return comment or None

    def _cast_type(self, quoted: ast.Constant) -> None:
        """The type ``typing.cast`` is given in quotes: an annotation (see ``visit_Call``)."""
        try:
            parsed = ast.parse(str(quoted.value), mode="eval").body
        except SyntaxError:
            return
        if annotation_kind(parsed, self.scan) == ("task", True):
            self.emit(quoted, "task set")
        else:
            self._string_annotation(quoted)

    def _string_annotation(self, annotation: ast.expr | None) -> None:
        """``"asyncio.Task[int]"`` in quotes is still asyncio."""
        if annotation is None:
            return
        for sub in walk(annotation):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                try:
                    parsed = ast.parse(sub.value, mode="eval").body
                except SyntaxError:
                    continue
                for each in walk(parsed):
                    ast.copy_location(each, sub)
                self.visit(parsed)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            target = self.scan.aliases.get(node.id)
            if target == "asyncio.log.logger":
                pass  # from asyncio.log import logger: a logging.Logger, used as one
            elif target and ((target.split(".")[0] in MODULES and "." in target)
                           or target.startswith("lib:")):
                construct = construct_of(target)
                self.emit(node, construct)
                if construct.startswith("aiohttp."):
                    self.families.setdefault("aiohttp", set()).add(construct)
            elif id(node) in self.library_timeouts:
                self.emit(node, self.library_timeouts[id(node)])  # aiohttp's own timeout
            elif node.id == "TimeoutError" and node.id not in self.scan.foreign \
                    and id(node) not in self.other_timeouts and self.asyncio_file \
                    and id(node) in self.caught:
                # the builtin, which asyncio's timeouts raise, caught; raising it (or an
                # isinstance check) is the same under Trio, whose timeouts raise another
                self.emit(node, node.id)

    def _emit_service(self, node: ast.AST, construct: str) -> None:
        row = ROWS.get(construct)
        if construct == "task.add_done_callback" and self._in_service(starting=True):
            row = "create-task"  # watching the task a service starts is part of starting it
        if (row == "create-task" and self._in_service(starting=True)) \
                or (row in ("task-cancel", "task-result") and self._in_service(starting=False)
                    and not (self.sweeps and self.sweeps[-1])):
            # (not in a stop() that cancels every task of the loop, asyncio.all_tasks(): that
            # is a sweep of the program's tasks, each one's own row, no service's lifetime)
            self.emit(node, "service")

    def _client_errors(self, node: ast.Try) -> None:
        """``except aiohttp.ClientResponseError as err``: ``err.status``, ``err.message`` are
        aiohttp's error's fields, which httpx's ``HTTPStatusError`` spells otherwise
        (``err.response.status_code``, ``str(err)``): each read in the handler is a finding.
        So are the fields of a websockets error (``except ConnectionClosed as exc``:
        ``exc.code``, ``exc.reason``, ``exc.rcvd``; ``InvalidStatus``'s ``exc.response``),
        which trio-websocket's ``ConnectionClosed`` and ``ConnectionRejected`` spell otherwise
        (``exc.reason.code``, ``exc.status_code``): the corpus README's eighth-part ruling."""
        for handler in node.handlers:
            if handler.name is None or handler.type is None:
                continue
            types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
            # (in a coroutine only: in a plain def it is websockets' blocking client's error,
            # a blocking twin; and not getattr(exc.response, "status_code", None), which reads
            # whatever error it is handed)
            sockets = sorted(lib for each in types
                             if (lib := lib_construct(qualname(each, self.scan) or ""))
                             and library_row(lib.removeprefix("lib:")) == "websocket"
                             ) if self.coroutines and self.coroutines[-1] else []
            body = ast.Module(handler.body if sockets else [], [])
            duck = {id(call.args[0]) for call in walk(body) if isinstance(call, ast.Call)
                    and _last_name(call.func) == "getattr" and call.args}
            for sub in walk(body):
                if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) \
                        and sub.value.id == handler.name and sub.attr in WEBSOCKET_ERROR_FIELDS \
                        and id(sub) not in duck:
                    self.emit(sub, sockets[0])
            self._error_fields(handler.name, handler.body, types)

    def _narrowed_errors(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """``if isinstance(exc, aiohttp.ClientResponseError): return exc.status``, ``isinstance(
        exc, ClientResponseError) and exc.status == 429``, ``not isinstance(exc, ...) or
        exc.status in FATAL``: where the test holds, the name is that error (its body, the
        operands after it), whatever the parameter's annotation says (``exc: Exception``)."""
        for each in walk(ast.Module(node.body, [])):
            tests: list[tuple[ast.expr, list[ast.stmt]]] = []
            if isinstance(each, ast.If):
                tests.append((each.test, each.body))
            elif isinstance(each, ast.BoolOp):
                for at, value in enumerate(each.values):
                    test = value.operand if isinstance(each.op, ast.Or) \
                        and isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not) \
                        else value if isinstance(each.op, ast.And) else None
                    if test is not None:
                        rest: list[ast.stmt] = [ast.Expr(later)
                                                for later in each.values[at + 1:]]
                        tests.append((test, rest))
            for test, body in tests:
                if isinstance(test, ast.Call) and _last_name(test.func) == "isinstance" \
                        and len(test.args) == 2 and isinstance(test.args[0], ast.Name):
                    kinds = test.args[1]
                    self._error_fields(test.args[0].id, body, list(
                        kinds.elts if isinstance(kinds, ast.Tuple) else [kinds]))

    def _error_fields(self, name: str, body: list[ast.stmt], types: list[ast.expr]) -> None:
        """The reads of an aiohttp client error's renamed fields (``err.status``) in ``body``,
        where ``name`` is one of ``types``: an ``except`` handler's name, or a parameter
        annotated with such an error (``def retryable(error: ClientResponseError)``)."""
        if not any((qualname(each, self.scan) or "").startswith("aiohttp.")
                   and not (qualname(each, self.scan) or "").startswith("aiohttp.web")
                   and (qualname(each, self.scan) or "").endswith("Error")
                   for each in types):
            return
        for stmt in body:
            for sub in walk(stmt):
                if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) \
                        and sub.value.id == name and isinstance(sub.ctx, ast.Load) \
                        and sub.attr in CLIENT_ERROR_FIELDS:
                    self.client_error_fields.add(id(sub))

    def _websocket_body(self, body: list[ast.stmt]) -> bool:
        """Whether ``body`` opens or uses a WebSocket (``session.ws_connect(...)``,
        ``ws.send_str(...)``) and makes no plain HTTP request of a session."""
        websocket = request = False
        for stmt in body:
            for sub in walk(stmt):
                if not (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)):
                    continue
                called = qualname(sub.func, self.scan) or ""
                if sub.func.attr in WEBSOCKET_METHODS or called.startswith("websocket."):
                    websocket = True
                elif called.startswith("session.") and sub.func.attr in HTTP_METHODS:
                    request = True
        return websocket and not request

    def visit_Try(self, node: ast.Try) -> None:
        self._client_errors(node)
        if self._websocket_body(node.body):
            # except aiohttp.ClientConnectorError (or ClientError) around ws_connect or a
            # WebSocket's send: trio-websocket raises its own errors, so the handler takes
            # the websocket row (the corpus README's eighth-part ruling), not the client's
            self.websocket_errors.update(
                id(sub) for handler in node.handlers if handler.type is not None
                for sub in walk(handler.type) if isinstance(sub, ast.Name | ast.Attribute)
                and (qualname(sub, self.scan) or "").startswith("aiohttp."))
        threads = any(isinstance(sub, ast.Call) and qualname(sub.func, self.scan) in THREADS
                      for stmt in node.body for sub in walk(stmt))
        if threads:
            # (except RuntimeError, the loop closed under the thread, stays: what Trio raises
            # then, trio.RunFinishedError, is a RuntimeError)
            for handler in node.handlers:
                if handler.type is not None and ast.unparse(handler.type) in (
                        "concurrent.futures.TimeoutError", "futures.TimeoutError"):
                    # run_coroutine_threadsafe(...).result(t) timed out: trio.from_thread.run
                    # has no timeout, the Trio side bounds its own wait
                    self.emit(handler, "except TimeoutError from a thread")
        # `except KeyboardInterrupt` around asyncio.run (or a loop's run): Trio's may come in
        # a group. Around anything else (a sync main) it stays as it is.
        timer = self._aiohttp_timer(node.body) if not self._times_out(node.body) else None
        if timer is not None:
            # except asyncio.TimeoutError around an aiohttp request (or a WebSocket's receive)
            # and no asyncio timeout: aiohttp's own timeout raised it (a session has one by
            # default), and httpx or trio-websocket raise their own errors, so the handler
            # takes the library's row (the corpus README's TimeoutError-source case)
            for handler in node.handlers:
                for sub in walk(handler.type) if handler.type is not None else ():
                    if isinstance(sub, ast.Name | ast.Attribute) and (
                            sub.id if isinstance(sub, ast.Name) else sub.attr) \
                            == "TimeoutError" and (isinstance(sub, ast.Name) or qualname(
                                sub.value, self.scan) == "asyncio"):
                        self.library_timeouts[id(sub)] = timer
        elif not self._times_out(node.body):
            # ``except TimeoutError`` around no asyncio timeout (a socket's, a thread's) is
            # not the one asyncio's timeouts raise: it stays as it is in a port
            for handler in node.handlers:
                if handler.type is not None:
                    self.other_timeouts.update(
                        id(n) for n in walk(handler.type)
                        if isinstance(n, ast.Name) and n.id == "TimeoutError")
        self._backports(node)
        if self._uses_streams(node.body):
            # except ConnectionResetError around writer.write(): Trio's streams raise
            # BrokenResourceError, no ConnectionError, so the handler changes (the corpus
            # README's settled case; a bare except or except Exception stays)
            for handler in node.handlers:
                caught = {_last_name(each) for each in walk(handler.type)
                          if isinstance(each, ast.Name | ast.Attribute)} \
                    if handler.type is not None else set()
                for sub in walk(handler.type) if handler.type is not None else ():
                    if isinstance(sub, ast.Name | ast.Attribute) and (
                            sub.id if isinstance(sub, ast.Name) else sub.attr) in PEER_GONE \
                            and (isinstance(sub, ast.Name)
                                 or qualname(sub.value, self.scan) == "asyncio"):
                        self.emit(sub, "except ConnectionError")
                    elif isinstance(sub, ast.Name | ast.Attribute) and (
                            sub.id if isinstance(sub, ast.Name) else sub.attr) in TLS_BROKEN \
                            and "OSError" not in caught \
                            and ((isinstance(sub, ast.Name) and sub.id in self.stdlib) or (
                                isinstance(sub, ast.Attribute)
                                and isinstance(sub.value, ast.Name) and sub.value.id == "ssl")):
                        # except ssl.SSLCertVerificationError around a TLS connect: Trio's
                        # SSLStream raises BrokenResourceError from the ssl module's error
                        # (beside OSError, of which it is a subclass, the working keys keep
                        # the handler, as for OSError alone around a connect)
                        self.emit(sub, "except ConnectionError")
        if not self._uses_streams(node.body) and self._uses_websocket(node.body):
            # except ConnectionError (or RuntimeError) around a websocket's connect or send:
            # trio-websocket raises its own errors (ConnectionClosed, HandshakeError), so the
            # handler changes (the corpus README's eighth-part ruling)
            for handler in node.handlers:
                first = handler.type.elts[0] if isinstance(handler.type, ast.Tuple) \
                    and handler.type.elts else handler.type
                for sub in walk(handler.type) if handler.type is not None else ():
                    if isinstance(sub, ast.Name) and sub.id in PEER_GONE | {
                            "RuntimeError", "ConnectionAbortedError"}:
                        # (on the tuple's first line, where the handler is labelled: its
                        # continuation lines are no construct of their own)
                        self.emit(first or sub, "websocket")
        if self._runs(node.body) or self._waits_in_coroutine(node.body):
            # around a run, or a coroutine's wait on asyncio's own future or task: where
            # asyncio delivers Ctrl-C
            for handler in node.handlers:
                if handler.type is not None and any(
                        isinstance(n, ast.Name) and n.id == "KeyboardInterrupt"
                        for n in walk(handler.type)):
                    self.emit(handler, "KeyboardInterrupt")
        self.generic_visit(node)

    def _backports(self, node: ast.Try) -> None:
        """``try: from asyncio import TaskGroup`` ``except ImportError: from taskgroup import
        TaskGroup``: the fallback binds the same name to asyncio's backport, the same row."""
        bound = {alias.asname or alias.name: construct_of(f"{stmt.module}.{alias.name}")
                 for stmt in node.body if isinstance(stmt, ast.ImportFrom)
                 and (stmt.module or "").split(".")[0] == "asyncio" and not stmt.level
                 for alias in stmt.names}
        if not bound:
            return
        for handler in node.handlers:
            if handler.type is None or not any(
                    isinstance(sub, ast.Name) and sub.id in ("ImportError", "ModuleNotFoundError")
                    for sub in walk(handler.type)):
                continue
            for stmt in handler.body:
                if isinstance(stmt, ast.ImportFrom) and (stmt.module or "").split(".")[0] \
                        != "asyncio":
                    for alias in stmt.names:
                        if (alias.asname or alias.name) in bound:
                            self.emit(stmt, bound[alias.asname or alias.name])

    def _uses_websocket(self, body: list[ast.stmt]) -> bool:
        """Whether ``body`` opens or calls a WebSocket: the websockets library's (``await
        websockets.connect(url)``, ``await ws.send(m)``) or aiohttp's (``ws.send_str``)."""
        for stmt in body:
            for sub in walk(stmt):
                if not isinstance(sub, ast.Call):
                    continue
                name = qualname(sub.func, self.scan) or ""
                if name.split(".")[0] == "websocket" or name == "session.ws_connect" or (
                        name.startswith("lib:") and row_of(lib_construct(name) or "") ==
                        "websocket"):
                    return True
        return False

    def _uses_streams(self, body: list[ast.stmt]) -> bool:
        """Whether ``body`` calls an asyncio stream or transport (``writer.drain()``,
        ``asyncio.open_connection(...)``, ``transport.write(b)``)."""
        for stmt in body:
            for sub in walk(stmt):
                if not isinstance(sub, ast.Call):
                    continue
                name = qualname(sub.func, self.scan) or ""
                if name.split(".")[0] in ("stream", "transport") or name in STREAM_OPENERS \
                        or (isinstance(sub.func, ast.Attribute)
                            and sub.func.attr in STREAM_ONLY):
                    return True
                if _own_call(sub) in self.connectors:
                    return True  # await self._connect(): the file's own way to open them
        return False

    def visit_With(self, node: ast.With) -> None:
        """``with contextlib.suppress(KeyboardInterrupt):`` around a run is the same catch."""
        runs = self._runs(node.body)
        inside = self._waits_in_coroutine(node.body)
        if runs or inside:
            for item in node.items:
                expr = item.context_expr
                suppresses = isinstance(expr, ast.Call) and (
                    ast.unparse(expr.func).rpartition(".")[2] == "suppress")
                # inside a coroutine only a suppress catches the program's Ctrl-C; a test's
                # pytest.raises(KeyboardInterrupt) there checks a raise of its own
                if (runs or suppresses) and any(
                        isinstance(n, ast.Name) and n.id == "KeyboardInterrupt"
                        for n in walk(expr)):
                    self.emit(expr, "KeyboardInterrupt")
        # with open(path, "wb") as writer: a plain with hands out no asyncio or aiohttp object
        # (asyncio's streams and aiohttp's are entered with async with), so in its block the
        # name is that file, whatever it holds elsewhere in the function
        local = {item.optional_vars.id for item in node.items
                 if isinstance(item.optional_vars, ast.Name)
                 and isinstance(item.context_expr, ast.Call)
                 and qualname(item.context_expr, self.scan) is None
                 # (the file's own context manager may hand out a future it made)
                 and _own_call(item.context_expr) not in self.defined}
        outer = self.scan.shadowed
        self.scan.shadowed = outer | local
        self.generic_visit(node)
        self.scan.shadowed = outer

    def _aiohttp_timer(self, body: list[ast.stmt]) -> str | None:
        """The construct of aiohttp's object whose timeout ``body`` may run into: a
        WebSocket's (``ws.receive()``, ``session.ws_connect``) or the client's (a request, a
        response's read); None where ``body`` calls neither."""
        found = None
        for stmt in body:
            for sub in _own_nodes_of(stmt):
                if not isinstance(sub, ast.Call):
                    continue
                name = qualname(sub.func, self.scan) or ""
                top = name.split(".")[0]
                if top == "websocket" or name == "session.ws_connect":
                    return "websocket"
                if top in ("session", "response") or (
                        name.startswith("aiohttp.") and row_of(construct_of(name))
                        == "aiohttp-client"):
                    found = "aiohttp"
        return found

    def _times_out(self, body: list[ast.stmt]) -> bool:
        """Whether ``body`` waits under an asyncio timeout (``asyncio.timeout``, ``wait_for``)."""
        for stmt in body:
            for sub in walk(stmt):
                if isinstance(sub, ast.Call):
                    name = qualname(sub.func, self.scan)
                    if name and row_of(construct_of(name)) in ("timeout", "timeout-at",
                                                                 "wait-for"):
                        return True
                    if _own_call(sub) in self.timers:
                        return True  # await self._connect(t), which waits under a timeout
        return False

    def _waits_in_coroutine(self, body: list[ast.stmt]) -> bool:
        """Whether ``body`` is in a coroutine of an asyncio file, where an ``except
        KeyboardInterrupt`` is ``ctrl-c`` (the corpus README's ninth-part ruling):
        ``asyncio.run`` turns the first Ctrl-C into the main task's cancellation, so such a
        handler seldom runs under asyncio, while Trio raises ``KeyboardInterrupt`` inside the
        program, maybe in a group, whatever the block awaits. Not around a prompt's reading
        (``prompt()``, ``await session.prompt_async()``): there the prompt library raises
        ``KeyboardInterrupt`` itself for the key, the same under Trio."""
        if not (self.coroutines and self.coroutines[-1] and self.scan.loop_file):
            return False
        return not any(isinstance(sub, ast.Call) and callback_name(sub.func) in PROMPTS
                       for stmt in body for sub in _own_nodes_of(stmt))

    def _runs(self, body: list[ast.stmt]) -> bool:
        """Whether ``body`` runs an asyncio program (``asyncio.run``, a loop's run), itself or
        through a function of the file that does (``mock.start()``, whose ``start`` calls
        ``asyncio.run(self.main())``)."""
        if self.running is None:
            self.running = {
                each.name for each in walk(self.tree)
                if isinstance(each, ast.FunctionDef) and any(
                    isinstance(sub, ast.Call) and qualname(sub.func, self.scan) in RUNS
                    for sub in own_nodes(each))}
        return any(isinstance(sub, ast.Call) and (
            qualname(sub.func, self.scan) in RUNS
            or callback_name(sub.func) in self.running)
            for stmt in body for sub in walk(stmt))

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        base = None
        for expr in node.bases:
            name = qualname(expr, self.scan)
            if name and (name.split(".")[0] in MODULES or name.startswith("lib:")):
                base = construct_of(name)
        own = {item.name for item in node.body
               if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)}
        # class Request(asyncio.Future, AbstractRequest): the methods of a base the file
        # defines itself are the class's own too, not the asyncio base's
        own |= {item.name for other in walk(self.tree) if isinstance(other, ast.ClassDef)
                and other is not node and any(isinstance(expr, ast.Name) and expr.id == other.name
                                              for expr in node.bases)
                for item in other.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)}
        own.add("__class__")  # self.__class__(...): the file's own class, made again
        if base is not None:  # and what the class itself stores, on self or in its body
            for sub in walk(node):
                if isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Store) \
                        and isinstance(sub.value, ast.Name) and sub.value.id == "self":
                    own.add(sub.attr)
                elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    own.add(sub.id)
        # (A protocol by duck typing, made by a loop's create_*, has no line of its own to
        # change: the callbacks' ``def`` lines are not labelled (the corpus README's settled
        # case), and what they call on the transport is found as the transport's.)
        self.classes.append((own, base))
        package = next((each for each in (external_of(expr, self.scan) for expr in node.bases)
                        if each is not None), None)
        # (what the class keeps on self is its own, whatever the base: only an inherited
        # method, awaited, is the package's)
        kept = {sub.attr for sub in walk(node) if isinstance(sub, ast.Attribute)
                and isinstance(sub.ctx, ast.Store) and isinstance(sub.value, ast.Name)
                and sub.value.id == "self"}
        self.external_bases.append((package, own | kept) if package else None)
        self.own_bases.append(bool(node.bases) and all(
            isinstance(expr, ast.Name) and expr.id in self.package_names for expr in node.bases))
        self.mixed_bases.append(any(
            isinstance(expr, ast.Name) and expr.id in self.package_names for expr in node.bases))
        # session: Session in this class, AsyncSession in its twin: here self.session is the
        # class's own typed field, not the object another class keeps under that name
        hidden = {ref: self.scan.kinds.pop(ref)
                  for ref in (f"self.{name}"
                              for name in plainly_typed_fields(node, self.scan, self.tree))
                  if ref in self.scan.kinds}
        self.generic_visit(node)
        self.scan.kinds.update(hidden)
        self.classes.pop()
        self.external_bases.pop()
        self.own_bases.pop()
        self.mixed_bases.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._decorators(node)
        self._signature(node)
        arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        generator = any(isinstance(sub, ast.Yield | ast.YieldFrom) for sub in own_nodes(node))
        self.functions.append((node.name, {a.arg for a in arguments}, generator))
        self.held_aliases.append({})
        self.sweeps.append(any(isinstance(sub, ast.Call)
                               and qualname(sub.func, self.scan) == "asyncio.all_tasks"
                               for sub in own_nodes(node)))
        self.coroutines.append(isinstance(node, ast.AsyncFunctionDef))
        self.completed.append({
            sub.func.value.id for sub in own_nodes(node)
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
            and sub.func.attr in FUTURE_ONLY and isinstance(sub.func.value, ast.Name)})
        self.old_style.append(any(
            ROWS.get(construct_of(qualname(d, self.scan) or "")) == "coroutine-decorator"
            for d in node.decorator_list))
        self.generators.append(generator and isinstance(node, ast.AsyncFunctionDef) and not any(
            "contextmanager" in ast.unparse(d) or "fixture" in ast.unparse(d)
            for d in node.decorator_list))
        self.generator_defs.append(node)
        before = len(self.scan.found)
        outer = self.scan.shadowed
        # a parameter that shares its name with an object assigned elsewhere in the file is
        # not that object, unless the file gives this function's parameter its kind
        stored = {sub.id for sub in own_nodes(node)
                  if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store)}
        self.scan.shadowed = (outer - {a.arg for a in arguments}) | {
            a.arg for a in arguments if a.arg in self.scan.assigned and a.arg not in stored
            and (node.name, a.arg) not in self.scan.given} | {
            # for job in self.jobs, a set annotated as holding the file's own class: this
            # function's ``job`` is not the asyncio object that name is elsewhere
            sub.target.id for sub in own_nodes(node)
            if isinstance(sub, ast.For | ast.AsyncFor) and isinstance(sub.target, ast.Name)
            and reference(sub.iter) in self.scan.plain} | self._rebound(node, arguments) | {
            # def parse(self, response: str): a value of a builtin type, whatever the name
            # holds elsewhere in the file (an aiohttp response in another method)
            a.arg for a in arguments if a.annotation is not None
            and (node.name, a.arg) not in self.scan.given
            and _builtin_value(a.annotation, self.stdlib)} | {
            # def register(self, loop: AgentLoop): typed as a class of this file's own, which
            # no event loop is, whatever the name holds elsewhere
            a.arg for a in arguments if (node.name, a.arg) not in self.scan.given
            and defined_classes_only(a.annotation, self.tree)} | {
            # def query_sync(context: SyncContext), SyncContext from playwright.sync_api:
            # typed as a class of a module neither asyncio's nor a library's (the blocking
            # twin), whatever the name holds in the function's asyncio twin
            a.arg for a in arguments if (node.name, a.arg) not in self.scan.given
            and (self._typed_elsewhere(a.annotation, isinstance(node, ast.FunctionDef))
                 # def from_requests(cls, response: requests.Response): another package's
                 # object, though the name is an aiohttp response in another function
                 or self._other_package_type(a.annotation))}
        self.generic_visit(node)
        self.scan.shadowed = outer
        self.functions.pop()
        self.held_aliases.pop()
        self.sweeps.pop()
        self.coroutines.pop()
        self.completed.pop()
        self.old_style.pop()
        self.generators.pop()
        self.generator_defs.pop()
        returns = annotation_kind(node.returns, self.scan) if node.returns is not None \
            else (None, False)
        if node.returns is not None and returns == ("task", True):
            self.returned[node.returns.lineno] = "task set"  # -> list[Task[T]]: a container
        elif node.returns is not None and returns[0] == "task":
            # ``-> Task[T]``: the row of what this function does with its task (it creates
            # one, it waits for the first of them)
            line = node.returns.lineno
            counts: dict[str, int] = {}
            first: dict[str, str] = {}
            for at, _, construct in self.scan.found[before:]:
                row = ROWS.get(construct)
                if at != line and row in TASK_ROWS and construct != "asyncio.Task":
                    counts[row] = counts.get(row, 0) + 1  # (not another annotation)
                    first.setdefault(row, construct)
            if counts:
                self.returned[line] = first[max(counts, key=lambda row: counts[row])]

    def _in_service(self, starting: bool) -> bool:
        """Inside what starts (or stops) a background service: its task is its lifetime."""
        if not self.functions:
            return False
        name, _, generator = self.functions[-1]
        names = SERVICE_STARTS if starting else SERVICE_STOPS
        return generator or name in names

    def _signature(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        for arg in arguments:
            self._string_annotation(arg.annotation)
            if arg.annotation is not None:  # def retryable(error: ClientResponseError)
                self._error_fields(arg.arg, node.body, [arg.annotation])
            kind, collection = annotation_kind(arg.annotation, self.scan)
            if kind == "task":  # one task, or tasks (the rows of what is done with them)
                self.annotated.append((arg.lineno, arg.arg))
                if collection:
                    self.collections.add(arg.lineno)
            if loop_param(arg.arg) and arg.arg != "event_loop" and self.scan.loop_file and (
                    (loop_annotation(arg.annotation)
                     and not defined_classes_only(arg.annotation, self.tree))
                    or kind == "loop"):
                self.emit(arg, "loop passed")  # the old ``loop=`` parameter: Trio has no loop
            elif makes_loops(arg.arg) and self.scan.loop_file:
                self.emit(arg, "loop passed")  # loop_initializer=None: Trio makes no loop
        self._string_annotation(node.returns)
        self._narrowed_errors(node)
        fixture = node.name.startswith("test") or any(
            "fixture" in ast.unparse(d) for d in node.decorator_list)
        if fixture:
            for arg in arguments:
                if arg.arg in PYTEST_ASYNCIO_FIXTURES:
                    self.emit(arg, "pytest-asyncio fixture")
                    self._fixture_calls(node, arg.arg)

    def _fixture_calls(self, node: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> None:
        """``client = await aiohttp_client(app)``: a test's call of the plugin's fixture it asks
        for (a factory: pytest-aiohttp's client, pytest-asyncio's ``unused_tcp_port_factory``)
        is the plugin's API, as the parameter is, and changes with it (pytest-trio's side)."""
        for sub in walk(ast.Module(node.body, [])):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) \
                    and sub.func.id == name:
                self.emit(sub, "pytest-asyncio fixture")

    def _decorators(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if ast.unparse(target) == "pytest.mark.asyncio":
                self.emit(decorator, "pytest.mark.asyncio")
            elif isinstance(decorator, ast.Attribute):
                # @app.task, @app.on_startup.connect: a library object's decorator, not
                # called, is its API all the same (a called one is a call, found as such)
                made = qualname(decorator, self.scan) or ""
                if made.startswith("lib:") and lib_construct(made) \
                        and reference(decorator.value) is not None:
                    self.emit(decorator, lib_construct(made) or made)


#: Generic types whose quoted arguments are types (a type alias outside an annotation).
GENERICS = {"Union", "Optional", "List", "Dict", "Set", "FrozenSet", "Tuple", "Type",
            "Callable", "Awaitable", "Coroutine", "Sequence", "Iterable", "Mapping",
            "MutableMapping", "Generator", "AsyncGenerator", "AsyncIterator", "AsyncIterable",
            "Annotated", "ClassVar", "Final", "Deque", "DefaultDict", "list", "dict", "set",
            "frozenset", "tuple", "type"}
#: Rows whose Trio counterpart is a nursery or a cancel scope (an async generator must not
#: yield inside one).
SCOPES = {"timeout", "timeout-at", "taskgroup"}
#: An asyncio server's methods (handed on uncalled too: ``self._serve(server.serve_forever)``).
SERVER_METHODS = {"close", "wait_closed", "is_serving", "start_serving", "serve_forever",
                  "get_loop", "abort_clients", "close_clients"}
#: The names of asyncio's spawn, kept by the wrappers libraries put around it.
SPAWNS = {"create_task", "ensure_future"}
#: A class named for the async side of a package that has a blocking one: ``OssapiAsync``
#: beside ``Ossapi``, ``AsyncWebClient`` beside ``WebClient``.
ASYNC_TWIN = re.compile(r"^Async[A-Z]|[a-z0-9]Async(?:$|[A-Z])")
#: Methods no other object in an asyncio program has (concurrent.futures' are the same
#: shape, and as much a change).
FUTURE_ONLY = {"set_result", "set_exception"}
#: The rows of what code does with a task (what a task's annotation may take).
TASK_ROWS = {"create-task", "task-result", "task-cancel", "task-set", "service", "current-task",
             "task-name", "wait-first", "gather", "as-completed", "wait-for", "shield"}
#: The fields (properties, not methods) of asyncio's objects, by kind: ``StreamWriter``'s one
#: property is ``transport`` (StreamReader has none). Handed on as it is to a call the tool
#: knows, such a field is a pass-along: the call's line is where the port changes.
#: A session's fields that httpx's AsyncClient has under the same name: read, plain data.
SESSION_SAME = {"timeout", "auth"}
HANDED_FIELDS = {"stream": frozenset({"transport"}),
                 # a process's pipes handed to a function of the file (_read(proc.stdout)):
                 # what that function does with the stream is where the port changes
                 "process": frozenset({"stdin", "stdout", "stderr"})}
#: asyncio's primitives whose methods a subclass calls as Trio's twin spells them (only those
#: ROWS names differ: event.clear), by the construct of the base → the kind.
SAME_ON_TRIO = {"asyncio.Event": "event", "asyncio.Lock": "lock",
                "asyncio.Semaphore": "semaphore", "asyncio.BoundedSemaphore": "semaphore",
                "asyncio.Condition": "condition"}
#: Methods only asyncio's StreamReader and StreamWriter have (in an asyncio file, whatever the
#: receiver came from, it is a stream).
STREAM_ONLY = {"readexactly", "readuntil", "at_eof", "feed_eof", "feed_data", "drain"}
#: Of these, the ones a sans-I/O parser has too (``self._client.feed_data(data)``, a
#: protocol handing bytes to the package's codec): a StreamReader only on a reference named
#: for one (``conn.reader.feed_eof()``).
FEEDS = {"feed_data", "feed_eof"}
#: Kinds of what asyncio makes to be entered (``async with``) → the construct of its row.
ENTERED = {"taskgroup": "asyncio.TaskGroup", "timeoutcm": "asyncio.timeout",
           # a session entered and left by hand (a wrapper's own __aenter__): a call of a
           # method of aiohttp's object, labelled as its other calls are
           "session": "aiohttp"}
#: What asyncio's streams raise when the peer is gone, which Trio's do not (they raise
#: ``trio.BrokenResourceError``): a handler of one around stream calls changes.
PEER_GONE = {"ConnectionError", "ConnectionResetError", "BrokenPipeError",
             "IncompleteReadError",
             # around a connect: trio.open_tcp_stream raises a plain OSError when every
             # attempt fails, no ConnectionRefusedError (``except OSError`` stays)
             "ConnectionRefusedError"}
#: The ssl module's errors, which Trio's ``SSLStream`` raises as ``trio.BrokenResourceError``
#: (``raise trio.BrokenResourceError from exc``, trio/_ssl.py), so a handler of one changes.
TLS_BROKEN = {"SSLError", "SSLCertVerificationError", "CertificateError", "SSLEOFError",
              "SSLZeroReturnError"}
#: Calls that open asyncio streams (or a transport: the same errors, the same handler).
STREAM_OPENERS = {"asyncio.open_connection", "asyncio.open_unix_connection",
                  "loop.create_connection", "loop.create_unix_connection"}
#: Builtin types an ``isinstance`` test narrows a name to (plain data, whatever else it is).
PLAIN_TYPES = {"bytes", "bytearray", "memoryview", "str", "int", "float", "dict", "list",
               "tuple", "set", "frozenset", "bool"}
#: Methods of plain data (str, bytes, dict): called on a library object's field, no change.
DATA_METHODS = {"decode", "encode", "strip", "split", "splitlines", "lower", "upper",
                "startswith", "endswith", "format", "replace", "hex", "join", "items", "keys",
                "values", "removesuffix", "removeprefix",
                # str's and bytes' own predicates and padding (checked: each is a method of
                # str; no asyncio or aiohttp object has one)
                "isnumeric", "isascii", "isdigit", "isdecimal", "isalpha", "isalnum", "isspace",
                "islower", "isupper", "istitle", "isidentifier", "isprintable", "zfill",
                "ljust", "rjust", "center", "swapcase", "expandtabs", "casefold"}
#: A conversion to plain data (``frame.to_ndarray()``, ``record.as_dict()``), not awaited, on
#: what a library gave: the data it returns is the same in any port.
CONVERSIONS = ("to_", "as_")
#: Methods of plain data called on an item of a library object (``row["name"].title()``): a
#: record's field, where ``client["db"]["users"].find_one()`` is the library's own call.
ITEM_METHODS = DATA_METHODS | {
    "get", "title", "capitalize", "casefold", "isdigit", "isalpha", "count", "index", "find",
    "rstrip", "lstrip", "partition", "rsplit", "append", "extend", "copy", "update", "pop",
    "setdefault", "isoformat", "timestamp", "total_seconds", "hexdigest"}
#: An aiohttp response's fields that httpx's response spells differently (``status_code``,
#: ``reason_phrase``, ``aiter_bytes()``, ``is_success``, a header, ``encoding``,
#: ``request.method``, ``is_closed``): a port renames them, so reading one is a finding.
RENAMED_RESPONSE_FIELDS = {"status", "reason", "content", "ok", "content_type", "charset",
                           "method", "closed",
                           # and more httpx spells differently: no content_length (a header),
                           # headers.raw, url (no real_url), request, http_version
                           "content_length", "raw_headers", "real_url", "request_info",
                           "version"}
#: What a database library's query result gives one row by (SQLAlchemy's ``first``,
#: ``scalar``, ``one``; a DB-API cursor's ``fetchone``): a row, plain data.
ROW_GETTERS = {"first", "one", "one_or_none", "scalar", "scalar_one", "scalar_one_or_none",
               "fetchone"}
#: A websockets connection's fields that trio-websocket's ``WebSocketConnection`` spells
#: otherwise (``remote``, ``local``, ``closed`` and its ``code`` and ``reason``).
WEBSOCKET_FIELDS = {"remote_address", "local_address", "open", "close_code", "close_reason"}
#: A list's methods that add or take out a callback (``on_request_start.append(cb)``).
SIGNAL_EDITS = {"append", "extend", "insert", "remove"}
#: Fields of aiohttp's ``ClientResponseError`` that httpx's ``HTTPStatusError`` has not
#: (it keeps the response: ``err.response.status_code``, ``.headers``, ``.request``).
CLIENT_ERROR_FIELDS = {"status", "message", "request_info", "history"}
#: The fields of websockets' ``ConnectionClosed`` (and ``InvalidStatus``'s ``response``) that
#: trio-websocket's errors spell otherwise (its ``ConnectionClosed.reason`` is a record).
WEBSOCKET_ERROR_FIELDS = {"code", "reason", "rcvd", "sent", "response"}
#: What a response's field read is a finding for: a field httpx renames, or one that holds
#: the library's own objects (``resp.history``: aiohttp's responses, whose fields differ).
RESPONSE_OBJECTS = RENAMED_RESPONSE_FIELDS | {"history"}
#: The public names of aiohttp's client objects (aiohttp 3.14: ``ClientResponse`` with the
#: fields of ``ClientResponseError``, which the tool follows as a response; ``FormData``,
#: ``MultipartWriter`` and ``CookieJar``): a name outside these, on a reference the file
#: binds to one of them elsewhere, is another object's.
AIOHTTP_NAMES = {
    "response": frozenset({
        "charset", "close", "closed", "connection", "content", "content_disposition",
        "content_length", "content_type", "cookies", "get_encoding", "headers", "history",
        "host", "json", "links", "ok", "output_size", "raise_for_status", "raw_headers", "read",
        "real_url", "reason", "release", "request_info", "start", "status", "text",
        "upload_complete", "url", "url_obj", "version", "wait_for_close", "method",
        "message", "code", "args", "with_traceback", "add_note"}),
    "form": frozenset({
        "add_field", "add_fields", "is_multipart", "append", "append_form", "append_json",
        "append_payload", "as_bytes", "autoclose", "boundary", "close", "consumed",
        "content_type", "decode", "encoding", "filename", "headers", "set_content_disposition",
        "size", "write", "write_with_length", "clear", "clear_domain", "cookies",
        "filter_cookies", "host_only_cookies", "load", "quote_cookie", "save",
        "treat_as_secure_origin", "unsafe", "update_cookies", "update_cookies_from_headers"}),
}
#: An aiohttp response's coroutine methods (its body, awaited).
RESPONSE_AWAITED = {"json", "text", "read"}
#: Fields of aiohttp's server objects that hold the server's own objects, not plain data
#: (``request.app[key]`` is the Application's state, the library's API).
WEB_OBJECTS = {"app", "config_dict", "router", "content", "on_startup",
               "on_shutdown", "on_cleanup", "on_response_prepare", "cleanup_ctx",
               "middlewares"}
#: Calls that only show a value (a log line, a print): handing a loop to one is no use.
SHOWN = {"print", "debug", "info", "warning", "warn", "error", "exception", "critical", "log",
         "format", "repr", "str"}
#: Names an object of settings is kept under: its ``loop`` field names a kind of loop.
SETTINGS = {"config", "conf", "cfg", "settings", "options", "opts", "args", "params"}
#: Where a service's task starts, and where it stops.
SERVICE_STARTS = {"__aenter__", "__enter__", "start", "startup", "on_startup", "setup", "open",
                  "connect"}
SERVICE_STOPS = {"__aexit__", "__exit__", "stop", "shutdown", "on_shutdown", "close", "aclose",
                 "disconnect", "cleanup", "join", "wait_closed"}
#: A container's methods that put in or take out one item (see ``Visitor.kept_one_by_one``).
ONE_BY_ONE = {"add", "discard", "pop", "popleft", "setdefault"}
#: Calls from a thread into the loop.
THREADS = {"loop.call_soon_threadsafe", "asyncio.run_coroutine_threadsafe"}


#: Calls whose arguments are exception types caught or told apart.
CATCHERS = {"suppress", "isinstance", "issubclass", "raises"}


def _last_name(node: ast.expr) -> str:
    """``suppress`` for ``contextlib.suppress`` and for ``suppress``."""
    return node.id if isinstance(node, ast.Name) else \
        node.attr if isinstance(node, ast.Attribute) else ""


def _field_key(node: ast.expr) -> set[str]:
    """A container's names for matching its uses across the file: its reference, and for a
    field its attribute's name as well (``self.channel._tasks`` and ``self._tasks`` are one
    object's field, reached from a helper and from the class itself)."""
    found = {ref} if (ref := reference(node)) is not None else set()
    return found | {f".{node.attr}"} if isinstance(node, ast.Attribute) else found


def _own_nodes_of(node: ast.AST) -> list[ast.AST]:
    """``node`` and the nodes under it, without those of functions nested in it."""
    return [node, *own_nodes(node)]


#: The builtin value types (and typing's spellings of their containers) an annotation may
#: name for a parameter that holds plain data.
PLAIN_VALUES = {"str", "bytes", "int", "float", "bool", "dict", "list", "tuple", "set",
                "Dict", "List", "Tuple", "Set", "Optional", "None"}
#: Standard modules whose classes are plain values (a path, a time, a number, an address).
VALUE_MODULES = {"os", "pathlib", "datetime", "decimal", "uuid", "ipaddress", "fractions"}


def _plain_makers(tree: ast.AST) -> set[str]:
    """The names of the file's functions whose every definition is typed to return a builtin
    value (``-> Dict[Any, Any]``, ``-> list[str]``): what they return is that container or
    value, whatever it holds."""
    typed: dict[str, bool] = {}
    for node in walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            returns = node.returns
            outer = returns.value if isinstance(returns, ast.Subscript) else returns
            plain = isinstance(outer, ast.Name) and outer.id in PLAIN_VALUES - {"Optional",
                                                                                "None"}
            typed[node.name] = typed.get(node.name, True) and plain
    return {name for name, plain in typed.items() if plain}


def _builtin_value(annotation: ast.expr, stdlib: set[str] | None = None) -> bool:
    """``str``, ``Optional[bytes]``, ``dict[str, int]``, ``"str"``: an annotation that names
    only builtin value types (not ``Any``, not a class of the file's or a library's); and,
    given the names the file binds to standard modules, a plain value class of one of those
    (``str | os.PathLike[str]``, ``pathlib.Path``: a path, no asyncio object)."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return False
    names = [sub for sub in walk(annotation) if isinstance(sub, ast.Name | ast.Attribute)]
    values = [sub for sub in names if not (
        stdlib and isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name)
        and sub.value.id in stdlib and sub.value.id in VALUE_MODULES)]
    # (the Name under os.PathLike is the module's, judged with its attribute)
    modules = {id(sub.value) for sub in names if isinstance(sub, ast.Attribute)
               and sub not in values}
    return bool(names) and all(isinstance(sub, ast.Name) and (
        sub.id in PLAIN_VALUES or id(sub) in modules) for sub in values)


#: The calls that run an asyncio program (a KeyboardInterrupt around them may come grouped).
#: What a prompt library reads a line with: it raises KeyboardInterrupt itself for the key.
PROMPTS = {"prompt", "prompt_async"}
RUNS = {"asyncio.run", "loop.run_until_complete", "loop.run_forever", "asyncio.Runner.run",
        "runner.run"}


def statements(tree: ast.Module) -> dict[int, int]:
    """Each line → the first line of the innermost *simple* statement covering it."""
    starts: dict[int, int] = {}
    for node in walk(tree):
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


def _no_timeout(call: ast.Call) -> bool:
    """``wait_for(aw, None)``, ``wait_for(aw, timeout=None)``: a literal ``None`` timeout."""
    timeout = call.args[1] if len(call.args) > 1 else next(
        (k.value for k in call.keywords if k.arg == "timeout"), None)
    return isinstance(timeout, ast.Constant) and timeout.value is None


def _is_none(node: ast.expr) -> bool:
    """``None``, or a tuple of ``None`` (``(None, None)``, a sentinel of a queue of pairs)."""
    if isinstance(node, ast.Tuple):
        return bool(node.elts) and all(_is_none(each) for each in node.elts)
    return isinstance(node, ast.Constant) and node.value is None


#: Builtins whose call makes a plain value (a container, a number, a string).
BUILTIN_VALUES = {"dict", "list", "set", "tuple", "frozenset", "str", "bytes", "bytearray",
                  "int", "float", "bool", "len", "sorted", "open"}
#: The rows of asyncio's calls that run the coroutine they are handed on its loop.
RUNS_COROUTINES = {"create-task", "gather", "run", "wait-for", "shield"}
#: How a construct names an unlisted package found asyncio's by what the file does with it.
EVIDENCE = EVIDENCE_PREFIX


def _asgi_call(node: ast.expr) -> bool:
    """``await app(scope, receive, send)``: an ASGI application called as its server calls
    it. ASGI is the same interface under any loop (hypercorn serves it under Trio), so what
    is awaited so says nothing of asyncio, whichever framework made the app."""
    if not isinstance(node, ast.Call) or len(node.args) != 3 or node.keywords:
        return False
    return [_last_name(arg) for arg in node.args] == ["scope", "receive", "send"]


def is_test_module(path: str) -> bool:
    """Whether ``path`` names a module pytest collects or configures tests from."""
    base = path.replace("\\", "/").rpartition("/")[2]
    return base == "conftest.py" or (base.endswith(".py") and (
        base.startswith("test_") or base.endswith("_test.py")))


def row_of(construct: str) -> str | None:
    """The id of the row that explains ``construct`` (a module's own row for ``aiohttp.X``)."""
    if construct.startswith(EVIDENCE):
        return "asyncio-only-lib"
    if construct.startswith("lib:") and construct[4:] in API_ROWS:
        return API_ROWS[construct[4:]]  # aiorun.run: asyncio.run by another name
    if construct.startswith("lib:"):
        return library_row(construct[4:])
    if construct.startswith("asyncio.Task for "):
        return row_of(construct.removeprefix("asyncio.Task for "))
    return ROWS.get(construct) or ROWS.get(construct.split(".")[0])


def patch_targets(tree: ast.Module, scan: Names) -> list[tuple[int, int, str]]:
    """``patch("aiohttp.ClientSession", return_value=session)``, ``@patch("kis.client.asyncio.
    sleep", new_callable=AsyncMock)``, ``patch("websockets.connect")``: a test that puts a mock
    in the place of an asyncio API or an asyncio-only library's names it, a use of it that the
    port changes with it (the corpus README's ruling on mocks: a patch target naming the
    library or an asyncio API is labelled), with the row of what it names. Past the package's
    own module in the target (``kis.client.asyncio.sleep``) the path is asyncio's own, as that
    module imported it; so is an attribute set on a module's ``asyncio``
    (``monkeypatch.setattr(tools.asyncio, "sleep", fake)``, ``patch.object(asyncio, ...)``).
    (line, column, construct) for each, as :attr:`Names.found` has them, on the line where the
    target is written (a multi-line call's second line, as the README has it)."""
    found: list[tuple[int, int, str]] = []
    for node in walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = _last_name(node.func)
        texts = {at: arg.value for at, arg in enumerate(node.args[:2])
                 if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}
        if called in ("object", "setattr") and 1 in texts \
                and _last_name(node.args[0]) == "asyncio":
            where, parts = node.args[1], ["asyncio", texts[1]]
        elif called in ("patch", "setattr") and 0 in texts:
            where, parts = node.args[0], texts[0].split(".")
        else:
            continue
        if "asyncio" in parts:
            named = construct_of(".".join(parts[parts.index("asyncio"):]))
        elif parts[0] in MODULES:
            named = construct_of(".".join(parts))
        else:
            lib = scan.library(".".join(parts))
            named = f"lib:{lib}" if lib else ""
        if row_of(named) is not None:
            found.append((where.lineno, where.col_offset, named))
    return found


def _copies_of(tree: ast.AST, refs: set[str]) -> set[str]:
    """The names bound to a copy of one of ``refs`` (``pending_tasks = set(pending)``): the
    same objects, taken apart the same way."""
    return {reference(target) or "" for each in walk(tree) if isinstance(each, ast.Assign)
            and isinstance(each.value, ast.Call) and isinstance(each.value.func, ast.Name)
            and each.value.func.id in COPIES and len(each.value.args) == 1
            and reference(each.value.args[0]) in refs for target in each.targets} - {""}


def isolated_test_cases(tree: ast.Module) -> list[tuple[int, int, str]]:
    """``from unittest import IsolatedAsyncioTestCase`` and a class based on it
    (``class T(unittest.IsolatedAsyncioTestCase)``): tests that unittest runs on asyncio's
    loop, (line, column, construct) as :attr:`Names.found` has them. A plain
    ``import unittest`` serves blocking tests too, and stays."""
    names = {"unittest.IsolatedAsyncioTestCase"}
    found: list[tuple[int, int, str]] = []
    for node in walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "unittest" and not node.level:
            for alias in node.names:
                if alias.name == "IsolatedAsyncioTestCase":
                    names.add(alias.asname or alias.name)
                    found.append((alias.lineno, alias.col_offset, f"unittest.{alias.name}"))
    for node in walk(tree):
        if isinstance(node, ast.ClassDef) and any(ast.unparse(base) in names
                                                  for base in node.bases):
            found.append((node.lineno, node.col_offset, "unittest.IsolatedAsyncioTestCase"))
    return found


def _names(tree: ast.Module, source: str, path: str,
           project: Collection[str] | None = None) -> Names:
    """One reading of the file: the names followed and the constructs found."""
    state = Names(path, project=None if project is None else frozenset(project))
    with deep(path):  # the visitors recurse once per level: a long elif chain, deep nesting
        collect(tree, state)
        completed_fields(tree, state)
        visitor = Visitor(state, source.splitlines(), tree)
        visitor.visit(tree)
        visitor.finish()
    state.found.extend(isolated_test_cases(tree))
    return state


def completed_fields(tree: ast.Module, scan: Names) -> None:
    """A field another object holds (``state.future``, ``self._waiter``) that an asyncio file
    completes with ``set_result``: of asyncio's objects only a future has it, so the field is
    one wherever the file reads it (``if not state.future.done():``, ``await state.future``),
    not only where it is completed. (Not ``set_exception``, which a StreamReader has too:
    ``self.reader.set_exception(exc)`` beside ``self.reader.feed_eof()``.) Not a field the
    file shows to be something else (its kind, a plain object of its own class), nor one of
    a file whose own classes define ``set_result`` (a future-like class of its own)."""
    if not scan.imports_asyncio:
        return
    own = {each.name for each in walk(tree)
           if isinstance(each, ast.FunctionDef | ast.AsyncFunctionDef)}
    for each in walk(tree):
        if isinstance(each, ast.Call) and isinstance(each.func, ast.Attribute) \
                and each.func.attr == "set_result" and "set_result" not in own \
                and isinstance(each.func.value, ast.Attribute):
            ref = reference(each.func.value)
            if ref is not None and ref not in scan.plain and ref not in scan.kinds:
                scan.kinds[ref] = "future"


#: Blocking HTTP clients a package may ship its twin on (``requests.Session``).
BLOCKING_HTTP = ("requests", "urllib3", "urllib.request", "http.client")


def _imports_from(body: list[ast.stmt], modules: tuple[str, ...]) -> bool:
    """Whether ``body`` (one branch of an ``if``) imports from one of ``modules``."""
    return any(
        (isinstance(sub, ast.ImportFrom) and not sub.level and sub.module is not None
         and sub.module.startswith(modules))
        or (isinstance(sub, ast.Import) and any(a.name.startswith(modules) for a in sub.names))
        for stmt in body for sub in walk(stmt))


def blocking_twin_lines(tree: ast.Module) -> set[int]:
    """The lines of a package's blocking twin: ``if BUILD_REST: from requests import Session
    else: from aiohttp import ClientSession as Session``, then the twin's code under the same
    test, ``if BUILD_REST: ...``. There the shared names are requests', which a port keeps as
    they are (the corpus README: a blocking twin is not labelled); the aiohttp side, under
    ``else`` or ``if not BUILD_REST``, is aiohttp's."""
    flags: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and _imports_from(node.body, BLOCKING_HTTP) \
                and _imports_from(node.orelse, ("aiohttp",)):
            flags.add(ast.dump(node.test))
    lines: set[int] = set()
    if not flags:
        return lines
    for node in tree.body:
        if isinstance(node, ast.If) and ast.dump(node.test) in flags \
                and not _imports_from(node.body, BLOCKING_HTTP):
            for stmt in node.body:
                lines.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    return lines


#: Retry libraries whose decorators wrap a plain ``def`` in their blocking form, and a
#: coroutine function in their asyncio one: backoff's ``on_exception`` and ``on_predicate``
#: pick ``_async.retry_*`` (which awaits ``asyncio.sleep``) only where
#: ``asyncio.iscoroutinefunction(target)``, else ``_sync.retry_*`` (``time.sleep``): backoff's
#: ``_decorator.py``, ``_async.py`` and ``_sync.py``.
BLOCKING_RETRIES: dict[str, tuple[str, ...]] = {"backoff": ("on_exception", "on_predicate")}


def _retry_call(node: ast.expr, module: str, names: tuple[str, ...]) -> bool:
    """``backoff.on_exception(...)``: a call of one of ``module``'s retry decorators."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
        and node.func.attr in names and isinstance(node.func.value, ast.Name) \
        and node.func.value.id == module


def blocking_retries(tree: ast.Module) -> set[str]:
    """The retry libraries of :data:`BLOCKING_RETRIES` that a file uses on plain functions
    only: ``@backoff.on_exception(...)`` on a ``def``, or ``backoff.on_exception(...)(stream)``
    of a ``def`` the file has. Their blocking form is no asyncio, and stays as it is in a port,
    so their lines are no finding; one wrapping an ``async def``, or a function the file does
    not define, is the library's asyncio side."""
    defs = {node.name: isinstance(node, ast.AsyncFunctionDef) for node in walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    found: set[str] = set()
    for module, names in BLOCKING_RETRIES.items():
        wrapped: list[bool] = []  # for each use: an async def, or a function not known
        for node in walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                wrapped.extend(isinstance(node, ast.AsyncFunctionDef)
                               for each in node.decorator_list
                               if _retry_call(each, module, names))
            elif isinstance(node, ast.Call) and _retry_call(node.func, module, names):
                target = node.args[0] if len(node.args) == 1 else None
                wrapped.append(not isinstance(target, ast.Name) or defs.get(target.id) is not False)
        if wrapped and not any(wrapped):
            found.add(module)
    return found


def analyse(source: str, path: str, project: Collection[str] | None = None
            ) -> tuple[ast.Module, Names, list[Finding]]:
    """Parse once: the tree, the names followed, and every finding (for scan and rewrite).

    ``project``: the top-level import names of the project the file belongs to, with ``path``
    taken from the project's folder (:func:`.project.own_in`); None finds them on disk
    (:func:`.project.own_on_disk`)."""
    tree = parse(source, path)
    state = _names(tree, source, path, project)
    evidenced = frozenset(construct.removeprefix(EVIDENCE) for _, _, construct in state.found
                          if construct.startswith(EVIDENCE)) - state.blocking
    # of a package with a blocking side, the classes named for its async side are its asyncio
    # side (``ossapi.OssapiAsync``, not the ``Beatmap`` it shares with the blocking ``Ossapi``)
    evidenced |= {f"{module}.{name}" for name, module in state.external.items()
                  if module in state.blocking and ASYNC_TWIN.search(name)}
    with deep(path):
        starts = statements(tree)
    findings: dict[tuple[int, str], Finding] = {}
    # a package the file awaits in an asyncio program is an asyncio-only library here: read
    # the file again so that every use of it is found, as for a listed one (the corpus
    # README's settled case: the port decides once per library)
    with libraries.evidenced(evidenced):
        if evidenced:
            state = _names(tree, source, path, project)
        stops = "stop" in state.loop_methods
        twins = blocking_twin_lines(tree)
        # aiorun.run(main()): the call is asyncio.run by another name (its row, run), so the
        # module's name on that line is no second, vaguer finding of its library
        renamed = {(line, lib_construct(c)) for line, _, c in state.found
                   if c.startswith("lib:") and c[4:] in API_ROWS}
        # tqdm.asyncio's bar with no gather or as_completed: a plain progress bar
        plain = {module for module in libraries.ONLY_API_ROWS
                 if not any(c.startswith(f"lib:{module}.") and c[4:] in API_ROWS
                            for _, _, c in state.found)} | blocking_retries(tree)
        for line, _, construct in sorted([*state.found, *patch_targets(tree, state)]):
            if (line, construct) in renamed:
                continue
            if any(construct == f"lib:{module}" or construct.startswith(f"lib:{module}.")
                   for module in plain):
                continue
            if line in twins and row_of(construct) in ("aiohttp-client", "websocket"):
                continue  # the blocking twin's requests.Session, under the same name
            if construct == "loop.run_forever" and not stops:
                construct = "loop.run_forever alone"
            if (line, construct) in findings:
                continue
            findings[(line, construct)] = describe(path, line, starts.get(line, line),
                                                      construct, row_of(construct))
    return tree, state, list(findings.values())


def _truth_operands(test: ast.expr) -> list[ast.expr]:
    """What a test only checks for truth or for None: ``x`` in ``if x``, ``if not x``,
    ``if x and y``, ``if x is not None``."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _truth_operands(test.operand)
    if isinstance(test, ast.BoolOp):
        return [each for value in test.values for each in _truth_operands(value)]
    if isinstance(test, ast.Compare) and len(test.ops) == 1 \
            and isinstance(test.ops[0], ast.Is | ast.IsNot) and _is_none(test.comparators[0]):
        return [test.left]
    return [test]


def _is_main_test(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    return isinstance(test, ast.Compare) and len(test.ops) == 1 \
        and isinstance(test.ops[0], ast.Eq) and {
            each.id if isinstance(each, ast.Name) else
            each.value if isinstance(each, ast.Constant) else None
            for each in (test.left, test.comparators[0])} == {"__name__", "__main__"}


def _rewrappable(kind: str | None) -> bool:
    """Kinds a package wraps in its own class (``response = Response(raw)``): an aiohttp
    object or a library's. A loop or a task rebound to a class of the file's stays what it
    was (``loop = AddThreadSelectorEventLoop(asyncio.get_event_loop())`` is a loop)."""
    return kind is not None and (kind in ("response", "session", "websocket", "web")
                                 or kind.startswith("lib:"))


def _own_call(call: ast.Call) -> str | None:
    """The name of the file's own function a call names: ``f(...)``, ``self.f(...)``."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) \
            and call.func.value.id in ("self", "cls"):
        return call.func.attr
    return None
