"""Broken on purpose: awaits the three calls one after another instead of in a nursery."""

from trio_port.makerandom import c, makerandom, task_rngs  # noqa: F401


async def main(seed: int = 444) -> list[int]:
    rngs = task_rngs(seed, 3)
    return [await makerandom(idx, rng=rngs[idx]) for idx in range(3)]  # BUG: sequential


async def demo(seed: int = 444) -> list[int]:
    r1, r2, r3 = await main(seed)
    print(f"r1: {r1}, r2: {r2}, r3: {r3}")
    return [r1, r2, r3]
