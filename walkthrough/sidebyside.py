"""The twins side by side: aligned function by function, differences marked, each with its why.

The two files of a lesson keep the names they share in the same order (one side may add a
name of its own, as the queue's ``main_closing``), so the natural unit of comparison is the
top-level definition, not the line: :func:`segments` cuts a module into
its header (docstring and imports), one segment per top-level ``def``/``class`` (with its
decorators, the comments just above it, and a block of comments standing alone above those,
past blank lines), and the ``__main__`` block. :func:`align` pairs
the segments by name (a Trio-only function, such as the queue lesson's ``main_closing``,
gets a row of its own after its predecessor), then lines within each pair with
:mod:`difflib`. Every changed hunk carries its *why*: the house rule is one short comment in
the Trio file where it differs, and :func:`why` finds it (a comment in the hunk, or the
comment line just above it).

Four views: :func:`columns` (two syntax-highlighted columns), :func:`stacked` (for narrow
terminals: each changed hunk as asyncio then Trio lines), :func:`unified` (plain text,
``diff -u`` style, for pipes and ``--plain``), and :func:`html` (the guide's lesson pages,
built from this same alignment by ``walkthrough/mkdocs_hook.py``). The why of a change is
not repeated under it: the Trio comment already stands there, and the views highlight it.

Example::

    pair = align(Path("asyncio_ref/count.py").read_text(), Path("trio_port/count.py").read_text())
    Console().print(columns(pair, width=160))
"""

from __future__ import annotations

import ast
import difflib
import io
import re
import textwrap
import tokenize
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from html import escape

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
        # ... and so does a block of comments standing alone above it, blank lines between
        # (a "Trio only: ..." block above a Trio-only function), not the end of the one before
        above = first
        while above > 0 and not lines[above - 1].strip():
            above -= 1
        top = above
        while top > 0 and lines[top - 1].startswith("#"):
            top -= 1
        if top < above and top > 0 and not lines[top - 1].strip():
            first = top
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
    #: The Trio lines those comments stand on (in the hunk, or just above it): the views mark
    #: the comment where it stands instead of repeating it.
    why_lines: tuple[int, ...] = ()


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
    return why_and_where(right, lines, comments, seg_start)[0]


def why_and_where(right: Sequence[int], lines: Sequence[str], comments: dict[int, str],
                  seg_start: int) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """:func:`why`, and the line numbers of the comments it read."""
    found: list[str] = []
    where: list[int] = []
    previous_was_block = False
    for n in right:
        if n not in comments:
            previous_was_block = False
            continue
        where.append(n)
        is_block = lines[n].lstrip().startswith("#")
        if is_block and previous_was_block:
            found[-1] += " " + comments[n]
        else:
            found.append(comments[n])
        previous_was_block = is_block
    if found:
        return tuple(found), tuple(where)
    block: list[str] = []
    above = right[0] - 1 if right else -1
    while above >= seg_start and lines[above].lstrip().startswith("#"):
        block.insert(0, comments.get(above, ""))
        where.insert(0, above)
        above -= 1
    return ((" ".join(block),), tuple(where)) if block else ((), ())


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
            reason: tuple[str, ...] = ()
            where: tuple[int, ...] = ()
            if tag != "equal":
                reason, where = why_and_where(rnos, right_lines, comments, start)
            if not reason and a is None and b is not None:  # a Trio-only function: its doc
                doc = _docstring_line("\n".join(right_lines[i] for i in b_range))
                reason = (f"Trio only: {doc}",) if doc else ()
            hunks.append(Hunk(tag, lnos, rnos, reason, where))
        pair.rows.append((name, hunks))

    # A name can be defined more than once (``@overload``s, a redefinition): the k-th
    # definition on the left pairs with the k-th on the right, and the Trio-only segments are
    # found by position, after the segment just paired, not after the first of its name.
    positions: dict[str, list[int]] = {}
    for i, s in enumerate(right_segs):
        positions.setdefault(s.name, []).append(i)
    left_count = Counter(s.name for s in left_segs)
    paired = {i for name, where in positions.items() for i in where[:left_count[name]]}
    seen: Counter[str] = Counter()

    def trio_only_after(idx: int) -> None:
        """Emit the Trio-only segments from position ``idx`` on, up to the next paired one."""
        while idx < len(right_segs) and idx not in paired:
            diff(right_segs[idx].name, None, right_segs[idx])
            idx += 1

    trio_only_after(0)
    for seg in left_segs:
        k = seen[seg.name]
        seen[seg.name] += 1
        where = positions.get(seg.name, [])
        match = where[k] if k < len(where) else None
        diff(seg.name, seg, None if match is None else right_segs[match])
        if match is not None:
            trio_only_after(match + 1)
    return pair


