"""Four asyncio APIs without a Trio twin of the same name: timeout_at, PriorityQueue,
LifoQueue and Barrier.

``asyncio.timeout_at(when)`` is ``trio.fail_at(when)`` (or ``trio.move_on_at(when)`` to carry
on without an exception), with ``when`` read from ``trio.current_time()``. Trio has no
priority queue, no LIFO queue and no barrier (nor has trio-util): a memory channel is FIFO
only. The small classes below are the ports: a list kept by ``heapq`` (or used as a stack),
with a ``trio.lowlevel.ParkingLot`` where getters wait; and a barrier made of a counter and
one ``trio.Event`` per round.
"""

from __future__ import annotations

import heapq
from typing import Any, Generic, TypeVar

import trio
import trio.lowlevel

T = TypeVar("T")


# Trio only: the three classes asyncio has and Trio does not.
class _Queue(Generic[T]):
    """Unbounded; ``get`` waits while empty. Subclasses say which item comes out first.

    One difference from asyncio's queues when a getter is cancelled: cancelled while it waits
    on an empty queue, both take no item; but a getter that a ``put`` has woken and that has
    not run yet still takes its item here (the cancellation comes at its next checkpoint),
    where asyncio's raises CancelledError and leaves the item in the queue (RV24)."""

    def __init__(self) -> None:
        self._items: list[T] = []
        self._getters = trio.lowlevel.ParkingLot()

    def qsize(self) -> int:
        return len(self._items)

    def put_nowait(self, item: T) -> None:
        self._push(item)
        self._getters.unpark()  # wake one waiting getter, if any

    async def put(self, item: T) -> None:
        await trio.lowlevel.checkpoint()  # as a channel's send: a put always checkpoints
        self.put_nowait(item)

    async def get(self) -> T:
        await trio.lowlevel.checkpoint()  # cancellable here, before anything is taken
        while not self._items:  # another getter may have taken the item we were woken for
            await self._getters.park()
        return self._pop()

    def _push(self, item: T) -> None:
        raise NotImplementedError

    def _pop(self) -> T:
        raise NotImplementedError


class PriorityQueue(_Queue[T]):
    """The smallest item first, as ``asyncio.PriorityQueue`` (items must compare)."""

    def _push(self, item: T) -> None:
        heapq.heappush(self._items, item)  # type: ignore[type-var]  # T must be orderable

    def _pop(self) -> T:
        return heapq.heappop(self._items)  # type: ignore[type-var]


class LifoQueue(_Queue[T]):
    """The newest item first, as ``asyncio.LifoQueue``."""

    def _push(self, item: T) -> None:
        self._items.append(item)

    def _pop(self) -> T:
        return self._items.pop()


class Barrier:
    """``parties`` tasks wait until the last arrives; then all go on, and the next round
    begins. ``wait`` returns the arrival index (0 for the first), as asyncio's does. A waiter
    cancelled before the round fills leaves it. Not ported: ``abort()`` and ``reset()``
    (cancel the waiters' scope instead)."""

    def __init__(self, parties: int) -> None:
        if parties < 1:
            raise ValueError("parties must be at least 1")
        self.parties = parties
        self._arrived = 0
        self._released = trio.Event()

    @property
    def n_waiting(self) -> int:
        return self._arrived

    async def wait(self) -> int:
        await trio.lowlevel.checkpoint_if_cancelled()
        index = self._arrived
        self._arrived += 1
        released = self._released
        if self._arrived == self.parties:  # the last one: release the round, start the next
            self._arrived = 0
            self._released = trio.Event()
            released.set()
            await trio.lowlevel.cancel_shielded_checkpoint()
            return index
        try:
            await released.wait()
        finally:
            if not released.is_set():  # cancelled before the round filled
                self._arrived -= 1
        return index


async def deadline() -> list[str]:
    start = trio.current_time()
    try:
        with trio.fail_at(start + 2):  # an absolute time on Trio's clock
            await trio.sleep(5)
    except trio.TooSlowError:
        return [f"timed out at +{trio.current_time() - start:.0f} s"]
    return ["no timeout"]


async def by_priority() -> list[str]:
    queue: PriorityQueue[tuple[int, str]] = PriorityQueue()
    got: list[str] = []

    async def consume() -> None:
        for _ in range(3):
            priority, name = await queue.get()
            got.append(f"priority {priority}: {name}")

    async with trio.open_nursery() as nursery:
        nursery.start_soon(consume)
        await trio.sleep(1)  # the consumer waits on an empty queue
        for item in [(3, "low"), (1, "urgent"), (2, "normal")]:
            queue.put_nowait(item)
    return got


async def last_in_first_out() -> list[str]:
    stack: LifoQueue[int] = LifoQueue()
    for n in (1, 2, 3):
        await stack.put(n)
    return [f"popped {await stack.get()}" for _ in range(3)]


async def meet() -> list[str]:
    start = trio.current_time()
    barrier = Barrier(3)
    passed: list[str] = []

    async def arrive(name: str, delay: float) -> None:
        for round_ in (1, 2):  # a barrier is reusable: round 2 waits for all three again
            await trio.sleep(delay)
            await barrier.wait()
            passed.append(f"round {round_}: {name} passed at +{trio.current_time() - start:.0f} s")

    async with trio.open_nursery() as nursery:
        for name, delay in (("a", 1), ("b", 2), ("c", 3)):
            nursery.start_soon(arrive, name, delay)
    return sorted(passed)  # tasks released together: their order is the scheduler's


async def main() -> list[str]:
    return [*await deadline(), *await by_priority(), *await last_in_first_out(), *await meet()]


# Trio only: move_on_at, the deadline that ends the block without an exception.
async def move_on() -> list[Any]:
    start = trio.current_time()
    with trio.move_on_at(start + 2) as scope:
        await trio.sleep(5)
    return [scope.cancelled_caught, trio.current_time() - start]


if __name__ == "__main__":
    print(*trio.run(main), sep="\n")
