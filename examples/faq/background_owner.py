"""Background tasks owned by an object: the object lives inside an async context manager.

In asyncio an object can ``create_task`` in ``__init__`` and hope someone calls ``close()``.
In Trio the object needs a nursery, so it is created by ``async with``: the background task
starts on entry and is cancelled (and awaited) on exit, whatever happens in between.

The trap: the caller's ``async with`` body runs *inside* that nursery, so an error the caller
raises there leaves the nursery wrapped, as ``ExceptionGroup([ValueError])``, and the caller's
own ``except ValueError`` misses it. ``open_heartbeat`` below follows Trio's guidance for a
context manager that hides its nursery ("Designing for multiple errors" in Trio's docs): when
the group holds nothing but the caller's own error, that error is raised again, after the
``except`` block, so its ``__cause__`` and ``__context__`` are the caller's; when the
background task failed, the caller gets the library's own ``HeartbeatError``, raised from the
group, which holds every error (the caller's too, if it raised).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import trio


class HeartbeatError(Exception):
    """The background task failed; ``__cause__`` is the nursery's group, with every error."""


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
    unwrapped: BaseException | None = None
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
        if body_error is None or group.exceptions != (body_error,):
            if isinstance(group, ExceptionGroup):
                raise HeartbeatError("the heartbeat failed") from group  # nothing dropped
            raise  # a KeyboardInterrupt or a cancellation among them: as Trio raised it
        unwrapped = body_error  # the group holds only what the caller raised
    if unwrapped is not None:
        # Raised here, not inside the `except` block: there, `raise unwrapped` would make the
        # group its __context__, and `from None` would erase the caller's own __cause__.
        raise unwrapped


async def main() -> int:
    async with open_heartbeat(1) as heartbeat:
        await trio.sleep(3.5)
    return heartbeat.beats  # the background task has stopped: the value is final


if __name__ == "__main__":
    print(trio.run(main))  # 3
