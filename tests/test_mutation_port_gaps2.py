"""``walkthrough port`` (``names.py``, ``constructs.py``): the survivors of a third sample.

``scripts/mutation.py`` on a third random sample of 120 mutants of each module (seed 29, issue
27, ``docs/mutation.md``), run with every test written until then (``test_mutation_port_gaps.py``
included), left slips that no test noticed. Each test here is a short program in the style
real asyncio code has, scanned as a user's file, with the line the slip changes:

* what makes a file a program: a package's ``__main__.py`` with no ``__main__`` guard;
* what a name is bound to: a class attribute made by an asyncio call, the two values of a
  tuple assignment, a package's own module named ``asyncio``;
* what a function returns: one that makes the file's own object from a response but returns
  the response itself is no maker of the file's own objects;
* what a call hands on: a callback named by keyword (``call_later(5, callback=tick)``), a
  classmethod's ``cls`` (as ``self``: a name it stores, a parameter it is handed);
* what a module binds: ``import ormkit.client`` binds ``ormkit``, ``import
  concurrent.futures`` binds ``concurrent`` (the standard library's);
* what a container gives back: ``popleft()`` of a deque of tasks is a task;
* what counts as an unlisted asyncio package: not one named for Trio (``dbkit_trio``);
* an ``isinstance`` test that narrows nothing is skipped, not the end of the search;
* what ``constructs.py`` labels: a loop named in a log message through ``id()``, a type
  comment written right after the value, a ``-> Task`` function that uses tasks in more than
  one way, a request's field read as data, ``import`` of the package's own module and asyncio
  on one line, ``isinstance`` against asyncio's own ``Task``, a list a named done-callback
  removes tasks from, a library object copied onto a context's field.

Each was checked by applying the slip to a copy of the package: exactly one test here fails.
"""

from __future__ import annotations

from tests.test_mutation_port_gaps import found, rows

# -- what makes a file a program -----------------------------------------------------------------


def test_a_packages_main_module_without_a_guard_is_a_program() -> None:
    """``python -m mypkg`` runs ``mypkg/__main__.py`` with no ``if __name__ == "__main__"``:
    a program, so its calls of a library's private method are a user's, to be ported, not the
    library's own code (the same file as ``mypkg/lock.py`` is)."""
    source = """\
        import asyncio
        from aiocache.base import BaseCache

        class Lock:
            def __init__(self, client: BaseCache):
                self.client = client

            async def acquire(self):
                await self.client._add("k", 1)
                await asyncio.sleep(1)

        asyncio.run(Lock(None).acquire())
        """
    program = rows(source, "mypkg/__main__.py")
    assert program[2] == {"asyncio-only-lib"} and program[9] == {"asyncio-only-lib"}
    module = rows(source, "mypkg/lock.py")
    assert 2 not in module and 9 not in module


# -- what a name is bound to ---------------------------------------------------------------------


def test_a_class_attribute_made_by_an_asyncio_call_is_what_self_reaches() -> None:
    """``current = asyncio.current_task()`` in a class body (no annotation, no dataclass
    field): ``self.current`` is that task, so ``self.current.cancel()`` is a task's cancel."""
    lines = found("""\
        import asyncio

        class Worker:
            stopping = asyncio.Event()
            current = asyncio.current_task()

            async def run(self):
                await self.stopping.wait()
                self.current.cancel()
        """)
    assert lines[9] == {"task.cancel"}


def test_each_name_of_a_tuple_assignment_takes_its_own_values_kind() -> None:
    """``ev, me = asyncio.Event(), asyncio.current_task()``: ``me`` is the task."""
    lines = found("""\
        import asyncio

        async def main():
            ev, me = asyncio.Event(), asyncio.current_task()
            await ev.wait()
            me.cancel()
        """)
    assert lines[6] == {"task.cancel"}


def test_a_packages_own_module_named_asyncio_is_not_asyncio() -> None:
    """``from . import asyncio`` in ``mypkg/server.py``: the package's own ``mypkg/asyncio.py``,
    so ``asyncio.sleep`` there is no call of asyncio's (a snippet that never imports asyncio
    still means it, so the tool must see that this name is bound)."""
    lines = found("""\
        from . import asyncio

        async def main():
            await asyncio.sleep(1)
            asyncio.get_event_loop()
        """, "mypkg/server.py")
    assert lines == {}


def test_a_classmethod_s_cls_is_self_for_what_it_stores_and_is_handed() -> None:
    """``cls.inbox = asyncio.Queue()`` in a classmethod is what ``self.inbox`` reaches; and
    ``self.stop(worker)`` hands the task to ``stop(cls, job)``'s ``job``, after ``cls``."""
    lines = found("""\
        import asyncio

        class Hub:
            @classmethod
            def setup(cls):
                cls.inbox = asyncio.Queue()

            @classmethod
            def stop(cls, job):
                job.cancel()

            async def run(self):
                worker = asyncio.create_task(self.work())
                self.stop(worker)
                await self.inbox.get()
        """)
    assert lines[10] == {"task.cancel", "service"}
    assert lines[15] == {"queue.get"}


