"""Threads and asyncio: a blocking library's thread hands results to async code, and back.

Two directions, one program:

1. A thread that async code did not start (a legacy library's callback thread, say) delivers
   items into the loop: ``loop.call_soon_threadsafe(queue.put_nowait, item)``, fire and forget.
2. Blocking code, run in a worker thread with ``asyncio.to_thread``, calls an async function
   and waits for its result: ``asyncio.run_coroutine_threadsafe(coro, loop).result()``.

``after_the_run`` keeps the loop and calls in once ``asyncio.run`` has returned, as a thread
that outlives the run would, and shows what it gets.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable


def legacy_sensor(n: int, deliver: Callable[[str | None], None]) -> None:
    """A blocking library: it calls ``deliver`` from its own thread, then None when done."""
    for i in range(n):
        deliver(f"reading {i}")
    deliver(None)


async def lookup(key: int) -> str:
    await asyncio.sleep(0)
    return f"lookup({key}) = {key * key}"


async def main() -> list[str]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def deliver(item: str | None) -> None:  # runs in the sensor's thread
        loop.call_soon_threadsafe(queue.put_nowait, item)

    sensor = threading.Thread(target=legacy_sensor, args=(3, deliver))
    sensor.start()
    got = []
    while (item := await queue.get()) is not None:
        got.append(item)
    await asyncio.to_thread(sensor.join)  # never a blocking join() on the loop's thread

    def blocking_client() -> str:  # runs in a worker thread
        return asyncio.run_coroutine_threadsafe(lookup(7), loop).result()

    got.append(await asyncio.to_thread(blocking_client))
    return got


def after_the_run() -> str:
    """Keep the loop and call in after ``asyncio.run`` has returned (and closed it), as a
    thread that outlives the run would: from any thread, the same error."""
    loop = asyncio.run(_running_loop())
    try:
        loop.call_soon_threadsafe(print, "never")
    except RuntimeError as e:
        return f"{type(e).__name__}: {e}"
    return "no error"


async def _running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


if __name__ == "__main__":
    print(asyncio.run(main()))
    print(after_the_run())
