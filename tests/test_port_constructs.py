"""``walkthrough port`` follows asyncio's objects to where they are used, on code of its own.

Each case is a short program in a style real code has (the corpus in ``tests/port_corpus/``
measures the figures); here each asserts the row a line gets, and that a line that needs no
change gets nothing: ``event.set()``, ``await event.wait()``, plain attribute stores.
"""

from __future__ import annotations

import textwrap

import pytest

from walkthrough import port


def rows(source: str) -> dict[int, set[str]]:
    """Line → the rows the tool names there."""
    found: dict[int, set[str]] = {}
    for finding in port.scan(textwrap.dedent(source), "case.py"):
        found.setdefault(finding.line, set()).add(finding.row)
    return found


def test_the_streams_start_server_hands_to_its_callback() -> None:
    found = rows("""\
        import asyncio

        async def handle(reader, writer):
            data = await reader.read(100)
            print(data)
            writer.write(data)
            await writer.drain()
            writer.close()

        async def main():
            server = await asyncio.start_server(handle, "127.0.0.1", 8888)
            async with server:
                await server.serve_forever()
        """)
    assert found[4] == {"streams"} and found[6] == {"streams"} and found[7] == {"streams"}
    assert found[8] == {"streams"}
    assert 5 not in found  # print(data): plain Python
    assert found[12] == {"start-server"} and found[13] == {"start-server"}


def test_the_pair_open_connection_returns() -> None:
    found = rows("""\
        import asyncio

        async def main():
            reader, writer = await asyncio.open_connection("127.0.0.1", 8888)
            line = await reader.readline()
            writer.close()
            await writer.wait_closed()
        """)
    assert found[5] == {"streams"} and found[6] == {"streams"} and found[7] == {"streams"}


def test_a_loop_kept_on_self_is_a_loop_in_every_method() -> None:
    found = rows("""\
        import asyncio

        class Timer:
            def __init__(self):
                self._loop = asyncio.get_event_loop()
                self._handle = None

            def arm(self, delay):
                self._handle = self._loop.call_later(delay, self.fire)
                return self._loop.time() + delay

            def disarm(self):
                if self._handle is not None:
                    self._handle.cancel()
        """)
    assert found[9] == {"call-later"} and found[10] == {"loop-time"}
    assert found[14] == {"call-later"}
    assert 6 not in found and 13 not in found


def test_futures_and_awaited_tasks() -> None:
    found = rows("""\
        import asyncio

        async def main():
            loop = asyncio.get_running_loop()
            fut = loop.create_future()
            loop.call_soon(fut.set_result, 1)
            if not fut.done():
                print(await fut)
            task = asyncio.create_task(work())
            await task
            if task.cancelled():
                pass
        """)
    assert "future" in found[5] and found[7] == {"future"} and found[8] == {"future"}
    assert found[10] == {"task-result"} and found[11] == {"task-result"}


def test_only_clear_of_an_event_changes() -> None:
    found = rows("""\
        import asyncio

        async def main(event: asyncio.Event):
            event.set()
            await event.wait()
            event.clear()
        """)
    assert 4 not in found and 5 not in found
    assert found[6] == {"event"}


def test_asyncio_wait_for_all_is_a_gather_and_first_completed_is_not() -> None:
    found = rows("""\
        import asyncio

        async def main(tasks):
            await asyncio.wait(tasks)
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)

        async def each(tasks, when=asyncio.ALL_COMPLETED):
            return await asyncio.wait(tasks, return_when=when)
        """)
    assert found[4] == {"gather"} and found[5] == {"wait-first"}
    assert found[7] == {"gather"}  # the default of waiting for all: a gather


def test_asyncio_wait_for_all_with_a_timeout_is_a_wait_for() -> None:
    """``asyncio.wait({task}, timeout=t)`` waits for at most t (the corpus README's ruling:
    ``wait-for``, working keys 28 of 29); ``timeout=None`` waits as long as it takes, and an
    imported ``wait`` takes the rows of its calls."""
    found = rows("""\
        import asyncio

        async def main(tasks, t):
            await asyncio.wait({tasks[0]}, timeout=t)
            await asyncio.wait(tasks, timeout=None)
            await asyncio.wait(tasks, timeout=t, return_when=asyncio.FIRST_COMPLETED)
        """)
    assert found[4] == {"wait-for"} and found[5] == {"gather"} and found[6] == {"wait-first"}
    found = rows("""\
        from asyncio import wait

        async def main(fs):
            await wait(fs, timeout=5)
        """)
    assert found[1] == {"wait-for"} and found[4] == {"wait-for"}
    found = rows("""\
        from asyncio import wait

        async def main(fs):
            await wait(fs, timeout=5)
            await wait(fs)
        """)
    assert found[1] == {"gather", "wait-for"}


def test_keyboard_interrupt_around_a_loops_run() -> None:
    found = rows("""\
        import asyncio

        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(main())
        except KeyboardInterrupt:
            pass
        """)
    assert found[6] == {"ctrl-c"}


def test_run_forever_with_a_stop_is_the_loop_stop_row() -> None:
    found = rows("""\
        import asyncio

        loop = asyncio.new_event_loop()
        loop.call_later(5, loop.stop)
        loop.run_forever()
        """)
    assert "loop-stop" in found[5]


def test_a_subprocess_and_its_pipes() -> None:
    found = rows("""\
        import asyncio

        async def main():
            proc = await asyncio.create_subprocess_shell("ls", stdout=asyncio.subprocess.PIPE)
            line = await proc.stdout.readline()
            out, err = await proc.communicate()
        """)
    assert found[4] == {"subprocess"} and found[5] == {"subprocess"}
    assert found[6] == {"subprocess"}


def test_aiohttp_server_and_websockets_are_not_the_http_client() -> None:
    found = rows("""\
        from aiohttp import web

        async def handler(request):
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            await ws.send_str("hi")
            return ws

        app = web.Application()
        app.router.add_get("/", handler)
        web.run_app(app)
        """)
    assert "http-server" in found[1]
    assert found[4] == {"websocket"} and found[6] == {"websocket"}
    assert found[9] == {"http-server"} and found[10] == {"http-server"}
    assert 7 not in found  # return ws: passing an object on is not a use


def test_an_asyncio_only_library_and_what_it_returns() -> None:
    found = rows("""\
        import asyncssh

        async def run(host):
            async with asyncssh.connect(host) as conn:
                result = await conn.run("ls")
            print(result)
        """)
    assert found[1] == {"asyncio-only-lib"} and found[4] == {"asyncio-only-lib"}
    assert found[5] == {"asyncio-only-lib"}
    assert 6 not in found


def test_a_library_s_own_module_is_not_foreign_code() -> None:
    found = rows("""\
        from asyncssh._private import helper
        from asyncssh.connection import SSHClientConnection

        def make(conn: SSHClientConnection) -> None:
            helper(conn)
        """)
    assert found == {}


@pytest.mark.parametrize("source", [
    "import asyncio\nasyncio.current_task()\n",
    "from asyncio import current_task\ncurrent_task()\n",
])
def test_current_task_has_its_own_row(source: str) -> None:
    assert rows(source)[2] == {"current-task"}


def test_a_snippet_that_never_imports_asyncio_still_means_it() -> None:
    found = rows("""\
        async def main():
            await asyncio.sleep(1)

        asyncio.run(main())
        """)
    assert found[2] == {"sleep"} and found[4] == {"run"}


def test_a_name_asyncio_bound_otherwise_is_not_the_module() -> None:
    found = rows("""\
        asyncio = object()
        asyncio.run()
        """)
    assert found == {}


def test_the_old_loop_parameter_is_a_loop() -> None:
    found = rows("""\
        import asyncio

        class Client:
            def __init__(self, *, loop=None):
                self._loop = loop or asyncio.get_event_loop()
                self._waiter = self._loop.create_future()

            def now(self):
                return self._loop.time()
        """)
    assert "loop" in found[5] and "future" in found[6] and found[9] == {"loop-time"}


def test_a_timeout_error_a_package_defines_is_not_the_builtin() -> None:
    found = rows("""\
        import asyncio
        from chatlib.errors import TimeoutError

        async def call(event):
            try:
                await asyncio.wait_for(event.wait(), 5)
            except asyncio.TimeoutError:
                raise TimeoutError()
        """)
    assert found[7] == {"timeout-error"}
    assert 2 not in found and 8 not in found


def test_a_field_of_a_library_object_is_data_its_methods_are_its_api() -> None:
    found = rows("""\
        import asyncpg

        async def main():
            conn = await asyncpg.connect()
            print(conn.server_version, asyncpg.__version__)
            await conn.close()
        """)
    assert found[6] == {"asyncio-only-lib"}
    assert 5 not in found


def test_a_module_that_calls_a_librarys_private_methods_is_that_librarys_own() -> None:
    source = """\
        import asyncio
        from aiocache.base import BaseCache

        class Lock:
            def __init__(self, client: BaseCache):
                self.client = client

            async def acquire(self):
                await self.client._add("k", 1)
                await asyncio.sleep(1)
        """
    found = rows(source)
    assert found == {1: {"loop"}, 10: {"sleep"}}
    # the same calls in a program (a __main__ guard) are a user's: they must change
    found = rows(textwrap.dedent(source)
                 + "\nif __name__ == '__main__':\n    asyncio.run(Lock(None).acquire())\n")
    assert found[2] == {"asyncio-only-lib"} and found[9] == {"asyncio-only-lib"}


def test_task_names_exception_handlers_and_a_tasks_loop_have_their_rows() -> None:
    found = rows("""\
        import asyncio

        async def main():
            task = asyncio.create_task(work())
            task.set_name("worker")
            print(task.get_name())
            loop = task.get_loop()
            loop.set_exception_handler(None)
            if loop.get_debug():
                loop.close()
        """)
    assert found[5] == {"task-name"} and found[6] == {"task-name"}
    assert found[7] == {"loop"} and found[8] == {"exception-handler"}
    assert found[9] == {"slow-callback"} and found[10] == {"loop"}


def test_set_result_is_a_futures_wherever_the_future_came_from() -> None:
    found = rows("""\
        import asyncio

        class Proto(asyncio.Protocol):
            def __init__(self, on_close):
                self.on_close = on_close

            def connection_lost(self, exc):
                self.on_close.set_result(exc)
        """)
    assert found[8] == {"future"}
    # without asyncio, a set_result is concurrent.futures' business, not a port's
    assert 2 not in rows("def done(fut):\n    fut.set_result(1)\n")


def test_a_loop_parameter_and_a_suppressed_ctrl_c_around_the_run() -> None:
    found = rows("""\
        import asyncio
        import contextlib

        def stop(signame, loop):
            loop.stop()

        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(main())
        """)
    assert "loop" in found[4] and found[7] == {"ctrl-c"}
    assert 2 not in found


def test_a_task_annotation_takes_the_row_of_what_the_code_does_with_the_task() -> None:
    found = rows("""\
        import asyncio
        from typing import Optional

        class Job:
            def __init__(self):
                self._task: Optional[asyncio.Task[int]] = None

            def start(self, coro):
                self._task = asyncio.create_task(coro)

            async def result(self):
                return await self._task

            async def wait(self):
                await self._task

        def report(task: "asyncio.Task[int]") -> None:
            print(task.exception())
        """)
    # a parameter takes the row of what its function does with the task; a field awaited
    # but not stopped with its object is a spawned task, its role (the README's rule for a
    # Task annotation, as the working keys have it)
    assert found[6] == {"create-task"} and found[17] == {"task-result"}


def test_a_task_on_self_stopped_where_the_object_stops_is_a_service() -> None:
    found = rows("""\
        import asyncio
        from typing import Optional

        class Watcher:
            def __init__(self):
                self._watch: Optional[asyncio.Task[None]] = None
                self._watch = asyncio.create_task(self.run())

            async def close(self):
                self._watch.cancel()
        """)
    # the annotation: the service, and what is done with the task besides
    assert found[6] == {"service", "task-cancel"} and "service" in found[7] \
        and "service" in found[10]


def test_a_protocols_transport_is_the_loops_whatever_its_name() -> None:
    found = rows("""\
        import asyncio

        class Echo(asyncio.Protocol):
            def connection_made(self, tr):
                self.tr = tr

            def data_received(self, data):
                self.tr.write(data)
                print(len(data))
        """)
    assert found[8] == {"protocols"}
    assert 9 not in found


def test_a_librarys_pair_and_the_websocket_its_object_opens() -> None:
    found = rows("""\
        import aiodocker
        import aiozmq

        async def main():
            conn, _ = await aiozmq.create_zmq_connection(None)
            conn.write(b"x")
            docker = aiodocker.Docker()
            ws = await docker.websocket()
            await ws.send_str("hi")
        """)
    assert found[6] == {"asyncio-only-lib"}
    assert found[9] == {"websocket"}


def test_timeout_error_around_an_asyncio_timeout_not_around_a_sockets() -> None:
    found = rows("""\
        import asyncio

        async def read(queue, sock, loop: bool = False):
            try:
                async with asyncio.timeout(1):
                    return await queue.get()
            except TimeoutError:
                pass
            try:
                return sock.recv(10)
            except TimeoutError:
                return b""
        """)
    assert found[7] == {"timeout-error"}
    assert 3 not in found and 11 not in found


def test_asyncios_less_common_names_have_their_rows() -> None:
    found = rows("""\
        import asyncio

        async def main(sock):
            loop = asyncio.get_running_loop()
            loop.add_reader(sock, print)
            if loop.is_running():
                pass
            try:
                await asyncio.open_connection("h", 1)
            except asyncio.IncompleteReadError:
                pass
            return asyncio.isfuture(sock)
        """)
    assert found[5] == {"fd-watch"} and found[6] == {"loop"}
    assert found[10] == {"streams"} and found[12] == {"future"}


def test_watching_a_file_descriptor_is_the_fd_watch_row() -> None:
    found = rows("""\
        import asyncio

        class Pipe:
            def __init__(self, fd):
                self._loop = asyncio.get_event_loop()
                self._fd = fd

            def start(self):
                self._loop.add_reader(self._fd, self._on_readable)
                self._loop.add_writer(self._fd, self._on_writable)

            def stop(self):
                self._loop.remove_reader(self._fd)
                self._loop.remove_writer(self._fd)
        """)
    assert all(found[line] == {"fd-watch"} for line in (9, 10, 13, 14))


def test_a_generator_based_coroutine_and_each_yield_from_in_it() -> None:
    found = rows("""\
        import asyncio
        from asyncio import coroutine

        @asyncio.coroutine
        def fetch(conn):
            reply = yield from conn.request()
            return reply

        @coroutine
        def pause():
            yield from asyncio.sleep(1)

        def numbers(parts):
            yield from parts

        def legacy(fut):
            yield from asyncio.wait_for(fut, 3)
        """)
    assert found[4] == {"coroutine-decorator"} and found[9] == {"coroutine-decorator"}
    assert found[6] == {"coroutine-decorator"}  # its own object, awaited the old way
    assert 7 not in found
    assert found[11] == {"coroutine-decorator", "sleep"}
    assert 14 not in found  # a plain generator that delegates: no coroutine
    assert found[17] == {"coroutine-decorator", "wait-for"}  # undecorated, asyncio's awaitable


def test_a_dotted_import_reaches_the_asyncio_submodule_only() -> None:
    found = rows("""\
        import zmq
        import zmq.asyncio

        def main():
            blocking = zmq.Context()
            ctx = zmq.asyncio.Context()
            print(zmq.__version__)
        """)
    assert found[2] == {"asyncio-only-lib"} and found[6] == {"asyncio-only-lib"}
    assert 1 not in found and 5 not in found and 7 not in found


def test_a_concurrent_future_from_a_thread_and_an_asyncio_runner() -> None:
    found = rows("""\
        import asyncio

        def in_thread(loop):
            future = asyncio.run_coroutine_threadsafe(work(), loop)
            if not future.done():
                future.cancel()

        with asyncio.Runner() as runner:
            try:
                runner.run(main())
            except KeyboardInterrupt:
                pass
        """)
    assert found[5] == {"from-thread"} and found[6] == {"from-thread"}
    assert found[10] == {"run"} and found[11] == {"ctrl-c"}


def test_a_function_an_asyncio_only_library_calls_back_gets_its_object() -> None:
    found = rows("""\
        import asyncpg

        async def setup(conn):
            await conn.set_type_codec("json", encoder=str, decoder=str)
            print(conn.get_server_pid)

        async def main():
            return await asyncpg.create_pool(dsn="x", init=setup)
        """)
    assert found[4] == {"asyncio-only-lib"}
    assert 5 not in found


def test_an_imported_wait_takes_the_row_of_its_calls() -> None:
    found = rows("""\
        from asyncio import wait

        async def main(fs):
            await wait(fs)
        """)
    assert found[1] == {"gather"} and found[4] == {"gather"}
    found = rows("""\
        from asyncio import FIRST_COMPLETED, wait

        async def main(fs):
            await wait(fs, return_when=FIRST_COMPLETED)
        """)
    assert found[1] == {"wait-first"}


def test_a_none_put_is_the_end_of_stream_and_a_done_callback_reads_the_result() -> None:
    found = rows("""\
        import asyncio

        async def main(work):
            queue = asyncio.Queue()
            await queue.put(1)
            queue.put_nowait(None)
            task = asyncio.create_task(work())
            task.add_done_callback(lambda t: print(t.result()))
        """)
    assert found[5] == {"queue"} and found[6] == {"queue-shutdown"}
    assert found[8] == {"task-result"}


def test_a_timeout_error_in_a_file_without_asyncio_is_not_asyncios() -> None:
    assert rows("""\
        class CellTimeout(TimeoutError):
            pass

        def check(exc):
            return isinstance(exc, TimeoutError)
        """) == {}


def test_asyncios_machinery_by_module_and_an_unlisted_loop_method_get_the_loop_row() -> None:
    found = rows("""\
        import asyncio
        from asyncio import base_events

        def patch(loop: asyncio.AbstractEventLoop):
            asyncio.tasks._PyTask = None
            return loop._default_executor
        """)
    assert found[2] == {"loop"} and found[5] == {"loop"} and found[6] == {"loop"}


def test_what_a_librarys_async_iterator_yields_is_its_own_but_a_fields_text_is_data() -> None:
    found = rows("""\
        import aio_pika

        async def consume(queue):
            conn = await aio_pika.connect_robust("amqp://")
            queue = await (await conn.channel()).declare_queue("q")
            async for message in queue.iterator():
                async with message.process():
                    print(message.body.decode())
        """)
    assert found[6] == {"asyncio-only-lib"} and found[7] == {"asyncio-only-lib"}
    assert 8 not in found


def test_aiohttps_server_objects_and_what_a_view_inherits() -> None:
    found = rows("""\
        from aiohttp import web

        routes = web.RouteTableDef()

        @routes.get("/")
        async def index(request):
            return web.json_response({})

        class Items(web.View):
            def __init__(self, request):
                super().__init__(request)
                self.count = 0

            async def get(self):
                self.count += 1
                return web.json_response(self.request.app["items"])
        """)
    assert found[5] == {"http-server"} and found[16] == {"http-server"}
    assert 15 not in found


def test_a_module_wide_pytest_asyncio_mark_and_the_event_loop_fixture() -> None:
    found = rows("""\
        import asyncio
        import pytest

        pytestmark = pytest.mark.asyncio

        async def test_it(event_loop):
            fut = event_loop.create_future()
            event_loop.call_soon(fut.set_result, 1)
        """)
    assert found[4] == {"pytest-asyncio"} and found[6] == {"pytest-asyncio"}
    assert found[7] == {"future"} and "call-later" in found[8]


def test_a_test_that_asks_for_pytest_aiohttps_fixtures_is_a_pytest_asyncio_test() -> None:
    """``async def test_x(aiohttp_client)``: pytest-aiohttp's fixtures (``aiohttp_client``,
    ``aiohttp_server``, ``aiohttp_raw_server``) are ``pytest-asyncio``, pytest-trio the other
    side (the corpus README's eighth-part ruling on aiohttp's test machinery); a parameter of
    another name is no finding."""
    found = rows("""\
        from aiohttp import web

        async def test_get(aiohttp_client):
            client = await aiohttp_client(web.Application())

        async def test_serve(aiohttp_server, aiohttp_raw_server):
            pass

        async def test_plain(http_client):
            pass
        """)
    assert found[3] == found[6] == {"pytest-asyncio"}
    assert 9 not in found


