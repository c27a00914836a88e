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

import io
import math
import re
import types
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from rich.console import Console
from rich.text import Text

from walkthrough import catalogue, sidebyside, timeline
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
    # the look: a bold title per phase and panel (in the panel's colour), a dim axis and legend
    assert [str(t.style) for t in out] == [
        "bold", f"bold {timeline.COLOURS['asyncio']}", "", "", "dim", "dim", "dim"]
    noted = _lines([_panel(rows, impl="trio", note="a variant")], width=67)
    assert (noted[2].plain, str(noted[2].style)) == ("   a variant", "dim italic")
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
    start there, ends there instead of losing its last digit (it read "1 s"); the others
    stand every 2 s, every 8 columns."""
    out = _lines([_panel((_row("m.main", 0.0, 10.0),), duration=10.0)], width=67)
    assert out[3].plain == " " * LABEL_W + "┼" + ("─" * 7 + "┼") * 5
    assert out[4].plain == " " * LABEL_W + "       ".join("02468") + " " * 6 + "10 s"


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


# -- sidebyside.html (the guide's lesson pages) --------------------------------------------------

#: Twins that exercise the guide's view: a blank first line, a module docstring, a class with
#: no docstring (its body starts with a method), a function whose docstring grows by a line
#: (a pad faces it) and whose first statement after it spans two lines, a two-line why, a
#: change of one line into four, a docstring that loses a line (a Trio pad faces it), and a
#: Trio-only function.
HTML_LEFT = '''
"""Module.

