"""Racing tasks (asyncio.wait with FIRST_COMPLETED): the winner cancels the nursery.

The first child to finish records its result and cancels the nursery's scope; the losers are
cancelled at their next checkpoint, and the block exits as soon as they have unwound. No
loser is left running, unlike ``asyncio.wait``, which leaves the pending tasks to you.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import trio


async def race(*fns: Callable[[], Awaitable[str]]) -> str:
    winner: list[str] = []
    async with trio.open_nursery() as nursery:

        async def run(fn: Callable[[], Awaitable[str]]) -> None:
            winner.append(await fn())
            nursery.cancel_scope.cancel()

        for fn in fns:
            nursery.start_soon(run, fn)
    return winner[0]


async def slow() -> str:
    await trio.sleep(5)
    return "slow"


async def fast() -> str:
    await trio.sleep(1)
    return "fast"


async def main() -> tuple[str, float]:
    start = trio.current_time()
    result = await race(slow, fast)
    return result, trio.current_time() - start


if __name__ == "__main__":
    print(trio.run(main))  # ('fast', 1.0...)
