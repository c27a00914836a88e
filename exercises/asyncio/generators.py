# Exercise: lesson 'generators' (notebook 002.005, Async IO's roots in generators), to solve in
# asyncio, as the notebook asks. Generated from asyncio_ref/generators.py by
# scripts/make_exercises.py: do not edit it here. Copy it, write each body (its comments are the
# notebook's steps, and the reference's notes), then run:
#     walkthrough check generators my_generators.py --impl asyncio
# To see the Trio port next to it: walkthrough diff generators
"""Lesson 5 (notebook 002.005): async IO's roots in generators.

A generator *pauses* at ``yield`` and resumes where it left off on the next ``next()``: the
same break point that ``await`` marks in a coroutine. ``endless()`` never ends; the loop takes
values until the running total reaches 40, breaks, and the three values taken by hand
afterwards continue from where the loop stopped (6, 9, 8), not from the start (9, 8, 7).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator


def endless() -> Iterator[int]:
    """Yield 9, 8, 7, 6, 9, 8, 7, 6, ... forever."""
    # The notebook: is a generator that each time next is called on it returns one of 9,8,7,6,9...
    # The notebook: Import the relevant package
    raise NotImplementedError("write endless")


def demo() -> None:
    """The notebook's cells: the loop until the total reaches 40, then three values by hand."""
    # The notebook: use for ... in to print a few iterations of endless
    # The notebook: print 3 more iterations of e, hard coded
    # The reference says: The loop's break paused e; it resumes after the value the loop discarded.
    # The check depends on these draws and values, in this order:
    #     e = endless()
    #     total = 0
    #     for i in e:
    #         total += i
    # It prints exactly (the check compares every line):
    #     print(f"{i:02d}/{total:02d}", end=" ")
    #     print()
    #     print(f"discarding {i}")
    #     print(next(e), next(e), next(e))
    raise NotImplementedError("write demo")


if __name__ == "__main__":
    import argparse  # here, not at the top: the notebooks' cells are this file above this block
    import signal

    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.name}" if __spec__ else None,  # None: the file's own name
        description="Lesson 5 (notebook 002.005): async IO's roots in generators.")
    parser.parse_args()  # no arguments: --help, or exit 2 for anything else
    try:
        demo()
    except KeyboardInterrupt:  # Ctrl-C: 130, the shell's "ended by Ctrl-C", no traceback
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # exiting: a second Ctrl-C must not kill it
        sys.exit(130)
