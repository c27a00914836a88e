"""A service that lives as long as the app: a background flusher, owned by a context manager.

The app opens a store, then a flusher that moves the rows it is given into the store every
``interval`` seconds. Three things to get right, in any framework:

- *started means running*: ``open_flusher`` returns only once the background task runs
  (``nursery.start`` and ``task_status.started()``);
- *shutdown order*: the flusher stops first, with a final flush, while the store it writes to
  is still open; ``AsyncExitStack`` closes in the reverse order of opening;
- *errors*: the caller's own error leaves the ``async with`` as it was raised, cause and
  context included; a failure of the background task is never lost: it arrives as
  ``FlusherError``, chained to the failure (in this twin, unless a cancellation from outside
  or a KeyboardInterrupt leaves with it: then the nursery's group leaves as Trio raised it).

In Trio the task needs a nursery, so the context manager opens one, and the caller's body runs
inside it. That is the trap: the caller's ``ValueError`` would leave wrapped in an exception
group, and its ``except ValueError`` would miss it. ``open_flusher`` follows Trio's guidance
for a context manager that hides its nursery ("Designing for multiple errors"): a group that
holds only the caller's error gives that error back, raised again after the ``except`` block;
any other group becomes ``FlusherError``, raised from the group (the FAQ's
``examples/faq/background_owner.py`` is the same fix, explained). A crashed flusher cancels
the app at once if it is waiting at a checkpoint, else at its next one.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator

import trio


class FlusherError(Exception):
    """The flusher failed; ``__cause__`` is the nursery's group, with every error in it."""


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

    async def run(self, interval: float, *,
                  task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        self.log.append("flusher started")
        task_status.started()
        try:
            while True:
                await trio.sleep(interval)
                self.log.append(f"flushed {self.flush()} rows")
        except trio.Cancelled:
            self.log.append(f"flusher stopped after a final flush of {self.flush()} rows")
            raise


@contextlib.asynccontextmanager
async def open_flusher(store: Store, interval: float,
                       log: list[str]) -> AsyncIterator[Flusher]:
    """``async with open_flusher(store, interval, log) as flusher``: the owner of the task."""
    flusher = Flusher(store, log)
    body_error: BaseException | None = None
    unwrapped: BaseException | None = None
    try:
        async with trio.open_nursery() as nursery:
            await nursery.start(flusher.run, interval)  # started means running
            try:
                yield flusher  # safe in an @asynccontextmanager: the body is a block, not a task
            except BaseException as exc:
                body_error = exc
                raise
            finally:
                nursery.cancel_scope.cancel()  # shutdown: the flusher stops before we leave
    except BaseExceptionGroup as group:
        if body_error is None or group.exceptions != (body_error,):
            if isinstance(group, ExceptionGroup):
                raise FlusherError("the flusher failed") from group
            raise  # a KeyboardInterrupt or a cancellation among them: as Trio raised it
        unwrapped = body_error  # only the caller's own error
    if unwrapped is not None:
        raise unwrapped  # here, not in the `except` block: its cause and context stay the caller's


async def app(log: list[str], *, rows: list[str], pause: float = 0.7,
              interval: float = 1.0) -> None:
    async with contextlib.AsyncExitStack() as stack:
        store = await stack.enter_async_context(open_store(log))
        flusher = await stack.enter_async_context(open_flusher(store, interval, log))
        for row in rows:
            if row == "raise":
                raise ValueError("the caller's own error")
            flusher.add(row)
            await trio.sleep(pause)
        flusher.add("last row")


def main() -> list[str]:
    log: list[str] = []
    trio.run(functools.partial(app, log, rows=[f"row {i}" for i in range(5)]))
    return log


if __name__ == "__main__":
    print(*main(), sep="\n")
