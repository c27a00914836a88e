"""asyncio APIs a real codebase uses and Trio does not have (docs/migration/asyncio-apis.md).

Futures, protocols and UDP, ``timeout_at``, ``PriorityQueue``/``LifoQueue``/``Barrier``, and
debug mode's slow-callback report: each pair in ``examples/migration/`` is run on both sides,
the ports are checked against asyncio's own behaviour, and each example runs as a script.
Checked against trio 0.35 and trio-util 0.8 on CPython 3.11.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import re
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import trio
import trio.lowlevel
import trio.socket
import trio.testing
import trio_util

from tests.certs import self_signed
from tests.conftest import load_file
from walkthrough.clocks import VirtualTimeLoop, mock_clock

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "migration"


def load(name: str) -> ModuleType:
    return load_file(EXAMPLES / f"{name}.py", f"migration_apis_{name}")


#: A virtual hour: on a virtual clock a deadlock jumps to it at once and fails the test.
HOUR = 3600


def run_asyncio(fn: Callable[..., Coroutine[Any, Any, Any]], *args: Any) -> Any:
    async def bounded() -> Any:
        async with asyncio.timeout(HOUR):
            return await fn(*args)

    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(bounded())


def run_trio(fn: Callable[..., Any], *args: Any) -> Any:
    async def bounded() -> Any:
        with trio.fail_after(HOUR):
            return await fn(*args)

    return trio.run(bounded, clock=mock_clock())


# --------------------------------------------------------------------------------------------
# Futures

FUTURE_LINES = [
    "two waiters got 42 and 42",
    "the waiter got LookupError: no such key",
    "await task gave 9",
    "callback got 42",
]


def test_trio_has_no_future_and_the_ports_give_what_a_future_gave() -> None:
    """No Future, no task handle to await, no ensure_future, no done-callbacks; the
    Event-plus-value port gives the same value to two waiters and to the callback's code, the
    same error, and a child's return value. Trio does have a Task object,
    ``trio.lowlevel.Task``: ``current_task()`` returns one, ``start_soon`` returns None, and
    a Task cannot be awaited and holds no result."""
    for name in ("Future", "Task", "ensure_future", "create_future", "create_task"):
        assert not hasattr(trio, name), name
    assert not hasattr(trio.lowlevel, "Future")

    async def handles() -> list[Any]:
        async with trio.open_nursery() as nursery:
            returned = nursery.start_soon(trio.sleep, 0)  # type: ignore[func-returns-value]
        task = trio.lowlevel.current_task()
        return [returned, type(task) is trio.lowlevel.Task, hasattr(task, "__await__"),
                [name for name in ("result", "done", "add_done_callback") if hasattr(task, name)]]

    assert run_trio(handles) == [None, True, False, []]
    assert run_asyncio(load("futures_asyncio").main) == FUTURE_LINES
    assert run_trio(load("futures_trio").main) == FUTURE_LINES


def test_a_future_and_the_reply_port_serve_waiters_before_and_after_it_is_set() -> None:
    """Both: a waiter that came before the value and one that came after get it; a second
    set is refused (asyncio: InvalidStateError; the port: RuntimeError); an error set is raised
    in every waiter."""
    reply_cls = load("futures_trio").Reply

    async def on_asyncio() -> list[str]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        early = asyncio.create_task(asyncio.wait_for(future, 10))  # waits before the set
        await asyncio.sleep(1)
        future.set_result(7)
        out = [f"early {await early}", f"late {await future}", f"done {future.done()}"]
        with pytest.raises(asyncio.InvalidStateError):
            future.set_result(8)
        failed: asyncio.Future[int] = loop.create_future()
        failed.set_exception(KeyError("k"))
        for _ in range(2):
            with pytest.raises(KeyError):
                await failed
        return out

    async def on_trio() -> list[str]:
        reply = reply_cls()
        got: list[int] = []

        async def wait() -> None:
            got.append(await reply.wait())

        async with trio.open_nursery() as nursery:
            nursery.start_soon(wait)
            await trio.sleep(1)
            reply.set_result(7)
        out = [f"early {got[0]}", f"late {await reply.wait()}", f"done {reply.done()}"]
        with pytest.raises(RuntimeError, match="already set"):
            reply.set_result(8)
        failed = reply_cls()
        failed.set_exception(KeyError("k"))
        for _ in range(2):
            with pytest.raises(KeyError):
                await failed.wait()
        return out

    assert run_asyncio(on_asyncio) == run_trio(on_trio) == ["early 7", "late 7", "done True"]


def test_a_future_nobody_sets_waits_for_ever_a_closed_one_slot_channel_says_so() -> None:
    """The setter fails before setting: asyncio's waiter hears nothing (only a timeout ends
    it); the channel port's waiter gets EndOfChannel as soon as the sender closes."""

    async def on_asyncio() -> str:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()

        async def setter() -> None:
            await asyncio.sleep(1)
            raise OSError("the setter crashed")

        task = asyncio.create_task(setter())
        start = loop.time()
        try:
            await asyncio.wait_for(future, 100)
        except TimeoutError:
            return f"timed out at +{loop.time() - start:g}, setter: {task.exception()!r}"
        return "set"

    assert run_asyncio(on_asyncio) == "timed out at +100, setter: OSError('the setter crashed')"
    assert run_trio(load("futures_trio").one_slot_channel) == [
        "received 42", "the sender closed without a value"]

    # Unless a TaskGroup holds both: then the setter's crash cancels the waiter at once.
    async def in_a_task_group() -> str:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()

        async def setter() -> None:
            await asyncio.sleep(1)
            raise OSError("the setter crashed")

        start = loop.time()
        with pytest.RaisesGroup(OSError):
            async with asyncio.timeout(100), asyncio.TaskGroup() as group:
                group.create_task(setter())
                await future
        return f"cancelled at +{loop.time() - start:g}, future cancelled: {future.cancelled()}"

    assert run_asyncio(in_a_task_group) == "cancelled at +1, future cancelled: True"


