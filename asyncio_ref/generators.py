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
    yield from itertools.cycle((9, 8, 7, 6))


def demo() -> None:
    """The notebook's cells: the loop until the total reaches 40, then three values by hand."""
    e = endless()
    total = 0
    for i in e:
        if total < 40:
            total += i
            print(f"{i:02d}/{total:02d}", end=" ")
        else:
            print()
            print(f"discarding {i}")
            break
    # The loop's break paused e; it resumes after the value the loop discarded.
    print(next(e), next(e), next(e))


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