def test_a_tests_call_of_a_plugins_fixture_factory_is_the_plugins() -> None:
    """``client = await aiohttp_client(app)``, ``port = unused_tcp_port_factory()``: the test
    calls the fixture it asked for, the plugin's API (pytest-trio is the other side), so the
    line is ``pytest-asyncio`` as the parameter is; a call of another parameter, or of the
    fixture's name in a function that did not ask for it, is no finding."""
    found = rows("""\
        from aiohttp import web

        async def test_get(aiohttp_client, make_app):
            client = await aiohttp_client(make_app())
            app = make_app()

        def test_ports(unused_tcp_port_factory):
            port = unused_tcp_port_factory()

        def helper(aiohttp_client, app):
            return aiohttp_client(app)
        """)
    assert found[4] == found[8] == {"pytest-asyncio"}
    assert 5 not in found and 11 not in found


def test_the_methods_trios_condition_and_semaphore_lack() -> None:
    found = rows("""\
        import asyncio

        async def main(ready):
            cond = asyncio.Condition()
            sem = asyncio.Semaphore(2)
            async with cond:
                await cond.wait_for(ready)
                cond.notify_all()
            if sem.locked():
                print("busy")
        """)
    assert found[7] == {"condition"} and found[9] == {"semaphore"}
    assert 6 not in found and 8 not in found


def test_coroutines_collected_for_a_gather_leave_the_change_to_the_gather() -> None:
    """Making coroutine objects is plain Python (the README's rule); the gather that awaits
    them is the line a port rewrites into a nursery."""
    found = rows("""\
        import asyncio

        async def main(hosts):
            coros = (fetch(host) for host in hosts)
            names = [host.upper() for host in hosts]
            return await asyncio.gather(*coros), names
        """)
    assert found[6] == {"gather"}
    assert 4 not in found and 5 not in found


def test_the_old_class_methods_of_task() -> None:
    found = rows("""\
        import asyncio

        def dump():
            for each in asyncio.Task.all_tasks():
                print(each)
            return asyncio.Task.current_task()
        """)
    assert found[4] == {"all-tasks"} and found[6] == {"current-task"}


def test_an_item_of_a_library_object_is_its_object_but_a_records_field_is_data() -> None:
    found = rows("""\
        import asyncpg
        from motor.motor_asyncio import AsyncIOMotorClient

        async def main(uid):
            users = AsyncIOMotorClient()["db"]["users"]
            doc = await users.find_one({"_id": uid})
            conn = await asyncpg.connect()
            row = await conn.fetchrow("SELECT 1")
            return doc, row["name"].title(), row["id"]
        """)
    assert found[6] == {"asyncio-only-lib"}
    assert 9 not in found


def test_data_a_library_returned_is_plain_python_its_awaited_calls_are_not() -> None:
    found = rows("""\
        import redis.asyncio as redis

        async def main():
            r = redis.Redis()
            value = await r.get("k")
            print(value.decode())
            return await r.keys("*")
        """)
    assert found[5] == {"asyncio-only-lib"} and found[7] == {"asyncio-only-lib"}
    assert 6 not in found


def test_aiohttps_own_module_importing_aiohttp_is_the_package_itself() -> None:
    found = rows("""\
        import asyncio
        from aiohttp import hdrs
        from aiohttp._helpers import reify

        METHOD = hdrs.METH_GET

        async def pause():
            await asyncio.sleep(1)
        """)
    assert found == {1: {"loop"}, 8: {"sleep"}}


def test_a_parameter_of_tasks_is_a_task_set_and_its_wait_takes_the_wait_row() -> None:
    """A container of tasks is task-set (the corpus README's settled case), whatever is done
    with the tasks; the line that does it carries that row."""
    found = rows("""\
        import asyncio
        from asyncio import Task

        async def first(tasks: list[Task[int]]) -> None:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        """)
    assert found[4] == {"task-set"} and found[5] == {"wait-first"}


def test_a_done_callback_that_drops_the_task_from_a_set_keeps_tasks_alive() -> None:
    found = rows("""\
        import asyncio

        waiting = set()

        def forget(task):
            waiting.discard(task)

        def spawn(coro, pending):
            task = asyncio.ensure_future(coro)
            task.add_done_callback(forget)
            other = asyncio.ensure_future(coro)
            other.add_done_callback(pending.remove)
        """)
    assert "task-set" in found[10] and "task-set" in found[12]


def test_a_returned_task_takes_the_row_of_what_its_function_does() -> None:
    found = rows("""\
        import asyncio
        from asyncio import Task

        async def first_done(
            tasks: list[Task[int]],
        ) -> list[Task[int]]:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            return list(done)

        def spawn(coro) -> Task[int]:
            return asyncio.create_task(coro)
        """)
    assert found[5] == {"task-set"} and found[6] == {"task-set"}  # containers of tasks
    assert found[10] == {"create-task"}  # one task: the row of what its function does


def test_a_method_only_asyncios_streams_have_marks_a_stream_however_held() -> None:
    found = rows("""\
        import asyncio

        def alive(conn):
            return not conn._reader.at_eof()

        async def flush(conn):
            await conn.writer.drain()
        """)
    assert found[4] == {"streams"} and found[7] == {"streams"}
    assert rows("def alive(conn):\n    return not conn.reader.at_eof()\n") == {}


def test_a_loop_handed_in_is_flagged_where_it_is_tested_kept_returned_and_fetched() -> None:
    found = rows("""\
        import asyncio

        class Lock:
            def __init__(self, **kwargs):
                loop = kwargs.pop("loop", None)
                if loop is None:
                    loop = asyncio.get_running_loop()
                self._loop = loop
                self._count = 0

            def _get_loop(self):
                if not self._loop:
                    raise RuntimeError("no loop")
                return self._loop

            def check(self, other):
                loop = self._get_loop()
                other._get_loop()
                if loop is not self._loop:
                    raise RuntimeError("another loop")
        """)
    for line in (5, 6, 8, 12, 14, 17, 18, 19):
        assert found.get(line) == {"loop"}, line
    assert 9 not in found  # self._count = 0: plain Python


def test_a_loop_parameter_in_a_file_without_asyncio_is_a_loop_when_used_as_one() -> None:
    found = rows("""\
        class Server:
            def __init__(self, app, loop, coro):
                self.loop = loop
                self.coro = coro

            def spawn(self):
                return self.loop.create_task(self.coro)
        """)
    assert found[2] == {"loop"} and found[3] == {"loop"} and found[7] == {"create-task"}
    # a `loop` that is never used as an asyncio loop is someone else's word
    assert rows("def tick(loop):\n    if loop is None:\n        return 0\n    return loop + 1\n") \
        == {}


def test_a_packages_own_imports_are_known_by_its_path() -> None:
    source = textwrap.dedent("""\
        import asyncio
        from aiocache.base import BaseCache

        async def fill(cache: BaseCache) -> None:
            await cache.set("k", 1)
        """)
    inside = {f.line for f in port.scan(source, "aiocache/lock.py")}
    outside = {f.line for f in port.scan(source, "examples/redlock.py")}
    assert inside == {1} and {1, 2, 4, 5} <= outside
    assert {f.line for f in port.scan(source, "src\\aiocache\\lock.py")} == {1}


def test_an_optional_task_annotation_takes_the_row_of_what_is_done_with_the_task() -> None:
    found = rows("""\
        import asyncio
        from typing import Union

        class Worker:
            def __init__(self) -> None:
                self._task: asyncio.Task[None] | None = None
                self._other: Union[asyncio.Task[None], None] = None

            def start(self, coro, other):
                self._task = asyncio.create_task(coro)
                self._other = asyncio.create_task(other)

            def pause(self) -> None:
                if self._task is not None:
                    self._task.cancel()
                self._other.cancel()
        """)
    # (kept on self, started in start() and cancelled by the object: a service too, the
    # corpus README's newest settled case; the annotation keeps what is done with it)
    assert found[6] == {"task-cancel", "service"} and found[7] == {"task-cancel", "service"}


def test_a_set_of_futures_is_a_task_set_only_when_a_callback_drops_them_from_it() -> None:
    found = rows("""\
        import asyncio

        class Store:
            def __init__(self) -> None:
                self.futures: set[asyncio.Future] = set()
                self.waiting = set()

            def add(self, future: asyncio.Future) -> None:
                self.futures.add(future)

            def spawn(self, coro) -> None:
                fut = asyncio.ensure_future(coro)

                def forget(f: asyncio.Future) -> None:
                    self.waiting.discard(f)

                fut.add_done_callback(forget)
                self.waiting.add(fut)
        """)
    assert 9 not in found  # a registry of futures to reject later: it stays
    assert "task-set" in found[15] and "task-set" in found[18]


def test_a_spawn_by_asyncios_name_through_a_wrapper_is_create_task() -> None:
    found = rows("""\
        import asyncio
        from mylib.tools import create_task

        class Service(mylib.Service):
            async def handle(self, reader, writer):
                self.create_task(self.serve(reader, writer))
                create_task(self.serve(reader, writer))
        """)
    assert found[6] == {"create-task"} and found[7] == {"create-task"}
    # a file's own create_task (a task group of its own) is that file's code
    own = rows("""\
        import asyncio

        class Group:
            def create_task(self, coro):
                return asyncio.get_running_loop().create_task(coro)

            def spawn(self, coro):
                self.create_task(coro)
        """)
    assert 8 not in own


def test_a_protocol_by_duck_typing_is_the_class_a_loops_create_call_makes() -> None:
    found = rows("""\
        import asyncio

        class Echo:
            def __init__(self, done):
                self.done = done

            def connection_made(self, transport):
                self.transport = transport

            def datagram_received(self, data, addr):
                self.transport.sendto(data, addr)

            def helper(self):
                return 1

        async def main():
            loop = asyncio.get_running_loop()
            done = loop.create_future()
            transport, protocol = await loop.create_datagram_endpoint(
                lambda: Echo(done), local_addr=("127.0.0.1", 9999))
        """)
    # the callbacks' def lines are not labelled (tests/port_corpus/README.md, settled in
    # round 4): what they call on the transport is
    assert found[11] == {"protocols"}
    assert not {4, 7, 10, 13} & set(found)


def test_a_subclass_of_a_library_class_is_the_librarys_object_but_its_own_names_are_not() -> None:
    found = rows("""\
        import slixmpp

        class Bot(slixmpp.ClientXMPP):
            def __init__(self, jid):
                slixmpp.ClientXMPP.__init__(self, jid)
                self.done = False

            def finish(self):
                self.done = True

        bot = Bot("me@example.org")
        bot.register_plugin("xep_0070")
        bot.connect()
        bot.finish()
        print(bot.done)
        """)
    assert found[5] == {"asyncio-only-lib"}
    assert found[12] == {"asyncio-only-lib"} and found[13] == {"asyncio-only-lib"}
    assert 14 not in found and 15 not in found


def test_an_objects_task_read_from_outside_its_class_is_still_the_task() -> None:
    found = rows("""\
        import asyncio

        class App:
            def __init__(self, coro):
                self.initializing = asyncio.get_running_loop().create_task(coro)
                self.name = "app"

        async def main(app):
            await app.initializing
            if app.initializing.done():
                print(app.name)
        """)
    assert found[9] == {"task-result"} and found[10] == {"task-result"}
    assert 11 not in found


def test_a_method_called_on_an_aiofiles_file_is_aiofiles_api() -> None:
    found = rows("""\
        import aiofiles

        async def copy(src, dst):
            async with aiofiles.open(src) as f:
                data = await f.read()
                print(f.name)
            fp = await aiofiles.open(dst, "w")
            await fp.write(data)
        """)
    assert found[5] == {"aiofiles"} and found[8] == {"aiofiles"}
    assert 6 not in found  # a field read: plain data


def test_a_file_aiofiles_wraps_is_an_aiofiles_file_not_a_context() -> None:
    """``aiofiles.threadpool.wrap(raw)`` is what ``aiofiles.open`` returns once its thread has
    opened the file: an open aiofiles file, not awaited (it is no coroutine), and no context to
    enter. The asyncio crawler twin opens the TSV that way, in a future that asyncio.run does
    not cancel; its write, tell and close are aiofiles' calls to port."""
    found = rows("""\
        import aiofiles

        async def append(raw, data):
            f = aiofiles.threadpool.wrap(raw)
            written = await f.write(data)
            print(f.name)
            await f.close()
        """)
    assert found[4] == {"aiofiles"} and found[5] == {"aiofiles"} and found[7] == {"aiofiles"}
    assert 6 not in found  # a field read: plain data


def test_a_server_is_known_by_its_own_methods_and_by_what_a_loop_ran() -> None:
    found = rows("""\
        import asyncio

        class Wrapper:
            def __init__(self, task):
                self.server = task.result()

            def serving(self):
                return self.server.is_serving()

            def stop(self):
                self.server.close()

        def serve(loop, factory):
            coro = loop.create_server(factory, "127.0.0.1", 0)
            server = loop.run_until_complete(coro)
            print(server.sockets)
            server.close()
        """)
    assert found[8] == {"start-server"} and found[11] == {"start-server"}
    assert found[17] == {"start-server"}
    assert 16 not in found  # server.sockets: a field read, the same under Trio


def test_a_file_context_entered_is_the_open_aiofiles_file() -> None:
    found = rows("""\
        import aiofiles

        async def read(path):
            ctx = aiofiles.open(path)
            async with ctx as f:
                return await f.read()
        """)
    assert found[6] == {"aiofiles"}


def test_a_done_callback_gets_the_task_it_was_added_to() -> None:
    found = rows("""\
        import asyncio

        def retrieve(fut: asyncio.Future) -> None:
            fut.exception()

        class Typing:
            async def __aenter__(self):
                self.task = asyncio.create_task(self.loop_forever())
                self.task.add_done_callback(retrieve)
        """)
    assert found[4] == {"task-result"}
    assert "service" in found[9]  # watching the task a service starts is part of the service


def test_a_task_chained_into_a_future_is_the_futures_business() -> None:
    found = rows("""\
        import asyncio

        def chain(inner: asyncio.Task, loop) -> asyncio.Future:
            outer = loop.create_future()

            def done(task):
                outer.set_result(task.result())

            inner.add_done_callback(done)
            return outer
        """)
    assert found[9] == {"future"}


def test_a_class_fields_kind_reaches_its_methods_and_a_dict_of_tasks_its_values() -> None:
    found = rows("""\
        import asyncio
        from dataclasses import dataclass, field

        @dataclass
        class Worker:
            queue: asyncio.Queue = field(default_factory=asyncio.Queue)
            tasks: dict = field(default_factory=dict)
            name: str = "w"

            async def start(self, coro):
                self.tasks[self.name] = asyncio.create_task(coro)
                return await self.queue.get()

            async def halt(self):
                for t in self.tasks.values():
                    t.cancel()
                print(self.name)
        """)
    assert found[12] == {"queue"} and found[16] == {"task-cancel"}
    assert 8 not in found and 17 not in found


def test_a_test_gets_what_its_fixture_yields() -> None:
    found = rows("""\
        import aiohttp
        import pytest

        @pytest.fixture
        async def client():
            async with aiohttp.ClientSession() as session:
                yield session

        async def test_get(client, tmp_path):
            async with client.get("https://example.org") as resp:
                await resp.text()
            print(tmp_path)
        """)
    assert found[10] == {"aiohttp-client"} and found[11] == {"aiohttp-client"}
    assert 12 not in found


def test_a_keyboard_interrupt_caught_inside_a_coroutine_is_ctrl_c() -> None:
    found = rows("""\
        import asyncio

        async def main(ready):
            try:
                await ready
            except KeyboardInterrupt:
                return 3

        def ask():
            try:
                return input()
            except KeyboardInterrupt:
                return ""

        async def test_it():
            with pytest.raises(KeyboardInterrupt):
                raise KeyboardInterrupt
            with contextlib.suppress(KeyboardInterrupt):
                await asyncio.sleep(1)
        """)
    assert found[6] == {"ctrl-c"}
    assert 12 not in found  # a blocking input() in plain code: Python's own Ctrl-C
    assert 16 not in found and found[18] == {"ctrl-c"}  # a test's own raise; a suppress


def test_set_result_on_another_classs_object_is_not_a_future() -> None:
    found = rows("""\
        import asyncio

        async def attempt(fn, state: "RetryCallState", done):
            other = RetryCallState(fn)
            try:
                result = await fn()
            except Exception as exc:
                state.set_exception(exc)
                other.set_exception(exc)
            else:
                state.set_result(result)
                done.set_result(result)
        """)
    assert 8 not in found and 9 not in found and 11 not in found
    assert found[12] == {"future"}  # a receiver the file says nothing about: a future


def test_a_socketservers_serve_forever_and_a_loop_setting_are_not_asyncios() -> None:
    found = rows("""\
        import asyncio
        import http.server
        import threading

        class App:
            def __init__(self, config):
                self.loop = asyncio.new_event_loop()
                self.config = config

            def serve_docs(self):
                httpd = http.server.HTTPServer(("127.0.0.1", 0), None)
                threading.Thread(target=httpd.serve_forever).start()
                httpd.serve_forever()
                print(self.config.loop)
        """)
    assert found[7] == {"loop"}
    assert 12 not in found and 13 not in found and 14 not in found


def test_a_librarys_asyncio_run_by_another_name_is_the_run_row() -> None:
    found = rows("""\
        from aiorun import run

        async def main():
            pass

        run(main())
        """)
    assert found[1] == {"asyncio-only-lib"} and found[6] == {"run"}


def test_a_loop_a_base_class_provides_is_known_by_its_methods() -> None:
    found = rows("""\
        import asyncio
        from mylib import Service

        class Tcp(Service):
            async def start(self):
                self.loop.call_soon(self.ready)
        """)
    assert found[6] == {"call-later"}


def test_queue_sentinels_kept_sets_cleared_and_quoted_types_in_an_alias() -> None:
    found = rows("""\
        import asyncio
        from typing import Awaitable, Union

        FutureLike = Union["asyncio.Future[int]", Awaitable[int]]
        names = {"asyncio.sleep": 1}

        class Conn:
            def __init__(self):
                self.messages = asyncio.Queue()
                self.waiting = set()

            def spawn(self, coro):
                task = asyncio.ensure_future(coro)
                self.waiting.add(task)
                task.add_done_callback(self.waiting.discard)

            def close(self):
                self.messages.put_nowait((None, None))
                self.waiting.clear()
                print(names["asyncio.sleep"])
        """)
    assert found[4] == {"future"} and 5 not in found
    assert found[18] == {"queue-shutdown"} and found[19] == {"task-set"}
    assert 20 not in found


def test_a_timeouts_handle_and_a_barrier_are_asyncios_objects() -> None:
    found = rows("""\
        import asyncio

        async def main(loop):
            barrier = asyncio.Barrier(2)
            async with asyncio.timeout(10) as cm:
                cm.reschedule(loop.time() + 5)
                await barrier.wait()
            print(cm.expired())
        """)
    assert found[6] == {"timeout", "loop-time"} and found[7] == {"barrier"}
    assert found[8] == {"timeout"}


def test_a_loop_run_forever_is_stopped_by_its_signal_handler() -> None:
    found = rows("""\
        import asyncio
        import functools
        import signal

        def serve(app):
            loop = asyncio.new_event_loop()
            loop.add_signal_handler(signal.SIGTERM, functools.partial(app.halt, loop))
            loop.run_forever()
        """)
    assert "loop-stop" in found[8]
    alone = rows("import asyncio\nloop = asyncio.new_event_loop()\nloop.run_forever()\n")
    assert alone[3] == {"run"}


def test_a_field_of_a_library_object_is_the_librarys_where_it_is_awaited() -> None:
    found = rows("""\
        from motor.motor_asyncio import AsyncIOMotorClient

        async def setup():
            db = AsyncIOMotorClient().test
            await db.pages.insert_one({"_id": 1})
            page = await db.pages.find_one({"_id": 1})
            body = page.body
            print(body.title(), db.name)
        """)
    assert found[5] == {"asyncio-only-lib"} and found[6] == {"asyncio-only-lib"}
    assert 7 not in found and 8 not in found  # fields read, a str method: plain data


def test_a_snippet_that_uses_asyncio_without_importing_it_has_loops_too() -> None:
    found = rows("""\
        def hello_world(loop):
            loop.stop()

        loop = asyncio.new_event_loop()
        loop.call_soon(hello_world, loop)
        """)
    assert found[1] == {"loop"} and found[2] == {"loop-stop"} and "loop" in found[5]


def test_a_parameter_holding_tasks_that_nothing_is_done_with_here_is_a_task_set() -> None:
    found = rows("""\
        import asyncio

        class Protocol:
            def __init__(
                self,
                closing: list[asyncio.Task[None]],
                first: asyncio.Task[None],
            ) -> None:
                self.closing = closing
                self.first = first
        """)
    assert found[6] == {"task-set"} and found[7] == {"create-task"}


