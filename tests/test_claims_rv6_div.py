"""Claims of docs/divergences.md and docs/migration/groups.md that an outside review (RV7-div)
found half-true or unproven, each tested under the condition that could make it false.

- groups.md, "Defer to one type": ``group.subgroup(KeyboardInterrupt)`` is a group, not the one
  exception (F1).
- divergences.md, TaskGroup: a child's ``KeyboardInterrupt`` or ``SystemExit`` leaves
  ``asyncio.run`` from the event loop; the code around the ``async with`` sees it only during
  the runner's shutdown (F3). On 3.11 to 3.13 alike (the nox ``versions`` session runs this
  file on each).
- divergences.md: pytest-trio, loaded by pytest whenever it is installed, turns Trio's batch
  shuffling on by itself, with no conftest (F5).
- groups.md: a context manager needs no step to keep the body's own ``__context__``, even
  inside the caller's ``except`` block (F6).
- divergences.md, ``restrict_keyboard_interrupt_to_checkpoints``: with children, the
  ``KeyboardInterrupt`` is the main task's, the children see ``Cancelled``, and a busy loop
  runs to its end (F8).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
import trio

from tests.signals import default_sigint, interrupt
from tests.test_claims_conditions import OWNERS, Root, chaining, owners, raise_as
from tests.virtual import run_trio

ROOT = Path(__file__).resolve().parent.parent


def python(code: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter (this one's version), SIGINT at its default."""
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", textwrap.dedent(code), *args],
        capture_output=True, text=True, timeout=120, cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=default_sigint,
    )


# ---------------------------------------------------------------------------------------------
# F1: subgroup() returns a group; handing back one type means raising a fresh one.


def test_subgroup_returns_a_group_not_the_exception() -> None:
    group = BaseExceptionGroup("", [KeyboardInterrupt(), ValueError()])
    kept = group.subgroup(KeyboardInterrupt)
    assert type(kept) is BaseExceptionGroup
    assert [type(e) for e in kept.exceptions] == [KeyboardInterrupt]
    assert group.subgroup(OSError) is None


# ---------------------------------------------------------------------------------------------
# F3: a BaseException raised in a TaskGroup's *child* task.

TASKGROUP_CHILD = """
import asyncio, sys, traceback
kind = {"KeyboardInterrupt": KeyboardInterrupt, "SystemExit": SystemExit}[sys.argv[1]]
seen = []

async def child():
    await asyncio.sleep(0)
    raise kind()

async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child())
            await asyncio.sleep(1)
    except BaseException as exc:
        names = {frame.name for frame in traceback.extract_stack()}
        when = "during shutdown" if "_cancel_all_tasks" in names else "in the normal flow"
        seen.append(f"around the async with: {type(exc).__name__} {when}")
        raise

try:
    asyncio.run(main())
except BaseException as exc:
    print(*seen, sep="\\n")
    print("asyncio.run raised", type(exc).__name__,
          "in a group" if isinstance(exc, BaseExceptionGroup) else "bare")
"""


@pytest.mark.parametrize("kind", ["KeyboardInterrupt", "SystemExit"])
def test_a_childs_keyboardinterrupt_leaves_asyncio_run_before_the_taskgroup_sees_it(
        kind: str) -> None:
    """asyncio's Task re-raises a KeyboardInterrupt or SystemExit into the event loop, so it
    leaves ``run_until_complete`` at once; the TaskGroup's ``__aexit__`` raises it in the main
    task only when ``asyncio.run`` cancels the leftover tasks (``_cancel_all_tasks``)."""
    done = python(TASKGROUP_CHILD, kind)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"around the async with: {kind} during shutdown",
                                        f"asyncio.run raised {kind} bare"], done.stderr


# ---------------------------------------------------------------------------------------------
# F5: under pytest, pytest-trio's plugin alone turns Trio's shuffling on.

FLAG_TEST = """
import sys
import trio

def test_flag():
    print("\\nFLAG", trio._core._run._ALLOW_DETERMINISTIC_SCHEDULING,
          "hypothesis imported:", "hypothesis" in sys.modules)
"""


