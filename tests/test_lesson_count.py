"""The lesson count agrees with itself (issue 25, item 12).

The README, the home page and ``list --help`` said "seven", ``list`` printed eight rows and
``tour`` ran six (the crawler explained, the server silently dropped). What is true comes from
the catalogue: the notebook's seven lessons plus the server, eight. Every count of lessons in
the pages and the help must be one of those two, a seven must say it is the notebook's, and
each of them must say eight; ``list`` and ``tour`` must show all eight.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from walkthrough import catalogue, cli
from walkthrough.commands import tour

ROOT = Path(__file__).resolve().parent.parent
NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
ORDINALS = {"sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9}
#: A statement of how many lessons there are: "seven lessons", "the notebook's seven lessons"
#: (only a possessive between), "6 lessons", "an eighth lesson". A count with another word
#: between ("the two network lessons") counts a part, not the whole, and is left alone; so is
#: "one" ("one lesson each way").
COUNT = re.compile(r"\b(" + "|".join(NUMBERS) + r"|\d+)((?:\s+(?:notebook|seed|article)'s)?)"
                   r"\s+lessons\b|\b(" + "|".join(ORDINALS) + r")\s+lesson\b", re.IGNORECASE)
TOTAL = len(catalogue.LESSONS)
NOTEBOOK = len([lesson for lesson in catalogue.LESSONS if lesson.section != "beyond"])
#: Words that make a count the notebook's (the seed's, the article's), not the project's.
THEIRS = ("notebook", "seed", "real python", "article")


def counts(text: str) -> list[tuple[int, str]]:
    """Each count of lessons in ``text``, with its sentence."""
    found = []
    for m in COUNT.finditer(text):
        word = (m[1] or m[3]).lower()
        n = int(word) if word.isdigit() else {**NUMBERS, **ORDINALS}[word]
        start = max(text.rfind(". ", 0, m.start()), text.rfind("\n\n", 0, m.start()), 0)
        stops = [i for i in (text.find(". ", m.end()), text.find("\n\n", m.end())) if i >= 0]
        found.append((n, " ".join(text[start:min(stops, default=len(text))].split())))
    return found


def _help(verb: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit):
        cli.main([verb, "--help"])
    return capsys.readouterr().out


def test_the_catalogue_has_the_notebooks_seven_and_the_server() -> None:
    assert (NOTEBOOK, TOTAL) == (7, 8)
    assert catalogue.LESSONS[-1].name == "server"


PAGES = ["README.md", "docs/index.md", *sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md") if p.name != "index.md")]


@pytest.mark.parametrize("page", PAGES)
def test_every_count_of_lessons_in_the_pages_is_true(page: str) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    for n, sentence in counts(text):
        assert n in (NOTEBOOK, TOTAL), f"{page}: {n} lessons? {sentence!r}"
        if n == NOTEBOOK and n != TOTAL:
            assert any(w in sentence.lower() for w in THEIRS), \
                f"{page}: {n} lessons is the notebook's count; say so: {sentence!r}"


@pytest.mark.parametrize("page", ["README.md", "docs/index.md"])
def test_the_front_pages_say_eight(page: str) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    assert TOTAL in [n for n, _ in counts(text)], page


@pytest.mark.parametrize("verb", ["list", "tour"])
def test_the_help_says_eight(verb: str, capsys: pytest.CaptureFixture[str]) -> None:
    found = counts(_help(verb, capsys))
    assert TOTAL in [n for n, _ in found], found
    assert all(n in (NOTEBOOK, TOTAL) for n, _ in found), found


#: The packages whose docstring counts the lessons (F8 of the learner review: they said seven).
PACKAGES = ("asyncio_ref", "trio_port", "walkthrough")


def _docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


@pytest.mark.parametrize("package", PACKAGES)
def test_the_package_docstrings_say_eight(package: str) -> None:
    """``help(trio_port)`` is a front page too: it says eight, and a seven is the notebook's."""
    found = counts(_docstring(ROOT / package / "__init__.py"))
    assert TOTAL in [n for n, _ in found], f"{package}/__init__.py: {found}"
    for n, sentence in found:
        assert n in (NOTEBOOK, TOTAL), f"{package}/__init__.py: {n} lessons? {sentence!r}"
        if n == NOTEBOOK and n != TOTAL:
            assert any(w in sentence.lower() for w in THEIRS), sentence


def test_no_module_docstring_says_seven_for_all() -> None:
    """Every module of the three packages: a count of seven says it is the notebook's (a part,
    like tour's "six lessons without network I/O", is another count and is left alone)."""
    wrong = [(str(path.relative_to(ROOT)), sentence)
             for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
             for n, sentence in counts(_docstring(path))
             if n == NOTEBOOK != TOTAL and not any(w in sentence.lower() for w in THEIRS)]
    assert wrong == []


def test_list_shows_all_eight(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["list"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines()
            if re.match(r"^│ \w+ ", line)]
    assert [row.split()[1] for row in rows] == [lesson.name for lesson in catalogue.LESSONS]


def test_the_counter_can_fail() -> None:
    """The sentences of before: each is caught."""
    assert counts("`tour` runs six lessons.") == [(6, "`tour` runs six lessons.")]
    assert [n for n, _ in counts("The seven lessons of the\nproject")] == [7]
    assert [n for n, _ in counts("an eighth lesson, a TCP server")] == [8]
    assert [n for n, _ in counts("List the 6\nlessons")] == [6]
    assert [n for n, _ in counts("the notebook's seven lessons")] == [7]
    assert [n for n, _ in counts("the notebook's eight URLs")] == []
    old = "The seven lessons of the asyncio walkthrough, ported to Trio."  # trio_port, before
    assert [n for n, _ in counts(old)] == [7]
    assert not any(w in counts(old)[0][1].lower() for w in THEIRS)


@pytest.mark.timeout(120)
def test_tour_runs_all_eight_the_server_on_real_sockets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The crawler on the local demo site, the server's session of real clients on 127.0.0.1
    (a few seconds of real time); the others on the virtual clock."""
    assert cli.main(["tour"]) == 0
    out = capsys.readouterr().out
    for lesson in catalogue.LESSONS:
        simulated = "real I/O" if lesson.real_io else r"\d+\.\d\d s"
        assert re.search(rf"│ {lesson.name}\s+│ {re.escape(lesson.section)}\s+│\s+{simulated} "
                         r"│\s+\d+ ms │ equivalent", out), lesson.name


def test_tour_says_when_the_servers_differ(monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """The server's row is a real comparison: two transcripts that differ are NOT equivalent,
    with the entry, and the tour's status is 1."""
    from walkthrough import echo

    sessions = iter([["listening", "client 1 got b'hi\\n'"], ["listening", "client 1 got b''"]])
    monkeypatch.setattr(echo, "session", lambda command: next(sessions))
    monkeypatch.setitem(tour.REAL, "crawler", lambda lesson: ("real I/O", "0 ms", "skipped",
                                                              True))
    assert cli.main(["tour"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "NOT equivalent at entry 2" in out
