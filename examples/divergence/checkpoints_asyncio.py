"""Checkpoints decide interleavings: ``Queue.put`` on a queue with room never yields.

Task A's three puts run back to back, then task B's: the order is fixed by where the code
awaits something that really blocks, not by the ``await`` keyword.
"""

from __future__ import annotations

import asyncio


async def producer(name: str, q: asyncio.Queue[str], log: list[str]) -> None:
    for i in range(3):
        await q.put(f"{name}{i}")  # unbounded queue: returns without yielding
        log.append(f"{name}{i}")


async def main() -> list[str]:
    log: list[str] = []
    q: asyncio.Queue[str] = asyncio.Queue()
    await asyncio.gather(producer("A", q, log), producer("B", q, log))
    return log


if __name__ == "__main__":
    print(" ".join(asyncio.run(main())))
