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

import random
import sys

import trio

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
        await trio.sleep(i + 1)
        i = rng.randint(0, 10)
    print(c[idx + 1] + f"---> Finished: makerandom({idx}) == {i}" + c[0])
    return i


async def main(seed: int = 444) -> list[int]:
    rngs = task_rngs(seed, 3)
    results: dict[int, int] = {}

    # No gather in Trio: each child files its result under its idx; we read them in idx order.
    async def keep(idx: int) -> None:
        results[idx] = await makerandom(idx, rng=rngs[idx])

    async with trio.open_nursery() as nursery:
        for idx in range(3):
            nursery.start_soon(keep, idx)
    res = [results[idx] for idx in range(3)]
    return res


async def demo(seed: int = 444) -> list[int]:
    """The notebook's last cell; returns the results too, so a comparison sees them."""
    r1, r2, r3 = await main(seed)
    print(f"r1: {r1}, r2: {r2}, r3: {r3}")
    return [r1, r2, r3]


if __name__ == "__main__":
    import argparse  # here, not at the top: the notebooks' cells are this file above this block
    import signal

    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.name}" if __spec__ else None,  # None: the file's own name
        description="Lesson 2 (notebook 002.002): the rules of async IO.")
    # No notebook mode: Trio wakes tasks in a random order, so one shared RNG would give them
    # other numbers each run. Refused by name (exit 2), saying why, not as a mere typo.
    parser.add_argument("--global-rng", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.global_rng:
        parser.error("--global-rng is asyncio only: Trio wakes tasks in a random order, "
                     "so it has no notebook mode")
    try:
        trio.run(demo)
    except* KeyboardInterrupt:  # Ctrl-C: 130, the shell's "ended by Ctrl-C", no traceback
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # exiting: a second Ctrl-C must not kill it
        sys.exit(130)  # (except*: trio.run may raise it inside an exception group)
