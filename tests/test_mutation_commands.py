"""Tests that kill mutmut's survivors in the verbs ``check``, ``tour`` and ``notebook`` (issue 27).

``walkthrough check`` runs the learner's file in a child process: the tests that run it whole
(``tests/test_check*.py``) take seconds each, and what the verb itself decides (its refusals,
what it hands the child, how it reports) was reached only through them. Here the verb runs in
the test process with a stand-in for :func:`walkthrough.learner.check_in_child` that records
what it was given and answers at once, so each branch takes milliseconds. ``tour`` runs the six
virtual lessons for real (milliseconds each) and stand-ins for the two with real I/O;
``notebook`` writes its copy into ``tmp_path``. One test per kind of slip:

* ``check``: the options as parsed (a float timeout, the framework, the path), a timeout that is
  not positive refused (0 is not, 0.5 is), the server handed to its own check, a lesson not
  written in either framework refused by name, the child given the lesson, file, framework and
  limit, its header flushed at once, colours only on a terminal, and its outcome reported as it
  is (status 2 a usage error, a port problem a usage error, any other status printed);
* ``tour``: each row's figures and verdict, the crawler's and the server's rows from their
  checks, a divergence anywhere making the status 1, and a real-I/O lesson with no way to run it
  refused by name;
* ``notebook``: the copy's first cell for each framework, a notebook whose first cell is code
  left alone, a missing notebook said in one line, the copy written as JSON with a final newline
  and not ASCII-escaped, a folder that cannot be written said, and the hints' paths.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import io
import json
import os
import re
import shlex
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest

import walkthrough.learner
from walkthrough import catalogue, cli
from walkthrough.cli import UsageError
from walkthrough.commands import check
from walkthrough.learner import WALL_LIMIT, Outcome, PortProblem

# -- check ----------------------------------------------------------------------------------


class Child:
    """A stand-in for ``check_in_child``: records its call, calls ``announce`` with the header
    as the real one does, and returns ``outcome`` (or raises it)."""

    def __init__(self, outcome: Outcome | Exception) -> None:
        self.outcome = outcome
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Outcome:
        self.calls.append((args, kwargs))
        announce = kwargs.get("announce")
        if announce is not None:
            announce("HEADER: checking your port")
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


class Tty(io.StringIO):
    """A stdout that says whether it is a terminal, and counts its flushes (with what was
    written by then), so a header left in the buffer is seen."""

    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty
        self.flushed: list[str] = []

    def isatty(self) -> bool:
        return self.tty

    def flush(self) -> None:
        self.flushed.append(self.getvalue())
        super().flush()


def parse(*argv: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(["check", *argv])


@pytest.fixture
def child(monkeypatch: pytest.MonkeyPatch) -> Callable[[Outcome | Exception], Child]:
    def install(outcome: Outcome | Exception) -> Child:
        stand_in = Child(outcome)
        monkeypatch.setattr(walkthrough.learner, "check_in_child", stand_in)
        return stand_in
    return install


def test_the_options_are_parsed_as_the_help_says(tmp_path: Path) -> None:
    """The path a Path, --impl trio by default and one of the frameworks, --timeout a float
    whose default is the learner's limit; the help names the default and the server's use."""
    args = parse("count", str(tmp_path / "mine.py"))
    assert (args.lesson, args.path, args.impl, args.timeout) == (
        "count", tmp_path / "mine.py", "trio", WALL_LIMIT)
    assert type(args.timeout) is float
    args = parse("count", "mine.py", "--impl", "asyncio", "--timeout", "2.5")
    assert (args.impl, args.timeout) == ("asyncio", 2.5)
    with pytest.raises(SystemExit) as bad:
        parse("count", "mine.py", "--impl", "curio")
    assert bad.value.code == 2
    parser = argparse.ArgumentParser()
    check.configure(parser)
    text = " ".join(parser.format_help().split())
    assert "PATH your port: a .py file" in text
    assert "--impl {asyncio,trio} the framework your file is written for (default: trio)" \
        in text
    assert (f"--timeout S wall-clock seconds one phase (or the import) of your module may run "
            f"(default: {WALL_LIMIT:g}); sleeps are virtual, so only code that never reaches "
            "a checkpoint comes near it. For server (real sockets, real time), the seconds "
            "your server may take to print its 'listening on 127.0.0.1:PORT' line") in text


@pytest.mark.parametrize("timeout", ["0", "-1"])
def test_a_timeout_that_is_not_positive_is_refused_before_anything_runs(
        timeout: str, child: Callable[[Outcome | Exception], Child]) -> None:
    stand_in = child(Outcome(0, "equivalent"))
    with pytest.raises(UsageError) as refused:
        check.run(parse("count", "mine.py", "--timeout", timeout))
    assert str(refused.value) == "--timeout must be positive"
    assert stand_in.calls == []


def test_a_timeout_under_a_second_is_a_timeout(
        child: Callable[[Outcome | Exception], Child], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Half a second is positive: the check runs, with that limit, and the learner's file,
    lesson and framework; its header is printed and flushed before the check's report."""
    stand_in = child(Outcome(0, "equivalent"))
    out = Tty(tty=False)
    monkeypatch.setattr(sys, "stdout", out)
    path = tmp_path / "mine.py"
    assert check.run(parse("count", str(path), "--impl", "asyncio", "--timeout", "0.5")) == 0
    [(args, kwargs)] = stand_in.calls
    assert args == (catalogue.get("count"), path, "asyncio", 0.5)
    assert set(kwargs) == {"announce", "colours"} and kwargs["colours"] is False
    assert out.getvalue() == "HEADER: checking your port\nequivalent\n"
    # Flushed when announced, with the report not yet written.
    assert "HEADER: checking your port\n" in out.flushed
    assert isinstance(kwargs["announce"], functools.partial)