def test_cancelling_one_waiter_cancels_an_asyncio_future_for_all_not_a_reply() -> None:
    """asyncio: a task cancelled while it awaits a Future cancels the Future itself, so every
    other waiter gets CancelledError too. The Reply port: the cancelled waiter leaves, the
    others still get the value."""

    async def on_asyncio() -> list[str]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()

        async def wait() -> int:
            return await future

        waiters = [asyncio.create_task(wait()) for _ in range(2)]
        await asyncio.sleep(1)
        waiters[0].cancel()
        await asyncio.sleep(1)
        if not future.done():
            future.set_result(7)
        results = await asyncio.gather(*waiters, return_exceptions=True)
        out = [f"future cancelled: {future.cancelled()}",
               *(type(r).__name__ if isinstance(r, BaseException) else str(r) for r in results)]

        # A waiter that awaits asyncio.shield(future) cancels only itself.
        shielded: asyncio.Future[int] = loop.create_future()

        async def wait_shielded() -> int:
            return await asyncio.shield(shielded)

        waiters = [asyncio.create_task(wait_shielded()) for _ in range(2)]
        await asyncio.sleep(1)
        waiters[0].cancel()
        await asyncio.sleep(1)
        if not shielded.done():
            shielded.set_result(7)
        results = await asyncio.gather(*waiters, return_exceptions=True)
        return [*out, f"shielded: {shielded.cancelled()}",
                *(type(r).__name__ if isinstance(r, BaseException) else str(r) for r in results)]

    reply_cls = load("futures_trio").Reply

    async def on_trio() -> list[str]:
        reply = reply_cls()
        got: list[str] = []
        scopes = [trio.CancelScope() for _ in range(2)]

        async def wait(scope: trio.CancelScope) -> None:
            with scope:
                got.append(str(await reply.wait()))
            if scope.cancelled_caught:
                got.append("cancelled")

        async with trio.open_nursery() as nursery:
            for scope in scopes:
                nursery.start_soon(wait, scope)
            await trio.sleep(1)
            scopes[0].cancel()
            await trio.sleep(1)
            reply.set_result(7)
        return sorted(got)

    assert run_asyncio(on_asyncio) == [
        "future cancelled: True", "CancelledError", "CancelledError",
        "shielded: False", "CancelledError", "7"]
    assert run_trio(on_trio) == ["7", "cancelled"]


def test_async_value_waiters_wake_for_the_value_they_want() -> None:
    """AsyncValue can change again, unlike a Future; each waiter names its predicate, and a
    wait for a value already there returns without time passing."""
    module = load("futures_trio")
    assert run_trio(module.async_value) == ["waited for 0.5, saw 0.5", "waited for 1, saw 1"]

    async def already() -> float:
        value = trio_util.AsyncValue(3)
        start = trio.current_time()
        assert await value.wait_value(3) == 3
        return trio.current_time() - start

    assert run_trio(already) == 0


def test_await_a_bare_future_waits_until_cancelled_as_sleep_forever_does() -> None:
    """``await asyncio.Future()``, a common "wait for ever", ends only when cancelled; so
    does ``trio.sleep_forever()``: both run to a ten-minute timeout."""

    async def on_asyncio() -> float:
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(600):
                await asyncio.Future()
        return loop.time() - start

    async def on_trio() -> float:
        start = trio.current_time()
        with trio.move_on_after(600):
            await trio.sleep_forever()
        return trio.current_time() - start

    assert run_asyncio(on_asyncio) == run_trio(on_trio) == 600


FUTURE_USE = {"await future", "future.set_result", "future.set_exception",
              "future.add_done_callback"}


def test_walkthrough_port_points_each_new_construct_at_its_row() -> None:
    """``walkthrough port`` on the asyncio examples of this page: every Future, protocol,
    timeout_at, priority or LIFO queue, barrier and debug-mode construct is reported with the
    row of the concept map's section for them, not a neighbouring row. An object such a
    construct made is asyncio's too: ``await barrier.wait()`` is reported as ``barrier``."""
    from walkthrough import port

    section = "docs/concepts.md#asyncio-apis-with-no-trio-twin"
    wanted = {
        # a future's own methods and its await point at the same row as its creation
        "futures_asyncio": {"asyncio.Future", "loop.create_future", *FUTURE_USE},
        "protocols_asyncio": {"asyncio.DatagramProtocol", "asyncio.Protocol",
                              "asyncio.DatagramTransport", "asyncio.Transport",
                              "asyncio.BaseTransport", "loop.create_datagram_endpoint",
                              "loop.create_server", "loop.create_connection",
                              "asyncio.Future", "loop.create_future", "transport",
                              *(FUTURE_USE - {"future.add_done_callback"})},
        "queues_asyncio": {"asyncio.timeout_at", "asyncio.PriorityQueue", "asyncio.LifoQueue",
                           "asyncio.Barrier", "barrier"},
        "blocking_asyncio": {"loop.set_debug", "loop.slow_callback_duration"},
    }
    for name, constructs in wanted.items():
        path = EXAMPLES / f"{name}.py"
        findings = port.scan(path.read_text(encoding="utf-8"), str(path))
        pointed = {f.construct for f in findings if f.links[0] == section}
        assert pointed == constructs, (name, pointed ^ constructs)


# --------------------------------------------------------------------------------------------
# Protocols, transports and UDP (real sockets on 127.0.0.1, the real clock)

PROTOCOL_LINES = ["udp: ONE", "udp: TWO", "udp: THREE", "tcp: 1: alpha", "tcp: 2: beta"]


@pytest.mark.timeout(60)
def test_the_protocol_servers_and_their_trio_ports_answer_alike() -> None:
    assert asyncio.run(load("protocols_asyncio").main()) == PROTOCOL_LINES
    assert trio.run(load("protocols_trio").main) == PROTOCOL_LINES


@pytest.mark.timeout(60)
def test_each_sides_clients_talk_to_the_other_sides_servers() -> None:
    """The wire is the same: asyncio's protocol clients against the Trio servers, and the
    Trio clients against asyncio's protocol servers, each server in a thread of its own."""
    aio, tri = load("protocols_asyncio"), load("protocols_trio")

    # Trio servers in a thread; asyncio clients here.
    ports: list[tuple[int, int]] = []
    ready = threading.Event()
    stop: list[Callable[[], None]] = []

    async def trio_servers() -> None:
        async with trio.open_nursery() as nursery:
            ports.append(await nursery.start(tri.serve))
            token = trio.lowlevel.current_trio_token()
            stop.append(lambda: token.run_sync_soon(nursery.cancel_scope.cancel))
            ready.set()

    thread = threading.Thread(target=trio.run, args=(trio_servers,))
    thread.start()
    try:
        assert ready.wait(30)
        udp_port, tcp_port = ports[0]

        async def asyncio_clients() -> list[str]:
            return [*await aio.udp_client(udp_port, aio.WORDS),
                    *await aio.tcp_client(tcp_port, aio.LINES)]

        assert asyncio.run(asyncio_clients()) == ["ONE", "TWO", "THREE", "1: alpha", "2: beta"]
    finally:
        if stop:
            stop[0]()
        thread.join(30)

    # asyncio servers in a thread; Trio clients here.
    loop = asyncio.new_event_loop()
    servers = loop.run_until_complete(aio.start_servers())
    thread = threading.Thread(target=loop.run_forever)
    thread.start()
    try:
        async def trio_clients() -> list[str]:
            return [*await tri.udp_client(servers[2], tri.WORDS),
                    *await tri.tcp_client(servers[3], tri.LINES)]

        assert trio.run(trio_clients) == ["ONE", "TWO", "THREE", "1: alpha", "2: beta"]
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        servers[0].close()
        servers[1].close()
        loop.run_until_complete(servers[1].wait_closed())
        loop.close()


