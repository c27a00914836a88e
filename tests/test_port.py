"""``walkthrough port``: what it finds in asyncio code, measured against the lessons' own twins.

Ground truth is the project itself: each ``asyncio_ref/X.py`` was ported by hand to
``trio_port/X.py``, so the statements that differ between the twins are the ones a port must
touch. Run on the asyncio twin, the tool must

* report nothing on a line that did not change (precision, over all eight lessons), and
* report every changed statement that holds an asyncio construct (recall). The changed
  statements that hold none are listed in ``STRUCTURAL``, each with the reason it changed.

A line counts as changed when its text (indentation aside) differs: a line that is only
re-indented, because the Trio twin wraps it in a ``with``, changed nothing a user must port.
"""

from __future__ import annotations

import ast
import difflib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from walkthrough import catalogue, conceptmap, port

ROOT = Path(__file__).resolve().parent.parent

#: The entry points: asyncio.run takes a coroutine *object*, made before the run so that a
#: Ctrl-C before the run starts can close it. The asyncio.run call and its `except
#: KeyboardInterrupt` are reported; these lines go with them.
CLOSE = "closing the coroutine object asyncio.run was given: Trio takes the function"
ENTRY = {
    "import inspect": CLOSE + " (closed only if it never started, which inspect tells)",
    "if inspect.getcoroutinestate(coro) == inspect.CORO_CREATED:": CLOSE,
    "coro.close()": CLOSE,
    "sys.exit(130)": "the Trio twin exits 130 from its own except* around trio.run",
}
NOTEBOOK_MODE = ("argument handling for notebook mode, which only the asyncio twin has (the Trio "
                 "twin refuses --global-rng by name)")

