"""Tests that kill mutmut's survivors in ``walkthrough run LESSON`` (issue 27).

Most tests of the verb run it as a command, or run a lesson on the real clock in two spawned
processes, where mutmut sees nothing ("no tests"). Here the verb runs in the test process: the
runner's ``run_lesson`` and the two real-clock processes are replaced by stand-ins that record
what they were given and answer at once with traces written for the test, and the verb's clock
(``time.perf_counter``) by one that says what it is told. Nothing sleeps: one test spawns the two
real processes for the lesson that never sleeps (``generators``), and one runs ``count`` on the
virtual clock. One test per kind of slip:

* the options as parsed and as the help states them;
* the refusals, word for word: a real-I/O lesson (on either clock), a tolerance outside
  [0, 1), a seed for a lesson that draws none, a twin not written yet; the server handed to its
  own verb;
* one version: the lesson's lines teed to stdout as they come, its seed passed on, status 0, a
  closed stdout swallowed;
* both versions: on the virtual clock the comparison and the simulated seconds, on the real one
  the tolerance's comparison, the table showing what was printed, the longer version's seconds
  and the tolerance in milliseconds; the wall time; status 1 and "NOT equivalent" on a
  divergence;
* the estimate and the notice of a real-clock run; the real-clock workers (spawned, one per
  version, Ctrl-C left to the parent);
* ``snap``, the grouping of real-clock stamps into instants: the window's edge, a drift carried
  from match to match, an instant only one run has, the durations a lesson printed made exact,
  other figures printed as one, fragments rejoined, and the trace's other fields kept.
"""

from __future__ import annotations

import argparse
import inspect
import io
import multiprocessing
import pickle
import re
import signal
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any

import pytest

import walkthrough.runner
from walkthrough import catalogue, cli, echo
from walkthrough.cli import UsageError
from walkthrough.commands import run as run_verb
from walkthrough.trace import Event, Trace


def parse(*argv: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(["run", *argv])


def flat(text: str) -> str:
    """``text`` with every run of whitespace one space: rich wraps to the console's width."""
    return " ".join(text.split())


def trace(impl: str, lines: list[tuple[float, str]], *, phase: str = "demo",
          durations: Mapping[str, float] | None = None, lesson: str = "count",
          outcome: str = "None") -> Trace:
    """A trace of one task's lines, at the times given."""
    return Trace(impl=impl, lesson=lesson,
                 events=[Event(phase, t, 0, text) for t, text in lines],
                 outcomes={phase: outcome}, durations=dict(durations or {phase: 0.0}))


#: The real runner's signature: a stand-in reads its call as the runner would, defaults included.
RUN_LESSON = inspect.signature(walkthrough.runner.run_lesson)


class Runner:
    """A stand-in for :func:`walkthrough.runner.run_lesson`: records each call as the runner
    reads it (the clock, with its default, virtual; the params, None being none), prints each
    line of its trace to ``tee`` if it is given one (as the real one does, while the lesson
    runs), and returns the trace ``traces`` holds for that framework."""

    def __init__(self, traces: Mapping[str, Trace]) -> None:
        self.traces = traces
        self.calls: list[tuple[Any, str, dict[str, Any]]] = []
        self.tees: list[Any] = []

    def __call__(self, lesson: Any, impl: str, **kwargs: Any) -> Trace:
        call = RUN_LESSON.bind(lesson, impl, **kwargs)
        call.apply_defaults()
        self.calls.append((lesson, impl, {"virtual": call.arguments["virtual"],
                                          "params": dict(call.arguments["params"] or {})}))
        tee = call.arguments["tee"]
        self.tees.append(tee)
        if tee is not None:
            for e in self.traces[impl].events:
                print(e.text, file=tee)
        return self.traces[impl]


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Runner]:
    def install(**traces: Trace) -> Runner:
        stand_in = Runner(traces)
        monkeypatch.setattr(walkthrough.runner, "run_lesson", stand_in)
        return stand_in
    return install


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float, float], None]:
    """The verb's perf_counter says ``start``, then ``end``: its wall time is end - start."""
    def install(start: float, end: float) -> None:
        readings = iter([start, end])
        monkeypatch.setattr(run_verb, "time", types.SimpleNamespace(
            perf_counter=lambda: next(readings), monotonic=lambda: 0.0))
    return install


# -- the options -----------------------------------------------------------------------------

