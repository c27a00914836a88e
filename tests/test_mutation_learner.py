"""``walkthrough check``'s words: the slips mutmut planted that the check's tests let through.

``scripts/mutation.py walkthrough/learner/<module>.py`` (issue 27, ``docs/mutation.md``). The
check runs a port in a child process, where mutmut cannot see what a test reaches, so most
of what the child says was "no tests" or survived behind a test that only looks at the
command's whole output. The tests here call the modules in this process, one per kind of slip:

* :mod:`walkthrough.learner.explain`: every control character escaped (and only those), a
  report line cut at exactly its width with the rest counted, escapes and kept colour codes
  counted as they are shown, colours named off a terminal and reset at a line's end on one,
  an exception located at the innermost frame in the learner's file, each distinct cause with
  its count and hint, the hints given only for the framework they are about;
* :mod:`walkthrough.learner.report`: the report's header, case lines, what was not run, the
  first divergence with the lines at its instant, the notes, and the verdict's last words;
* :mod:`walkthrough.learner.compare`: a deadlocked asyncio port is explained as a deadlock
  (asyncio's ``TimeoutError``, not only Trio's ``TooSlowError``), with ten times a long
  reference phase as its deadline; the flood message whole, even for the last fragment; what
  a phase raised, cause by cause; trio_port's extras in the reference; the references given
  used, not run again; the case and phase noted for the parent; the defaults.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from walkthrough import catalogue
from walkthrough.learner import compare, explain
from walkthrough.learner.compare import check
from walkthrough.learner.explain import (
    CHECKPOINT,
    ERROR_WIDTH,
    LINE_WIDTH,
    MAX_SHOWN,
    causes,
    clean,
    framework_slip,
    hint,
    imported,
    render,
)
from walkthrough.learner.guard import DEADLINE_FACTOR, MAX_CHARS, MAX_EVENTS, MIN_DEADLINE, _Watch
from walkthrough.learner.loading import load
from walkthrough.learner.report import CaseResult, Report, _params, header, unfinished_note
from walkthrough.trace import Divergence, Event, Trace, Verdict

ROOT = Path(__file__).resolve().parent.parent

# -- explain.clean: what a port printed cannot drive the terminal, nor flood the report -------


def test_every_control_character_is_escaped_and_nothing_else() -> None:
    """A clear-screen, a carriage return, a tab, a NUL, a zero-width space: each escaped as
    Python writes it; spaces and printable non-ASCII text stay as printed."""
    assert clean("\x1b[2J\r\t\x00\x7f\u200b") == "\\x1b[2J\\r\\t\\x00\\x7f\\u200b"
    assert clean("café au lait, 10 €") == "café au lait, 10 €"
    assert clean("") == ""
    # Not colours: without colours=True a colour code is escaped like any other.
    assert clean("\x1b[36mcyan\x1b[0m") == "\\x1b[36mcyan\\x1b[0m"


def test_a_line_is_cut_at_exactly_its_width_and_the_rest_counted() -> None:
    """At the width: whole. One character more: cut, and the one said."""
    assert clean("a" * LINE_WIDTH) == "a" * LINE_WIDTH
    assert clean("a" * (LINE_WIDTH + 1)) == "a" * LINE_WIDTH + "... (1 more characters)"
    assert clean("a" * (LINE_WIDTH + 25)) == "a" * LINE_WIDTH + "... (25 more characters)"
    assert clean("abcdef", 4) == "abcd... (2 more characters)"
    assert clean("abcd", 4) == "abcd"
    assert clean("abc", 0) == "... (3 more characters)"


def test_an_escape_counts_as_wide_as_it_is_shown_even_across_the_cut() -> None:
    """``\\t`` is shown as two characters: one fits before the cut, the other is counted."""
    assert clean("a" * 9 + "\t", 10) == "a" * 9 + "\\... (1 more characters)"
    assert clean("a" * 8 + "\t", 10) == "a" * 8 + "\\t"
    # After the cut the rest is only counted: each escape by its width, a letter as one.
    assert clean("a" * 10 + "b\t\x00", 10) == "a" * 10 + "... (7 more characters)"
    assert clean("a" * 10 + "bcd", 10) == "a" * 10 + "... (3 more characters)"
    assert clean("a" * 10 + "b\u200b", 10) == "a" * 10 + "... (7 more characters)"


def test_kept_colour_codes_count_for_no_width_even_after_the_cut() -> None:
    """A kept code is not shown as characters; a code that is not a colour is (escaped)."""
    assert clean("\x1b[36m" + "a" * 10 + "\x1b[0m", 10, colours=True) == (
        "\x1b[36m" + "a" * 10 + "\x1b[0m")
    assert clean("a" * 11 + "\x1b[36mb\x1b[0m", 10, colours=True) == (
        "a" * 10 + "... (2 more characters)")
    # A background colour is not kept: escaped, and as wide as its escape (4 + 4).
    assert clean("a" * 11 + "\x1b[41m", 10, colours=True) == (
        "a" * 10 + "... (9 more characters)")
    assert clean("a\x1b[41m", colours=True) == "a\\x1b[41m"
    # Several parameters: kept only if every one is a colour code.
    assert clean("\x1b[1;91mx", colours=True) == "\x1b[1;91mx"
    assert clean("\x1b[1;41mx", colours=True) == "\\x1b[1;41mx"
    assert clean("\x1b[mx", colours=True) == "\x1b[mx"


# -- explain.render: colours by name, never raw escapes -----------------------------------------


def test_render_names_colours_and_resets_each_line_left_coloured_on_a_terminal() -> None:
    text = "\x1b[36mcyan\nplain\n\x1b[1;0mbold then reset\n\x1b[0;36mstill cyan"
    assert render(text) == ("[cyan]cyan\nplain\n[bold reset]bold then reset\n"
                            "[reset cyan]still cyan")
    assert render(text, terminal=True) == (
        "\x1b[36m[cyan]cyan\x1b[0m\nplain\n\x1b[1;0m[bold reset]bold then reset\n"
        "\x1b[0;36m[reset cyan]still cyan\x1b[0m")
    # The empty code is a reset too: nothing added after it.
    assert render("\x1b[mx", terminal=True) == "\x1b[m[reset]x"
    # Any other escape, with brackets or alone, is escaped in both modes.
    for terminal in (False, True):
        assert render("\x1b[2Jx\x1b", terminal) == "\\x1b[2Jx\\x1b"


# -- explain._lines: the lines of one instant ---------------------------------------------------


def test_at_most_max_shown_lines_are_shown_and_the_rest_counted() -> None:
    lines = [f"line {k}" for k in range(MAX_SHOWN)]
    assert explain._lines(lines) == " | ".join(lines)
    assert explain._lines([*lines, "one more"]) == " | ".join(lines) + " | ... (1 more lines)"
    assert explain._lines([*lines, "x", "y", "z"]).endswith(" | ... (3 more lines)")
    assert explain._lines([]) == "(nothing)"
    assert explain._lines(("\x1b[36mx\x1b[0m", "a\tb")) == "\x1b[36mx\x1b[0m | a\\tb"


# -- explain: an exception in the learner's own words, at the learner's own line ---------------

PORT = '''\
def inner(n):
    raise ValueError(f"bad value {n}")


def outer(n):
    inner(n)


def no_loop():
    raise RuntimeError("no running event loop")


def long_line():
    raise KeyError("''' + "k" * 200 + '''")
'''


def raised(path: Path, call: str, *, write: bool = True) -> Exception:
    """What ``call`` raises in :data:`PORT`, compiled as the learner's file at ``path``."""
    if write:
        path.write_text(PORT, encoding="utf-8")
    namespace: dict[str, object] = {}
    exec(compile(PORT, str(path), "exec"), namespace)
    try:
        exec(call, namespace)
    except Exception as exc:
        return exc
    raise AssertionError(f"{call} raised nothing")


