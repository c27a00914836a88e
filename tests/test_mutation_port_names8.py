"""``walkthrough port`` (``names.py``): the survivors of seed 35's sample (issue 27).

A ninth random sample of 240 of ``names.py``'s mutants (seed 35, ``docs/mutation.md``,
"``walkthrough/port/names.py`` (SAMPLED, seed 35)") left 8 real slips no test noticed. Each
test here is a short program in the style of real asyncio code, scanned as a user's file, with
the findings the slip changes. The line numbers are of ``5d9308c`` (``names.py`` as at
``43a4df6``, unchanged since), where the sample was run:

* whose code a file is: a library's test file on disk, in a ``tests/`` folder that is no
  package;
* which library a name is of: a blocking module beside the library's ``aiohttp`` submodule;
* where a name comes from: a loop taken from ``kwargs.get("loop")``, an ``import`` of the
  file's own package and asyncio on one line, a type alias of ``asyncio.Queue``;
* what a class is handed: an asyncio-only library's protocol class, whose ``connection_made``
  gets that library's transport;
* what a function returns: an application factory that returns the file's own wrapper of the
  ``web.Application`` on one path.

Left without a test, as the section says: ``:916`` (``_external_refs`` walking its references
three times, not two: a chain of three references, written in reverse order, is then resolved,
so ``await conn.send(...)`` is found as the unlisted package's; the mutant's answer is the
better one, and pinning the tool's would pin the worse answer).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.test_mutation_port_gaps import found
from walkthrough import port

# -- whose code a file is -------------------------------------------------------------------------


def test_a_librarys_test_file_outside_any_package_is_the_librarys_code(tmp_path: Path) -> None:
    """aiohttp's own test, on disk in a clone's ``tests/`` (no ``__init__.py``, as pytest's
    rootdir-style suites have), reaching into the private ``aiohttp._websocket.reader``: the
    folder names no package, so the imports decide, and they show aiohttp's own code, whose
    use of aiohttp is no port to make. A slip that gives such a folder the package ``""``
    overrides that evidence: the maintainer scanning their clone gets every aiohttp line of
    their own tests as client and websocket code to port (``names.py:457``)."""
    source = textwrap.dedent("""\
        import asyncio

        import aiohttp
        from aiohttp._websocket.reader import WebSocketReader


        async def test_reader_feeds_the_queue() -> None:
            queue = aiohttp.DataQueue(asyncio.get_running_loop())
            reader = WebSocketReader(queue, 1024)
            reader.feed_data(b"\\x81\\x00")
            message = await queue.read()
            assert message.type == aiohttp.WSMsgType.TEXT
        """)
    (tmp_path / "tests").mkdir()
    test_file = tmp_path / "tests" / "test_reader.py"
    test_file.write_text(source)
    lines: dict[int, set[str]] = {}
    for finding in port.scan(source, str(test_file)):
        lines.setdefault(finding.line, set()).add(finding.construct)
    # asyncio's own lines stay: the loop handed to aiohttp is still one to port
    assert lines == {1: {"import asyncio"}, 8: {"asyncio.get_running_loop", "loop passed"}}


# -- which library a name is of -------------------------------------------------------------------


def test_a_blocking_module_beside_the_librarys_aiohttp_submodule_is_not_asyncio_only() -> None:
    """``import chatlib.client`` beside ``from chatlib.aiohttp import AioReactor``: a
    submodule named ``aiohttp`` is the library's asyncio flavour, so the plain ``client``
    beside it is the blocking one, which runs under Trio as it is. A slip in the names of
    async submodules makes the import and ``chatlib.client.is_channel(...)`` two false
    ``asyncio-only-lib`` findings, sending the user to port code that already works
    (``names.py:466``; seed 34's ``:468``, the ``_aiohttp`` suffix, is the same function)."""
    lines = found("""\
        import asyncio
        import chatlib.client
        from chatlib import sessions
        from chatlib.aiohttp import AioReactor


        async def main():
            conn = await sessions.open_session(AioReactor(), "irc.example", 6667)
            if chatlib.client.is_channel("#x"):
                await conn.join("#x")


        asyncio.run(main())
        """)
    assert 2 not in lines
    assert 9 not in lines
    assert lines[4] == {"lib:chatlib.aiohttp"}
    assert lines[8] == {"lib:chatlib", "lib:chatlib.aiohttp.AioReactor"}


# -- where a name comes from ----------------------------------------------------------------------


def test_a_loop_taken_from_kwargs_get_is_a_loop() -> None:
    """``self.ev = kwargs.get("loop")``: the ``loop`` keyword an asyncio-era class still
    accepts, read with ``get`` as often as with ``pop``. The field is the event loop, so
    ``self.ev.call_later(...)`` is the ``call-later`` a user must port to a cancel scope
    (``names.py:575``: a slip in ``("pop", "get")`` loses it)."""
    lines = found("""\
        import asyncio


        class Heartbeat:
            def __init__(self, interval, **kwargs):
                self.interval = interval
                self.ev = kwargs.get("loop")

            def start(self):
                self.handle = self.ev.call_later(self.interval, self.beat)

            def beat(self):
                print("beat")
                self.start()


        async def main():
            Heartbeat(5, loop=asyncio.get_running_loop()).start()
            await asyncio.sleep(12)
        """)
    assert lines[10] == {"loop.call_later"}


def test_an_import_of_the_own_package_beside_asyncio_on_one_line() -> None:
    """``import mylib.config, asyncio`` in ``mylib/worker.py``: the package's own module is
    skipped, and the walk goes on to the next name of the same ``import``, so ``asyncio``
    is bound and ``await asyncio.sleep(...)`` is the ``sleep`` a user ports
    (``names.py:793``: ``continue`` slipped to ``break``; a rare spelling, two modules on one
    ``import``)."""
    lines = found("""\
        import mylib.config, asyncio


        async def poll(queue):
            while True:
                await asyncio.sleep(mylib.config.INTERVAL)
                queue.put_nowait("tick")
        """, "mylib/worker.py")
    assert lines[6] == {"asyncio.sleep"}


def test_a_type_alias_of_asyncio_queue_names_the_queue() -> None:
    """``Jobs = asyncio.Queue`` (no subscript): a type alias, so a parameter and a local
    annotated ``Jobs`` are asyncio's queue, each found as the ``queue`` a user swaps for a
    memory channel (``names.py:1908``: a slip that always takes the subscripted value reads
    the alias as ``asyncio`` and loses both)."""
    lines = found("""\
        import asyncio

        Jobs = asyncio.Queue


        async def worker(pending: Jobs):
            while True:
                job = await pending.get()
                print(job)
                pending.task_done()


        async def main():
            pending: Jobs = Jobs()
            pending.put_nowait(1)
            asyncio.create_task(worker(pending))
            await pending.join()
        """)
    assert lines[6] == {"asyncio.Queue"}
    assert lines[14] == {"asyncio.Queue"}


# -- what a class is handed -----------------------------------------------------------------------


def test_an_asyncio_only_librarys_protocol_is_handed_the_librarys_transport() -> None:
    """A subclass of aioquic's ``QuicConnectionProtocol`` (a class of an asyncio-only
    library whose name ends in ``Protocol``, not asyncio's): its ``connection_made`` is
    called by aioquic's ``serve``, so what it writes to is aioquic's, found as the
    library's (``asyncio-only-lib``: port away from the library), as the branch's own comment
    says. A slip of ``and`` to ``or`` takes any ``*Protocol`` for asyncio's and sends the
    user to port the transport line by line, as if the file made it (``names.py:1529``)."""
    lines = found("""\
        import asyncio

        from aioquic.asyncio import QuicConnectionProtocol, serve


        class EchoServerProtocol(QuicConnectionProtocol):
            def connection_made(self, transport):
                super().connection_made(transport)
                self.peer = transport.get_extra_info("peername")
                transport.write(b"hello")

            def quic_event_received(self, event):
                print(event)


        async def main(configuration):
            await serve("0.0.0.0", 4433, configuration=configuration,
                        create_protocol=EchoServerProtocol)
            await asyncio.Future()
        """)
    assert lines[9] == {"lib:aioquic.asyncio"}
    assert lines[10] == {"lib:aioquic.asyncio"}


# -- what a function returns ----------------------------------------------------------------------


def test_a_factory_returning_the_files_wrapper_on_one_path_is_no_web_factory() -> None:
    """``create_app(profile=True)`` returns the file's own ``Profiled`` wrapper (``app``
    rebound), otherwise ``web.Application()``: the factory does not always return aiohttp's
    application, so ``server.start(8080)``, the wrapper's own method, is no aiohttp server
    call, and the ``from aiohttp import web`` line keeps its one finding. A slip in the kinds
    a rebound return drops (``"web"``) makes it a ``web`` factory: a false ``http-server``
    finding on ``server.start`` (``names.py:1666``; the same tuple as seeds 28, 29, 31 and
    33's survivors, each of whose other strings a test now pins)."""
    lines = found("""\
        from aiohttp import web


        class Profiled:
            \"\"\"The application, wrapped to time every request.\"\"\"

            def __init__(self, app):
                self.app = app

            def start(self, port):
                print("profiling on", port)
                web.run_app(self.app, port=port)


        def create_app(profile=False):
            if profile:
                app = web.Application()
                app = Profiled(app)
                return app
            return web.Application()


        def main():
            server = create_app(profile=True)
            server.start(8080)
        """)
    assert lines[1] == {"aiohttp.web"}
    assert 25 not in lines
