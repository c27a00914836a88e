"""``walkthrough port`` (``constructs.py``): the survivors the round of 2026-12-07 left (issue 24).

The round's helpers ran the mutants of the functions they changed and left real survivors
(``docs/mutation.md``, "Rows run again, in part: the tool's round of 2026-12-07"). Each test
here is a short program in the style of real asyncio code, scanned as a user's file, with the
rows the slip changes:

* ``Visitor.finish``: ``from asyncio import wait`` in a file whose calls wait both ways (one for
  the first task, one for all) takes the first-completed row, not the gather row (mutant 40,
  ``self.waits == {True}`` made always true);
* ``Visitor._waited_on``: ``gather(*self._tasks)`` where a service stops is a use of
  ``self._tasks`` itself, not of the starred expression (mutant 12, the ``Starred`` unwrap
  dropped), so the field's annotation is the service's;
* ``Visitor.visit_Assign``: a task made fresh by the file's own coroutine (``task = await
  fake_task()``) is the file's object (mutant 37), and a task wrapped in the file's class with
  the task as argument stays the task (mutant 60);
* ``Visitor.visit_For``: the survivor there (mutant 23, ``name and refs`` made ``name or
  refs``) carried a loop's uses to a function's own names too, and that was the better answer:
  a local task's annotation takes the row of what the code does with the task, as a field's
  does. The rule now says so (and carries the use to each name of a tuple that also holds a
  call), and the test holds it.

Then ``Visitor.finish`` was run whole (231 mutants, at ``d7530a7``): of its 18 survivors, these
tests kill 108 (only a service's stopping uses are its lines), 142 (the most frequent use
names a parameter's annotation), 206 and 207 (a local task cancelled later is the spawn's),
210, 212, 213 and 214 (a done-callback that drops the task from a function it schedules is the
keep-alive set's), and 40 above. The other eight are judged equivalent on the page.
"""

from __future__ import annotations

from tests.test_mutation_port_gaps import found as _found
from tests.test_port_evidence import rows as rows_at
from tests.test_port_false_alarms_1207 import RETRY


def test_wait_imported_for_first_and_all_takes_the_first_completed_row() -> None:
    """Two calls of the imported ``wait``: one returns at the first task done, one waits for
    all. The import line names what its calls need; a gather's nursery is right only when every
    call waits for all, so here it is the first-completed row (a nursery cancelled by the
    first child to finish), never the gather row."""
    rows = rows_at("""\
        import asyncio
        from asyncio import wait, FIRST_COMPLETED


        async def first(a, b):
            tasks = {asyncio.create_task(a), asyncio.create_task(b)}
            done, pending = await wait(tasks, return_when=FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            return done.pop().result()


        async def every(a, b):
            tasks = {asyncio.create_task(a), asyncio.create_task(b)}
            await wait(tasks)
        """)
    assert rows[2] == {"wait-first"}
    assert rows[15] == {"gather"}


def test_a_starred_field_gathered_where_the_service_stops_makes_its_annotation_a_service() -> None:
    """``await asyncio.gather(*self._tasks, return_exceptions=True)`` in ``stop()``: the
    object's own tasks, awaited where it stops. The use is of ``self._tasks`` (what the star
    unpacks), so the field's annotation is labelled for the service it is part of."""
    rows = rows_at("""\
        import asyncio


        class Pool:
            def __init__(self):
                self._tasks: list[asyncio.Task] = []

            async def start(self):
                self._tasks = [asyncio.create_task(self._run(i)) for i in range(3)]

            async def _run(self, i):
                await asyncio.sleep(i)

            async def stop(self):
                await asyncio.gather(*self._tasks, return_exceptions=True)
        """)
    assert "service" in rows[6]
    assert "service" in rows[15]


def test_a_loop_over_a_functions_own_tasks_gives_each_annotation_the_loops_row() -> None:
    """``for task in (reader, writer): task.cancel()``: each task is cancelled there, so each
    ``asyncio.Task`` annotation is the cancel's row, as for ``self._reader`` and
    ``self._writer``; with ``await task`` instead, the awaited task's result row. A loop over
    tuple that also holds a call (a task made in place, which no name tracks) still carries the
    use to each name in it; and a loop over something that is not a tuple or a list carries
    nothing."""
    template = """\
        import asyncio


        async def read():
            await asyncio.sleep(1)


        async def main():
            reader: asyncio.Task = asyncio.create_task(read())
            writer: asyncio.Task = asyncio.create_task(read())
            await asyncio.sleep(5)
            for task in {loop}:
                {use}
        """
    cancelled = rows_at(template.format(loop="(reader, writer)", use="task.cancel()"))
    assert cancelled[9] == cancelled[10] == {"task-cancel", "create-task"}
    awaited = rows_at(template.format(loop="[reader, writer]", use="await task"))
    assert awaited[9] == awaited[10] == {"task-result", "create-task"}
    mixed = rows_at(template.format(loop="(reader, writer, asyncio.create_task(read()))",
                                    use="task.cancel()"))
    assert mixed[9] == mixed[10] == {"task-cancel", "create-task"}
    elsewhere = rows_at(template.format(loop="pending(reader, writer)", use="task.cancel()"))
    assert elsewhere[9] == elsewhere[10] == {"create-task"}