@pytest.mark.parametrize(("plugin", "conftest", "expected"), [
    ("loaded", False, "FLAG True hypothesis imported: True"),
    ("-p no:trio", False, "FLAG False hypothesis imported: False"),
    ("-p no:trio", True, "FLAG True hypothesis imported: True"),
], ids=["pytest-trio, no conftest", "neither", "a conftest importing hypothesis, alone"])
def test_pytest_trio_alone_turns_on_trios_shuffling(
        tmp_path: Path, plugin: str, conftest: bool, expected: str) -> None:
    """pytest-trio's plugin module imports hypothesis (whose entry point runs Trio's
    ``_hypothesis_plugin_setup``) and sets ``_ALLOW_DETERMINISTIC_SCHEDULING`` itself; a
    conftest that imports hypothesis does the same without it."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_flag.py").write_text(FLAG_TEST)
    if conftest:
        (tmp_path / "conftest.py").write_text("import hypothesis\n")
    options = ["-p", "no:trio"] if plugin == "-p no:trio" else []
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", *options,
         "test_flag.py"], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [line for line in done.stdout.splitlines() if line.startswith("FLAG")] == [expected]


# ---------------------------------------------------------------------------------------------
# F6: a context manager gives the body's error back with the body's own context, even when the
# whole `async with` is inside the caller's `except` block.


class UnwrappingOwner:
    """A class-based owner of a Trio nursery: ``__aexit__`` unwraps the body's own error and
    raises it again after its ``except`` block (as the guide's owners do)."""

    async def __aenter__(self) -> UnwrappingOwner:
        self._nursery_cm = trio.open_nursery()
        self._nursery = await self._nursery_cm.__aenter__()
        self._nursery.start_soon(trio.sleep_forever)
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        tb: TracebackType | None) -> bool:
        self._nursery.cancel_scope.cancel()
        unwrapped = None
        try:
            await self._nursery_cm.__aexit__(kind, error, tb)
        except BaseExceptionGroup as group:
            if error is None or group.exceptions != (error,):
                raise
            unwrapped = error
        if unwrapped is not None:
            raise unwrapped
        return False


@contextlib.asynccontextmanager
async def plain() -> AsyncIterator[None]:
    yield


async def inside_the_callers_except(owner: Any) -> BaseException | None:
    try:
        raise OSError("the caller's own error, being handled")
    except OSError:
        try:
            async with owner():
                raise_as("while handling another")  # a ValueError whose context is a Root
        except ValueError as caught:
            return caught
    return None


@pytest.mark.parametrize("owner", ["class-based __aexit__ (trio)", *OWNERS])
def test_a_context_manager_keeps_the_bodys_context_inside_the_callers_except(
        owner: str) -> None:
    if owner == "class-based __aexit__ (trio)":
        make, run = UnwrappingOwner, run_trio
    else:
        make, run = owners()[owner]
    error = run(inside_the_callers_except, make)
    assert isinstance(error, ValueError)
    assert type(error.__context__) is Root  # the body's own, not the caller's OSError
    assert chaining(error) == chaining(run(inside_the_callers_except, plain))


# ---------------------------------------------------------------------------------------------
# F8: restrict_keyboard_interrupt_to_checkpoints with children.

RESTRICTED = """
import time, trio
log = []

async def child(name):
    try:
        if name == "busy":
            await trio.sleep(0.05)
            print("ready", flush=True)
            end = time.monotonic() + 1.5
            while time.monotonic() < end:   # a loop that does not await
                pass
            log.append("busy: loop finished")
        await trio.sleep(30)
        log.append(f"{name}: slept to the end")
    except BaseException as exc:
        log.append(f"{name}: {type(exc).__name__}")
        raise

async def main():
    try:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(child, "busy")
            nursery.start_soon(child, "idle")
    except BaseException as exc:
        inner = sorted(type(e).__name__ for e in getattr(exc, "exceptions", []))
        log.append(f"main: {type(exc).__name__} {inner}")
        raise

try:
    trio.run(main, restrict_keyboard_interrupt_to_checkpoints=True)
except BaseException as exc:
    log.append(f"trio.run raised {type(exc).__name__}")
print(*log, sep="\\n", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_restricted_ctrl_c_is_the_main_tasks_children_see_cancelled() -> None:
    """A real SIGINT while a child runs a loop that does not await: the loop runs to its end,
    the children are cancelled, and the KeyboardInterrupt leaves the main task's nursery in a
    group (Trio delivers it to the main task, at its checkpoint)."""
    result = interrupt(["-c", RESTRICTED], ready=lambda line: line == "ready\n")
    lines = result.stdout.splitlines()
    assert lines[0] == "ready", result.stderr
    assert lines[1] == "busy: loop finished", result.stderr
    assert sorted(lines[2:4]) == ["busy: Cancelled", "idle: Cancelled"], result.stderr
    assert lines[4:] == ["main: BaseExceptionGroup ['KeyboardInterrupt']",
                         "trio.run raised BaseExceptionGroup"], result.stderr