def test_what_as_completed_yields_is_awaited_on_the_as_completed_row() -> None:
    found = rows("""\
        import asyncio

        async def main(aws):
            for coro in asyncio.as_completed(aws):
                result = await coro
                print(result)
        """)
    assert found[4] == {"as-completed"} and found[5] == {"as-completed"}
    assert 6 not in found


def test_a_function_of_the_file_gets_what_its_callers_hand_it() -> None:
    found = rows("""\
        import asyncio
        import asyncpg

        async def worker(name, jobs):
            job = await jobs.get()
            print(name, job)

        async def store(conn, row):
            await conn.execute("INSERT", row)

        async def main():
            jobs = asyncio.Queue()
            conn = await asyncpg.connect()
            await asyncio.gather(worker("a", jobs), store(conn, row=1))
        """)
    assert found[5] == {"queue"} and found[9] == {"asyncio-only-lib"}
    assert 6 not in found


def test_a_parameter_annotated_any_gets_what_its_callers_hand_it() -> None:
    """``async def _idle(self, socket: Any)`` called with the websocket the file opened: an
    annotation that names no type (``Any``, ``typing.Any``, ``object``, in quotes or not) says
    nothing of the parameter, so what the calls hand it is what it is, as for a parameter with
    no annotation; an annotation that names a type still wins (``conn: Connection``, the
    package's own class)."""
    found = rows("""\
        import typing
        from typing import Any

        import websockets

        from .db import Connection

        class Agent:
            async def main(self, url, conn):
                async with websockets.connect(url) as socket:
                    await self._idle(socket)
                    await self._run(socket, socket, socket)
                    await self._store(socket)

            async def _idle(self, socket: Any) -> None:
                await socket.close()

            async def _run(self, a: "typing.Any", b: object, c: "object") -> None:
                await a.send("a")
                await b.send("b")
                await c.send("c")

            async def _store(self, conn: Connection) -> None:
                await conn.close()
        """)
    assert found[16] == found[19] == found[20] == found[21] == {"websocket"}
    assert 24 not in found


def test_a_callback_gets_what_is_handed_on_after_it() -> None:
    found = rows("""\
        import asyncio
        import functools

        def tick(ev, sink):
            sink.put_nowait(1)

        def tock(ev, out):
            out.put_nowait(2)

        async def main():
            q = asyncio.Queue()
            asyncio.get_running_loop().call_soon(tick, None, q)
            handler = functools.partial(tock, None, q)
        """)
    assert found[5] == {"queue"} and found[8] == {"queue"}


def test_what_a_queue_of_tasks_gives_is_a_task() -> None:
    found = rows("""\
        import asyncio
        from typing import Optional

        class Scheduler:
            def __init__(self) -> None:
                self._failed: asyncio.Queue[Optional[asyncio.Task[None]]] = asyncio.Queue()
                self._done = asyncio.Queue()

            def fail(self, task: asyncio.Task[None]) -> None:
                self._done.put_nowait(task)

            async def reap(self) -> None:
                failed = await self._failed.get()
                await failed
                done = self._done.get_nowait()
                done.cancel()
        """)
    assert found[14] == {"task-result"} and found[16] == {"task-cancel"}


def test_a_class_gets_in_its_init_what_its_callers_hand_it() -> None:
    found = rows("""\
        import asyncio

        class Client:
            def __init__(self, message, finished):
                self.message = message
                self.finished = finished

            def connection_lost(self, exc):
                if not self.finished.done():
                    print(self.message)

        async def main():
            done = asyncio.get_running_loop().create_future()
            client = Client("hi", done)
        """)
    assert found[9] == {"future"} and 10 not in found


def test_what_a_helper_returns_from_a_library_is_the_librarys() -> None:
    found = rows("""\
        import asyncpg

        class Repo:
            async def _connect(self):
                return await asyncpg.connect("postgres://")

            async def count(self):
                conn = await self._connect()
                return await conn.fetchval("SELECT 1")
        """)
    assert found[9] == {"asyncio-only-lib"}


def test_a_loop_factory_handed_on_is_a_loop() -> None:
    found = rows("""\
        import asyncio
        import uvloop

        async def main():
            pass

        asyncio.run(main(), loop_factory=uvloop.new_event_loop)
        """)
    assert found[7] == {"run", "loop"}


def test_the_builtin_timeout_error_is_asyncios_only_where_it_is_caught() -> None:
    found = rows("""\
        import asyncio

        async def main(sock):
            if sock is None:
                raise TimeoutError("no socket")
            try:
                await asyncio.wait_for(sock.recv(1), 1)
            except (TimeoutError, OSError) as exc:
                return isinstance(exc, TimeoutError)
        """)
    assert 5 not in found and found[8] == {"timeout-error"} and found[9] == {"timeout-error"}


def test_an_async_generator_that_yields_inside_a_timeout_or_task_group_is_async_gen() -> None:
    found = rows("""\
        import asyncio
        import contextlib

        async def ticker(n):
            async with asyncio.timeout(10):
                for i in range(n):
                    yield i

        @contextlib.asynccontextmanager
        async def group():
            async with asyncio.TaskGroup() as tg:
                yield tg

        async def plain():
            async with asyncio.timeout(1):
                await asyncio.sleep(1)
        """)
    # async-gen on the ``async def`` line, where the port puts @trio.as_safe_channel (the
    # corpus keys: 26 of 26 on that line)
    assert found[4] == {"async-gen"} and found[5] == {"timeout"}
    assert found[11] == {"taskgroup"} and found[15] == {"timeout"}


def test_a_task_kept_in_app_state_by_an_app_key_and_cancelled_at_cleanup_is_a_service() -> None:
    found = rows("""\
        import asyncio
        from aiohttp import web

        listener = web.AppKey("listener", asyncio.Task[None])

        async def background(app):
            app[listener] = asyncio.create_task(listen(app))
            yield
            app[listener].cancel()
        """)
    assert "service" in found[4] and "create-task" not in found[4]
    assert "service" in found[7] and "service" in found[9]


def test_a_notebooks_top_level_await_is_read_as_asyncio_code() -> None:
    found = rows("""\
        import asyncio
        await asyncio.sleep(1)
        async with asyncio.timeout(1):
            pass
        """)
    assert found[2] == {"sleep"} and found[3] == {"timeout"}
    with pytest.raises(port.PortError, match="cannot parse"):
        port.scan("def f(:\n", "bad.py")


def test_an_item_of_a_library_subclass_is_the_base_classs() -> None:
    found = rows("""\
        import slixmpp

        class Bot(slixmpp.ClientXMPP):
            async def ask(self, who):
                self.cache = {}
                return await self["xep_0070"].ask_confirm(who)
        """)
    assert found[6] == {"asyncio-only-lib"} and 5 not in found


def test_a_task_on_self_cancelled_by_its_object_is_a_service_on_each_of_its_lines() -> None:
    """A task kept on ``self``, started in one method and cancelled in another (whatever
    their names): it lives as long as the object, so each of its lines is the service row
    (the corpus README's settled case), beside what the line does with it."""
    found = rows("""\
        import asyncio

        class Pinger:
            def __init__(self) -> None:
                self._pinging: asyncio.Task[None] | None = None

            def begin(self) -> None:
                self._pinging = asyncio.create_task(self._ping())

            def halt(self) -> None:
                self._pinging.cancel()

            def alive(self) -> bool:
                return not self._pinging.done()

            async def _ping(self) -> None:
                await asyncio.sleep(1)

        async def once(coro):
            job = asyncio.create_task(coro)
            job.cancel()
        """)
    assert "service" in found[5] and "task-cancel" in found[5]
    assert "service" in found[8] and "service" in found[11] and "service" in found[14]
    assert "task-cancel" in found[11] and "task-result" in found[14]
    assert found[20] == {"create-task"} and found[21] == {"task-cancel"}


def test_aiohttps_header_names_and_server_modules_in_a_file_that_only_serves() -> None:
    """``hdrs.ORIGIN`` and ``aiohttp.web_exceptions`` where the file serves HTTP and uses no
    client: the server's (http-server), not httpx's row; beside a ClientSession, the client's."""
    server = rows("""\
        from aiohttp import hdrs, web
        from aiohttp.web_exceptions import HTTPForbidden

        async def handle(request: web.Request):
            if request.headers.get(hdrs.ORIGIN) is None:
                raise HTTPForbidden()
            response = web.Response()
            response.headers[hdrs.ACCESS_CONTROL_ALLOW_ORIGIN] = "*"
            return response
        """)
    assert server[2] == {"http-server"} and server[6] == {"http-server"}
    assert server[8] == {"http-server"}
    client = rows("""\
        import aiohttp
        from aiohttp import hdrs, web

        async def fetch(url):
            async with aiohttp.ClientSession() as session:
                return await session.get(url, headers={hdrs.ACCEPT: "*/*"})

        app = web.Application()
        """)
    assert "aiohttp-client" in client[6]


def test_catching_a_gone_peer_around_asyncio_stream_calls_is_the_streams_row() -> None:
    """``except ConnectionResetError`` around ``writer.drain()``: Trio's streams raise
    BrokenResourceError, no ConnectionError, so the handler changes; around a plain socket
    call, or as ``except Exception``, it stays."""
    found = rows("""\
        import asyncio
        import socket

        async def send(writer: asyncio.StreamWriter, data: bytes) -> None:
            try:
                writer.write(data)
                await writer.drain()
            except (
                BrokenPipeError,
                ConnectionResetError,
            ):
                pass
            except Exception:
                pass

        def probe(sock: socket.socket) -> None:
            try:
                sock.send(b"x")
            except ConnectionResetError:
                pass
        """)
    assert found[9] == {"streams"} and found[10] == {"streams"}
    assert 8 not in found and 13 not in found and 19 not in found


def test_streams_opened_under_wait_for_and_read_through_a_tuple_of_their_own() -> None:
    """``(self.r, self.w) = await asyncio.wait_for(asyncio.open_connection(...), t)``: the
    pair is the streams all the same; and ``conn.w`` read off an object whose class keeps a
    stream there is that stream."""
    found = rows("""\
        import asyncio
        from typing import NamedTuple

        class Conn(NamedTuple):
            r: asyncio.StreamReader
            w: asyncio.StreamWriter

        class Client:
            async def connect(self, host):
                (self.r, self.w) = await asyncio.wait_for(
                    asyncio.open_connection(host, 80), timeout=5)

            def close(self):
                self.w.close()

        def drop(conn: "Conn | None"):
            if conn is not None:
                conn.w.close()
        """)
    assert found[14] == {"streams"} and found[18] == {"streams"}


def test_a_loop_under_another_name_handed_in_and_emptied() -> None:
    """``obj_loop``, ``loop: OptLoop = None``, ``self.loop = None``: a loop passed in or kept
    under a loop's name, in an asyncio file, is the loop row (Trio has no loop to hand on);
    a plain ``loops`` count or a ``loop_count`` is not."""
    found = rows("""\
        import asyncio
        from typing import Optional

        OptLoop = Optional[asyncio.AbstractEventLoop]

        class Proxy:
            def __init__(self, obj, obj_loop, loop: OptLoop = None, loops: int = 0,
                         loop_count: int = 1):
                self.loop = None
                self._obj_loop = obj_loop
                self.loop = asyncio.new_event_loop()
        """)
    assert found[7] == {"loop"}  # obj_loop and loop
    assert 8 not in found  # loop_count
    assert found[9] == {"loop"} and found[10] == {"loop"}


def test_a_backported_task_group_entered_by_hand() -> None:
    """The fallback import of asyncio's backport under the same name is the same row, and a
    task group entered and left by hand (``__aenter__``/``__aexit__``) is still one."""
    found = rows("""\
        import asyncio
        try:
            from asyncio import TaskGroup
        except ImportError:
            from taskgroup import TaskGroup
        try:
            import ujson as json
        except ImportError:
            import json

        class Group:
            def __init__(self):
                self._group = TaskGroup()

            async def __aenter__(self):
                await self._group.__aenter__()
                return self

            async def __aexit__(self, *exc):
                await self._group.__aexit__(*exc)
        """)
    assert found[3] == {"taskgroup"} and found[5] == {"taskgroup"}
    assert found[16] == {"taskgroup"} and found[20] == {"taskgroup"}
    assert 7 not in found and 9 not in found


def test_transports_from_a_pipe_factory_and_from_a_transport_annotation() -> None:
    """``loop.connect_write_pipe`` returns a (transport, protocol) pair like the loop's other
    transport factories, and ``self.transport: asyncio.DatagramTransport`` is a transport:
    their methods called are the protocols row; a field test (``is not None``) stays."""
    found = rows("""\
        import asyncio

        class Sender(asyncio.DatagramProtocol):
            def __init__(self) -> None:
                self.transport: asyncio.DatagramTransport | None = None

            def send(self, data: bytes) -> None:
                if self.transport is not None:
                    self.transport.sendto(data, ("127.0.0.1", 9))

        async def pipe(loop, protocol, fileobj):
            out, _ = await loop.connect_write_pipe(lambda: protocol, fileobj)
            out.set_write_buffer_limits(high=0, low=0)
        """)
    assert found[5] == {"protocols"} and found[9] == {"protocols"}
    assert 8 not in found
    assert found[13] == {"protocols"}


def test_a_spawned_task_annotated_as_a_future_is_still_a_task() -> None:
    """``job: asyncio.Future[int] = asyncio.ensure_future(coro)``: the annotation is the
    future row (the corpus README's settled case), but what the code does with ``job``
    afterwards is done with a task: awaiting it is a task's result, cancelling it a task's."""
    found = rows("""\
        import asyncio

        async def run(coro):
            job: asyncio.Future[int] = asyncio.ensure_future(coro)
            if not job.done():
                job.cancel()
            return await job
        """)
    assert "future" in found[4] and "create-task" in found[4]
    assert found[5] == {"task-result"} and found[6] == {"task-cancel"}
    assert found[7] == {"task-result"}


def test_filling_the_set_handed_to_asyncio_wait_is_plain_python() -> None:
    """``pending.add(task)`` where ``pending`` is what ``asyncio.wait`` waits on: the wait is
    the line that changes; a set kept so its tasks live (``background.add(task)``) is the
    task-set row."""
    found = rows("""\
        import asyncio

        background = set()

        async def first(coros):
            pending = set()
            for coro in coros:
                task = asyncio.ensure_future(coro)
                pending.add(task)
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            return done

        def spawn(coro):
            task = asyncio.create_task(coro)
            background.add(task)
        """)
    assert 9 not in found
    assert found[15] == {"task-set"}


def test_a_task_name_given_on_a_continuation_line_is_found_on_that_line() -> None:
    """``create_task(\n coro,\n name="x")``: task-name goes on the line where ``name=`` is
    written, and the opening line keeps the call's own row (the corpus README's eleventh-part
    ruling); a name on the call's one line is on that line."""
    found = rows("""\
        import asyncio

        async def main(work):
            first = asyncio.create_task(
                work(),
                name="first")
            second = asyncio.create_task(
                work(), name="second"
            )
            third = asyncio.create_task(work(), name="third")
            await asyncio.gather(first, second, third)
        """)
    assert found[4] == found[7] == {"create-task"}
    assert found[6] == found[8] == {"task-name"}
    assert found[10] == {"create-task", "task-name"}
    spawned = rows("""\
        import asyncio

        class Worker(Base):
            async def run(self, coro):
                self.create_task(
                    coro,
                    name="worker")
        """)
    assert spawned[5] == {"create-task"} and 7 not in spawned  # only a task's name moves


def test_an_async_comprehension_over_a_librarys_object_is_a_use_of_it() -> None:
    """``[doc async for doc in cursor]`` over motor's cursor is a use of the library, as an
    ``async for`` statement is; a plain comprehension over it, or an async one over what the
    file does not know, is no finding."""
    found = rows("""\
        from motor.core import Cursor

        async def read(collection, rows):
            cursor: Cursor = collection.find()
            docs = [doc async for doc in cursor]
            plain = [doc for doc in cursor]
            other = [row async for row in rows]
            return docs, plain, other
        """)
    assert found[5] == {"asyncio-only-lib"}
    assert 6 not in found and 7 not in found


def test_a_done_callback_that_is_a_sets_discard_keeps_the_task_alive() -> None:
    """``t.add_done_callback(tasks.discard)``: the set keeps the task until it is done, the
    task-set row, on that line; and taking a task out of that set by hand (``tasks.remove(t)``)
    is task-set too, though nothing else in the file says what the set holds."""
    found = rows("""\
        import asyncio

        tasks = set()

        def spawn(coro):
            t = asyncio.create_task(coro)
            t.add_done_callback(tasks.discard)

        def forget(t):
            tasks.remove(t)
        """)
    assert "task-set" in found[7] and found[10] == {"task-set"}


def test_an_async_comprehension_over_tasks_is_no_use_of_an_object() -> None:
    """``[t async for t in pending]`` over a set of tasks: no object an ``async for`` uses
    (a set is no async iterable), so the comprehension is no finding; the set's line is."""
    found = rows("""\
        import asyncio

        async def main(coro):
            pending = {asyncio.create_task(coro)}
            done = [t async for t in pending]
        """)
    assert 5 not in found


def test_a_parameter_annotated_in_quotes_with_an_asyncio_type_is_found() -> None:
    """``def f(q: "asyncio.Queue")``: an annotation in quotes names asyncio's class as one
    without them does, on the parameter's line."""
    found = rows("""\
        import asyncio

        def f(
            q: "asyncio.Queue",
            *,
            done: "asyncio.Event" = None,
        ):
            pass
        """)
    assert found[4] == {"queue"} and found[6] == {"event"}


def test_a_function_named_for_a_loop_and_a_flag_emptied_are_no_loop() -> None:
    """``set_event_loop = None`` (a function's name) and a ``self.loop`` the file never gives a
    loop are no loop reference; ``main_loop`` handed in is one."""
    found = rows("""\
        import asyncio

        def patch(set_event_loop=None, main_loop=None):
            set_event_loop = None
            return main_loop

        class Kernel:
            def __init__(self):
                self.loop = None
        """)
    assert found[3] == {"loop"}  # main_loop
    assert 4 not in found and 9 not in found


def test_a_services_task_stopped_from_outside_its_class_is_the_service_too() -> None:
    """``timer._task.cancel()`` in a helper, where ``Timer`` keeps ``self._task`` and cancels
    it itself: the same service task, so the helper's lines are the service row as well."""
    found = rows("""\
        import asyncio

        class Timer:
            def begin(self):
                self._task = asyncio.create_task(self.tick())

            def halt(self):
                self._task.cancel()

            async def tick(self):
                await asyncio.sleep(1)

        async def stop_all(timers):
            for timer in timers:
                timer._task.cancel()
                await timer._task
        """)
    assert "service" in found[5] and "service" in found[8]
    assert "service" in found[15] and "service" in found[16]


def test_an_application_item_read_by_a_plain_key_is_the_servers_storage() -> None:
    """``request["db"]``, ``app["db"]`` read by a literal key: the Application's (or the
    request's) storage, read or set, is the server's API (the corpus README's ruling on
    storage; 19 of the working keys' 21 literal-key reads have it), as by an ``AppKey``."""
    found = rows("""\
        from aiohttp import web

        clients = web.AppKey("clients", list)

        async def handler(request):
            db = request["db"]
            for peer in request.app[clients]:
                await peer.send_str("hi")
            return web.Response(text=str(db))

        def build(settings):
            app = web.Application()
            app["db"] = settings
            app[clients] = []
            app.router.add_get("/", handler)
            print(len(app["db"]))
            return app
        """)
    assert found[6] == found[16] == {"http-server"}  # plain keys, read
    assert found[7] == {"http-server"}  # read by aiohttp's typed key
    assert found[13] == {"http-server"} and found[14] == {"http-server"}  # stored


def test_a_plain_data_method_on_a_field_of_aiohttps_objects_is_data() -> None:
    found = rows("""\
        import aiohttp

        async def fetch(url, request):
            async with aiohttp.ClientSession() as session:
                async with session.get(url) as response:
                    token = response.headers.get("x-token")
                    kind = request.method.lower()
                    return response.status, token, kind
        """)
    assert 6 not in found and 7 not in found
    assert found[8] == {"aiohttp-client"}  # status: httpx's status_code


def test_a_truth_test_of_a_process_pipe_needs_no_change() -> None:
    found = rows("""\
        import asyncio

        async def run(cmd):
            proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.PIPE)
            if proc.stdout is not None and not proc.stderr:
                out = await proc.stdout.read()
                return out
        """)
    assert 5 not in found
    assert found[6] == {"subprocess"}