@pytest.mark.parametrize("tty", [True, False])
def test_colours_only_on_a_terminal(
        tty: bool, child: Callable[[Outcome | Exception], Child],
        monkeypatch: pytest.MonkeyPatch) -> None:
    stand_in = child(Outcome(1, "NOT equivalent"))
    monkeypatch.setattr(sys, "stdout", Tty(tty=tty))
    assert check.run(parse("count", "mine.py")) == 1
    assert stand_in.calls[0][1]["colours"] is tty


@pytest.mark.parametrize("status", [0, 1])
def test_the_childs_report_and_status_are_the_verbs(
        status: int, child: Callable[[Outcome | Exception], Child],
        capsys: pytest.CaptureFixture[str]) -> None:
    child(Outcome(status, f"the report\nwith status {status}"))
    assert check.run(parse("count", "mine.py")) == status
    assert capsys.readouterr().out == \
        f"HEADER: checking your port\nthe report\nwith status {status}\n"


def test_a_file_that_cannot_be_checked_is_a_usage_error_with_the_childs_words(
        child: Callable[[Outcome | Exception], Child]) -> None:
    """Status 2 (a syntax error, an exit at import) is exit 2 with the text on stderr, through
    main; a port problem found before the child starts is the same, in its own words."""
    child(Outcome(2, "mine.py:3: a syntax error"))
    with pytest.raises(UsageError) as refused:
        check.run(parse("count", "mine.py"))
    assert str(refused.value) == "mine.py:3: a syntax error"
    child(PortProblem("mine.py: no such file"))
    with pytest.raises(UsageError) as refused:
        check.run(parse("count", "mine.py"))
    assert str(refused.value) == "mine.py: no such file"
    assert refused.value.__suppress_context__


def test_through_main_a_usage_error_is_exit_2_on_stderr(
        child: Callable[[Outcome | Exception], Child],
        capsys: pytest.CaptureFixture[str]) -> None:
    child(Outcome(2, "mine.py:3: a syntax error"))
    with pytest.raises(SystemExit) as refused:
        cli.main(["check", "count", "mine.py"])
    assert refused.value.code == 2
    assert capsys.readouterr().err.endswith(
        "walkthrough check: error: mine.py:3: a syntax error\n")


def test_an_unknown_lesson_is_refused_with_the_list(
        child: Callable[[Outcome | Exception], Child]) -> None:
    stand_in = child(Outcome(0, "equivalent"))
    with pytest.raises(UsageError) as refused:
        check.run(parse("cuont", "mine.py"))
    assert "count" in str(refused.value)
    assert stand_in.calls == []


