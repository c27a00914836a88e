"""Lesson 8, the line-echo server: both versions, driven over real sockets on 127.0.0.1.

Each test starts the twin as a real child process (``python -W error -m PKG.server --port 0``,
with ``PYTHONDEVMODE=1`` so a leaked socket or an unretrieved task exception shows on stderr),
reads its port from the ``listening on`` line, plays a script of plain blocking-socket clients
against it, and records the bytes each client received until the server closed it. The
expected bytes are written out in the test, and they are the same for both frameworks: that is
the equivalence. Every test ends with a real SIGINT and checks the clean exit (status 130,
``stopped``, and on stderr no traceback, leak or unawaited coroutine: ``tests.signals.NOISE``;
the twins' own report lines may be there), so each scenario is also a Ctrl-C test.

Waits are bounded by socket timeouts and by a per-test timeout; the few real sleeps only make
sure bytes travel in separate packets, or that a client stays quiet longer than the idle limit.
Nothing asserts how long anything took.
"""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.signals import NOISE, assert_clean_exit, default_sigint, interrupt

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"asyncio": "asyncio_ref", "trio": "trio_port"}
#: Seconds any one socket operation of a test client may wait.
WAIT = 20.0
#: Real sleep between two sends that must travel as two packets.
GAP = 0.05


def idle_error(seconds: float) -> bytes:
    return f"error: idle for {seconds:g} s, closing\n".encode()


def too_long_error(max_line: int) -> bytes:
    return f"error: line longer than {max_line} bytes, closing\n".encode()


@dataclass
class Server:
    proc: subprocess.Popen[str]
    port: int
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    #: Every client socket, closed only after the server has exited: the SIGINT at the end
    #: of each test finds them connected.
    clients: list[socket.socket] = field(default_factory=list)

    def connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=WAIT)
        self.clients.append(sock)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # each send, a packet
        return sock


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONDEVMODE": "1",
            "PYTHONWARNINGS": "error", "PYTHONPATH": str(ROOT)}


@contextmanager
def running(impl: str, *args: str) -> Iterator[Server]:
    """The server as a child process; on leaving, a SIGINT and the checks of a clean exit."""
    proc = subprocess.Popen(
        [sys.executable, "-W", "error", "-m", f"{PACKAGES[impl]}.server", "--port", "0", *args],
        cwd=ROOT, env=_env(), text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=default_sigint)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()  # bounded by the test's timeout
    assert first.startswith("listening on 127.0.0.1:"), first + proc.stderr.read()
    server = Server(proc, int(first.rsplit(":", 1)[1]), [first])
    readers = [threading.Thread(target=lambda: server.stdout.extend(proc.stdout or ())),
               threading.Thread(target=lambda: server.stderr.extend(proc.stderr or ()))]
    for reader in readers:
        reader.start()
    try:
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=WAIT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for reader in readers:
                reader.join(timeout=WAIT)
            proc.stdout.close()
            proc.stderr.close()
            for sock in server.clients:
                sock.close()
    err = "".join(server.stderr)
    assert not [word for word in NOISE if word in err], err
    assert proc.returncode == 130, err
    assert "".join(server.stdout[1:]) == "stopped\n"


def receive_until_closed(sock: socket.socket) -> bytes:
    """Every byte until the server closes the connection."""
    got = b""
    while chunk := sock.recv(65536):
        got += chunk
    return got


def receive_exactly(sock: socket.socket, n: int) -> bytes:
    got = b""
    while len(got) < n:
        chunk = sock.recv(n - len(got))
        assert chunk, f"closed after {got!r}"
        got += chunk
    return got


# --------------------------------------------------------------------------------------------


