"""``walkthrough port`` on libraries it has no entry for, and on the edges of the ones it has.

A name list only knows the libraries someone wrote down, so the tool also weighs what a file
shows: a package's own layout (an ``aio*`` package with an ``asyncio`` submodule is split), and
how the file uses a module. Each case is a short program written here (the corpus in
``tests/port_corpus/`` measures the figures); each asserts the rows a line gets, and that a
line that needs no change gets nothing.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from walkthrough import port
from walkthrough.port import libraries


def rows(source: str, path: str = "case.py") -> dict[int, set[str]]:
    """Line → the rows the tool names there."""
    found: dict[int, set[str]] = {}
    for finding in port.scan(textwrap.dedent(source), path):
        found.setdefault(finding.line, set()).add(finding.row)
    return found


def test_a_package_with_an_asyncio_submodule_is_asyncio_only_in_that_submodule() -> None:
    """``aiofoo.asyncio`` beside a sans-I/O ``aiofoo.core``: the name pattern ``aio*`` gives way
    to the package's own layout, so only the asyncio binding's uses are findings."""
    found = rows("""\
        import asyncio
        from aiofoo.asyncio import connect
        from aiofoo.core import Config, Event

        def describe(event: Event) -> str:
            return repr(event)

        async def main():
            config = Config(verify=False)
            config.load("x.pem")
            async with connect("h", 1, config=config) as client:
                await client.ping()

        asyncio.run(main())
        """)
    assert found[2] == {"asyncio-only-lib"}
    assert found[11] == {"asyncio-only-lib"} and found[12] == {"asyncio-only-lib"}
    assert not {3, 5, 9, 10} & set(found)  # the asyncio-free part of the package


def test_without_its_asyncio_submodule_an_aio_package_is_still_asyncio_only_by_name() -> None:
    found = rows("""\
        from aiofoo.core import Config

        async def main():
            config = Config()
        """)
    assert found[1] == {"asyncio-only-lib"} and found[4] == {"asyncio-only-lib"}


def test_the_split_is_by_the_package_layout_not_by_a_listed_package() -> None:
    assert libraries.name("aiofoo.asyncio.client") == "aiofoo.asyncio"
    assert libraries.name("aiofoo.core") == "aiofoo"  # alone, the name still says asyncio
    assert libraries.split_packages(["aiofoo.asyncio.client", "aiofoo.core"]) == {"aiofoo"}
    # a listed package keeps its entry: its asyncio-named submodule is part of it
    assert libraries.split_packages(["motor.motor_asyncio"]) == set()
    assert libraries.name("motor.motor_asyncio") == "motor"


def test_a_subclass_of_streamreaderprotocol_is_a_protocol() -> None:
    found = rows("""\
        import asyncio

        class Reader(asyncio.StreamReaderProtocol):
            def connection_lost(self, exc):
                saved = self.__dict__.copy()
                super().connection_lost(exc)
                self.__dict__.update(saved)
        """)
    assert found[3] == {"protocols"} and found[6] == {"protocols"}
    assert 5 not in found and 7 not in found  # the instance's own dict: plain Python


def test_a_field_the_asyncio_base_class_keeps_is_read_as_plain_data() -> None:
    """``self._buffer`` in a StreamReader subclass is a field read; a call of an inherited
    method (``self._wait_for_data()``) is the base class's API and changes."""
    found = rows("""\
        import asyncio

        class Reader(asyncio.StreamReader):
            async def take(self, n):
                chunk = self._buffer[:n]
                del self._buffer[:n]
                await self._wait_for_data("take")
                return bytes(chunk)
        """)
    assert found[3] == {"streams"} and found[7] == {"streams"}
    assert 5 not in found and 6 not in found


def test_a_classs_own_method_named_like_a_streams_is_its_own() -> None:
    found = rows("""\
        import asyncio

        class Writer:
            async def drain(self):
                await asyncio.sleep(0)

            async def wait_closed(self):
                await self.drain()

        async def flush(writer):
            await writer.drain()
        """)
    assert 8 not in found  # self.drain(): the class defines it
    assert found[11] == {"streams"}  # a writer handed in: drain is a StreamWriter's only


def test_a_dunder_on_an_asyncio_object_is_pythons_data_model() -> None:
    found = rows("""\
        from aiohttp import ClientResponse

        class Retrying:
            async def __aenter__(self) -> ClientResponse:
                return await self._request()

            def __await__(self):
                return self.__aenter__().__await__()
        """)
    assert 8 not in found


def test_ctrl_c_in_a_coroutine_changes_where_it_waits_for_asyncios_own_future() -> None:
    """A coroutine that waits on asyncio itself (a future for the program's end) changes; one
    that only awaits a library's call catches what the library raises for the key, and
    does not."""
    found = rows("""\
        import asyncio

        async def main(done: asyncio.Future):
            try:
                await done
            except KeyboardInterrupt:
                print("bye")

        async def shell(session):
            while True:
                try:
                    print(await session.prompt_async())
                except (EOFError, KeyboardInterrupt):
                    return

        async def serve(handler):
            server = await asyncio.start_server(handler, port=8888)
            try:
                await server.serve_forever()
            except KeyboardInterrupt:
                pass
        """)
    assert found[6] == {"ctrl-c"}
    assert 13 not in found
    assert found[20] == {"ctrl-c"}  # asyncio's own server, waited on


def test_a_field_of_aiohttps_request_is_plain_data_but_its_apps_state_is_not() -> None:
    found = rows("""\
        from aiohttp import web

        async def handler(request):
            print("from", request.remote)
            for ws in request.app["sockets"]:
                await ws.send_str("x")
            data = await request.json()
            return web.Response(text=str(data))

        app = web.Application()
        app.router.add_get("/", handler)
        """)
    assert 4 not in found
    assert found[5] == {"http-server"} and found[7] == {"http-server"}


def test_a_comprehension_of_a_librarys_calls_is_the_librarys_line_not_a_gathers() -> None:
    found = rows("""\
        import asyncio
        import asyncssh

        async def connect_all(hosts):
            coros = [asyncssh.connect(host) for host in hosts]
            return await asyncio.gather(*coros)
        """)
    assert found[5] == {"asyncio-only-lib"}
    assert found[6] == {"gather"}


def test_a_subclass_that_wraps_another_library_object_calls_the_librarys_method() -> None:
    """``self.track.recv()`` in a subclass that defines ``recv``: the wrapped track is another
    object of the library, whose ``recv`` is its API; ``self.recv()`` and an instance's are
    the subclass's own."""
    found = rows("""\
        from aiortc import MediaStreamTrack
        from aiortc.contrib.media import MediaRelay

        relay = MediaRelay()

        class Flip(MediaStreamTrack):
            def __init__(self, track):
                super().__init__()
                self.track = track

            async def recv(self):
                frame = await self.track.recv()
                img = frame.to_ndarray(format="bgr24")
                return img

        async def main(source):
            flip = Flip(relay.subscribe(source))
            print(await flip.recv())
        """)
    assert found[12] == {"asyncio-only-lib"}
    assert 13 not in found  # a conversion to plain data
    assert 18 not in found  # the subclass's own recv


def test_testing_whether_an_optional_library_was_imported_is_no_use_of_it() -> None:
    found = rows("""\
        import asyncio
        try:
            import uvloop
        except ImportError:
            uvloop = None

        if uvloop is not None:
            asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        """)
    assert found[3] == {"loop"} and found[8] == {"loop"}
    assert 7 not in found


