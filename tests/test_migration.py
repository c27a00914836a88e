"""The migration chapters (docs/migration/): each asyncio/Trio pair in examples/migration/.

Each pair is checked for the behaviour the two share, and each difference the chapter names is
pinned here, so that the page cannot drift from the code. Every example also runs as a script,
in a child process with ``-W error`` and ``PYTHONDEVMODE=1``, and prints what the page says.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import importlib
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
import trio
import trio.testing

import tests.test_crawler as crawler_tests
import tests.test_migration_apis as apis_tests
from tests.conftest import load_file
from tests.signals import assert_clean_exit, interrupt, without_slow_callbacks
from walkthrough.clocks import VirtualTimeLoop, mock_clock
from walkthrough.demosite import DemoSite

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "migration"


def load(name: str) -> ModuleType:
    """Import ``examples/migration/<name>.py`` (the examples are scripts, not a package)."""
    return load_file(EXAMPLES / f"{name}.py", f"migration_{name}")


def run_asyncio_virtual(coro: Any) -> Any:
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(coro)


def run_trio_virtual(fn: Any, *args: Any) -> Any:
    return trio.run(fn, *args, clock=mock_clock())


# --------------------------------------------------------------------------------------------
# Threads


def test_threads_deliver_the_same_items_both_ways() -> None:
    """A foreign thread calls into the run, and a worker thread awaits an async function."""
    expected = ["reading 0", "reading 1", "reading 2", "lookup(7) = 49"]
    assert asyncio.run(load("threads_asyncio").main()) == expected
    assert trio.run(load("threads_trio").main) == expected


def test_a_call_into_a_finished_run_is_runtimeerror_in_asyncio_runfinishederror_in_trio() -> None:
    assert load("threads_asyncio").after_the_run() == "RuntimeError: Event loop is closed"
    assert load("threads_trio").after_the_run() == "RunFinishedError: run() has exited"


def test_asyncio_refuses_a_late_call_only_once_the_loop_is_closed() -> None:
    """The ``RuntimeError`` comes from the closed loop, not from the end of a run: between two
    runs of an ``asyncio.Runner`` a call from a thread is accepted, and runs in the next run.
    (Trio's token refuses once ``trio.run`` has returned, and every call it accepted has run
    by then: ``TrioToken.run_sync_soon``'s docstring.)"""
    import threading

    ran: list[str] = []
    with asyncio.Runner() as runner:
        loop = runner.get_loop()
        runner.run(asyncio.sleep(0))
        calling = threading.Thread(target=loop.call_soon_threadsafe, args=(ran.append, "late"))
        calling.start()
        calling.join()  # accepted: no RuntimeError in the thread
        assert ran == []
        runner.run(asyncio.sleep(0))
        assert ran == ["late"]
    with pytest.raises(RuntimeError, match="Event loop is closed"):
        loop.call_soon_threadsafe(ran.append, "too late")


def test_from_thread_run_sync_hands_back_the_result_and_the_exception() -> None:
    """Unlike call_soon_threadsafe (fire and forget), the thread gets the outcome."""

    def in_thread(token: trio.lowlevel.TrioToken) -> tuple[int, str]:
        result = trio.from_thread.run_sync(len, "four", trio_token=token)
        try:
            trio.from_thread.run_sync(int, "not a number", trio_token=token)
        except ValueError as e:
            return result, type(e).__name__
        return result, "no error"

    async def main() -> tuple[int, str]:
        token = trio.lowlevel.current_trio_token()
        return await trio.to_thread.run_sync(in_thread, token)

    assert trio.run(main) == (4, "ValueError")


def test_call_soon_threadsafe_returns_before_the_callback_and_cannot_see_its_error() -> None:
    """The call returns a Handle while the loop's thread is still held (by a blocking wait
    for the call to return): so before the callback has run, and the thread never sees its
    error, which goes to the loop's exception handler."""
    import threading

    async def main() -> tuple[object, bool, list[str]]:
        loop = asyncio.get_running_loop()
        errors: list[str] = []
        ran: list[str] = []
        loop.set_exception_handler(lambda _, context: errors.append(repr(context["exception"])))
        returned = threading.Event()
        handles: list[object] = []

        def callback() -> None:
            ran.append("ran")
            int("x")

        def call() -> None:
            handles.append(loop.call_soon_threadsafe(callback))
            returned.set()

        thread = threading.Thread(target=call)
        thread.start()
        assert returned.wait(10)  # blocks the loop's thread: no callback can run meanwhile
        ran_before = bool(ran)
        thread.join()
        await asyncio.sleep(0)
        return type(handles[0]).__name__, ran_before, [*ran, *errors]

    handle, ran_before, after = asyncio.run(main())
    assert handle == "Handle" and not ran_before
    assert after == ["ran", "ValueError(\"invalid literal for int() with base 10: 'x'\")"]


def test_a_systemexit_from_a_call_soon_threadsafe_callback_ends_the_run() -> None:
    """The loop's exception handler gets a callback's exception, but not ``SystemExit`` or
    ``KeyboardInterrupt``: asyncio re-raises those out of the loop, and the run ends."""
    handled: list[object] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _, context: handled.append(context))

        def leave() -> None:
            raise SystemExit(3)

        await asyncio.to_thread(loop.call_soon_threadsafe, leave)
        await asyncio.sleep(1)

    with pytest.raises(SystemExit) as caught:
        asyncio.run(main())
    assert caught.value.code == 3 and handled == []