def test_a_packages_blocking_module_beside_its_aio_module_is_not_asyncio_only() -> None:
    found = rows("""\
        import asyncio
        import chatlib.client
        import chatlib.client_aio

        def on_welcome(connection, event):
            if chatlib.client.is_channel(event.target):
                connection.join(event.target)

        def main():
            loop = asyncio.get_event_loop()
            reactor = chatlib.client_aio.AioReactor(loop=loop)
            try:
                conn = loop.run_until_complete(reactor.server().connect("irc.example", 6667))
            except chatlib.client.ServerConnectionError:
                raise SystemExit(1) from None
            conn.add_global_handler("welcome", on_welcome)
        """)
    assert 2 not in found and 6 not in found and 14 not in found  # the blocking module
    assert found[3] == {"asyncio-only-lib"}
    assert found[11] == {"asyncio-only-lib", "loop"} and found[16] == {"asyncio-only-lib"}


def test_the_else_of_an_isinstance_test_on_aiohttps_class_is_another_object() -> None:
    found = rows("""\
        from aiohttp import web

        async def verify(request):
            if isinstance(request, web.Request):
                body = await request.read()
            else:
                body = await request.body()
            return body

        app = web.Application()
        app.router.add_post("/", verify)
        """)
    assert found[4] == {"http-server"} and found[5] == {"http-server"}
    assert 7 not in found  # another framework's request (a Starlette one)


def test_a_response_rewrapped_in_the_packages_own_class_is_no_longer_aiohttps() -> None:
    found = rows("""\
        import aiohttp
        from .models import Reply

        async def wrap(raw):
            return Reply(status=raw.status, body=await raw.read())

        async def fetch(session: aiohttp.ClientSession, url):
            response = await session.get(url)
            response = await wrap(response)
            response.raise_for_status()
            return response

        async def content(session, url):
            response = await fetch(session, url)
            return response.content
        """)
    assert found[5] == {"aiohttp-client"} and found[8] == {"aiohttp-client"}
    assert 10 not in found and 15 not in found  # the package's own Reply


def test_another_objects_loop_handed_on_or_kept_is_a_loop() -> None:
    found = rows("""\
        import asyncio

        class Watcher:
            _eventloop = None
            label = None

            def __init__(self, bus, conn):
                self.loop = bus._loop
                self.waiter = Waiter(self, conn.reactor.loop)
                self.name = bus.name

            def start(self):
                if not self._eventloop:
                    self._eventloop = asyncio.get_running_loop()
        """)
    assert found[4] == {"loop"} and found[8] == {"loop"} and found[9] == {"loop"}
    assert 5 not in found and 10 not in found


def test_a_session_kept_on_a_settings_object_or_behind_a_property_is_aiohttps() -> None:
    found = rows("""\
        from __future__ import annotations

        import aiohttp

        class Api:
            def __init__(self, config, http=None):
                self.config = config
                self._http = http

            @property
            def client(self) -> aiohttp.ClientSession:
                return self._http

            async def fetch(self, url):
                async with self.config.session.request("get", url) as res:
                    if res.status == 200:
                        return await res.read()

            async def send(self, url, data):
                resp = await self.client.post(url, data=data)
                self.client.cookie_jar.clear()
                return resp.status, self.config.name
        """)
    for line in (15, 16, 17, 20, 21, 22):
        assert found[line] == {"aiohttp-client"}, line
    assert 7 not in found and 8 not in found


def test_a_task_an_object_starts_on_enter_and_stops_on_exit_or_join_is_a_service() -> None:
    found = rows("""\
        import asyncio

        class Typing:
            def __enter__(self):
                self.task: asyncio.Task = asyncio.ensure_future(self.beat())
                return self

            def __exit__(self, *exc):
                self.task.cancel()

        class Pool:
            def __init__(self):
                self._runner = asyncio.ensure_future(self.run())

            async def join(self):
                await self._runner
        """)
    assert all("service" in found[line] for line in (5, 9, 13, 16))


def test_awaiting_a_threads_future_is_to_thread() -> None:
    found = rows("""\
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        async def read_line(pool: ThreadPoolExecutor, stream):
            future = pool.submit(stream.readline)
            return await asyncio.wrap_future(future)
        """)
    assert found[6] == {"to-thread"}


def test_a_mapping_annotated_as_holding_tasks_holds_tasks() -> None:
    found = rows("""\
        import asyncio
        from typing import Mapping

        async def first(waits: Mapping[asyncio.Event, "asyncio.Task[bool]"]) -> None:
            for task in waits.values():
                if task.done():
                    print("done")
                task.cancel()
        """)
    assert "task-set" in found[4]  # a container of tasks (the README's settled case)
    assert found[6] == {"task-result"} and found[8] == {"task-cancel"}


def test_a_narrow_handler_around_a_connect_changes_and_oserror_stays() -> None:
    found = rows("""\
        import asyncio

        class Device:
            async def _connect(self, host, port):
                self.reader, self.writer = await asyncio.open_connection(host, port)

            async def query(self, host, port):
                try:
                    await self._connect(host, port)
                except ConnectionRefusedError:
                    return None
                except OSError:
                    return None
        """)
    assert found[10] == {"streams"}  # Trio's connect raises a plain OSError
    assert 12 not in found


def test_a_name_a_function_completes_is_a_future_there() -> None:
    found = rows("""\
        import asyncio

        def settle(fut, value):
            if fut is not None and not fut.done():
                fut.set_result(value)

        async def run(job):
            fut = asyncio.ensure_future(job())
            settle(fut, None)
            return fut.done()
        """)
    assert found[4] == {"future"} and found[5] == {"future"}
    assert found[10] == {"task-result"}  # elsewhere the name is the task it holds


def test_a_duck_typed_await_of_what_a_library_returned_needs_no_change() -> None:
    found = rows("""\
        import aiodns

        class Resolver:
            def __init__(self):
                self._resolver = aiodns.DNSResolver()

            async def close(self):
                result = self._resolver.close()
                if result is not None and hasattr(result, "__await__"):
                    await result

            async def flush(self):
                pending = self._resolver.flush()
                await pending
        """)
    assert found[8] == {"asyncio-only-lib"}  # the library's call
    assert 10 not in found  # awaits whatever it was given, any framework's awaitable
    assert found[14] == {"asyncio-only-lib"}


def test_copying_a_reference_to_a_librarys_object_is_no_use_of_it() -> None:
    found = rows("""\
        import asyncio
        from nio import AsyncClient, SyncResponse

        class Bot:
            def __init__(self, api):
                self.api = api
                self.client: AsyncClient = None

            async def run(self):
                self.client = self.api.client
                resp = await self.client.sync(timeout=3000)
                return isinstance(resp, SyncResponse)
        """)
    assert found[2] == {"asyncio-only-lib"} and found[7] == {"asyncio-only-lib"}
    assert 10 not in found  # a reference copied
    assert found[11] == {"asyncio-only-lib"}


def test_a_container_of_tasks_in_a_signature_is_a_task_set_whatever_is_done_with_it() -> None:
    found = rows("""\
        import asyncio

        async def cancel_all(tasks: set[asyncio.Task]) -> None:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        def pending() -> list["asyncio.Task[None]"]:
            return [t for t in asyncio.all_tasks() if not t.done()]
        """)
    assert found[3] == {"task-set"} and found[8] == {"task-set"}
    assert found[5] == {"task-cancel"} and found[6] == {"gather"}


def test_a_transport_pair_awaited_after_the_call_that_makes_it() -> None:
    found = rows("""\
        import asyncio

        async def dial(loop, factory):
            connecting = loop.create_connection(factory, "127.0.0.1", 8888)
            transport, protocol = await connecting
            transport.write(b"hi")
            transport.close()
        """)
    assert found[6] == {"protocols"} and found[7] == {"protocols"}


def test_a_loop_stays_a_loop_under_narrowing_rewrapping_and_logging() -> None:
    found = rows("""\
        import asyncio
        from asyncio import BaseEventLoop
        from .loops import ThreadedLoop

        def spawn(loop, coro):
            if isinstance(loop, BaseEventLoop):
                return loop.create_task(coro)
            else:
                return asyncio.Task(coro, loop=loop)

        def close(kernel, log):
            loop = ThreadedLoop(asyncio.get_event_loop())
            loop.close()
            log.info("Entering eventloop %s", kernel.eventloop)
            log.info("on %s", kernel._loop)
        """)
    assert "loop" in found[9]  # another loop in the else branch, handed on
    assert found[13] == {"loop"}  # a loop of the file's own class is still a loop
    assert 14 not in found and 15 not in found  # only shown in a log line


def test_the_files_own_name_for_an_asyncio_function_and_its_own_timed_wait() -> None:
    found = rows("""\
        import asyncio

        current = asyncio.current_task
        is_coro = asyncio.iscoroutinefunction

        class Device:
            async def _connect(self, timeout):
                async with asyncio.timeout(timeout):
                    await asyncio.sleep(1)

            async def run(self, fn):
                task = current()
                assert is_coro(fn)
                try:
                    await self._connect(5)
                except TimeoutError:
                    return task
        """)
    assert found[3] == {"current-task"} and found[12] == {"current-task"}
    assert found[4] == {"iscoroutine"} and 13 not in found  # inspect's is a drop-in
    assert found[16] == {"timeout-error"}  # around the file's own timed wait


def test_a_websockets_closed_read_stays() -> None:
    """trio-websocket's connection has ``closed`` too: reading it is no change; a call is."""
    found = rows("""\
        import aiohttp

        async def pump(session: aiohttp.ClientSession, url):
            async with session.ws_connect(url) as ws:
                while not ws.closed:
                    await ws.send_str("ping")
        """)
    assert 5 not in found
    assert found[6] == {"websocket"}


def test_a_name_narrowed_to_the_packages_own_class_is_not_the_loop() -> None:
    """``if isinstance(given, OwnServices): svc = given``: under the test the name is the
    package's own object, so what it is assigned to is not a loop either; the loop it may be
    instead is still handed on in the other branch."""
    found = rows("""\
        import asyncio
        from .services import Services

        class Adapter:
            def __init__(self, loop):
                self.loop = loop

        def make(custom_loop: asyncio.AbstractEventLoop | Services | None = None):
            if isinstance(custom_loop, Services):
                svc = custom_loop
            else:
                svc = Adapter(custom_loop)
            return start(svc)

        def check(loop):
            if not isinstance(loop, asyncio.SelectorEventLoop):
                raise TypeError(f"got {type(loop).__name__}, want a selector loop")
        """)
    assert 9 not in found and 10 not in found  # the package's own object
    assert found[12] == {"loop"}  # the loop handed to the adapter
    assert 13 not in found
    assert found[16] == {"loop"} and 17 not in found  # a message that names its type


def test_a_multi_line_statement_is_labelled_where_each_name_is_written() -> None:
    found = rows("""\
        from asyncio import (
            AbstractEventLoop,
            ensure_future,
            gather,
        )
        import asyncio

        class Hub:
            handlers: dict[
                str,
                asyncio.Task[None],
            ]
        """)
    assert 1 not in found
    assert found[2] == {"loop"} and found[3] == {"create-task"} and found[4] == {"gather"}
    assert 9 not in found and "task-set" in found[11]


def test_the_aiohttp_apps_storage_is_the_servers_and_handing_it_on_is_not() -> None:
    """``app[KEY]`` and ``KEY in app`` read aiohttp's Application storage (http-server);
    ``app = request.app`` and ``f(app=request.app)`` only hand the object on; a multidict's
    ``getall`` on the request's headers is plain data."""
    found = rows("""\
        from aiohttp import web
        from aiohttp.abc import AbstractView

        SETTINGS = web.AppKey("settings", dict)

        async def handle(request: web.Request) -> web.Response:
            app = request.app
            if SETTINGS not in app:
                return render(app=request.app)
            limit = app[SETTINGS]["limit"]
            tags = request.headers.get("X-Tag")
            return web.Response(text=str(limit))

        class View(AbstractView):
            pass
        """)
    assert 7 not in found and 9 not in found and 11 not in found
    assert found[8] == {"http-server"} and found[10] == {"http-server"}
    assert found[2] == {"http-server"} and found[14] == {"http-server"}


def test_the_storage_a_request_reaches_through_config_dict_is_the_servers() -> None:
    """``config = request.config_dict`` is the Application's storage seen from a request (its
    app's and the parent apps' keys): reading it, as ``app[KEY]``, is aiohttp's server API;
    taking it into a name only hands it on."""
    found = rows("""\
        from aiohttp import web

        async def handler(request: web.Request) -> web.Response:
            config = request.config_dict
            db = config["db"]
            config.get("x")
            return web.Response(text=str(db))
        """)
    assert 4 not in found
    assert found[5] == {"http-server"} and found[6] == {"http-server"}


def test_aiohttp_webs_plugins_are_the_http_server() -> None:
    found = rows("""\
        import aiohttp_jinja2
        from aiohttp import web

        @aiohttp_jinja2.template("index.html")
        async def index(request: web.Request):
            return {}
        """)
    assert found[1] == {"http-server"} and found[4] == {"http-server"}


def test_set_result_on_a_concurrent_future_stays() -> None:
    """A concurrent.futures.Future that a thread waits on is no asyncio future."""
    found = rows("""\
        import asyncio
        from concurrent.futures import Future

        def stop(loop: asyncio.AbstractEventLoop) -> None:
            done: Future[int] = Future()

            def finish() -> None:
                done.set_result(0)

            loop.call_soon_threadsafe(finish)
            done.result()
        """)
    assert 8 not in found and 11 not in found
    assert found[10] == {"from-thread"}


def test_tornados_future_is_asyncios() -> None:
    """``tornado.concurrent.Future is asyncio.Future`` (tornado 6): its uses are a future's."""
    found = rows("""\
        from tornado.concurrent import Future

        def resolve(value):
            fut: Future[int] = Future()
            fut.set_result(value)
            return fut
        """)
    assert found[4] == {"future"} and found[5] == {"future"}


def test_asyncios_function_backported_by_the_file_is_not_a_wrapper() -> None:
    found = rows("""\
        import sys

        if sys.version_info >= (3, 7):
            from asyncio import create_task, get_running_loop
        else:
            def create_task(coro):
                loop = get_running_loop()
                return loop.create_task(coro)
        """)
    assert found[4] == {"create-task", "loop"}
    assert 6 not in found and found[8] == {"create-task"}


def test_a_priority_queues_methods_are_the_priority_queue_row() -> None:
    found = rows("""\
        import asyncio

        class Pool:
            def __init__(self):
                self.dead = asyncio.PriorityQueue()
                self.jobs = asyncio.Queue()

            def retire(self, when, conn):
                self.dead.put_nowait((when, conn))
                self.jobs.put_nowait(conn)
        """)
    assert found[5] == {"priority-queue"} and found[9] == {"priority-queue"}
    assert found[10] == {"queue"}


def test_a_timeout_aiohttp_set_takes_aiohttps_row() -> None:
    """``except asyncio.TimeoutError`` around a request and no asyncio timeout: aiohttp's own
    timeout raised it (httpx and trio-websocket raise their own); around ``wait_for`` it is
    asyncio's."""
    found = rows("""\
        import asyncio
        import aiohttp

        async def fetch(session: aiohttp.ClientSession, url):
            try:
                async with session.get(url) as resp:
                    return await resp.text()
            except asyncio.TimeoutError:
                return None

        async def listen(ws: aiohttp.ClientWebSocketResponse):
            try:
                return await ws.receive(timeout=5)
            except TimeoutError:
                return None

        async def bounded(session: aiohttp.ClientSession, url):
            try:
                return await asyncio.wait_for(session.get(url), 5)
            except asyncio.TimeoutError:
                return None
        """)
    assert found[8] == {"aiohttp-client"}
    assert found[14] == {"websocket"}
    assert found[20] == {"timeout-error"}


def test_asyncios_logger_used_stays_and_a_protocols_plain_super_init_is_the_protocols() -> None:
    """``super().__init__()`` into ``asyncio.DatagramProtocol`` takes the base's row, as the
    class line does (the corpus README's ruling on ``super().__init__``, which all three
    working keys with one follow, arguments or none); asyncio's logger used stays."""
    found = rows("""\
        import asyncio
        from asyncio.log import logger

        class Echo(asyncio.DatagramProtocol):
            def __init__(self):
                super().__init__()
                self.transport = None

            def error_received(self, exc):
                logger.error("lost: %s", exc)
        """)
    assert found[2] == {"loop"} and found[4] == found[6] == {"protocols"}
    assert 10 not in found


def test_a_future_of_the_files_own_class_is_not_asyncios() -> None:
    found = rows("""\
        import asyncio

        class _Fake:
            result = None

        async def wait_async(loop):
            future = loop.create_future()
            return await future

        def wait_sync():
            future = _Fake()
            return future.result
        """)
    assert found[7] == {"future"} and found[8] == {"future"}
    assert 11 not in found and 12 not in found


def test_removesuffix_on_a_librarys_field_is_plain_data() -> None:
    found = rows("""\
        import asyncssh

        async def host(conn: asyncssh.SSHClientConnection):
            result = await conn.run("hostname")
            return result.stdout.removesuffix("\\n").removeprefix(" ")
        """)
    assert found[4] == {"asyncio-only-lib"} and 5 not in found


def test_a_dict_read_by_a_literal_key_on_a_librarys_result_is_plain_data() -> None:
    """``answer.get("continent").get("name")`` on what an asyncio-only library returned is
    a dict read, the same in any port; a method called on the library's object is its API."""
    found = rows("""\
        import aiosqlite

        async def main(db):
            cursor = await aiosqlite.connect("x")
            answer = await cursor.execute("q")
            print(answer.get("continent").get("name"))
            cursor.set_trace_callback(print)
        """)
    assert 6 not in found
    assert found[7] == {"asyncio-only-lib"}


def test_rebinding_the_files_own_field_that_holds_a_library_object_is_no_use() -> None:
    """``self._browser = find_browser(self._zc)``: the name the object is kept under is the
    file's own; a method called on it is the library's API."""
    found = rows("""\
        from zeroconf.asyncio import AsyncServiceBrowser

        class Finder:
            def __init__(self, zc):
                self._browser = AsyncServiceBrowser(zc, "_hap._tcp.local.")

            def again(self, zc):
                self._browser = find_browser(zc)
                self._browser.cancel()
        """)
    assert found[5] == {"asyncio-only-lib"}
    assert 8 not in found
    assert found[9] == {"asyncio-only-lib"}


def test_a_module_global_the_file_declares_is_its_own_after_a_guarded_import() -> None:
    """``_instances: dict[...] | None = None``, then the library's global imported under
    that name: the import is the library's use, a test of the variable is the file's."""
    found = rows("""\
        import contextlib

        _instances: dict | None = None
        with contextlib.suppress(ImportError):
            from bleak.backends.bluezdbus.manager import _instances

        def have() -> bool:
            if not _instances:
                return False
            return True
        """)
    assert found[5] == {"asyncio-only-lib"}
    assert 8 not in found
    # without the declaration, the imported name is the library's, and testing it a use
    undeclared = rows("""\
        from bleak.backends.bluezdbus.manager import _instances

        def have() -> bool:
            if not _instances:
                return False
            return True
        """)
    assert undeclared[4] == {"asyncio-only-lib"}


def test_a_streams_transport_handed_to_start_tls_is_a_pass_along() -> None:
    """``loop.start_tls(writer.transport, ...)``: the call is where the port changes (to
    ``trio.SSLStream``); the writer's field handed to it is carried along. The writer's
    method handed as a callback (``call_soon_threadsafe(writer.close)``) is still its use."""
    found = rows("""\
        import asyncio

        async def upgrade(protocol, ctx):
            reader, writer = await asyncio.open_connection("h", 1)
            loop = asyncio.get_running_loop()
            transport = await loop.start_tls(
                writer.transport,
                protocol,
                ctx,
            )
            loop.call_soon_threadsafe(writer.close)
            kept = writer.transport
        """)
    assert 7 not in found
    assert found[6] == {"protocols"}
    assert found[11] == {"streams", "from-thread"}
    assert found[12] == {"streams"}


