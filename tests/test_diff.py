"""``walkthrough diff``: the twins aligned function by function, each change with its why."""

from __future__ import annotations

import ast
import difflib
import io
import re
import shlex
import sys
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


#: A synthetic pair of twins: the view tests below depend on these lines, not on a lesson's.
LEFT = """\
\"\"\"A module.\"\"\"

import asyncio


def same() -> int:
    return 1


async def work() -> None:
    await asyncio.sleep(1)
    print("done")
"""
RIGHT = """\
\"\"\"A module.\"\"\"

import trio


def same() -> int:
    return 1


async def work() -> None:
    # the reason for the change, in the Trio file
    await trio.sleep(1)
    print("done")


async def extra() -> None:
    \"\"\"Only in Trio.\"\"\"
"""


def synthetic() -> sidebyside.Pair:
    return sidebyside.align(LEFT, RIGHT, "a.py", "t.py")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_segments_follow_the_top_level_definitions(lesson: catalogue.Lesson) -> None:
    for source in twins(lesson.name):
        tree = ast.parse(source)
        defs = [node.name for node in tree.body
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
        names = [s.name for s in sidebyside.segments(source)]
        assert [n for n in names if n not in (sidebyside.HEADER, sidebyside.MAIN)] == defs


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
def test_each_why_is_a_comment_of_the_trio_file_where_it_stands(
    lesson: catalogue.Lesson,
) -> None:
    """A why is read from Trio comments in the hunk or just above it, and names those lines."""
    p = pair(lesson.name)
    changes = p.changed()
    assert changes, "the twins differ somewhere"
    for name, hunk in changes:
        if hunk.why and hunk.why[0].startswith("Trio only: "):
            continue
        assert bool(hunk.why) == bool(hunk.why_lines), name
        for n in hunk.why_lines:
            assert "#" in p.right_lines[n], (name, n)
            near = set(hunk.right) | set(range(min(hunk.right) - len(hunk.why_lines),
                                               min(hunk.right)))
            assert n in near, (name, n)
        said = " ".join(hunk.why)
        for n in hunk.why_lines:
            assert p.right_lines[n].split("#", 1)[1].strip() in said


def test_a_change_carries_the_comment_above_or_in_it() -> None:
    (name, hunk), = synthetic().changed()[1:2]  # [0] is the import
    assert name == "work"
    assert hunk.why == ("the reason for the change, in the Trio file",)
    assert [RIGHT.splitlines()[n] for n in hunk.why_lines] == [
        "    # the reason for the change, in the Trio file"]


def test_trio_only_functions_show_their_docstring_as_why() -> None:
    changes = dict(synthetic().changed())
    assert changes["extra"].tag == "insert"
    assert changes["extra"].why == ("Trio only: Only in Trio.",)


def test_a_multi_line_comment_is_one_why() -> None:
    left = "async def f():\n    await asyncio.sleep(1)\n"
    right = ("async def f():\n    # first half of the reason,\n    # second half.\n"
             "    await trio.sleep(1)  # trailing\n")
    p = sidebyside.align(left, right)
    (_, hunk), = p.changed()
    assert hunk.why == ("first half of the reason, second half.", "trailing")
    assert hunk.why_lines == (1, 2, 3)


def test_columns_view() -> None:
    out = render(sidebyside.columns(synthetic(), 120), 120)
    assert "a.py" in out and "t.py" in out
    rows = out.splitlines()
    assert any(row.count('print("done")') == 2 for row in rows)  # equal lines side by side
    k = next(k for k, row in enumerate(rows) if "asyncio.sleep(1)" in row)
    assert " - " in rows[k].split("asyncio.sleep")[0]  # the change, marked on both sides
    assert " + " in rows[k].split("#")[0] and "trio.sleep(1)" in rows[k + 1]
    assert "── extra (Trio only)" in out


def test_the_why_is_marked_where_it_stands_not_repeated() -> None:
    """The why comment appears once (where the Trio file has it), in the why style."""
    for view in (sidebyside.columns(synthetic(), 120), sidebyside.stacked(synthetic())):
        console = Console(file=io.StringIO(), width=120, record=True, color_system="truecolor",
                          force_terminal=True)
        console.print(view)
        plain = console.export_text(clear=False)
        assert plain.count("the reason for the change") == 1
        assert "why: the reason" not in plain
        html = console.export_html(inline_styles=True)
        comment = re.search(r'<span style="([^"]*)"># the reason', html)
        assert comment and "font-weight: bold" in comment.group(1), "the why is highlighted"


def test_stacked_view() -> None:
    out = render(sidebyside.stacked(synthetic()), 80)
    lines = out.splitlines()
    i = next(k for k, row in enumerate(lines) if " - " in row and "asyncio.sleep(1)" in row)
    # asyncio, then Trio (the why comment, then the new line)
    assert " + " in lines[i + 2] and "trio.sleep(1)" in lines[i + 2]
    assert max(len(row.rstrip()) for row in lines) <= 80


def test_wrapped_lines_keep_the_gutter() -> None:
    """A line longer than the terminal wraps inside the code column, under the code."""
    long = "x = " + " + ".join(f"value_{k}" for k in range(20))
    p = sidebyside.align(f"{long}\n", f"{long}  # changed\n")
    for view, width in ((sidebyside.stacked(p), 60), (sidebyside.columns(p, 100), 100)):
        out = render(view, width).splitlines()
        start = next(k for k, row in enumerate(out) if "x = value_0" in row)
        code_col = out[start].index("x = value_0")
        continuation = out[start + 1]
        assert continuation[:code_col].strip() == "", continuation  # the gutter stays empty
        assert continuation[code_col:].strip(), "the line continues under the code"


def test_unified_is_difflib_of_the_files() -> None:
    text = sidebyside.unified(LEFT, RIGHT, "a.py", "t.py")
    assert text == "".join(difflib.unified_diff(
        LEFT.splitlines(True), RIGHT.splitlines(True), "a.py", "t.py"))


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
    assert main(["diff", "count", "--width", str(width), "--no-pager"]) == 0
    out = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)  # colours, on a "terminal"
    heads = [row for row in out.splitlines() if "── main_async" in row]
    assert heads, "a segment title"
    # the columns view titles a segment in both columns on one row; the stacked view once
    assert (heads[0].count("── main_async") == 2) == (layout == "columns")


