"""Claims of the migration pages (services, threads, anyio, debugging) that an outside review
broke or found unshown, each under the condition that could make it false.

services.md: a cancellation while the asyncio twin's flusher starts (the task used to outlive
its owner), an error before "started" (unseen while the wait lasts), a real Ctrl-C with a
flusher failure in both twins. threads.md: a KeyboardInterrupt from a ``call_soon_threadsafe``
callback, ``RunFinishedError`` in a thread that outlives the run. debugging.md: ruff's findings
on the sample, the ASYNC rules turned off in the linted tree, Trio refusing a foreign thread.
anyio.md: the AnyIO crawler's ``--help``, a TSV that cannot be written, an inherited ignored
SIGINT, and httpx's generators left by a ``raise`` on the Trio backend.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import tomllib
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.lowlevel

from tests.signals import interrupt
from tests.test_migration import EXAMPLES, ROOT, load, run_asyncio_virtual, run_trio_virtual

# --------------------------------------------------------------------------------------------
# services.md


STOPPED_IN_ORDER = ["store opened", "flusher started",
                    "flusher stopped after a final flush of 0 rows", "store closed with 0 rows",
                    "caller: timed out"]


def test_a_flusher_cancelled_while_it_starts_stops_before_its_store_closes_in_both() -> None:
    """A timeout that expires while ``open_flusher`` waits for "started" (as a Ctrl-C under
    ``asyncio.run`` would land there). ``__aexit__`` is not called for an ``async with`` whose
    ``__aenter__`` raised: the asyncio twin used to leave the task running, the store closed
    under it, flushing after the caller had left. Trio's ``nursery.start`` cancels it inside
    the nursery. Now both stop the flusher, with a final flush, before the store closes."""
    aio, tr = load("services_asyncio"), load("services_trio")

    async def aio_main() -> tuple[list[str], list[str]]:
        log: list[str] = []
        try:
            async with asyncio.timeout(0):
                async with aio.open_store(log) as store, aio.open_flusher(store, 0.1, log):
                    log.append("body")  # never reached
        except TimeoutError:
            log.append("caller: timed out")
        await asyncio.sleep(0.35)  # three flush intervals: a task left running would flush
        me = asyncio.current_task()
        return log, [t.get_coro().__qualname__ for t in asyncio.all_tasks() if t is not me]

    async def trio_main() -> tuple[list[str], list[str]]:
        log: list[str] = []
        with trio.move_on_after(0) as scope:
            async with tr.open_store(log) as store, tr.open_flusher(store, 0.1, log):
                log.append("body")
        if scope.cancelled_caught:
            log.append("caller: timed out")
        await trio.sleep(0.35)
        return log, []

    assert run_trio_virtual(trio_main) == (STOPPED_IN_ORDER, [])
    assert run_asyncio_virtual(aio_main()) == (STOPPED_IN_ORDER, [])


#: One app of a services twin under a real SIGINT, a poisoned row pending: the flusher's flush
#: fails (at once, every ``interval``) or its final flush does (``interval`` long).
KI_CHILD = """
import asyncio, sys
from pathlib import Path
import trio
from tests.conftest import load_file
module = load_file(Path(sys.argv[1]), "services")
interval = float(sys.argv[2])

async def app(sleep):
    log = []
    async with module.open_store(log) as store, module.open_flusher(store, interval, log) as f:
        f.add("poison")
        print("ready", flush=True)
        await sleep(30)

try:
    if "asyncio" in sys.argv[1]:
        asyncio.run(app(asyncio.sleep))
    else:
        trio.run(app, trio.sleep)
except BaseException as e:
    inner = getattr(e, "exceptions", ())
    print(type(e).__name__, type(e.__cause__).__name__, type(e.__context__).__name__,
          sorted(type(x).__name__ for x in inner), flush=True)
