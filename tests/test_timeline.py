"""``walkthrough timeline``: task activity from the frameworks, its drawings, and the verb."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import load_script
from walkthrough import catalogue, timeline
from walkthrough.activity import Activity, AsyncioRecorder
from walkthrough.cli import main
from walkthrough.clocks import VirtualTimeLoop
from walkthrough.runner import run_lesson
from walkthrough.trace import compare

ROOT = Path(__file__).resolve().parent.parent
VIRTUAL = [lesson for lesson in catalogue.available() if not lesson.real_io]
CASES = [pytest.param(lesson, case, id=f"{lesson.name}-{k}")
         for lesson in VIRTUAL for k, case in enumerate(lesson.all_cases())]
SVG = "{http://www.w3.org/2000/svg}"


# -- activity, from the frameworks ---------------------------------------------------------------

def test_count_activity_one_row_per_task(impl: str) -> None:
    activity = Activity()
    run_lesson("count", impl, activity=activity)
    sync = activity.in_phase("demo_sync")
    assert [(r.name, r.waits()) for r in sync] == [
        ("demo_sync", [(0.0, 1.0), (1.0, 2.0), (2.0, 3.0)])]
    rows = activity.in_phase("demo_async")
    assert [r.name for r in rows] == ["demo_async"] + ["count_async"] * 3
    for r in rows:
        assert (r.spawned, r.exited, r.waits()) == (0.0, 1.0, [(0.0, 1.0)])
        assert r.trace_task is not None  # every task printed, and its lines are linked to it


def test_framework_tasks_are_left_out(impl: str) -> None:
    """Trio's <init> and run_sync_soon tasks, asyncio's shutdown tasks: not the user's."""
    activity = Activity()
    run_lesson("count", impl, activity=activity)
    assert {r.name for r in activity.records} == {"demo_sync", "demo_async", "count_async"}


@pytest.mark.asyncio_suite
def test_asyncio_tasks_keep_their_names_results_and_stacks() -> None:
    """The factory's wrapper is transparent: names, results, errors, stacks, cancellation."""
    activity = Activity()
    seen: dict[str, object] = {}

    async def child(x: int) -> int:
        await asyncio.sleep(2)
        return x * 2

    async def failing() -> None:
        await asyncio.sleep(1)
        raise ValueError("no")

    async def root() -> object:
        loop = asyncio.get_running_loop()
        task = asyncio.create_task(child(21))
        doomed = asyncio.create_task(asyncio.sleep(10))
        await asyncio.sleep(0)
        seen["name"] = getattr(task.get_coro(), "__qualname__", None)
        seen["stack"] = len(task.get_stack())
        doomed.cancel()
        results = await asyncio.gather(task, failing(), doomed, return_exceptions=True)
        seen["now"] = loop.time() - start
        return results

    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        loop = runner.get_loop()
        start = loop.time()  # the virtual loop starts at a random reading
        loop.set_task_factory(AsyncioRecorder(activity, "p", lambda: loop.time() - start))
        results = runner.run(root())
    assert results[0] == 42 and isinstance(results[1], ValueError)
    assert isinstance(results[2], asyncio.CancelledError)
    assert seen == {"name": "test_asyncio_tasks_keep_their_names_results_and_stacks.<locals>"
                            ".child", "stack": 1, "now": 2.0}
    spans = {r.name.rsplit(".", 1)[-1]: (r.spawned, r.exited, r.waits())
             for r in activity.records}
    assert spans["child"] == (0.0, 2.0, [(0.0, 2.0)])
    assert spans["failing"] == (0.0, 1.0, [(0.0, 1.0)])
    assert spans["root"] == (0.0, 2.0, [(0.0, 2.0)])
    assert "sleep" not in spans  # asyncio's own coroutine (asyncio.sleep) is not the user's


@pytest.mark.parametrize("lesson", VIRTUAL, ids=lambda lesson: lesson.name)
def test_recording_changes_nothing_observable(lesson: catalogue.Lesson, impl: str) -> None:
    """The asyncio task factory and the Trio instrument only watch."""
    plain = run_lesson(lesson, impl)
    watched = run_lesson(lesson, impl, activity=Activity())
    verdict = lesson.compare(plain, watched)
    assert verdict.equivalent, verdict.describe()
    if impl == "asyncio":  # asyncio's scheduler is deterministic: the very same output
        assert plain.text() == watched.text()


# -- the two versions agree --------------------------------------------------------------------

