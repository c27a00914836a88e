# Exercise: lesson 'count' (notebook 002.001, The async/await syntax and native coroutines), to
# solve in asyncio, as the notebook asks. Generated from asyncio_ref/count.py by
# scripts/make_exercises.py: do not edit it here. Copy it, write each body (its comments are the
# notebook's steps, and the reference's notes), then run:
#     walkthrough check count my_count.py --impl asyncio
# To see the Trio port next to it: walkthrough diff count
# The notebook: The output should be One Two One ... for the sync version, taking 3 s. And One One
#               ... for the async one, taking 1 s.
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
    # The notebook: after printing, it waits synchronously 1 sec, then prints two
    # It prints exactly (the check compares every line):
    #     print("One Sync")
    #     print("Two Sync")
    raise NotImplementedError("write count_sync")


def main_sync() -> None:
    # The notebook: it runs count_sync in sequence 3 times
    raise NotImplementedError("write main_sync")


async def count_async() -> None:
    # The notebook: after printing, it waits asynchronously 1 sec, then prints two
    # It prints exactly (the check compares every line):
    #     print("One Async")
    #     print("Two Async")
    raise NotImplementedError("write count_async")


async def main_async() -> None:
    # The notebook: it runs count_async asynchronously 3 times
    raise NotImplementedError("write main_async")


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
    # The check depends on these draws and values, in this order:
    #     loop = asyncio.get_running_loop()
    #     s = loop.time()
    #     elapsed = loop.time() - s
    # It prints exactly (the check compares every line):
    #     print(f"async version executed in {elapsed:0.2f} seconds.")
    raise NotImplementedError("write demo_async")


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
