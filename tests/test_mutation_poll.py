"""Two polls that decide how soon something ends (issue 27, ``docs/mutation.md``).

mutmut's ``time.sleep(0.05)`` → ``time.sleep(1.05)`` in ``supervise._run_child`` and
``poll_interval`` 0.05 → 1.05 (or dropped: socketserver's default, 0.5) in ``DemoSite`` were
counted equivalent, "timing only". Both are slips a user meets every time:

- ``_run_child`` notices the child's end only at its next poll, so every ``walkthrough check``
  would answer up to a second after the child had written its result;
- ``serve_forever`` notices ``shutdown()`` only when its ``select`` times out, so every
  ``with DemoSite()`` (each crawler test, the offline crawl) would wait up to a second more
  at its end.

Neither test sleeps or reads the wall clock. The first runs ``_run_child`` on a virtual clock
(``supervise.time`` replaced) against a stand-in process that ends at a virtual moment; the
second records the timeout the server gives its own ``select``, which is the longest a stop can
wait to be seen.
"""

from __future__ import annotations

import io
import json
import selectors
import socketserver
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from walkthrough import catalogue
from walkthrough.demosite import DemoSite
from walkthrough.learner import supervise
from walkthrough.learner.report import EQUIVALENT

#: One short poll's worth of lateness, and a little for float sums.
ONE_POLL = 0.05 + 1e-9


class Clock:
    """``time.monotonic``, ``time.time`` and ``time.sleep`` on a virtual clock: a sleep moves
    it, nothing waits; put in place of a module's ``time`` (also by
    ``tests/test_mutation_echo2.py``)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class _Child:
    """A stand-in for ``python -m walkthrough.learner``: its result is written at once, and it
    ends when the virtual clock reaches ``clock.now + runs`` (as a child does some time after
    it started; never at one of the parent's polls exactly)."""

    def __init__(self, clock: Clock, runs: float, argv: list[str]) -> None:
        self.clock, self.ends = clock, clock.now + runs
        self.pid = -1  # never signalled: the test fails first if _run_child tries to kill it
        self.returncode: int | None = None
        self.stdout, self.stderr = io.BytesIO(b""), io.BytesIO(b"")
        work = Path(argv[7])  # -m walkthrough.learner LESSON IMPL PATH SHOWN WORKDIR LIMIT
        (work / "result.json").write_text(json.dumps({"status": EQUIVALENT, "text": "done"}),
                                          encoding="utf-8")

    def poll(self) -> int | None:
        if self.returncode is None and self.clock.now >= self.ends:
            self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        raise AssertionError("a child that ended on its own is never waited for")


def test_the_check_answers_within_one_short_poll_of_the_childs_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The child ends 0.32 s in; its answer is read at the next poll, 0.35 s in, not at a
    poll a second later (a second more on every check the learner runs)."""
    clock = Clock()
    monkeypatch.setattr(supervise, "time", clock)
    children: list[_Child] = []

    def popen(argv: list[str], **kwargs: Any) -> _Child:
        children.append(_Child(clock, 0.32, argv))
        return children[-1]

    monkeypatch.setattr(subprocess, "Popen", popen)
    port = tmp_path / "count.py"
    port.write_text("", encoding="utf-8")
    outcome = supervise._run_child(catalogue.get("count"), port, "trio", 1.0)
    assert outcome == supervise.Outcome(EQUIVALENT, "done")
    [child] = children
    assert child.returncode == 0
    assert 0 <= clock.now - child.ends <= ONE_POLL
    assert clock.sleeps and max(clock.sleeps) <= ONE_POLL


def test_the_demo_sites_stop_is_noticed_within_one_short_poll(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``serve_forever`` sees ``shutdown()`` only when its ``select`` returns: the timeout it
    gives is the longest a stop waits. A short one keeps every ``with DemoSite()`` quick to
    end (the crawler's tests open dozens); socketserver's default, half a second, does not."""
    timeouts: list[float | None] = []
    base: Any = socketserver._ServerSelector  # type: ignore[attr-defined]

    class Recording(base):  # type: ignore[misc, valid-type]
        def select(self, timeout: float | None = None) -> list[Any]:
            timeouts.append(timeout)
            ready: list[tuple[selectors.SelectorKey, int]] = super().select(timeout)
            return ready

    monkeypatch.setattr(socketserver, "_ServerSelector", Recording)
    with DemoSite(pages=3) as site, urllib.request.urlopen(site.url("index.html"),
                                                          timeout=10) as reply:
        assert reply.status == 200  # it served while watched: the watch is the real loop
    assert timeouts
    assert all(t is not None and 0 < t <= ONE_POLL for t in timeouts), timeouts
