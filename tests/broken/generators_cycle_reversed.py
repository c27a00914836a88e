"""Broken on purpose (a realistic porting slip, trio_port/generators.py with one change):
cycles 6, 7, 8, 9 instead of 9, 8, 7, 6.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator


def endless() -> Iterator[int]:
    """Yield 9, 8, 7, 6, 9, 8, 7, 6, ... forever."""
    yield from itertools.cycle((6, 7, 8, 9))  # BUG


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
    demo()
