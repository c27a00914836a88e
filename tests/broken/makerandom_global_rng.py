"""Broken on purpose: the notebook's one global RNG, ported to Trio as it stands.

``random.seed(seed)`` once, then every task calls ``random.randint``: the tasks take numbers
from one stream in the order the scheduler runs them. asyncio's order is fixed (its timer
heap's), so there the result is fixed by the seed; Trio runs each batch of tasks that woke
together in a random order, so here the numbers change from run to run.
``tests/test_makerandom.py`` shows it.
"""

import random

import trio

from trio_port.makerandom import c


async def makerandom(idx: int, threshold: int = 6) -> int:
    threshold = 10 - idx - 1
    print(c[idx + 1] + f"Initiated makerandom({idx=}, {threshold=})." + c[0])
    i = random.randint(0, 10)  # BUG: one stream shared by all tasks, taken in scheduling order
    while i <= threshold:
        print(c[idx + 1] + f"{i} too low; retrying." + c[0])
        await trio.sleep(i + 1)
        i = random.randint(0, 10)
    print(c[idx + 1] + f"---> Finished: makerandom({idx}) == {i}" + c[0])
    return i


async def main() -> list[int]:
    results: dict[int, int] = {}

    async def keep(idx: int) -> None:
        results[idx] = await makerandom(idx)

    async with trio.open_nursery() as nursery:
        for idx in range(3):
            nursery.start_soon(keep, idx)
    return [results[idx] for idx in range(3)]


async def demo(seed: int = 444) -> list[int]:
    random.seed(seed)
    r1, r2, r3 = await main()
    print(f"r1: {r1}, r2: {r2}, r3: {r3}")
    return [r1, r2, r3]
