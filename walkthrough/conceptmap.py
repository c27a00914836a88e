"""The concept map as data: the rows of ``docs/concepts.md``, read from the page itself.

The page is the one table. The guide shows it, ``tests/test_claims.py`` checks that every row
names a test, and ``walkthrough port`` points each asyncio construct it finds in a user's file
at the row that explains it. Reading the rows from the page, not from a copy, means the page
and the tool cannot disagree.

Example::

    >>> from walkthrough import conceptmap
    >>> row = conceptmap.find("asyncio.Semaphore")
    >>> row.trio
    '`trio.Semaphore(n)`; `asyncio.BoundedSemaphore(n)` is `trio.Semaphore(n, max_value=n)`; ...'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: The page in the repository, where the guide shows it (an editable install, a checkout).
REPO_PAGE = Path(__file__).resolve().parent.parent / "docs" / "concepts.md"
#: The same page inside an installed package: ``setup.py`` copies ``docs/concepts.md`` there
#: when it builds a wheel, so the page stays the one source and still travels with the code.
PACKAGED_PAGE = Path(__file__).resolve().parent / "concepts.md"


def _page() -> Path:
    """The repository's page when there is one (it may be newer), else the packaged copy."""
    return REPO_PAGE if REPO_PAGE.is_file() else PACKAGED_PAGE


#: The page the map is read from.
PAGE = _page()
#: Where the guide is published relative to the repository, for links printed by the tool.
PAGE_LINK = "docs/concepts.md"

_SEPARATOR = re.compile(r"\|[\s\-:|]+\|")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
_TEST = re.compile(r"`(tests/test_\w+\.py::test_\w+)`")


@dataclass(frozen=True)
class Row:
    """One row of the map, its cells as written (markdown)."""

    section: str
    asyncio: str
    trio: str
    gotcha: str
    in_repo: str
    shown_by: str

    @property
    def anchor(self) -> str:
        """The section's anchor on the page (mkdocs' slug of the heading)."""
        return re.sub(r"[^a-z0-9]+", "-", self.section.lower()).strip("-")

    @property
    def links(self) -> list[str]:
        """The pages of the guide that show the row, as paths under ``docs/``."""
        return [f"docs/{target}" for _, target in _LINK.findall(self.in_repo)]

    @property
    def tests(self) -> list[str]:
        return _TEST.findall(self.shown_by)


class MapError(Exception):
    """The page is missing, or a lookup matches no row or several."""


def _cells(line: str) -> list[str]:
    """A table row's cells: split on ``|`` outside code spans (an empty cell stays a cell)."""
    cells: list[str] = []
    cell: list[str] = []
    code = False
    for char in line.strip()[1:]:
        if char == "`":
            code = not code
        if char == "|" and not code:
            cells.append("".join(cell).strip())
            cell = []
        else:
            cell.append(char)
    return cells


def parse(markdown: str) -> list[Row]:
    rows: list[Row] = []
    section = ""
    for line in markdown.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        if not line.startswith("| ") or _SEPARATOR.fullmatch(line):
            continue
        cells = _cells(line)
        if cells[0] == "asyncio" or len(cells) != 5:
            continue
        rows.append(Row(section, *cells))
    return rows


@cache
def rows() -> tuple[Row, ...]:
    try:
        return tuple(parse(PAGE.read_text(encoding="utf-8")))
    except OSError as exc:
        raise MapError(f"cannot read the concept map {PAGE}: {exc.strerror}") from None


def find(key: str) -> Row:
    """The one row whose asyncio cell contains ``key``."""
    found = [row for row in rows() if key in row.asyncio]
    if len(found) != 1:
        raise MapError(f"{len(found)} concept-map rows match {key!r}; want exactly one")
    return found[0]


def plain(cell: str) -> str:
    """A cell as plain text: links as their text, no backticks, no emphasis outside code."""
    parts = _LINK.sub(r"\1", cell).split("`")
    # even parts are prose (emphasis marks go), odd parts are code (kept: `*args` stays)
    return "".join(part if i % 2 else part.replace("*", "") for i, part in enumerate(parts))
