"""Who ran when, drawn: one row per task, bars for waits, a mark for every printed line.

A :class:`Panel` is one phase of one run: its rows come from the
:class:`~walkthrough.activity.Activity` the frameworks reported (tasks, steps, exits) and its
marks from the :class:`~walkthrough.trace.Trace` (what each task printed, when). Panels of one
phase share a time axis, so asyncio's picture and Trio's line up column for column, and where
the shared tests call the versions equivalent the pictures agree (:func:`shape`).

Trio-only *variants* of a phase are drawn too: a coroutine function ``<phase>_<variant>`` that
the Trio twin defines and the asyncio one does not (the queue lesson's ``demo_closing``: the
idiomatic "close the channel" ending, whose consumers run on after the last job where
``q.join()`` cancels them).

Two drawings: :func:`render` (rich, for the terminal) and :func:`to_svg` (a standalone SVG
written by hand, so its geometry is ours to test: each bar's ``x`` is ``LEFT + t * scale``).

Example::

    panels = record(catalogue.get("count"), ("asyncio", "trio"))
    Console().print(render(panels, width=100))
    Path("count.svg").write_text(to_svg(panels))
"""

from __future__ import annotations

import inspect
import math
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from rich.console import Group
from rich.text import Text

from walkthrough import catalogue
from walkthrough.activity import Activity, TaskRecord
from walkthrough.runner import run_phase
from walkthrough.trace import STAMP_DECIMALS, Trace

#: Colours per framework, in the terminal and in the SVG.
COLOURS = {"asyncio": "#3b82c4", "trio": "#c0504d"}


@dataclass(frozen=True)
class Row:
    """One task: its life, the intervals it waited, and the lines it printed."""

    name: str
    spawned: float
    exited: float
    waits: tuple[tuple[float, float], ...]
    marks: tuple[tuple[float, str], ...]
    run_instants: tuple[float, ...]

    @property
    def label(self) -> str:
        return self.name.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Panel:
    """One phase (or Trio-only variant of a phase) of one run, as rows on a time axis."""

    lesson: str
    impl: str
    phase: str
    #: The function that ran: the phase itself, or its variant (``demo_closing``).
    function: str
    duration: float
    rows: tuple[Row, ...]
    note: str = ""

    @property
    def title(self) -> str:
        return f"{self.impl} · {self.function}: ends at {self.duration:g} s"


def _plain(text: str) -> str:
    """A printed line without its ANSI colours (the makerandom lesson prints in colour)."""
    return Text.from_ansi(text).plain


def _rows(trace: Trace, records: Sequence[TaskRecord], function: str, end: float,
          ) -> tuple[Row, ...]:
    events = [e for e in trace.events if e.phase == function]
    linked = {r.trace_task for r in records if r.trace_task is not None}
    rows = []
    for r in records:
        marks = tuple((e.time, _plain(e.text)) for e in events if e.task == r.trace_task)
        exited = r.exited if r.exited is not None else end
        rows.append(Row(r.name, r.spawned, exited, tuple(r.waits()), marks,
                        tuple(r.run_instants())))
    stray = tuple((e.time, _plain(e.text)) for e in events if e.task not in linked)
    if stray:  # printed by no task we saw (a thread, say): still shown, on a row of its own
        rows.append(Row("(elsewhere)", 0.0, end, (), stray, ()))
    main, rest = rows[:1], rows[1:]
    rest.sort(key=lambda row: (row.spawned, row.label, row.marks[:1], row.exited))
    return tuple(main + rest)


def variants(lesson: catalogue.Lesson) -> list[tuple[str, str, str]]:
    """Trio-only variants of the lesson's phases: (phase, function name, first docstring line)."""
    if not all(lesson.exists(impl) for impl in catalogue.IMPLS):
        return []
    aio, trio_mod = lesson.load("asyncio"), lesson.load("trio")
    found = []
    for name, fn in vars(trio_mod).items():
        for phase in lesson.phases:
            if (name.startswith(phase + "_") and not hasattr(aio, name)
                    and inspect.iscoroutinefunction(fn) and fn.__module__ == trio_mod.__name__):
                doc = (inspect.getdoc(fn) or "").strip().splitlines()
                found.append((phase, name, doc[0].replace("``", "") if doc else ""))
    return found


