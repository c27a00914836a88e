"""Ctrl-C under asyncio: ``asyncio.run`` cancels the main task and raises a bare KeyboardInterrupt.

Run it and press Ctrl-C after "ready". The workers' ``finally`` blocks run (the TaskGroup
cancels them), and what reaches the caller of ``asyncio.run`` is ``KeyboardInterrupt`` itself.
"""

from __future__ import annotations

import asyncio


async def worker(name: str) -> None:
    try:
        await asyncio.sleep(30)
    finally:
        print(f"{name} cleaned up", flush=True)


async def main() -> None:
    async with asyncio.TaskGroup() as tg:
        tg.create_task(worker("w1"))
        tg.create_task(worker("w2"))
        await asyncio.sleep(0)
        print("ready", flush=True)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        print("caught KeyboardInterrupt", flush=True)
