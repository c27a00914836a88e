"""Claims tested under the conditions that could break them.

``tests/test_claims.py`` shows each claim of the guide under one condition. The claims here
failed review because that one condition was the only one tried: an error raised with a cause
(not a bare one), tasks woken by an Event (not by a sleep), the environment's ``.netrc`` and CA
file (not only its proxy), an order measured with hypothesis imported or not, a shield in a
child task (not in the main task). Each test names the condition it covers; each parameter is a
condition under which the old sentence was, or could have been, false.

Trio runs on ``walkthrough.clocks.mock_clock()`` unless the test says "real clock". pytest
imports hypothesis here, which switches Trio's scheduler to a shuffle, seeded only in
``@given`` tests (see ``test_importing_hypothesis_makes_trio_shuffle_every_batch``), so a
claim about what users see without it runs in a fresh interpreter (``python()``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import httpx
import pytest
import trio
import trio.lowlevel
import trio.testing

from tests.certs import self_signed
from tests.conftest import Recorder, load_file
from tests.signals import default_sigint, interrupt
from tests.virtual import run_asyncio, run_trio

ROOT = Path(__file__).resolve().parent.parent


def python(code: str, *args: str, env: dict[str, str] | None = None,
           timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter: no pytest plugins, no hypothesis imported."""
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", textwrap.dedent(code), *args],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, preexec_fn=default_sigint,
    )


def example(path: str) -> ModuleType:
    return load_file(ROOT / "examples" / path, "conditions_" + path.replace("/", "_")[:-3])


# ---------------------------------------------------------------------------------------------
# Giving the caller's error back from a context manager that hides a nursery (error 3).
#
# Conditions: the caller's error raised bare, with an explicit cause, while handling another
# error (an implicit context), `from None`, and with the whole `async with` inside the caller's
# own `except` block. What the caller gets must be what a plain `async with` gives.


class Root(Exception):
    """The error the caller's error is chained to."""


KINDS = ["bare", "from a cause", "while handling another", "from None",
         "inside the caller's except"]


def raise_as(kind: str) -> None:
    if kind == "from a cause":
        raise ValueError("the caller's own error") from Root("the cause")
    if kind in ("while handling another", "from None"):
        try:
            raise Root("being handled")
        except Root:
            if kind == "from None":
                raise ValueError("the caller's own error") from None
            raise ValueError("the caller's own error")  # noqa: B904 (the context is the point)
    raise ValueError("the caller's own error")


def chaining(error: BaseException | None) -> tuple[str, str, str, bool]:
    """What a traceback shows of an error: its type, cause, context, and whether the context
    is suppressed (``from ...`` suppresses it)."""
    assert error is not None
    return (type(error).__name__, repr(error.__cause__), repr(error.__context__),
            error.__suppress_context__)


async def caller(owner: Callable[[], contextlib.AbstractAsyncContextManager[Any]],
                 kind: str) -> BaseException | None:
    try:
        if kind == "inside the caller's except":
            try:
                raise Root("handled by the caller")
            except Root:
                async with owner():
                    raise_as("bare")
        async with owner():
            raise_as(kind)
    except Exception as caught:  # what the caller's `except ValueError` would see
        return caught
    return None


def owners() -> dict[str, tuple[Callable[[], contextlib.AbstractAsyncContextManager[Any]],
                                Callable[..., Any]]]:
    faq = example("faq/background_owner.py")
    services_trio = example("migration/services_trio.py")
    services_asyncio = example("migration/services_asyncio.py")
    log: list[str] = []
    return {
        "faq open_heartbeat (trio)": (partial(faq.open_heartbeat, 1), run_trio),
        "services open_flusher (trio)": (
            lambda: services_trio.open_flusher(services_trio.Store(log), 1.0, log), run_trio),
        "services open_flusher (asyncio)": (
            lambda: services_asyncio.open_flusher(services_asyncio.Store(log), 1.0, log),
            run_asyncio),
    }


OWNERS = ["faq open_heartbeat (trio)", "services open_flusher (trio)",
          "services open_flusher (asyncio)"]


