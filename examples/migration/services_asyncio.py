"""A service that lives as long as the app: a background flusher, owned by a context manager.

The app opens a store, then a flusher that moves the rows it is given into the store every
``interval`` seconds. Three things to get right, in any framework:

- *started means running*: ``open_flusher`` returns only once the background task runs;
- *shutdown order*: the flusher stops first, with a final flush, while the store it writes to
  is still open; ``AsyncExitStack`` closes in the reverse order of opening (cancelled while it
  starts, ``__aenter__`` stops the task itself: ``__aexit__`` would not be called);
- *errors*: the caller's own error leaves the ``async with`` as it was raised, cause and
  context included; a failure of the background task is never lost: it arrives as
  ``FlusherError``, chained to the failure.

asyncio's ``create_task`` has no owner, so the context manager is the owner: it cancels and
awaits the task on exit. Until then, a crashed flusher goes unnoticed: the app keeps adding rows
that nobody flushes, and hears of the failure only when it leaves the block. If the app's own
error leaves the block too, ``FlusherError`` is raised during its handling: the app's error
becomes its ``__context__``, reachable from ``except`` code (the printed traceback shows the
flusher's error and ``FlusherError`` only: ``raise ... from`` hides the context). So does a
cancellation or a ``KeyboardInterrupt`` that leaves with the failure: ``asyncio.run`` then
raises ``FlusherError``, not ``KeyboardInterrupt``. The ``asyncio.Event`` that says "started"
waits for ever if the task ends before it sets it, its error unseen until something ends the
wait, where ``nursery.start`` raises the task's error; this flusher cannot fail before it
sets it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from types import TracebackType


class FlusherError(Exception):
    """The flusher failed; ``__cause__`` is its error."""


class Store:
    def __init__(self, log: list[str]) -> None:
        self.rows: list[str] = []
        self.log = log

    def write(self, rows: list[str]) -> None:
        if "poison" in rows:
            raise OSError("the store rejected a row")
        self.rows += rows


@contextlib.asynccontextmanager
async def open_store(log: list[str]) -> AsyncIterator[Store]:
    store = Store(log)
    log.append("store opened")
    try:
        yield store
    finally:
        log.append(f"store closed with {len(store.rows)} rows")


class Flusher:
    def __init__(self, store: Store, log: list[str]) -> None:
        self.store = store
        self.log = log
        self.pending: list[str] = []

    def add(self, row: str) -> None:
        self.pending.append(row)
        self.log.append(f"added {row}")

    def flush(self) -> int:
        rows, self.pending = self.pending, []
        self.store.write(rows)
        return len(rows)

    async def run(self, interval: float, started: asyncio.Event) -> None:
        self.log.append("flusher started")
        started.set()
        try:
            while True:
                await asyncio.sleep(interval)
                self.log.append(f"flushed {self.flush()} rows")
        except asyncio.CancelledError:
            self.log.append(f"flusher stopped after a final flush of {self.flush()} rows")
            raise


class open_flusher:  # a class, named as its Trio twin (a function) is
    """``async with open_flusher(store, interval, log) as flusher``: the owner of the task."""

    def __init__(self, store: Store, interval: float, log: list[str]) -> None:
        self.flusher = Flusher(store, log)
        self.interval = interval

    async def __aenter__(self) -> Flusher:
        started = asyncio.Event()
        self.task = asyncio.create_task(self.flusher.run(self.interval, started))
        try:
            await started.wait()  # started means running
        except BaseException as exc:
            # Cancelled while it starts (a timeout, a Ctrl-C): an `async with` whose enter
            # raised never calls __aexit__, so stop the task here, before the store closes.
            await self.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        return self.flusher

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.task.cancel()
        try:
            await asyncio.wait([self.task])  # not `await self.task`: its CancelledError is ours
        finally:
            # Looked at even if this wait is cancelled in turn (a second cancellation: a task
            # group and a timeout both cancelling the app), which would lose a failure the task
            # had already had.
            if self.task.done() and not self.task.cancelled() \
                    and (error := self.task.exception()):
                # The flusher failed, and only now does the app hear of it. Raised even when
                # the app's own error is leaving: that error becomes this one's __context__.
                raise FlusherError("the flusher failed") from error


async def app(log: list[str], *, rows: list[str], pause: float = 0.7,
              interval: float = 1.0) -> None:
    async with contextlib.AsyncExitStack() as stack:
        store = await stack.enter_async_context(open_store(log))
        flusher = await stack.enter_async_context(open_flusher(store, interval, log))
        for row in rows:
            if row == "raise":
                raise ValueError("the caller's own error")
            flusher.add(row)
            await asyncio.sleep(pause)
        flusher.add("last row")


def main() -> list[str]:
    log: list[str] = []
    asyncio.run(app(log, rows=[f"row {i}" for i in range(5)]))
    return log


if __name__ == "__main__":
    print(*main(), sep="\n")
