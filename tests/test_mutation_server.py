"""Lesson 8's server twins, in the test process: what mutmut can see (issue 27).

``tests/test_server.py`` and ``tests/test_server_hostile.py`` run each twin as a child process,
where mutmut sees no call: every function of ``asyncio_ref/server.py`` and
``trio_port/server.py`` but ``handle`` was "no tests". These tests run the same code here, on
real sockets on 127.0.0.1, each test on both twins:

- ``serve`` on a virtual clock (``walkthrough.clocks.VirtualTimeLoop``, Trio's ``MockClock``)
  with its clients as tasks of the same loop: an idle limit of 2.5 s, a send deadline, the
  retries after a failed accept take no real time, and "at once" is checked as "no virtual time
  passed";
- ``main`` and ``run`` in the main thread, as ``python -m PKG.server`` runs them, with real
  SIGINTs sent to this process (the twin blocks SIGINT as it stops: a fixture unblocks it and
  swallows a press still pending);
- the small pieces alone where no session reaches a case: ``AcceptErrors`` at the episode's
  boundary, ``peer`` of a connection the client reset, ``warn`` with a stderr that is gone,
  ``_until_ctrl_c`` with SIGINT ignored or the task cancelled by someone else.

A stdout or stderr here is a stand-in that, like a pipe, shows only what was flushed: the
listening line must be flushed, or the client that waits for it never connects.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import gc
import importlib
import logging
import math
import os
import re
import resource
import signal
import socket
import struct
import sys
import threading
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest
import trio

from walkthrough.clocks import VirtualTimeLoop, mock_clock

PACKAGES = {"asyncio": "asyncio_ref", "trio": "trio_port"}
#: Seconds (virtual in the serve tests, real in the others) any one wait of a test may take.
WAIT = 10.0
ACCEPT_LINE = ("error: cannot accept clients for now (Too many open files): "
               "they wait in the queue\n")


def twin(impl: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGES[impl]}.server")


class Flushed:
    """A stdout or stderr that, like a pipe, shows a reader only what was flushed."""

    def __init__(self, on_flush: Callable[[str], None] | None = None) -> None:
        self.pending: list[str] = []
        self.text = ""
        self.on_flush = on_flush

    def write(self, text: str) -> int:
        self.pending.append(text)
        return len(text)

    def flush(self) -> None:
        self.text += "".join(self.pending)
        self.pending.clear()
        if self.on_flush is not None:
            self.on_flush(self.text)

    def isatty(self) -> bool:
        return False


def standins(monkeypatch: pytest.MonkeyPatch) -> tuple[Flushed, Flushed]:
    """A stdout and a stderr for the rest of the test. Called in the test itself: pytest's
    capture puts its own streams back between a fixture's setup and the test."""
    out, err = Flushed(), Flushed()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    return out, err


@pytest.fixture(autouse=True)
def sigint_restored() -> Iterator[None]:
    """SIGINT as a terminal gives it. The twins block it in the main thread once Ctrl-C came
    (``hold_ctrl_c``): unblock it after each test, and swallow a press still pending, which
    would otherwise raise KeyboardInterrupt in pytest."""
    handler = signal.getsignal(signal.SIGINT)
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    # Python's own handler, as a terminal starts the server with, even when this run was
    # started in the background by a shell without job control (SIGINT ignored, inherited).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if signal.SIGINT in signal.sigpending():
            signal.sigwait({signal.SIGINT})
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGINT, handler)