One more.
"""
import asyncio


class Plain:
    def f(self) -> None:
        pass


async def work() -> None:
    """Work.

    At length.
    """
    x = (
        1)
    await asyncio.sleep(1)
    print("done")


def two() -> str:
    """Two.
    lines,
    three."""
    return "a"
'''
HTML_RIGHT = HTML_LEFT.replace("import asyncio", "import trio").replace(
    "    await asyncio.sleep(1)\n",
    "    # Trio's own sleep,\n    # in two lines\n"
    "    await trio.sleep(1)\n    await trio.sleep(0)\n",
).replace("    At length.\n", "    At length,\n    and more.\n").replace(
    "    lines,\n    three.", "    lines.") + '''

async def extra() -> None:
    """Only in Trio."""
'''
CELL = re.compile(r'<div class="pl ([^"]*)" style="grid-row:(\d+)">(.*?)</div>')


def _guide() -> str:
    return sidebyside.html(sidebyside.align(HTML_LEFT, HTML_RIGHT, "a.py", "t.py"), "k")


def _section(html: str, name: str) -> str:
    start = html.index(f'id="pair-k-{name}"')
    return html[start:html.index("</section>", start)]


def test_guide_sections_badges_legend_and_folds() -> None:
    """One section per definition: its kind, id and badge (one change, two changes, identical,
    Trio only); the legend names the files and what the marks mean; a checkbox per section
    with docstrings to fold, and its labels say how many lines are folded (one, or more)."""
    html = _guide()
    lines = html.splitlines()
    assert lines[0] == '<div class="pairs" id="pairs-k">' and lines[-1] == "</div>"
    assert lines[1] == (
        '<p class="pairs-legend"><span class="pairs-key pa">a.py</span> <span class="pairs-key'
        ' pt">t.py</span> <span class="pairs-key del">− changed in asyncio</span> <span class='
        '"pairs-key add">+ changed in Trio</span> <span class="pairs-key why"># why: the Trio'
        " comment on the change</span></p>")
    sections = re.findall(r'<(section|details) class="([^"]*)" id="([^"]*)">.*?'
                          r'<span class="badge">([^<]*)</span>', html)
    assert sections == [
        ("section", "pair-fn changed", "pair-k-module-header", "1 change"),
        ("details", "pair-fn same", "pair-k-plain", "identical in both files"),
        ("section", "pair-fn changed", "pair-k-work", "2 changes"),
        ("section", "pair-fn changed", "pair-k-two", "2 changes"),
        ("section", "pair-fn only", "pair-k-extra", "Trio only"),
    ]
    assert re.findall(r'<input type="checkbox" class="fold" id="([^"]+)" aria-label="([^"]+)">',
                      html) == [("fold-k-0", "show the docstrings of (module header)"),
                                ("fold-k-2", "show the docstrings of work"),
                                ("fold-k-3", "show the docstrings of two")]
    assert re.findall(r'<label class="unfold" for="([^"]+)" title="show the whole docstring">'
                      r"([^<]*)</label>", html) == [
        ("fold-k-0", "⋯ 3 more lines"), ("fold-k-0", "⋯ 3 more lines"),
        ("fold-k-2", "⋯ 3 more lines"), ("fold-k-2", "⋯ 4 more lines"),
        ("fold-k-3", "⋯ 2 more lines"), ("fold-k-3", "⋯ 1 more line")]
    assert re.findall(r'<p class="pair-fn-name">(.*?) <span', html) == [
        "module header", "<code>work</code>", "<code>two</code>", "<code>extra</code>"]
    assert '<summary><code>Plain</code> <span class="badge">' in html
    # the grid: the heads, then the cells, one after another; no checkbox where nothing folds
    assert html.count('t.py</div><div class="pl pa eq" style="grid-row:2">') == 4
    assert '<details class="pair-fn same" id="pair-k-plain"><summary><code>Plain</code> <span ' \
           'class="badge">identical in both files</span></summary><div class="pair-grid ' \
           'highlight"><div class="pair-head pa" style="grid-row:1">a.py</div>' in html
    assert set(re.findall(r"</div>([^<]*)<div", html)) == {""}  # nothing between two cells
    assert html.count("</div></section>\n") == 4 and html.count("</div></details>\n") == 1
    extra = _section(html, "extra")
    assert '<div class="pair-note pa" style="grid-row:2">no twin in a.py: this definition is ' \
           "Trio's own</div>" in extra
    assert [c for c, _, _ in CELL.findall(extra)] == ["pt add", "pt add"]  # no asyncio pads
    assert '<div class="pair-head pt" style="grid-row:1">t.py</div><div class="pair-note' in extra
    two = [(c, int(row)) for c, row, _ in CELL.findall(_section(html, "two"))]
    assert two == [("pa eq", 2), ("pa eq", 3), ("pt eq", 2), ("pt eq", 3),
                   ("pa del doc", 4), ("pa del doc", 5), ("pt add doc", 4), ("pt add doc pad", 5),
                   ("pa eq", 6), ("pt eq", 6),
                   ("pa del pad", 7), ("pa del pad", 8), ("pt add", 7), ("pt add", 8)]


def test_guide_cells_grid_rows_line_numbers_pads_and_whys() -> None:
    """Every line of a section is a cell: which file, equal/changed, folded with a docstring
    (a pad facing a docstring line too, and never a statement after the docstring), a pad
    facing a longer change, its grid row (row 1 holds the heads), its 1-based line number, and
    the why's title on the first line of a two-line comment only."""
    found = []
    for classes, row, body in CELL.findall(_section(_guide(), "work")):
        ln = re.search(r'<span class="ln"( title="[^"]*")?>(\d+)</span>', body)
        found.append((classes, int(row), int(ln.group(2)) if ln else None,
                      ln.group(1) if ln else None, body if not ln else ""))
    title = ' title="why: Trio&#x27;s own sleep, in two lines"'
    assert found == [
        ("pa eq", 2, 14, None, ""), ("pa eq", 3, 15, None, ""), ("pa eq doc", 4, 16, None, ""),
        ("pt eq", 2, 14, None, ""), ("pt eq", 3, 15, None, ""), ("pt eq doc", 4, 16, None, ""),
        ("pa del doc", 5, 17, None, ""), ("pa del doc pad", 6, None, None, ""),
        ("pt add doc", 5, 17, None, ""), ("pt add doc", 6, 18, None, ""),
        ("pa eq doc", 7, 18, None, ""), ("pa eq", 8, 19, None, ""), ("pa eq", 9, 20, None, ""),
        ("pt eq doc", 7, 19, None, ""), ("pt eq", 8, 20, None, ""), ("pt eq", 9, 21, None, ""),
        ("pa del", 10, 21, None, ""), ("pa del pad", 11, None, None, ""),
        ("pa del pad", 12, None, None, ""), ("pa del pad", 13, None, None, ""),
        ("pt add why", 10, 22, title, ""), ("pt add why", 11, 23, None, ""),
        ("pt add", 12, 24, None, ""), ("pt add", 13, 25, None, ""),
        ("pa eq", 14, 22, None, ""), ("pa eq", 15, 23, None, ""), ("pa eq", 16, 24, None, ""),
        ("pt eq", 14, 26, None, ""), ("pt eq", 15, 27, None, ""), ("pt eq", 16, 28, None, ""),
    ]
    plain = _guide()[_guide().index('id="pair-k-plain"'):]
    assert " doc" not in plain[:plain.index("</details>")]  # a class with no docstring


