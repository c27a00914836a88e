"""Tests that kill mutmut's survivors in ``walkthrough/cli.py`` (issue 27).

The closed-pipe convention (``walkthrough ... | head -1`` exits 0, quietly) is tested in
``tests/test_pipes.py`` by real commands in child processes, where mutmut sees nothing: the
guard itself was "no tests". Here it runs in the test process over a real pipe whose reader has
left (``os.write`` raises ``BrokenPipeError`` as it does for a verb's stdout), and ``main`` runs
stand-in verbs that do one thing each (print, return nothing, raise a usage error, be
interrupted, meet a closed pipe), so each branch takes milliseconds. One test per kind of slip:

* the guard: the first ``BrokenPipeError`` goes up (or not, with ``discard``), the descriptor
  then points at /dev/null, what was buffered is gone there, and every later write or flush is
  dropped without touching the stream; a stream with no usable descriptor is left as it is;
* what counts as a closed pipe: the error, rich's ``SystemExit(1)`` raised while handling it, a
  group of only those;
* the parser: its names and texts, the chosen verb alone configured, a verb not written yet
  absent;
* ``main``: the verb's status (``None`` is 0), stdout flushed and given back, a closed pipe 0,
  a usage error one line and 2, Ctrl-C 130, ``--help`` flushed, the verb found after options.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.machinery
import io
import os
import signal
import stat
import sys
import types
from collections.abc import Callable, Iterator
from typing import TextIO, cast

import pytest

from walkthrough import cli
from walkthrough.cli import (
    CLOSED_STDOUT,
    VERBS,
    ClosedPipeGuard,
    UsageError,
    _from_closed_pipe,
    build_parser,
    main,
)


def is_devnull(fd: int) -> bool:
    mine, null = os.fstat(fd), os.stat(os.devnull)
    return stat.S_ISCHR(mine.st_mode) and mine.st_rdev == null.st_rdev


def arrived(read: int) -> bytes:
    """What the reader has been sent so far (nothing yet is ``b""``, not a wait)."""
    try:
        return os.read(read, 100_000)
    except BlockingIOError:
        return b""


class PipeOut:
    """A verb's stdout on a pipe, buffered as Python's is: ``write`` keeps the text,
    ``flush`` sends it with ``os.write`` (so a reader that left raises ``BrokenPipeError``)
    and keeps it when that fails, as a ``BufferedWriter`` does. ``line_buffered``: a line
    is sent when written (as a full buffer is: the same error, from ``write``)."""

    def __init__(self, fd: int, *, line_buffered: bool = False) -> None:
        self.fd = fd
        self.line_buffered = line_buffered
        self.pending = ""
        self.calls: list[str] = []

    def write(self, text: str) -> int:
        self.calls.append("write")
        self.pending += text
        if self.line_buffered and "\n" in text:
            self._send()
        return len(text)

    def flush(self) -> None:
        self.calls.append("flush")
        self._send()

    def _send(self) -> None:
        if self.pending:
            os.write(self.fd, self.pending.encode())
            self.pending = ""

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return False

    encoding = "utf-8"


@pytest.fixture
def left_pipe() -> Iterator[int]:
    """The write end of a pipe whose reader has gone (``| head -1`` after its line)."""
    read, write = os.pipe()
    os.close(read)
    yield write
    os.close(write)


@pytest.fixture
def open_pipe() -> Iterator[tuple[int, int]]:
    """A pipe with its reader: the read end does not block (:func:`arrived`)."""
    read, write = os.pipe()
    os.set_blocking(read, False)
    yield read, write
    os.close(read)
    os.close(write)


# -- the guard ------------------------------------------------------------------------------


def test_the_first_broken_pipe_goes_up_then_everything_goes_to_devnull(left_pipe: int) -> None:
    stream = PipeOut(left_pipe, line_buffered=True)
    guard = ClosedPipeGuard(cast(TextIO, stream))
    assert not guard.closed_by_reader and not guard.discard
    assert guard.write("first") == 5  # buffered: nothing has failed yet
    with pytest.raises(BrokenPipeError):
        guard.write("line\n")
    assert guard.closed_by_reader and is_devnull(left_pipe)
    assert stream.pending == ""  # what was buffered went to /dev/null: no failure at exit
    stream.calls.clear()
    assert guard.write("more\n") == 5 and guard.write("") == 0
    guard.flush()
    assert stream.calls == []  # nothing reaches the stream any more


def test_a_broken_pipe_at_flush_is_the_same(left_pipe: int) -> None:
    stream = PipeOut(left_pipe)
    guard = ClosedPipeGuard(cast(TextIO, stream))
    guard.write("no newline")
    with pytest.raises(BrokenPipeError):
        guard.flush()
    assert guard.closed_by_reader and is_devnull(left_pipe) and stream.pending == ""
    stream.calls.clear()
    guard.flush()
    assert guard.write("x") == 1 and stream.calls == []


def test_discard_keeps_the_writer_from_ever_knowing(left_pipe: int) -> None:
    """``crawl``: its product is a TSV; a closed stdout must not stop it."""
    stream = PipeOut(left_pipe, line_buffered=True)
    guard = ClosedPipeGuard(cast(TextIO, stream), discard=True)
    assert guard.write("a line\n") == 7
    assert guard.closed_by_reader and is_devnull(left_pipe)
    guard.flush()
    assert guard.write("more\n") == 5


def test_an_open_pipe_is_written_and_flushed_as_it_is(open_pipe: tuple[int, int]) -> None:
    read, write = open_pipe
    stream = PipeOut(write, line_buffered=True)
    guard = ClosedPipeGuard(cast(TextIO, stream))
    assert guard.write("abc") == 3 and guard.write("def\n") == 4
    guard.write("tail")
    guard.flush()
    assert arrived(read) == b"abcdef\ntail" and not guard.closed_by_reader
    assert not is_devnull(write)
    # Everything else is the stream's: a terminal test, the encoding, the descriptor.
    seen = cast(TextIO, guard)  # as a verb sees sys.stdout
    assert (seen.isatty(), seen.encoding, seen.fileno()) == (False, "utf-8", write)


class NoDescriptor(io.StringIO):
    """A stream with no file descriptor (a notebook's, a test's capture): its reader leaving
    is an error once, and then it is only dropped."""

    def __init__(self, *, fileno: Callable[[], int], flush_error: Exception | None) -> None:
        super().__init__()
        self._fileno, self._flush_error = fileno, flush_error

    def write(self, text: str) -> int:
        raise BrokenPipeError

    def flush(self) -> None:
        if self._flush_error is not None:
            raise self._flush_error

    def fileno(self) -> int:
        return self._fileno()


def _unsupported() -> int:
    raise io.UnsupportedOperation("fileno")


def _closed() -> int:
    raise ValueError("I/O operation on closed file")


def _bad_fd() -> int:
    return -1  # dup2 onto it is EBADF (an OSError)


@pytest.mark.parametrize("fileno", [_unsupported, _closed, _bad_fd])
@pytest.mark.parametrize("flush_error", [None, ValueError("closed"), OSError(9, "bad fd")])
def test_a_stream_without_a_usable_descriptor_is_left_alone(
        fileno: Callable[[], int], flush_error: Exception | None) -> None:
    stream = NoDescriptor(fileno=fileno, flush_error=flush_error)
    guard = ClosedPipeGuard(cast(TextIO, stream))
    with pytest.raises(BrokenPipeError):
        guard.write("x")
    assert guard.closed_by_reader
    assert guard.write("y") == 1
    guard.flush()


def test_no_descriptor_is_left_open_by_the_redirection(left_pipe: int) -> None:
    before = set(os.listdir("/dev/fd"))
    guard = ClosedPipeGuard(cast(TextIO, PipeOut(left_pipe, line_buffered=True)), discard=True)
    guard.write("x\n")
    assert set(os.listdir("/dev/fd")) == before


# -- what a closed pipe is -----------------------------------------------------------------


def _exit_while_handling(error: BaseException) -> SystemExit:
    try:
        try:
            raise error
        except BaseException:
            raise SystemExit(1) from None  # rich's: `from None` still sets __context__
    except SystemExit as exc:
        return exc


def test_a_closed_pipe_is_the_error_richs_exit_over_it_or_a_group_of_them() -> None:
    pipe = BrokenPipeError()
    assert _from_closed_pipe(pipe)
    assert _from_closed_pipe(_exit_while_handling(BrokenPipeError()))
    assert not _from_closed_pipe(SystemExit(1))  # a verdict, not a pipe
    assert not _from_closed_pipe(_exit_while_handling(ValueError()))
    assert _from_closed_pipe(BaseExceptionGroup("nursery", [pipe, BrokenPipeError()]))
    assert _from_closed_pipe(ExceptionGroup("nursery", [ExceptionGroup("inner", [pipe])]))
    assert _from_closed_pipe(BaseExceptionGroup(
        "nursery", [pipe, _exit_while_handling(BrokenPipeError())]))
    assert not _from_closed_pipe(ExceptionGroup("nursery", [pipe, ValueError()]))
    assert not _from_closed_pipe(ConnectionResetError())
    assert not _from_closed_pipe(KeyboardInterrupt())


# -- the parser ----------------------------------------------------------------------------


def _subparsers(
        parser: argparse.ArgumentParser) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return action


def test_the_parser_names_the_command_and_every_verb_with_its_texts() -> None:
    """As no verb configures them (``crawl``'s ``configure`` adds its exit statuses)."""
    parser = build_parser("")
    assert parser.prog == "walkthrough"
    assert parser.description == ("The asyncio walkthrough, written in asyncio and in Trio, "
                                  "side by side.")
    assert parser.epilog == (
        f"Run 'walkthrough VERB --help' for a verb's options.\n\n{CLOSED_STDOUT}")
    assert parser.formatter_class is argparse.RawDescriptionHelpFormatter
    sub = _subparsers(parser)
    assert (sub.dest, sub.metavar, sub.required) == ("verb", "VERB", True)
    assert list(sub.choices) == list(VERBS)
    helps = {a.dest: a.help for a in sub._choices_actions}
    for verb, p in sub.choices.items():
        module = sys.modules[f"walkthrough.commands.{verb}"]
        assert helps[verb] == module.HELP
        assert p.prog == f"walkthrough {verb}"
        assert p.description == getattr(module, "DESCRIPTION", module.HELP)
        assert p.epilog == getattr(module, "CLOSED_STDOUT", CLOSED_STDOUT)
        assert p.formatter_class is argparse.RawDescriptionHelpFormatter
        assert p.get_default("_run") is module.run
    assert sub.choices["crawl"].epilog != CLOSED_STDOUT  # crawl says its own


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings} - {"-h", "--help"}


