"""The twins side by side: aligned function by function, differences marked, each with its why.

The two files of a lesson have the same public names in the same order, so the natural unit
of comparison is the top-level definition, not the line: :func:`segments` cuts a module into
its header (docstring and imports), one segment per top-level ``def``/``class`` (with its
decorators and the comments just above it), and the ``__main__`` block. :func:`align` pairs
the segments by name (a Trio-only function, such as the queue lesson's ``main_closing``,
gets a row of its own after its predecessor), then lines within each pair with
:mod:`difflib`. Every changed hunk carries its *why*: the house rule is one short comment in
the Trio file where it differs, and :func:`why` finds it (a comment in the hunk, or the
comment line just above it).

Three views: :func:`columns` (two syntax-highlighted columns), :func:`stacked` (for narrow
terminals: each changed hunk as asyncio then Trio lines), and :func:`unified` (plain text,
``diff -u`` style, for pipes and ``--plain``).

Example::

    pair = align(Path("asyncio_ref/count.py").read_text(), Path("trio_port/count.py").read_text())
    Console().print(columns(pair, width=160))
"""

from __future__ import annotations

import ast
import difflib
import io
import textwrap
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

HEADER = "(module header)"
MAIN = "(__main__ block)"

#: Background styles of changed lines (left: removed/changed, right: added/changed).
OLD_STYLE = "on #3b1f1f"
NEW_STYLE = "on #1f3b24"
WHY_STYLE = "bold yellow"


@dataclass(frozen=True)
class Segment:
    """A run of lines of one file: its header, one top-level definition, or its main block."""

    name: str
    start: int  # 0-based, inclusive
    end: int  # exclusive


