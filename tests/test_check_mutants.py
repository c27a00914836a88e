"""``walkthrough check`` catches every realistic porting slip the shared tests catch (issue 14).

Each slip in ``tests/broken`` (:data:`tests.broken.SLIPS`) is the Trio twin with one mistake.
Its lesson's shared tests catch it (``test_realistic_porting_slips_are_caught`` in each
``tests/test_<lesson>.py``); here ``walkthrough check`` must say "NOT equivalent" for it too,
because a learner's port meets the check, not the test suite. (A pause moved before mygen's
``yield`` leaves the lesson's own output unchanged; check sees it through its slow-consumer
driver of the Trio extras, the tests through ``test_asyncgen``'s stamped values.) Both run
the same parameter sets, ``Lesson.all_cases()``, whose seeds draw the boundary values (a 10
and a 0 from ``randint(0, 10)``, each task's exact threshold) that a ``randrange`` or a ``<``
slip needs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.broken import SLIPS, diverging_cases
from tests.conftest import BROKEN
from walkthrough import catalogue, cli

ALL_SLIPS = [(lesson, slip) for lesson, slips in SLIPS.items() for slip in slips]

def run_check(lesson: str, path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        status = cli.main(["check", lesson, str(path)])
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out + err


def test_there_are_thirty_or_more_slips_and_each_is_listed() -> None:
    """Every file written as a slip is in SLIPS (so no slip escapes both tests), and back."""
    listed = {slip for _, slip in ALL_SLIPS}
    assert len(listed) == len(ALL_SLIPS) >= 30
    marked = {p.stem for p in BROKEN.glob("*.py")
              if p.read_text(encoding="utf-8").startswith(
                  '"""Broken on purpose (a realistic porting slip')}
    assert marked == listed
    for lesson, slip in ALL_SLIPS:
        assert slip.startswith(lesson + "_")
        assert "# BUG" in (BROKEN / f"{slip}.py").read_text(encoding="utf-8"), slip


@pytest.mark.parametrize("lesson", sorted(SLIPS))
def test_the_oracle_passes_the_twin_itself(lesson: str) -> None:
    """The comparison that catches the slips finds nothing in the Trio twin: it can say yes."""
    assert diverging_cases(lesson, catalogue.get(lesson).load("trio")) == []


# A slip that deadlocks meets check's virtual deadline at once; one that blocks the real clock
# (count_blocking_sleep: 3 s a case) meets check's own wall-clock limit (10 s). Either way a
# hang fails this test in seconds, never at the suite's 180 s.
@pytest.mark.timeout(90)
@pytest.mark.parametrize(("lesson", "slip"), [pytest.param(lesson, slip, id=slip)
                                               for lesson, slip in ALL_SLIPS])
def test_check_catches_the_slip(lesson: str, slip: str,
                                capsys: pytest.CaptureFixture[str]) -> None:
    status, said = run_check(lesson, BROKEN / f"{slip}.py", capsys)
    assert status == 1, said
    assert "NOT equivalent" in said, said
