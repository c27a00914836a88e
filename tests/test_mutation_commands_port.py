"""Tests that kill mutmut's survivors in the verb ``port`` (issue 27).

``tests/test_port_cli.py`` runs ``walkthrough port`` as a user does, in a child process: mutmut
records which tests call a function in the test process only, so every mutant of
``walkthrough/commands/port.py`` was "no tests" there. Here the verb's ``run`` is called in the
test process, with its standard streams swapped for in-memory ones (a stdout with a byte
buffer under it, since the patch is written as bytes in the file's own encoding; a stderr that
says whether it is a terminal). One test per kind of slip:

* the command line as the help says (the path, the three formats, --rewrite off by default);
* the progress line: its width, where it cuts the path, when it is drawn at all;
* a path that is not there, a directory without a .py file, a file that cannot be read:
  a usage error alone, skipped inside a walk, exit 2 when nothing at all could be read;
* standard input: read, named ``<stdin>`` in findings and ``stdin.py`` in a patch;
* the output in each format, with and without --rewrite, and the exit status;
* the patch's name for a file or a walk outside the current directory, said once;
* the patch written in its file's encoding, in ASCII where that encoding lacks a character;
* the summary on stderr: what was read, what was empty, what was skipped.
"""

from __future__ import annotations

import argparse
import errno
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.test_mutation_commands import Tty
from tests.test_port_cli import APP
from walkthrough import cli
from walkthrough.cli import UsageError
from walkthrough.commands import port as verb
from walkthrough.port import reading
from walkthrough.port.mapping import Finding

#: The lines of APP (a program with one edit of each kind) that hold a construct.
APP_LINES = [1, 6, 11, 12, 13, 16]


@dataclass
class Done:
    status: int
    out: bytes
    err: str
    #: stderr's text at each of its flushes
    flushed: list[str]

    @property
    def text(self) -> str:
        return self.out.decode("utf-8")