def record(
    lesson: catalogue.Lesson,
    impls: Iterable[str],
    params: Mapping[str, Any] | None = None,
    *,
    module: ModuleType | None = None,
    with_variants: bool = True,
) -> list[Panel]:
    """Run the lesson under each impl on the virtual clock; one panel per phase and impl.

    Panels come phase by phase (asyncio, then Trio, then Trio's variants of that phase).
    """
    merged = {**lesson.params, **(params or {})}
    extra = variants(lesson) if with_variants and module is None else []
    panels: list[Panel] = []
    for phase in lesson.phases:
        for impl in impls:
            mod = module or lesson.load(impl)
            functions = [(phase, "")]
            if impl == "trio":
                functions += [(name, note) for p, name, note in extra if p == phase]
            for function, note in functions:
                trace, activity = Trace(impl=impl, lesson=lesson.name), Activity()
                run_phase(trace, function, getattr(mod, function), impl, merged,
                          virtual=True, tee=None, activity=activity)
                end = trace.durations[function]
                panels.append(Panel(lesson.name, impl, phase, function, end,
                                    _rows(trace, activity.in_phase(function), function, end),
                                    note))
    return panels


def _r(t: float) -> float:
    return round(t, STAMP_DECIMALS)


def shape(panel: Panel, *, pooled: bool = False) -> Counter[tuple[Any, ...]]:
    """What must agree between equivalent versions: each task's span and the instants it ran.

    Names are left out on purpose: a Trio task is named after the function handed to
    ``start_soon`` (a small wrapper that keeps a result, say), an asyncio task after the
    coroutine, and that is not behaviour. The main task's own row is kept apart.

    ``pooled=True`` is for a lesson whose comparison forgives *which* of several
    interchangeable tasks did a piece of work (the queue lesson's consumers, see
    ``walkthrough.normalise.queue``): the tasks of one name are then one pool, and what must
    agree is how many there are, their spans, and the instants at which the pool ran, counted
    task by task.
    """
    counts: Counter[tuple[Any, ...]] = Counter()
    if not pooled:
        for i, row in enumerate(panel.rows):
            counts[(i == 0, _r(row.spawned), _r(row.exited),
                    tuple(_r(t) for t in row.run_instants))] += 1
        return counts
    pools: dict[tuple[bool, str], list[Row]] = {}
    for i, row in enumerate(panel.rows):
        pools.setdefault((i == 0, row.label), []).append(row)
    for (main, label), rows in pools.items():
        counts[(main, label, len(rows),
                tuple(sorted((_r(r.spawned), _r(r.exited)) for r in rows)),
                tuple(sorted(_r(t) for r in rows for t in r.run_instants)))] += 1
    return counts


# -- drawing -----------------------------------------------------------------------------------

def _axis_step(total: float) -> float:
    """A round tick spacing (1, 2 or 5 times a power of ten) that gives between 4 and 10 ticks.

    The largest that gives at least 4 ticks (0 and ``total / step >= 3`` more): round steps
    grow by at most 2.5 times, so the next smaller one would give at most 8, and this one can
    give no more than that either. Fewer ticks would leave a 21 s phase with 0, 10 and 20 only.
    """
    if total <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(total))  # total is in [power, 10 * power)
    for step in (power * 5, power * 2, power, power / 2):
        if total / step >= 3 - 1e-9:  # the slack: 0.3 / 0.1 is 2.9999999999999996
            return step
    return power / 5  # here total < 1.5 * power: 5 to 8 ticks


def _phase_groups(panels: Sequence[Panel]) -> list[tuple[str, list[Panel], float]]:
    groups: dict[str, list[Panel]] = {}
    for p in panels:
        groups.setdefault(p.phase, []).append(p)
    return [(phase, ps, max(p.duration for p in ps)) for phase, ps in groups.items()]


