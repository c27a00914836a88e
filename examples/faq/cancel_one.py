"""Cancelling one task, or getting a handle to it: ``nursery.start`` hands one back.

A task started with ``await nursery.start(...)`` calls ``task_status.started(value)`` when it
is ready; ``start`` returns that value. Passing out the task's own CancelScope gives the
caller a handle that cancels this task and nothing else.
"""

from __future__ import annotations

import trio


async def ticker(log: list[str], *, task_status: trio.TaskStatus[trio.CancelScope]) -> None:
    with trio.CancelScope() as scope:
        task_status.started(scope)
        while True:
            log.append("tick")
            await trio.sleep(1)
    log.append("ticker stopped")


async def main() -> list[str]:
    log: list[str] = []
    async with trio.open_nursery() as nursery:
        handle = await nursery.start(ticker, log)
        await trio.sleep(2.5)
        handle.cancel()  # only the ticker; the nursery and its other children carry on
    return log


if __name__ == "__main__":
    print(trio.run(main))  # ['tick', 'tick', 'tick', 'ticker stopped']
