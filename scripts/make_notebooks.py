"""Generate ``notebooks/``: the seed notebook's lessons, per framework, solved and to solve.

Usage::

    python scripts/make_notebooks.py           # rewrite notebooks/*.ipynb from the twins
    python scripts/make_notebooks.py --check   # exit 1 if a notebook is stale

Four notebooks, never edited by hand, so they cannot drift from the code the tests check:

- ``asyncio-solved.ipynb`` / ``trio-solved.ipynb``: each lesson's twin (``asyncio_ref/``,
  ``trio_port/``) in one cell, then the cells that run it, as the seed notebook runs them;
- ``asyncio-exercises.ipynb`` / ``trio-exercises.ipynb``: the same cells with the skeletons of
  ``exercises/asyncio/`` and ``exercises/trio/`` (bodies left blank, the notebook's steps as
  comments). Learners do not fill in these (the freshness test would fail, and regenerating
  would erase their work): ``walkthrough notebook IMPL`` copies one to ``my_notebooks/``,
  which git ignores. Each lesson's cell there starts with ``%%check LESSON``
  (:mod:`walkthrough.notebook_magic`, loaded by a setup cell), which checks the cell as
  ``walkthrough check`` does, from inside the notebook.

asyncio cells run the seed's way: one cell ``import nest_asyncio; nest_asyncio.apply()``, then
``asyncio.run(...)`` in the run cells (the kernel's own loop is already running). Trio cells
need ``%autoawait trio`` in a cell of its own (IPython picks a cell's runner before it runs
the cell, so a magic and an ``await`` in one cell run that ``await`` under asyncio), then
``await demo()``: each such cell is one ``trio.run``. The crawler (the seed's last lesson)
crawls the offline demo site (:class:`walkthrough.demosite.DemoSite`, a real HTTP server on
127.0.0.1 in a thread of the kernel, stopped when its ``with`` ends) instead of the seed's
eight URLs on the internet. The server (lesson 8, beyond the notebook) has its code cell, to
fill in and ``%%check``, but no run cell: :data:`SERVER_NOTE` says why. Each run cell carries
``metadata.walkthrough`` (lesson, phase, parameters): the test that executes the solved
notebooks through a real kernel compares its output with the lesson's, run by the harness.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import sys
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from make_exercises import HINTS  # noqa: E402

from walkthrough import catalogue  # noqa: E402

OUT = ROOT / "notebooks"
KINDS = ("solved", "exercises")
ARGS = ("cannon", "laser", "railgun")

#: Per lesson: the run cells, as (phase, parameters); a parameter "args" is positional.
RUNS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "count": [("demo_sync", {}), ("demo_async", {})],
    "makerandom": [("demo", {})],
    "chained": [("demo", {"args": ARGS})],
    "queue": [("demo", {})],
    "generators": [("demo", {})],
    "asyncgen": [("demo", {})],
    "crawler": [("bulk_crawl_and_write", {})],
    "server": [],
}
#: Run cells of one framework only (and, for the notebook mode, of the solved notebook only).
EXTRA_RUNS: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {
    ("asyncio", "makerandom"): [("demo_notebook", {})],
    ("asyncio", "chained"): [("demo_notebook", {"args": ARGS})],
    ("trio", "queue"): [("demo_closing", {})],
}
EXTRA_NOTES = {
    "demo_notebook": "Notebook mode (asyncio only): one RNG for every task, seeded once, as "
                     "the notebook's `random.seed(...)` cell does. These are the numbers your "
                     "own cells print; `demo` above gives each task its own stream, which is "
                     "what lets the Trio port print the same as asyncio.",
    "demo_closing": "Trio only: the idiomatic ending, closing the channel instead of counting "
                    "jobs. The same jobs at the same instants, a later end.",
}


#: The magic that checks a cell (``%%check``), loaded by the exercises notebooks' setup.
LOAD_CHECK = ("# %%check LESSON, the first line of a lesson's cell, checks the cell as\n"
              "# `walkthrough check` does (walkthrough/notebook_magic.py)\n"
              "%load_ext walkthrough.notebook_magic")

#: Pages of the demo site the crawler's run cell crawls: ~100 lines of output, a few seconds.
CRAWL_PAGES = 30

CRAWLER_NOTE = (
    "The seed's cell crawls eight URLs on the internet. This one crawls the project's offline "
    "demo site instead: a real HTTP server on 127.0.0.1, in a thread of this kernel, with "
    f"{CRAWL_PAGES} generated pages and the faults a crawler must survive (redirects and a "
    "loop, 404, 500, plain text, binary, bad charsets, an oversized body, messy links, a port "
    "where nothing listens). It stops when the `with` block ends. The links land in "
    "`foundurls.tsv`, next to the notebook.")

SERVER_NOTE = (
    "Beyond the notebook: lesson 8 is not in the seed notebook, and this notebook has its code "
    "but no cell that runs it. A server serves until it is stopped: a cell that ran it would "
    "never end and would hold the kernel. Its check needs clients, too: `walkthrough check "
    "server` (and `%%check "
    "server` in the exercises) runs your file as a program in a child process, on 127.0.0.1 "
    "only, and plays a scripted session of clients against it, then stops it. To try it by "
    "hand, from a terminal: `python -m {package}.server --port 8888`, then "
    "`nc 127.0.0.1 8888` in another one; Ctrl-C stops it.")


def _code(impl: str, kind: str, lesson: str) -> str:
    """The lesson's module as one cell: its source without the ``__main__`` block."""
    if kind == "solved":
        path = ROOT / catalogue.PACKAGES[impl] / f"{lesson}.py"
    else:
        path = ROOT / "exercises" / impl / f"{lesson}.py"
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines = source.splitlines()
    for node in tree.body:
        if (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
                and isinstance(node.test.left, ast.Name) and node.test.left.id == "__name__"):
            lines = lines[:node.lineno - 1]
            break
    while lines and lines[0].startswith("#"):  # the skeleton's "copy me" header
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def call(impl: str, phase: str, params: dict[str, Any], *, is_async: bool) -> str:
    """The run cell: the seed's ``asyncio.run(...)``, Trio's top-level ``await``."""
    args = ", ".join(repr(a) for a in params.get("args", ()))
    inner = f"{phase}({args})"
    if not is_async:
        return inner
    return f"results = asyncio.run({inner})" if impl == "asyncio" else f"results = await {inner}"