def render(panels: Sequence[Panel], width: int = 100) -> Group:
    """The terminal drawing: ``━`` waiting, ``─`` alive and runnable, ``●`` printed a line."""
    label_w = 24
    plot_w = max(20, width - label_w - 2)
    out: list[Text] = []
    for phase, group, total in _phase_groups(panels):
        span = total if total > 0 else 1.0
        scale = (plot_w - 1) / span

        def col(t: float, scale: float = scale) -> int:
            return min(plot_w - 1, max(0, round(t * scale)))

        out.append(Text(f"phase {phase}: {total:g} s on the virtual clock", style="bold"))
        for panel in group:
            out.append(Text(f" {panel.title}", style=f"bold {COLOURS[panel.impl]}"))
            if panel.note:
                out.append(Text(f"   {panel.note}", style="dim italic"))
            for row in panel.rows:
                cells = [" "] * plot_w
                styles = [""] * plot_w
                for c in range(col(row.spawned), col(row.exited) + 1):
                    cells[c], styles[c] = "─", "dim"
                for a, b in row.waits:
                    for c in range(col(a), max(col(a), col(b) - 1) + 1):
                        cells[c], styles[c] = "━", COLOURS[panel.impl]
                for t, _ in row.marks:
                    cells[col(t)], styles[col(t)] = "●", "bold"
                label = row.label if len(row.label) <= label_w - 3 else \
                    row.label[:label_w - 4] + "…"
                line = Text(f"  {label:<{label_w - 3}} ")
                for ch, st in zip(cells, styles, strict=True):
                    line.append(ch, style=st or None)
                out.append(line)
        axis = [" "] * plot_w
        labels = [" "] * plot_w
        step = _axis_step(total)
        k = 0
        while k * step <= total + 1e-9:
            c = col(k * step)
            axis[c] = "┼"
            text = f"{k * step:g}"
            at = min(c, plot_w - len(text))  # a label at the right edge ends there, whole
            for j, ch in enumerate(text):
                labels[at + j] = ch
            k += 1
        pad = " " * (label_w)
        out.append(Text(pad + "".join("─" if a == " " else a for a in axis), style="dim"))
        out.append(Text(pad + "".join(labels) + " s", style="dim"))
    out.append(Text("━ waiting (asleep, or blocked)   ─ alive   ● printed a line", style="dim"))
    return Group(*out)


#: SVG geometry, in pixels: the plot starts at LEFT; each second is ``scale`` pixels wide.
LEFT = 170
WIDTH = 900
ROW_H = 18
#: The narrow drawing, for a phone: 400 px, drawn about full size in a 420 px window (the
#: wide one, squeezed there, drew its 11 px labels under 5 px). Each row's label stands on a
#: line of its own above the row, so the plot takes the whole width from NARROW_LEFT.
NARROW_WIDTH = 400
NARROW_LEFT = 20
LABEL_H = 13
#: Font sizes (px) of the drawing's text; and, to wrap it in the narrow drawing, a generous
#: width per character, as a fraction of the size (monospace is 0.6; sans-serif bold less).
FONT = {"title": 15, "phase-title": 13, "panel-title": 12, "note": 11, "label": 11, "tick": 11,
        "legend": 11}
CHAR_EM = 0.62
LEGEND = ("bar: waiting (asleep or blocked)", "line: alive",
          "dot: printed a line (hover for the text)", "dashed: the run ends")


def _lines(text: str, kind: str, room: float | None) -> list[str]:
    """``text`` cut at spaces into lines that fit ``room`` px in the font of ``kind`` (one line
    when ``room`` is None: the wide drawing's text always fits)."""
    if room is None:
        return [text]
    return textwrap.wrap(text, width=max(8, int(room / (FONT[kind] * CHAR_EM))),
                         break_long_words=False, break_on_hyphens=False) or [""]


