"""One task raises: the nursery cancels its siblings, then raises an ExceptionGroup.

When the block exits, no child is left running: the sibling never reaches its last line.
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


async def fail(log: Log) -> None:
    await trio.sleep(1)
    log("fail raises")
    raise ValueError("boom")


async def sibling(log: Log) -> None:
    await trio.sleep(3)
    log("sibling finished")


async def main() -> Log:
    log = Log()
    try:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(fail, log)
            nursery.start_soon(sibling, log)
    # The error arrives wrapped in a group, even when it is the only one.
    except* ValueError as group:
        log(f"caller caught {group.exceptions[0]!r}")
    await trio.sleep(5)
    return log


if __name__ == "__main__":
    print("\n".join(trio.run(main)))