# --- evidence: an unlisted package awaited in an asyncio file -------------------------------

def test_what_an_unlisted_package_gives_awaited_in_an_asyncio_file_is_asyncio_only() -> None:
    """Awaited, used in ``async with`` or ``async for``, or handed ``loop=``: the package
    waits on asyncio's loop, so in this file it is an asyncio-only library, and every use of
    it is found, as for a listed one: its import, its constructors and its constants too (a
    package with a blocking twin is the exception, in the test after the next)."""
    found = rows("""\
        import asyncio
        from chatkit import Session, Event, CONSTANT
        import streamlib

        async def main(loop):
            session = Session("> ", mode=CONSTANT)
            done = Event("done")
            text = await session.ask()
            async with streamlib.open("x") as stream:
                async for chunk in stream:
                    print(chunk)
            await done
            pump = streamlib.Pump(loop=loop)

        asyncio.run(main(asyncio.new_event_loop()))
        """)
    assert found[8] == {"asyncio-only-lib"}  # await session.ask()
    assert found[9] == {"asyncio-only-lib"}  # async with streamlib.open(...)
    assert found[10] == {"asyncio-only-lib"}  # async for over what it opened
    assert found[12] == {"asyncio-only-lib"}  # await done (an Event it made)
    assert found[13] == {"loop", "asyncio-only-lib"}  # handed the loop
    for line in (2, 3, 6, 7):  # imports, constructors, a constant: the same library
        assert found[line] == {"asyncio-only-lib"}, line
    assert 11 not in found  # print(chunk): what it gave, handed to plain Python


def test_the_finding_names_the_package_and_says_what_it_rests_on() -> None:
    source = "import asyncio\nimport chatkit\n\nasync def f():\n    await chatkit.ask()\n"
    [finding] = [f for f in port.scan(source, "case.py") if f.line == 5]
    assert finding.construct == "lib:chatkit" and finding.row == "asyncio-only-lib"
    assert "chatkit: awaited in this asyncio program" in finding.gotcha
    assert "trio-asyncio" in finding.gotcha


def test_no_evidence_without_asyncio_or_from_what_is_known_to_run_under_trio() -> None:
    # the same await in a file that does not use asyncio: nothing says which loop it needs
    assert rows("import chatkit\n\nasync def f():\n    await chatkit.ask()\n") == {}
    found = rows("""\
        import asyncio
        import json
        import anyio
        import httpx
        import tenacity
        from trio_util import AsyncValue

        async def main(path):
            async with httpx.AsyncClient() as client:
                await client.get("https://example.org")
            await anyio.sleep(1)
            async for attempt in tenacity.AsyncRetrying():
                pass
            await AsyncValue(0).wait_value(1)
            print(json.dumps({}))
        """)
    assert set(found) == {1}  # import asyncio, and nothing else


def test_no_evidence_from_the_files_own_package_or_a_helper_beside_it(tmp_path: Path) -> None:
    source = """\
        import asyncio
        import helper
        import myhelpers
        from mypkg.io import fetch

        async def main():
            await helper.run()
            await myhelpers.run()
            await fetch()
        """
    # mypkg/app.py is mypkg's own module; helper is a helper's name by convention; on disk,
    # myhelpers.py beside the file is the project's
    (tmp_path / "mypkg").mkdir()
    (tmp_path / "mypkg" / "__init__.py").write_text("")
    (tmp_path / "mypkg" / "myhelpers.py").write_text("")
    app = tmp_path / "mypkg" / "app.py"
    app.write_text(textwrap.dedent(source))
    found = {f.line for f in port.scan(app.read_text(), str(app))}
    assert found == {1}
    # the same file elsewhere, with no helper beside it: myhelpers is a third party's
    assert rows(source, "scripts/app.py").get(8) == {"asyncio-only-lib"}


def test_a_library_object_awaited_by_itself_is_the_librarys_use() -> None:
    found = rows("""\
        import asyncio
        from eventkit import Event

        class Conn(asyncio.Protocol):
            def __init__(self):
                self.closed = Event("closed")

            async def wait(self):
                await self.closed
        """)
    assert found[2] == {"asyncio-only-lib"} and found[6] == {"asyncio-only-lib"}
    assert found[9] == {"asyncio-only-lib"}


# --- loops by the names they are kept under ---------------------------------------------------

def test_a_wrapper_under_asyncios_loop_getter_name_returns_a_loop() -> None:
    found = rows("""\
        import asyncio
        from .utils import get_running_loop

        class Pool:
            def __init__(self):
                self._loop = get_running_loop()

            def stale(self, conn):
                return self._loop.time() - conn.last_usage > 60

            def wake(self):
                return asyncio.ensure_future(self._wakeup(), loop=self._loop)
        """)
    assert found[6] == {"loop"} and found[9] == {"loop-time"}
    assert found[12] == {"create-task", "loop"}


def test_what_makes_the_programs_loops_is_a_loop_handed_on() -> None:
    found = rows("""\
        import asyncio

        def start(target, loop_initializer=None):
            if loop_initializer is None:
                loop = asyncio.new_event_loop()
            else:
                loop = loop_initializer()
            cache = {}
            cache[target] = target, loop
            return run(target, loop_initializer=loop_initializer)

        def count(loop_count=3):
            return loop_count + 1
        """)
    assert found[3] == {"loop"} and found[4] == {"loop"} and found[7] == {"loop"}
    assert found[9] == {"loop"}  # a loop kept in a tuple
    assert found[10] == {"loop"}
    assert 12 not in found and 13 not in found  # a count, not a loop maker


# --- following objects through partial, decorators and parameters ----------------------------

def test_partial_of_start_server_and_of_its_callback() -> None:
    found = rows("""\
        import asyncio
        from functools import partial

        async def handle(reader, writer, banner):
            writer.write(banner)
            writer.close()

        async def serve(port):
            start = partial(asyncio.start_server, port=port)
            callback = partial(handle, banner=b"hi")
            server = await start(callback)
            return server
        """)
    assert found[5] == {"streams"} and found[6] == {"streams"}
    assert found[9] == {"start-server"} and found[11] == {"start-server"}


def test_a_parameter_named_like_an_object_assigned_elsewhere_is_not_that_object() -> None:
    found = rows("""\
        import asyncio

        async def main(handler):
            server = await asyncio.start_server(handler, port=8888)
            print(server.sockets)

        def parse(server):
            host, port = server.rsplit(":", 1)
            return host

        def show(server: asyncio.Server):
            print(server.sockets)
        """)
    assert found[5] == {"start-server"}
    assert 8 not in found  # a string called server
    assert found[12] == {"start-server"}  # its annotation says it is one


def test_a_function_a_library_object_registers_gets_that_librarys_object() -> None:
    found = rows("""\
        from aiortc import RTCPeerConnection

        def setup():
            pc = RTCPeerConnection()

            @pc.on("datachannel")
            def on_datachannel(channel):
                channel.send("hello")
        """)
    assert found[6] == {"asyncio-only-lib"} and found[8] == {"asyncio-only-lib"}


def test_a_field_kept_on_the_loop_is_the_loops() -> None:
    found = rows("""\
        import asyncio

        def run(coro):
            loop = asyncio.get_event_loop()
            loop.server = loop.run_until_complete(coro)
            print(loop.server)
        """)
    assert found[6] == {"loop"}