#: Changed statements with no asyncio construct in them, by their text, and why they changed.
STRUCTURAL: dict[str, dict[str, str]] = {
    "count": {**ENTRY, "coro = demo_async()": ENTRY["sys.exit(130)"]},
    "makerandom": {
        **ENTRY,
        'parser.add_argument("--global-rng", action="store_true",': NOTEBOOK_MODE,
        'help="notebook mode: one RNG for every task, the notebook\'s own numbers")':
            NOTEBOOK_MODE,
        "coro = demo_notebook() if args.global_rng else demo()": NOTEBOOK_MODE,
    },
    "chained": {
        **ENTRY,
        'parser.add_argument("--global-rng", action="store_true",': NOTEBOOK_MODE,
        'help="notebook mode: one RNG for every task, the notebook\'s own numbers")':
            NOTEBOOK_MODE,
        "coro = (demo_notebook if args.global_rng else demo)(*args.names)": NOTEBOOK_MODE,
    },
    "asyncgen": {**ENTRY, "coro = demo()": ENTRY["sys.exit(130)"]},
    "queue": {
        **{k: v for k, v in ENTRY.items() if k != "sys.exit(130)"},
        "coro = demo()": "the coroutine object asyncio.run is given: Trio takes the function",
        "try:": "asyncio's gather-join-cancel sequence; its calls are reported on their lines",
        "finally:": "the same sequence: cancelling the consumers by hand",
        "for k in range(ncon):": "the loop that starts consumers: Trio starts them in a nursery",
        "for c in consumers:": "cancelling by hand: the `.cancel()` in its body is reported",
    },
    "crawler": {
        "from io import IOBase": "the type of the file the asyncio twin closes itself "
            "(_close_seen_through; trio.open_file's own close waits for its thread)",
        "await _close_seen_through(raw)": "the asyncio twin closes the TSV in a shielded "
            "executor future, seen through a second Ctrl-C (an await of its own helper; "
            "its asyncio.shield is reported in the helper)",
        "if not decoder.identity:  # a compressed chunk is many steps (a bomb's, about 1,000)":
            "when to yield between decoding steps: asyncio.sleep(0) is reported on its line, "
            "and the Trio twin checkpoints at every step",
        "from asyncio_ref._decode import ACCEPT_ENCODING, ContentDecodingError, Decoder":
            "the package's name: each twin imports its own copy of the same module",
        'return "connection"': "the branch for an aiohttp exception (reported on its `if`)",
        "html = await fetch_html(url, session, max_bytes)":
            "passes the session on: the session itself is reported where it is made",
        "res = await parse(url, session, url_timeout=url_timeout, max_bytes=max_bytes,":
            "the same",
        "try:": "asyncio's shield-then-await dance and its cancel-on-error: each reported on "
                "its calls",
        "raise": "the same",
        "except BaseException:": "gather's cancel-on-error by hand: a nursery does it",
        "with contextlib.suppress(OSError):  # an open that failed left nothing to close":
            "closing the file a cancelled open's thread opened (run_in_executor and "
            "asyncio.shield are reported on their lines): Trio's open_file waits for its thread",
        "(await opening).close()": "the same",
        "for task in tasks:": "the same: the `.cancel()` in its body is reported",
        "except OutputError as exc:": "what the entry point prints around asyncio.run",
        'print(f"error: {exc}; {output} holds complete rows only ({stats.summary()})",':
            "the same",
        "file=sys.stderr)": "the same",
        "except BrokenPipeError:": "the same",
        "import threading": "the imports follow the code",
        "from typing import Any, NoReturn, TextIO": "the same",
        "FDS_PER_URL = 2": "descriptors a URL holds: the Trio twin's pages hold no TSV handle "
                           "(its writer task holds the one)",
        "if any(len(k) + len(v) > MAX_LINE for k, v in head.raw_headers):":
            "the limit on one header line, checked on aiohttp's heads; the Trio twin checks "
            "httpx's (resp.headers.raw) in its own redirect loop",
        "if sum(len(k) + len(v) + 4 for k, v in head.raw_headers) > MAX_HEAD:":
            "the one limit on a head, checked on aiohttp's heads (the redirects' too); the "
            "Trio twin checks httpx's in its own redirect loop",
        "except OSError as exc:": "the TSV's open and write, by hand for every page: the Trio "
                                  "twin's writer task opens it once",
        "if written != len(data):  # what fit was written: take it back (O_APPEND: it ends here)":
            "the same",
        'f"file-size limit)")': "the same",
        "cancelled = exc": "asyncio's shield-then-await dance (asyncio.shield, reported): the "
                           "page the append saw through is counted before the cancellation "
                           "goes on",
        "if cancelled is not None:": "the same",
        "raise cancelled": "the same",
        "await write_one(file, url, session=session, limit=limit,":
            "passes the session on: the session itself is reported where it is made",
        "url_timeout=url_timeout, max_bytes=max_bytes, stats=stats)": "the same",
        "async def append_rows(file: Path, rows: str) -> None:":
            "the TSV's one owner: the Trio twin's writer task (write_rows) opens the file once "
            "and append_rows writes to it (aiofiles.open is reported on its line)",
        'raise OutputError(f"cannot write {file}: {exc.strerror or exc}") from exc':
            "the same: the writer task's file is named `out` (the write itself is reported)",
        'raise OutputError(f"cannot write {file}: no room for the rows (disk full or the "':
            "the same",
        "if res:": "the writer task prints and counts each page: write_one hands it every one",
        'print(f"Wrote results for source URL: {url}")': "the same",
        "if (signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # inherited: keep ignoring it":
            "whether to take Ctrl-C at all: the same test, worded for each framework's handler",
        "or threading.current_thread() is not threading.main_thread()):": "the same",
        "assert task is not None": "the task asyncio.current_task() gave (that call is reported)",
        "presses = 0": "a Ctrl-C handler as a callback that counts presses "
                       "(loop.add_signal_handler, reported); Trio reads the presses in a loop",
        "def on_sigint() -> None:": "the same callback",
        "nonlocal presses": "the same",
        "presses += 1": "the same",
        "if presses == 1:  # the first: the crawl winds down, writing whole rows": "the same",
        "elif presses == 2:  # the second Ctrl-C: do not wait for the cleanup": "the same",
        "finally:": "the handler is removed by hand (remove_signal_handler, reported)",
        "if presses < 2:": "the same, only before asyncio.run's close, which cancels this task",
        "return presses > 0": "the same callback's result",
        "interrupted = False": "the entry point around asyncio.run (reported)",
        "run = _until_ctrl_c(functools.partial(":
            "the coroutine object asyncio.run is given: Trio takes the function",
        "bulk_crawl_and_write, output, urls, concurrency=concurrency, url_timeout=url_timeout,":
            "the same",
        "max_bytes=max_bytes, stats=stats))": "the same",
        'run.close()  # if it never started: no "coroutine was never awaited" warning':
            CLOSE,
        "return 74": "the exit statuses around asyncio.run, in another order around trio.run",
        "return stdout_closed()": "the same",
    },
    "server": {
        "except ValueError:  # the line overran the reader's limit, start_server(limit=)":
            "the comment names the other reader; the except stays",
        "finally:": "closing the writer by hand: a Trio stream closes with its handler; and "
                    "the registry and the signal handler, undone by hand",
        "with contextlib.suppress(ConnectionError):": "the same",
        "assert task is not None": "a registry of client tasks, because start_server gives "
                                   "us no handle on them: serve_tcp's nursery does",
        "clients[task] = writer  # start_server gives us no handle on its tasks: we keep one":
            "the same registry",
        "try:": "the same registry; start_server's listen error; waiting forever until Ctrl-C",
        "del clients[task]": "the same registry",
        "for writer in clients.values():": "closing every client by hand at shutdown",
        "except OSError as e:": "the listen error: Trio's comes from serve_tcp's nursery",
        "import socket": "the imports follow the code: asyncio's twin sets a socket option "
                         "and opens a socket by hand, Trio's needs neither",
        "return": "the early exits of a callback on a connection accepted while stopping, "
                  "and of an accept error before the listening line: see their lines",
        'return f"{address[0]}:{address[1]}" if isinstance(address, tuple) else "?"':
            "the peer's address: get_extra_info on the writer (reported where the writer is "
            "declared) becomes the socket's getpeername",
        "with contextlib.suppress(OSError, AttributeError):  # gone already; no such option here":
            "TCP_NOTSENT_LOWAT set by hand on the transport's socket: Trio's SocketStream sets "
            "it itself",
        "else:": "the branches of the loop's exception handler (set_exception_handler, "
                 "reported); Trio's accept errors come as log records",
        'warn(f"client {peer(writer)}: " + SEND_ERROR.format(send_timeout=send_timeout))':
            "the same line, with the writer (reported where it is declared) where Trio has "
            "the stream",
        "except OSError as exc:": "announce's checks and start_server's listen error: Trio's "
                                  "comes out of serve_tcp's nursery, in a group",
        "stopping = False": "a registry of client tasks, because start_server gives us no "
                            "handle on them: serve_tcp's nursery does",
        "if stopping:  # accepted just before the server closed: not in `clients` in time":
            "the same registry",
        "await handle(reader, writer, idle_timeout=idle_timeout, max_line=max_line,":
            "passes the two streams on: each is reported where it is declared",
        "send_timeout=send_timeout)": "the same",
        'error = context.get("exception")':
            "the loop's exception handler (set_exception_handler, reported): Trio logs accept "
            "errors, and a logging filter reads them",
        'if (context.get("message") == "socket.accept() out of system resource"': "the same",
        "and isinstance(error, OSError)):": "the same",
        'if exc.errno is None:  # "could not bind on any address" (3.13): see _no_socket':
            "create_server's way of failing out of descriptors, which serve_tcp does not share",
        "_no_socket()": "the same",
        "raise": "the same; and re-raising a cancellation that was not Ctrl-C's "
                 "(uncancel, reported)",
        "stopping = True": "closing every client by hand at shutdown: a cancelled nursery "
                           "closes them",
        "presses = 0": "a Ctrl-C handler as a callback that counts presses "
                       "(loop.add_signal_handler, reported); Trio reads the presses in a loop",
        "def on_sigint() -> None:": "the same callback",
        "nonlocal presses": "the same",
        "presses += 1": "the same",
        "if presses == 1:  # two presses may both be queued: the second changes nothing":
            "the same",
        "return presses > 0": "the same callback's result",
        "main = _until_ctrl_c(functools.partial(":
            "the coroutine object asyncio.run is given: Trio takes the function",
        "serve, port, idle_timeout=idle_timeout, max_line=max_line, send_timeout=send_timeout))":
            "the same",
        "except Unusable as e:": "the entry point's errors around asyncio.run (reported); "
                                 "around trio.run they come in a group, caught with except*",
        'warn(f"error: {e}")': "the same",
        'main.close()  # if the loop could not even start: no "never awaited" warning':
            CLOSE,
        'main.close()  # if it never started: no "coroutine was never awaited" warning':
            CLOSE,
        'warn(f"error: cannot listen on {HOST}:{port}: {os.strerror(e.errno or 0)}")':
            "the same error, read from the group's exception",
    },
}

