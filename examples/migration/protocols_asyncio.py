"""Protocols and transports: asyncio's callback layer, over UDP and TCP on 127.0.0.1.

``loop.create_datagram_endpoint``, ``loop.create_server`` and ``loop.create_connection`` take
a *protocol factory*: the loop calls the protocol's methods (``connection_made``,
``datagram_received``, ``data_received``, ``eof_received``, ``connection_lost``) as bytes
arrive, and the protocol answers through its *transport* (``sendto``, ``write``, ``close``).
No task runs the conversation; a client that wants to wait for the end creates a Future and
lets ``connection_lost`` fill it (the pattern of the asyncio docs).

Two servers: UDP upper-cases each datagram, TCP numbers each line. Trio has no protocol layer:
see protocols_trio.py, where each TCP connection gets a task of its own (``trio.serve_tcp``
starts one per connection) that loops over its stream, but UDP has one task for the socket,
looping over ``recvfrom`` and serving every peer: no task per UDP peer.
"""

from __future__ import annotations

import asyncio
from typing import cast

HOST = "127.0.0.1"
WORDS = ["one", "two", "three"]
LINES = ["alpha", "beta"]


class UpperCaseDatagrams(asyncio.DatagramProtocol):
    """UDP server: each datagram comes back upper-cased, to whoever sent it."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A datagram transport; not an asyncio.DatagramTransport subclass before Python 3.12.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.transport.sendto(data.upper(), addr)


class NumberedLines(asyncio.Protocol):
    """TCP server: each complete line comes back as "N: line"."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.buffer = b""
        self.count = 0

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\n" in self.buffer:
            line, _, self.buffer = self.buffer.partition(b"\n")
            self.count += 1
            self.transport.write(b"%d: %s\n" % (self.count, line))

    # eof_received returns None: the transport closes itself once its buffer is sent.


class Replies(asyncio.DatagramProtocol):
    """UDP client side: the datagrams that come back, in a queue."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes | Exception] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.queue.put_nowait(data)

    def error_received(self, exc: Exception) -> None:
        # e.g. ConnectionRefusedError: the ICMP "port unreachable" for an earlier datagram
        self.queue.put_nowait(exc)


class Collect(asyncio.Protocol):
    """TCP client side: every byte received, and a future filled when the server closes."""

    def __init__(self, closed: asyncio.Future[bytes]) -> None:
        self.closed = closed
        self.received = b""

    def data_received(self, data: bytes) -> None:
        self.received += data

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is None:
            self.closed.set_result(self.received)
        else:
            self.closed.set_exception(exc)


async def start_servers() -> tuple[asyncio.DatagramTransport, asyncio.Server, int, int]:
    loop = asyncio.get_running_loop()
    udp, _ = await loop.create_datagram_endpoint(UpperCaseDatagrams, local_addr=(HOST, 0))
    tcp = await loop.create_server(NumberedLines, HOST, 0)
    return udp, tcp, udp.get_extra_info("sockname")[1], tcp.sockets[0].getsockname()[1]


async def udp_client(port: int, words: list[str]) -> list[str]:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(Replies, remote_addr=(HOST, port))
    try:
        for word in words:
            transport.sendto(word.encode())
        replies = []
        async with asyncio.timeout(5):  # a lost datagram is an error here, not a hang
            for _ in words:
                reply = await protocol.queue.get()
                if isinstance(reply, Exception):
                    raise reply
                replies.append(reply.decode())
        return replies
    finally:
        transport.close()


async def tcp_client(port: int, lines: list[str]) -> list[str]:
    loop = asyncio.get_running_loop()
    closed: asyncio.Future[bytes] = loop.create_future()
    transport, _ = await loop.create_connection(lambda: Collect(closed), HOST, port)
    try:
        transport.write("".join(f"{line}\n" for line in lines).encode())
        transport.write_eof()
        async with asyncio.timeout(5):
            received = await closed
        return received.decode().splitlines()
    finally:
        transport.close()


async def main() -> list[str]:
    udp, tcp, udp_port, tcp_port = await start_servers()
    try:
        out = [f"udp: {reply}" for reply in await udp_client(udp_port, WORDS)]
        out += [f"tcp: {reply}" for reply in await tcp_client(tcp_port, LINES)]
    finally:
        udp.close()
        tcp.close()
        await tcp.wait_closed()
    return out


if __name__ == "__main__":
    print(*asyncio.run(main()), sep="\n")