def parse(*argv: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(["port", *argv])


def port(monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: bytes = b"",
         tty: bool = False, columns: int = 100) -> Done:
    """``walkthrough port ARGV`` in this process: its status, stdout's bytes, stderr's text."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")
    err = Tty(tty)
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    monkeypatch.setenv("COLUMNS", str(columns))
    status = verb.run(parse(*argv))
    out.flush()
    return Done(status, out.buffer.getvalue(), err.getvalue(),  # type: ignore[attr-defined]
                err.flushed)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A current directory of the test's own."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


# -- the command line ------------------------------------------------------------------------


def test_the_options_are_parsed_as_the_help_says() -> None:
    args = parse("app.py")
    assert (args.path, args.format, args.rewrite) == ("app.py", "text", False)
    args = parse("-", "--format", "json", "--rewrite")
    assert (args.path, args.format, args.rewrite) == ("-", "json", True)
    assert parse("x.py", "--format", "markdown").format == "markdown"
    with pytest.raises(SystemExit) as bad:
        parse("x.py", "--format", "html")
    assert bad.value.code == 2
    parser = argparse.ArgumentParser()
    verb.configure(parser)
    text = " ".join(parser.format_help().split())
    assert "PATH an asyncio .py file, a directory to walk, or - for standard input" in text
    assert ("--format {text,json,markdown} how to print the findings, or with --rewrite the "
            "patches (default: text)") in text
    assert ("--rewrite print a patch: the rewrites that keep behaviour, TODOs elsewhere "
            "(read it)") in text


# -- the progress line -----------------------------------------------------------------------


def test_the_progress_line_is_one_column_narrower_than_the_terminal() -> None:
    """A line as wide as the terminal wraps on some: it is cut to width - 1, and padded to it,
    so that a shorter name after a longer one leaves nothing behind."""
    assert verb.progress_line(3, 12, "a.py", 30) == "[3/12] a.py".ljust(29)
    # exactly as long as the room: not cut
    name = "x" * (29 - len("[3/12] "))
    assert verb.progress_line(3, 12, name, 30) == f"[3/12] {name}"
    # one character more: cut at its start, the file's name kept
    long = "y" + name
    line = verb.progress_line(3, 12, long, 30)
    assert line == "[3/12] …" + long[-(29 - len("[3/12] ") - 1):]
    assert len(line) == 29 and line.endswith(name[1:])
    path = "src/" + "package/" * 10 + "module_7.py"
    line = verb.progress_line(7, 9, path, 60)
    assert len(line) == 59 and line.startswith("[7/9] …") and line.endswith("/module_7.py")


def test_a_tiny_terminal_still_gets_ten_columns() -> None:
    """Below 11 columns the line keeps 10 (a narrower one would show nothing of the path)."""
    for width in (0, 5, 10, 11):
        assert verb.progress_line(1, 2, "abcdefghij.py", width) == "[1/2] ….py"
    assert verb.progress_line(1, 2, "a.py", 4) == "[1/2] a.py"
    assert verb.progress_line(1, 2, "abcdefghij.py", 12) == "[1/2] …j.py"


def test_a_long_counter_leaves_the_path_what_room_is_left() -> None:
    """With a counter nearly as wide as the line, the path keeps its last character (after
    the ellipsis) or nothing at all; the line is never wider than its room."""
    head = "[100/1000] "
    assert verb.progress_line(100, 1000, "abcdef.py", 14) == head + "…y"
    assert verb.progress_line(100, 1000, "abcdef.py", 13) == head + "…"
    assert verb.progress_line(100, 1000, "abcdef.py", 12) == head[:11]
    assert verb.progress_line(100, 1000, "abcdef.py", 8) == head[:10]


def test_a_walk_on_a_terminal_draws_progress_and_ends_its_line(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each file's line starts with a carriage return and has no newline; a skipped file's
    message starts on a line of its own; the last progress line is ended before the summary."""
    (here / "src").mkdir()
    (here / "src" / "a.py").write_text("import asyncio\n")
    (here / "src" / "b.py").write_text("def f(:\n")
    (here / "src" / "c.py").write_text("x = 1\n")
    done = port(monkeypatch, "src", tty=True, columns=40)
    assert done.status == 1
    pad = 39
    assert done.err == (
        "\r" + "[1/3] src/a.py".ljust(pad)
        + "\r" + "[2/3] src/b.py".ljust(pad) + "\n"
        + "walkthrough port: skipped src/b.py:1:7: cannot parse as Python: invalid syntax\n"
        + "\r" + "[3/3] src/c.py".ljust(pad) + "\n"
        + "1 findings in 1 of 2 files; 1 skipped\n")
    # each progress line is flushed as it is drawn (stderr is line-buffered on a terminal)
    for n, name in ((1, "a"), (2, "b"), (3, "c")):
        assert any(f.endswith(f"[{n}/3] src/{name}.py".ljust(pad)) for f in done.flushed), n


@pytest.mark.parametrize("tty", [False, True])
def test_no_progress_off_a_terminal_nor_for_one_file(
        here: Path, monkeypatch: pytest.MonkeyPatch, tty: bool) -> None:
    (here / "src").mkdir()
    (here / "src" / "a.py").write_text("import asyncio\n")
    walk = port(monkeypatch, "src", tty=False)
    assert walk.err == "1 findings in 1 of 1 files\n"
    one = port(monkeypatch, "src/a.py", tty=tty)
    assert (one.status, one.err) == (1, "")
    assert one.text.startswith("src/a.py:1: import asyncio -> ")


# -- what cannot be read -----------------------------------------------------------------------


def test_a_path_that_is_not_there_is_a_usage_error(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UsageError) as refused:
        port(monkeypatch, "nope.py")
    assert str(refused.value) == "cannot read nope.py: No such file or directory"


def test_a_directory_without_a_py_file_is_a_usage_error(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (here / "docs").mkdir()
    (here / "docs" / "notes.txt").write_text("import asyncio\n")
    with pytest.raises(UsageError) as refused:
        port(monkeypatch, "docs")
    assert str(refused.value) == "docs: no .py file under it"


def test_a_file_named_alone_that_cannot_be_read_is_one_usage_error(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its own words (a parse error) or the OS's (a file that vanished), never a traceback,
    and no chained exception for the user to see."""
    (here / "bad.py").write_text("def f(:\n")
    with pytest.raises(UsageError) as refused:
        port(monkeypatch, "bad.py")
    assert str(refused.value) == "bad.py:1:7: cannot parse as Python: invalid syntax"
    assert refused.value.__suppress_context__
    (here / "app.py").write_text(APP)

    def gone(path: Path) -> bytes:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))

    monkeypatch.setattr(reading, "load", gone)
    with pytest.raises(UsageError) as refused:
        port(monkeypatch, "app.py", "--rewrite")
    assert str(refused.value) == "cannot read app.py: No such file or directory"
    assert refused.value.__suppress_context__


def test_in_a_walk_unreadable_files_are_skipped_and_counted(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (here / "src").mkdir()
    (here / "src" / "a.py").write_text(APP)
    (here / "src" / "b.py").write_text("def f(:\n")
    (here / "src" / "c.py").write_text("x = 1\n")
    real = reading.load

    def load(path: Path) -> bytes:
        if path.name == "c.py":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(path)

    monkeypatch.setattr(reading, "load", load)
    done = port(monkeypatch, "src", "--format", "json")
    assert done.status == 1
    assert done.err.splitlines() == [
        "walkthrough port: skipped src/b.py:1:7: cannot parse as Python: invalid syntax",
        "walkthrough port: skipped cannot read src/c.py: Permission denied",
        "6 findings in 1 of 1 files; 2 skipped"]
    report = json.loads(done.out)
    assert (report["files"], report["skipped"]) == (1, 2)
    assert [f["line"] for f in report["findings"]] == APP_LINES


def test_a_walk_whose_every_file_is_skipped_exits_2(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (here / "src").mkdir()
    (here / "src" / "b.py").write_text("def f(:\n")
    for args in ((), ("--rewrite",)):
        done = port(monkeypatch, "src", *args)
        assert done.status == 2
        assert done.err.splitlines()[-1] == "0 findings: no file could be read; 1 skipped"


def test_a_rewrite_too_deep_to_walk_is_said_by_the_files_name(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rewrite runs under the verb's own recursion guard, named for the file being read."""
    from walkthrough.port import formatting

    def patch(*args: object, **kwargs: object) -> tuple[str, list[Finding]]:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(formatting, "patch", patch)
    monkeypatch.setattr("walkthrough.port.patch", patch)
    (here / "app.py").write_text(APP)
    with pytest.raises(UsageError) as refused:
        port(monkeypatch, "app.py", "--rewrite")
    assert str(refused.value) == "app.py: too deeply nested to scan"
    with pytest.raises(UsageError) as refused:
        port(monkeypatch, "-", "--rewrite", stdin=APP.encode())
    assert str(refused.value) == "<stdin>: too deeply nested to scan"


# -- standard input ----------------------------------------------------------------------------


def test_dash_reads_standard_input_as_stdin(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    done = port(monkeypatch, "-", stdin=APP.encode())
    assert done.status == 1 and done.err == ""
    assert done.text.startswith("<stdin>:1: import asyncio -> ")
    done = port(monkeypatch, "-", "--rewrite", stdin=APP.encode())
    assert done.status == 1 and done.err == ""
    assert done.text.startswith("--- a/stdin.py\n+++ b/stdin.py\n")


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_dash_is_standard_input_even_beside_a_file_or_directory_named_dash(
        here: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    if kind == "file":
        (here / "-").write_text("x = 1\n")
    else:
        (here / "-").mkdir()
        (here / "-" / "x.py").write_text("x = 1\n")
        (here / "-" / "y.py").write_text("import asyncio\n")
    done = port(monkeypatch, "-", "--format", "json", stdin=b"import asyncio\n")
    assert (done.status, done.err) == (1, "")
    report = json.loads(done.out)
    assert (report["files"], len(report["findings"])) == (1, 1)
    assert report["findings"][0]["path"] == "<stdin>"


def test_a_rewrite_of_standard_input_keeps_its_findings_named_stdin(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The patch names the file stdin.py (a name `patch` accepts); the findings beside it
    keep the name they have without --rewrite."""
    done = port(monkeypatch, "-", "--rewrite", "--format", "json", stdin=APP.encode())
    [entry] = json.loads(done.out)["files"]
    assert entry["path"] == "<stdin>"
    assert entry["patch"].startswith("--- a/stdin.py\n+++ b/stdin.py\n")
    assert {f["path"] for f in entry["findings"]} == {"<stdin>"}


def test_a_file_that_is_not_python_text_is_named_in_the_message(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (here / "src").mkdir()
    (here / "src" / "blob.py").write_bytes(b"import asyncio\n\0\1\2")
    (here / "src" / "klingon.py").write_bytes(b"# coding: klingon\nimport asyncio\n")
    (here / "src" / "app.py").write_text(APP)
    with pytest.raises(UsageError) as refused:
        port(monkeypatch, "src/blob.py")
    assert str(refused.value) == "src/blob.py: not a Python source file (it holds binary data)"
    with pytest.raises(UsageError) as refused:
        port(monkeypatch, "-", stdin=b"\0")
    assert str(refused.value) == "<stdin>: not a Python source file (it holds binary data)"
    done = port(monkeypatch, "src", "--rewrite")
    assert done.status == 1
    assert done.err.splitlines() == [
        "walkthrough port: skipped src/blob.py: not a Python source file (it holds binary data)",
        "walkthrough port: skipped src/klingon.py: not a Python source file (unknown encoding: "
        "klingon)",
        "6 findings in 1 of 1 files; 2 skipped"]


def test_an_empty_standard_input_is_said_to_be_empty(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    done = port(monkeypatch, "-", stdin=b"\n  \n")
    assert (done.status, done.out) == (0, b"")
    assert done.err == "0 findings: no asyncio construct in 1 file (it is empty)\n"


# -- the output, format by format --------------------------------------------------------------


def test_text_gives_each_finding_its_trio_gotcha_and_pages() -> None:
    out = io.StringIO()
    verb._text([
        Finding("a.py", 3, 3, "asyncio.sleep", "trio.sleep", "a gotcha", ("p#1", "p#2")),
        Finding("a.py", 1, 1, "import asyncio", "import trio", "", ("p#0",)),
        Finding("a.py", 3, 3, "asyncio.run", "trio.run", "", ("p#3",))], out)
    assert out.getvalue() == (
        "a.py:1: import asyncio -> import trio\n"
        "    see p#0\n"
        "a.py:3: asyncio.sleep -> trio.sleep\n"
        "    a gotcha\n"
        "    see p#1, p#2\n"
        "a.py:3: asyncio.run -> trio.run\n"
        "    see p#3\n")


def test_markdown_is_a_table_whose_cells_cannot_break_it() -> None:
    out = io.StringIO()
    verb._markdown([
        Finding("a.py", 3, 3, "asyncio.sleep", "a | b", "one\ntwo | three", ("p#1", "p#2"))],
        out)
    assert out.getvalue() == (
        "| file:line | asyncio | Trio | gotcha | see |\n"
        "|---|---|---|---|---|\n"
        "| a.py:3 | `asyncio.sleep` | a \\| b | one two \\| three | [p#1](p#1), [p#2](p#2) |\n")


def test_each_format_of_the_findings_and_the_exit_status(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (here / "app.py").write_text(APP)
    text = port(monkeypatch, "app.py")
    assert (text.status, text.err) == (1, "")
    lines = [line for line in text.text.splitlines() if not line.startswith(" ")]
    assert [int(line.split(":")[1]) for line in lines] == APP_LINES
    assert lines[1] == "app.py:6: asyncio.sleep -> await trio.sleep(delay)"
    markdown = port(monkeypatch, "app.py", "--format", "markdown")
    assert markdown.status == 1
    rows = markdown.text.splitlines()
    assert rows[0] == "| file:line | asyncio | Trio | gotcha | see |"
    assert [row.split(" | ")[0] for row in rows[2:]] == [f"| app.py:{n}" for n in APP_LINES]
    as_json = port(monkeypatch, "app.py", "--format", "json")
    assert as_json.status == 1 and as_json.text.endswith("}\n")
    report = json.loads(as_json.out)
    assert set(report) == {"findings", "files", "skipped"}
    assert (report["files"], report["skipped"]) == (1, 0)
    assert [f["line"] for f in report["findings"]] == APP_LINES
    assert report["findings"][1]["construct"] == "asyncio.sleep"
    assert as_json.text.startswith('{\n  "findings": [\n    {\n      "path": "app.py",')


def test_nothing_to_port_is_exit_0_and_said_on_stderr(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (here / "plain.py").write_text("print('hi')\n")
    for args in ((), ("--format", "json"), ("--rewrite",)):
        done = port(monkeypatch, "plain.py", *args)
        assert done.status == 0
        assert done.err == "0 findings: no asyncio construct in 1 file\n"
    assert json.loads(port(monkeypatch, "plain.py", "--format", "json").out) == {
        "findings": [], "files": 1, "skipped": 0}


def test_the_rewrite_as_a_patch_with_a_walks_summary(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (here / "src").mkdir()
    (here / "src" / "app.py").write_text(APP)
    (here / "src" / "empty.py").write_text("")
    (here / "src" / "plain.py").write_text("x = 1\n")
    done = port(monkeypatch, "src", "--rewrite")
    assert done.status == 1
    assert done.text.startswith("--- a/src/app.py\n+++ b/src/app.py\n@@ -1,16 +1,24 @@\n")
    assert "-    await asyncio.sleep(1)\n+    await trio.sleep(1)\n" in done.text
    assert done.text.count("--- a/") == 1
    assert done.err == "6 findings in 1 of 3 files\n"


def test_rewrite_as_json_carries_each_files_patch_and_findings(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (here / "src").mkdir()
    (here / "src" / "app.py").write_text(APP)
    (here / "src" / "bad.py").write_text("def f(:\n")
    (here / "src" / "plain.py").write_text("x = 1\n")
    done = port(monkeypatch, "src", "--rewrite", "--format", "json")
    assert done.status == 1 and done.text.endswith("}\n")
    report = json.loads(done.out)
    assert set(report) == {"files", "skipped"} and report["skipped"] == 1
    app, plain = report["files"]
    assert (app["path"], plain["path"]) == ("src/app.py", "src/plain.py")
    assert app["patch"].startswith("--- a/src/app.py\n") and plain["patch"] == ""
    assert [f["line"] for f in app["findings"]] == APP_LINES and plain["findings"] == []
    assert app["findings"][0]["path"] == "src/app.py"
    assert done.text.startswith('{\n  "files": [\n    {\n      "path": "src/app.py",')


def test_rewrite_as_markdown_fences_each_patch_that_is_not_empty(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A patch that holds a fence of three backticks gets a fence of four."""
    (here / "src").mkdir()
    (here / "src" / "app.py").write_text(APP)
    (here / "src" / "doc.py").write_text('"""```\nexample\n```"""\n' + APP)
    (here / "src" / "plain.py").write_text("x = 1\n")
    done = port(monkeypatch, "src", "--rewrite", "--format", "markdown")
    assert done.status == 1
    app, doc = done.text.split("\n\nsrc/doc.py:\n\n")
    assert app.startswith("src/app.py:\n\n```diff\n--- a/src/app.py\n")
    assert app.endswith("+trio.run(main)\n```")
    assert doc.startswith("````diff\n--- a/src/doc.py\n") and doc.endswith("\n````\n\n")
    assert "plain.py" not in done.text


def test_rewrite_with_nothing_to_rewrite_says_so(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Findings but an empty patch: the summary says why, once; as JSON or markdown the
    output shows it already, and only a walk has a summary."""
    (here / "app.py").write_text("import asyncio\n")
    done = port(monkeypatch, "app.py", "--rewrite")
    assert (done.status, done.out) == (1, b"")
    assert done.err == \
        "1 findings in 1 of 1 files; nothing to rewrite: see them without --rewrite\n"
    for form in ("json", "markdown"):
        done = port(monkeypatch, "app.py", "--rewrite", "--format", form)
        assert (done.status, done.err) == (1, "")
    (here / "src").mkdir()
    (here / "src" / "a.py").write_text("import asyncio\n")
    (here / "src" / "b.py").write_text(APP)
    done = port(monkeypatch, "src", "--rewrite")
    assert done.err == "7 findings in 2 of 2 files\n"


# -- the patch's names and encodings -----------------------------------------------------------


def test_a_patch_names_each_file_so_that_it_applies_from_here(
        here: Path, tmp_path: Path) -> None:
    assert verb.patch_label(Path("src/app.py")) == ("src/app.py", None)
    assert verb.patch_label(Path("app.py"), cwd=Path("/elsewhere")) == ("app.py", None)
    assert verb.patch_label(here / "src" / "app.py") == ("src/app.py", None)
    assert verb.patch_label(Path("../work/src/app.py")) == ("src/app.py", None)
    outside = tmp_path / "out" / "app.py"
    assert verb.patch_label(outside) == ("app.py", (
        f"{outside} is outside the current directory: the patch names it app.py; apply it "
        f"in {outside.parent}"))
    assert verb.patch_label(outside, cwd=tmp_path) == ("out/app.py", None)
    root = Path("../out")
    assert verb.patch_label(root / "a" / "x.py", root=root) == ("out/a/x.py", (
        f"../out is outside the current directory: the patch names its files relative to "
        f"{tmp_path}; apply it there"))


def test_a_walk_outside_here_notes_once_where_to_apply_its_patch(
        here: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a", "b"):
        (tmp_path / "out" / name).mkdir(parents=True)
        (tmp_path / "out" / name / "__init__.py").write_text(APP)
    done = port(monkeypatch, "../out", "--rewrite")
    assert done.status == 1
    assert "--- a/out/a/__init__.py\n" in done.text and "--- a/out/b/__init__.py\n" in done.text
    assert done.err.splitlines() == [
        f"walkthrough port: note: ../out is outside the current directory: the patch names its "
        f"files relative to {tmp_path}; apply it there",
        "12 findings in 2 of 2 files"]
    one = port(monkeypatch, "../out/a/__init__.py", "--rewrite")
    assert one.err.splitlines() == [
        f"walkthrough port: note: ../out/a/__init__.py is outside the current directory: the "
        f"patch names it __init__.py; apply it in {tmp_path / 'out' / 'a'}"]
    assert one.text.startswith("--- a/__init__.py\n")
    # without --rewrite there is no patch, and nothing to say about one
    assert port(monkeypatch, "../out/a/__init__.py").err == ""


def test_the_patch_is_in_its_files_encoding(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A latin-1 file's patch is latin-1 (its `é` must match the file's byte), and the arrow
    of a TODO, which latin-1 lacks, is spelled `->`; a BOM file's patch shows its BOM."""
    source = "# -*- coding: latin-1 -*-\n" + APP.replace('"One"', '"Oné"')
    (here / "latin.py").write_bytes(source.encode("latin-1"))
    done = port(monkeypatch, "latin.py", "--rewrite")
    assert done.status == 1
    assert b'     print("On\xe9", n)\n' in done.out
    assert b"# TODO(trio): asyncio.Queue -> trio.open_memory_channel" in done.out
    assert "→".encode() not in done.out
    (here / "bom.py").write_bytes(b"\xef\xbb\xbf" + APP.encode())
    done = port(monkeypatch, "bom.py", "--rewrite")
    assert done.out.startswith(b"--- a/bom.py\n+++ b/bom.py\n@@ -1,16 +1,24 @@\n"
                               b" \xef\xbb\xbfimport asyncio\n")
    assert "# TODO(trio): asyncio.Queue → trio".encode() in done.out
    (here / "utf8.py").write_text(APP.replace('"One"', '"Oné"'), encoding="utf-8")
    done = port(monkeypatch, "utf8.py", "--rewrite")
    assert 'print("Oné", n)'.encode() in done.out and "→".encode() in done.out


def test_a_character_no_spelling_can_give_is_escaped() -> None:
    assert verb._encode("a → b é\n", "utf-8") == "a → b é\n".encode()
    assert verb._encode("a → b … “c” — ‘d’ – é\n", "latin-1") == \
        b"a -> b ... \"c\" -- 'd' - \xe9\n"
    assert verb._encode("a → ☃\n", "ascii") == b"a -> \\u2603\n"


# -- the summary -------------------------------------------------------------------------------


def finding(path: str) -> Finding:
    return Finding(path, 1, 1, "import asyncio", "import trio", "", ())


def test_the_summary_says_what_was_read_and_found() -> None:
    assert verb.summary([finding("a.py"), finding("a.py"), finding("b.py")], 5, 0, 0) == \
        "3 findings in 2 of 5 files"
    assert verb.summary([finding("a.py")], 1, 2, 0) == "1 findings in 1 of 1 files; 2 skipped"
    assert verb.summary([], 0, 3, 0) == "0 findings: no file could be read; 3 skipped"
    assert verb.summary([], 1, 0, 0) == "0 findings: no asyncio construct in 1 file"
    assert verb.summary([], 2, 0, 0) == "0 findings: no asyncio construct in 2 files"
    assert verb.summary([], 1, 0, 1) == \
        "0 findings: no asyncio construct in 1 file (it is empty)"
    assert verb.summary([], 3, 1, 1) == \
        "0 findings: no asyncio construct in 3 files (1 of them empty); 1 skipped"
    assert verb.summary([], 2, 0, 2) == \
        "0 findings: no asyncio construct in 2 files (2 of them empty)"


def test_a_walk_counts_its_empty_files(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (here / "src").mkdir()
    for name, text in (("a.py", ""), ("b.py", "  \n\n"), ("c.py", "x = 1\n")):
        (here / "src" / name).write_text(text)
    done = port(monkeypatch, "src")
    assert (done.status, done.out) == (0, b"")
    assert done.err == "0 findings: no asyncio construct in 3 files (2 of them empty)\n"