def test_an_exception_is_located_at_its_innermost_frame_in_the_port(tmp_path: Path) -> None:
    path = tmp_path / "my_port.py"
    exc = raised(path, "outer(3)")
    assert explain._located(exc, path) == (
        f"\n    at {path}, line 2, in inner: raise ValueError(f\"bad value {{n}}\")")
    assert explain._where(exc, path) == (
        f"ValueError: bad value 3\n    at {path}, line 2, in inner: "
        "raise ValueError(f\"bad value {n}\")")
    # Not the port's file: no place.
    assert explain._located(exc, tmp_path / "other.py") == ""
    # The source line itself is cut like every report line.
    long = raised(path, "long_line()")
    located = explain._located(long, path)
    assert located.startswith(f"\n    at {path}, line 14, in long_line: raise KeyError(")
    shown = len("raise KeyError(") + 202 + len(")")
    assert located.endswith(f"... ({shown - LINE_WIDTH} more characters)")


def test_a_frame_whose_source_cannot_be_read_is_located_without_code(tmp_path: Path) -> None:
    """The file was removed after it ran: the place is still said, with no invented code."""
    path = tmp_path / "gone.py"
    exc = raised(path, "no_loop()", write=False)
    assert explain._located(exc, path) == f"\n    at {path}, line 10, in no_loop: "


def test_a_frame_whose_file_cannot_be_resolved_is_not_the_ports(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Path, strict: bool = False) -> Path:
        raise PermissionError(13, "Permission denied", str(self))

    path = tmp_path / "my_port.py"
    exc = raised(path, "no_loop()")
    monkeypatch.setattr(Path, "resolve", refuse)
    assert explain._same_file(str(path), path) is False
    assert explain._located(exc, path) == ""


