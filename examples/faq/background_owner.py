"""Background tasks owned by an object: the object lives inside an async context manager.

In asyncio an object can ``create_task`` in ``__init__`` and hope someone calls ``close()``.
In Trio the object needs a nursery, so it is created by ``async with``: the background task
starts on entry and is cancelled (and awaited) on exit, whatever happens in between.

The trap: the caller's ``async with`` body runs *inside* that nursery, so an error the caller
raises there leaves the nursery wrapped, as ``ExceptionGroup([ValueError])``, and the caller's
own ``except ValueError`` misses it. ``open_heartbeat`` below hands back the caller's error as
it was raised, and only that one: an error of the background task still comes as a group, with
the caller's error beside it if there was one.
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
    body_error: BaseException | None = None
    try:
        async with trio.open_nursery() as nursery:
            # Yielding from inside a nursery is safe in an @asynccontextmanager (the body runs
            # as a block of the caller's task), never in an async generator that is iterated.
            try:
                yield Heartbeat(nursery, interval)
            except BaseException as exc:
                body_error = exc
                raise
            finally:
                nursery.cancel_scope.cancel()  # shutdown order: stop the beat, then leave
    except BaseExceptionGroup as group:
        # The group holds only what the caller raised: give it back unwrapped. Anything else
        # (the background task failed too) stays a group, so no error is ever dropped.
        if body_error is not None and group.exceptions == (body_error,):
            raise body_error from None
        raise


async def main() -> int:
    async with open_heartbeat(1) as heartbeat:
        await trio.sleep(3.5)
    return heartbeat.beats  # the background task has stopped: the value is final


if __name__ == "__main__":
    print(trio.run(main))  # 3
