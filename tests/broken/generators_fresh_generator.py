"""Broken on purpose: takes the three hand-picked values from a *new* generator.

``endless()`` called again starts over at 9, so the last line reads ``9 8 7`` instead of
``6 9 8``: the port forgot that a generator paused by ``break`` resumes where it stopped.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator


def endless() -> Iterator[int]:
    yield from itertools.cycle((9, 8, 7, 6))


def demo() -> None:
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
    e = endless()  # BUG: a fresh generator starts over instead of resuming
    print(next(e), next(e), next(e))
