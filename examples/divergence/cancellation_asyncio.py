"""Edge-triggered cancellation: ``Task.cancel()`` delivers one ``CancelledError``, once.

Cleanup code in ``finally`` may await freely: the cancellation has been delivered and does not
come back, so the one-second cleanup runs to the end.
"""

from __future__ import annotations

import asyncio


class Log(list[str]):
    """Lines stamped with whole seconds since the log was made, on the event loop's clock."""

    def __init__(self) -> None:
        super().__init__()
        self.start = asyncio.get_running_loop().time()

    def __call__(self, text: str) -> None:
        self.append(f"{asyncio.get_running_loop().time() - self.start:.0f}: {text}")


async def worker(log: Log) -> None:
    try:
        await asyncio.sleep(10)
    finally:
        log("cleanup starts")
        await asyncio.sleep(1)  # runs to completion
        log("cleanup finished")


async def main() -> Log:
    log = Log()
    task = asyncio.create_task(worker(log))
    await asyncio.sleep(1)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        log("worker cancelled")
    return log


if __name__ == "__main__":
    print("\n".join(asyncio.run(main())))