def test_a_pair_a_method_of_the_file_returns_unpacks_to_its_kinds() -> None:
    found = rows("""\
        import asyncio
        from typing import Tuple

        class Client:
            async def _stdio(self) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]:
                ...

            async def _tcp(self):
                reader, writer = await asyncio.open_connection("127.0.0.1", 1)
                return reader, writer

            async def start(self):
                self.stdin, self.stdout = await self._stdio()
                self.reader, self.writer = await self._tcp()
                self.stdout.write(await self.stdin.read(10))
                self.writer.close()
        """)
    assert found[15] == {"streams"} and found[16] == {"streams"}


def test_a_queue_a_base_class_makes_is_a_queue_by_how_it_is_used() -> None:
    found = rows("""\
        import asyncio

        class Socket(BaseSocket):
            async def poll(self):
                item = await self.queue.get()
                self.queue.task_done()
                return item

            async def send(self, pkt):
                await self.queue.put(pkt)

        class Store:
            async def load(self, key):
                return await self.db.get(key)
        """)
    assert found[5] == {"queue"} and found[6] == {"task-done"} and found[10] == {"queue"}
    assert 14 not in found  # an awaited get alone: a key-value store's as well


def test_wait_for_with_no_timeout_takes_the_row_of_what_it_awaits() -> None:
    found = rows("""\
        import asyncio

        async def finish(work):
            task = asyncio.create_task(work())
            await asyncio.wait_for(task, timeout=None)
            await asyncio.wait_for(task, 5)
        """)
    assert found[5] == {"task-result"} and found[6] == {"wait-for"}


def test_a_route_decorators_handler_gets_the_request_whose_fields_are_data() -> None:
    found = rows("""\
        from aiohttp import web

        routes = web.RouteTableDef()

        @routes.get("/{name}")
        async def hello(request):
            name = request.match_info["name"]
            data = await request.json()
            return web.json_response({"name": name, **data})
        """)
    assert found[5] == {"http-server"} and found[8] == {"http-server"}
    assert 7 not in found  # a field of the request, indexed: plain data


def test_an_adapter_that_awaits_what_it_is_handed_is_no_evidence() -> None:
    found = rows("""\
        import asyncio
        from jupyterish.utils import ensure_async
        from anyscheduler import Scheduler

        async def ping(socket):
            await ensure_async(socket.send(b"ping"))
            return await ensure_async(socket)
        """)
    assert 6 not in found
    assert found[7] == {"asyncio-only-lib"}  # handed a plain reference, not an awaitable call


def test_anyio_based_helpers_run_under_trio() -> None:
    found = rows("""\
        import asyncio
        from asyncer import asyncify, create_task_group

        async def main(job):
            async with create_task_group() as group:
                group.soonify(job)(5)
            await asyncify(print)("x")
        """)
    assert set(found) == {1}


def test_a_wrapper_under_asyncios_spawn_name_is_the_packages_own_method() -> None:
    """``def create_task(self, coro)`` that spawns and returns the task: the spawn in its body
    is the finding; its ``def`` line, and the package's calls of it, are the package's own
    (the corpus keys' reading of aiormq's and aiosonos's wrappers)."""
    found = rows("""\
        import asyncio

        class Group:
            def create_task(self, coro):
                task = asyncio.ensure_future(coro)
                self.pending.add(task)
                return task

        class Manager:
            def create_task(self, item) -> None:
                self.tasks[item] = self.group.create_task(item.run())
        """)
    assert found[5] == {"create-task"}  # asyncio.ensure_future(coro)
    assert 4 not in found  # the wrapper's def line
    assert 10 not in found  # returns nothing: a method of its own that happens to spawn


def test_an_assignment_expression_binds_like_an_assignment() -> None:
    found = rows("""\
        import asyncio

        async def guard(fut):
            try:
                await fut
            except asyncio.CancelledError:
                if (task := asyncio.current_task()) and task.cancelling():
                    raise
        """)
    assert found[7] == {"current-task", "task-cancel"}


def test_a_threads_timeout_waiting_on_the_loop_is_from_thread() -> None:
    found = rows("""\
        import asyncio
        import concurrent.futures

        def call(coro, loop):
            try:
                return asyncio.run_coroutine_threadsafe(coro, loop).result(5)
            except concurrent.futures.TimeoutError:
                return None
        """)
    assert found[7] == {"from-thread"}


def test_connection_made_of_a_librarys_session_class_gets_the_librarys_channel() -> None:
    found = rows("""\
        import asyncssh

        class Session(asyncssh.SSHServerSession):
            def connection_made(self, chan):
                self._chan = chan

            def data_received(self, data, datatype):
                self._chan.write(data.upper())
                print(len(data))
        """)
    assert found[3] == {"asyncio-only-lib"} and found[8] == {"asyncio-only-lib"}
    assert 4 not in found and 9 not in found


def test_asyncios_coroutines_module_is_the_iscoroutine_row() -> None:
    found = rows("""\
        from asyncio.coroutines import _is_coroutine

        class Cached:
            def __init__(self):
                self._is_coroutine = _is_coroutine
        """)
    assert found[1] == {"iscoroutine"} and found[5] == {"iscoroutine"}


def test_the_flow_control_mixin_a_pipe_writer_is_made_with_is_a_protocol() -> None:
    found = rows("""\
        import asyncio

        async def stdout_writer(loop, pipe):
            transport, protocol = await loop.connect_write_pipe(
                asyncio.streams.FlowControlMixin, pipe)
            return transport
        """)
    assert found[4] == {"protocols"} and found[5] == {"protocols"}


def test_an_aiohttp_responses_fields_are_found_only_where_httpx_spells_them_differently() -> None:
    found = rows("""\
        import aiohttp

        async def fetch(url):
            async with aiohttp.ClientSession() as session:
                async with session.get(url) as resp:
                    print(resp.status, resp.reason)
                    print(resp.headers["etag"], resp.url)
                    print(resp.url.host)
                    data = await resp.content.read()
                    print(resp.headers.getall("via"), resp.content_length)
                    return await resp.json()
        """)
    assert found[6] == {"aiohttp-client"} and found[9] == {"aiohttp-client"}
    assert found[10] == {"aiohttp-client"}  # getall is httpx's get_list; no content_length
    assert found[11] == {"aiohttp-client"}
    assert 7 not in found and 8 not in found


def test_a_spawn_with_a_name_and_a_spawn_awaited_at_once() -> None:
    found = rows("""\
        import asyncio

        async def main(work):
            t = asyncio.create_task(work(), name="worker")
            await asyncio.create_task(work())
            await t
        """)
    assert found[4] == {"create-task", "task-name"}
    assert found[5] == {"create-task", "task-result"}


def test_a_method_called_on_a_field_of_aiohttps_objects_is_their_api() -> None:
    """A field read is data, and so is a plain mapping or str method on it (``headers.get(k)``,
    ``match_info.get(k)``: the corpus README's ruling before the eighth part); a method only
    aiohttp's multidicts have (``headers.getall(k)``) is the server's API."""
    found = rows("""\
        from aiohttp import web

        async def page(request):
            name = request.match_info.get("name")
            where = request.remote
            agent = request.headers.get("user-agent", "").lower()
            tags = request.headers.getall("x-tag", [])
            return web.Response(text=f"{name} {where} {agent} {tags}")

        app = web.Application()
        app.router.add_get("/{name}", page)
        """)
    assert found[7] == {"http-server"}
    assert 4 not in found and 5 not in found and 6 not in found


