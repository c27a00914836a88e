"""loop.call_later and timers: a child task that sleeps, then calls; cancel it with its scope.

There is no callback scheduler in Trio; a timer is a task. It lives in a nursery, so it cannot
outlive its owner, and cancelling the scope is ``TimerHandle.cancel()``. For a repeating timer,
``trio_util.periodic`` keeps the ticks a period apart while the body takes less than one (the
body's time comes off the wait).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import aclosing

import trio
import trio_util


async def call_later(delay: float, fn: Callable[[], None], scope: trio.CancelScope) -> None:
    with scope:
        await trio.sleep(delay)
        fn()


async def main() -> list[str]:
    log: list[str] = []
    async with trio.open_nursery() as nursery:
        nursery.start_soon(call_later, 1, lambda: log.append("one-shot fired"), trio.CancelScope())
        cancelled = trio.CancelScope()
        nursery.start_soon(call_later, 5, lambda: log.append("never fires"), cancelled)
        cancelled.cancel()  # TimerHandle.cancel()

        # aclosing: breaking out of an async generator must close it, here and now.
        async with aclosing(trio_util.periodic(2)) as ticks:
            async for elapsed, _ in ticks:  # a repeating timer
                log.append(f"periodic at {elapsed:.0f}")
                if elapsed >= 4:
                    break
    return log


if __name__ == "__main__":
    print(trio.run(main))
