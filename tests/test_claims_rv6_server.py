"""Claims of lessons/server.md that an outside review (RV6) found unshown, each under the
condition that could make it false.

- Without ``TCP_NOTSENT_LOWAT`` (both names of it taken away, so that neither the asyncio
  twin nor Trio's ``SocketStream`` sets it), a client that sends 1 MiB of lines and reads
  nothing is ended by the idle deadline, not the send one: the kernel took every echo, so no
  send ever waited. (With the option, the send deadline ends it:
  ``test_server_hostile.py::test_a_client_that_does_not_read_gets_a_few_kib_before_the_send_deadline_starts``.)
- A twin started with SIGINT ignored keeps ignoring it (it serves on through SIGINT), and
  SIGTERM stops it; a shell script's ``&`` job starts so, ``nohup``'s does not.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import pytest
import trio
import trio.socket

from tests.signals import without_slow_callbacks
from tests.test_server_hostile import (
    PACKAGES,
    ROOT,
    WAIT,
    _env,
    accepted,
    connect,
    echo,
    handle_in_process,
)

IDLE = 3.0


@pytest.mark.timeout(60)
@pytest.mark.skipif(not hasattr(socket, "TCP_NOTSENT_LOWAT"), reason="no TCP_NOTSENT_LOWAT")
def test_without_notsent_lowat_the_idle_deadline_ends_a_client_that_does_not_read(
    impl: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The send-deadline test's client (1 MiB of lines, a 4 KiB receive buffer, reads
    nothing), without the option: no "not reading" line, the handler ends at the idle deadline,
    and the client, reading at last, gets every echo and then the idle error line."""
    option = socket.TCP_NOTSENT_LOWAT
    monkeypatch.delattr(socket, "TCP_NOTSENT_LOWAT")  # the asyncio twin: AttributeError, let go
    monkeypatch.delattr(trio.socket, "TCP_NOTSENT_LOWAT")  # SocketStream: hasattr()
    payload = (b"x" * 999 + b"\n") * 1024
    lowat: list[int] = []
    with accepted(rcvbuf=4096) as (client, conn):

        async def body(pause: Callable[[float], Awaitable[object]],
                       done: Callable[[], bool]) -> None:
            sent = 0
            while sent < len(payload) and not done():
                await pause(0.001)
                if not lowat:  # the handler has started: its socket as it set it
                    lowat.append(conn.getsockopt(socket.IPPROTO_TCP, option))
                with contextlib.suppress(BlockingIOError):
                    sent += client.send(payload[sent:])
            while not done():
                await pause(0.05)

        start = time.monotonic()
        handle_in_process(impl, conn, body, idle_timeout=IDLE, max_line=1024, send_timeout=1)
        took = time.monotonic() - start
        client.setblocking(True)
        client.settimeout(WAIT)
        got = bytearray()
        while chunk := client.recv(1 << 20):
            got += chunk
    assert lowat == [0]  # the option really was off
    assert capsys.readouterr().err == ""
    assert took >= IDLE
    assert bytes(got) == payload + f"error: idle for {IDLE:g} s, closing\n".encode()


def _ignoring_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.timeout(60)
def test_a_twin_started_with_sigint_ignored_serves_on_through_it_and_sigterm_stops_it(
    impl: str,
) -> None:
    """Both twins keep an inherited SIG_IGN (``_until_ctrl_c``): two SIGINTs change nothing,
    the server still serves 1 s later; SIGTERM then kills it (-15), printing nothing."""
    proc = subprocess.Popen(
        [sys.executable, "-W", "error", "-m", f"{PACKAGES[impl]}.server", "--port", "0"],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=_ignoring_sigint)
    assert proc.stdout is not None
    try:
        first = proc.stdout.readline()
        assert first.startswith(b"listening on 127.0.0.1:"), first
        with connect(int(first.rsplit(b":", 1)[1])) as sock:
            assert echo(sock, b"before\n") == b"before\n"
            proc.send_signal(signal.SIGINT)
            time.sleep(0.05)
            proc.send_signal(signal.SIGINT)
            time.sleep(1)
            assert proc.poll() is None, "SIGINT stopped it"
            assert echo(sock, b"still served\n") == b"still served\n"
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=WAIT)
            assert sock.recv(100) == b""
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
        if proc.stderr is not None:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGTERM
    assert (out, without_slow_callbacks(err.decode())) == (b"", "")


PROBE = ("import signal; print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN, "
         "signal.getsignal(signal.SIGHUP) is signal.SIG_IGN)")


def _defaults() -> None:
    """SIGINT and SIGHUP as in a terminal, whatever this suite inherited."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_a_shell_script_starts_its_background_jobs_with_sigint_ignored(shell: str) -> None:
    """A non-interactive shell (no job control) starts a ``&`` job with SIGINT ignored."""
    if shutil.which(shell) is None:
        pytest.skip(f"no {shell}")
    env = {**os.environ, "PROBE": PROBE, "PYTHON": sys.executable}
    out = subprocess.run([shell, "-c", '"$PYTHON" -c "$PROBE" & wait'], env=env,
                         preexec_fn=_defaults, capture_output=True, text=True, timeout=WAIT,
                         check=True).stdout
    assert out == "True False\n"


def test_nohup_ignores_sighup_not_sigint() -> None:
    if shutil.which("nohup") is None:
        pytest.skip("no nohup")
    out = subprocess.run(["nohup", sys.executable, "-c", PROBE], stdin=subprocess.DEVNULL,
                         preexec_fn=_defaults, capture_output=True, text=True,
                         timeout=WAIT, check=True).stdout
    assert out == "False True\n"
