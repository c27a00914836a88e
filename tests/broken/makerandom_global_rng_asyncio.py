"""The notebook's asyncio solution with its one global RNG: not broken *under asyncio*.

asyncio starts tasks first-in first-out and wakes timers due at one instant in its timer
heap's order (not always first-in first-out, but the same on every run), so the tasks
always take numbers from the shared stream in the same order and the seed fixes every
result. It is kept next to its Trio
port (``makerandom_global_rng``) so the divergence test can run the same code both ways.
"""

import asyncio
import random

from asyncio_ref.makerandom import c


async def makerandom(idx: int, threshold: int = 6) -> int:
    threshold = 10 - idx - 1
    print(c[idx + 1] + f"Initiated makerandom({idx=}, {threshold=})." + c[0])
    i = random.randint(0, 10)  # one stream shared by all tasks, taken in scheduling order
    while i <= threshold:
        print(c[idx + 1] + f"{i} too low; retrying." + c[0])
        await asyncio.sleep(i + 1)
        i = random.randint(0, 10)
    print(c[idx + 1] + f"---> Finished: makerandom({idx}) == {i}" + c[0])
    return i


async def main() -> list[int]:
    return await asyncio.gather(*(makerandom(idx) for idx in range(3)))


async def demo(seed: int = 444) -> list[int]:
    random.seed(seed)
    r1, r2, r3 = await main()
    print(f"r1: {r1}, r2: {r2}, r3: {r3}")
    return [r1, r2, r3]
