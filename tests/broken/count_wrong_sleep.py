"""Broken on purpose: sleeps 1.5 s instead of 1 s; the lines are right, the times are not."""

import trio

from trio_port.count import count_sync, demo_sync, main_sync  # noqa: F401


async def count_async() -> None:
    print("One Async")
    await trio.sleep(1.5)  # BUG
    print("Two Async")


async def main_async() -> None:
    async with trio.open_nursery() as nursery:
        for _ in range(3):
            nursery.start_soon(count_async)


async def demo_async() -> None:
    s = trio.current_time()
    await main_async()
    elapsed = trio.current_time() - s
    print(f"async version executed in {elapsed:0.2f} seconds.")
