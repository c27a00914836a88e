"""The guide's lesson pairs (walkthrough/mkdocs_hook.py and sidebyside.html), on small files.

The built pages are checked in tests/test_docs.py; here the hook's rules, one by one."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from walkthrough import mkdocs_hook, sidebyside

LEFT = '''"""Module.

More about it.
"""

import asyncio


def same() -> int:
    return 1


async def work() -> None:
    """Work.

    At length.
    """
    await asyncio.sleep(1)
'''
RIGHT = LEFT.replace("import asyncio", "import trio").replace(
    "    await asyncio.sleep(1)", "    # Trio's own sleep\n    await trio.sleep(1)")


def cells(html: str) -> list[tuple[str, str, int, str]]:
    """(side, classes, grid row, text) of every line cell, in document order."""
    found = re.findall(r'<div class="pl (pa|pt) ([^"]*)" style="grid-row:(\d+)">(.*?)</div>', html)
    return [(side, classes, int(row), unescape(re.sub(r"<[^>]+>", "", body)))
            for side, classes, row, body in found]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for package, text in (("asyncio_ref", LEFT), ("trio_port", RIGHT)):
        (tmp_path / package).mkdir()
        (tmp_path / package / "demo.py").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_directive_becomes_the_pair_and_the_whole_files(root: Path) -> None:
    text, count = mkdocs_hook.expand("# Title\n\n<!-- pair: demo -->\n\nAfter.\n", root)
    assert count == 1 and "<!-- pair:" not in text
    assert text.startswith("# Title\n\n<div class=\"pairs\" id=\"pairs-demo\">")
    assert '--8<-- "asyncio_ref/demo.py"' in text and '--8<-- "trio_port/demo.py"' in text
    assert text.rstrip().endswith("After.")


def test_a_directive_for_missing_files_is_an_error(root: Path) -> None:
    with pytest.raises(mkdocs_hook.PairError, match=r"asyncio_ref/nope\.py does not exist"):
        mkdocs_hook.expand("<!-- pair: nope -->\n", root)


def test_a_page_without_a_directive_is_left_alone(root: Path) -> None:
    assert mkdocs_hook.expand("text <!-- pair: demo --> inline\n", root) == (
        "text <!-- pair: demo --> inline\n", 0)


def test_rows_align_and_a_phone_reads_asyncio_then_trio() -> None:
    html = sidebyside.html(sidebyside.align(LEFT, RIGHT, "a.py", "t.py"), "demo")
    found = cells(html)
    work = cells(html[html.index('id="pair-demo-work"'):])
    by_row: dict[int, dict[str, str]] = {}
    for side, classes, row, text in work:
        if "pad" not in classes.split():
            by_row.setdefault(row, {})[side] = text
    # equal lines sit on one grid row, side by side
    assert any(r.get("pa", "").endswith("async def work() -> None:")
               and r.get("pt", "").endswith("async def work() -> None:")
               for r in by_row.values())
    # in document order (a phone's single column) the changed asyncio line comes first
    order = [text for _, _, _, text in found]
    old = next(k for k, t in enumerate(order) if "asyncio.sleep" in t)
    new = next(k for k, t in enumerate(order) if "trio.sleep" in t)
    assert old < new


def test_the_why_comment_is_marked_and_titled() -> None:
    html = sidebyside.html(sidebyside.align(LEFT, RIGHT, "a.py", "t.py"), "demo")
    whys = [(classes, text) for side, classes, _, text in cells(html) if "why" in classes.split()]
    assert [text.split("+", 1)[1].strip() for _, text in whys] == ["# Trio's own sleep"]
    assert 'title="why: Trio&#x27;s own sleep"' in html or "title=\"why: Trio's own sleep\"" in html


def test_docstrings_fold_to_their_first_line() -> None:
    html = sidebyside.html(sidebyside.align(LEFT, RIGHT, "a.py", "t.py"), "demo")
    docs = [(side, text) for side, classes, _, text in cells(html) if "doc" in classes.split()]
    # the module's docstring has 3 more lines, work's 3: folded on both sides
    assert sum(1 for side, _ in docs if side == "pa") == 6
    assert sum(1 for side, _ in docs if side == "pt") == 6
    assert "⋯ 3 more lines" in html
    # one checkbox per section that folds, and its labels point at it
    boxes = re.findall(r'<input type="checkbox" class="fold" id="([^"]+)"', html)
    assert len(boxes) == len(set(boxes)) == 2
    for box in boxes:
        assert f'for="{box}"' in html


def test_identical_definitions_fold_whole_and_trio_only_ones_say_so() -> None:
    right = RIGHT + '\n\nasync def extra() -> None:\n    """Only here."""\n'
    html = sidebyside.html(sidebyside.align(LEFT, right, "a.py", "t.py"), "demo")
    assert re.search(r'<details class="pair-fn same" id="pair-demo-same"><summary><code>same'
                     r"</code> <span class=\"badge\">identical in both files", html)
    assert re.search(r'<section class="pair-fn only" id="pair-demo-extra">.*?Trio only', html)
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
