"""Every lesson page ends with the exercise loop, and its quoted slip is today's (issue 25,
item 11).

A lesson page's last section, "Try it yourself", gives the commands (copy the skeleton, check
the copy), names the asyncio exercise, shows a realistic slip as a diff against the Trio twin,
and quotes what ``walkthrough check`` says about it. This test checks the commands against the
repository (the skeleton exists, the lesson is the page's own), then makes the slipped port
(the twin with the page's diff applied, which must apply exactly once), runs the page's check
command on it in a folder of its own, and compares: every quoted line, in order, is a line of
what the checker prints now. Only what varies from run to run is set aside: an object's address,
the demo site's port, a line number of the twin (another edit of the twin moves it; the message
and the hint are the point).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from walkthrough import catalogue

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Try it yourself"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
#: What differs between two runs of the same check, each replaced by a fixed word.
VARIES = ((re.compile(r" at 0x[0-9a-f]+"), " at 0xADDRESS"),
          (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
          (re.compile(r"\bline \d+\b"), "line N"))


def section(lesson: str) -> str:
    text = (ROOT / "docs" / "lessons" / f"{lesson}.md").read_text(encoding="utf-8")
    assert text.count(SECTION) == 1, f"docs/lessons/{lesson}.md: one {SECTION!r} section"
    rest = text[text.index(SECTION):]
    assert not re.search(r"^## ", rest[len(SECTION):], re.MULTILINE), \
        f"docs/lessons/{lesson}.md: {SECTION!r} is the page's last section"
    return rest


def blocks(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for kind, body in BLOCK.findall(text):
        assert kind not in found, f"one {kind} block"
        found[kind] = body
    return found


def slipped(source: str, diff: str) -> str:
    """``source`` with the page's diff applied: the ``-`` and context lines, in order, must be
    in it exactly once; they become the ``+`` and context lines."""
    lines = diff.splitlines()
    assert lines and all(line[:1] in ("-", "+", " ") for line in lines), diff
    old = "".join(line[1:] + "\n" for line in lines if line[0] in " -")
    new = "".join(line[1:] + "\n" for line in lines if line[0] in " +")
    assert source.count(old) == 1, f"the slip must apply once, not {source.count(old)} times"
    return source.replace(old, new)


def steady(line: str) -> str:
    for pattern, word in VARIES:
        line = pattern.sub(word, line)
    return line.rstrip()


LESSONS = [lesson.name for lesson in catalogue.LESSONS]


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_commands_are_the_lessons_own(lesson: str) -> None:
    text = section(lesson)
    console = blocks(text)["console"].splitlines()
    assert console == [f"$ cp exercises/trio/{lesson}.py my_{lesson}.py",
                       f"$ .venv/bin/walkthrough check {lesson} my_{lesson}.py"]
    assert (ROOT / "exercises" / "trio" / f"{lesson}.py").is_file()
    asyncio_skeleton = f"exercises/asyncio/{lesson}.py"
    assert f"`{asyncio_skeleton}`" in text and "`--impl asyncio`" in text
    assert (ROOT / asyncio_skeleton).is_file()
    quoted = blocks(text)["text"].splitlines()
    assert quoted[0] == console[1], "the quoted output is of the check command above"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("lesson", LESSONS)
def test_the_quoted_slip_is_what_the_check_prints_today(lesson: str, tmp_path: Path) -> None:
    found = blocks(section(lesson))
    source = (ROOT / "trio_port" / f"{lesson}.py").read_text(encoding="utf-8")
    (tmp_path / f"my_{lesson}.py").write_text(slipped(source, found["diff"]), encoding="utf-8")
    command, *quoted = found["text"].splitlines()
    argv = shlex.split(command.removeprefix("$ "))
    assert argv[0] == ".venv/bin/walkthrough"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    done = subprocess.run([sys.executable, "-m", "walkthrough", *argv[1:]], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=110)
    assert done.returncode == 1, done.stdout + done.stderr  # a slip is NOT equivalent
    printed = [steady(line) for line in done.stdout.splitlines()]
    at = 0
    for line in (steady(q) for q in quoted if q != "..."):
        assert line in printed[at:], (
            f"docs/lessons/{lesson}.md quotes a line the check no longer prints (in this "
            f"order):\n{line}\n--- the check prints:\n{done.stdout}")
        at = printed.index(line, at) + 1


def test_a_slip_that_does_not_apply_is_refused() -> None:
    with pytest.raises(AssertionError, match="once, not 0"):
        slipped("x = 1\n", "-x = 2\n+x = 3")
    with pytest.raises(AssertionError, match="once, not 2"):
        slipped("x = 1\nx = 1\n", "-x = 1\n+x = 3")
    assert slipped("a\nb\nc\n", " a\n-b\n+B") == "a\nB\nc\n"


def test_the_home_page_says_where_the_checked_file_comes_from() -> None:
    text = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    check = re.search(r"walkthrough check (\w+) (\S+)", text)
    assert check is not None
    lesson, path = check.groups()
    assert f"cp exercises/trio/{lesson}.py {path}" in text
    assert "Try it yourself" in text
