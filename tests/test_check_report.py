"""What ``walkthrough check`` says, and when (issue 25, items 6, 7 and 9).

* A file written for the other framework than ``--impl`` says is told so ("did you mean
  --impl asyncio?"), decided by what it imports (read with :mod:`ast`), and the framework's
  own error is shown whole, not cut before the words that explain it.
* Colour codes in printed lines are shown by name off a terminal (``[cyan]...[reset]``) and
  as colours (with their names) on one; never as raw ``\\x1b[36m`` escapes, while every other
  control character stays escaped.
* The report's first line is printed at once: a port that never awaits holds the rest for
  ``--timeout`` seconds, and the learner sees meanwhile that the check has begun.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from walkthrough import catalogue
from walkthrough.cli import main
from walkthrough.learner import check_in_child
from walkthrough.learner.explain import clean, framework_slip, render

ROOT = Path(__file__).resolve().parent.parent
#: The wall-clock limit (seconds) for the ports that never await.
LIMIT = 3.0
#: Trio's own words for an asyncio await in a Trio run, which the report must show whole.
TRIO_SAYS = ("Are you trying to use a library written for some other framework like asyncio? "
             "That won't work without some kind of compatibility shim.")
#: A colour code the report may keep raw on a terminal (and only there).
COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def run_check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Exit status and everything printed (stdout is not a terminal here)."""
    try:
        status = main(["check", *argv])
    except SystemExit as exc:
        status = int(exc.code or 0)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def write(tmp_path: Path, text: str, name: str = "my_port.py") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- item 6: the other framework ---------------------------------------------------------------

