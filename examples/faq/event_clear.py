"""``Event.clear()``: Trio's Event has none, on purpose. Use a new Event, or ``AsyncValue``.

A cleared event races: a waiter woken by ``set()`` may look again after ``clear()`` and miss
its wake-up. Trio makes each Event one-shot. For a flag that goes up and down, wait for a
*value* with ``trio_util.AsyncValue`` (or ``AsyncBool``): each waiter states what it waits for.
"""

from __future__ import annotations

import trio
import trio_util


async def main() -> list[str]:
    log: list[str] = []
    ready = trio_util.AsyncBool(False)
    start = trio.current_time()

    async def waiter() -> None:
        await ready.wait_value(True)
        log.append(f"up at {trio.current_time() - start:.0f}")
        await ready.wait_value(False)  # the "cleared" state is just another value
        log.append(f"down at {trio.current_time() - start:.0f}")

    async with trio.open_nursery() as nursery:
        nursery.start_soon(waiter)
        await trio.sleep(1)
        ready.value = True  # set()
        await trio.sleep(1)
        ready.value = False  # clear()
    return log


if __name__ == "__main__":
    print(trio.run(main))  # ['up at 1', 'down at 2']
