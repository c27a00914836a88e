"""Checkpoints decide interleavings: every ``await`` on a Trio primitive is a checkpoint.

``send`` yields to the scheduler even when the channel has room, so A and B take turns: step
*k* of both tasks runs in the same scheduling batch, in an order Trio picks at random.
"""

from __future__ import annotations

import math

import trio


async def producer(name: str, send: trio.MemorySendChannel[str], log: list[str]) -> None:
    for i in range(3):
        await send.send(f"{name}{i}")  # a checkpoint, even with room in the channel
        log.append(f"{name}{i}")


async def main() -> list[str]:
    log: list[str] = []
    send, receive = trio.open_memory_channel[str](math.inf)
    async with send, receive, trio.open_nursery() as nursery:
        nursery.start_soon(producer, "A", send, log)
        nursery.start_soon(producer, "B", send, log)
    return log


if __name__ == "__main__":
    print(" ".join(trio.run(main)))
