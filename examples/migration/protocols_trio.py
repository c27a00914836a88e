"""Protocols and transports, ported: a task per connection (TCP) or per socket (UDP), on 127.0.0.1.

Trio has no protocol layer: no ``create_datagram_endpoint``, ``create_server`` or
``create_connection``, no callbacks. A UDP endpoint is a ``trio.socket`` socket and a task
that loops ``await sock.recvfrom(...)``; a TCP server is ``trio.serve_tcp`` with a handler
that loops over its stream; a client is ``trio.open_tcp_stream``. What a protocol kept in
attributes between callbacks (a buffer, a count) becomes local variables of one function, and
"wait until the connection is lost" is simply the end of that function's loop.

The same two servers as protocols_asyncio.py: UDP upper-cases each datagram, TCP numbers
each line.
"""

from __future__ import annotations

import contextlib
from functools import partial

import trio
import trio.socket

HOST = "127.0.0.1"
WORDS = ["one", "two", "three"]
LINES = ["alpha", "beta"]


async def upper_case_datagrams(sock: trio.socket.SocketType) -> None:
    """UDP server: each datagram comes back upper-cased, to whoever sent it."""
    while True:
        data, addr = await sock.recvfrom(65536)
        # a send that fails (e.g. EMSGSIZE) loses this reply only, as asyncio's server goes on
        with contextlib.suppress(OSError):
            await sock.sendto(data.upper(), addr)


async def numbered_lines(stream: trio.SocketStream) -> None:
    """TCP server: each complete line comes back as "N: line"."""
    buffer = b""
    count = 0
    try:
        async for data in stream:  # ends at the client's EOF; serve_tcp then closes the stream
            buffer += data
            while b"\n" in buffer:
                line, _, buffer = buffer.partition(b"\n")
                count += 1
                await stream.send_all(b"%d: %s\n" % (count, line))
    except trio.BrokenResourceError:
        pass  # the client reset the connection: end this one, as asyncio does, not serve_tcp


async def serve(*, task_status: trio.TaskStatus[tuple[int, int]] = trio.TASK_STATUS_IGNORED,
                ) -> None:
    """Both servers, until cancelled; ``await nursery.start(serve)`` gives their ports."""
    with trio.socket.socket(trio.socket.AF_INET, trio.socket.SOCK_DGRAM) as udp:
        await udp.bind((HOST, 0))
        async with trio.open_nursery() as nursery:
            nursery.start_soon(upper_case_datagrams, udp)
            listeners = await nursery.start(partial(trio.serve_tcp, numbered_lines, 0, host=HOST))
            task_status.started((udp.getsockname()[1], listeners[0].socket.getsockname()[1]))


async def udp_client(port: int, words: list[str]) -> list[str]:
    with trio.socket.socket(trio.socket.AF_INET, trio.socket.SOCK_DGRAM) as sock:
        await sock.connect((HOST, port))
        for word in words:
            await sock.send(word.encode())
        replies = []
        with trio.fail_after(5):  # a lost datagram is an error here, not a hang
            for _ in words:
                # an ICMP "port unreachable" for an earlier datagram raises
                # ConnectionRefusedError here (or from a send above), where asyncio
                # calls error_received()
                replies.append((await sock.recv(65536)).decode())
        return replies


async def tcp_client(port: int, lines: list[str]) -> list[str]:
    stream = await trio.open_tcp_stream(HOST, port)
    async with stream:
        await stream.send_all("".join(f"{line}\n" for line in lines).encode())
        await stream.send_eof()
        received = b""
        with trio.fail_after(5):
            async for data in stream:  # until the server closes
                received += data
    return received.decode().splitlines()


async def main() -> list[str]:
    async with trio.open_nursery() as nursery:
        udp_port, tcp_port = await nursery.start(serve)
        out = [f"udp: {reply}" for reply in await udp_client(udp_port, WORDS)]
        out += [f"tcp: {reply}" for reply in await tcp_client(tcp_port, LINES)]
        nursery.cancel_scope.cancel()
    return out


if __name__ == "__main__":
    print(*trio.run(main), sep="\n")