@pytest.mark.timeout(120)
def test_a_hundred_clients_at_once_each_get_their_own_lines(impl: str) -> None:
    """All hundred connected before any sends: served concurrently, each its own lines."""
    with running(impl) as server:
        clients = [server.connect() for _ in range(100)]
        for n, sock in enumerate(clients):
            sock.sendall(f"client {n} line 1\n".encode())
        for n, sock in reversed(list(enumerate(clients))):  # the last to speak, first answered
            sock.sendall(f"client {n} line 2\nclient {n} line 3\n".encode())
        got = [receive_exactly(sock, len(f"client {n} line 1\n") * 3)
               for n, sock in enumerate(clients)]
        for sock in clients:
            sock.close()
    assert got == [f"client {n} line 1\nclient {n} line 2\nclient {n} line 3\n".encode()
                   for n in range(100)]


@pytest.mark.timeout(60)
def test_lines_split_across_packets_are_echoed_whole_once_complete(impl: str) -> None:
    with running(impl) as server, server.connect() as sock:
        sock.sendall(b"hel")
        time.sleep(GAP)
        sock.sendall(b"lo")
        sock.settimeout(0.3)
        with pytest.raises(TimeoutError):  # no newline yet: nothing comes back
            sock.recv(100)
        sock.settimeout(WAIT)
        sock.sendall(b"\nwor")  # the end of one line and the start of the next
        time.sleep(GAP)
        sock.sendall(b"ld\none\ntwo\n\nthree")  # several lines (one empty) in one packet
        time.sleep(GAP)
        sock.sendall(b"\n")
        got = receive_exactly(sock, len(b"hello\nworld\none\ntwo\n\nthree\n"))
    assert got == b"hello\nworld\none\ntwo\n\nthree\n"


def nothing_more(sock: socket.socket) -> bool:
    """True if nothing arrives within a short wait (the test then goes on at once)."""
    sock.settimeout(0.3)
    try:
        sock.recv(100)
    except TimeoutError:
        return True
    finally:
        sock.settimeout(WAIT)
    return False


@pytest.mark.timeout(60)
def test_each_line_comes_back_as_soon_as_its_newline_arrives(impl: str) -> None:
    """Echoed bytes alone cannot show where lines end: this waits for each echo before sending
    more, so a line left waiting in the server's buffer shows. With --max-line 16, a partial
    line of exactly 16 bytes is not too long yet: its newline may still come."""
    steps = [  # (sent, echoed at once)
        (b"hel", b""), (b"lo", b""), (b"\n", b"hello\n"),  # a newline alone, first in a packet
        (b"ab", b""), (b"c\nd", b"abc\n"),  # a line ends mid-packet ...
        (b"\n", b"d\n"),                    # ... and the rest waits for its own newline
        (b"abcde", b""), (b"\nx\n", b"abcde\nx\n"),  # the next line: searched from its start
        (b"a\nbc", b"a\n"), (b"\n\nx\n", b"bc\n\nx\n"),  # searched bytes, then new ones
        (b"y" * 16, b""), (b"\n", b"y" * 16 + b"\n"),  # exactly max_line, then its newline
        (b"z" * 10, b""), (b"z" * 6, b""), (b"\n", b"z" * 16 + b"\n"),  # the same, in pieces
        (b"q" * 15 + b"\n" + b"r" * 16, b"q" * 15 + b"\n"), (b"\n", b"r" * 16 + b"\n"),
    ]
    with running(impl, "--max-line", "16") as server, server.connect() as sock:
        for sent, echoed in steps:
            sock.sendall(sent)
            assert receive_exactly(sock, len(echoed)) == echoed, (sent, echoed)
            assert nothing_more(sock), (sent, echoed)


