"""Every lesson as a command: ``--help``, unknown options, its own arguments (issue 25, item 13).

``python -m trio_port.chained --help`` used to fire a weapon named "--help", the asyncio
makerandom ran its 10 s lesson, and ``trio_port.makerandom --global-rng`` ignored the flag.
Each lesson's ``if __name__ == "__main__":`` block now parses its command line with argparse
before anything runs, so for every lesson, in both frameworks:

* ``--help`` exits 0 at once with a usage that names the lesson's arguments, and nothing of
  the lesson happens (no line of its run is printed, no file written in its folder);
* an unknown option exits 2 with argparse's one-line error naming it, and nothing happens;
* the Trio twins refuse the asyncio twins' notebook mode by name, saying why (exit 2);
* the arguments the lessons did take still reach them: chained's chain names (run here on a
  virtual clock, in this process, compared with the runner's virtual trace), with or without
  the asyncio notebook mode; the crawler's URLs and the server's options (an invalid one is
  refused by the lesson's own ``main``, which shows the argument got there; their real runs
  are tested in test_crawler*.py and test_server.py).

The real-clock runs of the lessons as scripts are in ``test_scripts.py``; Ctrl-C in
``test_sigint.py``.
"""

from __future__ import annotations

import asyncio
import functools
import os
import runpy
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Coroutine
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import trio

from tests.conftest import ROOT
from walkthrough import catalogue
from walkthrough.clocks import VirtualTimeLoop, mock_clock
from walkthrough.runner import run_lesson

#: Seconds a command that only parses its arguments may take, on a loaded machine.
QUICK = 30

CASES = [(lesson.name, impl) for lesson in catalogue.LESSONS for impl in catalogue.IMPLS]
#: Lessons whose asyncio twin has a notebook mode that its Trio twin refuses.
NOTEBOOK_MODE = ("makerandom", "chained")
REFUSED = ("--global-rng is asyncio only: Trio wakes tasks in a random order, "
           "so it has no notebook mode")


def usage(lesson: str, impl: str) -> str:
    """The usage line that ``--help`` must print (whitespace normalised: argparse wraps it)."""
    module = catalogue.get(lesson).module_name(impl)
    rest = {
        "makerandom": "[--global-rng]" if impl == "asyncio" else "",
        "chained": "[--global-rng] [NAME ...]" if impl == "asyncio" else "[NAME ...]",
        "crawler": "[--urls-file F] [-o OUT] [--concurrency N] [--timeout S] [--max-bytes N] "
                   "[URL ...]",
        "server": "[--port N] [--idle-timeout S] [--max-line N] [--send-timeout S]",
    }.get(lesson, "")
    return f"usage: python -m {module} [-h] {rest}".strip()