def test_a_views_request_is_aiohttps_server_object() -> None:
    found = rows("""\
        from aiohttp import web

        class Echo(web.View):
            async def post(self):
                data = await self.request.post()
                print(self.request.method, dict(self.request.headers))
                return web.json_response(dict(data))
        """)
    assert found[5] == {"http-server"}
    assert 6 not in found  # fields read: plain data


def test_a_response_subclass_fills_its_own_fields_as_plain_data() -> None:
    """``class Feed(web.StreamResponse)``: the class itself is the response, so what it reads
    or fills on ``self`` (its headers, a class constant) is plain data; its calls of the base
    class's methods, and what it calls on the request's transport, are the API."""
    found = rows("""\
        import re
        from aiohttp import web

        class Feed(web.StreamResponse):
            SPLIT = re.compile(r"\\n")

            def __init__(self):
                super().__init__(status=200)
                self.headers["Content-Type"] = "text/plain"
                self.headers.extend({"X-A": "1"})

            async def feed(self, request: web.BaseRequest, text):
                assert request.transport is not None
                peer = request.transport.get_extra_info("peername")
                for part in self.SPLIT.split(text):
                    await self.write(part.encode())
                return peer
        """)
    assert found[4] == {"http-server"} and found[8] == {"http-server"}
    assert 9 not in found and 10 not in found  # a field filled: plain data
    assert 13 not in found  # a field read
    assert found[14] == {"protocols"}  # the connection's asyncio transport
    assert 15 not in found  # the class's own constant
    assert found[16] == {"http-server"}


def test_a_collection_annotated_with_the_files_own_class_holds_no_asyncio_tasks() -> None:
    """``self.jobs: set[Job]``: the file's own ``Job`` wraps a task, but what the set holds,
    and a loop's name over it, is not asyncio's task, though ``job`` is one elsewhere."""
    found = rows("""\
        import asyncio

        class Job:
            def cancel(self) -> None:
                pass

        class Registry:
            def __init__(self) -> None:
                self.jobs: set[Job] = set()

            def add(self, item: Job) -> None:
                job = item
                self.jobs.add(job)

            def stop(self) -> None:
                for job in self.jobs:
                    job.cancel()

        async def spawn(coro):
            job = asyncio.create_task(coro)
            job.cancel()
        """)
    assert 13 not in found and 17 not in found
    assert found[20] == {"create-task"} and found[21] == {"task-cancel"}


def test_an_isinstance_test_narrows_a_name_to_a_plain_object() -> None:
    """``data = await aiofiles.open(data)`` above, ``isinstance(data, io.BufferedIOBase)``
    here: in that branch ``data`` is a plain file, whose read needs no change."""
    found = rows("""\
        import io
        import aiofiles

        async def chunks(data):
            if isinstance(data, str):
                data = await aiofiles.open(data, "rb")
            if isinstance(data, io.BufferedIOBase):
                yield data.read(10)
            else:
                yield await data.read(10)
        """)
    assert found[6] == {"aiofiles"}
    assert 8 not in found
    assert found[10] == {"aiofiles"}


def test_watchfiles_runs_on_anyio_so_awaiting_it_is_no_evidence() -> None:
    """watchfiles' ``awatch`` runs on AnyIO ("All async methods use anyio to run the event
    loop", its docstring): ``async for`` over it in an asyncio file is not asyncio-only."""
    found = rows("""\
        import asyncio
        from watchfiles import awatch

        async def main(path):
            async for changes in awatch(path):
                print(changes)

        asyncio.run(main("."))
        """)
    assert 2 not in found and 5 not in found


def test_a_package_awaited_in_an_asyncio_program_is_labelled_in_every_use() -> None:
    """``await radio.tune()`` on an unlisted package in an asyncio file shows it waits on
    asyncio's loop: for that file it is an asyncio-only library, so its imports, the class
    that subclasses its listener, the exception it names and its plain calls change too."""
    found = rows("""\
        import asyncio
        import radiokit
        from radiokit.errors import Unreachable
        from radiokit.listen import Listener

        class Printer(Listener):
            def heard(self, text):
                print(text)

        async def main():
            radio = radiokit.Radio("fm")
            radio.listener = Printer()
            try:
                await radio.tune(101.5)
            except Unreachable:
                return
            radio.close()

        asyncio.run(main())
        """)
    for line in (2, 3, 4, 6, 11, 12, 14, 15, 17):
        assert found[line] == {"asyncio-only-lib"}, line
    assert 7 not in found and 8 not in found


def test_a_package_with_a_blocking_twin_is_labelled_only_where_awaited() -> None:
    """``await session.ask_async()``: a package that spells its awaited API apart from a
    blocking twin has a blocking side that may stay, so only what is awaited is found."""
    found = rows("""\
        import asyncio
        from asktool import Session, Style

        async def main():
            session = Session(style=Style())
            answer = await session.ask_async("name? ")
            print(answer)

        asyncio.run(main())
        """)
    assert found[6] == {"asyncio-only-lib"}
    assert 2 not in found and 5 not in found


def test_a_listed_librarys_decorators_callbacks_and_decorated_functions() -> None:
    """A callback set on the library's client, a decorator of its object used bare, a method
    of what its decorator returned in a function's place, and a plain ``for`` over what it
    returned: each is a use of the library (a field read stays plain data)."""
    found = rows("""\
        import asyncio
        import asyncssh

        async def main(conn: asyncssh.SSHClientConnection):
            conn.on_close = print
            print(conn.name)
            for each in await conn.list_channels():
                each.close()

        app = asyncssh.App()

        @app.task
        async def tick():
            pass

        @app.agent("topic")
        async def count(stream):
            pass

        async def feed():
            await count.send(1)
        """)
    assert found[5] == {"asyncio-only-lib"}
    assert 6 not in found
    assert found[8] == {"asyncio-only-lib"}
    assert found[12] == {"asyncio-only-lib"}
    assert found[21] == {"asyncio-only-lib"}


def test_a_subpackage_named_like_a_library_is_no_claim_on_that_library() -> None:
    """``ormkit/contrib/aiohttp/__init__.py`` is a module of ormkit: its absolute import of
    aiohttp names the top-level library, which stays a finding (only ``ormkit``'s own imports
    are the package's)."""
    source = "from aiohttp import web\nfrom ormkit import Model\n\napp = web.Application()\n"
    found = rows(source, "ormkit/contrib/aiohttp/__init__.py")
    assert found[1] == {"http-server"} and found[4] == {"http-server"}
    assert 2 not in found


def test_an_inherited_method_awaited_in_a_subclass_of_an_unlisted_package() -> None:
    """``class Pump(Service)`` from an unlisted package, ``await self.sleep(1)`` that the
    class does not define: the package waits on asyncio's loop; what the class defines or
    keeps itself (``await self.tick()``, ``await self.done``) is no such sign."""
    found = rows("""\
        import asyncio
        from servicekit import Service

        class Pump(Service):
            async def run(self):
                await self.sleep(1)
        """)
    assert found[2] == {"asyncio-only-lib"} and found[4] == {"asyncio-only-lib"}
    assert found[6] == {"asyncio-only-lib"}
    own = rows("""\
        import asyncio
        from servicekit import Service

        class Pump(Service):
            def __init__(self):
                self.done = make_done()

            async def tick(self):
                pass

            async def run(self):
                await self.tick()
                await self.done
        """)
    assert own == {1: {"loop"}}