@pytest.mark.parametrize(("lesson", "case"), CASES)
def test_timelines_agree_where_the_traces_do(lesson: catalogue.Lesson, case: dict) -> None:
    """Wherever the shared comparison calls the versions equivalent, so do their pictures:
    the same tasks, alive over the same spans, running at the same instants. For the queue,
    whose comparison forgives which consumer took which job, the consumers are one pool."""
    panels = timeline.record(lesson, catalogue.IMPLS, case, with_variants=False)
    aio = [p for p in panels if p.impl == "asyncio"]
    trio = [p for p in panels if p.impl == "trio"]
    assert [p.phase for p in aio] == [p.phase for p in trio] == list(lesson.phases)
    pooled = lesson.normalise is not None
    for a, b in zip(aio, trio, strict=True):
        assert a.duration == pytest.approx(b.duration)
        assert timeline.shape(a, pooled=pooled) == timeline.shape(b, pooled=pooled), a.phase


def test_agreement_can_fail() -> None:
    """A port that runs the counts one after another draws another picture."""
    from tests.conftest import load_broken

    lesson = catalogue.get("count")
    good = timeline.record(lesson, ("asyncio",), with_variants=False)
    bad = timeline.record(lesson, ("trio",), module=load_broken("count_sequential"))
    assert timeline.shape(good[1]) != timeline.shape(bad[1])


def test_queue_picture_shows_join_versus_close() -> None:
    """Trio's demo_closing is drawn next to demo: its consumers finish their last sleep after
    the last job, where q.join() (and our counter) cancel them mid-sleep."""
    lesson = catalogue.get("queue")
    assert ("demo", "demo_closing") in [(p, f) for p, f, _ in timeline.variants(lesson)]
    panels = timeline.record(lesson, catalogue.IMPLS)
    by_function = {(p.impl, p.function): p for p in panels}
    joined, closing = by_function["asyncio", "demo"], by_function["trio", "demo_closing"]
    assert by_function["trio", "demo"].duration == joined.duration
    assert closing.duration > joined.duration
    consumers = [r for r in closing.rows if r.label == "consume_until_closed"]
    assert consumers and max(r.exited for r in consumers) == closing.duration
    assert all(r.exited == joined.duration for r in joined.rows if r.label == "consume")
    svg = ET.fromstring(timeline.to_svg(panels))
    ends = {g.get("data-function"): float(end.get("data-time", "nan"))
            for g in svg.iter(f"{SVG}g") if g.get("class") == "panel"
            for end in g.iter(f"{SVG}line") if end.get("class") == "end"}
    assert ends["demo_closing"] > ends["demo"]


# -- the SVG -------------------------------------------------------------------------------------

@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
@pytest.mark.parametrize("lesson", VIRTUAL, ids=lambda lesson: lesson.name)
def test_svg_is_valid_and_its_bars_sit_at_the_trace_times(lesson: catalogue.Lesson,
                                                          narrow: bool) -> None:
    panels = timeline.record(lesson, catalogue.IMPLS)
    root = ET.fromstring(timeline.to_svg(panels, narrow=narrow))
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == str(timeline.NARROW_WIDTH if narrow else timeline.WIDTH)
    left = timeline.NARROW_LEFT if narrow else timeline.LEFT
    phase_groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "phase"]
    assert [g.get("data-phase") for g in phase_groups] == list(lesson.phases)
    checked_bars = checked_marks = 0
    for group in phase_groups:
        scale = float(group.get("data-scale", "nan"))
        assert group.get("data-left") == str(left)
        drawn = [g for g in group.iter(f"{SVG}g") if g.get("class") == "panel"]
        mine = [p for p in panels if p.phase == group.get("data-phase")]
        assert [(g.get("data-impl"), g.get("data-function")) for g in drawn] == [
            (p.impl, p.function) for p in mine]
        for g, panel in zip(drawn, mine, strict=True):
            rows = [r for r in g.iter(f"{SVG}g") if r.get("class") == "row"]
            assert len(rows) == len(panel.rows)
            for element, row in zip(rows, panel.rows, strict=True):
                bars = [(float(r.get("data-start", "nan")), float(r.get("data-end", "nan")),
                         float(r.get("x", "nan")), float(r.get("width", "nan")))
                        for r in element.iter(f"{SVG}rect")]
                assert [t for a, b, _, _ in bars for t in (a, b)] == pytest.approx(
                    [t for wait in row.waits for t in wait], abs=1e-6)
                for a, b, x, w in bars:
                    assert x == pytest.approx(left + a * scale, abs=1e-3)
                    assert w == pytest.approx((b - a) * scale, abs=1e-3)
                    checked_bars += 1
                marks = [(float(c.get("data-time", "nan")), float(c.get("cx", "nan")))
                         for c in element.iter(f"{SVG}circle")]
                assert [t for t, _ in marks] == pytest.approx([t for t, _ in row.marks])
                for t, cx in marks:
                    assert cx == pytest.approx(left + t * scale, abs=1e-3)
                    checked_marks += 1
    # every printed line of every run is a mark, at its time in the trace
    for impl in catalogue.IMPLS:
        trace = run_lesson(lesson, impl)
        drawn_times = sorted(t for p in panels if p.impl == impl and p.function in lesson.phases
                             for r in p.rows for t, _ in r.marks)
        assert drawn_times == pytest.approx(sorted(e.time for e in trace.events))
    assert checked_marks > 0
    if lesson.name != "generators":  # the generators lesson never waits
        assert checked_bars > 0


