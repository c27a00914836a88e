"""Futures: a value that one task sets and others await.

``loop.create_future()`` makes an empty box. One task fills it (``set_result`` or
``set_exception``); any number of tasks ``await`` it; ``add_done_callback`` runs a plain
function once it is filled. A ``Task`` is a Future too: ``await task`` gives the coroutine's
return value, and ``asyncio.ensure_future(coro)`` turns a coroutine into one.

Trio has no Future, no task handle to await and no done-callbacks: see futures_trio.py for
the three ports.
"""

from __future__ import annotations

import asyncio


async def answer(delay: float, value: int, future: asyncio.Future[int]) -> None:
    await asyncio.sleep(delay)
    future.set_result(value)


async def fail(delay: float, future: asyncio.Future[int]) -> None:
    await asyncio.sleep(delay)
    future.set_exception(LookupError("no such key"))


async def square(n: int) -> int:
    await asyncio.sleep(n)
    return n * n


async def main() -> list[str]:
    loop = asyncio.get_running_loop()
    lines: list[str] = []
    called: list[str] = []

    async def wait_for(future: asyncio.Future[int]) -> int:
        return await future

    # One task sets the value, two await it, and a done-callback hears of it.
    # (Two tasks: gather(future, future) would await the one future once and repeat it.)
    future: asyncio.Future[int] = loop.create_future()
    future.add_done_callback(lambda done: called.append(f"callback got {done.result()}"))
    setter = asyncio.create_task(answer(1, 42, future))
    first, second = await asyncio.gather(wait_for(future), wait_for(future))
    lines.append(f"two waiters got {first} and {second}")
    await setter

    # An exception set on the future is raised in whoever awaits it.
    failed: asyncio.Future[int] = loop.create_future()
    setter = asyncio.create_task(fail(1, failed))
    try:
        await failed
    except LookupError as exc:
        lines.append(f"the waiter got LookupError: {exc}")
    await setter

    # A task is a future of its coroutine's return value.
    task = asyncio.ensure_future(square(3))
    lines.append(f"await task gave {await task}")
    return lines + called


if __name__ == "__main__":
    print(*asyncio.run(main()), sep="\n")
