"""Broken on purpose: the close-the-channel idiom, with one send channel left open.

Each producer closes its own clone when it is done, but ``main`` forgets to close the
original send channel it cloned them from. A channel ends only when *every* send handle is
closed, so the consumers never see ``EndOfChannel`` and wait in ``receive`` forever after
the last job.
"""

import math

import trio
from trio_util import AsyncValue

from trio_port.queue import consume_until_closed, names, produce, streams


async def main(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    fakers, rngs, consumer_rng = streams(seed, nprod)
    producer_names, consumer_names = names(seed, nprod, ncon)
    send_channel, receive_channel = trio.open_memory_channel[tuple[str, float]](math.inf)
    async with trio.open_nursery() as nursery:  # BUG: send_channel itself is never closed
        for k in range(nprod):
            nursery.start_soon(produce, producer_names[k], send_channel.clone(),
                               rngs[k], fakers[k], AsyncValue(0))
        for k in range(ncon):
            nursery.start_soon(consume_until_closed, consumer_names[k],
                               receive_channel.clone(), consumer_rng)


async def demo(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    start = trio.current_time()
    await main(nprod=nprod, ncon=ncon, seed=seed)
    elapsed = trio.current_time() - start
    print(f"Program completed in {elapsed:0.5f} seconds.")
