"""Broken on purpose: runs the chains one after another; the program takes the *sum* of them."""

import trio

from trio_port.chained import chain, fire, load, task_rngs  # noqa: F401


async def main(*args: str, seed: int = 1672) -> list[tuple[int, int]]:
    rngs = task_rngs(seed, len(args))
    return [await chain(n, rng) for n, rng in zip(args, rngs, strict=True)]  # BUG: sequential


async def demo(*args: str, seed: int = 1672) -> list[tuple[int, int]]:
    start = trio.current_time()
    res = await main(*args, seed=seed)
    end = trio.current_time() - start
    print(f"Program finished in {end:0.2f} seconds.")
    return res
