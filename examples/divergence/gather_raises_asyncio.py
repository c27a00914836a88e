"""One task raises: ``asyncio.gather`` propagates the error and leaves its siblings running.

The sibling is not cancelled; it keeps going in the background and finishes two seconds
after the caller has already seen the exception.
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


async def fail(log: Log) -> None:
    await asyncio.sleep(1)
    log("fail raises")
    raise ValueError("boom")


async def sibling(log: Log) -> None:
    await asyncio.sleep(3)
    log("sibling finished")


async def main() -> Log:
    log = Log()
    try:
        await asyncio.gather(fail(log), sibling(log))
    except ValueError as exc:
        log(f"caller caught {exc!r}")
    await asyncio.sleep(5)  # the caller moves on; the orphaned sibling does not stop
    return log


if __name__ == "__main__":
    print("\n".join(asyncio.run(main())))