def test_from_thread_refuses_to_be_called_from_the_trio_thread() -> None:
    """asyncio's run_coroutine_threadsafe(...).result() on the loop's thread would hang.

    Trio refuses at once, with the run's token given as from another thread (the guard that
    stops the deadlock) and without it (no token, no Trio thread: a refusal for another reason,
    which alone would pass a test that the deadlock guard was gone, RV25)."""

    async def main() -> list[str]:
        said = []
        for token in (trio.lowlevel.current_trio_token(), None):
            try:
                trio.from_thread.run_sync(len, "x", trio_token=token)
            except RuntimeError as e:
                said.append(str(e))
            else:
                said.append("no error")
        return said

    with_token, without = trio.run(main)
    assert with_token == "this is a blocking function; call it from a thread"
    assert without.startswith("this thread wasn't created by Trio")

    # asyncio's twin call waits: the coroutine needs the very loop the wait is holding up.
    async def amain() -> bool:
        async def one() -> int:
            return 1

        future = asyncio.run_coroutine_threadsafe(one(), asyncio.get_running_loop())
        try:
            future.result(timeout=0.2)  # without a timeout: forever
        except concurrent.futures.TimeoutError:
            waited = True
        else:
            waited = False
        # The loop runs again: the coroutine ends, nothing is left over.
        return waited and await asyncio.wrap_future(future) == 1

    assert asyncio.run(amain())


# --------------------------------------------------------------------------------------------
# Services that live as long as the app


ROWS = [f"row {i}" for i in range(5)]
CLEAN_LOG = [
    "store opened", "flusher started", "added row 0", "added row 1", "flushed 2 rows",
    "added row 2", "flushed 1 rows", "added row 3", "added row 4", "flushed 2 rows",
    "added last row", "flusher stopped after a final flush of 1 rows", "store closed with 6 rows",
]


def run_app(impl: str, rows: list[str]) -> tuple[list[str], BaseException | None]:
    module = load(f"services_{impl}")
    log: list[str] = []
    try:
        if impl == "asyncio":
            run_asyncio_virtual(module.app(log, rows=rows))
        else:
            run_trio_virtual(functools.partial(module.app, log, rows=rows))
    except BaseException as e:  # the test compares what came out
        return log, e
    return log, None


def test_services_start_flush_and_stop_in_order(impl: str) -> None:
    """Started means running; the flusher stops (a final flush) before the store closes."""
    assert run_app(impl, ROWS) == (CLEAN_LOG, None)


def test_the_callers_own_error_leaves_unwrapped_after_an_orderly_shutdown(impl: str) -> None:
    log, error = run_app(impl, ["row 0", "row 1", "raise"])
    assert type(error) is ValueError, repr(error)  # not an ExceptionGroup: the trap is fixed
    assert log == ["store opened", "flusher started", "added row 0", "added row 1",
                   "flushed 2 rows", "flusher stopped after a final flush of 0 rows",
                   "store closed with 2 rows"]


def test_the_naive_nursery_in_a_context_manager_wraps_the_callers_error() -> None:
    """The trap itself, without the fix: ``except ValueError`` would miss it."""
    import contextlib

    @contextlib.asynccontextmanager
    async def naive() -> Any:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(trio.sleep_forever)
            try:
                yield
            finally:
                nursery.cancel_scope.cancel()

    async def main() -> None:
        async with naive():
            raise ValueError("the caller's own error")

    with pytest.raises(ExceptionGroup) as caught:
        trio.run(main)
    assert [type(e) for e in caught.value.exceptions] == [ValueError]


def flusher_failures(error: BaseException | None) -> list[str]:
    """The errors a ``FlusherError`` carries: its cause, or the exceptions of its cause group."""
    assert error is not None and type(error).__name__ == "FlusherError", repr(error)
    cause = error.__cause__
    inner = cause.exceptions if isinstance(cause, BaseExceptionGroup) else (cause,)
    return sorted(type(e).__name__ for e in inner)


def test_a_crashed_service_is_heard_at_once_in_trio_at_the_end_in_asyncio() -> None:
    """The store rejects the second flush (at t=2). Trio cancels the app at its next
    checkpoint; asyncio's app goes on adding rows nobody flushes, and hears of the failure only
    when it leaves the block. Both raise ``FlusherError`` from the store's ``OSError``."""
    rows = ["row 0", "row 1", "poison", "row 3", "row 4"]
    aio_log, aio_error = run_app("asyncio", rows)
    trio_log, trio_error = run_app("trio", rows)
    assert flusher_failures(aio_error) == flusher_failures(trio_error) == ["OSError"]
    assert aio_error is not None and trio_error is not None
    assert type(aio_error.__cause__) is OSError
    assert type(trio_error.__cause__) is ExceptionGroup
    services_trio = load("services_trio")
    left: list[float] = []

    async def timed() -> None:
        start = trio.current_time()
        try:
            await services_trio.app([], rows=rows)
        finally:
            left.append(trio.current_time() - start)

    with pytest.raises(services_trio.FlusherError):
        run_trio_virtual(timed)
    assert left == [pytest.approx(2.0)]  # cancelled in its sleep at t=2, not at t=2.1
    head = ["store opened", "flusher started", "added row 0", "added row 1", "flushed 2 rows",
            "added poison"]
    assert trio_log == [*head, "store closed with 2 rows"]
    assert aio_log == [*head, "added row 3", "added row 4", "added last row",
                       "store closed with 2 rows"]


