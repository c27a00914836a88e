"""One global RNG, consumed in scheduling order. Trio promises no order for a same-instant batch.

The same three draws as the asyncio file: under Trio, which task receives the first number
changes from run to run. Tasks whose sleeps end at one instant come out of a heap ordered by
``id()`` of their cancel scopes (memory addresses), and Trio reverses each batch half the time,
at random, on purpose, so that code cannot come to rely on an order nobody promised. One
stream per task, derived from the seed, gives every task the same number in both frameworks.
"""

from __future__ import annotations

import random

import trio


async def draw(idx: int, rng: random.Random, out: dict[int, int]) -> None:
    await trio.sleep(1)  # all three wake at t=1
    out[idx] = rng.randint(0, 100)  # seed 444: 39, 36, 1 (0 to 10 draws 4, 4, 0: a tie)


async def main(seed: int = 444, per_task: bool = False) -> dict[int, int]:
    out: dict[int, int] = {}
    shared = random.Random(seed)  # stands in for random.seed(444) + the module functions
    async with trio.open_nursery() as nursery:
        for idx in range(3):
            nursery.start_soon(
                draw, idx, random.Random(f"{seed}-{idx}") if per_task else shared, out
            )
    return dict(sorted(out.items()))


if __name__ == "__main__":
    print(trio.run(main))
