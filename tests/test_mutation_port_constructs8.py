"""``walkthrough port`` (``constructs.py``): the survivors of seed 34's sample (issue 27).

A random sample of 240 of ``constructs.py``'s mutants (seed 34, ``docs/mutation.md``,
"``walkthrough/port/constructs.py`` (SAMPLED, seed 34)") left 9 real slips no test noticed.
Each test here is a short program in the style of real asyncio code, scanned as a user's file,
with the findings (line and construct, so the row) the slip changes. The line numbers are of
``18f4bd5`` (the code is the same at ``5d9308c``, where the sample was drawn):

* what an import is: every name of a ``from asyncio import`` after ``wait``; a backport's
  fallback that is the package's own module (``from . import timeout``) or another asyncio
  spelling;
* what a name holds: a dict bound to a name that is an aiohttp session elsewhere in the
  file; a parameter annotated ``Any`` that is handed an ``asyncio.Queue``;
* what ``async for`` iterates: a library's call given ``loop=``.

Four real survivors are left without a test. Two because the mutant's answer is the better
one, and a test would pin the worse: ``:965`` (a class handed in as ``queue_type:
type[asyncio.Queue]`` and called in a nested closure: the mutant names the closure's call
``asyncio.Queue``, which it is; the tool misses it) and ``:381`` (a name whose fourth part is
a WebSocket class, ``aiohttp._websocket.models.WSMsgType``: the mutant calls it websocket,
which it is). Two because only pointless code shows them: ``:1580`` (a comparison whose every
operand is ``None``, ``DEBUG = None is None``) and ``:1667`` (``isinstance(request,
request.__class__)``, always true, with an ``else`` branch).
"""

from __future__ import annotations

from tests.test_mutation_port_gaps import found
from tests.test_port_evidence import rows as rows_at

# -- what an import is ----------------------------------------------------------------------------


def test_every_name_of_a_from_asyncio_import_after_wait_is_a_finding() -> None:
    """``from asyncio import wait, create_task, sleep``: ``wait``'s row is set by its calls
    (here a plain ``wait(tasks)``, a gather), and the names after it are findings of their own
    on the import line, the line the rewrite changes; a slip that stops at ``wait``
    (``constructs.py:828``, ``continue`` became ``break``) drops ``create_task`` and
    ``sleep`` there, so the ported import still names asyncio's."""
    source = """\
        import asyncio
        from asyncio import wait, create_task, sleep

        async def work(n):
            await sleep(n)
            return n

        async def main():
            tasks = {create_task(work(i)) for i in range(3)}
            done, pending = await wait(tasks)
            return [t.result() for t in done]

        asyncio.run(main())
        """
    lines = found(source)
    assert lines[2] == {"asyncio.wait all", "asyncio.create_task", "asyncio.sleep"}
    assert rows_at(source)[2] == {"gather", "create-task", "sleep"}
    assert lines[9] == {"asyncio.create_task"}
    assert lines[10] == {"asyncio.wait all"}


def test_a_backports_fallback_that_is_the_packages_own_or_asyncios_is_no_backport() -> None:
    """``try: from asyncio import timeout`` / ``except ImportError: from . import timeout``,
    the package's own backport of ``asyncio.timeout`` for older Pythons: a relative import has
    no module (``None``), no asyncio import, so the fallback's line is the backport of the
    ``try``'s ``asyncio.timeout`` (one TODO: both imports become Trio's ``fail_after``), and
    the scan goes on to the ``async with`` and ``asyncio.sleep``; a slip in how the
    fallback's top module is found (``constructs.py:1901``, ``split(".")`` became
    ``split(None)``, whose ``[0]`` of an empty module fails) stops the scan with an
    ``IndexError``, so the user's file gets no findings at all. The same slip reads ``from
    asyncio.tasks import wait_for as timeout`` as no asyncio import, and that fallback's line
    also claims the ``try``'s ``asyncio.timeout``, a construct it does not import."""
    own = """\
        import asyncio

        try:
            from asyncio import timeout
        except ImportError:  # Python < 3.11
            from . import timeout

        async def main():
            async with timeout(5):
                await asyncio.sleep(1)
        """
    assert found(own, "mypkg/client.py") == {
        1: {"import asyncio"}, 4: {"asyncio.timeout"}, 6: {"asyncio.timeout"},
        9: {"asyncio.timeout"}, 10: {"asyncio.sleep"}}
    asyncios = found("""\
        import asyncio

        try:
            from asyncio import timeout
        except ImportError:
            from asyncio.tasks import wait_for as timeout

        async def main():
            async with timeout(5):
                await asyncio.sleep(1)
        """)
    assert asyncios[4] == {"asyncio.timeout"}
    assert asyncios[6] == {"asyncio.wait_for"}