def test_aiohttp_names_spelled_through_their_submodule_are_the_top_level_ones() -> None:
    """``aiohttp.client.ClientSession`` is ``aiohttp.ClientSession`` (aiohttp's ``__init__``
    re-exports it): the session it makes, its requests and its response are followed the same;
    the server's submodule is not folded into the client's names."""
    found = rows("""\
        import aiohttp.client
        from aiohttp.client_exceptions import ClientResponseError

        class Rpc:
            def __init__(self, client=None):
                self.client = client or aiohttp.client.ClientSession()

            async def call(self):
                try:
                    async with self.client.post("u") as response:
                        return await response.read()
                except ClientResponseError:
                    return None
        """)
    assert found[10] == {"aiohttp-client"}  # the session's request
    assert found[11] == {"aiohttp-client"}  # the response's read
    assert found[12] == {"aiohttp-client"}  # the client's error, by its submodule's name
    from walkthrough.port.names import aiohttp_public
    assert aiohttp_public("aiohttp.client.ClientSession") == "aiohttp.ClientSession"
    assert aiohttp_public("aiohttp.web.Response") == "aiohttp.web.Response"
    assert aiohttp_public("aiohttp.client.request") == "aiohttp.client.request"


def test_a_name_a_function_binds_to_another_packages_object_is_not_one_bound_elsewhere() -> None:
    """``response`` is an aiohttp response in one method and lxml's tree in another: the
    parser's ``response`` is its own local, so its methods are no finding; a name the other
    function binds to a plain container may yet hold asyncio's objects and keeps its kind."""
    found = rows("""\
        import aiohttp
        from lxml import etree

        class Rpc:
            def __init__(self):
                self.client = aiohttp.ClientSession()

            async def call(self):
                async with self.client.post("u") as response:
                    return self.parse(await response.read())

            def parse(self, body):
                response = etree.fromstring(body)
                return response.xpath("//value")
        """)
    assert found[10] == {"aiohttp-client"}
    assert 14 not in found  # lxml's xpath on lxml's tree
    kept = rows("""\
        import asyncio
        import collections

        def make():
            waiters = [asyncio.get_running_loop().create_future()]
            return waiters

        def wake():
            waiters = collections.deque()
            for each in waiters:
                each.set_result(None)
        """)
    assert kept[11] == {"future"}


def test_a_name_a_function_binds_to_a_stdlib_or_builtin_value_is_not_one_bound_elsewhere() -> (
        None):
    """``connection`` is an asyncpg connection in one method and sqlite3's in another, and
    ``result`` what a library returned in one function and a dict in another: each function's
    own local, so sqlite3's ``execute`` and the dict's ``update`` are no finding."""
    found = rows("""\
        import sqlite3
        import asyncpg

        class Store:
            async def remote(self):
                connection = await asyncpg.connect("postgres://")
                await connection.execute("select 1")

            def local(self):
                connection = sqlite3.connect("x.db")
                connection.execute("PRAGMA journal_mode=WAL")

        async def fetch(conn: asyncpg.Connection):
            result = await conn.fetch("select 1")
            return result

        def merge(items):
            result = dict()
            for item in items:
                result.update(item)
            return result
        """)
    assert found[7] == {"asyncio-only-lib"} and found[14] == {"asyncio-only-lib"}
    assert not {10, 11, 18, 20} & set(found)
    # the object dropped (pool = None), or a module's global, is still that object
    shared = rows("""\
        import sqlite3
        import asyncpg

        _pool = None

        async def start(dsn):
            global _pool
            _pool = await asyncpg.create_pool(dsn)

        async def stop():
            global _pool
            await _pool.close()
            _pool = None

        def fallback():
            global _pool
            _pool = sqlite3.connect("x.db")
            _pool.close()
        """)
    assert shared[12] == {"asyncio-only-lib"} and shared[18] == {"asyncio-only-lib"}


def test_the_fields_of_an_aiohttp_error_caught_by_name_are_renamed_by_httpx() -> None:
    """``except aiohttp.ClientResponseError as err``: ``err.status`` and ``err.message`` are
    aiohttp's (httpx's ``HTTPStatusError`` has ``err.response.status_code``); the same reads
    on another package's error, or the error only re-raised, are no finding."""
    found = rows("""\
        import aiohttp
        from aiohttp.client_exceptions import ClientResponseError

        async def fetch(session, url):
            try:
                return await session.get(url)
            except ClientResponseError as err:
                if err.status == 404:
                    raise KeyError(err.message) from err
                raise
            except aiohttp.ClientError as err:
                raise RuntimeError(err.message) from err
            except ValueError as err:
                print(err.status, err.message)
        """)
    assert found[8] == {"aiohttp-client"}
    assert found[9] == {"aiohttp-client"}
    assert found[12] == {"aiohttp-client"}
    assert 10 not in found and 14 not in found


def test_the_fields_of_an_aiohttp_error_the_file_types_or_tests_for_are_renamed_by_httpx() -> None:
    """A parameter annotated with an aiohttp client error (``error: ClientResponseError``), or
    a name an ``isinstance`` test shows to be one, where the test holds (the ``if``'s body,
    the operands after it in an ``and``, after a ``not isinstance(...)`` in an ``or``): its
    ``status`` is aiohttp's field, as in an ``except`` handler. Not where the test does not
    hold (the ``else``), not another class's ``status``."""
    found = rows("""\
        import aiohttp
        from aiohttp import ClientResponseError

        def retryable(error: ClientResponseError) -> bool:
            return error.status >= 500

        def limited(error: Exception) -> bool:
            if isinstance(error, (ValueError, aiohttp.ClientResponseError)):
                return error.status == 429
            else:
                return error.status == 503

        def fatal(exc, other, last):
            first = isinstance(exc, ClientResponseError) and (
                exc.status == 401)
            second = not isinstance(other, aiohttp.ClientResponseError) or (
                other.status == 403)
            third = isinstance(exc, ClientResponseError) and (
                exc.status == 500) and (
                other)
            fourth = (
                other.status) and (
                isinstance(other, ClientResponseError))
            return isinstance(last, aiohttp.ClientResponseError) or (
                last.status == 404)

        def plain(error: ValueError, exc):
            if isinstance(exc, KeyError):
                return exc.status
            return error.status
        """)
    assert found[5] == found[9] == found[15] == found[17] == found[19] == {"aiohttp-client"}
    assert 11 not in found and 20 not in found and 22 not in found
    assert 25 not in found and 30 not in found and 31 not in found


def test_the_fields_of_a_websockets_error_caught_in_a_coroutine_are_renamed_by_trio_websocket(
) -> None:
    """``except ConnectionClosed as exc``: ``exc.code``, ``exc.reason``, ``exc.rcvd`` are
    websockets' (trio-websocket's ``ConnectionClosed.reason`` is a record, ``.reason.code``),
    and so is ``InvalidStatus``'s ``exc.response`` (``ConnectionRejected.status_code``): the
    corpus README's eighth-part ruling on a ``ConnectionClosed``'s ``code``. Not in a plain
    ``def`` (websockets' blocking client raises the same errors: a blocking twin), not read
    through ``getattr`` (any error), not another package's error's fields."""
    found = rows("""\
        import websockets
        from websockets.exceptions import ConnectionClosed

        async def listen(ws):
            try:
                await ws.recv()
            except ConnectionClosed as exc:
                print(exc.code, exc.reason)
                status = getattr(exc.response, "status_code", None)
            except websockets.exceptions.InvalidStatus as exc:
                print(exc.response.status_code)
            except ValueError as exc:
                print(exc.code)

        def listen_blocking(ws):
            try:
                ws.recv()
            except ConnectionClosed as exc:
                print(exc.code)
        """)
    assert found[8] == found[11] == {"websocket"}
    assert 9 not in found and 13 not in found and 19 not in found


def test_an_errors_fields_are_found_after_an_unnamed_handler_and_in_a_tuple_of_types() -> None:
    """A handler with no name before the one that names the error (``except ValueError:``)
    does not stop the search, and a tuple of types that holds a websockets or an aiohttp
    error is that error (``except (ValueError, ConnectionClosed) as exc``)."""
    found = rows("""\
        import aiohttp
        from websockets.exceptions import ConnectionClosed

        async def listen(ws, session):
            try:
                await ws.recv()
            except ValueError:
                pass
            except (KeyError, ConnectionClosed) as exc:
                print(exc.code)
            try:
                await session.get("u")
            except (KeyError, aiohttp.ClientResponseError) as err:
                print(err.status)
        """)
    assert found[10] == {"websocket"} and found[14] == {"aiohttp-client"}


def test_a_callback_added_to_a_librarys_signal_list_is_a_use_of_it() -> None:
    """``trace_config.on_request_start.append(cb)``: aiohttp's TraceConfig calls what is on
    the list, so adding to it sets a callback on aiohttp's object (a use); so does a subclass
    adding to a list its base keeps. A plain list's ``append``, and a list the subclass keeps
    itself, stay as they are."""
    found = rows("""\
        import aiohttp

        async def on_start(session, ctx, params):
            pass

        class Tracer(aiohttp.TraceConfig):
            def __init__(self):
                super().__init__()
                self.on_request_start.append(self._start)
                self.on_mine = []
                self.on_mine.append(self._start)

            async def _start(self, session, ctx, params):
                pass

        def make(hooks):
            trace_config = aiohttp.TraceConfig()
            trace_config.on_request_start.append(on_start)
            hooks.on_request_start.append(on_start)
            return trace_config
        """)
    assert found[9] == {"aiohttp-client"}
    assert found[18] == {"aiohttp-client"}
    assert 11 not in found  # the subclass's own list
    assert 19 not in found  # a list on an object of unknown origin


def test_editing_a_sessions_default_headers_reads_the_same_in_httpx() -> None:
    """``session.headers[k] = v``, ``.get``, ``.pop``, ``.update`` and ``k in session.headers``:
    httpx's AsyncClient keeps its headers in a mutable mapping with the same methods (checked
    against httpx), so the edits stay; the session's requests are still findings."""
    found = rows("""\
        import aiohttp

        class Api:
            def __init__(self):
                self.session = aiohttp.ClientSession()

            def set_agent(self, value):
                if "User-Agent" not in self.session.headers:
                    self.session.headers["User-Agent"] = value
                self.session.headers.update({"X": "1"})
                return self.session.headers.get("User-Agent")

            async def get(self, url):
                return await self.session.get(url)
        """)
    assert not set(found) & {8, 9, 10, 11}
    assert found[14] == {"aiohttp-client"}


def test_create_task_inherited_from_the_packages_own_base_is_its_own_method() -> None:
    """``self.create_task(coro)`` in a class whose bases are all the package's own (imported
    relatively): the base's wrapper, changed where it is defined; with a base from elsewhere
    (an unlisted package's Service) it is still taken for asyncio's spawn by its name."""
    source = """\
        import asyncio
        from {base_module} import Base

        class Client(Base):
            async def send(self, msg):
                self.create_task(self._send(msg))

            async def _send(self, msg):
                await asyncio.sleep(0)
        """
    own = rows(source.format(base_module="._base"))
    assert 6 not in own
    other = rows(source.format(base_module="servicekit"))
    assert "create-task" in other[6]


def test_a_semaphores_acquire_and_release_read_the_same_on_trio() -> None:
    """``trio.Semaphore`` has ``await acquire()`` and ``release()`` (any task may release, as
    in asyncio): those lines stay; the constructor and ``locked()``, which it lacks, change."""
    found = rows("""\
        import asyncio

        async def main():
            sem = asyncio.Semaphore(3)
            await sem.acquire()
            try:
                print(sem.locked())
            finally:
                sem.release()
        """)
    assert found[4] == {"semaphore"} and found[7] == {"semaphore"}
    assert 5 not in found and 9 not in found


def test_a_call_of_the_files_own_session_maker_is_not_itself_a_finding() -> None:
    """``session = get_session(url)``: the file's own function makes the session (its body's
    ``aiohttp.ClientSession(...)`` is the finding), and what is done with the session is
    found; the call itself is the package's call of itself."""
    found = rows("""\
        import aiohttp

        _sessions = {}

        def get_session(host) -> aiohttp.ClientSession:
            if host not in _sessions:
                _sessions[host] = aiohttp.ClientSession()
            return _sessions[host]

        def post(url):
            session = get_session(url)
            return session.post(url)

        async def main():
            async with get_session("h") as session:
                await session.get("u")
        """)
    assert found[7] == {"aiohttp-client"}
    assert 11 not in found
    assert found[12] == {"aiohttp-client"}
    assert found[15] == {"aiohttp-client"}  # entered and closed here: the session's block


def test_the_packages_own_reader_class_shadows_asyncios_method_names() -> None:
    """``self.reader: Optional[TelnetReader]``, a class the package imports relatively: its
    ``feed_eof()`` and ``set_exception()`` are that class's, not a StreamReader's or a
    Future's; unannotated, the same calls in an asyncio file are still taken for asyncio's.
    In a class with the package's own base beside asyncio's, a private helper called on
    ``self`` is the own base's; a public protocol method is still asyncio's."""
    source = """\
        import asyncio
        from typing import Optional
        from .stream_reader import TelnetReader
        from ._base import ProtocolBase

        class Client(ProtocolBase, asyncio.Protocol):
            def __init__(self):
                self.reader{annotation} = None

            def connection_lost(self, exc):
                self.reader.feed_eof()
                self.reader.set_exception(exc)
                self._log_info()
                self.pause_reading()
        """
    typed = rows(source.format(annotation=": Optional[TelnetReader]"))
    assert not set(typed) & {11, 12, 13}
    assert typed[14] == {"protocols"}
    untyped = rows(source.format(annotation=""))
    assert untyped[11] == {"streams"} and untyped[12] == {"future"}


def test_a_blocking_twin_under_the_build_flag_keeps_requests_names() -> None:
    """``if REST: from requests import Session`` / ``else: from aiohttp import ClientSession
    as Session``: the code under a later ``if REST:`` is the blocking twin, whose
    ``Session`` is requests' (not labelled); the aiohttp side keeps its findings. Without
    the requests import in the flag's branch, the same later block is aiohttp's."""
    source = """\
        from .build import REST

        if REST:
            from {blocking} import Session
        else:
            from aiohttp import ClientSession as Session

        if not REST:
            async def fetch(url):
                async with Session() as session:
                    return await session.get(url)

        if REST:
            def fetch_sync(url):
                session = Session()
                return session.get(url)
        """
    found = rows(source.format(blocking="requests"))
    assert found[10] == {"aiohttp-client"} and found[11] == {"aiohttp-client"}
    assert 15 not in found and 16 not in found
    unknown = rows(source.format(blocking="mylib"))
    assert unknown.get(16) == {"aiohttp-client"}


def test_a_method_of_the_files_own_base_beside_an_asyncio_base_is_its_own() -> None:
    """``class Request(asyncio.Future, Base)`` where the file defines ``Base``: a call of
    ``self._params()`` (Base's) or ``self.__class__(...)`` is the file's own; ``self.done()``
    is the Future's."""
    found = rows("""\
        import asyncio

        class Base:
            def _params(self):
                return {}

        class Request(asyncio.Future, Base):
            def again(self):
                params = self._params()
                if self.done():
                    return self.__class__(**params)
        """)
    assert 9 not in found and 11 not in found
    assert found[10] == {"future"}


def test_a_session_set_with_setattr_and_its_request_bound_with_partial() -> None:
    """``object.__setattr__(self, "session", ClientSession())`` assigns ``self.session`` (a
    frozen class's way); ``self._request = partial(self.session.post, url)`` makes
    ``self._request(...)`` the session's request, whose response is aiohttp's. The stored
    name itself is no finding; a partial of the file's own function is not the session's."""
    found = rows("""\
        import functools
        import aiohttp

        class Server:
            def __init__(self, url):
                object.__setattr__(self, "session", aiohttp.ClientSession())
                self._request = functools.partial(self.session.post, url)
                self._log = functools.partial(self.log, url)

            def log(self, url):
                print(url)

            async def send(self, data):
                response = await self._request(data=data)
                self._log()
                return response.status
        """)
    assert found[6] == {"aiohttp-client"}
    assert found[7] == {"aiohttp-client"}  # self.session.post, named here
    assert found[14] == {"aiohttp-client"} and found[16] == {"aiohttp-client"}
    assert 8 not in found and 15 not in found


def test_a_session_entered_and_left_by_hand_is_a_use_of_it() -> None:
    """``await self.session.__aenter__()`` in a wrapper's own ``__aenter__``: a call of a method
    of aiohttp's session, labelled as its other calls are; ``__aenter__`` of the file's own
    object is no finding."""
    found = rows("""\
        import aiohttp

        class Client:
            def __init__(self, inner):
                self.session = aiohttp.ClientSession()
                self.inner = inner

            async def __aenter__(self):
                await self.session.__aenter__()
                await self.inner.__aenter__()
                return self

            async def __aexit__(self, *exc):
                return await self.session.__aexit__(*exc)
        """)
    assert found[9] == {"aiohttp-client"} and found[14] == {"aiohttp-client"}
    assert 10 not in found


def test_aiohttps_test_server_is_the_servers_and_its_test_client_the_clients() -> None:
    """``TestServer``/``RawTestServer`` run an ``aiohttp.web`` app or handler: the server's row
    (its ``start_server()`` and ``close()`` too), while ``TestClient`` is a session, whose
    requests are the client's (the corpus README's ruling on aiohttp's test machinery)."""
    found = rows("""\
        from aiohttp import web
        from aiohttp.test_utils import RawTestServer, TestClient, TestServer

        async def serve(app: web.Application, handler):
            server = TestServer(app)
            await server.start_server()
            raw = RawTestServer(handler)
            client = TestClient(server)
            resp = await client.get("/")
            await client.close()
            await server.close()
            return resp
        """)
    assert found[2] == {"http-server", "aiohttp-client"}
    assert found[5] == found[6] == found[7] == found[11] == {"http-server"}
    assert found[8] == found[9] == found[10] == {"aiohttp-client"}


def test_except_keyboard_interrupt_in_a_coroutine_is_ctrl_c_but_not_around_a_prompt() -> None:
    """Inside a coroutine, whatever the block awaits (a library's call, a plain ``input()``),
    ``except KeyboardInterrupt`` is ``ctrl-c``: Trio raises it inside the program, maybe in a
    group (the corpus README's ninth-part ruling); around a prompt's reading the prompt
    library raises it itself for the key, the same under Trio; and a plain function's handler
    around no run stays."""
    found = rows("""\
        import asyncio

        async def consume(client):
            while True:
                try:
                    await client.receive_message()
                except KeyboardInterrupt:
                    break

        async def ask(session):
            try:
                return await session.prompt_async("> ")
            except KeyboardInterrupt:
                return None

        def parse(text):
            try:
                return int(text)
            except KeyboardInterrupt:
                return 0
        """)
    assert found[7] == {"ctrl-c"}
    assert 13 not in found and 19 not in found


def test_except_keyboard_interrupt_around_a_function_that_runs_the_program_is_ctrl_c() -> None:
    """``mock.start()``, whose ``start`` calls ``asyncio.run(...)``: the handler around it is
    around the run, as around ``asyncio.run`` itself."""
    found = rows("""\
        import asyncio

        class Mock:
            async def main(self):
                await asyncio.sleep(1)

            def start(self):
                asyncio.run(self.main())

        def main():
            try:
                Mock().start()
            except KeyboardInterrupt:
                pass
            try:
                print("done")
            except KeyboardInterrupt:
                pass
        """)
    assert found[13] == {"ctrl-c"}
    assert 17 not in found


def test_a_collection_of_tasks_kept_by_hand_is_a_task_set_where_made_filled_and_emptied() -> None:
    """``self._background = set()`` filled with tasks, a dict of tasks' store
    (``self._by_id[key] = task``) and ``remove`` of a finished task are the task-set row (a
    nursery keeps its children), and so is a pop off a dict of tasks (the corpus README's
    eleventh-part ruling on taking a task out). Not a set filled for ``asyncio.wait``, nor
    what the wait gives (``done.pop()``, ``pending.remove(t)``)."""
    found = rows("""\
        import asyncio

        class Client:
            def __init__(self):
                self._background = set()
                self._by_id = {}

            def spawn(self, coro, key):
                task = asyncio.create_task(coro)
                self._background.add(task)
                self._by_id[key] = task

            def finished(self, task):
                self._background.remove(task)

            def forget(self, key):
                return self._by_id.pop(key, None)

        async def race(coros):
            tasks = set()
            for coro in coros:
                tasks.add(asyncio.create_task(coro))
            done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            winner = done.pop()
            pending.remove(winner)
            return winner.result()
        """)
    assert found[5] == found[10] == found[11] == found[14] == found[17] == {"task-set"}
    assert 20 not in found and 24 not in found and 25 not in found