@pytest.mark.timeout(60)
def test_an_idle_client_is_told_and_disconnected_and_only_it(impl: str) -> None:
    with running(impl, "--idle-timeout", "1") as server:
        idle = server.connect()
        trickle = server.connect()  # bytes, but never a complete line: idle too
        busy = server.connect()
        trickle.sendall(b"no newline ")
        echoed = b""
        for n in range(6):  # 1.5 s of lines, 0.25 s apart: each line restarts its clock
            busy.sendall(f"{n}\n".encode())
            echoed += receive_exactly(busy, 2)
            time.sleep(0.25)
            if n < 2:  # bytes within the first second, none after (they would arrive
                trickle.sendall(b".")  # unread at the close and reset the connection)
        assert receive_until_closed(idle) == idle_error(1)
        assert receive_until_closed(trickle) == idle_error(1)
        busy.sendall(b"still here\n")
        assert receive_exactly(busy, 11) == b"still here\n"
        for sock in (idle, trickle, busy):
            sock.close()
    assert echoed == b"0\n1\n2\n3\n4\n5\n"


@pytest.mark.timeout(60)
def test_a_line_too_long_closes_that_client_only_with_an_error_line(impl: str) -> None:
    with running(impl, "--max-line", "16") as server:
        ok = server.connect()
        long_line = server.connect()
        no_newline = server.connect()
        # 16 bytes is allowed (the newline is not counted); the lines before the long one are
        # answered; whatever follows it is not.
        long_line.sendall(b"x" * 16 + b"\n" + b"short\n" + b"y" * 17 + b"\n" + b"after\n")
        assert receive_until_closed(long_line) == (
            b"x" * 16 + b"\n" + b"short\n" + too_long_error(16))
        # No newline at all: the error comes as soon as the 17th byte does, not at a newline.
        no_newline.sendall(b"z" * 10)
        time.sleep(GAP)
        no_newline.sendall(b"z" * 7)
        assert receive_until_closed(no_newline) == too_long_error(16)
        ok.sendall(b"unaffected\n")
        assert receive_exactly(ok, 11) == b"unaffected\n"
        for sock in (ok, long_line, no_newline):
            sock.close()


@pytest.mark.timeout(60)
def test_clients_that_vanish_mid_line_end_only_their_own_connection(impl: str) -> None:
    with running(impl) as server:
        survivor = server.connect()
        polite = server.connect()  # FIN mid-line
        polite.sendall(b"one\nhalf a li")
        assert receive_exactly(polite, 4) == b"one\n"
        polite.shutdown(socket.SHUT_WR)
        assert receive_until_closed(polite) == b""  # the half line is dropped, not echoed
        polite.close()
        for _ in range(5):  # RST mid-line: SO_LINGER 0 resets instead of closing
            rude = server.connect()
            rude.sendall(b"two\nhalf a li")
            assert receive_exactly(rude, 4) == b"two\n"
            rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            rude.close()
        # A reset while the server still writes to it: a large answer it cannot finish.
        rude = server.connect()
        rude.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        rude.sendall((b"w" * 1000 + b"\n") * 200)
        rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        rude.close()
        survivor.sendall(b"still served\n")
        assert receive_exactly(survivor, 13) == b"still served\n"
        latecomer = server.connect()
        latecomer.sendall(b"new client\n")
        assert receive_exactly(latecomer, 11) == b"new client\n"
        survivor.close()
        latecomer.close()
    # running() has checked that stderr holds no traceback from the vanished clients.


@pytest.mark.timeout(60)
def test_ctrl_c_with_clients_connected_closes_each_and_exits_130(impl: str) -> None:
    clients: list[socket.socket] = []
    replies: list[bytes] = []

    def connect_then_ready(line: str) -> bool:
        if not line.startswith("listening on 127.0.0.1:"):
            return False
        port = int(line.rsplit(":", 1)[1])
        for n in range(3):
            sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
            sock.sendall(f"client {n}\n".encode())
            replies.append(receive_exactly(sock, 9))
            clients.append(sock)
        clients[1].sendall(b"mid-li")  # one of them in the middle of a line
        return True

    try:
        result = interrupt(["-m", f"{PACKAGES[impl]}.server", "--port", "0"],
                           ready=connect_then_ready, settle=GAP)
        after = [receive_until_closed(sock) for sock in clients]
    finally:
        for sock in clients:
            sock.close()
    assert_clean_exit(result)
    assert replies == [b"client 0\n", b"client 1\n", b"client 2\n"]
    assert after == [b"", b"", b""]  # closed, each, with nothing more said
    assert result.stdout.splitlines()[1:] == ["stopped"]


