"""The "Where behaviour differs" chapter: each runnable pair in examples/divergence/, pinned.

Each test runs the asyncio file on ``walkthrough.clocks.VirtualTimeLoop`` and the Trio file on
``walkthrough.clocks.mock_clock()`` (a MockClock at a random reading), and asserts what
differs *and* what does not.
Where Trio's order is its scheduler's random choice, the test pins only what is not a choice.
The Ctrl-C pair runs in a subprocess with a real SIGINT, bounded by a timeout.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType

import pytest
import trio
import trio.testing

from tests.conftest import load_file
from tests.signals import interrupt
from tests.virtual import run_asyncio, run_trio

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "divergence"
CASES = (
    "gather_raises",
    "cancellation",
    "checkpoints",
    "global_rng",
    "join_vs_close",
    "orphans",
    "timeouts",
    "ctrl_c",
)


def load(name: str) -> ModuleType:
    """Import ``examples/divergence/<name>.py`` (the examples are scripts, not a package)."""
    return load_file(EXAMPLES / f"{name}.py", f"divergence_{name}")


def test_every_case_is_a_pair() -> None:
    names = {p.stem for p in EXAMPLES.glob("*.py")}
    assert names == {f"{case}_{impl}" for case in CASES for impl in ("asyncio", "trio")}


def test_gather_leaves_the_sibling_running_a_nursery_cancels_it() -> None:
    assert run_asyncio(load("gather_raises_asyncio").main) == [
        "1: fail raises",
        "1: caller caught ValueError('boom')",
        "3: sibling finished",  # after the caller has already handled the error
    ]
    assert run_trio(load("gather_raises_trio").main) == [
        "1: fail raises",
        "1: caller caught ValueError('boom')",  # via except*: it came in an ExceptionGroup
    ]


def test_asyncio_taskgroup_cancels_the_sibling_as_a_nursery_does() -> None:
    """The page: asyncio's own TaskGroup behaves like the nursery here (one ``Exception``; for
    KeyboardInterrupt and SystemExit it re-raises bare, test_claims.py's TaskGroup tests)."""
    module = load("gather_raises_asyncio")

    async def main() -> list[str]:
        log = module.Log()

        async def sibling() -> None:
            try:
                await module.sibling(log)
            except asyncio.CancelledError:
                log("sibling cancelled")
                raise

        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(module.fail(log))
                group.create_task(sibling())
        except* ValueError as caught:
            log(f"caller caught {caught.exceptions[0]!r} in a group")
        await asyncio.sleep(5)
        return log

    assert run_asyncio(main) == [
        "1: fail raises",
        "1: sibling cancelled",
        "1: caller caught ValueError('boom') in a group",
    ]


def test_nursery_wraps_even_a_single_error_in_a_group() -> None:
    async def one_failure() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(load("gather_raises_trio").fail, [].append)

    with pytest.raises(ExceptionGroup) as info:
        run_trio(one_failure)
    assert [type(e) for e in info.value.exceptions] == [ValueError]