# -- what a name holds ----------------------------------------------------------------------------


def test_a_dict_bound_to_a_name_that_is_a_session_elsewhere_is_a_dict() -> None:
    """``session = {"user": user, "logged_in": True}`` in a plain function of a file whose
    coroutine has ``async with aiohttp.ClientSession() as session:``: a literal is a value of
    its own, not the aiohttp session, so ``session.get("logged_in")`` (a dict's ``get``) has no
    finding; a slip that counts a literal as no plain value (``constructs.py:1430``, ``return
    True`` became ``return False``) gives the dict's line an aiohttp-client TODO, a port of
    code that has nothing to port."""
    source = """\
        import asyncio

        import aiohttp

        async def fetch(url):
            async with aiohttp.ClientSession() as session:
                async with session.get(url) as response:
                    return await response.text()

        def login_state(user):
            session = {"user": user, "logged_in": True}
            return session.get("logged_in")

        async def main():
            print(await fetch("https://example.org"), login_state("ann"))

        asyncio.run(main())
        """
    lines = found(source)
    assert lines[7] == {"session"}
    assert not {11, 12} & set(lines)


def test_a_parameter_annotated_any_keeps_the_queue_it_is_handed() -> None:
    """``async def consumer(queue: Any)``, handed an ``asyncio.Queue`` by ``main``: ``Any``
    names no builtin value type, so the parameter keeps the queue's kind from its call, and
    ``queue.get()`` and ``queue.task_done()`` are the queue's findings (a memory channel's
    receive, and the task-done row, which Trio has no twin of); a slip that counts every
    annotation that names something as a builtin value (``constructs.py:2330``, ``and``
    became ``or``) drops both, and the consumer stays asyncio's after the port."""
    source = """\
        import asyncio
        from typing import Any

        async def producer(queue: asyncio.Queue[int]) -> None:
            for n in range(3):
                await queue.put(n)

        async def consumer(queue: Any) -> None:
            while True:
                print(await queue.get())
                queue.task_done()

        async def main() -> None:
            jobs: asyncio.Queue[int] = asyncio.Queue()
            worker = asyncio.create_task(consumer(jobs))
            await producer(jobs)
            await jobs.join()
            worker.cancel()

        asyncio.run(main())
        """
    lines = found(source)
    assert lines[10] == {"queue.get"}
    assert lines[11] == {"queue.task_done"}
    assert rows_at(source)[11] == {"task-done"}


# -- what async for iterates ----------------------------------------------------------------------


def test_an_async_for_over_a_librarys_call_given_the_loop_is_a_loop_passed() -> None:
    """``async for message in messages(conn, loop=loop):`` in a file that found ``chatkit``
    asyncio's (``await connect(..., loop=loop)``): the iterated call is the library's, entered
    by ``async for``, so its ``loop=`` argument is a finding (loop passed: Trio has no loop to
    hand on) as on the ``connect`` line; a slip that forgets the call was entered
    (``constructs.py:1337``, ``id(node.iter)`` became ``id(None)``) takes it for a plain helper
    and drops that line's ``loop passed``, and the port keeps a ``loop=`` nothing provides."""
    source = """\
        import asyncio

        from chatkit import connect, messages

        async def main(loop):
            conn = await connect("chat.example.org", loop=loop)
            async for message in messages(conn, loop=loop):
                print(message)

        loop = asyncio.get_event_loop()
        loop.run_until_complete(main(loop))
        """
    lines = found(source)
    assert lines[6] == {"lib:chatkit", "loop passed"}
    assert lines[7] == {"lib:chatkit", "loop passed"}
