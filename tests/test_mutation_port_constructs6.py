"""``walkthrough port`` (``constructs.py``): the survivors of seed 32's sample (issue 27).

A random sample of 240 of ``constructs.py``'s mutants (seed 32, ``docs/mutation.md``,
"``walkthrough/port/constructs.py`` (SAMPLED, seed 32)") left 12 real slips no test noticed.
Each test here is a short program in the style of real asyncio code, scanned as a user's file,
with the findings (line and construct, so the row) the slip changes. The line numbers are of
``8603e85``, where the sample was drawn:

* what a handler catches: a bare ``except:`` around a stream's writes, ``TimeoutError`` around
  ``asyncio.timeout_at``;
* where the loop a caller passed is read: ``not self._loop`` in an ``or``, a parameter
  annotated with an alias of ``AbstractEventLoop``;
* what a decorator says: an async generator under the user's own decorator, a pytest fixture
  not named ``test...``;
* what is done with a task: a keep-alive set's explicit ``discard``;
* what a function makes: a maker annotated ``-> Optional[asyncio.Queue]``;
* where a finding goes: the statement of a call on a later line of a multi-line ``gather``,
  and the order of one TODO's items.

Two real survivors are left without a test, because the mutant's answer is as good as the
tool's or better, and a test would pin the worse one: ``:1158`` (``uvloop.new_event_loop``
handed to ``asyncio.Runner`` uncalled is ``lib:uvloop``, while the same function called is
``lib:uvloop.new_event_loop``, the mutant's answer for both) and ``:711`` (seed 31's case: a
server-only aiohttp file whose last line makes a client object after ``;``; the mutant counts
the file as a client too, which it is).
"""

from __future__ import annotations

import textwrap

from tests.test_mutation_port_gaps import found
from walkthrough import port

# -- what a handler catches -----------------------------------------------------------------------


def test_a_bare_except_around_a_streams_writes_is_scanned() -> None:
    """``try: writer.write(data); await writer.drain()`` / ``except: writer.close(); raise``:
    a bare ``except:`` has no type to read, and a scan that reads one anyway fails on the whole
    file, so the user gets no finding at all (``constructs.py:1859``). Every use of the
    stream is the streams row, the ``close()`` in the handler too."""
    lines = found("""\
        import asyncio

        async def send(host: str, data: bytes) -> None:
            reader, writer = await asyncio.open_connection(host, 8888)
            try:
                writer.write(data)
                await writer.drain()
            except:
                writer.close()
                raise
        """)
    assert lines[4] == {"asyncio.open_connection"}
    assert lines[6] == {"stream"}
    assert lines[7] == {"stream"}
    assert lines[9] == {"stream"}


def test_timeout_error_after_a_timeout_at_block_is_the_timeouts_error() -> None:
    """``async with asyncio.timeout_at(deadline): return await queue.get()`` /
    ``except TimeoutError:``: the error is the deadline's, raised as ``trio.TooSlowError`` by
    ``trio.fail_at``, so the handler must change with the block (the timeout-error row), as it
    does after ``asyncio.timeout`` (``constructs.py:1977``)."""
    lines = found("""\
        import asyncio

        async def next_item(queue: asyncio.Queue, deadline: float):
            try:
                async with asyncio.timeout_at(deadline):
                    return await queue.get()
            except TimeoutError:
                return None
        """)
    assert lines[5] == {"asyncio.timeout_at"}
    assert lines[7] == {"TimeoutError"}


# -- where the loop a caller passed is read -------------------------------------------------------


def test_a_loop_tested_with_not_in_an_or_is_a_loop_passed() -> None:
    """``if self._closed or not self._loop:``: the ``not`` reads the loop the caller passed,
    which Trio has no object for, so the line is a ``loop passed`` finding a user must rewrite
    (``constructs.py:1602``, the operand of a ``not``; seed 31's test has the ``and``)."""
    lines = found("""\
        import asyncio

        class Client:
            def __init__(self, loop=None):
                self._loop = loop
                self._closed = False

            def start(self):
                if self._closed or not self._loop:
                    self._loop = asyncio.get_event_loop()
                return self._loop.create_task(asyncio.sleep(1))
        """)
    assert lines[9] == {"loop passed"}
    assert "loop passed" in lines[10]


def test_a_loop_parameter_annotated_with_an_alias_is_a_loop_passed() -> None:
    """``def __init__(self, loop: AEL)`` after ``from asyncio import AbstractEventLoop as
    AEL``: the parameter is a loop by its annotation, whose text does not say "loop", so only
    the annotation's kind tells; the line is a ``loop passed`` beside the annotation's own
    finding (``constructs.py:2146``; a rare spelling)."""
    lines = found("""\
        import asyncio
        from asyncio import AbstractEventLoop as AEL

        class Worker:
            def __init__(self, loop: AEL):
                self.loop = loop

            def start(self):
                return self.loop.create_task(asyncio.sleep(1))
        """)
    assert lines[5] == {"loop passed", "asyncio.AbstractEventLoop"}
    assert lines[6] == {"loop passed"}


# -- what a decorator says ------------------------------------------------------------------------


