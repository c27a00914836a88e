"""Claims of four lesson pages that an outside review (RV2-lessons, issue 26) found half-true or
unproven: one small test per claim, each named in its page.

- queue.md: a Trio ``await`` is a checkpoint when it *returns*; one that raises (``receive`` on
  a closed channel) need not let any other task run. Under ``nest_asyncio`` (and its fork
  ``nest_asyncio2``) a consumer that ``main`` forgot lingers after the cell, until the garbage
  collector destroys it.
- count.md: ``trio.sleep(-1)`` raises before any checkpoint; mypy with this project's
  ``check_untyped_defs`` flags both forgotten awaits in an unannotated function; a system task
  outlives the function that started it, with no nursery handed to that function.

Trio runs on the project's virtual clock (``tests.virtual.run_trio``); what would change this
process for good (``nest_asyncio.apply`` patches asyncio) or needs a tool (mypy) runs in a
child process. The real-clock figures of these pages (makerandom.md, chained.md) are marked on
the pages as measured by hand: no test here pins them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
import trio
import trio.lowlevel

from tests.signals import default_sigint
from tests.virtual import run_trio

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def page(name: str) -> str:
    """A page of the guide, its whitespace folded so that a sentence reads as one line."""
    return " ".join((DOCS / name).read_text(encoding="utf-8").split())


def python(code: str, *args: str, timeout: float = 25) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with ``-W error``: no pytest, no Hypothesis."""
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", textwrap.dedent(code), *args],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=default_sigint,
    )


# ---------------------------------------------------------------------------------------------
# queue.md, "We are using `while True`": which awaits on Trio are checkpoints.


class StepCounter(trio.abc.Instrument):
    """Counts the steps of one task: each time it yields to the scheduler, a step ends. (Which
    task runs next after a schedule point is Trio's random choice; that one happened is not.)"""

    def __init__(self) -> None:
        self.task: trio.lowlevel.Task | None = None
        self.steps = 0

    def after_task_step(self, task: trio.lowlevel.Task) -> None:
        if task is self.task:
            self.steps += 1


def test_a_trio_receive_that_raises_need_not_let_others_run_and_one_that_returns_does() -> None:
    """Trio's rule: an async function of Trio that *doesn't raise* always acts as a checkpoint;
    one that raises might not. ``receive`` on a closed end raises ``ClosedResourceError``
    before any schedule point (``checkpoint_if_cancelled``, then ``receive_nowait``): over 1000
    such awaits the task never yields, and a task ready to run does not run. The same method,
    returning a buffered value, yields once."""
    counter = StepCounter()
    seen: list[object] = []

    async def main() -> None:
        counter.task = trio.lowlevel.current_task()
        trio.lowlevel.add_instrument(counter)
        _, closed = trio.open_memory_channel[int](0)
        closed.close()
        send, receive = trio.open_memory_channel[int](1)
        send.send_nowait(7)
        ran: list[str] = []

        async def other() -> None:
            ran.append("other")

        async with trio.open_nursery() as nursery:
            nursery.start_soon(other)  # ready from now on: any schedule point may run it
            before, raised = counter.steps, 0
            for _ in range(1000):
                try:
                    await closed.receive()
                except trio.ClosedResourceError:
                    raised += 1
            seen.append(("raised", raised, "yielded", counter.steps - before, list(ran)))
            before = counter.steps
            value = await receive.receive()
            seen.append(("returned", value, "yielded", counter.steps - before))
        seen.append(list(ran))
        send.close()
        receive.close()

    run_trio(main)
    assert seen == [("raised", 1000, "yielded", 0, []), ("returned", 7, "yielded", 1),
                    ["other"]]
    text = page("lessons/queue.md")
    assert "test_a_trio_receive_that_raises_need_not_let_others_run_and_one_that_returns_does" \
        in text
    assert "that returns normally is a *checkpoint*" in text


# ---------------------------------------------------------------------------------------------
# queue.md: under nest_asyncio nothing shuts the kernel's loop down.

LINGER = """
    import asyncio
    import gc
    import importlib
    import sys

    nest = importlib.import_module(sys.argv[1])


    async def consumer(q):
        try:
            await q.get()
        except asyncio.CancelledError:
            print("consumer: cancelled")
            raise
        except GeneratorExit:
            print("consumer: destroyed by the garbage collector")
            raise


    async def main():
        asyncio.create_task(consumer(asyncio.Queue()))  # forgotten: not cancelled, not awaited
        await asyncio.sleep(0)


    asyncio.run(main())  # a script: asyncio.run cancels what main left
    print("script: asyncio.run returned")

    kernel = asyncio.new_event_loop()  # the kernel's loop, made re-entrant
    asyncio.set_event_loop(kernel)
    nest.apply(kernel)


    async def cell():
        asyncio.run(main())  # the notebook's asyncio.run, now the patched one


    async def next_cell():
        await asyncio.sleep(0)
        return [t.get_coro().__name__ for t in asyncio.all_tasks()
                if t is not asyncio.current_task()]


    gc.disable()  # no collection at a moment of the allocator's choosing: one, below
    kernel.run_until_complete(cell())
    print("next cell:", kernel.run_until_complete(next_cell()))
    gc.collect()
    print("after a collection:", kernel.run_until_complete(next_cell()))
    kernel.close()
"""