def test_a_group_of_one_is_opened_and_the_message_cut_late(tmp_path: Path) -> None:
    path = tmp_path / "my_port.py"
    exc = raised(path, "no_loop()")
    group = ExceptionGroup("outer", [ExceptionGroup("inner", [exc])])
    assert explain._where(group, path) == (
        f"RuntimeError: no running event loop\n    at {path}, line 10, in no_loop: "
        "raise RuntimeError(\"no running event loop\")")
    # Two: the group itself is what is said (its causes are listed by causes()).
    two = ExceptionGroup("two went wrong", [ValueError("a"), ValueError("b")])
    assert explain._where(two, path) == "ExceptionGroup: two went wrong (2 sub-exceptions)"
    # Cut at ERROR_WIDTH, not LINE_WIDTH: the framework's last words say what went wrong.
    long = ValueError("x" * ERROR_WIDTH)
    said = explain._where(long, path)
    assert said == "ValueError: " + "x" * (ERROR_WIDTH - len("ValueError: ")) + (
        f"... ({len('ValueError: ')} more characters)")


def test_the_first_line_of_a_message_or_the_type_alone() -> None:
    assert explain._first_line(ValueError("\n  first\nsecond\n")) == "ValueError: first"
    assert explain._first_line(ValueError()) == "ValueError"
    assert explain._first_line(ValueError("  \n ")) == "ValueError"
    assert explain._first_line(KeyError("k")) == "KeyError: 'k'"


def test_each_distinct_cause_is_listed_once_with_its_count_place_and_hint(
        tmp_path: Path) -> None:
    path = tmp_path / "my_port.py"
    first, second = raised(path, "outer(1)"), raised(path, "outer(1)")
    loop = raised(path, "no_loop()")
    group = ExceptionGroup("tasks", [first, ExceptionGroup("nested", [loop, second]),
                                     ValueError("elsewhere")])
    where = "raise ValueError(f\"bad value {n}\")"
    assert causes(group, path, "trio") == [
        f"  ValueError: bad value 1 (2 tasks)\n    at {path}, line 2, in inner: {where}",
        f"  RuntimeError: no running event loop\n    at {path}, line 10, in no_loop: "
        "raise RuntimeError(\"no running event loop\")\n"
        f"    hint: {hint('RuntimeError: no running event loop', 'trio')}",
        "  ValueError: elsewhere",
    ]
    # The same causes in an asyncio port: no Trio hint.
    assert causes(group, path, "asyncio")[1] == (
        f"  RuntimeError: no running event loop\n    at {path}, line 10, in no_loop: "
        "raise RuntimeError(\"no running event loop\")")
    # A framework's message says what went wrong in its last words: cut late, hint kept.
    trio_says = TypeError(
        "trio.run received unrecognized yield message <Future pending cb=[Task.task_wakeup()]>. "
        "Are you trying to use a library written for some other framework like asyncio? "
        "That won't work without some kind of compatibility shim.")
    assert len(f"TypeError: {trio_says}") > LINE_WIDTH
    assert causes(trio_says, path, "trio") == [
        f"  TypeError: {trio_says}\n    hint: {hint(str(trio_says), 'trio')}"]
    # One cause alone, not a group; a hint for every framework; no place, no count.
    assert causes(StopAsyncIteration(), path, "asyncio") == ["  StopAsyncIteration"]
    assert causes(SystemExit(3), path, "trio") == [
        "  SystemExit: 3\n    hint: sys.exit() ends the whole program: return instead"]


def test_a_hint_is_given_only_for_the_framework_it_is_about() -> None:
    trio_only = "RuntimeError: no running event loop"
    asyncio_only = "RuntimeError: must be called from async context"
    assert hint(trio_only, "trio") is not None and hint(trio_only, "asyncio") is None
    assert hint(asyncio_only, "asyncio") is not None and hint(asyncio_only, "trio") is None
    assert hint(asyncio_only, "asyncio") != hint(trio_only, "trio")
    for impl in ("trio", "asyncio"):
        assert hint("trio.WouldBlock", impl) == (
            "send_nowait on a full channel, or receive_nowait on an empty one: "
            "open_memory_channel(0) is a rendezvous (send_nowait succeeds only while a "
            "receiver waits), asyncio.Queue() is unbounded (open_memory_channel(math.inf))")
        assert hint("ValueError: bad value 3", impl) is None
    # Matched anywhere in the line, the first hint that matches.
    assert hint("  x NotImplementedError: write the body; then WouldBlock", "trio") == (
        "this body is still the skeleton's: write it")
    assert "checkpoint" in CHECKPOINT


# -- explain.framework_slip: "did you mean --impl asyncio?" ------------------------------------


def test_the_other_framework_is_said_in_full_with_the_command() -> None:
    assert framework_slip("import asyncio\n", "trio") == (
        "hint: your file imports asyncio and not trio, and it was checked as a Trio port: "
        "did you mean --impl asyncio?")
    assert framework_slip("import trio\n", "asyncio", "walkthrough check c p.py --impl trio") == (
        "hint: your file imports trio and not asyncio, and it was checked as an asyncio port: "
        "did you mean --impl trio?\n    walkthrough check c p.py --impl trio")
    # An --impl the check does not know: no guess.
    assert framework_slip("import asyncio\n", "curio") is None


