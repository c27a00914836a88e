"""The guide's claims page, built at build time from the tests that prove the claims.

mkdocs loads this file as a hook (``hooks:`` in ``mkdocs.yml``). Every row of the concept map
names the test that shows its gotcha, as ``tests/test_x.py::test_name`` in backticks. This hook

* turns each such name, on the concept map, the FAQ and the divergence chapter, into a link to
  the claims page; and
* expands the ``<!-- claims -->`` line of ``docs/claims.md`` into one section per test those
  three pages name: its docstring and its source, read from the test file with :mod:`ast`.
  Every page whose names become links must have its tests there, or its links land nowhere
  (the FAQ's and the divergence chapter's did, 10 of them, while this page took the concept
  map's names alone: ``mkdocs build --strict`` fails on such a link).

So a reader goes from a row to the code that proves it in one click, and the page cannot drift
from the tests: it *is* the tests. A name whose test does not exist fails the build.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REF = re.compile(r"`(tests/test_\w+\.py)::(test_\w+)`")
DIRECTIVE = re.compile(r"^<!--\s*claims\s*-->\s*$", re.MULTILINE)
#: Pages whose test names become links to the claims page, and whose tests it shows: the
#: concept map's first (a test named on two pages has its section where the first names it).
LINKED = ("concepts.md", "faq.md", "divergences.md")


class ClaimError(Exception):
    """A page names a test that does not exist."""


def referenced(markdown: str) -> list[tuple[str, str]]:
    """The ``(file, test)`` pairs a page names, in first-mention order, once each."""
    seen: dict[tuple[str, str], None] = {}
    for match in REF.finditer(markdown):
        seen.setdefault((match.group(1), match.group(2)), None)
    return list(seen)


def _functions(path: Path) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def section(root: Path, file: str, name: str, cache: dict[str, Any]) -> str:
    """One test: a heading the rows link to, its docstring, its source."""
    if file not in cache:
        cache[file] = ((root / file).read_text(encoding="utf-8"), _functions(root / file))
    text, functions = cache[file]
    node = functions.get(name)
    if node is None:
        raise ClaimError(f"{file}::{name} is named in the guide "
                         f"(docs/{', docs/'.join(LINKED)}) but does not exist")
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    source = "\n".join(text.splitlines()[start - 1:node.end_lineno])
    doc = ast.get_docstring(node) or ""
    out = [f"### `{name}` {{ #{name} }}", "", f"`{file}`, line {start}.", ""]
    if doc:
        out += [doc.split("\n\n")[0].replace("\n", " "), ""]
    out += ["```python", source, "```", ""]
    return "\n".join(out)


def build(named: str, root: Path = ROOT) -> str:
    """The claims page's body: every test ``named`` names (the linked pages' text), grouped by
    file, in first-mention order."""
    cache: dict[str, Any] = {}
    out: list[str] = []
    refs = referenced(named)
    for file in dict.fromkeys(f for f, _ in refs):
        out += [f"## `{file}`", ""]
        out += [section(root, f, name, cache) for f, name in refs if f == file]
    return "\n".join(out)


def label(name: str) -> str:
    """``test_a_b_c`` reads "a b c": a sentence, which wraps between words in a narrow column
    where an identifier would break mid-word."""
    return name.removeprefix("test_").replace("_", " ")


def link(markdown: str, depth: int) -> str:
    """Each test name becomes a link, worded as its claim, to its section of the claims page."""
    prefix = "../" * depth
    return REF.sub(lambda m: f"[{label(m.group(2))}]({prefix}claims.md#{m.group(2)})", markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    uri = page.file.src_uri
    if uri == "claims.md":
        docs = Path(config["docs_dir"])
        named = "\n".join((docs / name).read_text(encoding="utf-8") for name in LINKED
                          if (docs / name).is_file())
        return DIRECTIVE.sub(lambda _: build(named), markdown)
    if uri in LINKED:
        return link(markdown, uri.count("/"))
    return markdown
