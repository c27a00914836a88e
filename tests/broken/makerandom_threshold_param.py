"""Broken on purpose (a realistic porting slip, trio_port/makerandom.py with one change):
uses the ``threshold`` argument (6) instead of the notebook's ``10 - idx - 1``.
"""

from __future__ import annotations

import random

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
    # BUG: the notebook's threshold = 10 - idx - 1 forgotten
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
    trio.run(demo)
