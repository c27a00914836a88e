"""Broken on purpose (a realistic porting slip, trio_port/generators.py with one change):
``{i:2d}`` where the notebook pads with zeros (``{i:02d}``): " 9/09" instead of "09/09".
"""

from __future__ import annotations

import itertools
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
            print(f"{i:2d}/{total:02d}", end=" ")  # BUG: no zero padding
        else:
            print()
            print(f"discarding {i}")
            break
    # The loop's break paused e; it resumes after the value the loop discarded.
    print(next(e), next(e), next(e))


if __name__ == "__main__":
    demo()
