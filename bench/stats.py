"""Medians, spreads and paired ratios: every figure on the page goes through here.

A *spread* is the lowest and highest of the repeats, shown as ``median (min-max)``: with three
to five repeats on a shared machine, a min-max range says more than a standard deviation.
A *paired ratio* divides the two sides repeat by repeat (each pair measured in the same round,
in which every row runs once), then takes the median of those ratios, so that a slow minute on
the machine hits both sides alike.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Summary:
    median: float
    low: float
    high: float
    n: int

    def fmt(self, spec: str = ".2f", scale: float = 1.0) -> str:
        m, lo, hi = self.median * scale, self.low * scale, self.high * scale
        if self.n == 1:
            return format(m, spec)
        return f"{m:{spec}} ({lo:{spec}}–{hi:{spec}})"


def summarise(values: Sequence[float]) -> Summary:
    if not values:
        return Summary(float("nan"), float("nan"), float("nan"), 0)
    return Summary(statistics.median(values), min(values), max(values), len(values))


def ratios(num: Sequence[float], den: Sequence[float]) -> Summary:
    """Paired ratios num[i]/den[i], summarised."""
    return summarise([a / b for a, b in zip(num, den, strict=True) if b])


def run_worker(module: str, *args: str, timeout: float = 600.0) -> dict[str, Any]:
    """Run ``python -m module args...`` in a fresh process; its last stdout line is JSON."""
    done = subprocess.run([sys.executable, "-m", module, *args], capture_output=True,
                          text=True, timeout=timeout, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        raise RuntimeError(f"{module} {' '.join(args)} failed ({done.returncode}):\n"
                           f"{done.stderr[-2000:]}")
    return dict(json.loads(lines[-1]))


def log(*parts: object) -> None:
    """Progress on stderr, so stdout stays clean."""
    print(*parts, file=sys.stderr, flush=True)