@pytest.mark.timeout(30)
@pytest.mark.parametrize("module", ["nest_asyncio", "nest_asyncio2"])
def test_a_consumer_main_forgot_lingers_after_a_nest_asyncio_cell_until_collected(
        module: str) -> None:
    """The patched ``asyncio.run`` (nest_asyncio.py's ``run``; nest_asyncio2's alike) cancels
    only the task it ran, and closes no loop: a consumer ``main`` left waiting on an empty
    queue is still there in the next cell. Plain ``asyncio.run`` cancels it at shutdown. Nothing
    holds the lingering task but itself, so the garbage collector destroys it when it next
    collects (asyncio logs "Task was destroyed but it is pending!")."""
    done = python(LINGER, module)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "consumer: cancelled",
        "script: asyncio.run returned",
        "next cell: ['consumer']",
        "consumer: destroyed by the garbage collector",
        "after a collection: []",
    ]
    assert "Task was destroyed but it is pending!" in done.stderr
    text = page("lessons/queue.md")
    assert "test_a_consumer_main_forgot_lingers_after_a_nest_asyncio_cell_until_collected" in text


# ---------------------------------------------------------------------------------------------
# count.md: trio.sleep(-1) is no checkpoint; mypy with check_untyped_defs; system tasks.


def test_trio_sleep_with_a_negative_delay_raises_before_any_checkpoint() -> None:
    """``trio.sleep(-1)`` raises ``ValueError`` before its checkpoint (trio/_timeouts.py): the
    task does not yield and a ready task does not run; in a cancelled scope the error is
    ``ValueError``, not ``Cancelled``. ``trio.sleep(0)``, which returns, yields once."""
    counter = StepCounter()
    seen: list[object] = []

    async def main() -> None:
        counter.task = trio.lowlevel.current_task()
        trio.lowlevel.add_instrument(counter)
        ran: list[str] = []

        async def other() -> None:
            ran.append("other")

        async with trio.open_nursery() as nursery:
            nursery.start_soon(other)
            before = counter.steps
            try:
                await trio.sleep(-1)
            except ValueError:
                seen.append(("ValueError", counter.steps - before, list(ran)))
            with trio.CancelScope() as scope:
                scope.cancel()
                try:
                    await trio.sleep(-1)
                except ValueError:
                    seen.append(("ValueError when cancelled", counter.steps - before, list(ran)))
            seen.append(("cancelled caught", scope.cancelled_caught))
            await trio.sleep(0)  # noqa: ASYNC115 (the same function, returning)
            seen.append(("returned", counter.steps - before))

    run_trio(main)
    assert seen == [("ValueError", 0, []), ("ValueError when cancelled", 0, []),
                    ("cancelled caught", False), ("returned", 1)]
    text = page("lessons/count.md")
    assert "test_trio_sleep_with_a_negative_delay_raises_before_any_checkpoint" in text
    assert "when it returns" in text


FORGOTTEN_UNANNOTATED = """
import trio


async def count_async():
    await trio.sleep(1)


async def main():
    count_async()
    trio.sleep(1)
"""


@pytest.mark.timeout(30)
def test_mypy_with_this_projects_check_untyped_defs_flags_both_in_an_unannotated_function(
        tmp_path: Path) -> None:
    """count.md: mypy's ``unused-coroutine`` check skips a function without annotations by
    default, and flags both forgotten awaits in it (``count_async()``, line 10, and
    ``trio.sleep(1)``, line 11) under this project's own ``[tool.mypy]``, which sets
    ``check_untyped_defs``."""
    mypy = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert mypy["check_untyped_defs"] is True
    (tmp_path / "forgotten.py").write_text(FORGOTTEN_UNANNOTATED)

    def flagged(config: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-m", "mypy", "--config-file", config,
             "--cache-dir", str(tmp_path / "cache"), "forgotten.py"],
            capture_output=True, text=True, timeout=25, cwd=tmp_path)
        return re.findall(r"^forgotten\.py:(\d+): error: .*\[unused-coroutine\]$",
                          done.stdout, re.M)

    assert flagged(os.devnull) == []
    assert flagged(str(ROOT / "pyproject.toml")) == ["10", "11"]
    text = page("lessons/count.md")
    assert "test_mypy_with_this_projects_check_untyped_defs_flags_both_in_an_unannotated_function" \
        in text


def test_a_system_task_outlives_the_function_that_started_it_without_a_nursery() -> None:
    """count.md's exception to structured concurrency: ``trio.lowlevel.spawn_system_task``
    starts a task from a function that was handed no nursery, and the task runs on after the
    function has returned."""
    events: list[tuple[str, float]] = []

    async def main() -> None:
        start = trio.current_time()

        async def child() -> None:
            await trio.sleep(1)
            events.append(("child done", round(trio.current_time() - start, 6)))

        async def starter() -> None:
            trio.lowlevel.spawn_system_task(child)
            events.append(("starter returned", round(trio.current_time() - start, 6)))

        await starter()
        await trio.sleep(2)
        events.append(("main done", round(trio.current_time() - start, 6)))

    run_trio(main)
    assert events == [("starter returned", 0.0), ("child done", 1.0), ("main done", 2.0)]
    text = page("lessons/count.md")
    assert "test_a_system_task_outlives_the_function_that_started_it_without_a_nursery" in text
    assert "`trio.lowlevel.spawn_system_task`" in text

