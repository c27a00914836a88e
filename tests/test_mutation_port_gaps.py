"""``walkthrough port`` (``names.py``, ``constructs.py``): the sampled survivors left last round.

``scripts/mutation.py`` on a random sample of 120 mutants of each module (seed 27, issue 27,
``docs/mutation.md``) left slips that no test noticed. Each test here is a short program in
the style real asyncio code has, scanned as a user's file, with the line the slip changes:

* where a class comes from: a class imported absolutely from the file's own package, or one
  the file names through an expression (``type(self).loop_class``), decides what an
  ``isinstance`` test narrows a name to;
* what a class keeps or is given: a name a subclass of an unlisted package's class stores on
  itself, a dataclass field's ``default_factory``, an asyncio object handed to ``self.method``;
* a search that must go on past an item that does not match: a second base class, a second
  ``return``, a second target of a chained assignment;
* how an annotation is spelled: ``tuple[...]`` in lowercase, a bare ``Optional``, a container
  annotation written as a string, a three-part ``asyncio.coroutines.iscoroutinefunction``;
* what ``constructs.py`` labels: a name of four parts whose first three have a row, a task
  awaited through ``wait_for(task, None)``, the name a bound request is kept under, a field
  kept on the loop, ``aiohttp.web`` named through ``aiohttp``, a ``hasattr`` of another
  attribute than ``__await__``.

And ``walkthrough.port.scan``'s own default: a source scanned without a path is named
``<source>``.

One more, ``await queue.put(task)`` making a queue of tasks, was a limit of the tool, not only
of its tests (:func:`test_an_awaited_put_of_a_task_makes_a_queue_of_tasks`, now passing).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.test_port_evidence import rows
from walkthrough import port
from walkthrough.port import names
from walkthrough.port.constructs import construct_of


def found(source: str, path: str = "case.py") -> dict[int, set[str]]:
    """Line → the constructs the tool names there."""
    lines: dict[int, set[str]] = {}
    for finding in port.scan(textwrap.dedent(source), path):
        lines.setdefault(finding.line, set()).add(finding.construct)
    return lines


# -- where a class comes from --------------------------------------------------------------------


def test_a_class_imported_absolutely_from_the_files_own_package_narrows_a_name() -> None:
    """``from mypkg.services import Services`` inside ``mypkg``: the package's own class, as
    ``from .services import Services`` is, so under ``isinstance(custom_loop, Services)`` the
    name is that object, not the loop it may be elsewhere (the else branch hands the loop on)."""
    source = """\
        import asyncio
        from {module} import Services

        class Adapter:
            def __init__(self, loop):
                self.loop = loop

        def make(custom_loop: asyncio.AbstractEventLoop | Services | None = None):
            if isinstance(custom_loop, Services):
                svc = custom_loop
            else:
                svc = Adapter(custom_loop)
            return start(svc)
        """
    for module in ("mypkg.services", ".services"):
        lines = found(source.format(module=module), "mypkg/adapter.py")
        assert 9 not in lines and 10 not in lines, module  # the package's own object
        assert lines[12] == {"loop passed"}, module


def test_a_class_named_through_an_expression_is_not_taken_for_a_plain_one() -> None:
    """``isinstance(loop, type(self).loop_class)``: the tool cannot tell what class that is
    (it may be asyncio's loop class itself), so the name stays the loop under the test."""
    lines = found("""\
        import asyncio

        class Runner:
            def start(self, loop=None):
                loop = loop or asyncio.get_event_loop()
                if isinstance(loop, type(self).loop_class):
                    loop.close()
        """)
    assert lines[7] == {"loop.close"}


# -- what a class keeps or is given --------------------------------------------------------------


def test_a_name_a_subclass_stores_on_itself_is_its_own_not_the_packages() -> None:
    """``class Book(ormkit.Model)`` with ``cls.cache = db.cache()``: ``Book.cache`` is a name
    the class stores itself, as one it defines is, so awaiting it shows nothing of the
    unlisted package's loop (an inherited ``Book.objects`` would)."""
    own = found("""\
        import asyncio
        import ormkit

        class Book(ormkit.Model):
            @classmethod
            def bind(cls, db):
                cls.cache = db.cache()

        async def main():
            await Book.cache.clear()
        """)
    assert own == {1: {"import asyncio"}}
    inherited = found("""\
        import asyncio
        import ormkit

        class Book(ormkit.Model):
            pass

        async def main():
            await Book.objects.clear()
        """)
    assert inherited[8] == {"lib:ormkit"}


def test_a_dataclass_fields_default_factory_gives_the_fields_kind() -> None:
    """``loop: Any = field(default_factory=asyncio.new_event_loop)``: with no annotation that
    says so, the factory says what ``self.loop`` holds."""
    lines = found("""\
        import asyncio
        from dataclasses import dataclass, field
        from typing import Any

        @dataclass
        class Worker:
            loop: Any = field(default_factory=asyncio.new_event_loop)

            def stop(self):
                self.loop.stop()
        """)
    assert lines[10] == {"loop.stop"}


def test_a_method_called_on_self_with_a_queue_gets_the_queue() -> None:
    """``await self.consume(inbox)``: the method's parameter is the queue it is handed."""
    lines = found("""\
        import asyncio

        class Server:
            async def start(self):
                inbox = asyncio.Queue()
                await self.consume(inbox)

            async def consume(self, inbox):
                while True:
                    item = await inbox.get()
                    inbox.task_done()
        """)
    assert lines[10] == {"queue.get"} and lines[11] == {"queue.task_done"}


# -- a search that must go on past an item that does not match -----------------------------------


def test_a_library_base_after_the_files_own_mixin_still_makes_the_librarys_object() -> None:
    """``class Bot(Logged, slixmpp.ClientXMPP)``: the first base is the file's own; the second
    makes an instance the library's object."""
    lines = found("""\
        import slixmpp

        class Logged:
            def log(self, text):
                print(text)

        class Bot(Logged, slixmpp.ClientXMPP):
            def finish(self):
                self.done = True

        bot = Bot("me@example.org")
        bot.register_plugin("xep_0070")
        bot.connect()
        bot.finish()
        """)
    assert lines[12] == {"lib:slixmpp"} and lines[13] == {"lib:slixmpp"}
    assert 14 not in lines  # the class's own method


def test_a_function_that_returns_none_on_one_path_still_returns_a_loop() -> None:
    """``return None`` when no loop runs, the running loop otherwise: what it returns, when
    it returns something, is the loop (the ``None`` is read first, from the handler)."""
    lines = found("""\
        import asyncio

        def running_loop():
            try:
                return asyncio.get_running_loop()
            except RuntimeError:
                return None

        def later(callback):
            current = running_loop()
            if current is not None:
                current.call_soon(callback)
        """)
    assert lines[12] == {"loop.call_soon"}


def test_a_pair_kept_both_in_locals_and_on_self_is_followed_in_both() -> None:
    """``transport, protocol = self.transport, self.protocol = await connecting``: the chained
    assignment binds the pair twice; the second target is the pair too."""
    lines = found("""\
        import asyncio

        class Client:
            async def dial(self, loop, factory):
                connecting = loop.create_connection(factory, "127.0.0.1", 8888)
                transport, protocol = self.transport, self.protocol = await connecting
                transport.write(b"hi")

            def close(self):
                self.transport.close()
        """)
    assert lines[7] == {"transport"} and lines[10] == {"transport"}


# -- how an annotation is spelled ----------------------------------------------------------------


def test_a_lowercase_tuple_return_annotation_gives_its_parts_kinds() -> None:
    """``-> tuple[asyncio.StreamReader, asyncio.StreamWriter]`` (PEP 585) as ``Tuple[...]``:
    ``reader, writer = await self._open()`` are the streams."""
    source = """\
        import asyncio
        from typing import Tuple

        class Client:
            async def _open(self) -> {spelling}[asyncio.StreamReader, asyncio.StreamWriter]:
                return await asyncio.open_connection("127.0.0.1", 8888)

            async def hello(self):
                reader, writer = await self._open()
                writer.write(b"hi")
                return await reader.readline()
        """
    for spelling in ("tuple", "Tuple"):
        lines = found(source.format(spelling=spelling))
        assert lines[10] == {"stream"} and lines[11] == {"stream.readline"}, spelling


def test_a_bare_optional_annotation_names_no_class_of_the_files() -> None:
    """``waiter: Optional`` (or ``Union``): typing's word, not a class of the file's, so the
    name may be asyncio's future, and ``set_result`` says it is; ``waiter: Reply`` is the
    file's own."""
    source = """\
        import asyncio
        from typing import Optional

        def resolve(waiter: {annotation}, value):
            if waiter is not None and not waiter.done():
                waiter.set_result(value)
        """
    for word in ("Optional", "Union"):
        assert found(source.format(annotation=word))[6] == {"future.set_result"}, word
    assert 6 not in found(source.format(annotation="Reply"))


def test_a_container_annotation_written_as_a_string_is_read_as_its_expression() -> None:
    """``self.jobs: "set[Job]"`` (a forward reference) holds the file's own ``Job``, as the
    unquoted ``set[Job]`` does: ``job.cancel()`` over it is not a task's."""
    lines = found("""\
        import asyncio

        class Job:
            def cancel(self) -> None:
                pass

        class Registry:
            def __init__(self) -> None:
                self.jobs: "set[Job]" = set()

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
    assert 13 not in lines and 17 not in lines
    assert lines[20] == {"asyncio.create_task"} and lines[21] == {"task.cancel"}


def test_asyncio_s_iscoroutinefunction_named_by_its_module_path_is_still_inspects() -> None:
    """``is_coro = asyncio.coroutines.iscoroutinefunction``: a drop-in for inspect's, however
    it is reached, so the alias line is the whole port and its calls need no row."""
    lines = found("""\
        import asyncio
        import asyncio.coroutines

        is_coro = asyncio.coroutines.iscoroutinefunction

        def wrap(fn):
            if is_coro(fn):
                return fn
            raise TypeError("not a coroutine function")
        """)
    assert lines[4] == {"asyncio.iscoroutinefunction"}
    assert 7 not in lines


# -- what constructs.py labels -------------------------------------------------------------------


def test_a_name_longer_than_a_row_takes_the_longest_prefix_that_has_one() -> None:
    """``asyncio.Task.current_task.__func__`` (a 3.6 compatibility shim) is the current-task
    row's name read further, not ``asyncio.Task``'s."""
    assert construct_of("asyncio.Task.current_task.__func__") == "asyncio.Task.current_task"
    lines = found("""\
        import asyncio

        def task_getter():
            return getattr(asyncio, "current_task", None) or asyncio.Task.current_task.__func__
        """)
    assert lines[4] == {"asyncio.Task.current_task"}


def test_a_task_awaited_through_wait_for_without_a_timeout_retypes_its_annotation() -> None:
    """``await asyncio.wait_for(task, None)`` awaits the task: the parameter's annotation takes
    that row (task-result), as for ``await task``; a field's, awaited where the object stops,
    is a service's."""
    found_rows = rows("""\
        import asyncio

        async def finish(task: asyncio.Task[None]) -> None:
            await asyncio.wait_for(task, None)

        class Job:
            def __init__(self) -> None:
                self.task: asyncio.Task[None] | None = None

            async def join(self) -> None:
                await asyncio.wait_for(self.task, None)
        """)
    assert found_rows[3] == {"task-result"} and found_rows[4] == {"task-result"}
    assert found_rows[8] == {"task-result", "service"}


def test_the_name_a_bound_request_is_kept_under_is_no_finding() -> None:
    """``self._post = functools.partial(self.session.post, ...)`` over two lines: the session is
    named on the second, and the field that keeps the bound method is the file's own name."""
    lines = found("""\
        import functools
        import aiohttp

        class Api:
            def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
                self.session = session
                self._post = functools.partial(
                    self.session.post, url, raise_for_status=True)

            async def send(self, data: bytes) -> int:
                async with self._post(data=data) as resp:
                    return resp.status
        """)
    assert 7 not in lines
    assert lines[8] == {"session"} and lines[11] == {"session"}


def test_a_field_kept_on_the_loop_is_the_loops() -> None:
    """``loop.server = ...``: an object kept on the loop, read and stored as the loop's field,
    beside what the server itself does."""
    lines = found("""\
        import asyncio

        def serve(loop, factory):
            loop.server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", 80))
            try:
                loop.run_forever()
            finally:
                loop.server.close()
                loop.close()
        """)
    assert "loop.server" in lines[4] and lines[8] == {"loop.server", "lowserver.close"}


def test_aiohttp_web_named_through_import_aiohttp_gives_the_import_line_the_servers_row() -> None:
    """``import aiohttp`` and then only ``aiohttp.web.HTTPNotFound``: the import line carries
    the server's row (http-server) too, as after ``from aiohttp import web``."""
    found_rows = rows("""\
        import aiohttp

        async def handle(request):
            raise aiohttp.web.HTTPNotFound(text="no such page")
        """)
    assert found_rows[1] == {"aiohttp-client", "http-server"}
    assert found_rows[4] == {"http-server"}


def test_a_hasattr_test_of_another_attribute_is_no_duck_typed_await() -> None:
    """``if hasattr(job, "cancel"): ... await job``: only ``hasattr(x, "__await__")`` (or
    ``isawaitable``) says the code awaits whatever it was given; here the task is awaited."""
    lines = found("""\
        import asyncio

        async def stop(job: asyncio.Task[None]) -> None:
            if hasattr(job, "cancel"):
                job.cancel()
                await job
        """)
    assert "await task" in lines[6]
    duck = found("""\
        import asyncio

        async def stop(job: asyncio.Task[None]) -> None:
            if hasattr(job, "__await__"):
                await job
        """)
    assert 5 not in duck



# -- walkthrough.port.scan ----------------------------------------------------------------------


def test_a_source_scanned_without_a_path_is_named_source_in_its_findings_and_errors() -> None:
    """``scan(text)`` (a notebook cell, a docs example): no file, so every finding and a parse
    error name ``<source>``, as Python names ``<string>``, never a path on disk."""
    assert {finding.path for finding in port.scan("import asyncio\nasyncio.run(main())\n")} \
        == {"<source>"}
    with pytest.raises(port.PortError, match=r"^<source>:1:7: cannot parse"):
        port.scan("def f(:\n")


# -- the second sample (seed 28) -----------------------------------------------------------------


def test_start_server_hands_its_streams_to_a_callback_named_by_keyword_or_a_method() -> None:
    """``start_server(client_connected_cb=handle)`` and ``start_server(self.handle)``: the
    callback's two parameters (after ``self``) are the reader and the writer."""
    keyword = found("""\
        import asyncio

        async def handle(reader, writer):
            data = await reader.readline()
            writer.write(data)

        async def main():
            server = await asyncio.start_server(client_connected_cb=handle, port=8888)
            await server.serve_forever()
        """)
    assert keyword[4] == {"stream.readline"} and keyword[5] == {"stream"}
    method = found("""\
        import asyncio

        class Server:
            async def start(self):
                self.server = await asyncio.start_server(self.handle, "127.0.0.1", 8888)

            async def handle(self, reader, writer):
                data = await reader.readline()
                writer.write(data)
        """)
    assert method[8] == {"stream.readline"} and method[9] == {"stream"}


def test_a_protocol_made_by_a_lambda_gets_the_transport_without_an_asyncio_base() -> None:
    """``create_connection(lambda: EchoClient("hi"), ...)``: the class the lambda calls is the
    protocol (duck-typed, no ``asyncio.Protocol`` base), so ``connection_made`` gets the
    transport."""
    lines = found("""\
        import asyncio

        class EchoClient:
            def __init__(self, message):
                self.message = message

            def connection_made(self, transport):
                transport.write(self.message.encode())

        async def main():
            loop = asyncio.get_running_loop()
            await loop.create_connection(lambda: EchoClient("hi"), "127.0.0.1", 8888)
        """)
    assert lines[8] == {"transport"}


def test_a_future_in_an_exception_handlers_context_dict_is_a_future() -> None:
    """``loop.call_exception_handler({"message": ..., "future": fut})``: the handler's
    ``context["future"]`` is that future (asyncio's documented context keys)."""
    lines = found("""\
        import asyncio

        def report(loop):
            fut = loop.create_future()
            loop.call_exception_handler({"message": "boom", "future": fut})

        def handler(loop, context):
            context["future"].cancel()
        """)
    assert lines[8] == {"future.cancel"}


def test_only_a_done_callbacks_first_parameter_is_the_task() -> None:
    """``def on_done(task, log=logger)`` added to a task: ``task`` is handed the task, ``log``
    keeps its default; ``log.exception(...)`` is logging's, not the task's."""
    lines = found("""\
        import asyncio
        import logging

        def on_done(task, log=logging.getLogger(__name__)):
            if task.exception() is not None:
                log.exception("task failed")

        async def main(coro):
            task = asyncio.create_task(coro)
            task.add_done_callback(on_done)
        """)
    assert lines[5] == {"task.exception"} and 6 not in lines


def test_an_isinstance_test_against_asyncios_own_class_keeps_the_name_asyncios() -> None:
    """``isinstance(loop, asyncio.SelectorEventLoop)``: under the test the name is still the
    loop (a narrower one), unlike a standard-library or the file's own class."""
    lines = found("""\
        import asyncio

        def read_later(loop, sock, callback):
            if isinstance(loop, asyncio.SelectorEventLoop):
                loop.add_reader(sock, callback)
        """)
    assert lines[5] == {"loop.add_reader"}


def test_a_field_annotated_as_the_packages_own_class_or_none_is_that_class() -> None:
    """``self.reader: TelnetReader | None`` with ``TelnetReader`` imported relatively: the
    package's own reader, so its ``feed_eof()`` is not asyncio's StreamReader's, as with
    ``Optional[TelnetReader]``."""
    source = """\
        import asyncio
        from typing import Optional
        from .stream_reader import TelnetReader

        class Client:
            def __init__(self):
                self.reader: {annotation} = None

            def eof_received(self):
                self.reader.feed_eof()
        """
    for annotation in ("TelnetReader | None", "Optional[TelnetReader]"):
        assert 10 not in found(source.format(annotation=annotation), "telnetlib3/client.py"), \
            annotation


def test_a_private_module_awaited_in_an_asyncio_program_is_no_library() -> None:
    """``import _impl``: a leading underscore names the project's own private module, so
    awaiting what it gives is no evidence of an asyncio-only library."""
    lines = found("""\
        import asyncio
        import _impl

        async def main():
            client = _impl.Client()
            await client.fetch("x")

        asyncio.run(main())
        """)
    assert lines == {1: {"import asyncio"}, 8: {"asyncio.run"}}


def test_a_source_scanned_without_a_path_never_looks_beside_the_working_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``scan(text)`` has no file, so an ``ormkit.py`` in the working folder does not make
    ``import ormkit`` the project's own module: the awaited package is evidence, as it is
    anywhere else."""
    (tmp_path / "ormkit.py").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    source = textwrap.dedent("""\
        import asyncio
        import ormkit

        async def main():
            db = await ormkit.connect("db")
            await db.close()

        asyncio.run(main())
        """)
    lines = {f.line: f.construct for f in port.scan(source)}
    assert lines[5] == "lib:ormkit" and lines[6] == "lib:ormkit"


def test_a_task_on_one_objects_field_says_nothing_of_another_objects_field() -> None:
    """``mine.task = asyncio.create_task(...)``, then ``other.task.cancel()``: a reference keeps
    the object it is read from (only ``self``/``cls`` stand for the class's every instance),
    so the other object's field is not the task, nor its cancel a service's."""
    lines = found("""\
        import asyncio

        class Holder:
            pass

        async def main(coro, other):
            mine = Holder()
            mine.task = asyncio.create_task(coro)
            other.task.cancel()
        """)
    assert lines[8] == {"asyncio.create_task"} and 9 not in lines


def test_a_submodule_named_aiohttp_something_is_named_for_async_io() -> None:
    """``aiohttp_client``, like ``async_client`` and ``asyncio_compat``."""
    assert all(names._async_named(part)
               for part in ("aiohttp_client", "async_client", "asyncio_compat"))
    assert not names._async_named("http_client")


def test_a_zero_sleep_is_a_checkpoint_not_a_timed_sleep() -> None:
    """``await asyncio.sleep(0)``: a yield to the loop (trio.lowlevel.checkpoint), its own
    construct, not the sleep row's."""
    assert found("""\
        import asyncio

        async def spin():
            while True:
                await asyncio.sleep(0)
        """)[5] == {"asyncio.sleep(0)"}


def test_an_unlisted_package_handed_a_loop_keyword_is_asyncio_only() -> None:
    """``ormkit.Pool("db", loop=loop)``: asyncio's old convention for handing an object its
    loop, so the package is asyncio's (evidence), at its import and its use."""
    lines = rows("""\
        import asyncio
        import ormkit

        async def main():
            loop = asyncio.get_running_loop()
            pool = ormkit.Pool("db", loop=loop)
            return pool
        """)
    assert lines[2] == {"asyncio-only-lib"} and "asyncio-only-lib" in lines[6]


def test_asyncios_incomplete_read_caught_around_a_stream_read_is_the_streams_row() -> None:
    """``except asyncio.IncompleteReadError`` around ``reader.readexactly``: Trio's streams
    signal a gone peer otherwise, so the handler changes (as for a bare ConnectionError)."""
    lines = found("""\
        import asyncio

        async def read_frame(reader: asyncio.StreamReader) -> bytes | None:
            try:
                return await reader.readexactly(4)
            except asyncio.IncompleteReadError:
                return None
        """)
    assert "except ConnectionError" in lines[6]


def test_a_backport_imported_where_a_submodule_of_asyncio_is_missing_is_asyncios() -> None:
    """``try: from asyncio.taskgroups import TaskGroup`` ``except ModuleNotFoundError: from
    taskgroup import TaskGroup``: the fallback line is asyncio's TaskGroup too."""
    lines = found("""\
        try:
            from asyncio.taskgroups import TaskGroup
        except ModuleNotFoundError:
            from taskgroup import TaskGroup

        async def main(jobs):
            async with TaskGroup() as tg:
                for job in jobs:
                    tg.create_task(job())
        """)
    assert "asyncio.TaskGroup" in lines[4]


def test_an_aiohttp_error_caught_after_another_handler_still_has_its_fields_found() -> None:
    """``except ValueError`` first, then ``except aiohttp.ClientResponseError as err``:
    ``err.status`` (httpx spells it ``err.response.status_code``) is still a finding."""
    lines = found("""\
        import aiohttp

        async def fetch(session: aiohttp.ClientSession, url):
            try:
                async with session.get(url) as resp:
                    return await resp.json()
            except ValueError as bad:
                print(bad.args)
            except aiohttp.ClientResponseError as err:
                print(err.status)
        """)
    assert lines[10] == {"response"} and 8 not in lines


def test_a_handler_around_the_files_own_wait_under_timeout_at_is_asyncios_timeout() -> None:
    """``async with asyncio.timeout_at(deadline)`` inside ``_connect``: ``except
    TimeoutError`` around a call of it catches asyncio's timeout (as for ``timeout``)."""
    lines = found("""\
        import asyncio

        class Device:
            async def _connect(self, deadline):
                async with asyncio.timeout_at(deadline):
                    await asyncio.sleep(1)

            async def run(self, deadline):
                try:
                    await self._connect(deadline)
                except TimeoutError:
                    return None
        """)
    assert lines[11] == {"TimeoutError"}


def test_a_base_class_imported_absolutely_from_the_files_own_package_owns_its_methods() -> None:
    """``from mypkg.base import Service`` in ``mypkg/client.py``: ``self.create_task`` in a
    subclass is the package's own wrapper (its port changes where it is defined), as after
    ``from .base import Service``."""
    source = """\
        import asyncio
        from {module} import Service

        class Client(Service):
            def start(self, coro):
                self.create_task(coro)
        """
    for module in ("mypkg.base", ".base"):
        assert 6 not in found(source.format(module=module), "mypkg/client.py"), module


def test_a_list_that_keeps_tasks_alive_until_they_end_is_a_task_set() -> None:
    """``self._tasks.append(task)`` with ``task.add_done_callback(self._tasks.remove)``: the
    list keeps each task alive until it ends (a nursery's job), as a set with ``add`` and
    ``discard`` does."""
    lines = rows("""\
        import asyncio

        class Spawner:
            def __init__(self):
                self._tasks = []

            def spawn(self, coro):
                task = asyncio.create_task(coro)
                self._tasks.append(task)
                task.add_done_callback(self._tasks.remove)
        """)
    assert lines[9] == {"task-set"}


def test_a_library_that_serves_http_makes_aiohttps_header_names_the_servers() -> None:
    """``@aiohttp_jinja2.template(...)`` (an aiohttp server's library, the http-server row) and
    ``hdrs.ORIGIN``, with no aiohttp client in the file: the header names are the server's."""
    lines = found("""\
        import aiohttp_jinja2
        from aiohttp import hdrs

        @aiohttp_jinja2.template("index.html")
        async def index(request):
            return {"origin": request.headers.get(hdrs.ORIGIN)}
        """)
    assert lines[1] == {"lib:aiohttp_jinja2"} and lines[4] == {"lib:aiohttp_jinja2"}
    assert lines[2] == {"aiohttp.web"} and lines[6] == {"aiohttp.web"}


def test_an_uncalled_library_decorator_is_named_by_its_library() -> None:
    """``@client.event`` on a discord.py client: the decorator is the library's API, named as
    the library (``lib:discord``) like the client's other lines, not by the method's path."""
    lines = found("""\
        import discord

        client = discord.Client(intents=discord.Intents.default())

        @client.event
        async def on_ready():
            print("ready")
        """)
    assert lines[3] == {"lib:discord"} and lines[5] == {"lib:discord"}


def test_a_task_annotation_takes_the_row_of_what_is_done_with_the_task_most_often() -> None:
    """``task: asyncio.Task[None]`` cancelled twice and asked ``done()`` once: the annotation
    changes for the cancelling (task-cancel), the most frequent use, whatever the rows' names."""
    found_rows = rows("""\
        import asyncio

        async def stop_hard(task: asyncio.Task[None]) -> None:
            task.cancel()
            await asyncio.sleep(0)
            if not task.done():
                task.cancel()
        """)
    assert found_rows[3] == {"task-cancel"}


def test_a_stream_method_on_a_process_pipe_is_the_processs() -> None:
    """``await proc.stdout.readuntil(b"\\n")``: a method only a StreamReader has, but on a
    pipe the tool already knows (the process's stdout), so it is the subprocess row's, not
    the bare stream's."""
    lines = found("""\
        import asyncio

        async def first_line(cmd):
            proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.PIPE)
            line = await proc.stdout.readuntil(b"\\n")
            await proc.wait()
            return line
        """)
    assert lines[5] == {"process.stdout"}


def test_asyncios_timeout_caught_around_a_responses_read_is_aiohttps_own_timeout() -> None:
    """``except asyncio.TimeoutError`` around ``await resp.read()`` alone (no asyncio timeout
    in the block): what raises it is aiohttp's own timeout, the client's row, not asyncio's."""
    lines = found("""\
        import asyncio
        import aiohttp

        async def body(resp: aiohttp.ClientResponse) -> bytes | None:
            try:
                return await resp.read()
            except asyncio.TimeoutError:
                return None
        """)
    assert lines[7] == {"aiohttp"}

# -- once a limit of the tool ---------------------------------------------------------------------


def test_an_awaited_put_of_a_task_makes_a_queue_of_tasks() -> None:
    """``await self.done.put(task)`` (put is a coroutine: the usual spelling) should make what
    ``get()`` gives a task, as ``put_nowait(task)`` does (tests/test_port_constructs.py)."""
    lines = found("""\
        import asyncio

        class Pool:
            def __init__(self):
                self.done = asyncio.Queue()

            async def submit(self, coro):
                task = asyncio.create_task(coro)
                await self.done.put(task)

            async def reap(self):
                finished = await self.done.get()
                finished.cancel()
        """)
    assert lines[13] == {"task.cancel"}
