"""Reading the files a user names: which files, and their text, or one line that says why not."""

from __future__ import annotations

import ast
import os
from pathlib import Path

#: Files larger than this are refused (a generated file, a data dump): bytes.
MAX_BYTES = 2_000_000


class PortError(Exception):
    """A file that cannot be read as Python: the message says why, in one line."""

def parse(source: str, path: str) -> ast.Module:
    try:
        return ast.parse(source, filename=path)
    except SyntaxError as exc:
        where = f"{path}:{exc.lineno}:{exc.offset}" if exc.lineno else path
        raise PortError(f"{where}: cannot parse as Python: {exc.msg}") from None
    except ValueError as exc:  # a NUL byte
        raise PortError(f"{path}: not a Python source file ({exc})") from None


def read(path: str, data: bytes) -> str:
    """The text of a file the user named, or a PortError that says why it cannot be read."""
    if len(data) > MAX_BYTES:
        raise PortError(f"{path}: too large to scan ({len(data) / 1e6:.1f} MB; the limit is "
                        f"{MAX_BYTES / 1e6:.0f} MB)")
    if b"\0" in data:
        raise PortError(f"{path}: not a Python source file (it holds binary data)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PortError(f"{path}: not a Python source file (not UTF-8 text: byte "
                        f"{exc.start})") from None


#: Folders a directory walk never enters.
SKIP = {".git", ".hg", ".venv", "venv", "__pycache__", "node_modules", "site-packages",
        ".tox", ".nox", "build", "dist", ".mypy_cache", ".ruff_cache"}


def files(root: Path) -> list[Path]:
    """The .py files a path names: the file itself, or every one under a directory."""
    if root.is_file():
        return [root]
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP and not d.startswith("."))
        found += [Path(folder) / n for n in sorted(names) if n.endswith(".py")]
    return found
