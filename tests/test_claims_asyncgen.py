"""docs/lessons/asyncgen.md's claims about the two frameworks, as tests (outside review RV4-gen).

"Closing matters": where an async generator left suspended after a ``break`` is closed, by
whom, whether an ``await`` in its ``finally`` completes, and when Trio warns, in each of the
three ways a generator is left (its last reference goes during the run, as ``main`` returns,
or never: still referenced when the run ends). Each case is a real ``asyncio.run`` or
``trio.run`` in a child process with ``-W default``, so the interpreter's own end-of-run and
warning machinery is what is tested; asyncio also with a background task that holds the
generator and that ``asyncio.run``'s shutdown cancels. The asyncio side depends on the Python
version (3.11, 3.12 and 3.13 differ): the nox ``versions`` sessions run this file on each.

Then asyncio's side of "never ``yield`` inside a nursery or a cancel scope" (the same hazard
with ``asyncio.timeout`` and ``TaskGroup``), and what ``walkthrough check`` asks of this
lesson's Trio port (the Trio-only half too).
"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from trio_port import asyncgen as trio_asyncgen
from walkthrough.cli import main as walkthrough_main

ROOT = Path(__file__).resolve().parent.parent

ABANDON = """
import asyncio, sys
impl, how = sys.argv[1], sys.argv[2]
if impl == "trio":
    import trio
KEEP = []

def task_name():
    if impl == "trio":
        task = trio.lowlevel.current_task()
    else:
        task = asyncio.current_task()
    return (task.name if impl == "trio" else task.get_name()), task is MAIN[0]

MAIN = []  # the consumer's task

async def sleep(seconds):
    await (trio.sleep(seconds) if impl == "trio" else asyncio.sleep(seconds))

async def gen():
    try:
        yield 1
        yield 2
    finally:
        name, is_main = task_name()
        print(f"finally in: {name} main={is_main}", flush=True)
        try:
            await sleep(0.01)
        except BaseException as exc:
            print(f"await raised {type(exc).__name__}", flush=True)
            raise
        print("await completed", flush=True)

async def main():
    MAIN.append(trio.lowlevel.current_task() if impl == "trio" else asyncio.current_task())
    if how == "collected":  # nothing refers to it after the loop: CPython frees it at once
        async for _ in gen():
            break
        await sleep(0.1)
    elif how == "at-return":  # a local: it goes as main returns
        g = gen()
        async for _ in g:
            break
    elif how == "kept":  # still referenced when the run ends
        g = gen()
        KEEP.append(g)
        async for _ in g:
            break
    else:  # "background", "background-kept": a local of a task asyncio.run's shutdown cancels
        task = asyncio.create_task(holder())
        if how == "background-kept":  # the task kept to the end, its traceback holding g
            KEEP.append(task)
        del task
        await sleep(0.1)
    print("main returns", flush=True)

async def holder():  # asyncio only: a background task that breaks out, then waits
    g = gen()
    async for _ in g:
        break
    await sleep(3600)  # cancelled by asyncio.run's shutdown: g goes with this frame

if impl == "trio":
    trio.run(main)
else:
    asyncio.run(main())
