"""Broken on purpose: awaits the three counts one after another instead of in a nursery."""

import trio

from trio_port.count import count_sync, demo_sync, main_sync  # noqa: F401 - the same sync half


async def count_async() -> None:
    print("One Async")
    await trio.sleep(1)
    print("Two Async")


async def main_async() -> None:
    for _ in range(3):
        await count_async()  # BUG: sequential, ~3 s


async def demo_async() -> None:
    s = trio.current_time()
    await main_async()
    elapsed = trio.current_time() - s
    print(f"async version executed in {elapsed:0.2f} seconds.")

