"""``walkthrough port`` on misses of asyncio's own constructs (issue 24, the round of
2026-12-07, brief T21): each case is a short program written here, not taken from the corpus,
with the line that must change and the near miss that must not.
"""

from __future__ import annotations

from tests.test_port_evidence import rows


def test_clearing_a_container_kept_one_task_at_a_time_is_task_set() -> None:
    """``self._jobs.clear()`` where the object keeps tasks in a dict one at a time
    (``self._jobs[key] = task``, ``self._jobs.pop(key)``): emptying it is the container's line,
    task-set, in ``stop()`` as anywhere (the corpus README's eleventh-part ruling); in Trio the
    nursery holds its children and the container goes."""
    found = rows("""\
        import asyncio


        class Refresher:
            def __init__(self) -> None:
                self._jobs: dict[str, asyncio.Task[None]] = {}

            def refresh(self, key: str) -> None:
                self._jobs[key] = asyncio.create_task(self._run(key))

            def forget(self, key: str) -> None:
                self._jobs.pop(key, None)

            async def _run(self, key: str) -> None:
                await asyncio.sleep(1)

            async def stop(self) -> None:
                for task in self._jobs.values():
                    task.cancel()
                self._jobs.clear()
        """)
    assert "task-set" in found[12]
    assert found[20] == {"task-set"}


def test_clearing_a_services_container_filled_where_it_starts_is_not_task_set() -> None:
    """The near miss: ``self._workers`` filled in ``start()`` and emptied in ``stop()`` is a
    service's container (the twelfth part's ruling: clearing it is no line of its own)."""
    found = rows("""\
        import asyncio


        class Pool:
            def __init__(self) -> None:
                self._workers: list[asyncio.Task[None]] = []

            async def start(self) -> None:
                for _ in range(4):
                    self._workers.append(asyncio.create_task(self._work()))

            async def _work(self) -> None:
                await asyncio.sleep(1)

            async def stop(self) -> None:
                for task in self._workers:
                    task.cancel()
                self._workers.clear()
        """)
    assert 18 not in found


def test_a_container_reached_through_another_object_is_the_same_field() -> None:
    """A handler adds to ``self.channel._pending`` and the channel clears ``self._pending``:
    one object's field reached two ways, kept one task at a time, so the clear is task-set."""
    found = rows("""\
        import asyncio


        class Handler:
            def __init__(self, channel: "Channel") -> None:
                self.channel = channel

            async def on_message(self, text: str) -> None:
                task = asyncio.create_task(self.channel.deliver(text))
                self.channel._pending.add(task)


        class Channel:
            def __init__(self) -> None:
                self._pending: set[asyncio.Task[None]] = set()

            async def deliver(self, text: str) -> None:
                await asyncio.sleep(0.1)

            async def stop(self) -> None:
                self._pending.clear()
        """)
    assert found[21] == {"task-set"}


def test_shutting_down_the_default_executor_is_closing_the_loop() -> None:
    """``loop.shutdown_default_executor()`` is one of the steps of closing a loop by hand
    (``asyncio.Runner.close()`` runs it after ``shutdown_asyncgens()``, before
    ``loop.close()``): the loop row, as Trio has no loop and no executor to shut down. The near
    miss: ``run_in_executor`` on the same loop stays ``to-thread``."""
    found = rows("""\
        import asyncio


        def work() -> int:
            return 1


        async def main() -> None:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, work)


        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(main())
        finally:
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
        """)
    assert found[10] == {"to-thread"}
    assert found[17] == {"run", "loop"}


def test_a_queue_made_elsewhere_is_known_by_its_name_and_asyncio_queues_signatures() -> None:
    """``self.update_queue``, handed in or made by a base class: awaiting ``put(item)`` and
    ``get()`` on a reference named for a queue, in a file that uses asyncio, is asyncio's
    queue (a memory channel's ``send``/``receive`` in Trio). No method only a queue has
    (``task_done``, ``put_nowait``) tells it here."""
    found = rows("""\
        import asyncio

        from .hub import Hub


        class Observer:
            def __init__(self, hub: Hub) -> None:
                self.update_queue = hub.updates

            async def report(self, text: str) -> None:
                await self.update_queue.put(text)

            async def drain(self) -> str:
                item = await self.update_queue.get()
                await asyncio.sleep(0)
                return item
        """)
    assert found[11] == {"queue"}
    assert found[14] == {"queue"}


