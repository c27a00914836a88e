"""Lesson 1 (notebook 002.001): the async/await syntax and native coroutines.

``count_sync`` blocks for a second between "One" and "Two"; run three times in a row,
``main_sync`` takes about 3 s. ``count_async`` *awaits* the second, so the three runs that
``main_async`` starts together overlap and finish in about 1 s.
"""

from __future__ import annotations

import asyncio
import sys
import time


def count_sync() -> None:
    print("One Sync")
    time.sleep(1)
    print("Two Sync")


def main_sync() -> None:
    for _ in range(3):
        count_sync()


async def count_async() -> None:
    print("One Async")
    await asyncio.sleep(1)
    print("Two Async")


async def main_async() -> None:
    await asyncio.gather(count_async(), count_async(), count_async())


def demo_sync() -> None:
    """The notebook's timing cell for the sync version."""
    s = time.perf_counter()
    main_sync()
    elapsed = time.perf_counter() - s
    print(f"sync version executed in {elapsed:0.2f} seconds.")


async def demo_async() -> None:
    """The notebook's timing cell for the async version.

    The clock is read from the event loop, inside the run, so the figure is the
    loop's own idea of time (and a virtual-time loop gets it right too).
    """
    loop = asyncio.get_running_loop()
    s = loop.time()
    await main_async()
    elapsed = loop.time() - s
    print(f"async version executed in {elapsed:0.2f} seconds.")


if __name__ == "__main__":
    import argparse  # here, not at the top: the notebooks' cells are this file above this block
    import inspect
    import signal

    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.name}" if __spec__ else None,  # None: the file's own name
        description="Lesson 1 (notebook 002.001): the async/await syntax and native coroutines.")
    parser.parse_args()  # no arguments: --help, or exit 2 for anything else
    coro = demo_async()
    try:
        demo_sync()
        asyncio.run(coro)
    except KeyboardInterrupt:  # Ctrl-C: 130, the shell's "ended by Ctrl-C", no traceback
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # exiting: a second Ctrl-C must not kill it
        # Closed only if it never started (no "was never awaited" warning): one that started
        # and a Ctrl-C in asyncio.run's own close left suspended has no loop left to unwind on.
        if inspect.getcoroutinestate(coro) == inspect.CORO_CREATED:
            coro.close()
        sys.exit(130)