@pytest.mark.timeout(120)
def test_an_asyncio_solution_checked_as_trio_is_asked_about_impl(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The README's first exercise, solved in asyncio, checked with the default --impl trio."""
    path = ROOT / "asyncio_ref" / "makerandom.py"
    status, out = run_check(capsys, "makerandom", str(path))
    assert status == 1, out
    assert "did you mean --impl asyncio?" in out
    assert f"walkthrough check makerandom {path} --impl asyncio" in out
    # Trio's message whole: its last words are what says "asyncio".
    said = [line for line in out.splitlines() if "unrecognized yield message" in line]
    assert said and TRIO_SAYS in said[0] and "more characters" not in said[0], out
    assert "hint: an asyncio await left in a Trio port" in out
    # ... and the same file, checked as asked, passes: the hint was right.
    status, out = run_check(capsys, "makerandom", str(path), "--impl", "asyncio")
    assert status == 0, out
    assert "did you mean" not in out


@pytest.mark.timeout(120)
def test_a_trio_solution_checked_as_asyncio_is_asked_about_impl(
        capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run_check(capsys, "count", str(ROOT / "trio_port" / "count.py"),
                            "--impl", "asyncio")
    assert status == 1, out
    assert "did you mean --impl trio?" in out


@pytest.mark.timeout(120)
def test_a_wrong_port_that_imports_the_right_framework_gets_no_impl_hint(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A Trio port with an asyncio call left in it is a slip in the port, not in --impl."""
    source = (ROOT / "trio_port" / "count.py").read_text(encoding="utf-8")
    old = "    await trio.sleep(1)"
    assert old in source and source.count("\nimport trio\n") == 1
    source = source.replace("\nimport trio\n", "\nimport asyncio\nimport trio\n")
    path = write(tmp_path, source.replace(old, "    await asyncio.sleep(1)"))
    status, out = run_check(capsys, "count", str(path))
    assert status == 1, out
    assert "no running event loop" in out
    assert "did you mean --impl" not in out


def test_the_framework_is_read_from_the_imports_not_the_words() -> None:
    # Words in comments, docstrings and strings are not imports.
    assert framework_slip('"""Not import trio: asyncio."""\nimport asyncio\n# trio\n',
                          "trio") is not None
    assert framework_slip('"""import asyncio"""\nimport trio\nx = "asyncio"\n', "trio") is None
    # Every form of import counts, in a function too; a relative import is not the stdlib's.
    assert framework_slip("from asyncio import sleep\n", "trio") is not None
    assert framework_slip("import asyncio.queues as q\n", "trio") is not None
    assert framework_slip("def f():\n    import trio\nimport asyncio\n", "trio") is None
    assert framework_slip("from .asyncio import x\n", "trio") is None
    # Both, or neither: no guess.
    assert framework_slip("import asyncio, trio\n", "asyncio") is None
    assert framework_slip("import time\n", "asyncio") is None
    said = framework_slip("import trio\n", "asyncio", "walkthrough check count p.py --impl trio")
    assert said is not None and said.endswith("\n    walkthrough check count p.py --impl trio")


# -- item 7: colours -------------------------------------------------------------------------

def makerandom_port(tmp_path: Path) -> Path:
    """A Trio makerandom that ends its lines with a clear-screen instead of the colour reset."""
    source = (ROOT / "trio_port" / "makerandom.py").read_text(encoding="utf-8")
    old = '    "\\033[0m",   # End of color'
    assert source.count(old) == 1
    return write(tmp_path, source.replace(old, '    "\\033[2J",'))


@pytest.mark.timeout(120)
def test_colours_are_named_off_a_terminal(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run_check(capsys, "makerandom", str(makerandom_port(tmp_path)),
                            "--timeout", str(LIMIT))
    assert status == 1, out
    assert "\x1b" not in out
    expected = [line for line in out.splitlines() if line.startswith("  expected: ")]
    got = [line for line in out.splitlines() if "your port printed: " in line]
    assert expected and got, out
    assert "[cyan]Initiated makerandom(idx=0, threshold=9).[reset]" in expected[0]
    assert "\\x1b[36m" not in expected[0]
    # The port's own slip shows: the colour is named, the clear-screen stays escaped.
    assert "[cyan]Initiated makerandom(idx=0, threshold=9).\\x1b[2J" in got[0]


def on_terminal(argv: list[str]) -> str:
    """Everything ``argv`` writes to a pseudo-terminal as its stdout and stderr."""
    import pty

    controller, terminal = pty.openpty()
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=terminal,
                                stderr=terminal, cwd=ROOT)
        os.close(terminal)
        chunks = []
        while True:
            try:
                data = os.read(controller, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(60)
    finally:
        os.close(controller)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.mark.timeout(120)
def test_colours_are_colours_on_a_terminal(tmp_path: Path) -> None:
    out = on_terminal([sys.executable, "-m", "walkthrough", "check", "makerandom",
                       str(makerandom_port(tmp_path)), "--timeout", str(LIMIT)])
    expected = [line for line in out.splitlines() if line.startswith("  expected: ")]
    got = [line for line in out.splitlines() if "your port printed: " in line]
    assert expected and got, out
    # The colour itself, and its name (a missing reset must stay visible).
    assert "\x1b[36m[cyan]Initiated makerandom(idx=0, threshold=9).\x1b[0m[reset]" in expected[0]
    # No other raw escape: the clear-screen is shown escaped, never sent.
    assert "\x1b[2J" not in out
    assert "[cyan]Initiated makerandom(idx=0, threshold=9).\\x1b[2J" in got[0]
    assert all(COLOUR.match(out, m.start()) for m in re.finditer("\x1b", out))
    # A line that leaves a colour on is reset at its end: the report stays uncoloured.
    for line in out.splitlines():
        codes = COLOUR.findall(line)
        assert not codes or codes[-1] == "\x1b[0m", line


def test_render_names_only_colours_and_escapes_the_rest() -> None:
    line = clean("\x1b[1;91mred\x1b[41m on red\x1b[0m\x07", colours=True)
    assert render(line) == "[bold bright red]red\\x1b[41m on red[reset]\\x07"
    assert render(line, terminal=True) == (
        "\x1b[1;91m[bold bright red]red\\x1b[41m on red\x1b[0m[reset]\\x07")
    # Without colours=True (every other report line) a colour code is escaped like the rest.
    assert render(clean("\x1b[36mx")) == "\\x1b[36mx"
    # A cut line keeps its colour codes whole and counts only what is shown.
    assert clean("\x1b[36m" + "a" * 20, 10, colours=True) == (
        "\x1b[36m" + "a" * 10 + "... (10 more characters)")


# -- item 9: the header at once --------------------------------------------------------------

BUSY = """\
import trio


def demo_sync():
    print("One Sync")


async def count():
    print("One Async")
    while True:
        pass


async def demo_async():
    async with trio.open_nursery() as nursery:
        for _ in range(3):
            nursery.start_soon(count)
"""


@pytest.mark.timeout(120)
def test_the_header_is_printed_before_a_busy_loop_is_stopped(tmp_path: Path) -> None:
    path = write(tmp_path, BUSY)
    for name in catalogue.get("count").phases:
        assert f"def {name}(" in BUSY
    proc = subprocess.Popen(
        [sys.executable, "-m", "walkthrough", "check", "count", str(path),
         "--timeout", str(LIMIT)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        assert proc.stdout is not None
        start = time.monotonic()
        first = proc.stdout.readline().decode()
        # Read while the port is still spinning: the stop comes LIMIT s after it began.
        assert proc.poll() is None, first
        assert first.startswith(f"checking {path} (Trio port) against asyncio_ref/count.py "
                                "(1 parameter set, on the virtual clock)"), first
        rest, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert time.monotonic() - start >= LIMIT  # the stop came after the header, not with it
    assert proc.returncode == 1, (rest, err)
    text = rest.decode()
    assert "never reached a checkpoint" in text, text
    assert "checking " not in text  # said once


@pytest.mark.timeout(120)
def test_check_in_child_announces_the_header_before_the_child_starts(tmp_path: Path) -> None:
    path = write(tmp_path, BUSY)
    lesson = catalogue.get("count")
    heard: list[str] = []
    outcome = check_in_child(lesson, path, "trio", LIMIT, announce=heard.append)
    assert len(heard) == 1 and heard[0].startswith(f"checking {path} (Trio port)")
    assert outcome.status == 1 and "never reached a checkpoint" in outcome.text
    assert heard[0] not in outcome.text
    # Without announce the header leads the text, whatever stopped the port.
    quiet = check_in_child(lesson, path, "trio", LIMIT)
    assert quiet.text.splitlines()[0] == heard[0]
    assert quiet.text.count("checking ") == 1


# -- the verdict says what else ran (issue 25, item 8) ---------------------------------------

@pytest.mark.timeout(120)
@pytest.mark.parametrize(("lesson", "impl", "also"), [
    ("chained", "trio", "(none), laser cannon, --help, laser --no-such-option, --global-rng) "
                        "and with main(), demo() called with their default parameters."),
    ("count", "asyncio", "(none), --help, --no-such-option)."),
])
def test_an_equivalent_report_says_it_ran_the_script_too(
        lesson: str, impl: str, also: str, capsys: pytest.CaptureFixture[str]) -> None:
    """"equivalent" spoke of the cases only, while the script run and the defaults are
    checked too: a second line says so, under a verdict whose first words stay."""
    path = ROOT / catalogue.PACKAGES[impl] / f"{lesson}.py"
    status, out = run_check(capsys, lesson, str(path), "--impl", impl)
    assert status == 0, out
    verdict, said = out.rstrip().splitlines()[-2:]
    assert verdict.startswith("equivalent: your port prints the same lines"), out
    assert said == ("  and does the same run as a script (python -m, with the shared tests' "
                    "command lines: " + also), out


@pytest.mark.parametrize("lesson", [lesson.name for lesson in catalogue.LESSONS
                                    if not lesson.real_io])
def test_the_guide_says_the_check_runs_the_file_as_a_script(lesson: str) -> None:
    """Each lesson page's "Try it yourself" says what the check runs: the cases, and the
    script with the suite's command lines, whose slips it now reports."""
    text = " ".join((ROOT / "docs" / "lessons" / f"{lesson}.md").read_text(
        encoding="utf-8").split())
    section = text[text.index("## Try it yourself"):]
    assert ("with every parameter set of the shared tests, then as a script with their "
            "command lines (`--help` too), and says `equivalent`") in section