def test_a_task_popped_from_a_kept_container_is_a_task_set() -> None:
    """``self._tasks.pop(key, None)`` and ``self._queue.popleft()`` take a task out of a
    container kept by hand: task-set, as ``remove`` is (a nursery keeps its children, so the
    container and its lines go). Not a pop off a mapping keyed by tasks
    (``self._conns.pop(current_task())``: what it holds is something else), nor off one the
    file fills with records (``self._games[k] = (game, task)``); nor ``await
    self._queue.popleft()``, which awaits the task (that is the line's row), nor a pop where a
    service stops (``stop()``): a line of the service, as clearing its container is none (the
    twelfth part's ruling)."""
    found = rows("""\
        import asyncio
        import collections

        class Runner:
            def __init__(self):
                self._tasks: dict[str, asyncio.Task] = {}
                self._queue: collections.deque[asyncio.Task] = collections.deque()
                self._conns: dict[asyncio.Task, str] = {}
                self._games: dict[str, tuple[str, asyncio.Task]] = {}

            def forget(self, key, task):
                running = self._tasks.pop(key, None)
                oldest = self._queue.popleft()
                self._conns.pop(asyncio.current_task(), None)
                self._games[key] = ("game", task)
                self._games.pop(key, None)
                return running, oldest

            async def drain(self):
                return await self._queue.popleft()

            def stop(self, key):
                self._tasks.pop(key)
        """)
    assert found[12] == found[13] == {"task-set"}
    assert found[14] == {"current-task"} and 16 not in found
    assert "task-set" not in found.get(20, set()) and 23 not in found


def test_a_task_deleted_from_a_kept_container_is_a_task_set() -> None:
    """``del self._tasks[key]`` takes a task out of a container kept by hand, as ``remove``
    does: task-set (the corpus README's eleventh-part ruling). Not ``del d[k]["task"]`` (an
    item of an item: a record that holds a task), not ``del`` off a plain dict, and not in
    ``stop()``, where what is done with a service's tasks is the service's (clearing its
    container is no line of the port, the twelfth part's ruling)."""
    found = rows("""\
        import asyncio

        class Runner:
            def __init__(self):
                self._tasks: dict[str, asyncio.Task] = {}
                self._details: dict[str, dict[str, asyncio.Task]] = {}
                self._names = {}

            def forget(self, key):
                del self._tasks[key]
                del self._details[key]["task"]
                del self._names[key]

            def stop(self, key):
                del self._tasks[key]
        """)
    assert found[10] == {"task-set"}
    assert 11 not in found and 12 not in found and 15 not in found


def test_removing_a_record_that_holds_a_task_is_no_task_set() -> None:
    """``self._owning.remove((me, lock_type))``: a set of (task, mode) records a lock keeps to
    know its owners, not a set kept so that tasks live; only its task's own lines change."""
    found = rows("""\
        import asyncio

        class Lock:
            def __init__(self):
                self._owning = set()

            def acquire(self, mode):
                me = asyncio.current_task()
                self._owning.add(me)

            def release(self, mode):
                me = asyncio.current_task()
                self._owning.remove((me, mode))
        """)
    assert found[8] == found[12] == {"current-task"}
    assert 13 not in found


def test_aiohttps_form_writer_and_jar_methods_are_the_clients_their_fields_are_data() -> None:
    """``aiohttp.FormData()``'s ``add_field``, a ``MultipartWriter``'s ``append_json`` and a
    ``CookieJar``'s ``update_cookies`` are the client's API (httpx takes ``data=``/``files=``
    and a ``Cookies``); a field read off them (``mpwriter.boundary``) is plain data."""
    found = rows("""\
        import aiohttp

        def form(name, chunk):
            data = aiohttp.FormData()
            data.add_field("file", chunk, filename=name)
            with aiohttp.MultipartWriter("mixed") as mpwriter:
                mpwriter.append_json({"name": name})
                boundary = mpwriter.boundary
            jar = aiohttp.CookieJar()
            jar.update_cookies({"session": "x"})
            return data, boundary, jar
        """)
    assert found[5] == found[7] == found[10] == {"aiohttp-client"}
    assert 8 not in found and 11 not in found


def test_a_session_whose_requests_are_awaited_or_entered_is_aiohttps() -> None:
    """In a file that imports aiohttp: ``self.session.get(url=...)`` awaited (a session a base
    class keeps), and a ``session`` parameter whose ``get`` is entered with ``async with``,
    even where the file binds ``session`` to a session in another function; not a blocking
    ``requests`` session of the same name, whose requests are neither awaited nor entered."""
    found = rows("""\
        import aiohttp
        import requests

        class Fetcher:
            async def fetch(self, url):
                request = await self.session.get(url=url)
                if request.status == 304:
                    return None
                return await request.json()

            async def run(self, urls):
                async with aiohttp.ClientSession() as session:
                    return [await self.one(u, session) for u in urls]

            async def one(self, url, session):
                async with session.get(url) as resp:
                    return resp.status

        def blocking(url):
            session = requests.Session()
            response = session.get(url)
            return response.status_code
        """)
    assert found[6] == found[7] == found[9] == {"aiohttp-client"}
    assert found[16] == found[17] == {"aiohttp-client"}
    assert 21 not in found and 22 not in found


def test_a_field_set_on_aiohttps_server_response_is_the_servers_api() -> None:
    """``response = web.Response(...)``, even handed back in a tuple: a field set on it
    (``response.content_type = ...``, ``response.text = ...``) and its methods (``prepare``,
    ``write``) are the server's API; a field read and a header set stay (a dict anywhere)."""
    found = rows("""\
        from typing import Tuple

        from aiohttp import web


        def _render(status: int) -> Tuple[web.Response, dict]:
            response = web.Response(status=status)
            response.content_type = "text/html"
            response.headers["X-Frame"] = "deny"
            return response, {}


        def render(text: str) -> web.Response:
            response, context = _render(200)
            response.text = text
            size = len(response.text)
            return response


        async def stream(request):
            resp = web.StreamResponse()
            await resp.prepare(request)
            await resp.write(b"x")
            return resp
        """)
    assert found[8] == found[15] == found[22] == found[23] == {"http-server"}
    assert 9 not in found and 16 not in found


def test_aiohttps_client_error_caught_around_a_websocket_connect_is_the_websockets() -> None:
    """``except aiohttp.ClientConnectorError`` around ``session.ws_connect(...)``:
    trio-websocket raises its own errors, so the handler is the websocket row (the corpus
    README's eighth-part ruling); around a plain request it stays the client's, and an
    ``asyncio.TimeoutError`` beside it keeps its own row."""
    found = rows("""\
        import asyncio
        import aiohttp
        from aiohttp import ClientError


        class Client:
            async def connect(self, session):
                try:
                    self._ws = await session.ws_connect("wss://x", heartbeat=55)
                except aiohttp.ClientConnectorError as err:
                    raise ConnectionError(err) from err

            async def send(self, text):
                try:
                    await asyncio.wait_for(self._ws.send_str(text), 5)
                except (ClientError, asyncio.TimeoutError):
                    return None

            async def fetch(self, session):
                try:
                    async with session.get("https://x") as resp:
                        return await resp.json()
                except ClientError:
                    return None
        """)
    assert found[10] == {"websocket"}
    assert found[16] == {"websocket", "timeout-error"}
    assert found[23] == {"aiohttp-client"}


def test_a_priority_queue_made_when_none_is_given_and_what_it_raises_are_priority_queue() -> None:
    """``self.queue = queue or asyncio.PriorityQueue()``: the queue is ordered (no twin), and
    in a file whose every queue is, ``QueueFull``/``QueueEmpty`` are that queue's too; in a
    file with a plain queue beside it they stay the queue row."""
    found = rows("""\
        import asyncio


        class TaskQueue:
            def __init__(self, size=0, queue=None):
                self.queue = queue or asyncio.PriorityQueue(maxsize=size)

            def add(self, item, priority=3):
                try:
                    self.queue.put_nowait((priority, item))
                except asyncio.QueueFull:
                    return False
                return self.queue.qsize()
        """)
    assert found[6] == found[10] == found[11] == found[13] == {"priority-queue"}
    found = rows("""\
        import asyncio

        ordered = asyncio.PriorityQueue()
        plain = asyncio.Queue()

        def take():
            try:
                return plain.get_nowait()
            except asyncio.QueueEmpty:
                return None
        """)
    assert found[8] == found[9] == {"queue"}


def test_a_task_kept_on_self_and_stopped_through_a_local_name_is_a_service() -> None:
    """``task = self.task`` in ``stop()``, then ``task.cancel()`` and ``await task``: the task
    kept on the object is stopped with it, a service on each of its lines (the corpus
    README's settled case), its start (``create_task``) and its test (``done()``) too."""
    found = rows("""\
        import asyncio


        class RecoverySupervisor:
            def __init__(self):
                self.task = None

            def schedule(self):
                if self.task is None or self.task.done():
                    self.task = asyncio.create_task(self._run())

            async def _run(self):
                await asyncio.sleep(1)

            async def stop(self):
                task = self.task
                self.task = None
                if task is not None and not task.done():
                    task.cancel()
                    await task
        """)
    assert "service" in found[9] and "service" in found[10]
    assert "service" in found[19] and "service" in found[20]


def test_waiting_for_a_services_own_tasks_where_it_stops_is_the_service() -> None:
    """``await asyncio.gather(*self._tasks, return_exceptions=True)`` or ``asyncio.wait([task])``
    (``task = self._task``) in ``stop()``: the await on the stop path of the tasks the object
    keeps, ``service`` as its ``cancel()`` is (working keys 28 lines); a gather of anything
    else there (a call, a local list), or of the fields outside a stop, keeps its own row."""
    found = rows("""\
        import asyncio


        class Pool:
            def __init__(self):
                self._tasks = []
                self._task = None

            async def start(self):
                for i in range(3):
                    self._tasks.append(asyncio.create_task(self._work(i)))
                self._task = asyncio.create_task(self._work(9))

            async def _work(self, i):
                await asyncio.sleep(i)

            async def run(self):
                await asyncio.gather(*self._tasks)

            async def stop(self, others):
                for task in self._tasks:
                    task.cancel()
                await asyncio.gather(*self._tasks, return_exceptions=True)
                task = self._task
                task.cancel()
                await asyncio.wait([task])
                await asyncio.gather(self._work(1), *others)
        """)
    assert "service" in found[23] and "service" in found[26]
    assert "service" not in found[18] and "service" not in found[27]


def test_tasks_on_self_stopped_through_a_loop_over_them_or_an_unpacking_are_services() -> None:
    """``for task in (self._reader, self._keepalive): task.cancel()`` and ``worker,
    self._worker = self._worker, None`` then ``worker.cancel()`` in ``close()``: each name
    holds a task kept on the object, stopped with it, so each task is a service on each of its
    lines, its annotation and its start too (working das-bridge, gamegains-sdk, reglow,
    pyrtl-433, nonebot-plugin-gpt, ...). A loop over other values binds nothing."""
    found = rows("""\
        import asyncio


        class Client:
            def __init__(self):
                self._reader: asyncio.Task | None = None
                self._keepalive: asyncio.Task | None = None
                self._worker: asyncio.Task | None = None

            async def connect(self):
                self._reader = asyncio.create_task(self._read())
                self._keepalive = asyncio.create_task(self._read())
                self._worker = asyncio.create_task(self._read())

            async def _read(self):
                await asyncio.sleep(1)

            async def close(self):
                for task in (self._reader, self._keepalive):
                    if task is not None:
                        task.cancel()
                        await task
                worker, self._worker = self._worker, None
                worker.cancel()
                for name in ("a", "b"):
                    print(name)
        """)
    assert "service" in found[6] and "service" in found[7] and "service" in found[8]
    assert "service" in found[11] and "service" in found[12] and "service" in found[13]
    assert "service" in found[21] and "service" in found[22] and "service" in found[24]
    assert 26 not in found and 27 not in found


def test_a_done_callback_that_is_the_objects_own_discarding_method_keeps_a_task_set() -> None:
    """``task.add_done_callback(self._forget)`` where ``def _forget(self, task)`` does
    ``self._tasks.discard(task)``: the set kept so the tasks live, the ``task-set`` row, as
    ``add_done_callback(self._tasks.discard)`` is (working pyattacker, pyrallel-consumer,
    pyrtl-433, tsbot, vrchatapi-async, kajenn-orchestra); a callback that only reads the task
    keeps ``task-result``."""
    found = rows("""\
        import asyncio


        class Spawner:
            def __init__(self):
                self._tasks: set[asyncio.Task] = set()

            def spawn(self, coro):
                task = asyncio.create_task(coro)
                self._tasks.add(task)
                task.add_done_callback(self._forget)
                task.add_done_callback(self._log)

            def _forget(self, task):
                self._tasks.discard(task)

            def _log(self, task):
                print(task.result())
        """)
    assert "task-set" in found[11] and "task-set" not in found[12]


def test_a_put_of_a_bare_object_marker_is_the_queues_end() -> None:
    """``await q.put(_STOP)`` where the file binds ``_STOP = object()`` (at module level, in a
    class body or on ``self``): a marker that means nothing but itself, put to end the stream,
    the ``queue-shutdown`` row as ``put(None)`` is (working ReticulumTelemetryHub, datus-agent,
    pyrtl-433, fastapi-modular, model-compose, aiolog); any other value put stays ``queue``."""
    found = rows("""\
        import asyncio

        _STOP = object()


        class Pump:
            _END = object()

            def __init__(self):
                self._queue = asyncio.Queue()

            async def run(self):
                while True:
                    item = await self._queue.get()
                    if item is _STOP or item is self._END:
                        return

            async def stop(self, item):
                await self._queue.put(_STOP)
                self._queue.put_nowait(self._END)
                await self._queue.put(item)
        """)
    assert found[19] == found[20] == {"queue-shutdown"} and found[21] == {"queue"}


def test_a_task_field_a_class_body_declares_is_the_instances_field() -> None:
    """``_task: asyncio.Task | None = None`` in a class body (a dataclass's field, or a plain
    class's declaration) is the field its instances keep: ``self._task`` started and cancelled
    by the object makes it a service, the declaration too (working aiohttp-devtools,
    polymarket-pandas, pydyno_pool, ...); and ``job.task = create_task(...)``, ``job.task
    .cancel()`` on an instance of the file's class whose body declares ``task: asyncio.Task``
    is that field, a service on each of its lines (working tares, mashpy, pdit, ...)."""
    found = rows("""\
        import asyncio
        from dataclasses import dataclass


        @dataclass
        class Job:
            name: str
            task: asyncio.Task | None = None


        class Watcher:
            _task: "asyncio.Task[None]"

            async def start(self):
                self._task = asyncio.create_task(self._run())

            async def _run(self):
                await asyncio.sleep(1)

            async def close(self):
                self._task.cancel()


        class Runner:
            def begin(self, job: Job):
                job.task = asyncio.create_task(asyncio.sleep(1))

            def running(self, job: Job):
                return job.task is not None and not job.task.done()

            async def stop(self, job: Job):
                job.task.cancel()
        """)
    assert "service" in found[8] and "service" in found[12]
    assert "service" in found[26] and "service" in found[29] and "service" in found[32]
    assert 7 not in found


def test_a_task_annotation_takes_its_role_and_a_done_callbacks_parameter_its_result() -> None:
    """``t: asyncio.Task | None = None``, then ``t = asyncio.create_task(...)`` and
    ``t.done()``, ``t.cancel()`` or ``await t``: a task held in a name (or a field) is a
    spawned task, the ``create-task`` row (the README: an ``asyncio.Task`` annotation takes
    the row of the task's role), where a parameter takes the row of what its function does
    with it (``other.cancel()``: task-cancel); the parameter of a function handed to
    ``add_done_callback`` that takes the task out of the set that keeps it is ``task-set``.
    A name annotated where the task is made keeps the row of what is done with it after (the
    call has the spawn's)."""
    found = rows("""\
        import asyncio


        async def main(work, other: asyncio.Task):
            task: asyncio.Task | None = None
            task = asyncio.create_task(work())
            task.add_done_callback(_report)
            if not task.done():
                task.cancel()
            other.cancel()
            made: asyncio.Task = asyncio.create_task(work())
            made.cancel()
            kept = asyncio.create_task(work())
            TASKS.add(kept)
            kept.add_done_callback(_forget)


        def _report(finished: asyncio.Task) -> None:
            print(finished.result())


        def _forget(done: asyncio.Task) -> None:
            TASKS.discard(done)
            if not done.cancelled():
                done.exception()


        TASKS: set[asyncio.Task] = set()
        """)
    assert found[4] == {"task-cancel"} and found[5] == {"create-task"}
    assert found[11] == {"create-task", "task-cancel"}
    assert found[18] == {"task-result"} and found[22] == {"task-set"}


def test_a_task_a_function_is_handed_to_keep_in_a_set_is_the_task_set() -> None:
    """``def track(self, task: asyncio.Task): self._tasks.add(task)`` (or ``remove``): the
    function exists to keep the task alive by hand, or to let it go, so its parameter's
    annotation is the ``task-set`` row, as the lines that keep it are (working maubot,
    tsbot, sidekick-py, pyferro, ...); a parameter the function only awaits keeps
    ``task-result``."""
    found = rows("""\
        import asyncio


        class Tracker:
            def __init__(self):
                self._tasks: set[asyncio.Task] = set()

            def track(self, task: asyncio.Task) -> None:
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

            def drop(self, task: asyncio.Task) -> None:
                self._tasks.remove(task)

            async def finish(self, task: asyncio.Task) -> None:
                await task
        """)
    assert found[8] == {"task-set"} and found[12] == {"task-set"}
    assert found[15] == {"task-result"}


def test_a_loop_over_a_services_fields_carries_only_what_the_loop_does() -> None:
    """The mutants of ``visit_For`` that ``test_tasks_on_self_stopped_through_a_loop...``
    leaves: a name in the tuple that holds a field (``for task in (reader,)``, after
    ``reader = self._reader``) stands for the field; a loop at module level, a loop whose
    name is only printed, and fields that hold tasks handed in (no use recorded for them
    yet) are read without fault; and what the loop's name did before the loop (``await
    task`` in another method) is not the fields'."""
    found = rows("""\
        import asyncio


        class Client:
            def __init__(self, a: asyncio.Task, b: asyncio.Task):
                self._a = a
                self._b = b
                self._reader: asyncio.Task | None = None

            async def run(self, work):
                task = asyncio.create_task(work())
                await task

            def connect(self, work):
                self._reader = asyncio.create_task(work())

            async def close(self):
                reader = self._reader
                for task in (reader,):
                    task.cancel()
                for field in (self._a, self._b):
                    print(field)
                for each in (self._a, self._b):
                    each.cancel()


        for name in ("x", "y"):
            print(name)
        """)
    assert "service" in found[8] and "service" in found[15]
    assert found[12] == {"task-result"}
    assert 22 not in found and "task-cancel" in found[24] and 28 not in found


def test_a_gather_at_module_level_is_read_without_a_function_around_it() -> None:
    """``asyncio.run(asyncio.gather(a(), b()))`` in a script's body, outside any function:
    no name there holds a task kept on self (``_waited_on`` looks for one only inside a
    function), and the gather is the gather row."""
    found = rows("""\
        import asyncio


        async def a():
            await asyncio.sleep(1)


        asyncio.run(asyncio.gather(a(), a()))
        """)
    assert found[8] == {"run", "gather"}


def test_a_done_callback_that_is_a_sets_discard_keeps_the_task_set() -> None:
    """``task.add_done_callback(running.discard)``, the set's own ``discard`` handed as the
    callback, on a set the file never fills by name: that line is what keeps the task set,
    the ``task-set`` row, whatever else holds it (``_keeps_a_task_alive``'s first branch)."""
    found = rows("""\
        import asyncio


        def spawn(coro, running):
            task = asyncio.create_task(coro)
            task.add_done_callback(running.discard)
            return task
        """)
    assert "task-set" in found[6]


def test_a_name_drained_or_read_exactly_is_a_stream_wherever_it_came_from() -> None:
    """``writer = conn.writer`` then ``await writer.drain()``: only an asyncio stream has
    ``drain``/``readexactly``/``readuntil``, so its ``write`` and ``close`` are a stream's
    too; and ``asyncio.StreamReader()`` made by hand is one. Not the class's own
    ``self.drain()``, nor a pipe of a process the file knows (``proc.stdin.drain()``)."""
    found = rows("""\
        import asyncio


        async def request(conn, data):
            reader = conn.reader
            writer = conn.writer
            writer.write(data)
            await writer.drain()
            size = await reader.readexactly(2)
            writer.close()
            return size


        async def stdio():
            reader = asyncio.StreamReader()
            return await reader.readline()


        class Writer:
            def write(self, data):
                self.buffer = data

            async def drain(self):
                self.write(b"")
                await self.drain()


        async def feed(cmd):
            proc = await asyncio.create_subprocess_exec(cmd, stdin=asyncio.subprocess.PIPE)
            proc.stdin.write(b"x")
            await proc.stdin.drain()
        """)
    assert found[7] == found[8] == found[9] == found[10] == {"streams"}
    assert found[15] == found[16] == {"streams"}
    assert 21 not in found and 24 not in found and 25 not in found
    assert found[30] == found[31] == {"subprocess"}


