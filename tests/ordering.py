"""Longest files first: the order in which pytest-xdist hands test files to its workers.

Under ``--dist loadfile`` each test file goes whole to one worker, and xdist hands the files out
in the order it is given (with ``--no-loadscope-reorder``; its default sorts them by their
number of tests, which says little here: ``test_check_server.py`` has 17 tests and takes a
minute, because each runs the server check in a child process, and several wait out a server
that never listens for its ``--timeout`` on the wall clock). It hands one file to each worker
at the start (a second to one whose first has two tests or fewer), then the next file to a
worker once that worker is down to two tests or fewer not yet done, so a file may wait behind
the last two tests of another. A long file handed out late keeps one worker busy after the
others are done, and the run lasts until it ends: in one run at 6 workers the busiest worker
had 174 s of tests and the others 141-160 s. Handing out the longest files first (the
longest-processing-time rule of scheduling) leaves the short ones to fill in at the end.

The weights are each file's seconds in a recent run, kept in ``tests/file_seconds.json``. Stale
weights cost speed, never a result: every test still runs, in its file's own order, and a file
they do not name counts as 0 s and goes last. ``python3 tasks.py test --write-file-seconds``
measures them again (the seconds of every phase of every test of a file, summed; a module
fixture's setup is its first test's), and only from a run of the whole suite: a run of some
tests (``-k``, ``-m``, ``--deselect``, a file or a test named) is refused, because it would
write what those few took as their files' whole weights.

>>> order(["b.py::t1", "a.py::t1", "b.py::t2", "c.py::t"], {"a.py": 3.0, "b.py": 1.0})
['a.py::t1', 'b.py::t1', 'b.py::t2', 'c.py::t']
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TypeVar

SECONDS = Path(__file__).with_name("file_seconds.json")

T = TypeVar("T")


def file_of(nodeid: str) -> str:
    """The test file of a node id: ``tests/test_x.py::test_y[a]`` → ``tests/test_x.py``."""
    return nodeid.split("::", 1)[0]


def read(path: Path = SECONDS) -> dict[str, float]:
    """The weights, or none if the file is missing, not JSON, not an object or holds a value
    that is no number: the order is only a speed, never a reason for a run to fail."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError, TypeError):
        return {}


def order(items: Iterable[T], seconds: Mapping[str, float],
          nodeid: Callable[[T], str] = str) -> list[T]:
    """``items`` with the longest files first; a stable sort, so each file's tests keep their order
    and stay together, and files of equal weight (those not in ``seconds``: 0) keep theirs."""
    return sorted(items, key=lambda item: -seconds.get(file_of(nodeid(item)), 0.0))


class Recorder:
    """Sums the seconds of each file's test phases as the reports come in (in the controller,
    under xdist), and writes them into ``tests/file_seconds.json``."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)

    def add(self, nodeid: str, duration: float) -> None:
        self.seconds[file_of(nodeid)] += duration

    def write(self, path: Path = SECONDS) -> None:
        """Write the files this run measured, in place of every old weight: a run that may
        write is one of the whole suite, so a file it did not measure is one that is gone."""
        rounded = {f: round(s, 1) for f, s in sorted(self.seconds.items())}
        path.write_text(json.dumps(rounded, indent=1) + "\n", encoding="utf-8")
