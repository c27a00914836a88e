"""``walkthrough port`` on what the round of 2026-12-07's second look at the working part's
misses (issue 24) taught it: each case is a short program written here, not taken from the
corpus, with the line that must change and the near miss that must not.
"""

from __future__ import annotations

from tests.test_port_evidence import rows


def test_a_parameter_annotated_with_a_packages_generic_class_is_that_packages_object() -> None:
    """``store: RecordStore[Entry]`` is a ``RecordStore`` whatever it holds: awaiting its
    methods in an asyncio program is the package's awaited side, as with a plain
    ``store: RecordStore``, so the package is asyncio's here and every use of it is found."""
    found = rows("""\
        import asyncio
        from vaultkit.stores import RecordStore


        async def fetch(store: RecordStore[str], key: str) -> str:
            async with store.locked(key):
                return await store.read(key)


        async def main() -> None:
            await asyncio.sleep(0)
        """)
    assert found[2] == {"asyncio-only-lib"}
    assert found[5] == {"asyncio-only-lib"}
    assert found[6] == {"asyncio-only-lib"} and found[7] == {"asyncio-only-lib"}


def test_a_container_of_a_packages_objects_is_no_object_of_that_package() -> None:
    """``list[Entry]``: the generic is Python's list, and its parameter the package's: awaiting
    a method of the list's owner says nothing of the package, which stays blocking here."""
    found = rows("""\
        import asyncio
        from vaultkit.stores import Entry


        async def fetch(entries: list[Entry], key: str) -> None:
            await entries.flush(key)


        async def main() -> None:
            await asyncio.sleep(0)
        """)
    assert not {2, 5, 6} & set(found)


def test_a_field_the_file_completes_with_set_result_is_a_future_where_it_is_read() -> None:
    """``call.reply.set_result(v)``: only a future has it, so ``call.reply`` is one in the
    whole file, read (``done()``) or awaited, not only where it is completed."""
    found = rows("""\
        import asyncio


        def deliver(calls: dict, key: str, value: object) -> None:
            call = calls.pop(key)
            if not call.reply.done():
                call.reply.set_result(value)


        async def answer(call) -> object:
            return await call.reply
        """)
    assert found[6] == {"future"} and found[7] == {"future"}
    assert found[11] == {"future"}


def test_a_field_completed_by_the_files_own_method_of_that_name_is_no_future() -> None:
    """A class of the file's own that defines ``set_result`` (a result holder of its own):
    its ``done()`` is its own too (the ``set_result`` line is the older rule's, which reads
    the call alone)."""
    found = rows("""\
        import asyncio


        class Slot:
            def set_result(self, value: object) -> None:
                self.value = value

            def done(self) -> bool:
                return hasattr(self, "value")


        def deliver(call, value: object) -> None:
            if not call.slot.done():
                call.slot.set_result(value)
        """)
    assert 13 not in found


def test_a_field_completed_outside_an_asyncio_file_is_left_as_it_was() -> None:
    """Without asyncio imported, ``job.result_box.set_result(v)`` is some other library's
    (``concurrent.futures`` in a thread pool): nothing here is asyncio's."""
    found = rows("""\
        def deliver(job, value: object) -> None:
            if not job.result_box.done():
                job.result_box.set_result(value)
        """)
    assert not found


def test_unittests_asyncio_test_case_is_the_pytest_asyncio_row() -> None:
    """``unittest.IsolatedAsyncioTestCase`` runs its tests on asyncio's loop: its import and
    each class based on it change in a port (to pytest-trio), a plain ``TestCase`` and the
    ``import unittest`` that blocking tests share do not."""
    found = rows("""\
        import unittest
        from unittest import IsolatedAsyncioTestCase as AsyncCase, TestCase


        class TestFetch(unittest.IsolatedAsyncioTestCase):
            async def test_fetch(self) -> None:
                self.assertEqual(1, 1)


        class TestParse(AsyncCase):
            async def test_parse(self) -> None:
                self.assertEqual(2, 2)


        class TestPlain(TestCase):
            def test_plain(self) -> None:
                self.assertEqual(3, 3)
        """, "tests/test_case.py")
    assert found[2] == {"pytest-asyncio"}
    assert found[5] == {"pytest-asyncio"} and found[10] == {"pytest-asyncio"}
    assert not {1, 6, 11, 15, 16} & set(found)


def test_a_class_of_that_name_not_from_unittest_is_left_as_it_was() -> None:
    """The file's own ``IsolatedAsyncioTestCase`` (a helper base of its own), and one a
    relative import brings, are no unittest class."""
    found = rows("""\
        from .helpers import IsolatedAsyncioTestCase


        class TestOwn(IsolatedAsyncioTestCase):
            def test_own(self) -> None:
                assert True
        """, "tests/test_own.py")
    assert not found


def test_a_copy_of_a_collection_of_tasks_holds_the_same_tasks() -> None:
    """``list(self._jobs)``, ``set(pending)``, ``sorted(...)``: the copy a loop walks to cancel
    or await the tasks, each of them a task as in the collection itself."""
    found = rows("""\
        import asyncio


        class Pool:
            def __init__(self) -> None:
                self._jobs: set[asyncio.Task] = set()

            async def close(self) -> None:
                for job in list(self._jobs):
                    job.cancel()
                waiting = sorted(self._jobs, key=id)
                for each in waiting:
                    await each
        """)
    # (the tasks kept on the object and stopped with it are its service too)
    assert "task-cancel" in found[10]
    assert found[13] & {"task-result", "service"}


