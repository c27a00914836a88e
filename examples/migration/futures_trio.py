"""Futures: a value that one task sets and others await.

Trio has no Future, no task handle to await and no done-callbacks. What a Future was *for*
is ported in one of three ways, by how many tasks wait and how often the value is set:

- ``Reply`` below, a ``trio.Event`` plus a stored value (or error): set once, awaited by any
  number of tasks. The closest thing to a Future; ``main`` uses it.
- a one-slot memory channel (``one_slot_channel``): one waiter, one value; closing the send
  side without sending tells the waiter the value will never come.
- ``trio_util.AsyncValue`` (``async_value``): a value that can change again; waiters wait for
  the value they want.

A done-callback becomes code that runs after the await, in a task; ``await task`` becomes a
child that stores its return value, read after the nursery block.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import trio
from trio_util import AsyncValue

T = TypeVar("T")


# Trio only: the box a Future was. An Event says "filled"; the value waits beside it.
class Reply(Generic[T]):
    """One value or one error, set once, awaited by any number of tasks."""

    def __init__(self) -> None:
        self._event = trio.Event()
        self._value: T | None = None
        self._error: BaseException | None = None

    def done(self) -> bool:
        return self._event.is_set()

    def set_result(self, value: T) -> None:
        if self.done():
            raise RuntimeError("the reply is already set")  # asyncio: InvalidStateError
        self._value = value
        self._event.set()

    def set_exception(self, error: BaseException) -> None:
        if self.done():
            raise RuntimeError("the reply is already set")
        self._error = error
        self._event.set()

    async def wait(self) -> T:
        await self._event.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]  # set, since the event is


async def answer(delay: float, value: int, future: Reply[int]) -> None:
    await trio.sleep(delay)
    future.set_result(value)


async def fail(delay: float, future: Reply[int]) -> None:
    await trio.sleep(delay)
    future.set_exception(LookupError("no such key"))


async def square(n: int) -> int:
    await trio.sleep(n)
    return n * n


async def main() -> list[str]:
    lines: list[str] = []
    called: list[str] = []
    got: list[int] = []

    async def wait_for(reply: Reply[int]) -> None:
        got.append(await reply.wait())

    # No callbacks: the callback's code runs in a task, after its await.
    async def on_done(reply: Reply[int]) -> None:
        called.append(f"callback got {await reply.wait()}")

    future: Reply[int] = Reply()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(on_done, future)
        nursery.start_soon(answer, 1, 42, future)
        nursery.start_soon(wait_for, future)
        nursery.start_soon(wait_for, future)
    lines.append(f"two waiters got {got[0]} and {got[1]}")

    failed: Reply[int] = Reply()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(fail, 1, failed)
        try:
            await failed.wait()
        except LookupError as exc:
            lines.append(f"the waiter got LookupError: {exc}")

    # No task object to await: the child stores its return value.
    results: dict[str, int] = {}

    async def store(n: int) -> None:
        results["square"] = await square(n)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(store, 3)
    lines.append(f"await task gave {results['square']}")
    return lines + called


# Trio only: the other two ports.
async def one_slot_channel() -> list[str]:
    """One waiter, one value. A sender that ends without sending closes the channel, and
    the waiter hears ``EndOfChannel`` instead of waiting for ever."""
    lines = []

    async def answer_once(send: trio.MemorySendChannel[int], value: int | None) -> None:
        async with send:  # closed however this ends
            await trio.sleep(1)
            if value is not None:
                send.send_nowait(value)  # one slot: never blocks

    for value in (42, None):
        send, receive = trio.open_memory_channel[int](1)
        async with trio.open_nursery() as nursery, receive:
            nursery.start_soon(answer_once, send, value)
            try:
                lines.append(f"received {await receive.receive()}")
            except trio.EndOfChannel:
                lines.append("the sender closed without a value")
    return lines


async def async_value() -> list[str]:
    """A value that may change again: each waiter waits for the value it wants."""
    lines = []
    progress = AsyncValue(0.0)

    async def report_at(target: float) -> None:
        reached = await progress.wait_value(lambda v: v >= target)
        lines.append(f"waited for {target:g}, saw {reached:g}")

    async with trio.open_nursery() as nursery:
        for target in (0.5, 1.0):
            nursery.start_soon(report_at, target)
        for step in (0.25, 0.5, 0.75, 1.0):
            await trio.sleep(1)
            progress.value = step
    return lines


if __name__ == "__main__":
    print(*trio.run(main), sep="\n")
    print(*trio.run(one_slot_channel), sep="\n")
    print(*trio.run(async_value), sep="\n")
