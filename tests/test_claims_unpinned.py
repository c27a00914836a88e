"""Sentences of the guide about what a framework does that used to say no test showed them.

Each said so itself ("read from the source", "by hand", "an outside reviewer's run, not a test
here", "no test yet"). Each test here names the page and the sentence it now pins, and varies
what could make the sentence false: where the signal lands (running code or a wait, the main
task or a child), whether a charset is declared, which CPython runs it (the nox sessions run
this file on each installed one from 3.11; version-dependent behaviour is asserted per
``sys.version_info``). Real signals go to a real child process (``tests/signals.py``); HTTP goes
to a server on 127.0.0.1, never a mock of the client library.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.signals import interrupt
from tests.test_claims import python as python_child

ROOT = Path(__file__).resolve().parent.parent


#: What a child prints of the exception that left a call: its type, and a group's members in
#: brackets, nested as they are; and the function, Trio's aside, that the first leaf was raised
#: in.
SHAPE = """
def shape(e):
    inner = getattr(e, "exceptions", None)
    if inner is None:
        return type(e).__name__
    return type(e).__name__ + "[" + ", ".join(shape(x) for x in inner) + "]"

def raised_in(e):
    while getattr(e, "exceptions", None):
        e = e.exceptions[0]
    tb, name = e.__traceback__, None
    while tb is not None:  # the last frame outside Trio (its SIGINT handler raised it there)
        if "trio" not in tb.tb_frame.f_code.co_filename:
            name = tb.tb_frame.f_code.co_name
        tb = tb.tb_next
    return name
"""


# ---------------------------------------------------------------------------------------------
# divergences.md, Ctrl-C: raised in a *child*, Trio's KeyboardInterrupt leaves trio.run in a
# BaseExceptionGroup (the main-task cases are tests/test_claims.py's KI_SHAPES).

KI_IN_A_CHILD = SHAPE + """
import signal, sys, time, trio

HOW, MAIN = sys.argv[1], sys.argv[2]

def busy():
    print("ready", flush=True)
    if HOW == "raise_signal":
        signal.raise_signal(signal.SIGINT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # running, not waiting: the signal lands here
        pass
    print("the busy loop ran out", flush=True)

async def child():
    busy()

async def grandchild_owner():
    async with trio.open_nursery() as inner:
        inner.start_soon(child)

async def main():
    async with trio.open_nursery() as nursery:
        nursery.start_soon(grandchild_owner if MAIN == "two nurseries deep" else child)
        if MAIN == "sleeping in the block":
            await trio.sleep(60)
        # else: main waits at the nursery's end

try:
    trio.run(main)
    print("trio.run returned")
except BaseException as e:
    print(shape(e), "raised in", raised_in(e))
"""


@pytest.mark.timeout(90)
@pytest.mark.parametrize("how", ["a real SIGINT from outside", "raise_signal"])
@pytest.mark.parametrize("main", ["at the nursery's end", "sleeping in the block",
                                  "two nurseries deep"])
def test_a_ctrl_c_raised_in_a_running_child_leaves_trio_run_in_a_group(how: str,
                                                                        main: str) -> None:
    """divergences.md: a KeyboardInterrupt raised in a *child* (Trio's default handler raises
    it in whatever task is running) leaves ``trio.run`` inside a ``BaseExceptionGroup``,
    whatever the main task is doing meanwhile; one group for each nursery it passes through.
    The signal comes from the parent (``tests/signals.py``) or from the child task itself."""
    if how == "raise_signal":
        done = python_child(KI_IN_A_CHILD, how, main)
        assert done.returncode == 0, done.stderr
        out = done.stdout
    else:
        result = interrupt(["-c", KI_IN_A_CHILD, how, main],
                           ready=lambda line: line == "ready\n")
        assert result.returncode == 0, result.stderr
        out = result.stdout
    group = "BaseExceptionGroup[KeyboardInterrupt]"
    if main == "two nurseries deep":
        group = f"BaseExceptionGroup[{group}]"
    assert out.splitlines() == ["ready", f"{group} raised in busy"]
