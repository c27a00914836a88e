"""The notebook's own numbers (asyncio notebook mode), and the notebooks in ``notebooks/``.

Golden tests, asyncio only: the seed notebook seeds one global RNG, and its cells, solved as
they ask, print 17 "too low" lines and ``r1: 10, r2: 9, r3: 10`` (makerandom), and loads of
8, 4 and 3 s in a 12 s program (chained). We ran the seed's cells as written (nest_asyncio,
``random.seed``, the real clock) to get these numbers; ``demo_notebook`` reproduces them on
the virtual clock. The Trio twins have no such mode, on purpose (docs/lessons/makerandom.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools as it
import random
import re
import runpy
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import nbformat
import pytest
from faker import Faker

from asyncio_ref import chained, makerandom
from tests.conftest import load_script
from walkthrough import catalogue
from walkthrough.clocks import VirtualTimeLoop
from walkthrough.runner import run_lesson, run_phase
from walkthrough.trace import Event, Trace

pytestmark = pytest.mark.asyncio_suite

ARGS = ("cannon", "laser", "railgun")


def notebook_run(fn: Callable[..., Any], **params: Any) -> Trace:
    trace = Trace("asyncio", fn.__module__)
    run_phase(trace, "demo_notebook", fn, "asyncio", params, virtual=True, tee=None)
    return trace


def test_makerandom_notebook_mode_prints_the_notebooks_numbers() -> None:
    trace = notebook_run(makerandom.demo_notebook, seed=444)
    lines = trace.lines()
    assert sum("too low; retrying." in line for line in lines) == 17
    assert lines[-1] == "r1: 10, r2: 9, r3: 10"
    assert trace.outcomes["demo_notebook"] == "[10, 9, 10]"
    # The default, one stream per task: the same results, other retries (what the twins share).
    default = run_lesson("makerandom", "asyncio")
    assert sum("too low" in line for line in default.lines()) == 5
    assert default.durations["demo"] == 9.0 and default.lines()[-1] == lines[-1]


def test_chained_notebook_mode_prints_the_notebooks_numbers() -> None:
    trace = notebook_run(chained.demo_notebook, seed=1672, args=ARGS)
    loads = [line for line in trace.lines() if line.startswith("loading ")]
    assert loads == ["loading cannon: (will take 8 seconds)",
                     "loading laser: (will take 4 seconds)",
                     "loading railgun: (will take 3 seconds)"]
    assert trace.lines()[-1] == "Program finished in 12.00 seconds."
    assert trace.durations["demo_notebook"] == 12.0
    default = run_lesson("chained", "asyncio")
    assert default.lines()[-1] == "Program finished in 9.00 seconds."


@pytest.mark.parametrize(("fn", "params"), [
    (makerandom.demo_notebook, {"seed": 444}),
    (chained.demo_notebook, {"seed": 1672, "args": ARGS}),
])
def test_notebook_mode_is_reproducible_on_asyncios_virtual_clock(
        fn: Callable[..., Any], params: dict[str, Any]) -> None:
    """A fixed wake-up order (asyncio's timer heap) and no clock jitter: the one shared stream
    is drawn in one order."""
    runs = [notebook_run(fn, **params) for _ in range(3)]
    assert runs[0].text() == runs[1].text() == runs[2].text()
    assert [e.time for e in runs[0].events] == [e.time for e in runs[2].events]


def test_the_trio_twins_have_no_notebook_mode() -> None:
    """One shared stream under Trio: other numbers from run to run (test_divergences pins it)."""
    from trio_port import chained as trio_chained
    from trio_port import makerandom as trio_makerandom

    assert not hasattr(trio_makerandom, "demo_notebook")
    assert not hasattr(trio_chained, "demo_notebook")


@pytest.mark.parametrize(("module", "argv", "last"), [
    ("asyncio_ref.makerandom", ["--global-rng"], "r1: 10, r2: 9, r3: 10"),
    ("asyncio_ref.chained", ["--global-rng"], "Program finished in 12.00 seconds."),
    ("asyncio_ref.chained", [], "Program finished in 9.00 seconds."),
])
def test_global_rng_on_the_command_line(module: str, argv: list[str], last: str,
                                        monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m asyncio_ref.makerandom --global-rng``, run here on the virtual loop."""

    def virtual_run(coro: Coroutine[Any, Any, Any]) -> Any:
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            return runner.run(coro)

    monkeypatch.setattr(asyncio, "run", virtual_run)
    monkeypatch.setattr(sys, "argv", [module, *argv])
    monkeypatch.delitem(sys.modules, module)  # run it as __main__, fresh
    runpy.run_module(module, run_name="__main__")
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == last
    assert ("--global-rng" in out[0]) is False  # the flag is not taken for a chain's name


# -- the queue with a global RNG is not reproducible, even under asyncio -----------------------

def notebook_queue(unit: float, now: Callable[[], float], *, seed_faker: bool = True
                   ) -> Callable[[], Coroutine[Any, Any, list[str]]]:
    """The notebook's queue cells: ``random.seed(444)``, one ``Faker``, the module functions;
    sleeps of ``randint(0, 10) * unit`` seconds. Returns what it would print.

    ``seed_faker`` (the default) is one change from the cells as written: the Faker is seeded
    too (``seed_instance(444)``), which the notebook does not do, so that its names and job
    titles are the same each run and only the clock can make two runs differ. Unseeded, it
    draws from Faker's own shared ``random.Random``, which ``random.seed`` leaves alone
    (docs/notebooks.md;
    ``tests/test_claims_home.py::test_random_seed_does_not_seed_the_seeds_faker``)."""

    async def run() -> list[str]:
        out: list[str] = []
        rng = random.Random(444)  # random.seed(444), without touching the global
        fake = Faker()
        if seed_faker:
            fake.seed_instance(444)

        async def rand_sleep() -> None:
            await asyncio.sleep(rng.randint(0, 10) * unit)

        async def produce(name: str, q: asyncio.Queue[tuple[str, float]]) -> None:
            for _ in it.repeat(None, rng.randint(0, 10)):
                await rand_sleep()
                await q.put((str(fake.job()), now()))
                out.append(f"Producer {name} added a job")

        async def consume(name: str, q: asyncio.Queue[tuple[str, float]]) -> None:
            while True:
                await rand_sleep()
                i, _ = await q.get()
                out.append(f"    > Consumer {name} got element <{i}>")
                q.task_done()

        q: asyncio.Queue[tuple[str, float]] = asyncio.Queue()
        producers = [asyncio.create_task(produce(fake.first_name_female(), q))
                     for _ in range(5)]
        consumers = [asyncio.create_task(consume(fake.first_name_male(), q))
                     for _ in range(2)]
        await asyncio.gather(*producers)
        await q.join()
        for c in consumers:
            c.cancel()
        await asyncio.gather(*consumers, return_exceptions=True)
        return out

    return run


def test_the_queue_with_a_global_rng_is_reproducible_only_without_clock_jitter() -> None:
    """On the virtual loop (no jitter) the notebook's queue gives one output every time ..."""
    outputs = set()
    for _ in range(3):
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            loop = runner.get_loop()
            outputs.add(tuple(runner.run(notebook_queue(1.0, loop.time)())))
    assert len(outputs) == 1


@pytest.mark.timeout(300)
def test_the_queue_with_a_global_rng_is_not_reproducible_even_under_asyncio() -> None:
    """... but on the real clock it is not: timers due at nearly the same instant wake in the
    order of their real deadlines, which differ by the microseconds each task spent getting
    to its sleep, so the tasks take numbers from the one stream in a jitter order.

    The sleeps are scaled to 1/100 (the mechanism is the same; the seed's own 1 s run gave 4
    different outputs in 4 runs, docs/notebooks.md). We run until two outputs differ; 60
    identical runs in a row would mean the order does not depend on jitter.
    """
    outputs: set[tuple[str, ...]] = set()
    for _ in range(60):
        outputs.add(tuple(asyncio.run(notebook_queue(0.01, time.perf_counter)())))
        if len(outputs) > 1:
            break
    assert len(outputs) > 1, "60 real-clock runs gave one output: jitter-blind?"


# -- the notebooks: generated from the twins, fresh, and run through a real kernel ------------

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def stale(path: Path) -> str:
    """What the freshness test says of a tracked notebook that differs (F7 of the learner
    review): most often a learner filled it in, or only ran it and Jupyter saved it, and
    rerunning the script would erase that work. So: save it first, with the verb that makes a
    working copy (it copies the tracked notebook as it is, work included), then regenerate."""
    name = f"notebooks/{path.name}"
    impl, _, kind = path.stem.partition("-")
    copy = (f"`walkthrough notebook {impl}` makes a working copy of your own in "
            f"my_notebooks/{path.name}, or in DIR with --dir DIR" if kind == "exercises" else
            f"cp {name} my_notebooks/, say")
    return (f"{name} differs from what scripts/make_notebooks.py generates. If you filled it "
            f"in, your work is in it: copy it out first ({copy}), then rerun "
            "scripts/make_notebooks.py")


def test_the_notebooks_are_generated_from_the_twins_and_fresh() -> None:
    """notebooks/ is what scripts/make_notebooks.py makes of the twins now; if not, the message
    says how to keep what a learner wrote in it before regenerating (:func:`stale`)."""
    expected = load_script("make_notebooks").expected()
    assert set(NOTEBOOKS.glob("*.ipynb")) == set(expected), "run scripts/make_notebooks.py"
    for path, text in expected.items():
        assert path.read_text(encoding="utf-8") == text, stale(path)


def test_the_stale_message_keeps_the_learners_work(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The advice is true: the verb it names copies an edited tracked notebook with the edit."""
    from walkthrough.commands import notebook

    message = stale(NOTEBOOKS / "trio-exercises.ipynb")
    assert message.startswith("notebooks/trio-exercises.ipynb differs from what "
                              "scripts/make_notebooks.py generates. If you filled it in")
    assert "`walkthrough notebook trio` makes a working copy" in message
    assert message.endswith("then rerun scripts/make_notebooks.py")
    assert "walkthrough notebook" not in stale(NOTEBOOKS / "trio-solved.ipynb")
    edited = nbformat.read(NOTEBOOKS / "trio-exercises.ipynb", as_version=4)
    edited.cells[-1].source += "\n# the learner's own line"
    (tmp_path / "trio-exercises.ipynb").write_text(nbformat.writes(edited), encoding="utf-8")
    monkeypatch.setattr(notebook, "NOTEBOOKS", tmp_path)
    copy = notebook.make_copy("trio")
    assert "".join(copy["cells"][-1]["source"]).endswith("# the learner's own line")


@pytest.mark.parametrize("impl", catalogue.IMPLS)
def test_each_framework_has_its_setup_cell_of_its_own(impl: str) -> None:
    for kind in ("solved", "exercises"):
        nb = nbformat.read(NOTEBOOKS / f"{impl}-{kind}.ipynb", as_version=4)
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        if impl == "trio":
            assert "%autoawait trio" in code  # the whole cell: the magic and nothing else
            assert not any("asyncio.run(" in c or "nest_asyncio" in c for c in code)
        else:
            assert any(c.endswith("nest_asyncio.apply()") for c in code)
            assert all("await " not in c.splitlines()[0] for c in code if c.startswith("res"))


@pytest.mark.parametrize("impl", catalogue.IMPLS)
def test_the_exercises_load_check_and_each_lesson_cell_starts_with_it(impl: str) -> None:
    """Issue 25, item 2: a setup cell loads ``%%check``; each lesson's code cell is checked by
    its first line, with the notebook's framework; the solved notebooks have no magic."""
    flag = " --impl asyncio" if impl == "asyncio" else ""
    nb = nbformat.read(NOTEBOOKS / f"{impl}-exercises.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    load = [k for k, c in enumerate(code) if "%load_ext walkthrough.notebook_magic" in c]
    checks = [c.splitlines()[0] for c in code if c.startswith("%%check")]
    assert len(load) == 1 and load[0] < code.index(next(c for c in code if c.startswith("%%")))
    assert checks == [f"%%check {lesson.name}{flag}" for lesson in catalogue.LESSONS]
    solved = nbformat.read(NOTEBOOKS / f"{impl}-solved.ipynb", as_version=4)
    assert not any("%%check" in c.source or "load_ext" in c.source
                   for c in solved.cells if c.cell_type == "code")


@pytest.mark.parametrize("kind", ["solved", "exercises"])
def test_the_notebooks_cover_every_lesson_and_say_why_the_server_has_no_run_cell(
        kind: str) -> None:
    """Issue 25, item 3: the crawler and the server are there; only the server has no run
    cell, and a cell says why."""
    for impl in catalogue.IMPLS:
        nb = nbformat.read(NOTEBOOKS / f"{impl}-{kind}.ipynb", as_version=4)
        ran = {c.metadata["walkthrough"]["lesson"] for c in nb.cells if "walkthrough" in c.metadata}
        assert ran == {lesson.name for lesson in catalogue.LESSONS} - {"server"}
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "no cell that runs it" in text and "would never end" in text
        assert "127.0.0.1" in text and "demo site" in text


def test_the_exercises_say_where_to_work() -> None:
    """Issue 25, item 1: the tracked exercises are not to be edited, and say where to work
    instead (the verb's copy), not "do not edit" next to "fill in each cell"."""
    for impl in catalogue.IMPLS:
        intro = nbformat.read(NOTEBOOKS / f"{impl}-exercises.ipynb", as_version=4).cells[0].source
        assert f"walkthrough notebook {impl}" in intro and "my_notebooks/" in intro
        assert "do not edit" not in intro.lower()


#: Test-only cells, run after the setup cell: they put the kernel's runs on the virtual clocks
#: (a run cell's *code* is what the learner runs; only the clock changes), so each cell's
#: output can be compared exactly with the lesson's, in seconds instead of minutes.
VIRTUAL_SYNC = """\
import sys
sys.path.insert(0, {root!r})
import contextlib
from walkthrough.clocks import SyncVirtualClock
_clock, _installed, _virtual = SyncVirtualClock(), [], [True]
def _pre(*info):
    # A %%check cell keeps the real clocks: its check runs in a child process, on a virtual
    # clock of its own, and is watched from here on the real one.
    check = bool(info) and info[0].raw_cell.startswith("%%check")
    _installed.append(_clock.installed() if _virtual[0] and not check
                      else contextlib.nullcontext())
    _installed[-1].__enter__()
def _post(*_):
    _installed.pop().__exit__(None, None, None)
get_ipython().events.register("pre_run_cell", _pre)
get_ipython().events.register("post_run_cell", _post)
"""
VIRTUAL = {
    "asyncio": """\
import asyncio
import nest_asyncio
from walkthrough.clocks import VirtualTimeLoop
_real_run = asyncio.run
def _virtual_run(main, *, debug=False):
    loop = VirtualTimeLoop()
    nest_asyncio.apply(loop)  # re-entrant, as the kernel's own loop is after the seed's cell
    try:
        return loop.run_until_complete(main)
    finally:
        loop.close()
asyncio.run = _virtual_run
""",
    "trio": """\
import trio
import trio.testing
_real_run = trio.run
def _virtual_run(*args, **kwargs):
    kwargs.setdefault("clock", trio.testing.MockClock(autojump_threshold=0))
    return _real_run(*args, **kwargs)
trio.run = _virtual_run  # what %autoawait trio calls for each cell
""",
}
#: Test-only, before the crawler's section: real sockets need the real clocks (a virtual clock
#: jumps ahead while the crawl waits for the network: every URL would time out). From the next
#: cell on, as the committed notebook runs.
REAL = """\
import asyncio, trio
if asyncio.run is _virtual_run:
    asyncio.run = _real_run
if trio.run is _virtual_run:
    trio.run = _real_run
_virtual[0] = False
"""


def finished_lines(trace: Trace) -> list[tuple[float, str]]:
    """The trace's lines as a terminal shows them, each with the instant it was finished."""
    lines: list[tuple[float, str]] = []
    pending = ""
    for e in trace.events:
        pending += e.text
        if e.newline:
            lines.append((e.time, pending))
            pending = ""
    if pending:
        lines.append((trace.events[-1].time, pending))
    return lines


def same_output(printed: str, trace: Trace, impl: str, lesson: catalogue.Lesson) -> bool:
    """asyncio: the same text. Trio: the same lines in the same order, except what the shared
    tests forgive: the order within one instant, where Trio runs a batch of tasks in an order
    of its choosing (DESIGN.md), and the lesson's documented normalisation (the queue's
    consumer names). A printed line is taken to be at the instant of the reference's line in
    the same place, then both go through ``lesson.compare``."""
    if impl == "asyncio":
        return printed == trace.text()
    want, rows = finished_lines(trace), printed.splitlines()
    if len(rows) != len(want) or printed.endswith("\n") != trace.text().endswith("\n"):
        return False
    phase = trace.events[0].phase
    expected, got = Trace(impl, lesson.name), Trace(impl, lesson.name)
    expected.events = [Event(phase, t, k, text) for k, (t, text) in enumerate(want)]
    got.events = [Event(phase, t, k, row)
                  for k, ((t, _), row) in enumerate(zip(want, rows, strict=True))]
    return lesson.compare(expected, got).equivalent


#: A URL of a demo site: the notebook's site and ours listen on ports of their own.
LOCAL_URL = re.compile(r"http://127\.0\.0\.1:\d+/")
CRAWLING = re.compile(r"crawling (\d+) URLs of the demo site at (http://127\.0\.0\.1:\d+/)")


def crawl_reference(folder: Path) -> tuple[str, list[str], Any]:
    """asyncio_ref's crawler, run here as the notebook's cell runs it, on a demo site of our
    own: (TSV, printed lines, stats), every URL of the site written ``SITE/``, the refused
    port ``REFUSED/``."""
    from walkthrough.demosite import DemoSite

    crawler = catalogue.get("crawler").load("asyncio")
    out = folder / "reference.tsv"
    printed = io.StringIO()
    with DemoSite(pages=load_script("make_notebooks").CRAWL_PAGES) as site:
        out.write_text(crawler.HEADER, encoding="utf-8")
        with contextlib.redirect_stdout(printed):
            stats = asyncio.run(crawler.bulk_crawl_and_write(file=out, urls=site.demo_urls()))
        base = site.base_url
    return (local_urls(out.read_text(encoding="utf-8"), base),
            local_urls(printed.getvalue(), base).splitlines(), stats)


def local_urls(text: str, base: str) -> str:
    return LOCAL_URL.sub(lambda m: "SITE/" if m[0] == base else "REFUSED/", text)


def assert_same_crawl(printed: str, tsv: str, folder: Path) -> None:
    """The notebook's crawl is the reference's: the same TSV rows (in any order: pages finish
    in any order), the same events for each URL (an error by its category: the libraries word
    it differently) and the same counts, as ``walkthrough check crawler`` compares them."""
    from tests.test_crawler import events

    lines = printed.splitlines()
    m = CRAWLING.fullmatch(lines[0])
    assert m, lines[:1]
    got_tsv, got_lines = local_urls(tsv, m[2]), local_urls(printed, m[2]).splitlines()[1:]
    want_tsv, want_lines, stats = crawl_reference(folder)
    assert got_tsv.splitlines()[0] == want_tsv.splitlines()[0] == "source_url\tparsed_url"
    assert sorted(got_tsv.splitlines()[1:]) == sorted(want_tsv.splitlines()[1:])
    assert len(want_tsv.splitlines()) > int(m[1])  # the pages' links, not only a header
    summary = re.fullmatch(r"pages (\d+), links (\d+), errors (\d+), elapsed [\d.]+ s",
                           got_lines.pop())
    assert summary and [int(g) for g in summary.groups()] == [stats.pages, stats.links,
                                                              stats.errors]
    got, want = events(got_lines), events(want_lines)
    assert got.unknown == want.unknown == []
    assert got.by_url == want.by_url and len(got.by_url) == int(m[1])
    assert got.bad_links == want.bad_links


@pytest.mark.timeout(600)
@pytest.mark.parametrize("impl", catalogue.IMPLS)
def test_the_solved_notebook_runs_through_a_real_kernel(impl: str, tmp_path: Path) -> None:
    """Execute ``notebooks/<impl>-solved.ipynb`` with nbclient and ipykernel; every run cell
    prints what the lesson prints, run by the harness on the virtual clock; the crawler's cell
    crawls the demo site as the reference crawls one, on the real clock."""
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / f"{impl}-solved.ipynb", as_version=4)
    setup = next(k for k, c in enumerate(nb.cells) if c.cell_type == "code")
    hidden = [nbformat.v4.new_code_cell(VIRTUAL_SYNC.format(root=str(ROOT))),
              nbformat.v4.new_code_cell(VIRTUAL[impl])]
    nb.cells[setup + 1:setup + 1] = hidden
    crawler = next(k for k, c in enumerate(nb.cells) if c.source.startswith("## 002.007"))
    nb.cells.insert(crawler, nbformat.v4.new_code_cell(REAL))
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    runs = [c for c in nb.cells if "walkthrough" in c.metadata]
    assert len(runs) >= 8
    assert any(c.metadata["walkthrough"]["lesson"] == "crawler" for c in runs)
    for cell in nb.cells:
        streams = [o for o in cell.get("outputs", []) if o.output_type == "stream"]
        assert not [o for o in streams if o.name == "stderr"], cell.source
        if "walkthrough" not in cell.metadata:
            continue
        meta = cell.metadata["walkthrough"]
        printed = "".join(o.text for o in streams)
        assert printed, cell.source
        assert not [o for o in cell.outputs if o.output_type == "execute_result"]
        if meta["lesson"] == "crawler":
            assert_same_crawl(printed, (tmp_path / "foundurls.tsv").read_text(encoding="utf-8"),
                              tmp_path)
            continue
        lesson = catalogue.get(meta["lesson"])
        module = lesson.load(impl)
        params = {**lesson.params, **meta["params"]}
        trace = Trace(impl, lesson.name)
        run_phase(trace, meta["phase"], getattr(module, meta["phase"]), impl, params,
                  virtual=True, tee=None)
        assert same_output(printed, trace, impl, lesson), (cell.source, printed, trace.text())


def test_the_documented_running_time_is_the_lessons_own_sleeps() -> None:
    """Issue 25, item 4: docs/notebooks.md says how long the solved notebooks take on the real
    clock, and that nearly all of it is the run cells' sleeping: the seconds it gives are what
    the run cells sleep on the virtual clock (the crawler's cell sleeps none)."""
    text = " ".join((ROOT / "docs" / "notebooks.md").read_text(encoding="utf-8").split())
    m = re.search(r"the run cells of `asyncio-solved.ipynb` sleep (\d+) s and those of "
                  r"`trio-solved.ipynb` (\d+) s", text)
    assert m, "docs/notebooks.md: the solved notebooks' sleeping time"
    assert "one to two minutes" not in text and "two and a half minutes" in text
    for impl, stated in zip(catalogue.IMPLS, m.groups(), strict=True):
        nb = nbformat.read(NOTEBOOKS / f"{impl}-solved.ipynb", as_version=4)
        slept = 0.0
        for cell in nb.cells:
            meta = cell.metadata.get("walkthrough")
            if meta is None or meta["lesson"] == "crawler":
                continue
            lesson = catalogue.get(meta["lesson"])
            trace = Trace(impl, lesson.name)
            run_phase(trace, meta["phase"], getattr(lesson.load(impl), meta["phase"]), impl,
                      {**lesson.params, **meta["params"]}, virtual=True, tee=None)
            slept += trace.durations[meta["phase"]]
        assert round(slept) == int(stated), impl


@pytest.mark.parametrize("impl", catalogue.IMPLS)
def test_the_cell_comparison_can_fail(impl: str) -> None:
    """A line changed, a line missing, lines of two instants swapped: each is caught."""
    lesson = catalogue.get("count")
    trace = Trace(impl, "count")
    run_phase(trace, "demo_async", lesson.load(impl).demo_async, impl, {},
              virtual=True, tee=None)
    text = trace.text()
    assert same_output(text, trace, impl, lesson)
    lines = text.splitlines(keepends=True)
    assert not same_output(text.replace("1.00", "1.01"), trace, impl, lesson)
    assert not same_output("".join(lines[1:]), trace, impl, lesson)
    assert not same_output("".join([lines[3], *lines[:3], *lines[4:]]), trace, impl, lesson)


def run_cells(sources: list[str], tmp_path: Path) -> list[Any]:
    """Run ``sources`` as the cells of a notebook in a real kernel; each cell's outputs."""
    from nbclient import NotebookClient

    for attempt in (1, 2):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
        try:
            NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                           resources={"metadata": {"path": str(tmp_path)}}).execute()
        except RuntimeError as exc:
            # jupyter_client picks the kernel's five ports by binding port 0 and letting go;
            # another process can take one before the kernel binds it ("Address already in
            # use", then "Kernel died before replying to kernel_info"). Once more, new ports.
            if attempt == 2 or "Kernel died before replying" not in str(exc):
                raise
            continue
        return [cell.outputs for cell in nb.cells]
    raise AssertionError("unreachable")


def text_of(outputs: list[Any]) -> str:
    return "".join(o.get("text", "") + o.get("evalue", "") for o in outputs)


@pytest.mark.timeout(300)
def test_trio_run_in_a_cell_blocks_the_kernels_own_loop(tmp_path: Path) -> None:
    """docs/notebooks.md: ``trio.run`` works in a cell, but the kernel's asyncio loop (which
    runs the kernel's own tasks) stands still until it returns; ``%autoawait trio`` does the
    same for each cell it runs. An ``await asyncio.sleep`` lets the loop run."""
    outputs = run_cells([
        "import asyncio, trio\nticks = []\n"
        "async def ticker():\n    while True:\n        ticks.append(1)\n"
        "        await asyncio.sleep(0.05)\n"
        "task = asyncio.ensure_future(ticker())",
        "n = len(ticks)\ntrio.run(trio.sleep, 1)\nblocked = len(ticks) - n",
        "n = len(ticks)\nawait asyncio.sleep(1)\nfree = len(ticks) - n",
        "print(blocked, free > 2)",
        "%autoawait trio",  # a cell of its own (test_autoawait_trio_works_only_in_...)
        "n = len(ticks)\nawait trio.sleep(1)\nunder_autoawait = len(ticks) - n",
        "print(under_autoawait)",
    ], tmp_path)
    assert text_of(outputs[3]) == "0 True\n"
    assert text_of(outputs[6]) == "0\n"  # each %autoawait trio cell is a trio.run of its own


@pytest.mark.timeout(300)
def test_autoawait_trio_works_only_in_a_cell_of_its_own(tmp_path: Path) -> None:
    """With the magic and the ``await`` in one cell, the cell was already given to asyncio,
    which cannot run Trio's await: "Task got bad yield"."""
    together = run_cells(["%autoawait trio\nimport trio\nawait trio.sleep(0)\nprint('trio')"],
                         tmp_path)
    assert "RuntimeError" in str(together[0])
    assert "Task got bad yield" in text_of(together[0]) and "trio" not in text_of(
        [o for o in together[0] if o.output_type == "stream"])
    apart = run_cells(["%autoawait trio", "import trio\nawait trio.sleep(0)\nprint('trio')",
                       "print(trio.current_time())"], tmp_path)
    assert text_of(apart[1]) == "trio\n"
    # A cell without await runs as plain Python, outside any trio.run.
    assert "must be called from async context" in text_of(apart[2])


@pytest.mark.timeout(300)
def test_asyncio_in_a_kernel_the_seeds_way_and_without_it(tmp_path: Path) -> None:
    """The kernel's loop is running: asyncio.run fails until nest_asyncio patches it; a
    top-level await needs nothing."""
    outputs = run_cells([
        "import asyncio\nasync def f():\n    await asyncio.sleep(0)\n    return 'ok'",
        "asyncio.run(f())",
        "print(await f())",
        "import nest_asyncio\nnest_asyncio.apply()\nprint(asyncio.run(f()))",
    ], tmp_path)
    assert "asyncio.run() cannot be called from a running event loop" in text_of(outputs[1])
    assert text_of(outputs[2]) == "ok\n"
    assert text_of(outputs[3]) == "ok\n"