def test_trio_has_no_protocol_layer_only_sockets_and_streams() -> None:
    for name in ("Protocol", "DatagramProtocol", "Transport", "create_server",
                 "create_connection", "create_datagram_endpoint", "start_server"):
        assert not hasattr(trio, name), name
    assert callable(trio.socket.socket) and callable(trio.serve_tcp)

    async def udp() -> tuple[bytes, bool]:
        with trio.socket.socket(trio.socket.AF_INET, trio.socket.SOCK_DGRAM) as a, \
                trio.socket.socket(trio.socket.AF_INET, trio.socket.SOCK_DGRAM) as b:
            await a.bind(("127.0.0.1", 0))
            await b.sendto(b"ping", a.getsockname())
            data, addr = await a.recvfrom(100)
            return data, addr[1] == b.getsockname()[1]  # the reply address: the sender's port

    assert trio.run(udp) == (b"ping", True)


@pytest.mark.timeout(60)
def test_udp_to_a_closed_port_calls_error_received_in_asyncio_and_raises_in_trio() -> None:
    """The ICMP "port unreachable" for a connected UDP socket: asyncio hands it to the
    protocol's ``error_received``; Trio raises ConnectionRefusedError from the next recv (the
    client sends one datagram, then reads)."""
    aio, tri = load("protocols_asyncio"), load("protocols_trio")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed at once: nobody listens there
    with pytest.raises(ConnectionRefusedError):
        asyncio.run(aio.udp_client(port, ["x"]))
    with pytest.raises(ConnectionRefusedError):
        trio.run(tri.udp_client, port, ["x"])


