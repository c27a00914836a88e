"""The suite hands its longest files to xdist's workers first (tests/ordering.py)."""

from __future__ import annotations

import doctest
import subprocess
import sys
from pathlib import Path

from tests import ordering
from tests.conftest import ROOT


def test_the_doctest_holds() -> None:
    assert doctest.testmod(ordering).failed == 0


def test_longest_files_first_each_files_tests_together_and_in_their_order() -> None:
    ids = ["s.py::a", "s.py::b", "l.py::a", "new.py::a", "m.py::a", "l.py::b", "new2.py::a"]
    got = ordering.order(ids, {"s.py": 1.0, "m.py": 5.0, "l.py": 9.0})
    assert got == ["l.py::a", "l.py::b", "m.py::a", "s.py::a", "s.py::b", "new.py::a",
                   "new2.py::a"]


def test_missing_or_garbled_weights_are_no_weights(tmp_path: Path) -> None:
    assert ordering.read(tmp_path / "absent.json") == {}
    for text in ("{not json", "[1, 2]", '"x"', '{"a.py": null}', '{"a.py": "x"}',
                 '{"a.py": [1]}'):
        (tmp_path / "w.json").write_text(text)
        assert ordering.read(tmp_path / "w.json") == {}


def test_the_recorder_sums_each_files_phases_and_drops_files_that_are_gone(
        tmp_path: Path) -> None:
    path = tmp_path / "file_seconds.json"
    path.write_text('{"old.py": 7.0, "a.py": 100.0}')
    rec = ordering.Recorder()
    for nodeid, d in [("a.py::t[1]", 0.25), ("a.py::t[1]", 1.0), ("a.py::u", 0.5),
                      ("b.py::t", 2.0)]:
        rec.add(nodeid, d)
    rec.write(path)
    assert ordering.read(path) == {"a.py": 1.8, "b.py": 2.0}  # old.py: no longer a test file


def test_pytest_collects_the_shipped_weights_longest_first() -> None:
    """Through conftest's hook, as xdist's workers collect: given in the opposite order, the
    files come out longest first."""
    weights = ordering.read()
    files = sorted((f for f in weights if (ROOT / f).is_file() and f != "tests/test_ordering.py"),
                   key=weights.__getitem__)
    short, long = files[0], files[-1]
    assert weights[short] < weights[long]
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", short, long],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout
    seen = [ordering.file_of(line) for line in out.splitlines() if "::" in line]
    assert seen and seen[0] == long and seen[-1] == short, out


def test_writing_the_weights_asks_for_the_whole_suite() -> None:
    """A part of the suite would be written as its files' whole weights: refused, before any
    test runs, with a usage error (pytest's exit status 4) that says why."""
    for part in (["-k", "ordering"], ["-m", "trio_suite"], ["tests/test_ordering.py"],
                 ["--deselect", "tests/test_ordering.py::test_the_doctest_holds"]):
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:xdist", "--write-file-seconds", *part],
            cwd=ROOT, capture_output=True, text=True, check=False)
        assert done.returncode == 4, (part, done.stdout, done.stderr)
        assert "--write-file-seconds measures the whole suite" in done.stderr, part