def test_a_task_made_fresh_by_the_files_own_coroutine_is_that_object() -> None:
    """``task = await fake_task()``, where ``fake_task`` returns the file's own ``FakeTask()``
    made from nothing: in that function ``task`` is the file's object, and its ``cancel()``
    is the file's own method, while ``task.cancel()`` on a real task in another function is
    still found (``visit_Assign``'s mutant 37: the ``await`` not looked through)."""
    rows = rows_at("""\
        import asyncio


        class FakeTask:
            def __init__(self):
                self.cancelled = False

            def cancel(self):
                self.cancelled = True


        async def fake_task():
            return FakeTask()


        async def work():
            await asyncio.sleep(1)


        async def real():
            task = asyncio.create_task(work())
            task.cancel()


        async def fake():
            task = await fake_task()
            task.cancel()
        """)
    assert rows[22] == {"task-cancel"}
    assert 27 not in rows


def test_a_task_wrapped_in_the_files_own_class_stays_the_task() -> None:
    """``task = Tracked(task)``: the file's class handed the asyncio task, whose ``cancel()``
    hands on to it. What the name holds still stands for that task, so ``task.cancel()`` after
    the wrap is found, as a loop wrapped in the file's class stays a loop; only an object made
    from nothing (no argument) is the file's own instead (``visit_Assign``'s mutant 60,
    ``fresh and`` made ``fresh or``)."""
    rows = rows_at("""\
        import asyncio


        class Tracked:
            def __init__(self, task):
                self.task = task

            def cancel(self):
                return self.task.cancel()


        async def work():
            await asyncio.sleep(1)


        async def main():
            task = asyncio.create_task(work())
            task = Tracked(task)
            await asyncio.sleep(0)
            task.cancel()
        """)
    assert rows[20] == {"task-cancel"}


# -- Visitor.finish, run whole at d7530a7 -------------------------------------------------------


def test_only_the_stopping_uses_of_a_service_field_are_the_service() -> None:
    """A task kept on ``self`` and cancelled in ``stop()`` is a service on the lines that make,
    cancel and await it; reading its name for a log line (``self._task.get_name()``) is the
    task-name row alone, not a line of the service (``finish``'s mutant 108, ``and`` made
    ``or``: every use of a ``self.`` field became a service line)."""
    rows = rows_at("""\
        import asyncio
        import logging


        async def listen():
            await asyncio.sleep(3600)


        class Poller:
            def __init__(self):
                self._task = None

            def start(self):
                self._task = asyncio.create_task(listen(), name="poller")
                logging.info("started %s", self._task.get_name())

            async def stop(self):
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)
        """)
    assert "service" in rows[14] and "service" in rows[18] and "service" in rows[19]
    assert rows[15] == {"task-name"}


def test_a_task_parameter_takes_the_row_of_its_most_frequent_use() -> None:
    """``settle(task)`` cancels the task once, then awaits it and reads its result: two uses of
    the result against one cancel, so the annotation is labelled for the awaited result, even
    though the cancel comes first (``finish``'s mutant 142, each use counted as the first:
    every row at one, and the first use written wins)."""
    rows = rows_at("""\
        import asyncio


        async def settle(task: asyncio.Task, now: bool) -> int:
            if now:
                task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                return 0
            return task.result()
        """)
    assert rows[4] == {"task-result"}


def test_a_local_task_annotation_cancelled_later_is_the_spawn_row() -> None:
    """``task: asyncio.Task`` on its own line, the task made on the next and cancelled later:
    a task held in a name and cancelled is a spawned task (its role, the corpus README's rule
    for a ``Task`` annotation), so the annotation is labelled for ``create_task``, not for the
    ``cancel()`` (``finish``'s mutants 206 and 207: ``"task-cancel"`` spelled otherwise)."""
    found = {line: {c for c in constructs if c.startswith("asyncio.Task")}
             for line, constructs in _found("""\
        import asyncio


        async def work():
            await asyncio.sleep(1)


        async def main():
            task: asyncio.Task
            task = asyncio.create_task(work())
            await asyncio.sleep(0.5)
            task.cancel()
        """).items()}
    assert found[9] == {"asyncio.Task for asyncio.create_task"}


def test_a_done_callback_that_drops_the_task_later_is_the_keep_alive_sets() -> None:
    """``_on_done(self, task)`` is handed to ``add_done_callback`` and drops the finished task
    from the set that kept it, from a function it schedules (``call_soon(forget)``): it is the
    keep-alive set's callback all the same, so its ``task`` annotation is the task-set row, not
    the row of the task's other uses (``finish``'s mutants 210, 212, 213, 214: the discarders'
    branch never taken, or its construct misspelled)."""
    rows = rows_at("""\
        import asyncio


        class Jobs:
            def __init__(self):
                self._tasks: set[asyncio.Task] = set()

            def spawn(self, coro):
                task = asyncio.create_task(coro)
                self._tasks.add(task)
                task.add_done_callback(self._on_done)

            def _on_done(self, task: asyncio.Task) -> None:
                def forget():
                    self._tasks.discard(task)

                asyncio.get_running_loop().call_soon(forget)
                if not task.cancelled() and task.exception() is not None:
                    print("job failed:", task.exception())
        """)
    assert rows[13] == {"task-set"}


def test_backoff_applied_with_no_target_is_no_blocking_sign_and_no_crash() -> None:
    """``backoff.on_exception(...)()``: the decorator called with nothing to wrap (broken code,
    but the tool reads what it is given) names no plain function, so backoff is not taken for
    its blocking side only; and the tool must not index an argument that is not there
    (``blocking_retries``' mutant 22, the one-argument test made always true: IndexError)."""
    rows = rows_at(RETRY.format(decorator="@backoff.on_exception(backoff.expo, OSError)",
                                kind="def", target=""))
    assert rows[2] == rows[16] == {"asyncio-only-lib"}