def test_a_transport_from_a_factory_awaited_under_wait_for_is_a_transport() -> None:
    """``coro = loop.create_datagram_endpoint(...)`` then ``self._transport, _ = await
    asyncio.wait_for(coro, timeout)``: the pair the loop's factory gives, awaited later under
    a timeout, so ``self._transport.sendto(...)`` and ``close()`` are a transport's."""
    found = rows("""\
        import asyncio


        class Client:
            async def connect(self, host, port):
                loop = asyncio.get_running_loop()
                coro = loop.create_datagram_endpoint(Proto, remote_addr=(host, port))
                self._transport, _ = await asyncio.wait_for(coro, timeout=2)

            def send(self, data):
                self._transport.sendto(data)

            def close(self):
                self._transport.close()
        """)
    assert found[11] == found[14] == {"protocols"}


def test_a_module_with_python_3_12_type_parameters_is_read_on_its_own_lines() -> None:
    """``class NQueue[T]:``, ``def first[T](...)`` and ``type Pair[T] = ...`` (Python 3.12)
    do not stop the scan on an older Python: the type parameters are no asyncio construct,
    so they are taken out and the rest is read with its own line numbers. A module that is
    not Python still cannot be read."""
    found = rows("""\
        import asyncio

        type Pair[T] = tuple[T, T]

        class NQueue[T]:
            def __init__(self) -> None:
                self._task: asyncio.Future[T] | None = None

            async def get(self) -> T:
                loop = asyncio.get_running_loop()
                self._task = loop.create_future()
                return await self._task

        def first[T: (int, str)](xs: list[T]) -> T:
            return xs[0]
        """)
    assert found[1] == {"loop"} and found[7] == {"future"} and found[11] == {"future"}
    with pytest.raises(port.PortError, match="cannot parse as Python"):
        port.scan("class C[T:\n    pass\n", "bad.py")


def test_type_parameters_are_taken_out_line_by_line() -> None:
    """What :func:`without_type_parameters` leaves: each header without its brackets (a bound
    with brackets of its own included), an alias as a plain assignment, and every other line,
    an unclosed bracket's and a name ``type`` too, as it was."""
    from walkthrough.port.reading import without_type_parameters

    source = ("class Q[T]:\n"
              "async def g[T: list[int]](x): pass\n"
              "type Pair[T] = tuple[T, T]\n"
              "type X = int\n"
              "class Open[T:\n"
              "type = 3\n"
              "x = type(3)\n")
    assert without_type_parameters(source) == ("class Q:\n"
                                               "async def g(x): pass\n"
                                               "Pair = tuple[T, T]\n"
                                               "X = int\n"
                                               "class Open[T:\n"
                                               "type = 3\n"
                                               "x = type(3)\n")


def test_a_loops_shutdown_of_async_generators_is_the_loop_row() -> None:
    """``loop.run_until_complete(loop.shutdown_asyncgens())``: the run is the run row, the
    loop's own housekeeping (``trio.run`` finalizes async generators itself) the loop row."""
    found = rows("""\
        import asyncio

        loop = asyncio.new_event_loop()
        loop.run_until_complete(loop.shutdown_asyncgens())
        """)
    assert found[4] == {"run", "loop"}


def test_a_response_named_so_whose_body_is_awaited_is_aiohttps_response() -> None:
    """In a file that imports aiohttp, ``response = await func(url=u)`` (a package's own
    wrapper of the session's request) whose ``json()`` is awaited, or ``self.response`` that
    is released, is aiohttp's response: its ``status`` is the client's field httpx spells
    ``status_code``. Not a name for another thing, nor a server's request."""
    found = rows("""\
        import aiohttp


        class Stream:
            async def connect(self):
                self.response = await self._request()
                if self.response.status in range(200, 300):
                    return True

            async def close(self):
                await self.response.release()


        async def get(func, url):
            response = await func(url=url)
            if response.status > 399:
                raise ValueError(url)
            return await response.json()


        async def other(source, request):
            data = await source.json()
            body = await request.json()
            return data.status, request.status
        """)
    assert found[7] == found[11] == found[16] == found[18] == {"aiohttp-client"}
    assert 22 not in found and 23 not in found and 24 not in found


def test_a_task_taken_from_all_tasks_is_a_task_even_in_a_stop() -> None:
    """``for task in asyncio.all_tasks(loop): task.cancel()``, or a list made from them:
    each is a task, its ``cancel()`` the task-cancel row; a ``stop()`` that sweeps every task
    of the loop is no service's lifetime (no service row there)."""
    found = rows("""\
        import asyncio


        def stop(loop):
            for task in asyncio.all_tasks(loop):
                task.cancel()


        async def shutdown():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                if not task.done():
                    task.cancel()
        """)
    assert found[6] == found[13] == {"task-cancel"}
    assert found[12] == {"task-result"}


def test_a_loop_handed_to_asyncios_own_wait_is_its_own_entry() -> None:
    """``asyncio.wait(aws, return_when=..., loop=self._loop)`` over lines: the wait is found
    where it is named, and the loop handed to it on its own line, as a loop handed to any
    other call is (the corpus README's multi-line and loop-passing rulings)."""
    found = rows("""\
        import asyncio


        class Pages:
            def __init__(self, loop):
                self._loop = loop

            async def wait(self):
                await asyncio.wait(
                    (self.a(), self.b()),
                    return_when=asyncio.FIRST_COMPLETED,
                    loop=self._loop
                )
                await asyncio.sleep(0, loop=self._loop)
        """)
    assert found[9] == {"wait-first"} and found[12] == {"loop"}
    assert found[14] == {"checkpoint", "loop"}


def test_an_aiohttp_websocket_message_and_a_websocket_known_by_its_send_str() -> None:
    """``async for msg in ws`` or ``msg = await ws.receive()``: an aiohttp ``WSMessage``,
    whose ``json()`` is the websocket row (trio-websocket hands out str or bytes), while its
    fields (``msg.data``) are data; and ``self.ws.send_str(text)`` makes ``self.ws`` a
    WebSocket wherever it came from (only aiohttp's spells it so), its ``close()`` too."""
    found = rows("""\
        import aiohttp


        class Client:
            async def listen(self, session):
                async with session.ws_connect("wss://x") as ws:
                    async for msg in ws:
                        data = msg.json()
                    msg = await ws.receive()
                    text = msg.data
                    return msg.json(), text

            async def notify(self, text):
                await self.ws.send_str(text)
                await self.ws.close()
        """)
    assert found[8] == found[11] == found[14] == found[15] == {"websocket"}
    assert 10 not in found


def test_a_parameter_annotated_as_a_builtin_value_is_not_the_object_its_name_is_elsewhere() -> None:
    """``def parse(self, response: str)`` beside ``async with session.get(u) as response``
    in another method: the parameter holds a ``str``, so its ``strip()`` is no response's
    call; one annotated with aiohttp's response (in quotes too) stays a response."""
    found = rows("""\
        import aiohttp


        class Api:
            async def fetch(self, session, url):
                async with session.get(url) as response:
                    text = await response.text()
                return self.parse(text)

            def parse(self, response: str) -> dict:
                response = response.strip()
                if not response.startswith("{"):
                    response = "{" + response
                return {"text": response}

            def status(self, response: "aiohttp.ClientResponse") -> int:
                return response.status
        """)
    assert 11 not in found and 12 not in found
    assert found[17] == {"aiohttp-client"}


def test_what_stays_the_same_on_trio_stays_in_a_subclass_and_a_pipe_handed_on_stays() -> None:
    """``class Flag(asyncio.Event)``: ``await super().wait()`` and ``super().set()`` stay as
    on a ``trio.Event``, while ``super().clear()`` changes (it has none); and a process's
    pipe handed to a function of the file (``_read(process.stdout)``) is a pass-along: that
    function's use of the stream is where the port changes."""
    found = rows("""\
        import asyncio


        class Flag(asyncio.Event):
            async def wait(self):
                return await super().wait()

            def reset(self):
                super().set()
                super().clear()


        async def _read(stream):
            return await stream.readline()


        async def run(cmd):
            process = await asyncio.create_subprocess_exec(cmd, stdout=asyncio.subprocess.PIPE)
            line = await _read(process.stdout)
            return line, await process.stdout.read()
        """)
    assert 6 not in found and 9 not in found and found[10] == {"event"}
    assert 19 not in found and found[20] == {"subprocess"}


def test_a_sessions_field_that_httpx_spells_the_same_is_read_as_data() -> None:
    """``timeout = session.timeout`` (httpx's ``AsyncClient.timeout``) is a field read as in
    any port; a field httpx spells otherwise (``session.closed``: ``is_closed``) changes."""
    found = rows("""\
        import aiohttp


        async def post(session: aiohttp.ClientSession, url, timeout=None):
            if not timeout:
                timeout = session.timeout
            if session.closed:
                return None
            return await session.post(url, timeout=timeout)
        """)
    assert 6 not in found and found[7] == {"aiohttp-client"}


def test_a_packages_own_shim_named_for_asyncios_function_is_that_function() -> None:
    """``from .util import asyncio_timeout`` (a backport on old Pythons, kept under asyncio's
    name): ``async with asyncio_timeout(5)`` is asyncio's timeout; another helper of the
    package (``asyncio_helper``) is not."""
    found = rows("""\
        from .util import asyncio_timeout, asyncio_helper


        async def close(client):
            async with asyncio_timeout(5):
                await client.disconnect()
            asyncio_helper()
        """)
    assert found == {5: {"timeout"}}


def test_an_event_kept_on_an_object_is_an_event_read_from_outside_it() -> None:
    """``wake: asyncio.Event = field(default_factory=asyncio.Event)`` on a dataclass, then
    ``job.wake.clear()`` elsewhere: the object's event (a ``trio.Event`` has no ``clear``),
    while its ``wait()`` stays."""
    found = rows("""\
        import asyncio
        from dataclasses import dataclass, field


        @dataclass
        class Job:
            name: str
            wake: asyncio.Event = field(default_factory=asyncio.Event)


        async def tick(job: Job):
            job.wake.clear()
            await job.wake.wait()
        """)
    assert found[12] == {"event"} and 13 not in found


def test_a_future_made_when_none_is_handed_in_is_a_future() -> None:
    """``self.gotbye = future if future else asyncio.Future()`` (or ``future or
    asyncio.Future()``): the reference holds the future the call makes when the caller hands
    none, so its ``done()`` and ``set_result()`` are a future's."""
    found = rows("""\
        import asyncio


        class Call:
            def __init__(self, future=None):
                self.gotbye = future if future else asyncio.Future()
                self.ready = future or asyncio.Future()

            def bye(self, request):
                if not self.gotbye.done():
                    self.ready.cancel()
        """)
    assert found[6] == found[7] == found[10] == found[11] == {"future"}


def test_a_collection_of_a_librarys_objects_is_a_plain_collection_of_them() -> None:
    """``self.tracks: list[aiortc.MediaStreamTrack]``: the list's own methods (``append``)
    are a list's, while what it holds (iterated, indexed, popped) is the library's object,
    and the collection is no library of its own (``aiortcs`` would match ``aio*``)."""
    found = rows("""\
        from typing import List
        import aiortc

        class Stream:
            def __init__(self, tracks: List[aiortc.MediaStreamTrack]):
                self.outgoing: List[aiortc.MediaStreamTrack] = tracks
                self.incoming: List[aiortc.MediaStreamTrack] = []

            def on_track(self, track: aiortc.MediaStreamTrack):
                self.incoming.append(track)

            def stop(self):
                for track in self.outgoing:
                    track.stop()
                self.incoming[0].stop()
                self.incoming.pop().stop()
        """)
    assert 10 not in found
    assert found[14] == found[15] == found[16] == {"asyncio-only-lib"}


def test_a_parameter_typed_as_the_files_own_class_keeps_that_class_where_it_is_stored() -> None:
    """``def __init__(self, rx: PipeReader): self._rx = rx``: the signature says what ``rx``
    is, so ``self._rx.detach()`` is that class's method, though ``rx`` is an asyncio stream
    in another function; an untyped parameter stored so still takes the name's kind."""
    found = rows("""\
        import asyncio

        class PipeReader:
            def detach(self):
                return self

        class Duplex:
            def __init__(self, rx: PipeReader, tx):
                self._rx = rx
                self._tx = tx

            def detach(self):
                self._rx.detach()
                self._tx.write(b"x")

        async def pump(path):
            rx, tx = await asyncio.open_unix_connection(path)
            await tx.drain()
            return await rx.read(10)
        """)
    assert 13 not in found
    assert found[14] == {"streams"}


def test_what_awaiting_a_task_gives_is_its_result_not_a_task() -> None:
    """``result = await self._task`` binds the task's result: awaiting ``result`` in another
    method (a coroutine a callback returned) is no task's await."""
    found = rows("""\
        import asyncio
        import inspect

        class Timer:
            def start(self):
                self._task = asyncio.create_task(self._run())

            async def stop(self):
                result = await self._task
                return result

            async def _run(self):
                result = self._fn()
                if inspect.iscoroutinefunction(self._fn):
                    await result
        """)
    assert "task-result" in found[9]
    assert 15 not in found


def test_what_the_files_own_function_is_typed_to_return_as_a_dict_is_a_dict() -> None:
    """``response = await self._request(...)`` where ``_request`` is typed ``-> Dict[Any,
    Any]``: the name holds that dict in this method, not the aiohttp response it names in
    another, so its ``get`` is a dict's."""
    found = rows("""\
        from typing import Any, Dict
        import aiohttp

        class Client:
            def __init__(self):
                self._session = aiohttp.ClientSession()

            async def _request(self, url) -> Dict[Any, Any]:
                async with self._session.get(url) as response:
                    return await response.json()

            async def _request_untyped(self, url):
                async with self._session.get(url) as response:
                    return await response.json()

            async def graphql(self, url):
                response = await self._request(url)
                return response.get("data", {})

            async def legacy(self, url):
                response = await self._request_untyped(url)
                return response.get("data", {})
        """)
    assert found[10] == {"aiohttp-client"}
    assert 18 not in found
    # nor the untyped helper's: aiohttp's response has no get, so that name holds another
    # object there (the rule of the names aiohttp's objects lack, below)
    assert 22 not in found


def test_a_logger_an_asyncio_only_library_hands_out_is_plain_logging() -> None:
    """``from asysocks import logger``: a ``logging.Logger``, plain Python where it is used
    (the corpus README's ruling); the import line is the library's use, and another name
    imported from it keeps its calls."""
    found = rows("""\
        import asyncio
        import logging
        from asyncssh import logger as ssh_logger, connect

        async def main():
            ssh_logger.setLevel(logging.DEBUG)
            async with connect("host") as conn:
                await conn.run("ls")

        asyncio.run(main())
        """)
    assert found[3] == {"asyncio-only-lib"}
    assert 6 not in found
    assert found[7] == found[8] == {"asyncio-only-lib"}


def test_a_packages_own_shim_of_asyncios_loop_getter_gives_a_loop() -> None:
    """``from aiodogstatsd.compat import get_event_loop`` in a module of that package: its
    own spelling of asyncio's getter (kept for old Pythons), so what it gives is a loop, and
    the import of its own module stays; a getter of another name from there is no loop."""
    source = """\
        from aiohttp import web
        from statsd.compat import {name}

        async def middleware(request, handler):
            loop = {name}()
            started = loop.time()
            return await handler(request)
        """
    found = port.scan(textwrap.dedent(source.format(name="get_event_loop")),
                      "statsd/contrib/aiohttp.py")
    lines = {f.line: f.row for f in found}
    assert 2 not in lines and lines[5] == "loop" and lines[6] == "loop-time"
    other = port.scan(textwrap.dedent(source.format(name="get_clock")),
                      "statsd/contrib/aiohttp.py")
    assert not {2, 5, 6} & {f.line for f in other}


def test_a_loop_another_object_keeps_is_a_loop_where_a_loop_method_is_called_on_it() -> None:
    """``self._bot.loop.create_task(...)``: a discord bot's loop, an asyncio loop by the
    method only a loop has, so the task it makes is one; a ``loop`` field read deep in another
    object with no such call says nothing."""
    found = rows("""\
        class Timer:
            def __init__(self, bot):
                self._bot = bot
                self._task = None

            def start(self):
                self._task = self._bot.loop.create_task(self.run())

            def stop(self):
                self._task.cancel()
        """)
    assert "create-task" in found[7] and "task-cancel" in found[10]
    quiet = rows("""\
        class Config:
            def describe(self, args):
                return args.settings.loop.upper()
        """)
    assert quiet == {}


def test_a_tls_error_caught_around_an_asyncio_connect_changes() -> None:
    """``except ssl.SSLCertVerificationError`` around ``asyncio.open_connection(...,
    ssl=ctx)``: Trio's ``SSLStream`` raises ``trio.BrokenResourceError`` from the ssl
    module's error, so the handler changes; beside ``OSError`` (its base class) it stays, as
    ``except OSError`` around a connect does, and a package's own ``SSLError`` is no ssl's."""
    source = """\
        import asyncio
        import ssl
        from {module} import SSLError

        async def connect(host, ctx):
            try:
                reader, writer = await asyncio.open_connection(host, 443, ssl=ctx)
            except ssl.SSLCertVerificationError:
                raise
            except SSLError:
                raise
            try:
                reader, writer = await asyncio.open_connection(host, 443, ssl=ctx)
            except (OSError, ssl.SSLError):
                return None
            return reader
        """
    found = rows(source.format(module="ssl"))
    assert found[8] == found[10] == {"streams"}
    assert 14 not in found
    assert 10 not in rows(source.format(module=".errors"))


def test_a_type_alias_or_a_typevar_bound_in_quotes_names_its_types() -> None:
    """``Handler: TypeAlias = "Callable[[Request], Awaitable[StreamResponse]]"`` and
    ``TypeVar("T", bound="AbstractView | Request")``: types in quotes, as an annotation's are,
    so aiohttp.web's names there are the server's; a plain string assigned is no type."""
    found = rows("""\
        from typing import Callable, TypeAlias, TypeVar
        from aiohttp.abc import AbstractView
        from aiohttp.web import Request, StreamResponse

        ViewOrRequestT = TypeVar("ViewOrRequestT", bound="AbstractView | Request")
        Handler: TypeAlias = "Callable[[Request], StreamResponse]"
        greeting: str = "Request"
        Plain = TypeVar("Plain", bound="int")
        """)
    assert found[5] == found[6] == {"http-server"}
    assert not {7, 8} & set(found)


def test_a_loop_kept_under_another_loop_name_is_a_loop_where_a_loop_method_is_called() -> None:
    """``self._eventloop.create_task(coro)`` (a scheduler's loop): a loop by the method only
    a loop has, whatever the name ends in, so its task is followed; tornado's ``io_loop``
    is not asyncio's loop, whatever it is asked."""
    found = rows("""\
        class Executor:
            def start(self, scheduler):
                self._eventloop = scheduler._eventloop

            def submit(self, coro):
                task = self._eventloop.create_task(coro)
                return task.done()

            def later(self, callback):
                return self.io_loop.call_later(1, callback)
        """)
    assert "create-task" in found[6] and found[7] == {"task-result"}
    assert 10 not in found


def test_a_type_alias_of_an_asyncio_class_names_that_class_where_it_is_used() -> None:
    """``Q = asyncio.Queue[dict]``: an annotation that names ``Q`` (``-> Q``, ``set[Q]``)
    names asyncio's queue; an alias of one of asyncio's functions, or of the file's own
    class, is no such type."""
    found = rows("""\
        import asyncio
        import typing as t

        Q = asyncio.Queue[dict]
        Mine = t.Dict[str, int]

        class Multiplexer:
            def __init__(self):
                self._queues: t.Dict[Q, t.Set[str]] = {}
                self._counts: Mine = {}

            async def subscribe(self) -> Q:
                return asyncio.Queue()
        """)
    assert found[4] == found[9] == found[12] == {"queue"}
    assert not {5, 10} & set(found)


def test_a_parameter_typed_as_an_asyncio_class_makes_one_where_it_is_called() -> None:
    """``queue_type: type[asyncio.Queue[Message]]``: calling the parameter makes asyncio's
    queue, so the call and what is done with the queue change; a parameter typed as the
    file's own class makes that class."""
    found = rows("""\
        import asyncio
        from typing import Optional

        class Inbox:
            pass

        class Client:
            def __init__(self, queue_type: Optional[type[asyncio.Queue[int]]] = None,
                         inbox_type: type[Inbox] = Inbox):
                if queue_type is None:
                    queue_type = asyncio.Queue
                self._queue = queue_type(maxsize=10)
                self._inbox = inbox_type()

            def feed(self, item):
                self._queue.put_nowait(item)
        """)
    assert found[12] == found[16] == {"queue"}
    assert 13 not in found