def crawl_cell(impl: str) -> str:
    """The crawler's run cell: the seed's last cell, on the local demo site."""
    run = ("asyncio.run(bulk_crawl_and_write(file=outpath, urls=urls))" if impl == "asyncio"
           else "await bulk_crawl_and_write(file=outpath, urls=urls)")
    return (
        "from pathlib import Path\n\n"
        "from walkthrough.demosite import DemoSite\n\n"
        'outpath = Path("foundurls.tsv")\n'
        f"with DemoSite(pages={CRAWL_PAGES}) as site:  # 127.0.0.1 only; stopped at the end\n"
        "    urls = site.demo_urls()\n"
        '    print(f"crawling {len(urls)} URLs of the demo site at {site.base_url}")\n'
        '    outpath.write_text(HEADER, encoding="utf-8")\n'
        f"    results = {run}\n"
        "print(results.summary())")


def _steps(lesson: str) -> str:
    hints = HINTS.get(lesson, {})
    out = []
    for fn, steps in hints.items():
        if fn:
            out.append(f"1. `{fn}`")
            out.extend(f"    1. {s}" for s in steps)
    out.extend(f"1. {s}" for s in hints.get("", []))
    return "\n".join(out)


def _is_async(impl: str, lesson: str, phase: str) -> bool:
    module = catalogue.get(lesson).load(impl)
    return inspect.iscoroutinefunction(getattr(module, phase))


