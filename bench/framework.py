"""Framework costs: spawning tasks, and items through queues and channels (sections 3 and 4).

Every run of every configuration is a fresh process (``bench.worker``), for a clean
peak-memory figure; repeats are interleaved (round 1 of every configuration, then round 2...),
so that a noisy moment on the shared machine spreads over all rows instead of landing on one.
The spawning rows make their rounds, then the queue and batching rows theirs, together. The
channel profile alone runs in the bench's own process, under cProfile.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bench.stats import Summary, log, run_worker, summarise


@dataclass
class Row:
    label: str
    impl: str
    kind: str
    params: dict[str, Any]
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)

    def rate(self, n: int) -> Summary:
        return summarise([n / s for s in self.seconds])

    def mem(self) -> Summary:
        return summarise(self.peak_mb)


def run_rows(rows: list[Row], reps: int) -> None:
    for rep in range(reps):
        for row in rows:
            out = run_worker("bench.worker", row.kind, json.dumps(row.params))
            row.seconds.append(float(out["result"]))
            row.peak_mb.append(float(out["rss_peak_mb"]) - float(out["rss_base_mb"]))
        log(f"  framework round {rep + 1}/{reps} done")


def spawn_rows(n: int, reps: int) -> list[Row]:
    rows = [Row("asyncio.gather", "asyncio", "spawn", {"how": "gather", "n": n}),
            Row("asyncio.TaskGroup", "asyncio", "spawn", {"how": "taskgroup", "n": n}),
            Row("trio nursery", "trio", "spawn", {"how": "nursery", "n": n})]
    run_rows(rows, reps)
    return rows


def queue_rows(n: int) -> list[Row]:
    rows: list[Row] = []
    for pc in (1, 4):
        rows += [
            Row(f"asyncio.Queue() unbounded, {pc}P/{pc}C", "asyncio", "queue-asyncio",
                {"n": n, "maxsize": 0, "p": pc, "c": pc}),
            Row(f"asyncio.Queue(100), {pc}P/{pc}C", "asyncio", "queue-asyncio",
                {"n": n, "maxsize": 100, "p": pc, "c": pc}),
            Row(f"trio channel 0, {pc}P/{pc}C", "trio", "queue-trio",
                {"n": n, "buffer": 0, "p": pc, "c": pc}),
            Row(f"trio channel 100, {pc}P/{pc}C", "trio", "queue-trio",
                {"n": n, "buffer": 100, "p": pc, "c": pc}),
            Row(f"trio channel inf, {pc}P/{pc}C", "trio", "queue-trio",
                {"n": n, "buffer": -1, "p": pc, "c": pc}),
        ]
    return rows


def batching_rows(n: int) -> list[Row]:
    """The techniques of section 4; run in the same rounds as ``queue_rows`` for pairing."""
    rows: list[Row] = []
    for pc in (1, 4):
        rows += [
            Row(f"trio channel 1024, send_nowait + receive_nowait drain, {pc}P/{pc}C", "trio",
                "queue-trio", {"n": n, "buffer": 1024, "p": pc, "c": pc, "how": "nowait"}),
            Row(f"trio channel 16, lists of 256, {pc}P/{pc}C", "trio", "queue-trio",
                {"n": n, "buffer": 16, "p": pc, "c": pc, "how": "lists", "batch": 256}),
            Row(f"asyncio.Queue() unbounded, lists of 256, {pc}P/{pc}C", "asyncio",
                "queue-asyncio", {"n": n, "maxsize": 0, "p": pc, "c": pc, "batch": 256}),
        ]
    return rows


def channel_profile(n: int, top: int = 8) -> list[tuple[str, float]]:
    """Where an item-by-item Trio channel spends its time: (function, share of total)."""
    import cProfile
    import pstats

    from bench.worker import queue_trio

    prof = cProfile.Profile()
    prof.enable()
    queue_trio(n, float("inf"), 1, 1)
    prof.disable()
    st = pstats.Stats(prof)
    total = sum(v[2] for v in st.stats.values())  # type: ignore[attr-defined]
    rows = sorted(st.stats.items(), key=lambda kv: kv[1][2], reverse=True)  # type: ignore[attr-defined]
    out = []
    for (filename, line, func), v in rows[:top]:
        short = filename.split("site-packages/")[-1].split("/lib/python3")[-1]
        out.append((f"{short}:{line}({func})", v[2] / total if total else 0.0))
    return out