def command(lesson: str, impl: str, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -W error -m <lesson's module> argv...`` in ``cwd`` (an empty folder), bounded."""
    module = catalogue.get(lesson).module_name(impl)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-W", "error", "-m", module, *argv], cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=QUICK)


@functools.cache
def lesson_lines(lesson: str, impl: str) -> frozenset[str]:
    """Every non-blank line the lesson prints when it runs (its virtual run), where it has one."""
    if catalogue.get(lesson).real_io:
        return frozenset()
    return frozenset(line for line in run_lesson(lesson, impl).text().splitlines() if line.strip())


def assert_nothing_ran(lesson: str, impl: str, result: subprocess.CompletedProcess[str],
                       cwd: Path) -> None:
    printed = set(result.stdout.splitlines()) | set(result.stderr.splitlines())
    assert not printed & lesson_lines(lesson, impl), "the lesson ran"
    assert "listening on" not in result.stdout + result.stderr  # the server did not start
    assert list(cwd.iterdir()) == []  # the crawler wrote no TSV


@pytest.mark.timeout(QUICK + 10)
@pytest.mark.parametrize(("lesson", "impl"), CASES)
def test_help_answers_without_running_the_lesson(lesson: str, impl: str, tmp_path: Path) -> None:
    result = command(lesson, impl, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    head, _, rest = result.stdout.partition("\n\n")
    assert " ".join(head.split()) == usage(lesson, impl)
    assert "-h, --help" in rest
    assert_nothing_ran(lesson, impl, result, tmp_path)
    text = " ".join(rest.split())
    if not catalogue.get(lesson).real_io:  # the lesson's title, as its docstring has it
        doc = catalogue.get(lesson).load(impl).__doc__
        assert doc is not None and text.startswith(doc.splitlines()[0] + " ")
    if lesson == "chained":  # the positional argument is explained, with its default
        assert "NAME one chain per name, all at once (default: cannon laser railgun)" in text
    if lesson in NOTEBOOK_MODE and impl == "asyncio":
        assert "--global-rng notebook mode: one RNG for every task, the notebook's own" in text


@pytest.mark.timeout(QUICK + 10)
@pytest.mark.parametrize(("lesson", "impl"), CASES)
def test_an_unknown_option_is_refused_with_exit_2(lesson: str, impl: str, tmp_path: Path) -> None:
    # After a chain name too: the option is not taken for a weapon's name.
    argv = ("laser", "--no-such-option") if lesson == "chained" else ("--no-such-option",)
    result = command(lesson, impl, *argv, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    module = catalogue.get(lesson).module_name(impl)
    assert result.stderr.splitlines()[-1] == (
        f"python -m {module}: error: unrecognized arguments: --no-such-option")
    assert result.stderr.startswith(f"usage: python -m {module} ")
    assert_nothing_ran(lesson, impl, result, tmp_path)


@pytest.mark.timeout(QUICK + 10)
@pytest.mark.parametrize("lesson", [lesson.name for lesson in catalogue.LESSONS])
def test_the_trio_twins_refuse_the_notebook_mode(lesson: str, tmp_path: Path) -> None:
    """``--global-rng`` in a Trio twin: exit 2, never ignored; where the asyncio twin has the
    mode, the error says why Trio has not (not a bare "unrecognized", which reads as a typo)."""
    result = command(lesson, "trio", "--global-rng", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    module = catalogue.get(lesson).module_name("trio")
    error = REFUSED if lesson in NOTEBOOK_MODE else "unrecognized arguments: --global-rng"
    assert result.stderr.splitlines()[-1] == f"python -m {module}: error: {error}"
    assert_nothing_ran(lesson, "trio", result, tmp_path)


@pytest.mark.timeout(QUICK + 10)
@pytest.mark.parametrize(("lesson", "argv", "error"), [
    ("crawler", ("ftp://example.org/",), "not an http(s) URL: 'ftp://example.org/'"),
    ("crawler", ("--urls-file", "no-such-file"), "no-such-file"),
    ("server", ("--port", "70000"), "--port must be between 0 and 65535"),
])
def test_the_real_io_lessons_arguments_reach_their_main(
    lesson: str, argv: tuple[str, ...], error: str, impl: str, tmp_path: Path,
) -> None:
    result = command(lesson, impl, *argv, cwd=tmp_path)
    assert result.returncode == 2
    module = catalogue.get(lesson).module_name(impl)
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"python -m {module}: error: ") and error in last
    assert_nothing_ran(lesson, impl, result, tmp_path)


# -- chained's names, run in this process on a virtual clock ----------------------------------

def run_as_main(module: str, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m module argv...``, here, with both frameworks' runs on a virtual clock."""
    real_trio_run = trio.run

    def virtual_asyncio_run(coro: Coroutine[Any, Any, Any]) -> Any:
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            return runner.run(coro)

    def virtual_trio_run(fn: Callable[..., Any], *args: Any) -> Any:
        return real_trio_run(fn, *args, clock=mock_clock())

    monkeypatch.setattr(asyncio, "run", virtual_asyncio_run)
    monkeypatch.setattr(trio, "run", virtual_trio_run)
    monkeypatch.setattr(sys, "argv", [module, *argv])
    monkeypatch.delitem(sys.modules, module, raising=False)  # run it as __main__, fresh
    runpy.run_module(module, run_name="__main__")


def owner(line: str, names: tuple[str, ...]) -> str | None:
    """The chain that printed ``line`` (None for the program's last line)."""
    for n in names:
        if line.startswith((f"loading {n}:", f"{n} loaded..", f"firing {n}:", f"{n} fired!",
                            f"--> Timing for {n}:")):
            return n
    return None


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("argv", "names", "notebook"), [
    ([], ("cannon", "laser", "railgun"), False),
    (["laser", "cannon"], ("laser", "cannon"), False),
    (["--", "-x"], ("-x",), False),  # a name that starts with '-' goes after --
    (["laser", "cannon", "--global-rng"], ("laser", "cannon"), True),
    (["--global-rng", "laser"], ("laser",), True),
], ids=str)
def test_chained_takes_its_chains_names_from_the_command_line(
    argv: list[str], names: tuple[str, ...], notebook: bool, impl: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    if notebook and impl == "trio":
        pytest.skip("the Trio twin has no notebook mode (refused above)")
    lesson = catalogue.get("chained")
    module = lesson.module_name(impl)
    shim = None
    if notebook:
        shim = ModuleType("shim")
        shim.demo = lesson.load(impl).demo_notebook  # type: ignore[attr-defined]
    want = run_lesson(lesson, impl, module=shim, params={"args": names}).text().splitlines()
    run_as_main(module, argv, monkeypatch)
    got = capsys.readouterr().out.splitlines()
    # Chains that wake at one instant may print in another order under Trio: compare the
    # lines as a multiset, each chain's own lines in order, and the program's last line.
    assert Counter(got) == Counter(want)
    for n in names:
        assert [line for line in got if owner(line, names) == n] == [
            line for line in want if owner(line, names) == n]
    assert got[-1] == want[-1] and got[-1].startswith("Program finished in ")
    assert {owner(line, names) for line in got} == {*names, None}