#: Findings on lines the Trio twin kept as they are, and why the finding still helps a user.
KEPT: dict[str, dict[str, str]] = {
    "server": {
        "line = await reader.readline()":
            "the Trio twin writes its own readline (_LineReader) so that this line can stay; "
            "in a user's code it is the place to port: a Trio stream has no readline",
    },
}


def _docstring_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and \
                    isinstance(first.value.value, str):
                lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return lines


def _asyncio_only(left: str, right: str) -> set[int]:
    """Lines of top-level definitions the Trio twin does not have (notebook mode, say): they
    are not ported, so they are no ground truth either way."""
    ours = {node.name for node in ast.parse(right).body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}
    lines: set[int] = set()
    for node in ast.parse(left).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) \
                and node.name not in ours:
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def changed_lines(name: str) -> tuple[list[str], set[int]]:
    """The asyncio twin's lines, and the numbers of its code lines the Trio twin changed."""
    left = (ROOT / "asyncio_ref" / f"{name}.py").read_text()
    right = (ROOT / "trio_port" / f"{name}.py").read_text()
    only = _asyncio_only(left, right)
    a = ["" if n in only else line.strip() for n, line in enumerate(left.splitlines(), 1)]
    b = [line.strip() for line in right.splitlines()]
    changed: set[int] = set()
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            changed.update(range(i1 + 1, i2 + 1))
    docs = _docstring_lines(ast.parse(left))
    code = {n for n in changed if n not in docs and a[n - 1] and not a[n - 1].startswith("#")}
    return left.splitlines(), code


