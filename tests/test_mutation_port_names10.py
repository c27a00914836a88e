"""``walkthrough port`` (``names.py``): the survivors of seed 37's sample (issue 24).

An eleventh random sample of 240 of ``names.py``'s mutants (seed 37, ``docs/mutation.md``,
"``walkthrough/port/names.py`` (SAMPLED, seed 37)"), the first of the module as it stands
after ``38345b1``, left 8 real slips no test noticed. Each test here is a short program in the
style of real asyncio code, scanned as a user's file, with the findings the slip changes. The
line numbers are of ``4d45cb8`` (``names.py`` as at ``38345b1``, unchanged since), where the
sample was run:

* where a name comes from: a task kept in a dict on another object's field, a queue a
  classmethod's factory makes, a message a library's queue hands back;
* what narrows a name: ``isinstance`` with a tuple of the file's own classes;
* what a callback is handed: a library's consumer callback with a parameter of its own;
* what a response is: a server's stream response made by the package's helper;
* what a container holds: a one-class subscript with a trailing comma, which must not stop
  the scan.

Left without a test: ``:442`` (``path_packages``, ``path.startswith("<")`` →
``startswith("XX<XX")``): only a file scanned under a folder whose name starts with ``<``
(``<gen>/aiocache/decorators.py``) tells them apart, and there the mutant takes the file for
aiocache's own module as it does for ``aiocache/decorators.py``: its answer is as good as the
tool's or better, and the tool's own names (``<stdin>``, ``<source>``) give the same findings
with both. Pinning the tool's answer would pin the worse one.
"""

from __future__ import annotations

from tests.test_mutation_port_gaps import found

# -- where a name comes from ----------------------------------------------------------------------


def test_a_task_kept_in_a_dict_on_another_objects_field_is_a_task() -> None:
    """``self.registry.tasks[name] = asyncio.create_task(coro)``: a supervisor keeps its tasks
    in a registry object it shares (with an admin API, say), so the dict is a field of a field.
    ``self.registry.tasks[name].cancel()`` is the same task, and the ``task-cancel`` line a user
    ports to a cancel scope. A slip that reads the subscripted name only when it is a bare name
    (``names.py:513``, ``isinstance(value, ast.Attribute)`` ``and False``) loses the line: the
    user is not told where the task is stopped."""
    lines = found("""\
        import asyncio


        class Registry:
            \"\"\"What the app runs, by name: shared by the supervisor and the admin API.\"\"\"

            def __init__(self):
                self.tasks = {}


        class Supervisor:
            def __init__(self, registry: Registry):
                self.registry = registry

            def start(self, name, coro):
                self.registry.tasks[name] = asyncio.create_task(coro)

            def stop(self, name):
                self.registry.tasks[name].cancel()
                del self.registry.tasks[name]
        """)
    assert lines[16] == {"asyncio.create_task", "service"}
    assert lines[19] == {"service", "task.cancel"}


def test_a_queue_a_classmethods_factory_makes_is_a_queue() -> None:
    """``queue = cls.make_queue()`` in a classmethod, ``make_queue`` annotated
    ``-> asyncio.Queue`` so subclasses can pick a bounded or priority queue: what ``cls``'s
    factory makes is the queue, as ``self.make_queue()`` would be, and its ``put``, ``empty``
    and ``get`` are the ``queue`` lines a user swaps for a memory channel. A slip in the
    spelling of ``cls`` (``names.py:573``, ``"cls"`` → ``"CLS"``) loses all three."""
    lines = found("""\
        import asyncio


        class Pipeline:
            \"\"\"Feeds items through a bounded queue; subclasses pick the queue.\"\"\"

            @classmethod
            def make_queue(cls) -> asyncio.Queue:
                return asyncio.Queue(maxsize=100)

            @classmethod
            async def run(cls, items, handle):
                queue = cls.make_queue()
                for item in items:
                    await queue.put(item)
                while not queue.empty():
                    await handle(await queue.get())
        """)
    assert lines[8] == {"asyncio.Queue"}
    assert lines[15] == {"queue.put"}
    assert lines[16] == {"queue.empty"}
    assert lines[17] == {"queue.get"}


def test_a_message_a_librarys_queue_hands_back_is_the_librarys() -> None:
    """aio_pika's "get one message" recipe: ``message = await queue.get(timeout=5,
    fail=False)`` on a RabbitMQ queue, then ``await message.ack()``. The queue is aio_pika's,
    not asyncio's, so what its ``get`` returns is aio_pika's message, and acking it is one more
    line that ties the program to an asyncio-only library. A slip that takes any ``get`` for an
    asyncio queue's (``names.py:602``, ``kind == "queue"`` ``or`` the method) asks the (empty)
    table of what the queue holds instead, and the ack line is lost."""
    lines = found("""\
        import asyncio

        import aio_pika


        async def fetch_one(url: str) -> bytes | None:
            connection = await aio_pika.connect_robust(url)
            async with connection:
                channel = await connection.channel()
                queue = await channel.declare_queue("reports", durable=True)
                message = await queue.get(timeout=5, fail=False)
                if message is None:
                    return None
                await message.ack()
                return message.body


        asyncio.run(fetch_one("amqp://guest:guest@localhost/"))
        """)
    assert lines[11] == {"lib:aio_pika"}
    assert lines[14] == {"lib:aio_pika"}