def test_the_server_is_checked_by_its_own_session(
        child: Callable[[Outcome | Exception], Child],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Real sockets: echo.check_verb, given the verb's arguments, and its status is the verb's;
    the child's check is not run. Any other lesson is not sent there."""
    from walkthrough import echo

    stand_in = child(Outcome(0, "equivalent"))
    seen: list[argparse.Namespace] = []

    def check_verb(args: argparse.Namespace) -> int:
        seen.append(args)
        return 7

    monkeypatch.setattr(echo, "check_verb", check_verb)
    args = parse("server", "mine.py", "--timeout", "3")
    assert check.run(args) == 7
    assert seen == [args] and stand_in.calls == []
    assert check.run(parse("count", "mine.py")) == 0
    assert seen == [args] and len(stand_in.calls) == 1


@dataclasses.dataclass(frozen=True)
class Unwritten:
    """A lesson written only in ``written``: what the catalogue holds while a twin is missing."""

    written: tuple[str, ...]
    name: str = "future"

    def exists(self, impl: str) -> bool:
        return impl in self.written

    def module_name(self, impl: str) -> str:
        return f"{catalogue.PACKAGES[impl]}.{self.name}"


@pytest.mark.parametrize(("written", "impl", "missing"), [
    (("trio",), "trio", "asyncio_ref.future"),       # no reference to compare with
    (("asyncio",), "trio", "trio_port.future"),      # the framework asked for
    (("trio",), "asyncio", "asyncio_ref.future"),
])
def test_a_lesson_not_written_in_a_framework_the_check_needs_is_refused_by_name(
        written: tuple[str, ...], impl: str, missing: str,
        child: Callable[[Outcome | Exception], Child], monkeypatch: pytest.MonkeyPatch) -> None:
    stand_in = child(Outcome(0, "equivalent"))
    monkeypatch.setattr(check, "lesson_arg",
                        lambda name: Unwritten(written) if name == "future" else None)
    with pytest.raises(UsageError) as refused:
        check.run(parse("future", "mine.py", "--impl", impl))
    assert str(refused.value) == f"{missing} is not written yet"
    assert stand_in.calls == []


def test_a_lesson_written_in_both_is_checked(
        child: Callable[[Outcome | Exception], Child], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    stand_in = child(Outcome(0, "equivalent"))
    lesson = Unwritten(("asyncio", "trio"))
    monkeypatch.setattr(check, "lesson_arg", lambda name: lesson if name == "future" else None)
    assert check.run(parse("future", "mine.py")) == 0
    assert stand_in.calls[0][0][0] is lesson


# -- tour -----------------------------------------------------------------------------------


@dataclasses.dataclass
class Run:
    """What the tour reads of a lesson's run (a :class:`walkthrough.trace.Trace`'s figures)."""

    simulated_seconds: float
    wall_seconds: float


@dataclasses.dataclass
class Judged:
    equivalent: bool
    text: str

    def describe(self) -> str:
        return self.text


@dataclasses.dataclass
class Toured:
    """A lesson as the tour sees it: its name, section, whether it does real I/O, and what
    comparing its two runs says."""

    name: str
    section: str = "1. a section"
    real_io: bool = False
    verdict: Judged = dataclasses.field(default_factory=lambda: Judged(True, "equivalent"))
    module: Any = None
    compared: list[tuple[Any, Any]] = dataclasses.field(default_factory=list)

    def compare(self, a: Any, b: Any) -> Judged:
        self.compared.append((a, b))
        return self.verdict

    def load(self, impl: str) -> Any:
        assert impl == "trio"
        return self.module


def as_lesson(toured: Toured) -> catalogue.Lesson:
    """A stand-in given where the tour's functions take a lesson (they read only these)."""
    return cast(catalogue.Lesson, toured)


def clock(monkeypatch: pytest.MonkeyPatch, *readings: float) -> None:
    from walkthrough.commands import tour

    times = iter(readings)
    # The tour's own name for the module, not time.perf_counter itself, which pytest uses too.
    monkeypatch.setattr(tour, "time", types.SimpleNamespace(perf_counter=lambda: next(times)))


def test_a_verdict_is_green_or_the_reason_in_red_with_its_markup_escaped() -> None:
    from walkthrough.commands.tour import _verdict

    assert _verdict(True, "ignored") == "[green]equivalent[/green]"
    assert _verdict(False, "expected [bold] got [x]") == "[red]expected \\[bold] got \\[x][/red]"


def test_a_virtual_row_is_the_references_simulated_time_both_walls_and_the_verdict(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import walkthrough.runner
    from walkthrough.commands.tour import _virtual

    runs = {"asyncio": Run(1.234, 0.25), "trio": Run(9.0, 0.5)}
    asked: list[tuple[Any, str]] = []

    def run_lesson(lesson: Any, impl: str) -> Run:
        asked.append((lesson, impl))
        return runs[impl]

    monkeypatch.setattr(walkthrough.runner, "run_lesson", run_lesson)
    lesson = Toured("count")
    assert _virtual(as_lesson(lesson)) == ("1.23 s", "750 ms", "[green]equivalent[/green]", True)
    assert asked == [(lesson, "asyncio"), (lesson, "trio")]
    assert lesson.compared == [(runs["asyncio"], runs["trio"])]
    lesson = Toured("count", verdict=Judged(False, "first divergence [here]"))
    assert _virtual(as_lesson(lesson)) == (
        "1.23 s", "750 ms", "[red]first divergence \\[here][/red]", False)


@pytest.mark.parametrize(("status", "verdict"), [
    (0, "[green]equivalent[/green]"),
    (1, "[red]NOT equivalent: the rows differ a.example b.example[/red]"),
])
def test_the_crawlers_row_is_its_checks_verdict_in_a_folder_of_its_own(
        status: int, verdict: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The Trio twin checked as a learner's port (its file, "trio"), in a temporary folder that
    is gone afterwards; the report's lines after its two header lines are the reason."""
    from walkthrough.commands.tour import _crawler

    module = type(sys)("trio_port.crawler")
    module.__file__ = str(tmp_path / "crawler.py")
    seen: list[tuple[Any, Path, str, Path]] = []

    def check_crawler(mod: Any, path: Path, impl: str, workdir: Path) -> tuple[int, str]:
        assert workdir.is_dir() and workdir.name.startswith("walkthrough-tour-")
        seen.append((mod, path, impl, workdir))
        return status, ("checked: crawler\nagainst: asyncio_ref\n  NOT equivalent: the rows "
                        "differ\n   a.example\n b.example  ")

    monkeypatch.setattr(walkthrough.learner, "check_crawler", check_crawler)
    clock(monkeypatch, 10.0, 12.25)  # seconds apart: a factor of 1001 would show
    assert _crawler(as_lesson(Toured("crawler", real_io=True, module=module))) == (
        "real I/O", "2250 ms", verdict, status == 0)
    [(mod, path, impl, workdir)] = seen
    assert (mod, path, impl) == (module, tmp_path / "crawler.py", "trio")
    assert not workdir.exists()


def test_a_crawler_module_without_a_file_is_named_by_its_lesson(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from walkthrough.commands.tour import _crawler

    paths: list[Path] = []
    def check_crawler(mod: Any, path: Path, impl: str, workdir: Path) -> tuple[int, str]:
        paths.append(path)
        return 0, "a\nb\n"

    monkeypatch.setattr(walkthrough.learner, "check_crawler", check_crawler)
    clock(monkeypatch, 0.0, 0.0)
    module = type(sys)("no_file")
    module.__file__ = None  # a namespace package's, say
    _crawler(as_lesson(Toured("crawler", real_io=True, module=module)))
    assert paths == [Path("crawler")]


@pytest.mark.parametrize(("got", "why"), [
    (["listening", "client 1 got b'hi\\n'"], None),
    (["listening", "client 1 got b''"], "NOT equivalent at entry 2 of the session: expected "
                                        "client 1 got b'hi\\n', got client 1 got b''"),
    (["listening"], "NOT equivalent at entry 2 of the session: expected client 1 got "
                    "b'hi\\n', got (nothing)"),
    (["listening", "client 1 got b'hi\\n'", "client 2 got b'x'"],
     "NOT equivalent at entry 3 of the session: expected (nothing), got client 2 got b'x'"),
])
def test_the_servers_row_compares_the_two_twins_sessions(
        got: list[str], why: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    from walkthrough import echo
    from walkthrough.commands.tour import _server, _verdict

    expected = ["listening", "client 1 got b'hi\\n'"]
    commands: list[list[str]] = []

    def session(command: list[str]) -> list[str]:
        commands.append(command)
        return expected if len(commands) == 1 else got

    monkeypatch.setattr(echo, "session", session)
    clock(monkeypatch, 3.0, 5.5)
    assert _server(as_lesson(Toured("server", real_io=True))) == (
        "real I/O", "2500 ms", _verdict(why is None, why or ""), why is None)
    assert commands == [echo.twin_command("asyncio_ref"), echo.twin_command("trio_port")]


def tour_of(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            lessons: list[Toured], rows: dict[str, tuple[str, str, str, bool]]) -> tuple[int, str]:
    """The tour of ``lessons``, each row from ``rows``, on a console wide enough for one line
    a row."""
    from walkthrough.commands import tour

    monkeypatch.setattr(catalogue, "available", lambda: lessons)
    monkeypatch.setattr(tour, "_virtual", lambda lesson: rows[f"virtual {lesson.name}"])
    for name in ("crawler", "server"):
        monkeypatch.setitem(tour.REAL, name,
                            functools.partial(lambda n, lesson: rows[f"real {n}"], name))
    monkeypatch.setenv("COLUMNS", "200")
    status = tour.run(argparse.Namespace())
    return status, capsys.readouterr().out


GREEN = ("0.50 s", "3 ms", "[green]equivalent[/green]", True)
RED = ("2.00 s", "4 ms", "[red]NOT equivalent[/red]", False)


def test_the_tours_table_has_a_row_a_lesson_and_its_status_says_if_all_agree(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    lessons = [Toured("count", "2. counting"), Toured("crawler", "6. crawling", real_io=True),
               Toured("server", "8. serving", real_io=True)]
    rows = {"virtual count": GREEN, "real crawler": ("real I/O", "1234 ms", GREEN[2], True),
            "real server": ("real I/O", "56 ms", GREEN[2], True)}
    status, out = tour_of(monkeypatch, capsys, lessons, rows)
    assert status == 0
    lines = out.splitlines()
    assert lines[0].strip() == "The walkthrough, asyncio vs Trio"
    header = next(line for line in lines if "lesson" in line)
    assert header.split("┃")[1:-1] == [" lesson  ", " section     ", " simulated ", "    wall ",
                                       " verdict    "]
    body = [line.split("│")[1:-1] for line in lines if line.startswith("│")]
    assert body == [
        [" count   ", " 2. counting ", "    0.50 s ", "    3 ms ", " equivalent "],
        [" crawler ", " 6. crawling ", "  real I/O ", " 1234 ms ", " equivalent "],
        [" server  ", " 8. serving  ", "  real I/O ", "   56 ms ", " equivalent "]]
    caption = " ".join(" ".join(lines[lines.index(next(
        line for line in lines if line.startswith("└"))) + 1:]).split())
    assert caption == ("The crawler and the server do real network I/O, on 127.0.0.1: the "
                       "crawler crawls a local demo site, the server serves a session of real "
                       "clients. The others run on the virtual clock.")


@pytest.mark.parametrize("diverges", ["virtual count", "real crawler", "real server"])
def test_one_divergence_anywhere_makes_the_tours_status_1(
        diverges: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Whichever row diverges, first, middle or last, the others agreeing after it."""
    lessons = [Toured("count"), Toured("crawler", real_io=True), Toured("server", real_io=True)]
    rows = {"virtual count": GREEN, "real crawler": GREEN, "real server": GREEN, diverges: RED}
    status, out = tour_of(monkeypatch, capsys, lessons, rows)
    assert status == 1
    assert out.count("NOT equivalent") == 1 and out.count("equivalent") == 3


def test_a_lesson_named_like_a_real_one_but_virtual_runs_on_the_virtual_clock(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = tour_of(monkeypatch, capsys, [Toured("crawler", real_io=False)],
                          {"virtual crawler": GREEN, "real crawler": RED})
    assert status == 0 and "0.50 s" in out


def test_a_real_io_lesson_the_tour_cannot_run_is_refused_by_name(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(NotImplementedError) as refused:
        tour_of(monkeypatch, capsys, [Toured("count"), Toured("chat", real_io=True)],
                {"virtual count": GREEN})
    assert str(refused.value) == "the tour has no way to run 'chat': add it to tour.REAL"


# -- notebook -------------------------------------------------------------------------------


def test_the_copys_first_cell_says_whose_it_is_and_how_to_check_in_its_framework() -> None:
    from walkthrough.commands.notebook import intro

    assert intro("trio", "notebooks/trio-exercises.ipynb") == (
        "# Async IO walkthrough in Trio: your exercises\n\n"
        "Your own copy, written by `walkthrough notebook trio` from "
        "`notebooks/trio-exercises.ipynb`: edit it freely (the verb never overwrites it unless "
        "given `--force`).\n\n"
        "Fill in each lesson's cell and run it. Its first line, `%%check LESSON`, checks your "
        "code against the reference, as `walkthrough check LESSON my_LESSON.py` does, and "
        "prints the verdict: `equivalent`, or `NOT equivalent` and why. Then the run cells "
        "below it run your code. Run the setup cells first: they load `%%check`.")
    assert intro("asyncio", "notebooks/asyncio-exercises.ipynb") == (
        "# Async IO walkthrough in asyncio: your exercises\n\n"
        "Your own copy, written by `walkthrough notebook asyncio` from "
        "`notebooks/asyncio-exercises.ipynb`: edit it freely (the verb never overwrites it "
        "unless given `--force`).\n\n"
        "Fill in each lesson's cell and run it. Its first line, `%%check LESSON --impl asyncio`, "
        "checks your code against the reference, as `walkthrough check LESSON my_LESSON.py "
        "--impl asyncio` does, and prints the verdict: `equivalent`, or `NOT equivalent` and "
        "why. Then the run cells below it run your code. Run the setup cells first: they load "
        "`%%check`.")


#: A tracked notebook in miniature: a first markdown cell, then a code cell, with text that is
#: not ASCII (a learner's notebook keeps it as written, not as \\u escapes).
TRACKED: dict[str, Any] = {
    "cells": [{"cell_type": "markdown", "metadata": {}, "source": "Generated: do not edit"},
              {"cell_type": "code", "metadata": {}, "source": "print('déjà vu')",
               "outputs": [], "execution_count": None}],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture
def notebooks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    from walkthrough.commands import notebook

    folder = tmp_path / "notebooks"
    folder.mkdir()
    for impl in catalogue.IMPLS:
        (folder / f"{impl}-exercises.ipynb").write_text(
            json.dumps(TRACKED, ensure_ascii=False), encoding="utf-8")  # UTF-8, not \u escapes
    monkeypatch.setattr(notebook, "NOTEBOOKS", folder)
    return folder


@pytest.mark.parametrize("impl", catalogue.IMPLS)
def test_the_copy_is_the_tracked_notebook_with_its_own_first_cell(
        impl: str, notebooks: Path) -> None:
    from walkthrough.commands.notebook import intro, make_copy

    copy = make_copy(impl)
    assert copy["cells"][0] == {"cell_type": "markdown", "metadata": {},
                                "source": intro(impl, f"notebooks/{impl}-exercises.ipynb")}
    assert copy["cells"][1:] == TRACKED["cells"][1:]
    assert {k: v for k, v in copy.items() if k != "cells"} == {
        k: v for k, v in TRACKED.items() if k != "cells"}


def test_a_first_cell_of_code_is_left_as_it_is(notebooks: Path) -> None:
    from walkthrough.commands.notebook import make_copy

    code_first = {**TRACKED, "cells": TRACKED["cells"][::-1]}
    (notebooks / "trio-exercises.ipynb").write_text(json.dumps(code_first), encoding="utf-8")
    assert make_copy("trio") == code_first


def test_an_installation_without_notebooks_says_where_they_are(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from walkthrough.commands import notebook

    monkeypatch.setattr(notebook, "NOTEBOOKS", tmp_path / "none")
    with pytest.raises(UsageError) as refused:
        notebook.make_copy("asyncio")
    assert str(refused.value) == (
        "no asyncio-exercises.ipynb here: the notebooks are in the project's source "
        "repository (notebooks/); this installation has none")
    assert refused.value.__suppress_context__


def fake_venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, jupyter: int | None,
              lab: int | None = None) -> Path:
    """A venv's ``bin/`` with this Python (and ``jupyter`` and ``jupyter-lab`` with these
    modes, if given), as ``sys.executable``; the current folder is the venv's parent, as at the
    repository's root."""
    bin_dir = tmp_path / "proj" / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python3"
    python.write_text("", encoding="utf-8")
    for name, mode in (("jupyter", jupyter), ("jupyter-lab", lab)):
        if mode is not None:
            (bin_dir / name).write_text("#!/bin/sh\n", encoding="utf-8")
            (bin_dir / name).chmod(mode)
    monkeypatch.setattr(sys, "executable", str(python))
    monkeypatch.chdir(tmp_path / "proj")
    return bin_dir


@pytest.mark.parametrize(("jupyter", "lab", "installed"), [
    (0o755, 0o755, True),
    # jupyter's own command comes with notebook, nbclient and friends, without JupyterLab:
    # `jupyter lab` then fails (RV58, in this project's own venv)
    (0o755, None, False),
    (None, None, False),
    (0o755, 0o644, False),  # there, but not a program: readable is not enough (even for root)
])
def test_the_copy_is_written_as_json_and_the_hints_name_the_venvs_tools(
        jupyter: int | None, lab: int | None, installed: bool, notebooks: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The folder made with its parents; the file indented by one, not ASCII-escaped, with a
    final newline; the hints relative to the current folder, pip's only without JupyterLab."""
    from walkthrough.commands import notebook

    fake_venv(tmp_path, monkeypatch, jupyter=jupyter, lab=lab)
    args = cli.build_parser().parse_args(["notebook", "asyncio", "--dir", "a/b"])
    assert notebook.run(args) == 0
    target = Path("a", "b", "asyncio-exercises.ipynb")
    assert target.read_text(encoding="utf-8") == json.dumps(
        notebook.make_copy("asyncio"), indent=1, ensure_ascii=False) + "\n"
    assert "déjà vu" in target.read_text(encoding="utf-8")
    bin_dir = Path(".venv", "bin")
    needs = "" if installed else f"    (after {bin_dir / 'pip'} install jupyterlab)"
    assert capsys.readouterr().out == (
        f"wrote {target}\n"
        "open it with this project's Python as the kernel, e.g.:\n"
        f"  {bin_dir / 'jupyter'} lab {target}{needs}\n"
        f"  code {target}    (VS Code: pick {bin_dir / 'python3'} as the kernel)\n")


def test_outside_the_venvs_folder_the_tools_are_named_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from walkthrough.commands.notebook import venv_tool

    bin_dir = fake_venv(tmp_path, monkeypatch, jupyter=None)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert venv_tool("jupyter") == str(bin_dir / "jupyter")


def test_a_file_as_the_folder_is_refused_as_such(notebooks: Path, tmp_path: Path) -> None:
    from walkthrough.commands import notebook

    afile = tmp_path / "notes.txt"
    afile.write_text("mine", encoding="utf-8")
    args = cli.build_parser().parse_args(["notebook", "trio", "--dir", str(afile)])
    with pytest.raises(UsageError) as refused:
        notebook.run(args)
    assert str(refused.value) == f"--dir {afile} is a file, not a folder"
    assert afile.read_text(encoding="utf-8") == "mine"


def test_the_notebook_verbs_help_names_its_argument_and_options() -> None:
    from walkthrough.commands import notebook

    parser = argparse.ArgumentParser()
    notebook.configure(parser)
    text = " ".join(parser.format_help().split())
    assert "IMPL the framework of the exercises: asyncio, trio" in text
    assert "--dir DIR the folder to write the copy in (default: my_notebooks)" in text
    assert "--force overwrite an existing copy (your work in it is lost)" in text


def test_an_existing_folder_is_written_in_and_a_copy_in_it_kept_unless_forced(
        notebooks: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from walkthrough.commands import notebook

    folder = tmp_path / "mine"
    folder.mkdir()
    args = cli.build_parser().parse_args(["notebook", "trio", "--dir", str(folder)])
    assert (args.dir, args.force) == (folder, False)
    assert notebook.run(args) == 0
    target = folder / "trio-exercises.ipynb"
    target.write_text("my work", encoding="utf-8")
    with pytest.raises(UsageError) as refused:
        notebook.run(args)
    assert str(refused.value) == (f"{target} exists, and holds your work: open it, or pass "
                                  "--force to overwrite it with a fresh copy")
    assert target.read_text(encoding="utf-8") == "my work"
    forced = cli.build_parser().parse_args(["notebook", "trio", "--dir", str(folder), "--force"])
    assert forced.force is True and notebook.run(forced) == 0
    assert json.loads(target.read_text(encoding="utf-8")) == notebook.make_copy("trio")



def test_the_notebooks_are_read_and_written_in_utf8_whatever_the_locale(
        ascii_locale: None, notebooks: Path, tmp_path: Path) -> None:
    from walkthrough.commands import notebook

    args = cli.build_parser().parse_args(["notebook", "trio", "--dir", str(tmp_path / "d")])
    assert notebook.run(args) == 0
    written = (tmp_path / "d" / "trio-exercises.ipynb").read_bytes().decode("utf-8")
    assert json.loads(written)["cells"][1]["source"] == "print('déjà vu')"


def test_the_default_folder_is_my_notebooks() -> None:
    args = cli.build_parser().parse_args(["notebook", "trio"])
    assert args.dir == Path("my_notebooks")
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["notebook", "curio"])


@pytest.mark.parametrize(("error", "said"), [
    (OSError(28, "No space left on device"), "No space left on device"),
    (OSError("the disk went away"), "the disk went away"),  # no strerror: the error itself
])
def test_a_copy_that_cannot_be_written_is_said_with_the_systems_reason(
        error: OSError, said: str, notebooks: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from walkthrough.commands import notebook

    def refuse(self: Path, *args: Any, **kwargs: Any) -> int:
        raise error

    monkeypatch.setattr(Path, "write_text", refuse)
    args = cli.build_parser().parse_args(["notebook", "trio", "--dir", str(tmp_path / "d")])
    with pytest.raises(UsageError) as refused:
        notebook.run(args)
    assert str(refused.value) == f"cannot write {tmp_path / 'd' / 'trio-exercises.ipynb'}: {said}"
    assert refused.value.__suppress_context__


def test_a_folder_that_cannot_be_made_is_said_too(
        notebooks: Path, tmp_path: Path) -> None:
    """A parent that is a file: mkdir fails (NotADirectoryError), said as the others."""
    from walkthrough.commands import notebook

    (tmp_path / "afile").write_text("", encoding="utf-8")
    args = cli.build_parser().parse_args(
        ["notebook", "trio", "--dir", str(tmp_path / "afile" / "d")])
    with pytest.raises(UsageError) as refused:
        notebook.run(args)
    assert str(refused.value) == (
        f"cannot write {tmp_path / 'afile' / 'd' / 'trio-exercises.ipynb'}: Not a directory")


# -- diff: the pager ------------------------------------------------------------------------


@pytest.mark.parametrize(("env", "chosen"), [
    ({"WALKTHROUGH_PAGER": "most", "PAGER": "less -S"}, "most"),   # ours first, as git's
    ({"PAGER": "  less -S  "}, "less -S"),                         # stripped
    ({"WALKTHROUGH_PAGER": "", "PAGER": "less"}, None),            # set empty: none at all
    ({"WALKTHROUGH_PAGER": " cat ", "PAGER": "less"}, None),       # cat: none at all
    ({"PAGER": "cat"}, None),
    ({}, "less"),
])
def test_the_pager_is_chosen_as_git_chooses_it(
        env: dict[str, str], chosen: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    from walkthrough.commands import diff

    for name in ("WALKTHROUGH_PAGER", "PAGER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(diff, "shutil", types.SimpleNamespace(
        which=lambda name: f"/usr/bin/{name}" if name == "less" else None))
    assert diff.pager_command() == chosen


def test_without_less_and_no_pager_set_there_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    from walkthrough.commands import diff

    for name in ("WALKTHROUGH_PAGER", "PAGER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(diff, "shutil", types.SimpleNamespace(which=lambda name: None))
    assert diff.pager_command() is None


@pytest.mark.parametrize(("command", "missing"), [
    ("nonexistent-pager -R", "nonexistent-pager"),
    ("less -S", None),                 # found
    ("LESS=S nonexistent-pager", None),  # an assignment: only the shell can read it
    ("'unclosed quote", None),         # not a line shlex can read: the shell's to judge
    ("   ", None),                     # no words
])
def test_a_missing_pager_is_the_first_word_not_on_path(
        command: str, missing: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    from walkthrough.commands import diff

    monkeypatch.setattr(diff, "shutil", types.SimpleNamespace(
        which=lambda name: "/usr/bin/less" if name == "less" else None))
    assert diff._missing_program(command) == missing


def saver(path: Path, status: int = 0) -> str:
    """A pager (a shell line) that saves what it is given and $LESS, then exits ``status``."""
    script = ("import os, sys; text = sys.stdin.read(); "
              f"open({str(path)!r}, 'w').write(os.environ.get('LESS', '-') + '|' + text); "
              f"sys.exit({status})")
    return f"{shlex.quote(sys.executable)} -c {shlex.quote(script)}"


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("less", "seen"), [(None, "FRX"), ("S", "S")])
def test_the_pager_is_given_the_text_and_less_its_colours_unless_less_is_set(
        less: str | None, seen: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from walkthrough.commands import diff

    if less is None:
        monkeypatch.delenv("LESS", raising=False)
    else:
        monkeypatch.setenv("LESS", less)
    saved = tmp_path / "paged.txt"
    diff.page("one\ntwo\n", saver(saved))
    assert saved.read_text(encoding="utf-8") == f"{seen}|one\ntwo\n"
    assert capsys.readouterr() == ("", "")
    assert os.environ.get("LESS") == less  # the verb's own environment is left as it was


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("status", "printed"), [(0, False), (1, False), (2, False),
                                                 (126, True), (127, True), (128, False)])
def test_only_a_shell_that_could_not_run_the_pager_means_print_it_here(
        status: int, printed: bool, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """126 and 127 are the shell's "cannot execute" and "not found": nothing was shown. Any
    other status is the pager's own (the reader quit it): the text was shown, not again."""
    from walkthrough.commands import diff

    diff.page("the text\n", saver(tmp_path / "paged.txt", status))
    assert capsys.readouterr().out == ("the text\n" if printed else "")


@pytest.mark.timeout(60)
def test_a_pager_that_leaves_without_reading_is_no_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The reader quits the pager at once (``q``): the rest of the text meets a closed pipe."""
    from walkthrough.commands import diff

    diff.page("x" * 1_000_000 + "\n", f"{shlex.quote(sys.executable)} -c pass")
    assert capsys.readouterr() == ("", "")


def test_a_pager_not_on_path_is_named_and_the_text_printed(
        capsys: pytest.CaptureFixture[str]) -> None:
    from walkthrough.commands import diff

    diff.page("the text\n", "nonexistent-pager-m9e -R")
    assert capsys.readouterr() == (
        "the text\n", "walkthrough diff: pager 'nonexistent-pager-m9e' not found; printing "
                      "directly\n")


def test_a_pager_the_system_cannot_start_is_as_one_not_found(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from walkthrough.commands import diff

    def popen(*args: Any, **kwargs: Any) -> Any:
        raise OSError(7, "Argument list too long")

    monkeypatch.setattr(diff, "subprocess", types.SimpleNamespace(Popen=popen, PIPE=-1))
    diff.page("the text\n", "true")
    assert capsys.readouterr() == ("the text\n", "")


# -- diff: the verb -------------------------------------------------------------------------

ANSI = r"\x1b\[[0-9;]*m"


def diff_on_a_terminal(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                       *argv: str) -> list[str]:
    """``walkthrough diff ARGV`` on a stand-in terminal, without a pager: its lines, uncoloured."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert cli.main(["diff", *argv, "--no-pager"]) == 0
    return re.sub(ANSI, "", capsys.readouterr().out).splitlines()


def test_the_diff_verbs_options_and_help() -> None:
    from walkthrough.commands import diff

    parser = argparse.ArgumentParser()
    diff.configure(parser)
    text = " ".join(parser.format_help().split())
    for said in ("--plain print a unified diff (the default when not on a terminal)",
                 "--layout {auto,columns,stacked} columns or stacked; auto picks by terminal "
                 "width (default)",
                 "--width WIDTH draw for this many columns",
                 "--no-pager print directly, even when the output is taller than the terminal"):
        assert said in text
    for layout in ("auto", "columns", "stacked"):
        assert parser.parse_args(["count", "--layout", layout]).layout == layout
    with pytest.raises(SystemExit):
        parser.parse_args(["count", "--layout", "grid"])


@pytest.mark.parametrize(("width", "layout"), [(140, "columns"), (139, "stacked")])
def test_auto_picks_columns_from_exactly_140_columns(
        width: int, layout: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    lines = diff_on_a_terminal(monkeypatch, capsys, "count", "--width", str(width))
    heads = [line for line in lines if "── main_async" in line]
    assert (heads[0].count("── main_async") == 2) == (layout == "columns")


def test_the_columns_are_drawn_for_the_width_given(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Not ``columns``' default of 160: narrower (cut to fit) and wider (filled) both."""
    for width in (150, 300):
        lines = diff_on_a_terminal(monkeypatch, capsys, "count", "--width", str(width),
                                   "--layout", "columns")
        assert max(len(line) for line in lines) == width


def test_a_width_of_40_is_enough_and_39_is_not(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from walkthrough.commands import diff

    lines = diff_on_a_terminal(monkeypatch, capsys, "count", "--width", "40")
    assert max(len(line) for line in lines) == 40
    with pytest.raises(UsageError) as refused:
        diff.run(cli.build_parser().parse_args(["diff", "count", "--width", "39"]))
    assert str(refused.value) == "--width must be at least 40"


@pytest.mark.parametrize(("rows", "paged"), [(3, False), (2, True)])
def test_output_as_tall_as_the_terminal_is_printed_and_taller_is_paged(
        rows: int, paged: bool, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Three lines fit a terminal of three rows (the prompt's line is the one after)."""
    from walkthrough.commands import diff

    given: list[tuple[str, str]] = []
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(diff, "pager_command", lambda: "the pager")
    monkeypatch.setattr(diff, "render", lambda view, console: "a\nb\nc\n")
    monkeypatch.setattr(diff, "page", lambda text, command: given.append((text, command)))
    monkeypatch.setenv("LINES", str(rows))
    monkeypatch.setenv("COLUMNS", "100")
    assert cli.main(["diff", "count"]) == 0
    assert given == ([("a\nb\nc\n", "the pager")] if paged else [])
    assert capsys.readouterr().out == ("" if paged else "a\nb\nc\n")
