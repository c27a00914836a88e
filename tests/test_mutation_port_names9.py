"""``walkthrough port`` (``names.py``): the survivors of seed 36's sample (issue 24).

A tenth random sample of 240 of ``names.py``'s mutants (seed 36, ``docs/mutation.md``,
"``walkthrough/port/names.py`` (SAMPLED, seed 36, a replicate of seed 35)") left 10 real slips
no test noticed. Each test here is a short program in the style of real asyncio code, scanned
as a user's file, with the findings the slip changes. The line numbers are of ``7ca30ba``
(``names.py`` as at ``18f4bd5``, unchanged since), where the sample was run:

* whose code a file is: a pytest module named ``*_test.py``;
* what an annotation says: a ``typing.Union[...]`` spelled through the module, a
  ``typing.Type[asyncio.Queue]`` factory parameter, an annotation that subscripts a lookup;
* what a callback is handed: a protocol's ``connection_made`` in the file that also unpacks
  ``create_connection``'s result, a ``start_server`` handler and a library's event handler
  with a parameter of their own after the ones they are handed;
* where a name comes from: the pre-3.7 alias ``asyncio.Task.current_task``.

``:1666`` (``"web"`` in ``_returns``) is seed 35's line and string; seed 35's test in
``tests/test_mutation_port_names8.py`` (not in seed 36's run) already fails with it.

Left without a test: ``:1279`` (``_collect``'s makers' passes, ``range(2)`` → ``range(3)``,
seed 31's ``x__collect__mutmut_107``): a third pass resolves a chain of three wrappers that
the tool, with two, does not; the mutant's answer is the better one, and pinning the tool's
would pin the worse answer.
"""

from __future__ import annotations

from tests.test_mutation_port_gaps import found

# -- whose code a file is -------------------------------------------------------------------------


ASYNCPG_TESTS = """\
    import asyncpg
    import pytest


    @pytest.fixture
    async def conn():
        conn = await asyncpg.connect("postgresql://localhost/test")
        yield conn
        await conn.close()


    async def test_a_closed_connection_refuses_queries(conn):
        await conn.close()
        with pytest.raises(asyncpg.InterfaceError):
            conn._check_open()


    async def test_fetchrow(conn):
        row = await conn.fetchrow("SELECT 1")
        assert row[0] == 1
    """


def test_a_pytest_module_named_test_last_is_the_users_program() -> None:
    """``tests/connection_test.py`` (pytest's other default pattern, ``*_test.py``) reaching
    into asyncpg's private ``conn._check_open()``, as a user's tests of their database layer
    do: a test module calls the library as its users do, so each asyncpg line is code to
    port away from an asyncio-only library. A slip in the ``_test.py`` suffix takes the file
    for asyncpg's own code (the private call is the evidence) and drops every finding: the
    user is told their test suite has nothing to port (``names.py:1029``)."""
    expected = {line: {"lib:asyncpg"} for line in (1, 7, 9, 13, 14, 15, 19)}
    assert found(ASYNCPG_TESTS, "tests/connection_test.py") == expected
    # the same as pytest's first pattern, test_*.py
    assert found(ASYNCPG_TESTS, "tests/test_connection.py") == expected


# -- what an annotation says ----------------------------------------------------------------------


