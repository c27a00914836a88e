"""``walkthrough port`` on inputs a user really gives it: issue 24's robustness cases.

Each test names one way the tool used to fail on a real input (a FIFO that hung it, a valid
latin-1 file it refused, a patch that ``git apply`` rejected, a quadratic diff, a wheel that
could not find its own concept map), and runs the command as a user would: in a subprocess,
from a directory of the test's own.
"""

from __future__ import annotations

import ast
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from walkthrough.port import formatting
from walkthrough.port.rewriting import rewrite

ROOT = Path(__file__).resolve().parent.parent

#: A small program with something for each kind of edit: a rewrite in place, a TODO above a
#: line, ``import trio`` inserted.
APP = '''\
import asyncio


async def count(n):
    print("One", n)
    await asyncio.sleep(1)
    print("Two", n)


async def main():
    queue = asyncio.Queue()
    await queue.put(1)
    await asyncio.gather(count(1), count(2))


asyncio.run(main())
'''


def walkthrough(*args: str, cwd: Path = ROOT, stdin: bytes | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    """The command, as bytes: line endings and encodings are what some tests look at."""
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-W", "error", "-m", "walkthrough", "port", *args],
                          capture_output=True, cwd=cwd, env=env, timeout=timeout,
                          input=stdin if stdin is not None else b"")