def test_only_the_chosen_verb_is_configured() -> None:
    every = _subparsers(build_parser()).choices
    for verb in ("run", "crawl"):
        assert _options(every[verb])  # these verbs have options of their own
        chosen = _subparsers(build_parser(verb)).choices
        assert _options(chosen[verb]) == _options(every[verb])
        assert all(not _options(p) for name, p in chosen.items() if name != verb)
    assert all(not _options(p) for p in _subparsers(build_parser("")).choices.values())


# -- main, with stand-in verbs ---------------------------------------------------------------


def _verb(name: str, run: Callable[[argparse.Namespace], int | None]) -> types.ModuleType:
    module = types.ModuleType(f"walkthrough.commands.{name}")
    module.__spec__ = importlib.machinery.ModuleSpec(module.__name__, None)
    module.HELP = f"the {name} stand-in"  # type: ignore[attr-defined]
    module.run = run  # type: ignore[attr-defined]

    def configure(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--flag", action="store_true")
        parser.add_argument("word", nargs="?")

    module.configure = configure  # type: ignore[attr-defined]
    return module


@pytest.fixture
def verbs(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Add stand-in verbs (``name=run``) after the real ones; and a verb not written yet."""

    def add(**runs: Callable[[argparse.Namespace], int | None]) -> None:
        for name, run in runs.items():
            monkeypatch.setitem(sys.modules, f"walkthrough.commands.{name}", _verb(name, run))
        monkeypatch.setattr(cli, "VERBS", (*VERBS, "notyet", *runs))

    return add


def test_a_verb_not_written_yet_is_absent(verbs: Callable[..., None]) -> None:
    verbs(probe=lambda args: 0)
    assert list(_subparsers(build_parser()).choices) == [*VERBS, "probe"]


@contextlib.contextmanager
def stdout_on(fd: int, *, line_buffered: bool = False) -> Iterator[PipeOut]:
    stream = PipeOut(fd, line_buffered=line_buffered)
    saved = sys.stdout
    sys.stdout = cast(TextIO, stream)
    try:
        yield stream
    finally:
        sys.stdout = saved


def test_main_returns_the_verbs_status_with_stdout_flushed_and_given_back(
        verbs: Callable[..., None], open_pipe: tuple[int, int]) -> None:
    seen: list[argparse.Namespace] = []

    def probe(args: argparse.Namespace) -> int:
        seen.append(args)
        print("no newline yet", end="")
        return 3

    verbs(probe=probe, quiet=lambda args: None)
    read, write = open_pipe
    with stdout_on(write) as stream:
        assert main(["probe", "--flag", "w"]) == 3
        assert sys.stdout is stream  # given back
    assert arrived(read) == b"no newline yet"  # flushed by main, not left to the exit
    [args] = seen
    assert (args.verb, args.flag, args.word) == ("probe", True, "w")
    with stdout_on(write):
        assert main(["quiet"]) == 0  # a verb that returns None succeeded


def test_the_verb_is_the_first_word_not_an_option(
        verbs: Callable[..., None], monkeypatch: pytest.MonkeyPatch) -> None:
    """``walkthrough --flag probe`` is not a verb ``--flag``: the top-level parser refuses the
    option, but the verb is still the one configured (its usage is argparse's)."""
    configured: list[str | None] = []
    real = cli.build_parser

    def spy(only: str | None = None) -> argparse.ArgumentParser:
        configured.append(only)
        return real(only)

    monkeypatch.setattr(cli, "build_parser", spy)
    verbs(probe=lambda args: 0)
    monkeypatch.setattr(sys, "argv", ["walkthrough", "-x", "probe", "--flag"])
    with pytest.raises(SystemExit):
        main()
    assert configured == ["probe"]
    configured.clear()
    with pytest.raises(SystemExit):
        main(["-x", "nonsense"])
    assert configured == [""]
    configured.clear()
    assert main(["probe", "--flag"]) == 0 and configured == ["probe"]


def test_a_usage_error_is_one_line_and_2(
        verbs: Callable[..., None], capsys: pytest.CaptureFixture[str]) -> None:
    def probe(args: argparse.Namespace) -> int:
        raise UsageError("no such thing: x")

    verbs(probe=probe)
    with pytest.raises(SystemExit) as caught:
        main(["probe"])
    assert caught.value.code == 2
    assert capsys.readouterr().err == "walkthrough probe: error: no such thing: x\n"


def test_ctrl_c_is_one_word_and_130(
        verbs: Callable[..., None], capsys: pytest.CaptureFixture[str]) -> None:
    def probe(args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    verbs(probe=probe)
    saved = signal.getsignal(signal.SIGINT)  # a test runner may have ignored it already
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as a command starts
        assert main(["probe"]) == 130
        # exiting with 130: a second Ctrl-C must not kill the exit (status -2)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, saved)
    assert capsys.readouterr() == ("", "interrupted\n")


@pytest.mark.parametrize("how", ["error", "rich", "group", "at_flush"])
def test_a_closed_pipe_ends_the_verb_with_0(
        how: str, verbs: Callable[..., None], left_pipe: int) -> None:
    def probe(args: argparse.Namespace) -> int:
        if how == "at_flush":
            print("no newline", end="")  # fails only at main's own flush
            return 1
        try:
            print("a line")
        except BrokenPipeError as exc:
            if how == "rich":
                raise SystemExit(1) from None
            if how == "group":
                raise BaseExceptionGroup("nursery", [exc]) from None
            raise
        return 1

    verbs(probe=probe)
    with stdout_on(left_pipe, line_buffered=True) as stream:
        assert main(["probe"]) == 0
        assert sys.stdout is stream
    assert is_devnull(left_pipe)


def test_what_is_not_a_closed_pipe_goes_up(verbs: Callable[..., None], left_pipe: int,
                                           open_pipe: tuple[int, int]) -> None:
    """A broken pipe the verb met elsewhere (a socket), stdout still open: the verb's error.
    A closed stdout and then another error: that error."""
    def socket_gone(args: argparse.Namespace) -> int:
        raise BrokenPipeError("a client left")

    def then_fails(args: argparse.Namespace) -> int:
        with contextlib.suppress(BrokenPipeError):
            print("a line")
        raise ValueError("a bug")

    verbs(socket=socket_gone, fails=then_fails)
    with stdout_on(open_pipe[1]), pytest.raises(BrokenPipeError, match="a client left"):
        main(["socket"])
    with stdout_on(left_pipe, line_buffered=True), pytest.raises(ValueError, match="a bug"):
        main(["fails"])


def test_help_is_flushed_before_the_exit_even_into_a_closed_pipe(
        verbs: Callable[..., None], open_pipe: tuple[int, int], left_pipe: int) -> None:
    verbs(probe=lambda args: 0)
    read, write = open_pipe
    with stdout_on(write) as stream, pytest.raises(SystemExit) as caught:
        main(["probe", "--help"])
    assert caught.value.code == 0 and stream.pending == ""  # flushed here, not at exit
    assert arrived(read).startswith(
        b"usage: walkthrough probe [-h] [--flag] [word]\n\nthe probe stand-in\n")
    with stdout_on(left_pipe), pytest.raises(SystemExit) as caught:
        main(["--help"])  # the pipe is gone: the flush's error is not the exit's
    assert caught.value.code == 0
