"""``walkthrough port`` (``constructs.py``): the survivors of seed 33's sample (issue 27).

A random sample of 240 of ``constructs.py``'s mutants (seed 33, ``docs/mutation.md``,
"``walkthrough/port/constructs.py`` (SAMPLED, seed 33)") left 17 real slips no test noticed.
Each test here is a short program in the style of real asyncio code, scanned as a user's file,
with the findings (line and construct, so the row) the slip changes. The line numbers are of
``8603e85``, where the sample was drawn (the code is the same at ``9870950``):

* whether a file is asyncio's at all: one that imports only names from asyncio, one that
  gets the module through ``importlib``;
* what is done with a task: a done-callback removed again, a set of tasks waited on whole, an
  app key of coroutines (no tasks), a service's ``stop()`` that awaits its cancelled tasks;
* what a library's object is: a field set on it, ``async with`` on it, an ``isawaitable``
  test of what it returned;
* what an import is: a name asyncio has that no row lists, a backport's fallback;
* that a scan goes on past a blocking twin's import.

Four real survivors are left without a test, because the mutant's answer is as good as the
tool's or better, and a test would pin the worse one: ``:1375`` (an attribute annotated
``asyncio.Task`` in ``__init__`` and assigned a ``create_task`` later: the mutant keeps the
plain ``asyncio.Task``, the same row), ``:1139`` (``loop.redis = aioredis.Redis()``: the
mutant calls the field ``loop.redis``, as the tool already does for an undotted library's
object), ``:711`` and ``:710`` (seed 31's and 32's case: a server-only aiohttp file whose last
line makes a client object after ``;``; the mutant counts the file as a client too, which it
is).
"""

from __future__ import annotations

from tests.test_mutation_port_gaps import found
from tests.test_port_evidence import rows as rows_at

# -- whether a file is asyncio's ------------------------------------------------------------------


def test_timeout_error_is_asyncios_in_a_file_that_never_names_the_module() -> None:
    """``from asyncio import Queue, wait_for`` and ``except TimeoutError:`` around ``await
    wait_for(...)``: the file uses asyncio though the name ``asyncio`` never appears, so the
    handler catches the timeout's error (``trio.TooSlowError`` after the port), the
    timeout-error row; a file that neither imports nor names asyncio would be a socket's or a
    thread's ``TimeoutError`` (``constructs.py:507``, where ``or`` became ``and``). The same
    holds for a module got through ``importlib`` (``:508``, a rare spelling): there the name
    ``asyncio`` alone says so, and a user would lose the handler's finding."""
    lines = found("""\
        from asyncio import Queue, wait_for

        async def next_item(queue: Queue):
            try:
                return await wait_for(queue.get(), 5)
            except TimeoutError:
                return None
        """)
    assert lines[5] == {"asyncio.wait_for", "queue.get"}
    assert lines[6] == {"TimeoutError"}
    imported = found("""\
        import contextlib
        import importlib

        asyncio = importlib.import_module("asyncio")

        async def fetch(queue):
            with contextlib.suppress(TimeoutError):
                return await asyncio.wait_for(queue.get(), 5)
        """)
    assert imported[7] == {"TimeoutError"}
    assert rows_at("""\
        import socket

        def probe(host):
            try:
                return socket.create_connection((host, 80), timeout=1)
            except TimeoutError:
                return None
        """) == {}


# -- what is done with a task ---------------------------------------------------------------------


def test_a_done_callback_removed_again_is_the_future_it_completes() -> None:
    """``task.add_done_callback(on_done)``, where ``on_done`` sets a future's result, then
    ``task.remove_done_callback(on_done)`` in a ``finally``: the pair is a hand-made wait on
    the future (the future row, an ``Event`` in Trio), not a read of the task's result; a slip
    that knows only ``add_done_callback`` as such a chain calls the removal a task-result and
    the parameter's ``asyncio.Task`` a task to await (``constructs.py:457``)."""
    source = """\
        import asyncio

        async def wait_first(task: asyncio.Task, timeout: float):
            waiter = asyncio.get_running_loop().create_future()

            def on_done(_):
                if not waiter.done():
                    waiter.set_result(None)

            task.add_done_callback(on_done)
            try:
                await asyncio.wait_for(waiter, timeout)
            finally:
                task.remove_done_callback(on_done)
        """
    lines = found(source)
    assert lines[10] == {"future.add_done_callback"}
    assert lines[14] == {"future.add_done_callback"}
    rows = rows_at(source)
    assert rows[3] == {"create-task"}
    assert rows[14] == {"future"}