@pytest.mark.timeout(60)
def test_a_port_in_use_is_one_clear_line_and_exit_1(impl: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-W", "error", "-m", f"{PACKAGES[impl]}.server", "--port",
             str(port)], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=WAIT)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == f"error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("args", "message"), [
    (["--port", "70000"], "--port must be between 0 and 65535"),
    (["--idle-timeout", "0"], "--idle-timeout, --max-line and --send-timeout must be positive"),
    (["--max-line", "0"], "--idle-timeout, --max-line and --send-timeout must be positive"),
    (["--send-timeout", "0"], "--idle-timeout, --max-line and --send-timeout must be positive"),
    (["--port", "x"], "invalid int value"),
])
def test_bad_options_are_one_clear_line_and_exit_2(impl: str, args: list[str],
                                                   message: str) -> None:
    proc = subprocess.run([sys.executable, "-W", "error", "-m", f"{PACKAGES[impl]}.server",
                           *args], cwd=ROOT, env=_env(), capture_output=True, text=True,
                          timeout=WAIT)
    assert proc.returncode == 2
    assert message in proc.stderr.splitlines()[-1]
    assert "Traceback" not in proc.stderr


# --------------------------------------------------------------------------------------------
# The CLI: `walkthrough run server` and `walkthrough check server` play walkthrough/echo.py's
# scripted session against real processes.


def _cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-W", "error", "-m", "walkthrough", *argv], cwd=ROOT,
                          env=_env(), capture_output=True, text=True, timeout=120)


@pytest.mark.timeout(150)
def test_walkthrough_run_server_plays_the_session_on_both_twins() -> None:
    proc = _cli("run", "server")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "equivalent: the same 8 transcript entries" in proc.stdout
    assert proc.stdout.count("error: line longer than 32 bytes, closing") == 2
    assert proc.stdout.count("exit status 130") == 2


@pytest.mark.timeout(150)
def test_walkthrough_check_server_passes_the_twin_and_fails_a_broken_port(
    tmp_path: Path,
) -> None:
    head = ("against asyncio_ref/server.py (a scripted session of real clients on "
            "127.0.0.1)\n")
    proc = _cli("check", "server", "trio_port/server.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # The report's first line comes at once (issue 25, item 9), then the verdict.
    first = f"checking trio_port/server.py (Trio port) {head}"
    assert proc.stdout.startswith(first), proc.stdout
    assert proc.stdout[len(first):].startswith("equivalent:"), proc.stdout
    # A port whose reader forgets the limit's boundary: a line of exactly max_line bytes is
    # refused. The session's 32-byte line catches it.
    broken = tmp_path / "server.py"
    source = (ROOT / "trio_port" / "server.py").read_text(encoding="utf-8")
    assert source.count("if end > self.max_line or") == 1
    broken.write_text(source.replace("if end > self.max_line or", "if end >= self.max_line or"),
                      encoding="utf-8")
    proc = _cli("check", "server", str(broken))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    first = f"checking {broken} (Trio port) {head}"
    assert proc.stdout.startswith(first), proc.stdout
    assert proc.stdout[len(first):].startswith("NOT equivalent: first difference at entry 3")
    assert "expected: B (a line of 32 bytes, then one of 33) got b'=====" in proc.stdout


def test_walkthrough_run_server_refuses_the_virtual_clock() -> None:
    proc = _cli("run", "server", "--virtual")
    assert proc.returncode == 2
    assert "real network I/O" in proc.stderr and "Traceback" not in proc.stderr