def test_imports_are_the_top_level_packages_named_anywhere() -> None:
    assert imported("import os.path, trio.testing as tt\nfrom asyncio.queues import Queue\n"
                    "from . import sibling\nfrom .pkg import x\n") == {"os", "trio", "asyncio"}


# -- report: the header, each case, what was not run, the first divergence, the verdict -------

COUNT = catalogue.get("count")
MAKERANDOM = catalogue.get("makerandom")
QUEUE = catalogue.get("queue")
ASYNCGEN = catalogue.get("asyncgen")
PATH = Path("my_port.py")


def trace(lesson: catalogue.Lesson, *events: tuple[str, float, str]) -> Trace:
    return Trace("trio", lesson.name, [Event(phase, time, 0, text) for phase, time, text in events])


def case(params: dict[str, object], divergence: Divergence | None = None,
         expected: Trace | None = None, got: Trace | None = None,
         error: str | None = None) -> CaseResult:
    empty = Trace("trio", "x")
    return CaseResult(params, Verdict(divergence), expected or empty, got or empty, error)


SAME = case({"seed": 1})


def test_the_header_says_what_is_checked_against_what_and_how() -> None:
    assert header(COUNT, PATH, "trio") == (
        "checking my_port.py (Trio port) against asyncio_ref/count.py "
        "(1 parameter set, on the virtual clock)")
    assert header(MAKERANDOM, PATH, "asyncio") == (
        "checking my_port.py (asyncio port) against asyncio_ref/makerandom.py "
        "(5 parameter sets, on the virtual clock)")
    # The number given wins over the lesson's, one or none.
    assert header(MAKERANDOM, PATH, "trio", 1).endswith("(1 parameter set, on the virtual clock)")
    assert header(COUNT, PATH, "trio", 0).endswith("(0 parameter sets, on the virtual clock)")
    assert header(catalogue.get("crawler"), PATH, "trio") == (
        "checking my_port.py (Trio port) against asyncio_ref/crawler.py "
        "(offline, on the local demo site)")


def test_the_unfinished_functions_are_named_it_or_them() -> None:
    assert unfinished_note(["count"]) == (
        "NOT equivalent: still the skeleton's 'raise NotImplementedError' (write it): count")
    assert unfinished_note(["main", "count"]) == (
        "NOT equivalent: still the skeleton's 'raise NotImplementedError' (write them): "
        "main, count")


def test_an_equivalent_report_says_each_case_the_trio_extras_and_what_else_ran() -> None:
    report = Report(QUEUE, PATH, "trio", [case({}), case({"seed": 7, "sep": "-"})], total=2,
                    scripts=[(), ("--help",)], defaults=["main()", "demo()"])
    assert report.describe().splitlines() == [
        header(QUEUE, PATH, "trio", 2),
        "  case 1/2 (no parameters): equivalent",
        "  case 2/2 (seed=7, sep='-'): equivalent",
        "  (in each case also demo_closing, Trio only, against trio_port/queue.py)",
        "equivalent: your port prints the same lines at the same virtual times as the "
        "reference, in every case.",
        "  and does the same run as a script (python -m, with the shared tests' command "
        "lines: (none), --help) and with main(), demo() called with their default parameters.",
    ]
    # Two extras, named in the exercise's order.
    two = Report(ASYNCGEN, PATH, "trio", [case({})], total=1).describe().splitlines()
    assert two[2] == ("  (in each case also main_ahead, mygen_ahead, Trio only, against "
                      "trio_port/asyncgen.py)")
    # An asyncio port has no Trio extras; without defaults the script line ends there.
    asyncio = Report(QUEUE, PATH, "asyncio", [case({})], total=1, scripts=[("a", "b")])
    assert asyncio.describe().splitlines()[2:] == [
        "equivalent: your port prints the same lines at the same virtual times as the "
        "reference, in every case.",
        "  and does the same run as a script (python -m, with the shared tests' command "
        "lines: a b).",
    ]
    # Nothing ran as a script: no such line. The total defaults to the cases run.
    bare = Report(COUNT, PATH, "trio", [case({})]).describe()
    assert bare.splitlines()[0] == header(COUNT, PATH, "trio", 1)
    assert bare.endswith("in every case.") and "  case 1/1 (no parameters): equivalent" in bare


def test_unfinished_functions_and_notes_make_a_report_not_equivalent() -> None:
    report = Report(COUNT, PATH, "trio", [case({})], total=1, unfinished=["count"],
                    notes=["NOT equivalent: a thread was left running"])
    assert report.describe().splitlines()[1:] == [
        "  case 1/1 (no parameters): equivalent",
        unfinished_note(["count"]),
        "NOT equivalent: a thread was left running",
    ]