def sigint_blocked() -> bool:
    return signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def reset(sock: socket.socket) -> None:
    """Close with a reset (RST), as a client that crashes or is killed does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


# --------------------------------------------------------------------------------------------
# Clients as tasks of the server's own loop, on its virtual clock.


@dataclass
class Client:
    sock: socket.socket
    net: Net
    #: The server closed the connection (end of stream, or a reset).
    ended: bool = False

    async def send(self, data: bytes) -> None:
        await self.net.sendall(self.sock, data)

    async def receive(self, n: int | None = None, within: float = 1.0) -> bytes:
        """What arrives within ``within`` virtual seconds: ``n`` bytes, or all until the server
        closes the connection (``ended``)."""
        got = b""
        async with self.net.deadline(within):
            while n is None or len(got) < n:
                try:
                    chunk = await self.net.recv(self.sock, 65536 if n is None else n - len(got))
                except ConnectionResetError:
                    chunk = b""
                if not chunk:
                    self.ended = True
                    break
                got += chunk
        return got

    def port(self) -> int:
        return int(self.sock.getsockname()[1])


@dataclass
class Net:
    """The few socket operations a script needs, in one framework, on its clock."""

    impl: str
    clients: list[socket.socket] = field(default_factory=list)

    def now(self) -> float:
        if self.impl == "asyncio":
            return asyncio.get_running_loop().time()
        return trio.current_time()

    async def sleep(self, seconds: float) -> None:
        if self.impl == "asyncio":
            await asyncio.sleep(seconds)
        else:
            await trio.sleep(seconds)

    @contextlib.asynccontextmanager
    async def deadline(self, seconds: float) -> AsyncIterator[None]:
        """Give up (quietly) after ``seconds``: the caller checks what it got."""
        if self.impl == "asyncio":
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    yield
        else:
            with trio.move_on_after(seconds):
                yield

    async def connect(self, port: int, *, rcvbuf: int | None = None) -> Client:
        sock = socket.socket()
        self.clients.append(sock)
        # Each send, a packet now: Nagle would hold a second small send until the server's
        # delayed ACK, 40 ms of real time, which a virtual clock that jumps does not wait for.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if rcvbuf is not None:  # before connecting: it sets the window the client offers
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.setblocking(False)
        if self.impl == "asyncio":
            await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
        else:
            with contextlib.suppress(BlockingIOError):
                sock.connect(("127.0.0.1", port))
            await trio.lowlevel.wait_writable(sock)
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
        return Client(sock, self)

    async def sendall(self, sock: socket.socket, data: bytes) -> None:
        if self.impl == "asyncio":
            await asyncio.get_running_loop().sock_sendall(sock, data)
            return
        view = memoryview(data)
        while view:
            await trio.lowlevel.wait_writable(sock)
            with contextlib.suppress(BlockingIOError):
                view = view[sock.send(view):]

    async def recv(self, sock: socket.socket, n: int) -> bytes:
        if self.impl == "asyncio":
            return await asyncio.get_running_loop().sock_recv(sock, n)
        while True:
            await trio.lowlevel.wait_readable(sock)
            with contextlib.suppress(BlockingIOError):
                return sock.recv(n)

    def close(self) -> None:
        for sock in self.clients:
            sock.close()


Script = Callable[[Net, int], Awaitable[None]]


def serving(impl: str, script: Script, out: Flushed, **options: float) -> float:
    """Run the twin's ``serve(0, **options)`` on a virtual clock, then ``script(net, port)`` in
    the same loop once the listening line is flushed, then cancel the server as Ctrl-C does.

    Returns the virtual seconds the server took to stop once cancelled. Fails if the server
    stopped by itself, or left a task of its own behind (asyncio)."""
    server = twin(impl)
    stopped_after: list[float] = []

    async def port_of_listening_line(net: Net) -> int:
        for _ in range(100_000):  # steps, not seconds: the clock stands still meanwhile
            if "\n" in out.text:
                break
            await net.sleep(0)
        match = re.fullmatch(r"listening on 127\.0\.0\.1:(\d+)\n", out.text)
        assert match, out.text
        return int(match.group(1))

    async def main_asyncio() -> None:
        net = Net("asyncio")
        task = asyncio.create_task(server.serve(0, **options))
        try:
            await script(net, await port_of_listening_line(net))
            assert not task.done(), "the server stopped by itself"
            task.cancel()
            start = net.now()
            with contextlib.suppress(asyncio.CancelledError):
                async with asyncio.timeout(WAIT):
                    await task
            stopped_after.append(net.now() - start)
            assert task.cancelled()
            left = asyncio.all_tasks() - {asyncio.current_task()}
            assert not left, f"the server left tasks behind: {left}"
        finally:
            task.cancel()
            net.close()

    async def main_trio() -> None:
        net = Net("trio")
        async with trio.open_nursery() as nursery:
            nursery.start_soon(functools.partial(server.serve, 0, **options))
            try:
                await script(net, await port_of_listening_line(net))
            finally:
                net.close()
            nursery.cancel_scope.cancel()
            start = net.now()
        stopped_after.append(net.now() - start)

    if impl == "asyncio":
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            runner.run(main_asyncio())
    else:
        trio.run(main_trio, clock=mock_clock())
    return stopped_after[0]


def options(**given: float) -> dict[str, float]:
    return {"idle_timeout": 60.0, "max_line": 1024, "send_timeout": 30.0, **given}


# --------------------------------------------------------------------------------------------
# Lines: echoed as soon as complete, each byte once, the limit at exactly max_line.


@pytest.mark.timeout(60)
def test_every_line_comes_back_whole_and_at_once_up_to_exactly_max_line(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, err = standins(monkeypatch)
    limit = 32

    async def script(net: Net, port: int) -> None:
        client = await net.connect(port)
        start = net.now()
        await client.send(b"\n")  # an empty line, alone: nothing else comes to push it out
        assert await client.receive(1) == b"\n"
        await client.send(b"1\n2\n\n3\n")  # several in one packet, an empty one among them
        assert await client.receive(7) == b"1\n2\n\n3\n"
        assert net.now() == start, "echoing lines already there took virtual time"
        await client.send(b"a line in ")
        assert await client.receive(within=1) == b""  # no newline yet: nothing
        await client.send(b"two\nok\n")  # its end, and a shorter line after it
        assert await client.receive(17) == b"a line in two\nok\n"
        # The limit: a line of exactly max_line bytes, its newline late, is a line.
        await client.send(b"x" * limit)
        assert await client.receive(within=1) == b""
        assert not client.ended
        await client.send(b"\n")
        assert await client.receive(limit + 1) == b"x" * limit + b"\n"
        # Two lines in one packet, together longer than max_line: each within it.
        both = b"\n" + b"y" * limit + b"\n" + b"z" * 20 + b"\n" + b"z" * 20 + b"\n"
        await client.send(both)
        assert await client.receive(len(both)) == both
        # The client leaves mid-line: those bytes are not echoed, the connection ends.
        await client.send(b"left mid-li")
        client.sock.shutdown(socket.SHUT_WR)
        assert await client.receive() == b""
        assert client.ended

    assert serving(impl, script, out, **options(max_line=limit)) == 0
    assert err.text == ""


@pytest.mark.timeout(60)
def test_a_line_over_max_line_closes_that_client_only_after_one_error_line(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, err = standins(monkeypatch)
    limit = 32

    async def script(net: Net, port: int) -> None:
        other = await net.connect(port)
        client = await net.connect(port)
        await client.send(b"before\n" + b"x" * (limit + 1) + b"\n" + b"after\n")
        assert await client.receive() == (
            b"before\nerror: line longer than 32 bytes, closing\n")
        assert client.ended
        await other.send(b"still served\n")
        assert await other.receive(13) == b"still served\n"
        # Over the limit without a newline at all: the same, without waiting for one.
        third = await net.connect(port)
        await third.send(b"y" * (limit + 1))
        assert await third.receive() == b"error: line longer than 32 bytes, closing\n"
        assert third.ended

    serving(impl, script, out, **options(max_line=limit))
    assert err.text == ""


# --------------------------------------------------------------------------------------------
# The idle limit: per line, not per connection; the error is the last thing sent.


@pytest.mark.timeout(60)
def test_an_idle_client_gets_one_error_line_then_the_end_and_a_busy_one_stays(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, err = standins(monkeypatch)

    async def script(net: Net, port: int) -> None:
        idle, busy = await net.connect(port), await net.connect(port)
        await idle.send(b"hi\n")
        assert await idle.receive(3) == b"hi\n"
        start = net.now()
        for n in range(4):  # a line every 2 s: 8 s in all, each gap under the limit
            await net.sleep(2)
            await busy.send(b"%d\n" % n)
            assert await busy.receive(2) == b"%d\n" % n
            assert not busy.ended
        got = await idle.receive(within=WAIT)
        assert got == b"error: idle for 2.5 s, closing\n", got
        assert idle.ended, "the idle client was told, but its connection stayed open"
        assert net.now() - start <= 8
        # Told once, and gone: a line it sends now is not echoed.
        with contextlib.suppress(ConnectionError):
            await idle.send(b"too late\n")
        assert await idle.receive(within=3) == b""

    serving(impl, script, out, **options(idle_timeout=2.5))
    assert err.text == ""


# --------------------------------------------------------------------------------------------
# A client that does not read: the send deadline, on stderr, and only that client.


@pytest.mark.timeout(60)
def test_a_client_that_never_reads_is_named_on_stderr_and_closed_after_the_send_deadline(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, err = standins(monkeypatch)
    seen: list[tuple[int, float]] = []

    async def script(net: Net, port: int) -> None:
        ok = await net.connect(port)
        stuck = await net.connect(port, rcvbuf=4096)
        assert stuck.port() != ok.port()
        start = net.now()
        lines = (b"x" * 999 + b"\n") * 4096  # 4 MiB: more than every buffer on the way
        async with net.deadline(WAIT):
            with contextlib.suppress(ConnectionError):  # closed for it, mid-send
                await stuck.send(lines)
            while not err.text:
                await net.sleep(0.1)
        seen.append((stuck.port(), net.now() - start))
        await ok.send(b"still served\n")
        assert await ok.receive(13) == b"still served\n"
        while await stuck.receive(within=1):  # what was in flight, then the end
            pass
        assert stuck.ended

    serving(impl, script, out, **options(send_timeout=1.5, idle_timeout=WAIT * 2))
    port, after = seen[0]
    assert err.text == f"client 127.0.0.1:{port}: error: not reading for 1.5 s, closing\n"
    assert 1.5 <= after < 3, after


# --------------------------------------------------------------------------------------------
# Clients that vanish: only their own connection ends, and nothing is logged.


@pytest.mark.timeout(60)
def test_clients_that_reset_end_only_their_own_connection_without_a_word(
    impl: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    out, err = standins(monkeypatch)

    async def script(net: Net, port: int) -> None:
        other = await net.connect(port)
        for data in (b"", b"half a li", b"a line\n" * 20000):  # the last: echoes unread
            client = await net.connect(port)
            if data:
                await client.send(data)
            await net.sleep(0.5)
            reset(client.sock)
            net.clients.remove(client.sock)
            await net.sleep(0.5)
            await other.send(b"still here\n")
            assert await other.receive(11) == b"still here\n"

    serving(impl, script, out, **options())
    assert err.text == ""
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


# --------------------------------------------------------------------------------------------
# Stopping: every connection closed at once, whatever it was doing; nothing left behind.


@pytest.mark.timeout(60)
def test_stopping_closes_every_connection_at_once_whatever_it_was_doing(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, err = standins(monkeypatch)
    clients: list[Client] = []

    async def script(net: Net, port: int) -> None:
        idle = await net.connect(port)
        mid_line = await net.connect(port)
        await mid_line.send(b"mid-li")
        stuck = await net.connect(port, rcvbuf=4096)
        async with net.deadline(2):  # until every buffer is full: the server waits to send
            await stuck.send((b"x" * 999 + b"\n") * 4096)
        clients.extend([idle, mid_line, stuck])
        for client in clients:  # read after the server has stopped
            net.clients.remove(client.sock)

    took = serving(impl, script, out, **options())
    assert took == 0, f"the server took {took} virtual seconds to stop"
    assert err.text == ""

    async def ends() -> list[tuple[bool, bytes]]:
        net = Net("asyncio")
        got = []
        for client in clients:
            client.net = net
            data = await client.receive(within=WAIT)
            got.append((client.ended, data if client is not clients[-1] else b"echoes"))
        return got

    try:  # each is closed; the partial line is not echoed
        assert asyncio.run(ends()) == [(True, b""), (True, b""), (True, b"echoes")]
    finally:
        for client in clients:
            client.sock.close()


@pytest.mark.timeout(60)
def test_asyncio_a_client_accepted_as_the_server_stops_is_closed_not_served(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """start_server runs ``on_connect`` a step after the accept: a client accepted just before
    the server stops is not in ``clients`` yet. Here the server is cancelled at that moment
    (when its handler task is created): the handler must close it, not serve it."""
    out, err = standins(monkeypatch)
    server = twin("asyncio")
    seen: list[bytes] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.create_task(server.serve(0, **options()))

        def factory(loop: asyncio.AbstractEventLoop, coro: Any) -> asyncio.Task[Any]:
            if getattr(coro, "__qualname__", "").endswith("on_connect"):
                task.cancel()
            return asyncio.Task(coro, loop=loop)

        net = Net("asyncio")
        try:
            for _ in range(100_000):  # steps: the virtual clock stands still meanwhile
                if "\n" in out.text:
                    break
                await asyncio.sleep(0)
            loop.set_task_factory(factory)
            client = await net.connect(int(out.text.rsplit(":", 1)[1]))
            with contextlib.suppress(ConnectionError):
                await client.send(b"late\n")
            seen.append(await client.receive(within=WAIT))
            assert client.ended
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await asyncio.sleep(0)
            assert asyncio.all_tasks() == {asyncio.current_task()}
        finally:
            loop.set_task_factory(None)
            task.cancel()
            net.close()

    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        runner.run(main())
    assert seen == [b""]
    assert err.text == ""


# --------------------------------------------------------------------------------------------
# Out of descriptors: one line per episode, and service again once descriptors free up.


@contextlib.contextmanager
def swapped(owner: object, name: str, value: object) -> Iterator[None]:
    before = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, before)


def lowest_free_fd() -> int:
    fd = os.open(os.devnull, os.O_RDONLY)
    os.close(fd)
    return fd


@contextlib.contextmanager
def no_descriptor_left(spare: int = 0) -> Iterator[None]:
    """RLIMIT_NOFILE lowered so that at most ``spare`` more descriptors can be opened."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowest_free_fd() + spare, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