LESSONS = [lesson.name for lesson in catalogue.LESSONS
           if (ROOT / "asyncio_ref" / f"{lesson.name}.py").exists()
           and (ROOT / "trio_port" / f"{lesson.name}.py").exists()]


def measure(name: str) -> tuple[set[int], set[int], set[int], list[str]]:
    """(changed statements' lines, lines with a finding, changed lines covered, missed texts)."""
    lines, changed = changed_lines(name)
    source = "\n".join(lines) + "\n"
    findings = port.scan(source, f"asyncio_ref/{name}.py")
    statements = port.statements(ast.parse(source))
    only = _asyncio_only(source, (ROOT / "trio_port" / f"{name}.py").read_text())
    found = {f.line for f in findings} - only
    found_statements = {statements.get(n, n) for n in found}
    covered = {n for n in changed if statements.get(n, n) in found_statements}
    missed = [lines[n - 1].strip() for n in sorted(changed - covered)]
    return changed, found, covered, missed


@pytest.mark.parametrize("name", LESSONS)
def test_nothing_is_reported_on_a_line_the_port_did_not_change(name: str) -> None:
    changed, found, _, _ = measure(name)
    lines, _ = changed_lines(name)
    unchanged = [lines[n - 1].strip() for n in sorted(found - changed)]
    assert [text for text in unchanged if text not in KEPT.get(name, {})] == []


@pytest.mark.parametrize("name", LESSONS)
def test_every_changed_construct_is_reported(name: str) -> None:
    _, _, _, missed = measure(name)
    unexplained = [text for text in missed if text not in STRUCTURAL.get(name, {})]
    assert not unexplained


def test_the_structural_list_holds_only_lines_that_are_still_missed() -> None:
    """An entry the tool now covers (or a line that no longer exists) must leave the list."""
    for name, entries in STRUCTURAL.items():
        _, _, _, missed = measure(name)
        assert set(entries) <= set(missed), set(entries) - set(missed)


def figures() -> dict[str, float]:
    """Recall and precision over the twins, as ``docs/porting.md`` states them."""
    changed = found = covered = on_changed = structural = 0
    for name in LESSONS:
        c, f, cov, missed = measure(name)
        changed += len(c)
        found += len(f)
        covered += len(cov)
        on_changed += len(f & c)
        structural += sum(text in STRUCTURAL.get(name, {}) for text in missed)
    return {"changed lines": changed, "reported lines": found,
            "precision": on_changed / found,
            "recall of changed lines": covered / changed,
            "recall of changed constructs": covered / (changed - structural)}