def test_the_narrow_drawing_fits_its_text_in_its_width() -> None:
    """The phone's drawing wraps what the wide one writes on one line (the title, a note, the
    legend): no line of text, at a generous width per character, runs past the right edge;
    every row keeps its label, on a line of its own above its bars."""
    panels = timeline.record(catalogue.get("queue"), catalogue.IMPLS, {"ncon": 1})
    title = "walkthrough timeline queue --seed 14 --param nprod=3 --param ncon=1"
    root = ET.fromstring(timeline.to_svg(panels, title=title, narrow=True))
    texts = [t for t in root.iter(f"{SVG}text") if t.get("class") != "tick"]
    for t in texts:
        right = float(t.get("x", "nan")) + len(t.text or "") * timeline.FONT[
            t.get("class", "")] * timeline.CHAR_EM
        assert right <= timeline.NARROW_WIDTH - 10, t.text
    lines = [t.text for t in texts]
    assert " ".join(line for line in lines[:2] if line) == title  # two lines, whole
    assert [t.text for t in texts if t.get("class") == "legend"] == list(timeline.LEGEND)
    assert [t.text for t in texts if t.get("class") == "label"] == [
        r.label for p in panels for r in p.rows]
    wide = ET.fromstring(timeline.to_svg(panels, title=title))
    assert len([t for t in wide.iter(f"{SVG}text") if t.get("class") == "title"]) == 1


def test_marks_carry_the_printed_text() -> None:
    panels = timeline.record(catalogue.get("count"), ("trio",))
    root = ET.fromstring(timeline.to_svg(panels))
    titles = [c.findtext(f"{SVG}title") or "" for c in root.iter(f"{SVG}circle")]
    assert sum("One Async" in t for t in titles) == 3
    assert any("async version executed in 1.00 seconds." in t for t in titles)


# -- the verb ----------------------------------------------------------------------------------

def test_verb_draws_both_versions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", "count", "--width", "100"]) == 0
    out = capsys.readouterr().out
    assert "asyncio · demo_async: ends at 1 s" in out and "trio · demo_async: ends at 1 s" in out
    assert out.count("count_async") == 6 and "━" in out and "●" in out


def test_verb_writes_svg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.svg"
    assert main(["timeline", "makerandom", "--impl", "trio", "--seed", "31", "--svg",
                 str(path), "--width", "90"]) == 0
    root = ET.parse(path).getroot()
    assert {g.get("data-impl") for g in root.iter(f"{SVG}g") if g.get("class") == "panel"} == {
        "trio"}
    assert f"wrote {path}" in capsys.readouterr().out.replace("\n", "")


def test_verb_param_reaches_the_lesson(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", "queue", "--impl", "asyncio", "--param", "ncon=1",
                 "--param", "nprod=1", "--width", "90"]) == 0
    out = capsys.readouterr().out
    assert out.count("consume") == 1 and out.count("produce") == 1


@pytest.mark.parametrize(("argv", "message"), [
    (["timeline", "nope"], "unknown lesson 'nope'"),
    (["timeline", "crawler"], "real network I/O"),
    (["timeline", "crawler"], "try 'walkthrough crawl'"),
    (["timeline", "server"], "try 'walkthrough run server'"),
    (["timeline", "count", "--seed", "3"], "draws no random numbers"),
    (["timeline", "queue", "--param", "nope=1"], "expected NAME=VALUE"),
    (["timeline", "queue", "--param", "ncon"], "expected NAME=VALUE"),
    (["timeline", "count", "--width", "5"], "--width must be at least 40"),
    (["timeline", "count", "--svg", "/nonexistent-dir/t.svg"], "cannot write"),
    # values are checked against the lesson's signature (type) and the drawable range
    (["timeline", "queue", "--param", "nprod=abc"], "--param nprod=abc: not an integer"),
    (["timeline", "queue", "--param", "nprod=1.5"], "not an integer (demo(nprod: int))"),
    (["timeline", "queue", "--param", "nprod=-1"], "-1 is out of range, 0 to 50"),
    (["timeline", "queue", "--param", "nprod=100000"], "100000 is out of range, 0 to 50"),
    (["timeline", "queue", "--param", "ncon=0"], "with no consumer no job is ever taken"),
    (["timeline", "asyncgen", "--param", "up_to=x"], "not an integer"),
    (["timeline", "chained", "--param", "args=(1, 2)"], "expected words separated by commas"),
])
def test_verb_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_param_types_come_from_the_lesson_signatures() -> None:
    from walkthrough.commands import timeline as verb

    assert verb.declared_type(catalogue.get("queue"), "nprod") == ("demo(nprod: int)", int)
    where, hint = verb.declared_type(catalogue.get("chained"), "args")
    assert where == "demo(args: tuple[str, ...])" and hint == tuple[str, ...]
    chained = catalogue.get("chained")
    assert verb.parse_param(chained, "args", "cannon, laser") == ("cannon", "laser")
    assert verb.parse_param(chained, "args", "('a', 'b')") == ("a", "b")