async def connect_raw(net: Net, sock: socket.socket, port: int) -> None:
    """Connect a socket made earlier (no new descriptor needed)."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setblocking(False)
    if net.impl == "asyncio":
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
        return
    with contextlib.suppress(BlockingIOError):
        sock.connect(("127.0.0.1", port))
    await trio.lowlevel.wait_writable(sock)


@pytest.mark.timeout(60)
def test_out_of_descriptors_one_line_per_episode_then_the_waiting_clients_are_served(
    impl: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    out, err = standins(monkeypatch)
    gap = twin(impl).EPISODE_GAP

    async def script(net: Net, port: int) -> None:
        socks = [socket.socket() for _ in range(3)]  # their descriptors, before the limit
        net.clients.extend(socks)
        waiting = [Client(sock, net) for sock in socks]
        with no_descriptor_left():
            for sock in socks:  # the kernel completes them: they wait in the listen queue
                await connect_raw(net, sock, port)
            for client in waiting:
                await client.send(b"waiting\n")
            await net.sleep(3)  # asyncio retries every 1 s, Trio every 0.1 s: one line
            assert err.text == ACCEPT_LINE
        for client in waiting:  # descriptors again: each is accepted and served
            assert await client.receive(8, within=WAIT) == b"waiting\n"
        await net.sleep(gap + 1)
        late = socket.socket()
        net.clients.append(late)
        with no_descriptor_left():
            await connect_raw(net, late, port)
            await net.sleep(1)
        assert err.text == ACCEPT_LINE * 2  # a new episode: a failure over EPISODE_GAP later
        client = Client(late, net)
        await client.send(b"late\n")
        assert await client.receive(5, within=WAIT) == b"late\n"

    serving(impl, script, out, **options())
    assert err.text == ACCEPT_LINE * 2
    assert [r.getMessage() for r in caplog.records] == []
    if impl == "trio":  # the filter goes with the server that put it there
        assert logging.getLogger("trio.serve_listeners").filters == []


@pytest.mark.timeout(60)
def test_other_loop_errors_are_still_reported_as_before(
    impl: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    """The twin takes over only the reports of a failed accept; anything else the loop (or
    Trio's listener) reports is logged as it would have been."""
    out, err = standins(monkeypatch)

    async def script(net: Net, port: int) -> None:
        if net.impl == "asyncio":
            loop = asyncio.get_running_loop()
            loop.call_exception_handler({
                "message": "Unhandled exception in client_connected_cb",
                "exception": OSError(errno.EMFILE, "Too many open files")})
            loop.call_exception_handler({"message": "socket.accept() out of system resource"})
        else:
            logging.getLogger("trio.serve_listeners").error("something else")

    serving(impl, script, out, **options())
    assert err.text == ""
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    if impl == "asyncio":
        assert messages == ["Unhandled exception in client_connected_cb",
                            "socket.accept() out of system resource"]
    else:
        assert messages == ["something else"]


# --------------------------------------------------------------------------------------------
# The pieces alone.


@pytest.mark.parametrize("listening", [False, True])
def test_accept_errors_one_line_per_episode_of_failures_under_5_s_apart(
    impl: str, monkeypatch: pytest.MonkeyPatch, listening: bool,
) -> None:
    """An episode lasts while failures come less than EPISODE_GAP apart, counted from the
    last failure, not the first; before the listening line, announce() says it instead."""
    _, err = standins(monkeypatch)
    server = twin(impl)
    assert server.EPISODE_GAP == 5.0
    errors = server.AcceptErrors()
    errors.listening = listening
    full = OSError(errno.EMFILE, "Too many open files")
    for now in (1000.0, 1003.0, 1006.0, 1011.0, 1016.0001, 1016.5):
        errors.report(full, now)
    assert err.text == (ACCEPT_LINE * 2 if listening else "")
    assert err.pending == []


def test_a_fresh_accept_errors_reports_its_first_failure_only_once_listening(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, err = standins(monkeypatch)
    errors = twin(impl).AcceptErrors()
    errors.report(OSError(errno.EMFILE, "x"), -1e9)
    assert err.text == ""
    errors.listening = True
    errors.report(OSError(errno.ENFILE, "x"), -1e9)
    assert err.text == ("error: cannot accept clients for now (Too many open files in system): "
                        "they wait in the queue\n")


def test_warn_writes_one_flushed_line_on_stderr_and_a_stderr_that_is_gone_is_ignored(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, err = standins(monkeypatch)
    server = twin(impl)
    server.warn("error: something")
    assert (out.text, out.pending, err.text, err.pending) == ("", [], "error: something\n", [])

    class Gone(Flushed):
        def write(self, text: str) -> int:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    monkeypatch.setattr(sys, "stderr", Gone())
    server.warn("error: lost")  # no exception: the line is lost, nothing else


@pytest.mark.timeout(60)
def test_the_peer_of_a_connection_its_client_reset_is_a_question_mark(impl: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname(), timeout=WAIT)
        conn, _ = listener.accept()
        with conn:
            name = f"127.0.0.1:{client.getsockname()[1]}"
            reset(client)
            server = twin(impl)
            if impl == "asyncio":
                async def names() -> list[str]:
                    _, writer = await asyncio.open_connection(sock=conn)
                    try:
                        return [server.peer(writer)]
                    finally:
                        writer.transport.abort()

                assert asyncio.run(names()) == ["?"]
            else:
                stream = trio.SocketStream(trio.socket.from_stdlib_socket(conn))
                assert server.peer(stream) == "?"
        # And an open one is named as the client knows itself.
        with socket.create_connection(listener.getsockname(), timeout=WAIT) as client:
            conn, _ = listener.accept()
            name = f"127.0.0.1:{client.getsockname()[1]}"
            with conn:
                if impl == "asyncio":
                    async def named() -> str:
                        _, writer = await asyncio.open_connection(sock=conn)
                        try:
                            return str(server.peer(writer))
                        finally:
                            writer.transport.abort()

                    assert asyncio.run(named()) == name
                else:
                    assert server.peer(
                        trio.SocketStream(trio.socket.from_stdlib_socket(conn))) == name


# --------------------------------------------------------------------------------------------
# _until_ctrl_c: Ctrl-C cancels, once; an ignored SIGINT stays ignored; other cancels pass.


def run_until_ctrl_c(impl: str, fn: Callable[[], Awaitable[object]]) -> bool:
    """``_until_ctrl_c(fn)`` under the framework's own run. A KeyboardInterrupt that escapes
    is a failure of this test, not a Ctrl-C of the user's (pytest would stop the session)."""
    server = twin(impl)
    try:
        if impl == "asyncio":
            return bool(asyncio.run(server._until_ctrl_c(fn)))
        return bool(trio.run(server._until_ctrl_c, fn))
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped as KeyboardInterrupt: the server was not stopped in order")


def sleep_for(impl: str) -> Callable[[float], Awaitable[object]]:
    return asyncio.sleep if impl == "asyncio" else trio.sleep


@pytest.mark.timeout(60)
@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_cancels_the_server_once_and_says_it_came(impl: str, presses: int) -> None:
    before = signal.getsignal(signal.SIGINT)
    cancelled: list[str] = []

    async def serve_forever() -> None:
        for _ in range(presses):  # both queued before the loop sees the first
            signal.raise_signal(signal.SIGINT)
        try:
            await sleep_for(impl)(WAIT)
        except BaseException as exc:
            cancelled.append(type(exc).__name__)
            raise
        raise AssertionError("Ctrl-C did not cancel the server")

    assert run_until_ctrl_c(impl, serve_forever) is True
    assert len(cancelled) == 1
    assert sigint_blocked(), "a later Ctrl-C would kill the process as it exits"
    assert signal.getsignal(signal.SIGINT) is before


@pytest.mark.timeout(60)
def test_a_server_that_returns_without_ctrl_c_was_not_interrupted(impl: str) -> None:
    before = signal.getsignal(signal.SIGINT)

    async def returns() -> None:
        await sleep_for(impl)(0)

    assert run_until_ctrl_c(impl, returns) is False
    assert not sigint_blocked()
    assert signal.getsignal(signal.SIGINT) is before


@pytest.mark.timeout(60)
def test_an_inherited_ignored_sigint_stays_ignored(impl: str) -> None:
    """A shell without job control starts a background job with SIGINT ignored: the server
    must not start handling it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    seen: list[object] = []

    async def serve_a_while() -> None:
        signal.raise_signal(signal.SIGINT)  # ignored: nothing happens
        await sleep_for(impl)(0.01)
        seen.append(signal.getsignal(signal.SIGINT))

    assert run_until_ctrl_c(impl, serve_a_while) is False
    assert seen == [signal.SIG_IGN]
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    assert not sigint_blocked()


@pytest.mark.timeout(60)
def test_asyncio_a_cancel_that_is_not_ctrl_c_goes_on() -> None:
    server = twin("asyncio")

    async def main() -> None:
        task = asyncio.current_task()
        assert task is not None
        asyncio.get_running_loop().call_later(0.01, task.cancel)
        await server._until_ctrl_c(lambda: asyncio.sleep(WAIT))

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(main())


# --------------------------------------------------------------------------------------------
# main and run, as `python -m PKG.server` runs them: in the main thread, with real SIGINTs.


def press_ctrl_c(times: int = 1) -> None:
    for _ in range(times):
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)


class Running:
    """``main(argv)`` in the main thread, with Ctrl-C pressed (from any thread) only while it
    runs: a press that came after a server had already failed, or a KeyboardInterrupt that
    escaped the server, would end pytest's whole session instead of failing this test."""

    def __init__(self, impl: str) -> None:
        self.server = twin(impl)
        self.lock = threading.Lock()
        self.running = False

    def main(self, argv: list[str]) -> int:
        with self.lock:
            self.running = True
        try:
            try:
                return int(self.server.main(argv))
            finally:
                with self.lock:
                    self.running = False
        except KeyboardInterrupt:
            pytest.fail("Ctrl-C escaped the server as KeyboardInterrupt")

    def press(self, times: int = 1) -> None:
        with self.lock:
            if self.running:
                press_ctrl_c(times)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_with_clients_closes_each_prints_stopped_and_exits_130(
    impl: str, monkeypatch: pytest.MonkeyPatch, presses: int,
) -> None:
    out, err = standins(monkeypatch)
    results: list[object] = []
    done = threading.Event()
    running = Running(impl)

    def clients(port: int) -> None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as idle, \
                    socket.create_connection(("127.0.0.1", port), timeout=WAIT) as busy:
                busy.sendall(b"hello\nmid-li")
                results.append(busy.recv(6))
                running.press(presses)
                results.append((idle.recv(100), busy.recv(100)))
        except BaseException as exc:  # the main thread reports it
            results.append(exc)
        done.set()

    def on_flush(text: str) -> None:
        if text.count("\n") == 1:
            port = int(text.split(":")[1])
            threading.Thread(target=clients, args=(port,), daemon=True).start()

    out.on_flush = on_flush
    assert running.main(["--port", "0"]) == 130
    assert re.fullmatch(r"listening on 127\.0\.0\.1:\d+\nstopped\n", out.text), out.text
    assert (out.pending, err.text, err.pending) == ([], "", [])
    assert done.wait(WAIT)
    assert results == [b"hello\n", (b"", b"")]
    assert sigint_blocked()


@pytest.mark.timeout(60)
def test_a_ctrl_c_before_the_handler_is_in_place_exits_130_too(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, err = standins(monkeypatch)
    if impl == "asyncio":
        import asyncio.unix_events as unix

        cls = unix._UnixSelectorEventLoop
        original = cls.add_signal_handler

        def early(self: Any, *args: Any) -> None:
            signal.raise_signal(signal.SIGINT)
            original(self, *args)

        monkeypatch.setattr(cls, "add_signal_handler", early)
    else:
        original_receiver = trio.open_signal_receiver

        def early_receiver(*args: Any) -> Any:
            signal.raise_signal(signal.SIGINT)
            return original_receiver(*args)

        monkeypatch.setattr(trio, "open_signal_receiver", early_receiver)
    assert Running(impl).main(["--port", "0"]) == 130
    assert (out.text, err.text) == ("stopped\n", "")
    assert sigint_blocked()


@pytest.mark.timeout(60)
def test_a_port_in_use_is_one_line_and_exit_1(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, err = standins(monkeypatch)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert Running(impl).main(["--port", str(port)]) == 1
    assert out.text == ""
    assert err.text == f"error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    assert not sigint_blocked()


@pytest.mark.timeout(60)
def test_the_port_asked_for_is_the_port_listened_on(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, _ = standins(monkeypatch)
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # free a moment ago: ours to ask for

    running = Running(impl)

    def on_flush(text: str) -> None:
        if text.count("\n") == 1:
            running.press()

    out.on_flush = on_flush
    assert running.main(["--port", str(port)]) == 130
    assert out.text == f"listening on 127.0.0.1:{port}\nstopped\n"


@pytest.mark.timeout(60)
def test_it_listens_on_127_0_0_1_only(impl: str, monkeypatch: pytest.MonkeyPatch) -> None:
    out, _ = standins(monkeypatch)
    refused: list[bool] = []

    def on_flush(text: str) -> None:
        if text.count("\n") == 1:
            port = int(text.split(":")[1])
            try:
                socket.create_connection(("127.0.0.2", port), timeout=WAIT).close()
                refused.append(False)
            except ConnectionRefusedError:
                refused.append(True)
            running.press()

    running = Running(impl)
    out.on_flush = on_flush
    assert running.main(["--port", "0"]) == 130
    assert refused == [True]


def pipe_stdout(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, int]:
    """A real stdout: a pipe. Returns the file and the pipe's read end."""
    read, write = os.pipe()
    stdout = open(write, "w", encoding="utf-8")  # noqa: SIM115 (closed by the test)
    monkeypatch.setattr(sys, "stdout", stdout)
    return stdout, read


def is_devnull(fd: int) -> bool:
    mine, null = os.fstat(fd), os.stat(os.devnull)
    return (mine.st_rdev, mine.st_ino) == (null.st_rdev, null.st_ino)


@pytest.mark.timeout(60)
def test_a_closed_stdout_says_the_listening_line_could_not_be_printed(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, err = standins(monkeypatch)
    stdout, read = pipe_stdout(monkeypatch)
    os.close(read)  # the reader is gone: the listening line meets a broken pipe
    try:
        assert Running(impl).main(["--port", "0"]) == 1
        assert is_devnull(stdout.fileno()), "Python's last flush would fail again, loudly"
    finally:
        stdout.close()
    assert re.fullmatch(r"error: listening on 127\.0\.0\.1:\d+, but cannot print that line: "
                        r"Broken pipe\n", err.text), err.text


@pytest.mark.timeout(60)
def test_no_stdout_at_all_says_the_listening_line_could_not_be_printed(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Started with stdout closed outright (``>&-``), Python has ``sys.stdout`` None, and
    ``print`` would drop the line without an error (test_server_hostile.py shows it in a
    child process, where mutmut sees nothing)."""
    _, err = standins(monkeypatch)
    monkeypatch.setattr(sys, "stdout", None)
    assert Running(impl).main(["--port", "0"]) == 1
    assert re.fullmatch(r"error: listening on 127\.0\.0\.1:\d+, but cannot print that line: "
                        r"no stdout\n", err.text), err.text


def test_warn_with_no_stderr_at_all_writes_nothing_to_stdout(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``2>&-``: ``sys.stderr`` is None, and ``print(line, file=None)`` writes to stdout."""
    out, _ = standins(monkeypatch)
    monkeypatch.setattr(sys, "stderr", None)
    twin(impl).warn("error: lost")
    assert (out.text, out.pending) == ("", [])


@pytest.mark.timeout(60)
def test_a_stdout_gone_before_stopped_still_exits_130_quietly(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, err = standins(monkeypatch)
    stdout, read = pipe_stdout(monkeypatch)
    lines: list[bytes] = []

    def reader() -> None:
        with open(read, "rb") as pipe:
            lines.append(pipe.readline())
        running.press()  # the reader has left: "stopped" meets a broken pipe

    running = Running(impl)
    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        assert running.main(["--port", "0"]) == 130
        assert is_devnull(stdout.fileno())
    finally:
        stdout.close()
        thread.join(WAIT)
    assert lines[0].startswith(b"listening on 127.0.0.1:")
    assert err.text == ""


@pytest.mark.timeout(60)
def test_too_few_descriptors_is_one_clear_line_and_exit_1(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With none at all, the loop cannot even start; with a few, it listens but could not
    accept a client: either is one line and status 1 (and the coroutine asyncio.run never
    started is closed: no "never awaited" warning, an error under -W error)."""
    out, err = standins(monkeypatch)
    said: dict[str, int] = {}

    running = Running(impl)  # the twin imported before the limit

    def on_flush(text: str) -> None:
        if text.count("\n") == 1:
            running.press()

    out.on_flush = on_flush
    last = ""
    for spare in range(12):
        err.text = ""
        unraisable: list[Any] = []
        with warnings.catch_warnings(record=True) as caught, \
                swapped(sys, "unraisablehook", unraisable.append), no_descriptor_left(spare):
            warnings.simplefilter("always")
            status = running.main(["--port", "0"])
            gc.collect()  # what a failed start left behind: reported here, under the limit
        # A loop that could not start leaves its half-made self-pipe or wake-up socket pair
        # to the garbage collector (asyncio's half-made loop even fails in its __del__); the
        # coroutine asyncio.run never started must not be left unawaited.
        assert [str(w.message) for w in caught if w.category is not ResourceWarning] == []
        assert {u.object for u in unraisable} <= {asyncio.BaseEventLoop.__del__}, unraisable
        if status == 130:
            break
        assert status == 1, (spare, err.text)
        assert err.text.endswith(": Too many open files\n") and err.text.count("\n") == 1
        last = last if "no descriptor" not in err.text else err.text
        said.setdefault("no descriptor" if "no descriptor" in err.text else "cannot listen",
                        spare)
    # Both, in that order: no listening socket at first, then a socket but no room for a client.
    assert list(said) == ["cannot listen", "no descriptor"], said
    assert said["cannot listen"] == 0
    assert status == 130
    assert re.fullmatch(r"error: listening on 127\.0\.0\.1:\d+, but no descriptor is left for "
                        r"a client: Too many open files\n", last), last


# --------------------------------------------------------------------------------------------
# The command line: defaults, bounds, messages, help; the options reach the server.


@dataclass
class Called:
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def test_main_passes_each_option_to_run_and_returns_its_status(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = twin(impl)
    calls: list[Called] = []

    def run(*args: Any, **kwargs: Any) -> int:
        calls.append(Called(args, kwargs))
        return 42

    monkeypatch.setattr(server, "run", run)
    assert server.main([]) == 42
    assert server.main(["--port", "65535", "--idle-timeout", "0.5", "--max-line", "1",
                        "--send-timeout", "0.25"]) == 42
    assert server.main(["--port", "0"]) == 42
    assert [(c.args, c.kwargs) for c in calls] == [
        ((8888,), {"idle_timeout": 60.0, "max_line": 1024, "send_timeout": 30.0}),
        ((65535,), {"idle_timeout": 0.5, "max_line": 1, "send_timeout": 0.25}),
        ((0,), {"idle_timeout": 60.0, "max_line": 1024, "send_timeout": 30.0}),
    ]
    assert [type(v) for v in (*calls[1].args, *calls[1].kwargs.values())] == [
        int, float, int, float]


@pytest.mark.parametrize(("argv", "message"), [
    (["--port", "-1"], "--port must be between 0 and 65535"),
    (["--port", "65536"], "--port must be between 0 and 65535"),
    (["--idle-timeout", "0"], "--idle-timeout, --max-line and --send-timeout must be positive"),
    (["--idle-timeout", "nan"],
     "--idle-timeout, --max-line and --send-timeout must be positive"),
    (["--max-line", "0"], "--idle-timeout, --max-line and --send-timeout must be positive"),
    (["--send-timeout", "0"], "--idle-timeout, --max-line and --send-timeout must be positive"),
    (["--send-timeout", "-1"],
     "--idle-timeout, --max-line and --send-timeout must be positive"),
    (["--port", "1.5"], "argument --port: invalid int value: '1.5'"),
    (["--max-line", "2.0"], "argument --max-line: invalid int value: '2.0'"),
    (["--idle-timeout", "soon"], "argument --idle-timeout: invalid float value: 'soon'"),
    (["--send-timeout", "later"], "argument --send-timeout: invalid float value: 'later'"),
])
def test_a_bad_option_is_one_usage_error_and_exit_2(
    impl: str, argv: list[str], message: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = twin(impl)
    monkeypatch.setattr(server, "run", lambda *a, **k: pytest.fail("ran with a bad option"))
    with pytest.raises(SystemExit) as exit_:
        server.main(argv)
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith(f"python -m {PACKAGES[impl]}.server: error: {message}\n"), err


HELP = """\
usage: python -m {package}.server [-h] [--port N] [--idle-timeout S]
       {indent}[--max-line N] [--send-timeout S]

A line-echo TCP server on 127.0.0.1: every line a client sends comes back to
it. Ctrl-C stops it.

options:
  -h, --help        show this help message and exit
  --port N          port to listen on; 0 picks a free one (default: 8888)
  --idle-timeout S  seconds a client may send no complete line (default: 60)
  --max-line N      longest line in bytes, newline not counted (default: 1024)
  --send-timeout S  seconds a line may wait to be sent to a client that reads
                    nothing (default: 30)
"""


def test_the_help_says_what_each_option_does_and_its_default(
    impl: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit) as exit_:
        twin(impl).main(["--help"])
    assert exit_.value.code == 0
    prog = f"python -m {PACKAGES[impl]}.server"
    assert capsys.readouterr().out == HELP.format(package=PACKAGES[impl],
                                                  indent=" " * (len(prog) + 1))
    parser = twin(impl).build_parser()
    assert [(a.dest, a.default, a.type) for a in parser._actions[1:]] == [
        ("port", 8888, int), ("idle_timeout", 60.0, float), ("max_line", 1024, int),
        ("send_timeout", 30.0, float)]
    assert not math.isnan(parser.get_default("idle_timeout"))


# --------------------------------------------------------------------------------------------
# run's wiring: the options reach serve; a server that returns by itself is status 0.


@pytest.mark.timeout(60)
def test_run_gives_serve_the_options_and_a_server_that_returns_is_status_0(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, err = standins(monkeypatch)
    server = twin(impl)
    calls: list[Called] = []

    async def serve(*args: Any, **kwargs: Any) -> None:
        calls.append(Called(args, kwargs))

    monkeypatch.setattr(server, "serve", serve)
    assert server.run(4321, idle_timeout=2.5, max_line=7, send_timeout=0.5) == 0
    assert [(c.args, c.kwargs) for c in calls] == [
        ((4321,), {"idle_timeout": 2.5, "max_line": 7, "send_timeout": 0.5})]
    assert (out.text, err.text) == ("", "")