# -- views -------------------------------------------------------------------------------------

def _highlighted(lines: list[str]) -> list[Text]:
    text = Syntax("", "python", theme="monokai").highlight("\n".join(lines) + "\n")
    parts = text.split("\n")
    return list(parts[: len(lines)]) + [Text("")] * (len(lines) - len(parts))


def _why_lines(pair: Pair) -> set[int]:
    """Trio lines whose comment is the why of a change: marked where they stand."""
    return {n for _, h in pair.changed() for n in h.why_lines}


def _code(n: int | None, hl: list[Text], lines: list[str], style: str | None,
          why_lines: Collection[int] = ()) -> Text:
    """One line of code, its change background, and its why comment (if any) in WHY_STYLE."""
    if n is None:
        return Text("")
    piece = hl[n].copy()
    if style:
        piece.stylize(style)
    if n in why_lines:
        comment = _comments([lines[n]]).get(0)
        if comment is not None:
            at = lines[n].rfind(comment)
            hash_at = lines[n].rfind("#", 0, at) if at >= 0 else -1
            piece.stylize(WHY_STYLE, hash_at if hash_at >= 0 else 0)
    return piece


def _gutter(n: int | None) -> Text:
    return Text("" if n is None else str(n + 1), style="dim")


def _title(name: str, hunks: list[Hunk]) -> Text:
    only = hunks and all(not h.left for h in hunks)
    return Text(f"── {name}" + (" (Trio only) " if only else " "), style="bold cyan")


def _legend(pair: Pair) -> Text:
    legend = Text(f"- {pair.left_name}   + {pair.right_name}   ", style="dim")
    legend.append("# why", style=WHY_STYLE)
    legend.append(": the Trio file's own comment on the change", style="dim")
    return legend


def columns(pair: Pair, width: int = 160) -> RenderableType:
    """Two syntax-highlighted columns, one table row per aligned line.

    Each side has its own gutter columns (line number, mark), so a long line that wraps stays
    in its code column. The why of a change is the Trio comment that stands in the hunk (or just
    above it): it is highlighted there, not repeated.
    """
    left_hl, right_hl = _highlighted(pair.left_lines), _highlighted(pair.right_lines)
    whys = _why_lines(pair)
    table = Table(show_header=True, header_style="bold", expand=True, box=None,
                  padding=(0, 0), width=width, caption=_legend(pair), caption_justify="left")
    for side in (pair.left_name, pair.right_name):
        table.add_column("", justify="right", no_wrap=True, min_width=3)
        table.add_column("", no_wrap=True, width=3)
        table.add_column(side, ratio=1, overflow="fold")
    for name, hunks in pair.rows:
        title = _title(name, hunks)
        table.add_row("", "", title, "", "", title.copy())
        for hunk in hunks:
            equal = hunk.tag == "equal"
            for k in range(max(len(hunk.left), len(hunk.right))):
                ln = hunk.left[k] if k < len(hunk.left) else None
                rn = hunk.right[k] if k < len(hunk.right) else None
                table.add_row(
                    _gutter(ln), Text(" " if equal or ln is None else " - ", style="dim"),
                    _code(ln, left_hl, pair.left_lines, None if equal else OLD_STYLE),
                    _gutter(rn), Text(" " if equal or rn is None else " + ", style="dim"),
                    _code(rn, right_hl, pair.right_lines, None if equal else NEW_STYLE, whys),
                )
    return table


def _sides(pair: Pair, hunk: Hunk) -> Text:
    """The stacked view's label above a change: which file each block of it comes from (its
    line numbers are that file's), for a reader who scrolled past the legend on top."""
    label = Text()
    if hunk.left:
        label.append(f"- {pair.left_name}", style="dim red")
    if hunk.left and hunk.right:
        label.append(", then ", style="dim")
    if hunk.right:
        label.append(f"+ {pair.right_name}", style="dim green")
    return label


