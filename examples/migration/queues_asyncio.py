"""Four asyncio APIs without a Trio twin of the same name: timeout_at, PriorityQueue,
LifoQueue and Barrier (timeout_at and Barrier are new in Python 3.11).

See queues_trio.py: ``trio.fail_at`` / ``trio.move_on_at`` for the first; small classes of
our own for the other three, because Trio ships none of them.
"""

from __future__ import annotations

import asyncio


async def deadline() -> list[str]:
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        async with asyncio.timeout_at(start + 2):  # an absolute time on the loop's clock
            await asyncio.sleep(5)
    except TimeoutError:
        return [f"timed out at +{loop.time() - start:.0f} s"]
    return ["no timeout"]


async def by_priority() -> list[str]:
    queue: asyncio.PriorityQueue[tuple[int, str]] = asyncio.PriorityQueue()
    got: list[str] = []

    async def consume() -> None:
        for _ in range(3):
            priority, name = await queue.get()
            got.append(f"priority {priority}: {name}")

    consumer = asyncio.create_task(consume())
    await asyncio.sleep(1)  # the consumer waits on an empty queue
    for item in [(3, "low"), (1, "urgent"), (2, "normal")]:
        queue.put_nowait(item)
    await consumer
    return got


async def last_in_first_out() -> list[str]:
    stack: asyncio.LifoQueue[int] = asyncio.LifoQueue()
    for n in (1, 2, 3):
        await stack.put(n)
    return [f"popped {await stack.get()}" for _ in range(3)]


async def meet() -> list[str]:
    loop = asyncio.get_running_loop()
    start = loop.time()
    barrier = asyncio.Barrier(3)
    passed: list[str] = []

    async def arrive(name: str, delay: float) -> None:
        for round_ in (1, 2):  # a barrier is reusable: round 2 waits for all three again
            await asyncio.sleep(delay)
            await barrier.wait()
            passed.append(f"round {round_}: {name} passed at +{loop.time() - start:.0f} s")

    async with asyncio.TaskGroup() as group:
        for name, delay in (("a", 1), ("b", 2), ("c", 3)):
            group.create_task(arrive(name, delay))
    return sorted(passed)  # tasks released together: their order is the scheduler's


async def main() -> list[str]:
    return [*await deadline(), *await by_priority(), *await last_in_first_out(), *await meet()]


if __name__ == "__main__":
    print(*asyncio.run(main()), sep="\n")