@pytest.mark.parametrize(("run", "said"), [
    (2, "  (cases 3-5 not run: fix this one first)"),
    (3, "  (cases 4-5 not run: fix this one first)"),
    (4, "  (case 5 not run: fix this one first)"),
])
def test_the_cases_not_run_after_the_first_divergence_are_said(run: int, said: str) -> None:
    div = Divergence("demo", None, ("a",), ("b",), "different lines")
    results = [SAME] * (run - 1) + [case({"seed": 2}, div)]
    lines = Report(MAKERANDOM, PATH, "trio", results, total=5).describe().splitlines()
    assert lines[run] == f"  case {run}/5 (seed=2): NOT equivalent"
    assert lines[run + 1] == said
    assert lines[run + 2] == ""
    assert "equivalent: your port" not in "\n".join(lines)


def test_the_first_divergence_shows_both_lines_at_its_instant() -> None:
    div = Divergence("demo", 1.5, ("x2",), ("x3",), "different lines")
    expected = trace(MAKERANDOM, ("demo", 0.0, "start"), ("demo", 1.5, "x1"),
                     ("demo", 1.5, "x2"), ("other", 1.5, "elsewhere"))
    got = trace(MAKERANDOM, ("demo", 1.5, "x1"), ("demo", 1.5, "x3"))
    later = Divergence("demo", 9.0, ("later",), (), "later")
    report = Report(MAKERANDOM, PATH, "trio",
                    [SAME, case({"seed": 444}, div, expected, got, "your port raised:\n  E"),
                     case({"seed": 5}, later)], total=3)
    assert report.describe().splitlines()[1:] == [
        "  case 1/3 (seed=1): equivalent",
        "  case 2/3 (seed=444): NOT equivalent",
        "  case 3/3 (seed=5): NOT equivalent",
        "",
        "with (seed=444): first divergence in phase 'demo' at t=1.50s: different lines",
        "  expected: x2",
        "  got:      x3",
        "  at t=1.50s the reference printed: x1 | x2",
        "  at t=1.50s your port printed: x1 | x3",
        "  (t is virtual time: seconds since the phase began, the same clock for both versions)",
        "your port raised:",
        "  E",
    ]


def test_a_divergence_without_a_time_or_lines_says_only_what_it_has() -> None:
    div = Divergence("demo_async", None, (), ("extra",), "your port printed more lines")
    report = Report(COUNT, PATH, "trio", [case({}, div)], total=1)
    assert report.describe().splitlines()[2:] == [
        "",
        "first divergence in phase 'demo_async': your port printed more lines",
        "  got:      extra",
    ]


def test_the_checks_own_consumer_and_a_trio_only_phase_are_named() -> None:
    driver = Divergence("mygen, consumed slowly", None, ("a",), ("b",), "r")
    said = Report(ASYNCGEN, PATH, "trio", [case({}, driver)], total=1).describe()
    assert ("first divergence in phase 'mygen, consumed slowly': r\n  (this phase is the "
            "check's own consumer of your mygen: each value with the virtual time it "
            "arrived, 0.5 s of work after each)\n  expected: a") in said
    assert "Trio only" not in said
    variant = "mygen_ahead, consumer at 0.3 s a value"
    extra = Divergence(variant, None, ("a",), ("b",), "r")
    said = Report(ASYNCGEN, PATH, "trio", [case({}, extra)], total=1).describe()
    assert (f"first divergence in phase {variant!r}: r\n  ({variant} is Trio only: the "
            "reference is trio_port/asyncgen.py)\n  expected: a") in said
    assert "own consumer" not in said


def consumed(name: str, job: str, waited: str) -> str:
    return f"    > Consumer {name} got element <{job}> in {waited} seconds."


def test_a_ledger_divergence_lists_the_jobs_taken_from_that_instant() -> None:
    """The queue lesson compares its normalised ledger: the raw lines are shown instead, with
    the consumer lines (printed later) that took a job put at the diverging instant."""
    took = consumed("1", "abc", "0.1")  # put at 2.3 - 0.1, in floating point 2.1999999999999997
    events = [("demo", 2.2, "Producer 1 added <abc> to queue."),
              ("demo", 2.2, consumed("0", "now", "0.000")),  # at the instant: shown already
              ("demo", 2.3, took),
              ("demo", 2.5, consumed("0", "old", "0.4")),  # put at 2.1: not this instant
              ("demo", 3.0, consumed("0", "odd", "never")),  # not a number: skipped
              ("demo_closing", 2.4, consumed("0", "other", "0.2"))]  # another phase
    expected = trace(QUEUE, *events)
    got = trace(QUEUE, ("demo", 2.2, "Producer 1 added <abc> to queue."))
    got.events.append(Event("demo", 2.4, 0, consumed("0", "abc", "0.2"), newline=False))
    div = Divergence("demo", 2.2, ("(ledger) put abc",), (), "the ledger differs")
    lines = Report(QUEUE, PATH, "trio", [case({"seed": 444}, div, expected, got)],
                   total=1).describe().splitlines()
    assert lines[3:] == [
        "with (seed=444): first divergence in phase 'demo' at t=2.20s: the jobs put at this "
        "instant were not consumed as in the reference",
        f"  at t=2.20s the reference printed: Producer 1 added <abc> to queue. | "
        f"{clean(consumed('0', 'now', '0.000'))} | {clean(took)} (at t=2.30s)",
        "  at t=2.20s your port printed: Producer 1 added <abc> to queue.",
        "  (lines taking a job put at this instant are listed with it)",
        "  (t is virtual time: seconds since the phase began, the same clock for both versions)",
    ]