@pytest.mark.parametrize("kind", KINDS)
def test_raise_from_none_in_the_except_block_loses_the_callers_cause_and_context(
        kind: str) -> None:
    """The idiom the guide used to teach, `raise body_error from None` inside
    `except BaseExceptionGroup`: whatever the caller chained, the error comes back with no
    cause, its context suppressed, and the nursery's group as its context."""

    @contextlib.asynccontextmanager
    async def unwrap_from_none() -> AsyncIterator[None]:
        body_error: BaseException | None = None
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(trio.sleep_forever)
                try:
                    yield
                except BaseException as exc:
                    body_error = exc
                    raise
                finally:
                    nursery.cancel_scope.cancel()
        except BaseExceptionGroup as group:
            if body_error is not None and group.exceptions == (body_error,):
                raise body_error from None
            raise

    error = run_trio(caller, unwrap_from_none, kind)
    assert type(error) is ValueError
    assert error.__cause__ is None and error.__suppress_context__ is True
    assert isinstance(error.__context__, BaseExceptionGroup)
    assert error.__context__.exceptions == (error,)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("owner", OWNERS)
def test_the_callers_error_comes_back_with_its_own_cause_and_context(
        owner: str, kind: str) -> None:
    """Each context manager of the guide gives the caller's error back exactly as a plain
    `async with` (no nursery) does: same cause, same context, same suppression."""
    make, run = owners()[owner]

    @contextlib.asynccontextmanager
    async def plain() -> AsyncIterator[None]:
        yield

    assert chaining(run(caller, make, kind)) == chaining(run(caller, plain, kind))


