"""``walkthrough port``'s small modules: the slips mutmut planted that their tests let through.

``scripts/mutation.py walkthrough/port/<module>.py`` (issue 27, ``docs/mutation.md``) found,
per kind of slip:

* ``mapping.describe``: a finding that loses *where* it is (path, line, statement) or its link
  to the map when its construct has no row; a library's advice lost, or given to a construct
  that is not a library import, or named with the internal ``lib:`` prefix;
* ``Finding.as_dict``: what ``walkthrough port --json`` writes, every field by name.
"""

from __future__ import annotations

import io
import os
import socket
import sys
import warnings
from pathlib import Path

import pytest

from walkthrough import conceptmap
from walkthrough.port import libraries, mapping, reading, scan

# -- mapping.describe -------------------------------------------------------------------------


def test_a_construct_without_a_row_keeps_its_place_and_points_at_the_map() -> None:
    """No row yet: the finding still says where it is, and links to the map's page."""
    finding = mapping.describe("pkg/app.py", 7, 5, "asyncio.mystery", None)
    assert finding == mapping.Finding(
        "pkg/app.py", 7, 5, "asyncio.mystery", "no row in the concept map yet", "",
        (conceptmap.PAGE_LINK,), "", "")


def test_a_row_id_the_map_does_not_have_is_no_row_and_keeps_the_advice() -> None:
    """A caller's row id with no row on the page: no row, and a library keeps its advice."""
    finding = mapping.describe("app.py", 2, 2, "lib:asyncssh", "no-such-row")
    assert finding.trio == "no row in the concept map yet"
    assert finding.row == ""
    assert finding.links == (conceptmap.PAGE_LINK,)
    found = libraries.advice("asyncssh")
    assert found is not None
    assert finding.gotcha == found[1]


def test_a_finding_with_a_row_keeps_its_place() -> None:
    finding = mapping.describe("pkg/app.py", 12, 10, "asyncio.Event", "event")
    assert (finding.path, finding.line, finding.statement, finding.construct, finding.row) == (
        "pkg/app.py", 12, 10, "asyncio.Event", "event")


def test_the_advice_names_the_library_as_imported_not_the_construct() -> None:
    """``lib:`` is how a construct marks a library; the reader sees ``asyncssh: ...``."""
    finding = mapping.describe("app.py", 3, 3, "lib:asyncssh", None)
    assert "lib:" not in finding.gotcha
    assert " asyncssh: " in finding.gotcha


def test_a_construct_with_its_own_row_gets_the_row_alone_not_the_library_advice() -> None:
    """aiofiles has a row of its own (its import and ``aiofiles.open`` are the ``aiofiles``
    construct): the row's gotcha says it all. Advice is appended only to a ``lib:`` construct,
    a library that shares a row with others."""
    source = "import aiofiles\nasync def f():\n    async with aiofiles.open('x') as f:\n" \
             "        pass\n"
    found = [f for f in scan(source, "app.py") if f.construct == "aiofiles"]
    assert [f.line for f in found] == [1, 3]
    row = conceptmap.find(mapping.ROW_KEYS["aiofiles"])
    assert [f.gotcha for f in found] == [conceptmap.plain(row.gotcha)] * 2


# -- Finding.as_dict ------------------------------------------------------------------------------


def test_as_dict_is_every_field_by_name() -> None:
    finding = mapping.describe("app.py", 4, 3, "asyncio.Event", "event")
    assert finding.as_dict() == {
        "path": "app.py", "line": 4, "statement": 3, "construct": "asyncio.Event",
        "trio": finding.trio, "gotcha": finding.gotcha, "links": finding.links,
        "row": "event", "rewrite": ""}



# -- reading: which files, and their text, or one line that says why not --------------------------
#
# ``walkthrough port``'s own tests run the command in a child process, where mutmut cannot see
# which test reached which function: these call the module in-process.