def test_figures() -> None:
    """Every finding not on a changed line is in KEPT; every changed line not covered is in
    STRUCTURAL; so the construct recall is 1 and precision misses only the KEPT lines."""
    numbers = figures()
    kept = sum(len(v) for v in KEPT.values())
    assert numbers["recall of changed constructs"] == 1.0
    assert numbers["precision"] == 1 - kept / numbers["reported lines"]


def test_every_construct_points_at_exactly_one_concept_map_row() -> None:
    for construct, row_id in port.ROWS.items():
        row = conceptmap.find(port.ROW_KEYS[row_id])  # raises unless exactly one row matches
        assert row.trio and row.gotcha, construct


def test_every_row_id_names_exactly_one_row_and_every_row_has_an_id() -> None:
    found = {conceptmap.find(key) for key in port.ROW_KEYS.values()}
    assert len(found) == len(port.ROW_KEYS)
    assert set(conceptmap.rows()) == found


def test_a_finding_carries_the_rows_counterpart_gotcha_and_link() -> None:
    [finding] = [f for f in port.scan("import asyncio\nsem = asyncio.Semaphore(3)\n")
                 if f.construct == "asyncio.Semaphore"]
    row = conceptmap.find("`asyncio.Semaphore(n)`")
    assert finding.line == 2
    assert finding.trio == conceptmap.plain(row.trio)
    assert "RuntimeError" in finding.gotcha
    assert finding.links[0] == "docs/concepts.md#communication-and-synchronisation"
    assert "docs/faq.md#how-do-i-limit-concurrency" in finding.links


SAMPLE = '''\
import asyncio


async def count(n):
    print("One", n)
    await asyncio.sleep(1)
    print("Two", n)


async def main():
    await asyncio.gather(count(1), count(2))
    await asyncio.gather(*(count(n) for n in range(3, 5)))


asyncio.run(main())
'''


