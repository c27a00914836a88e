"""``Queue.join()`` returns when the last job is marked done; then the consumers are cancelled.

The consumer sleeps two seconds before each ``get``. It takes the only job at t=2 and calls
``task_done()``; ``join()`` returns at once and ``main`` cancels the consumer mid-sleep: the
program ends at t=2.
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


async def consume(q: asyncio.Queue[str], log: Log) -> None:
    while True:
        await asyncio.sleep(2)
        job = await q.get()
        log(f"got {job}")
        q.task_done()


async def main() -> Log:
    log = Log()
    q: asyncio.Queue[str] = asyncio.Queue()
    consumer = asyncio.create_task(consume(q, log))
    await q.put("job")
    await q.join()
    consumer.cancel()
    await asyncio.gather(consumer, return_exceptions=True)
    log("done")
    return log


if __name__ == "__main__":
    print("\n".join(asyncio.run(main())))