def test_a_file_of_exactly_max_bytes_is_read_and_one_byte_more_is_refused(
        tmp_path: Path) -> None:
    """The size limit's boundary, both on a file's size and on what standard input gave."""
    exact = tmp_path / "exact.py"
    exact.write_bytes(b"#" * reading.MAX_BYTES)
    assert len(reading.load(exact)) == reading.MAX_BYTES
    assert reading.read("exact.py", reading.load(exact)) == "#" * reading.MAX_BYTES
    over = tmp_path / "over.py"
    over.write_bytes(b"#" * (reading.MAX_BYTES + 1))
    with pytest.raises(reading.PortError) as refused:
        reading.load(over)
    assert str(refused.value) == (f"{over}: too large to scan (2,000,001 bytes; the limit is "
                                  "2,000,000)")
    with pytest.raises(reading.PortError) as piped:
        reading.read("<stdin>", b"#" * (reading.MAX_BYTES + 1))
    assert str(piped.value) == ("<stdin>: too large to scan (more than 2,000,000 bytes; the "
                                "limit is 2,000,000)")


def test_a_file_that_grew_after_its_size_was_checked_is_read_one_byte_past_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The read is bounded too, not only the size check: a file still being written (a log, a
    generated module) is read no further than one byte past the limit, and then refused."""
    small = tmp_path / "small.py"
    small.write_bytes(b"x = 1\n")
    growing = tmp_path / "growing.py"
    growing.write_bytes(b"#" * (reading.MAX_BYTES + 100))
    monkeypatch.setattr(os, "fstat", lambda fd: os.stat(small))  # its size when checked
    data = reading.load(growing)
    monkeypatch.undo()
    assert len(data) == reading.MAX_BYTES + 1
    with pytest.raises(reading.PortError, match="too large to scan"):
        reading.read("growing.py", data)


def test_standard_input_is_read_one_byte_past_the_limit_and_no_further(
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"#" * (reading.MAX_BYTES + 10)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert len(reading.load_stdin()) == reading.MAX_BYTES + 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_what_is_not_a_regular_file_is_refused_by_its_kind(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock.py"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        cases = {
            fifo: "a FIFO, not a Python file (to read a pipe, give `-` and send it to "
                  "standard input)",
            tmp_path: "a directory, not a Python file",
            Path(os.devnull): "a device, not a Python file",
        }
        for path, says in cases.items():
            with pytest.raises(reading.PortError) as refused:
                reading.load(path)
            assert str(refused.value) == f"{path}: {says}"
        assert reading._kind(os.stat(sock_path).st_mode) == "a socket"
    assert reading._kind(0) == "not a regular file"


@pytest.mark.parametrize(("data", "text", "encoding"), [
    (b"\xef\xbb\xbfx = '\xc3\xa9'\r\n", "x = '\xe9'\r\n", "utf-8-sig"),
    (b"# -*- coding: latin-1 -*-\nx = '\xe9'\n", "# -*- coding: latin-1 -*-\nx = '\xe9'\n",
     "iso-8859-1"),
    (b"#!/usr/bin/env python3\n# vim: set fileencoding=cp1252 :\nx = '\x80'\n",
     "#!/usr/bin/env python3\n# vim: set fileencoding=cp1252 :\nx = '\u20ac'\n", "cp1252"),
    (b"x = 1\n", "x = 1\n", "utf-8"),
], ids=["BOM, CRLF kept", "latin-1 line", "cp1252 on line 2", "plain"])
def test_text_is_decoded_the_way_python_imports_it(data: bytes, text: str,
                                                   encoding: str) -> None:
    assert reading.decode("app.py", data) == (text, encoding)


@pytest.mark.parametrize(("data", "message"), [
    (b"x = 1\0\n", "app.py: not a Python source file (it holds binary data)"),
    (b"# -*- coding: klingon -*-\n", "app.py: not a Python source file (unknown encoding: "
                                     "klingon)"),
    (b"x = '\xff'\n", "app.py: not a Python source file (not UTF-8 text: byte 5)"),
    (b"\xef\xbb\xbfx = '\xff'\n", "app.py: not a Python source file (not UTF-8 text: byte 8)"),
    (b"# coding: ascii\nx = '\xe9'\n", "app.py: not a Python source file (not ascii text: "
                                       "byte 21)"),
    (b"\xef\xbb\xbf# ok\nx = 1\ny = '\xff'\n", "app.py: not a Python source file (not UTF-8 "
                                              "text: byte 16)"),
], ids=["NUL", "unknown codec", "not utf-8", "BOM then not utf-8", "not ascii",
        "BOM, bad third line"])
def test_text_that_cannot_be_decoded_is_one_line_that_says_why(data: bytes,
                                                               message: str) -> None:
    with pytest.raises(reading.PortError) as refused:
        reading.decode("app.py", data)
    assert str(refused.value) == message


def test_a_syntax_error_says_where_and_valid_code_with_a_warning_parses() -> None:
    with pytest.raises(reading.PortError) as refused:
        reading.parse("x = 1\ndef f(:\n", "app.py")
    assert str(refused.value) == "app.py:2:7: cannot parse as Python: invalid syntax"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # an invalid escape: a DeprecationWarning from the parser on 3.11, a SyntaxWarning after
        tree = reading.parse('import re\npattern = re.compile("\\d+")\n', "app.py")
    assert [type(node).__name__ for node in tree.body] == ["Import", "Assign"]


def test_a_nul_byte_is_a_syntax_error_without_a_place() -> None:
    """CPython gives no line for it: the message is the path alone, never ``None:None``."""
    with pytest.raises(reading.PortError) as refused:
        reading.parse("x = 1\0\n", "app.py")
    assert str(refused.value) == ("app.py: cannot parse as Python: source code string cannot "
                                  "contain null bytes")


def test_a_file_the_parser_gives_up_on_is_one_line_that_names_it() -> None:
    with pytest.raises(reading.PortError) as refused:
        reading.parse("x = " + "-" * 50_000 + "1\n", "deep.py")
    assert str(refused.value) == "deep.py: too deeply nested to scan"


def test_a_deep_file_is_one_line_and_the_recursion_limit_comes_back() -> None:
    before = sys.getrecursionlimit()
    nested = "x = " + "(" * 150 + "1" + ")" * 150 + "\n"
    with reading.deep("deep.py"):
        assert sys.getrecursionlimit() == max(before, reading.RECURSION_LIMIT)
        reading.parse(nested, "deep.py")
    assert sys.getrecursionlimit() == before
    with pytest.raises(reading.PortError) as refused, reading.deep("deep.py"):
        raise RecursionError
    assert str(refused.value) == "deep.py: too deeply nested to scan"
    assert sys.getrecursionlimit() == before


def test_a_walk_reads_only_regular_py_files_sorted_and_skips_tool_folders(
        tmp_path: Path) -> None:
    for rel in ("b.py", "a.py", "notes.txt", "pkg/z.py", "pkg/sub/y.py", ".venv/v.py",
                "build/g.py", ".hidden/h.py", "node_modules/n.py", "zz/__pycache__/c.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("import asyncio\n")
    (tmp_path / "gone.py").symlink_to(tmp_path / "nowhere.py")
    (tmp_path / "alias.py").symlink_to(tmp_path / "a.py")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.py")
    found = [p.relative_to(tmp_path).as_posix() for p in reading.files(tmp_path)]
    assert found == ["a.py", "alias.py", "b.py", "pkg/z.py", "pkg/sub/y.py"]
    assert reading.files(tmp_path / "b.py") == [tmp_path / "b.py"]
    assert reading.is_regular(tmp_path / "alias.py")
    assert not reading.is_regular(tmp_path / "gone.py")
