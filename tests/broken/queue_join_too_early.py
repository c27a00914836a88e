"""Broken on purpose: waits for "no job outstanding" before the producers are done.

``q.join()`` comes *after* ``gather(*producers)`` for a reason: at the start, and whenever
the consumers catch up, no job is outstanding although more will come. Waiting for the
counter alongside the producers returns at once, and cancelling then stops everyone: the
program ends at 0 s with no job made.
"""

import math

import trio
from trio_util import AsyncValue

from trio_port.queue import consume, names, produce, streams


async def main(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    fakers, rngs, consumer_rng = streams(seed, nprod)
    producer_names, consumer_names = names(seed, nprod, ncon)
    send_channel, receive_channel = trio.open_memory_channel[tuple[str, float]](math.inf)
    outstanding = AsyncValue(0)
    async with send_channel, trio.open_nursery() as nursery:
        for k in range(ncon):
            nursery.start_soon(consume, consumer_names[k], receive_channel,
                               consumer_rng, outstanding)
        for k in range(nprod):
            nursery.start_soon(produce, producer_names[k], send_channel.clone(),
                               rngs[k], fakers[k], outstanding)
        await outstanding.wait_value(0)  # BUG: the producers may not even have started
        nursery.cancel_scope.cancel()


async def demo(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    start = trio.current_time()
    await main(nprod=nprod, ncon=ncon, seed=seed)
    elapsed = trio.current_time() - start
    print(f"Program completed in {elapsed:0.5f} seconds.")
