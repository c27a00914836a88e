"""Which row of the concept map explains a construct: the one table the guide and the tool share.

A row has a short id (``"event"``, ``"streams"``) so that a finding, a test and the corpus's
answer key (``tests/port_corpus/``) can name it; :data:`ROW_KEYS` ties each id to its row on
the page by a text of the row's asyncio cell, which :func:`walkthrough.conceptmap.find` must
match exactly once. Which construct stands for which id is :data:`walkthrough.port.constructs.ROWS`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from walkthrough import conceptmap
from walkthrough.port import libraries

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
    # rows the map gained for real code (tests/port_corpus/)
    "loop-stop": "`loop.run_forever()` and `loop.stop()`",
    "task-result": "`await task`, `task.result()`",
    "current-task": "`asyncio.current_task()`",
    "http-server": "`aiohttp.web`",
    "websocket": "WebSocket clients and servers",
    "iscoroutine": "`asyncio.iscoroutinefunction(f)`",
    "task-name": "`task.get_name()`, `task.set_name()`",
    "exception-handler": "`loop.set_exception_handler(handler)`",
    "fd-watch": "watching a file descriptor:",
    "coroutine-decorator": "a generator-based coroutine:",
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



#: How a construct names an asyncio-only library: ``lib:`` and the module as imported
#: (``lib:asyncssh``, ``lib:aiohttp.web``); :mod:`walkthrough.port.libraries` knows them.
LIB_PREFIX = "lib:"
#: How a construct names a package with no entry that the file shows to wait on asyncio's
#: loop (``awaits:prompt_toolkit``: ``await session.prompt_async()`` in an asyncio file).
EVIDENCE_PREFIX = "awaits:"


def describe(path: str, line: int, statement: int, construct: str, row_id: str | None) -> Finding:
    """The finding for ``construct`` on ``line``, with the Trio side of row ``row_id``.

    A library construct (``lib:<module>``) may come without a row: its entry in
    :data:`walkthrough.port.libraries.LIBRARIES` gives it one, and its one-line advice goes
    after the row's gotcha, since the row says what the move costs and only the entry says
    which library to move to. A row given by the caller wins (``import aiohttp`` in a file
    that only opens WebSockets is the ``websocket`` row), and the advice still follows it.
    """
    library = (libraries.advice(construct.removeprefix(LIB_PREFIX))
               if construct.startswith(LIB_PREFIX) else None)
    if construct.startswith(EVIDENCE_PREFIX):
        package = construct.removeprefix(EVIDENCE_PREFIX)
        library = ("asyncio-only-lib",
                   f"awaited here in an asyncio program, so very likely asyncio-only (no entry "
                   f"for {package}: check its docs): a Trio-native library if one exists, else "
                   "trio-asyncio at the boundary (`async with trio_asyncio.open_loop()`, "
                   "`aio_as_trio`)")
        construct_name = package
    else:
        construct_name = construct.removeprefix(LIB_PREFIX)
    if row_id is None and library is not None:
        row_id = library[0]
    key = ROW_KEYS.get(row_id or "")
    if row_id is None or key is None:
        return Finding(path, line, statement, construct,
                       "no row in the concept map yet", library[1] if library else "",
                       (conceptmap.PAGE_LINK,))
    row = conceptmap.find(key)
    gotcha = conceptmap.plain(row.gotcha)
    if library is not None:
        gotcha = f"{gotcha} {construct_name}: {conceptmap.plain(library[1])}."
    return Finding(path, line, statement, construct, conceptmap.plain(row.trio), gotcha,
                   (f"{conceptmap.PAGE_LINK}#{row.anchor}", *row.links), row_id)