def test_the_options_are_parsed_as_the_help_says() -> None:
    args = parse("count")
    assert (args.lesson, args.impl, args.virtual, args.seed, args.tolerance) == (
        "count", "both", False, None, run_verb.TOLERANCE)
    assert run_verb.TOLERANCE == 0.05
    args = parse("queue", "--impl", "trio", "--virtual", "--seed", "7", "--tolerance", "0.2")
    assert (args.impl, args.virtual, args.seed, args.tolerance) == ("trio", True, 7, 0.2)
    assert type(args.seed) is int and type(args.tolerance) is float
    assert parse("count", "--impl", "asyncio").impl == "asyncio"
    with pytest.raises(SystemExit):
        parse("count", "--impl", "curio")
    parser = argparse.ArgumentParser()
    run_verb.configure(parser)
    text = flat(parser.format_help())
    assert "--impl {asyncio,trio,both} which version to run (default: both)" in text
    assert "--virtual run on the virtual clock (instant) instead of the real one" in text
    assert "--seed SEED seed for the lessons that draw random numbers" in text
    assert ("--tolerance SECONDS real clock: stamps this close are one instant (default: 0.05)"
            in text)
    assert "LESSON one of: count, makerandom" in text


# -- refusals --------------------------------------------------------------------------------

def test_a_real_io_lesson_is_refused_with_the_verb_that_compares_it(
        runner: Callable[..., Runner]) -> None:
    stand_in = runner()
    with pytest.raises(UsageError) as refused:
        run_verb.run(parse("crawler"))
    assert str(refused.value) == (
        "crawler does real network I/O: its two versions are compared by what they fetch, "
        "not by a timeline: use 'walkthrough crawl'")
    with pytest.raises(UsageError) as refused:
        run_verb.run(parse("crawler", "--virtual", "--impl", "trio"))
    assert str(refused.value) == (
        "crawler does real network I/O: a virtual clock cannot run it, and its two versions "
        "are compared by what they fetch, not by a timeline: use 'walkthrough crawl'")
    assert stand_in.calls == []


def test_the_server_is_handed_to_its_own_verb(monkeypatch: pytest.MonkeyPatch,
                                              runner: Callable[..., Runner]) -> None:
    """Lesson 8 plays a session of real clients (``echo.run_verb``): whatever that verb is
    given (--virtual and --seed too, which it refuses itself), and whatever it returns."""
    stand_in = runner()
    given: list[argparse.Namespace] = []

    def verb(args: argparse.Namespace) -> int:
        given.append(args)
        return 7

    monkeypatch.setattr(echo, "run_verb", verb)
    args = parse("server", "--virtual", "--seed", "3", "--tolerance", "5")
    assert run_verb.run(args) == 7
    assert given == [args]
    assert stand_in.calls == []


@pytest.mark.parametrize("tolerance", ["1", "-0.001", "1.5"])
def test_a_tolerance_outside_zero_to_one_second_is_refused(
        tolerance: str, runner: Callable[..., Runner]) -> None:
    stand_in = runner()
    with pytest.raises(UsageError) as refused:
        run_verb.run(parse("count", "--virtual", "--tolerance", tolerance))
    assert str(refused.value) == "--tolerance must be at least 0 and less than 1 second"
    assert stand_in.calls == []


@pytest.mark.parametrize("tolerance", ["0", "0.999"])
def test_a_tolerance_from_zero_to_under_a_second_is_accepted(
        tolerance: str, runner: Callable[..., Runner],
        capsys: pytest.CaptureFixture[str]) -> None:
    stand_in = runner(trio=trace("trio", [(0.0, "One")]))
    assert run_verb.run(parse("count", "--impl", "trio", "--tolerance", tolerance)) == 0
    assert len(stand_in.calls) == 1


def test_a_seed_for_a_lesson_that_draws_none_is_refused(runner: Callable[..., Runner]) -> None:
    stand_in = runner()
    with pytest.raises(UsageError) as refused:
        run_verb.run(parse("count", "--impl", "trio", "--seed", "3"))
    assert str(refused.value) == "lesson 'count' draws no random numbers: --seed has no use"
    assert stand_in.calls == []


def test_a_twin_not_written_yet_is_refused_by_its_module(
        monkeypatch: pytest.MonkeyPatch, runner: Callable[..., Runner],
        capsys: pytest.CaptureFixture[str]) -> None:
    """Only the missing twin is refused: asyncio's runs alone; both, or Trio's, are refused."""
    written = catalogue.Lesson.exists
    monkeypatch.setattr(catalogue.Lesson, "exists",
                        lambda self, impl: impl != "trio" and written(self, impl))
    stand_in = runner(asyncio=trace("asyncio", [(0.0, "One")]))
    for argv in (("count", "--virtual"), ("count", "--impl", "trio", "--virtual")):
        with pytest.raises(UsageError) as refused:
            run_verb.run(parse(*argv))
        assert str(refused.value) == "trio_port.count is not written yet"
    assert stand_in.calls == []
    assert run_verb.run(parse("count", "--impl", "asyncio", "--virtual")) == 0
    assert [impl for _, impl, _ in stand_in.calls] == ["asyncio"]