def test_a_union_spelled_through_the_typing_module_holds_a_task() -> None:
    """``typing.Union[asyncio.Task, None]`` (``import typing``, no ``from typing import``):
    as much a union as ``Union[...]`` or ``Task | None``, so the field and the helper's
    parameter are tasks, and ``task.cancel()`` / ``await task`` are the ``task-cancel`` and
    ``task-result`` lines a user ports to a cancel scope. A slip in the name's last part
    (``names.py:660``) reads the annotation as a plain ``Task``: the field becomes a false
    ``task-set`` (a task kept in a set), and the helper loses its cancel and its await."""
    lines = found("""\
        import asyncio
        import typing


        class Poller:
            \"\"\"Polls a source every few seconds until stopped.\"\"\"

            def __init__(self, source) -> None:
                self.source = source
                self._task: typing.Union[asyncio.Task, None] = None

            def start(self) -> None:
                self._task = asyncio.create_task(self._run())

            def stop(self) -> None:
                if self._task is not None:
                    self._task.cancel()

            async def _run(self) -> None:
                while True:
                    await self.source.poll()
                    await asyncio.sleep(5)


        async def cancel_and_wait(task: typing.Union[asyncio.Task, None]) -> None:
            if task is None:
                return
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        """)
    assert lines[10] == {"asyncio.Task for service", "asyncio.Task for task.cancel", "service"}
    assert lines[25] == {"asyncio.Task for task.cancel"}
    assert lines[28] == {"task.cancel"}
    assert lines[30] == {"await task"}


def test_a_typing_type_of_asyncio_queue_parameter_makes_a_queue() -> None:
    """``make_queue: typing.Type[asyncio.Queue]``: the caller picks the queue class (FIFO,
    LIFO, priority), so what calling the parameter makes is asyncio's queue, and each
    ``put``/``get``/``empty`` on it is the ``queue`` a user swaps for a memory channel. A slip
    in reading ``typing.Type``'s last name (an attribute, not a bare ``Type``) loses the
    four lines (``names.py:1235``, ``and False``; the bare ``type[...]`` is unaffected)."""
    lines = found("""\
        import asyncio
        import typing


        async def crawl(urls, fetch, make_queue: typing.Type[asyncio.Queue]) -> list:
            \"\"\"Fetch every URL; the caller picks the queue class (FIFO, LIFO, priority).\"\"\"
            pending = make_queue()
            for url in urls:
                await pending.put(url)
            pages = []
            while not pending.empty():
                url = await pending.get()
                pages.append(await fetch(url))
            return pages
        """)
    assert lines[5] == {"asyncio.Queue"}
    assert lines[7] == {"asyncio.Queue"}
    assert lines[9] == {"queue.put"}
    assert lines[11] == {"queue.empty"}
    assert lines[12] == {"queue.get"}


def test_an_annotation_subscripting_a_lookup_does_not_stop_the_scan() -> None:
    """``jobs: QUEUES["lifo"][str]``: a subscript whose value is itself a subscript, neither a
    name nor an attribute (a rare spelling, but valid Python, and with postponed annotations
    never evaluated). The scan must still report the file; a slip that reads ``.attr`` off any
    node (``names.py:1235``, ``or True``) raises ``AttributeError`` and the user gets a
    traceback instead of the file's findings. The lookup itself is not followed (lines 7-8 get
    nothing, then as now), so only the findings the tool does make are asserted."""
    lines = found("""\
        import asyncio

        QUEUES = {"fifo": asyncio.Queue, "lifo": asyncio.LifoQueue}


        async def drain(jobs: QUEUES["lifo"][str]) -> None:
            while not jobs.empty():
                print(await jobs.get())
        """)
    assert lines[1] == {"import asyncio"}
    assert lines[3] == {"asyncio.Queue", "asyncio.LifoQueue"}


# -- what a callback is handed --------------------------------------------------------------------


def test_the_echo_clients_transport_is_the_protocols_own() -> None:
    """The asyncio documentation's TCP echo client: ``connection_made(self, transport)``
    writes to the transport the loop hands it, and ``main`` unpacks
    ``transport, protocol = await loop.create_connection(...)``, a second ``transport`` in
    the same file. The parameter is what the protocol is given, not a name bound elsewhere,
    so ``transport.write(...)`` is the ``protocols`` line to port to a stream. A slip that
    forgets which parameters were given (``names.py:1543``) lets the other assignment shadow
    it and loses that line."""
    lines = found("""\
        import asyncio


        class EchoClientProtocol(asyncio.Protocol):
            def __init__(self, message, on_con_lost):
                self.message = message
                self.on_con_lost = on_con_lost

            def connection_made(self, transport):
                transport.write(self.message.encode())
                print('Data sent: {!r}'.format(self.message))

            def data_received(self, data):
                print('Data received: {!r}'.format(data.decode()))

            def connection_lost(self, exc):
                print('The server closed the connection')
                self.on_con_lost.set_result(True)


        async def main():
            loop = asyncio.get_running_loop()
            on_con_lost = loop.create_future()
            message = 'Hello World!'
            transport, protocol = await loop.create_connection(
                lambda: EchoClientProtocol(message, on_con_lost),
                '127.0.0.1', 8888)
            try:
                await on_con_lost
            finally:
                transport.close()


        asyncio.run(main())
        """)
    assert lines[10] == {"transport"}
    assert lines[25] == {"loop.create_connection"}
    assert lines[31] == {"transport"}