def test_a_queue_whose_get_takes_a_key_or_a_janus_queue_is_not_asyncios() -> None:
    """The near misses: a broker's queue whose ``get`` takes arguments (``no_ack=False``,
    ``timeout=2``) is no ``asyncio.Queue``; nor is a queue named so in a file that imports
    janus, whose ``async_q`` has asyncio's queue methods but is janus's (its own row)."""
    broker = rows("""\
        import asyncio


        async def consume(channel) -> None:
            job_queue = await channel.declare_queue("jobs")
            message = await job_queue.get(no_ack=False, timeout=2)
            await asyncio.sleep(0)
        """)
    assert 6 not in broker
    janus_file = rows("""\
        import asyncio

        import janus


        async def route(receive_queue) -> None:
            message = await receive_queue.get()
            await asyncio.sleep(0)
        """)
    assert 7 not in janus_file


def test_an_async_generator_that_yields_inside_a_timeout_is_async_gen_on_its_def_line() -> None:
    """An async generator that yields inside ``asyncio.timeout`` (a cancel scope in Trio) or
    inside a websocket connection's ``async with`` (trio-websocket opens a nursery): the
    async-gen row, on the ``async def`` line where the port puts ``@trio.as_safe_channel``."""
    found = rows("""\
        import asyncio

        import websockets


        async def lines(reader: asyncio.StreamReader):
            async with asyncio.timeout(10):
                while line := await reader.readline():
                    yield line


        async def messages(url: str):
            async with websockets.connect(url) as ws:
                async for message in ws:
                    yield message
        """)
    assert "async-gen" in found[6]
    assert "async-gen" in found[12]
    assert "async-gen" not in found[7] and "async-gen" not in found[13]


def test_a_context_manager_or_a_session_around_yield_is_no_async_gen() -> None:
    """The near misses: an ``@asynccontextmanager`` yields inside its timeout on purpose (its
    one yield is the caller's body), and an aiohttp session opens no nursery (httpx's
    neither): neither is the async-gen row."""
    found = rows("""\
        import asyncio
        from contextlib import asynccontextmanager

        import aiohttp


        @asynccontextmanager
        async def bounded():
            async with asyncio.timeout(10):
                yield


        async def pages(url: str):
            async with aiohttp.ClientSession() as session:
                for page in range(3):
                    yield await (await session.get(url, params={"page": page})).text()
        """)
    assert "async-gen" not in found.get(8, set())
    assert "async-gen" not in found.get(13, set())
    assert not any("async-gen" in each for each in found.values())


def test_the_name_of_a_task_that_as_completed_yields_is_task_name() -> None:
    """``async for done in asyncio.as_completed(tasks)`` yields the tasks handed in (Python
    3.13, CPython PR #22491): ``done.get_name()`` is the task's name, the task-name row
    (``nursery.start_soon(fn, name=...)``), while ``await done`` keeps as-completed."""
    found = rows("""\
        import asyncio


        async def fetch(host: str) -> str:
            await asyncio.sleep(1)
            return host


        async def main(hosts: list[str]) -> None:
            tasks = [asyncio.create_task(fetch(h), name=h) for h in hosts]
            async for done in asyncio.as_completed(tasks):
                print(done.get_name())
                print(await done)
        """)
    assert found[12] == {"task-name"}
    assert found[13] == {"as-completed"}


