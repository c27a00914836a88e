"""How findings and rewrites are printed: text, markdown, JSON, or a patch.

The patch is a unified diff built here, not by :mod:`difflib`. ``difflib`` looks for the
longest matching blocks, which is quadratic in the length of a file (25,000 lines took 28 s,
50,000 took 110 s). A rewrite does not need that search: the new text is the old one with a
few lines inserted (a TODO, ``import trio``) and a few replaced (a call rewritten in place, a
gather turned into a nursery block), in order. :func:`_opcodes` walks both texts once and, at
each difference, looks for the nearest point where they agree again, so the cost is linear in
the file plus the square of each (small) edited region; :func:`_refine` then lets difflib
find the kept lines inside that small region only.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from walkthrough.port.mapping import Finding
from walkthrough.port.rewriting import rewrite

#: Lines of context around each change, as ``diff -u``.
CONTEXT = 3
#: How many following lines must agree before two texts count as back in step: one equal
#: line (a blank, a lone ``)``) is not enough to say the edit is over.
AGREE = 3
#: The largest region (old lines times new lines) that :func:`_refine` hands to difflib.
REFINE_LIMIT = 250_000


def _newline(source: str) -> str | None:
    """``"\\r\\n"`` if every line of ``source`` ends so, ``"\\n"`` if none does, else None;
    ``"\\r"`` for a file of lone CRs only (a classic Mac file, which Python reads as lines)."""
    crlf = source.count("\r\n")
    if crlf == 0:
        return "\r" if "\r" in source and "\n" not in source else "\n"
    return "\r\n" if crlf == source.count("\n") else None


def patch(source: str, path: str, label: str | None = None,
          bom: bool = False) -> tuple[str, list[Finding]]:
    """A unified diff from ``source`` to its rewrite (empty when nothing changes).

    ``label`` names the file in the ``---``/``+++`` header (default: ``path``); findings keep
    ``path``. The rewrite keeps the file's line endings: in a CRLF file the lines it adds end
    in CRLF too, and a file without a final newline still has none. ``bom``: the file starts
    with a byte-order mark that ``source`` leaves out; the patch's first line must show it,
    or it would not match the file.
    """
    newline = _newline(source)
    ended = source.endswith(("\n", "\r"))
    # the rewrite works on whole lines: give the last one its newline, take it back after
    text = source if ended or not source else source + (newline or "\n")
    new, findings = rewrite(text, path)
    if newline == "\r\n":
        new = new.replace("\r\n", "\n").replace("\n", "\r\n")
    if not ended and source and new.endswith(newline or "\n"):
        new = new[: -len(newline or "\n")]
    mark = "\ufeff" if bom else ""
    return unified_diff(mark + source, mark + new, label or path), findings


def _lines(text: str) -> list[str]:
    """Lines as a patch sees them: split after each ``\\n`` only (not at ``\\f`` or U+2028)."""
    lines = text.split("\n")
    last = lines.pop()
    out = [line + "\n" for line in lines]
    if last:
        out.append(last)
    return out


def _opcodes(a: list[str], b: list[str]) -> Iterator[tuple[int, int, int, int]]:
    """The differing regions ``(i1, i2, j1, j2)``: ``a[i1:i2]`` became ``b[j1:j2]``.

    In order, in one pass. At a difference, the nearest resync point ``(i, j)`` (smallest
    ``(i - i1) + (j - j1)``) where :data:`AGREE` lines agree, or both texts end, closes it.
    """
    i = j = 0
    n, m = len(a), len(b)
    while i < n and j < m:
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        i1, j1 = i, j
        found = None
        for d in range(1, (n - i1) + (m - j1) + 1):
            for di in range(max(0, d - (m - j1)), min(d, n - i1) + 1):
                x, y = i1 + di, j1 + d - di
                if x == n and y == m:
                    found = (x, y)
                    break
                if x < n and y < m and a[x:x + AGREE] == b[y:y + AGREE]:
                    found = (x, y)
                    break
            if found:
                break
        assert found is not None  # d = the rest of both texts always ends them
        i, j = found
        yield from _refine(a, b, i1, i, j1, j)
    if i < n or j < m:
        yield from _refine(a, b, i, n, j, m)


def _refine(a: list[str], b: list[str], i1: int, i2: int, j1: int,
            j2: int) -> Iterator[tuple[int, int, int, int]]:
    """The changes inside one differing region, without the lines it kept.

    Edits a line or two apart (``import trio`` under ``import asyncio``, a rewritten sleep two
    lines down) make one region of the resync search, and shown whole it would delete and
    re-add the unchanged lines between them. difflib finds those, and on a region this small
    its quadratic search costs nothing; a region too large for it stays whole.
    """
    if (i2 - i1) * (j2 - j1) > REFINE_LIMIT:
        yield i1, i2, j1, j2
        return
    matcher = difflib.SequenceMatcher(None, a[i1:i2], b[j1:j2], autojunk=False)
    for tag, x1, x2, y1, y2 in matcher.get_opcodes():
        if tag != "equal":
            yield i1 + x1, i1 + x2, j1 + y1, j1 + y2


def _range(start: int, length: int) -> str:
    """A hunk's range as ``diff -u`` writes it (one-based; an empty range names the line before)."""
    if length == 1:
        return f"{start + 1}"
    if length == 0:
        return f"{start},0"
    return f"{start + 1},{length}"


def unified_diff(old: str, new: str, label: str) -> str:
    """``diff -u a/label b/label`` of two texts, in time linear in their length."""
    a, b = _lines(old), _lines(new)
    changes = list(_opcodes(a, b))
    if not changes:
        return ""
    out = [f"--- a/{label}\n", f"+++ b/{label}\n"]

    def emit(prefix: str, line: str) -> None:
        if line.endswith("\n"):
            out.append(prefix + line)
        else:
            out.append(f"{prefix}{line}\n\\ No newline at end of file\n")

    # group the changes into hunks: two changes share one when their contexts touch
    groups: list[list[tuple[int, int, int, int]]] = []
    for change in changes:
        if groups and change[0] - groups[-1][-1][1] <= 2 * CONTEXT:
            groups[-1].append(change)
        else:
            groups.append([change])
    for group in groups:
        first, last = group[0], group[-1]
        a1 = max(0, first[0] - CONTEXT)
        b1 = first[2] - (first[0] - a1)
        a2 = min(len(a), last[1] + CONTEXT)
        b2 = last[3] + (a2 - last[1])
        out.append(f"@@ -{_range(a1, a2 - a1)} +{_range(b1, b2 - b1)} @@\n")
        i = a1
        for i1, i2, j1, j2 in group:
            for line in a[i:i1]:
                emit(" ", line)
            for line in a[i1:i2]:
                emit("-", line)
            for line in b[j1:j2]:
                emit("+", line)
            i = i2
        for line in a[i:a2]:
            emit(" ", line)
    return "".join(out)


def iter_findings(findings: list[Finding]) -> Iterator[tuple[int, list[Finding]]]:
    """Findings grouped by line, in order."""
    by_line: dict[int, list[Finding]] = {}
    for finding in findings:
        by_line.setdefault(finding.line, []).append(finding)
    yield from sorted(by_line.items())