@pytest.mark.parametrize("when", ["the flusher fails first", "both fail at shutdown"])
def test_a_flusher_failure_is_never_lost_when_the_callers_body_raises_too(
        impl: str, when: str) -> None:
    """Two errors leave the block: the store's OSError and the caller's ValueError. Both are
    reachable from what the caller catches, in both frameworks. (asyncio's twin used to raise
    the flusher's error only when the body raised none: the OSError vanished, unlogged.)

    "the flusher fails first": the flush at t=2 fails; asyncio's app raises at t=2.8 (Trio's
    app is cancelled at t=2, in the sleep it is waiting in, before it gets there, so only the
    OSError is in its group).
    "both fail at shutdown": the caller raises at t=0.7 with a poisoned row still pending, and
    the flusher's final flush fails while the caller's error is leaving."""
    rows = (["row 0", "row 1", "poison", "row 3", "raise"] if when == "the flusher fails first"
            else ["poison", "raise"])
    _, error = run_app(impl, rows)
    assert error is not None
    reachable = flusher_failures(error)
    if error.__context__ is not None and not isinstance(error.__context__, BaseExceptionGroup):
        reachable.append(type(error.__context__).__name__)
    if impl == "trio" and when == "the flusher fails first":
        assert sorted(reachable) == ["OSError"]  # the app was cancelled before it could raise
    else:
        assert sorted(reachable) == ["OSError", "ValueError"]


def test_asyncio_a_flusher_failure_survives_a_second_cancellation_of_the_app() -> None:
    """The flush at t=1 fails; the app, not told, is cancelled at t=1.6, and cancelled again
    while ``__aexit__`` waits for the task (a task group and a timeout both cancelling it).
    The wait then raises CancelledError, and the twin used to let it out: the OSError was lost,
    and nothing logged it. Now the task is looked at in a ``finally``: FlusherError. (A Trio
    scope cancelled twice is cancelled once: its nursery always collects the failure.)"""
    module = load("services_asyncio")

    async def cancelled(times: int) -> BaseException:
        log: list[str] = []

        async def body() -> None:
            async with module.open_flusher(module.Store(log), 1.0, log) as flusher:
                flusher.add("poison")
                await asyncio.sleep(10)

        task = asyncio.create_task(body())
        await asyncio.sleep(1.6)
        for _ in range(times):
            task.cancel()
            await asyncio.sleep(0)  # the second lands while __aexit__ waits for the task
        with pytest.raises(BaseException) as caught:
            await task
        return caught.value

    for times in (1, 2):
        error = run_asyncio_virtual(cancelled(times))
        assert flusher_failures(error) == ["OSError"], times
        assert type(error.__context__) is asyncio.CancelledError


