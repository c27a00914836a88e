"""Show traces to a person: asyncio and Trio side by side, one row per instant.

Example::

    console.print(side_by_side(a, b, verdict, clock="virtual clock"))
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from walkthrough.trace import Event, Trace, Verdict


def _lines(events: list[Event]) -> Text:
    """The lines printed at one instant, as the terminal showed them.

    Fragments (``print(..., end=" ")``) run on into the next piece of the same task, as they
    did on the screen; a blank printed line is shown as a dim ``⏎`` so that it is visible.
    """
    out = Text()
    open_line = False
    for e in events:
        if not open_line and out:
            out.append("\n")
        if e.text == "" and e.newline and not open_line:
            out.append("⏎", style="dim")
        else:
            out.append_text(Text.from_ansi(e.text))
        open_line = not e.newline
    return out


def side_by_side(a: Trace, b: Trace, verdict: Verdict | None = None, *,
                 clock: str = "virtual clock", width: int | None = None) -> Table:
    """A table with one row per instant of each phase: t | asyncio's lines | Trio's lines.

    All the lines of an instant share one row (a cell of several lines), so the columns line
    up by time and no row is empty padding.
    """
    table = Table(title=f"{a.lesson}: {a.impl} and {b.impl}, on the {clock}", expand=True,
                  width=width, show_lines=True, title_justify="left")
    table.add_column("t (s)", justify="right", no_wrap=True, style="dim")
    table.add_column(a.impl, ratio=1, overflow="fold")
    table.add_column(b.impl, ratio=1, overflow="fold")
    keys: list[tuple[str, float]] = []
    for e in a.events + b.events:
        if e.instant not in keys:
            keys.append(e.instant)
    phases = list(dict.fromkeys(k[0] for k in keys))
    keys.sort(key=lambda k: (phases.index(k[0]), k[1]))
    shown_phase = None
    for phase, t in keys:
        if len(phases) > 1 and phase != shown_phase:
            table.add_row("", Text(f"phase {phase}", style="bold cyan"),
                          Text(f"phase {phase}", style="bold cyan"))
            shown_phase = phase
        table.add_row(f"{t:.2f}",
                      _lines([e for e in a.events if e.instant == (phase, t)]),
                      _lines([e for e in b.events if e.instant == (phase, t)]))
    if verdict is not None:
        table.caption = "verdict: " + verdict.describe()
        table.caption_justify = "left"
    return table

