"""The drawings: the slips mutmut planted in ``timeline.py`` and ``sidebyside.py`` that the
tests let through.

``scripts/mutation.py`` (issue 27, ``docs/mutation.md``) found, per kind of slip:

* ``timeline.record`` and its helpers: a line printed by no task (a thread's) lost or drawn
  elsewhere than on its "(elsewhere)" row, a task still running at the phase's end, the order
  of rows that tie, a variant that the asyncio twin has too, a variant's note, the lesson's
  name on a panel (no lesson of the catalogue prints from a thread or has such variants);
* ``timeline.render``: the terminal picture drawn at other columns (a life line or a wait bar
  drawn from the axis' origin instead of from where it starts, the last tick of the axis
  dropped or an extra one past the end, the last tick's label cut: "1 s" for 10 s, a bug the
  survivors showed), a label cut at another length, the plot narrower or wider than
  documented (its minimum width, its default width), a short or zero-length phase, a task
  that outlives its phase (the clamp that keeps its line on the plot);
* ``timeline.to_svg``: a life line's start, the ticks, the scale of a short or empty phase,
  the default title, the narrow drawing's wrapping (at spaces only, over its whole room);
* ``timeline.shape``: how many tasks share a span (three drawn like two), which row is the
  main task's, the rounding of the instants, the ``pooled`` default: the shared tests compare
  two shapes with each other, so a slip that changes both alike passed.
"""

from __future__ import annotations

import types
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from rich.console import Console
from rich.text import Text

from walkthrough import catalogue, timeline
from walkthrough.activity import TaskRecord
from walkthrough.timeline import Panel, Row
from walkthrough.trace import Event, Trace

LABEL_W = 24  # render's label column: 2 spaces, the label in 21, a space


def _lines(panels: list[Panel], width: int | None = None) -> list[Text]:
    group = timeline.render(panels) if width is None else timeline.render(panels, width=width)
    return [t for t in group.renderables if isinstance(t, Text)]


def _panel(rows: tuple[Row, ...], duration: float = 4.0, impl: str = "asyncio",
           note: str = "") -> Panel:
    return Panel("lesson", impl, "demo", "demo", duration, rows, note)


def _row(name: str, spawned: float, exited: float, waits: tuple[tuple[float, float], ...] = (),
         marks: tuple[tuple[float, str], ...] = (), runs: tuple[float, ...] = ()) -> Row:
    return Row(name, spawned, exited, waits, marks, runs)


# -- timeline.record, _rows, variants ---------------------------------------------------------

#: A lesson of one phase whose twins are written here: each prints a line of its main task and
#: one (in colour) from a thread, which no task of the framework's printed.
FAKE_TWIN = """
import asyncio
import threading

import trio


def _from_a_thread():
    t = threading.Thread(target=print, args=("\\x1b[31mfrom a thread\\x1b[0m",))
    t.start()
    t.join()


async def demo():
    print("main says")
    _from_a_thread()
    await SLEEP(1)


async def demo_plain():
    await SLEEP(1)


async def demo_told():
    \"\"\"The ``told`` ending.

    More.\"\"\"
    await SLEEP(1)


async def other():
    await SLEEP(1)


async def other_shared():
    await SLEEP(1)
"""


def _twin(impl: str) -> types.ModuleType:
    module = types.ModuleType(f"fake_{impl}")
    exec(FAKE_TWIN.replace("SLEEP", f"{impl}.sleep"), module.__dict__)
    if impl == "asyncio":  # its variants are Trio's own; other_shared is in both
        del module.demo_plain, module.demo_told
    return module


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> catalogue.Lesson:
    twins = {impl: _twin(impl) for impl in catalogue.IMPLS}
    monkeypatch.setattr(catalogue.Lesson, "exists", lambda self, impl: True)
    monkeypatch.setattr(catalogue.Lesson, "load", lambda self, impl: twins[impl])
    return catalogue.Lesson("fake", "s", "t", phases=("demo", "other"))


def test_variants_are_trio_only_with_their_first_docstring_line(
        fake: catalogue.Lesson) -> None:
    """A variant is Trio's own (``other_shared`` is in both files, so it is none); its note is
    its docstring's first line without the reST quotes, or nothing when it has none."""
    assert timeline.variants(fake) == [("demo", "demo_plain", ""),
                                       ("demo", "demo_told", "The told ending.")]