@pytest.mark.parametrize("kind", KINDS[:4])
def test_fetch_one_gives_back_the_fetchs_error_with_its_own_cause_and_context(
        impl: str, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The library function of the exception-groups chapter, under every way its fetch can
    raise, compared with the fetch called bare."""
    module = example(f"migration/groups_{impl}.py")
    run = run_trio if impl == "trio" else run_asyncio

    async def fetch(name: str) -> str:
        raise_as(kind)
        return name

    monkeypatch.setattr(module, "fetch", fetch)

    async def call(fn: Callable[[str], Awaitable[str]]) -> BaseException | None:
        try:
            await fn("x")
        except Exception as caught:
            return caught
        return None

    assert chaining(run(call, module.fetch_one)) == chaining(run(call, fetch))


@pytest.mark.parametrize("helper", ["defer_to_cancelled", "multi_error_defer_to"])
@pytest.mark.parametrize("raised", ["a bare KeyError", "a group from a nursery"])
def test_trio_utils_defer_helpers_crash_on_any_error(helper: str, raised: str) -> None:
    """Trio's docs name `trio_util.multi_error_defer_to` and `trio_util.defer_to_cancelled`
    for the "defer to one type" pattern. trio-util 0.8.0 still catches `trio.MultiError`,
    removed from Trio: whatever reaches them becomes an AttributeError. Without an error they
    work, which is why this goes unnoticed."""
    import trio_util

    def guard() -> contextlib.AbstractContextManager[None]:
        if helper == "defer_to_cancelled":
            return trio_util.defer_to_cancelled(KeyError)  # type: ignore[no-any-return]
        return trio_util.multi_error_defer_to(trio.Cancelled, KeyError)  # type: ignore[no-any-return]

    async def main(fail: bool) -> str:
        with guard():
            if fail and raised == "a bare KeyError":
                raise KeyError("missing")
            if fail:
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(trio.sleep, 0)
                    raise KeyError("missing")
        return "no error, no crash"

    assert run_trio(main, False) == "no error, no crash"
    with pytest.raises(AttributeError, match="no attribute 'MultiError'"):
        run_trio(main, True)


# ---------------------------------------------------------------------------------------------
# Errors raised after one wakeup: how many reach the group (error 6).
#
# Conditions: what woke the tasks (a sleep, a shared `sleep_until` deadline, an Event, a
# channel, a ParkingLot, a Lock, a Condition); whether the body of the `async with` raises too;
# the virtual or the real clock. Three children wait, wake, and raise at once.

TRIO_SOURCES = ["sleep", "sleep_until", "event", "channel", "parkinglot", "lock", "condition"]

WAKEUP_TRIO = """
import math, trio, trio.testing

async def scenario(source, body_raises, delay):
    event = trio.Event()
    send, receive = trio.open_memory_channel(math.inf)
    lock, condition, lot = trio.Lock(), trio.Condition(), trio.lowlevel.ParkingLot()
    deadline = trio.current_time() + delay

    async def wait():
        if source == "sleep":
            await trio.sleep(delay)
        elif source == "sleep_until":
            await trio.sleep_until(deadline)
        elif source == "event":
            await event.wait()
        elif source == "channel":
            await receive.receive()
        elif source == "parkinglot":
            await lot.park()
        elif source == "lock":
            async with lock:
                pass
        elif source == "condition":
            async with condition:
                await condition.wait()

    async def child(n):
        await wait()
        raise ValueError(n)

    async with trio.open_nursery() as nursery:
        if source == "lock":
            await lock.acquire()
        for n in range(3):
            nursery.start_soon(child, n)
        if source not in ("sleep", "sleep_until"):
            await trio.testing.wait_all_tasks_blocked()
            if source == "event":
                event.set()
            elif source == "channel":
                for _ in range(3):
                    send.send_nowait(None)
            elif source == "parkinglot":
                lot.unpark_all()
            elif source == "lock":
                lock.release()
            else:
                async with condition:
                    condition.notify_all()
        elif body_raises:
            await wait()
        if body_raises:
            raise ValueError("body")

def errors(source, body_raises, clock):
    try:
        if clock == "real":
            trio.run(scenario, source, body_raises, 0.005)
        else:
            trio.run(scenario, source, body_raises, 1,
                     clock=trio.testing.MockClock(autojump_threshold=0))
    except ExceptionGroup as group:
        return len(group.exceptions)
    return 0
"""

#: The number of errors in the nursery's group, measured (20 runs of each, every run alike).
TRIO_ERRORS = {
    ("sleep", False): 1, ("sleep", True): 1,
    ("sleep_until", False): 1, ("sleep_until", True): 1,
    ("event", False): 3, ("event", True): 4,
    ("channel", False): 3, ("channel", True): 4,
    ("parkinglot", False): 3, ("parkinglot", True): 4,
    ("lock", False): 2, ("lock", True): 2,
    ("condition", False): 2, ("condition", True): 2,
}

_wakeup_trio: dict[str, Any] = {}
exec(compile(WAKEUP_TRIO, "WAKEUP_TRIO", "exec"), _wakeup_trio)


@pytest.mark.parametrize("clock", ["mock", "real"])
@pytest.mark.parametrize("body_raises", [False, True], ids=["children", "children and body"])
@pytest.mark.parametrize("source", TRIO_SOURCES)
def test_after_one_wakeup_a_nursery_gets_one_error_from_sleepers_every_error_from_the_rest(
        source: str, body_raises: bool, clock: str) -> None:
    """A sleep ends when its deadline cancels it; once a sibling's error has cancelled the
    nursery, that wakeup is the nursery's Cancelled, so the other sleepers never reach their
    `raise`: one error. Tasks woken with a value (Event, channel, ParkingLot) resume and raise
    whatever happened meanwhile: all three, and the body's own error beside them. A Lock (and a
    Condition, which takes its lock again) wakes one waiter at a time: the first, and the one it
    handed the lock to while it unwound."""
    counts = {_wakeup_trio["errors"](source, body_raises, clock) for _ in range(20)}
    assert counts == {TRIO_ERRORS[source, body_raises]}


def test_the_nursery_wakeup_counts_hold_without_hypothesis_too() -> None:
    """The same table in a fresh interpreter, where Trio's scheduler is not shuffled."""
    done = python(WAKEUP_TRIO + """
import json
table = {f"{s} {b}": sorted({errors(s, b, "mock") for _ in range(20)})
         for s in ("sleep", "sleep_until", "event", "channel", "parkinglot", "lock", "condition")
         for b in (False, True)}
print(json.dumps(table))
""")
    assert done.returncode == 0, done.stderr
    import json
    assert json.loads(done.stdout) == {
        f"{source} {body}": [count] for (source, body), count in TRIO_ERRORS.items()}


ASYNCIO_SOURCES = ["sleep", "event", "queue", "lock", "condition"]

#: asyncio's TaskGroup, measured the same way (and alike on CPython 3.11, 3.12 and 3.13).
ASYNCIO_ERRORS = {("lock", False): 2}


