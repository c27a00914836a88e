"""``walkthrough diff``: the twins aligned function by function, each change with its why."""

from __future__ import annotations

import ast
import difflib
import io
import re
import sys
import tokenize
from pathlib import Path

import pytest
from rich.console import Console

from tests.conftest import load_script
from walkthrough import catalogue, sidebyside
from walkthrough.cli import main
from walkthrough.commands import diff as diff_verb

ROOT = Path(__file__).resolve().parent.parent
LESSONS = catalogue.available()


def twins(name: str) -> tuple[str, str]:
    return ((ROOT / "asyncio_ref" / f"{name}.py").read_text(),
            (ROOT / "trio_port" / f"{name}.py").read_text())


def pair(name: str) -> sidebyside.Pair:
    return sidebyside.align(*twins(name), f"asyncio_ref/{name}.py", f"trio_port/{name}.py")


def render(renderable: object, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_segments_follow_the_top_level_definitions() -> None:
    _, trio_source = twins("count")
    names = [s.name for s in sidebyside.segments(trio_source)]
    assert names == [sidebyside.HEADER, "count_sync", "main_sync", "count_async", "main_async",
                     "demo_sync", "demo_async", sidebyside.MAIN]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_alignment_is_complete_and_function_by_function(lesson: catalogue.Lesson) -> None:
    """Every line of both files is shown exactly once, in order, and each asyncio function
    sits next to its Trio twin; Trio-only functions come after the one they follow."""
    p = pair(lesson.name)
    left = [n for _, hunks in p.rows for h in hunks for n in h.left]
    right = [n for _, hunks in p.rows for h in hunks for n in h.right]
    assert left == list(range(len(p.left_lines)))
    assert right == list(range(len(p.right_lines)))
    aio_source, trio_source = twins(lesson.name)
    aio_names = [s.name for s in sidebyside.segments(aio_source)]
    shown = [name for name, _ in p.rows]
    assert [n for n in shown if n in aio_names] == aio_names
    for name, hunks in p.rows:
        sides = {side for h in hunks for side, nos in (("a", h.left), ("t", h.right)) if nos}
        if name in aio_names and name in [s.name for s in sidebyside.segments(trio_source)]:
            # twins: every hunk of a shared function shows lines of both files, or is a change
            assert sides <= {"a", "t"}
        elif name not in aio_names:
            assert sides == {"t"}, f"{name} is Trio-only"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_each_why_is_a_comment_of_the_trio_file(lesson: catalogue.Lesson) -> None:
    _, trio_source = twins(lesson.name)
    comments = [tok.string.lstrip("#").strip()
                for tok in tokenize.generate_tokens(io.StringIO(trio_source).readline)
                if tok.type == tokenize.COMMENT]
    changes = pair(lesson.name).changed()
    assert changes, "the twins differ somewhere"
    for name, hunk in changes:
        for reason in hunk.why:
            if reason.startswith("Trio only: "):
                continue
            # a why is one comment, or a block of consecutive comment lines joined
            assert any(c in reason for c in comments), (name, reason)
            assert reason.split(" ")[0] in " ".join(comments)


def test_count_changes_carry_their_why() -> None:
    changes = {name: hunk for name, hunk in pair("count").changed() if hunk.why}
    assert changes["main_async"].why == (
        "A nursery instead of gather: the block cannot end while a child still runs.",)
    assert changes["demo_async"].why == (
        "Trio's clock is trio.current_time(); there is no loop object to ask.",)


def test_trio_only_functions_show_their_docstring_as_why() -> None:
    changes = dict(pair("queue").changed())
    assert "main_closing" in changes and changes["main_closing"].tag == "insert"
    assert changes["main_closing"].why[0].startswith("Trio only: The idiomatic Trio ending")


def test_a_multi_line_comment_is_one_why() -> None:
    left = "async def f():\n    await asyncio.sleep(1)\n"
    right = ("async def f():\n    # first half of the reason,\n    # second half.\n"
             "    await trio.sleep(1)  # trailing\n")
    p = sidebyside.align(left, right)
    (_, hunk), = p.changed()
    assert hunk.why == ("first half of the reason, second half.", "trailing")


def test_columns_view() -> None:
    out = render(sidebyside.columns(pair("count"), 180), 180)
    assert "asyncio_ref/count.py" in out and "trio_port/count.py" in out
    assert "why: A nursery instead of gather" in out
    line = next(row for row in out.splitlines() if "await asyncio.sleep(1)" in row)
    assert "await trio.sleep(1)" in line  # the two versions of a line side by side
    assert "-     await asyncio.sleep(1)" in line and "+     await trio.sleep(1)" in line


def test_stacked_view() -> None:
    out = render(sidebyside.stacked(pair("count")), 80)
    lines = out.splitlines()
    i = next(k for k, row in enumerate(lines) if "- " in row and "asyncio.sleep(1)" in row)
    assert "+ " in lines[i + 1] and "trio.sleep(1)" in lines[i + 1]  # asyncio, then Trio
    assert "why: A nursery instead of gather" in out
    assert max(len(row) for row in lines) <= 80


def test_unified_is_difflib_of_the_files() -> None:
    a, b = twins("count")
    text = sidebyside.unified(a, b, "asyncio_ref/count.py", "trio_port/count.py")
    assert text == "".join(difflib.unified_diff(
        a.splitlines(True), b.splitlines(True), "asyncio_ref/count.py", "trio_port/count.py"))
    assert "-import asyncio\n" in text and "+import trio\n" in text


# -- the verb ----------------------------------------------------------------------------------

def test_not_a_terminal_gives_a_unified_diff(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "count"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("--- asyncio_ref/count.py\n+++ trio_port/count.py\n")


def test_plain_wins_on_a_terminal(monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["diff", "count", "--plain"]) == 0
    assert capsys.readouterr().out.startswith("--- asyncio_ref/count.py")


@pytest.mark.parametrize(("width", "layout"), [(180, "columns"), (100, "stacked")])
def test_terminal_layout_follows_the_width(
    width: int, layout: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["diff", "count", "--width", str(width)]) == 0
    out = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)  # colours, on a "terminal"
    side_by_side = any("asyncio.sleep(1)" in row and "trio.sleep(1)" in row
                       for row in out.splitlines())
    assert side_by_side == (layout == "columns")
    assert "why: A nursery instead of gather" in out


def test_layout_can_be_forced(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "queue", "--layout", "stacked", "--width", "90"]) == 0
    out = capsys.readouterr().out
    assert "── main_closing" in out and "why: Trio only:" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["diff", "nope"], "unknown lesson 'nope'"),
    (["diff", "count", "--width", "10"], "--width must be at least 40"),
])
def test_verb_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2 and message in capsys.readouterr().err


def test_a_twin_not_written_yet(monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(catalogue.Lesson, "exists", lambda self, impl: impl == "asyncio")
    with pytest.raises(SystemExit) as exc:
        main(["diff", "count"])
    assert exc.value.code == 2 and "trio_port.count is not written yet" in capsys.readouterr().err


def test_sources_are_the_lesson_files() -> None:
    (left_file, left), (right_file, right) = diff_verb.sources(catalogue.get("count"))
    assert (left_file, right_file) == ("asyncio_ref/count.py", "trio_port/count.py")
    assert ast.parse(left) and ast.parse(right)


# -- the committed export ----------------------------------------------------------------------

def test_diff_export_is_fresh() -> None:
    """docs/img/diff-count.svg is what scripts/export_screens.py draws now (rerun it)."""
    exports = load_script("export_screens").exports()
    path = ROOT / "docs" / "img" / "diff-count.svg"
    assert path in exports
    assert path.read_text(encoding="utf-8") == exports[path], "run scripts/export_screens.py"