@pytest.mark.timeout(30)
def test_record_keeps_lines_printed_by_no_task_on_a_row_of_their_own(
        fake: catalogue.Lesson) -> None:
    """The thread's line is drawn on an "(elsewhere)" row that spans the phase, as plain text;
    each panel names its lesson (the SVG's default title reads it)."""
    panels = timeline.record(fake, catalogue.IMPLS, with_variants=False)
    demo = [p for p in panels if p.function == "demo"]
    assert [p.impl for p in demo] == list(catalogue.IMPLS)
    for panel in demo:
        assert panel.lesson == "fake"
        main, elsewhere = panel.rows
        assert main.marks == ((0.0, "main says"),)
        assert elsewhere == Row("(elsewhere)", 0.0, 1.0, (), ((0.0, "from a thread"),), ())
        assert elsewhere.label == "(elsewhere)"


def test_rows_a_task_still_running_ends_with_the_phase_and_ties_sort_by_first_line() -> None:
    """A task with no exit (still running when the phase ended) lives to the end; rows after
    the main task sort by spawn, name, first line, then exit: not by a second line."""
    trace = Trace("trio", "fake", events=[
        Event("demo", 0.0, 1, "a"), Event("demo", 0.5, 1, "z"),
        Event("demo", 0.0, 2, "a"), Event("demo", 0.2, 2, "b"),
        Event("demo", 0.1, 3, "b")])
    records = [TaskRecord("demo", "m.main", 0.0, exited=None, trace_task=0),
               TaskRecord("demo", "m.w", 0.0, exited=1.0, trace_task=1),
               TaskRecord("demo", "m.w", 0.0, exited=2.0, trace_task=2),
               TaskRecord("demo", "m.w", 0.0, exited=0.5, trace_task=3)]
    rows = timeline._rows(trace, records, "demo", 3.0)
    assert [(r.exited, r.marks) for r in rows] == [
        (3.0, ()),
        (1.0, ((0.0, "a"), (0.5, "z"))),
        (2.0, ((0.0, "a"), (0.2, "b"))),
        (0.5, ((0.1, "b"),)),
    ]


# -- timeline.render ---------------------------------------------------------------------------

def test_render_draws_each_row_at_its_columns() -> None:
    """Width 67: a 41-column plot, 10 columns a second over 4 s. A task spawned at 1 s is
    alive from column 10, not from 0; a wait from 2 to 3 s is a bar from column 20 to 29 (the
    column of its end is where the task runs again); a mark sits on its column; the axis has a
    tick and a label at every second up to and including the end."""
    rows = (_row("lesson.demo", 0.0, 4.0, waits=((0.0, 1.0),), marks=((4.0, "done"),)),
            _row("lesson.worker", 1.0, 3.0, waits=((2.0, 3.0),), marks=((1.5, "hi"),)))
    out = _lines([_panel(rows)], width=67)
    assert [t.plain for t in out] == [
        "phase demo: 4 s on the virtual clock",
        " asyncio · demo: ends at 4 s",
        "  demo                  " + "━" * 10 + "─" * 30 + "●",
        "  worker                " + " " * 10 + "─" * 5 + "●" + "─" * 4 + "━" * 10 + "─"
        + " " * 10,
        " " * LABEL_W + ("┼" + "─" * 9) * 4 + "┼",
        " " * LABEL_W + "".join(f"{k:<10}" for k in range(4)) + "4 s",
        "━ waiting (asleep, or blocked)   ─ alive   ● printed a line",
    ]
    worker = out[3]
    styles = {str(span.style) for span in worker.spans}
    assert styles == {"dim", timeline.COLOURS["asyncio"], "bold"}
    assert worker.get_style_at_offset(Console(), LABEL_W + 25).color is not None  # the bar


def test_render_cuts_a_long_label_to_its_column() -> None:
    """A label of 21 characters fits whole; a longer one keeps 20 and an ellipsis, so the plot
    starts at the same column on every row."""
    fits, cut = "a" * 21, "b" * 22
    out = _lines([_panel((_row(f"m.{fits}", 0.0, 4.0), _row(f"m.{cut}", 0.0, 4.0)))], width=67)
    assert out[2].plain.startswith(f"  {fits} ─")
    assert out[3].plain.startswith(f"  {'b' * 20}… ─")
    assert len(out[2].plain) == len(out[3].plain) == 67 - 2


