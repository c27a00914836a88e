"""Lesson 3 (notebook 002.003): chaining coroutines.

``chain(n)`` awaits ``load(n)`` and feeds its result to ``fire(n, last_i)``: inside one chain
the steps run in order. ``main(*args)`` runs one chain per argument at the same time, so the
program takes as long as its longest chain, not the sum of them all.

As in lesson 2, each chain draws from its own ``random.Random``, seeded from a master RNG in
argument order before any chain starts: with one global RNG the chains would take numbers in
the order the scheduler runs them, and that order is fixed in asyncio for the default three
(they start first-in first-out, and, drawing from one RNG, no two are ever due at one instant)
but changes from run to run in Trio.
The timings are read from the framework's clock inside the run, not ``time.perf_counter``.
"""

from __future__ import annotations

import asyncio
import random
import sys


def task_rngs(seed: int, n: int) -> list[random.Random]:
    """One RNG per task, drawn from a master RNG seeded with ``seed``, before any task runs.

    The draws happen here, in program order, not in whatever order the scheduler later picks.
    """
    master = random.Random(seed)
    return [random.Random(master.getrandbits(64)) for _ in range(n)]


async def load(n: str, rng: random.Random) -> int:
    i = rng.randint(0, 10)
    print(f"loading {n}: (will take {i} seconds)")
    await asyncio.sleep(i)
    print(f"{n} loaded..")
    return i


async def fire(n: str, last_i: int, rng: random.Random) -> tuple[int, int]:
    i = rng.randint(0, 10)
    print(f"firing {n}: (will take {i} seconds)")
    await asyncio.sleep(i)
    print(f"{n} fired!")
    return (last_i, i)


async def chain(n: str, rng: random.Random) -> tuple[int, int]:
    """Load, then fire; print how long the two took. Returns ``fire``'s pair for ``main``."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    p1 = await load(n, rng)
    p2 = await fire(n, p1, rng)
    end = loop.time() - start
    print(f"--> Timing for {n}: total {end:0.2f} seconds, partial {p2}.")
    return p2


async def main(*args: str, seed: int = 1672) -> list[tuple[int, int]]:
    rngs = task_rngs(seed, len(args))
    res = await asyncio.gather(*(chain(n, rng) for n, rng in zip(args, rngs, strict=True)))
    return res


async def demo(*args: str, seed: int = 1672) -> list[tuple[int, int]]:
    """The notebook's last cell; returns the results too, so a comparison sees them."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    res = await main(*args, seed=seed)
    end = loop.time() - start
    print(f"Program finished in {end:0.2f} seconds.")
    return res


# --- asyncio only: notebook mode, the numbers the notebook's own cells print -------------
#
# The notebook seeds the one global RNG (random.seed(1672)) and every chain draws from it.
# Under asyncio that still fixes every number (the notebook's three chains start first-in
# first-out, and no two are ever due at one instant): the loads take 8, 4 and 3 s, and the
# program 12 s. The Trio twin has no such mode: Trio starts the chains (and wakes any due
# together) in an order that changes from run to run, so one shared stream would give them
# other numbers each run.


async def demo_notebook(*args: str, seed: int = 1672) -> list[tuple[int, int]]:
    """``demo`` as the notebook's cells run it: one stream, seeded once, for every chain."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    shared = random.Random(seed)  # the global RNG after random.seed(seed), without the global
    res = await asyncio.gather(*(chain(n, shared) for n in args))
    end = loop.time() - start
    print(f"Program finished in {end:0.2f} seconds.")
    return res


if __name__ == "__main__":
    import argparse  # here, not at the top: the notebooks' cells are this file above this block
    import inspect
    import signal

    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.name}" if __spec__ else None,  # None: the file's own name
        description="Lesson 3 (notebook 002.003): chaining coroutines.")
    parser.add_argument("names", nargs="*", metavar="NAME", default=["cannon", "laser", "railgun"],
                        help="one chain per name, all at once (default: cannon laser railgun)")
    parser.add_argument("--global-rng", action="store_true",
                        help="notebook mode: one RNG for every task, the notebook's own numbers")
    args = parser.parse_args()
    coro = (demo_notebook if args.global_rng else demo)(*args.names)
    try:
        asyncio.run(coro)
    except KeyboardInterrupt:  # Ctrl-C: 130, the shell's "ended by Ctrl-C", no traceback
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # exiting: a second Ctrl-C must not kill it
        # Closed only if it never started (no "was never awaited" warning): one that started
        # and a Ctrl-C in asyncio.run's own close left suspended has no loop left to unwind on.
        if inspect.getcoroutinestate(coro) == inspect.CORO_CREATED:
            coro.close()
        sys.exit(130)