def git_repo(path: Path) -> Path:
    """A fresh repository with no line-ending conversion, whatever the user's git config."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True, timeout=60)
    subprocess.run(["git", "-C", str(path), "config", "core.autocrlf", "false"], check=True,
                   timeout=60)
    return path


def git_apply(patch: bytes, cwd: Path) -> None:
    applied = subprocess.run(["git", "apply", "-"], input=patch, cwd=cwd, capture_output=True,
                             timeout=60)
    assert applied.returncode == 0, applied.stderr.decode()


# ---------------------------------------------------------------------------------------------
# Only regular files are read


@pytest.mark.timeout(60)
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_inside_a_directory_is_skipped_not_waited_on(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import asyncio\n")
    os.mkfifo(tmp_path / "x.py")  # no writer ever comes: opening it for reading would block
    (tmp_path / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    done = walkthrough(str(tmp_path), timeout=30)
    assert done.returncode == 1, done.stderr
    assert b"a.py:1: import asyncio" in done.stdout
    assert b"x.py" not in done.stdout + done.stderr
    assert b"dangling.py" not in done.stdout + done.stderr
    assert b"1 findings in 1 of 1 files" in done.stderr


@pytest.mark.timeout(60)
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_directly_is_a_usage_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.py")
    done = walkthrough(str(tmp_path / "x.py"), timeout=30)
    assert done.returncode == 2
    assert b"a FIFO, not a Python file (to read a pipe, give `-`" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.timeout(60)
@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null here")
def test_a_device_named_directly_is_a_usage_error() -> None:
    done = walkthrough("/dev/null", timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip().endswith(b"/dev/null: a device, not a Python file")


# ---------------------------------------------------------------------------------------------
# Decoded as Python decodes a module (PEP 263)


@pytest.mark.parametrize("data", [
    b"\xef\xbb\xbfimport asyncio\nasyncio.run(main())\n",
    b"# -*- coding: latin-1 -*-\nimport asyncio\nname = '\xe9t\xe9'\nasyncio.run(main())\n",
    b"#!/usr/bin/env python3\n# vim: set fileencoding=cp1252 :\nimport asyncio\n"
    b"print('\x80')\nasyncio.run(main())\n",
], ids=["utf-8 BOM", "latin-1 coding line", "cp1252 on line 2"])
def test_what_python_reads_is_read(tmp_path: Path, data: bytes) -> None:
    compile(data, "input.py", "exec")  # Python itself accepts it
    path = tmp_path / "input.py"
    path.write_bytes(data)
    done = walkthrough(str(path))
    assert done.returncode == 1, done.stderr
    last = len(data.splitlines())
    assert f"input.py:{last}: asyncio.run".encode() in done.stdout


@pytest.mark.parametrize(("data", "message"), [
    (b"# -*- coding: klingon -*-\nimport asyncio\n", "unknown encoding: klingon"),
    (b"\xef\xbb\xbf# coding: latin-1\nimport asyncio\n", "encoding problem"),
    (b"# coding: utf-8\nx = '\xe9'\n", "not UTF-8 text: byte 21"),
    (b"# coding: ascii\nx = '\xe9'\n", "not ascii text: byte 21"),
], ids=["unknown codec", "BOM and latin-1", "not utf-8", "not ascii"])
def test_a_wrong_or_unknown_encoding_is_one_line(tmp_path: Path, data: bytes,
                                                 message: str) -> None:
    path = tmp_path / "input.py"
    path.write_bytes(data)
    done = walkthrough(str(path))
    assert done.returncode == 2
    assert message.encode() in done.stderr and b"Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_latin1_files_patch_is_in_latin1_and_applies(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo")
    data = ("# -*- coding: latin-1 -*-\n" + APP.replace('"One"', '"Un été"')).encode("latin-1")
    (repo / "app.py").write_bytes(data)
    done = walkthrough("app.py", "--rewrite", cwd=repo)
    assert done.returncode == 1, done.stderr
    git_apply(done.stdout, repo)
    new = (repo / "app.py").read_bytes()
    assert new != data and b"Un \xe9t\xe9" in new
    compile(new, "app.py", "exec")


def test_a_bom_files_patch_keeps_the_bom(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo")
    data = b"\xef\xbb\xbf" + APP.encode()
    (repo / "app.py").write_bytes(data)
    done = walkthrough("app.py", "--rewrite", cwd=repo)
    git_apply(done.stdout, repo)
    new = (repo / "app.py").read_bytes()
    assert new != data and new.startswith(b"\xef\xbb\xbf") and new.count(b"\xef\xbb\xbf") == 1


# ---------------------------------------------------------------------------------------------
# `-` is standard input


def test_dash_reads_standard_input() -> None:
    done = walkthrough("-", stdin=APP.encode())
    assert done.returncode == 1, done.stderr
    assert b"<stdin>:1: import asyncio" in done.stdout
    assert b"<stdin>:16: asyncio.run" in done.stdout


def test_dash_with_rewrite_names_the_file_stdin_py_and_patch_applies_it(tmp_path: Path) -> None:
    done = walkthrough("-", "--rewrite", stdin=APP.encode())
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(b"--- a/stdin.py\n+++ b/stdin.py\n")
    (tmp_path / "app.py").write_text(APP)
    applied = subprocess.run(["patch", "-s", "app.py"], input=done.stdout, cwd=tmp_path,
                             capture_output=True, timeout=60)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert (tmp_path / "app.py").read_text() != APP


def test_the_help_says_what_dash_and_the_patch_names_do() -> None:
    done = subprocess.run([sys.executable, "-m", "walkthrough", "port", "--help"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={**os.environ, "COLUMNS": "100"})
    text = " ".join(done.stdout.split())
    assert "or - for standard input" in text
    assert "Standard input is named stdin.py" in text
    assert "A file outside the current directory is named by its file name alone" in text
    assert '--format json prints {"files": [{"path", "patch", "findings"}, ...]' in text
    assert "keeps each file's line endings" in text


# ---------------------------------------------------------------------------------------------
# The summary says the truth


def test_an_empty_file_is_said_to_be_empty(tmp_path: Path) -> None:
    (tmp_path / "empty.py").write_bytes(b"")
    done = walkthrough(str(tmp_path / "empty.py"))
    assert done.returncode == 0 and done.stdout == b""
    assert done.stderr.decode().strip() == "0 findings: no asyncio construct in 1 file " \
                                           "(it is empty)"


def test_a_directory_without_asyncio_says_how_many_files_were_read(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("print('a')\n")
    (tmp_path / "b.py").write_text("")
    (tmp_path / "c.py").write_text("def f(:\n")
    done = walkthrough(str(tmp_path))
    assert done.returncode == 0
    assert done.stderr.decode().splitlines()[-1] == \
        "0 findings: no asyncio construct in 2 files (1 of them empty); 1 skipped"


# ---------------------------------------------------------------------------------------------
# --format with --rewrite


def test_rewrite_as_json_carries_each_files_patch_and_findings(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "plain.py").write_text("print('no asyncio')\n")
    done = walkthrough(".", "--rewrite", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert [f["path"] for f in data["files"]] == ["app.py", "plain.py"]
    app, plain = data["files"]
    assert app["patch"].startswith("--- a/app.py\n+++ b/app.py\n")
    assert {"path", "line", "construct", "trio"} <= set(app["findings"][0])
    assert plain == {"path": "plain.py", "patch": "", "findings": []}
    assert data["skipped"] == 0
    repo = git_repo(tmp_path / "repo")
    (repo / "app.py").write_text(APP)
    git_apply(app["patch"].encode(), repo)


def test_rewrite_as_markdown_fences_each_patch(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    done = walkthrough("app.py", "--rewrite", "--format", "markdown", cwd=tmp_path)
    text = done.stdout.decode()
    assert text.startswith("app.py:\n\n```diff\n--- a/app.py\n+++ b/app.py\n")
    assert text.rstrip().endswith("```")


# ---------------------------------------------------------------------------------------------
# Patch headers git apply accepts


@pytest.mark.parametrize("case", ["relative", "absolute", "dot-dot under cwd", "../x.py"])
def test_the_patch_applies_with_git_apply_wherever_the_file_is(tmp_path: Path,
                                                               case: str) -> None:
    repo = git_repo(tmp_path / "repo")
    (repo / "sub").mkdir()
    (repo / "app.py").write_text(APP)
    arg, cwd, label = {
        "relative": ("app.py", repo, "app.py"),
        "absolute": (str(repo / "app.py"), repo, "app.py"),
        "dot-dot under cwd": ("sub/../app.py", repo, "app.py"),
        "../x.py": ("../app.py", repo / "sub", "app.py"),
    }[case]
    done = walkthrough(arg, "--rewrite", cwd=cwd)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(f"--- a/{label}\n+++ b/{label}\n".encode())
    if case == "../x.py":
        assert b"outside the current directory" in done.stderr
        assert f"apply it in {repo.resolve()}".encode() in done.stderr
    else:
        assert done.stderr == b""
    git_apply(done.stdout, repo)
    assert (repo / "app.py").read_text() != APP


# ---------------------------------------------------------------------------------------------
# Line endings


def test_a_crlf_file_comes_back_with_crlf_endings_only(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo")
    data = APP.replace("\n", "\r\n").encode()
    (repo / "app.py").write_bytes(data)
    done = walkthrough("app.py", "--rewrite", cwd=repo)
    assert done.returncode == 1, done.stderr
    git_apply(done.stdout, repo)
    new = (repo / "app.py").read_bytes()
    assert new != data
    assert new.count(b"\n") == new.count(b"\r\n"), "a line ends in a bare LF"
    assert new.count(b"\n") > data.count(b"\n")  # lines were added, all of them CRLF
    compile(new, "app.py", "exec")


@pytest.mark.parametrize("crlf", [False, True], ids=["LF", "CRLF"])
def test_a_file_without_a_final_newline_stays_without_one(tmp_path: Path, crlf: bool) -> None:
    repo = git_repo(tmp_path / "repo")
    text = APP.rstrip("\n")  # ends in `asyncio.run(main())`, which the rewrite edits
    if crlf:
        text = text.replace("\n", "\r\n")
    (repo / "app.py").write_bytes(text.encode())
    done = walkthrough("app.py", "--rewrite", cwd=repo)
    assert b"\\ No newline at end of file" in done.stdout
    git_apply(done.stdout, repo)
    new = (repo / "app.py").read_bytes()
    assert new != text.encode() and not new.endswith((b"\n", b"\r"))
    if crlf:
        assert new.count(b"\n") == new.count(b"\r\n")
    compile(new, "app.py", "exec")


def test_import_asyncio_as_the_last_line_without_a_newline() -> None:
    source = "async def main():\n    await asyncio.sleep(1)\nimport asyncio"
    diff, _ = formatting.patch(source, "app.py")
    new = apply(source, diff)
    ast.parse(new)  # not `import asyncioimport trio`
    assert not new.endswith("\n")


# ---------------------------------------------------------------------------------------------
# The diff: the same as diff -u, in linear time


def apply(old: str, diff: str) -> str:
    """A unified diff applied to ``old``, strictly: every context and removed line must match."""
    lines = old.splitlines(keepends=True)
    out: list[str] = []
    i = 0
    body = diff.splitlines(keepends=True)[2:]
    k = 0
    while k < len(body):
        header = body[k]
        assert header.startswith("@@ -"), header
        first, _, length = header.split()[1][1:].partition(",")
        start = int(first) if length == "0" else int(first) - 1  # an empty range: the line before
        out += lines[i:start]
        i = start
        k += 1
        while k < len(body) and not body[k].startswith("@@"):
            line = body[k]
            k += 1
            no_newline = k < len(body) and body[k].startswith("\\ No newline")
            text = line[1:-1] if no_newline else line[1:]
            if no_newline:
                k += 1
            if line[0] in " -":
                assert lines[i] == text, (lines[i], text)
                i += 1
            if line[0] in " +":
                out.append(text)
    return "".join(out + lines[i:])


@pytest.mark.parametrize(("old", "new"), [
    ("a\nb\nc\n", "a\nb\nc\n"),
    ("", "x\n"),
    ("x\n", ""),
    ("a\nb\nc\n", "z\na\nb\nc\n"),
    ("a\nb\nc", "a\nb\nc\n"),
    ("a\nb\nc\n", "a\nB\nc"),
    ("\n".join(map(str, range(40))) + "\n",
     "\n".join(("# TODO\n" + str(n)) if n % 7 == 0 else str(n) for n in range(40)) + "\n"),
    ("\n".join(["x"] * 30) + "\n", "\n".join(["x"] * 12 + ["y", "y"] + ["x"] * 17) + "\n"),
], ids=["same", "from empty", "to empty", "insert first", "newline added", "newline removed",
        "many hunks", "repeated lines"])
def test_the_diff_turns_old_into_new(old: str, new: str) -> None:
    diff = formatting.unified_diff(old, new, "f.py")
    assert (diff == "") == (old == new)
    if diff:
        assert apply(old, diff) == new


@given(st.lists(st.sampled_from(["a\n", "b\n", "\n", "x = 1\n", "y\r\n"]), max_size=40),
       st.data())
@settings(max_examples=300, deadline=None)
def test_any_insertions_and_replacements_give_a_diff_that_applies(
        old_lines: list[str], data: st.DataObject) -> None:
    """Whatever lines are inserted or replaced, the patch turns the old text into the new."""
    new_lines = list(old_lines)
    for _ in range(data.draw(st.integers(0, 5))):
        at = data.draw(st.integers(0, len(new_lines)))
        gone = data.draw(st.integers(0, min(3, len(new_lines) - at)))
        added = data.draw(st.lists(st.sampled_from(["a\n", "# TODO\n", "\n", "b\n"]),
                                   max_size=4))
        new_lines[at:at + gone] = added
    old, new = "".join(old_lines), "".join(new_lines)
    # either text may lack its final newline
    if data.draw(st.booleans()):
        old = old.removesuffix("\n")
    if data.draw(st.booleans()):
        new = new.removesuffix("\n")
    diff = formatting.unified_diff(old, new, "f.py")
    assert (diff == "") == (old == new)
    if diff:
        assert apply(old, diff) == new


def test_the_diff_has_the_hunks_difflib_has() -> None:
    import difflib

    old = "".join(f"line {n}\n" for n in range(100))
    new = old.replace("line 10\n", "# TODO\nline 10\n").replace("line 50\n", "LINE 50\n")
    new = new.replace("line 53\n", "line 53\nextra\n")
    ours = formatting.unified_diff(old, new, "f.py")
    theirs = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                          "a/f.py", "b/f.py"))
    assert ours == theirs


def _program(lines: int) -> str:
    block = '''

async def worker_{n}(q):
    """One worker."""
    total = 0
    for i in range(10):
        total += i
    await q.put(total)
    await asyncio.sleep(0.1)
    return total
'''
    parts = ["import asyncio\n"]
    for n in range(lines // block.count("\n")):
        parts.append(block.format(n=n))
    return "".join(parts) + "\nasyncio.run(main())\n"


@pytest.mark.timeout(180)
def test_the_rewrite_patch_grows_linearly_with_the_file() -> None:
    """2,500 and 20,000 lines: linear is 8x the time, quadratic 64x; allow 12x for noise.

    difflib took 28 s for 25,000 lines and 110 s for 50,000. The whole patch is dominated by
    the rewrite, which would hide a quadratic diff at these sizes (difflib put back made the
    patch 14x, not 64x), so the diff of the rewritten text is timed on its own as well.

    Issue 26: timed by the wall clock, the ratio failed under ``pytest -n 4`` because other
    processes' work counted. So each run is timed in CPU seconds of this process
    (``time.process_time``), which others' work does not add to; the sizes take turns, so
    that a slow spell of the machine falls on both, and each counts its best run; the cyclic
    garbage collector is off while timing: its passes cost more the more objects (AST nodes)
    are alive, which is not the tool's growth.
    """
    made: dict[int, str] = {}

    def cpu_seconds(work: Callable[[], object], size: int | None = None) -> float:
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            result = work()
            spent = time.process_time() - start
        finally:
            gc.enable()
        if size is not None:  # a timed patch: keep its diff, looked at below
            made[size] = cast("tuple[str, object]", result)[0]
        return spent

    sources = {size: _program(size) for size in (2_500, 20_000)}
    rewritten = {size: rewrite(text, "big.py")[0] for size, text in sources.items()}
    best_patch = dict.fromkeys(sources, float("inf"))
    best_diff = dict.fromkeys(sources, float("inf"))
    for _ in range(2):
        for size, runs in ((2_500, 2), (20_000, 1)):
            text, new = sources[size], rewritten[size]
            for _ in range(runs):
                best_patch[size] = min(best_patch[size], cpu_seconds(
                    partial(formatting.patch, text, "big.py"), size))
            # The diff alone takes milliseconds (4 ms for 2,500 lines): a slow spell weighs
            # more on it, so it has more runs (12.6x once, under load, with three).
            for _ in range(10 * runs):
                best_diff[size] = min(best_diff[size], cpu_seconds(
                    partial(formatting.unified_diff, text, new, "big.py")))
    for size, text in sources.items():  # it does rewrite (the timed patches' own diffs)
        assert made[size].count("\n+") > text.count("asyncio.sleep"), size
    for what, best in (("patch", best_patch), ("diff", best_diff)):
        small, large = best[2_500], best[20_000]
        assert large < 8 * 1.5 * small, \
            f"{what}: {large / small:.1f}x the time for 8x the lines ({small:.4f} s, {large:.4f} s)"


def test_a_patch_never_deletes_and_re_adds_a_line_it_kept() -> None:
    """Edits a line or two apart fall in one region of the resync search; shown whole, the
    blank line and the `async def` between them came out as `-` and `+` of the same text."""
    source = ("import asyncio\n\nasync def main():\n    await asyncio.sleep(1)\n\n"
              "asyncio.run(main())\n")
    diff, _ = formatting.patch(source, "app.py")
    removed = {line[1:] for line in diff.splitlines() if line.startswith("-") and
               not line.startswith("---")}
    added = {line[1:] for line in diff.splitlines() if line.startswith("+") and
             not line.startswith("+++")}
    assert removed == {"    await asyncio.sleep(1)", "asyncio.run(main())"}
    assert not removed & added


def test_progress_fits_the_terminal(tmp_path: Path) -> None:
    """Issue 26: the progress line was padded to 100 columns, so a 60-column terminal wrapped
    it and got one line per file. On a terminal (a pty) of 60 columns, no progress line is
    wider than 59, and the file's name survives the cut."""
    import pty
    deep = tmp_path / "src" / ("a_long_package_name_" * 3) / "sub"
    deep.mkdir(parents=True)
    for i in range(3):
        (deep / f"module_{i}.py").write_text("import asyncio\n")
    parent, child = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-W", "error", "-m", "walkthrough", "port",
                               str(tmp_path / "src")], stdout=subprocess.DEVNULL, stderr=child,
                              env={**os.environ, "COLUMNS": "60"}, timeout=120)
        os.close(child)
        child = -1
        chunks = []
        while True:
            try:
                data = os.read(parent, 65536)
            except OSError:  # EIO: the child side is closed and drained
                break
            if not data:
                break
            chunks.append(data)
    finally:
        if child != -1:
            os.close(child)
        os.close(parent)
    assert done.returncode == 1
    progress = [p for p in b"".join(chunks).decode().replace("\r\n", "\n").split("\r")
                if p.startswith("[")]
    assert len(progress) == 3
    assert all(len(p.split("\n")[0]) <= 59 for p in progress), progress
    assert all(p.split("\n")[0].rstrip().endswith(f"module_{i}.py")
               for i, p in enumerate(progress))


