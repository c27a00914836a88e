"""``walkthrough port`` (``names.py``): the survivors of seed 34's sample (issue 27).

An eighth random sample of 240 of ``names.py``'s mutants (seed 34, ``docs/mutation.md``,
"``walkthrough/port/names.py`` (SAMPLED, seed 34)") left 22 real slips no test noticed. Each
test here is a short program in the style of real asyncio code, scanned as a user's file, with
the findings the slip changes. The line numbers are of ``8ccf83c`` (``names.py`` unchanged
since), where the sample was run:

* which library a name is of: a blocking module beside its ``_aiohttp`` twin, a submodule of
  a Trio-safe package imported beside another, a library's ``log`` logger, a test file given
  a Windows path;
* where a name comes from: a loop kept in a name-mangled field, a parameter annotated ``Any``,
  a plugin's object annotated ``object``;
* what a scan must not stop at: a module-level thread of ``serve_forever``, ``setattr`` with
  the attribute's name in a variable;
* what an aiohttp object is: a ``cached_property`` session, the messages of a websocket, a
  session handed in as a parameter (called with ``url=``, or beside a module's own session),
  a server's ``request.response``;
* what a collection and an assignment hold: tasks appended to a list, ``await`` of the file's
  own awaitable class, a stream field beside a function whose ``self`` is a ``StreamWriter``.

Left without a test, as the section says: ``:607`` (any method of a collection taken as the
collection: in the plausible programs tried the mutant's answer is as good as the tool's or
better, e.g. ``for task in pending.union(done): task.cancel()`` gains ``task.cancel``) and
``:1879`` (``partial(resp.content.read)``: the mutant finds the response's read, arguably the
better answer). Of ``:1150`` only the crash is pinned: its other difference (``job: Job =
Job()`` of the user's package, then ``job.set_result(v)``, loses ``future.set_result``) is an
answer as good as the tool's.
"""

from __future__ import annotations

import pytest

from tests.test_mutation_port_gaps import found

# -- which library a name is of -------------------------------------------------------------------


def test_a_blocking_module_beside_its_aiohttp_twin_is_not_asyncio_only() -> None:
    """``import chatlib.client`` and ``import chatlib.client_aiohttp``: a module named
    ``*_aiohttp`` is the library's asyncio flavour, the plain ``client`` beside it is the
    blocking one. A slip in the suffix list makes the blocking import an ``asyncio-only-lib``
    finding, sending the user to port code that already works under Trio (``names.py:468``)."""
    lines = found("""\
        import asyncio
        import chatlib.client
        import chatlib.client_aiohttp


        def main():
            loop = asyncio.get_event_loop()
            reactor = chatlib.client_aiohttp.AioReactor(loop=loop)
            conn = loop.run_until_complete(reactor.server().connect("irc.example", 6667))
            return conn
        """)
    assert 2 not in lines
    assert lines[3] == {"lib:chatlib"}


def test_a_submodule_imported_beside_another_is_named_by_itself() -> None:
    """``import dns.asyncquery`` then ``import dns.quic``: each import binds the package
    ``dns``, and ``dns.quic.AsyncioQuicManager()`` is named by its own module, the name a user
    looks up, not ``dns.asyncquery.quic...``, a module that does not exist (``names.py:805``)."""
    lines = found("""\
        import asyncio

        import dns.asyncquery
        import dns.message
        import dns.quic


        async def ask(name):
            query = dns.message.make_query(name, "A")
            async with dns.quic.AsyncioQuicManager() as manager:
                return await dns.asyncquery.quic(query, "1.1.1.1", connection=manager)
        """)
    assert lines[10] == {"lib:dns.quic.AsyncioQuicManager"}


def test_a_librarys_log_logger_is_no_library_call() -> None:
    """``from aiokafka import AIOKafkaConsumer, log``: ``log`` is the library's
    ``logging.Logger``, and ``log.info(...)`` is plain logging that runs under Trio as it is; a
    slip in the logger names makes it a false ``lib:aiokafka`` finding (``names.py:771``)."""
    lines = found("""\
        import asyncio
        from aiokafka import AIOKafkaConsumer, log


        async def consume():
            consumer = AIOKafkaConsumer("events")
            await consumer.start()
            log.info("consumer started")
            await asyncio.sleep(1)
        """)
    assert lines[7] == {"lib:aiokafka"}
    assert 8 not in lines