def test_an_event_that_says_started_waits_for_ever_where_nursery_start_raises(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A flusher that fails before it says it has started: the asyncio twin's ``__aenter__``
    waits on its Event for ever (here: until a 60 s timeout, on the virtual clock), and while
    it waits the error is unseen: the loop's exception handler hears nothing, not even at a
    garbage collection (the task is still referenced, so "Task exception was never retrieved"
    is not logged). Only when the wait ends does it arrive, as FlusherError. Trio's
    ``nursery.start`` raises it to the caller at once, as FlusherError."""
    import gc

    aio, tr = load("services_asyncio"), load("services_trio")

    async def aio_fails(self: Any, interval: float, started: asyncio.Event) -> None:
        raise OSError("failed before it started")

    async def trio_fails(self: Any, interval: float, *, task_status: Any) -> None:
        raise OSError("failed before it started")

    monkeypatch.setattr(aio.Flusher, "run", aio_fails)
    monkeypatch.setattr(tr.Flusher, "run", trio_fails)

    async def aio_main() -> tuple[float, list[int]]:
        loop = asyncio.get_running_loop()
        handled: list[object] = []
        loop.set_exception_handler(lambda _, context: handled.append(context))
        heard: list[int] = []

        async def look() -> None:  # during the wait: collected, and nothing said
            for _ in range(3):
                await asyncio.sleep(15)
                gc.collect()
                heard.append(len(handled))

        watcher = asyncio.create_task(look())
        start = loop.time()
        with pytest.raises(aio.FlusherError) as caught:
            async with asyncio.timeout(60):
                async with aio.open_flusher(aio.Store([]), 1.0, []):
                    pass
        assert flusher_failures(caught.value) == ["OSError"]
        context = caught.value.__context__
        if isinstance(context, TimeoutError):  # 3.13: asyncio.timeout puts one in the chain
            context = context.__context__
        assert type(context) is asyncio.CancelledError
        await watcher
        gc.collect()
        return loop.time() - start, [*heard, len(handled)]

    async def trio_main() -> float:
        start = trio.current_time()
        with pytest.raises(tr.FlusherError) as caught:
            async with tr.open_flusher(tr.Store([]), 1.0, []):
                pass
        assert flusher_failures(caught.value) == ["OSError"]
        return trio.current_time() - start

    assert run_asyncio_virtual(aio_main()) == (60, [0, 0, 0, 0])
    assert run_trio_virtual(trio_main) == 0


def test_the_printed_traceback_of_a_flusher_failure_shows_not_the_callers_error() -> None:
    """asyncio's FlusherError keeps the caller's error as its ``__context__``, but ``raise ...
    from`` suppresses the context, so a printed traceback shows the OSError and the
    FlusherError only. (Trio's FlusherError is raised from the nursery's group, whose printed
    form shows every error in it.)"""
    import traceback

    _, aio_error = run_app("asyncio", ["poison", "raise"])
    _, trio_error = run_app("trio", ["poison", "raise"])
    assert aio_error is not None and trio_error is not None
    assert isinstance(aio_error.__context__, ValueError) and aio_error.__suppress_context__
    aio_text = "".join(traceback.format_exception(aio_error))
    trio_text = "".join(traceback.format_exception(trio_error))
    assert "the store rejected a row" in aio_text and "the caller's own error" not in aio_text
    assert "the store rejected a row" in trio_text and "the caller's own error" in trio_text


# --------------------------------------------------------------------------------------------
# Exception groups in tests and libraries


def run_virtual(impl: str, fn: Any, *args: Any) -> Any:
    """``fn(*args)`` under ``impl`` on its virtual clock."""
    if impl == "asyncio":
        return run_asyncio_virtual(fn(*args))
    return run_trio_virtual(fn, *args)


GROUPS_OUTPUT = ["2 pages", "2 down: down-1, down-2", "1 missing",
                 "fetch_one raised KeyError('missing-2')"]
MIXED = ["a", "down-1", "missing-1", "down-2"]


def test_except_star_handles_each_kind_alike(impl: str) -> None:
    assert run_virtual(impl, load(f"groups_{impl}").main) == GROUPS_OUTPUT


def test_pytest_raisesgroup_matches_a_group_in_any_order(impl: str) -> None:
    module = load(f"groups_{impl}")
    with pytest.RaisesGroup(KeyError, ConnectionError, ConnectionError):
        run_virtual(impl, module.fetch_all, MIXED)
    with pytest.RaisesGroup(pytest.RaisesExc(KeyError, match="missing-1"), ConnectionError,
                            ConnectionError):
        run_virtual(impl, module.fetch_all, MIXED)
    with pytest.raises(ExceptionGroup) as caught:
        run_virtual(impl, module.fetch_all, MIXED)
    assert caught.group_contains(KeyError, match="missing-1")


def test_raisesgroup_is_exact_unless_told_otherwise(impl: str) -> None:
    """A bare error is not a group, nor a nested group a flat one: each must be allowed."""
    module = load(f"groups_{impl}")
    with (pytest.raises(pytest.fail.Exception, match="would match with `allow_unwrapped=True`"),
          pytest.RaisesGroup(KeyError)):
        run_virtual(impl, module.fetch_one, "missing-3")  # bare: the library unwrapped it
    with pytest.RaisesGroup(KeyError, allow_unwrapped=True):
        run_virtual(impl, module.fetch_one, "missing-3")

    async def nested() -> None:  # fetch_all's group inside the caller's own task group
        if impl == "asyncio":
            async with asyncio.TaskGroup() as group:
                group.create_task(module.fetch_all(["missing-4"]))
        else:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(module.fetch_all, ["missing-4"])

    with pytest.RaisesGroup(pytest.RaisesGroup(KeyError)):
        run_virtual(impl, nested)
    with pytest.RaisesGroup(KeyError, flatten_subgroups=True):
        run_virtual(impl, nested)
    with pytest.raises(pytest.fail.Exception), pytest.RaisesGroup(KeyError):
        run_virtual(impl, nested)  # a flat matcher does not match the nested group


def test_trio_testing_raisesgroup_is_deprecated_for_pytests_own() -> None:
    import trio.testing as trio_testing

    for name in ("RaisesGroup", "Matcher"):  # reading the attribute is what warns
        with pytest.deprecated_call(match=r"pytest\.Raises"):
            getattr(trio_testing, name)


def test_a_helper_task_failure_in_fetch_one_is_a_librarybug_raised_from_the_group(
        impl: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Trio's guidance for a function that hides its nursery: only the fetch's own error is
    handed back bare; a failure of the helper task is never picked out of the group as if it
    were the fetch's (``raise PleaseReportBug from group``). The ticker fails at its first tick,
    while the fetch of a good page is still sleeping."""
    module = load(f"groups_{impl}")

    async def broken_ticker(interval: float, ticks: list[float]) -> None:
        await (asyncio.sleep if impl == "asyncio" else trio.sleep)(interval)
        raise KeyError("the ticker's own bug")

    monkeypatch.setattr(module, "ticker", broken_ticker)
    with pytest.raises(module.LibraryBug) as caught:
        run_virtual(impl, module.fetch_one, "a")
    assert isinstance(caught.value.__cause__, ExceptionGroup)
    assert [repr(e) for e in caught.value.__cause__.exceptions] == [
        "KeyError(\"the ticker's own bug\")"]


# --------------------------------------------------------------------------------------------
# Debugging: no all_tasks() in Trio


TASKS = ["heartbeat waits in worker", "main waits in main", "supervisor waits in supervisor",
         "worker-0 waits in worker", "worker-1 waits in worker"]


def test_all_tasks_and_the_walked_task_tree_list_the_same_tasks(impl: str) -> None:
    assert run_virtual(impl, load(f"debugging_{impl}").main) == TASKS


def test_trio_has_no_all_tasks_the_tree_shows_which_nursery_holds_each_task() -> None:
    module = load("debugging_trio")
    assert not hasattr(trio, "all_tasks") and not hasattr(trio.lowlevel, "all_tasks")

    async def main() -> list[str]:
        async with trio.open_nursery() as nursery:
            await nursery.start(module.supervisor, name="supervisor")
            shape = module.tree()
            nursery.cancel_scope.cancel()
        return shape  # type: ignore[no-any-return]

    assert run_trio_virtual(main) == [  # a task is named after its function unless told
        "<init>", "  <TrioToken.run_sync_soon task>", f"  {main.__module__}.{main.__qualname__}",
        "    supervisor", "      heartbeat"]


def test_an_instrument_hears_every_spawn_and_exit_in_order() -> None:
    module = load("debugging_trio")
    log = module.TaskLog()

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            await nursery.start(module.supervisor, name="supervisor")
            nursery.cancel_scope.cancel()

    trio.run(main, instruments=[log])
    # The root and Trio's own task left out; the main task is named after its function.
    mine = [e for e in log.events if not e.split(" ", 1)[1].startswith("<")]
    name = f"{main.__module__}.{main.__qualname__}"
    assert mine == [f"spawned {name}", "spawned supervisor", "spawned heartbeat",
                    "exited heartbeat", "exited supervisor", f"exited {name}"]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("framework", ["asyncio", "trio"])
def test_both_frameworks_have_a_repl_where_await_works(framework: str) -> None:
    proc = subprocess.run([sys.executable, "-m", framework], cwd=ROOT, text=True,
                          input=f"await {framework}.sleep(0)\nprint('answer', 6 * 7)\n",
                          capture_output=True, timeout=100)
    assert proc.returncode == 0, proc.stderr
    assert "answer 42" in proc.stdout + proc.stderr


def test_ruffs_async_rules_catch_the_habits_a_port_brings_along(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text((EXAMPLES / "lint_me.txt").read_text(encoding="utf-8"), encoding="utf-8")
    ruff = Path(sys.executable).with_name("ruff")
    proc = subprocess.run([str(ruff), "check", "--isolated", "--select", "ASYNC",
                           "--output-format", "concise", str(sample)],
                          capture_output=True, text=True, timeout=60)
    # every finding, not the set of rules: eight findings, one for each of eight rules
    found = sorted(line.split()[1] for line in proc.stdout.splitlines() if ": ASYNC" in line)
    assert found == ["ASYNC100", "ASYNC109", "ASYNC110", "ASYNC115", "ASYNC210", "ASYNC221",
                     "ASYNC230", "ASYNC251"], proc.stdout


def test_ruffs_async_rules_do_not_flag_a_threads_join(tmp_path: Path) -> None:
    """threads.md: the examples wait for the sensor thread with ``to_thread(sensor.join)``;
    a bare ``sensor.join()`` in an ``async def`` blocks the run as ``time.sleep`` does, but no
    ASYNC rule reports it (the ``time.sleep`` beside it is reported: the rules did run)."""
    sample = tmp_path / "join.py"
    sample.write_text("import threading\nimport time\n\n\n"
                      "async def main(sensor: threading.Thread) -> None:\n"
                      "    sensor.join()\n"
                      "    time.sleep(1)\n", encoding="utf-8")
    ruff = Path(sys.executable).with_name("ruff")
    for preview in ([], ["--preview"]):
        proc = subprocess.run([str(ruff), "check", "--isolated", "--select", "ASYNC", *preview,
                               "--output-format", "concise", str(sample)],
                              capture_output=True, text=True, timeout=60)
        lines = sorted(int(line.split(":")[1]) for line in proc.stdout.splitlines()
                       if line.startswith(f"{sample}:"))
        assert lines == [7], proc.stdout  # time.sleep's line only, not sensor.join()'s


# --------------------------------------------------------------------------------------------
# Old names (docs/old-names.md)


def resolve(dotted: str) -> object:
    """``trio.x.y`` as an object: AttributeError (or ImportError) if it is not there."""
    first, *rest = dotted.split(".")
    obj: object = importlib.import_module(first)
    for part in rest:
        obj = getattr(obj, part)
    return obj


#: (old name, today's name, how the table on docs/old-names.md writes the old one).
OLD_NAMES = [
    ("trio.MultiError", "builtins.ExceptionGroup", "`trio.MultiError`"),
    ("trio.NonBaseMultiError", "builtins.BaseExceptionGroup", "`NonBaseMultiError`"),
    ("trio.Queue", "trio.open_memory_channel", "`trio.Queue(n)`"),
    ("trio.UnboundedQueue", "trio.lowlevel.UnboundedQueue", "`trio.UnboundedQueue`"),
    ("trio.hazmat", "trio.lowlevel", "`trio.hazmat`"),
    ("trio.open_cancel_scope", "trio.CancelScope", "`trio.open_cancel_scope()`"),
    ("trio.BlockingTrioPortal", "trio.from_thread.run", "`trio.BlockingTrioPortal`"),
    ("trio.run_sync_in_worker_thread", "trio.to_thread.run_sync",
     "`trio.run_sync_in_worker_thread(fn)`"),
    ("trio.current_default_worker_thread_limiter",
     "trio.to_thread.current_default_thread_limiter",
     "`trio.current_default_worker_thread_limiter()`"),
    ("trio.catch_signals", "trio.open_signal_receiver", "`trio.catch_signals(...)`"),
    ("trio.ResourceBusyError", "trio.BusyResourceError", "`trio.ResourceBusyError`"),
    ("trio.BrokenStreamError", "trio.BrokenResourceError", "`trio.BrokenStreamError`"),
    ("trio.ClosedStreamError", "trio.ClosedResourceError", "`trio.ClosedStreamError`"),
    ("trio.ClosedListenerError", "trio.ClosedResourceError", "`trio.ClosedListenerError`"),
    ("trio.Result", "outcome.Outcome", "`trio.Result`"),
    ("trio.Value", "outcome.Value", "`trio.Value`"),
    ("trio.Error", "outcome.Error", "`trio.Error`"),
    ("trio.Nursery.spawn", "trio.Nursery.start_soon", "`nursery.spawn(fn)`"),
    ("trio.open_process", "trio.run_process", "`trio.open_process(...)`"),
    ("trio.Event.clear", "trio.Event.set", "`trio.Event.clear()`"),
]
OLD_NAMES_PAGE = (ROOT / "docs" / "old-names.md").read_text(encoding="utf-8")
#: The first column of the page's table: the old names as a reader meets them.
OLD_COLUMN = [line.split("|")[1] for line in OLD_NAMES_PAGE.splitlines()
              if line.startswith("| `")]


@pytest.mark.parametrize(("old", "new", "shown"), OLD_NAMES, ids=[old for old, *_ in OLD_NAMES])
def test_an_old_name_is_gone_from_the_installed_trio(old: str, new: str, shown: str) -> None:
    with pytest.raises((AttributeError, ImportError)):
        resolve(old)
    if old == "trio.hazmat":  # a module once: not importable either
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(old)
    assert resolve(new) is not None
    assert any(shown in cell for cell in OLD_COLUMN), f"{old} is not in docs/old-names.md"


def test_the_cancellable_keyword_is_gone_abandon_on_cancel_replaced_it() -> None:
    run_sync: Any = trio.to_thread.run_sync  # a keyword its signature no longer has

    async def main(**kwargs: bool) -> int:
        return await run_sync(len, "abc", **kwargs)  # type: ignore[no-any-return]

    assert trio.run(functools.partial(main, abandon_on_cancel=True)) == 3
    with pytest.raises(TypeError, match="cancellable"):
        trio.run(functools.partial(main, cancellable=True))
    assert "`run_sync(..., cancellable=True)`" in OLD_NAMES_PAGE


# --------------------------------------------------------------------------------------------
# Migrating in stages: the crawler under Trio with aiohttp, through trio-asyncio. Every run of
# the bridge is a child process: importing trio_asyncio rewires asyncio's loop-policy
# functions for the whole process, and this test process runs plain asyncio too.


BRIDGE = EXAMPLES / "crawler_bridge.py"
SUMMARY = re.compile(r"pages (\d+), links (\d+), errors (\d+), elapsed")
#: trio-asyncio 0.16 (the newest) subclasses asyncio.AbstractChildWatcher, which Python 3.12
#: deprecates (trio-asyncio#152, open): under -W error, `import trio_asyncio` fails on 3.12 and
#: 3.13. There, and only there, the bridge's children ignore that one warning;
#: test_importing_trio_asyncio_under_w_error_fails_from_python_3_12 shows it is still needed.
AIO_WATCHER = "'AbstractChildWatcher' is deprecated"
BRIDGE_W = ["-W", f"ignore:{AIO_WATCHER}:DeprecationWarning"] if sys.version_info >= (3, 12) else []


def test_importing_trio_asyncio_under_w_error_fails_from_python_3_12() -> None:
    proc = subprocess.run([sys.executable, "-W", "error", "-c", "import trio_asyncio"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    if sys.version_info >= (3, 12):
        assert proc.returncode == 1
        assert f"DeprecationWarning: {AIO_WATCHER}" in proc.stderr
    else:
        assert (proc.returncode, proc.stderr) == (0, "")


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(pages=40, slow_seconds=30, big_bytes=4 * crawler_tests.MAX_BYTES) as s:
        yield s


#: The child that runs one bridged crawl as the shared crawler tests run a twin's: the header,
#: then bulk_crawl_and_write under trio.run; the URLs as JSON (some are not valid URLs).
CHILD = """
import functools, json, sys
import trio
from tests.conftest import load_file
bridge = load_file(__import__("pathlib").Path(sys.argv[1]), "crawler_bridge")
out = __import__("pathlib").Path(sys.argv[2])
out.write_text(bridge.aio.HEADER, encoding="utf-8")
stats = trio.run(functools.partial(bridge.bulk_crawl_and_write, out, json.loads(sys.argv[3]),
                                   concurrency=8, url_timeout=float(sys.argv[4]),
                                   max_bytes=int(sys.argv[5])))
print(stats.summary(), file=sys.stderr)
"""


def bridge_crawl(urls: list[str], out: Path) -> crawler_tests.Crawl:
    """One bridged crawl in a child process, with the shared crawler tests' settings."""
    env = {**os.environ, "PYTHONDEVMODE": "1", "PYTHONWARNINGS": "error",
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-W", "error", *BRIDGE_W, "-c", CHILD, str(BRIDGE), str(out),
         json.dumps(urls), str(crawler_tests.TIMEOUT), str(crawler_tests.MAX_BYTES)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=150)
    found = SUMMARY.search(proc.stderr)
    assert found and proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stderr.count("\n") == 1, proc.stderr[-3000:]  # the summary, and nothing else
    pages, links, errors = map(int, found.groups())
    stats = SimpleNamespace(urls=pages + errors, links=links, errors=errors)
    return crawler_tests.Crawl(out.read_text(encoding="utf-8"), proc.stdout.splitlines(), stats)


@pytest.mark.timeout(240)
def test_the_bridge_crawls_the_fault_matrix_as_the_asyncio_lesson_does(
    site: DemoSite, tmp_path: Path,
) -> None:
    urls = [url for url, _ in crawler_tests.matrix(site).values()]
    expected = crawler_tests.run_crawl("asyncio", urls, tmp_path / "a.tsv")
    crawler_tests.assert_same_crawl(expected, bridge_crawl(urls, tmp_path / "b.tsv"))


@pytest.mark.timeout(240)
def test_the_bridge_crawls_the_whole_demo_site_as_the_asyncio_lesson_does(
    site: DemoSite, tmp_path: Path,
) -> None:
    urls = site.demo_urls(slow=True)
    expected = crawler_tests.run_crawl("asyncio", urls, tmp_path / "a.tsv")
    crawler_tests.assert_same_crawl(expected, bridge_crawl(urls, tmp_path / "b.tsv"))


@pytest.mark.timeout(120)
def test_ctrl_c_cancels_the_asyncio_side_and_the_bridge_exits_130_with_whole_rows(
    site: DemoSite, tmp_path: Path,
) -> None:
    out = tmp_path / "out.tsv"
    urls = [*site.page_urls()[:20], *(site.url(f"slow.html?{i}") for i in range(4))]
    result = interrupt([*BRIDGE_W, str(BRIDGE), *urls, "-o", str(out), "--concurrency", "8",
                        "--timeout", "20"],
                       ready=lambda line: line.startswith("Wrote results"))
    assert_clean_exit(result)
    assert result.stderr.startswith("interrupted: pages ")
    crawler_tests.assert_whole_rows(out.read_text(encoding="utf-8"))


@pytest.mark.timeout(120)
def test_ctrl_c_held_down_still_ends_the_bridge_with_130_and_whole_rows(
    site: DemoSite, tmp_path: Path,
) -> None:
    """A SIGINT every 10 ms after the first: one lands after the crawl has decided on 130,
    as Python shuts down, where it ended the process by the signal (status -2, ten runs in
    ten) until the bridge ignored SIGINT from there, as the lesson does (``exit_quietly``)."""
    out = tmp_path / "out.tsv"
    urls = [*site.page_urls()[:20], *(site.url(f"slow.html?{i}") for i in range(4))]
    result = interrupt([*BRIDGE_W, str(BRIDGE), *urls, "-o", str(out), "--concurrency", "8",
                        "--timeout", "20"],
                       ready=lambda line: line.startswith("Wrote results"), flood=0.01)
    assert_clean_exit(result)
    assert result.stderr.startswith("interrupted: pages "), result.stderr
    crawler_tests.assert_whole_rows(out.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# AnyIO as the destination: one crawler, both backends, the shared crawler tests' comparisons.


@pytest.mark.timeout(240)
@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_the_anyio_crawler_matches_the_asyncio_lesson_on_either_backend(
    backend: str, site: DemoSite, tmp_path: Path,
) -> None:
    module = load("crawler_anyio")
    before = signal.getsignal(signal.SIGINT)
    for name, urls in (("matrix", [url for url, _ in crawler_tests.matrix(site).values()]),
                       ("site", site.demo_urls(slow=True))):
        expected = crawler_tests.run_crawl("asyncio", urls, tmp_path / f"{name}-a.tsv")
        got = crawler_tests.run_crawl(backend, urls, tmp_path / f"{name}-{backend}.tsv",
                                      module=module)
        crawler_tests.assert_same_crawl(expected, got)
        # The handler that only notes a Ctrl-C while anyio.run winds down is gone again.
        assert signal.getsignal(signal.SIGINT) is before


@pytest.mark.timeout(120)
@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_ctrl_c_stops_the_anyio_crawler_on_either_backend_with_whole_rows(
    backend: str, site: DemoSite, tmp_path: Path,
) -> None:
    out = tmp_path / "out.tsv"
    urls = [*site.page_urls()[:20], *(site.url(f"slow.html?{i}") for i in range(4))]
    result = interrupt([str(EXAMPLES / "crawler_anyio.py"), "--backend", backend, *urls,
                        "-o", str(out), "--concurrency", "8", "--timeout", "20"],
                       ready=lambda line: line.startswith("Wrote results"))
    assert_clean_exit(result)
    assert result.stderr.startswith("interrupted: pages ")
    crawler_tests.assert_whole_rows(out.read_text(encoding="utf-8"))


@pytest.mark.timeout(120)
@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_ctrl_c_held_down_still_ends_the_anyio_crawler_with_130_on_either_backend(
    backend: str, site: DemoSite, tmp_path: Path,
) -> None:
    """A SIGINT every 10 ms after the first. Two ways it went wrong, each fixed in the example:
    one as Python shut down ended the process by the signal (-2, both backends); on asyncio,
    one in asyncio.Runner's teardown, once AnyIO's receiver had closed, left AnyIO's worker
    thread running, and the process hung at exit (1 run in 12), for good once SIGINT was
    ignored at exit. Now a Ctrl-C after the receiver closes is only noted."""
    out = tmp_path / "out.tsv"
    urls = [*site.page_urls()[:20], *(site.url(f"slow.html?{i}") for i in range(4))]
    result = interrupt([str(EXAMPLES / "crawler_anyio.py"), "--backend", backend, *urls,
                        "-o", str(out), "--concurrency", "8", "--timeout", "20"],
                       ready=lambda line: line.startswith("Wrote results"), flood=0.01)
    assert_clean_exit(result)
    assert result.stderr.startswith("interrupted: pages "), result.stderr
    crawler_tests.assert_whole_rows(out.read_text(encoding="utf-8"))


BRIDGE_FACTS = [
    "1. the asyncio side saw CancelledError",
    "1. the asyncio side's finally ran",
    "1. the Trio scope caught the cancellation: True",
    "2. Trio got a bare asyncio.exceptions.CancelledError",
    "3. asyncio.timeout raised TimeoutError",
    "4. Trio code sees a running asyncio loop: True",
]


# --------------------------------------------------------------------------------------------
# The pages name tests: each must exist.


PAGES = [*sorted((ROOT / "docs" / "migration").glob("*.md")), ROOT / "docs" / "old-names.md",
         ROOT / "docs" / "lessons" / "server.md"]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_test_a_chapter_names_exists(page: Path) -> None:
    tests = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    named = set(re.findall(r"`(?:tests/test_\w+\.py::)?(test_\w+)", page.read_text("utf-8")))
    assert named, f"{page.name} names no test"
    for name in named:
        assert re.search(rf"^def {name}\(", tests, re.M), f"{page.name} names missing {name}"


# --------------------------------------------------------------------------------------------
# Every example runs as a script and prints what the page says.


SCRIPTS = {
    "threads_asyncio.py": "['reading 0', 'reading 1', 'reading 2', 'lookup(7) = 49']\n"
                          "RuntimeError: Event loop is closed\n",
    "threads_trio.py": "['reading 0', 'reading 1', 'reading 2', 'lookup(7) = 49']\n"
                       "RunFinishedError: run() has exited\n",
    "services_asyncio.py": "".join(f"{line}\n" for line in CLEAN_LOG),
    "services_trio.py": "".join(f"{line}\n" for line in CLEAN_LOG),
    "groups_asyncio.py": "".join(f"{line}\n" for line in GROUPS_OUTPUT),
    "groups_trio.py": "".join(f"{line}\n" for line in GROUPS_OUTPUT),
    "debugging_asyncio.py": "".join(f"{line}\n" for line in TASKS),
    "debugging_trio.py": "".join(f"{line}\n" for line in TASKS),
    "bridge_cancellation.py": "".join(f"{line}\n" for line in BRIDGE_FACTS),
}


def test_every_example_is_run_by_this_file() -> None:
    """Each runs below as a script, but the two crawlers, which the crawl tests above run,
    and the asyncio-API pairs, which tests/test_migration_apis.py runs."""
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(
        [*SCRIPTS, BRIDGE.name, "crawler_anyio.py", *apis_tests.SCRIPTS])


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_each_example_runs_as_a_script(name: str) -> None:
    env = {**os.environ, "PYTHONDEVMODE": "1", "PYTHONWARNINGS": "error"}
    w = BRIDGE_W if name.startswith("bridge") else []
    proc = subprocess.run([sys.executable, "-W", "error", *w, str(EXAMPLES / name)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=100)
    assert proc.returncode == 0, proc.stderr
    assert without_slow_callbacks(proc.stderr) == ""
    assert proc.stdout == SCRIPTS[name]
