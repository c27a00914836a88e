"""``walkthrough port`` (``constructs.py``): the survivors of seed 35's sample (issue 24).

A second random sample of 240 of ``constructs.py``'s mutants (seed 35, a replicate of seed 34,
``docs/mutation.md``, "``walkthrough/port/constructs.py`` (SAMPLED, seed 35, a replicate of
seed 34)") left 9 real slips no test noticed. Each test here is a short program in the style
of real asyncio code, scanned as a user's file, with the findings (line and construct, so the
row) the slip changes. One test per kind of slip; the line numbers are of ``18f4bd5`` (the code
is the same at ``7ca30ba``, where the sample was drawn):

* what an ``except`` catches: an ``asyncio.TimeoutError`` around a request (aiohttp's own
  timeout) or around a call of the file's function that waits under ``asyncio.wait_for``
  (asyncio's); an ``aiohttp.ClientConnectorError`` around a WebSocket, or around a request
  and a WebSocket;
* what a header name is: ``aiohttp.hdrs`` in a file that serves HTTP and fetches it too;
* whose a future-only method is: a class's own ``set_result`` that sets its field's future; a
  StreamReader's ``set_exception``;
* what a name holds: a method's result where two classes define it with different return
  types; a name narrowed by ``isinstance`` with a tuple of types; a WebSocket wrapped in the
  package's own class.

Left without a test: ``:2317``'s other half (``Parsed.run``'s ``response.get``, a dict the tool
calls an aiohttp response: the mutant's answer there is the better one, and a test would pin
the worse), and the ten survivors judged equivalent on the seed's page.
"""

from __future__ import annotations

from tests.test_mutation_port_gaps import found
from tests.test_port_evidence import rows as rows_at

# -- what an except catches -----------------------------------------------------------------------


def test_a_timeout_handler_catches_asyncios_timer_or_aiohttps_by_what_it_wraps() -> None:
    """Two ``except asyncio.TimeoutError:`` blocks, each a different port. Around
    ``await session.post(...)`` alone, the timeout is the aiohttp client's own (its
    ``ClientTimeout``), so the handler is the client's finding (aiohttp-client): a slip in
    which names are a client's (``constructs.py:1965``, ``"session"`` became ``"SESSION"``)
    calls it asyncio's timeout-error, and its TODO says to catch ``trio.TooSlowError``, which
    the ported client (httpx) never raises. Around ``ws = await connect(session, url)``,
    where the file's ``connect`` waits under ``asyncio.wait_for``, the timeout is asyncio's
    (timeout-error); a slip that forgets ``wait_for`` is a timer (``constructs.py:492``,
    ``"wait-for"`` became ``"WAIT-FOR"``) gives the handler to the WebSocket the block also
    uses, so its TODO points to trio-websocket instead of ``trio.TooSlowError``, what the
    ported ``connect`` raises."""
    source = """\
        import asyncio

        import aiohttp


        async def connect(session, url):
            return await asyncio.wait_for(session.ws_connect(url), timeout=5)


        async def notify(session, url, data):
            try:
                await session.post(url, json=data)
            except asyncio.TimeoutError:
                print("the server took too long")


        async def main(url):
            async with aiohttp.ClientSession() as session:
                try:
                    ws = await connect(session, url)
                    await session.post(url + "/hello")
                    await ws.send_str("hi")
                except asyncio.TimeoutError:
                    print("no answer in 5 s")
                await notify(session, url, {"joined": True})
        """
    lines = found(source)
    rows = rows_at(source)
    assert lines[13] == {"aiohttp"}
    assert rows[13] == {"aiohttp-client"}
    assert lines[7] == {"asyncio.wait_for", "session.ws_connect"}
    assert lines[23] == {"asyncio.TimeoutError"}
    assert rows[23] == {"timeout-error"}


