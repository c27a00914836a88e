"""The guide's lesson pairs, built at build time from the same alignment as ``walkthrough diff``.

mkdocs loads this file as a hook (``hooks:`` in ``mkdocs.yml``). A lesson page says where its
pair goes with one line::

    <!-- pair: count -->

and the hook replaces it with :func:`walkthrough.sidebyside.html` of the two real files
(``asyncio_ref/count.py``, ``trio_port/count.py``), aligned by :func:`~walkthrough.sidebyside.
align`, the function ``walkthrough diff`` uses: one source of truth, and a page cannot drift
from the code (``watch:`` in ``mkdocs.yml`` rebuilds it when a twin changes). Under the pair,
the two whole files, unaligned, sit in a collapsed block: one click away.

A page with a pair gets the whole width: the hook hides the navigation and table-of-contents
sidebars (as ``hide:`` front matter would), because two 100-character columns need it at
1280-1400 px. ``docs/css/pairs.css`` keeps the navigation one click away (the header's menu
button opens it as a drawer).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from walkthrough import sidebyside

DIRECTIVE = re.compile(r"^<!--\s*pair:\s*([A-Za-z_][A-Za-z0-9_]*)\s*-->\s*$", re.MULTILINE)
#: The page-level sidebars a pair page hides.
HIDE = ("navigation", "toc")


class PairError(Exception):
    """A pair directive names a lesson whose two files are not both there."""


def expand(markdown: str, root: Path) -> tuple[str, int]:
    """Replace each pair directive; return the new text and how many were replaced."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        files = [Path(package) / f"{name}.py" for package in ("asyncio_ref", "trio_port")]
        for path in files:
            if not (root / path).is_file():
                raise PairError(f"<!-- pair: {name} -->: {path} does not exist")
        left, right = ((root / path).read_text(encoding="utf-8") for path in files)
        pair = sidebyside.align(left, right, str(files[0]), str(files[1]))
        whole = "\n\n".join(
            f'    ```python title="{path}"\n    --8<-- "{path}"\n    ```' for path in files)
        return (sidebyside.html(pair, name) + "\n\n"
                f'??? abstract "The whole files, unaligned: `{files[0]}` and `{files[1]}`"\n\n'
                f"{whole}\n")

    return DIRECTIVE.subn(one, markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any, **_: Any) -> str:
    root = Path(config.config_file_path).parent
    try:
        text, count = expand(markdown, root)
    except PairError as exc:
        from mkdocs.exceptions import PluginError

        raise PluginError(f"{page.file.src_path}: {exc}") from None
    if count:
        hide = page.meta.setdefault("hide", [])
        hide.extend(h for h in HIDE if h not in hide)
    return text
