"""Task lifetime: in Trio every task lives inside a nursery, and the nursery waits for it.

There is no ``create_task``: ``start_soon`` needs a nursery, and ``async with`` cannot exit
while a child runs. ``main`` therefore returns at t=5, after the background task has finished.
Nothing can be orphaned and nothing can be garbage-collected mid-flight: the nursery holds
every child until it is done.
"""

from __future__ import annotations

import trio


class Log(list[str]):
    """Lines stamped with whole seconds since the log was made, on Trio's clock."""

    def __init__(self) -> None:
        super().__init__()
        self.start = trio.current_time()

    def __call__(self, text: str) -> None:
        self.append(f"{trio.current_time() - self.start:.0f}: {text}")


async def background(log: Log) -> None:
    await trio.sleep(5)
    log("background finished")


async def main_orphan() -> Log:
    log = Log()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(background, log)
        await trio.sleep(1)
        log("main's body ends")
    log("main returns")
    return log


if __name__ == "__main__":
    print("\n".join(trio.run(main_orphan)))
