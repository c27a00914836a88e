"""Claims that a second reader broke with a snippet, under a condition the first tests missed.

Each test names the condition and would fail under the sentence as it stood before the review:
a library function awaited inside its caller's ``except`` block, a TaskGroup body woken after
its children, an outer timeout while a service's last flush fails, the caller's own
KeyboardInterrupt, a busy loop (not a wait) in a shield, a shielded wait for a worker thread,
the crawlers' TLS under ``SSL_CERT_FILE``, ``start_soon``'s own keyword, Trio's callback queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.lowlevel

from tests.certs import self_signed
from tests.signals import interrupt
from tests.test_claims_conditions import KINDS, TLS_SERVER, Root, chaining, example, raise_as
from tests.virtual import run_asyncio, run_trio

ROOT = Path(__file__).resolve().parent.parent


class Handled(Exception):
    """What the caller is handling when it awaits the library function."""


# ---------------------------------------------------------------------------------------------
# groups.md: `fetch_one` gives back the fetch's own error, context included.


@pytest.mark.parametrize("kind", KINDS[:4])
@pytest.mark.parametrize("impl", ["asyncio", "trio"])
def test_fetch_one_keeps_the_fetchs_context_when_awaited_inside_the_callers_except(
        impl: str, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A function's `raise` sets `__context__` to what is being handled, and after its own
    `except` block that is the *caller's* error when the caller awaits it inside an `except`
    block. Without putting the old context back, a fetch error raised while handling Root came
    back chained to the caller's `Handled` instead, and Root left the traceback."""
    module = example(f"migration/groups_{impl}.py")
    run = run_trio if impl == "trio" else run_asyncio

    async def fetch(name: str) -> str:
        raise_as(kind)
        return name

    monkeypatch.setattr(module, "fetch", fetch)

    async def call(fn: Callable[[str], Awaitable[str]]) -> BaseException | None:
        try:
            raise Handled("the caller's own handling")
        except Handled:
            try:
                await fn("x")
            except Exception as caught:
                return caught
        return None

    assert chaining(run(call, module.fetch_one)) == chaining(run(call, fetch))
    if kind == "while handling another":
        error = run(call, module.fetch_one)
        assert isinstance(error.__context__, Root)


# ---------------------------------------------------------------------------------------------
# groups.md: "TaskGroup, body raises: 1" holds only when the body raises first.


@pytest.mark.parametrize("body_sleeps_first", [False, True],
                         ids=["body queued before the children", "body queued after them"])
def test_a_taskgroup_body_woken_after_its_children_lets_them_all_raise(
        body_sleeps_first: bool) -> None:
    """Three children and the body sleep to the same virtual instant, then raise. When the
    body's timer was queued first, it raises first and `__aexit__` cancels the children before
    they resume: one error. When it slept 0 first, its timer comes after theirs, the children
    run first in the same pass, and the group holds all four."""

    async def scenario() -> None:
        async def child(n: int) -> None:
            await asyncio.sleep(1)
            raise ValueError(n)

        async with asyncio.TaskGroup() as group:
            for n in range(3):
                group.create_task(child(n))
            if body_sleeps_first:
                await asyncio.sleep(0)
            await asyncio.sleep(1)
            raise ValueError("body")

    for _ in range(3):
        with pytest.raises(ExceptionGroup) as caught:
            run_asyncio(scenario)
        found = sorted(str(error) for error in caught.value.exceptions)
        assert found == (["0", "1", "2", "body"] if body_sleeps_first else ["body"])


# ---------------------------------------------------------------------------------------------
# services.md and faq.md: what leaves a context manager that hides a nursery.


