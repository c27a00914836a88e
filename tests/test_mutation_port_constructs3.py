"""``walkthrough port`` (``constructs.py``): the module's untested corners, found as a whole.

Issue 27 asks every shipped module to score at least 90% under mutation. Three random samples
of ``constructs.py``'s mutants (seeds 27, 28, 29, ``docs/mutation.md``) each had tests written
for their survivors, yet each fresh sample still found new corners no test looked at: a
sample's survivors are a few of the module's gaps, not all of them. So this file starts from
the module itself: what branch coverage shows no unit test reaching, and then every mutant of
the functions with the most survivors (not a sample), each survivor judged equivalent or
tested here.

Each test is a short program in the style real asyncio code has, scanned as a user's file,
with the exact lines and constructs (or rows) the tool reports, or that it reports none.
"""

from __future__ import annotations

import ast
import textwrap

from tests.test_mutation_port_gaps import found
from walkthrough.port.constructs import statements

# -- what coverage showed no test reaching -------------------------------------------------------


def test_a_task_annotation_with_nothing_done_to_the_task_keeps_the_create_task_row() -> None:
    """``def watch(task: asyncio.Task)`` that only prints it, and ``-> asyncio.Task`` on a
    method that hands out a task it keeps: no use of the task says what else the annotation
    is for, so it stays asyncio's Task (create-task), not a row of some use."""
    lines = found("""\
        import asyncio

        async def watch(task: asyncio.Task) -> None:
            print(task)

        class Job:
            def current(self) -> asyncio.Task:
                return self._task
        """)
    assert lines == {1: {"import asyncio"}, 3: {"asyncio.Task"}, 7: {"asyncio.Task"}}


def test_a_loggers_use_after_importing_it_from_asyncio_log_is_plain_logging() -> None:
    """``from asyncio.log import logger``: the import names asyncio's module, but the logger
    is a ``logging.Logger``: kept (``log = logger``) or called (``logger.info(...)``), it is
    the same in a port."""
    lines = found("""\
        import asyncio
        from asyncio.log import logger

        async def main():
            log = logger
            logger.info("start")
            await asyncio.sleep(1)
        """)
    assert lines == {1: {"import asyncio"}, 2: {"asyncio.log"}, 7: {"asyncio.sleep"}}


def test_what_a_call_from_a_thread_into_the_loop_raises() -> None:
    """``except RuntimeError`` around ``call_soon_threadsafe`` or ``run_coroutine_threadsafe``
    (the loop closed while the thread waited) stays: Trio's ``RunFinishedError`` is a
    ``RuntimeError``; ``except futures.TimeoutError`` (``from concurrent import futures``)
    around the wait for the result has no Trio counterpart (``trio.from_thread.run`` has no
    timeout); an ``except Exception`` beside them stays."""
    lines = found("""\
        import asyncio
        from concurrent import futures

        def stop(loop, server):
            try:
                loop.call_soon_threadsafe(server.close)
            except RuntimeError:
                pass

        def call(coro, loop):
            try:
                return asyncio.run_coroutine_threadsafe(coro, loop).result(5)
            except futures.TimeoutError:
                return None
            except Exception:
                raise
        """)
    assert lines == {1: {"import asyncio"}, 4: {"loop passed"},
                     # (no line 7: trio.RunFinishedError subclasses RuntimeError, T10b)
                     6: {"loop.call_soon_threadsafe"},
                     10: {"loop passed"},
                     12: {"asyncio.run_coroutine_threadsafe", "cfuture.result", "loop passed"},
                     13: {"except TimeoutError from a thread"}}


def test_a_task_set_annotated_in_quotes_is_found_on_its_line() -> None:
    """``self.tasks: "set[asyncio.Task[None]]" = set()``: a container of tasks written as a
    string (no name in the tree to put the finding on) is found on the annotation's line."""
    lines = found("""\
        import asyncio

        class Pool:
            def __init__(self):
                self.tasks: "set[asyncio.Task[None]]" = set()
        """)
    assert lines == {1: {"import asyncio"}, 5: {"asyncio.Task", "task set"}}


def test_a_callback_added_to_an_asyncio_only_librarys_signal_list_is_a_use_of_it() -> None:
    """``client.on_connect.append(cb)`` on an aiomqtt client is a callback set on the
    library's object (as aiohttp's ``on_request_start``); the same edit of an ``on_*`` list on
    a queue or a task of asyncio's (no such list: a field the program keeps) is nothing."""
    lines = found("""\
        import asyncio
        import aiomqtt

        async def on_connect(client):
            pass

        async def main():
            client = aiomqtt.Client("broker")
            client.on_connect.append(on_connect)
            q = asyncio.Queue()
            q.on_put.append(print)
        """)
    assert lines == {1: {"import asyncio"}, 2: {"lib:aiomqtt"}, 8: {"lib:aiomqtt"},
                     9: {"lib:aiomqtt"}, 10: {"asyncio.Queue"}}