def stacked(pair: Pair) -> RenderableType:
    """The narrow view: the whole Trio file, each changed hunk preceded by asyncio's lines.

    One column holds both files, so which file a line comes from is said before anything
    else (the legend, on top, and again at the end, where a pager leaves the reader), and
    above each change (:func:`_sides`): a reader dropped into the middle by a pager's search
    needs it there, not a screen away. Unmarked lines are the Trio file's, as are their numbers.
    """
    left_hl, right_hl = _highlighted(pair.left_lines), _highlighted(pair.right_lines)
    whys = _why_lines(pair)
    table = Table.grid()
    table.add_column(justify="right", no_wrap=True, min_width=3)
    table.add_column(no_wrap=True, width=3)
    table.add_column(overflow="fold")

    def line(n: int, hl: list[Text], lines: list[str], style: str | None, mark: str,
             marked: Collection[int] = ()) -> None:
        table.add_row(_gutter(n), Text(f" {mark} ", style="dim"),
                      _code(n, hl, lines, style, marked))

    for name, hunks in pair.rows:
        table.add_row("", "", _title(name, hunks))
        for hunk in hunks:
            if hunk.tag == "equal":
                for r in hunk.right:
                    line(r, right_hl, pair.right_lines, None, " ")
                continue
            table.add_row("", "", _sides(pair, hunk))
            for n in hunk.left:
                line(n, left_hl, pair.left_lines, OLD_STYLE, "-")
            for n in hunk.right:
                line(n, right_hl, pair.right_lines, NEW_STYLE, "+", whys)
    top = _legend(pair)
    top.append(f"\nunmarked lines: both files, numbered as in {pair.right_name}", style="dim")
    return Group(top, table, _legend(pair))


def unified(left_source: str, right_source: str, left_file: str, right_file: str) -> str:
    """``diff -u`` of the two files: for pipes, ``--plain``, and pasting into an issue."""
    return "".join(difflib.unified_diff(
        left_source.splitlines(keepends=True), right_source.splitlines(keepends=True),
        fromfile=left_file, tofile=right_file))


# -- the guide's view --------------------------------------------------------------------------

def _html_lines(source: str) -> list[str]:
    """Each line of ``source`` as highlighted HTML, with Pygments' short class names.

    Material for MkDocs colours ``.highlight .k``, ``.highlight .s2``... so the classes are
    Pygments' standard ones; a token that spans lines (a docstring) is split per line, so that
    every line stands alone in its own grid cell.
    """
    from pygments.lexers import PythonLexer
    from pygments.token import STANDARD_TYPES, _TokenType

    def css(ttype: _TokenType) -> str:
        while ttype not in STANDARD_TYPES:
            ttype = ttype.parent
        return STANDARD_TYPES[ttype]

    lines: list[str] = [""]
    for ttype, value in PythonLexer(stripnl=False, ensurenl=False).get_tokens(source):
        cls = css(ttype)
        for k, part in enumerate(value.split("\n")):
            if k:
                lines.append("")
            if part:
                text = escape(part, quote=False)
                lines[-1] += f'<span class="{cls}">{text}</span>' if cls else text
    return lines


def _docstring_rest(source: str) -> dict[int, int]:
    """0-based line -> how many lines the docstring it belongs to has, for the lines after a
    docstring's first (those the guide folds). Module, class and function docstrings."""
    rest: dict[int, int] = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                          | ast.AsyncFunctionDef):
            continue
        body = node.body
        if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str) and body[0].end_lineno is not None):
            first, last = body[0].lineno - 1, body[0].end_lineno - 1
            for n in range(first + 1, last + 1):
                rest[n] = last - first + 1
    return rest


MARKS = {"del": "−", "add": "+", "eq": " "}


@dataclass
class _Side:
    """One file's lines as the guide draws them."""

    css: str  # "pa" (asyncio, column 1) or "pt" (Trio, column 2)
    code: list[str]  # highlighted HTML per line
    docs: dict[int, int]  # see _docstring_rest
    whys: dict[int, str] = field(default_factory=dict)  # why-comment line -> the why


def _cell(side: _Side, n: int | None, partner: int | None, partner_docs: dict[int, int],
          grid_row: int, change: str, fold_id: str) -> tuple[str, bool]:
    """One grid cell (a line, or a pad facing one) and whether it folds with the docstrings."""
    classes = ["pl", side.css, change]
    doc = (n in side.docs) if n is not None else (partner in partner_docs)
    if doc:
        classes.append("doc")
    if n is None:
        classes.append("pad")
        body = ""
    else:
        title = ""
        if n in side.whys:
            classes.append("why")
            title = f' title="why: {escape(side.whys[n])}"' if side.whys[n] else ""
        body = (f'<span class="ln"{title}>{n + 1}</span><span class="mk">{MARKS[change]}</span>'
                f'<code>{side.code[n] or " "}</code>')
        if n not in side.docs and n + 1 in side.docs:  # a docstring's first line: the toggle
            more = side.docs[n + 1] - 1
            body += (f'<label class="unfold" for="{fold_id}" title="show the whole docstring">'
                     f'⋯ {more} more line{"s" if more != 1 else ""}</label>')
    return f'<div class="{" ".join(classes)}" style="grid-row:{grid_row}">{body}</div>', doc