def test_an_app_keys_tasks_and_coroutines_are_told_by_how_they_are_awaited() -> None:
    """An aiohttp app keeps work under a typed ``web.AppKey`` and awaits it at cleanup. A set
    of tasks waited on whole (``await asyncio.wait(app[TASKS])``, no ``return_when``) is a
    gather, a nursery's end in Trio: the key's line is ``asyncio.Task for asyncio.wait all``,
    not the first-completed wait (``constructs.py:927``). A list of coroutines gathered
    (``await asyncio.gather(*app[JOBS])``) holds no task at all, so its key's line names none
    (``:1484``, where a slip gave it ``asyncio.Task for asyncio.gather``, a task the code does
    not have)."""
    lines = found("""\
        import asyncio

        from aiohttp import web

        TASKS = web.AppKey("tasks", set[asyncio.Task])
        JOBS = web.AppKey("jobs", list)

        async def start(app: web.Application) -> None:
            app[TASKS] = {asyncio.create_task(asyncio.sleep(1))}
            app[JOBS] = [asyncio.sleep(1), asyncio.sleep(2)]

        async def cleanup(app: web.Application) -> None:
            await asyncio.wait(app[TASKS])
            await asyncio.gather(*app[JOBS])

        app = web.Application()
        app.on_startup.append(start)
        app.on_cleanup.append(cleanup)
        """)
    assert "asyncio.Task for asyncio.wait all" in lines[5]
    assert "asyncio.Task for asyncio.wait" not in lines[5]
    assert lines[6] == {"aiohttp.web"}
    assert lines[13] == {"asyncio.wait all", "web"}
    assert lines[14] == {"asyncio.gather", "web"}


def test_a_services_stop_that_awaits_its_cancelled_tasks_is_the_service() -> None:
    """A poller started with ``create_task`` whose ``stop()`` cancels each task and then
    awaits each (``if not task.done(): await task``): the reads of the results are the
    service's shutdown, which a nursery's cancel scope replaces, so the ``done()`` and the
    ``await`` lines are the service row as well as task-result (``constructs.py:1765``)."""
    lines = found("""\
        import asyncio

        class Poller:
            def __init__(self) -> None:
                self._tasks: list[asyncio.Task] = []

            async def start(self) -> None:
                self._tasks.append(asyncio.create_task(self._poll()))

            async def _poll(self) -> None:
                while True:
                    await asyncio.sleep(1)

            async def stop(self) -> None:
                for task in self._tasks:
                    task.cancel()
                for task in self._tasks:
                    if not task.done():
                        await task
        """)
    assert lines[16] == {"task.cancel", "service"}
    assert lines[18] == {"task.done", "service"}
    assert lines[19] == {"await task", "service"}


# -- what a library's object is -------------------------------------------------------------------


def test_a_field_set_on_a_librarys_object_is_the_librarys() -> None:
    """``conn.connection_pool.max_connections = 10`` (``conn = valkey.Valkey()``),
    ``aiomqtt.client.MQTT_LOGGER = None``, ``asyncpg.pool.Pool.default_timeout = 5``: each
    configures a library that has no Trio version, and the finding names the library (the
    TODO says which library to replace), not the attribute's path (``constructs.py:1127``,
    where ``or`` became ``and`` and the finding took the holder's text)."""
    lines = found("""\
        import asyncio

        import aiomqtt
        import asyncpg.pool
        from valkey import asyncio as valkey

        async def main(url):
            aiomqtt.client.MQTT_LOGGER = None
            asyncpg.pool.Pool.default_timeout = 5
            conn = valkey.Valkey()
            conn.connection_pool.max_connections = 10
            await asyncio.sleep(1)
        """)
    assert lines[8] == {"lib:aiomqtt"}
    assert lines[9] == {"lib:asyncpg"}
    assert lines[11] == {"lib:valkey.asyncio"}


