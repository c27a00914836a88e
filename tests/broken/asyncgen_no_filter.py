"""Broken on purpose: forgets the ``async for`` filter; the timing is right, ``f`` is not."""

from __future__ import annotations

from trio_port.asyncgen import mygen


async def main(up_to: int = 10) -> tuple[list[int], list[int]]:
    g = [i async for i in mygen(".", up_to)]

    f = []
    async for j in mygen("+", up_to):
        f.append(j)  # BUG: the filter `if j // 3 % 5: continue` is gone
    return g, f


async def demo(up_to: int = 10) -> None:
    g, f = await main(up_to)
    print()
    print(f"g = {g}")
    print(f"f = {f}")
