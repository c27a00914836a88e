"""Which definition a comment block goes with, in the side-by-side view (RV4-gen F11).

The asyncgen page labelled ``demo`` "1 change" though ``demo`` is the same in both twins: the
change was the "Trio only, no asyncio twin" comment block that stands, blank lines on either
side, above the Trio-only ``produce``, and :func:`~walkthrough.sidebyside.segments` left it at
the end of ``demo``. The same held, mirrored, for the asyncio-only notebook mode of makerandom
and chained. A block of comments standing alone above a definition now goes with it.
"""

from __future__ import annotations

from pathlib import Path

from walkthrough.sidebyside import HEADER, Segment, align, segments

ROOT = Path(__file__).resolve().parent.parent


def _pair(lesson: str) -> dict[str, list[tuple[str, tuple[int, ...], tuple[int, ...]]]]:
    pair = align((ROOT / "asyncio_ref" / f"{lesson}.py").read_text(encoding="utf-8"),
                 (ROOT / "trio_port" / f"{lesson}.py").read_text(encoding="utf-8"))
    return {name: [(h.tag, h.left, h.right) for h in hunks] for name, hunks in pair.rows}


def _line(path: str, text: str) -> int:
    """The 0-based number of the one line of ``path`` that starts with ``text``."""
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines) if line.startswith(text)]
    assert len(found) == 1, found
    return found[0]


def test_the_asyncgen_pair_shows_demo_unchanged_and_the_trio_only_block_with_produce() -> None:
    rows = _pair("asyncgen")
    assert [tag for tag, _, _ in rows["demo"]] == ["equal"]
    block = _line("trio_port/asyncgen.py", "# --- Trio only, no asyncio twin")
    (tag, left, right), = rows["produce"]
    assert tag == "insert" and left == () and right[0] == block


def test_the_asyncio_only_notebook_mode_takes_its_comment_block_along() -> None:
    rows = _pair("makerandom")
    assert [tag for tag, _, _ in rows["demo"]] == ["equal"]
    block = _line("asyncio_ref/makerandom.py", "# --- asyncio only: notebook mode")
    (tag, left, right), = rows["demo_notebook"]
    assert tag == "delete" and right == () and left[0] == block
    assert any(left[0] == _line("asyncio_ref/chained.py", "# --- asyncio only: notebook mode")
               for tag, left, _ in _pair("chained")["demo_notebook"] if tag == "delete")


def _starts(source: str) -> list[tuple[str, int]]:
    return [(s.name, s.start) for s in segments(source)]


def test_a_comment_block_alone_above_a_definition_goes_with_it() -> None:
    source = ("import x\n"          # 0
              "\n"                  # 1
              "def f():\n"          # 2
              "    pass\n"          # 3
              "\n"                  # 4
              "\n"                  # 5
              "# about g\n"         # 6
              "# more\n"            # 7
              "\n"                  # 8
              "\n"                  # 9
              "# just above g\n"    # 10
              "@decorated\n"        # 11
              "def g():\n"          # 12
              "    pass\n")         # 13
    assert _starts(source) == [(HEADER, 0), ("f", 2), ("g", 6)]
    assert segments(source)[-1] == Segment("g", 6, 14)


def test_one_blank_line_is_enough_and_a_block_on_the_second_line_counts() -> None:
    assert _starts("\n# c\n\ndef f():\n    pass\n") == [(HEADER, 0), ("f", 1)]
    assert _starts("x = 1\n\n# c\n\ndef f():\n    pass\n") == [(HEADER, 0), ("f", 2)]


def test_a_comment_that_ends_the_code_before_it_stays_there() -> None:
    # no blank line between the code and the comment: it ends that code
    assert _starts("x = 1\n# c\n\ndef f():\n    pass\n") == [(HEADER, 0), ("f", 3)]
    # indented: the end of the function before
    assert _starts("def f():\n    pass\n    # c\n\ndef g():\n    pass\n") == [
        ("f", 0), ("g", 4)]
    # an indented comment under a blank line is not a block standing alone either
    assert _starts("def f():\n    pass\n\n    # c\n\ndef g():\n    pass\n") == [
        ("f", 0), ("g", 5)]


def test_a_comment_block_that_opens_the_file_stays_in_the_header() -> None:
    assert _starts("# licence\n\ndef f():\n    pass\n") == [(HEADER, 0), ("f", 2)]
    assert _starts("# licence\n# more\n\n\ndef f():\n    pass\n") == [(HEADER, 0), ("f", 4)]
    # whatever the file's last line is (the line "above" the first one, to a negative index)
    assert _starts("# licence\n\ndef f():\n    pass\n\n") == [(HEADER, 0), ("f", 2)]


def test_blank_lines_alone_above_a_definition_are_not_a_block() -> None:
    assert _starts("x = 1\n\n\ndef f():\n    pass\n") == [(HEADER, 0), ("f", 3)]
    assert _starts("\n\ndef f():\n    pass\n") == [(HEADER, 0), ("f", 2)]


def test_the_main_block_takes_a_block_alone_above_it_too() -> None:
    source = "def f():\n    pass\n\n\n# run it\n\nif __name__ == '__main__':\n    f()\n"
    assert _starts(source) == [("f", 0), ("(__main__ block)", 4)]