def to_svg(panels: Sequence[Panel], title: str | None = None, narrow: bool = False) -> str:
    """A standalone SVG. Every bar and mark carries its times as ``data-`` attributes.

    ``narrow`` draws the same rows, bars and marks for a phone (:data:`NARROW_WIDTH` wide):
    labels above their rows, and long text wrapped. Each phase says where its plot starts
    (``data-left``) and its scale, so a bar's ``x`` is ``data-left + t * data-scale`` in both.
    """
    width, left = (NARROW_WIDTH, NARROW_LEFT) if narrow else (WIDTH, LEFT)
    room = width - 20 if narrow else None  # the text's room, from x=10 to 10 px from the edge
    plot_w = width - left - 20
    parts: list[str] = []

    def text(x: int, y: int, kind: str, content: str, extra: str = "") -> int:
        """Draw ``content`` (wrapped when narrow) with its first baseline at ``y``; return the
        last baseline."""
        lines = _lines(content, kind, room)
        for k, line in enumerate(lines):
            parts.append(f'<text x="{x}" y="{y + k * (FONT[kind] + 4)}" class="{kind}"{extra}>'
                         f'{escape(line)}</text>')
        return y + (len(lines) - 1) * (FONT[kind] + 4)

    y = 30
    lesson = panels[0].lesson if panels else ""
    head = title or f"walkthrough timeline {lesson}"
    y = text(10, 20, "title", head) + 10
    for phase, group, total in _phase_groups(panels):
        span = total if total > 0 else 1.0
        scale = plot_w / span
        y += 14
        parts.append(f'<g class="phase" data-phase={quoteattr(phase)} '
                     f'data-scale="{scale:.6f}" data-left="{left}">')
        y = text(10, y, "phase-title", f"phase {phase}: {total:g} s on the virtual clock")
        y += 8
        for panel in group:
            colour = COLOURS[panel.impl]
            y += 16
            parts.append(f'<g class="panel" data-impl="{panel.impl}" '
                         f'data-function={quoteattr(panel.function)}>')
            y = text(10, y, "panel-title", panel.title, f' fill="{colour}"')
            if panel.note:
                y = text(10, y + 14, "note", panel.note)
            top = y + 4
            for i, row in enumerate(panel.rows):
                parts.append(f'<g class="row" data-task="{i}" data-name={quoteattr(row.name)}>')
                if narrow:
                    y += LABEL_H
                    parts.append(f'<text x="{left}" y="{y}" class="label">'
                                 f'{escape(row.label)}</text>')
                y += ROW_H
                mid = y - ROW_H / 2 + 4
                if not narrow:
                    parts.append(f'<text x="20" y="{mid + 4:.1f}" class="label">'
                                 f'{escape(row.label)}</text>')
                parts.append(
                    f'<line class="life" x1="{left + row.spawned * scale:.3f}" '
                    f'x2="{left + row.exited * scale:.3f}" y1="{mid:.1f}" y2="{mid:.1f}" '
                    f'data-start="{row.spawned:.6f}" data-end="{row.exited:.6f}"/>')
                for a, b in row.waits:
                    parts.append(
                        f'<rect class="wait" x="{left + a * scale:.3f}" y="{mid - 5:.1f}" '
                        f'width="{(b - a) * scale:.3f}" height="10" fill="{colour}" '
                        f'data-start="{a:.6f}" data-end="{b:.6f}">'
                        f'<title>waiting {a:g}–{b:g} s</title></rect>')
                for t, mark in row.marks:
                    parts.append(
                        f'<circle class="mark" cx="{left + t * scale:.3f}" cy="{mid:.1f}" '
                        f'r="3.5" data-time="{t:.6f}"><title>{escape(f"{t:g} s: {mark}")}'
                        f'</title></circle>')
                parts.append("</g>")
            end_x = left + panel.duration * scale
            parts.append(f'<line class="end" x1="{end_x:.3f}" x2="{end_x:.3f}" y1="{top}" '
                         f'y2="{y + 2}" stroke="{colour}" data-time="{panel.duration:.6f}"/>')
            parts.append("</g>")
        y += 10
        step = _axis_step(total)
        parts.append(f'<line class="axis" x1="{left}" x2="{left + plot_w}" '
                     f'y1="{y}" y2="{y}"/>')
        k = 0
        while k * step <= total + 1e-9:
            x = left + k * step * scale
            parts.append(f'<line class="axis" x1="{x:.3f}" x2="{x:.3f}" y1="{y}" '
                         f'y2="{y + 4}"/>')
            parts.append(f'<text x="{x:.3f}" y="{y + 16}" class="tick">{k * step:g}</text>')
            k += 1
        y += 24
        parts.append("</g>")
    y += 10
    if narrow:  # one item of the legend a line (or more)
        for item in LEGEND:
            y = text(10, y, "legend", item) + FONT["legend"] + 4
        y -= FONT["legend"] + 4
    else:
        text(10, y, "legend", " · ".join(LEGEND))
    height = y + 10
    style = (".title{font:bold 15px sans-serif}.phase-title{font:bold 13px sans-serif}"
             ".panel-title{font:bold 12px sans-serif}.note{font:italic 11px sans-serif;fill:#555}"
             ".label,.tick,.legend"
             "{font:11px monospace;fill:#444}.tick{text-anchor:middle}"
             ".life{stroke:#999;stroke-width:1}.axis{stroke:#666;stroke-width:1}"
             ".mark{fill:#111}.wait{opacity:.8}.end{stroke-width:2;stroke-dasharray:4 3}")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">\n<style>{style}</style>\n'
            f'<rect width="100%" height="100%" fill="white"/>\n'
            + "\n".join(parts) + "\n</svg>\n")
