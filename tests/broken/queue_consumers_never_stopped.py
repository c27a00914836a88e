"""Broken on purpose: nobody stops the consumers, so the program never ends.

A literal port of "gather the producers": one nursery for everyone. A nursery waits for all
its children, and a ``while True`` consumer never returns, so ``main`` hangs after the last
job. The shared suite must catch it without hanging itself: on the virtual clock a
``trio.fail_after`` deadline is the only thing left to wait for, so it fires at once.
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
        for k in range(nprod):
            nursery.start_soon(produce, producer_names[k], send_channel.clone(),
                               rngs[k], fakers[k], outstanding)
        for k in range(ncon):
            nursery.start_soon(consume, consumer_names[k], receive_channel,
                               consumer_rng, outstanding)
        # BUG: no wait for outstanding == 0 and no cancel: the nursery waits forever


async def demo(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    start = trio.current_time()
    await main(nprod=nprod, ncon=ncon, seed=seed)
    elapsed = trio.current_time() - start
    print(f"Program completed in {elapsed:0.5f} seconds.")