def test_the_safe_rewrites_give_a_trio_program_that_prints_the_same(tmp_path: Path) -> None:
    new, _ = port.rewrite(SAMPLE, "sample.py")
    assert "asyncio.sleep" not in new and "trio.run(main)" in new
    # what a human must check: the nursery's errors come as a group, its children in no fixed
    # order, and Ctrl-C raises at once
    assert [line.strip() for line in new.splitlines() if "TODO" in line] == [
        f"# TODO(trio): rewritten, check it: {port.rewriting.GATHER_ERRORS}"] * 2 + [
        f"# TODO(trio): rewritten, check it: {port.rewriting.CTRL_C}"]
    original = tmp_path / "original.py"
    ported = tmp_path / "ported.py"
    original.write_text(SAMPLE)
    ported.write_text(new)
    outputs = []
    for path in (original, ported):
        done = subprocess.run([sys.executable, "-W", "error", str(path)], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        outputs.append(sorted(done.stdout.splitlines()))  # same lines; order is a scheduling fact
    assert outputs[0] == outputs[1]


def test_what_is_not_mechanical_gets_a_todo_and_the_result_of_gather_is_kept() -> None:
    source = ("import asyncio\n\nasync def main():\n"
              "    q = asyncio.Queue()\n"
              "    res = await asyncio.gather(f(1), g(2))\n"
              "    await asyncio.gather(f(1), x=2)\n")
    new, _ = port.rewrite(source, "x.py")
    lines = new.splitlines()
    assert "    # TODO(trio): asyncio.Queue -> " not in new  # the arrow is the unicode one
    todo = lines.index("    q = asyncio.Queue()") - 1
    assert lines[todo].startswith("    # TODO(trio): asyncio.Queue → trio.open_memory_channel")
    assert "    res = await asyncio.gather(f(1), g(2))" in lines  # its result is used
    assert "    await asyncio.gather(f(1), x=2)" in lines  # a keyword: not a plain call list
    ast.parse(new)


def test_the_rewrite_of_every_lesson_still_parses() -> None:
    for name in LESSONS:
        source = (ROOT / "asyncio_ref" / f"{name}.py").read_text()
        new, findings = port.rewrite(source, name)
        ast.parse(new)
        if findings:
            assert new != source


# ---------------------------------------------------------------------------------------------
# The command line, as a user runs it


def walkthrough(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-W", "error", "-m", "walkthrough", "port", *args],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def test_exit_1_with_findings_0_without(tmp_path: Path) -> None:
    done = walkthrough("asyncio_ref/count.py")
    assert done.returncode == 1, done.stderr
    assert "asyncio_ref/count.py:" in done.stdout and "asyncio.gather" in done.stdout
    plain = tmp_path / "plain.py"
    plain.write_text("print('no asyncio here')\n")
    done = walkthrough(str(plain))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "0 findings" in done.stderr


def test_json_and_markdown() -> None:
    done = walkthrough("asyncio_ref/queue.py", "--format", "json")
    data = json.loads(done.stdout)
    assert data["files"] == 1 and data["findings"]
    assert {"path", "line", "construct", "trio", "gotcha", "links"} <= set(data["findings"][0])
    done = walkthrough("asyncio_ref/queue.py", "--format", "markdown")
    assert done.stdout.startswith("| file:line | asyncio | Trio | gotcha | see |")


def test_rewrite_prints_a_patch_that_applies(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SAMPLE)
    done = walkthrough("app.py", "--rewrite", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.startswith("--- a/app.py\n+++ b/app.py\n")
    applied = subprocess.run(["git", "apply", "-"], input=done.stdout, text=True,
                             cwd=tmp_path, capture_output=True, timeout=60)
    assert applied.returncode == 0, applied.stderr
    assert "trio.run(main)" in (tmp_path / "app.py").read_text()


@pytest.mark.parametrize(("content", "message"), [
    (b"def f(:\n", "cannot parse as Python"),
    (b"\x7fELF\x00\x01", "not a Python source file"),
    (b"x = '\xff\xfe'\n", "not UTF-8 text"),
    (b"x = 1\n" * 400_000, "too large to scan"),
])
def test_a_file_that_cannot_be_read_exits_2_with_one_line(
        tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.py"
    path.write_bytes(content)
    done = walkthrough(str(path))
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_missing_path_exits_2() -> None:
    done = walkthrough("no/such/file.py")
    assert done.returncode == 2
    assert "cannot read no/such/file.py: No such file or directory" in done.stderr


def test_a_directory_is_walked_and_bad_files_are_skipped_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("import asyncio\n")
    (tmp_path / "pkg" / "broken.py").write_text("def f(:\n")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "lib.py").write_text("import asyncio\n")  # never entered
    done = walkthrough(str(tmp_path))
    assert done.returncode == 1
    assert "a.py:1: import asyncio" in done.stdout and "lib.py" not in done.stdout
    assert "skipped" in done.stderr and "broken.py" in done.stderr
    assert "1 findings in 1 of 1 files; 1 skipped" in done.stderr


# ---------------------------------------------------------------------------------------------
# The guide's page says what the tool does: each statement of it is checked here.

PAGE = ROOT / "docs" / "porting.md"


def test_the_page_states_the_measured_figures() -> None:
    text = " ".join(PAGE.read_text().split())
    numbers = figures()
    found = int(numbers["reported lines"])
    kept = sum(len(v) for v in KEPT.values())
    assert f"precision {round(100 * numbers['precision'])}%" in text
    assert f"{found - kept} of the {found} lines it reports" in text
    assert f"recall {round(100 * numbers['recall of changed constructs'])}% of the changed" in text
    assert (f"over *all* {int(numbers['changed lines'])} changed lines it is "
            f"{round(100 * numbers['recall of changed lines'])}%") in text
    assert f"all {len(LESSONS)} lessons" in text.replace("eight", "8")


def test_the_pages_example_gives_what_the_page_shows() -> None:
    page = PAGE.read_text()
    example = page.split('```python title="app.py"\n')[1].split("```")[0]
    findings = port.scan(example, "app.py")
    assert "lists nine findings" in page and len(findings) == 9
    shown = page.split("```text\n")[1].split("```")[0]
    text = "\n".join(f"app.py:{f.line}: {f.construct} -> {f.trio}" for f in findings)
    for line in shown.splitlines():
        if line.startswith("app.py:"):
            assert line in text
    diff, _ = port.patch(example, "app.py")
    for line in page.split("```diff\n")[1].split("```")[0].splitlines():
        if line.startswith(("+", "-")):
            assert line in diff.splitlines(), line


def test_the_readme_states_the_same_figures() -> None:
    readme = " ".join((ROOT / "README.md").read_text().split())
    found = int(figures()["reported lines"])
    kept = sum(len(v) for v in KEPT.values())
    assert f"{found - kept} of its {found} reported lines did change" in readme
