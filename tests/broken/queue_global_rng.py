"""Broken on purpose: the notebook's one global RNG and one ``Faker``, ported as they stand.

``random.seed(seed)`` and ``fake.seed_instance(seed)`` once, then every task calls
``random.randint`` and ``fake.job()``: the tasks take numbers and job names from one stream
each, in the order the scheduler runs them. Trio runs tasks that woke together in a random
order, so how many jobs each producer makes, when, and what they are called change from run
to run, and none of it matches the twins, which derive one stream per producer from the seed.
"""

import itertools as it
import math
import random

import trio
from faker import Faker
from trio_util import AsyncValue

fake = Faker()


async def create_job() -> str:
    return str(fake.job())


async def rand_sleep() -> None:
    i = random.randint(0, 10)  # BUG: one stream for every task, taken in scheduling order
    await trio.sleep(i)


async def produce(name: str, send_channel: trio.MemorySendChannel[tuple[str, float]],
                  outstanding: AsyncValue[int]) -> None:
    async with send_channel:
        n = random.randint(0, 10)
        for _ in it.repeat(None, n):
            await rand_sleep()
            i = await create_job()
            t = trio.current_time()
            outstanding.value += 1
            send_channel.send_nowait((i, t))
            print(f"Producer {name} added <{i}> to queue.")


async def consume(name: str, receive_channel: trio.MemoryReceiveChannel[tuple[str, float]],
                  outstanding: AsyncValue[int]) -> None:
    while True:
        await rand_sleep()
        i, t = await receive_channel.receive()
        now = trio.current_time()
        print(f"    > Consumer {name} got element <{i}>"
              f" in {now-t:0.5f} seconds.")
        outstanding.value -= 1


async def main(nprod: int = 5, ncon: int = 2) -> None:
    send_channel, receive_channel = trio.open_memory_channel[tuple[str, float]](math.inf)
    outstanding = AsyncValue(0)
    async with send_channel, trio.open_nursery() as consumers:
        for _ in range(ncon):
            consumers.start_soon(consume, fake.first_name_male(), receive_channel, outstanding)
        async with trio.open_nursery() as producers:
            for _ in range(nprod):
                producers.start_soon(produce, fake.first_name_female(), send_channel.clone(),
                                     outstanding)
        await outstanding.wait_value(0)
        consumers.cancel_scope.cancel()


async def demo(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    random.seed(seed)
    fake.seed_instance(seed)
    start = trio.current_time()
    await main(nprod=nprod, ncon=ncon)
    elapsed = trio.current_time() - start
    print(f"Program completed in {elapsed:0.5f} seconds.")
