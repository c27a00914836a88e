"""Which row of the concept map explains a construct: the one table the guide and the tool share.

A row has a short id (``"event"``, ``"streams"``) so that a finding, a test and the corpus's
answer key (``tests/port_corpus/``) can name it; :data:`ROW_KEYS` ties each id to its row on
the page by a text of the row's asyncio cell, which :func:`walkthrough.conceptmap.find` must
match exactly once. :data:`ROWS` says, for each construct the scan emits, which row explains it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from walkthrough import conceptmap

#: Row id → a text of that row's asyncio cell on ``docs/concepts.md``.
ROW_KEYS: dict[str, str] = {
    "loop": "`import asyncio`",
    "run": "`asyncio.run(main())`",
    "create-task": "`asyncio.create_task(coro())`",
    "future": "`asyncio.Future`",
    "gather": "`asyncio.gather(*aws)`",
    "wait-first": "`asyncio.wait(..., FIRST_COMPLETED)`",
    "as-completed": "`asyncio.as_completed(aws)`",
    "wait-for": "`asyncio.wait_for(aw, t)`",
    "timeout": "`async with asyncio.timeout(t)`",
    "timeout-at": "`async with asyncio.timeout_at(when)`",
    "timeout-error": "`TimeoutError` (builtin",
    "taskgroup": "`asyncio.TaskGroup`",
    "task-set": "task references in a set",
    "task-cancel": "`task.cancel()`",
    "shield": "`asyncio.shield(aw)`",
    "cancelled": "`CancelledError`",
    "checkpoint": "`await asyncio.sleep(0)`",
    "sleep": "`asyncio.sleep(delay)`",
    "loop-time": "`loop.time()`",
    "call-later": "`loop.call_later(t, cb)`",
    "queue": "`asyncio.Queue()`",
    "priority-queue": "`asyncio.PriorityQueue()`",
    "barrier": "`asyncio.Barrier(n)`",
    "task-done": "`q.task_done()`",
    "queue-shutdown": "`q.shutdown()`",
    "semaphore": "`asyncio.Semaphore(n)`",
    "event": "`asyncio.Event`",
    "lock": "`asyncio.Lock`",
    "condition": "`asyncio.Condition`",
    "to-thread": "`loop.run_in_executor(None, fn, *args)`",
    "from-thread": "`loop.call_soon_threadsafe(fn, *args)`",
    "all-tasks": "`asyncio.all_tasks()`",
    "ctrl-c": "Ctrl-C: `asyncio.run`",
    "signals": "`loop.add_signal_handler(sig, cb)`",
    "subprocess": "`asyncio.create_subprocess_exec(...)`",
    "streams": "streams: `asyncio.open_connection()`",
    "protocols": "protocols and transports",
    "slow-callback": "slow-callback warning",
    "start-server": "`asyncio.start_server(cb, host, port)`",
    "aiohttp-client": "aiohttp (`ClientSession`)",
    "aiofiles": "aiofiles (`aiofiles.open`)",
    "nest-asyncio": "`nest_asyncio` in Jupyter",
    "pytest-asyncio": "pytest-asyncio",
    "asyncio-only-lib": "an asyncio-only library in a Trio program",
    "async-gen": "async generators",
    "service": "a service:",
    "exceptiongroup": "`ExceptionGroup` from `TaskGroup`",
    "pytest-raises-group": "`pytest.raises(...)`",
    "fifo": "FIFO ready queue",
    "contextvars": "`contextvars`",
    "anyio": "asyncio code that should also run under Trio",
    "old-trio": "an old Trio answer",
}

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



@dataclass(frozen=True)
class Finding:
    """One asyncio construct on one line, and the row that says what Trio has in its place."""

    path: str
    line: int
    #: the line of the statement the construct stands in (where a TODO comment goes)
    statement: int
    construct: str
    trio: str
    gotcha: str
    #: the concept-map section, then the pages that show the row
    links: tuple[str, ...]
    #: the row's id (a key of ROW_KEYS), "" when the map has no row for it yet
    row: str = ""
    rewrite: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)



def describe(path: str, line: int, statement: int, construct: str) -> Finding:
    row_id = ROWS.get(construct) or ROWS.get(construct.split(".")[0])
    key = ROW_KEYS.get(row_id or "")
    if row_id is None or key is None:
        return Finding(path, line, statement, construct,
                       "no row in the concept map yet", "", (conceptmap.PAGE_LINK,))
    row = conceptmap.find(key)
    return Finding(path, line, statement, construct, conceptmap.plain(row.trio),
                   conceptmap.plain(row.gotcha),
                   (f"{conceptmap.PAGE_LINK}#{row.anchor}", *row.links), row_id)