# -- one version -----------------------------------------------------------------------------

@pytest.mark.parametrize("virtual", [False, True])
def test_one_version_tees_its_lines_to_stdout_as_they_come(
        virtual: bool, runner: Callable[..., Runner],
        capsys: pytest.CaptureFixture[str]) -> None:
    """No table, no verdict: the lesson's own lines, on the clock asked for, with no params
    unless a seed is given."""
    stand_in = runner(trio=trace("trio", [(0.0, "One"), (1.0, "Two")]))
    argv = ["count", "--impl", "trio"] + (["--virtual"] if virtual else [])
    assert run_verb.run(parse(*argv)) == 0
    assert capsys.readouterr() == ("One\nTwo\n", "")
    ((lesson, impl, kwargs),) = stand_in.calls
    assert lesson is catalogue.get("count") and impl == "trio"
    assert kwargs["virtual"] is virtual and kwargs["params"] == {}
    (tee,) = stand_in.tees
    assert isinstance(tee, cli.ClosedPipeGuard)


def test_one_version_is_given_its_seed(runner: Callable[..., Runner],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    stand_in = runner(asyncio=trace("asyncio", [(0.0, "r1 = 3")]))
    assert run_verb.run(parse("makerandom", "--impl", "asyncio", "--seed", "0")) == 0
    ((_, impl, kwargs),) = stand_in.calls
    assert impl == "asyncio" and kwargs["params"] == {"seed": 0}


class Closed(io.StringIO):
    """A stdout whose reader has gone: every write and flush is a BrokenPipeError."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_one_version_runs_to_its_end_on_a_closed_stdout(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`walkthrough run count --impl trio | head -0`: the lesson's prints, inside its tasks,
    are dropped, not raised there; the lesson ends and the status is 0."""
    monkeypatch.setattr(sys, "stdout", Closed())
    assert run_verb.run(parse("count", "--impl", "trio", "--virtual")) == 0
    assert isinstance(sys.stdout, Closed)  # put back


# -- both versions ---------------------------------------------------------------------------

def test_both_on_the_virtual_clock_compare_exactly_and_say_the_simulated_seconds(
        runner: Callable[..., Runner], clock: Callable[[float, float], None],
        capsys: pytest.CaptureFixture[str]) -> None:
    """Each version run once, on the virtual clock, with the seed; the simulated seconds are
    asyncio's (the two agree when they are equivalent), the wall time the verb's own."""
    stand_in = runner(asyncio=trace("asyncio", [(0.0, "r1 = 3"), (2.0, "done")],
                                    durations={"demo": 2.5}, lesson="makerandom"),
                      trio=trace("trio", [(0.0, "r1 = 3"), (2.0, "done")],
                                 durations={"demo": 9.0}, lesson="makerandom"))
    clock(10.0, 12.5)
    assert run_verb.run(parse("makerandom", "--virtual", "--seed", "5")) == 0
    out = flat(capsys.readouterr().out)
    assert [(impl, kwargs) for _, impl, kwargs in stand_in.calls] == [
        ("asyncio", {"virtual": True, "params": {"seed": 5}}),
        ("trio", {"virtual": True, "params": {"seed": 5}})]
    assert "makerandom: asyncio and trio, on the virtual clock" in out
    assert "verdict: equivalent" in out
    assert out.endswith("equivalent (2.50 s simulated, 2.50 s wall)")
    assert "NOT" not in out


def test_both_on_the_virtual_clock_a_stamp_off_by_a_millisecond_diverges(
        runner: Callable[..., Runner], clock: Callable[[float, float], None],
        capsys: pytest.CaptureFixture[str]) -> None:
    """Virtual instants compare exactly (no tolerance): status 1 and the words say so."""
    runner(asyncio=trace("asyncio", [(0.0, "One"), (1.0, "Two")]),
           trio=trace("trio", [(0.0, "One"), (1.001, "Two")]))
    clock(0.0, 0.25)
    assert run_verb.run(parse("count", "--virtual")) == 1
    out = flat(capsys.readouterr().out)
    assert out.endswith("NOT equivalent (0.00 s simulated, 0.25 s wall)")
    assert "verdict: first divergence" in out


def test_count_on_the_virtual_clock_for_real(capsys: pytest.CaptureFixture[str]) -> None:
    """The whole verb with the real runner: count, both twins, instantly."""
    assert run_verb.run(parse("count", "--virtual")) == 0
    out = flat(capsys.readouterr().out)
    assert re.search(r"equivalent \(4\.00 s simulated, \d+\.\d\d s wall\)$", out)
    assert out.count("One Async") == 6 and "phase demo_sync" in out


class RealPair:
    """A stand-in for the two real-clock processes (:func:`run_both_real`): answers ``a`` and
    ``b`` at once, and records what it was asked to run."""

    def __init__(self, a: Trace, b: Trace) -> None:
        self.traces = (a, b)
        self.asked: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, lesson: catalogue.Lesson, params: Mapping[str, Any],
                 ) -> tuple[Trace, Trace]:
        self.asked.append((lesson.name, dict(params)))
        return self.traces