def test_a_copy_of_a_plain_collection_or_a_shadowed_builtin_is_no_collection_of_tasks() -> None:
    """``list(self._names)`` of plain strings is plain data; and where ``list`` is the file's
    own import (``from asyncio import ... as list`` would be odd, but a module's own ``list``
    helper is not), its call copies nothing the tool knows."""
    found = rows("""\
        import asyncio
        from asyncio import all_tasks as list


        class Pool:
            def __init__(self) -> None:
                self._names: set[str] = set()
                self._jobs: set[asyncio.Task] = set()

            def close(self) -> None:
                for name in set(self._names):
                    name.cancel()
                for job in list(self._jobs):
                    job.cancel()
        """)
    assert 12 not in found


def test_a_copy_of_what_asyncio_wait_gave_is_taken_apart_not_kept() -> None:
    """``rest = set(pending)`` after ``asyncio.wait``: the copy's ``discard`` picks the tasks
    to cancel, as the wait's own ``pending`` would; it keeps nothing alive (no task-set), and
    each task in it is cancelled as a task."""
    found = rows("""\
        import asyncio


        async def first(a, b) -> None:
            one = asyncio.create_task(a())
            two = asyncio.create_task(b())
            done, pending = await asyncio.wait({one, two}, return_when=asyncio.FIRST_COMPLETED)
            rest = set(pending)
            rest.discard(one)
            for each in rest:
                each.cancel()
        """)
    assert 9 not in found
    assert found[11] == {"task-cancel"}


def test_a_copy_of_a_collection_kept_by_hand_is_still_kept_by_hand() -> None:
    """A copy of the file's own set of tasks, not of a wait's result: what it adds and drops
    is a container kept by hand, as the original's would be."""
    found = rows("""\
        import asyncio


        async def spawn_all(jobs: set[asyncio.Task], make) -> None:
            kept = set(jobs)
            task = asyncio.create_task(make())
            kept.add(task)
            task.add_done_callback(kept.discard)
        """)
    assert found[7] == {"task-set"}


def test_a_field_given_only_set_exception_may_be_a_stream_reader() -> None:
    """``self.reader.set_exception(exc)``: a StreamReader has ``set_exception`` too, so the
    field is not taken for a future where it is read (its ``feed_eof()`` stays a stream's)."""
    found = rows("""\
        import asyncio


        class Client(asyncio.Protocol):
            def connection_lost(self, exc):
                if not self.reader.at_eof():
                    self.reader.set_exception(exc)
        """)
    assert found[6] == {"streams"}


def test_a_name_given_to_a_loops_create_task_is_a_task_name() -> None:
    """``loop.create_task(coro, name="x")`` names its task as ``asyncio.create_task`` does:
    ``start_soon``'s ``name=`` in the port, the task-name row beside the spawn's."""
    found = rows("""\
        import asyncio


        async def work() -> None:
            await asyncio.sleep(0)


        async def main() -> None:
            loop = asyncio.get_running_loop()
            first = loop.create_task(work(), name="first")
            second = loop.create_task(work())
            await first
            await second
        """)
    assert found[10] == {"create-task", "task-name"}
    assert found[11] == {"create-task"}


def test_a_name_handed_to_a_call_that_makes_no_task_is_no_task_name() -> None:
    """``asyncio.to_thread(make, name="x")`` hands ``name=`` to the function it runs in a
    thread: no task is named there, so no task-name."""
    found = rows("""\
        import asyncio


        def make(name: str) -> str:
            return name


        async def main() -> None:
            made = await asyncio.to_thread(make, name="x")
            print(made)
        """)
    assert found[9] == {"to-thread"}


def test_an_optional_or_a_union_with_none_of_a_packages_class_is_that_packages_object() -> None:
    """The annotation forms that say "this object, or None" each name the package's object:
    ``Optional[RecordStore]`` (bare or as ``typing.Optional``), ``RecordStore | None`` and
    ``None | RecordStore``, as the generic ``RecordStore[str]`` does."""
    for annotation in ("Optional[RecordStore]", "typing.Optional[RecordStore]",
                       "RecordStore | None", "None | RecordStore",
                       "Optional[RecordStore[str]]"):
        found = rows(f"""\
            import asyncio
            import typing
            from typing import Optional
            from vaultkit.stores import RecordStore


            async def fetch(store: {annotation}, key: str) -> str:
                return await store.read(key)


            async def main() -> None:
                await asyncio.sleep(0)
            """)
        assert found.get(4) == {"asyncio-only-lib"}, annotation
        assert found.get(8) == {"asyncio-only-lib"}, annotation


def test_an_annotation_that_is_a_call_or_a_list_is_read_without_error() -> None:
    """An odd annotation (a call, a list display) names no package's object, and the file is
    read all the same."""
    found = rows("""\
        import asyncio
        from vaultkit.stores import RecordStore, kind_of


        async def fetch(store: kind_of(RecordStore), keys: [str]) -> None:
            await store.read(keys)


        async def main() -> None:
            await asyncio.sleep(0)
        """)
    assert 1 in found and 5 not in found


def test_a_field_the_file_makes_from_a_class_of_its_own_is_no_future() -> None:
    """``self.box = ResultBox()``, a class of the file's own (its ``set_result`` an inherited
    method of someone else's): the field is that class's object, plain to asyncio, so neither
    its ``set_result`` nor its ``done()`` is a future's."""
    found = rows("""\
        import asyncio
        from boxes import BaseBox


        class ResultBox(BaseBox):
            pass


        class Worker:
            def __init__(self) -> None:
                self.box = ResultBox()

            def finish(self, value: object) -> None:
                if not self.box.done():
                    self.box.set_result(value)
        """)
    assert not {14, 15} & set(found)