def test_a_type_comment_that_does_not_parse_is_skipped() -> None:
    """``self._waiter = None  # type: asyncio.Future | None, set by wait()``: prose after the
    type makes the comment no expression; it is skipped (the scan goes on), and the next
    line's ``# type: asyncio.Handle`` is still read."""
    lines = found("""\
        import asyncio

        class Conn:
            def __init__(self):
                self._waiter = None  # type: asyncio.Future | None, set by wait()
                self._handle = None  # type: asyncio.Handle
        """)
    assert lines == {1: {"import asyncio"}, 6: {"asyncio.Handle"}}


def test_a_loop_field_read_off_what_a_call_returned_is_no_loop_passed() -> None:
    """``Worker(make_bus()._loop)``: the ``_loop`` of whatever a call returned is not a path of
    fields the tool can follow, so it is not taken for a loop handed on; ``bus._loop`` is."""
    lines = found("""\
        import asyncio

        def start(make_bus, bus):
            worker = Worker(make_bus()._loop)
            other = Worker(bus._loop)
            asyncio.run(worker.run())
        """)
    assert lines == {1: {"import asyncio"}, 5: {"loop passed"}, 6: {"asyncio.run"}}


def test_the_else_branch_of_a_duck_typed_await_is_still_scanned() -> None:
    """``if inspect.isawaitable(result): await result`` awaits any framework's awaitable (no
    finding); the ``else`` branch is code like any other, its ``asyncio.sleep`` a finding."""
    lines = found("""\
        import asyncio
        import inspect

        async def close(conn):
            result = conn.close()
            if inspect.isawaitable(result):
                await result
            else:
                await asyncio.sleep(0.1)
        """)
    assert lines == {1: {"import asyncio"}, 9: {"asyncio.sleep"}}


def test_an_isinstance_test_against_a_type_made_by_a_call_narrows_nothing() -> None:
    """``isinstance(task, (Job, type(None)))``: ``type(None)`` is no class the tool can read, so
    the test does not say the name is something else: ``task.cancel()`` under it is still a
    task's cancel (and the annotation takes that row)."""
    lines = found("""\
        import asyncio

        class Job:
            pass

        async def halt(task: asyncio.Task):
            if isinstance(task, (Job, type(None))):
                task.cancel()
        """)
    assert lines == {1: {"import asyncio"}, 6: {"asyncio.Task for task.cancel"},
                     8: {"task.cancel"}}


def test_a_string_in_an_annotation_that_is_no_expression_is_skipped() -> None:
    """``Annotated[int, "the reply", "asyncio.Future[int]"]``: a description in the metadata
    does not parse (it is prose) and is skipped; a quoted type after it is still read."""
    lines = found("""\
        import asyncio
        from typing import Annotated

        async def watch(fut: Annotated[int, "the reply", "asyncio.Future[int]"]) -> None:
            pass
        """)
    assert lines == {1: {"import asyncio"}, 4: {"asyncio.Future"}}


def test_a_timeout_error_caught_beside_a_bare_except_around_a_socket_stays() -> None:
    """``except TimeoutError`` around a blocking socket's connect (no asyncio timeout), with a
    bare ``except:`` after it: the socket's timeout stays as it is in a port."""
    lines = found("""\
        import asyncio
        import socket

        async def probe(host):
            try:
                socket.create_connection((host, 80), timeout=1)
            except TimeoutError:
                return False
            except:
                raise
            await asyncio.sleep(0.5)
        """)
    assert lines == {1: {"import asyncio"}, 11: {"asyncio.sleep"}}


def test_a_backports_fallback_labels_only_the_names_the_asyncio_import_bound() -> None:
    """``try: from asyncio import TaskGroup`` with handlers that are not an import's failure
    (``except AttributeError``) and a fallback that imports more than the name (``from
    taskgroup import TaskGroup, run``) beside other statements: only the fallback's import of
    the bound name is asyncio's backport, the same row."""
    lines = found("""\
        import asyncio
        try:
            from asyncio import TaskGroup
        except AttributeError:
            from taskgroup import TaskGroup
        except ImportError:
            import sys
            from taskgroup import TaskGroup, run
        """)
    assert lines == {1: {"import asyncio"}, 3: {"asyncio.TaskGroup"},
                     8: {"asyncio.TaskGroup"}}


def test_two_statements_on_one_line_are_placed_on_that_line() -> None:
    """``q = None; q = asyncio.Queue()`` and ``if q: q.put_nowait(1)``: two statements on one
    line each have their findings on it (where a TODO would go)."""
    findings = found("""\
        import asyncio
        q = None; q = asyncio.Queue()
        if q: q.put_nowait(1)
        """)
    assert findings == {1: {"import asyncio"}, 2: {"asyncio.Queue"}, 3: {"queue.put_nowait"}}


