"""How do I get return values without gather? Let each child write its result somewhere.

``nursery.start_soon`` discards return values on purpose: a nursery is about lifetimes, not
results. The child stores its result in a dict (or sends it down a channel); when the
``async with`` block ends, every child has finished, so every result is there.
"""

from __future__ import annotations

import trio


async def square(x: int) -> int:
    await trio.sleep(x)
    return x * x


async def main() -> list[int]:
    results: dict[int, int] = {}

    async def run_and_store(i: int, x: int) -> None:
        results[i] = await square(x)

    async with trio.open_nursery() as nursery:
        for i, x in enumerate([3, 1, 2]):
            nursery.start_soon(run_and_store, i, x)
    return [results[i] for i in range(len(results))]  # in call order, like gather


if __name__ == "__main__":
    print(trio.run(main))  # [9, 1, 4]