def test_a_dotted_import_of_an_unlisted_package_binds_its_top_name() -> None:
    """``import ormkit.client`` binds ``ormkit``: ``await ormkit.client.connect()`` awaits
    the unlisted package in an asyncio program, its evidence of being asyncio's."""
    lines = rows("""\
        import asyncio
        import ormkit.client

        async def main():
            db = await ormkit.client.connect("db")
            await db.fetch("select 1")
        """)
    assert lines[2] == lines[5] == lines[6] == {"asyncio-only-lib"}


def test_a_dotted_import_of_the_standard_library_binds_a_stdlib_name() -> None:
    """``import concurrent.futures``: ``fut: concurrent.futures.Future[int] =
    concurrent.futures.Future()`` is the thread pool's future, so ``set_result`` on it is no
    asyncio future's."""
    lines = found("""\
        import asyncio
        import concurrent.futures

        def main():
            fut: concurrent.futures.Future[int] = concurrent.futures.Future()
            fut.set_result(1)
        """)
    assert 6 not in lines


# -- what a call hands on ------------------------------------------------------------------------


def test_a_callback_named_by_keyword_does_not_stop_the_scan() -> None:
    """``loop.call_later(5, callback=tick)`` and ``run_in_executor(None, func=tick)``: the
    callback is a keyword, not an argument after the first: no callback argument to read."""
    lines = found("""\
        import asyncio

        def tick():
            print("tick")

        async def main():
            loop = asyncio.get_running_loop()
            loop.call_later(5, callback=tick)
            loop.run_in_executor(None, func=tick)
        """)
    assert lines[8] == {"loop.call_later"} and lines[9] == {"loop.run_in_executor"}


# -- what a container gives back ------------------------------------------------------------------


def test_popleft_of_a_deque_of_tasks_is_a_task() -> None:
    """``self.running: deque[asyncio.Task]``: ``popleft()`` gives a task, as ``pop()`` does."""
    lines = found("""\
        import asyncio
        from collections import deque

        class Pool:
            def __init__(self):
                self.running: deque[asyncio.Task] = deque()

            def stop_oldest(self):
                task = self.running.popleft()
                task.cancel()
        """)
    assert lines[10] == {"task.cancel"}


# -- a search that must go on --------------------------------------------------------------------


def test_an_isinstance_test_of_asyncios_class_does_not_end_the_search_for_narrowing() -> None:
    """``isinstance(loop, asyncio.AbstractEventLoop)`` in one function narrows nothing (the
    class is asyncio's); the next function's ``isinstance(custom_loop, Services)``, the
    package's own class, still narrows: ``svc = custom_loop`` there hands no loop on."""
    lines = found("""\
        import asyncio
        from mypkg.services import Services

        def check(loop):
            if isinstance(loop, asyncio.AbstractEventLoop):
                return loop

        def make(custom_loop: asyncio.AbstractEventLoop | Services | None = None):
            if isinstance(custom_loop, Services):
                svc = custom_loop
            else:
                svc = Adapter(custom_loop)
            return start(svc)
        """, "mypkg/adapter.py")
    assert 13 not in lines  # start(svc): no loop handed on


# -- what a function returns ---------------------------------------------------------------------


def test_a_function_that_wraps_a_response_but_returns_it_still_returns_the_response() -> None:
    """``fetch`` makes the file's own ``Page`` from the response but returns the response
    itself: it is no maker of the file's own objects, so its caller's ``resp`` is aiohttp's."""
    lines = found("""\
        import aiohttp

        class Page:
            def __init__(self, text):
                self.text = text

        async def fetch(session, url):
            resp = await session.get(url)
            page = Page(await resp.text())
            print(page.text)
            return resp

        async def main():
            async with aiohttp.ClientSession() as session:
                resp = await fetch(session, "http://x")
                print(resp.status)
                await resp.release()
        """)
    assert lines[16] == {"response"} and lines[17] == {"response"}


def test_a_function_that_returns_a_rewrapped_response_or_none_returns_no_response() -> None:
    """``get`` returns ``None`` on a 404, else the file's own ``Response`` made from aiohttp's
    (``response = Response(response)``): what its caller holds is no aiohttp response, so
    ``resp.status`` there is the file's own object's, no finding."""
    lines = found("""\
        import aiohttp

        class Response:
            def __init__(self, raw):
                self.raw = raw
                self.status = raw.status

        async def get(session, url):
            response = await session.get(url)
            if response.status == 404:
                return None
            response = Response(response)
            return response

        async def main():
            async with aiohttp.ClientSession() as session:
                resp = await get(session, "http://x")
                print(resp.status)
        """)
    assert lines[10] == {"response"} and 18 not in lines  # aiohttp's status, then the own one