def test_a_flusher_failing_under_an_outer_timeout_leaves_as_trios_group() -> None:
    """A timeout around the app cancels it at t=2.5, and the flusher's final flush fails.
    Trio's twin sees the body's Cancelled beside the OSError and lets the group out as Trio
    raised it; the timeout's scope takes its Cancelled, and the caller gets
    `ExceptionGroup([OSError])`, not `FlusherError`. The asyncio twin raises `FlusherError`."""
    services_trio = example("migration/services_trio.py")
    services_asyncio = example("migration/services_asyncio.py")

    async def with_trio() -> None:
        log: list[str] = []
        with trio.move_on_after(2.5):
            async with (services_trio.open_store(log) as store,
                        services_trio.open_flusher(store, 1.0, log) as flusher):
                await trio.sleep(2.2)  # the flushes at t=1 and t=2 succeed
                flusher.add("poison")  # the final flush, at the timeout, fails
                await trio.sleep(10)

    async def with_asyncio() -> None:
        log: list[str] = []
        async with asyncio.timeout(2.5):
            async with (services_asyncio.open_store(log) as store,
                        services_asyncio.open_flusher(store, 1.0, log) as flusher):
                await asyncio.sleep(2.2)
                flusher.add("poison")
                await asyncio.sleep(10)

    with pytest.raises(ExceptionGroup) as caught:
        run_trio(with_trio)
    assert type(caught.value) is ExceptionGroup
    assert [type(e) for e in caught.value.exceptions] == [OSError]

    with pytest.raises(services_asyncio.FlusherError) as raised:
        run_asyncio(with_asyncio)
    assert isinstance(raised.value.__cause__, OSError)


@pytest.mark.parametrize("owner", ["faq open_heartbeat", "services open_flusher"])
def test_the_callers_own_keyboardinterrupt_comes_back_bare(owner: str) -> None:
    """A KeyboardInterrupt the caller's body raises is, alone in the group, the caller's own
    error: unwrapped like any other, bare, as a plain `async with` gives it."""
    faq = example("faq/background_owner.py")
    services = example("migration/services_trio.py")
    log: list[str] = []

    def make() -> contextlib.AbstractAsyncContextManager[Any]:
        if owner == "faq open_heartbeat":
            return faq.open_heartbeat(1)  # type: ignore[no-any-return]
        return services.open_flusher(services.Store(log), 1.0, log)  # type: ignore[no-any-return]

    async def main() -> None:
        async with make():
            await trio.sleep(1.5)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as caught:
        run_trio(main)
    assert type(caught.value) is KeyboardInterrupt


# ---------------------------------------------------------------------------------------------
# divergences.md, faq.md, concepts.md: Ctrl-C and a shield, by what the task is doing.