@pytest.mark.parametrize("how", ["deadline", "cancel"])
def test_a_timeout_reaches_each_child_once_in_asyncio_and_at_every_checkpoint_in_trio(
        how: str) -> None:
    """benchmarks.md, section 3, as SR6 corrected it: the same edge and level, for children
    under a group, for "a cancellation or a deadline" alike (RV4-bench F12: the deadline alone
    was tested). ``asyncio.timeout`` around a ``TaskGroup`` (``deadline``), or a ``cancel()``
    of the task that entered it (``cancel``), cancels that task once, the group cancels each
    child once, and a child that catches it waits again undisturbed; a Trio deadline around a
    nursery (``move_on_after``), or an explicit ``scope.cancel()`` of the scope around it,
    raises ``Cancelled`` in each child at every checkpoint until the block is left. Both on
    virtual clocks, at 5 s; the children wait 1 s after the cancellation, and the block ends
    when they do (asyncio) or at once (Trio)."""
    async def child(log: list[str], name: str, sleep: Callable[[float], Awaitable[object]],
                    cancelled: type[BaseException]) -> None:
        """The same child in both frameworks: cancelled, it catches it and waits 1 s more."""
        try:
            await sleep(10)
        except cancelled:
            log.append(f"{name} cancelled")
            try:
                await sleep(1)
                log.append(f"{name} waited again")
            except cancelled:
                log.append(f"{name} cancelled again")
            raise

    async def aio_group(log: list[str]) -> None:
        async with asyncio.TaskGroup() as group:
            for name in ("c1", "c2"):
                group.create_task(child(log, name, asyncio.sleep, asyncio.CancelledError))

    async def aio_main() -> tuple[list[str], float]:
        log: list[str] = []
        loop = asyncio.get_running_loop()
        start = loop.time()
        if how == "deadline":
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(5):
                    await aio_group(log)
        else:
            entered = asyncio.create_task(aio_group(log))
            loop.call_later(5, entered.cancel)
            with pytest.raises(asyncio.CancelledError):
                await entered
        return sorted(log), loop.time() - start

    async def trio_main() -> tuple[list[str], float]:
        log: list[str] = []
        start = trio.current_time()
        with (trio.move_on_after(5) if how == "deadline" else trio.CancelScope()) as scope:
            async with trio.open_nursery() as nursery:
                for name in ("c1", "c2"):
                    nursery.start_soon(child, log, name, trio.sleep, trio.Cancelled)
                if how == "cancel":
                    await trio.sleep(5)
                    scope.cancel()
        assert scope.cancelled_caught
        return sorted(log), trio.current_time() - start

    assert run_asyncio(aio_main) == (
        ["c1 cancelled", "c1 waited again", "c2 cancelled", "c2 waited again"], 6)
    assert run_trio(trio_main) == (
        ["c1 cancelled", "c1 cancelled again", "c2 cancelled", "c2 cancelled again"], 5)


@pytest.mark.parametrize(("entered", "how", "ends_at"), [
    ("cancelled", "nothing", 30),  # neither the cancelled nursery nor the timeout at 10
    ("cancelled", "cancel()", 3),
    ("cancelled", "a deadline 2 s on", 5),
    ("cancelled", "shield = False", 3),  # the nursery's cancellation is there: in at once
    ("returned", "nothing", 30),  # the timeout at 10 does not reach it
    ("returned", "shield = False", 10),  # nothing cancelled yet: in when the timeout comes
])
def test_a_hung_shielded_cleanup_ends_only_by_its_own_scope(
        entered: str, how: str, ends_at: float) -> None:
    """divergences.md (SR5): a cleanup that hangs in a shield without a deadline is ended only
    by code holding that scope: its ``cancel()``, a ``deadline`` given to it, or its
    ``shield`` cleared, which lets a cancellation from outside in at once if one is already
    there, else when one comes. While the shield stands, neither a cancelled nursery nor a
    timeout outside ends it. The worker enters its cleanup at 1 s, cancelled (its nursery is)
    or after its body returned; a timeout at 10 s surrounds the nursery; the scope's holder
    acts at 3 s and, whatever happened, cancels the cleanup itself at 30 s so that the test
    ends. Virtual clock: the seconds are when the cleanup ended, from the start."""
    async def main() -> float:
        start = trio.current_time()
        ended: list[float] = []
        held: list[trio.CancelScope] = []

        async def worker() -> None:
            try:
                await trio.sleep(1 if entered == "returned" else 100)
            finally:
                with trio.CancelScope(shield=True) as cleanup:
                    held.append(cleanup)
                    try:
                        await trio.sleep_forever()  # a cleanup that hangs
                    finally:  # however it ends: its own scope's Cancelled, or an outer one's
                        ended.append(trio.current_time() - start)

        async def holder() -> None:
            await trio.sleep(3)
            (cleanup,) = held
            if how == "cancel()":
                cleanup.cancel()
            elif how == "a deadline 2 s on":
                cleanup.deadline = trio.current_time() + 2
            elif how == "shield = False":
                cleanup.shield = False
            await trio.sleep(27)
            cleanup.cancel()

        async with trio.open_nursery() as outside:
            outside.start_soon(holder)
            with trio.move_on_after(10):  # a timeout outside the shield
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(worker)
                    if entered == "cancelled":
                        await trio.sleep(1)
                        nursery.cancel_scope.cancel()
            outside.cancel_scope.cancel()  # the holder's work is done
        (when,) = ended
        return when

    assert run_trio(main) == ends_at