def build(impl: str, kind: str) -> nbformat.NotebookNode:
    """One notebook, with stable cell ids so that regenerating it changes nothing."""
    name = "Trio" if impl == "trio" else "asyncio"
    source = catalogue.PACKAGES[impl] if kind == "solved" else f"exercises/{impl}"
    flag = " --impl asyncio" if impl == "asyncio" else ""
    cells = [new_markdown_cell(
        f"# Async IO walkthrough in {name}: {'solved' if kind == 'solved' else 'exercises'}\n\n"
        "The seed notebook's lessons (Real Python's *Async IO in Python: A Complete "
        f"Walkthrough*) and the project's server, generated from `{source}/` by "
        "`scripts/make_notebooks.py`. This file is tracked and checked by the test suite, so "
        "it is not the one to edit: "
        + (f"work in your own copy. `walkthrough notebook {impl}` writes it to "
           f"`my_notebooks/{impl}-exercises.ipynb` (git ignores that folder, and the verb "
           "never overwrites your copy unless given `--force`). There, fill in each lesson's "
           f"cell and run it: its first line, `%%check LESSON{flag}`, checks your code against "
           f"the reference as `walkthrough check LESSON my_LESSON.py{flag}` does, and prints "
           "`equivalent`, or `NOT equivalent` and why."
           if kind == "exercises" else
           "read it, run it, or copy from it. Each run cell prints what the lesson prints; "
           "the test suite executes this notebook through a real kernel and compares every "
           "cell with the lesson."))]
    if impl == "asyncio":
        cells.append(new_code_cell(
            "# this is needed to make asyncio run inside notebooks, without the\n"
            "# This event loop is already running RunTimeError\n"
            "import asyncio\n\nimport nest_asyncio\n\nnest_asyncio.apply()"))
    else:
        cells.append(new_markdown_cell(
            "Trio in a notebook: `%autoawait trio` makes IPython run each cell that awaits "
            "inside its own `trio.run`. It must be a cell of its own: IPython picks a cell's "
            "runner before the cell runs, so an `await` in the same cell would still run "
            "under asyncio. (`trio.run(...)` in a cell works too, but blocks the kernel's "
            "own loop until it returns.)"))
        cells.append(new_code_cell("%autoawait trio"))
    if kind == "exercises":
        cells.append(new_code_cell(LOAD_CHECK))
    for lesson in catalogue.LESSONS:
        if lesson.name not in RUNS:
            continue
        heading = (f"Lesson 8, beyond the notebook: {lesson.title}" if lesson.section == "beyond"
                   else f"{lesson.section} {lesson.title}")
        cells.append(new_markdown_cell(f"## {heading}\n\n" + _steps(lesson.name)))
        code = _code(impl, kind, lesson.name)
        if kind == "exercises":
            code = f"%%check {lesson.name}{flag}\n{code}"
        cells.append(new_code_cell(code))
        if lesson.name == "crawler":
            cells.append(new_markdown_cell(CRAWLER_NOTE))
        if lesson.name == "server":
            cells.append(new_markdown_cell(SERVER_NOTE.format(package=catalogue.PACKAGES[impl])))
        runs = list(RUNS[lesson.name])
        extra = EXTRA_RUNS.get((impl, lesson.name), [])
        if kind == "exercises":
            extra = [r for r in extra if r[0] != "demo_notebook"]
        for phase, params in runs + extra:
            if phase in EXTRA_NOTES:
                cells.append(new_markdown_cell(EXTRA_NOTES[phase]))
            is_async = _is_async(impl, lesson.name, phase)
            cell = new_code_cell(crawl_cell(impl) if lesson.name == "crawler"
                                 else call(impl, phase, params, is_async=is_async))
            cell.metadata["walkthrough"] = {
                "lesson": lesson.name, "phase": phase,
                "params": {k: list(v) if isinstance(v, tuple) else v
                           for k, v in params.items()}}
            cells.append(cell)
    for k, cell in enumerate(cells):
        cell["id"] = f"{impl}-{kind}-{k:02d}"
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"},
    })
    return nb


def expected() -> dict[Path, str]:
    return {OUT / f"{impl}-{kind}.ipynb": nbformat.writes(build(impl, kind)) + "\n"
            for impl in catalogue.IMPLS for kind in KINDS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only compare: exit 1 if a notebook is missing or differs")
    args = parser.parse_args(argv)
    stale = []
    for path, text in expected().items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{'stale' if args.check else 'written'}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
