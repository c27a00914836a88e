"""Task lifetime: an asyncio task may outlive the code that started it, or vanish.

``main_orphan``: ``create_task`` starts work that nothing waits for. ``asyncio.run`` returns
when ``main`` does, cancelling the leftover task: its last line never runs and nobody is told.

``main_collected``: the event loop keeps only *weak* references to tasks. A task blocked on a
future that nothing else holds is garbage, and the collector destroys it mid-flight; asyncio
reports "Task was destroyed but it is pending!" to the loop's exception handler. Hence the
docs' advice (and the notebook's "make sure each of these tasks gets eventually garbage
collected"): keep a strong reference to every task until it is done.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any


class Log(list[str]):
    """Lines stamped with whole seconds since the log was made, on the event loop's clock."""

    def __init__(self) -> None:
        super().__init__()
        self.start = asyncio.get_running_loop().time()

    def __call__(self, text: str) -> None:
        self.append(f"{asyncio.get_running_loop().time() - self.start:.0f}: {text}")


async def background(log: Log) -> None:
    await asyncio.sleep(5)
    log("background finished")


async def main_orphan() -> Log:
    log = Log()
    asyncio.create_task(background(log))  # noqa: RUF006 - the orphan is the point
    await asyncio.sleep(1)
    log("main returns")
    return log


async def wait_forever(log: Log) -> None:
    try:
        await asyncio.get_running_loop().create_future()  # nobody else holds this future
    finally:
        log("wait_forever closed by the garbage collector")


async def main_collected() -> Log:
    log = Log()
    loop = asyncio.get_running_loop()

    def handler(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        log.append(str(context["message"]))

    loop.set_exception_handler(handler)
    asyncio.create_task(wait_forever(log))  # noqa: RUF006 - no strong reference, on purpose
    await asyncio.sleep(0)  # let it start and block
    gc.collect()
    return log


if __name__ == "__main__":
    print("\n".join(asyncio.run(main_orphan())))
    print("\n".join(asyncio.run(main_collected())))