def test_both_on_the_real_clock_compare_within_the_tolerance_and_show_what_was_printed(
        monkeypatch: pytest.MonkeyPatch, clock: Callable[[float, float], None],
        capsys: pytest.CaptureFixture[str]) -> None:
    """Stamps 30 ms apart are one instant at 0.05 s; the durations each printed differ by
    10 ms, equivalent too, and the table shows each as printed; the longer run's seconds;
    the tolerance in milliseconds."""
    a = trace("asyncio", [(0.0, "One"), (3.0, "executed in 3.01 seconds.")],
              durations={"demo": 3.5})
    b = trace("trio", [(0.03, "One"), (3.03, "executed in 3.00 seconds.")],
              durations={"demo": 3.75})
    pair = RealPair(a, b)
    monkeypatch.setattr(run_verb, "run_both_real", pair)
    clock(1.0, 5.5)
    assert run_verb.run(parse("count")) == 0
    out = capsys.readouterr().out
    assert pair.asked == [("count", {})]
    rows = [row for row in out.splitlines() if row.startswith("│")]
    assert any("3.01 seconds" in row and "3.00 seconds" in row and "3.00 │" in row
               for row in rows), out
    assert any(row.startswith("│  0.00 │ One") and row.count("One") == 2 for row in rows), out
    text = flat(out)
    assert "count: asyncio and trio, on the real clock" in text
    assert text.endswith("equivalent (real clock, instants within 50 ms count as one; "
                         "3.75 s per version, 4.50 s wall)")


