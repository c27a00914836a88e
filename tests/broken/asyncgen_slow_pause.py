"""Broken on purpose: pauses 0.3 s instead of 0.2 s; the values are right, the times are not."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import trio


async def mygen(sep: str, up_to: int = 10) -> AsyncGenerator[int, None]:
    print()
    for i in range(up_to):
        print(sep, end=" ")
        yield 2**i
        await trio.sleep(0.3)  # BUG


async def main(up_to: int = 10) -> tuple[list[int], list[int]]:
    g = [i async for i in mygen(".", up_to)]

    f = []
    async for j in mygen("+", up_to):
        if j // 3 % 5:
            continue
        f.append(j)
    return g, f


async def demo(up_to: int = 10) -> None:
    g, f = await main(up_to)
    print()
    print(f"g = {g}")
    print(f"f = {f}")