"""


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("impl", "interval", "settle", "expected"), [
    # Ctrl-C at 0.3 s; the final flush fails as the app leaves with it
    ("asyncio", 30.0, 0.3, "FlusherError OSError CancelledError []"),
    # the flush at 0.1 s failed, unheard; Ctrl-C at 0.5 s
    ("asyncio", 0.1, 0.5, "FlusherError OSError CancelledError []"),
    # Trio heard a failed flush at once, before any Ctrl-C: only the final flush case here
    ("trio", 30.0, 0.3, "BaseExceptionGroup NoneType NoneType ['KeyboardInterrupt', 'OSError']"),
], ids=["asyncio-final-flush", "asyncio-failed-first", "trio-final-flush"])
def test_a_ctrl_c_with_a_flusher_failure_is_flushererror_in_asyncio_a_group_in_trio(
        impl: str, interval: float, settle: float, expected: str) -> None:
    """services.md: a ``KeyboardInterrupt`` that leaves with the flusher's failure. Trio's
    ``open_flusher`` lets the nursery's group out as Trio raised it (a ``KeyboardInterrupt``
    and the ``OSError``); the asyncio twin raises ``FlusherError``, an ``Exception``, from the
    ``OSError``, so ``asyncio.run`` raises it and not ``KeyboardInterrupt``."""
    result = interrupt(["-c", KI_CHILD, str(EXAMPLES / f"services_{impl}.py"), str(interval)],
                       ready=lambda line: line == "ready\n", settle=settle)
    assert result.stdout.splitlines()[1:] == [expected], (result.stdout, result.stderr)


# --------------------------------------------------------------------------------------------
# threads.md


def test_a_keyboardinterrupt_from_a_call_soon_threadsafe_callback_ends_the_run() -> None:
    """As ``SystemExit`` does
    (``test_a_systemexit_from_a_call_soon_threadsafe_callback_ends_the_run``): asyncio re-raises
    it out of the loop, and the exception handler never sees it."""
    handled: list[object] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _, context: handled.append(context))

        def leave() -> None:
            raise KeyboardInterrupt

        await asyncio.to_thread(loop.call_soon_threadsafe, leave)
        await asyncio.sleep(1)

    with pytest.raises(KeyboardInterrupt):
        asyncio.run(main())
    assert handled == []


def test_a_thread_that_outlives_the_run_gets_a_runtimeerror_in_both() -> None:
    """``trio.RunFinishedError`` is a ``RuntimeError``: an ``except RuntimeError`` written for
    asyncio's closed loop catches it too, in a thread started during the run that calls in
    after the run has ended."""
    assert issubclass(trio.RunFinishedError, RuntimeError)
    ended = threading.Event()
    answers: list[str] = []
    threads: list[threading.Thread] = []

    def outlive(call: Any) -> None:
        """Start a thread that calls in once the run has ended."""
        def thread() -> None:
            ended.wait(10)
            try:
                call()
            except RuntimeError as e:  # the one except, for both frameworks
                answers.append(f"{type(e).__name__}: {e}")

        threads.append(threading.Thread(target=thread))
        threads[-1].start()

    async def aio_main() -> None:
        loop = asyncio.get_running_loop()
        outlive(lambda: loop.call_soon_threadsafe(print, "too late"))

    async def trio_main() -> None:
        token = trio.lowlevel.current_trio_token()
        outlive(lambda: trio.from_thread.run_sync(print, "too late", trio_token=token))

    asyncio.run(aio_main())
    trio.run(trio_main)
    ended.set()
    for thread in threads:
        thread.join(10)
    assert sorted(answers) == ["RunFinishedError: run() has exited",
                               "RuntimeError: Event loop is closed"]


# --------------------------------------------------------------------------------------------
# debugging.md


def test_trio_refuses_a_call_from_a_thread_it_did_not_start_without_being_asked() -> None:
    """asyncio refuses a non-threadsafe ``call_soon`` from another thread only in debug mode;
    most of Trio's API refuses a call from a thread it did not start always (here
    ``trio.current_time()``, during the run)."""
    async def aio_main(debug: bool) -> str:
        loop = asyncio.get_running_loop()
        loop.set_debug(debug)

        def foreign() -> str:
            try:
                loop.call_soon(lambda: None)
            except RuntimeError as e:
                return type(e).__name__
            return "accepted"

        return await asyncio.to_thread(foreign)

    async def trio_main() -> str:
        def foreign() -> str:
            try:
                trio.current_time()
            except RuntimeError as e:
                return type(e).__name__
            return "accepted"

        got: list[str] = []
        thread = threading.Thread(target=lambda: got.append(foreign()))
        thread.start()
        await trio.to_thread.run_sync(thread.join)
        return got[0]

    assert [asyncio.run(aio_main(debug)) for debug in (False, True)] == [
        "accepted", "RuntimeError"]
    assert trio.run(trio_main) == "RuntimeError"


DEBUGGING = ROOT / "docs" / "migration" / "debugging.md"


def ruff_async(*args: str, cwd: Path = ROOT) -> list[tuple[str, str, int]]:
    """``(path, rule, line)`` of every ASYNC finding of ``ruff check`` run in ``cwd``."""
    ruff = Path(sys.executable).with_name("ruff")
    proc = subprocess.run([str(ruff), "check", "--select", "ASYNC", "--output-format", "json",
                           *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return sorted((str(Path(f["filename"]).relative_to(cwd)), f["code"], f["location"]["row"])
                  for f in json.loads(proc.stdout))


def test_every_async_rule_the_linted_tree_turns_off_is_one_the_page_names() -> None:
    """debugging.md's list of exceptions, against the tree as ``ruff check .`` sees it: the
    lines a ``# noqa`` hides (the findings ``--ignore-noqa`` brings back), and the ASYNC
    per-file ignores of ``pyproject.toml``. ASYNC251 exactly where the page says; any other
    rule only in tests, and only one of those the page lists."""
    shown = ruff_async(".")  # none, once the tree passes `ruff check .`
    hidden = [finding for finding in ruff_async("--ignore-noqa", ".") if finding not in shown]
    assert [path for path, rule, _ in hidden if rule == "ASYNC251"] == [
        "examples/migration/blocking_asyncio.py", "examples/migration/blocking_trio.py",
        "tests/test_migration_apis.py", "tests/test_migration_apis.py"]
    others = sorted({rule for path, rule, _ in hidden if rule != "ASYNC251"})
    assert all(path.startswith("tests/") for path, rule, _ in hidden if rule != "ASYNC251")
    page = " ".join(DEBUGGING.read_text(encoding="utf-8").split())
    assert f"turn off {', '.join(others[:-1])} or {others[-1]}" in page, others
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    ignores = {path: [r for r in rules if r.startswith("ASYNC")]
               for path, rules in config["lint"]["per-file-ignores"].items()}
    assert {path: rules for path, rules in ignores.items() if rules} == {
        "tests/broken/*": ["ASYNC251"]}
    assert "ASYNC" in config["lint"]["select"]
    assert config["extend-exclude"] == ["my_*.py", "my_notebooks"]


def test_ruff_check_dot_skips_a_learners_file_that_it_lints_when_named(tmp_path: Path) -> None:
    """debugging.md: ``extend-exclude`` keeps ``my_*.py`` out of ``ruff check .``, but a file
    named on the command line is linted all the same (unless ``--force-exclude``)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.ruff]\nextend-exclude = {json.dumps(config['extend-exclude'])}\n", "utf-8")
    (tmp_path / "my_port.py").write_text(
        "import time\n\n\nasync def main() -> None:\n    time.sleep(1)\n", encoding="utf-8")
    assert ruff_async(".", cwd=tmp_path) == []
    assert ruff_async("my_port.py", cwd=tmp_path) == [("my_port.py", "ASYNC251", 5)]
