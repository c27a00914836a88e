"""Lesson 8's server twins: a client that vanishes so that the server's write fails with EPIPE.

Why this file (issue 27): every client that vanishes in ``tests/test_mutation_server.py`` is a
plain reset, which reaches the handler as ``ConnectionResetError``; so narrowing the asyncio
twin's ``except ConnectionError`` to ``except ConnectionResetError`` went unnoticed. On Linux a
reset gives ``EPIPE`` instead when the server's socket had already received the client's FIN
(the kernel's ``tcp_reset`` in ``CLOSE_WAIT``): a client that shuts down its sending side, then
is killed, while the server waits to send it echoes it did not read. The asyncio twin's drain()
then raises ``BrokenPipeError``, Trio's ``send_all`` raises ``BrokenResourceError``; either way
the server must end that connection only, as quietly as for a reset.

The first test pins that premise on plain sockets, so that a kernel that answers otherwise
fails here, by name, instead of letting the twins' test pass for the wrong reason.
"""

from __future__ import annotations

import logging
import socket

import pytest

from tests.test_mutation_server import WAIT, Net, options, reset, serving, standins

#: Lines a client sends without reading the echoes: more than the buffers between the server's
#: writes and a client offering a 4 KiB window (the twins let the kernel take a write only while
#: under 16 KiB is unsent, a few tens of KiB at most),
#: so the server waits to send; less than the server's receive buffer, so the client's FIN
#: reaches the server's kernel behind them.
UNREAD = b"a line\n" * 9000


def shut_then_reset(sock: socket.socket) -> None:
    """The client's FIN, then its RST: the server's socket is in CLOSE_WAIT when the reset
    comes, and its next write fails with EPIPE, not ECONNRESET."""
    sock.shutdown(socket.SHUT_WR)
    reset(sock)


@pytest.mark.timeout(60)
def test_a_write_after_the_client_shut_down_then_reset_is_a_broken_pipe() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.socket()
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.settimeout(WAIT)
        client.connect(listener.getsockname())
        conn, _ = listener.accept()
        with client, conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NOTSENT_LOWAT, 16 * 1024)
            conn.setblocking(False)
            with pytest.raises(BlockingIOError):  # until the server's kernel holds no more
                while True:
                    conn.send(b"x" * 65536)
            client.sendall(UNREAD)
            sock = client.dup()  # reset() closes its socket; `with client` closes the other
            shut_then_reset(sock)
            client.close()
            with pytest.raises(BrokenPipeError):
                conn.send(b"y")


@pytest.mark.timeout(60)
def test_a_client_that_shut_down_then_vanished_mid_echo_ends_only_its_own_connection(
    impl: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    out, err = standins(monkeypatch)

    async def script(net: Net, port: int) -> None:
        other = await net.connect(port)
        for _ in range(2):  # the second: the server still serves the way it did the first
            client = await net.connect(port, rcvbuf=4096)
            await client.send(UNREAD)
            await net.sleep(0.5)  # the server waits to send the echoes
            shut_then_reset(client.sock)
            net.clients.remove(client.sock)
            await net.sleep(0.5)
            await other.send(b"still here\n")
            assert await other.receive(11) == b"still here\n"

    serving(impl, script, out, **options())
    assert err.text == ""
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
