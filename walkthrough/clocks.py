"""Virtual clocks: hours of lesson sleeps in milliseconds, without changing the scheduler.

Trio ships one: ``trio.testing.MockClock(autojump_threshold=0)`` jumps to the next deadline
whenever every task is blocked. :class:`VirtualTimeLoop` gives asyncio the same property, and
:class:`SyncVirtualClock` does it for plain ``time.sleep``.

Why our own asyncio loop and not looptime: looptime works, but its pytest plugin assumes
pytest-asyncio, and a mixed pytest-asyncio + pytest-trio session ended with an "unclosed event
loop" ResourceWarning under ``-W error``. The loop below is the stdlib ``SelectorEventLoop`` with
two things changed: ``time()`` reads a number we own, and the selector, instead of *sleeping*
until the next timer, advances that number to it. Ready callbacks, timer ordering and task
scheduling are asyncio's own, untouched: the equivalence tests must compare real asyncio
scheduling against real Trio scheduling.

Example::

    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        runner.run(asyncio.sleep(3600))   # returns at once; loop.time() moved by 3600.0

Every clock here starts at a random, non-zero reading that differs from run to run
(:func:`start_offset`), as Trio's real clock does (``SystemClock.offset`` is a random
10,000-200,000 s): a lesson that prints a clock *reading* where it means an elapsed time
(``elapsed = loop.time()``, a forgotten ``- start``) then prints a figure nobody expects,
instead of passing unnoticed because every run happened to start at 0. Set
``WALKTHROUGH_CLOCK_OFFSET`` to a number to replay a run with one fixed offset.

Real I/O and virtual time do not mix (nor do they in Trio): a socket read in flight does not
count as activity, so the clock jumps to the next deadline. ``autojump_threshold`` waits that
many *real* seconds for I/O before jumping, as Trio's MockClock does.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import selectors
import time
from collections.abc import Iterator, Mapping
from typing import Any

from walkthrough._trio_testing import MockClock

#: The environment variable that fixes the start offset (to replay one run exactly).
OFFSET_ENV = "WALKTHROUGH_CLOCK_OFFSET"

# Our own generator: a lesson or a test that seeds the global RNG must not fix the offset.
_offsets = random.Random()


def start_offset() -> float:
    """Where a new virtual clock starts: a random reading between 10,000 and 1,000,000 s.

    The fraction is a multiple of 1/256, so the offset is a dyadic number: whole-second
    sleeps (the notebook's) added to it stay exact, and two tasks whose sleeps add up to the
    same instant still wake at exactly the same reading, as they do from 0. Without that, a
    tie could split into two instants 1 ulp apart in one framework and not in the other.
    """
    fixed = os.environ.get(OFFSET_ENV)
    if fixed is not None:
        try:
            return float(fixed)
        except ValueError:
            raise ValueError(f"{OFFSET_ENV} must be a number of seconds, not {fixed!r}") from None
    return _offsets.randint(10_000, 1_000_000) + _offsets.randint(1, 255) / 256


def mock_clock(autojump_threshold: float = 0.0) -> MockClock:
    """Trio's ``MockClock`` that jumps whenever every task is blocked, from :func:`start_offset`.

    ``MockClock`` itself starts at 0; ``jump`` before the run moves its start.
    """
    clock = MockClock(autojump_threshold=autojump_threshold)
    clock.jump(start_offset())
    return clock


class _AutojumpSelector(selectors.BaseSelector):
    """A selector that turns "sleep until the next timer" into "jump to the next timer"."""

    def __init__(self, loop: VirtualTimeLoop, threshold: float) -> None:
        self._real = selectors.DefaultSelector()
        self._loop = loop
        self._threshold = threshold

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is not None and timeout <= 0:
            return self._real.select(0)
        if timeout is None:
            # No timer at all: only real I/O (or another thread) can wake us. Wait for it.
            return self._real.select(None)
        events = self._real.select(min(self._threshold, timeout))
        if not events:
            self._loop.advance(timeout)
        return events

    # The rest is the real selector's.
    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._real.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.modify(fileobj, events, data)

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self._real.get_map()

    def close(self) -> None:
        self._real.close()


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An asyncio loop whose clock jumps ahead whenever every task is asleep."""

    def __init__(self, autojump_threshold: float = 0.0, offset: float | None = None) -> None:
        #: the reading at the start (:func:`start_offset` unless given)
        self.offset = start_offset() if offset is None else offset
        self._virtual_now = self.offset
        super().__init__(selector=_AutojumpSelector(self, autojump_threshold))

    def time(self) -> float:
        return self._virtual_now

    def advance(self, seconds: float) -> None:
        """Move the clock forward, as if ``seconds`` of real time had passed."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        self._virtual_now += seconds


class SyncVirtualClock:
    """``time.sleep`` and ``time.perf_counter`` for synchronous code, on a virtual clock.

    Example::

        clock = SyncVirtualClock()
        with clock.installed():
            start = time.perf_counter()
            time.sleep(3)           # returns at once
            assert time.perf_counter() - start == clock.now == 3.0

    ``now`` counts virtual seconds from the start; ``perf_counter()`` reads ``offset + now``,
    a reading that, like the real one, means nothing on its own.
    """

    def __init__(self, offset: float | None = None) -> None:
        self.offset = start_offset() if offset is None else offset
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        self.now += seconds

    def perf_counter(self) -> float:
        return self.offset + self.now

    @contextlib.contextmanager
    def installed(self) -> Iterator[SyncVirtualClock]:
        saved = time.sleep, time.perf_counter
        time.sleep, time.perf_counter = self.sleep, self.perf_counter  # type: ignore[assignment]
        try:
            yield self
        finally:
            time.sleep, time.perf_counter = saved  # type: ignore[assignment]