def test_a_field_set_on_a_fresh_object_of_the_files_own_subclass_is_its_own() -> None:
    """``Client("h").ready = True`` where ``Client`` subclasses aiomqtt's: the field is the
    subclass's own; set on ``aiomqtt.Client("h")`` it is a use of the library's object."""
    lines = found("""\
        import asyncio
        import aiomqtt

        class Client(aiomqtt.Client):
            def __init__(self, host):
                super().__init__(host)
                self.ready = False

        async def main():
            Client("h").ready = True
            aiomqtt.Client("h").ready = True
            await asyncio.sleep(1)
        """)
    assert lines == {1: {"import asyncio"}, 2: {"lib:aiomqtt"}, 4: {"lib:aiomqtt"},
                     6: {"lib:aiomqtt"}, 11: {"lib:aiomqtt"}, 12: {"asyncio.sleep"}}


def test_each_line_maps_to_the_innermost_statement_that_covers_it() -> None:
    """Where a TODO goes: a compound statement's header over lines (``async with
    asyncio.timeout(\\n 10):``) maps to its first line, a simple statement's continuation
    lines to its own, a ``match`` (no body of its own) covers its cases but each statement in a
    case is its own, two statements on one line are that line, and nothing maps a line past
    the end."""
    source = textwrap.dedent("""\
        import asyncio

        async def serve(loop, handle, command):
            async with asyncio.timeout(
                    10):
                server = await asyncio.start_server(
                    handle, "0.0.0.0", 8080,
                    loop=loop)
            match command:
                case "stop":
                    server.close(); await server.wait_closed()
            if (loop
                    is None): loop = asyncio.get_running_loop()
        """)
    assert statements(ast.parse(source)) == {
        1: 1, 3: 3, 4: 4, 5: 4, 6: 6, 7: 6, 8: 6, 9: 9, 10: 9, 11: 11, 12: 12, 13: 13}


# -- every mutant of _type_comment ---------------------------------------------------------------


def test_type_comments_are_read_where_python_reads_them() -> None:
    """``x = None  # type: asyncio.Handle`` is read from the source text (the tree is parsed
    without type comments): on the file's first line and on its last (no newline after it),
    with a space inside the type (``Dict[str, asyncio.TimerHandle]``), and the first ``#
    type:`` of a line that ends in mypy's ``# type: ignore[...]``. Not a ``# type:`` inside
    the value's string, and not one on the first line of a statement over lines (Python's own
    parser, asked for type comments, refuses it there)."""
    lines = found("""\
        import asyncio; handle = None  # type: asyncio.Handle
        from typing import Dict


        class Timers:
            def __init__(self):
                self.waiter = None  # type: asyncio.Future  # type: ignore[assignment]
                self.by_name = {}  # type: Dict[str, asyncio.TimerHandle]
                self.usage = "h = None  # type: asyncio.Handle  # (read by mypy)"
                self.pending = {  # type: Dict[str, asyncio.Future]
                }
                self.last = None  # type: asyncio.Handle""")
    assert lines == {1: {"import asyncio", "asyncio.Handle"}, 7: {"asyncio.Future"},
                     8: {"asyncio.TimerHandle"}, 12: {"asyncio.Handle"}}


# -- every mutant of _backports, _loop_field, _named_task_type -----------------------------------


def test_a_fallback_import_of_another_package_is_no_backport_of_asyncio() -> None:
    """``try: from ujson import loads`` / ``except ImportError: from json import loads``: the
    usual optional-speedup import binds a name asyncio never had, so the fallback is nothing
    (only a name bound by ``from asyncio import ...`` has a backport)."""
    lines = found("""\
        import asyncio
        try:
            from ujson import loads
        except ImportError:
            from json import loads
        """)
    assert lines == {1: {"import asyncio"}}


def test_another_objects_loop_under_each_of_its_usual_names_is_a_loop_passed() -> None:
    """``scheduler._eventloop``, ``bus._event_loop``, ``bus.loop``, ``self.reactor._loop``
    handed on are another object's loop (a Trio port has none to hand); ``self._config.loop``
    is a setting that names a kind of loop (``_config`` is a settings object, its underscore
    aside)."""
    lines = found("""\
        import asyncio

        class Poller:
            def __init__(self, scheduler, bus):
                self._config = bus.config
                self.watch(scheduler._eventloop)
                self.watch(bus._event_loop)
                self.watch(self._config.loop)
                self.watch(bus.loop)
                self.watch(self.reactor._loop)

            async def run(self):
                await asyncio.sleep(1)
        """)
    assert lines == {1: {"import asyncio"}, 6: {"loop passed"}, 7: {"loop passed"},
                     9: {"loop passed"}, 10: {"loop passed"}, 13: {"asyncio.sleep"}}


def test_a_container_of_tasks_annotated_over_lines_is_found_where_the_task_type_is() -> None:
    """``self.tasks: dict[\\n str, asyncio.Task[None]\\n] = {}``: the task set is labelled on
    the line that names asyncio's task (or future) type, not on the ``dict[`` line above it
    (the corpus README: where the API is named)."""
    lines = found("""\
        import asyncio

        class Pool:
            def __init__(self):
                self.tasks: dict[
                    str, asyncio.Task[None]
                ] = {}
                self.replies: dict[
                    int, asyncio.Future[bytes]
                ] = {}
        """)
    assert lines == {1: {"import asyncio"}, 6: {"asyncio.Task", "task set"},
                     9: {"asyncio.Future", "task set"}}
