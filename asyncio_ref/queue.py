"""Lesson 4 (notebook 002.004): using a queue.

Producers, which know nothing of each other, put a random number of jobs on a queue at
random times; consumers take them greedily as they come. ``produce`` puts ``(job, timestamp)``
tuples, ``consume`` takes them and says how long each waited, and ``main`` runs ``nprod``
producers (female first names) and ``ncon`` consumers (male names) until every job is done.

The notebook's questions:

* *Isn't* ``while True`` *a problem?* No: the consumer suspends in every round, at its sleep
  (``asyncio.sleep(0)`` too yields; ``q.get()`` on a non-empty queue does not), so it never
  hogs the loop, and it does not need to end on its own, because ``main`` cancels it
  once the work is done. Left running, it would wait on the empty queue until ``asyncio.run``
  cancels it at shutdown (it cancels every task still pending when ``main`` returns); in a
  notebook under ``nest_asyncio`` nothing shuts the loop down, and it lingers after the cell.
* *Why gather only the producers?* They are the ones that finish on their own; the consumers
  never do, so gathering them would never return.
* *How do we know we are done?* The producers have all returned (no job will come), and
  ``q.join()`` returns when every job put has been marked ``task_done()`` (nothing is left).
  Then the consumers can be cancelled, and the program ends at the last consumption.

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
Timestamps come from the loop's clock.
"""

from __future__ import annotations

import asyncio
import itertools as it
import random
import sys

from faker import Faker


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
    await asyncio.sleep(i)


async def produce(name: str, q: asyncio.Queue[tuple[str, float]], rng: random.Random,
                  fake: Faker) -> None:
    n = rng.randint(0, 10)
    for _ in it.repeat(None, n):
        await rand_sleep(rng)
        i = await create_job(fake)
        t = asyncio.get_running_loop().time()
        await q.put((i, t))
        print(f"Producer {name} added <{i}> to queue.")


async def consume(name: str, q: asyncio.Queue[tuple[str, float]], rng: random.Random) -> None:
    while True:
        await rand_sleep(rng)
        i, t = await q.get()
        now = asyncio.get_running_loop().time()
        print(f"    > Consumer {name} got element <{i}>"
              f" in {now-t:0.5f} seconds.")
        q.task_done()


async def main(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    fakers, rngs, consumer_rng = streams(seed, nprod)
    producer_names, consumer_names = names(seed, nprod, ncon)
    q: asyncio.Queue[tuple[str, float]] = asyncio.Queue()
    producers: set[asyncio.Task[None]] = set()
    for k in range(nprod):
        task = asyncio.create_task(produce(producer_names[k], q, rngs[k], fakers[k]))
        producers.add(task)
        task.add_done_callback(producers.discard)
    consumers: set[asyncio.Task[None]] = set()
    for k in range(ncon):
        task = asyncio.create_task(consume(consumer_names[k], q, consumer_rng))
        consumers.add(task)
        task.add_done_callback(consumers.discard)
    try:
        await asyncio.gather(*producers)
        await q.join()
    finally:
        # Also when main itself is cancelled (a timeout, Ctrl-C): no consumer is orphaned.
        for c in consumers:
            c.cancel()
        await asyncio.gather(*consumers, return_exceptions=True)


async def demo(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    """The notebook's last cell, with the elapsed time read from the loop's clock."""
    start = asyncio.get_running_loop().time()
    await main(nprod=nprod, ncon=ncon, seed=seed)
    elapsed = asyncio.get_running_loop().time() - start
    print(f"Program completed in {elapsed:0.5f} seconds.")


if __name__ == "__main__":
    import argparse  # here, not at the top: the notebooks' cells are this file above this block
    import inspect
    import signal

    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.name}" if __spec__ else None,  # None: the file's own name
        description="Lesson 4 (notebook 002.004): using a queue.")
    parser.parse_args()  # no arguments: --help, or exit 2 for anything else
    coro = demo()
    try:
        asyncio.run(coro)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # exiting: a second Ctrl-C must not kill it
        # Closed only if it never started (no "was never awaited" warning): one that started
        # and a Ctrl-C in asyncio.run's own close left suspended has no loop left to unwind on.
        if inspect.getcoroutinestate(coro) == inspect.CORO_CREATED:
            coro.close()
        sys.exit(130)  # the shell's code for "ended by Ctrl-C", without a traceback
