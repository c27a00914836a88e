"""Lesson 2 (notebook 002.002): the rules of async IO.

``makerandom(idx)`` draws ``randint(0, 10)`` until a number beats its threshold
(``10 - idx - 1``: 9, 8, 7), sleeping ``i + 1`` seconds after each number that is too low.
``main`` runs three of them at once, so no call waits for another to finish, and collects
the three results in ``idx`` order.

One change from the notebook, made in both versions: the notebook seeds the one global RNG,
and the three tasks then take numbers from it in the order the scheduler runs them. asyncio
runs tasks that wake together in a fixed order (its timer heap's, not the order the timers
were set in: at 5 s in notebook mode, idx 1 wakes before idx 0), Trio in one that changes
from run to run, so with one shared RNG the *numbers themselves* would depend on the
framework. Instead each task gets its own ``random.Random``, seeded from a master RNG in a
fixed order before any task starts: the numbers then depend on the seed alone.
"""

from __future__ import annotations

import asyncio
import random
import sys

# ANSI colors
c = (
    "\033[0m",   # End of color
    "\033[36m",  # Cyan
    "\033[91m",  # Red
    "\033[35m",  # Magenta
)


def task_rngs(seed: int, n: int) -> list[random.Random]:
    """One RNG per task, drawn from a master RNG seeded with ``seed``, before any task runs.

    The draws happen here, in program order, not in whatever order the scheduler later picks.
    """
    master = random.Random(seed)
    return [random.Random(master.getrandbits(64)) for _ in range(n)]


async def makerandom(idx: int, threshold: int = 6, *, rng: random.Random) -> int:
    """Draw until a number beats ``threshold``; as in the notebook, ``idx`` sets the threshold."""
    threshold = 10 - idx - 1
    print(c[idx + 1] + f"Initiated makerandom({idx=}, {threshold=})." + c[0])
    i = rng.randint(0, 10)
    while i <= threshold:
        print(c[idx + 1] + f"{i} too low; retrying." + c[0])
        await asyncio.sleep(i + 1)
        i = rng.randint(0, 10)
    print(c[idx + 1] + f"---> Finished: makerandom({idx}) == {i}" + c[0])
    return i


async def main(seed: int = 444) -> list[int]:
    rngs = task_rngs(seed, 3)
    res = await asyncio.gather(*(makerandom(idx, rng=rngs[idx]) for idx in range(3)))
    return res


async def demo(seed: int = 444) -> list[int]:
    """The notebook's last cell; returns the results too, so a comparison sees them."""
    r1, r2, r3 = await main(seed)
    print(f"r1: {r1}, r2: {r2}, r3: {r3}")
    return [r1, r2, r3]


# --- asyncio only: notebook mode, the numbers the notebook's own cells print -------------
#
# The notebook seeds the one global RNG (random.seed(444)) and every task draws from it.
# Under asyncio that still fixes every number, because tasks that wake together run in a fixed
# order (the timer heap's, not always the order the timers were set in): 17 "too low" lines,
# then r1: 10, r2: 9, r3: 10 on the virtual clock. The Trio twin has no such mode: Trio
# wakes such a batch in an order that changes from run to run, so one shared stream would
# hand each task other numbers from run to run (docs/lessons/makerandom.md,
# examples/divergence/global_rng_*.py).


async def demo_notebook(seed: int = 444) -> list[int]:
    """``demo`` as the notebook's cells run it: one stream, seeded once, for all three tasks."""
    shared = random.Random(seed)  # the global RNG after random.seed(seed), without the global
    r1, r2, r3 = await asyncio.gather(*(makerandom(idx, rng=shared) for idx in range(3)))
    print(f"r1: {r1}, r2: {r2}, r3: {r3}")
    return [r1, r2, r3]


if __name__ == "__main__":
    import argparse  # here, not at the top: the notebooks' cells are this file above this block
    import inspect
    import signal

    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.name}" if __spec__ else None,  # None: the file's own name
        description="Lesson 2 (notebook 002.002): the rules of async IO.")
    parser.add_argument("--global-rng", action="store_true",
                        help="notebook mode: one RNG for every task, the notebook's own numbers")
    args = parser.parse_args()
    coro = demo_notebook() if args.global_rng else demo()
    try:
        asyncio.run(coro)
    except KeyboardInterrupt:  # Ctrl-C: 130, the shell's "ended by Ctrl-C", no traceback
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # exiting: a second Ctrl-C must not kill it
        # Closed only if it never started (no "was never awaited" warning): one that started
        # and a Ctrl-C in asyncio.run's own close left suspended has no loop left to unwind on.
        if inspect.getcoroutinestate(coro) == inspect.CORO_CREATED:
            coro.close()
        sys.exit(130)
