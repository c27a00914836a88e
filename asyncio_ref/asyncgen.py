"""Lesson 6 (notebook 002.006): asynchronous generators.

``mygen`` is an async generator: it may ``await`` between two ``yield``s (here a 0.2 s pause),
so the coroutine that iterates it lets other tasks run while it waits. That is all it does:
an async comprehension or an ``async for`` takes the values *one after another*, and
``main`` takes 2 s for each list (ten values, ten pauses), 4 s in all. Async iteration is
about letting others run, not about running the iterations concurrently.

The filter follows the notebook's code, ``if j // 3 % 5: continue``, not its
prose ("only if i is not 3 or 5"): no power of two is 3 or 5, so the prose would keep every
value, while the code keeps those whose ``j // 3`` is a multiple of 5, giving
``f = [1, 2, 16, 32, 256, 512]``. The code is what the notebook's learners run.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncGenerator


async def mygen(sep: str, up_to: int = 10) -> AsyncGenerator[int, None]:
    """Yield 2**0 .. 2**(up_to - 1), printing ``sep`` at each step, 0.2 s apart."""
    print()
    for i in range(up_to):
        print(sep, end=" ")
        yield 2**i
        await asyncio.sleep(0.2)


async def main(up_to: int = 10) -> tuple[list[int], list[int]]:
    """``g``: every value, by an async comprehension. ``f``: the filtered ``async for``."""
    g = [i async for i in mygen(".", up_to)]

    f = []
    async for j in mygen("+", up_to):
        if j // 3 % 5:
            continue
        f.append(j)
    return g, f


async def demo(up_to: int = 10) -> None:
    """The notebook's last cell: get the tuple and print both lists."""
    g, f = await main(up_to)
    print()
    print(f"g = {g}")
    print(f"f = {f}")


if __name__ == "__main__":
    import argparse  # here, not at the top: the notebooks' cells are this file above this block
    import inspect
    import signal

    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.name}" if __spec__ else None,  # None: the file's own name
        description="Lesson 6 (notebook 002.006): asynchronous generators.")
    parser.parse_args()  # no arguments: --help, or exit 2 for anything else
    coro = demo()
    try:
        asyncio.run(coro)
    except KeyboardInterrupt:  # Ctrl-C: 130, the shell's "ended by Ctrl-C", no traceback
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # exiting: a second Ctrl-C must not kill it
        # Closed only if it never started (no "was never awaited" warning): one that started
        # and a Ctrl-C in asyncio.run's own close left suspended has no loop left to unwind on.
        if inspect.getcoroutinestate(coro) == inspect.CORO_CREATED:
            coro.close()
        sys.exit(130)