def test_an_async_generator_under_a_plain_decorator_still_yields_inside_a_scope() -> None:
    """An async generator under the user's own ``@logged`` (no fixture, no context manager)
    that yields inside ``async with asyncio.timeout(5):``: the consumer runs between the
    yields, inside the generator's cancel scope, Trio's async-generator hazard; only a
    fixture's or a context manager's generator is exempt (``constructs.py:2081``)."""
    lines = found("""\
        import asyncio
        import functools

        def logged(f):
            @functools.wraps(f)
            def inner(*a, **k):
                print("calling", f.__name__)
                return f(*a, **k)
            return inner

        @logged
        async def ticks(queue: asyncio.Queue):
            while True:
                async with asyncio.timeout(5):
                    item = await queue.get()
                yield item
                async with asyncio.timeout(5):
                    yield await queue.get()
        """)
    assert lines[14] == {"asyncio.timeout"}
    # (the row goes on the ``async def`` line, where the corpus keys have it)
    assert lines[17] == {"asyncio.timeout"} and "async generator scope" in lines[12]


def test_a_fixture_not_named_test_that_takes_event_loop_is_pytest_asyncios() -> None:
    """``@pytest.fixture def server(event_loop, unused_tcp_port)`` in ``tests/conftest.py``:
    a fixture asking for pytest-asyncio's ``event_loop`` is the plugin's, to move to
    pytest-trio or AnyIO's plugin, whatever its name; it is known by its decorator, not by a
    ``test`` prefix (``constructs.py:2152``)."""
    lines = found("""\
        import asyncio

        import pytest

        @pytest.fixture
        def server(event_loop, unused_tcp_port):
            srv = event_loop.run_until_complete(
                asyncio.start_server(lambda r, w: None, "127.0.0.1", unused_tcp_port))
            yield srv
            srv.close()
        """, "tests/conftest.py")
    assert lines[6] == {"pytest-asyncio fixture"}
    assert lines[7] == {"loop.run_until_complete"}


# -- what is done with a task ---------------------------------------------------------------------


def test_a_keep_alive_sets_explicit_discard_is_the_task_set() -> None:
    """A set keeping tasks alive (``add``, ``add_done_callback(self._pending.discard)``) that
    is also waited on: ``self._pending.discard(task)`` in ``forget()`` is the same keep-alive
    bookkeeping, which a nursery makes unnecessary, so it is the task-set row like the ``add``
    (``constructs.py:1058``)."""
    lines = found("""\
        import asyncio

        class Pool:
            def __init__(self):
                self._pending = set()

            def spawn(self, coro):
                task = asyncio.create_task(coro)
                self._pending.add(task)
                task.add_done_callback(self._pending.discard)
                return task

            def forget(self, task):
                self._pending.discard(task)

            async def close(self):
                if self._pending:
                    await asyncio.wait(self._pending)
        """)
    assert lines[9] == {"task set"}
    assert lines[14] == {"task set"}
    assert lines[18] == {"asyncio.wait all"}


# -- what a function makes ------------------------------------------------------------------------


def test_a_maker_annotated_optional_queue_makes_a_queue() -> None:
    """``def make_queue(size) -> Optional[asyncio.Queue]``: ``Optional`` wraps what the
    function makes, a queue (or ``None``), so it is no maker of plain values, and
    ``queue = make_queue(10)``'s ``put`` and ``get`` are the queue row a user ports to a
    memory channel (``constructs.py:2315``)."""
    lines = found("""\
        import asyncio
        from typing import Optional

        def make_queue(size: int) -> Optional[asyncio.Queue]:
            if size <= 0:
                return None
            return asyncio.Queue(size)

        async def main():
            queue = make_queue(10)
            await queue.put(1)
            print(await queue.get())
        """)
    assert lines[11] == {"queue.put"}
    assert lines[12] == {"queue.get"}


# -- where a finding goes -------------------------------------------------------------------------


def test_a_call_on_a_later_line_of_a_multi_line_gather_is_in_the_gathers_statement() -> None:
    """``asyncio.sleep(1)`` on the third line of ``results = await asyncio.gather(...)``
    spread over four lines: the finding is on its own line, its ``statement`` (where the
    TODO goes and what a user reads as the place to edit) is the statement's first line
    (``constructs.py:2485``)."""
    findings = port.scan(textwrap.dedent("""\
        import asyncio

        async def main(urls, fetch):
            results = await asyncio.gather(
                *(fetch(u) for u in urls),
                asyncio.sleep(1),
            )
            return results
        """), "case.py")
    where = {(f.line, f.construct): f.statement for f in findings}
    assert where[(4, "asyncio.gather")] == 4
    assert where[(6, "asyncio.sleep")] == 4


def test_a_todos_items_follow_the_line_when_a_timer_handle_creates_a_task() -> None:
    """``self.handle = loop.call_later(5, lambda: asyncio.create_task(...))`` in ``start()``,
    the handle read in ``stop()``: the TODO above the line lists the changes in the order the
    line reads, ``loop.call_later`` first, the ``service`` its task is last
    (``constructs.py:682``, where a slip records the handle's method as a task's use; cosmetic,
    as seed 31's test of a TODO's order)."""
    new, _ = port.rewrite(textwrap.dedent("""\
        import asyncio

        class Heartbeat:
            def __init__(self, conn):
                self.conn = conn
                self.handle = None

            def start(self):
                loop = asyncio.get_running_loop()
                self.handle = loop.call_later(5, lambda: asyncio.create_task(self.conn.ping()))

            def stop(self):
                return self.handle.when()
        """), "case.py")
    lines = new.splitlines()
    at = lines.index(
        "        self.handle = loop.call_later(5, lambda: asyncio.create_task(self.conn.ping()))")
    todo = lines[at - 1]
    assert todo.lstrip().startswith("# TODO(trio): ")
    assert 0 <= todo.index("loop.call_later") < todo.index("asyncio.create_task") \
        < todo.index("service")
