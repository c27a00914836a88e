"""Broken on purpose: the children *append* their results, so they come back in the order the
chains finished, not the order of ``args`` that ``gather`` guarantees."""

import trio

from trio_port.chained import chain, fire, load, task_rngs  # noqa: F401


async def main(*args: str, seed: int = 1672) -> list[tuple[int, int]]:
    rngs = task_rngs(seed, len(args))
    res: list[tuple[int, int]] = []

    async def keep(k: int) -> None:
        res.append(await chain(args[k], rngs[k]))  # BUG: completion order

    async with trio.open_nursery() as nursery:
        for k in range(len(args)):
            nursery.start_soon(keep, k)
    return res


async def demo(*args: str, seed: int = 1672) -> list[tuple[int, int]]:
    start = trio.current_time()
    res = await main(*args, seed=seed)
    end = trio.current_time() - start
    print(f"Program finished in {end:0.2f} seconds.")
    return res