def test_cancellation_is_edge_triggered_in_asyncio_level_triggered_in_trio() -> None:
    assert run_asyncio(load("cancellation_asyncio").main) == [
        "1: cleanup starts",
        "2: cleanup finished",
        "2: worker cancelled",
    ]
    trio_version = load("cancellation_trio")
    assert run_trio(trio_version.main) == ["1: cleanup starts", "1: worker cancelled"]
    # A shielded scope lets the cleanup run, as it did in asyncio.
    assert run_trio(trio_version.main, True) == [
        "1: cleanup starts",
        "2: cleanup finished",
        "2: worker cancelled",
    ]


def test_queue_put_does_not_yield_channel_send_does() -> None:
    assert run_asyncio(load("checkpoints_asyncio").main) == ["A0", "A1", "A2", "B0", "B1", "B2"]
    trio_version = load("checkpoints_trio")
    for _ in range(20):
        log = run_trio(trio_version.main)
        # Step k of both tasks runs in one scheduling batch, in an order Trio picks.
        assert [set(log[k : k + 2]) for k in (0, 2, 4)] == [
            {"A0", "B0"},
            {"A1", "B1"},
            {"A2", "B2"},
        ]


def test_a_global_rng_hands_out_numbers_in_scheduling_order() -> None:
    aio, trio_version = load("global_rng_asyncio"), load("global_rng_trio")
    asyncio_draws = {tuple(run_asyncio(aio.main).items()) for _ in range(10)}
    assert len(asyncio_draws) == 1  # FIFO: the same task always draws first
    trio_draws = {tuple(run_trio(trio_version.main).items()) for _ in range(30)}
    assert len(trio_draws) > 1  # who draws first is the scheduler's choice
    # Whatever the order, the same three numbers were drawn from the one stream.
    assert {tuple(sorted(v for _, v in d)) for d in trio_draws} == {
        tuple(sorted(v for _, v in next(iter(asyncio_draws))))
    }
    # Three different numbers, so that every order shows (RV7-div F4: randint(0, 10) with seed
    # 444 draws 4, 4, 0, and an order that swapped only the first two printed the same).
    assert len(set(dict(next(iter(asyncio_draws))).values())) == 3


def test_one_stream_per_task_gives_the_same_numbers_in_both() -> None:
    aio, trio_version = load("global_rng_asyncio"), load("global_rng_trio")
    expected = run_asyncio(aio.main, 444, True)
    for _ in range(10):
        assert run_trio(trio_version.main, 444, True) == expected


def test_join_ends_at_the_last_task_done_closing_the_channel_ends_later() -> None:
    assert run_asyncio(load("join_vs_close_asyncio").main) == ["2: got job", "2: done"]
    trio_version = load("join_vs_close_trio")
    assert run_trio(trio_version.main_close) == ["2: got job", "4: done"]
    assert run_trio(trio_version.main_join) == ["2: got job", "2: done"]


def test_asyncio_drops_an_orphan_trio_waits_for_every_child() -> None:
    assert run_asyncio(load("orphans_asyncio").main_orphan) == ["1: main returns"]
    assert run_trio(load("orphans_trio").main_orphan) == [
        "1: main's body ends",
        "5: background finished",
        "5: main returns",
    ]


def test_asyncio_garbage_collects_a_task_nobody_references() -> None:
    log = run_asyncio(load("orphans_asyncio").main_collected)
    assert log == [
        "0: wait_forever closed by the garbage collector",
        "Task was destroyed but it is pending!",
    ]


def test_tooslowerror_is_not_a_timeouterror() -> None:
    assert not issubclass(trio.TooSlowError, TimeoutError)
    assert run_asyncio(load("timeouts_asyncio").main) == [
        "wait_for: TimeoutError",
        "timeout: TimeoutError",
    ]
    assert run_trio(load("timeouts_trio").main) == [
        "fail_after: TooSlowError",
        "move_on_after: cancelled_caught=True",
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(
    ("impl", "last_line"),
    [("asyncio", "caught KeyboardInterrupt"), ("trio", "caught KeyboardInterrupt in a group")],
)
def test_ctrl_c(impl: str, last_line: str) -> None:
    """A real SIGINT after "ready": both clean up; only the shape of the exception differs."""
    result = interrupt([str(EXAMPLES / f"ctrl_c_{impl}.py")], ready=lambda line: line == "ready\n")
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr
    assert set(lines[1:3]) == {"w1 cleaned up", "w2 cleaned up"}
    assert lines[3:] == [last_line]