# ---------------------------------------------------------------------------------------------
# Review of `walkthrough port` (issue 27): deep code, warnings, walks outside, exit statuses

def elif_chain(branches: int) -> str:
    """A valid module with an ``if``/``elif`` chain of ``branches`` branches: Python runs it,
    and ``ast`` nests each ``elif`` inside the one before (a visitor recurses once per branch)."""
    lines = ["import asyncio", "", "", "async def main(x):", "    if x == 0:", "        pass"]
    for i in range(1, branches):
        lines += [f"    elif x == {i}:",
                  "        await asyncio.sleep(1)" if i == branches // 2 else "        pass"]
    return "\n".join(lines) + "\n"


def test_a_long_elif_chain_is_scanned_and_rewritten(tmp_path: Path) -> None:
    (tmp_path / "chain.py").write_text(elif_chain(500))
    compile(elif_chain(500), "chain.py", "exec")  # Python accepts it
    done = walkthrough("chain.py", cwd=tmp_path)
    assert done.returncode == 1, done.stderr[-500:]
    assert b"chain.py:506: asyncio.sleep -> " in done.stdout
    done = walkthrough("chain.py", "--rewrite", cwd=tmp_path)
    assert done.returncode == 1, done.stderr[-500:]
    assert b"+        await trio.sleep(1)" in done.stdout


def test_absurd_nesting_is_one_line_alone_and_skipped_in_a_walk(tmp_path: Path) -> None:
    (tmp_path / "deep.py").write_text("x = " + "-" * 100_000 + "1\n")
    (tmp_path / "app.py").write_text(APP)
    for args in (["deep.py"], ["deep.py", "--rewrite"]):
        done = walkthrough(*args, cwd=tmp_path)
        assert done.returncode == 2
        assert done.stderr.decode().splitlines() == [
            "walkthrough port: error: deep.py: too deeply nested to scan"]
    done = walkthrough(".", cwd=tmp_path)
    assert done.returncode == 1
    assert b"skipped deep.py: too deeply nested to scan\n" in done.stderr
    assert b"Traceback" not in done.stderr and b"app.py:1: import asyncio" in done.stdout


def test_an_invalid_escape_sequence_parses_under_w_error(tmp_path: Path) -> None:
    """``"\\d"`` warns as Python parses it (DeprecationWarning before 3.12, SyntaxWarning
    after); ``-W error`` turned the warning into "cannot parse as Python"."""
    (tmp_path / "esc.py").write_text('import re\nimport asyncio\nx = re.compile("\\d")\n')
    done = walkthrough("esc.py", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert b"esc.py:2: import asyncio" in done.stdout and done.stderr.count(b"\n") == 0


def test_a_walk_outside_the_current_directory_gives_a_patch_that_applies(
        tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo")
    for name in ("a", "b"):
        (repo / "out" / name).mkdir(parents=True)
        (repo / "out" / name / "__init__.py").write_text(APP)
    (repo / "sub").mkdir()
    done = walkthrough("../out", "--rewrite", cwd=repo / "sub")
    assert done.returncode == 1, done.stderr
    assert b"--- a/out/a/__init__.py\n" in done.stdout
    assert b"--- a/out/b/__init__.py\n" in done.stdout
    notes = [line for line in done.stderr.decode().splitlines() if "note:" in line]
    assert notes == [f"walkthrough port: note: ../out is outside the current directory: the "
                     f"patch names its files relative to {repo.resolve()}; apply it there"]
    git_apply(done.stdout, repo)
    assert "trio.run(main)" in (repo / "out" / "b" / "__init__.py").read_text()


def test_a_walk_whose_every_file_is_skipped_exits_2(tmp_path: Path) -> None:
    (tmp_path / "c.py").write_text("def f(:\n")
    done = walkthrough(str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.decode().splitlines()[-1] == "0 findings: no file could be read; 1 skipped"


def test_rewrite_with_nothing_to_rewrite_says_so(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import asyncio\n")
    done = walkthrough("app.py", "--rewrite", cwd=tmp_path)
    assert done.returncode == 1 and done.stdout == b""
    assert done.stderr.decode().splitlines() == [
        "1 findings in 1 of 1 files; nothing to rewrite: see them without --rewrite"]


def test_the_size_limit_is_said_in_bytes(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_bytes(b"x = 1\n" * 340_000)  # 2,040,000 bytes
    done = walkthrough("big.py", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines() == [
        "walkthrough port: error: big.py: too large to scan (2,040,000 bytes; the limit is "
        "2,000,000)"]
    done = walkthrough("-", stdin=b"x = 1\n" * 340_000)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines() == [
        "walkthrough port: error: <stdin>: too large to scan (more than 2,000,000 bytes; the "
        "limit is 2,000,000)"]


def test_the_help_lists_every_exit_2_case() -> None:
    done = subprocess.run([sys.executable, "-m", "walkthrough", "port", "--help"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={**os.environ, "COLUMNS": "100"})
    text = " ".join(done.stdout.split())
    assert "a directory with no .py file under it" in text
    assert "a directory whose every file was skipped" in text
    assert "relative to the walked directory's parent" in text


def test_a_packages_module_run_on_disk_keeps_its_own_imports(tmp_path: Path) -> None:
    """Settled case 2 of the corpus README, on real paths: a module of the aiocache package
    (a folder with ``__init__.py``) imports aiocache without a finding, named from the sdist's
    root, from inside the package, or absolutely; an example beside the package does not."""
    package = tmp_path / "aiocache"
    package.mkdir()
    (package / "__init__.py").write_text("")
    module = "import asyncio\nfrom aiocache.base import BaseCache\n\nBaseCache()\n"
    (package / "lock.py").write_text(module)
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "redlock.py").write_text(module)

    def lines(path: str, cwd: Path) -> set[int]:
        done = walkthrough("--format", "json", path, cwd=cwd)
        return {f["line"] for f in json.loads(done.stdout)["findings"]}

    assert lines("aiocache/lock.py", tmp_path) == {1}
    assert lines("lock.py", package) == {1}
    assert lines(str(package / "lock.py"), ROOT) == {1}
    assert lines("examples/redlock.py", tmp_path) == {1, 2, 4}