def test_a_task_taken_from_a_dict_of_tasks_by_get_is_a_task() -> None:
    """``prev = self._jobs.get(key)`` off a dict the file fills with tasks: the item is a task,
    so ``prev.done()`` is task-result and ``prev.cancel()`` task-cancel, as they are for a task
    taken out with ``pop``."""
    found = rows("""\
        import asyncio


        class Jobs:
            def __init__(self) -> None:
                self._jobs: dict[str, asyncio.Task[None]] = {}

            def restart(self, key: str) -> None:
                prev = self._jobs.get(key)
                if prev is not None and not prev.done():
                    prev.cancel()
                self._jobs[key] = asyncio.create_task(asyncio.sleep(1))
        """)
    assert found[10] == {"task-result"}
    assert found[11] == {"task-cancel"}


def test_a_get_off_a_mapping_keyed_by_loops_or_of_records_is_no_loop() -> None:
    """The near misses: ``_TOKENS.get(loop)`` looks a loop up (a mapping keyed by loops,
    whose values are plain), ``self._active.get(key)`` gives the ``(ws, loop)`` record stored
    there, and ``self._by_tp.get(tp)`` an inner mapping of queues (a queue's own ``get`` would
    read the same): none of them is a loop or a queue, so what is done with it is no
    finding."""
    found = rows("""\
        import asyncio
        import weakref

        _TOKENS: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, int]" = (
            weakref.WeakKeyDictionary())


        def token() -> int | None:
            loop = asyncio.get_running_loop()
            found = _TOKENS.get(loop)
            if found is not None:
                return found
            return None


        class Registry:
            def __init__(self) -> None:
                self._active: dict[str, tuple[object, asyncio.AbstractEventLoop]] = {}
                self._by_tp: dict[str, dict[str, asyncio.Queue[int]]] = {}

            def register(self, key: str, ws: object) -> None:
                self._active[key] = (ws, asyncio.get_running_loop())

            def current(self, key: str) -> object | None:
                entry = self._active.get(key)
                if entry is None:
                    return None
                return entry

            def empty(self, tp: str, key: str) -> bool:
                queues = self._by_tp.get(tp)
                queue = queues.get(key)
                return queue is None
        """)
    assert found[10] == {"loop"}  # the loop handed to get(), as to any call
    assert 11 not in found and 12 not in found
    assert 25 not in found and 26 not in found
    assert 31 not in found and 32 not in found


def test_a_quoted_type_given_to_cast_is_an_annotation() -> None:
    """``typing.cast``'s first argument is a type, in quotes as often as not:
    ``cast("asyncio.Future[object]", task)`` names asyncio's class (the future row, as an
    annotation that names it), and ``cast("set[asyncio.Task[int]]", ...)`` a collection of
    tasks (task-set). The near miss: ``cast("list[Entry]", ...)`` names the package's own
    type and stays."""
    found = rows("""\
        import asyncio
        from typing import cast

        from .model import Entry


        def pending(tasks: set[object]) -> set[asyncio.Task[int]]:
            return cast("set[asyncio.Task[int]]", tasks)


        def first(task: object) -> "asyncio.Future[object]":
            return cast("asyncio.Future[object]", task)


        def entries(rows: list[object]) -> list[Entry]:
            return cast("list[Entry]", rows)
        """)
    assert found[8] == {"task-set"}
    assert found[12] == {"future"}
    assert 16 not in found


def test_a_priority_queue_known_by_its_annotation_is_a_priority_queue() -> None:
    """``self._jobs: asyncio.PriorityQueue[tuple[int, asyncio.Future[int]]]``: the annotation
    names the queue (what it holds, a future in a tuple, is no kind of its own), so its put
    and get are the priority-queue row and its ``task_done()`` task-done. The near miss: a
    plain ``asyncio.Queue`` annotated the same way keeps the queue row."""
    found = rows("""\
        import asyncio


        class Executor:
            def __init__(self) -> None:
                self._jobs: asyncio.PriorityQueue[tuple[int, asyncio.Future[int]]] = (
                    asyncio.PriorityQueue())
                self._plain: asyncio.Queue[tuple[int, asyncio.Future[int]]] = asyncio.Queue()

            async def submit(self, priority: int, done: asyncio.Future[int]) -> None:
                await self._jobs.put((priority, done))
                await self._plain.put((priority, done))

            async def work(self) -> None:
                priority, done = await self._jobs.get()
                self._jobs.task_done()
        """)
    assert found[11] == {"priority-queue"}
    assert found[12] == {"queue"}
    assert found[15] == {"priority-queue"}
    assert found[16] == {"task-done"}


