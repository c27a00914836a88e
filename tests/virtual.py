"""Run one snippet on each framework's virtual clock: the claims and divergence tests' runners.

asyncio runs on :class:`walkthrough.clocks.VirtualTimeLoop`, Trio on
``walkthrough.clocks.mock_clock()``; both jump ahead whenever every task sleeps and start at a
random reading, so a snippet's hours of sleep take milliseconds and a missing ``- start`` shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import trio

from walkthrough.clocks import VirtualTimeLoop, mock_clock


def run_asyncio(fn: Callable[..., Coroutine[Any, Any, Any]], *args: Any) -> Any:
    """``fn(*args)`` under ``asyncio.Runner`` on a virtual-time loop; its result."""
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(fn(*args))


def run_trio(fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """``fn(*args)`` under ``trio.run`` on a MockClock that jumps ahead; its result."""
    return trio.run(fn, *args, clock=mock_clock())