def test_layout_can_be_forced(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "queue", "--layout", "stacked", "--width", "90", "--no-pager"]) == 0
    out = capsys.readouterr().out
    assert "── main_closing (Trio only)" in out


def _pager_to(path: Path) -> str:
    """A pager command (a shell line, as $PAGER is) that saves what it is given."""
    script = f"import sys; open({str(path)!r}, 'w').write(sys.stdin.read())"
    return f"{shlex.quote(sys.executable)} -c {shlex.quote(script)}"


@pytest.mark.parametrize(("lines", "argv", "pager", "paged"), [
    (5, [], "SAVE", True),                 # taller than the terminal: paged
    (100000, [], "SAVE", False),           # fits: printed
    (5, ["--no-pager"], "SAVE", False),
    (5, [], "cat", False),                 # git's convention: PAGER=cat means none
    (5, [], "", False),
])
def test_long_output_goes_through_a_pager(
    lines: int, argv: list[str], pager: str, paged: bool, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    saved = tmp_path / "paged.txt"
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("LINES", str(lines))
    monkeypatch.delenv("WALKTHROUGH_PAGER", raising=False)
    monkeypatch.setenv("PAGER", _pager_to(saved) if pager == "SAVE" else pager)
    assert main(["diff", "count", "--width", "100", *argv]) == 0
    out = capsys.readouterr().out
    assert saved.exists() == paged
    shown = saved.read_text() if paged else out
    assert "── main_async" in shown and ("── main_async" in out) != paged


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

@pytest.mark.parametrize("name", ["diff-count.svg", "diff-count-narrow.svg"])
def test_diff_export_is_fresh(name: str) -> None:
    """docs/img/diff-count.svg, and its narrow drawing for a phone, are what
    scripts/export_screens.py draws now (rerun it)."""
    exports = load_script("export_screens").exports()
    path = ROOT / "docs" / "img" / name
    assert path in exports
    assert path.read_text(encoding="utf-8") == exports[path], "run scripts/export_screens.py"