def test_both_on_the_real_clock_a_stamp_past_the_tolerance_diverges(
        monkeypatch: pytest.MonkeyPatch, clock: Callable[[float, float], None],
        capsys: pytest.CaptureFixture[str]) -> None:
    """The verdict uses the tolerance given: 120 ms late is one instant at 0.2 s, and not at
    0.1 s. The seconds per version are the longer one's whichever side it is on."""
    a = trace("asyncio", [(0.0, "One"), (1.0, "Two")], durations={"demo": 4.25})
    b = trace("trio", [(0.0, "One"), (1.12, "Two")], durations={"demo": 1.0})
    monkeypatch.setattr(run_verb, "run_both_real", RealPair(a, b))
    clock(0.0, 1.0)
    assert run_verb.run(parse("count", "--tolerance", "0.2")) == 0
    assert flat(capsys.readouterr().out).endswith(
        "equivalent (real clock, instants within 200 ms count as one; 4.25 s per version, "
        "1.00 s wall)")
    clock(0.0, 1.0)
    assert run_verb.run(parse("count", "--tolerance", "0.1")) == 1
    assert flat(capsys.readouterr().out).endswith(
        "NOT equivalent (real clock, instants within 100 ms count as one; 4.25 s per "
        "version, 1.00 s wall)")


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_the_seed_reaches_the_real_clock_processes_and_the_estimate(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """On a terminal, the notice's estimate is of the run asked for: the same seed."""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    estimated: list[tuple[str, dict[str, Any]]] = []

    def expected_seconds(lesson: catalogue.Lesson, params: Mapping[str, Any]) -> float:
        estimated.append((lesson.name, dict(params)))
        return 12.0

    monkeypatch.setattr(run_verb, "expected_seconds", expected_seconds)
    a = trace("asyncio", [(0.0, "r1 = 3")], lesson="makerandom")
    pair = RealPair(a, trace("trio", [(0.0, "r1 = 3")], lesson="makerandom"))
    monkeypatch.setattr(run_verb, "run_both_real", pair)
    assert run_verb.run(parse("makerandom", "--seed", "9")) == 0
    assert pair.asked == [("makerandom", {"seed": 9})]
    assert estimated == [("makerandom", {"seed": 9})]
    assert "about 12 s" in terminal.getvalue()


# -- the estimate and the notice -------------------------------------------------------------

def test_the_estimate_is_asyncios_simulated_seconds_or_none(
        runner: Callable[..., Runner]) -> None:
    """Asyncio's twin, on the virtual clock, with the params given; None if a phase raised or
    the run itself did."""
    lesson = catalogue.get("count")
    stand_in = runner(asyncio=Trace("asyncio", "count", outcomes={"a": "None", "b": "3"},
                                    durations={"a": 3.0, "b": 1.5}))
    assert run_verb.expected_seconds(lesson, {"seed": 1}) == 4.5
    assert [(impl, kwargs) for _, impl, kwargs in stand_in.calls] == [
        ("asyncio", {"virtual": True, "params": {"seed": 1}})]
    one_raised = Trace("asyncio", "count", outcomes={"a": "None", "b": "raised KeyError: 'x'"},
                       durations={"a": 3.0, "b": 1.5})
    runner(asyncio=one_raised)
    assert run_verb.expected_seconds(lesson, {}) is None
    # a phase that returned a string with "raised" in it did not raise
    runner(asyncio=Trace("asyncio", "count", outcomes={"a": "'it raised an eyebrow'"},
                         durations={"a": 2.0}))
    assert run_verb.expected_seconds(lesson, {}) == 2.0


def test_the_estimate_is_none_when_the_virtual_run_fails(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(*args: Any, **kwargs: Any) -> Trace:
        raise RuntimeError("the virtual clock cannot run this")

    monkeypatch.setattr(walkthrough.runner, "run_lesson", fails)
    assert run_verb.expected_seconds(catalogue.get("count"), {}) is None


def test_the_notice_says_what_runs_for_how_long_and_the_fast_way() -> None:
    queue = catalogue.get("queue")
    assert run_verb.notice(queue, 61.6, 12.4) == (
        "running queue under asyncio and Trio at once, on the real clock: about 62 s "
        "(12 s so far); 'walkthrough run queue --virtual' shows the same in an instant")
    assert run_verb.notice(queue, None, 0.0) == (
        "running queue under asyncio and Trio at once, on the real clock "
        "(0 s so far); 'walkthrough run queue --virtual' shows the same in an instant")


# -- the real-clock workers ------------------------------------------------------------------

def test_a_worker_ignores_ctrl_c() -> None:
    """Ctrl-C reaches the whole foreground group: the parent handles it (the pool's exit
    terminates the workers); a worker that raised KeyboardInterrupt too would print a
    traceback of its own."""
    saved = signal.getsignal(signal.SIGINT)
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        run_verb._ignore_sigint()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, saved)


def test_a_worker_runs_its_version_on_the_real_clock(runner: Callable[..., Runner]) -> None:
    result = trace("trio", [(0.0, "r1 = 3")])
    stand_in = runner(trio=result)
    assert run_verb._run_real("makerandom", "trio", {"seed": 2}) is result
    assert stand_in.calls == [("makerandom", "trio", {"virtual": False, "params": {"seed": 2}})]


class FakePool:
    """A stand-in for a process pool: each task pickled as for a real worker, then run here."""

    def __init__(self, context: FakeContext, processes: int,
                 initializer: Callable[[], None]) -> None:
        context.pools.append((processes, initializer))
        self.context = context

    def __enter__(self) -> FakePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.context.closed = True

    def apply_async(self, fn: Callable[..., Trace], args: tuple[Any, ...]) -> Any:
        fn, args = pickle.loads(pickle.dumps((fn, args)))
        self.context.tasks.append(args)
        return types.SimpleNamespace(get=lambda: fn(*args))


class FakeContext:
    def __init__(self) -> None:
        self.pools: list[tuple[int, Callable[[], None]]] = []
        self.tasks: list[tuple[Any, ...]] = []
        self.closed = False

    def Pool(self, processes: int, *, initializer: Callable[[], None]) -> FakePool:
        return FakePool(self, processes, initializer)


def test_the_real_clock_runs_one_spawned_worker_per_version(
        monkeypatch: pytest.MonkeyPatch, runner: Callable[..., Runner]) -> None:
    """Spawned (a forked worker would inherit the parent's patched stdout and loop), two
    workers, each ignoring Ctrl-C, each given the lesson's name, its framework and the params
    as a plain dict (a worker gets them pickled); asyncio's trace first."""
    contexts: list[tuple[str | None, FakeContext]] = []

    def get_context(method: str | None = None) -> FakeContext:
        contexts.append((method, FakeContext()))
        return contexts[-1][1]

    monkeypatch.setattr(multiprocessing, "get_context", get_context)
    a, b = trace("asyncio", [(0.0, "x")]), trace("trio", [(0.0, "x")])
    stand_in = runner(asyncio=a, trio=b)
    params = types.MappingProxyType({"seed": 4})  # a Mapping that does not pickle
    assert run_verb.run_both_real(catalogue.get("makerandom"), params) == (a, b)
    ((method, context),) = contexts
    assert method == "spawn"
    assert context.pools == [(2, run_verb._ignore_sigint)] and context.closed
    assert context.tasks == [("makerandom", "asyncio", {"seed": 4}),
                             ("makerandom", "trio", {"seed": 4})]
    assert [(name, impl, kwargs["virtual"]) for name, impl, kwargs in stand_in.calls] == [
        ("makerandom", "asyncio", False), ("makerandom", "trio", False)]


@pytest.mark.timeout(120)
def test_the_real_clock_workers_for_real() -> None:
    """Two real spawned processes, for the one lesson that never sleeps (a second or two of
    start-up): each returns its own version's trace, measured on the real clock (a real phase
    takes some time; a virtual one that never sleeps takes none)."""
    a, b = run_verb.run_both_real(catalogue.get("generators"), {})
    assert (a.impl, b.impl) == ("asyncio", "trio")
    assert a.outcomes == b.outcomes == {"demo": "None"}
    assert a.durations["demo"] > 0 and b.durations["demo"] > 0
    assert a.text() == b.text() and "discarding" in a.text()


# -- snap: real-clock stamps grouped into instants -------------------------------------------

def times(t: Trace) -> list[float]:
    return [e.time for e in t.events]


def test_an_instant_is_a_fixed_window_from_its_first_stamp_edge_included() -> None:
    """At a 0.25 s tolerance (exact in binary), 0.25 after an instant's start is in it, and
    0.5 starts the next; a stamp exactly at the start is in its own instant."""
    a = trace("asyncio", [(0.0, "a"), (0.25, "b"), (0.5, "c"), (0.625, "d"), (1.0, "e")])
    snapped, _ = run_verb.snap(a, a, 0.25)
    assert times(snapped) == [0.0, 0.0, 0.5, 0.5, 1.0]


def test_matched_instants_take_asyncios_time_at_the_edge_of_the_tolerance() -> None:
    a = trace("asyncio", [(0.0, "a"), (1.0, "b")])
    b = trace("trio", [(0.25, "a"), (1.25, "b")])
    sa, sb = run_verb.snap(a, b, 0.25)
    assert times(sa) == times(sb) == [0.0, 1.0]
    # a hair past the edge: two instants each, each run's at its own time
    late = trace("trio", [(0.25, "a"), (1.625, "b")])
    sa, sb = run_verb.snap(a, late, 0.25)
    assert times(sa) == [0.0, 1.0] and times(sb) == [0.0, 1.375]


def test_the_drift_is_carried_from_match_to_match() -> None:
    """Trio's run falls behind 0.2 s per step: measured from the last match, each step agrees
    (0.25 s tolerance); measured from the start, the third would not. An instant only Trio
    has keeps its own time less the drift so far, and so does one only asyncio has."""
    a = trace("asyncio", [(0.0, "a"), (1.0, "b"), (2.0, "c"), (3.0, "d"), (5.0, "only a")])
    b = trace("trio", [(0.0, "a"), (1.125, "b"), (2.25, "c"), (2.875, "only b"),
                       (3.375, "d")])
    sa, sb = run_verb.snap(a, b, 0.25)
    assert times(sa) == [0.0, 1.0, 2.0, 3.0, 5.0]
    assert times(sb) == [0.0, 1.0, 2.0, 2.625, 3.0]


def test_an_instant_only_asyncio_has_comes_first_when_it_is_earlier() -> None:
    """asyncio's extra instant at 0.5 is passed over first, so Trio's 1.125 still matches
    asyncio's 1.0 and the drift it sets (0.125) lets 2.25 match 2.0. Taken in the wrong order,
    Trio's instants would pass unmatched and keep their own times: a false divergence."""
    a = trace("asyncio", [(0.0, "a"), (0.5, "only a"), (1.0, "b"), (2.0, "c")])
    b = trace("trio", [(0.0, "a"), (1.125, "b"), (2.25, "c")])
    sa, sb = run_verb.snap(a, b, 0.25)
    assert times(sa) == [0.0, 0.5, 1.0, 2.0] and times(sb) == [0.0, 1.0, 2.0]
    # the other way round, the extra instant is Trio's (matched ones take the first's time)
    sb, sa = run_verb.snap(b, a, 0.25)
    assert times(sb) == [0.0, 1.125, 2.25] and times(sa) == [0.0, 0.5, 1.125, 2.25]


def test_instants_are_kept_to_the_millisecond() -> None:
    """Matched, Trio's only (less the drift, 5.44 ms here) and asyncio's only: each rounded to
    the millisecond, not to a tenth of one."""
    a = trace("asyncio", [(0.0, "a"), (1.23456, "b"), (3.12367, "only a")])
    b = trace("trio", [(0.0, "a"), (1.24, "b"), (2.00814, "only b")])
    sa, sb = run_verb.snap(a, b, 0.05)
    assert times(sa) == [0.0, 1.235, 3.124] and times(sb) == [0.0, 1.235, 2.003]


def test_the_phases_are_grouped_each_on_its_own() -> None:
    """A second phase's stamps restart (each phase has its own clock): grouped apart from the
    first phase's, with a drift of their own."""
    a = Trace("asyncio", "count", events=[Event("p", 0.0, 0, "a"), Event("p", 1.0, 0, "b"),
                                          Event("q", 0.0, 0, "c"), Event("q", 1.0, 0, "d")])
    b = Trace("trio", "count", events=[Event("p", 0.125, 0, "a"), Event("p", 1.25, 0, "b"),
                                       Event("q", 0.0, 0, "c"), Event("q", 1.0, 0, "d")])
    sa, sb = run_verb.snap(a, b, 0.25)
    assert times(sa) == times(sb) == [0.0, 1.0, 0.0, 1.0]


def test_a_printed_duration_that_reaches_back_to_an_instant_is_made_exact() -> None:
    """A job put at 1.0 and taken at 7.0 printed 6.00283 seconds: it reaches back to 0.99717,
    within the tolerance of the instant 1.0, so it becomes 6.00000 (as many decimals as were
    printed). A duration that reaches back to no instant is left as printed."""
    a = trace("asyncio", [(1.0, "put"), (7.0, "got it in 6.00283 seconds"),
                          (8.0, "ran 0.5 seconds")])
    b = trace("trio", [(1.0, "put"), (7.0, "got it in 6.01 seconds"),
                       (8.0, "ran 0.5 seconds")])
    sa, sb = run_verb.snap(a, b, 0.05)
    assert [e.text for e in sa.events] == ["put", "got it in 6.00000 seconds",
                                           "ran 0.5 seconds"]
    # Trio's 6.01 reaches back to 0.99 and becomes 6.00, then prints as the first seen
    assert [e.text for e in sb.events][1] == "got it in 6.00000 seconds"
    shown, _ = run_verb.snap(a, b, 0.05, figures=False)
    assert [e.text for e in shown.events] == [e.text for e in a.events]


def test_a_duration_reaching_back_exactly_the_tolerance_is_exact_and_past_it_is_not() -> None:
    a = trace("asyncio", [(1.0, "put"), (3.0, "in 2.25 seconds"), (4.0, "in 3.5 seconds")])
    sa, _ = run_verb.snap(a, a, 0.25)
    assert [e.text for e in sa.events] == ["put", "in 2.00 seconds", "in 3.5 seconds"]
    # measured to the nearest instant, which may be a later one than the first
    b = trace("asyncio", [(1.0, "put"), (2.0, "put"), (5.0, "in 2.875 seconds")])
    sb, _ = run_verb.snap(b, b, 0.25)
    assert sb.events[2].text == "in 3.000 seconds"


def test_other_figures_within_the_tolerance_of_their_neighbour_print_as_the_first() -> None:
    """Times a lesson or normaliser printed ("t=37.08") jitter too: figures within the
    tolerance of their neighbour print as the first seen; a figure further off stays."""
    a = trace("asyncio", [(0.0, "put at t=37.0772"), (0.0, "put at t=40.25")])
    b = trace("trio", [(0.0, "put at t=37.125"), (0.0, "put at t=40.5")])
    sa, sb = run_verb.snap(a, b, 0.25)
    assert [e.text for e in sb.events] == ["put at t=37.0772", "put at t=40.25"]
    assert [e.text for e in sa.events] == ["put at t=37.0772", "put at t=40.25"]
    apart = trace("trio", [(0.0, "put at t=37.0772"), (0.0, "put at t=40.5")])
    _, sb = run_verb.snap(a, apart, 0.125)
    assert [e.text for e in sb.events] == ["put at t=37.0772", "put at t=40.5"]
    shown, _ = run_verb.snap(b, a, 0.25, figures=False)
    assert [e.text for e in shown.events] == ["put at t=37.125", "put at t=40.5"]


def test_figures_chain_neighbour_to_neighbour_not_in_a_window() -> None:
    """1.0, 1.25 and 1.5 at a 0.25 tolerance: each within the tolerance of the one before,
    so all three print as 1.0; 2.0 is past 1.5 by more, and stays."""
    a = trace("asyncio", [(0.0, "t=1.0"), (0.0, "t=1.25"), (0.0, "t=1.5"), (0.0, "t=2.0")])
    sa, _ = run_verb.snap(a, a, 0.25)
    assert [e.text for e in sa.events] == ["t=1.0", "t=1.0", "t=1.0", "t=2.0"]


def test_fragments_of_one_line_in_one_instant_are_joined_and_others_are_not() -> None:
    """Two tasks' fragments are never joined to each other; a task's fragment in a later
    instant starts a row of its own; the line's newline is its last fragment's."""
    a = Trace("asyncio", "count", events=[
        Event("demo", 0.0, 0, "+", newline=False), Event("demo", 0.0, 1, "x", newline=False),
        Event("demo", 0.01, 0, " ", newline=False), Event("demo", 0.02, 0, "done"),
        Event("demo", 0.02, 1, "y"), Event("demo", 0.5, 0, "-", newline=False),
        Event("demo", 1.0, 0, "later")])
    sa, _ = run_verb.snap(a, a, 0.05)
    assert [(e.time, e.task, e.text, e.newline) for e in sa.events] == [
        (0.0, 0, "+ done", True), (0.0, 1, "xy", True), (0.5, 0, "-", False),
        (1.0, 0, "later", True)]


def test_a_snapped_trace_keeps_everything_but_the_stamps() -> None:
    a = Trace("asyncio", "queue", events=[Event("demo", 0.001, 2, "x")],
              outcomes={"demo": "None"}, durations={"demo": 2.5},
              task_names={2: "Task-2"}, wall_seconds=3.25)
    sa, sb = run_verb.snap(a, Trace("trio", "other", events=[Event("demo", 0.0, 2, "x")]),
                           0.05)
    assert (sa.impl, sa.lesson, sa.outcomes, sa.durations, sa.task_names, sa.wall_seconds) == (
        "asyncio", "queue", {"demo": "None"}, {"demo": 2.5}, {2: "Task-2"}, 3.25)
    assert (sb.impl, sb.lesson) == ("trio", "other")
    assert sa.outcomes is not a.outcomes and sa.durations is not a.durations
    assert sa.events == [Event("demo", 0.001, 2, "x")]
    assert sb.events == [Event("demo", 0.001, 2, "x")]  # matched: at asyncio's time


def test_compare_within_normalises_then_groups_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The queue's normaliser computes times of its own: they are grouped after it ran, by the
    same tolerance; a lesson without one compares the snapped traces as they are."""
    seen: list[tuple[Trace, Trace]] = []

    def compare(a: Trace, b: Trace) -> Any:
        seen.append((a, b))
        return "verdict"

    monkeypatch.setattr(run_verb, "compare", compare)
    a = trace("asyncio", [(0.0, "x at t=1.0")])
    b = trace("trio", [(0.01, "x at t=1.125")])
    assert run_verb.compare_within(catalogue.get("count"), a, b, 0.25) == "verdict"
    ((ca, cb),) = seen
    assert times(ca) == times(cb) == [0.0]
    assert ca.events[0].text == cb.events[0].text == "x at t=1.0"

    def normalise(t: Trace) -> Trace:
        # a time of its own, with jitter: Trio's 125 ms after asyncio's
        put = 5.0 if t.impl == "asyncio" else 5.125
        return Trace(t.impl, t.lesson, [Event(e.phase, e.time, e.task, f"{e.text}, put t={put}")
                                        for e in t.events])

    seen.clear()
    lesson = catalogue.Lesson("queue", "x", "y", normalise=normalise)
    assert run_verb.compare_within(lesson, a, b, 0.25) == "verdict"
    ((ca, cb),) = seen
    assert ca.events[0].text == cb.events[0].text == "x at t=1.0, put t=5.0"


def test_the_waiting_notice_context_is_silent_off_a_terminal(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Off a terminal the block just runs (decorated: mutmut does not mutate it)."""
    ran: list[int] = []
    with run_verb.waiting_notice(catalogue.get("count"), {}):
        ran.append(1)
    assert ran == [1] and capsys.readouterr() == ("", "")
