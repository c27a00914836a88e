"""``walkthrough port`` (``names.py``): the survivors of seed 30's sample (issue 27).

A fourth random sample of 120 of ``names.py``'s mutants (seed 30, ``docs/mutation.md``,
"``walkthrough/port/names.py`` (SAMPLED, seed 30)") left 15 real slips no test noticed. Each
test here is a short program in the style of real asyncio code, scanned as a user's file, with
the line the slip changes; one (a path too long for the file system) calls ``path_packages``:

* what a name is from its annotation: a loop parameter typed with the package's own alias
  (``OptLoop``), ``typing.Optional[asyncio.Task]`` spelled through ``typing``, a field typed
  with a class imported from elsewhere, a parameter typed ``Callable``;
* what a name is from where it is bound: a ``with ... as`` target of an unlisted package, a
  ``functools.cached_property``, a classmethod handed to ``add_done_callback``, a task taken
  from ``self._task or asyncio.current_task()``, a pair unpacked from another object's method;
* what is not a finding: a request's ``response`` field under the name ``req``, each call of an
  alias of ``asyncio.iscoroutine`` (the alias line is the whole port);
* which package a file is in: ``contrib/aiohttp/client.py`` is ``contrib``'s, not aiohttp's,
  and a path too long to stat still gives its first folder.

Two real survivors are left without a test, as the section says: ``:1660`` (a pair returned
with a library's object hands it on) and ``:1845`` (a ``PAIRS`` function the file redefines to
return a library object), where the mutant's answer is arguably the better one; a test would
pin a doubtful answer (for issue 24).
"""

from __future__ import annotations

from tests.test_mutation_port_gaps import found, rows
from walkthrough.port import names

# -- what a name is from its annotation ---------------------------------------------------------


def test_a_loop_parameter_typed_with_the_packages_own_alias_is_a_loop_passed() -> None:
    """``loop: OptLoop = None``, where ``OptLoop`` is the package's alias of an optional event
    loop: the parameter's name and an annotation that says loop make it a loop passed, as
    ``loop: asyncio.AbstractEventLoop`` does (``names.py:186``)."""
    lines = found("""\
        import asyncio
        from typing import Optional

        OptLoop = Optional[asyncio.AbstractEventLoop]


        class Client:
            def __init__(self, loop: OptLoop = None):
                self._loop = loop or asyncio.get_event_loop()
        """)
    assert "loop passed" in lines[8]
    assert "loop passed" in lines[9]


def test_an_optional_task_spelled_through_typing_is_a_task() -> None:
    """``self.task: typing.Optional[asyncio.Task] = None``: the ``typing.`` prefix does not
    hide the ``Optional``, so the field is a task and its ``cancel()`` is a task's cancel, not a
    set of tasks (``names.py:631``)."""
    found_rows = rows("""\
        import asyncio
        import typing


        class Runner:
            def __init__(self):
                self.task: typing.Optional[asyncio.Task] = None

            def stop(self):
                self.task.cancel()
        """)
    assert found_rows[10] == {"service", "task-cancel"}
    assert "task-set" not in found_rows.get(7, set())


def test_a_field_typed_with_a_class_from_elsewhere_keeps_its_name_based_kind() -> None:
    """``self.reader: Reader`` with ``Reader`` imported from another package: a bare class
    name that is not the file's own says nothing against the name, so ``self.reader.feed_eof()``
    is still a stream's (``names.py:1106``)."""
    lines = found("""\
        import asyncio
        from somewhere import Reader


        class Conn:
            def __init__(self, reader: Reader):
                self.reader: Reader = reader

            def close(self):
                self.reader.feed_eof()


        async def main():
            await asyncio.sleep(0)
        """)
    assert lines[10] == {"stream"}


def test_a_parameter_typed_callable_keeps_its_name_based_kind() -> None:
    """``fut: Callable``: ``Callable`` is a typing form, not one of the file's classes, so the
    name ``fut`` still makes ``fut.set_result(1)`` a future's (``names.py:1688``)."""
    lines = found("""\
        import asyncio
        from typing import Callable


        def finish(fut: Callable):
            fut.set_result(1)
        """)
    assert lines[6] == {"future.set_result"}


# -- what a name is from where it is bound ------------------------------------------------------


def test_a_with_target_of_an_unlisted_package_evidences_it() -> None:
    """``with dbkit.pool(...) as pool`` and ``await pool.execute(...)`` in an asyncio program:
    the ``as`` target is the package's object, so ``dbkit`` is evidenced as an asyncio-only
    library and its lines are findings (``names.py:863``)."""
    found_rows = rows("""\
        import asyncio
        import dbkit


        async def main():
            with dbkit.pool("dsn") as pool:
                await pool.execute("select 1")
            await asyncio.sleep(1)
        """)
    assert found_rows[2] == found_rows[6] == found_rows[7] == {"asyncio-only-lib"}