def test_a_normalised_divergence_without_a_ledger_keeps_its_reason_and_raw_lines() -> None:
    div = Divergence("demo", 1.0, ("a",), ("b",), "different lines")
    expected = trace(QUEUE, ("demo", 1.0, "a"), ("demo", 2.0, consumed("0", "j", "1.0")))
    lines = Report(QUEUE, PATH, "trio", [case({}, div, expected)], total=1).describe()
    assert lines.splitlines()[3:] == [
        "first divergence in phase 'demo' at t=1.00s: different lines",
        "  at t=1.00s the reference printed: a",
        "  at t=1.00s your port printed: (nothing)",
        "  (t is virtual time: seconds since the phase began, the same clock for both versions)",
    ]
    # The got side alone can make it a ledger divergence too.
    ledger = Divergence("demo", 1.0, (), ("(ledger) x",), "r")
    said = Report(QUEUE, PATH, "trio", [case({}, ledger, expected)], total=1).describe()
    assert "were not consumed as in the reference" in said
    assert f"{consumed('0', 'j', '1.0')} (at t=2.00s)" in said


# -- compare.check, in this process: what stopped a phase, said for both frameworks ------------

ASYNCIO_COUNT = (ROOT / "asyncio_ref" / "count.py").read_text(encoding="utf-8")
TRIO_COUNT = (ROOT / "trio_port" / "count.py").read_text(encoding="utf-8")


def checked(tmp_path: Path, lesson: catalogue.Lesson, source: str, impl: str,
            stop_at_first: bool = True) -> Report:
    path = tmp_path / "my_port.py"
    path.write_text(source, encoding="utf-8")
    return check(lesson, load(path, lesson, impl), path, impl=impl, source=source,
                 stop_at_first=stop_at_first)


def slip(source: str, old: str, new: str) -> str:
    assert source.count(old) == 1, old
    return source.replace(old, new)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("impl", "source", "old", "new"), [
    ("asyncio", ASYNCIO_COUNT, "await asyncio.sleep(1)", "await asyncio.Event().wait()"),
    ("trio", TRIO_COUNT, "await trio.sleep(1)", "await trio.sleep_forever()"),
])
def test_a_deadlocked_port_is_explained_as_one_in_either_framework(
        tmp_path: Path, impl: str, source: str, old: str, new: str) -> None:
    """asyncio's deadline raises TimeoutError, Trio's TooSlowError: the same words for both,
    with the deadline the check gave (the reference's 1 s phase gets the minimum)."""
    report = checked(tmp_path, COUNT, slip(source, old, new), impl)
    assert not report.equivalent
    (result,) = report.results
    assert result.error == (
        f"your port was still running after {MIN_DEADLINE:g} virtual seconds in phase "
        "'demo_async' and was stopped there (a deadlock? a nursery whose children never "
        "end? a consumer never stopped?)")


@pytest.mark.timeout(60)
def test_what_a_phase_raised_is_explained_with_its_place(tmp_path: Path) -> None:
    report = checked(tmp_path, COUNT, slip(ASYNCIO_COUNT, '    print("Two Async")',
                                           '    raise ValueError("boom")'), "asyncio")
    (result,) = report.results
    assert result.error == (
        f"your port raised:\n  ValueError: boom\n    at {tmp_path / 'my_port.py'}, line 29, "
        "in count_async: raise ValueError(\"boom\")")
    assert result.error in report.describe()


@pytest.mark.timeout(60)
def test_an_equivalent_port_has_no_error_and_a_missing_trio_extra_is_a_note(
        tmp_path: Path) -> None:
    report = checked(tmp_path, COUNT, TRIO_COUNT, "trio")
    assert report.equivalent and report.total == 1
    assert [r.error for r in report.results] == [None]
    assert report.unfinished == [] and report.notes == []


QUEUE_TWIN = (ROOT / "trio_port" / "queue.py").read_text(encoding="utf-8")
MAKERANDOM_TWIN = (ROOT / "trio_port" / "makerandom.py").read_text(encoding="utf-8")


