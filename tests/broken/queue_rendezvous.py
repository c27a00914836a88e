"""Broken on purpose: ``open_memory_channel(0)``, a rendezvous, where asyncio's queue is unbounded.

With no buffer, ``await send`` waits until a consumer is there to take the job, so a producer
is held up by slow consumers: its next job, and its "added" line, come later than under
asyncio, whose ``Queue()`` takes every job at once.
"""

import itertools as it
import random

import trio
from faker import Faker
from trio_util import AsyncValue

from trio_port.queue import consume, create_job, names, rand_sleep, streams


async def produce(name: str, send_channel: trio.MemorySendChannel[tuple[str, float]],
                  rng: random.Random, fake: Faker, outstanding: AsyncValue[int]) -> None:
    async with send_channel:
        n = rng.randint(0, 10)
        for _ in it.repeat(None, n):
            await rand_sleep(rng)
            i = await create_job(fake)
            t = trio.current_time()
            outstanding.value += 1
            await send_channel.send((i, t))  # waits for a consumer: nothing is buffered
            print(f"Producer {name} added <{i}> to queue.")


async def main(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    fakers, rngs, consumer_rng = streams(seed, nprod)
    producer_names, consumer_names = names(seed, nprod, ncon)
    send_channel, receive_channel = trio.open_memory_channel[tuple[str, float]](0)  # BUG
    outstanding = AsyncValue(0)
    async with send_channel, trio.open_nursery() as consumers:
        for k in range(ncon):
            consumers.start_soon(consume, consumer_names[k], receive_channel,
                                 consumer_rng, outstanding)
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