print("run returned", flush=True)
"""

GC_WARNING = "ResourceWarning: Async generator '__main__.gen' was garbage collected"
TRIO_SYSTEM_TASK = "close asyncgen __main__.gen (abandoned)"


def abandon(impl: str, how: str) -> tuple[list[str], str]:
    done = subprocess.run([sys.executable, "-W", "default", "-c", ABANDON, impl, how],
                          capture_output=True, text=True, timeout=50, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "run returned", done.stdout
    return lines, done.stderr


@pytest.mark.asyncio_suite
@pytest.mark.timeout(60)
@pytest.mark.parametrize("how", ["collected", "at-return", "kept", "background",
                                 "background-kept"])
def test_asyncio_closes_an_abandoned_generator_in_a_task_of_its_own(how: str) -> None:
    """lessons/asyncgen.md, "Closing matters" (RV4-gen F1, F3; RV5 F2): asyncio closes the
    generator in a task it creates for ``aclose()`` (its GC hook, or ``shutdown_asyncgens`` at
    the end of ``asyncio.run``), never the consumer's, and warns nothing. The ``await`` in the
    ``finally`` completes, but for two cases at ``asyncio.run``'s end. On Python 3.11 and 3.12,
    when the last reference goes as ``main`` returns, ``asyncio.run``'s shutdown cancels the
    closing task before it starts, and the ``await`` raises GeneratorExit, so the rest of the
    ``finally`` never runs (3.13 completes it). On 3.11, when it goes with a background task
    that the shutdown cancels and nothing else keeps (a local of that task), the closing task
    is still pending when the loop closes ("Task was destroyed but it is pending!"): the
    ``await`` neither completes nor raises (3.12 and 3.13 complete it, and 3.11 does too when
    the task is kept to the end)."""
    lines, stderr = abandon("asyncio", how)
    finally_line = next(line for line in lines if line.startswith("finally in: "))
    assert finally_line.startswith("finally in: Task-") and finally_line.endswith("main=False")
    cut_short = how == "at-return" and sys.version_info < (3, 13)
    left_pending = how == "background" and sys.version_info < (3, 12)
    if cut_short:
        assert "await raised GeneratorExit" in lines and "await completed" not in lines
    elif left_pending:
        assert not any(x.startswith("await ") for x in lines), lines
    else:
        assert "await completed" in lines and not any(x.startswith("await raised") for x in lines)
    assert ("Task was destroyed but it is pending!" in stderr) is left_pending, stderr
    # collected during the run: closed before main returns; otherwise after it
    assert (lines.index(finally_line) < lines.index("main returns")) is (how == "collected")
    assert "ResourceWarning" not in stderr, stderr


@pytest.mark.trio_suite
@pytest.mark.timeout(60)
@pytest.mark.parametrize("how", ["collected", "at-return", "kept"])
def test_trio_closes_an_abandoned_generator_in_a_task_of_its_own_inside_a_cancelled_scope(
        how: str) -> None:
    """lessons/asyncgen.md, "Closing matters" (RV4-gen F1, F2, F3): Trio closes the generator in
    a system task named ``close asyncgen ... (abandoned)`` when it is collected during the run,
    in its init task (``<init>``) when it is still referenced at the end of the run, and in
    either when it goes as ``main`` returns (which one depends on whether the system nursery is
    still open: both were seen on each Python). Always inside a cancelled scope: the ``await``
    raises Cancelled. The ResourceWarning comes from the GC hook only: none for a generator
    Trio closes at the end of the run."""
    lines, stderr = abandon("trio", how)
    finally_line = next(line for line in lines if line.startswith("finally in: "))
    where = {"collected": (f"finally in: {TRIO_SYSTEM_TASK} main=False",),
             "at-return": (f"finally in: {TRIO_SYSTEM_TASK} main=False",
                           "finally in: <init> main=False"),
             "kept": ("finally in: <init> main=False",)}[how]
    assert finally_line in where, lines
    assert "await raised Cancelled" in lines and "await completed" not in lines
    assert (GC_WARNING in stderr) is (how != "kept"), stderr


TRIO_FINALLY = """
import sys, trio

async def no_checkpoint():
    return "done"

async def gen():
    try:
        yield 1
        yield 2
    finally:
        print("coroutine without a checkpoint:", await no_checkpoint(), flush=True)
        with trio.CancelScope(shield=True):
            await trio.sleep(0.01)
            print("shielded sleep completed", flush=True)
        try:
            await trio.sleep(0)
        except trio.Cancelled:
            print("plain sleep(0) raised Cancelled", flush=True)
            raise
        print("plain sleep(0) completed", flush=True)

KEEP = []

async def main():
    g = gen()
    if sys.argv[1] == "kept":
        KEEP.append(g)
    async for _ in g:
        break
    del g
    await trio.sleep(0.1)

trio.run(main)
"""


@pytest.mark.trio_suite
@pytest.mark.timeout(60)
@pytest.mark.parametrize("how", ["collected", "kept"])
def test_in_trios_closing_task_the_first_checkpoint_raises_cancelled_unless_shielded(
        how: str) -> None:
    """lessons/asyncgen.md, "Closing matters" (RV4-gen F2): not every ``await`` in the
    ``finally`` raises, only a checkpoint: awaiting a coroutine that reaches none completes,
    and a shielded cancel scope inside the ``finally`` lets its awaits run to the end (Trio's
    ``_finalize_one`` closes the generator in a shielded scope that it cancels at once)."""
    done = subprocess.run([sys.executable, "-c", TRIO_FINALLY, how],
                          capture_output=True, text=True, timeout=50, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["coroutine without a checkpoint: done",
                                        "shielded sleep completed",
                                        "plain sleep(0) raised Cancelled"]


ASYNCIO_HAZARD = """
import asyncio, sys
construct, lands = sys.argv[1], sys.argv[2]
IN_THE_GENERATOR = lands == "while the generator runs"

async def between_values():  # the generator's own work between two values, if any
    if IN_THE_GENERATOR:
        try:
            await asyncio.sleep(3600)  # the deadline or the failure can only fall here
        except asyncio.CancelledError:
            print("the generator's own sleep was cancelled", flush=True)
            raise

async def in_timeout():
    async with asyncio.timeout(0.05):
        yield 1
        await between_values()
        yield 2

async def failing():
    await asyncio.sleep(0.05)
    raise ValueError("background failed")

async def in_taskgroup():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(failing())
        yield 1
        await between_values()
        yield 2

async def consumer(gen):
    try:
        async for _ in gen():
            if IN_THE_GENERATOR:
                continue  # the consumer's own code does not wait
            try:
                await asyncio.sleep(3600)  # the consumer's own work, outside the generator
            except asyncio.CancelledError:
                print("the consumer's own sleep was cancelled", flush=True)
                raise
        return "finished"
    except BaseException as exc:
        return f"{type(exc).__name__}: {exc!r}"

async def main(gen):
    print("consumer ended:", await asyncio.create_task(consumer(gen)), flush=True)