def test_guide_code_is_highlighted_line_by_line() -> None:
    """Each line's code as Pygments classes (a keyword ``k``, a docstring ``sd``); plain
    whitespace bare; a blank line (the file's first) kept, as one space, under number 1."""
    html = _guide()
    first = CELL.findall(html)[0]
    assert first == ("pa eq", "2", '<span class="ln">1</span><span class="mk"> </span>'
                                   "<code> </code>")
    bodies = [body for _, _, body in CELL.findall(_section(html, "work"))]
    assert any(b.endswith('<code>    <span class="n">x</span> <span class="o">=</span> '
                          '<span class="p">(</span></code>') for b in bodies)
    assert any('<code><span class="k">async</span> <span class="k">def</span>' in b
               for b in bodies)
    assert any('<span class="sd">"""Work.</span>' in b for b in bodies)


def test_why_is_the_first_half_of_why_and_where() -> None:
    """``why``, the name the module's docs give: a hunk's own comments, else the comment block
    just above it, but not above the segment's start."""
    lines = ["def f():", "    # a reason,", "    # at length", "    x = 1", "    y = 2  # own"]
    comments = sidebyside._comments(lines)
    assert sidebyside.why([3], lines, comments, 0) == ("a reason, at length",)
    assert sidebyside.why([4], lines, comments, 0) == ("own",)
    assert sidebyside.why([3], lines, comments, 2) == ("at length",)
    assert sidebyside.why([0], lines, comments, 0) == ()
    assert sidebyside.why([], lines, comments, 0) == ()  # asyncio lines Trio dropped
    # a comment's text is all that follows its "#", even with no space after it
    assert sidebyside._comments(["x = 1  #Xs are kept"]) == {0: "Xs are kept"}


# -- sidebyside.columns and stacked (the terminal) ----------------------------------------------