def segments(source: str) -> list[Segment]:
    """Cut a module into segments at each top-level definition and the ``__main__`` block."""
    lines = source.splitlines()
    tree = ast.parse(source)
    cuts: list[tuple[int, str]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
            name = node.name
        elif isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            first, name = node.lineno - 1, MAIN
        else:
            continue
        while first > 0 and lines[first - 1].lstrip().startswith("#"):
            first -= 1  # the comments just above a definition belong to it
        cuts.append((first, name))
    result = []
    start, name = 0, HEADER
    for first, next_name in cuts:
        result.append(Segment(name, start, first))
        start, name = first, next_name
    result.append(Segment(name, start, len(lines)))
    return [s for s in result if s.end > s.start or s.name != HEADER]


@dataclass(frozen=True)
class Hunk:
    """One aligned stretch of a segment pair: equal lines, or a change with its why."""

    tag: str  # "equal", "replace", "delete" (asyncio only), "insert" (Trio only)
    left: tuple[int, ...]  # 0-based line numbers in the asyncio file
    right: tuple[int, ...]  # ... and in the Trio file
    #: The Trio file's own explanation of the change (its comments), if it gives one.
    why: tuple[str, ...] = ()


@dataclass
class Pair:
    """Two twin files, aligned segment by segment."""

    left_name: str
    right_name: str
    left_lines: list[str]
    right_lines: list[str]
    #: (segment name, hunks) in reading order.
    rows: list[tuple[str, list[Hunk]]] = field(default_factory=list)

    def changed(self) -> list[tuple[str, Hunk]]:
        return [(name, h) for name, hunks in self.rows for h in hunks if h.tag != "equal"]


def _comments(lines: Sequence[str]) -> dict[int, str]:
    """Line number -> the text of the comment on it (tokenize knows a ``#`` in a string)."""
    found: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
            if tok.type == tokenize.COMMENT:
                found[tok.start[0] - 1] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return found


def why(right: Sequence[int], lines: Sequence[str], comments: dict[int, str],
        seg_start: int) -> tuple[str, ...]:
    """The Trio comments that explain a change: those in the hunk, else the block above it.

    Consecutive comment-only lines are one comment; a trailing comment is one of its own.
    """
    found: list[str] = []
    previous_was_block = False
    for n in right:
        if n not in comments:
            previous_was_block = False
            continue
        is_block = lines[n].lstrip().startswith("#")
        if is_block and previous_was_block:
            found[-1] += " " + comments[n]
        else:
            found.append(comments[n])
        previous_was_block = is_block
    if found:
        return tuple(found)
    block: list[str] = []
    above = right[0] - 1 if right else -1
    while above >= seg_start and lines[above].lstrip().startswith("#"):
        block.insert(0, comments.get(above, ""))
        above -= 1
    return (" ".join(block),) if block else ()


def _docstring_line(source: str) -> str | None:
    """The first line of the docstring of the one definition in ``source``, if any."""
    try:
        node = ast.parse(textwrap.dedent(source)).body[0]
    except (SyntaxError, IndexError):
        return None
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        doc = ast.get_docstring(node)
        if doc:
            return doc.strip().splitlines()[0]
    return None


def align(left_source: str, right_source: str, left_name: str = "asyncio",
          right_name: str = "trio") -> Pair:
    """Pair the segments of two twins by name and their lines by :mod:`difflib`."""
    left_lines, right_lines = left_source.splitlines(), right_source.splitlines()
    left_segs, right_segs = segments(left_source), segments(right_source)
    comments = _comments(right_lines)
    pair = Pair(left_name, right_name, left_lines, right_lines)
    right_by_name = {s.name: s for s in right_segs}
    left_names = {s.name for s in left_segs}
    used: set[str] = set()

    def diff(name: str, a: Segment | None, b: Segment | None) -> None:
        a_range = range(a.start, a.end) if a else range(0)
        b_range = range(b.start, b.end) if b else range(0)
        matcher = difflib.SequenceMatcher(
            None, [left_lines[i] for i in a_range], [right_lines[i] for i in b_range],
            autojunk=False)
        hunks = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            lnos, rnos = tuple(a_range[i1:i2]), tuple(b_range[j1:j2])
            start = b.start if b else 0
            reason = () if tag == "equal" else why(rnos, right_lines, comments, start)
            if not reason and a is None and b is not None:  # a Trio-only function: its doc
                doc = _docstring_line("\n".join(right_lines[i] for i in b_range))
                reason = (f"Trio only: {doc}",) if doc else ()
            hunks.append(Hunk(tag, lnos, rnos, reason))
        pair.rows.append((name, hunks))

    def trio_only_after(name: str | None) -> None:
        """Emit the Trio-only segments that follow ``name`` in the Trio file."""
        idx = 0 if name is None else [s.name for s in right_segs].index(name) + 1
        while idx < len(right_segs) and right_segs[idx].name not in left_names:
            seg = right_segs[idx]
            if seg.name not in used:
                used.add(seg.name)
                diff(seg.name, None, seg)
            idx += 1

    if right_segs and right_segs[0].name not in left_names:
        trio_only_after(None)
    for seg in left_segs:
        match = right_by_name.get(seg.name)
        diff(seg.name, seg, match)
        if match is not None:
            used.add(seg.name)
            trio_only_after(seg.name)
    return pair


# -- views -------------------------------------------------------------------------------------

def _highlighted(lines: list[str]) -> list[Text]:
    text = Syntax("", "python", theme="monokai").highlight("\n".join(lines) + "\n")
    parts = text.split("\n")
    return list(parts[: len(lines)]) + [Text("")] * (len(lines) - len(parts))


def _numbered(n: int | None, code: Text | None, style: str | None, mark: str) -> Text:
    out = Text(f"{'' if n is None else n + 1:>3} {mark} ", style="dim")
    if code is not None:
        piece = code.copy()
        if style:
            piece.stylize(style)
        out.append_text(piece)
    return out


def columns(pair: Pair, width: int = 160) -> RenderableType:
    """Two syntax-highlighted columns, one table row per aligned line, a why under a change."""
    left_hl, right_hl = _highlighted(pair.left_lines), _highlighted(pair.right_lines)
    table = Table(show_header=True, header_style="bold", expand=True, box=None,
                  padding=(0, 1), width=width)
    table.add_column(pair.left_name, ratio=1, overflow="fold")
    table.add_column(pair.right_name, ratio=1, overflow="fold")
    for name, hunks in pair.rows:
        table.add_row(Text(f"── {name} ", style="bold cyan"), Text(f"── {name} ",
                                                                     style="bold cyan"))
        for hunk in hunks:
            n = max(len(hunk.left), len(hunk.right))
            equal = hunk.tag == "equal"
            for k in range(n):
                ln = hunk.left[k] if k < len(hunk.left) else None
                rn = hunk.right[k] if k < len(hunk.right) else None
                table.add_row(
                    _numbered(ln, left_hl[ln] if ln is not None else None,
                              None if equal else OLD_STYLE, " " if equal or ln is None else "-"),
                    _numbered(rn, right_hl[rn] if rn is not None else None,
                              None if equal else NEW_STYLE, " " if equal or rn is None else "+"),
                )
            for reason in hunk.why:
                table.add_row("", Text(f"      why: {reason}", style=WHY_STYLE))
    return table


def stacked(pair: Pair) -> RenderableType:
    """The narrow view: the whole Trio file, each changed hunk preceded by asyncio's lines."""
    left_hl, right_hl = _highlighted(pair.left_lines), _highlighted(pair.right_lines)
    out: list[Text] = []
    for name, hunks in pair.rows:
        out.append(Text(f"── {name} ", style="bold cyan"))
        for hunk in hunks:
            if hunk.tag == "equal":
                out.extend(_numbered(r, right_hl[r], None, " ") for r in hunk.right)
                continue
            out.extend(_numbered(n, left_hl[n], OLD_STYLE, "-") for n in hunk.left)
            out.extend(_numbered(n, right_hl[n], NEW_STYLE, "+") for n in hunk.right)
            out.extend(Text(f"      why: {reason}", style=WHY_STYLE) for reason in hunk.why)
    out.append(Text(f"- {pair.left_name}   + {pair.right_name}", style="dim"))
    return Group(*out)


def unified(left_source: str, right_source: str, left_file: str, right_file: str) -> str:
    """``diff -u`` of the two files: for pipes, ``--plain``, and pasting into an issue."""
    return "".join(difflib.unified_diff(
        left_source.splitlines(keepends=True), right_source.splitlines(keepends=True),
        fromfile=left_file, tofile=right_file))
