"""asyncio.as_completed in Trio: children send results into a channel as they finish.

The parent reads the channel in completion order. Each child holds a clone of the send side
and closes it when done, so the ``async for`` ends when the last child has finished.
"""

from __future__ import annotations

import math

import trio


async def job(x: int, send: trio.MemorySendChannel[int]) -> None:
    async with send:
        await trio.sleep(x)
        await send.send(x)


async def main() -> list[int]:
    done: list[int] = []
    send, receive = trio.open_memory_channel[int](math.inf)
    async with trio.open_nursery() as nursery:
        async with send:
            for x in [3, 1, 2]:
                nursery.start_soon(job, x, send.clone())
        async with receive:
            async for result in receive:  # in completion order
                done.append(result)
    return done


if __name__ == "__main__":
    print(trio.run(main))  # [1, 2, 3]