@pytest.mark.parametrize("lesson", VIRTUAL, ids=lambda lesson: lesson.name)
def test_every_catalogue_case_passes_the_param_checks(lesson: catalogue.Lesson) -> None:
    """The limits refuse nothing the shared tests and `check` run."""
    from walkthrough.commands import timeline as verb

    for case in lesson.all_cases():
        for name, value in case.items():
            text = ",".join(value) if isinstance(value, tuple) else str(value)
            assert verb.parse_param(lesson, name, text) == value


def test_verb_param_in_range_draws(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", "chained", "--impl", "trio", "--param", "args=cannon,laser",
                 "--width", "90"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("  ") and "●" in line]
    assert len(rows) == 3  # the main task and one task per chain


# -- the committed exports -----------------------------------------------------------------------

def test_timeline_exports_are_fresh() -> None:
    """docs/img holds what scripts/export_screens.py draws now (run it after a change)."""
    exports = load_script("export_screens").exports()
    for path, text in exports.items():
        if "timeline" in path.name:
            assert path.exists(), f"missing {path}: run scripts/export_screens.py"
            assert path.read_text(encoding="utf-8") == text, \
                f"{path.name} is stale: run scripts/export_screens.py"


def test_queue_export_case_is_one_trio_cannot_reorder() -> None:
    """The exported case must draw one picture whatever order Trio runs a batch in: rerun."""
    script = load_script("export_screens")
    lesson = catalogue.get("queue")
    pictures = {timeline.to_svg(timeline.record(lesson, ("trio",), script.QUEUE_CASE))
                for _ in range(10)}
    assert len(pictures) == 1


def test_readme_tells_the_exported_queue_story() -> None:
    """The README's prose about the exported queue picture matches the picture."""
    case = load_script("export_screens").QUEUE_CASE
    panels = timeline.record(catalogue.get("queue"), catalogue.IMPLS, case)
    ends = {(p.impl, p.function): p.duration for p in panels}
    joined, closed = ends["asyncio", "demo"], ends["trio", "demo_closing"]
    assert ends["trio", "demo"] == joined
    readme = (ROOT / "README.md").read_text()
    assert f"at {joined:g} s" in readme and f"ends at {closed:g} s" in readme
    assert f"{closed - joined:g} s later" in readme
    # ... and shows the command that draws it
    flags = " ".join(f"--param {k}={v}" for k, v in case.items() if k != "seed")
    assert f"walkthrough timeline queue --seed {case['seed']} {flags}" in readme


def test_compare_still_sees_the_difference_the_picture_shows() -> None:
    """demo_closing prints the same lines but ends later: compare says so too."""
    lesson = catalogue.get("queue")
    aio = run_lesson(lesson, "asyncio")
    trio_module = lesson.load("trio")
    closing = run_lesson(lesson, "trio", module=_with_demo(trio_module, "demo_closing"))
    verdict = compare(lesson.normalise(aio) if lesson.normalise else aio,
                      lesson.normalise(closing) if lesson.normalise else closing)
    assert not verdict.equivalent and "Program completed" in verdict.describe()


def _with_demo(module: ModuleType, function: str) -> ModuleType:
    proxy = ModuleType(module.__name__)
    proxy.__dict__.update(module.__dict__)
    proxy.demo = getattr(module, function)  # type: ignore[attr-defined]
    return proxy


def test_an_svg_path_that_cannot_be_written_fails_before_the_drawing(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 26: `--svg /missing/dir/x.svg` drew the whole timeline, then failed."""
    with pytest.raises(SystemExit) as exited:
        main(["timeline", "count", "--svg", "/nonexistent-dir/t.svg"])
    assert exited.value.code == 2
    printed = capsys.readouterr()
    assert "cannot write /nonexistent-dir/t.svg: No such file or directory" in printed.err
    assert printed.out == ""  # nothing drawn