def test_the_shared_part_of_a_package_with_a_blocking_and_an_async_api_stays() -> None:
    """A package awaited through its ``async_client`` submodule is asyncio's there; a
    submodule the blocking client shares (its request model) is plain Python."""
    found = rows("""\
        import asyncio
        from chatkit.web.async_client import AsyncChatClient
        from chatkit.models.request import ChatRequest

        async def main():
            client = AsyncChatClient(token="x")
            request = ChatRequest(text="hi")
            await client.post(request)

        asyncio.run(main())
        """)
    assert found[2] == {"asyncio-only-lib"} and found[8] == {"asyncio-only-lib"}
    assert 3 not in found and 7 not in found


def test_a_plain_function_of_a_package_found_only_by_awaits_stays() -> None:
    """``gql("...")``: a query parser of a package the file shows asyncio's only by what it
    awaits runs with no loop, for a blocking client alike; the class entered and the
    session awaited are the package's asyncio side."""
    found = rows('''\
        import asyncio
        from querykit import Client, parse

        async def main():
            async with Client(url="x") as session:
                query = parse("""
                    { a }
                """)
                await session.execute(query)

        asyncio.run(main())
        ''')
    assert found[2] == {"asyncio-only-lib"} and found[5] == {"asyncio-only-lib"}
    assert found[9] == {"asyncio-only-lib"}
    assert 6 not in found
    # the same function awaited, or entered, waits on the loop: the package's own wait
    awaited = rows("""\
        import asyncio
        from querykit import connect, fetch

        async def main():
            async with connect("x") as conn:
                await fetch(conn)

        asyncio.run(main())
        """)
    assert awaited[5] == {"asyncio-only-lib"} and awaited[6] == {"asyncio-only-lib"}


def test_an_inherited_async_twin_of_an_unlisted_base_is_no_evidence() -> None:
    """``await self.async_receive_request(r)``: a base that spells its awaited side apart
    from a blocking ``receive_request`` serves both kinds of subclass, and the subclass
    supplies the I/O; a plainly named inherited method awaited still shows asyncio's loop."""
    twin = rows("""\
        import asyncio
        import rpckit

        class Server(rpckit.Server):
            async def handle(self, request):
                return await self.async_receive_request(request)
        """)
    assert twin == {1: {"loop"}}
    plain = rows("""\
        import asyncio
        import rpckit

        class Server(rpckit.Server):
            async def handle(self, request):
                return await self.receive(request)
        """)
    assert plain[6] == {"asyncio-only-lib"}


def test_the_files_subclass_of_an_unlisted_class_is_that_packages_where_it_inherits() -> None:
    """``class Book(orm.Model)``: ``Book.objects`` and ``Book(...).save()`` are what the
    package's base gives the class, so awaiting them shows the package waits on asyncio's
    loop, and each such use is the package's; a name the class defines itself is its own."""
    found = rows("""\
        import asyncio
        import ormkit

        class Book(ormkit.Model):
            title: str = ormkit.String()

            async def mine(self):
                return 1

        async def main():
            book = await Book.objects.create(title="x")
            await Book(title="y").save()
            await Book.mine()
            print(book.title)

        asyncio.run(main())
        """)
    assert found[11] == {"asyncio-only-lib"}  # Book.objects.create: inherited
    assert found[12] == {"asyncio-only-lib"}  # Book(...).save(): inherited
    assert 13 not in found  # Book.mine(): the class's own method
    assert 14 not in found  # a field read on what it gave
    assert found[2] == {"asyncio-only-lib"} and found[4] == {"asyncio-only-lib"}
    # its own methods alone, awaited, show nothing of the package's loop
    own = rows("""\
        import asyncio
        import ormkit

        class Book(ormkit.Model):
            async def mine(self):
                return 1

        async def main():
            await Book.mine()
            await Book().mine()
        """)
    assert own == {1: {"loop"}}


def test_a_file_whose_tests_merely_run_on_asyncio_gives_no_evidence() -> None:
    """``@pytest.mark.asyncio`` runs the test on asyncio's loop, but pytest-asyncio runs the
    tests of AnyIO- and httpx-based libraries as well, so what such a test awaits of an
    unlisted package is no evidence that the package is asyncio's (most of the eighth corpus
    part's false alarms were such tests); the marker itself is still a finding, and the same
    test in a file that imports asyncio is evidence."""
    source = """\
        import pytest
        import ormkit

        @pytest.mark.{marker}
        async def test_save():
            await ormkit.connect("x")
        """
    assert rows(source.format(marker="asyncio")) == {4: {"pytest-asyncio"}}
    assert rows(source.format(marker="trio")) == {}
    assert rows(source.replace("        @pytest.mark.{marker}\n", "")) == {}
    assert rows("import asyncio\n" + textwrap.dedent(source.format(marker="asyncio")))[7] \
        == {"asyncio-only-lib"}


def test_a_method_called_on_a_call_that_spans_lines_is_found_on_its_name() -> None:
    """``Book(\\n title=...,\\n).save()``: the API is named on the last line, where the
    corpus README labels it, not on the line that opens the constructor's call."""
    found = rows("""\
        import asyncio
        import ormkit

        async def main():
            await ormkit.Book(
                title="x",
            ).save()
        """)
    assert found[7] == {"asyncio-only-lib"}
    assert 6 not in found


def test_a_test_module_that_reaches_into_a_librarys_private_methods_is_still_its_user() -> None:
    """A package's own module reaches into its private methods; so do its tests, which call
    its API as a user does: in ``test_*.py`` every use is found. The same code in a module
    that is not a test is the package's own (its imports and calls of itself stay)."""
    source = """\
        import pytest
        from aredis import Connection

        @pytest.mark.asyncio
        async def test_connect():
            conn = Connection()
            await conn._connect()
            sock = conn.get_extra_info("socket")
            assert sock.getsockopt(1, 2) == 1
        """
    found = rows(source, "tests/test_connection.py")
    for line in (2, 6, 7, 8):
        assert found[line] == {"asyncio-only-lib"}, line
    assert 9 not in found  # the stdlib socket get_extra_info handed out
    own = rows(source, "aredis/connection.py")
    assert not any("asyncio-only-lib" in each for each in own.values())


def test_strs_own_predicates_on_what_a_library_gave_are_plain_data() -> None:
    """``key.isnumeric()``, ``name.zfill(3)`` on a value an asyncio-only library returned: str's
    own methods, the same in any port; a method of the library's object is still its API."""
    found = rows("""\
        import aiosqlite

        async def keys(db):
            async with aiosqlite.connect(db) as conn:
                cursor = await conn.execute("SELECT k FROM t")
                for (key,) in await cursor.fetchall():
                    if key.isnumeric() or key.isascii():
                        print(key.zfill(3))
        """)
    assert found[5] == {"asyncio-only-lib"} and found[6] == {"asyncio-only-lib"}
    assert 7 not in found and 8 not in found


def test_dnspythons_async_api_runs_under_trio_but_its_asyncio_manager_does_not() -> None:
    """dnspython's ``dns.asyncquery`` picks Trio's or asyncio's backend with sniffio: awaiting
    it is no evidence; its ``AsyncioQuicManager`` is asyncio's by its name, and a
    ``TrioQuicManager`` bound to the same name elsewhere is not."""
    found = rows("""\
        import asyncio
        import dns.asyncquery
        import dns.quic
        import trio

        async def aquery(q, connection):
            return await dns.asyncquery.quic(q, "1.1.1.1", connection=connection)

        async def amulti(q):
            async with dns.quic.AsyncioQuicManager() as manager:
                connection = manager.connect("1.1.1.1", 853)
                await aquery(q, connection)

        async def tmulti(q):
            async with dns.quic.TrioQuicManager(None) as manager:
                connection = manager.connect("1.1.1.1", 853)
        """)
    assert 7 not in found
    assert found[10] == {"asyncio-only-lib"} and found[11] == {"asyncio-only-lib"}
    assert 15 not in found and 16 not in found