@pytest.mark.parametrize("body_raises", [False, True], ids=["children", "children and body"])
@pytest.mark.parametrize("source", ASYNCIO_SOURCES)
def test_after_one_wakeup_a_taskgroup_gets_every_childs_error_unless_its_body_raises(
        source: str, body_raises: bool) -> None:
    """A task's end reaches its TaskGroup through a callback that is scheduled, not called, so
    the children woken together all run, and raise, before the group cancels anyone: three
    errors, whatever woke them (a Lock: two, it wakes one waiter at a time). But an error of
    the group's own body cancels the children at once, before they resume: one error."""

    async def scenario() -> None:
        event, queue = asyncio.Event(), asyncio.Queue[None]()
        lock, condition = asyncio.Lock(), asyncio.Condition()

        async def wait() -> None:
            if source == "sleep":
                await asyncio.sleep(1)
            elif source == "event":
                await event.wait()
            elif source == "queue":
                await queue.get()
            elif source == "lock":
                async with lock:
                    pass
            else:
                async with condition:
                    await condition.wait()

        async def child(n: int) -> None:
            await wait()
            raise ValueError(n)

        async with asyncio.TaskGroup() as group:
            if source == "lock":
                await lock.acquire()
            for n in range(3):
                group.create_task(child(n))
            if source == "sleep":
                if body_raises:
                    await wait()
            else:
                for _ in range(3):
                    await asyncio.sleep(0)  # every child is waiting
                if source == "event":
                    event.set()
                elif source == "queue":
                    for _ in range(3):
                        queue.put_nowait(None)
                elif source == "lock":
                    lock.release()
                else:
                    async with condition:
                        condition.notify_all()
            if body_raises:
                raise ValueError("body")

    expected = 1 if body_raises else ASYNCIO_ERRORS.get((source, body_raises), 3)
    for _ in range(5):
        with pytest.raises(ExceptionGroup) as caught:
            run_asyncio(scenario)
        assert len(caught.value.exceptions) == expected


# ---------------------------------------------------------------------------------------------
# What `trust_env` covers (error 7).
#
# Conditions: httpx with and without `auth=httpx.NetRCAuth()`, trust_env on and off; aiohttp
# with trust_env on and off; SSL_CERT_FILE set before the process starts or after aiohttp is
# imported.


@pytest.mark.parametrize(("client", "proxied"), [
    ("httpx trust_env=True", True),
    ("httpx trust_env=False", False),
    ("aiohttp trust_env=False", False),
    ("aiohttp trust_env=True", True),
])
def test_http_proxy_is_used_by_httpx_by_default_by_aiohttp_only_with_trust_env(
        recorder: str, client: str, proxied: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTP_PROXY names the local server, and the request goes to the same server: a proxied
    request arrives with the whole URL in its request line, a direct one with the path only."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", recorder)
    url = recorder + "page"

    async def with_httpx() -> None:
        async with httpx.AsyncClient(trust_env="trust_env=True" in client) as c:
            (await c.get(url)).raise_for_status()

    async def with_aiohttp() -> None:
        async with (aiohttp.ClientSession(trust_env="trust_env=True" in client) as session,
                    session.get(url) as response):
            response.raise_for_status()

    if client.startswith("httpx"):
        trio.run(with_httpx)
    else:
        asyncio.run(with_aiohttp())
    assert Recorder.requestlines == [f"GET {url if proxied else '/page'} HTTP/1.1"]


