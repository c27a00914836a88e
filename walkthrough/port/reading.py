"""Reading the files a user names: which files, and their text, or one line that says why not.

Two rules keep a bad input from hanging or crashing the tool:

* only regular files are read. A FIFO named ``x.py`` would block ``open`` until a writer comes
  (forever, in a directory walk), and ``/dev/zero`` never ends. A walk skips anything else in
  silence; a path the user names directly is refused with a message.
* the text is decoded the way Python decodes a module (PEP 263): a UTF-8 byte-order mark, or a
  ``# -*- coding: latin-1 -*-`` line in the first two, is valid Python and must be read as such.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import stat
import sys
import tokenize
import warnings
from collections.abc import Iterator
from pathlib import Path

#: Files larger than this are refused (a generated file, a data dump): bytes.
MAX_BYTES = 2_000_000

#: The path that names standard input, as on most command lines.
STDIN = "-"
#: How standard input is named in findings.
STDIN_NAME = "<stdin>"


class PortError(Exception):
    """A file that cannot be read as Python: the message says why, in one line."""

#: The recursion limit while a tree is walked: enough for the ``ast`` visitors to follow any
#: nesting the parser accepts (an ``elif`` chain of 500 branches is 500 levels of ``If``).
RECURSION_LIMIT = 20_000


@contextlib.contextmanager
def deep(path: str) -> Iterator[None]:
    """Room for the visitors' recursion, and one line instead of a traceback when even that
    is not enough.

    The ``ast`` visitors recurse once per level of nesting, Python calling Python, so a higher
    limit costs no C stack: a valid file with a long ``elif`` chain ran out of the default
    1000 frames. A file the parser itself gives up on (``-`` * 5000 + ``1`` is a MemoryError
    in CPython 3.11) is refused like any file that cannot be read.
    """
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, RECURSION_LIMIT))
    try:
        yield
    except (RecursionError, MemoryError):
        raise PortError(f"{path}: too deeply nested to scan") from None
    finally:
        sys.setrecursionlimit(limit)


def parse(source: str, path: str) -> ast.Module:
    """The module's tree, or a PortError that says in one line why Python cannot parse it.

    The parser's warnings about valid code (``"\\d"``, an invalid escape sequence: a
    DeprecationWarning before 3.12, a SyntaxWarning after) are not the user's error here, and
    under ``python -W error`` they became one: they are ignored while parsing.
    """
    try:
        with warnings.catch_warnings(), deep(path):
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                return ast.parse(source, filename=path)
            except SyntaxError as first:
                # a notebook's or a REPL session's code: `await main()` at the top level is
                # asyncio code all the same (IPython and `python -m asyncio` run it)
                try:
                    tree: ast.Module = compile(
                        source, path, "exec",
                        flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
                    return tree
                except SyntaxError:
                    plain = in_older_syntax(source)
                    if plain == source:
                        raise first from None
                    try:
                        return ast.parse(plain, filename=path)
                    except SyntaxError:
                        raise first from None
    except SyntaxError as exc:
        where = f"{path}:{exc.lineno}:{exc.offset}" if exc.lineno else path
        raise PortError(f"{where}: cannot parse as Python: {exc.msg}") from None
    except ValueError as exc:  # a NUL byte
        raise PortError(f"{path}: not a Python source file ({exc})") from None


_GENERIC = re.compile(r"^(\s*(?:async\s+def|def|class)\s+\w+)\[")
_TYPE_ALIAS = re.compile(r"^(\s*)type\s+(\w+)\s*(\[)?")


def _closing(line: str, start: int) -> int:
    """The index just past the ``]`` that closes the ``[`` at ``start`` (or -1)."""
    depth = 0
    for index in range(start, len(line)):
        if line[index] in "[(":
            depth += 1
        elif line[index] in "])":
            depth -= 1
            if depth == 0:
                return index + 1
    return -1


def in_older_syntax(source: str) -> str:
    """``source`` as Python 3.11 can parse it, where it is written for a newer Python in the
    ways that stop 3.11 at a construct that is none of asyncio's: 3.12's type parameters
    (:func:`without_type_parameters`), 3.12's f-strings that reuse their own quote inside a
    replacement field (:func:`with_older_f_strings`) and 3.14's unparenthesised ``except A,
    B:`` (:func:`with_parenthesised_excepts`). Lines keep their numbers, so findings point at
    the user's own lines."""
    return with_older_f_strings(with_parenthesised_excepts(without_type_parameters(source)))


def without_type_parameters(source: str) -> str:
    """``source`` with Python 3.12's type parameters taken out (``class Queue[T]:`` → ``class
    Queue:``, ``def first[T](xs)`` → ``def first(xs)``, ``type Pair[T] = tuple[T, T]`` →
    ``Pair = tuple[T, T]``), so that an older Python can read the rest of a module written for
    3.12: the tool names asyncio's constructs, and no type parameter is one. A header's
    brackets may span lines (one parameter per line, as formatters write long bounds): what
    follows the closing ``]`` moves up to the header's line and the lines between are left
    empty. Lines keep their numbers; a line that does not fit stays as it is."""
    lines = source.splitlines(keepends=True)
    for number, line in enumerate(lines):
        generic = _GENERIC.match(line)
        if generic:
            end = _closing(line, generic.end() - 1)
            if end > 0:
                lines[number] = generic.group(1) + line[end:]
            else:
                _join_brackets(lines, number, generic)
            continue
        alias = _TYPE_ALIAS.match(line)
        if alias and "=" in line[alias.end():]:
            rest = line[alias.end() - 1:] if alias.group(3) else line[alias.end():]
            if alias.group(3):
                end = _closing(rest, 0)
                if end < 0:
                    continue
                rest = rest[end:]
            lines[number] = f"{alias.group(1)}{alias.group(2)} {rest.lstrip()}"
    return "".join(lines)


def _join_brackets(lines: list[str], number: int, generic: re.Match[str]) -> None:
    """Take out a header's type parameters that open on line ``number`` and close on a later
    line (``class Connector[\\n    T: Engine,\\n](Base):``), in place: the header's line gets
    what follows the ``]``, each line up to the ``]``'s becomes empty. Left as it is if no
    line closes the brackets."""
    depth = 0
    for last in range(number, len(lines)):
        line = lines[last]
        for index in range(generic.end() - 1 if last == number else 0, len(line)):
            if line[index] in "[(":
                depth += 1
            elif line[index] in "])":
                depth -= 1
                if depth == 0:
                    lines[number] = generic.group(1) + line[index + 1:]
                    for between in range(number + 1, last + 1):
                        lines[between] = _eol(lines[between])
                    return


def _eol(line: str) -> str:
    """The line ending ``line`` has (``"\\r\\n"``, ``"\\n"``, or none at the end)."""
    return line[len(line.rstrip("\r\n")):]


_EXCEPTS = re.compile(r"^(\s*except\b(?:\s*\*)?)\s*([\w.]+(?:\s*,\s*[\w.]+)+)\s*:( ?)")


def with_parenthesised_excepts(source: str) -> str:
    """``source`` with Python 3.14's ``except A, B:`` (PEP 758) written ``except(A, B):``, as
    older Pythons read it. The space after the colon pays for the added parenthesis where there
    is one, so a handler's statement on the same line keeps its columns. Lines keep their
    numbers; every other line stays as it is."""
    lines = source.splitlines(keepends=True)
    for number, line in enumerate(lines):
        match = _EXCEPTS.match(line)
        if match:
            lines[number] = (f"{match.group(1)}({match.group(2)}):"
                             + line[match.end():])
    return "".join(lines)


_STRING = re.compile(r"([A-Za-z]{0,2})(\'\'\'|\"\"\"|\'|\")")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PREFIXES = {"", "r", "u", "b", "f", "br", "rb", "fr", "rf"}


def with_older_f_strings(source: str) -> str:
    """``source`` with each string inside an f-string's replacement field that reuses the
    f-string's own quote (``f"{d["key"]}"``, valid since 3.12, PEP 701) given the other quote
    (``f"{d['key']}"``), as older Pythons need. Only the two quote characters change, so every
    line and column stays where it was; a string that holds the other quote itself, and the
    rest of PEP 701 (a backslash or a comment inside a field), stay as they are."""
    chars = list(source)
    end = len(source)

    def string(start: int, outer: str) -> int:
        """Read the string whose prefix starts at ``start``; give it the other quote if it
        reuses ``outer``'s; return the index just past it."""
        match = _STRING.match(source, start)
        assert match is not None
        prefix, quote = match.group(1).lower(), match.group(2)
        index = match.end()
        while index < end and not source.startswith(quote, index):
            if source[index] == "\\":
                index += 1
            elif source[index] == "\n" and len(quote) == 1:
                return index  # not closed on its line: left to the parser to refuse
            elif "f" in prefix and source[index] == "{":
                if source.startswith("{{", index):
                    index += 1
                else:
                    index = code(index + 1, quote) - 1
            index += 1
        if index >= end:
            return end
        other = "'" if quote == '"' else '"'
        if outer and quote == outer[0] and len(quote) == 1 and len(outer) == 1 \
                and other not in source[match.end():index]:
            chars[match.end() - 1] = chars[index] = other
        return index + len(quote)

    def code(index: int, outer: str) -> int:
        """Read code from ``index``: the module's, where ``outer`` is empty, or a replacement
        field's from just past its ``{``, where ``outer`` is its f-string's quote; return the
        index just past the field's ``}``."""
        depth = 0
        while index < end:
            char = source[index]
            word = _WORD.match(source, index) if char.isalpha() or char == "_" else None
            if word is not None:
                if word.group().lower() in _PREFIXES and _STRING.match(source, word.end()):
                    index = string(index, outer)
                else:
                    index = word.end()
                continue
            if char in "'\"":
                index = string(index, outer)
                continue
            if char == "#":
                newline = source.find("\n", index)
                index = end if newline < 0 else newline
                continue
            if char in "([{":
                depth += 1
            elif char in ")]}":
                if depth == 0 and outer:
                    return index + 1
                depth -= 1
            elif outer and depth == 0 and char == ":":
                return field_spec(index + 1, outer)
            index += 1
        return end

    def field_spec(index: int, outer: str) -> int:
        """A field's format spec, which may hold fields of its own: past the field's ``}``."""
        while index < end and source[index] != "}":
            if source[index] == "{":
                index = code(index + 1, outer)
            else:
                index += 1
        return index + 1

    code(0, "")
    return "".join(chars)


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def is_regular(path: Path) -> bool:
    """A regular file (a symlink counts by its target): the only kind a walk reads."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:  # a dangling symlink, a file gone since the walk listed it
        return False


def load(path: Path) -> bytes:
    """The bytes of a regular file, at most ``MAX_BYTES + 1`` of them (enough to refuse it).

    The file is opened without blocking and checked with ``fstat`` on the open descriptor, so a
    FIFO (or a file swapped for one after the walk listed it) is refused, never waited on.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            hint = " (to read a pipe, give `-` and send it to standard input)" \
                if stat.S_ISFIFO(info.st_mode) else ""
            raise PortError(f"{path}: {_kind(info.st_mode)}, not a Python file{hint}")
        if info.st_size > MAX_BYTES:
            raise PortError(f"{path}: too large to scan ({info.st_size:,} bytes; the limit is "
                            f"{MAX_BYTES:,})")
        with os.fdopen(fd, "rb", closefd=False) as file:
            return file.read(MAX_BYTES + 1)
    finally:
        os.close(fd)


def load_stdin() -> bytes:
    """Standard input, at most ``MAX_BYTES + 1`` bytes."""
    return sys.stdin.buffer.read(MAX_BYTES + 1)


def read(path: str, data: bytes) -> str:
    """The text of a file the user named, or a PortError that says why it cannot be read."""
    return decode(path, data)[0]


def decode(path: str, data: bytes) -> tuple[str, str]:
    """The text of a file and its encoding, or a PortError that says why it cannot be read.

    The encoding is the one Python would use to import the file: a BOM or a PEP 263 coding
    line, UTF-8 otherwise (:func:`tokenize.detect_encoding`; ``"utf-8-sig"`` when there is a
    BOM, which the text leaves out). Line endings are kept as they are, so that a patch can
    give a CRLF file back with CRLF endings, and be written in the file's own encoding.
    """
    if len(data) > MAX_BYTES:
        # standard input is read no further than one byte past the limit
        raise PortError(f"{path}: too large to scan (more than {MAX_BYTES:,} bytes; the limit "
                        f"is {MAX_BYTES:,})")
    if b"\0" in data:
        raise PortError(f"{path}: not a Python source file (it holds binary data)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if exc.msg.startswith("invalid or missing"):
            # the first two lines are not UTF-8 and declare nothing: decoding says where
            encoding = "utf-8"
        else:  # an unknown codec ("unknown encoding: klingon"), a BOM with another coding
            raise PortError(f"{path}: not a Python source file ({exc.msg})") from None
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        named = "UTF-8" if encoding in ("utf-8", "utf-8-sig") else encoding
        raise PortError(f"{path}: not a Python source file (not {named} text: byte "
                        f"{exc.start})") from None


#: Folders a directory walk never enters.
SKIP = {".git", ".hg", ".venv", "venv", "__pycache__", "node_modules", "site-packages",
        ".tox", ".nox", "build", "dist", ".mypy_cache", ".ruff_cache"}


def files(root: Path) -> list[Path]:
    """The .py files a path names: the path itself, or every regular .py file under a directory.

    Under a directory, a FIFO, a socket or a dangling link named ``*.py`` is left out: reading
    it would hang or fail, and it is not source code anyone wrote.
    """
    if not root.is_dir():
        return [root]
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP and not d.startswith("."))
        found += [p for p in (Path(folder) / n for n in sorted(names) if n.endswith(".py"))
                  if is_regular(p)]
    return found