def test_a_file_opened_with_a_plain_with_is_no_stream_of_the_same_name() -> None:
    """``with open(path, "wb") as writer: writer.write(buf)`` beside an asyncio ``writer`` in
    the same function: in the with block the name is the file; the file's own context
    manager may hand out an asyncio object, and keeps the name's kind."""
    found = rows("""\
        import asyncio
        import contextlib

        @contextlib.contextmanager
        def kept(stream):
            yield stream

        async def main(buf):
            reader, writer = await asyncio.open_connection("127.0.0.1", 1)
            with open("dump.bin", "wb") as writer:
                writer.write(buf)
            with kept(writer) as writer:
                writer.write(buf)
        """)
    assert 11 not in found
    assert found[13] == {"streams"}


def test_a_module_named_like_a_librarys_is_no_claim_on_that_library() -> None:
    """``from .client import Client`` beside ``from aiohttp.client import ClientSession`` in
    ``aiochsa/pool.py``: the package's own ``client`` module and aiohttp's, so aiohttp stays
    a library here; with no package in the path, the same imports still read as aiohttp's own
    module (a sibling imported both ways)."""
    source = """\
        from aiohttp.client import ClientSession, ClientTimeout
        from .client import Client

        class Pool:
            def __init__(self):
                self._session = ClientSession(timeout=ClientTimeout(total=5))
                self._client = Client(self._session)

            async def close(self):
                await self._session.close()
        """
    found = rows(source, "aiochsa/pool.py")
    assert found[1] == {"aiohttp-client"} and found[6] == {"aiohttp-client"}
    assert found[10] == {"aiohttp-client"}
    assert rows(source, "pool.py") == {}


def test_what_a_librarys_decorated_function_iterates_with_async_for_is_the_librarys() -> None:
    """``@app.agent(topic) async def count(stream): async for x in stream``: the library calls
    the function and hands it the stream; a plain function's parameter iterated the same way
    is no finding."""
    found = rows("""\
        import faust

        app = faust.App("x")

        @app.agent("posts")
        async def count(posts):
            async for post in posts:
                print(post)

        async def plain(items):
            async for item in items:
                print(item)
        """)
    assert found[7] == {"asyncio-only-lib"}
    assert 11 not in found


def test_awaiting_a_package_the_table_calls_no_asyncio_library_is_no_evidence() -> None:
    """aiocsv is listed as no asyncio library (its writer awaits the file it is given), so its
    awaited ``writerows`` is no finding, though the file imports asyncio; an unlisted package
    awaited the same way still is."""
    source = """\
        import asyncio
        import aiofiles
        import {package}

        async def main(rows):
            async with aiofiles.open("x.csv", "w") as f:
                writer = {package}.AsyncWriter(f)
                await writer.writerows(rows)
        """
    assert 8 not in rows(source.format(package="aiocsv"))
    assert rows(source.format(package="csvkit2"))[8] == {"asyncio-only-lib"}
    assert libraries.not_asyncio("aiocsv.writers") and not libraries.not_asyncio("aiocsvx")


def test_what_run_sync_hands_its_callback_is_the_blocking_twin() -> None:
    """SQLAlchemy's ``AsyncConnection.run_sync(fn)`` calls ``fn`` with a plain, synchronous
    ``Connection`` (its docs' greenlet example: "a traditional orm.Session object with
    synchronous interface"): the callback's calls stay in a port. A callback the library calls
    back otherwise (``subscribe(cb)``) still gets the library's object."""
    found = rows("""\
        from sqlalchemy.ext.asyncio import create_async_engine

        def setup(connection):
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")

        async def on_message(message):
            await message.ack()

        async def main():
            engine = create_async_engine("sqlite+aiosqlite://")
            async with engine.begin() as conn:
                await conn.run_sync(setup)
                await conn.subscribe(on_message)
        """)
    assert 4 not in found
    assert found[7] == {"asyncio-only-lib"}
    assert found[12] == {"asyncio-only-lib"} and found[13] == {"asyncio-only-lib"}



def test_what_a_file_awaits_shows_that_module_to_be_asyncios_not_its_whole_package() -> None:
    """A project's own base package (``acme``) keeps its logging and its database lock in
    separate modules: awaiting the lock shows ``acme.database`` to wait on asyncio's loop,
    and says nothing of ``acme.log``, whose logger is plain Python."""
    found = rows("""\
        import asyncio
        from acme import log
        from acme.database import advisory_lock

        logger = log.get_logger(__name__)

        async def lead(engine):
            async with advisory_lock(engine, 7):
                logger.info("leader")
                await asyncio.sleep(1)
        """)
    assert found[3] == {"asyncio-only-lib"} and found[8] == {"asyncio-only-lib"}
    assert not {2, 5, 9} & set(found)


def test_a_packages_coroutine_run_as_an_asyncio_task_is_evidence_as_awaiting_it_is() -> None:
    """``asyncio.create_task(hub.worker())``: the package's coroutine runs on asyncio's loop,
    as sure a sign as ``await hub.worker()``; the file's own coroutine handed so is none."""
    found = rows("""\
        import asyncio
        from acme.engine import Hub

        async def tick():
            await asyncio.sleep(1)

        async def main():
            hub = Hub()
            worker = asyncio.create_task(hub.worker())
            ticker = asyncio.create_task(tick())
            await asyncio.gather(worker, ticker)
        """)
    assert found[2] == {"asyncio-only-lib"} and found[8] == {"asyncio-only-lib"}
    assert found[9] == {"create-task", "asyncio-only-lib"}
    assert found[10] == {"create-task"}


def test_what_a_test_module_awaits_is_no_evidence() -> None:
    """A test of the package under test imports asyncio for its own sleeps and gathers
    whether that package is asyncio-only or AnyIO-based, so what it awaits of the package says
    nothing; the same code in an application module still does. (An asyncio-only library the
    table lists is found in a test as anywhere.)"""
    source = """\
        import asyncio
        import aiosqlite
        from gatekeeper import Gate

        async def test_gate_lets_one_through():
            gate = Gate(limit=1)
            results = await asyncio.gather(gate.enter(), gate.enter())
            await gate.close()
            async with aiosqlite.connect(":memory:") as db:
                await db.execute("select 1")
        """
    for path in ("tests/test_gate.py", "tests/gate_test.py", "tests/conftest.py"):
        found = rows(source, path)
        assert not {3, 6, 8} & set(found), path
        assert found[2] == found[9] == {"asyncio-only-lib"}
    found = rows(source, "gatekeeper_app/check.py")
    assert found[3] == found[6] == found[8] == {"asyncio-only-lib"}


def test_an_asgi_app_awaited_as_its_server_calls_it_is_no_evidence() -> None:
    """``await app(scope, receive, send)`` in an ASGI router: the interface is the same
    under any loop (hypercorn serves ASGI under Trio), so the framework that made the app is
    not shown to be asyncio's; the same app's method awaited otherwise still shows it."""
    source = """\
        import asyncio
        from realtime import stt_app

        async def application(scope, receive, send):
            if scope["path"].startswith("/ws"):
                await stt_app(scope, receive, send)
            {other}
        """
    assert not {2, 6, 7} & set(rows(source.format(other="")))
    found = rows(source.format(other="await stt_app.warm_up(scope)"))
    assert found[2] == found[6] == found[7] == {"asyncio-only-lib"}


