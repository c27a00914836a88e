"""Broken on purpose: sleeps ``idx + 1``, as the article's rand.py does, instead of the
notebook's ``i + 1``. The numbers and lines are right; only when the retries happen is wrong.
"""

import random

import trio

from trio_port.makerandom import c, task_rngs


async def makerandom(idx: int, threshold: int = 6, *, rng: random.Random) -> int:
    threshold = 10 - idx - 1
    print(c[idx + 1] + f"Initiated makerandom({idx=}, {threshold=})." + c[0])
    i = rng.randint(0, 10)
    while i <= threshold:
        print(c[idx + 1] + f"{i} too low; retrying." + c[0])
        await trio.sleep(idx + 1)  # BUG
        i = rng.randint(0, 10)
    print(c[idx + 1] + f"---> Finished: makerandom({idx}) == {i}" + c[0])
    return i


async def main(seed: int = 444) -> list[int]:
    rngs = task_rngs(seed, 3)
    results: dict[int, int] = {}

    async def keep(idx: int) -> None:
        results[idx] = await makerandom(idx, rng=rngs[idx])

    async with trio.open_nursery() as nursery:
        for idx in range(3):
            nursery.start_soon(keep, idx)
    return [results[idx] for idx in range(3)]


async def demo(seed: int = 444) -> list[int]:
    r1, r2, r3 = await main(seed)
    print(f"r1: {r1}, r2: {r2}, r3: {r3}")
    return [r1, r2, r3]