def test_a_cached_property_gives_self_its_returned_session() -> None:
    """``@functools.cached_property def client(self) -> aiohttp.ClientSession``: as with
    ``@property``, ``self.client`` is a session, so its ``get`` is a session's
    (``names.py:1197``)."""
    lines = found("""\
        import functools

        import aiohttp


        class Api:
            @functools.cached_property
            def client(self) -> aiohttp.ClientSession:
                return aiohttp.ClientSession()

            async def fetch(self, url):
                async with self.client.get(url) as response:
                    return await response.text()
        """)
    assert "session" in lines[12]
    assert "response" in lines[13]


def test_a_classmethod_done_callback_gets_the_task_in_its_first_plain_parameter() -> None:
    """``task.add_done_callback(cls._done)`` with ``def _done(cls, fut)``: ``cls`` is bound, so
    the task arrives in ``fut`` and ``fut.result()`` is a task's result (``names.py:1246``)."""
    lines = found("""\
        import asyncio


        class Pool:
            @classmethod
            def _done(cls, fut):
                fut.result()

            @classmethod
            def start(cls, coro):
                task = asyncio.ensure_future(coro)
                task.add_done_callback(cls._done)
                return task
        """)
    assert lines[7] == {"task.result"}


def test_a_task_from_a_field_or_the_current_task_is_cancelled_as_a_task() -> None:
    """``(self._task or asyncio.current_task()).cancel()``: either operand is a task, so the
    ``or`` is one and its ``cancel()`` a task's cancel (``names.py:609``)."""
    lines = found("""\
        import asyncio


        class Worker:
            def __init__(self):
                self._task = None

            def stop(self):
                (self._task or asyncio.current_task()).cancel()
        """)
    assert lines[9] == {"asyncio.current_task", "task.cancel", "service"}


def test_a_pair_from_another_objects_method_is_not_the_files_function_of_that_name() -> None:
    """``reader, writer = await client.streams()``: ``client`` is another object, not the
    file's own ``def streams() -> Tuple[StreamReader, StreamWriter]``, so its pair is not
    taken for streams (``names.py:1837``)."""
    lines = found("""\
        import asyncio
        from typing import Tuple


        async def streams() -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]:
            return await asyncio.open_connection("localhost", 80)


        async def main(client):
            reader, writer = await client.streams()
            data = await reader.read(10)
            writer.close()
        """)
    assert lines[6] == {"asyncio.open_connection"}
    assert 11 not in lines and 12 not in lines


# -- what is not a finding ----------------------------------------------------------------------


def test_a_requests_response_field_under_the_name_req_is_no_client_response() -> None:
    """``await req.response.json()`` in an aiohttp handler whose request is named ``req``: a
    field of the request, as ``request.response`` is, not a client response
    (``names.py:1632``)."""
    lines = found("""\
        from aiohttp import web


        async def handler(req):
            data = await req.response.json()
            return web.json_response(data)
        """)
    assert lines == {1: {"aiohttp.web"}, 6: {"aiohttp.web"}}


def test_the_calls_of_an_alias_of_iscoroutine_are_not_findings_of_their_own() -> None:
    """``_is_coro = asyncio.iscoroutine``: the row says the alias line is the whole port, so
    each call ``_is_coro(x)`` is not found again (``names.py:1800``)."""
    lines = found("""\
        import asyncio

        _is_coro = asyncio.iscoroutine


        def check(x):
            return _is_coro(x)
        """)
    assert lines[3] == {"asyncio.iscoroutine"}
    assert 7 not in lines


# -- which package a file is in -----------------------------------------------------------------


def test_a_subpackage_named_after_a_library_is_no_claim_on_that_library() -> None:
    """``contrib/aiohttp/client.py`` (not on disk) is a module of ``contrib`` only: the
    subpackage's name does not make aiohttp the file's own package, so its aiohttp uses are
    still findings (``names.py:440``)."""
    found_rows = rows("""\
        import asyncio

        import aiohttp


        async def get(url):
            async with aiohttp.ClientSession() as session:
                async with session.get(url) as response:
                    return await response.text()
        """, "contrib/aiohttp/client.py")
    assert found_rows[7] == found_rows[8] == found_rows[9] == {"aiohttp-client"}


def test_a_path_too_long_to_stat_gives_its_first_folder() -> None:
    """A name longer than the file system allows (``is_file()`` raises ``ENAMETOOLONG``) is
    not on disk: its first folder is its package, and nothing tries to resolve it
    (``names.py:428``)."""
    assert names.path_packages("mypkg/" + "x" * 5000 + "/y.py") == {"mypkg"}