def test_a_bare_module_imported_beside_the_projects_helpers_is_a_sibling_module() -> None:
    """``from query_processor import QueryProcessor`` in one block with ``from config import
    settings``: a script's sibling module (found on disk by its file, but not when the file is
    read alone), so what the file awaits of it is no sign of an asyncio-only package. Away
    from such a block, an unknown package awaited in an asyncio file still is one."""
    source = """\
        import asyncio
        {config}
        from query_processor import QueryProcessor

        processor = QueryProcessor()

        async def main(query):
            parts = await processor.breakdown(query)
            await asyncio.sleep(0)
        """
    found = rows(source.format(config="from config import settings"), "backend/main.py")
    assert not {3, 5, 8} & set(found)
    found = rows(source.format(config="import json"), "backend/main.py")
    assert found[3] == found[8] == {"asyncio-only-lib"}


def test_a_blocking_functions_parameter_typed_with_the_blocking_twin_is_not_asyncios() -> None:
    """``def query_sync(context: SyncContext)`` beside ``async def query(context:
    AsyncContext)``, the classes from a package's blocking and asyncio modules: the blocking
    function's ``context``, and what its methods return, are the blocking twin's."""
    found = rows("""\
        from playwright.async_api import BrowserContext as AsyncContext
        from playwright.sync_api import BrowserContext as SyncContext

        async def params(context: AsyncContext) -> str:
            page = await context.new_page()
            await page.close()

        def params_sync(context: SyncContext) -> str:
            page = context.new_page()
            agent = page.evaluate("navigator.userAgent")
            page.close()
        """)
    assert found[1] == found[5] == found[6] == {"asyncio-only-lib"}
    assert not {2, 8, 9, 10, 11} & set(found)


def test_another_distribution_in_the_same_namespace_package_is_not_the_files_own() -> None:
    """``gcloud/aio/pubsub/publisher_client.py`` importing ``gcloud.aio.auth`` (another sdist,
    asyncio-only): a namespace package's top-level name is shared, so only its own folder's
    modules (``gcloud.aio.pubsub.utils``) are the package's own imports."""
    found = rows("""\
        from gcloud.aio.auth import AioSession
        from gcloud.aio.pubsub.utils import PubsubMessage

        class PublisherClient:
            def __init__(self, session=None):
                self.session = AioSession(session)
        """, "gcloud/aio/pubsub/publisher_client.py")
    assert found[1] == found[6] == {"asyncio-only-lib"}
    assert 2 not in found
    assert not rows("""\
        from gcloud.aio.auth.session import AioSession
        """, "gcloud/aio/auth/token.py")


def test_a_listed_asyncio_submodule_reached_through_its_plain_package_is_followed() -> None:
    """``import grpc``, then ``grpc.aio.UnaryUnaryClientInterceptor`` and ``grpc.aio.Channel``
    in annotations: the package's asyncio side, named through the plain package; its blocking
    names (``grpc.StatusCode``) stay."""
    found = rows("""\
        import grpc

        class Retry(grpc.aio.UnaryUnaryClientInterceptor):
            def make(self, channel: grpc.aio.Channel) -> None:
                if channel.code == grpc.StatusCode.OK:
                    pass
        """, "pkg/retry.py")
    assert found[3] == found[4] == {"asyncio-only-lib"}
    assert 5 not in found


def test_an_annotation_says_which_unlisted_package_gave_an_awaited_object() -> None:
    """Held-out yadisk-mcp: the client comes from the file's own function annotated to return
    the package's ``AsyncClient``, and from a parameter annotated with it. The annotation is
    the file's own word on where the object comes from, as an assignment from the package's
    call is, so awaiting it in an asyncio program makes the package asyncio-only here: its
    import, the function that makes it, the ``async with`` of its call and every awaited
    method are found (the corpus README: every use of an asyncio-only library)."""
    found = rows("""\
        import asyncio
        import yadisk


        def get_async_client() -> yadisk.AsyncClient:
            return yadisk.AsyncClient(token="t")


        async def info(client: yadisk.AsyncClient) -> dict:
            return await client.get_disk_info()


        async def main() -> None:
            async with get_async_client() as client:
                await client.listdir("/")


        asyncio.run(main())
        """)
    for line in (2, 5, 6, 9, 10, 14, 15):
        assert found.get(line) == {"asyncio-only-lib"}, line
    assert found[18] == {"run"}


def test_a_coroutine_functions_return_annotation_is_no_evidence() -> None:
    """``async def load() -> pd.DataFrame`` awaited: the file awaits its own coroutine, whose
    result is plain data; pandas waits on no loop (held-out poppusher's asset loaders)."""
    found = rows("""\
        import asyncio
        import pandas as pd


        async def load(url: str) -> pd.DataFrame:
            await asyncio.sleep(0)
            return pd.read_csv(url)


        async def main() -> None:
            frame = await load("x.csv")
            print(frame.head())


        asyncio.run(main())
        """)
    assert not {2, 5, 7, 10, 11} & set(found)


def test_a_name_annotated_two_ways_in_one_file_says_nothing() -> None:
    """A blocking client class beside its asyncio twin (working timecho-ai): the blocking
    one's ``def _get_session(self) -> requests.Session`` is no word on the twin's ``async def
    _get_session``, whose awaited session is aiohttp's; nor is ``pool: urllib3.PoolManager``
    in one function a word on another function's ``pool`` (working httpcore's benchmark)."""
    found = rows("""\
        import asyncio
        from typing import Any

        import requests
        import urllib3


        class Client:
            def _get_session(self) -> requests.Session:
                return requests.Session()


        class AsyncClient:
            async def _get_session(self) -> Any:
                return None

            async def get(self, url: str) -> None:
                session = await self._get_session()
                await session.request("GET", url)


        def blocking_get(pool: urllib3.PoolManager) -> None:
            pool.request("GET", "/")


        async def timed_get(pool: Any) -> None:
            await pool.request("GET", "/")


        asyncio.run(AsyncClient().get("/"))
        """)
    assert not {4, 5, 9, 18, 19, 23, 27} & set(found)


def test_a_loop_variable_is_not_the_parameter_of_the_same_name_elsewhere() -> None:
    """Held-out agentnode: ``adapter: BaseAdapter`` in one method, ``for adapter in
    self.adapters.values()`` in another: the loop's name is bound with no annotation, so the
    other method's says nothing of what it awaits."""
    found = rows("""\
        import asyncio

        from omnifoo.adapter import BaseAdapter


        class Client:
            def register(self, adapter: BaseAdapter) -> None:
                self.adapters = {adapter.name: adapter}

            async def send(self, message: str) -> None:
                for adapter in self.adapters.values():
                    message = await adapter.process(message)


        asyncio.run(Client().send("x"))
        """)
    assert not {3, 7, 12} & set(found)


def test_a_src_layouts_package_is_the_projects_own() -> None:
    """``from src.domain.repositories import Repository`` (working asset-aware-mcp's worker):
    a src layout run from the project's root imports the project's own package under its
    folder's name, and awaiting its repository is the project's own call."""
    found = rows("""\
        import asyncio

        from src.domain.repositories import Repository


        async def ingest(repo: Repository) -> None:
            await repo.save("x")


        asyncio.run(ingest(Repository()))
        """)
    assert not {3, 6, 7} & set(found)


