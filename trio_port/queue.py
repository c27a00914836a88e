"""Lesson 4 (notebook 002.004): using a queue.

Producers, which know nothing of each other, put a random number of jobs on a queue at
random times; consumers take them greedily as they come. ``produce`` puts ``(job, timestamp)``
tuples, ``consume`` takes them and says how long each waited, and ``main`` runs ``nprod``
producers (female first names) and ``ncon`` consumers (male names) until every job is done.

The notebook's questions:

* *Isn't* ``while True`` *a problem?* No: each round passes two checkpoints, ``trio.sleep``
  (``sleep(0)`` too) and ``receive`` (on a non-empty channel too; an ``await`` of a plain
  async function such as ``create_job`` is none), so the consumer never hogs the run, and it
  does not need to end on its own: ``main`` cancels the consumers' nursery once the work is
  done. Left running, it would wait forever on an empty channel, and the nursery around it
  would never exit.
* *Why wait only for the producers?* They finish on their own; the consumers never do. The
  producers get a nursery of their own, which plays ``gather``: it exits when they have all
  returned.
* *How do we know we are done?* Trio's channels have no ``join()``. The idiom is to close
  the send channels, so that consumers see the end of the channel, but a consumer asleep
  before its next ``receive`` then ends up to 10 s after the last job (``main_closing``, at
  the end, shows it). To end at the last consumption as asyncio does, ``outstanding``
  counts jobs sent and not yet processed (``task_done`` is ``outstanding.value -= 1``):
  when the producers are done and it is back to 0, the consumers are cancelled.

One change from the notebook, made in both versions: no global RNG and no one shared
``Faker``. Tasks would take numbers and job names from them in the order the scheduler runs
them, and Trio runs tasks that wake together in a random order: the jobs themselves would
depend on the framework. Each producer gets its own ``random.Random`` and its own seeded
``Faker``, all derived from the seed before any task runs, so its jobs and their instants
depend on the seed alone. The consumers share one RNG: each draws the sleep before its next
``get`` from it. Consumers are interchangeable workers, and when several are free at one
instant, *which* of them takes a job is the scheduler's choice in both frameworks; with a
stream per consumer that choice would decide when the next jobs are taken. With one stream,
the draws made at an instant are the same numbers whoever makes them, so *when* jobs are
taken, and how long each waited, depend on the seed alone. What does not: the consumer's
name on a line, and which of the jobs put at one instant is taken first
(``walkthrough.normalise.queue`` states the rule the shared tests apply).
Timestamps come from Trio's clock.
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
        await rand_sleep(rng)
        i, t = await receive_channel.receive()
        now = trio.current_time()
        print(f"    > Consumer {name} got element <{i}>"
              f" in {now-t:0.5f} seconds.")
        outstanding.value -= 1  # q.task_done()


async def main(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    fakers, rngs, consumer_rng = streams(seed, nprod)
    producer_names, consumer_names = names(seed, nprod, ncon)
    # Unbounded like asyncio.Queue() (with a buffer of 0, send_nowait would raise WouldBlock
    # whenever no consumer is already waiting in receive); nurseries
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
    import argparse  # here, not at the top: the notebooks' cells are this file above this block
    import signal

    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.name}" if __spec__ else None,  # None: the file's own name
        description="Lesson 4 (notebook 002.004): using a queue.")
    parser.parse_args()  # no arguments: --help, or exit 2 for anything else
    try:
        trio.run(demo)
    except* KeyboardInterrupt:  # trio.run may raise it inside an exception group
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # exiting: a second Ctrl-C must not kill it
        sys.exit(130)  # the shell's code for "ended by Ctrl-C", without a traceback
