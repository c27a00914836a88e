"""What crosses the trio-asyncio bridge, and how: cancellation in both directions.

Each line printed is one fact, checked by tests/test_migration.py:

1. A Trio timeout around ``aio_as_trio(fn)`` cancels the asyncio task: its ``except
   CancelledError`` and its ``finally`` run, and the Trio scope catches ``trio.Cancelled``.
2. An asyncio task that cancels itself hands Trio a bare ``asyncio.CancelledError``: not a Trio
   cancellation, so no cancel scope catches it and, left alone, it would crash the nursery.
3. ``asyncio.timeout`` inside the asyncio code still raises the builtin ``TimeoutError``.
4. Inside ``open_loop()``, Trio code sees the bridged loop as asyncio's running loop. That does
   not let Trio code await asyncio's awaitables: ``await asyncio.sleep()`` written in Trio code
   fails ("trio.run received unrecognized yield message"). Keep the two sides rigidly separate:
   every asyncio await goes through ``aio_as_trio`` (tests/test_claims_pages.py).
"""

from __future__ import annotations

import asyncio

import trio
import trio_asyncio
from trio_asyncio import aio_as_trio


async def slow(log: list[str]) -> None:
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        log.append("1. the asyncio side saw CancelledError")
        raise
    finally:
        log.append("1. the asyncio side's finally ran")


async def cancels_itself() -> None:
    task = asyncio.current_task()
    assert task is not None
    task.cancel()
    await asyncio.sleep(0)


async def times_out() -> None:
    async with asyncio.timeout(0.01):
        await asyncio.sleep(1)


async def main() -> list[str]:
    log: list[str] = []
    async with trio_asyncio.open_loop():
        with trio.move_on_after(0.05) as scope:
            await aio_as_trio(slow)(log)
        log.append(f"1. the Trio scope caught the cancellation: {scope.cancelled_caught}")
        try:
            await aio_as_trio(cancels_itself)()
        except asyncio.CancelledError as e:
            log.append(f"2. Trio got a bare {type(e).__module__}.{type(e).__name__}")
        try:
            await aio_as_trio(times_out)()
        except TimeoutError:
            log.append("3. asyncio.timeout raised TimeoutError")
        log.append(f"4. Trio code sees a running asyncio loop: "
                   f"{asyncio.get_running_loop() is not None}")
    return log


if __name__ == "__main__":
    print(*trio.run(main), sep="\n")