@pytest.mark.timeout(60)
def test_a_long_phase_gets_ten_times_the_references_time_before_it_is_stopped(
        tmp_path: Path) -> None:
    """The queue's first case runs 59 virtual seconds: its consumers, never cancelled, are
    stopped after 590, not after the minimum."""
    report = checked(tmp_path, QUEUE, slip(QUEUE_TWIN, "        consumers.cancel_scope.cancel()\n",
                                           "        pass\n"), "trio")
    assert report.results[0].expected.durations["demo"] == 59.0
    assert report.results[0].error == (
        f"your port was still running after {DEADLINE_FACTOR * 59:g} virtual seconds in phase "
        "'demo' and was stopped there (a deadlock? a nursery whose children never end? a "
        "consumer never stopped?)")


@pytest.mark.timeout(120)
def test_the_trio_extras_are_in_the_reference_and_a_missing_one_is_a_note(
        tmp_path: Path) -> None:
    twin = checked(tmp_path, QUEUE, QUEUE_TWIN, "trio")
    assert twin.equivalent and len(twin.results) == twin.total == 4
    # The reference of each case has trio_port's extra phase, its duration and outcome too.
    for result in twin.results:
        assert "demo_closing" in result.expected.durations
        assert "demo_closing" in result.expected.outcomes
        # (which consumer takes a job at an instant is the scheduler's: the count is the same)
        assert len(result.expected.lines("demo_closing")) == len(
            result.got.lines("demo_closing")) > 0
    renamed = slip(QUEUE_TWIN, "async def demo_closing(", "async def demo_closed(")
    report = checked(tmp_path, QUEUE, renamed, "trio")
    assert report.notes == [
        "NOT equivalent: the Trio exercise also asks for demo_closing (see "
        "exercises/trio/queue.py); your module has none"]
    assert not report.equivalent
    # asyncio has no extras, and its reference none of trio_port's phases.
    asyncio = checked(tmp_path, QUEUE,
                      (ROOT / "asyncio_ref" / "queue.py").read_text(encoding="utf-8"), "asyncio")
    assert asyncio.equivalent and asyncio.notes == []
    assert "demo_closing" not in asyncio.results[0].expected.durations


@pytest.mark.timeout(60)
def test_the_check_stops_at_the_first_diverging_case_unless_asked_not_to(
        tmp_path: Path) -> None:
    wrong = slip(MAKERANDOM_TWIN, 'print(f"r1: {r1}, r2: {r2}, r3: {r3}")',
                 'print(f"r1: {r1}, r2: {r2}, r3: {r3}!")')
    assert len(checked(tmp_path, MAKERANDOM, wrong, "trio").results) == 1
    every = checked(tmp_path, MAKERANDOM, wrong, "trio", stop_at_first=False)
    assert [r.params for r in every.results] == MAKERANDOM.all_cases()
    assert not any(r.verdict.equivalent for r in every.results)


@pytest.mark.timeout(60)
def test_a_function_still_the_skeletons_is_named_unfinished(tmp_path: Path) -> None:
    body = '    print("One Async")\n    await trio.sleep(1)\n    print("Two Async")'
    stub = slip(TRIO_COUNT, body, '    raise NotImplementedError("write count_async")')
    report = checked(tmp_path, COUNT, stub, "trio")
    assert report.unfinished == ["count_async"]
    assert unfinished_note(["count_async"]) in report.describe()


@pytest.mark.timeout(60)
def test_by_default_a_trio_port_is_checked_and_stopped_at_its_first_divergence(
        tmp_path: Path) -> None:
    path = tmp_path / "my_port.py"
    path.write_text(TRIO_COUNT, encoding="utf-8")
    report = check(COUNT, load(path, COUNT, "trio"), path)
    assert report.equivalent
    # The report is the port's: its path, and checked as a Trio port.
    assert report.describe().splitlines()[0] == header(COUNT, path, "trio", 1)
    wrong = slip(MAKERANDOM_TWIN, 'print(f"r1: {r1}, r2: {r2}, r3: {r3}")',
                 'print(f"r1: {r1}, r2: {r2}, r3: {r3}!")')
    path.write_text(wrong, encoding="utf-8")
    assert len(check(MAKERANDOM, load(path, MAKERANDOM, "trio"), path).results) == 1
    asyncio = checked(tmp_path, COUNT, ASYNCIO_COUNT, "asyncio")
    assert asyncio.describe().splitlines()[0] == header(COUNT, tmp_path / "my_port.py",
                                                        "asyncio", 1)