# -- what narrows a name --------------------------------------------------------------------------


def test_isinstance_with_a_tuple_of_the_files_own_classes_narrows_the_loop() -> None:
    """``if isinstance(loop, (TornadoLoop, QtLoop)):``: under the test the name is one of the
    file's own adapters, whose ``call_soon`` is theirs, so ``adapter.call_soon(callback)`` is
    no asyncio call; only the ``else`` branch's ``loop.call_soon_threadsafe`` is. A slip that
    reads the tuple as one type (``names.py:1194``, ``isinstance(..., ast.Tuple)`` ``and
    False``) narrows nothing and tells the user to port the adapter's own method, a false
    ``loop.call_soon`` finding (one class, not a tuple, is unaffected)."""
    source = """\
        import asyncio


        class TornadoLoop:
            \"\"\"An adapter: runs callbacks on Tornado's IOLoop.\"\"\"

            def call_soon(self, callback, *args):
                callback(*args)


        class QtLoop(TornadoLoop):
            \"\"\"The same for a Qt application's event loop.\"\"\"


        def schedule(callback, loop=None):
            loop = loop or asyncio.get_event_loop()
            if isinstance(loop, {types}):
                adapter = loop
                adapter.call_soon(callback)
            else:
                loop.call_soon_threadsafe(callback)
        """
    for types in ("(TornadoLoop, QtLoop)", "TornadoLoop"):
        lines = found(source.format(types=types))
        assert 19 not in lines, types
        assert lines[16] == {"asyncio.get_event_loop", "loop passed"}
        assert lines[21] == {"loop.call_soon_threadsafe"}


# -- what a callback is handed --------------------------------------------------------------------


def test_a_library_consumers_own_parameter_is_not_the_librarys() -> None:
    """``await queue.consume(on_message)`` with ``async def on_message(message, log=logger)``:
    aio_pika hands its consumer one object, the message; ``log`` is the module's logger, bound
    by default. So ``message.process()`` is aio_pika's and ``log.info(...)`` is not. A slip in
    the count (``names.py:1431``, 1 → 2: the branch after seed 36's ``:1353``, whose test does
    not reach it) hands the logger the library's kind too: a false ``lib:aio_pika`` finding on
    the logging line."""
    lines = found("""\
        import asyncio
        import logging

        import aio_pika

        logger = logging.getLogger("worker")


        async def on_message(message, log=logger):
            async with message.process():
                log.info("got %r", message.body)


        async def main():
            connection = await aio_pika.connect_robust("amqp://guest:guest@localhost/")
            channel = await connection.channel()
            queue = await channel.declare_queue("jobs")
            await queue.consume(on_message)
            await asyncio.Future()


        asyncio.run(main())
        """)
    assert lines[10] == {"lib:aio_pika"}
    assert 11 not in lines
    assert lines[18] == {"lib:aio_pika"}


# -- what a response is ---------------------------------------------------------------------------


def test_a_servers_stream_response_is_no_client_response() -> None:
    """An aiohttp server's server-sent events: ``response = await open_event_stream(request)``
    (the package's helper, which prepares a ``web.StreamResponse``), then ``await
    response.write(...)`` and ``await response.write_eof()``. Only a body awaited (``json``,
    ``text``, ``read``) makes a ``response`` the client's; a server's response written to is
    the server side (the ``http-server`` row, as ``web`` is). A slip that takes any awaited
    method for a body (``names.py:1746``, ``and`` → ``or``) makes the writes, and the import,
    three false ``aiohttp-client`` findings: the user is told to port an HTTP client they do
    not have."""
    lines = found("""\
        from aiohttp import web

        from .sse import open_event_stream


        async def events(request):
            response = await open_event_stream(request)
            await response.write(b"data: hello\\n\\n")
            await response.write_eof()
            return response


        app = web.Application()
        app.router.add_get("/events", events)
        """, "app/views.py")
    assert lines == {1: {"aiohttp.web", "web"}, 13: {"aiohttp.web"}, 14: {"web"}}


# -- what a container holds -----------------------------------------------------------------------


def test_a_one_class_subscript_with_a_trailing_comma_does_not_stop_the_scan() -> None:
    """``self.running: set[BackgroundJob,]`` (here wrapped as a formatter leaves a long one,
    the comma kept): the same type as ``set[BackgroundJob]``, a set of the package's jobs, so
    adding a future to it is no set of tasks. The subscript is a one-element tuple; a slip that
    reads its second element rather than its last (``names.py:1817``, ``elts[-1]`` →
    ``elts[+1]``) raises ``IndexError`` and the user gets a traceback instead of the file's
    findings."""
    lines = found("""\
        import asyncio

        from models import BackgroundJob


        class Pool:
            def __init__(self):
                self.running: set[
                    BackgroundJob,
                ] = set()

            def spawn(self, job):
                self.running.add(asyncio.ensure_future(job.run()))
        """)
    assert lines == {1: {"import asyncio"}, 13: {"asyncio.ensure_future"}}