def test_render_width_default_and_minimum() -> None:
    """The plot is ``width - 26`` columns, 100 wide by default, and never under 20 (the verb
    accepts ``--width 40``, which leaves 14)."""
    rows = (_row("m.main", 0.0, 4.0),)
    assert len(_lines([_panel(rows)])[2].plain) == 100 - 2
    assert len(_lines([_panel(rows)], width=40)[2].plain) == LABEL_W + 20
    assert len(_lines([_panel(rows)], width=30)[2].plain) == LABEL_W + 20


def test_render_a_phase_shorter_than_a_second_uses_the_whole_plot() -> None:
    """A 0.5 s phase spreads over the whole plot (its end in the last column); a phase that
    takes no virtual time at all draws at the first column and still has its 0 tick."""
    half = _lines([_panel((_row("m.main", 0.0, 0.5, marks=((0.5, "x"),)),), duration=0.5)],
                  width=67)
    assert half[2].plain == "  main                  " + "─" * 40 + "●"
    none = _lines([_panel((_row("m.main", 0.0, 0.0, marks=((0.0, "x"),)),), duration=0.0)],
                  width=67)
    assert none[2].plain == "  main                  ●" + " " * 40
    assert none[3].plain == " " * LABEL_W + "┼" + "─" * 40
    assert none[4].plain == " " * LABEL_W + "0" + " " * 40 + " s"


def test_render_keeps_a_task_that_outlives_its_phase_on_the_plot() -> None:
    """A task left running when the phase's function returned exits after the phase's end:
    its line stops at the last column instead of running off the plot."""
    out = _lines([_panel((_row("m.main", 0.0, 4.0), _row("m.late", 1.0, 6.0,
                                                        marks=((5.0, "late"),))))], width=67)
    assert out[3].plain == "  late                  " + " " * 10 + "─" * 30 + "●"


def test_render_writes_the_last_tick_label_whole() -> None:
    """A 10 s phase: the tick at 10 s stands in the last column, and its label, too wide to
    start there, ends there instead of losing its last digit (it read "1 s")."""
    out = _lines([_panel((_row("m.main", 0.0, 10.0),), duration=10.0)], width=67)
    assert out[3].plain == " " * LABEL_W + "┼" + "─" * 39 + "┼"
    assert out[4].plain == " " * LABEL_W + "0" + " " * 38 + "10 s"


# -- timeline.to_svg ---------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def _svg(panels: list[Panel], title: str | None = None, narrow: bool = False) -> ET.Element:
    return ET.fromstring(timeline.to_svg(panels, title=title, narrow=narrow))


def test_svg_life_lines_ticks_and_scale() -> None:
    """Each task's life line runs from ``left + spawned * scale`` to ``left + exited * scale``;
    the axis has a tick (and its label) at every step up to and including the end, none past
    it."""
    rows = (_row("m.main", 0.0, 4.0), _row("m.worker", 1.0, 3.0))
    root = _svg([_panel(rows)])
    scale = (timeline.WIDTH - timeline.LEFT - 20) / 4.0
    phase, = (g for g in root.iter(f"{SVG}g") if g.get("class") == "phase")
    assert float(phase.get("data-scale", "nan")) == scale
    lives = [(float(x.get("x1", "nan")), float(x.get("x2", "nan")))
             for x in root.iter(f"{SVG}line") if x.get("class") == "life"]
    assert lives == [(timeline.LEFT, timeline.LEFT + 4 * scale),
                     (timeline.LEFT + scale, timeline.LEFT + 3 * scale)]
    ticks = [(t.text, float(t.get("x", "nan"))) for t in root.iter(f"{SVG}text")
             if t.get("class") == "tick"]
    assert ticks == [(str(k), timeline.LEFT + k * scale) for k in range(5)]


def test_svg_scale_of_short_and_empty_phases() -> None:
    """A 0.5 s phase spans the whole plot; one of no virtual time at all is drawn at a scale of
    one second to the plot (its only tick, 0, at the left)."""
    plot = timeline.WIDTH - timeline.LEFT - 20
    for duration, scale in ((0.5, plot / 0.5), (0.0, plot)):
        root = _svg([_panel((_row("m.main", 0.0, duration),), duration=duration)])
        phase, = (g for g in root.iter(f"{SVG}g") if g.get("class") == "phase")
        assert float(phase.get("data-scale", "nan")) == scale
        ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]
        assert ticks == (["0", "0.1", "0.2", "0.3", "0.4", "0.5"] if duration else ["0"])