def test_a_connection_error_handler_is_the_websockets_only_where_no_request_is_made() -> None:
    """``except aiohttp.ClientConnectorError:`` around ``session.ws_connect`` and the
    WebSocket's sends (and ``session.close()``, no request) is the WebSocket's (trio-websocket
    raises its own errors: the websocket row); around ``session.get`` and then ``ws_connect``
    it is the HTTP client's (aiohttp-client), since the request fails first. A slip that counts
    every other session call as the request (``constructs.py:1802``, ``in HTTP_METHODS``
    became ``not in``) swaps the two, and each TODO names the wrong library's error."""
    source = """\
        import aiohttp


        async def listen(url):
            session = aiohttp.ClientSession()
            try:
                ws = await session.ws_connect(url)
                await ws.send_str("hello")
                print(await ws.receive_str())
                await ws.close()
                await session.close()
            except aiohttp.ClientConnectorError:
                print("no server")


        async def fetch_then_listen(url):
            async with aiohttp.ClientSession() as session:
                try:
                    token = await (await session.get(url + "/token")).text()
                    ws = await session.ws_connect(url, headers={"token": token})
                    await ws.send_str("hello")
                except aiohttp.ClientConnectorError:
                    print("no server")
        """
    lines = found(source)
    rows = rows_at(source)
    assert lines[12] == {"aiohttp.ws"}
    assert rows[12] == {"websocket"}
    assert lines[22] == {"aiohttp"}
    assert rows[22] == {"aiohttp-client"}


# -- what a header name is ------------------------------------------------------------------------


def test_header_names_in_a_file_that_serves_and_fetches_are_the_clients() -> None:
    """A proxy: an aiohttp server whose handler fetches from a backend with aiohttp's client,
    naming headers with ``aiohttp.hdrs`` on both sides. A file that also uses the client
    keeps ``hdrs`` the client's (aiohttp-client, whose TODO points to httpx), on the request's
    line and on the import line the rewrite changes; a slip that misses the client in the file
    (``constructs.py:714``, ``"aiohttp-client"`` became ``"XXaiohttp-clientXX"``) takes it for
    a server only, so the request's header names become the server's (http-server) and the
    imports lose ``aiohttp.hdrs``, whose port is then nobody's TODO."""
    source = """\
        import aiohttp
        from aiohttp import hdrs, web


        async def proxy(request):
            async with aiohttp.ClientSession() as session:
                async with session.get("http://backend" + request.path,
                                       headers={hdrs.ACCEPT: "application/json"}) as upstream:
                    body = await upstream.read()
            return web.Response(body=body, headers={hdrs.CONTENT_TYPE: "application/json"})


        app = web.Application()
        app.router.add_get("/{tail:.*}", proxy)
        web.run_app(app)
        """
    lines = found(source)
    rows = rows_at(source)
    assert lines[8] == {"aiohttp.hdrs"}
    assert rows[8] == {"aiohttp-client"}
    assert "aiohttp.hdrs" in lines[2]
    assert "aiohttp.hdrs" in lines[10]


# -- whose a future-only method is ----------------------------------------------------------------


def test_a_future_only_method_is_a_futures_by_its_receiver_not_its_name() -> None:
    """``set_result`` and ``set_exception`` are a future's, whatever holds it, but only where
    the receiver is one. In ``class Reply`` (an RPC's pending reply, its future handed in by
    the caller), ``def set_result(self, value): self.waiter.set_result(value)`` is the class's
    method calling its field's future: that inner call is the future row's finding; a slip that
    counts any receiver as ``self`` when the class defines the method (``constructs.py:1022``,
    an ``and`` became ``or``) drops it and the one in ``set_exception``, and no TODO marks the
    asyncio future the class sets. In a protocol that feeds an ``asyncio.StreamReader``,
    ``self.reader.set_exception(exc)`` is the stream's (streams row); a slip that calls every
    receiver unknown (``constructs.py:937``, ``qualname(func.value, ...)`` became
    ``qualname(None, ...)``) adds a future's TODO on a stream's line."""
    reply = found("""\
        import asyncio


        class Reply:
            \"\"\"One pending RPC reply: the reader task sets it, the caller awaits it.\"\"\"

            def __init__(self, waiter):
                self.waiter = waiter

            def set_result(self, value):
                if not self.waiter.done():
                    self.waiter.set_result(value)

            def set_exception(self, exc):
                if not self.waiter.done():
                    self.waiter.set_exception(exc)

            def __await__(self):
                return self.waiter.__await__()
        """)
    assert reply[12] == {"future.set_result"}
    assert reply[16] == {"future.set_exception"}
    protocol = found("""\
        import asyncio


        class LineProtocol(asyncio.Protocol):
            def __init__(self) -> None:
                self.reader = asyncio.StreamReader()

            def data_received(self, data: bytes) -> None:
                self.reader.feed_data(data)

            def connection_lost(self, exc: Exception | None) -> None:
                if exc is None:
                    self.reader.feed_eof()
                else:
                    self.reader.set_exception(exc)


        async def main() -> None:
            loop = asyncio.get_running_loop()
            transport, protocol = await loop.create_connection(LineProtocol, "localhost", 8080)
            print(await protocol.reader.readline())
            transport.close()


        asyncio.run(main())
        """)
    assert protocol[13] == {"stream"}
    assert protocol[15] == {"stream"}


