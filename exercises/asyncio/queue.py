# Exercise: lesson 'queue' (notebook 002.004, Using a queue), to solve in asyncio, as the notebook
# asks. Generated from asyncio_ref/queue.py by scripts/make_exercises.py: do not edit it here. Copy
# it, write each body (its comments are the notebook's steps, and the reference's notes), then run:
#     walkthrough check queue my_queue.py --impl asyncio
# To see the Trio port next to it: walkthrough diff queue
"""Lesson 4 (notebook 002.004): using a queue.

Producers, which know nothing of each other, put a random number of jobs on a queue at
random times; consumers take them greedily as they come. ``produce`` puts ``(job, timestamp)``
tuples, ``consume`` takes them and says how long each waited, and ``main`` runs ``nprod``
producers (female first names) and ``ncon`` consumers (male names) until every job is done.

The notebook's questions:

* *Isn't* ``while True`` *a problem?*
* *Why gather only the producers?*
* *How do we know we are done?*
(Answer them yourself; ours are in docs/lessons/queue.md and the solved notebooks.)

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
    # The check depends on these draws and values, in this order:
    #     fake.job()
    raise NotImplementedError("write create_job")


async def rand_sleep(rng: random.Random) -> None:
    # The check depends on these draws and values, in this order:
    #     i = rng.randint(0, 10)
    #     asyncio.sleep(i)
    raise NotImplementedError("write rand_sleep")


async def produce(name: str, q: asyncio.Queue[tuple[str, float]], rng: random.Random,
                  fake: Faker) -> None:
    # The notebook: pushes a random number of jobs to the queue
    # The notebook: Use the itertools method that allows to returns a list of n somethings (in this
    #               case, None)
    # The notebook: Add a tuple (an actual tuple) to the queue: one item is a random job number, the
    #               other is a timestamp
    # The check depends on these draws and values, in this order:
    #     n = rng.randint(0, 10)
    #     for _ in it.repeat(None, n):
    #         rand_sleep(rng)
    #         i = create_job(fake)
    #         t = asyncio.get_running_loop().time()
    #         q.put((i, t))
    # It prints exactly (the check compares every line):
    #     print(f"Producer {name} added <{i}> to queue.")
    raise NotImplementedError("write produce")


async def consume(name: str, q: asyncio.Queue[tuple[str, float]], rng: random.Random) -> None:
    # The notebook: gets the next available job and processes it
    # The notebook: Q: we are using while True, isn't that going to cause problems?
    # The notebook: Get the tuple off the queue
    # The notebook: Tell the queue it can tick the job as complete
    # The check depends on these draws and values, in this order:
    #     while True:
    #         rand_sleep(rng)
    #         i, t = q.get()
    #         now = asyncio.get_running_loop().time()
    # It prints exactly (the check compares every line):
    #     print(f"    > Consumer {name} got element <{i}>" f" in {now-t:0.5f} seconds.")
    # Where now: the clock when the job is taken; t: the timestamp in its tuple
    raise NotImplementedError("write consume")


async def main(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    # The notebook: orchestrates the whole thing
    # The notebook: create a queue
    # The notebook: create and schedule a set with a task for each producer
    # The notebook: make sure each of these tasks gets eventually garbage collected
    # The notebook: do the same for consumer (use male names)
    # The notebook: run all the producers tasks
    # The notebook: Q: why only the producers?
    # The notebook: wait until all jobs are processed
    # The notebook: Q: how do we know we are done?
    # The notebook: turn off the consumers
    # The reference says: Also when main itself is cancelled (a timeout, Ctrl-C): no consumer is
    #                     orphaned.
    # The check depends on these draws and values, in this order:
    #     fakers, rngs, consumer_rng = streams(seed, nprod)
    #     producer_names, consumer_names = names(seed, nprod, ncon)
    #     for k in range(nprod):
    #         produce(producer_names[k], q, rngs[k], fakers[k])
    #     for k in range(ncon):
    #         consume(consumer_names[k], q, consumer_rng)
    raise NotImplementedError("write main")


async def demo(nprod: int = 5, ncon: int = 2, seed: int = 444) -> None:
    """The notebook's last cell, with the elapsed time read from the loop's clock."""
    # The check depends on these draws and values, in this order:
    #     start = asyncio.get_running_loop().time()
    #     main(nprod=nprod, ncon=ncon, seed=seed)
    #     elapsed = asyncio.get_running_loop().time() - start
    # It prints exactly (the check compares every line):
    #     print(f"Program completed in {elapsed:0.5f} seconds.")
    raise NotImplementedError("write demo")


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
