"""Known-broken Trio ports. Each must be caught by the shared suite: a test of the tests.

:data:`SLIPS` are realistic porting slips (issue 14): each file is the lesson's Trio twin
with one mistake of the kind people make when porting (a forgotten ``- start``, a coroutine
passed to ``start_soon``, ``randrange`` for ``randint``, a bounded channel, ...), marked
``# BUG`` where it is. Each must be caught twice: by its lesson's shared tests
(``tests/test_<lesson>.py``, mostly through :func:`diverging_cases`) and by
``walkthrough check`` (``tests/test_check_mutants.py``). Every one changes what a user sees;
a mutant that changed nothing would be *equivalent*, and does not belong here.
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Callable
from typing import Any

import trio

SLIPS: dict[str, tuple[str, ...]] = {
    "count": ("count_forgot_start", "count_sync_forgot_start", "count_perf_counter_in_trio",
              "count_start_soon_coroutine", "count_blocking_sleep", "count_two_tasks"),
    "makerandom": ("makerandom_randrange_first", "makerandom_randrange_retry",
                   "makerandom_strict_threshold", "makerandom_threshold_param",
                   "makerandom_one_seed_each", "makerandom_completion_order",
                   "makerandom_sleep_before_draw"),
    "chained": ("chained_forgot_start", "chained_demo_forgot_start", "chained_results_by_name",
                "chained_fire_draws_first", "chained_partial_swapped", "chained_rngs_reversed",
                "chained_sleep_after_print", "chained_load_randrange"),
    "queue": ("queue_forgot_start", "queue_waited_is_a_reading", "queue_bounded_channel",
              "queue_no_task_done", "queue_get_then_sleep", "queue_one_faker",
              "queue_names_swapped", "queue_timestamp_before_sleep", "queue_cancel_before_join"),
    "generators": ("generators_format_width", "generators_cycle_reversed"),
    "asyncgen": ("asyncgen_sleep_before_yield", "asyncgen_off_by_one", "asyncgen_no_newline",
                 "asyncgen_filter_inverted", "asyncgen_ahead_buffer_one"),
}

#: Virtual seconds no correct run of any lesson reaches (the queue's worst case is 1,100 s):
#: a slip that deadlocks meets this deadline, which the autojump clock reaches at once.
HORIZON = 10_000.0


def guarded(module: types.ModuleType, phases: tuple[str, ...]) -> types.ModuleType:
    """``module`` with each async phase under ``trio.fail_after(HORIZON)``: a hang becomes a
    ``TooSlowError`` (a different outcome), never a stuck test."""
    proxy = types.ModuleType(f"guarded_{module.__name__}")
    proxy.__dict__.update(module.__dict__)
    for phase in phases:
        fn: Callable[..., Any] = getattr(module, phase)
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def under_deadline(*args: Any, __fn: Callable[..., Any] = fn,
                                     **kwargs: Any) -> Any:
                with trio.fail_after(HORIZON):
                    return await __fn(*args, **kwargs)

            setattr(proxy, phase, under_deadline)
    return proxy


def diverging_cases(lesson_name: str, module: types.ModuleType) -> list[int]:
    """Which of the lesson's shared cases (``Lesson.all_cases()``) tell ``module`` from the
    asyncio reference, by the lesson's own comparison: what the shared equivalence tests see."""
    from walkthrough import catalogue
    from walkthrough.runner import run_lesson

    lesson = catalogue.get(lesson_name)
    port = guarded(module, lesson.phases)
    return [k for k, case in enumerate(lesson.all_cases())
            if not lesson.compare(run_lesson(lesson, "asyncio", params=case),
                                  run_lesson(lesson, "trio", module=port, params=case)).equivalent]
