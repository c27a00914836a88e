"""Show traces to a person: one column, or asyncio and Trio side by side on one time axis."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from walkthrough.trace import Event, Trace, Verdict


def _label(e: Event) -> str:
    return e.text + ("" if e.newline else " …")


def side_by_side(a: Trace, b: Trace, verdict: Verdict | None = None) -> Table:
    """A table with one row per line, grouped by instant: time | asyncio | trio."""
    table = Table(title=f"{a.lesson}: {a.impl} vs {b.impl}", show_lines=False, expand=False)
    table.add_column("phase", style="dim")
    table.add_column("t (s)", justify="right")
    table.add_column(a.impl, overflow="fold")
    table.add_column(b.impl, overflow="fold")
    keys: list[tuple[str, float]] = []
    for e in a.events + b.events:
        if e.instant not in keys:
            keys.append(e.instant)
    phases = list(dict.fromkeys(k[0] for k in keys))
    keys.sort(key=lambda k: (phases.index(k[0]), k[1]))
    for phase, t in keys:
        left = [_label(e) for e in a.events if e.instant == (phase, t)]
        right = [_label(e) for e in b.events if e.instant == (phase, t)]
        for i in range(max(len(left), len(right))):
            table.add_row(
                phase if i == 0 else "", f"{t:.2f}" if i == 0 else "",
                Text.from_ansi(left[i]) if i < len(left) else "",
                Text.from_ansi(right[i]) if i < len(right) else "",
            )
    if verdict is not None:
        table.caption = "verdict: " + verdict.describe()
    return table
