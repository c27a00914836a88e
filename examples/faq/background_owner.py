"""Background tasks owned by an object: the object lives inside an async context manager.

In asyncio an object can ``create_task`` in ``__init__`` and hope someone calls ``close()``.
In Trio the object needs a nursery, so it is created by ``async with``: the background task
starts on entry and is cancelled (and awaited) on exit, whatever happens in between.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import trio


class Heartbeat:
    def __init__(self, nursery: trio.Nursery, interval: float) -> None:
        self.beats = 0
        self._interval = interval
        nursery.start_soon(self._run)

    async def _run(self) -> None:
        while True:
            await trio.sleep(self._interval)
            self.beats += 1


@asynccontextmanager
async def open_heartbeat(interval: float) -> AsyncIterator[Heartbeat]:
    async with trio.open_nursery() as nursery:
        # Yielding from inside a nursery is safe in an @asynccontextmanager (not in a generator).
        yield Heartbeat(nursery, interval)
        nursery.cancel_scope.cancel()


async def main() -> int:
    async with open_heartbeat(1) as heartbeat:
        await trio.sleep(3.5)
    return heartbeat.beats  # the background task has stopped: the value is final


if __name__ == "__main__":
    print(trio.run(main))  # 3
