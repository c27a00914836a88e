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

import sys
from collections.abc import AsyncGenerator

import trio


async def mygen(sep: str, up_to: int = 10) -> AsyncGenerator[int, None]:
    """Yield 2**0 .. 2**(up_to - 1), printing ``sep`` at each step, 0.2 s apart."""
    print()
    for i in range(up_to):
        print(sep, end=" ")
        yield 2**i
        await trio.sleep(0.2)


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


# --- Trio only, no asyncio twin: a generator that needs a background task ----------------
#
# mygen computes a value only when it is asked for the next one, so a consumer that spends
# 0.2 s on each value then waits another 0.2 s for the next: 0.4 s a value. To work *while*
# the consumer works, the generator needs a task of its own, so a nursery around its
# ``yield``. A bare ``yield`` inside a nursery (or any cancel scope) is wrong: the nursery
# stays open, suspended, in the *consumer's* task, so a ``break`` leaves the background task
# running and an error in it cancels the consumer's code instead (tests/test_asyncgen.py
# shows both happening). ``@trio.as_safe_channel`` (Trio >= 0.30) runs the generator in a
# task of its own and hands the consumer a channel, inside an ``async with`` that cannot end
# while the generator still runs.


async def produce(sep: str, up_to: int, send: trio.MemorySendChannel[int]) -> None:
    """mygen's loop as a task: it prints, hands a value over, and prepares the next one."""
    async with send:
        for i in range(up_to):
            print(sep, end=" ")
            await send.send(2**i)
            await trio.sleep(0.2)


@trio.as_safe_channel
async def mygen_ahead(sep: str, up_to: int = 10) -> AsyncGenerator[int, None]:
    """mygen's values and timing, but the next value is prepared while the consumer works.

    Use it as ``async with mygen_ahead("+") as powers: async for j in powers: ...``. The
    channel is a rendezvous (buffer 0): ``produce`` is never more than one value ahead.
    """
    print()
    send, receive = trio.open_memory_channel[int](0)
    async with trio.open_nursery() as nursery, receive:
        nursery.start_soon(produce, sep, up_to, send)
        async for value in receive:
            yield value


async def main_ahead(up_to: int = 10) -> list[int]:
    """``f`` of :func:`main`, taken from :func:`mygen_ahead`: the same values, the same time."""
    f = []
    async with mygen_ahead("+", up_to) as powers:
        async for j in powers:
            if j // 3 % 5:
                continue
            f.append(j)
    return f


if __name__ == "__main__":
    import argparse  # here, not at the top: the notebooks' cells are this file above this block
    import signal

    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.name}" if __spec__ else None,  # None: the file's own name
        description="Lesson 6 (notebook 002.006): asynchronous generators.")
    parser.parse_args()  # no arguments: --help, or exit 2 for anything else
    try:
        trio.run(demo)
    except* KeyboardInterrupt:  # Ctrl-C: 130, the shell's "ended by Ctrl-C", no traceback
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # exiting: a second Ctrl-C must not kill it
        sys.exit(130)  # (except*: trio.run may raise it inside an exception group)
