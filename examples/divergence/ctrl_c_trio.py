"""Ctrl-C under Trio: KeyboardInterrupt is raised at a checkpoint, inside the nursery.

Run it and press Ctrl-C after "ready". The workers' ``finally`` blocks run (the nursery
cancels them), and what reaches the caller of ``trio.run`` is a ``BaseExceptionGroup``
holding the KeyboardInterrupt: catch it with ``except*``.
"""

from __future__ import annotations

import trio
import trio.lowlevel


async def worker(name: str) -> None:
    try:
        await trio.sleep(30)
    finally:
        print(f"{name} cleaned up", flush=True)


async def main() -> None:
    async with trio.open_nursery() as nursery:
        nursery.start_soon(worker, "w1")
        nursery.start_soon(worker, "w2")
        await trio.lowlevel.checkpoint()
        print("ready", flush=True)


if __name__ == "__main__":
    # A plain `except KeyboardInterrupt` would miss it: it arrives inside a group.
    try:
        trio.run(main)
    except* KeyboardInterrupt:
        print("caught KeyboardInterrupt in a group", flush=True)
