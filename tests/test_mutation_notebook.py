"""Tests that kill mutmut's survivors in ``walkthrough/notebook_magic.py`` (issue 27).

``%%check`` runs in a Jupyter kernel: the suite's kernel tests (``tests/test_notebook_loop.py``)
start a real one, a child process where mutmut sees nothing, so the magic itself
(:func:`~walkthrough.notebook_magic.load_ipython_extension`) was "no tests", and the helpers the
suite calls in this process were checked only for the usual cell. Here each part is driven in
the test process, one test per kind of slip:

* the magic line read as the verb reads its arguments, every refusal's words whole, the
  defaults (Trio, ``WALL_LIMIT``), ``--timeout`` as a number that must be positive;
* the ``if __name__ == "__main__":`` block recognised only as that, at the top level, and
  blanked line for line (every such block);
* the checked file: the magic's line, the cell, a newline, the twin's block after a blank
  line, or nothing for a twin without one;
* the report about the temporary file said about "this cell", also for a path reached
  through a link or holding a space, and a name inside a longer one;
* what is handed to the check: the file ``my_LESSON.py`` with the cell's text, the lesson,
  the framework, the ``--timeout`` (the watchdog's limit), the announcer; the server's own
  scripted session likewise; a lesson not written yet; the hint for a top-level ``await``;
* the magic in a stand-in kernel: registered as the cell magic ``check``, a bad line a
  ``UsageError``, the report printed and flushed, the cell run without its ``__main__`` block
  and out of the history, a cell that cannot be checked not run at all.

The check itself (the child, its watchdog, the flood cap, the escaping) is
``walkthrough/learner``'s, tested in ``tests/test_mutation_learner*.py``: here it is a stand-in
that records what it was given, so each test takes milliseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from walkthrough import catalogue, echo, learner, notebook_magic
from walkthrough.cli import UsageError
from walkthrough.learner import PortProblem
from walkthrough.learner.supervise import WALL_LIMIT, Outcome
from walkthrough.notebook_magic import (
    AWAIT_HINT,
    BLOCK_NOT_RUN,
    CANNOT_CHECK,
    NOT_RUN,
    USAGE,
    as_this_cell,
    cell_file,
    check_source,
    has_main_block,
    main_block,
    parse_line,
    without_main_block,
)

ROOT = Path(__file__).resolve().parent.parent
COUNT = catalogue.get("count")


# -- the magic's line --------------------------------------------------------------------------


def test_the_line_gives_the_lesson_the_framework_and_the_timeout_or_the_verbs_defaults() -> None:
    args = parse_line("count")
    assert (args.lesson, args.impl, args.timeout) == (COUNT, "trio", WALL_LIMIT)
    args = parse_line("  queue   --timeout 2.5 --impl asyncio ")
    assert (args.lesson.name, args.impl, args.timeout) == ("queue", "asyncio", 2.5)
    assert parse_line("count --timeout 0.01").timeout == 0.01  # any positive limit


def test_each_refusal_is_one_line_that_says_why_and_how() -> None:
    """A bad line is a ValueError (the magic makes it IPython's UsageError), never argparse's
    usage printed and SystemExit: that would end the cell with a traceback."""
    said = {
        "": f"the following arguments are required: lesson; usage: {USAGE}",
        "count --impl curio": ("argument --impl: invalid choice: 'curio' (choose from "
                               f"'asyncio', 'trio'); usage: {USAGE}"),
        "count --timeout soon": f"argument --timeout: invalid float value: 'soon'; usage: {USAGE}",
        "count extra words": f"unrecognised arguments: extra words; usage: {USAGE}",
        "count --help": f"unrecognised arguments: --help; usage: {USAGE}",
        "count -h": f"unrecognised arguments: -h; usage: {USAGE}",
        "nope": unknown_lesson_message("nope"),
        "count --timeout 0": "--timeout must be positive",
        "count --timeout -1": "--timeout must be positive",
        "count --timeout nan": "--timeout must be positive",
    }
    for line, message in said.items():
        with pytest.raises(ValueError) as caught:
            parse_line(line)
        assert str(caught.value) == message, line
        # One line: no "During handling of the above exception" under it.
        error = caught.value
        assert error.__cause__ is None, line
        assert error.__context__ is None or error.__suppress_context__, line


def unknown_lesson_message(name: str) -> str:
    """What :func:`catalogue.get` says about a lesson it does not know."""
    with pytest.raises(KeyError) as caught:
        catalogue.get(name)
    message = caught.value.args[0]
    assert isinstance(message, str) and name in message
    return message


# -- the __main__ block ------------------------------------------------------------------------


def test_only_a_top_level_if_on_name_is_the_main_block() -> None:
    main = 'if __name__ == "__main__":\n    run()\n'
    assert has_main_block(main) and has_main_block("x = 1\n" + main)
    for other in ('if x == "__main__":\n    run()\n',       # not __name__
                  "if __name__:\n    run()\n",                 # not a comparison
                  'if f(__name__) == "__main__":\n    run()\n',  # not the name itself
                  'while __name__ == "__main__":\n    break\n',  # not an if
                  'def f():\n    if __name__ == "__main__":\n        run()\n',  # not top level
                  "x = 1\n", "", "def broken(:\n"):
        assert not has_main_block(other), other
        assert without_main_block(other) == (other, False), other


def test_every_main_block_is_blanked_line_for_line() -> None:
    """Two blocks (a paste of two files): both go, each line a blank one, so a traceback's
    line numbers in the kernel are the cell's."""
    cell = ("a = 1\n"
            "if __name__ == '__main__':\n    a = 2\n"
            "b = a\n"
            "if __name__ == '__main__':\n    a = 3\n    a = 4\n"
            "c = b\n")
    assert without_main_block(cell) == ("a = 1\n\n\nb = a\n\n\n\nc = b\n", True)


# -- the file that is checked ------------------------------------------------------------------


def _twins_block(impl: str, name: str = "count") -> str:
    folder = "trio_port" if impl == "trio" else "asyncio_ref"
    twin = (ROOT / folder / f"{name}.py").read_text(encoding="utf-8")
    return twin[twin.index('if __name__ == "__main__":'):]


@pytest.mark.parametrize("impl", catalogue.IMPLS)
def test_the_checked_file_is_the_line_the_cell_and_the_twins_block(impl: str) -> None:
    block = _twins_block(impl)
    assert main_block(COUNT, impl) == block
    # A cell without its final newline gets one: the block starts on a line of its own.
    assert cell_file("  count --impl x  ", "a = 1", COUNT, impl) == (
        f"# %%check count --impl x\na = 1\n\n\n{block}")
    assert cell_file("count", "a = 1\n", COUNT, impl) == f"# %%check count\na = 1\n\n\n{block}"
    own = 'a = 1\nif __name__ == "__main__":\n    print(a)'
    assert cell_file("count", own, COUNT, impl) == f"# %%check count\n{own}\n"


def test_a_twin_without_a_block_or_without_a_file_adds_nothing() -> None:
    """``_decode`` is a module of both packages with no script block; ``nosuch`` is in neither."""
    for name in ("_decode", "nosuch"):
        lesson = catalogue.Lesson(name, "0", name)
        for impl in catalogue.IMPLS:
            assert main_block(lesson, impl) == ""
            assert cell_file(name, "a = 1", lesson, impl) == f"# %%check {name}\na = 1\n"


# -- the report names the cell -----------------------------------------------------------------


def _report(name: str) -> str:
    return (f"checking {name} (Trio port) against asyncio_ref/count.py\n"
            f"    at {name}, line 4, in count_async: x\n"
            f"    walkthrough check count {shlex.quote(name)} --impl asyncio\n"
            f"NOT equivalent: run as a script, `python {name} --help` does not answer")


AS_THE_CELL = ("checking this cell (Trio port) against asyncio_ref/count.py\n"
               "    at this cell, line 4, in count_async: x\n"
               "    %%check count --impl asyncio\n"
               "NOT equivalent: run as a script, `python my_count.py --help` does not answer")


def test_the_cell_is_named_for_the_path_and_for_where_it_leads(tmp_path: Path) -> None:
    """The check may name the file by the path it was given or by its real one (a temporary
    folder reached through a link, as macOS's ``/var`` is); a path with a space is quoted in
    the suggested command."""
    real = tmp_path / "real folder"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    path = tmp_path / "link" / "my_count.py"
    assert str(path.resolve()) == str(real / "my_count.py")
    for name in (str(path), str(path.resolve())):
        assert as_this_cell(_report(name), path, COUNT) == AS_THE_CELL, name
    assert as_this_cell("hint: your file imports asyncio", path, COUNT) == (
        "hint: your cell imports asyncio")


def test_a_name_inside_a_longer_one_is_not_cut_out_of_it(tmp_path: Path) -> None:
    """macOS's temporary folders: ``/var/folders/...`` leads to ``/private/var/folders/...``,
    which ends with the path as given. The longer name is replaced first, or the report would
    say "/privatethis cell". Built here in ``tmp_path``: ``T/var`` leads to ``T/private/T/var``."""
    real = tmp_path / "private" / str(tmp_path).lstrip("/") / "var"
    real.mkdir(parents=True)
    (tmp_path / "var").symlink_to(real)
    path = tmp_path / "var" / "my_count.py"
    resolved = str(path.resolve())
    assert resolved != str(path) and resolved.endswith(str(path))
    for name in (str(path), resolved):
        assert as_this_cell(_report(name), path, COUNT) == AS_THE_CELL, name


# -- what is handed to the check ---------------------------------------------------------------


class Recorded:
    """A stand-in for the check: records its arguments and the file as it was, then answers."""

    def __init__(self, status: int, text: str, *, announced: str | None = None,
                 error: Exception | None = None) -> None:
        self.status, self.text, self.announced, self.error = status, text, announced, error
        self.calls: list[dict[str, Any]] = []

    def file(self, path: Path, **more: Any) -> None:
        self.calls.append({"path": path, "name": path.name,
                           "text": path.read_text(encoding="utf-8"), **more})

    def in_child(self, lesson: catalogue.Lesson, path: Path, impl: str = "trio",
                 limit: float = WALL_LIMIT, *,
                 announce: Callable[[str], None] | None = None) -> Outcome:
        self.file(path, lesson=lesson, impl=impl, limit=limit, announce=announce)
        if self.error is not None:
            raise self.error
        if announce is not None and self.announced is not None:
            announce(self.announced.format(path=path))
        return Outcome(self.status, self.text.format(path=path))

    def server(self, args: argparse.Namespace) -> int:
        """As :func:`echo.check_verb` reads its arguments (it never reads ``args.lesson``:
        ``walkthrough check`` dispatched on it already) and prints its report."""
        self.file(args.path, impl=getattr(args, "impl", "trio"),
                  limit=getattr(args, "timeout", echo.WAIT))
        if self.error is not None:
            raise self.error
        print(echo.header(args.path, getattr(args, "impl", "trio")), flush=True)
        print(self.text.format(path=args.path))
        return self.status


def test_the_cell_is_checked_as_my_lesson_py_with_the_lines_arguments(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The file, the lesson, the framework and ``--timeout`` (the watchdog's limit) go to
    :func:`check_in_child`; its report comes back about "this cell", its first line
    announced at once (and named for the cell too), and the file is gone afterwards."""
    check = Recorded(1, "NOT equivalent: at {path}, line 3",
                     announced="checking {path} (Trio port)")
    monkeypatch.setattr(learner, "check_in_child", check.in_child)
    announced: list[str] = []
    args = parse_line("count --impl asyncio --timeout 3.5")
    status, text = check_source(args, "source of the cell\n", announced.append)
    assert (status, text) == (1, "NOT equivalent: at this cell, line 3")
    assert announced == ["checking this cell (Trio port)"]
    [call] = check.calls
    assert (call["name"], call["text"]) == ("my_count.py", "source of the cell\n")
    assert (call["lesson"], call["impl"], call["limit"]) == (COUNT, "asyncio", 3.5)
    assert call["path"].parent.name.startswith("walkthrough-cell-")
    assert not call["path"].exists()
    # Without an announcer, none is passed on: the report keeps its first line.
    check_source(parse_line("count"), "x\n")
    assert (check.calls[1]["announce"], check.calls[1]["impl"], check.calls[1]["limit"]) == (
        None, "trio", WALL_LIMIT)


def test_a_cell_that_cannot_be_read_is_cannot_check_with_its_reason(
        monkeypatch: pytest.MonkeyPatch) -> None:
    check = Recorded(0, "", error=PortProblem("cannot read it"))
    monkeypatch.setattr(learner, "check_in_child", check.in_child)
    assert check_source(parse_line("count"), "x\n") == (CANNOT_CHECK, "cannot read it")


def test_the_await_hint_only_for_a_cell_that_cannot_be_checked(
        monkeypatch: pytest.MonkeyPatch) -> None:
    said = "{path}, line 2: syntax error: 'async with' outside async function"
    for status in (CANNOT_CHECK, 1):
        monkeypatch.setattr(learner, "check_in_child", Recorded(status, said).in_child)
        _, text = check_source(parse_line("count"), "x\n")
        expected = "this cell, line 2: syntax error: 'async with' outside async function"
        assert text == (f"{expected}\n{AWAIT_HINT}" if status == CANNOT_CHECK else expected)
    for what in ("await", "async for"):
        said = "{path}, line 2: syntax error: '" + what + "' outside function"
        monkeypatch.setattr(learner, "check_in_child", Recorded(CANNOT_CHECK, said).in_child)
        assert check_source(parse_line("count"), "x\n")[1].endswith(f"\n{AWAIT_HINT}")


def test_a_lesson_not_written_yet_is_not_checked() -> None:
    """A lesson needs both its asyncio twin and the port's framework's: ``_transport`` is a
    module of trio_port only, ``nosuch`` of neither."""
    for name, impl, missing in [("_transport", "trio", "asyncio_ref._transport"),
                                ("_transport", "asyncio", "asyncio_ref._transport"),
                                ("nosuch", "trio", "asyncio_ref.nosuch")]:
        args = argparse.Namespace(lesson=catalogue.Lesson(name, "0", name), impl=impl,
                                  timeout=1.0)
        assert check_source(args, "x\n") == (CANNOT_CHECK, f"{missing} is not written yet")


def test_the_server_cell_is_checked_by_the_verbs_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """``server`` is the verb's scripted session (real sockets), not the child's check: its
    arguments are the line's, its report about "this cell"; its header is announced once and
    then left out of the report, or kept in it when nobody announces. The report's own last
    line is kept as printed (a line of the server's stderr may end in spaces, or in any
    letter), only the newline after it goes."""
    check = Recorded(1, "NOT equivalent: at {path}\n    KeyError: no such key: INDEX")
    monkeypatch.setattr(echo, "check_verb", check.server)
    monkeypatch.setattr(learner, "check_in_child", None)  # never this one
    head = ("checking this cell (asyncio port) against asyncio_ref/server.py (a scripted "
            "session of real clients on 127.0.0.1)")
    announced: list[str] = []
    args = parse_line("server --impl asyncio --timeout 4")
    status, text = check_source(args, "x = 1\n", announced.append)
    assert (status, text, announced) == (
        1, "NOT equivalent: at this cell\n    KeyError: no such key: INDEX", [head])
    [call] = check.calls
    assert (call["name"], call["text"]) == ("my_server.py", "x = 1\n")
    assert (call["impl"], call["limit"]) == ("asyncio", 4.0)
    check.text = "NOT equivalent: at {path}\n    said: 'x'  "
    status, text = check_source(parse_line("server"), "x = 1\n")
    assert (status, text) == (1, head.replace("asyncio port", "Trio port")
                              + "\nNOT equivalent: at this cell\n    said: 'x'  ")
    assert (check.calls[1]["impl"], check.calls[1]["limit"]) == ("trio", WALL_LIMIT)
    # The verb's refusal, and a cell that is no Python (nothing announced, the verb not run).
    monkeypatch.setattr(echo, "check_verb", Recorded(0, "", error=UsageError("no")).server)
    assert check_source(parse_line("server"), "x = 1\n") == (CANNOT_CHECK, "no")
    announced.clear()
    status, text = check_source(parse_line("server"), "def broken(:\n", announced.append)
    assert status == CANNOT_CHECK and text.startswith("this cell, line 1: syntax error")
    assert announced == []


# -- the magic in a kernel ---------------------------------------------------------------------


class Output(io.StringIO):
    """A kernel's stdout that tells what was flushed: what was printed since the last flush
    is still in the kernel's buffer, not in the notebook."""

    def __init__(self) -> None:
        super().__init__()
        self.shown = ""

    def flush(self) -> None:
        self.shown = self.getvalue()

    def clear(self) -> None:
        self.truncate(0)
        self.seek(0)
        self.shown = ""


class Kernel:
    """What ``load_ipython_extension`` uses of IPython's shell, with IPython's defaults (a
    magic is a line magic named after its function; a cell run is not stored in the history).
    ``ran`` holds each cell run, with what the notebook showed of stdout when it started."""

    def __init__(self, out: Output) -> None:
        self.out = out
        self.magics: dict[tuple[str, str], Callable[[str, str], None]] = {}
        self.ran: list[tuple[str, bool, str]] = []

    def register_magic_function(self, func: Callable[[str, str], None],
                                magic_kind: str = "line", magic_name: str | None = None) -> None:
        assert magic_kind in ("line", "cell", "line_cell")  # IPython's validate_type
        self.magics[magic_kind, func.__name__ if magic_name is None else magic_name] = func

    def run_cell(self, raw_cell: str, store_history: bool = False) -> None:
        self.ran.append((raw_cell, store_history, self.out.shown))


@pytest.fixture
def magic() -> Iterator[tuple[Kernel, Output]]:
    """The magic loaded in a stand-in kernel whose stdout is an :class:`Output` (set in the
    test's own phase: pytest's capture puts its own back between setup and call)."""
    out = Output()
    kernel = Kernel(out)
    notebook_magic.load_ipython_extension(kernel)
    yield kernel, out


def test_the_magic_is_the_cell_magic_check_and_says_its_usage(
        magic: tuple[Kernel, Output]) -> None:
    from IPython.core.error import UsageError as IPythonUsageError

    kernel, _ = magic
    check = kernel.magics["cell", "check"]
    assert list(kernel.magics) == [("cell", "check")]
    assert check.__doc__ is not None
    assert check.__doc__.startswith("Check this cell as a port of LESSON, then run it.")
    assert USAGE in check.__doc__ and "Default --impl: trio." in check.__doc__
    with pytest.raises(IPythonUsageError) as caught:
        check("count --impl curio", "x = 1\n")
    assert str(caught.value).startswith("argument --impl: invalid choice: 'curio'")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert kernel.ran == []


def test_the_report_is_shown_then_the_cell_runs_without_its_main_block(
        magic: tuple[Kernel, Output], monkeypatch: pytest.MonkeyPatch) -> None:
    kernel, out = magic
    shown_at_check: list[str] = []
    check = Recorded(0, "equivalent", announced="checking {path}")

    def in_child(*args: Any, **kwargs: Any) -> Outcome:
        outcome = check.in_child(*args, **kwargs)
        shown_at_check.append(out.shown)  # the first line is in the notebook while it runs
        return outcome

    monkeypatch.setattr(learner, "check_in_child", in_child)
    with contextlib.redirect_stdout(out):
        kernel.magics["cell", "check"]("count --impl asyncio --timeout 2", "a = 1\n")
    assert shown_at_check == ["checking this cell\n"]
    assert out.shown == out.getvalue() == "checking this cell\nequivalent\n"
    # The report is in the notebook before the cell's own output.
    assert kernel.ran == [("a = 1\n", False, "checking this cell\nequivalent\n")]
    [call] = check.calls
    assert call["text"] == f"# %%check count --impl asyncio --timeout 2\na = 1\n\n\n" \
        f"{_twins_block('asyncio')}"
    assert (call["impl"], call["limit"]) == ("asyncio", 2.0)
    # The whole file pasted: its block is checked, then said not to be run, and blanked.
    out.clear()
    whole = "a = 2\nif __name__ == '__main__':\n    main()\n"
    with contextlib.redirect_stdout(out):
        kernel.magics["cell", "check"]("count", whole)
    assert check.calls[1]["text"] == f"# %%check count\n{whole}"
    assert out.shown == out.getvalue() == f"checking this cell\nequivalent\n{BLOCK_NOT_RUN}\n"
    assert kernel.ran[1] == ("a = 2\n\n\n", False, out.getvalue())


def test_a_cell_that_cannot_be_checked_is_not_run(
        magic: tuple[Kernel, Output], monkeypatch: pytest.MonkeyPatch) -> None:
    """A loop, an ``os._exit`` or an exception at import stops the check: run in the kernel,
    the cell would hang it, kill it or repeat the error. The report says so, and once as
    "cannot check"."""
    kernel, out = magic
    for said, verdict in [("cannot check: {path} never returned", "cannot check: this cell "
                           "never returned"),
                          ("{path}, line 2: syntax error", "cannot check: this cell, line 2: "
                           "syntax error")]:
        out.clear()
        monkeypatch.setattr(learner, "check_in_child", Recorded(CANNOT_CHECK, said).in_child)
        with contextlib.redirect_stdout(out):
            kernel.magics["cell", "check"]("count", "while True: pass\n")
        assert out.shown == out.getvalue() == f"{verdict}\n{NOT_RUN}\n"
    assert kernel.ran == []
