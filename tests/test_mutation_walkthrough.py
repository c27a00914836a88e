"""The harness's own modules: the slips mutmut planted that their tests let through.

``scripts/mutation.py`` (issue 27, ``docs/mutation.md``) run on ``walkthrough/normalise.py``,
``clocks.py``, ``capture.py``, ``trace.py`` and ``conceptmap.py`` found, per kind of slip:

* ``normalise.queue``: the rewritten consumer line and the ledger line, whose exact words
  ``walkthrough check``'s report keys on (``(ledger)``) and whose instant must be rounded as
  every stamp is; a fragment or a line whose waiting time is not a number, which must be left
  as it is (and the lines after it still normalised);
* ``clocks``: the start offset's documented range and 1/256 step; an ``offset=`` that is
  ignored; a zero or fractional move refused, or a negative one refused in other words; a
  default loop that waits on the real clock before each jump; the selector's wait with no
  timer, and its ``modify`` (a socket watched for reading and writing), which no test reached;
* ``capture``: lines attributed to the wrong task, or every task named alike (Trio's name,
  an asyncio coroutine's, a task's own name, ``main``, any other object's ``str``); a multi-line
  write cut short; the ``tee`` that ``walkthrough run`` shows live; the writer as a text stream
  (writable, the length written, ready for more after a fragment is flushed);
* ``trace``: a divergence told in other words (its reason, phase, instant, each side's lines
  and how they are joined, the two endings), phases taken by name rather than in the order
  they ran, a phase only one side ran, ``compare``'s ``decimals``, ``Trace.at``'s rounding;
* ``conceptmap``: the page's rows read wrong (a section, a header, a separator, a short row, a
  pipe in a code span), which no test saw because ``rows()`` is cached before mutmut forks;
  the packaged page when the repository's is absent; the lookup's error; a cell as plain text.
"""

from __future__ import annotations

import asyncio
import collections.abc
import dataclasses
import io
import socket
import sys
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing

from walkthrough import clocks, conceptmap, normalise
from walkthrough.capture import asyncio_task, capturing, trio_task
from walkthrough.trace import Divergence, Event, Trace, compare

# -- normalise.queue ----------------------------------------------------------------------------


def _consumed(time: float, task: int, name: str, job: str, waited: str) -> Event:
    """A consumer's line as the queue lesson prints it (``{waited:0.5f}``)."""
    return Event("demo", time, task,
                 f"    > Consumer {name} got element <{job}> in {waited} seconds.")


def _queue_trace(*events: Event) -> Trace:
    return Trace(impl="test", lesson="queue", events=list(events), outcomes={"demo": "None"})


def test_the_queue_normaliser_writes_each_line_and_the_ledger_as_documented() -> None:
    """The consumer's name goes, the instant the job was put is read from the line (rounded as
    stamps are, so a float's last bit does not split one batch in two), and each batch gets one
    ledger line at that instant, in that phase, on ``LEDGER_TASK``, jobs sorted. The report of
    ``walkthrough check`` finds the ledger by its first words, so they are part of the rule."""
    producer = Event("demo", 2.2, 1, "Producer Ann added <Cook> to queue.")
    trace = _queue_trace(
        producer,
        _consumed(2.7, 3, "Al", "Cook", "0.50000"),   # 2.7 - 0.5 == 2.2 exactly
        _consumed(3.3, 4, "Bo", "Baker", "1.10000"),  # 3.3 - 1.1 == 2.1999999999999997
        _consumed(4.75, 3, "Al", "Dyer", "2.50000"),  # put at 2.25: not a whole second
    )
    events = normalise.queue(trace).events
    assert events[0] == producer
    consumer_lines = events[1:4]
    assert [(e.phase, e.time, e.text, e.newline) for e in consumer_lines] == [
        ("demo", 2.7, "    > Consumer * got element <put at t=2.2> in 0.50000 seconds.", True),
        ("demo", 3.3, "    > Consumer * got element <put at t=2.2> in 1.10000 seconds.", True),
        ("demo", 4.75, "    > Consumer * got element <put at t=2.25> in 2.50000 seconds.", True),
    ]
    # Each consumer line on a task of its own: no real task's number, nor the ledger's.
    tasks = [e.task for e in consumer_lines]
    assert len(set(tasks)) == 3 and all(t < 0 and t != normalise.LEDGER_TASK for t in tasks)
    assert events[4:] == [
        Event("demo", 2.2, normalise.LEDGER_TASK,
              "(ledger) consumed, of the jobs put now: <Baker>, <Cook>"),
        Event("demo", 2.25, normalise.LEDGER_TASK,
              "(ledger) consumed, of the jobs put now: <Dyer>"),
    ]


