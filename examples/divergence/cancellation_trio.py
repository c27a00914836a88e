"""Level-triggered cancellation: inside a cancelled scope, *every* checkpoint raises.

The cleanup's ``await trio.sleep(1)`` raises ``Cancelled`` at once, so "cleanup finished" is
never logged. A shielded scope is how Trio code says "this cleanup must run anyway", and its
deadline says "but not forever": no cancellation can reach a shield with no deadline around a
cleanup that hangs waiting, and in a child task not even Ctrl-C ends it: with every task
waiting, Trio's KeyboardInterrupt is for the main task, which waits for the child all the same
(here, where ``main`` already waits in a cancelled nursery, the interrupt stays pending until
the child ends, then leaves ``trio.run`` bare). A cleanup stuck busy, never awaiting, is
another matter: Ctrl-C raises KeyboardInterrupt in it, where it runs.
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


async def worker(log: Log, *, shield_cleanup: bool) -> None:
    try:
        await trio.sleep(10)
    finally:
        log("cleanup starts")
        # Without the shield this await is cancelled too: the scope is still cancelled.
        # With it, the deadline bounds the cleanup (5 s here; it needs 1).
        with trio.move_on_after(5, shield=shield_cleanup):
            await trio.sleep(1)
            log("cleanup finished")


async def main(shield_cleanup: bool = False) -> Log:
    log = Log()
    with trio.CancelScope() as scope:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(lambda: worker(log, shield_cleanup=shield_cleanup))
            await trio.sleep(1)
            scope.cancel()
    log("worker cancelled")
    return log


if __name__ == "__main__":
    print("\n".join(trio.run(main)))
    print("\n".join(trio.run(main, True)))