def test_svg_default_title_names_the_lesson() -> None:
    root = _svg([_panel((_row("m.main", 0.0, 1.0),), duration=1.0)])
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "title"] == [
        "walkthrough timeline lesson"]
    empty = _svg([])
    assert [t.text for t in empty.iter(f"{SVG}text") if t.get("class") == "title"] == [
        "walkthrough timeline "]  # no panel, no lesson: and no IndexError


def test_narrow_svg_wraps_at_spaces_only_and_uses_its_whole_width() -> None:
    """The phone's drawing breaks text at spaces: never inside a word, hyphenated or too long
    for a line; and a line that fits in the 380 px of room (51 characters of a panel's title)
    is not wrapped."""
    long_word = "x" * 60
    title = ("walkthrough timeline queue --param nprod=3 a-hyphenated-word-that-crosses-the-edge "
             + long_word)
    fits = "f" * 31  # "trio · <31>: ends at 1 s" is 51 characters
    panel = Panel("queue", "trio", "demo", fits, 1.0, (_row("m.main", 0.0, 1.0),))
    root = _svg([panel], title=title, narrow=True)
    texts = list(root.iter(f"{SVG}text"))
    heads = [t.text or "" for t in texts if t.get("class") == "title"]
    assert " ".join(heads) == title
    assert all(set(line.split()) <= set(title.split()) for line in heads), heads
    assert long_word in heads
    assert [t.text for t in texts if t.get("class") == "panel-title"] == [panel.title]
    assert len(panel.title) == 51


# -- timeline.shape ----------------------------------------------------------------------------

def _count_like(workers: int) -> Panel:
    """The count lesson's demo_async: the main task and ``workers`` tasks alike, one second
    each (instants with float noise: 0.1 + 0.2 is not 0.3 until rounded as stamps are)."""
    main = _row("count.demo_async", 0.0, 1.0, runs=(0.0, 1.0))
    work = tuple(_row("count.count_async", 0.0, 0.1 + 0.2, runs=(0.0, 0.1 + 0.2))
                 for _ in range(workers))
    return _panel((main, *work), duration=1.0)


def test_shape_counts_each_span_as_often_as_it_occurs() -> None:
    """Three tasks alike are not two: each span counts once per task, and the first row (the
    main task) is told apart from the others even where its span is theirs."""
    assert timeline.shape(_count_like(3)) == Counter({
        (True, 0.0, 1.0, (0.0, 1.0)): 1,
        (False, 0.0, 0.3, (0.0, 0.3)): 3,
    })
    twins = _panel((_row("m.main", 0.0, 1.0), _row("m.child", 0.0, 1.0)), duration=1.0)
    assert timeline.shape(twins) == Counter({(True, 0.0, 1.0, ()): 1, (False, 0.0, 1.0, ()): 1})


def test_shape_pooled_counts_the_pool_once_with_its_size() -> None:
    """``pooled=True`` (the queue's consumers): one entry per name, with how many tasks have
    it, their spans and the instants the pool ran; the main task's pool apart, even when a
    task of the same name stands elsewhere."""
    panel = _panel((_row("q.consume", 0.0, 2.0, runs=(0.0, 2.0)),
                    _row("q.consume", 0.0, 1.5, runs=(1.5,)),
                    _row("q.consume", 0.5, 2.0, runs=(0.5, 0.1 + 0.2)),
                    _row("q.produce", 0.0, 1.0, runs=(0.0,))), duration=2.0)
    assert timeline.shape(panel, pooled=True) == Counter({
        (True, "consume", 1, ((0.0, 2.0),), (0.0, 2.0)): 1,
        (False, "consume", 2, ((0.0, 1.5), (0.5, 2.0)), (0.3, 0.5, 1.5)): 1,
        (False, "produce", 1, ((0.0, 1.0),), (0.0,)): 1,
    })
    # a pool of two and a pool of three differ; and pooling is asked for, not the default
    assert timeline.shape(_count_like(2), pooled=True) != timeline.shape(_count_like(3),
                                                                         pooled=True)
    assert timeline.shape(_count_like(2)) == Counter({
        (True, 0.0, 1.0, (0.0, 1.0)): 1, (False, 0.0, 0.3, (0.0, 0.3)): 2})
