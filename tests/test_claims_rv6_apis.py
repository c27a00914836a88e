"""Claims of docs/migration/asyncio-apis.md and docs/concepts.md that an outside review
(RV7-apis) found half true or unproven, each tested where it could break.

The futures example's two waiters (F5), a reply that fails to send in the UDP servers (F6),
an unconnected UDP socket and a closed port (F1), Trio's clock offset (F2), the barrier's
index repeat when Trio runs an arrival and a cancelled waiter in one batch (F3), asyncio's
socket-level UDP calls (F4) and what closing a server does to its connections (F9).

UDP and TCP run on 127.0.0.1 on real clocks, each wait bounded; the barrier runs on a
virtual clock with Trio's scheduler seeded. Checked against trio 0.35 and CPython 3.11+.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import pytest
import trio
import trio.lowlevel
import trio.socket

from tests.conftest import load_file
from tests.test_claims_apis_review import seeded_scheduler
from tests.test_migration_apis import FUTURE_LINES, run_trio
from walkthrough.clocks import VirtualTimeLoop

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "migration"
HOST = "127.0.0.1"
#: more than a UDP datagram can hold: sending it fails locally with EMSGSIZE
TOO_BIG = b"x" * 70_000


def load(name: str) -> ModuleType:
    return load_file(EXAMPLES / f"{name}.py", f"claims_rv6_apis_{name}")


def closed_udp_port() -> int:
    """A UDP port on 127.0.0.1 where nobody listens (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


# --------------------------------------------------------------------------------------------
# F5. The asyncio futures example: two tasks await the future, as on the Trio side.


def test_two_tasks_await_the_future_in_the_asyncio_futures_example() -> None:
    """``gather(future, future)`` awaits the one future once and reports its result twice; the
    example starts two tasks that each await it. Counted by the task wakeups registered on the
    future ``main`` sets to 42, at the moment it is set: two (and the done-callback)."""
    waiting: list[list[str]] = []

    class CountingFuture(asyncio.Future[Any]):
        def set_result(self, result: Any) -> None:
            if result != 42:  # a sleep's future, not the example's
                return super().set_result(result)
            waiting.append([
                "task" if isinstance(getattr(callback, "__self__", None), asyncio.Task)
                else "other"
                for callback, _ in self._callbacks  # type: ignore[attr-defined]
            ])
            super().set_result(result)

    class Loop(VirtualTimeLoop):
        def create_future(self) -> asyncio.Future[Any]:
            return CountingFuture(loop=self)

    with asyncio.Runner(loop_factory=Loop) as runner:
        lines = runner.run(load("futures_asyncio").main())
    assert lines == FUTURE_LINES
    assert len(waiting) == 1
    assert sorted(waiting[0]) == ["other", "task", "task"]  # the callback, two waiting tasks


# --------------------------------------------------------------------------------------------
# F6. A send that fails locally: error_received in asyncio, raised by sendto itself in Trio.


def test_a_failed_sendto_goes_to_error_received_in_asyncio_and_raises_from_sendto_in_trio(
) -> None:
    """A datagram too big to send: asyncio's ``transport.sendto`` returns and the protocol's
    ``error_received`` gets ``OSError`` (EMSGSIZE); Trio's ``sendto`` raises it itself."""
    port = closed_udp_port()

    class Errors(asyncio.DatagramProtocol):
        def __init__(self) -> None:
            self.errors: list[OSError] = []

        def error_received(self, exc: Exception) -> None:
            self.errors.append(cast(OSError, exc))

    async def on_asyncio() -> tuple[object, list[OSError]]:
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.create_datagram_endpoint(Errors, local_addr=(HOST, 0))
        returned = transport.sendto(TOO_BIG, (HOST, port))  # type: ignore[func-returns-value]
        await asyncio.sleep(0.1)
        transport.close()
        return returned, protocol.errors

    returned, errors = asyncio.run(on_asyncio())
    assert returned is None
    assert [type(e) for e in errors] == [OSError] and errors[0].errno == 90  # EMSGSIZE

    async def on_trio() -> None:
        with trio.socket.socket(trio.socket.AF_INET, trio.socket.SOCK_DGRAM) as sock:
            await sock.bind((HOST, 0))
            await sock.sendto(TOO_BIG, (HOST, port))

    with pytest.raises(OSError) as raised:
        trio.run(on_trio)
    assert raised.value.errno == 90


class FirstDatagramTooBig:
    """A Trio UDP socket whose first ``recvfrom`` gives a datagram too big to send back, from
    ``addr``; then the real socket. The server's reply to it fails in the real ``sendto``."""

    def __init__(self, sock: trio.socket.SocketType, addr: tuple[str, int]) -> None:
        self.sock, self.addr, self.first = sock, addr, True

    async def recvfrom(self, n: int) -> tuple[bytes, Any]:
        if self.first:
            self.first = False
            await trio.lowlevel.checkpoint()
            return TOO_BIG, self.addr
        return await self.sock.recvfrom(n)

    async def sendto(self, data: bytes, addr: Any) -> int:
        return await self.sock.sendto(data, addr)


def test_a_reply_that_fails_to_send_ends_only_that_reply_in_both_udp_servers() -> None:
    """The UDP server of each example gets a datagram whose upper-cased reply cannot be sent
    (EMSGSIZE, from the real socket), then the client's word: both answer the word."""
    protocols_asyncio = load("protocols_asyncio")
    protocols_trio = load("protocols_trio")

    async def on_asyncio() -> bytes:
        loop = asyncio.get_running_loop()
        server, _ = await loop.create_datagram_endpoint(
            protocols_asyncio.UpperCaseDatagrams, local_addr=(HOST, 0))
        protocol = cast(Any, server.get_protocol())
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
            client.bind((HOST, 0))
            client.setblocking(False)
            protocol.datagram_received(TOO_BIG, client.getsockname())  # its reply fails
            await loop.sock_sendto(client, b"one", server.get_extra_info("sockname"))
            async with asyncio.timeout(5):
                data, _ = await loop.sock_recvfrom(client, 65536)
        server.close()
        return data

    async def on_trio() -> bytes:
        with trio.socket.socket(trio.socket.AF_INET, trio.socket.SOCK_DGRAM) as server, \
                trio.socket.socket(trio.socket.AF_INET, trio.socket.SOCK_DGRAM) as client:
            await server.bind((HOST, 0))
            await client.bind((HOST, 0))
            async with trio.open_nursery() as nursery:
                wrapped = FirstDatagramTooBig(server, client.getsockname())
                nursery.start_soon(protocols_trio.upper_case_datagrams, wrapped)
                await trio.sleep(0.1)
                await client.sendto(b"one", server.getsockname())
                with trio.fail_after(5):
                    data, _ = await client.recvfrom(65536)
                nursery.cancel_scope.cancel()
        return data

    assert asyncio.run(on_asyncio()) == trio.run(on_trio) == b"ONE"


# --------------------------------------------------------------------------------------------
# F1. An unconnected UDP socket hears nothing of a closed port, in either framework.


def test_an_unconnected_udp_socket_hears_nothing_of_a_closed_port_in_either() -> None:
    """Three ``sendto`` to a closed port from an unconnected socket (Linux): asyncio's
    ``error_received`` is never called; Trio's ``sendto`` calls and the ``recvfrom`` after
    them raise nothing (the ``recvfrom`` waits until its timeout). Connected, both hear it."""
    port = closed_udp_port()

    class Errors(asyncio.DatagramProtocol):
        def __init__(self) -> None:
            self.errors: list[str] = []

        def error_received(self, exc: Exception) -> None:
            self.errors.append(type(exc).__name__)

    async def on_asyncio(connected: bool) -> list[str]:
        loop = asyncio.get_running_loop()
        where: dict[str, Any] = (
            {"remote_addr": (HOST, port)} if connected else {"local_addr": (HOST, 0)})
        transport, protocol = await loop.create_datagram_endpoint(Errors, **where)
        for _ in range(3):
            transport.sendto(b"x", None if connected else (HOST, port))
            await asyncio.sleep(0.1)
        transport.close()
        return protocol.errors

    async def on_trio() -> list[str]:
        out = []
        with trio.socket.socket(trio.socket.AF_INET, trio.socket.SOCK_DGRAM) as sock:
            await sock.bind((HOST, 0))
            for _ in range(3):
                await sock.sendto(b"x", (HOST, port))
                out.append("sent")
            with trio.move_on_after(0.5):
                await sock.recvfrom(10)
                out.append("received")
            out.append("recv timed out")
        return out

    assert asyncio.run(on_asyncio(connected=False)) == []
    assert trio.run(on_trio) == ["sent", "sent", "sent", "recv timed out"]
    assert "ConnectionRefusedError" in asyncio.run(on_asyncio(connected=True))


# --------------------------------------------------------------------------------------------
# F2. Trio's default clock: perf_counter plus a random offset of 10,000 to 200,000 s.


def test_trios_default_clock_is_perf_counter_plus_an_offset_of_10_000_to_200_000_s() -> None:
    """In a run on the default clock, ``current_time() - perf_counter()`` lies between 10,000
    and 200,000 s and differs from run to run; asyncio's loop clock is ``time.monotonic()``."""

    async def offset() -> float:
        return trio.current_time() - time.perf_counter()

    offsets = [trio.run(offset) for _ in range(50)]
    assert all(10_000 <= o <= 200_000 for o in offsets)
    assert len({round(o) for o in offsets}) > 40  # random, per run

    async def loop_clock() -> float:
        return asyncio.get_running_loop().time() - time.monotonic()

    assert abs(asyncio.run(loop_clock())) < 1


# --------------------------------------------------------------------------------------------
# F3. The barrier: Trio repeats an index when an arrival and the cancelled waiter share a batch.


def test_a_barrier_index_repeats_in_trio_when_the_scheduler_picks_the_arrival_first() -> None:
    """Three parties. A waits; B is started and A's scope cancelled in the same step, so B's
    first step and A's wakeup run in one batch. Over seeded runs of the port: when A leaves
    first, B gets 0; when B arrives first, B takes 1 and C takes 1 again; both occur, and
    nothing else. (asyncio, created before the cancel: always the repeat, in the test the page
    names.)"""
    barrier_cls = load("queues_trio").Barrier

    async def created_before_the_cancel() -> tuple[tuple[str, int], ...]:
        barrier = barrier_cls(3)
        log: list[tuple[str, int]] = []
        scope = trio.CancelScope()

        async def wait(name: str) -> None:
            log.append((name, await barrier.wait()))

        async def a() -> None:
            with scope:
                await wait("A")

        async with trio.open_nursery() as nursery:
            nursery.start_soon(a)
            await trio.sleep(1)
            nursery.start_soon(wait, "B")  # B's first step is queued...
            scope.cancel()  # ...and A's wakeup: one batch
            await trio.sleep(1)
            nursery.start_soon(wait, "C")
            await trio.sleep(1)
            nursery.start_soon(wait, "D")
        return tuple(sorted(log))

    seen = set()
    for seed in range(30):
        with seeded_scheduler(seed):
            seen.add(run_trio(created_before_the_cancel))
    assert seen == {(("B", 0), ("C", 1), ("D", 2)), (("B", 1), ("C", 1), ("D", 2))}


# --------------------------------------------------------------------------------------------
# F4. asyncio's socket-level UDP calls (3.11+) port one for one.


def test_asyncios_socket_level_udp_calls_port_one_for_one_to_a_trio_socket() -> None:
    """``await loop.sock_sendto(sock, data, addr)`` / ``await loop.sock_recvfrom(sock, n)``
    (3.11+) and a ``trio.socket`` socket's ``sendto`` / ``recvfrom``: the same datagram and
    sender address on each side."""

    async def on_asyncio() -> tuple[bytes, bool]:
        loop = asyncio.get_running_loop()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as a, \
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as b:
            a.bind((HOST, 0))
            b.bind((HOST, 0))
            a.setblocking(False)
            b.setblocking(False)
            await loop.sock_sendto(b, b"ping", a.getsockname())
            async with asyncio.timeout(5):
                data, addr = await loop.sock_recvfrom(a, 100)
            return data, addr == b.getsockname()

    async def on_trio() -> tuple[bytes, bool]:
        with trio.socket.socket(trio.socket.AF_INET, trio.socket.SOCK_DGRAM) as a, \
                trio.socket.socket(trio.socket.AF_INET, trio.socket.SOCK_DGRAM) as b:
            await a.bind((HOST, 0))
            await b.bind((HOST, 0))
            await b.sendto(b"ping", a.getsockname())
            with trio.fail_after(5):
                data, addr = await a.recvfrom(100)
            return data, addr == b.getsockname()

    assert asyncio.run(on_asyncio()) == trio.run(on_trio) == (b"ping", True)


# --------------------------------------------------------------------------------------------
# F9. asyncio's Server.close() leaves connections open; cancelling serve_tcp closes them.


def _state_after(client: socket.socket) -> str:
    """What a non-blocking read of the client sees: still open, closed (EOF), or data."""
    client.setblocking(False)
    try:
        data = client.recv(10)
    except BlockingIOError:
        return "still open"
    return "closed" if data == b"" else f"data {data!r}"


def test_asyncio_server_close_leaves_connections_open_serve_tcp_cancelled_closes_them() -> None:
    """A client connected to a handler that waits: after asyncio's ``server.close()`` and a
    moment, the client's socket is still open (no EOF); on 3.13+ ``server.close_clients()``
    then closes it. After ``serve_tcp`` is cancelled, the client reads EOF."""

    async def on_asyncio() -> list[str]:
        writers: list[asyncio.StreamWriter] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writers.append(writer)
            await asyncio.sleep(3600)

        server = await asyncio.start_server(handle, HOST, 0)
        port = server.sockets[0].getsockname()[1]
        states = []
        with socket.create_connection((HOST, port)) as client:
            await asyncio.sleep(0.1)
            server.close()
            await asyncio.sleep(0.2)
            states.append(_state_after(client))
            if sys.version_info >= (3, 13):
                server.close_clients()  # type: ignore[attr-defined]
                await asyncio.sleep(0.2)
                states.append(_state_after(client))
        for writer in writers:
            writer.close()
        await asyncio.sleep(0)
        return states

    expected = ["still open", "closed"] if sys.version_info >= (3, 13) else ["still open"]
    assert asyncio.run(on_asyncio()) == expected

    async def on_trio() -> str:
        async def handle(stream: trio.SocketStream) -> None:
            await trio.sleep_forever()

        async with trio.open_nursery() as nursery:
            listeners = await nursery.start(partial(trio.serve_tcp, handle, 0, host=HOST))
            port = listeners[0].socket.getsockname()[1]
            client = await trio.to_thread.run_sync(socket.create_connection, (HOST, port))
            with client:
                await trio.sleep(0.1)
                nursery.cancel_scope.cancel()
                with trio.CancelScope(shield=True):
                    await trio.sleep(0.2)
                    return _state_after(client)
        raise AssertionError("unreachable")

    assert trio.run(on_trio) == "closed"