# -- what counts as an unlisted asyncio package ---------------------------------------------------


def test_a_package_named_for_trio_is_no_unlisted_asyncio_package() -> None:
    """``import dbkit_trio``: a name ending in ``_trio`` is a package's Trio side (as
    ``trio_``-named ones are), so awaiting it in an asyncio program is no evidence of an
    asyncio-only library (the same program with ``dbkit`` is)."""
    source = """\
        import asyncio
        import {package}

        async def main():
            conn = await {package}.connect()
            await conn.get("k")
        """
    assert rows(source.format(package="dbkit_trio")) == {1: {"loop"}}
    assert rows(source.format(package="dbkit"))[5] == {"asyncio-only-lib"}


# -- what constructs.py labels -------------------------------------------------------------------


def test_a_loop_named_in_a_log_message_through_id_is_no_loop_passed() -> None:
    """``f"... {id(loop):#x}"``: a message that names the loop (as ``type(loop)`` does), no
    loop handed to a function."""
    lines = found("""\
        import asyncio
        import logging

        async def main():
            loop = asyncio.get_running_loop()
            logging.info(f"running on {type(loop).__name__} {id(loop):#x}")
        """)
    assert 6 not in lines


def test_a_type_comment_right_after_the_value_still_types_the_name() -> None:
    """``self.h = None# type: asyncio.Handle``, no space before ``#``: still the comment."""
    lines = found("""\
        import asyncio

        class Timer:
            def __init__(self):
                self.h = None# type: asyncio.Handle
        """)
    assert lines[5] == {"asyncio.Handle"}


def test_a_task_returning_function_that_uses_tasks_twice_takes_the_commonest_row() -> None:
    """``-> asyncio.Task[None]`` on a function that cancels two tasks and creates one: the
    annotation takes the commonest use's row (the scan counts each use, it must not stop)."""
    lines = found("""\
        import asyncio

        class Worker:
            def restart(self) -> asyncio.Task[None]:
                self.task.cancel()
                self.waiter.cancel()
                self.task = asyncio.create_task(self.run())
                return self.task
        """)
    assert lines[4] == {"asyncio.Task for task.cancel"}


def test_a_str_method_on_a_requests_plain_field_is_plain_data() -> None:
    """``request.content_type.lower()`` in an aiohttp handler: a str field of the request,
    read as data, the same in any port (a response's fields are another list: the request's
    are looked up as the server's objects, not the client response's)."""
    lines = found("""\
        from aiohttp import web

        async def handle(request: web.Request):
            name = request.match_info.get("name")
            kind = request.content_type.lower()
            return web.Response(text=name)
        """)
    assert 5 not in lines and lines[1] == {"aiohttp.web"}


def test_an_import_of_the_packages_own_module_beside_asyncio_still_imports_asyncio() -> None:
    """``import mypkg.helpers, asyncio`` in ``mypkg/cli.py``: the first name is the package's
    own (skipped), the second is still asyncio's import."""
    lines = found("""\
        import mypkg.helpers, asyncio

        async def main():
            await asyncio.sleep(1)
        """, "mypkg/cli.py")
    assert lines[1] == {"import asyncio"}


def test_an_isinstance_test_against_asyncios_task_narrows_nothing() -> None:
    """``isinstance(task, Task)`` with asyncio's ``Task`` (imported by name): under the test
    the name is still the task, so ``task.cancel()`` is a task's cancel."""
    lines = found("""\
        import asyncio
        from asyncio import Task

        async def main(job):
            task = asyncio.create_task(job)
            if isinstance(task, Task):
                task.cancel()
        """)
    assert lines[7] == {"task.cancel"}


def test_a_list_a_named_done_callback_removes_tasks_from_is_a_task_set() -> None:
    """``running.append(task)`` with ``task.add_done_callback(forget)``, where ``forget``
    does ``running.remove(task)``: the list keeps the tasks alive until they end, a task set,
    as with ``add_done_callback(running.remove)``."""
    lines = rows("""\
        import asyncio

        running = []

        def forget(task):
            running.remove(task)

        async def main():
            task = asyncio.create_task(work())
            running.append(task)
            task.add_done_callback(forget)
        """)
    assert lines[6] == {"task-set"} and lines[10] == {"task-set"}


def test_a_library_object_copied_onto_a_context_field_is_no_use_of_it() -> None:
    """``ctx.redis = pool`` (an app context's field, ``redis.asyncio``'s client): a reference
    copied, no use of the library's API (the corpus README's settled case 1); the calls on
    it are found where they are made."""
    lines = found("""\
        import redis.asyncio as aioredis

        async def setup(ctx):
            pool = aioredis.from_url("redis://localhost")
            ctx.redis = pool
            await ctx.redis.get("k")
        """)
    assert 5 not in lines and lines[6] == {"lib:redis.asyncio"}
