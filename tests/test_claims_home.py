"""What docs/old-names.md and docs/notebooks.md state and no other test showed (outside review
RV4-home, F3, F4, F5, F7, F11).

- docs/old-names.md, the table's "What changed" column, row by row where it states what Trio
  does (F4, F7): ``nursery.start`` passes ``task_status=`` and returns at ``started()``, a plain
  function is a ``TypeError`` that leaves the nursery inside its ``ExceptionGroup``; one error
  in a nursery comes wrapped in a built-in ``ExceptionGroup``; consumers learn that the work is
  done when every send end, the first and each clone, is closed; ``CancelScope`` is a plain
  class used with ``with``; from a foreign thread the ``TrioToken`` is the handle; one
  ``BrokenResourceError`` for a broken stream and a broken channel, one
  ``ClosedResourceError`` for a closed stream and a closed listener; ``outcome.capture``;
  ``run_process`` waits and checks the exit status; an ``Event`` fires once. The removed
  names, ``cancellable=``, ``trio.hazmat``, ``trio.Process`` and the deprecated names are
  tested elsewhere (tests/test_migration.py, tests/test_claims_pages.py, tests/test_claims.py),
  as the page says. Its Trio version is pyproject.toml's minimum (F5).
- docs/notebooks.md: the seed's ``random.seed(444)`` does not seed its ``Faker``, so the queue
  cells as the seed writes them print other names and jobs on every run, even on the virtual
  clock, and only the names and jobs differ (F11); the tracked notebooks hold no outputs and
  no execution counts, so a run that Jupyter saves into one changes it (F3).
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import outcome
import pytest
import trio
import trio.testing

from tests.test_notebooks import notebook_queue
from walkthrough.clocks import VirtualTimeLoop

ROOT = Path(__file__).resolve().parent.parent


def page(path: str) -> str:
    """A page of the repository with its line breaks and runs of spaces made single spaces."""
    return " ".join((ROOT / path).read_text(encoding="utf-8").split())


def old_names_row(old: str) -> str:
    """The table row of docs/old-names.md whose first cell holds ``old``."""
    rows = [line for line in (ROOT / "docs" / "old-names.md").read_text("utf-8").splitlines()
            if line.startswith("| ") and old in line.split("|")[1]]
    assert len(rows) == 1, f"docs/old-names.md: no single row for {old}"
    return rows[0]


# -- docs/old-names.md: what the table says Trio does ------------------------------------------


@pytest.mark.trio_suite
def test_start_passes_task_status_and_a_plain_function_is_a_typeerror_in_the_group() -> None:
    """``nursery.spawn(fn)``'s row: ``start`` calls ``fn(task_status=...)`` and returns (with
    the value given) when ``fn`` calls ``task_status.started()``, while ``fn`` runs on; a plain
    ``fn`` raises ``TypeError``, and it leaves the nursery inside an ``ExceptionGroup``, so an
    ``except TypeError`` around the ``async with`` does not catch it."""
    steps: list[str] = []

    async def server(*, task_status: trio.TaskStatus[str]) -> None:
        steps.append("starting")
        await trio.sleep(1)
        task_status.started("ready")
        steps.append("started")
        await trio.sleep(1)
        steps.append("done")

    async def starts() -> None:
        async with trio.open_nursery() as nursery:
            got = await nursery.start(server)
            steps.append(f"start returned {got} at {trio.current_time():.0f}")

    trio.run(starts, clock=trio.testing.MockClock(autojump_threshold=0))
    assert steps == ["starting", "started", "start returned ready at 1", "done"]

    caught_bare: list[TypeError] = []

    async def plain() -> None:
        pass  # pragma: no cover  (never called: the keyword is refused)

    async def starts_plain() -> None:
        try:
            async with trio.open_nursery() as nursery:
                await nursery.start(plain)  # type: ignore[arg-type]
        except TypeError as exc:  # what a reader might write: it catches nothing
            caught_bare.append(exc)  # pragma: no cover

    with pytest.RaisesGroup(pytest.RaisesExc(
            TypeError, match="unexpected keyword argument 'task_status'")):
        trio.run(starts_plain)
    assert caught_bare == []
    row = old_names_row("`nursery.spawn(fn)`")
    assert "`TypeError`" in row and "`ExceptionGroup`" in row and "`except TypeError`" in row


@pytest.mark.trio_suite
def test_one_error_in_a_nursery_comes_wrapped_in_a_builtin_exception_group() -> None:
    """``trio.MultiError``'s row: nurseries raise the standard groups, and are strict."""

    async def fails() -> None:
        raise ValueError("the one error")

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(fails)

    with pytest.raises(ExceptionGroup) as caught:
        trio.run(main)
    assert type(caught.value) is ExceptionGroup  # the built-in class, not a Trio subclass
    [only] = caught.value.exceptions
    assert isinstance(only, ValueError)
    assert "even one error comes wrapped" in old_names_row("`trio.MultiError`")


