"""Every lesson run as a script, ``python -m <package>.<lesson>``, in both versions.

The shared tests call the lessons' phases on virtual clocks; a user types
``python -m trio_port.chained``. That path has its own code (each file's ``__main__`` block:
``trio.run(demo)`` vs ``asyncio.run(demo())``, ``sys.argv``, the exit status) and runs on the
real clock, so here each lesson runs as a real child process and what it prints is compared
with the virtual-clock trace of the same lesson, same version, same parameters.

Where the notebook's run is short (count, makerandom, chained, generators, asyncgen: at most
9 s each; chained with two names on its command line; the asyncio chained script's
``--global-rng`` notebook mode, 12 s) the script runs
as it is, on the real clock; all of them start at once, so the module takes about as long as
the longest. The asyncio makerandom script's notebook mode (59 s) is read up to its first
sleep, then stopped with Ctrl-C. The queue's notebook run takes 59 s: the script's
own entry point is covered by ``test_sigint`` (Ctrl-C after its first line), and here a
real-clock smoke test runs its ``demo`` with small parameters (2 producers, 2 consumers,
seed 261: three jobs, 5 s). The crawler and the server are scripts with arguments, tested
with their own local servers (``test_crawler``, ``test_crawler_boundaries``, ``test_server``).

What the real clock changes, and how the comparison allows for it (nothing else):

* elapsed-time figures are a little larger than the virtual ones: each figure is masked in
  the comparison and checked on its own to be no smaller than the virtual figure (a sleep
  never returns early), never against an upper bound (the machine may be busy);
* lines of tasks that the virtual clock wakes at one instant may come in another order, so
  lines compare as a multiset, plus each task's own lines in their exact order (a task is
  told by its colour in makerandom, by its name in chained);
* which queue consumer took a job is the scheduler's choice, as in the shared tests: the
  consumer's name and the job's wait are masked (the jobs, and how many were taken, are not).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType

import pytest

from tests.conftest import ROOT
from tests.signals import interrupt
from walkthrough import catalogue
from walkthrough.runner import run_lesson

QUEUE_SMOKE = {"seed": 261, "nprod": 2, "ncon": 2}
#: Wall seconds a script may take: the longest real run is 9 s; this allows a loaded machine.
WAIT = 120

#: "executed in 3.00 seconds", "total 4.00 seconds", "finished in 9.00 seconds" ...
FIGURE = re.compile(r"(?<=in |al )(\d+\.\d+)(?= seconds)")
ANSI_PREFIX = re.compile(r"^(\033\[\d+m)")


@dataclass(frozen=True)
class Script:
    lesson: str
    impl: str
    argv: tuple[str, ...]
    #: the parameters of the virtual run it is compared with
    params: tuple[tuple[str, object], ...] = ()
    #: the function that virtual run calls, when it is not the lesson's own phases
    phase: str | None = None


def scripts() -> Iterator[Script]:
    for lesson in catalogue.LESSONS:
        if lesson.real_io:
            continue
        for impl in catalogue.IMPLS:
            module = lesson.module_name(impl)
            if lesson.name != "queue":
                yield Script(lesson.name, impl, ("-m", module))
                continue
            args = ", ".join(f"{k}={v!r}" for k, v in QUEUE_SMOKE.items())
            run = (f"trio.run(functools.partial(demo, {args}))" if impl == "trio"
                   else f"asyncio.run(demo({args}))")
            code = f"import asyncio, functools, trio\nfrom {module} import demo\n{run}\n"
            yield Script(lesson.name, impl, ("-c", code), tuple(QUEUE_SMOKE.items()))
    # chained takes its chains' names from the command line: two names, two chains (9 s).
    for impl in catalogue.IMPLS:
        yield Script("chained", f"{impl}-args",
                     ("-m", catalogue.get("chained").module_name(impl), "laser", "cannon"),
                     (("args", ("laser", "cannon")),))
    # The asyncio chained script's notebook mode (one global stream): 12 s.
    yield Script("chained", "asyncio-notebook",
                 ("-m", catalogue.get("chained").module_name("asyncio"), "--global-rng"),
                 phase="demo_notebook")


SCRIPTS = {(s.lesson, s.impl): s for s in scripts()}


@pytest.fixture(scope="module")
def finished(request: pytest.FixtureRequest,
             ) -> Iterator[dict[tuple[str, str], subprocess.CompletedProcess[str]]]:
    """Start every selected script at once (they mostly sleep), then collect their output."""
    selected = {(item.callspec.params["lesson"], item.callspec.params["impl"])
                for item in request.session.items
                if isinstance(item, pytest.Function) and hasattr(item, "callspec")
                and item.originalname == "test_the_script_prints_what_the_virtual_run_prints"}
    procs = {key: subprocess.Popen([sys.executable, "-W", "error", *s.argv], cwd=ROOT,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
             for key, s in SCRIPTS.items() if key in selected}
    results = {}
    try:
        for key, proc in procs.items():
            out, err = proc.communicate(timeout=WAIT)
            results[key] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        yield results
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


#: Which consumer took a job is the scheduler's choice (``walkthrough.normalise.queue``).
CONSUMER = re.compile(r"(?<=> Consumer )\w+")


def masked(line: str) -> str:
    return CONSUMER.sub("C", FIGURE.sub("N", line))


def elapsed_figures(text: str) -> list[float]:
    """The figures that measure the program or a task from its own start (not a job's wait,
    which two clocks may see shorter or longer)."""
    return [float(m) for line in text.splitlines() if "Consumer" not in line
            for m in FIGURE.findall(line)]


def task_key(lesson: str) -> Callable[[str], str | None]:
    """Which task printed a line, where the line says so; None for the program's own lines."""
    if lesson == "makerandom":
        return lambda line: m[1] if (m := ANSI_PREFIX.match(line)) else None
    if lesson == "chained":
        def chain(line: str) -> str | None:
            m = re.match(r"(?:loading |firing |--> Timing for )?(\w+)", line)
            return None if line.startswith("Program") or m is None else m[1]
        return chain
    return lambda line: None


