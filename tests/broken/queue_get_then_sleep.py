"""Broken on purpose (a realistic porting slip, trio_port/queue.py with one change):
the consumer takes the job first and sleeps after: jobs are taken earlier than asyncio's.
"""

from __future__ import annotations

import itertools as it
import math
import random
import sys

import trio
from faker import Faker
from trio_util import AsyncValue


def streams(seed: int, nprod: int) -> tuple[list[Faker], list[random.Random], random.Random]:
    """One ``Faker`` and one RNG per producer, and the consumers' RNG, all drawn from ``seed``.

    Every draw happens here, in program order, before the scheduler picks any order.
    """
    master = random.Random(seed)
    fakers = []
    for _ in range(nprod):
        fake = Faker()
        fake.seed_instance(master.getrandbits(64))
        fakers.append(fake)
    rngs = [random.Random(master.getrandbits(64)) for _ in range(nprod)]
    return fakers, rngs, random.Random(master.getrandbits(64))


def names(seed: int, nprod: int, ncon: int) -> tuple[list[str], list[str]]:
    """Producer names (female first names) and consumer names (male), from ``seed``."""
    fake = Faker()
    fake.seed_instance(seed)
    return ([fake.first_name_female() for _ in range(nprod)],
            [fake.first_name_male() for _ in range(ncon)])


async def create_job(fake: Faker) -> str:
    return str(fake.job())


async def rand_sleep(rng: random.Random) -> None:
    i = rng.randint(0, 10)
    await trio.sleep(i)


async def produce(name: str, send_channel: trio.MemorySendChannel[tuple[str, float]],
                  rng: random.Random, fake: Faker, outstanding: AsyncValue[int]) -> None:
    async with send_channel:  # each producer closes its own clone when it is done
        n = rng.randint(0, 10)
        for _ in it.repeat(None, n):
            await rand_sleep(rng)
            i = await create_job(fake)
            t = trio.current_time()
            outstanding.value += 1
            # put() on an unbounded queue never suspends; send_nowait neither (send checkpoints)
            send_channel.send_nowait((i, t))
            print(f"Producer {name} added <{i}> to queue.")


async def consume(name: str, receive_channel: trio.MemoryReceiveChannel[tuple[str, float]],
                  rng: random.Random, outstanding: AsyncValue[int]) -> None:
    while True:
        i, t = await receive_channel.receive()  # BUG: before the sleep
        now = trio.current_time()
        print(f"    > Consumer {name} got element <{i}>"
              f" in {now-t:0.5f} seconds.")
        outstanding.value -= 1  # q.task_done()
        await rand_sleep(rng)


async def main(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    fakers, rngs, consumer_rng = streams(seed, nprod)
    producer_names, consumer_names = names(seed, nprod, ncon)
    # Unbounded like asyncio.Queue() (a buffer of 0 would make every send wait); nurseries
    # own the tasks, so no sets keep them alive; outstanding plays q.join(); our send_channel
    # stays open until the consumers are cancelled, or a waiting one would get EndOfChannel.
    send_channel, receive_channel = trio.open_memory_channel[tuple[str, float]](math.inf)
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
    """The notebook's last cell, with the elapsed time read from Trio's clock."""
    start = trio.current_time()
    await main(nprod=nprod, ncon=ncon, seed=seed)
    elapsed = trio.current_time() - start
    print(f"Program completed in {elapsed:0.5f} seconds.")


async def consume_until_closed(
    name: str, receive_channel: trio.MemoryReceiveChannel[tuple[str, float]],
    rng: random.Random,
) -> None:
    """``consume`` for ``main_closing``: it ends when the channel is closed and empty."""
    async with receive_channel:
        while True:
            await rand_sleep(rng)
            try:
                i, t = await receive_channel.receive()
            except trio.EndOfChannel:
                return
            now = trio.current_time()
            print(f"    > Consumer {name} got element <{i}>"
                  f" in {now-t:0.5f} seconds.")


async def main_closing(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    """The idiomatic Trio ending, and a documented divergence from ``main``.

    No counter: every producer closes its clone of the send channel when done, so once the
    last job is taken each consumer's next ``receive`` raises ``EndOfChannel`` and the
    nursery exits by itself. The same jobs are taken at the same instants, but the program
    ends later than ``q.join()`` lets it: each consumer first finishes the random sleep it
    starts after its last job (up to 10 s), where asyncio cancels it mid-sleep.
    """
    fakers, rngs, consumer_rng = streams(seed, nprod)
    producer_names, consumer_names = names(seed, nprod, ncon)
    send_channel, receive_channel = trio.open_memory_channel[tuple[str, float]](math.inf)
    async with trio.open_nursery() as nursery, send_channel, receive_channel:
        for k in range(nprod):
            nursery.start_soon(produce, producer_names[k], send_channel.clone(),
                               rngs[k], fakers[k], AsyncValue(0))
        for k in range(ncon):
            nursery.start_soon(consume_until_closed, consumer_names[k],
                               receive_channel.clone(), consumer_rng)


async def demo_closing(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    """``demo`` with ``main_closing``: the same lines, a later "Program completed"."""
    start = trio.current_time()
    await main_closing(nprod=nprod, ncon=ncon, seed=seed)
    elapsed = trio.current_time() - start
    print(f"Program completed in {elapsed:0.5f} seconds.")


if __name__ == "__main__":
    try:
        trio.run(demo)
    except* KeyboardInterrupt:  # trio.run raises it inside an exception group
        sys.exit(130)  # the shell's code for "ended by Ctrl-C", without a traceback