@pytest.mark.trio_suite
def test_consumers_end_only_when_the_first_send_end_and_every_clone_are_closed() -> None:
    """``trio.Queue(n)``'s row: closing every send end, the first and each ``clone()``, is how
    consumers learn that the work is done; with one end still open they wait on."""
    states: list[str] = []

    async def consumer(receive: trio.MemoryReceiveChannel[int]) -> None:
        async with receive:
            async for _ in receive:
                pass
        states.append("ended")

    async def main() -> None:
        send, receive = trio.open_memory_channel[int](0)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(consumer, receive)
            clone = send.clone()
            await send.send(1)
            await send.aclose()  # the first end only
            await trio.testing.wait_all_tasks_blocked()
            states.append(f"first closed, consumer ended: {'ended' in states}")
            await clone.send(2)  # the clone still sends, and the consumer still receives
            await clone.aclose()
            await trio.testing.wait_all_tasks_blocked()
            states.append(f"clone closed, consumer ended: {'ended' in states}")

    trio.run(main)
    assert states == ["first closed, consumer ended: False", "ended",
                      "clone closed, consumer ended: True"]
    assert "(the first and each `clone()`)" in old_names_row("`trio.Queue(n)`")


@pytest.mark.trio_suite
def test_cancelscope_is_a_plain_class_used_with_with() -> None:
    """``trio.open_cancel_scope()``'s row: ``with trio.CancelScope() as scope:``."""
    assert isinstance(trio.CancelScope, type)

    async def main() -> bool:
        with trio.CancelScope() as scope:
            scope.cancel()
            await trio.sleep(1)
        return scope.cancelled_caught

    assert trio.run(main) is True
    assert "`with trio.CancelScope() as scope:`" in old_names_row("`trio.open_cancel_scope()`")


@pytest.mark.trio_suite
def test_from_a_foreign_thread_the_trio_token_is_the_handle() -> None:
    """``trio.BlockingTrioPortal``'s row: no portal object; a thread Trio did not start calls
    ``trio.from_thread.run`` / ``run_sync`` with ``trio_token=``, and without it is refused."""
    got: list[object] = []

    async def double(n: int) -> int:
        await trio.lowlevel.checkpoint()
        return 2 * n

    def foreign(token: trio.lowlevel.TrioToken) -> None:
        try:
            trio.from_thread.run_sync(trio.current_time)
        except RuntimeError as exc:
            got.append(str(exc))
        got.append(trio.from_thread.run_sync(lambda: "in the Trio thread", trio_token=token))
        got.append(trio.from_thread.run(double, 21, trio_token=token))

    async def main() -> None:
        thread = threading.Thread(target=foreign, args=(trio.lowlevel.current_trio_token(),))
        thread.start()
        await trio.to_thread.run_sync(thread.join)

    trio.run(main)
    assert got == ["this thread wasn't created by Trio, pass kwarg trio_token=...",
                   "in the Trio thread", 42]
    assert "the `TrioToken` is the handle" in old_names_row("`trio.BlockingTrioPortal`")


@pytest.mark.trio_suite
def test_one_broken_and_one_closed_error_for_streams_channels_and_listeners() -> None:
    """``trio.BrokenStreamError``'s row (one exception for every kind of broken resource) and
    ``trio.ClosedStreamError``/``ClosedListenerError``'s (one ``ClosedResourceError``)."""

    async def main() -> list[str]:
        seen: list[str] = []
        stream, peer = trio.testing.lockstep_stream_pair()
        await peer.aclose()  # the other side went away: broken
        try:
            await stream.send_all(b"x")
        except trio.BrokenResourceError:
            seen.append("stream: broken")
        send, receive = trio.open_memory_channel[int](1)
        await receive.aclose()
        try:
            await send.send(1)
        except trio.BrokenResourceError:
            seen.append("channel: broken")
        await stream.aclose()  # we closed it ourselves: closed
        try:
            await stream.send_all(b"x")
        except trio.ClosedResourceError:
            seen.append("stream: closed")
        [listener] = await trio.open_tcp_listeners(0, host="127.0.0.1")
        await listener.aclose()
        try:
            await listener.accept()
        except trio.ClosedResourceError:
            seen.append("listener: closed")
        return seen

    assert trio.run(main) == ["stream: broken", "channel: broken", "stream: closed",
                              "listener: closed"]
    assert "One exception for every kind of broken resource" in old_names_row(
        "`trio.BrokenStreamError`")
    assert "`trio.ClosedResourceError`" in old_names_row("`trio.ClosedStreamError`")


