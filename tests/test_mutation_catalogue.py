"""The catalogue of lessons and ``walkthrough list``: slips no test noticed (issue 27).

``walkthrough/catalogue.py`` is read by nearly every test, but mostly for its data: what a
lesson's methods do at their edges went unchecked. A case list that hands out the lesson's own
``params`` dict (a caller that changes one case would change the lesson), a case merged the
wrong way round, a normalisation applied to one trace of two, an unknown lesson's error that
no longer names the known ones, a lesson with only one twin counted as ready. And ``walkthrough
list`` was only checked for the lessons' names and sections, not for its yes/- columns.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys

import pytest

from walkthrough import catalogue
from walkthrough.catalogue import Lesson
from walkthrough.commands import list as list_command
from walkthrough.trace import Event, Trace

#: A module in trio_port/ without a twin in asyncio_ref/ (the HTTP transport): half a lesson.
HALF = Lesson("_transport", "0", "Only one twin")


def test_all_cases_are_the_defaults_then_each_case_merged_over_them() -> None:
    lesson = Lesson("x", "0", "t", params={"seed": 1, "n": 2},
                    cases=({"seed": 3}, {"n": 4, "extra": 5}))
    assert lesson.all_cases() == [{"seed": 1, "n": 2}, {"seed": 3, "n": 2},
                                  {"seed": 1, "n": 4, "extra": 5}]
    assert Lesson("y", "0", "t", params={"a": 1}).all_cases() == [{"a": 1}]
    assert catalogue.get("makerandom").all_cases() == [
        {"seed": 444}, {"seed": 31}, {"seed": 37}, {"seed": 949}, {"seed": 2750}]


def test_all_cases_hands_out_copies_not_the_lessons_own_params() -> None:
    lesson = Lesson("x", "0", "t", params={"seed": 1})
    first = lesson.all_cases()[0]
    first["seed"] = 99  # a caller that adjusts a case for one run
    assert lesson.params == {"seed": 1}
    assert lesson.all_cases() == [{"seed": 1}]


def _trace(impl: str, *texts: str) -> Trace:
    return Trace(impl, "x", events=[Event("demo", 0.0, 0, text) for text in texts])


def test_compare_normalises_both_traces_when_the_lesson_says_so_and_only_then() -> None:
    seen: list[str] = []

    def sort_lines(trace: Trace) -> Trace:
        seen.append(trace.impl)
        events = sorted(trace.events, key=lambda e: e.text)
        return dataclasses.replace(trace, events=[
            dataclasses.replace(e, task=0) for e in events])

    a = Trace("asyncio", "x", events=[Event("demo", 0.0, 1, "b"), Event("demo", 0.0, 1, "a")])
    b = Trace("trio", "x", events=[Event("demo", 0.0, 2, "a"), Event("demo", 0.0, 2, "b")])
    plain = Lesson("x", "0", "t")
    normalised = Lesson("x", "0", "t", normalise=sort_lines)
    assert not plain.compare(a, b).equivalent  # one task printed b then a, the other a then b
    assert normalised.compare(a, b).equivalent
    assert seen == ["asyncio", "trio"]


def test_compare_passes_its_options_on() -> None:
    early = Trace("asyncio", "x", events=[Event("demo", 1.001, 0, "done")])
    late = Trace("trio", "x", events=[Event("demo", 1.004, 0, "done")])
    for lesson in (Lesson("x", "0", "t"), Lesson("x", "0", "t", normalise=lambda t: t)):
        assert not lesson.compare(early, late).equivalent
        assert lesson.compare(early, late, decimals=2).equivalent


def test_a_lessons_twins_are_named_found_and_loaded_by_framework() -> None:
    count = catalogue.get("count")
    assert count.module_name("asyncio") == "asyncio_ref.count"
    assert count.module_name("trio") == "trio_port.count"
    assert count.load("trio") is sys.modules["trio_port.count"]
    assert count.load("asyncio").__name__ == "asyncio_ref.count"
    assert count.exists("asyncio") and count.exists("trio")
    assert HALF.exists("trio")
    assert not HALF.exists("asyncio")


def test_get_finds_a_lesson_or_names_the_ones_it_knows() -> None:
    assert catalogue.get("queue") is catalogue.LESSONS[3]
    with pytest.raises(KeyError) as caught:
        catalogue.get("queues")
    assert caught.value.args == (
        "unknown lesson 'queues'; known: count, makerandom, chained, queue, generators, "
        "asyncgen, crawler, server",)
    assert caught.value.__suppress_context__  # the lookup's own KeyError is not shown


def test_a_lesson_is_available_only_with_both_twins(monkeypatch: pytest.MonkeyPatch) -> None:
    assert catalogue.available() == list(catalogue.LESSONS)
    monkeypatch.setattr(catalogue, "LESSONS", (catalogue.LESSONS[0], HALF))
    assert catalogue.available() == [catalogue.LESSONS[0]]


def test_list_shows_each_lessons_twins_yes_or_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.setattr(catalogue, "LESSONS", (catalogue.get("queue"), HALF))
    assert list_command.run(argparse.Namespace()) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].strip() == "Lessons of the asyncio walkthrough"  # the title
    cells = [[cell.strip() for cell in line.strip("│┃").split("│" if "│" in line else "┃")]
             for line in out.splitlines() if "│" in line or "┃" in line]
    assert cells == [
        ["lesson", "section", "title", "asyncio", "trio"],
        ["queue", "002.004", "Using a queue", "yes", "yes"],
        ["_transport", "0", "Only one twin", "-", "yes"],
    ]
    assert re.search(r"┏━+┳", out)  # a table, drawn: not the plain words
