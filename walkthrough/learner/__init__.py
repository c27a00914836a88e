"""Learner mode: check your own port of a lesson, Trio or asyncio, against the references.

You write ``my_queue.py`` (start from ``exercises/trio/queue.py``), then::

    walkthrough check queue my_queue.py                  # a Trio port
    walkthrough check queue my_queue.py --impl asyncio   # the notebook's own exercise

Nothing your module does can break the check or your terminal, because it never runs in the
checking process: :func:`check_in_child` starts ``python -m walkthrough.learner`` in a new
session (no controlling terminal, stdin from /dev/null), drains its output into a bounded
buffer, and waits for one of two files the child writes, a JSON result or a progress line.
The child (:func:`child_main`) runs, in order:

1. every reference trace, *before* your module is imported (a monkeypatch cannot reach them);
2. your module's import, then a comparison of ``trio``, ``trio.testing``, ``asyncio``,
   ``time`` and ``builtins`` with what they were before it (a replaced ``trio.run`` is
   named, not silently obeyed);
3. for every parameter set of ``Lesson.all_cases()`` (the shared tests' own), your phases on
   the virtual clock, each under two limits: a *virtual* deadline (:data:`DEADLINE_FACTOR`
   times the reference's duration, at least :data:`MIN_DEADLINE` s), which the autojump clock
   reaches at once if your tasks deadlock; and a *wall-clock* limit, which only a task that
   never reaches a checkpoint can hit, enforced by :mod:`faulthandler` (a C thread that needs
   no cooperation from Python) and reported with the line of your file that was running;
4. the functions the Trio exercise asks for beyond the notebook (:data:`TRIO_EXTRAS`),
   compared with our own Trio twin's, also as the shared tests drive them (asyncgen's
   ``mygen_ahead`` against slower and faster consumers);
5. once every case passes, what else the shared tests run (:mod:`.script`): the entry points
   with their default parameters, and your file's ``if __name__ == "__main__":`` block with
   each command line of ``python -m``, on the virtual clock, against asyncio_ref's (its own
   interface too: ``--help`` exits 0, an unknown option 2, neither running the lesson).

The report names each distinct cause (an ``ExceptionGroup`` is opened up, and the usual
porting slips get a hint: :data:`HINTS`), shows only lines your program and the reference
printed (control characters escaped, long lines cut: :func:`clean`; colours by name, or as
colours on a terminal: :func:`render`), says "did you mean --impl asyncio?" to a file
written for the other framework (:func:`framework_slip`), and is never
"equivalent" for a function still left as the skeleton's ``raise NotImplementedError``.
The crawler is checked offline against the local demo site (:func:`check_crawler`).

One module per job, each with a docstring that says what it owns:

* :mod:`.loading`: read the learner's file, import it (:class:`PortProblem` if it can't be);
* :mod:`.skeleton`: find the bodies still left as the skeleton's (static, with :mod:`ast`);
* :mod:`.explain`: causes, hints and the text that reaches the report (:func:`clean`);
* :mod:`.guard`: run a port's phases under limits (a flood, a deadlock, a busy loop);
* :mod:`.phases`: what a check runs of a module (phases, drivers, the Trio extras);
* :mod:`.compare`: every shared case, the reference against the port (:func:`check`);
* :mod:`.script`: the module run as a script and its entry points' defaults, once;
* :mod:`.report`: the verdicts in words (:class:`Report`) and the exit statuses;
* :mod:`.crawler`: the crawler, checked offline against the local demo site;
* :mod:`.child`: the child process, ``python -m walkthrough.learner`` (:mod:`.__main__`);
* :mod:`.supervise`: the parent side, which starts the child and never hangs.

The names below are re-exported so that callers import them from ``walkthrough.learner``.
"""

# First: the child imports trio.testing, which would import pytest (see the module).
from walkthrough import _trio_testing  # noqa: F401
from walkthrough.learner.child import child_main
from walkthrough.learner.compare import check, references
from walkthrough.learner.crawler import check_crawler
from walkthrough.learner.explain import (
    CHECKPOINT,
    HINTS,
    LINE_WIDTH,
    causes,
    clean,
    framework_slip,
    hint,
    render,
)
from walkthrough.learner.guard import DEADLINE_FACTOR, MAX_EVENTS, MIN_DEADLINE, OutputFlood
from walkthrough.learner.loading import PortProblem, load, read_source
from walkthrough.learner.phases import DRIVERS, TRIO_EXTRAS
from walkthrough.learner.report import (
    CANNOT_CHECK,
    EQUIVALENT,
    NOT_EQUIVALENT,
    CaseResult,
    Report,
    header,
    unfinished_note,
)
from walkthrough.learner.skeleton import reachable, unfinished
from walkthrough.learner.supervise import WALL_LIMIT, Outcome, check_in_child

__all__ = [
    "CANNOT_CHECK",
    "CHECKPOINT",
    "DEADLINE_FACTOR",
    "DRIVERS",
    "EQUIVALENT",
    "HINTS",
    "LINE_WIDTH",
    "MAX_EVENTS",
    "MIN_DEADLINE",
    "NOT_EQUIVALENT",
    "TRIO_EXTRAS",
    "WALL_LIMIT",
    "CaseResult",
    "Outcome",
    "OutputFlood",
    "PortProblem",
    "Report",
    "causes",
    "check",
    "check_crawler",
    "check_in_child",
    "child_main",
    "clean",
    "framework_slip",
    "header",
    "hint",
    "load",
    "reachable",
    "read_source",
    "references",
    "render",
    "unfinished",
    "unfinished_note",
]