@pytest.mark.parametrize(("client", "sends_credentials"), [
    ("httpx trust_env=True", False),
    ("httpx trust_env=True, auth=NetRCAuth()", True),
    ("httpx trust_env=False, auth=NetRCAuth()", True),
    ("aiohttp trust_env=False", False),
    ("aiohttp trust_env=True", True),
])
def test_netrc_is_read_by_httpx_only_through_netrcauth_by_aiohttp_only_with_trust_env(
        recorder: str, client: str, sends_credentials: bool, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A `.netrc` in $HOME names the server. httpx 0.28 reads it only when asked with
    `auth=httpx.NetRCAuth()`, whatever `trust_env` says; aiohttp reads it when
    `trust_env=True`."""
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login walker password s3cret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("NETRC", raising=False)
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)

    async def with_httpx() -> None:
        auth = httpx.NetRCAuth() if "NetRCAuth" in client else None
        async with httpx.AsyncClient(trust_env="trust_env=True" in client, auth=auth) as c:
            (await c.get(recorder)).raise_for_status()

    async def with_aiohttp() -> None:
        async with (aiohttp.ClientSession(trust_env="trust_env=True" in client) as session,
                    session.get(recorder) as response):
            response.raise_for_status()

    if client.startswith("httpx"):
        trio.run(with_httpx)
    else:
        asyncio.run(with_aiohttp())
    basic = "Basic d2Fsa2VyOnMzY3JldA=="  # walker:s3cret
    assert Recorder.authorizations == [basic if sends_credentials else None]


#: A TLS server on 127.0.0.1 in a snippet, once `cert` and `key` are set: its URL is `url`.
TLS_SERVER = """\
class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
thread = threading.Thread(target=httpd.serve_forever, daemon=True)
thread.start()
url = f"https://127.0.0.1:{httpd.server_address[1]}/"
"""

TLS_SNIPPET = """
import asyncio, os, ssl, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
cert, key, client, when = sys.argv[1:5]
if when == "after import":
    import aiohttp
    os.environ["SSL_CERT_FILE"] = cert
import aiohttp, httpx, trio

""" + TLS_SERVER + """
async def with_aiohttp(trust_env):
    async with aiohttp.ClientSession(trust_env=trust_env) as session:
        async with session.get(url) as response:
            return await response.text()

async def with_httpx(trust_env):
    async with httpx.AsyncClient(trust_env=trust_env) as c:
        return (await c.get(url)).text

try:
    trust_env = client.endswith("trust_env=True")
    if client.startswith("aiohttp"):
        print(asyncio.run(with_aiohttp(trust_env)))
    else:
        print(trio.run(with_httpx, trust_env))
except Exception as e:
    chain = [e]
    while chain[-1].__cause__ or chain[-1].__context__:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)
    verify = any(isinstance(link, ssl.SSLCertVerificationError) for link in chain)
    print("certificate verify failed" if verify else repr(chain))
finally:
    httpd.shutdown()
    httpd.server_close()
