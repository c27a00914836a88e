"""Async generators with nurseries: never ``yield`` inside a nursery; use ``trio.as_safe_channel``.

A plain async generator that opens a nursery and yields from inside it would suspend with the
nursery open in its *caller's* task: cancellation and errors would reach the wrong code
(PEP 789). ``@trio.as_safe_channel`` (Trio >= 0.30) runs the generator in a background task
and hands the caller a receive channel inside an ``async with``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import trio


async def fetch(i: int) -> int:
    await trio.sleep(3 - i)
    return i * 10


@trio.as_safe_channel
async def fetch_all(n: int) -> AsyncGenerator[int, None]:
    send, receive = trio.open_memory_channel[int](n)
    async with trio.open_nursery() as nursery:

        async def one(i: int) -> None:
            await send.send(await fetch(i))

        for i in range(n):
            nursery.start_soon(one, i)
        for _ in range(n):
            yield await receive.receive()  # safe here: as_safe_channel owns this task


async def main() -> list[int]:
    async with fetch_all(3) as results:
        return [x async for x in results]


if __name__ == "__main__":
    print(trio.run(main))  # [20, 10, 0]: in completion order