@pytest.mark.parametrize("path", ["tests/test_fetch.py", "tests\\test_fetch.py"])
def test_a_test_file_with_a_windows_path_is_the_users_code(path: str) -> None:
    """A test module calling asyncpg's private ``conn._execute(...)``: only asyncpg's own
    package may do that unremarked. Scanned as ``tests\\test_fetch.py`` (the path Windows
    hands in) it is still the user's test file, with every asyncpg line found, as with ``/``;
    a slip in the separator's handling takes it for the library's code and drops all five
    (``names.py:1028``)."""
    lines = found("""\
        import asyncpg


        async def test_fetch():
            conn = await asyncpg.connect("postgresql://localhost/test")
            await conn._execute("SELECT 1", (), 0, None)
            rows = await conn.fetch("SELECT 1")
            await conn.close()
            assert rows
        """, path)
    assert lines == {line: {"lib:asyncpg"} for line in (1, 5, 6, 7, 8)}


# -- where a name comes from ----------------------------------------------------------------------


def test_a_loop_kept_in_a_private_field_is_a_loop() -> None:
    """``self.__loop = current_loop()`` of the package's own runtime: a field named ``loop``,
    even name-mangled, is the event loop, so ``call_soon`` and ``run_until_complete`` on it are
    the ``call-later`` and ``run`` a user must port (``names.py:1079``)."""
    lines = found("""\
        from mypkg.runtime import current_loop


        class Worker:
            def __init__(self):
                self.__loop = current_loop()

            def start(self):
                self.__loop.call_soon(self.tick)
                self.__loop.run_until_complete(self.run())

            def tick(self):
                pass

            async def run(self):
                pass
        """)
    assert lines[9] == {"loop.call_soon"}
    assert lines[10] == {"loop.run_until_complete"}


def test_a_parameter_annotated_any_is_what_it_is_used_as() -> None:
    """``def resolve(fut: Any, value)`` handed to ``call_soon``: ``Any`` names no class, so
    the parameter keeps the kind its name and use give it, and ``fut.set_result(value)`` is a
    future's result set, found (``names.py:1789``, both spellings of ``Any``)."""
    lines = found("""\
        import asyncio
        from typing import Any


        def resolve(fut: Any, value: int) -> None:
            fut.set_result(value)


        async def main():
            fut = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().call_soon(resolve, fut, 1)
            return await fut
        """)
    assert lines[6] == {"future.set_result"}


def test_a_plugins_object_annotated_object_does_not_stop_the_scan() -> None:
    """``config: object = importlib.import_module(name).Config()``: an annotation that is a
    builtin's name beside a call of no name the scan knows. The scan must go on to the rest
    of the file, not raise (``names.py:1150``: a slip that takes any call for a name crashes on
    ``.id``)."""
    lines = found("""\
        import asyncio
        import importlib


        def load(name):
            config: object = importlib.import_module(name).Config()
            return config


        async def main():
            await asyncio.sleep(0)
        """)
    assert lines[11] == {"asyncio.sleep(0)"}


# -- what a scan must not stop at -----------------------------------------------------------------


def test_a_module_level_serve_forever_thread_does_not_end_the_walk() -> None:
    """``docs = threading.Thread(target=httpd.serve_forever)`` at module level is
    ``socketserver``'s, no asyncio server, and is skipped; the walk goes on, so a class's
    ``while server.is_serving():`` later in the file is still the low-level server a user ports
    (``names.py:1265``: ``continue`` slipped to ``break``)."""
    lines = found("""\
        import asyncio
        import threading
        from http.server import HTTPServer, SimpleHTTPRequestHandler

        httpd = HTTPServer(("", 8000), SimpleHTTPRequestHandler)
        docs = threading.Thread(target=httpd.serve_forever, daemon=True)


        class Watcher:
            async def watch(self, server):
                try:
                    while server.is_serving():
                        await asyncio.sleep(1)
                finally:
                    server.close()
        """)
    assert lines[12] == {"lowserver"}
    assert lines[15] == {"lowserver.close"}
    assert 6 not in lines


def test_setattr_with_the_name_in_a_variable_does_not_stop_the_scan() -> None:
    """``setattr(self, name, asyncio.Queue())`` in a loop over names: the field's name is not
    a constant, so no field is bound, but the queue is still found and the scan does not
    raise (``names.py:1859``: the guard's ``or`` slipped to ``and``)."""
    lines = found("""\
        import asyncio


        class Channels:
            def __init__(self, names):
                for name in names:
                    setattr(self, name, asyncio.Queue())
        """)
    assert lines[7] == {"asyncio.Queue"}


# -- what an aiohttp object is --------------------------------------------------------------------


def test_a_cached_property_session_is_a_session() -> None:
    """``@cached_property def client(self): return aiohttp.ClientSession(...)`` with no return
    annotation: the field is the session, so ``self.client.get(url)`` is the session call a
    user ports to httpx (``names.py:1370``)."""
    lines = found("""\
        from functools import cached_property

        import aiohttp


        class Api:
            @cached_property
            def client(self):
                return aiohttp.ClientSession(raise_for_status=True)

            async def fetch(self, url):
                async with self.client.get(url) as response:
                    return await response.text()
        """)
    assert lines[12] == {"session"}
    assert lines[13] == {"response"}