"""


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
@pytest.mark.timeout(120)
@pytest.mark.parametrize(("client", "when", "outcome"), [
    ("aiohttp trust_env=False", "at start", "ok"),
    ("aiohttp trust_env=True", "at start", "ok"),
    ("aiohttp trust_env=False", "not set", "certificate verify failed"),
    ("aiohttp trust_env=False", "after import", "certificate verify failed"),
    ("httpx trust_env=True", "at start", "ok"),
    ("httpx trust_env=False", "at start", "certificate verify failed"),
])
def test_ssl_cert_file_is_honoured_by_aiohttp_whatever_trust_env_by_httpx_only_with_it(
        client: str, when: str, outcome: str, tmp_path: Path) -> None:
    """A local TLS server whose self-signed certificate is in SSL_CERT_FILE alone. aiohttp
    builds its default SSL context with `ssl.create_default_context()` when it is imported,
    and OpenSSL reads SSL_CERT_FILE then, whatever `trust_env` says (a variable set after the
    import changes nothing). httpx reads it only with `trust_env=True` (its default), and
    otherwise trusts certifi's bundle."""
    cert, key = self_signed(tmp_path)
    env = {name: value for name, value in os.environ.items()
           if name not in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    if when == "at start":
        env["SSL_CERT_FILE"] = str(cert)
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", TLS_SNIPPET, str(cert), str(key), client, when],
        capture_output=True, text=True, timeout=100, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == outcome, done.stderr


# ---------------------------------------------------------------------------------------------
# The order in which a batch of woken tasks runs (error 8).
#
# Conditions: the tasks' first step after a spawn, a ParkingLot's `unpark_all` (first-in
# first-out), a shared `sleep_until` deadline on the real clock and on MockClock, `Event.set()`;
# hypothesis imported or not. Five tasks, 100 runs each.

ORDERS = """
import sys, trio, trio.testing
if sys.argv[1] == "hypothesis":
    import hypothesis  # noqa: F401  (Trio's hypothesis plugin runs on import)

async def batch(source):
    order = []
    event, lot = trio.Event(), trio.lowlevel.ParkingLot()
    delay = 1 if source == "sleep_until on MockClock" else 0.001
    deadline = trio.current_time() + delay

    async def task(name):
        if source.startswith("sleep_until"):
            await trio.sleep_until(deadline)
        elif source == "Event.set()":
            await event.wait()
        elif source == "ParkingLot.unpark_all()":
            await lot.park()
        order.append(name)

    async with trio.open_nursery() as nursery:
        for name in "ABCDE":
            nursery.start_soon(task, name)
        if source in ("Event.set()", "ParkingLot.unpark_all()"):
            await trio.testing.wait_all_tasks_blocked()
            event.set()
            lot.unpark_all()
    return "".join(order)

for source in ("spawn", "ParkingLot.unpark_all()", "sleep_until on the real clock",
               "sleep_until on MockClock", "Event.set()"):
    clock = trio.testing.MockClock(autojump_threshold=0) if "MockClock" in source else None
    orders = {trio.run(batch, source, clock=clock) for _ in range(100)}
    print(f"{source}: {len(orders)} {' '.join(sorted(orders)) if len(orders) < 3 else ''}")
"""


@pytest.mark.timeout(120)
def test_a_batch_starts_in_spawn_order_or_reversed_only_when_it_was_queued_in_spawn_order() -> None:
    """Without hypothesis, Trio runs a batch forward or reversed: two orders when the batch was
    queued in spawn order (new tasks, a ParkingLot). But tasks woken by a shared deadline come
    out of a heap ordered by `id()` of their cancel scopes, and an Event's waiters out of a
    set: many orders (in 100 runs, of 120 possible; this test asks for more than 10. The counts
    move from one sitting to the next: 43 to 70 for the deadline and 24 to 52 for the Event in
    RV22's 40 measurements on 3.11 and 20 each on 3.12 and 3.13; 45 to 73 and 20 to 38 in
    RV7-div's 30 on 3.11)."""
    done = python(ORDERS, "plain")
    assert done.returncode == 0, done.stderr
    found = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    assert found["spawn"] == "2 ABCDE EDCBA"
    assert found["ParkingLot.unpark_all()"] == "2 ABCDE EDCBA"
    for source in ("sleep_until on the real clock", "sleep_until on MockClock", "Event.set()"):
        assert int(found[source].split()[0]) > 10, (source, found[source])


@pytest.mark.timeout(120)
def test_importing_hypothesis_makes_trio_shuffle_every_batch() -> None:
    """Trio registers a hypothesis plugin: once hypothesis is imported (as in every pytest run
    of this project), each batch is shuffled, and even new tasks or a ParkingLot show many
    orders (about 68 of 120 in 100 runs, what 100 uniform draws give: 59 to 77 in 125
    measurements on 3.11, from one to the next)."""
    done = python(ORDERS, "hypothesis")
    assert done.returncode == 0, done.stderr
    found = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    for source, line in found.items():
        assert int(line.split()[0]) > 10, (source, line)
    assert "hypothesis" in sys.modules  # and so it is in this very test run


# ---------------------------------------------------------------------------------------------
# Ctrl-C and a shield with no deadline (error 9).
#
# Conditions: the shielded wait in the main task, or in a child task; one Ctrl-C or two. A real
# SIGINT to a child process with SIGINT at its default. The wait is long but finite, so that
# the test ends either way: what matters is whether it was cut short.

SHIELDED = """
import sys, trio

async def shielded_wait(seconds):
    with trio.CancelScope(shield=True):
        await trio.sleep(seconds)
    print("shielded wait finished", flush=True)

async def main():
    if sys.argv[1] == "main":
        print("ready", flush=True)
        await shielded_wait(60)
    else:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(shielded_wait, 2)
            await trio.sleep(0.1)
            print("ready", flush=True)
            await trio.sleep_forever()

try:
    trio.run(main)
except* KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_a_shielded_wait_in_the_main_task() -> None:
    """By default Trio delivers KeyboardInterrupt to the main task, shield or not: a 60 s
    shielded wait there ends at the first Ctrl-C."""
    result = interrupt(["-c", SHIELDED, "main"], ready=lambda line: line == "ready\n")
    assert result.stdout.splitlines() == ["ready", "KeyboardInterrupt"], result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_does_not_stop_a_shielded_wait_in_a_child_task() -> None:
    """The main task gets the KeyboardInterrupt, and its nursery then waits for the child,
    whose shield ignores the cancellation: the 2 s wait runs to its end despite two Ctrl-Cs.
    With no deadline it would never end."""
    result = interrupt(["-c", SHIELDED, "child"], ready=lambda line: line == "ready\n",
                       again_after=0.3)
    assert result.stdout.splitlines() == [
        "ready", "shielded wait finished", "KeyboardInterrupt"], result.stderr