def test_a_plugin_in_its_frameworks_namespace_imports_the_framework_as_a_user() -> None:
    """Held-out livekit-plugins-voho: ``livekit/plugins/voho/tts.py`` ships in a sdist whose
    project has no ``livekit`` package of its own (the namespace is the framework's, LiveKit
    Agents, asyncio-only), so its imports of ``livekit.agents`` and its subclasses of the
    framework's classes are uses of that library, while ``livekit.plugins.voho`` stays its own.
    The framework's own checkout (a project with ``livekit``) keeps them all its own."""
    source = textwrap.dedent("""\
        from __future__ import annotations

        import asyncio

        from livekit.agents import tts
        from livekit.plugins.voho.log import logger


        class TTS(tts.TTS):
            def __init__(self) -> None:
                super().__init__(capabilities=tts.TTSCapabilities(streaming=True))


        async def run() -> None:
            logger.info("run")
            await asyncio.sleep(1)
        """)

    def found(project: list[str]) -> dict[int, set[str]]:
        lines: dict[int, set[str]] = {}
        for finding in port.scan(source, "livekit/plugins/voho/tts.py", project=project):
            lines.setdefault(finding.line, set()).add(finding.row)
        return lines

    plugin = found([])
    assert plugin[5] == plugin[9] == plugin[11] == {"asyncio-only-lib"}
    assert 6 not in plugin and 15 not in plugin
    assert plugin[16] == {"sleep"}
    framework = found(["livekit"])
    assert not {5, 6, 9, 11, 15} & set(framework)
    assert framework[16] == {"sleep"}


def test_a_plugins_namespace_is_read_from_its_project_on_disk(tmp_path: Path) -> None:
    """The same plugin in its checkout: the project file above it shows no ``livekit``
    package of its own (a namespace package has no ``__init__.py`` at its top), so the
    framework's import is a use of the framework; a file in no project is left as before."""
    from walkthrough.port import project

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'livekit-plugins-voho'\n")
    plugin = tmp_path / "livekit" / "plugins" / "voho"
    plugin.mkdir(parents=True)
    (plugin / "__init__.py").write_text("")
    (plugin / "tts.py").write_text("from livekit.agents import tts\n")
    project.forget()
    found = {finding.line: finding.row for finding in port.scan(
        (plugin / "tts.py").read_text(), str(plugin / "tts.py"))}
    assert found == {1: "asyncio-only-lib"}
    assert project.top_level_on_disk(str(tmp_path / "livekit")) is None  # a folder
    assert project.top_level_on_disk(str(plugin / "tts.py")) == frozenset()


def test_a_module_imports_its_sdists_other_package_as_its_own() -> None:
    """Held-out discord-advert-framework: ``daf_gui/connector.py`` and ``daf/`` are two
    top-level packages of one sdist, so the GUI's awaited calls of ``daf`` are the
    distribution's calls of itself, ported with it (the corpus README's own-package rule);
    its demo package's are a user's."""
    source = textwrap.dedent("""\
        import asyncio

        import daf


        async def start(config: dict) -> None:
            await daf.initialize(**config)
            await daf.add_object(daf.ACCOUNT)


        asyncio.run(start({}))
        """)

    def found(path: str) -> set[int]:
        return {finding.line for finding in port.scan(source, path, project=["daf", "daf_gui",
                                                                            "demo"])}

    assert found("src/daf_gui/connector.py") == {1, 11}
    assert {3, 7, 8} <= found("demo/run.py")


def test_tqdm_asyncios_bar_alone_is_a_plain_progress_bar() -> None:
    """Working fast-images-loader: ``from tqdm.asyncio import tqdm`` for a progress bar over a
    range, in an asyncio program. The bar calls no asyncio (only tqdm's ``gather`` and
    ``as_completed`` do), so a port keeps it: neither the import nor the bar is a finding.
    A file that gathers with it (working batchdownload) keeps the import's row and the
    gather's."""
    plain = rows("""\
        import asyncio
        from tqdm.asyncio import tqdm


        async def download(urls: list[str], size: int) -> None:
            for start in tqdm(range(0, len(urls), size), desc="Downloading photos"):
                await asyncio.sleep(0.1)


        asyncio.run(download([], 10))
        """)
    assert not {2, 6} & set(plain)
    assert plain[7] == {"sleep"}
    gathered = rows("""\
        import asyncio
        from tqdm.asyncio import tqdm_asyncio


        async def crawl(tasks: list) -> None:
            await tqdm_asyncio.gather(*tasks, desc="Files")
        """)
    assert gathered[2] == {"asyncio-only-lib"} and gathered[6] == {"gather"}
    # another library's asyncio.run beside the bar (aiorun.run, its own API row) does not
    # make the bar asyncio's: only tqdm.asyncio's own gather or as_completed does (mutmut's
    # x_analyse__mutmut_52, `and` for `or`, flagged lines 4 and 8 here)
    beside = rows("""\
        import asyncio

        import aiorun
        from tqdm.asyncio import tqdm


        async def main():
            for i in tqdm(range(3)):
                await asyncio.sleep(0)


        aiorun.run(main())
        """)
    assert not {4, 8} & set(beside) and beside[12] == {"run"}


def test_pytest_asyncios_event_loop_fixture_is_asyncios_loop_handed_on() -> None:
    """Working aredis's tests: ``async def test_connect_tcp(event_loop)`` hands the fixture on
    as ``Connection(loop=event_loop)``, in a test module that never imports asyncio. The
    fixture is pytest-asyncio's asyncio loop, so handing it on is ``loop`` (the corpus
    README's third settled case), as in a file that imports asyncio."""
    found = {finding.line: finding.row for finding in port.scan(textwrap.dedent("""\
        import pytest

        from aredis.connection import Connection


        @pytest.mark.asyncio
        async def test_connect_tcp(event_loop):
            conn = Connection(loop=event_loop)
            assert conn.host == "127.0.0.1"
        """), "tests/test_connection.py", project=["aredis"])}
    assert found[8] == "loop"
    assert 3 not in found  # the package's own tests import it as their own
    without = port.scan("from aredis.connection import Connection\n\n\n"
                        "def test_connect(loop_fixture):\n"
                        "    Connection(loop=loop_fixture)\n",
                        "tests/test_connection.py", project=["aredis"])
    assert without == []


def test_a_class_named_for_a_packages_async_side_is_its_asyncio_side_alone() -> None:
    """``from ossapi import OssapiAsync, Beatmap``, then awaits on what ``OssapiAsync`` gave: a
    package that names a class for its async side has a blocking side too (``Ossapi``), so the
    models both sides share stay (the README's ninth-part case: a package with a blocking and
    an asyncio side), and the async class, its import and what it gave are the asyncio side
    (working gumiyabot: 34 lines of shared models that were found as ossapi's). A package
    whose classes name no async side is still asyncio's in every use once it is awaited."""
    source = """\
        import asyncio
        from ossapi import {client}, Beatmap

        async def title(beatmap: Beatmap) -> str:
            return beatmap.title

        async def main():
            api = {client}("id", "secret")
            beatmap = await api.beatmap(42)
            print(await title(beatmap))
        """
    found = rows(source.format(client="OssapiAsync"))
    assert found[2] == found[8] == found[9] == {"asyncio-only-lib"}
    assert 4 not in found
    other = rows(source.format(client="OssapiClient"))
    assert other[2] == other[4] == other[8] == other[9] == {"asyncio-only-lib"}
