"""``walkthrough check``: learner mode, your own port (Trio or asyncio) against the reference."""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

from walkthrough import catalogue
from walkthrough.cli import UsageError
from walkthrough.commands import add_lesson, lesson_arg

# walkthrough.learner (trio, asyncio, the runner) is imported where used: every `walkthrough`
# command imports this module for its --help line (walkthrough.cli.build_parser).

HELP = "check your own port of a lesson (Trio or asyncio) against the reference"
DESCRIPTION = """\
Learner mode. Write your own version of a lesson (exercises/trio/<lesson>.py and
exercises/asyncio/<lesson>.py are skeletons to start from), then check it: the asyncio
reference and your module run on the virtual clock with the parameter sets the project's
own tests use, and their output is compared line by line, instant by instant. A Trio port
is also checked on the functions its exercise adds (queue: demo_closing; asyncgen:
main_ahead and mygen_ahead, the latter also with the project's tests' consumers: slower than
it, as fast, and one that leaves after three values), against trio_port's own.

Once every case passes, the rest of what the project's tests run is checked too, on the
virtual clock: the entry points called with their default parameters (main(), demo(), as
the tests and python -m call them: a default seed that is not the notebook's fails), then
your file run as a script, its `if __name__ == "__main__":` block with each command line
the tests use (none; chained laser cannon; --global-rng under --impl asyncio, once
demo_notebook is written), compared with asyncio_ref's script: what it prints, when, and
its exit status; then --help (exit status 0) and an unknown option (exit status 2), which
must not run the lesson, nor must --global-rng in a Trio port (exit status 2: Trio has no
notebook mode, as trio_port's own script says). A block that runs the wrong function,
trio.run(demo()), runs nothing, has a typo in its default names or runs the lesson for
--help is NOT equivalent, and so is a file with no such block (python your_file.py would
do nothing). The crawler is checked offline: the reference and your module crawl a local
demo site with bulk_crawl_and_write; the TSV rows and each URL's events (an error by its
category) must match. Its crawl and _until_ctrl_c (Ctrl-C, the exit statuses) are not run,
only required to be written (not the skeleton's raise): run your file on a URL to try them.
The server is checked on real sockets on 127.0.0.1: one scripted session of clients against
asyncio_ref's server and against yours, which must answer the same bytes.

Your module runs in a child process, in a session of its own, with no terminal: whatever
it does (exit, start threads, print without end, write control characters, set the
terminal to raw mode, monkeypatch trio), the check ends and says why.

Exit status and what is printed:
  0  "equivalent": the same lines at the same virtual times, in every case.
  1  "NOT equivalent", then the first divergence: the lines expected and the lines your
     port printed at that virtual time (control characters escaped, long lines cut,
     colours named, [cyan]...[reset], and also shown as colours on a terminal), and
     each distinct error your tasks raised, at the line of your file, with a hint for the
     usual porting slips ("no running event loop": an asyncio call left in a Trio port;
     a file that imports asyncio and not trio: "did you mean --impl asyncio?").
     Also status 1, each with its own message:
       - a function still left as the skeleton's raise NotImplementedError: each one the
         skeleton leaves so is named, those the check does not run included (the
         crawler's crawl and _until_ctrl_c), all but the asyncio notebook mode's
         demo_notebook (yours to write or not);
       - a deadlock: still running after 10x the reference's virtual time (min 60 s);
       - a phase that never reaches a checkpoint (a busy loop, time.sleep): stopped after
         --timeout seconds of wall-clock time, naming the function and the line, and
         saying what a checkpoint is;
       - more than 20000 lines, or 32,000,000 characters, printed by one phase (a
         flood): stopped;
       - the process ended by your code (os._exit, a crash, a signal) during a phase;
       - a non-daemon thread left running, trio/asyncio/time/builtins monkeypatched
         while it ran, or any warning your port raised (a "coroutine was never awaited",
         a DeprecationWarning...); not for the crawler and the server, judged by their
         output alone.
  2  your file could not be checked: unreadable, a syntax error, a missing function, an
     exception at import, an exit at import (sys.exit, os._exit: never "equivalent"), a
     loop at import (stopped after --timeout s), trio/asyncio/time/builtins monkeypatched
     at import (not checked for the server), or a bad command line.
  0  also when stdout is closed early (`| head -1`) while the check still writes: the output
     stops there, quietly (a report the pipe took whole ends with its own status).

examples:
  cp exercises/trio/count.py my_count.py         # ... then fill in the bodies
  walkthrough check count my_count.py
  cp exercises/asyncio/count.py my_count_aio.py  # the notebook's own exercise
  walkthrough check count my_count_aio.py --impl asyncio"""


def configure(parser: argparse.ArgumentParser) -> None:
    from walkthrough.learner import WALL_LIMIT

    add_lesson(parser)
    parser.add_argument("path", metavar="PATH", type=Path, help="your port: a .py file")
    parser.add_argument("--impl", choices=catalogue.IMPLS, default="trio",
                        help="the framework your file is written for (default: trio)")
    parser.add_argument("--timeout", metavar="S", type=float, default=WALL_LIMIT,
                        help="wall-clock seconds one phase (or the import) of your module may "
                             f"run (default: {WALL_LIMIT:g}); sleeps are virtual, so only code "
                             "that never reaches a checkpoint comes near it. For server (real "
                             "sockets, real time), the seconds your server may take to print "
                             "its 'listening on 127.0.0.1:PORT' line")


def run(args: argparse.Namespace) -> int:
    from walkthrough.learner import PortProblem, check_in_child

    lesson = lesson_arg(args.lesson)
    if not args.timeout > 0:
        raise UsageError("--timeout must be positive")
    if lesson.name == "server":  # real sockets: a scripted session of clients
        from walkthrough import echo
        return echo.check_verb(args)
    for impl in ("asyncio", args.impl):
        if not lesson.exists(impl):
            raise UsageError(f"{lesson.module_name(impl)} is not written yet")
    try:
        # The header goes out at once, flushed: a port that never awaits holds the report
        # for --timeout seconds, and the learner should see that the check has begun.
        outcome = check_in_child(lesson, args.path, args.impl, args.timeout,
                                 announce=functools.partial(print, flush=True),
                                 colours=sys.stdout.isatty())
    except PortProblem as exc:
        raise UsageError(str(exc)) from None
    if outcome.status == 2:
        raise UsageError(outcome.text)
    print(outcome.text)
    return outcome.status