# -- what a name holds ----------------------------------------------------------------------------


def test_a_methods_result_is_plain_only_if_every_definition_of_it_is_typed_plain() -> None:
    """Two client classes of one file each define ``fetch``: ``Raw``'s returns the
    ``aiohttp.ClientResponse``, ``Parsed``'s a ``dict``. A call of ``self.fetch`` may be
    either, so ``Raw.run``'s ``response.text()`` stays the response's finding
    (aiohttp-client); a slip that lets the last definition decide alone
    (``constructs.py:2317``, ``typed.get(node.name, True)`` became ``typed.get(None, True)``)
    calls every ``fetch`` plain, and the response's read gets no TODO. (``Parsed``'s
    ``response.get`` is a dict the tool also calls a response; not pinned here.)"""
    source = """\
        import aiohttp


        class Raw:
            async def fetch(self, session, url) -> aiohttp.ClientResponse:
                return await session.get(url)

            async def run(self, session, url):
                response = await self.fetch(session, url)
                print(response.status, await response.text())


        class Parsed:
            async def fetch(self, session, url) -> dict:
                async with session.get(url) as response:
                    return await response.json()

            async def run(self, session, url):
                response = await self.fetch(session, url)
                print(response.get("status"))
        """
    lines = found(source)
    assert lines[10] == {"response"}
    assert rows_at(source)[10] == {"aiohttp-client"}


def test_an_isinstance_with_a_tuple_of_builtin_types_narrows_the_name() -> None:
    """``async def save(data, path)``: ``if isinstance(data, (bytes, bytearray)):`` the data
    is in memory (``io.BytesIO``, its ``seek`` and ``read`` plain calls), ``else:`` it is a
    path opened with aiofiles. The tuple names only builtin types, so in that branch ``data``
    is not the aiofiles file it is elsewhere; a slip that reads a tuple as no type
    (``constructs.py:1681``, ``isinstance(test.args[1], ast.Tuple)`` became ``(...) and
    False``) gives the ``BytesIO``'s ``seek`` and ``read`` lines an aiofiles TODO, a port of
    code that does no file I/O."""
    lines = found("""\
        import io

        import aiofiles


        async def save(data, path):
            if isinstance(data, (bytes, bytearray)):
                data = io.BytesIO(data)
                data.seek(0)
                payload = data.read()
            else:
                async with aiofiles.open(data, "rb") as data:
                    payload = await data.read()
            async with aiofiles.open(path, "wb") as out:
                await out.write(payload)
        """)
    assert not {8, 9, 10} & set(lines)
    assert lines[12] == {"aiofiles"}
    assert lines[13] == {"aiofile.close"}


def test_a_websocket_wrapped_in_the_packages_own_class_is_that_class() -> None:
    """``ws = Connection(ws)`` with ``from .protocol import Connection``, in ``mypkg``: the
    package wraps aiohttp's WebSocket in its own class, whose ``send_str``, ``async for`` and
    ``close`` are ported where that class is (``protocol.py``), so here only ``ws_connect`` is
    a finding; a slip that keeps a wrapped WebSocket a WebSocket (``constructs.py:2507``,
    ``"websocket"`` became ``"WEBSOCKET"``) puts a websocket TODO on each of the wrapper's
    calls and on the import line, asking the user to port calls of their own API."""
    lines = found("""\
        import aiohttp

        from .protocol import Connection


        async def listen(url):
            async with aiohttp.ClientSession() as session:
                ws = await session.ws_connect(url)
                ws = Connection(ws)
                await ws.send_str("hello")
                async for message in ws:
                    print(message)
                await ws.close()
        """, "mypkg/client.py")
    assert lines[8] == {"session.ws_connect"}
    assert lines[1] == {"aiohttp", "session.ws_connect"}
    assert not {9, 10, 11, 12, 13} & set(lines)