@pytest.mark.timeout(60)
def test_a_refused_udp_datagram_is_raised_by_the_next_send_as_well_as_the_next_recv() -> None:
    """Trio: the pending ICMP error is raised by the next call on the socket, whichever it is;
    a second ``send`` raises it. asyncio passes a failed ``sendto`` to ``error_received`` too."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def on_trio() -> list[str]:
        out = []
        with trio.socket.socket(trio.socket.AF_INET, trio.socket.SOCK_DGRAM) as sock:
            await sock.connect(("127.0.0.1", port))
            for _ in range(2):
                try:
                    await sock.send(b"x")
                except ConnectionRefusedError:
                    out.append("send: ConnectionRefusedError")
                    continue
                out.append("sent")
                with trio.fail_after(5):
                    await trio.lowlevel.wait_readable(sock)  # until the error is pending
        return out

    class Errors(asyncio.DatagramProtocol):
        def __init__(self) -> None:
            self.errors: asyncio.Queue[str] = asyncio.Queue()

        def error_received(self, exc: Exception) -> None:
            self.errors.put_nowait(type(exc).__name__)

    async def on_asyncio() -> list[str]:
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.create_datagram_endpoint(
            Errors, remote_addr=("127.0.0.1", port))
        out = []
        try:
            for _ in range(2):
                transport.sendto(b"x")
                async with asyncio.timeout(5):
                    out.append(await protocol.errors.get())
        finally:
            transport.close()
        return out

    assert trio.run(on_trio) == ["sent", "send: ConnectionRefusedError"]
    assert asyncio.run(on_asyncio()) == ["ConnectionRefusedError", "ConnectionRefusedError"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("error", [ValueError("bug in the protocol"), OSError("bug")])
def test_an_error_in_a_protocol_callback_closes_one_connection_in_a_trio_handler_the_server(
        error: Exception, caplog: pytest.LogCaptureFixture) -> None:
    """A bug on one connection. asyncio closes that connection and goes on serving the next
    client; it passes the exception to the loop's exception handler, unless it is an OSError
    (then nothing is told, outside debug mode's DEBUG log). In Trio the handler is a task in
    serve_tcp's nursery: its exception ends serve_tcp and the nursery around it."""
    aio, tri = load("protocols_asyncio"), load("protocols_trio")

    class Broken(aio.NumberedLines):  # type: ignore[name-defined]
        def data_received(self, data: bytes) -> None:
            if b"boom" in data:
                raise error
            super().data_received(data)

    async def on_asyncio() -> tuple[list[str], list[str], list[str]]:
        loop = asyncio.get_running_loop()
        loop.set_debug(True)
        seen: list[str] = []
        loop.set_exception_handler(lambda _, context: seen.append(repr(context["exception"])))
        server = await loop.create_server(Broken, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            first = await aio.tcp_client(port, ["boom"])
            second = await aio.tcp_client(port, ["alpha"])
        finally:
            server.close()
            await server.wait_closed()
        return seen, first, second

    told = [] if isinstance(error, OSError) else [repr(error)]
    with caplog.at_level(logging.DEBUG, logger="asyncio"):
        assert asyncio.run(on_asyncio()) == (told, [], ["1: alpha"])
    # in debug mode, and only for an OSError: a DEBUG record with the exception
    logged = [(r.levelname, r.exc_info[1]) for r in caplog.records
              if "data_received() call failed" in r.getMessage() and r.exc_info]
    assert logged == ([("DEBUG", error)] if isinstance(error, OSError) else [])

    async def broken(stream: trio.SocketStream) -> None:
        if b"boom" in await stream.receive_some():
            raise ValueError("bug in the handler")
        await tri.numbered_lines(stream)

    async def on_trio() -> None:
        async with trio.open_nursery() as nursery:
            listeners = await nursery.start(trio.serve_tcp, broken, 0)
            port = listeners[0].socket.getsockname()[1]
            await tri.tcp_client(port, ["boom"])
            await trio.sleep_forever()  # until the handler's error cancels this task

    with pytest.RaisesGroup(ValueError, flatten_subgroups=True):
        trio.run(on_trio)


@pytest.fixture(scope="module")
def tls_contexts(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server and a client context for 127.0.0.1, from a self-signed certificate."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    cert, key = self_signed(tmp_path_factory.mktemp("tls"))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(cert))


async def _lines_over(port: int, lines: list[str], context: ssl.SSLContext | None) -> list[str]:
    """A client: the lines, then (over TCP) end of stream; back, every line until the server
    closes, or over TLS, which has no half-close, as many lines as it sent or fewer if the
    server closes first."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)
    try:
        writer.write("".join(f"{line}\n" for line in lines).encode())
        async with asyncio.timeout(5):
            if context is None:
                writer.write_eof()
                return (await reader.read()).decode().splitlines()
            got = [await reader.readline() for _ in lines]
            return [line.decode().rstrip("\n") for line in got if line]
    finally:
        writer.close()
        with contextlib.suppress(OSError):  # a server that aborted a TLS connection
            await writer.wait_closed()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("error", [ValueError("bug in the protocol"), OSError("bug")])
@pytest.mark.parametrize(("callback", "transport"), [
    ("connection_made", "tcp"), ("data_received", "tcp"), ("eof_received", "tcp"),
    ("connection_made", "tls"), ("data_received", "tls")])
def test_which_protocol_callback_raised_decides_what_asyncio_closes_and_tells(
        callback: str, transport: str, error: Exception,
        request: pytest.FixtureRequest) -> None:
    """The concept map's protocols row, callback by callback (RV46, SR1). An exception in
    ``data_received`` or ``eof_received`` closes that one connection (the transport's fatal
    error, which ``connection_lost`` receives) and the server serves on, telling the loop's
    exception handler unless it is an OSError. One in ``connection_made`` over plain TCP,
    which the loop runs as a plain callback, reaches the handler whatever its type, and the
    connection stays open: it is served as if nothing had happened. Over TLS,
    ``connection_made`` runs inside the transport's read once the handshake is done, so an
    exception there is a fatal error like ``data_received``'s. Only the first connection's
    protocol raises; the second client shows the server goes on. Default mode, not debug."""
    aio = load("protocols_asyncio")
    made: list[object] = []
    lost: list[BaseException | None] = []
    contexts = request.getfixturevalue("tls_contexts") if transport == "tls" else (None, None)

    class Broken(aio.NumberedLines):  # type: ignore[name-defined]
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            made.append(self)
            self.broken = len(made) == 1
            if callback == "connection_made" and self.broken:
                raise error

        def data_received(self, data: bytes) -> None:
            if callback == "data_received" and self.broken:
                raise error
            super().data_received(data)

        def eof_received(self) -> bool | None:
            if callback == "eof_received" and self.broken:
                raise error
            return super().eof_received()

        def connection_lost(self, exc: Exception | None) -> None:
            if self.broken:
                lost.append(exc)

    async def run() -> tuple[list[str], list[str], list[str]]:
        loop = asyncio.get_running_loop()
        seen: list[str] = []
        loop.set_exception_handler(lambda _, context: seen.append(repr(context["exception"])))
        server = await loop.create_server(Broken, "127.0.0.1", 0, ssl=contexts[0])
        port = server.sockets[0].getsockname()[1]
        try:
            first = await _lines_over(port, ["alpha"], contexts[1])
            second = await _lines_over(port, ["alpha"], contexts[1])
        finally:
            server.close()
            await server.wait_closed()
        return seen, first, second

    seen, first, second = asyncio.run(run())
    fatal = transport == "tls" or callback != "connection_made"
    assert seen == ([] if isinstance(error, OSError) and fatal else [repr(error)])
    assert lost == [error if fatal else None]
    # data_received raised before it echoed; eof_received after the echo went out; a fatal
    # connection_made before any line came
    assert first == ([] if fatal and callback != "eof_received" else ["1: alpha"])
    assert second == ["1: alpha"]


def _reset_connection(port: int) -> None:
    """A client that sends a line and then resets the connection (SO_LINGER 0)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"alpha\n")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


@pytest.mark.timeout(60)
def test_a_client_that_resets_ends_only_its_own_connection_on_both_servers() -> None:
    """The Trio handler catches BrokenResourceError, so a client that resets its connection
    ends that connection only, as in asyncio; the next client is served. Each side waits until
    the reset connection's handler (or protocol) has ended."""
    aio, tri = load("protocols_asyncio"), load("protocols_trio")

    async def on_trio() -> list[str]:
        ended = trio.Event()

        async def watched(stream: trio.SocketStream) -> None:
            try:
                await tri.numbered_lines(stream)
            finally:
                ended.set()

        async with trio.open_nursery() as nursery:
            listeners = await nursery.start(partial(trio.serve_tcp, watched, 0, host="127.0.0.1"))
            port = listeners[0].socket.getsockname()[1]
            await trio.to_thread.run_sync(_reset_connection, port)
            with trio.fail_after(10):
                await ended.wait()
            served = await tri.tcp_client(port, ["beta"])
            nursery.cancel_scope.cancel()
        return served

    async def on_asyncio() -> list[str]:
        loop = asyncio.get_running_loop()
        lost: asyncio.Future[None] = loop.create_future()

        class Watched(aio.NumberedLines):  # type: ignore[name-defined]
            def connection_lost(self, exc: Exception | None) -> None:
                if not lost.done():
                    lost.set_result(None)

        server = await loop.create_server(Watched, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            await asyncio.to_thread(_reset_connection, port)
            async with asyncio.timeout(10):
                await lost
            return await aio.tcp_client(port, ["beta"])
        finally:
            server.close()
            await server.wait_closed()

    assert asyncio.run(on_asyncio()) == trio.run(on_trio) == ["1: beta"]


# --------------------------------------------------------------------------------------------
# timeout_at, PriorityQueue, LifoQueue, Barrier

QUEUE_LINES = [
    "timed out at +2 s",
    "priority 1: urgent", "priority 2: normal", "priority 3: low",
    "popped 3", "popped 2", "popped 1",
    "round 1: a passed at +3 s", "round 1: b passed at +3 s", "round 1: c passed at +3 s",
    "round 2: a passed at +6 s", "round 2: b passed at +6 s", "round 2: c passed at +6 s",
]


def test_the_queue_and_barrier_ports_behave_as_asyncios_own() -> None:
    assert run_asyncio(load("queues_asyncio").main) == QUEUE_LINES
    assert run_trio(load("queues_trio").main) == QUEUE_LINES


def test_timeout_at_becomes_fail_at_or_move_on_at_on_trios_own_clock() -> None:
    """``fail_at`` raises TooSlowError (not TimeoutError) at the deadline, ``move_on_at`` just
    ends the block; a deadline already past times out at the first await in both (no
    ValueError, unlike ``fail_after(-1)``). ``timeout_at(None)`` means no deadline, where
    ``fail_at(None)`` is a TypeError: use ``math.inf``. And the deadline must come from
    ``trio.current_time()``: Trio's clock is not ``time.monotonic()``, asyncio's is."""
    module = load("queues_trio")
    assert run_trio(module.move_on) == [True, 2]
    assert not issubclass(trio.TooSlowError, TimeoutError)

    async def past_asyncio() -> str:
        loop = asyncio.get_running_loop()
        async with asyncio.timeout_at(None):
            await asyncio.sleep(1)
        try:
            async with asyncio.timeout_at(loop.time() - 5):
                assert await _no_suspension() == 1  # an await that does not suspend: passes
                await asyncio.sleep(1)
        except TimeoutError:
            return "TimeoutError"
        return "none"

    async def past_trio() -> str:
        with pytest.raises(TypeError), trio.fail_at(None):  # type: ignore[arg-type]  # noqa: ASYNC100
            pass
        with pytest.raises(ValueError), trio.fail_after(-1):  # noqa: ASYNC100
            pass
        try:
            with trio.fail_at(trio.current_time() - 5):
                assert await _no_suspension() == 1  # not a checkpoint: passes
                await trio.sleep(1)
        except trio.TooSlowError:
            return "TooSlowError"
        return "none"

    assert run_asyncio(past_asyncio) == "TimeoutError"
    assert run_trio(past_trio) == "TooSlowError"

    async def asyncio_offset() -> float:
        return asyncio.get_running_loop().time() - time.monotonic()

    async def trio_offset() -> float:
        return trio.current_time() - time.monotonic()

    assert abs(asyncio.run(asyncio_offset())) < 1  # the default loop's clock is monotonic()
    assert abs(trio.run(trio_offset)) > 1000  # Trio adds a random offset on purpose


async def _no_suspension() -> int:
    return 1


def test_trio_and_trio_util_have_no_priority_queue_lifo_queue_or_barrier() -> None:
    for module in (trio, trio.lowlevel, trio_util):
        for name in ("PriorityQueue", "LifoQueue", "Queue", "Barrier"):
            assert not hasattr(module, name), f"{module.__name__}.{name}"


@pytest.mark.parametrize("kind", ["PriorityQueue", "LifoQueue"])
def test_the_queue_ports_hand_out_items_in_asyncios_order(kind: str) -> None:
    """Seeded items, all put before any get, or put while three getters wait: the items
    leave in the same order as from asyncio's queue, and a getter cancelled while waiting
    takes nothing with it. The ports' ``get`` and ``put`` are checkpoints even when they need
    not wait; asyncio's queues have ``shutdown()`` from Python 3.13, the ports do not."""
    items = random.Random(5).sample(range(100), 12)
    ports = load("queues_trio")

    # Everything put first, then taken.
    async def order_asyncio() -> list[int]:
        queue: asyncio.Queue[int] = getattr(asyncio, kind)()
        for item in items:
            await queue.put(item)
        return [await queue.get() for _ in items]

    async def order_trio() -> list[int]:
        queue = getattr(ports, kind)()
        for item in items:
            await queue.put(item)
        return [await queue.get() for _ in items]

    async def checkpoints() -> tuple[bool, bool, int]:
        queue = getattr(ports, kind)()
        queue.put_nowait(1)
        with trio.CancelScope() as get_scope:
            get_scope.cancel()
            await queue.get()  # an item is there, yet the cancelled get raises
        with trio.CancelScope() as put_scope:
            put_scope.cancel()
            await queue.put(2)
        return get_scope.cancelled_caught, put_scope.cancelled_caught, queue.qsize()

    assert run_trio(checkpoints) == (True, True, 1)  # nothing taken, nothing added
    assert hasattr(getattr(asyncio, kind), "shutdown") == (sys.version_info >= (3, 13))
    assert not hasattr(getattr(ports, kind), "shutdown")

    expected = sorted(items) if kind == "PriorityQueue" else items[::-1]
    assert run_asyncio(order_asyncio) == run_trio(order_trio) == expected
    # Getters waiting when the items arrive, one of them cancelled first.
    assert run_asyncio(_waiting_asyncio, kind, items) == run_trio(
        _waiting_trio, getattr(ports, kind), items)


async def _waiting_asyncio(kind: str, items: list[int]) -> list[int]:
    queue: asyncio.Queue[int] = getattr(asyncio, kind)()
    cancelled = asyncio.create_task(queue.get())  # waits on the empty queue, then cancelled
    await asyncio.sleep(1)
    cancelled.cancel()
    getters = [asyncio.create_task(queue.get()) for _ in range(3)]
    await asyncio.sleep(1)
    for item in items:
        queue.put_nowait(item)
    taken = sorted(await asyncio.gather(*getters))  # which getter took which: a choice
    return taken + [queue.get_nowait() for _ in range(queue.qsize())]


async def _waiting_trio(cls: type, items: list[int]) -> list[int]:
    queue = cls()
    with trio.move_on_after(1):
        await queue.get()  # waits on the empty queue, then cancelled
    taken: list[int] = []

    async def get() -> None:
        taken.append(await queue.get())

    async with trio.open_nursery() as nursery:
        for _ in range(3):
            nursery.start_soon(get)
        await trio.sleep(1)
        for item in items:
            queue.put_nowait(item)
    return sorted(taken) + [await queue.get() for _ in range(queue.qsize())]


def test_a_waiter_cancelled_at_the_barrier_leaves_the_round_in_both() -> None:
    """Three parties; a and b wait, b is cancelled, c arrives: still waiting (two of three);
    d completes the round. Indices are arrival order, counted again after b left."""
    barrier_cls = load("queues_trio").Barrier

    async def on_asyncio() -> list[Any]:
        barrier = asyncio.Barrier(3)
        log: list[tuple[str, int]] = []

        async def wait(name: str) -> None:
            log.append((name, await barrier.wait()))

        a = asyncio.create_task(wait("a"))
        b = asyncio.create_task(wait("b"))
        await asyncio.sleep(1)
        b.cancel()
        await asyncio.sleep(1)
        left = barrier.n_waiting
        c = asyncio.create_task(wait("c"))
        await asyncio.sleep(1)
        before_d = barrier.n_waiting
        d = asyncio.create_task(wait("d"))
        await asyncio.gather(a, c, d)
        return [left, before_d, sorted(log), barrier.n_waiting]

    async def on_trio() -> list[Any]:
        barrier = barrier_cls(3)
        log: list[tuple[str, int]] = []

        async def wait(name: str, task_status: trio.TaskStatus[trio.CancelScope]) -> None:
            with trio.CancelScope() as scope:
                task_status.started(scope)
                log.append((name, await barrier.wait()))

        async with trio.open_nursery() as nursery:
            await nursery.start(wait, "a")
            b = await nursery.start(wait, "b")
            await trio.sleep(1)
            b.cancel()
            await trio.sleep(1)
            left = barrier.n_waiting
            await nursery.start(wait, "c")
            await trio.sleep(1)
            before_d = barrier.n_waiting
            await nursery.start(wait, "d")
        return [left, before_d, sorted(log), barrier.n_waiting]

    expected = [1, 2, [("a", 0), ("c", 1), ("d", 2)], 0]
    assert run_asyncio(on_asyncio) == run_trio(on_trio) == expected

    # The cancelled waiter leaves when it next runs: a task that cancels it and arrives in
    # the same step (no checkpoint between) completes a round of two alone, in both.
    async def race_asyncio() -> list[tuple[str, Any]]:
        barrier = asyncio.Barrier(2)
        log: list[tuple[str, Any]] = []
        waiter = asyncio.create_task(barrier.wait())
        await asyncio.sleep(1)
        waiter.cancel()
        log.append(("x", await barrier.wait()))
        await asyncio.gather(waiter, return_exceptions=True)
        return [*log, ("waiter cancelled", waiter.cancelled())]

    async def race_trio() -> list[tuple[str, Any]]:
        barrier = barrier_cls(2)
        log: list[tuple[str, Any]] = []
        scope = trio.CancelScope()

        async def wait() -> None:
            with scope:
                await barrier.wait()

        async with trio.open_nursery() as nursery:
            nursery.start_soon(wait)
            await trio.sleep(1)
            scope.cancel()
            log.append(("x", await barrier.wait()))
        return [*log, ("waiter cancelled", scope.cancelled_caught)]

    assert run_asyncio(race_asyncio) == run_trio(race_trio) == [
        ("x", 1), ("waiter cancelled", True)]


# --------------------------------------------------------------------------------------------
# Finding blocking calls


def _await_after_the_block(name: str) -> int:
    """The line of the ``await`` right after ``time.sleep`` in ``blocker``."""
    lines = (EXAMPLES / f"{name}.py").read_text(encoding="utf-8").splitlines()
    block = next(n for n, line in enumerate(lines, 1) if "time.sleep(1.5)" in line)
    assert "await" in lines[block]  # the next line
    return block + 1


@pytest.mark.timeout(60)
def test_asyncio_debug_mode_names_the_blocking_task_and_not_the_others(
        caplog: pytest.LogCaptureFixture) -> None:
    """Real clock: the task that calls ``time.sleep(1.5)`` is reported once, with the line it
    waits on after the slow step; the task that only awaits is not (threshold 0.5 s: only a
    half-second stall of the whole process could report one of its tiny steps)."""
    with caplog.at_level(logging.WARNING, logger="asyncio"):
        assert asyncio.run(load("blocking_asyncio").main()) == ["slow step in task 'blocker'"]
    line = _await_after_the_block("blocking_asyncio")
    reports = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Executing")]
    assert len(reports) == 1
    assert re.search(rf"name='blocker' coro=<blocker\(\) running at .*blocking_asyncio\.py:"
                     rf"{line}>.* took \d+\.\d+ seconds$", reports[0]), reports[0]


@pytest.mark.timeout(60)
def test_debug_mode_shows_a_finished_task_where_it_is_defined(
        caplog: pytest.LogCaptureFixture) -> None:
    """When the slow step ends the task, there is no line it waits on: the repr says
    ``finished`` and where the coroutine is defined."""

    async def last() -> None:
        await asyncio.sleep(0)
        time.sleep(0.8)  # noqa: ASYNC251  # the task's last step

    async def main() -> None:
        asyncio.get_running_loop().slow_callback_duration = 0.5
        await asyncio.create_task(last(), name="last")

    with caplog.at_level(logging.WARNING, logger="asyncio"):
        asyncio.run(main(), debug=True)
    reports = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Executing")]
    assert len(reports) == 1
    assert re.match(r"Executing <Task finished name='last' coro=<.*last\(\) done, defined at "
                    r".*test_migration_apis\.py:\d+>", reports[0]), reports[0]


SLOW = """
import asyncio, time

async def blocker():
    time.sleep(0.8)
    await asyncio.sleep(0)

async def main():
    asyncio.get_running_loop().slow_callback_duration = 0.5
    await asyncio.create_task(blocker(), name="blocker")

asyncio.run(main()DEBUG)
"""


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("how", "flags", "env", "debug"), [
    ("off", [], {}, ""),
    ("debug=True", [], {}, ", debug=True"),
    ("PYTHONASYNCIODEBUG=1", [], {"PYTHONASYNCIODEBUG": "1"}, ""),
    ("python -X dev", ["-X", "dev"], {}, ""),
])
def test_each_way_to_turn_on_debug_mode_reports_a_slow_step(
        how: str, flags: list[str], env: dict[str, str], debug: str) -> None:
    """A fresh interpreter, no logging set up: the report reaches stderr through logging's
    last-resort handler. The threshold defaults to 0.1 s."""
    loop = asyncio.new_event_loop()
    try:
        assert loop.slow_callback_duration == 0.1
    finally:
        loop.close()
    clean = {k: v for k, v in os.environ.items()
             if k not in ("PYTHONASYNCIODEBUG", "PYTHONDEVMODE")}
    proc = subprocess.run([sys.executable, *flags, "-c", SLOW.replace("DEBUG", debug)],
                          env={**clean, **env}, capture_output=True, text=True, timeout=100)
    assert proc.returncode == 0, proc.stderr
    reported = re.findall(r"Executing <Task .*?name='(\w+)'.* took \d+\.\d+ seconds", proc.stderr)
    assert reported == ([] if how == "off" else ["blocker"]), proc.stderr


@pytest.mark.timeout(60)
def test_an_instrument_names_the_blocking_task_and_not_the_others(
        caplog: pytest.LogCaptureFixture) -> None:
    """The same program under Trio: ``SlowSteps`` reports ``blocker``, once, with the line it
    waits on after the slow step, and not ``well-behaved``; a step took at least the 1.5 s of
    the blocking call."""
    module = load("blocking_trio")
    with caplog.at_level(logging.WARNING, logger="slow_steps"):
        assert trio.run(module.main) == ["slow step in task 'blocker'"]
    line = _await_after_the_block("blocking_trio")
    reports = [r.getMessage() for r in caplog.records if r.name == "slow_steps"]
    assert len(reports) == 1
    assert re.fullmatch(rf"Task 'blocker' took \d+\.\d+ seconds in one step \(now at "
                        rf".*blocking_trio\.py:{line}\)", reports[0]), reports[0]
    took = float(reports[0].split(" took ")[1].split()[0])
    assert took >= 1.5  # a lower bound: a loaded machine only adds to it


@pytest.mark.timeout(60)
def test_with_eager_tasks_debug_mode_blames_the_task_that_created_the_blocker(
        caplog: pytest.LogCaptureFixture) -> None:
    """Python 3.12+: under ``asyncio.eager_task_factory`` a new task's first step runs inside
    ``create_task``, so a blocking call there is timed as a step of the *creating* task. On
    3.11 there are no eager tasks. (Trio's ``start_soon`` never runs the child at once.)"""
    if sys.version_info < (3, 12):
        assert not hasattr(asyncio, "eager_task_factory")
        return

    async def blocker() -> None:
        time.sleep(0.8)  # noqa: ASYNC251  # before the first await: runs eagerly
        await asyncio.sleep(0.01)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.slow_callback_duration = 0.5
        loop.set_task_factory(asyncio.eager_task_factory)
        asyncio.current_task().set_name("creator")
        await asyncio.create_task(blocker(), name="blocker")

    with caplog.at_level(logging.WARNING, logger="asyncio"):
        asyncio.run(main(), debug=True)
    # "Executing <Task pending name='creator' coro=<main() ...> wait_for=<Task ...
    # name='blocker' ...>> took 0.801 seconds": the task timed is the first named
    blamed = [re.findall(r"name='([^']+)'", r.getMessage())[0] for r in caplog.records
              if r.getMessage().startswith("Executing")]
    assert blamed == ["creator"]


def test_trio_start_soon_never_runs_the_child_at_once() -> None:
    """The child's first line runs only after the parent's next checkpoint."""
    log: list[str] = []

    async def child() -> None:
        log.append("child")

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(child)
            log.append("parent, after start_soon")

    run_trio(main)
    assert log == ["parent, after start_soon", "child"]


class FakeClock:
    """A clock only ``block`` moves: steps are timed without real time or sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def block(self, seconds: float) -> None:
        self.now += seconds


def test_the_instrument_times_every_kind_of_step() -> None:
    """A fake clock moved only by the "blocking" calls: the main task's first step, a child's
    first step, a child's middle step woken by an Event, and a step that ends the task are
    each reported with their own duration; steps that do not block never are."""
    clock = FakeClock()
    steps = load("blocking_trio").SlowSteps(threshold=1, clock=clock)

    async def child_first() -> None:
        clock.block(2)
        await trio.lowlevel.checkpoint()

    async def child_woken(event: trio.Event) -> None:
        await event.wait()
        clock.block(3)
        await trio.lowlevel.checkpoint()

    async def child_last(send: trio.MemorySendChannel[int]) -> None:
        async with send:
            await send.send(1)
        clock.block(4)  # no await after it: the step ends the task

    async def quiet() -> None:
        for _ in range(20):
            await trio.lowlevel.checkpoint()
            clock.block(0.5)  # below the threshold

    async def main() -> None:
        clock.block(1)  # the main task's first step: exactly the threshold
        event = trio.Event()
        send, receive = trio.open_memory_channel[int](0)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(child_first, name="first")
            nursery.start_soon(child_woken, event, name="woken")
            nursery.start_soon(child_last, send, name="last")
            nursery.start_soon(quiet, name="quiet")
            await trio.sleep(1)
            event.set()
            async with receive:
                await receive.receive()

    trio.run(main, clock=mock_clock(), instruments=[steps])
    # the main task is named after its function's qualified name: keep the last part
    slow = sorted((name.rsplit(".", 1)[-1], took) for name, took in steps.slow)
    assert slow == [("first", 2), ("last", 4), ("main", 1), ("woken", 3)]


def test_the_instrument_added_for_a_while_can_be_added_again() -> None:
    """``with steps:`` adds and removes it. Trio never calls ``after_task_step`` for the step
    in which an instrument is removed, so a bare ``remove_instrument`` leaves that step open,
    and adding the same instance again times the task from there: ten fake seconds of steps
    made while it was off. Leaving the ``with`` block forgets the open step."""
    clock = FakeClock()
    module = load("blocking_trio")

    async def on_and_off(steps: Any, bare: bool) -> None:
        for _ in range(2):
            if bare:
                trio.lowlevel.add_instrument(steps)
                await trio.lowlevel.checkpoint()
                trio.lowlevel.remove_instrument(steps)
            else:
                with steps:
                    await trio.lowlevel.checkpoint()
            clock.block(5)  # instrument off: nothing should be timed
            await trio.lowlevel.checkpoint()
            clock.block(5)

    for bare, expected in ((True, [10.0]), (False, [])):
        steps = module.SlowSteps(threshold=1, clock=clock)
        trio.run(on_and_off, steps, bare, clock=mock_clock())
        assert [took for _, took in steps.slow] == expected


@pytest.mark.timeout(60)
def test_one_instrument_watches_runs_in_two_threads() -> None:
    """One SlowSteps in two runs at once, each in its own thread: while the first run's task
    is in a slow step, the second run's tasks step too; the slow step is still timed, by its
    own start (the fake clock moves only in the slow step)."""
    clock = FakeClock()
    steps = load("blocking_trio").SlowSteps(threshold=1, clock=clock)
    in_slow_step, other_run_done = threading.Event(), threading.Event()

    async def slow() -> None:
        await trio.lowlevel.checkpoint()
        in_slow_step.set()
        assert other_run_done.wait(30)  # blocks this run on purpose
        clock.block(2)
        await trio.lowlevel.checkpoint()

    async def quick() -> None:
        for _ in range(3):
            await trio.lowlevel.checkpoint()

    def run_quick() -> None:
        assert in_slow_step.wait(30)
        trio.run(quick, instruments=[steps])
        other_run_done.set()

    thread = threading.Thread(target=run_quick)
    thread.start()
    try:
        trio.run(slow, instruments=[steps])
    finally:
        other_run_done.set()
        thread.join(30)
    assert [(name.rsplit(".", 1)[-1], took) for name, took in steps.slow] == [("slow", 2)]


def test_the_instrument_reports_code_whose_globals_have_no_name(
        caplog: pytest.LogCaptureFixture) -> None:
    """A coroutine defined by ``exec(source, {})`` has no ``__name__`` in its globals: the
    instrument still reports both of its slow steps (it is not disabled by a KeyError)."""
    clock = FakeClock()
    steps = load("blocking_trio").SlowSteps(threshold=1, clock=clock)
    namespace: dict[str, Any] = {"trio": trio, "block": clock.block}
    exec("async def nameless():\n"
         "    for _ in range(2):\n"
         "        block(2)\n"
         "        await trio.lowlevel.checkpoint()\n", namespace)

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(namespace["nameless"], name="nameless")

    with caplog.at_level(logging.WARNING, logger="slow_steps"):
        trio.run(main, instruments=[steps], clock=mock_clock())
    assert steps.slow == [("nameless", 2), ("nameless", 2)]
    assert not [r for r in caplog.records if "disabled" in r.getMessage()]


@pytest.mark.timeout(60)
def test_a_virtual_clock_hides_a_blocking_call_from_debug_mode_and_task_stats(
        caplog: pytest.LogCaptureFixture) -> None:
    """asyncio's debug mode and trio-util's TaskStats time steps with the framework's clock;
    on a virtual clock a ``time.sleep`` takes no time and nothing is reported. SlowSteps reads
    ``time.perf_counter()`` and still sees it; so does TaskStats given ``current_time=``."""
    aio, tri = load("blocking_asyncio"), load("blocking_trio")
    assert run_asyncio(aio.main) == []
    assert run_trio(tri.main) == ["slow step in task 'blocker'"]

    def task_stats_names(clock: trio.abc.Clock | None, **kwargs: Any) -> set[str]:
        stats = trio_util.TaskStats(slow_task_threshold=tri.THRESHOLD, **kwargs)

        async def main() -> None:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(tri.well_behaved, name="well-behaved")
                nursery.start_soon(tri.blocker, name="blocker")

        trio.run(main, clock=clock, instruments=[stats])
        return set(stats.slow_task_steps)

    with caplog.at_level(logging.INFO, logger="trio_util._task_stats"):
        assert task_stats_names(mock_clock()) == set()
    # A MockClock with a rate follows real time, blocking calls included.
    assert task_stats_names(trio.testing.MockClock(rate=1)) == {"blocker"}
    assert not [r for r in caplog.records if "slow task step" in r.getMessage()]
    assert task_stats_names(mock_clock(), current_time=time.perf_counter) == {"blocker"}
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="trio_util._task_stats"):
        assert task_stats_names(None) == {"blocker"}  # Trio's real clock
    # logged once the run ends, at INFO, on the module's logger
    assert [(r.levelname, r.name) for r in caplog.records
            if "slow task step events" in r.getMessage()] == [("INFO", "trio_util._task_stats")]


def test_the_task_tree_shows_the_nursery_each_task_lives_in_not_who_called_start_soon() -> None:
    """debugging_trio's ``tree()``: a task that calls ``start_soon`` on a nursery it was handed
    puts the child under that nursery's owner, not under itself."""
    module = load("debugging_trio")

    async def spawner(nursery: trio.Nursery,
                      task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        nursery.start_soon(trio.sleep_forever, name="started-by-spawner")
        task_status.started()
        await trio.sleep_forever()

    async def main() -> list[str]:
        trio.lowlevel.current_task().name = "main"
        async with trio.open_nursery() as outer:
            async with trio.open_nursery() as inner:
                await inner.start(spawner, outer, name="spawner")
                await trio.lowlevel.checkpoint()
                shape = module.tree()
                inner.cancel_scope.cancel()
            outer.cancel_scope.cancel()
        return [line for line in shape if not line.lstrip().startswith("<")]

    main_line, *children = run_trio(main)  # a nursery's children come in no set order
    assert (main_line, sorted(children)) == ("  main", ["    spawner", "    started-by-spawner"])


# --------------------------------------------------------------------------------------------
# Every example runs as a script


SCRIPTS = {
    "futures_asyncio.py": FUTURE_LINES,
    "futures_trio.py": [*FUTURE_LINES, "received 42", "the sender closed without a value",
                        "waited for 0.5, saw 0.5", "waited for 1, saw 1"],
    "protocols_asyncio.py": PROTOCOL_LINES,
    "protocols_trio.py": PROTOCOL_LINES,
    "queues_asyncio.py": QUEUE_LINES,
    "queues_trio.py": QUEUE_LINES,
    "blocking_asyncio.py": ["slow step in task 'blocker'"],
    "blocking_trio.py": ["slow step in task 'blocker'"],
}


#: The examples that wait on the real clock (futures: up to 5 s, queues: 9 s) and only wait:
#: they all start at once, so the module waits about as long as the longest, not the sum. The
#: blocking pair is timed by its own run (a step longer than 0.5 s is the bug it reports), so
#: it runs alone, on a machine no busier than the rest of the suite makes it.
TOGETHER = sorted(name for name in SCRIPTS if not name.startswith("blocking_"))


def start_script(name: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONDEVMODE": "1", "PYTHONWARNINGS": "error"}
    return subprocess.Popen([sys.executable, "-W", "error", str(EXAMPLES / name)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def started_scripts() -> Iterator[dict[str, subprocess.Popen[str]]]:
    """The TOGETHER scripts, started once for the module; each test reads its own."""
    procs: dict[str, subprocess.Popen[str]] = {}
    try:
        for name in TOGETHER:
            procs[name] = start_script(name)
        yield procs
    finally:
        for proc in procs.values():  # a test that ran has read and closed its pipes
            if proc.poll() is None:
                proc.kill()
            for pipe in (proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()
            proc.wait()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_each_api_example_runs_as_a_script(
        name: str, request: pytest.FixtureRequest) -> None:
    if name in TOGETHER:
        proc = request.getfixturevalue("started_scripts")[name]
    else:
        proc = start_script(name)
    try:
        stdout, stderr = proc.communicate(timeout=100)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    assert stdout.splitlines() == SCRIPTS[name]
    if name == "blocking_trio.py":  # the instrument's own report
        assert re.fullmatch(r"Task 'blocker' took \d+\.\d+ seconds in one step \(now at .*\)\n",
                            stderr), stderr
    else:
        assert not re.sub(r"Executing <.*> took \d+\.\d+ seconds\n", "", stderr)
