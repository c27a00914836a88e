"""Broken on purpose: one RNG per consumer, where the twins give the consumers one stream.

Each consumer draws its sleeps from a stream of its own, as each producer does. But
consumers compete: when several are free at one instant and fewer jobs are there, *which*
of them gets a job is the scheduler's choice (Trio's is random on purpose), and the winner's
next sleep comes from its own stream. So the choice decides when the later jobs are taken,
and the program's output, even its end, changes from run to run.
``tests/test_queue.py`` shows it.
"""

import math
import random

import trio
from trio_util import AsyncValue

from trio_port.queue import consume, names, produce, streams


async def main(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    fakers, rngs, consumer_rng = streams(seed, nprod)
    consumer_rngs = [random.Random(consumer_rng.getrandbits(64)) for _ in range(ncon)]  # BUG
    producer_names, consumer_names = names(seed, nprod, ncon)
    send_channel, receive_channel = trio.open_memory_channel[tuple[str, float]](math.inf)
    outstanding = AsyncValue(0)
    async with send_channel, trio.open_nursery() as consumers:
        for k in range(ncon):
            consumers.start_soon(consume, consumer_names[k], receive_channel,
                                 consumer_rngs[k], outstanding)
        async with trio.open_nursery() as producers:
            for k in range(nprod):
                producers.start_soon(produce, producer_names[k], send_channel.clone(),
                                     rngs[k], fakers[k], outstanding)
        await outstanding.wait_value(0)
        consumers.cancel_scope.cancel()


async def demo(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    start = trio.current_time()
    await main(nprod=nprod, ncon=ncon, seed=seed)
    elapsed = trio.current_time() - start
    print(f"Program completed in {elapsed:0.5f} seconds.")
