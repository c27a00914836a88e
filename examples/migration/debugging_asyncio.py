"""What is my program doing right now? asyncio: ``asyncio.all_tasks()``.

asyncio keeps a flat set of every task of the running loop, so a debugging helper can list
them all, with the line each one waits at (``task.get_stack()``). Nothing says who started
whom: a task has no parent.
"""

from __future__ import annotations

import asyncio


async def worker(ready: asyncio.Event) -> None:
    ready.set()
    await asyncio.Event().wait()  # waits here until cancelled


def snapshot() -> list[str]:
    """Every task of the loop, sorted by name: where each one is suspended."""
    lines = []
    for task in asyncio.all_tasks():
        frames = task.get_stack()
        where = frames[-1].f_code.co_name if frames else "(not started)"
        lines.append(f"{task.get_name()} waits in {where}")
    return sorted(lines)


async def supervisor(ready: asyncio.Event) -> None:
    heartbeat = asyncio.create_task(worker(ready), name="heartbeat")
    try:
        await asyncio.Event().wait()
    finally:
        heartbeat.cancel()
        await asyncio.gather(heartbeat, return_exceptions=True)


async def main() -> list[str]:
    asyncio.current_task().set_name("main")  # type: ignore[union-attr]
    events = [asyncio.Event() for _ in range(3)]
    tasks = [asyncio.create_task(worker(ready), name=f"worker-{n}")
             for n, ready in enumerate(events[:2])]
    tasks.append(asyncio.create_task(supervisor(events[2]), name="supervisor"))
    for ready in events:  # every worker, the heartbeat too, is waiting
        await ready.wait()
    lines = snapshot()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return lines


if __name__ == "__main__":
    print(*asyncio.run(main()), sep="\n")
