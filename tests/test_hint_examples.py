"""The learner's hints name example calls: each example fails the way its hint says.

``walkthrough check`` reads a port's error and, through ``walkthrough.learner.explain.HINTS``,
tells the learner what kind of slip it is, naming the calls that cause it ("an asyncio call
left in a Trio port (asyncio.sleep(n) with n > 0, create_task, wait_for, ...)"). Learners
believe those lists, and a reviewer (RV58) found three of them wrong: ``gather`` listed under
"no running event loop" (it fails with Trio's "unrecognized yield message"), ``wait_for``
under the other. So here each example runs in the wrong framework, in a fresh interpreter
(its warnings ignored, as the check reports them apart), and its error must get the very hint
that names it. The nox sessions run this on each CPython from 3.11.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from walkthrough.learner import explain

ROOT = Path(__file__).resolve().parent.parent

#: In a Trio run: each asyncio call the Trio hints name, and the words of the hint it must get.
IN_TRIO = {
    "asyncio.sleep(1)": "asyncio.sleep(n) with n > 0",
    "asyncio.create_task(c())": "create_task",
    "asyncio.wait_for(c(), 1)": "wait_for",
    "asyncio.timeout(1).__aenter__()": "timeout",
    "asyncio.get_running_loop()": "get_running_loop",
    "asyncio.sleep(0)": "asyncio.sleep(0)",
    "asyncio.gather(c())": "gather",
    "asyncio.Future()": "a Future",
    "asyncio.Queue().get()": "an asyncio.Queue's get on an empty queue",
    "asyncio.Event().wait()": "an asyncio.Event's wait",
    "held_lock()": "a held asyncio.Lock's acquire",
}

#: In an asyncio run: each Trio call the asyncio hint names.
IN_ASYNCIO = {
    "trio.sleep(1)": "trio.sleep(n) with n > 0",
    "trio.current_time()": "trio.current_time",
    "trio.open_memory_channel(1)[0].send(1)": "a channel's send or receive",
    "trio.open_memory_channel(1)[1].receive()": "a channel's send or receive",
}

SCRIPT = """
import asyncio, json, sys, warnings
import trio
warnings.simplefilter("ignore")  # an un-awaited coroutine left behind is not the error here

async def c():
    return 1

async def held_lock():
    lock = asyncio.Lock()
    await lock.acquire()
    await lock.acquire()

async def run_all(cases):
    errors = {}
    for case in cases:
        try:
            made = eval(case)
            if hasattr(made, "__await__"):
                await made
            errors[case] = None
        except BaseException as e:  # KeyboardInterrupt is not among them
            errors[case] = f"{type(e).__name__}: {e}".splitlines()[0]
    return errors

cases = json.loads(sys.argv[2])
if sys.argv[1] == "trio":
    print(json.dumps(trio.run(run_all, cases)))
else:
    print(json.dumps(asyncio.run(run_all(cases))))
"""


def _errors(impl: str, cases: dict[str, str]) -> dict[str, str | None]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SCRIPT), impl, json.dumps(list(cases))],
        capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    errors: dict[str, str | None] = json.loads(done.stdout)
    return errors


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("impl", "cases"), [("trio", IN_TRIO), ("asyncio", IN_ASYNCIO)])
def test_each_call_a_hint_names_fails_with_the_error_that_gets_that_hint(
        impl: str, cases: dict[str, str]) -> None:
    errors = _errors(impl, cases)
    wrong = {}
    for case, named in cases.items():
        error = errors[case]
        said = explain.hint(error, impl) if error else None
        if said is None or named not in said:
            wrong[case] = (error, said)
    assert not wrong, wrong
