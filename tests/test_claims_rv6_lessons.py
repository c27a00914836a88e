"""Sentences of docs/lessons/{count,makerandom,chained,queue}.md that an outside review (RV6,
2026-12-07) found half-true or too broad, now corrected; each test here names its finding.

* F1: ``walkthrough check`` runs the parameter sets in turn, stops at the first that differs,
  and runs the script only once every set agrees.
* F2: Trio's checkpoint rule is about its regular functions: a building block of
  ``trio.lowlevel`` need not be a checkpoint.
* F3: makerandom's notebook mode on the real clock: one tie (5 s), woken in the order of the
  two ``sleep`` calls, so the same output every run, and the same draws as the virtual clock's.
* F4: an ``await`` lets others run only if what it awaits suspends.
* F5, F6: every test the four pages name exists; each "Under failure" section sends the reader
  to a section that speaks of Ctrl-C, and the tests it names run this lesson.
* F7: the notebook's own queue cells end at 56 s on the virtual clock; the twins at 59 s.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.lowlevel

from asyncio_ref import makerandom
from tests.test_cancellation import CASES
from tests.test_claims_pages import StepCounter
from tests.test_notebooks import notebook_queue
from tests.test_sigint import LESSONS as SIGINT_LESSONS
from tests.virtual import run_asyncio, run_trio
from walkthrough.cli import main
from walkthrough.clocks import VirtualTimeLoop
from walkthrough.runner import run_lesson

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = ("count", "makerandom", "chained", "queue")


def page(name: str) -> str:
    """A page of the guide, its whitespace folded so that a sentence reads as one line."""
    return " ".join((DOCS / name).read_text(encoding="utf-8").split())


def section(text: str, heading: str) -> str:
    """From ``heading`` (a folded page's ``## ...``) to the next heading of that level."""
    start = text.index(heading)
    end = text.find(" ## ", start + len(heading))
    return text[start:] if end < 0 else text[start:end]


# ---------------------------------------------------------------------------------------------
# F1: the check stops at the first set that differs; the script runs only once all agree.

def run_check(capsys: pytest.CaptureFixture[str], lesson: str, path: Path) -> tuple[int, str]:
    """``walkthrough check LESSON PATH``: its exit status and all it printed (the port runs in
    a child process, as for a learner)."""
    try:
        status = main(["check", lesson, str(path)])
    except SystemExit as exc:
        status = int(exc.code or 0)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


#: Each page's slip, made in the Trio twin: (the line as written, the slip), the sets the check
#: then runs (equivalent, then the one that differs), and the count of sets.
SLIPS = {
    "makerandom": (("    while i <= threshold:\n", "    while i < threshold:\n"),
                   ["case 1/5 (seed=444): equivalent", "case 2/5 (seed=31): NOT equivalent",
                    "(cases 3-5 not run: fix this one first)"]),
    "chained": (("    p2 = await fire(n, p1, rng)\n", "    p2 = fire(n, p1, rng)\n"),
                ["case 1/4 (seed=1672, args=('cannon', 'laser', 'railgun')): NOT equivalent",
                 "(cases 2-4 not run: fix this one first)"]),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("lesson", list(SLIPS))
def test_the_check_stops_at_the_first_set_that_differs_and_runs_the_script_only_after_all_agree(
        lesson: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """F1: with the page's slip, the check runs the sets in turn up to the first that differs,
    runs none after it, and does not run the file as a script; the twin itself, every set
    equivalent, is then run as a script too (the line under "equivalent" says so)."""
    twin = (ROOT / "trio_port" / f"{lesson}.py").read_text(encoding="utf-8")
    (line, slip), said = SLIPS[lesson]
    assert twin.count(line) == 1
    port = tmp_path / f"my_{lesson}.py"
    port.write_text(twin.replace(line, slip), encoding="utf-8")

    status, out = run_check(capsys, lesson, port)
    assert status == 1, out
    cases = [row.strip() for row in out.splitlines() if row.startswith("  case ")
             or row.startswith("  (case")]
    assert cases == said, out
    assert "as a script" not in out, out

    status, out = run_check(capsys, lesson, ROOT / "trio_port" / f"{lesson}.py")
    assert status == 0, out
    assert out.rstrip().splitlines()[-1].startswith("  and does the same run as a script"), out

    for name in PAGES:
        tried = section(page(f"lessons/{name}.md"), "## Try it yourself")
        assert ("It runs the sets in turn and stops at the first that differs; the script runs "
                "come only once every set agrees") in tried, name
        assert ("test_the_check_stops_at_the_first_set_that_differs_and_runs_the_script_only_"
                "after_all_agree") in tried, name


# ---------------------------------------------------------------------------------------------
# F2: a building block of trio.lowlevel need not be a checkpoint.


@pytest.mark.parametrize("where", ["main task", "child task"])
def test_trio_lowlevel_blocks_need_not_be_checkpoints(where: str) -> None:
    """F2: ``trio.lowlevel.checkpoint_if_cancelled()``, awaited and returning in a scope that is
    not cancelled, does not yield (a ready task does not run), where ``trio.sleep(0)`` does;
    ``cancel_shielded_checkpoint()`` yields but, in a cancelled scope, returns without
    ``Cancelled``. Trio's rule ("an async function of Trio that returns is a checkpoint") is
    about its regular functions."""
    counter = StepCounter()
    seen: list[object] = []

    async def probe() -> None:
        counter.task = trio.lowlevel.current_task()
        ran: list[str] = []

        async def other() -> None:
            ran.append("other")

        async with trio.open_nursery() as nursery:
            nursery.start_soon(other)  # ready from now on: any schedule point may run it
            before = counter.steps
            for _ in range(100):
                await trio.lowlevel.checkpoint_if_cancelled()
            seen.append(("checkpoint_if_cancelled", counter.steps - before, list(ran)))
            with trio.CancelScope() as scope:
                scope.cancel()
                before = counter.steps
                await trio.lowlevel.cancel_shielded_checkpoint()
                seen.append(("cancel_shielded_checkpoint", counter.steps - before))
                await trio.lowlevel.checkpoint_if_cancelled()
                seen.append("never")  # pragma: no cover - cancelled: it raises here
            seen.append(("then checkpoint_if_cancelled raised Cancelled", scope.cancelled_caught))
            before = counter.steps
            await trio.sleep(0)  # noqa: ASYNC115 (a regular function, for contrast)
            seen.append(("sleep(0)", counter.steps - before))

    async def start() -> None:
        trio.lowlevel.add_instrument(counter)
        if where == "main task":
            await probe()
        else:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(probe)

    run_trio(start)
    assert seen == [("checkpoint_if_cancelled", 0, []), ("cancel_shielded_checkpoint", 1),
                    ("then checkpoint_if_cancelled raised Cancelled", True), ("sleep(0)", 1)]
    text = page("lessons/count.md")
    assert "test_trio_lowlevel_blocks_need_not_be_checkpoints" in text
    assert "not every building block in `trio.lowlevel` is" in text
    assert "nor need a building block of `trio.lowlevel` be one" in page("lessons/queue.md")


# ---------------------------------------------------------------------------------------------
# F3: makerandom's notebook mode on the real clock.

COLOURS = {code: idx for idx, code in enumerate(makerandom.c[1:])}
UNIT = 0.04  # real seconds per second of the lesson: 1/25 (wake-ups 1 s apart stay 40 ms apart)


def notebook_mode(run: Callable[[Coroutine[Any, Any, list[int]]], list[int]],
                  now: Callable[[], float], monkeypatch: pytest.MonkeyPatch,
                  unit: float) -> tuple[list[tuple[float, int, str]], list[int]]:
    """``demo_notebook()`` run by ``run``, its sleeps scaled by ``unit``: each line it printed,
    as (seconds of the lesson since the start, the task's idx or -1, the line), and the
    results."""
    lines: list[tuple[float, int, str]] = []
    sleep = asyncio.sleep
    start: list[float] = []

    async def scaled(delay: float) -> None:
        await sleep(delay * unit)

    def record(text: str) -> None:
        if not start:
            start.append(now())
        colour = COLOURS.get(text[:len(makerandom.c[1])], -1)
        line = text.removeprefix(makerandom.c[colour + 1]).removesuffix(makerandom.c[0]) \
            if colour >= 0 else text
        lines.append(((now() - start[0]) / unit, colour, line))

    monkeypatch.setattr(makerandom.asyncio, "sleep", scaled)
    monkeypatch.setattr(makerandom, "print", record, raising=False)
    results = run(makerandom.demo_notebook())
    monkeypatch.undo()
    return lines, results


def draws(lines: list[tuple[float, int, str]]) -> list[tuple[int, int]]:
    """(idx, number) for each number drawn, in the order drawn (each is printed at once)."""
    found = []
    for _, idx, line in lines:
        if m := re.fullmatch(r"(\d+) too low; retrying\.|---> Finished: makerandom\(\d\) == (\d+)",
                             line):
            found.append((idx, int(m.group(1) or m.group(2))))
    return found


@pytest.mark.asyncio_suite
@pytest.mark.timeout(60)
def test_notebook_mode_on_the_real_clock_swaps_the_tie_at_5_s_the_same_way_every_run(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """F3: in notebook mode (one RNG for all three tasks) the one instant where two retries
    fall due together is 5 s (idx 0 and idx 1 each drew a 4 at 0 s). On the virtual clock the
    heap wakes idx 1 first; on the real clock (sleeps scaled to 1/25) idx 0, which called
    ``sleep`` first, so its deadline is earlier. The same 20 numbers are drawn in the same
    order, but from 5 s on, until idx 1 finishes, idx 0 and idx 1 draw each other's (12 of the
    20 draws); idx 2's draws do not change; the real run ends at 52 s (scaled) instead of 59;
    three real runs print the same lines."""
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        vlines, vresults = notebook_mode(runner.run, runner.get_loop().time, monkeypatch, 1.0)
    reals = [notebook_mode(asyncio.run, time.perf_counter, monkeypatch, UNIT)
             for _ in range(3)]

    assert vresults == [10, 9, 10] and all(results == vresults for _, results in reals)
    at_5 = [idx for t, idx, line in vlines if t == 5.0 and "too low" in line]
    assert at_5 == [1, 0]
    assert round(vlines[-1][0], 6) == 59.0
    vdraws = draws(vlines)
    assert len(vdraws) == 20 and sum("too low" in line for _, _, line in vlines) == 17
    for rlines, _ in reals:
        rdraws = draws(rlines)
        assert [n for _, n in rdraws] == [n for _, n in vdraws]  # the same numbers, in order
        assert rdraws[:4] == vdraws[:4]  # up to 5 s, each task draws what it drew before
        assert [d[0] for d in rdraws[4:6]] == [0, 1]  # at 5 s: idx 0 first, not idx 1
        moved = [k for k, (r, v) in enumerate(zip(rdraws, vdraws, strict=True)) if r[0] != v[0]]
        assert all({rdraws[k][0], vdraws[k][0]} == {0, 1} for k in moved)  # never idx 2's
        last = max(k for k, (idx, _) in enumerate(rdraws) if idx == 1)  # idx 1 finishes
        assert moved == [k for k in range(4, last + 1) if vdraws[k][0] != 2]
        assert len(moved) == 12
        assert 52.0 <= rlines[-1][0] < 59.0, rlines[-1]  # 52 s and the real clock's overshoot
    outputs = {tuple((idx, line) for _, idx, line in rlines) for rlines, _ in reals}
    assert len(outputs) == 1  # the order of the two sleep calls: the same every run
    text = page("lessons/makerandom.md")
    assert "5 s is the one instant where two retries fall due together" in text
    assert ("test_notebook_mode_on_the_real_clock_swaps_the_tie_at_5_s_the_same_way_every_run"
            in text)
    assert "jitter decides the order" not in text


# ---------------------------------------------------------------------------------------------
# F4: an await lets others run only if what it awaits suspends.


async def plain() -> int:
    """An ``async def`` that awaits nothing: awaiting it never suspends."""
    return 1


@pytest.mark.parametrize("waits", [False, True], ids=["returns at once", "suspends"])
@pytest.mark.parametrize("framework", ["asyncio", "trio"])
def test_an_await_lets_others_run_only_if_it_suspends(framework: str, waits: bool) -> None:
    """F4: task A starts task B (ready from then on), then awaits 1000 times a coroutine that
    returns at once (in asyncio also ``put`` on an unbounded queue and ``get`` on a non-empty
    one): B does not run before A's next line. Awaiting the framework's ``sleep(1)`` instead,
    which suspends, lets B run there."""
    log: list[str] = []

    async def b() -> None:
        log.append("B ran")

    if framework == "asyncio":
        async def main_asyncio() -> None:
            log.append("A start")
            other = asyncio.create_task(b())
            if waits:
                await asyncio.sleep(1)
            else:
                for _ in range(1000):
                    await plain()
                q: asyncio.Queue[int] = asyncio.Queue()
                await q.put(1)
                await q.get()
            log.append("A end")
            await other

        run_asyncio(main_asyncio)
    else:
        async def main_trio() -> None:
            async with trio.open_nursery() as nursery:
                log.append("A start")
                nursery.start_soon(b)
                if waits:
                    await trio.sleep(1)
                else:
                    for _ in range(1000):
                        await plain()
                log.append("A end")

        run_trio(main_trio)
    expected = ["A start", "B ran", "A end"] if waits else ["A start", "A end", "B ran"]
    assert log == expected
    text = page("lessons/count.md")
    assert "an `await` is the only place where a coroutine can let others run" in text
    assert "test_an_await_lets_others_run_only_if_it_suspends" in text


# ---------------------------------------------------------------------------------------------
# F5, F6: the tests the pages name exist; "Under failure" reaches Ctrl-C.


@pytest.mark.parametrize("name", PAGES)
def test_every_test_the_lesson_page_names_exists(name: str) -> None:
    """F5 (queue.md now names ``test_random_seed_does_not_seed_the_seeds_faker``), and every
    other ``tests/test_x.py::test_name`` or bare ``test_name`` of the four pages."""
    tests = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    named = set(re.findall(r"`(?:tests/test_\w+\.py::)?(test_\w+)", page(f"lessons/{name}.md")))
    assert named, name
    for test in named:
        assert re.search(rf"^def {test}\(", tests, re.M), f"{name}.md names missing {test}"
    if name == "queue":
        assert "The notebook's one `Faker` is not seeded at all" in page("lessons/queue.md")


RELIABILITY = (DOCS / "reliability.md").read_text(encoding="utf-8")


def headed(anchor: str) -> str:
    """The section of reliability.md whose heading's slug is ``anchor`` (to the next heading of
    its level or above), its whitespace folded."""
    headings = [(m.start(), len(m.group(1)), m.group(2))
                for m in re.finditer(r"(?m)^(#{2,3}) (.+)$", RELIABILITY)]
    for k, (start, level, title) in enumerate(headings):
        if re.sub(r"[^\w\s-]", "", title.lower()).strip().replace(" ", "-") == anchor:
            end = next((s for s, lv, _ in headings[k + 1:] if lv <= level), len(RELIABILITY))
            return " ".join(RELIABILITY[start:end].split())
    raise AssertionError(f"reliability.md has no section #{anchor}")


@pytest.mark.parametrize("name", PAGES)
def test_under_failure_reaches_a_fault_a_deadline_and_ctrl_c(name: str) -> None:
    """F6: each lesson's "Under failure" promises a fault, a deadline and Ctrl-C; the sections of
    reliability.md it links speak of Ctrl-C between them, and every test it names runs this
    lesson (the deadline test over ``test_cancellation.CASES``, the Ctrl-C test over its
    ``LESSONS``; the queue's own Ctrl-C test is named in its section)."""
    under = section(page(f"lessons/{name}.md"), "## Under failure")
    anchors = re.findall(r"\(\.\./reliability\.md#([\w-]+)\)", under)
    assert anchors, name
    linked = " ".join(headed(anchor) for anchor in anchors)
    assert "Ctrl-C" in linked, name
    assert "deadline" in linked.lower(), name
    named = set(re.findall(r"`tests/test_\w+\.py::(test_\w+)`", under))
    if "test_a_deadline_stops_the_lesson_cleans_up_and_leaves_nothing_running" in named:
        assert name in CASES
    if "test_ctrl_c_stops_every_lesson_cleanly" in named:
        assert name in SIGINT_LESSONS
    if name in ("makerandom", "chained"):
        assert named == {"test_a_deadline_stops_the_lesson_cleans_up_and_leaves_nothing_running",
                         "test_ctrl_c_stops_every_lesson_cleanly"}, name


# ---------------------------------------------------------------------------------------------
# F7: the notebook's own queue cells end at 56 s; the twins' run with its seed at 59 s.


@pytest.mark.asyncio_suite
def test_the_notebooks_own_queue_cells_end_at_56_s_and_the_twins_at_59() -> None:
    """F7: the seed notebook's queue cells (``random.seed(444)``, one global RNG, an unseeded
    ``Faker``; ``tests/test_notebooks.py``'s ``notebook_queue``), solved as they ask, end at
    56 s on the virtual clock, each of three runs (the Faker draws no sleeps); the twins' run
    with the notebook's seed and sizes, one stream per producer, at 59 s, in both versions."""
    ends = set()
    for _ in range(3):
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            loop = runner.get_loop()
            start = loop.time()
            runner.run(notebook_queue(1.0, loop.time, seed_faker=False)())
            ends.add(round(loop.time() - start, 6))
    assert ends == {56.0}
    for impl in ("asyncio", "trio"):
        assert run_lesson("queue", impl).durations["demo"] == 59.0, impl
    text = page("lessons/queue.md")
    assert "end at 56 s on the virtual clock" in text and "completes at 59 s" in text
    assert "test_the_notebooks_own_queue_cells_end_at_56_s_and_the_twins_at_59" in text
    assert "the notebook's run completes at 59 s" not in text
