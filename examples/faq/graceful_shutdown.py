"""Ctrl-C and graceful shutdown: the first signal asks politely, the second one insists.

``trio.open_signal_receiver`` replaces the default SIGINT/SIGTERM handlers while the block is
open, so signals arrive as values in a task we own instead of as a KeyboardInterrupt raised
wherever the program happens to be. The first signal cancels the work. Each worker's cleanup
then runs in a *bounded* shield: it may await (flush, close) despite the cancellation, but never
for longer than ``GRACE`` seconds, so a cleanup that hangs cannot hold the program forever.
The signal receiver is read until the very end: a second signal cuts every cleanup short at
once, and the program exits 130, without a traceback. (asyncio's runner, on a second Ctrl-C,
raises KeyboardInterrupt with a traceback, then cancels the remaining tasks and waits for them:
a cleanup that swallows that cancellation keeps it running until a third.)

Exit status: 0 when no second signal came and every cleanup finished in time; 130 when the
grace period ran out or a second signal came (even one that cut nothing short); but a SIGTERM
that arrives after the program stopped watching, before the receiver closes, is raised again
at the close by its default action and kills the process (status 143 in a shell): a short
window (the watcher's cancellation, then the receiver's close), which faq.md names.

    python examples/faq/graceful_shutdown.py          # press Ctrl-C once: exit 0
    python examples/faq/graceful_shutdown.py --hang   # cleanup hangs: Ctrl-C, then GRACE (5 s)
                                                      # or a second Ctrl-C: exit 130
"""

from __future__ import annotations

import math
import signal
import sys
from collections.abc import AsyncIterable, Iterator
from contextlib import contextmanager

import trio

#: Seconds each cleanup may take, from when it starts (the first signal starts them all).
GRACE = 5.0


class Shutdown:
    """Two-stage shutdown: bounded, shielded cleanups that a second signal can cut short.

    A shielded scope ignores every cancellation from outside, by design, so nothing outside
    can stop it except its own deadline or its own ``cancel()``. This object keeps the
    cleanup scopes that are running, to give both: a deadline (``GRACE``) and a way to cancel
    them all (``force``).
    """

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.forced = False
        self._cleanups: set[trio.CancelScope] = set()

    @contextmanager
    def cleanup(self) -> Iterator[trio.CancelScope]:
        with trio.move_on_after(self.grace, shield=True) as scope:
            if self.forced:
                scope.cancel()
            self._cleanups.add(scope)
            try:
                yield scope
            finally:
                self._cleanups.discard(scope)
        if scope.cancelled_caught:
            self.forced = True

    def force(self) -> None:
        self.forced = True
        for scope in self._cleanups:
            scope.cancel()


async def worker(name: str, shutdown: Shutdown, cleanup_takes: float) -> None:
    try:
        await trio.sleep_forever()  # the work, until the first signal cancels it
    finally:
        with shutdown.cleanup():
            await trio.sleep(cleanup_takes)  # flushing, closing: awaits despite the cancel
            print(f"{name} flushed and closed", flush=True)


async def watch(signals: AsyncIterable[int], work: trio.CancelScope, shutdown: Shutdown) -> None:
    """First signal: cancel the work. Second: cut the cleanups short. Read to the end, so no
    signal is left pending (the receiver re-raises pending ones when it closes)."""
    async for signum in signals:
        if not work.cancel_called:
            print(f"got {signal.Signals(signum).name}, shutting down", flush=True)
            work.cancel()
        else:
            print(f"got {signal.Signals(signum).name} again, stopping now", flush=True)
            shutdown.force()


async def run(signals: AsyncIterable[int], cleanup_takes: float = 0.1) -> int:
    shutdown = Shutdown(GRACE)
    async with trio.open_nursery() as nursery:
        with trio.CancelScope() as work:
            nursery.start_soon(watch, signals, work, shutdown)
            async with trio.open_nursery() as workers:
                workers.start_soon(worker, "w1", shutdown, cleanup_takes)
                workers.start_soon(worker, "w2", shutdown, cleanup_takes)
                print("ready", flush=True)
        nursery.cancel_scope.cancel()  # the workers are done: stop watching
    return 130 if shutdown.forced else 0


async def main(cleanup_takes: float = 0.1) -> int:
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        return await run(signals, cleanup_takes)


if __name__ == "__main__":
    status = 130
    try:
        status = trio.run(main, math.inf if "--hang" in sys.argv else 0.1)
    except* KeyboardInterrupt:
        pass  # a signal in the last instants, re-raised as the receiver closed: still 130
    sys.exit(status)