def _text(renderable: object, console_width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=console_width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text().splitlines()


#: 120 lines, the last one changed: in Trio, too long for any column, with no space to wrap at.
LONG_LEFT = "".join(f"x{k} = {k}\n" for k in range(119)) + "y = 1\n"
LONG_RIGHT = LONG_LEFT.replace("y = 1", 'y = "' + "Z" * 150 + '"')


def test_columns_fill_the_width_asked_in_two_equal_code_columns() -> None:
    """``columns(pair, width)`` is ``width`` wide on a wider terminal; each side has a gutter
    (number, mark: 3 columns each) and a code column, the two code columns of equal width; a
    line too long for its column folds onto the next rows whole (and does not widen its
    column), at the verb's narrowest width too."""
    pair = sidebyside.align(LONG_LEFT, LONG_RIGHT, "a.py", "t.py")
    assert max(len(line) for line in _text(sidebyside.columns(pair), 200)) == 160  # default
    for width in (100, 40):
        lines = _text(sidebyside.columns(pair, width), 160)
        assert max(len(line) for line in lines) == width
        code = (width - 12) // 2
        head = next(line for line in lines if "a.py" in line)
        assert head.index("a.py") == 6 and head.index("t.py") == 6 + code + 6, head
        changed = [line for line in lines if line.startswith("120")]
        assert len(changed) == 1 and changed[0][3:6] == " - " and \
            changed[0][6 + code:6 + code + 6] == "120 + ", changed
        assert "…" not in "".join(lines)
        assert "".join(lines).count("Z") == 150


def test_stacked_folds_long_lines_and_dims_its_legend() -> None:
    """The narrow view folds a line too long for the terminal onto the next rows whole, under
    its code; the legend's second line (which file the unmarked lines are numbered as) is
    dim like the rest of the legend."""
    pair = sidebyside.align(LONG_LEFT, LONG_RIGHT, "a.py", "t.py")
    lines = _text(sidebyside.stacked(pair), 60)
    assert "".join(lines).count("Z") == 150 and "…" not in "".join(lines)
    start = lines.index("120 + y =".ljust(60))
    assert [line[:7] for line in lines[start + 1:start + 4]] == ['      "', "      Z", "      Z"]
    console = Console(file=io.StringIO(), width=100, force_terminal=True,
                      color_system="truecolor")
    console.print(sidebyside.stacked(pair))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b[2munmarked lines: both files, numbered as in t.py" in out


@pytest.mark.parametrize("line", [
    "    await trio.sleep(1)  # sleep",  # the comment's words also in the code before it
    '    print("#")  # see #27',  # a "#" in a string before it, and one in the comment
])
def test_the_why_style_starts_at_the_comments_own_hash(line: str) -> None:
    """The terminal views mark a why comment from its own ``#`` to the end of the line, and
    nothing of the code before it."""
    piece = sidebyside._code(0, sidebyside._highlighted([line]), [line], None, {0})
    marked = [(s.start, s.end) for s in piece.spans if s.style == sidebyside.WHY_STYLE]
    assert marked == [(line.index("  #") + 2, len(line))]


def test_why_and_where_names_the_comment_lines_above_in_order() -> None:
    """The block above a change is read upwards and told downwards, with its line numbers;
    a line that only looks like a comment (inside a string) adds no text."""
    lines = ["def f():", "    # a reason,", "    # at length", "    x = 1"]
    comments = sidebyside._comments(lines)
    assert sidebyside.why_and_where([3], lines, comments, 0) == (
        ("a reason, at length",), (1, 2))
    in_string = ['s = """', "# not a comment", '"""']
    why, where = sidebyside.why_and_where([2], in_string, sidebyside._comments(in_string), 0)
    assert " ".join(why).strip() == "" and where == (1,)


def test_align_defaults_equal_lines_and_long_segments() -> None:
    """Without names the sides are "asyncio" and "trio"; lines equal in both files carry no
    why, even a comment; and in a segment of hundreds of lines, most of them alike (which
    difflib's "autojunk" would call junk), one changed line is one change of one line."""
    pair = sidebyside.align("x = 1  # same\ny = 1\n", "x = 1  # same\ny = 2\n")
    assert (pair.left_name, pair.right_name) == ("asyncio", "trio")
    hunks = pair.rows[0][1]
    assert [(h.tag, h.why, h.why_lines) for h in hunks] == [
        ("equal", (), ()), ("replace", (), ())]
    body = ["async def ticks():"] + ["    step()", "    await trio.sleep(0)", ""] * 100
    changed = [*body[:151], "    step(1)", *body[152:]]
    left, right = "\n".join(body) + "\n", "\n".join(changed) + "\n"
    changes = sidebyside.align(left, right).changed()
    assert [(h.left, h.right) for _, h in changes] == [((151,), (151,))]


def test_align_trio_only_segments_first_once_and_without_a_docstring() -> None:
    """A Trio file that starts with a Trio-only function shows it first; a Trio-only function
    between two definitions of one name (an overload, say) is shown once; an empty Trio file
    leaves asyncio's lines as deletions; a Trio-only function without a docstring, or a
    change without a comment in a shared function with one, has no why."""
    pair = sidebyside.align("def f():\n    pass\n",
                            "async def t():\n    pass\ndef f():\n    pass\n")
    assert [name for name, _ in pair.rows] == ["t", "f"]
    assert [h.why for h in pair.rows[0][1]] == [()]
    pair = sidebyside.align("def f(): pass\ndef f(): pass\n",
                            "def f(): pass\ndef t(): pass\ndef f(): pass\n")
    assert [name for name, _ in pair.rows] == ["f", "t", "f"]
    pair = sidebyside.align("def f():\n    pass\n", "")
    assert [(name, [h.tag for h in hunks]) for name, hunks in pair.rows] == [("f", ["delete"])]
    pair = sidebyside.align('def f():\n    """Doc."""\n    x = 1\n',
                            'def f():\n    """Doc."""\n    x = 2\n')
    assert [h.why for _, h in pair.changed()] == [()]


def test_align_pairs_repeated_names_in_order_and_shows_what_follows_the_last() -> None:
    """Two definitions of one name on each side pair first with first and second with second,
    and a Trio-only function after the second is shown there (it was lost: the walk for
    Trio-only code started after the first definition of the name); a Trio file with one more
    definition of a name than asyncio's shows the extra one as Trio-only, where it stands."""
    left = "def f(): return 1\ndef f(): return 2\n"
    pair = sidebyside.align(left, "def f(): return 1\ndef f(): return 2\ndef t(): pass\n")
    assert [(name, [h.tag for h in hunks]) for name, hunks in pair.rows] == [
        ("f", ["equal"]), ("f", ["equal"]), ("t", ["insert"])]
    pair = sidebyside.align("def f(): return 1\ndef g(): pass\n",
                            "def f(): return 1\ndef f(): return 3\ndef g(): pass\n")
    assert [(name, [h.tag for h in hunks]) for name, hunks in pair.rows] == [
        ("f", ["equal"]), ("f", ["insert"]), ("g", ["equal"])]


def test_segments_take_the_comments_above_a_definition_from_the_first_line() -> None:
    """A comment on the file's first line above a definition belongs to it (no empty header);
    a comment at the end of the file belongs to the last segment, not above the first."""
    assert sidebyside.segments("# about f\ndef f():\n    pass\n") == [
        sidebyside.Segment("f", 0, 3)]
    assert sidebyside.segments("def f():\n    pass\n# the end\n") == [
        sidebyside.Segment("f", 0, 3)]


@pytest.mark.parametrize("total", [0.3, 0.5, 0.7, 1.0, 2.9, 3.0, 4.0, 9.99, 10.0, 21.0, 28.0,
                                   30.0, 59.0, 61.0, 99.0, 100.0, 250.0, 0.012])
def test_the_axis_has_four_to_ten_round_ticks(total: float) -> None:
    """``_axis_step`` keeps its promise: a round step (1, 2 or 5 times a power of ten) that
    gives between 4 and 10 ticks from 0 to the end of the phase; a 21 s phase is 0, 5, .., 20,
    not 0, 10, 20, and each step is the largest that gives 4."""
    step = timeline._axis_step(total)
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    assert any(math.isclose(mantissa, m) for m in (1, 2, 5)), step
    ticks = math.floor(total / step + 1e-9) + 1
    assert 4 <= ticks <= 10, (total, step, ticks)
    bigger = step * (2.5 if math.isclose(mantissa, 2) else 2)
    assert math.floor(total / bigger + 1e-9) + 1 < 4, (total, step)
