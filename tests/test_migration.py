"""The migration chapters (docs/migration/): each asyncio/Trio pair in examples/migration/.

Each pair is checked for the behaviour the two share, and each difference the chapter names is
pinned here, so that the page cannot drift from the code. Every example also runs as a script,
in a child process with ``-W error`` and ``PYTHONDEVMODE=1``, and prints what the page says.
"""

from __future__ import annotations

import asyncio
import functools
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import trio
import trio.testing

from tests.conftest import load_file
from walkthrough.clocks import VirtualTimeLoop, mock_clock

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
    async def main() -> tuple[object, list[str]]:
        loop = asyncio.get_running_loop()
        errors: list[str] = []
        loop.set_exception_handler(lambda _, context: errors.append(repr(context["exception"])))
        handle = await asyncio.to_thread(loop.call_soon_threadsafe, int, "not a number")
        await asyncio.sleep(0)
        return type(handle).__name__, errors

    handle, errors = asyncio.run(main())
    assert handle == "Handle"
    assert errors == ["ValueError(\"invalid literal for int() with base 10: 'not a number'\")"]


def test_from_thread_refuses_to_be_called_from_the_trio_thread() -> None:
    """asyncio's run_coroutine_threadsafe(...).result() on the loop's thread would hang."""

    async def main() -> str:
        try:
            trio.from_thread.run_sync(len, "x")
        except RuntimeError as e:
            return str(e)
        return "no error"

    assert "thread" in trio.run(main)


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


def test_a_crashed_service_is_heard_at_once_in_trio_at_the_end_in_asyncio() -> None:
    """The store rejects the second flush (at t=2). Trio cancels the app at its next
    checkpoint and raises a group; asyncio's app goes on adding rows nobody flushes, and hears
    of the failure only when it leaves the block."""
    rows = ["row 0", "row 1", "poison", "row 3", "row 4"]
    aio_log, aio_error = run_app("asyncio", rows)
    trio_log, trio_error = run_app("trio", rows)
    assert type(aio_error) is OSError
    assert isinstance(trio_error, ExceptionGroup)
    assert [type(e) for e in trio_error.exceptions] == [OSError]
    head = ["store opened", "flusher started", "added row 0", "added row 1", "flushed 2 rows",
            "added poison"]
    assert trio_log == [*head, "store closed with 2 rows"]
    assert aio_log == [*head, "added row 3", "added row 4", "added last row",
                       "store closed with 2 rows"]


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


def test_trio_testing_raisesgroup_is_deprecated_for_pytests_own() -> None:
    import trio.testing as trio_testing

    for name in ("RaisesGroup", "Matcher"):  # reading the attribute is what warns
        with pytest.deprecated_call(match=r"pytest\.Raises"):
            getattr(trio_testing, name)


def test_errors_after_the_same_wakeup_all_reach_a_taskgroup_one_reaches_a_nursery() -> None:
    """Three children wake from the same sleep and raise. asyncio runs all three before the
    TaskGroup hears of the first (its done callback is scheduled, not called); a nursery
    cancels the rest the moment the first child fails, so the others meet the cancellation
    at once. Which one of the three a nursery reports is the scheduler's choice."""

    async def fail_after_aio(n: int) -> None:
        await asyncio.sleep(1)
        raise ValueError(n)

    async def aio() -> None:
        async with asyncio.TaskGroup() as group:
            for n in range(3):
                group.create_task(fail_after_aio(n))

    async def fail_after_trio(n: int) -> None:
        await trio.sleep(1)
        raise ValueError(n)

    async def tr() -> None:
        async with trio.open_nursery() as nursery:
            for n in range(3):
                nursery.start_soon(fail_after_trio, n)

    with pytest.RaisesGroup(ValueError, ValueError, ValueError):
        run_asyncio_virtual(aio())
    with pytest.RaisesGroup(ValueError):
        run_trio_virtual(tr)


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
}


def test_every_example_is_run_by_this_file() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(SCRIPTS)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_each_example_runs_as_a_script(name: str) -> None:
    env = {**os.environ, "PYTHONDEVMODE": "1", "PYTHONWARNINGS": "error"}
    proc = subprocess.run([sys.executable, "-W", "error", str(EXAMPLES / name)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=100)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout == SCRIPTS[name]