asyncio.run(main({"timeout": in_timeout, "taskgroup": in_taskgroup}[construct]))
"""

#: What the consumer ends with, by construct and by where the deadline or the failure falls.
HAZARD_ENDS = {
    ("timeout", "while the consumer waits"): "CancelledError: CancelledError()",
    ("taskgroup", "while the consumer waits"): "CancelledError: CancelledError()",
    ("timeout", "while the generator runs"): "TimeoutError: TimeoutError()",
    ("taskgroup", "while the generator runs"):
        "ExceptionGroup: ExceptionGroup('unhandled errors in a TaskGroup', "
        "[ValueError('background failed')])",
}


@pytest.mark.asyncio_suite
@pytest.mark.timeout(60)
@pytest.mark.parametrize("lands", ["while the consumer waits", "while the generator runs"])
@pytest.mark.parametrize("construct", ["timeout", "taskgroup"])
def test_asyncio_has_the_same_hazard_with_timeout_and_taskgroup(construct: str,
                                                                lands: str) -> None:
    """lessons/asyncgen.md, "The Trio-only half" (RV4-gen F8, RV5 F8): a ``yield`` inside
    ``asyncio.timeout`` or a ``TaskGroup`` leaves it open in the consumer's task, so what the
    consumer gets depends on where the deadline, or the failure of the group's background
    task, falls. While the consumer's own code waits (a ``sleep`` outside the generator), it
    cancels that code: the consumer gets a bare CancelledError, not TimeoutError, and the
    background task's ValueError reaches it in no form: it only shows in asyncio's log ("Task
    exception was never retrieved") when the generator is closed. While the generator's body
    waits between two values, it ends as without the ``yield``: TimeoutError, or an
    ExceptionGroup holding the ValueError, out of the ``async for``. Each case can fall only
    where it is meant to: the other side does not wait at all."""
    done = subprocess.run([sys.executable, "-c", ASYNCIO_HAZARD, construct, lands],
                          capture_output=True, text=True, timeout=50, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    cancelled = ("the generator's own sleep was cancelled" if lands == "while the generator runs"
                 else "the consumer's own sleep was cancelled")
    assert done.stdout.splitlines() == [cancelled,
                                        f"consumer ended: {HAZARD_ENDS[construct, lands]}"]
    if (construct, lands) == ("taskgroup", "while the consumer waits"):
        assert "Task exception was never retrieved" in done.stderr, done.stderr
        assert "ValueError('background failed')" in done.stderr, done.stderr
    else:
        assert done.stderr == ""


def _with_the_twins(names: tuple[str, ...]) -> str:
    """The Trio exercise's skeleton, with the functions ``names`` taken from trio_port."""
    skeleton = (ROOT / "exercises" / "trio" / "asyncgen.py").read_text(encoding="utf-8")
    lines = skeleton.splitlines()
    tree = ast.parse(skeleton)
    spans = sorted(((node.lineno, node.end_lineno or node.lineno, node.name)
                    for node in tree.body
                    if isinstance(node, ast.AsyncFunctionDef) and node.name in names),
                   reverse=True)
    assert sorted(s[2] for s in spans) == sorted(names)
    for start, end, name in spans:  # from the bottom up, so the line numbers hold
        twin = inspect.getsource(getattr(trio_asyncgen, name)).splitlines()
        node = next(n for n in tree.body if getattr(n, "name", None) == name)
        first = min([start, *(d.lineno for d in node.decorator_list)])
        lines[first - 1:end] = twin
    return "\n".join(lines) + "\n"


NOTEBOOKS_THREE = ("mygen", "main", "demo")


@pytest.mark.timeout(120)
@pytest.mark.parametrize("ported", [NOTEBOOKS_THREE,
                                    (*NOTEBOOKS_THREE, "produce", "mygen_ahead", "main_ahead")],
                         ids=["the notebook's three", "with the Trio-only half"])
def test_the_check_asks_for_the_trio_only_half_too(
        ported: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """lessons/asyncgen.md, "Try it yourself" (RV4-gen F6): a port of the notebook's three
    functions alone, the skeleton's Trio-only half left as it is, is NOT equivalent (the check
    runs ``main_ahead`` in every case); with that half written too, it is. The cases are the
    shared tests' fixed parameter sets, ``up_to`` 10, 0, 1 and 16."""
    port = tmp_path / "my_asyncgen.py"
    port.write_text(_with_the_twins(ported), encoding="utf-8")
    try:
        status = walkthrough_main(["check", "asyncgen", str(port)])
    except SystemExit as exc:
        status = int(exc.code or 0)
    out = capsys.readouterr().out
    if len(ported) == 3:
        assert status == 1, out
        assert ("NOT equivalent: still the skeleton's 'raise NotImplementedError' (write them):"
                " produce, mygen_ahead, main_ahead") in out
        assert "first divergence in phase 'main_ahead'" in out
    else:
        assert status == 0, out
        for k, up_to in enumerate((10, 0, 1, 16), start=1):
            assert f"case {k}/4 (up_to={up_to}): equivalent" in out, out