def test_a_fragment_or_a_line_without_a_number_is_left_as_it_is() -> None:
    """Only a whole line that reads like a consumer's is rewritten: a fragment (``end=""``) is
    not a line yet, and a waiting time that is not a number is not the lesson's. Either stays,
    so a slip there still shows; the lines after it are normalised all the same."""
    fragment = Event("demo", 3.0, 3, "    > Consumer Al got element <Cook> in 2.00000 seconds.",
                     newline=False)
    wordy = _consumed(3.0, 4, "Bo", "Baker", "soon")
    after = _consumed(3.0, 5, "Cy", "Dyer", "2.00000")
    events = normalise.queue(_queue_trace(fragment, wordy, after)).events
    assert events[:2] == [fragment, wordy]
    assert [(e.time, e.text) for e in events[2:]] == [
        (3.0, "    > Consumer * got element <put at t=1> in 2.00000 seconds."),
        (1.0, "(ledger) consumed, of the jobs put now: <Dyer>"),
    ]


# -- clocks -------------------------------------------------------------------------------------


class _Ends:
    """A stand-in for the clocks' own generator that always draws one end of the range asked."""

    def __init__(self, high: bool) -> None:
        self.high = high

    def randint(self, a: int, b: int) -> int:
        return b if self.high else a


def test_the_start_offset_spans_the_documented_range_in_steps_of_1_256(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The smallest reading it can draw is 10,000 s and 1/256, the largest 1,000,000 s and
    255/256: never a whole second (a reading printed as a duration shows), always dyadic."""
    monkeypatch.delenv(clocks.OFFSET_ENV, raising=False)
    monkeypatch.setattr(clocks, "_offsets", _Ends(high=False))
    assert clocks.start_offset() == 10_000 + 1 / 256
    monkeypatch.setattr(clocks, "_offsets", _Ends(high=True))
    assert clocks.start_offset() == 1_000_000 + 255 / 256


def test_a_clock_given_an_offset_starts_there() -> None:
    """``offset=`` replays one reading (both clocks of a comparison can share it)."""
    loop = clocks.VirtualTimeLoop(offset=4096.5)
    try:
        assert loop.offset == loop.time() == 4096.5
    finally:
        loop.close()
    sync = clocks.SyncVirtualClock(offset=4096.5)
    assert sync.offset == sync.perf_counter() == 4096.5


def test_a_clock_moves_by_any_amount_forward_and_refuses_to_go_back() -> None:
    """Zero and a fraction of a second are moves like any other (``time.sleep(0)`` is how sync
    code yields); a negative one is refused with the words the real ``time.sleep`` uses."""
    loop = clocks.VirtualTimeLoop(offset=100.0)
    try:
        loop.advance(0)
        loop.advance(0.25)
        assert loop.time() == 100.25
        with pytest.raises(ValueError, match=r"^time only moves forward$"):
            loop.advance(-0.25)
        assert loop.time() == 100.25
    finally:
        loop.close()
    sync = clocks.SyncVirtualClock(offset=100.0)
    with sync.installed():
        time.sleep(0)
        time.sleep(0.25)
        with pytest.raises(ValueError, match=r"^sleep length must be non-negative$"):
            time.sleep(-0.25)
    assert sync.now == 0.25
    with pytest.raises(ValueError, match=r"^sleep length must be non-negative$"):
        time.sleep(-1)  # the real one says the same: the virtual clock is a drop-in


@pytest.mark.timeout(15)  # a clock that waited on the real clock before each jump meets this
def test_the_default_clocks_never_wait_on_the_real_clock_before_a_jump() -> None:
    """``autojump_threshold`` is 0 unless asked for, on the asyncio loop and on Trio's clock: a
    hundred sleeps take no real time."""

    async def main() -> float:
        loop = asyncio.get_running_loop()
        start = loop.time()
        for _ in range(100):
            await asyncio.sleep(1)
        return loop.time() - start

    with asyncio.Runner(loop_factory=clocks.VirtualTimeLoop) as runner:
        assert runner.run(main()) == 100

    async def trio_main() -> float:
        start = trio.current_time()
        for _ in range(100):
            await trio.sleep(1)
        return trio.current_time() - start

    assert trio.run(trio_main, clock=clocks.mock_clock()) == 100


@pytest.mark.timeout(15)  # a selector that lost the I/O it was asked to watch would hang here
def test_the_loop_serves_real_io_with_no_timer_and_a_reader_and_writer_on_one_socket() -> None:
    """With no timer at all the loop waits for I/O alone (the selector is asked to wait with no
    timeout); a socket watched for reading and writing at once (asyncio then *modifies* its
    registration) gets both callbacks. The clock does not move: there was nothing to jump to."""
    left, right = socket.socketpair()
    right.send(b"x")  # readable already: the wait with no timeout returns at once

    async def main() -> tuple[list[str], float]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        seen: list[str] = []
        done = loop.create_future()

        def note(what: str) -> None:
            seen.append(what)
            if what == "read":
                loop.remove_reader(left)
            else:
                loop.remove_writer(left)
            if len(seen) == 2:
                done.set_result(None)

        loop.add_reader(left, note, "read")
        loop.add_writer(left, note, "write")  # the same socket: a modify, data (reader, writer)
        await done
        return sorted(seen), loop.time() - start

    try:
        with asyncio.Runner(loop_factory=clocks.VirtualTimeLoop) as runner:
            assert runner.run(main()) == (["read", "write"], 0)
    finally:
        left.close()
        right.close()


# -- capture ------------------------------------------------------------------------------------


def test_each_trio_task_that_prints_has_its_own_number_and_name() -> None:
    """Lines are attributed to the task that printed them: one number per task, the same for
    all its lines and fragments, and its name in ``task_names`` (``walkthrough run --json``
    shows it); ``printers()`` gives each task with its number, for the activity view."""
    trace = Trace(impl="trio", lesson="x")
    clock = trio.testing.MockClock(autojump_threshold=0)
    tasks: dict[str, object] = {}

    async def worker(label: str, pause: float) -> None:
        tasks[label] = trio.lowlevel.current_task()
        print(f"{label} starts\n{label} is on its second line")  # one write, two lines
        print(label, end="+")
        await trio.sleep(pause)
        print(f"{label} ends")

    async def main() -> None:
        tasks["main"] = trio.lowlevel.current_task()
        print("main starts")
        async with trio.open_nursery() as nursery:
            nursery.start_soon(worker, "a", 1)
            nursery.start_soon(worker, "b", 2)

    with capturing(trace, "p", clock.current_time, trio_task) as writer:
        trio.run(main, clock=clock)
    number = {label: next(n for t, n in writer.printers() if t is task)
              for label, task in tasks.items()}
    assert sorted(number.values()) == [0, 1, 2]
    names = {label: f"{f.__module__}.{f.__qualname__}"
             for label, f in (("main", main), ("a", worker), ("b", worker))}
    assert trace.task_names == {number[label]: name for label, name in names.items()}
    by_task = {label: [(round(e.time, 6), e.text, e.newline) for e in trace.events
                       if e.task == number[label]] for label in tasks}
    assert by_task["main"] == [(0.0, "main starts", True)]
    for label, pause in (("a", 1.0), ("b", 2.0)):
        assert by_task[label] == [
            (0.0, f"{label} starts", True), (0.0, f"{label} is on its second line", True),
            (0.0, f"{label}+", False), (pause, f"{label} ends", True)]


class _Handmade(collections.abc.Coroutine[Any, Any, None]):
    """A coroutine that is not a Python ``async def`` one (as a C extension's may be): it has no
    ``__qualname__``, so its task is named by ``Task.get_name()``."""

    def send(self, value: object) -> Any:
        print("handmade")
        raise StopIteration

    def throw(self, *args: Any) -> Any:
        raise StopIteration

    def close(self) -> None:
        pass

    def __await__(self) -> Generator[Any, None, None]:
        return (yield)


def test_asyncio_tasks_are_named_by_their_coroutine_and_the_rest_as_documented() -> None:
    """An asyncio task by its coroutine's qualified name (or, without one, the task's own
    name), code outside any task as ``main``, and any other object by its ``str``."""
    trace = Trace(impl="asyncio", lesson="x")

    async def producer() -> None:
        print("made")

    async def main() -> None:
        await asyncio.get_running_loop().create_task(producer())
        await asyncio.get_running_loop().create_task(_Handmade(), name="made by hand")

    with capturing(trace, "p", lambda: 0.0, asyncio_task):
        print("before the loop")
        with asyncio.Runner(loop_factory=clocks.VirtualTimeLoop) as runner:
            runner.run(main())
    with capturing(trace, "q", lambda: 0.0, lambda: "worker thread"):
        print("from elsewhere")
    assert [(e.phase, trace.task_names[e.task], e.text) for e in trace.events] == [
        ("p", "main", "before the loop"),
        ("p", producer.__qualname__, "made"),
        ("p", "made by hand", "handmade"),
        ("q", "worker thread", "from elsewhere"),
    ]


def test_the_writer_echoes_to_its_tee_and_behaves_as_a_text_stream() -> None:
    """``walkthrough run`` shows the lesson live through ``tee``: every write, as written. The
    writer says it is writable (code that checks before writing), returns the length written
    (0 for nothing), and a fragment flushed by hand leaves it ready for more."""
    trace = Trace(impl="sync", lesson="x")
    tee = io.StringIO()
    with capturing(trace, "p", lambda: 0.0, lambda: None, tee) as writer:
        assert sys.stdout is writer and sys.stdout.writable()
        assert sys.stdout.write("") == 0
        assert sys.stdout.write("half a line") == len("half a line")
        writer.flush_fragment()
        print(" and the rest")
    assert tee.getvalue() == "half a line and the rest\n"
    assert [(e.text, e.newline) for e in trace.events] == [
        ("half a line", False), (" and the rest", True)]


# -- trace --------------------------------------------------------------------------------------


def _events(*events: tuple[str, float, int, str]) -> list[Event]:
    return [Event(phase, at, task, text) for phase, at, task, text in events]


def _trace(*events: tuple[str, float, int, str], **outcomes: str) -> Trace:
    return Trace(impl="x", lesson="x", events=_events(*events), outcomes=dict(outcomes))


def test_a_divergence_is_told_in_words_with_the_lines_on_each_side() -> None:
    """What ``walkthrough run --impl both``, ``tour`` and ``check`` print: the phase, the
    instant, the reason, and the lines each side had there (several joined by ``|``, a task's
    lines in order joined by ``/``), or the two outcomes when only the ending differs."""
    base = _trace(("p", 0, 0, "One"), ("p", 0, 0, "Two"), ("p", 1, 0, "Three"),
                  ("p", 1, 0, "Four"), p="None")
    verdict = compare(base, base)
    assert verdict.equivalent and bool(verdict) and verdict.describe() == "equivalent"
    cases = {
        "missing": (_trace(*[(e.phase, e.time, e.task, e.text) for e in base.events[:2]],
                           p="None"),
                    Divergence("p", 1.0, ("Three", "Four"), (), "a line is missing here"),
                    "first divergence in phase 'p' at t=1.00s: a line is missing here\n"
                    "  expected: Three | Four"),
        "extra": (_trace(*[(e.phase, e.time, e.task, e.text) for e in base.events],
                         ("p", 1, 1, "Five"), ("p", 1, 1, "Six"), p="None"),
                  Divergence("p", 1.0, (), ("Five", "Six"),
                             "a line came that was not expected here"),
                  "first divergence in phase 'p' at t=1.00s: a line came that was not expected "
                  "here\n  got:      Five | Six"),
        "different": (_trace(("p", 0, 0, "One"), ("p", 0, 0, "Two"), ("p", 1, 0, "Three"),
                             ("p", 1, 0, "Quatre"), p="None"),
                      Divergence("p", 1.0, ("Four",), ("Quatre",), "different lines here"),
                      "first divergence in phase 'p' at t=1.00s: different lines here\n"
                      "  expected: Four\n  got:      Quatre"),
        "order": (_trace(("p", 0, 0, "Two"), ("p", 0, 0, "One"), ("p", 1, 0, "Three"),
                         ("p", 1, 0, "Four"), p="None"),
                  Divergence("p", 0.0, ("One / Two",), ("Two / One",),
                             "the same lines, but one task printed them in another order "
                             "(or another task did)"),
                  "first divergence in phase 'p' at t=0.00s: the same lines, but one task "
                  "printed them in another order (or another task did)\n"
                  "  expected: One / Two\n  got:      Two / One"),
        "ending": (dataclasses.replace(base, outcomes={"p": "raised KeyError: 'x'"}),
                   Divergence("p", None, ("[1, 2]",), ("raised KeyError: 'x'",),
                              "the phase ended differently"),
                   "first divergence in phase 'p': the phase ended differently\n"
                   "  expected: [1, 2]\n  got:      raised KeyError: 'x'"),
    }
    for name, (got, divergence, words) in cases.items():
        verdict = compare(base if name != "ending" else
                          dataclasses.replace(base, outcomes={"p": "[1, 2]"}), got)
        assert (verdict.divergence, verdict.describe()) == (divergence, words), name
        assert not verdict


def test_the_first_divergence_is_the_first_in_phase_order_even_in_a_phase_one_side_lacks(
        ) -> None:
    """Phases are taken in the order they ran (events first, then outcomes), not by name, and
    a phase that only one side ran (events and no outcome) is a divergence, not a crash."""
    expected = _trace(("setup", 0, 0, "ready"), ("demo", 0, 0, "go"), setup="None", demo="1")
    got = _trace(("setup", 0, 0, "steady"), ("demo", 0, 0, "stop"), setup="None", demo="2")
    divergence = compare(expected, got).divergence
    assert divergence == Divergence("setup", 0.0, ("ready",), ("steady",), "different lines here")
    extra = dataclasses.replace(expected, events=[*expected.events, *_events(("zz", 2, 0, "z"))])
    assert compare(expected, extra).divergence == Divergence(
        "zz", 2.0, (), ("z",), "a line came that was not expected here")
    assert compare(extra, expected).divergence == Divergence(
        "zz", 2.0, ("z",), (), "a line is missing here")


def test_coarser_decimals_forgive_only_the_time_within_them() -> None:
    """``compare(..., decimals=2)`` (also through ``Lesson.compare``): stamps within the same
    hundredth are one instant; phase, text, line or fragment, and each task's order still count,
    and so does a tenth of a second."""
    expected = _trace(("p", 0.001, 0, "tick"), ("p", 0.5, 0, "A"), ("p", 0.5, 0, "B"),
                      ("q", 1, 0, "end"), p="None", q="None")
    got = _trace(("p", 0.004, 3, "tick"), ("p", 0.5, 4, "A"), ("p", 0.5, 4, "B"),
                 ("q", 1, 4, "end"), p="None", q="None")
    assert compare(expected, got, decimals=2).equivalent
    assert not compare(expected, got).equivalent  # 0.001 and 0.004 are two instants at 6

    def changed(index: int, **change: Any) -> Trace:
        events = list(got.events)
        events[index] = dataclasses.replace(events[index], **change)
        return dataclasses.replace(got, events=events)

    for slip in (changed(0, time=0.3), changed(0, text="tock"), changed(0, newline=False),
                 changed(0, phase="q"), changed(2, task=5)):
        assert not compare(expected, slip, decimals=2).equivalent, slip.events


def test_the_lines_at_an_instant_are_found_by_the_rounded_stamp() -> None:
    """``Trace.at`` rounds the time asked as stamps are: 0.1 + 0.2 finds the lines at 0.3, and
    half a second is not the same instant as 0 or 1."""
    trace = _trace(("p", 0, 0, "zero"), ("p", 0.3, 0, "a"), ("p", 0.5, 0, "b"), ("p", 1, 0, "c"))
    assert trace.at("p", 0.1 + 0.2) == ["a"]
    assert trace.at("p", 0.5) == ["b"]


# -- conceptmap ---------------------------------------------------------------------------------

#: A page shaped like ``docs/concepts.md``: prose, sections, each table's header and separator
#: (either style), a pipe inside a code span, an empty cell, a row with too few cells.
_MAP_PAGE = """\
# Concept map

A row before any section (none on the real page) belongs to no section:

| `asyncio.orphan()` | `trio.orphan()` | none | nowhere | none |

Prose mentions a pipe | but is not a row.

## Tasks and results

| asyncio | Trio | Gotcha | In this repo | Shown by |
|---|---|---|---|---|
| `asyncio.run(main())` | `trio.run(main)` | `a | b` is one cell | [lesson 1](count.md) |  |
| too | few | cells |

## The outside world

| asyncio | Trio | Gotcha | In this repo | Shown by |
| :--- | --- | --- | --- | --- |
| `asyncio.open_connection` | `trio.open_tcp_stream` | *no* reader/writer pair | every lesson \
| `tests/test_x.py::test_y` |
"""


def test_the_map_is_read_row_by_row_under_its_section() -> None:
    """Every table row of five cells is a row, under the last ``## `` heading; headers,
    separators, prose and short rows are not; a ``|`` inside a code span stays in its cell;
    an empty cell stays a cell. (``rows()`` is cached: the page is parsed here directly.)"""
    assert conceptmap.parse(_MAP_PAGE) == [
        conceptmap.Row("", "`asyncio.orphan()`", "`trio.orphan()`", "none", "nowhere", "none"),
        conceptmap.Row("Tasks and results", "`asyncio.run(main())`", "`trio.run(main)`",
                       "`a | b` is one cell", "[lesson 1](count.md)", ""),
        conceptmap.Row("The outside world", "`asyncio.open_connection`",
                       "`trio.open_tcp_stream`", "*no* reader/writer pair", "every lesson",
                       "`tests/test_x.py::test_y`"),
    ]


def test_the_repository_s_page_is_read_and_the_packaged_copy_without_one(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A checkout reads ``docs/concepts.md`` (it may be newer); an installed wheel, which has
    no ``docs/``, reads the copy packaged beside the module."""
    assert conceptmap.REPO_PAGE.is_file()
    assert conceptmap._page() == conceptmap.REPO_PAGE
    monkeypatch.setattr(conceptmap, "REPO_PAGE", tmp_path / "docs" / "concepts.md")
    assert conceptmap._page() == conceptmap.PACKAGED_PAGE


def test_a_lookup_that_matches_no_row_or_several_says_how_many() -> None:
    with pytest.raises(conceptmap.MapError,
                       match=r"^0 concept-map rows match 'asyncio\.nothing_such'; want exactly "
                             r"one$"):
        conceptmap.find("asyncio.nothing_such")
    several = len([row for row in conceptmap.rows() if "asyncio" in row.asyncio])
    assert several > 1
    with pytest.raises(conceptmap.MapError,
                       match=rf"^{several} concept-map rows match 'asyncio'; want exactly one$"):
        conceptmap.find("asyncio")


def test_a_cell_as_plain_text_drops_links_and_emphasis_but_not_code() -> None:
    """What ``walkthrough port`` prints: a link as its text, emphasis marks gone from prose,
    code spans as written (``*args`` keeps its star), in every prose part, not only the first."""
    cell = "*Never* `f(*args)` in [the FAQ](faq.md), **twice** `**kw` *here*"
    assert conceptmap.plain(cell) == "Never f(*args) in the FAQ, twice **kw here"
