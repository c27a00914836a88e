"""Finding the call that blocks the loop: asyncio's debug mode.

In debug mode (``asyncio.run(main(), debug=True)``, ``PYTHONASYNCIODEBUG=1``, ``python -X dev``
or ``loop.set_debug(True)``) the loop times every callback it runs, and each step of a task is
one callback. A step that takes ``loop.slow_callback_duration`` seconds or more (0.1 by
default) is logged on the ``asyncio`` logger (here, shortened on both sides)::

    Executing <Task pending name='blocker' coro=<blocker() running at ...:34> ...> took 1.505 s…

The task's repr names it and the line where its own coroutine waits *after* the slow step (in a
helper it awaits: its ``await helper()``). It reads ``loop.time()``, so a virtual clock that
real time does not move hides the block. See blocking_trio.py: Trio has no debug mode; an
Instrument does the same job.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time

THRESHOLD = 0.5  # seconds; asyncio's default is 0.1


async def well_behaved() -> None:
    for _ in range(5):
        await asyncio.sleep(0.01)


async def blocker() -> None:
    await asyncio.sleep(0.01)
    time.sleep(1.5)  # noqa: ASYNC251  # the bug to find: it holds the loop for 1.5 s
    await asyncio.sleep(0.01)


class Reports(logging.Handler):
    """The names of the tasks in asyncio's "Executing ... took" warnings."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r"<Task .*?name='([^']+)'", record.getMessage())
        if record.getMessage().startswith("Executing") and found:
            self.names.append(found.group(1))


async def main(threshold: float = THRESHOLD) -> list[str]:
    loop = asyncio.get_running_loop()
    loop.set_debug(True)
    loop.slow_callback_duration = threshold
    reports = Reports()
    logging.getLogger("asyncio").addHandler(reports)
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(well_behaved(), name="well-behaved")
            group.create_task(blocker(), name="blocker")
    finally:
        logging.getLogger("asyncio").removeHandler(reports)
    return [f"slow step in task {name!r}" for name in reports.names]


if __name__ == "__main__":
    print(*asyncio.run(main()), sep="\n")