def test_a_stream_handlers_own_parameter_is_no_stream() -> None:
    """``async def handle_echo(reader, writer, log=transcript)``: ``asyncio.start_server``
    hands its callback two arguments, the reader and the writer; ``log`` is the handler's
    own (a file bound by default, an idiom for a module object), so ``log.write(...)`` is a
    file write, not a stream to port. A slip in the count (``names.py:1395``, 2 → 3) makes
    it a false ``streams`` finding."""
    lines = found("""\
        import asyncio

        transcript = open("echo.log", "a")


        async def handle_echo(reader, writer, log=transcript):
            data = await reader.read(100)
            log.write(data.decode())
            writer.write(data)
            await writer.drain()
            writer.close()
            await writer.wait_closed()


        async def main():
            server = await asyncio.start_server(handle_echo, "127.0.0.1", 8888)
            async with server:
                await server.serve_forever()


        asyncio.run(main())
        """)
    assert 8 not in lines
    assert lines[7] == {"stream"}
    assert lines[9] == {"stream"}


def test_a_library_event_handlers_own_parameter_is_not_the_librarys() -> None:
    """``@pc.on("datachannel") def on_datachannel(channel, log=log)``: aiortc's peer
    connection hands the handler one object, the channel; ``log`` is the module's logger,
    bound by default. So ``log.info(...)`` is no aiortc call. A slip in the count
    (``names.py:1353``, 1 → 2) hands the logger the library's kind too: a false
    ``lib:aiortc`` finding on the logging line, one more line the user is told to port away
    from an asyncio-only library."""
    lines = found("""\
        import logging

        from aiortc import RTCPeerConnection

        log = logging.getLogger("chat")
        pc = RTCPeerConnection()


        @pc.on("datachannel")
        def on_datachannel(channel, log=log):
            log.info("channel %s opened", channel.label)

            @channel.on("message")
            def on_message(message):
                channel.send("echo: " + message)
        """)
    assert 11 not in lines
    assert lines[13] == {"lib:aiortc"}
    assert lines[15] == {"lib:aiortc"}


# -- where a name comes from ----------------------------------------------------------------------


def test_the_pre_37_alias_of_current_task_is_asyncios_function() -> None:
    """``_current_task = asyncio.Task.current_task``: the spelling before Python 3.7 (removed
    in 3.9), still in libraries of that age. The name is asyncio's function, so the call in
    ``__aenter__`` is the ``current-task`` a user ports (to ``trio.lowlevel.current_task`` or
    a cancel scope). A slip that reads the name's second part rather than its last
    (``Task.current_task``, upper-case: ``names.py:1900``) does not take it for an alias,
    and the call line is lost."""
    lines = found("""\
        import asyncio

        _current_task = asyncio.Task.current_task


        class Timeout:
            \"\"\"``async with Timeout(5):`` cancels the task it runs in after five seconds.\"\"\"

            def __init__(self, seconds):
                self.seconds = seconds

            async def __aenter__(self):
                task = _current_task()
                self._handle = asyncio.get_event_loop().call_later(self.seconds, task.cancel)
                return self

            async def __aexit__(self, *exc):
                self._handle.cancel()
        """)
    assert lines[3] == {"asyncio.Task.current_task"}
    assert lines[13] == {"asyncio.Task.current_task"}