def test_a_name_aiohttp_objects_lack_is_another_objects_under_the_same_reference() -> None:
    """``response`` is one reference per file: an aiohttp response in ``_request``, the dict
    its ``json()`` gave in the callers. ``response.get(...)`` (no ClientResponse has ``get``)
    and ``data.get(...)`` where ``data`` is a ``FormData`` elsewhere are that other object's;
    the response's own fields and the form's own methods still are the client's."""
    found = rows("""\
        import aiohttp

        class Api:
            async def _request(self, session, url):
                async with session.get(url) as response:
                    if response.status != 200:
                        raise RuntimeError(response.status)
                    return await response.json()

            async def runtime(self, session):
                response = await self._request(session, "/runtime")
                if response.get("success"):
                    return response.get("data")

            async def upload(self, session, path):
                data = aiohttp.FormData()
                data.add_field("file", open(path, "rb"))
                async with session.post("/up", data=data) as resp:
                    data = await resp.json()
                    return data.get("id", "")
        """)
    assert found[6] == {"aiohttp-client"}
    assert found[17] == {"aiohttp-client"}
    assert not {12, 13, 20} & set(found)


def test_a_response_history_read_whole_is_httpxs_field_too() -> None:
    """``len(resp.history)``, ``history=resp.history`` handed on: httpx's response has the
    same list; a response taken out of it (``resp.history[0].status``) is aiohttp's."""
    found = rows("""\
        import aiohttp

        async def fetch(session, url):
            async with session.get(url) as resp:
                redirects = len(resp.history)
                first = resp.history[0].status
                heads = [r.headers for r in (*resp.history, resp)]
                raise aiohttp.ClientResponseError(
                    resp.request_info,
                    history=resp.history,
                    status=resp.status,
                )
        """)
    assert 5 not in found and 10 not in found
    assert found[6] == found[7] == found[8] == found[9] == found[11] == {"aiohttp-client"}


def test_a_client_errors_history_handed_on_whole_is_no_finding() -> None:
    found = rows("""\
        import aiohttp

        async def check(resp):
            try:
                resp.raise_for_status()
            except aiohttp.ClientResponseError as e:
                raise aiohttp.ClientResponseError(request_info=e.request_info,
                                                  history=e.history,
                                                  message=e.message)
        """)
    assert 8 not in found
    assert found[7] == found[9] == {"aiohttp-client"}


def test_a_responses_body_used_at_once_as_data_is_a_blocking_librarys_response() -> None:
    """aiohttp's ``json()`` is a coroutine: ``result = response.json()`` in a plain ``def``,
    or ``Token(**response.json())``, is a blocking library's response (requests') kept under
    the name the file gives an aiohttp response elsewhere."""
    found = rows("""\
        import aiohttp
        import requests

        async def fetch(session, url):
            async with session.get(url) as response:
                return await response.json()

        def fetch_blocking(url):
            response = requests.post(url)
            result = response.json()
            return result["text"]

        async def token(client, url):
            response = await client.post(url)
            return dict(**response.json())
        """)
    assert found[6] == {"aiohttp-client"}
    assert not {10, 15} & set(found)


def test_a_loop_parameter_typed_as_a_class_of_the_file_is_that_classs_object() -> None:
    """``loop: AgentLoop``, where the file defines ``class AgentLoop``: an agent's loop, no
    event loop, so neither the parameter nor storing it is the loop row; a ``loop``
    parameter with no annotation, in the same file, still is."""
    found = rows("""\
        import asyncio

        class AgentLoop:
            pass

        class Registry:
            def register(self, loop_id: str, loop: AgentLoop | None) -> None:
                self._loops[loop_id] = loop

        class Client:
            def __init__(self, loop=None):
                self._loop = loop or asyncio.get_event_loop()
        """)
    assert not {7, 8} & set(found)
    assert found[11] == found[12] == {"loop"}


def test_a_spawn_helper_the_file_enters_with_async_with_is_the_packages_own() -> None:
    """``async with create_task(coro) as t``: asyncio's ``create_task`` gives a task, which is
    no context manager, so the package's helper of that name runs and cancels its task in the
    block, in every call of it in the file; a helper only called is asyncio's spawn by name."""
    source = """\
        import asyncio
        from .util.task import create_task

        async def wait_changed(state):
            {first}
                await asyncio.wait([t], return_when=asyncio.FIRST_COMPLETED)

        def make(state, ws):
            return State(send_task=create_task(ws.send(b"x")))
        """
    found = rows(source.format(first="async with create_task(state.cancelled.wait()) as t:"))
    assert not {5, 9} & set(found)
    found = rows(source.format(first="t = create_task(state.cancelled.wait())\n            if t:"))
    assert found[5] == found[10] == {"create-task"}


def test_feed_data_on_an_object_not_named_for_a_reader_is_a_parsers() -> None:
    """``feed_data`` and ``feed_eof`` are a sans-I/O parser's methods too (a protocol handing
    its bytes to the package's codec); on a reference named for a reader they are asyncio's
    StreamReader's, however it was handed in."""
    found = rows("""\
        import asyncio

        class TransportProtocol:
            def __init__(self, client, conn):
                self._client = client
                self._conn = conn

            def data_received(self, data):
                self._client.feed_data(data=data)

            def connection_lost(self, exc):
                self._conn.reader.feed_eof()
        """)
    assert 9 not in found
    assert found[12] == {"streams"}


def test_a_process_pipe_kept_under_a_name_is_no_finding_its_calls_are() -> None:
    found = rows("""\
        import asyncio

        class Template:
            async def launch(self):
                self.process = await asyncio.create_subprocess_exec(
                    "x", stdin=asyncio.subprocess.PIPE)

            async def write_line(self, line):
                stdin = self.process.stdin
                stdin.write(line)
                await stdin.drain()
        """)
    assert 9 not in found
    assert found[10] and found[11]


def test_the_main_block_binds_a_name_to_the_files_own_object() -> None:
    """``ws = WSServer(...)`` under ``if __name__ == "__main__":``, where ``ws`` is a websockets
    connection in a handler above: the script's ``ws.start()`` is the file's class's; the
    file's subclass of a library's class made there stays the library's object."""
    found = rows("""\
        import asyncio
        import websockets
        import slixmpp

        class WSServer:
            async def handler(self, ws):
                await ws.send("hi")

            def start(self):
                asyncio.run(websockets.serve(self.handler, "", 1))

        class Bot(slixmpp.ClientXMPP):
            pass

        if __name__ == "__main__":
            ws = WSServer()
            ws.start()
            xmpp = Bot("jid", "pw")
            xmpp.connect()
        """)
    assert 17 not in found
    assert found[7] == {"websocket"}
    assert found[19] == {"asyncio-only-lib"}


def test_a_parameter_typed_as_a_path_is_a_path_where_the_name_is_a_file_elsewhere() -> None:
    """``file: str | os.PathLike[str]``: a standard module's value class, so ``file.stat()``
    is a path's, though ``file`` is an aiofiles file in another function."""
    found = rows("""\
        import os
        from pathlib import Path
        import aiofiles

        async def read_part(path, offset):
            async with aiofiles.open(path, "rb") as file:
                await file.seek(offset)

        async def chunk(file: str | os.PathLike[str], size: int):
            if not isinstance(file, Path):
                file = Path(file)
            return file.stat().st_size // size
        """)
    assert found[7] == {"aiofiles"}
    assert 12 not in found


def test_what_a_method_of_another_packages_typed_parameter_returns_is_that_packages() -> None:
    """``res = await pool.request(...)`` with ``pool: httpcore.AsyncConnectionPool`` (or a
    ``urllib3`` pool): that package's response, whose ``status`` is no aiohttp field, though
    ``res`` is an aiohttp response in another function."""
    found = rows("""\
        import aiohttp
        import httpcore
        import urllib3

        async def aiohttp_get(session: aiohttp.ClientSession, url):
            async with session.get(url) as res:
                assert res.status == 200

        async def httpcore_get(pool: httpcore.AsyncConnectionPool, url):
            res = await pool.request("GET", url)
            assert res.status == 200

        def urllib3_get(pool: urllib3.HTTPConnectionPool, url):
            res = pool.request("GET", url)
            assert res.status == 200
        """)
    assert found[7] == {"aiohttp-client"}
    assert not {10, 11, 14, 15} & set(found)


def test_a_session_from_elsewhere_is_aiohttps_by_the_shape_of_its_requests() -> None:
    """A module that imports no aiohttp, with the session from a base class or a caller:
    a request entered with ``async with`` (or awaited) whose response's body is awaited is
    aiohttp's shape alone; httpx's ``r.json()`` is not awaited, so its client stays silent."""
    found = rows("""\
        from .base import Base

        class Club(Base):
            async def get(self, url):
                async with self.clientsession.get(url) as r:
                    if r.status == 200:
                        return await r.json()

        class Bot:
            async def login(self, bot, url):
                resp = await bot.session.post(url, data={})
                return await resp.text()
        """)
    assert found[5] == found[6] == found[7] == {"aiohttp-client"}
    assert found[11] == found[12] == {"aiohttp-client"}
    assert not rows("""\
        class Other:
            async def fetch(self, url):
                r = await self.session.get(url)
                return r.json()
        """)


def test_a_loop_used_as_a_dict_key_or_handed_in_a_threads_args_is_the_loop_row() -> None:
    """``_registry[loop]``, ``loop in _registry`` (the corpus README's ninth-part ruling) and
    ``Thread(target=run, args=(loop,))``: each a loop handed on; a slice or another key of
    the same dict is no loop."""
    found = rows("""\
        import asyncio
        import threading

        _registry = {}

        def entry():
            loop = asyncio.get_running_loop()
            if loop not in _registry:
                _registry[loop] = []
            items = _registry["other"][1:2]
            return _registry[loop]

        def start():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, args=(loop,), daemon=True).start()
            print("started", (loop,))
        """)
    assert found[8] == found[9] == found[11] == {"loop"}
    assert 10 not in found
    assert "loop" in found[15]
    assert 16 not in found


def test_a_websockets_field_trio_websocket_spells_otherwise_is_the_websocket_row() -> None:
    """``websocket.remote_address``, ``ws.open``, ``ws.close_code``: trio-websocket's
    connection spells them ``remote``, ``closed``, ``closed.code``, so the port renames them
    (the corpus README's rulings); another field read, ``websocket.path``, is plain data."""
    found = rows("""\
        import websockets

        async def handler(websocket):
            print(f"from {websocket.remote_address}")
            print(websocket.path)
            if websocket.open:
                await websocket.send("hi")
            return websocket.close_code is not None

        async def main():
            async with websockets.serve(handler, "", 8765):
                pass
        """)
    assert found[4] == found[6] == found[7] == found[8] == {"websocket"}
    assert 5 not in found


def test_a_field_set_on_a_row_a_query_gave_is_plain_data() -> None:
    """``a1 = result.first()``, ``record = (await session.execute(q)).scalar()``: a row of a
    database library's result, whose fields are its data, set as on any object; a field set
    on the library's own object (``conn.row_factory = ...``) is a use of its API."""
    found = rows("""\
        import aiosqlite
        from sqlalchemy.ext.asyncio import AsyncSession

        async def main(engine, q):
            async with AsyncSession(engine) as session:
                result = await session.scalars(q)
                a1 = result.first()
                a1.data = "new data"
            async with aiosqlite.connect("x.db") as conn:
                conn.row_factory = aiosqlite.Row
        """)
    assert found[6] == found[7] == {"asyncio-only-lib"}
    assert 8 not in found
    assert found[10] == {"asyncio-only-lib"}


def test_a_connection_error_caught_around_a_websocket_is_the_websocket_row() -> None:
    """``except ConnectionError`` around ``websockets.connect``, ``except (ConnectionResetError,
    RuntimeError)`` around an aiohttp WebSocket's ``send_str``: trio-websocket raises its own
    errors (the corpus README's eighth-part ruling); a multi-line tuple is labelled on the
    line of its first name; the same handler around plain code stays."""
    found = rows("""\
        import aiohttp
        import websockets

        async def connect(url):
            try:
                ws = await websockets.connect(url)
            except ConnectionError as e:
                print(e)

        async def send(ws: aiohttp.ClientWebSocketResponse, text):
            try:
                await ws.send_str(text)
            except (
                    ConnectionResetError,
                    RuntimeError) as e:
                print(e)

        def plain(sock, data):
            try:
                sock.sendall(data)
            except ConnectionError:
                pass
        """)
    assert found[7] == found[14] == {"websocket"}
    assert not {13, 15, 21} & set(found)


def test_a_request_whose_match_info_is_read_is_aiohttps_server_request() -> None:
    """An old-style middleware factory's inner handler: ``request.match_info`` is a field only
    aiohttp's ``web.Request`` has, so ``request.app[KEY]`` is the Application's storage and
    ``hdrs`` the server's header names (http-server), in a file that imports aiohttp."""
    found = rows("""\
        from aiohttp import hdrs

        async def jsonapi_middleware(app, handler):
            async def middleware_handler(request):
                route_name = request.match_info.route.name
                namespace = request.app[JSONAPI]["routes_namespace"]
                request_ct = request.headers.get(hdrs.CONTENT_TYPE)
                return await handler(request)
            return middleware_handler
        """)
    assert found[1] == found[6] == found[7] == {"http-server"}


def test_a_parameter_typed_as_another_packages_class_is_that_packages_object() -> None:
    """``def from_requests(cls, response: requests.Response)`` beside ``from_aiohttp(cls,
    response: aiohttp.ClientResponse)``: the annotation says whose response each one is."""
    found = rows("""\
        import aiohttp
        import requests

        class Response:
            @classmethod
            def from_requests(cls, response: requests.Response):
                return cls(response.url, response.status_code, response.content)

            @classmethod
            async def from_aiohttp(cls, response: aiohttp.ClientResponse):
                return cls(response.url, response.status, await response.read())
        """)
    assert 7 not in found
    assert found[11] == {"aiohttp-client"}


def test_a_response_read_by_its_body_stream_is_aiohttps_without_the_import() -> None:
    """A watch loop handed its response by a caller, in a module that imports no aiohttp:
    ``await self.resp.content.readline()`` and ``self.resp.release()`` are aiohttp's shape
    alone (httpx iterates ``aiter_lines()`` and has no ``release``), so the response's other
    calls are the client's too; a file reading another object's ``content`` stays silent."""
    found = rows("""\
        class Watch:
            async def next(self):
                if self.resp is None:
                    self.resp = await self.func()
                line = await self.resp.content.readline()
                return line

            def close(self):
                self.resp.close()
                self.resp.release()
        """)
    assert found[5] == found[9] == found[10] == {"aiohttp-client"}
    assert not rows("""\
        async def lines(self):
            return await self.doc.content.readline()
        """)


def test_a_loop_parameter_filled_with_none_or_typed_none_is_the_loop_row() -> None:
    """``Pool(..., loop=None)`` and ``def create_pool(..., loop: None = None)``: the old loop
    parameter, kept and filled, changes as any loop handed on does; ``print(loop=None)`` shows
    nothing of a loop, and a file with no asyncio has no loop to hand."""
    found = rows("""\
        import asyncio

        async def make(dsn):
            pool = Pool(
                dsn=dsn,
                loop=None,
            )
            print("pool", loop=None)
            return pool

        def create_pool(dsn: str, loop: None = None):
            return make(dsn)
        """)
    assert found[6] == found[11] == {"loop"}
    assert 8 not in found
    assert not rows("""\
        def play(sound):
            sound.start(loop=None)
        """)



def test_create_task_of_an_object_the_file_makes_of_its_own_class_is_that_classs() -> None:
    """``service.create_task("repo", "spike")`` where the file makes ``service`` of a class of
    its own package (``TaskService(...)``), or annotates it so: that class's method, whatever
    asyncio calls its spawn (working panopticon-next's tests, 15 lines); a receiver the file
    says nothing of is still asyncio's spawn by its name."""
    found = rows("""\
        import asyncio
        from .service import TaskService

        async def test_create(store):
            service = TaskService(store)
            await service.create_task("repo", "spike")

        async def check(svc: TaskService):
            await svc.create_task("repo", "spike")

        async def spawn(hub, coro):
            hub.create_task(coro)
        """)
    assert 6 not in found and 9 not in found
    assert found[12] == {"create-task"}


def test_a_session_field_made_of_another_class_is_not_aiohttps_by_its_name() -> None:
    """``self.session = requests.Session()`` (or the package's own ``HttpSession(...)``) in a
    file that imports aiohttp for another method: the field's requests are that class's,
    however it is named (working restfull, python-rucaptcha, mod.io, minol: 27 lines); a
    field the file makes of nothing it knows is aiohttp's session by its name, and so is one
    made of a class the file defines (which may subclass aiohttp's). The request is awaited
    in an async def, as aiohttp's must be: made and kept in a plain def it would be a blocking
    client's whatever the field holds (tests/test_port_blocking_sessions_1207.py)."""
    source = """\
        import aiohttp
        import requests

        class Api:
            def __init__(self):
                self.session = {made}

            async def get(self, url):
                response = await self.session.get(url, timeout=5)
                return response.content

            async def fetch(self, url):
                async with aiohttp.ClientSession() as session:
                    async with session.get(url) as resp:
                        return await resp.text()

        class RetrySession(aiohttp.ClientSession):
            pass
        """
    for made in ("requests.Session()", "HttpSession(timeout=5)"):
        found = rows(source.format(made=made))
        assert 9 not in found and 10 not in found, made
        assert found[14] == {"aiohttp-client"}
    for made in ("make()", "RetrySession()"):
        found = rows(source.format(made=made))
        assert found[9] == found[10] == {"aiohttp-client"}, made


def test_a_patch_target_that_names_asyncio_or_a_library_takes_its_row() -> None:
    """``patch("aiohttp.ClientSession", ...)``, ``@patch("pkg.client.asyncio.sleep")``,
    ``patch("websockets.connect")``: a test's mock put in the place of an asyncio API or an
    asyncio-only library's is labelled with the row of what the target names (the corpus
    README's ruling on mocks; working aporthq-sdk-python, pdf-to-png-converter-mcp,
    python-pooldose, das-bridge and four more: 37 entries), on the line where the target is
    written; a target of the package's own, the module's ``asyncio`` itself, and a call that
    is no patch are not."""
    found = rows("""\
        from unittest.mock import AsyncMock, patch

        @patch("kis.client.asyncio.sleep", new_callable=AsyncMock)
        async def test_retry(sleep, mocker):
            with patch("aiohttp.ClientSession", return_value=AsyncMock()):
                pass
            with patch("websockets.connect") as connect:
                pass
            mocker.patch(
                "asyncio.open_connection", return_value=(None, None))
            with patch("kis.client.asyncio"), patch("kis.client.fetch"):
                pass
            print("asyncio.sleep")
            patch.dict("os.environ", {"asyncio.sleep": "1"})
        """)
    assert found[3] == {"sleep"} and found[5] == {"aiohttp-client"}
    assert found[7] == {"websocket"} and found[10] == {"streams"}
    assert 9 not in found and 11 not in found and 13 not in found and 14 not in found


def test_an_attribute_set_on_a_modules_asyncio_is_asyncios() -> None:
    """``monkeypatch.setattr(tools.asyncio, "sleep", fake)``, ``patch.object(asyncio,
    "wait_for")``, ``monkeypatch.setattr("pkg.tools.asyncio.sleep", fake)``: the mock takes the
    place of asyncio's own API, as the module imported it (working mcp-maestro's tests, 2
    lines); an attribute of the module itself, or one asyncio has no row for, is not."""
    found = rows("""\
        import asyncio
        from unittest.mock import patch
        from pkg import tools

        def test_throttle(monkeypatch, name):
            monkeypatch.setattr(tools.asyncio, "sleep", print)
            with patch.object(asyncio, "wait_for"):
                monkeypatch.setattr("pkg.tools.asyncio.sleep", print)
            monkeypatch.setattr(tools, "sleep", print)
            monkeypatch.setattr(tools.asyncio, name, print)
            monkeypatch.setattr(tools.asyncio, "version")
            monkeypatch.setattr(tools, "asyncio")
        """)
    assert found[6] == found[8] == {"sleep"} and found[7] == {"wait-for"}
    assert not {9, 10, 11, 12} & set(found)