SHIELDED = """
import sys, time, trio

def work(seconds):
    print("ready", flush=True)
    time.sleep(seconds)

async def busy(seconds):
    with trio.CancelScope(shield=True):
        print("ready", flush=True)
        end = time.monotonic() + seconds
        # a loop with a body: on 3.13 a signal's exception raised at a tight
        # `while cond: pass` can skip the handlers around it (python/cpython#130279)
        while True:
            if time.monotonic() >= end:
                break
    print("shielded wait finished", flush=True)

async def wait_for_a_thread(seconds):
    abandon = sys.argv[1] == "the main task waiting for a thread it may abandon"
    with trio.CancelScope(shield=True):
        await trio.to_thread.run_sync(work, seconds, abandon_on_cancel=abandon)
    print("shielded wait finished", flush=True)

@trio.lowlevel.enable_ki_protection
def protected(seconds):
    print("ready", flush=True)
    end = time.monotonic() + seconds
    while True:  # the same shape, though KI protection raises nothing here
        if time.monotonic() >= end:
            break
    print("protected loop finished", flush=True)

async def protected_child(seconds):
    protected(seconds)
    await trio.sleep_forever()

async def main():
    if sys.argv[1] == "a busy loop in a child task":
        async with trio.open_nursery() as nursery:
            nursery.start_soon(busy, 60)
            await trio.sleep_forever()
    elif sys.argv[1] == "a KI-protected busy loop in a child task":
        async with trio.open_nursery() as nursery:
            nursery.start_soon(protected_child, 2)
            await trio.sleep_forever()
    else:
        await wait_for_a_thread(2)

try:
    trio.run(main)
except* KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.timeout(60)
@pytest.mark.parametrize(("case", "lines"), [
    ("a busy loop in a child task", ["ready", "KeyboardInterrupt"]),
    ("the main task waiting for a thread",
     ["ready", "shielded wait finished", "KeyboardInterrupt"]),
    ("the main task waiting for a thread it may abandon", ["ready", "KeyboardInterrupt"]),
    # examples/divergence/ctrl_c_trio.py (RV57, SR9): KI-protected code is not interrupted;
    # the main task gets it, once the protected code lets the run go on
    ("a KI-protected busy loop in a child task",
     ["ready", "protected loop finished", "KeyboardInterrupt"]),
])
def test_ctrl_c_in_a_shield_depends_on_what_the_task_is_doing(case: str, lines: list[str]) -> None:
    """A real SIGINT, SIGINT at its default. Trio raises KeyboardInterrupt at once in code that
    is running, so a child's 60 s busy loop in a shield ends at once (the old text: a child's
    shield is never broken). A main task waiting in a shield for `trio.to_thread.run_sync`
    (its default `abandon_on_cancel=False`) gets it only when the 2 s thread is done (the
    old text: the main task's shield always ends at Ctrl-C); with `abandon_on_cancel=True`,
    at once. Code under ``trio.lowlevel.enable_ki_protection`` is never interrupted: its 2 s
    loop runs to its end, and the main task gets the KeyboardInterrupt."""
    result = interrupt(["-c", SHIELDED, case], ready=lambda line: line == "ready\n", settle=0.1)
    assert result.stdout.splitlines() == lines, result.stderr


PENDING = """
import sys, trio

async def worker():
    try:
        await trio.sleep(10)
    finally:
        with trio.move_on_after(10, shield=True):
            print("cleanup starts", flush=True)
            await trio.sleep(2)
            print("cleanup finished", flush=True)

async def cancelled_nursery():
    with trio.CancelScope() as scope:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(worker)
            await trio.sleep(1)
            scope.cancel()

async def main():
    if sys.argv[1] == "inside an outer nursery":
        async with trio.open_nursery():
            await cancelled_nursery()
            await trio.sleep(5)  # main's next checkpoint, in the outer nursery's block
    elif sys.argv[1] == "at an outer nursery's end, a child still running":
        async with trio.open_nursery() as outer:
            outer.start_soon(trio.sleep, 5)
            await cancelled_nursery()
    else:
        await cancelled_nursery()

try:
    trio.run(main)
except BaseException as e:
    print("trio.run raised", type(e).__name__, flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.timeout(60)
@pytest.mark.parametrize(("where", "raised"), [
    ("main itself", "KeyboardInterrupt"),
    ("inside an outer nursery", "BaseExceptionGroup"),
    # SR13: main goes straight to the outer nursery's end and waits there for its child
    ("at an outer nursery's end, a child still running", "BaseExceptionGroup"),
])
def test_a_ctrl_c_while_main_waits_in_a_cancelled_nursery_waits_for_the_cleanup_then_leaves_bare(
        where: str, raised: str) -> None:
    """examples/divergence/cancellation_trio.py (RV57, SR9), divergences.md and faq.md (RV64):
    ``main`` already waits in a cancelled nursery while a child's shielded cleanup runs; a
    real SIGINT then stays pending (the main task's one abort of that wait is used up by the
    cancellation) until the child ends, and comes at main's next checkpoint: out of
    ``trio.run`` bare when main just returns, in a group again when that checkpoint is inside
    an outer nursery's block."""
    result = interrupt(["-c", PENDING, where], ready=lambda line: line == "cleanup starts\n",
                       settle=0.3)
    assert result.stdout.splitlines() == [
        "cleanup starts", "cleanup finished", f"trio.run raised {raised}"], result.stderr


# ---------------------------------------------------------------------------------------------
# lessons/crawler.md: trust_env=False in both crawlers, and SSL_CERT_FILE.

TLS_CRAWLER = """
import asyncio, ssl, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
cert, key, twin = sys.argv[1:4]
import trio
from asyncio_ref import crawler as asyncio_crawler
from trio_port import crawler as trio_crawler

""" + TLS_SERVER + """
async def with_asyncio():
    async with asyncio_crawler.make_client(2) as session, session.get(url) as response:
        return await response.text()

async def with_trio():
    async with trio_crawler.make_client(2) as client:
        return (await client.get(url)).text

try:
    print(asyncio.run(with_asyncio()) if twin == "asyncio" else trio.run(with_trio))
except Exception as e:
    chain = [e]
    while chain[-1].__cause__ or chain[-1].__context__:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)
    text = " ".join(repr(link) for link in chain)
    verify = any(isinstance(link, ssl.SSLCertVerificationError) for link in chain)
    print("not trusted" if verify or "CERTIFICATE_VERIFY_FAILED" in text
          or "BrokenResourceError" in text else text)
finally:
    httpd.shutdown()
    httpd.server_close()
"""


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
@pytest.mark.timeout(120)
@pytest.mark.parametrize("twin", ["asyncio", "trio"])
@pytest.mark.parametrize(("variable", "outcome"), [("set", "ok"), ("not set", "not trusted")])
def test_both_crawlers_trust_ssl_cert_file_despite_trust_env_false(
        twin: str, variable: str, outcome: str, tmp_path: Path) -> None:
    """Each crawler's own `make_client`, `trust_env=False`, against a local TLS server whose
    self-signed certificate is in SSL_CERT_FILE alone: both trust it. aiohttp's context comes
    from `ssl.create_default_context()` at import; httpx hands `trust_env` to its own transports
    only, and the Trio crawler's transport calls `ssl.create_default_context()` itself."""
    cert, key = self_signed(tmp_path)
    env = {name: value for name, value in os.environ.items()
           if name not in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    env["PYTHONPATH"] = str(ROOT)
    if variable == "set":
        env["SSL_CERT_FILE"] = str(cert)
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", TLS_CRAWLER, str(cert), str(key), twin],
        capture_output=True, text=True, timeout=100, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == outcome, done.stderr


# ---------------------------------------------------------------------------------------------
# concepts.md: start_soon's keywords; Trio's callback queue.


def test_start_soon_takes_name_and_no_other_keyword() -> None:
    """`start_soon` has one keyword of its own, `name=`; the function gets none."""
    assert [p.name for p in inspect.signature(trio.Nursery.start_soon).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY] == ["name"]
    names: list[str] = []

    async def child(*args: object) -> None:
        names.append(trio.lowlevel.current_task().name)

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(child, name="the child")
            with pytest.raises(TypeError):
                nursery.start_soon(child, size=1)  # type: ignore[call-arg]

    run_trio(main)
    assert names == ["the child"]


def test_trio_has_a_callback_queue_but_no_timed_callbacks() -> None:
    """`TrioToken.run_sync_soon` queues a plain callback (asyncio's `call_soon_threadsafe`);
    nothing in Trio runs one later, at a time: no `call_later` or `call_at` anywhere."""
    called: list[float] = []

    async def main() -> None:
        token = trio.lowlevel.current_trio_token()
        token.run_sync_soon(lambda: called.append(trio.current_time()))
        await trio.sleep(1)
        assert not [name for name in dir(token) if "later" in name or name.endswith("_at")]

    run_trio(main)
    assert len(called) == 1
    assert not [name for module in (trio, trio.lowlevel) for name in dir(module)
                if "call_later" in name or "call_at" in name]



def test_a_negative_asyncio_timeout_fires_at_the_first_await_not_before() -> None:
    """`asyncio.timeout(-1)` schedules its timeout as a callback: a block that never awaits
    runs to its end with no TimeoutError; the first `await` in it that suspends (here
    `sleep(0)`) times out (awaiting a coroutine that returns without suspending does not). Trio's
    `fail_after(-1)` raises ValueError on entry, before the block."""
    async def main() -> list[str]:
        log: list[str] = []
        async with asyncio.timeout(-1):  # noqa: ASYNC100 (the point: no await, no timeout)
            log.append("a block with no await ran to its end")
        try:
            async with asyncio.timeout(-1):
                log.append("before the first await")
                await asyncio.sleep(0)
                log.append("after it")  # never
        except TimeoutError:
            log.append("TimeoutError")
        return log

    assert run_asyncio(main) == ["a block with no await ran to its end",
                                 "before the first await", "TimeoutError"]

    async def main_trio() -> None:
        with trio.fail_after(-1):  # noqa: ASYNC100 (it raises on entry)
            raise AssertionError("never entered")

    with pytest.raises(ValueError, match="non-negative"):
        run_trio(main_trio)


SPAWN_ORDERS = """
import hypothesis, trio  # noqa: F401  (importing hypothesis switches on Trio's shuffle)

async def batch():
    order = []

    async def task(name):
        order.append(name)

    async with trio.open_nursery() as nursery:
        for name in "ABCDEFGH":
            nursery.start_soon(task, name)
    return "".join(order)

print(" ".join(trio.run(batch) for _ in range(10)))
"""


@pytest.mark.timeout(120)
def test_with_hypothesis_imported_trios_shuffle_is_not_seeded_outside_given() -> None:
    """Trio registers its scheduler's Random with hypothesis, which seeds registered randoms
    only while a `@given` test runs. Anywhere else (a plain test in this suite, a script) the
    shuffle is not seeded: two interpreters draw different orders."""
    runs = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-W", "error", "-c", SPAWN_ORDERS],
                              capture_output=True, text=True, timeout=100, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        runs.append(done.stdout.split())
    assert len(set(runs[0])) > 1
    assert runs[0] != runs[1]  # ten 8-task orders alike by chance: about 1 in 40320**10


ASYNCIO_SIGINT = """
import asyncio, sys

async def main():
    print("ready", flush=True)
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        if sys.argv[1] == "swallows":
            return "main returned"
        raise

try:
    print(asyncio.run(main()), flush=True)
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.timeout(60)
@pytest.mark.parametrize(("main", "lines"), [
    ("re-raises", ["ready", "KeyboardInterrupt"]),
    ("swallows", ["ready", "main returned"]),
])
def test_a_main_task_that_swallows_the_first_ctrl_c_returns_normally(
        main: str, lines: list[str]) -> None:
    """One real SIGINT. `asyncio.run`'s handler cancels the main task, and the runner turns
    the task's CancelledError into KeyboardInterrupt. A main task that catches it and returns
    ends normally: `asyncio.run` returns its value, with no KeyboardInterrupt."""
    result = interrupt(["-c", ASYNCIO_SIGINT, main], ready=lambda line: line == "ready\n")
    assert result.stdout.splitlines() == lines, result.stderr
    assert result.returncode == 0


@pytest.mark.parametrize("impl", ["asyncio", "trio"])
def test_a_helper_failing_under_an_outer_timeout_is_a_librarybug_only_in_asyncio(
        impl: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A timeout around `fetch_one` cancels it at t=1, and the helper task fails as it is
    cancelled. Trio's nursery raises a BaseExceptionGroup holding the Cancelled and the
    OSError, which `except ExceptionGroup` does not catch; the timeout's scope takes its
    Cancelled and the caller gets `ExceptionGroup([OSError])`. asyncio's TaskGroup leaves the
    CancelledError out of its group: `ExceptionGroup([OSError])`, caught, `LibraryBug`."""
    module = example(f"migration/groups_{impl}.py")
    sleep: Callable[[float], Awaitable[None]] = trio.sleep if impl == "trio" else asyncio.sleep

    async def ticker(interval: float, ticks: list[float]) -> None:
        try:
            await sleep(100)
        finally:
            raise OSError("the helper failed as it was cancelled")

    async def fetch(name: str) -> str:
        await sleep(10)
        return name

    monkeypatch.setattr(module, "ticker", ticker)
    monkeypatch.setattr(module, "fetch", fetch)

    async def with_trio() -> None:
        with trio.move_on_after(1):
            await module.fetch_one("x")

    async def with_asyncio() -> None:
        async with asyncio.timeout(1):
            await module.fetch_one("x")

    if impl == "trio":
        with pytest.raises(ExceptionGroup) as caught:
            run_trio(with_trio)
        assert type(caught.value) is ExceptionGroup
        assert [type(e) for e in caught.value.exceptions] == [OSError]
    else:
        with pytest.raises(module.LibraryBug) as raised:
            run_asyncio(with_asyncio)
        assert isinstance(raised.value.__cause__, ExceptionGroup)
        assert [type(e) for e in raised.value.__cause__.exceptions] == [OSError]


@pytest.mark.parametrize("how", ["break", "closed by another task"])
def test_an_as_safe_channel_left_early_raises_no_brokenresourceerror(how: str) -> None:
    """Trio 0.32's changelog (#3331): iterating an `@as_safe_channel` channel raised
    BrokenResourceError when another task closed it. Here (Trio >= 0.32) a `break` ends the
    loop cleanly, and a close from another task gives the iterating task the
    ClosedResourceError of any closed channel; the generator's side raises nothing."""

    @trio.as_safe_channel
    async def numbers() -> Any:
        for i in range(100):
            yield i
            await trio.sleep(1)

    async def main() -> list[object]:
        got: list[object] = []
        async with numbers() as receive:
            async def close_it() -> None:
                await trio.sleep(2.5)
                await receive.aclose()

            async with trio.open_nursery() as nursery:
                if how != "break":
                    nursery.start_soon(close_it)
                try:
                    async for number in receive:
                        got.append(number)
                        if how == "break" and number == 2:
                            break
                except trio.ClosedResourceError as closed:
                    got.append(type(closed).__name__)
        return got

    expected: list[object] = [0, 1, 2] if how == "break" else [0, 1, 2, "ClosedResourceError"]
    assert run_trio(main) == expected