def html(pair: Pair, key: str) -> str:
    """The lesson pair as HTML for the guide: one section per aligned definition.

    Each section is a two-column CSS grid; every aligned line pair is one grid row, placed by
    ``grid-row`` so that a hunk can list its asyncio lines and then its Trio lines (the order a
    phone, where the grid becomes one column, stacks them: the terminal's stacked view). Lines
    equal in both files are shown once there. Docstrings fold to their first line (a checkbox
    per section unfolds them, no script needed); definitions identical in both files fold whole.
    ``key`` makes the element ids unique on the page.
    """
    left = _Side("pa", _html_lines("\n".join(pair.left_lines)),
                 _docstring_rest("\n".join(pair.left_lines)))
    right = _Side("pt", _html_lines("\n".join(pair.right_lines)),
                  _docstring_rest("\n".join(pair.right_lines)))
    for _, hunk in pair.changed():
        for k, n in enumerate(hunk.why_lines):
            right.whys[n] = hunk.why[0] if k == 0 and hunk.why else ""
    out: list[str] = [f'<div class="pairs" id="pairs-{key}">']
    out.append(
        '<p class="pairs-legend"><span class="pairs-key pa">'
        f'{escape(pair.left_name)}</span> <span class="pairs-key pt">'
        f'{escape(pair.right_name)}</span> <span class="pairs-key del">− changed in asyncio'
        '</span> <span class="pairs-key add">+ changed in Trio</span> '
        '<span class="pairs-key why"># why: the Trio comment on the change</span></p>')
    for index, (name, hunks) in enumerate(pair.rows):
        changes = sum(1 for h in hunks if h.tag != "equal")
        only = bool(hunks) and all(not h.left for h in hunks)
        fold_id = f"fold-{key}-{index}"
        cells: list[str] = []
        folds = False
        row = 2  # grid row 1 holds the two column heads
        for hunk in hunks:
            change_l, change_r = ("eq", "eq") if hunk.tag == "equal" else ("del", "add")
            n_rows = max(len(hunk.left), len(hunk.right))
            lefts = [hunk.left[k] if k < len(hunk.left) else None for k in range(n_rows)]
            rights = [hunk.right[k] if k < len(hunk.right) else None for k in range(n_rows)]
            for k in range(n_rows):  # asyncio's lines of the hunk first, then Trio's
                if lefts[k] is not None or not only:
                    text, folded = _cell(left, lefts[k], rights[k], right.docs, row + k,
                                         change_l, fold_id)
                    cells.append(text)
                    folds |= folded
            for k in range(n_rows):
                text, folded = _cell(right, rights[k], lefts[k], left.docs, row + k,
                                     change_r, fold_id)
                cells.append(text)
                folds |= folded
            row += n_rows
        if only:
            cells.insert(0, f'<div class="pair-note pa" style="grid-row:2">no twin in '
                            f"{escape(pair.left_name)}: this definition is Trio's own</div>")
        badge = ("identical in both files" if not changes else "Trio only" if only
                 else f"{changes} change{'s' if changes != 1 else ''}")
        title = (f"<code>{escape(name)}</code>" if not name.startswith("(")
                 else escape(name.strip("()")))
        toggle = (f'<input type="checkbox" class="fold" id="{fold_id}" '
                  f'aria-label="show the docstrings of {escape(name)}">' if folds else "")
        grid = (f'<div class="pair-grid highlight">{toggle}'
                f'<div class="pair-head pa" style="grid-row:1">{escape(pair.left_name)}</div>'
                f'<div class="pair-head pt" style="grid-row:1">{escape(pair.right_name)}</div>'
                + "".join(cells) + "</div>")
        section_id = f"pair-{key}-{re.sub(r'[^a-z0-9_]+', '-', name.lower()).strip('-')}"
        if not changes:
            out.append(f'<details class="pair-fn same" id="{section_id}"><summary>{title} '
                       f'<span class="badge">{badge}</span></summary>{grid}</details>')
        else:
            kind = "only" if only else "changed"
            out.append(f'<section class="pair-fn {kind}" id="{section_id}">'
                       f'<p class="pair-fn-name">{title} <span class="badge">{badge}</span>'
                       f"</p>{grid}</section>")
    out.append("</div>")
    return "\n".join(out)