def test_async_with_on_a_librarys_object_is_the_librarys() -> None:
    """``async with pool:`` on an asyncpg pool made earlier, and ``f = aiofiles.open(...)``
    then ``async with f as fh:``: the block opens and closes the library's object, so the line
    is that library's finding (``lib:asyncpg``, the aiofiles row's ``aiofilectx``); a slip
    in the kinds ``visit_AsyncWith`` reports drops either line (``constructs.py:1313``, both
    of its survivors)."""
    lines = found("""\
        import asyncio

        import aiofiles
        import asyncpg

        async def main(url):
            pool = await asyncpg.create_pool(url)
            async with pool:
                await pool.execute("select 1")
            f = aiofiles.open("log.txt")
            async with f as fh:
                await fh.read()

        asyncio.run(main("postgres://"))
        """)
    assert lines[8] == {"lib:asyncpg"}
    assert lines[11] == {"aiofilectx"}


def test_an_isawaitable_test_of_a_librarys_result_is_a_duck_typed_await() -> None:
    """``result = redis.close()`` (aioredis) then ``if inspect.isawaitable(result): await
    result``: the code awaits whatever the library returned, a coroutine in one version and
    ``None`` in another; the ``await`` is no use of the library to port, as after
    ``hasattr(result, "__await__")`` (tested in ``test_mutation_port_gaps.py``), so the line
    has no finding (``constructs.py:1613``, the ``isawaitable`` spelling)."""
    lines = found("""\
        import inspect

        import aioredis

        async def close():
            redis = aioredis.from_url("redis://")
            result = redis.close()
            if inspect.isawaitable(result):
                await result
        """)
    assert lines[7] == {"lib:aioredis"}
    assert 9 not in lines


# -- what an import is ----------------------------------------------------------------------------


def test_an_asyncio_name_no_row_lists_is_an_import_of_asyncio() -> None:
    """``from asyncio import print_call_graph`` (Python 3.14's): no row says how to port it,
    so the import line is ``import asyncio`` (the loop row: the module goes), not a construct
    with no row, which the rewrite cannot place (``constructs.py:831``)."""
    source = """\
        import asyncio
        from asyncio import print_call_graph

        async def worker():
            print_call_graph()
            await asyncio.sleep(1)

        asyncio.run(worker())
        """
    assert found(source)[2] == {"import asyncio"}
    assert rows_at(source)[2] == {"loop"}


def test_a_backports_fallback_import_names_only_what_it_imports() -> None:
    """``try: from asyncio import create_task`` / ``except ImportError: from asyncio import
    ensure_future as create_task``: the fallback's line imports ``ensure_future`` only, so its
    finding is that, the same row (create-task); a slip lets the fallback also claim the
    ``try``'s ``asyncio.create_task``, one more item in its TODO (``constructs.py:1902``,
    cosmetic)."""
    lines = found("""\
        import asyncio

        try:
            from asyncio import create_task
        except ImportError:  # Python < 3.7
            from asyncio import ensure_future as create_task

        async def main():
            task = create_task(asyncio.sleep(1))
            await task

        asyncio.run(main())
        """)
    assert lines[4] == {"asyncio.create_task"}
    assert lines[6] == {"asyncio.ensure_future"}


# -- that a scan goes on ---------------------------------------------------------------------------


def test_the_scan_goes_on_past_a_blocking_twins_import() -> None:
    """``if BUILD_REST: from requests import Session`` / ``else: from aiohttp import
    ClientSession as Session``: the blocking twin's lines are skipped, one by one, and every
    later finding stays, the aiohttp side's session and response, ``asyncio.sleep``,
    ``asyncio.run``; a slip that stops at the first twin line loses all of them
    (``constructs.py:2480``, ``continue`` became ``break``)."""
    lines = found("""\
        import asyncio

        BUILD_REST = False

        if BUILD_REST:
            from requests import Session
        else:
            from aiohttp import ClientSession as Session

        if BUILD_REST:
            def fetch(url):
                with Session() as s:
                    return s.get(url).text
        else:
            async def fetch(url):
                async with Session() as s:
                    async with s.get(url) as r:
                        return await r.text()

        async def main():
            await asyncio.sleep(1)
            print(await fetch("http://x"))

        asyncio.run(main())
        """)
    assert lines[16] == {"aiohttp"}
    assert lines[17] == {"session"}
    assert lines[18] == {"response"}
    assert lines[21] == {"asyncio.sleep"}
    assert lines[24] == {"asyncio.run"}
    assert not set(range(10, 14)) & set(lines)
