"""Regenerate the pictures of ``walkthrough diff`` and ``walkthrough timeline`` under docs/img/.

Usage::

    python scripts/export_screens.py           # rewrite the exports
    python scripts/export_screens.py --check   # exit 1 if one is stale (the tests do this)

Each export is what the verb draws, at a fixed width, recorded by rich (``export_svg``), plus
the timeline's own SVG (:func:`walkthrough.timeline.to_svg`); the diff and the timeline chart
also come narrow, for the guide's pages on a phone (``*-narrow.svg``). They must come out byte
for byte the same on every run, so that a test can tell a stale export from a fresh one:

* ``diff count`` is a pure function of the two files.
* rich's ``export_svg`` links a web font from a CDN; it is taken out (the guide builds and
  renders offline): viewers fall back to a local "Fira Code", or any monospace font.
* The queue timeline runs a case that Trio's scheduler cannot reorder visibly: one consumer
  (with two, which consumer takes which job at a shared instant is Trio's random choice, the
  freedom ``walkthrough.normalise.queue`` forgives), seed 14 and three producers, none of
  which put a job at the same instant as another. Measured: 30 runs, one picture. The Trio
  ``demo_closing`` panel ends at 28 s where ``q.join()`` ends at 21 s: the join-vs-close
  divergence.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console, RenderableType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from walkthrough import catalogue, sidebyside, timeline  # noqa: E402
from walkthrough.commands.diff import sources  # noqa: E402

IMG = ROOT / "docs" / "img"
#: The queue case drawn (see the module docstring for why this one).
QUEUE_CASE = {"seed": 14, "nprod": 3, "ncon": 1}
DIFF_WIDTH = 180
#: The diff for a phone: the terminal's stacked view, at a width whose 20 px text is still
#: over 10 px when the picture is squeezed into a 420 px window (about 390 px of page).
NARROW_DIFF_WIDTH = 60
TIMELINE_WIDTH = 110


def _terminal_svg(draw: Callable[[Console], RenderableType], width: int, title: str) -> str:
    console = Console(record=True, width=width, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", legacy_windows=False)
    console.print(draw(console))
    # rich links its font from a CDN; the guide renders offline, so use a local font instead.
    return re.sub(r"\s*@font-face \{.*?\}\n", "\n", console.export_svg(title=title),
                  flags=re.DOTALL)


def exports() -> dict[Path, str]:
    """Every export file and its content."""
    count = catalogue.get("count")
    (left_file, left), (right_file, right) = sources(count)
    pair = sidebyside.align(left, right, left_file, right_file)
    queue = catalogue.get("queue")
    panels = timeline.record(queue, catalogue.IMPLS, QUEUE_CASE)
    flags = " ".join(f"--param {k}={v}" for k, v in QUEUE_CASE.items() if k != "seed")
    return {
        IMG / "diff-count.svg": _terminal_svg(
            lambda c: sidebyside.columns(pair, c.width), DIFF_WIDTH, "walkthrough diff count"),
        IMG / "timeline-queue.svg": _terminal_svg(
            lambda c: timeline.render(panels, c.width), TIMELINE_WIDTH,
            f"walkthrough timeline queue --seed {QUEUE_CASE['seed']} {flags}"),
        IMG / "timeline-queue-chart.svg": timeline.to_svg(
            panels, title=f"walkthrough timeline queue --seed {QUEUE_CASE['seed']} {flags} "
                          "--svg timeline-queue-chart.svg"),
        # The guide's pages show these two on a phone (a <picture> swaps them in below
        # Material's 45em breakpoint): drawn from the same run and alignment as the wide ones,
        # by the same code, so they cannot say something else.
        IMG / "diff-count-narrow.svg": _terminal_svg(
            lambda c: sidebyside.stacked(pair), NARROW_DIFF_WIDTH,
            f"walkthrough diff count --width {NARROW_DIFF_WIDTH}"),
        IMG / "timeline-queue-chart-narrow.svg": timeline.to_svg(
            panels, title=f"walkthrough timeline queue --seed {QUEUE_CASE['seed']} {flags}",
            narrow=True),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only compare: exit 1 if an export is missing or differs")
    args = parser.parse_args(argv)
    stale = []
    for path, text in exports().items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{'stale' if args.check else 'written'}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