def test_an_end_marker_put_in_a_priority_queues_tuple_is_queue_shutdown() -> None:
    """``put((LAST, n, _STOP))``, ``_STOP = object()``: the end marker, in the tuple a priority
    queue orders, is put to tell the workers to stop, the queue-shutdown row (a memory
    channel's ``aclose()``), as ``put(_STOP)`` is. The near miss: a job's tuple stays
    priority-queue."""
    found = rows("""\
        import asyncio
        import itertools

        _STOP = object()
        _counter = itertools.count()


        async def feed(jobs: list[str]) -> asyncio.PriorityQueue:
            queue: asyncio.PriorityQueue = asyncio.PriorityQueue()
            for job in jobs:
                await queue.put((1, next(_counter), job))
            await queue.put((9, next(_counter), _STOP))
            return queue
        """)
    assert found[11] == {"priority-queue"}
    assert found[12] == {"queue-shutdown"}


def test_yielding_a_loop_from_a_fixture_hands_it_on() -> None:
    """``yield loop`` in a pytest fixture (or a context manager) hands the loop to what uses
    it, as ``return loop`` does: the loop row (Trio has no loop to hand out). The near miss:
    a generator that yields what the loop computed (``yield loop.time()``) names the loop's
    method, its own row, and no loop handed on."""
    found = rows("""\
        import asyncio

        import pytest


        @pytest.fixture
        def fresh_loop():
            loop = asyncio.new_event_loop()
            yield loop
            loop.close()


        def ticks(loop: asyncio.AbstractEventLoop):
            while True:
                yield loop.time()
        """)
    assert found[9] == {"loop"}
    assert found[15] == {"loop-time"}


def test_handing_on_a_futures_await_is_awaiting_the_future() -> None:
    """``return self._fut.__await__()`` in an awaitable class: awaiting the object awaits
    the future, the future row, as ``await self._fut`` is (Trio's counterpart, an Event and
    the value, has no ``__await__`` to hand on). The near misses: ``__await__`` of the
    class's own coroutine is Python's data model, and of the future the package's own
    function returns the package's call of itself (the README's sixth part): both stay."""
    found = rows("""\
        import asyncio


        class Reply:
            def __init__(self) -> None:
                self._fut = asyncio.get_running_loop().create_future()

            def __await__(self):
                return self._fut.__await__()


        class Lazy:
            async def _load(self) -> int:
                await asyncio.sleep(0)
                return 1

            def __await__(self):
                return self._load().__await__()


        def later() -> "asyncio.Future[int]":
            return asyncio.get_running_loop().create_future()


        class Later:
            def __await__(self):
                return later().__await__()
        """)
    assert found[9] == {"future"}
    assert 18 not in found
    assert 27 not in found


def test_a_loop_put_in_a_dict_or_a_list_it_hands_on_is_handed_on() -> None:
    """``{"loop": loop, ...}`` (settings handed on later, a job's record) and
    ``Thread(target=f, args=[loop])`` keep or hand on the loop, as ``self._loop = loop`` and
    ``args=(loop,)`` do: the loop row on the line of each (Trio has no loop to hand on). The
    near miss: the same dict's other values, and a list of plain values handed to a thread,
    stay."""
    found = rows("""\
        import asyncio
        from threading import Thread


        def work(loop: asyncio.AbstractEventLoop, name: str) -> None:
            print(name)


        def start(name: str) -> dict[str, object]:
            loop = asyncio.new_event_loop()
            settings = {
                "limit": 10,
                "loop": loop,
            }
            Thread(target=work, args=[
                loop,
                name,
            ]).start()
            Thread(target=print, args=[
                name,
            ]).start()
            return settings
        """)
    assert found[13] == {"loop"} and 12 not in found
    assert found[16] == {"loop"} and 17 not in found
    assert 19 not in found and 20 not in found
