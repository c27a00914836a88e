"""Finding the call that blocks the run: an Instrument that times each task step.

Trio has no debug mode and no slow-callback warning. It has instruments: an object with
``before_task_step`` and ``after_task_step`` methods is told when each task starts and ends
one step (the code between two checkpoints), so it can time the step and name the task.
``SlowSteps`` below does the job of asyncio's debug mode: a step that takes ``threshold``
seconds or more is logged (``slow_steps`` logger) with the task's name and the innermost line
outside Trio where it waits after the step (debug mode: the task's own line); kept in ``slow``.

It reads ``time.perf_counter()``, not ``trio.current_time()``: on a virtual Trio clock that
real time does not move (``trio.testing.MockClock`` at its default ``rate=0``) a blocking
call takes no time, and the step would look instant. (trio-util's ``TaskStats`` reports
slow steps at the end of the run, and reads ``trio.current_time`` unless given ``current_time=``.)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import trio
import trio.lowlevel

THRESHOLD = 0.5  # seconds; asyncio's default is 0.1

logger = logging.getLogger("slow_steps")


async def well_behaved() -> None:
    for _ in range(5):
        await trio.sleep(0.01)


async def blocker() -> None:
    await trio.sleep(0.01)
    time.sleep(1.5)  # noqa: ASYNC251  # the bug to find: it holds the run for 1.5 s
    await trio.sleep(0.01)


# Trio only: the debug mode asyncio has built in.
class SlowSteps(trio.abc.Instrument):
    """Logs, and keeps in ``slow``, each task step that takes ``threshold`` seconds or more.
    For a whole run: ``trio.run(main, instruments=[SlowSteps()])``; for a while, inside a run:
    ``with SlowSteps() as steps:``."""

    def __init__(self, threshold: float = 0.1,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.threshold = threshold
        self.clock = clock
        self.slow: list[tuple[str, float]] = []
        # by task: one instance may watch runs in several threads at once
        self._started: dict[trio.lowlevel.Task, float] = {}

    def before_task_step(self, task: trio.lowlevel.Task) -> None:
        self._started[task] = self.clock()

    def after_task_step(self, task: trio.lowlevel.Task) -> None:
        started = self._started.pop(task, None)
        if started is None:  # added during this step: it was not timed
            return
        took = self.clock() - started
        if took >= self.threshold:
            self.slow.append((task.name, took))
            # where it waits now: the innermost frame of our code (none once it finished)
            frames = [f"{frame.f_code.co_filename}:{line}"
                      for frame, line in task.iter_await_frames()
                      if not frame.f_globals.get("__name__", "").startswith("trio.")]
            where = frames[-1] if frames else "its end"
            logger.warning("Task %r took %.3f seconds in one step (now at %s)",
                           task.name, took, where)

    def __enter__(self) -> SlowSteps:
        trio.lowlevel.add_instrument(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        trio.lowlevel.remove_instrument(self)
        # Trio never ends the step in which an instrument is removed: forget it, or adding
        # this instance again would time the current task from here.
        self._started.pop(trio.lowlevel.current_task(), None)


async def main(threshold: float = THRESHOLD) -> list[str]:
    with SlowSteps(threshold) as steps:  # or trio.run(main, instruments=[SlowSteps()])
        async with trio.open_nursery() as nursery:
            nursery.start_soon(well_behaved, name="well-behaved")
            nursery.start_soon(blocker, name="blocker")
    return [f"slow step in task {name!r}" for name, _ in steps.slow]


if __name__ == "__main__":
    logging.basicConfig(format="%(message)s")
    print(*trio.run(main), sep="\n")