def test_the_messages_of_a_websocket_are_websocket_messages() -> None:
    """``async for msg in ws:`` of ``session.ws_connect(url)``: each ``msg`` is a
    ``WSMessage``, so ``msg.json()`` is websocket code, found (``names.py:1474`` and ``:1475``,
    the kind compared and the kind bound)."""
    lines = found("""\
        import aiohttp


        async def listen(url):
            async with aiohttp.ClientSession() as session:
                async with session.ws_connect(url) as ws:
                    async for msg in ws:
                        if msg.type == aiohttp.WSMsgType.TEXT:
                            print(msg.json())
                        elif msg.type == aiohttp.WSMsgType.ERROR:
                            break
        """)
    assert lines[9] == {"aiohttp.ws"}


def test_a_session_parameter_called_with_url_keyword_is_a_session() -> None:
    """``async def fetch_json(http_session, url)``, called from another module, with
    ``http_session.get(url=url)``: the URL as a keyword is still an HTTP request, so the
    parameter is taken for a session by its use and the call is found (``names.py:1711``)."""
    lines = found("""\
        import aiohttp


        async def fetch_json(http_session, url):
            async with http_session.get(url=url) as resp:
                if resp.status != 200:
                    raise aiohttp.ClientError(resp.status)
                return await resp.json()
        """)
    assert lines[5] == {"session"}
    assert lines[8] == {"response"}


def test_a_session_parameter_beside_a_modules_own_session_is_a_session() -> None:
    """``async def fetch(session, url)``, called from another module, in a file that also
    makes ``session = aiohttp.ClientSession()``: the parameter is a session by its use, so
    ``session.get(url)`` is found, not taken as shadowed (``names.py:1716``)."""
    lines = found("""\
        import aiohttp


        async def fetch(session, url):
            async with session.get(url) as resp:
                return await resp.text()


        async def main():
            session = aiohttp.ClientSession()
            await session.close()
        """)
    assert lines[5] == {"session"}
    assert lines[6] == {"response"}


def test_a_servers_request_response_is_no_client_response() -> None:
    """A handler's ``await request.response.read()``: ``request`` is the server's request,
    and whatever it carries is no aiohttp client response, so the file gains no ``response``
    (client) finding (``names.py:1746``)."""
    lines = found("""\
        from aiohttp import web


        async def handler(request):
            await request.response.read()
            if request.response.status == 200:
                return web.Response(text="ok")
            return web.Response(status=502)
        """)
    assert all("response" not in constructs for constructs in lines.values())
    assert 5 not in lines


# -- what a collection and an assignment hold -----------------------------------------------------


def test_tasks_appended_to_a_list_are_tasks() -> None:
    """``pending.append(asyncio.ensure_future(work(n)))``, then ``for each in pending:
    each.cancel()``: the list holds tasks, so the cancel is a task's, found as the cancel
    scope a user ports (``names.py:1841``)."""
    lines = found("""\
        import asyncio


        async def work(n):
            await asyncio.sleep(n)


        async def main():
            pending = []
            for n in range(3):
                pending.append(asyncio.ensure_future(work(n)))
            for each in pending:
                each.cancel()
        """)
    assert lines[13] == {"task.cancel"}


def test_awaiting_the_files_own_awaitable_gives_no_future() -> None:
    """``state = await Attempt()``, ``Attempt`` the file's own class with ``__await__``: what
    the ``await`` gives is that awaitable's result, not an ``Attempt`` taken for a future, so
    ``state.set_result(...)`` is no ``future.set_result`` (``names.py:1967``)."""
    lines = found("""\
        import asyncio


        class Attempt:
            def __await__(self):
                return asyncio.sleep(0).__await__()


        async def run(fn):
            state = await Attempt()
            state.set_result(await fn())
            return state
        """)
    assert 11 not in lines


def test_a_stream_field_beside_a_patch_whose_self_is_a_writer() -> None:
    """``def patched_write(self: asyncio.StreamWriter, ...)`` at module level gives the name
    ``self`` a kind in the file; a class's ``self.writer = conn.writer`` must still be read as
    a field of the instance, not of that writer, so the assignment gains no ``stream`` finding
    (``names.py:1502``; a rare spelling, a monkeypatch)."""
    lines = found("""\
        import asyncio


        def patched_write(self: asyncio.StreamWriter, data: bytes) -> None:
            print(len(data))


        class Client:
            def __init__(self, conn):
                self.writer = conn.writer

            async def send(self, data: bytes) -> None:
                self.writer.write(data)
                await self.writer.drain()
        """)
    assert 10 not in lines
    assert lines[13] == {"stream"}
    assert lines[14] == {"stream"}