@pytest.mark.timeout(60)
def test_the_references_given_are_used_and_must_match_the_cases(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child runs the references before it imports the port (which could monkeypatch
    them), and hands them over: check must not run them again, nor check fewer cases."""
    path = tmp_path / "my_port.py"
    path.write_text(MAKERANDOM_TWIN, encoding="utf-8")
    module = load(path, MAKERANDOM, "trio")
    expected = compare.references(MAKERANDOM, "trio")

    def again(lesson: catalogue.Lesson, impl: str) -> list[Trace]:
        raise AssertionError("the references were run again")

    monkeypatch.setattr(compare, "references", again)
    assert check(MAKERANDOM, module, path, expected=expected).equivalent
    with pytest.raises(ValueError, match="zip"):
        check(MAKERANDOM, module, path, expected=expected[:-1])


class Notes(_Watch):
    """The notes a check leaves for the parent (which names the case and phase of a stop),
    without the files or the wall-clock watchdog of the real one."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    @contextlib.contextmanager
    def limited(self, where: str) -> Iterator[None]:
        self.notes.append(where)
        yield


@pytest.mark.timeout(60)
def test_each_phase_of_each_case_is_noted_for_the_parent(tmp_path: Path) -> None:
    path = tmp_path / "my_port.py"
    path.write_text(MAKERANDOM_TWIN, encoding="utf-8")
    watch = Notes()
    check(MAKERANDOM, load(path, MAKERANDOM, "trio"), path, watch=watch)
    assert watch.notes == [f"case {k}/5 {_params(params)}, phase demo"
                           for k, params in enumerate(MAKERANDOM.all_cases(), 1)]
    assert watch.notes[1] == "case 2/5 (seed=31), phase demo"


@pytest.mark.timeout(60)
def test_only_the_needed_functions_left_as_the_skeletons_are_unfinished(
        tmp_path: Path) -> None:
    """A stub no checked phase reaches (the asyncio exercise's notebook mode) is not named."""
    stub = TRIO_COUNT + '\n\ndef demo_notebook():\n    raise NotImplementedError("write it")\n'
    assert checked(tmp_path, COUNT, stub, "trio").unfinished == []


@pytest.mark.timeout(60)
def test_a_flood_says_what_the_reference_prints_in_that_phase(tmp_path: Path) -> None:
    report = checked(tmp_path, COUNT, slip(TRIO_COUNT, '    print("One Sync")',
                                           '    while True:\n        print("x" * 1000)'), "trio")
    assert report.results[0].error == (
        f"your port printed more than {MAX_EVENTS} lines in phase 'demo_sync' and was stopped "
        "there (the reference prints 7 lines, of at most 38 characters): a print in a loop "
        "that never ends, or a string that keeps growing?")
    # A phase whose reference prints nothing (none does yet) is said so, not a crash.
    silent = compare.references(COUNT, "trio")
    silent[0].events = [e for e in silent[0].events if e.phase != "demo_async"]
    path = tmp_path / "my_port.py"
    path.write_text(slip(TRIO_COUNT, 'print("One Async")', 'print("x" * 1000 * 1000 * 40)'),
                    encoding="utf-8")
    report = check(COUNT, load(path, COUNT, "trio"), path, expected=silent)
    assert report.results[0].error is not None
    assert "(the reference prints 0 lines, of at most 0 characters)" in report.results[0].error


@pytest.mark.timeout(60)
def test_a_flood_in_the_last_fragment_of_a_phase_is_a_flood_too(tmp_path: Path) -> None:
    """A line left without its newline is captured after the phase's own code: the flood is
    found in the phase's outcome, not in what the phase raised."""
    last = '    print(f"sync version executed in {elapsed:0.2f} seconds.")'
    big = f'{last}\n    print("x" * {MAX_CHARS + 1}, end="")'
    report = checked(tmp_path, COUNT, slip(TRIO_COUNT, last, big), "trio")
    error = report.results[0].error
    assert error is not None and error.startswith(
        f"your port printed a line of {MAX_CHARS + 1:,} characters in phase 'demo_sync' and "
        "was stopped there"), error


@pytest.mark.timeout(60)
def test_each_cause_a_phase_raised_is_on_its_own_line_with_the_ports_hint(
        tmp_path: Path) -> None:
    # Before the first checkpoint: each of the three tasks raises (after one, Trio cancels
    # the others at their next checkpoint).
    two = slip(TRIO_COUNT, '    print("One Async")',
               '    raise (KeyError if FIRST.pop() else ValueError)("boom")')
    two = slip(two, "\nimport trio\n", "\nimport trio\n\nFIRST = [False, False, True]\n")
    error = checked(tmp_path, COUNT, two, "trio").results[0].error
    assert error is not None
    path = tmp_path / "my_port.py"
    assert error.splitlines() == [
        "your port raised:",
        "  KeyError: 'boom'",
        f"    at {path}, line 30, in count_async: "
        "raise (KeyError if FIRST.pop() else ValueError)(\"boom\")",
        "  ValueError: boom (2 tasks)",
        f"    at {path}, line 30, in count_async: "
        "raise (KeyError if FIRST.pop() else ValueError)(\"boom\")",
    ]
    left = slip(TRIO_COUNT, "    await trio.sleep(1)", "    await asyncio.sleep(1)")
    left = slip(left, "\nimport trio\n", "\nimport asyncio\n\nimport trio\n")
    error = checked(tmp_path, COUNT, left, "trio").results[0].error
    assert error is not None and "hint: an asyncio call left in a Trio port" in error, error