@pytest.mark.timeout(WAIT + 30)
@pytest.mark.parametrize(("lesson", "impl"), list(SCRIPTS), ids=lambda v: str(v))
def test_the_script_prints_what_the_virtual_run_prints(
    lesson: str, impl: str,
    finished: dict[tuple[str, str], subprocess.CompletedProcess[str]],
) -> None:
    script = SCRIPTS[(lesson, impl)]
    result = finished[(lesson, impl)]
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # -W error: no warning, no traceback, no "never awaited"
    if script.phase is None:
        virtual = run_lesson(lesson, impl.removesuffix("-args"),
                             params=dict(script.params)).text()
    else:
        module = catalogue.get(lesson).load("asyncio")
        virtual = run_lesson(lesson, "asyncio", module=_as_demo(getattr(module, script.phase)),
                             params=dict(script.params)).text()
    got, want = result.stdout.splitlines(), virtual.splitlines()
    assert Counter(map(masked, got)) == Counter(map(masked, want))
    key = task_key(lesson)
    for task in {key(line) for line in want} - {None}:
        assert ([masked(line) for line in got if key(line) == task]
                == [masked(line) for line in want if key(line) == task]), task
    if lesson in ("count", "generators", "asyncgen"):  # one order only, whoever runs it
        assert masked(result.stdout) == masked(virtual)
    # A sleep never returns early: each real figure is at least its virtual twin.
    pairs = zip(sorted(elapsed_figures(result.stdout)), sorted(elapsed_figures(virtual)),
                strict=True)
    assert all(real >= want - 0.005 for real, want in pairs)


def test_every_lesson_without_network_io_is_run_as_a_script_in_both_versions() -> None:
    virtual = {lesson.name for lesson in catalogue.LESSONS if not lesson.real_io}
    assert set(SCRIPTS) == {(name, impl) for name in virtual for impl in catalogue.IMPLS} | {
        ("chained", "asyncio-notebook"), ("chained", "asyncio-args"), ("chained", "trio-args")}


@pytest.mark.timeout(60)
def test_the_asyncio_makerandom_script_has_a_notebook_mode() -> None:
    """``python -m asyncio_ref.makerandom --global-rng``: the notebook's one global stream
    (its run takes 59 s, so we read what it prints before its first sleep, then Ctrl-C it):
    the same lines the virtual run of ``demo_notebook`` prints at t=0, not ``demo``'s."""
    module = catalogue.get("makerandom").load("asyncio")
    notebook, plain = (run_lesson("makerandom", "asyncio", module=_as_demo(fn))
                       for fn in (module.demo_notebook, module.demo))
    first = notebook.at("demo", 0.0)
    assert first != plain.at("demo", 0.0)  # the two modes differ from the first draw on
    seen: list[str] = []

    def ready(line: str) -> bool:
        seen.append(line)
        return len(seen) == len(first)

    result = interrupt(["-m", module.__name__, "--global-rng"], ready=ready)
    assert result.stdout.splitlines()[:len(first)] == first
    assert result.returncode == 130


def _as_demo(fn: Callable[..., object]) -> ModuleType:
    shim = ModuleType("shim")
    shim.demo = fn  # type: ignore[attr-defined]
    return shim
