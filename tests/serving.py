"""A socketserver run on a thread for the length of a ``with``: the tests' own small servers.

The crawler tests start servers that answer one way or another (a cookie, a reason phrase, a
proxy that must see nothing). Each used to write the same thread start and the same stop;
this is that once. ``shutdown`` waits for ``serve_forever`` to see it, then ``server_close``
frees the port, in that order, whatever the test raised.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

S = TypeVar("S", bound=socketserver.BaseServer)


@contextmanager
def serving(server: S) -> Iterator[S]:
    """Serve ``server`` on a daemon thread inside the ``with``; shut it down and close it after.

    >>> echo = socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
    >>> with serving(echo) as s:
    ...     s.server_address[1] > 0
    True
    """
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
