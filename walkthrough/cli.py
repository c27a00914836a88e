"""The ``walkthrough`` command: one verb per module in :mod:`walkthrough.commands`.

A verb module offers ``HELP`` (one line), ``DESCRIPTION`` (the --help text), ``configure(parser)``
and ``run(args) -> int``. Verbs are listed here in the order ``--help`` shows them; a verb whose
module is not written yet is simply absent.

A closed stdout (``walkthrough ... | head -1``) is the same thing for every verb: the reader
took what it wanted, so the verb stops printing and exits 0, quietly: no traceback, no
"Exception ignored" when Python flushes stdout at exit, and never a status that reads as a
verdict (rich turns a broken pipe into ``SystemExit(1)``, which is ``run``'s "NOT
equivalent"). ``crawl`` is the one verb whose product is a file, not its stdout: it keeps
crawling into its TSV (:func:`discard_when_closed`) and exits with the crawl's own status.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import io
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from typing import TextIO, cast

VERBS = ("list", "run", "tour", "crawl", "diff", "timeline", "check", "notebook", "port")

#: What every verb's --help ends with, the closed-pipe convention in one place (a verb module
#: may set its own ``CLOSED_STDOUT``: crawl does).
CLOSED_STDOUT = ("closed stdout: a reader that stops reading (`| head -1`) got what it wanted:\n"
                 "  the output stops, quietly, and the exit status is 0 (output the verb had\n"
                 "  already written in full, small enough for the pipe, ends with its own status).")


class UsageError(Exception):
    """Bad input from the command line: reported in one line, exit status 2."""


class ClosedPipeGuard:
    """``sys.stdout``, but a reader that closes the pipe turns it into /dev/null.

    On the first ``BrokenPipeError`` the file descriptor is pointed at /dev/null (Python's
    "Note on SIGPIPE": otherwise the final flush at exit fails again, prints "Exception
    ignored" and exits 120), and every later write is dropped. The first error still goes up
    to the writer, so a verb stops where it stood, unless ``discard`` is set: then the writer
    never learns that nobody reads, which is what a crawl that writes its real product
    elsewhere wants.
    """

    def __init__(self, stream: TextIO, *, discard: bool = False) -> None:
        self._stream = stream
        self.discard = discard
        self.closed_by_reader = False

    def write(self, text: str) -> int:
        if self.closed_by_reader:
            return len(text)
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._reader_left()
            if self.discard:
                return len(text)
            raise

    def flush(self) -> None:
        if self.closed_by_reader:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._reader_left()
            if not self.discard:
                raise

    def _reader_left(self) -> None:
        self.closed_by_reader = True
        with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self._stream.fileno())
            finally:
                os.close(devnull)
        # What the stream still buffers now goes to /dev/null, and fails no more.
        with contextlib.suppress(OSError, ValueError):
            self._stream.flush()

    def __getattr__(self, name: str) -> object:  # isatty, fileno, encoding...: the stream's
        return getattr(self._stream, name)


@contextlib.contextmanager
def discard_when_closed() -> Iterator[ClosedPipeGuard]:
    """Within the block, a closed stdout silently swallows what is printed to it."""
    saved = sys.stdout
    guard = ClosedPipeGuard(saved, discard=True)
    sys.stdout = cast(TextIO, guard)
    try:
        yield guard
    finally:
        sys.stdout = saved


def _from_closed_pipe(exc: BaseException) -> bool:
    """Whether ``exc`` is a closed stdout and nothing else: the error itself, rich's
    ``SystemExit(1)`` raised while handling one, or a group (a Trio nursery's) of only those."""
    if isinstance(exc, BrokenPipeError):
        return True
    if isinstance(exc, SystemExit):
        return isinstance(exc.__context__, BrokenPipeError)
    if isinstance(exc, BaseExceptionGroup):
        return all(_from_closed_pipe(e) for e in exc.exceptions)
    return False


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only``, only that verb's own options are added.

    Each verb's ``configure`` may import what its defaults come from (``crawl`` imports a
    crawler, ``check`` the learner's harness), and a verb module imports its heavy libraries
    (rich, the runner, the porting tool) only in ``run``: so ``walkthrough port`` does not pay
    for the crawler's aiohttp, nor ``walkthrough --help`` for anything (issue 26, item 2).
    """
    parser = argparse.ArgumentParser(
        prog="walkthrough",
        description="The asyncio walkthrough, written in asyncio and in Trio, side by side.",
        epilog=f"Run 'walkthrough VERB --help' for a verb's options.\n\n{CLOSED_STDOUT}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    for verb in VERBS:
        name = f"walkthrough.commands.{verb}"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        p = sub.add_parser(
            verb, help=module.HELP, description=getattr(module, "DESCRIPTION", module.HELP),
            epilog=getattr(module, "CLOSED_STDOUT", CLOSED_STDOUT),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if only is None or only == verb:
            module.configure(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    saved = sys.stdout
    guard = ClosedPipeGuard(saved)
    sys.stdout = cast(TextIO, guard)
    try:
        status = _main(argv)
        sys.stdout.flush()  # here, where a closed pipe is caught, not in Python's exit
        return status
    except BaseException as exc:
        if guard.closed_by_reader and _from_closed_pipe(exc):
            return 0
        if isinstance(exc, SystemExit):  # --help, a usage error: flushed here for the same reason
            with contextlib.suppress(BrokenPipeError):
                sys.stdout.flush()
        raise
    finally:
        sys.stdout = saved


def _main(argv: Sequence[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # The verb is the first word that is not an option: the top-level parser has no option
    # that takes a value. Anything else (none, a typo) configures no verb, and argparse says
    # what it says without them.
    verb = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(verb if verb in VERBS else "")
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except UsageError as exc:
        parser.exit(2, f"walkthrough {args.verb}: error: {exc}\n")
    except KeyboardInterrupt:
        # Exiting with 130: a second Ctrl-C must not cut the exit short. Python gives SIGINT
        # back to the system's default as it shuts down, so one landing there would kill the
        # process (status -2); before that, another KeyboardInterrupt from this very line.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("interrupted", file=sys.stderr)
        return 130
