"""One global RNG, consumed in scheduling order. asyncio's order for same-instant tasks is fixed.

Three tasks wake at the same virtual instant and each draw a number. asyncio wakes timers due
together in the order its heap gives them up: fixed from run to run, and for three tasks
first-in first-out (five come out 0, 2, 4, 1, 3), so with ``random.seed(444)`` task 0 always
gets the first number. The fix
that makes the draw independent of scheduling is one stream per task, derived from the seed.
"""

from __future__ import annotations

import asyncio
import random


async def draw(idx: int, rng: random.Random, out: dict[int, int]) -> None:
    await asyncio.sleep(1)  # all three wake at t=1
    out[idx] = rng.randint(0, 100)  # seed 444: 39, 36, 1 (0 to 10 draws 4, 4, 0: a tie)


async def main(seed: int = 444, per_task: bool = False) -> dict[int, int]:
    out: dict[int, int] = {}
    shared = random.Random(seed)  # stands in for random.seed(444) + the module functions
    await asyncio.gather(
        *(
            draw(idx, random.Random(f"{seed}-{idx}") if per_task else shared, out)
            for idx in range(3)
        )
    )
    return dict(sorted(out.items()))


if __name__ == "__main__":
    print(asyncio.run(main()))