def test_outcome_captures_a_value_or_an_error() -> None:
    """``trio.Result``'s row: the ``outcome`` package's ``Value``, ``Error`` and ``capture``."""
    assert outcome.capture(len, "abc") == outcome.Value(3)
    failed = outcome.capture(int, "three")
    assert isinstance(failed, outcome.Error)
    with pytest.raises(ValueError, match="three"):
        failed.unwrap()
    assert "`outcome.capture`" in old_names_row("`trio.Result`")


@pytest.mark.trio_suite
@pytest.mark.timeout(60)
def test_run_process_waits_for_the_child_and_checks_its_exit_status() -> None:
    """``trio.open_process(...)``'s row: ``run_process`` returns once the child has exited, and
    a non-zero exit status raises ``CalledProcessError`` unless ``check=False``."""
    exits_3 = [sys.executable, "-c", "import sys, time; time.sleep(0.2); sys.exit(3)"]

    async def main() -> int:
        with pytest.raises(subprocess.CalledProcessError) as failed:
            await trio.run_process(exits_3)
        assert failed.value.returncode == 3
        done = await trio.run_process(exits_3, check=False)
        return done.returncode

    assert trio.run(main) == 3
    assert "waits and checks the exit status" in old_names_row("`trio.open_process(...)`")


@pytest.mark.trio_suite
def test_an_event_fires_once() -> None:
    """``trio.Event.clear()``'s row: once set, an event stays set (there is no ``clear``): a
    later ``wait`` returns at once, and setting it again changes nothing."""

    async def main() -> list[object]:
        event = trio.Event()
        event.set()
        event.set()
        before = trio.current_time()
        await event.wait()
        return [event.is_set(), trio.current_time() - before, hasattr(event, "clear")]

    assert trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0)) == [True, 0, False]
    assert "An event fires once" in old_names_row("`trio.Event.clear()`")


def test_old_names_states_pyprojects_trio_minimum() -> None:
    """F5: the page's Trio is any the project may install (pyproject.toml's minimum or later);
    the tests check the installed one."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    [minimum] = [d.split(">=")[1] for d in deps if re.match(r"trio>=", d)]
    assert f"(Trio {minimum} or later" in page("docs/old-names.md")


# -- docs/notebooks.md -------------------------------------------------------------------------


def virtual_runs(seed_faker: bool, runs: int) -> list[tuple[str, ...]]:
    """The seed notebook's queue cells (``tests/test_notebooks.py``'s ``notebook_queue``, its
    Faker seeded only if ``seed_faker``), run ``runs`` times on the virtual clock."""
    outputs = []
    for _ in range(runs):
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            queue = notebook_queue(1.0, runner.get_loop().time, seed_faker=seed_faker)
            outputs.append(tuple(runner.run(queue())))
    return outputs


def masked(lines: tuple[str, ...]) -> tuple[str, ...]:
    """The lines with the Faker's names and job titles taken out."""
    return tuple(re.sub(r"^(Producer) .+ (added a job)$|^(    > Consumer) .+ (got element) <.*>$",
                        lambda m: " ".join(g for g in m.groups() if g), line)
                 for line in lines)


@pytest.mark.asyncio_suite
def test_random_seed_does_not_seed_the_seeds_faker() -> None:
    """F11: Faker draws from a ``random.Random`` of its own, which ``random.seed(444)`` leaves
    alone. So on the virtual clock (no jitter) the seed's queue cells print other names and
    jobs on every run, and the rest of each line, and the number of lines, stay the same;
    with the Faker seeded as well they print one output every time."""
    unseeded = virtual_runs(seed_faker=False, runs=3)
    assert len(set(unseeded)) == 3
    assert len({masked(out) for out in unseeded}) == 1
    assert len(set(virtual_runs(seed_faker=True, runs=3))) == 1
    text = page("docs/notebooks.md")
    assert "which `random.seed` does not seed" in text
    assert "with the `Faker` seeded too" in text


def test_the_tracked_notebooks_hold_no_outputs_so_a_saved_run_changes_them() -> None:
    """F3: the generator writes no outputs and no execution counts, and the freshness test
    compares the files byte for byte: a run saved into a tracked notebook fails the suite. The
    page sends a reader who wants to run one to a copy in my_notebooks/, which git ignores."""
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) == 4
    for path in notebooks:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = [c for c in cells if c["cell_type"] == "code"]
        assert code, path.name
        assert all(c["outputs"] == [] and c["execution_count"] is None for c in code), path.name
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "-q",
                              "my_notebooks/trio-solved.ipynb"], cwd=ROOT, check=False)
    assert ignored.returncode == 0
    assert "cp notebooks/trio-solved.ipynb my_notebooks/" in page("docs/notebooks.md")
