"""The port run as a script and with its defaults: the slips mutmut planted in script.py.

``scripts/mutation.py walkthrough/learner/script.py`` (issue 27, ``docs/mutation.md``), with
tests/test_mutation_learner_child.py (which runs :mod:`walkthrough.learner.script` through the
check's child in this process). The tests here add, one per kind of slip:

* what a script hands to ``trio.run``, ``asyncio.run`` and ``asyncio.Runner`` reaches the run:
  its arguments, ``clock=``, ``instruments=``, ``debug=``, ``context=``; a run started inside
  another framework's run is the real one, passed through whole; the main task is named after
  the script's function (``functools.partial``'s: ``main``); the wrong call's own error names
  what it was given; what the script replaced is listed, and put back with ``sys.argv``;
* the file is read as UTF-8 whatever the locale; only ``__name__`` compared with
  ``"__main__"`` (either order) is the block;
* the references: a twin that does not end as required stops the check, said with its
  command line; a Trio port's
  ``--global-rng`` is compared with the Trio twin's refusal only; no references, no run;
* the command lines: chained's unknown option also after a chain's name; an asyncio port's
  notebook mode compared with asyncio_ref's, and skipped alone while unwritten; a Trio port
  that runs it told why in full;
* the default calls: chained's label with its arguments, how a call ended, what it raised;
* how a run that differs is told: lines of the lesson printed at once (no duration), at most
  three with ``...`` beyond; what it printed to stdout, the reference's last stderr line on a
  narrow terminal; what it raised, located, with the hint of the port's framework (the run
  without arguments, --help, a default call); a hang stopped at the longest run's deadline
  (queue: 590 s), a slow script let run to its reference's; a flood in two tasks at once (a
  group) is a flood, not "raised".
"""

from __future__ import annotations

import importlib.util
import sys
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trio

from tests import test_mutation_learner_child as child_tests
from tests.test_mutation_learner_child import ARGPARSE, MAIN, notes, twin, with_block
from walkthrough import catalogue
from walkthrough.learner import script
from walkthrough.learner.report import EQUIVALENT, NOT_EQUIVALENT, Report

Child = Callable[..., tuple[dict[str, Any], list[int], Path]]

#: ``child_main`` in this process, as in tests/test_mutation_learner_child.py (the fixture).
run_child = child_tests.run_child


@pytest.fixture
def run_block(tmp_path: Path) -> Iterator[Callable[[str], script.Run]]:
    """``source`` imported as a module, then its ``__main__`` block run as ``check`` does."""
    def run(source: str) -> script.Run:
        path = tmp_path / "m10i_block.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location("m10i_block", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return script.run_script(catalogue.get("count"), "trio", module, path, ())

    yield run
    sys.modules.pop("m10i_block", None)


PASSED = '''\
import asyncio
import contextvars
import functools

import trio
import trio.testing

WORD = contextvars.ContextVar("WORD", default="unset")
CLOCK = trio.testing.MockClock()


async def show(tag: str) -> None:
    loop = asyncio.get_running_loop()
    clock = "virtual" if type(loop).__name__ == "VirtualTimeLoop" else "real"
    print(tag, clock, loop.get_debug(), WORD.get())


async def named(tag: str) -> None:
    print(tag, trio.lowlevel.current_task().name)


class Seen(trio.abc.Instrument):
    def before_run(self) -> None:
        print("instrumented")


def given() -> contextvars.Context:
    context = contextvars.copy_context()
    context.run(WORD.set, "given")
    return context


async def asyncio_inside_trio() -> None:
    asyncio.run(show("nested asyncio.run"), debug=True)
    with asyncio.Runner(debug=True) as runner:
        runner.run(show("nested Runner"), context=given())


async def on_its_clock(tag: str) -> None:
    print(tag, trio.current_time(), trio.lowlevel.current_clock() is CLOCK)


async def trio_inside_asyncio() -> None:
    trio.run(on_its_clock, "nested trio.run", clock=CLOCK, instruments=[Seen()])


if __name__ == "__main__":
    asyncio.run(show("asyncio.run"), debug=True)
    with asyncio.Runner(debug=True) as runner:
        runner.run(show("Runner"), context=given())
    trio.run(named, "trio.run", instruments=[Seen()])
    trio.run(functools.partial(named, "partial"))
    trio.run(asyncio_inside_trio)
    asyncio.run(trio_inside_asyncio())
'''


def test_what_a_script_hands_to_the_frameworks_runs_reaches_them(
        run_block: Callable[[str], script.Run]) -> None:
    """The virtual runs keep the script's own options (debug, a context, instruments), and name
    Trio's main task after the script's function (a partial's: ``main``); a run inside another
    framework's run is not virtualised but passed through whole: asyncio's real loop, Trio with
    the script's arguments, its own clock and instruments."""
    run = run_block(PASSED)
    assert run.error is None and run.ended == "exit status 0"
    assert [e.text for e in run.trace.events] == [
        "asyncio.run virtual True unset",
        "Runner virtual True given",
        "instrumented",
        "trio.run walkthrough.learner.script.named",
        "partial walkthrough.learner.script.main",
        "nested asyncio.run real True unset",
        "nested Runner virtual True given",
        "instrumented",
        "nested trio.run 0.0 True"]


def test_what_a_script_replaced_is_said_and_put_back_with_its_command_line(
        run_block: Callable[[str], script.Run], monkeypatch: pytest.MonkeyPatch) -> None:
    """Each name the script replaced is listed; the frameworks' entry points and
    ``sys.argv`` (the script's own, its file's name first) are as they were after the run."""
    argv = ["the-test-process", "--its-own-option"]
    monkeypatch.setattr(sys, "argv", argv)  # whatever an earlier run left there
    real_run, real_sleep = trio.run, time.sleep
    run = run_block(
        "import sys, time, trio\n"
        "if __name__ == '__main__':\n"
        "    print(sys.argv[1:])\n"
        "    trio.run = print\n"
        "    time.sleep = print\n")
    assert [e.text for e in run.trace.events] == ["[]"]
    assert run.ended == "exit status 0 (and replaced trio.run, time.sleep)"
    assert (trio.run, time.sleep) == (real_run, real_sleep)
    assert sys.argv is argv



def test_the_file_is_read_as_utf_8_whatever_the_locale(
        run_block: Callable[[str], script.Run], run_child: Child, ascii_locale: None) -> None:
    """Python reads a module as UTF-8; the block is read the same way (to run it, and to find
    it), not in the locale's encoding (cp1252 on Windows, ASCII in the C locale), which would
    misread a line or fail."""
    run = run_block("if __name__ == '__main__':\n    print('Caf\u00e9 \u2615')\n")
    assert [e.text for e in run.trace.events] == ["Caf\u00e9 \u2615"]
    source = twin("count", "trio").replace(MAIN, MAIN + "  # caf\u00e9", 1)
    result, _, _ = run_child(source)
    assert result["status"] == EQUIVALENT, result["text"]


WRONG = '''\
import asyncio


async def demo_async() -> None:
    pass


if __name__ == "__main__":
    {call}
'''


@pytest.mark.parametrize("call", [
    "asyncio.run(demo_async)",
    "asyncio.Runner().run(demo_async)",
])
def test_the_wrong_calls_own_error_names_what_it_was_given(
        run_block: Callable[[str], script.Run], call: str) -> None:
    """Not the virtual run's wrapper: asyncio's own ValueError, about the function given."""
    run = run_block(WRONG.format(call=call))
    assert isinstance(run.error, ValueError)
    assert str(run.error).startswith("a coroutine was expected, got <function demo_async at ")


def test_a_reference_that_does_not_end_as_required_stops_the_check(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A twin that ends with another exit status (no error raised) for one command line is no
    reference: the check says which, with its whole command line, and stops, rather than
    compare a port with it."""
    import asyncio_ref.chained as reference

    real = reference.demo

    async def broken(*names: str, seed: int = 1672) -> list[tuple[int, int]]:
        if len(names) == 2:
            sys.exit(3)
        return await real(*names, seed=seed)

    monkeypatch.setattr(reference, "demo", broken)
    with pytest.raises(RuntimeError) as caught:
        script.references(catalogue.get("chained"), "trio")
    assert str(caught.value) == ("the reference chained.py laser cannon ended with exit "
                                 "status 3, not exit status 0: the checker cannot compare with "
                                 "it")


def test_only_name_compared_with_main_is_the_block() -> None:
    """Either order counts; a guard on the module's own name, or on another name equal to
    "__main__", is not a ``python -m`` block."""
    source = ('if __name__ == "m10i_port":\n    DEBUG = True\n'
              'if MODE == "__main__":\n    pass\n'
              'if "__main__" == __name__:\n    print("run")\n')
    assert [b.lineno for b in script.main_blocks(source)] == [5]


CHAINED_BY_HAND = MAIN + '''
    import sys
    names = sys.argv[1:]
    if names[:1] == ["--help"]:
        print("usage: chained [NAME ...]")
        sys.exit(0)
    if names[:1] and names[0].startswith("-"):  # only the first argument is looked at
        sys.exit("unknown option " + names[0])
    trio.run(demo, *(names or ["cannon", "laser", "railgun"]))
'''


def test_chaineds_unknown_option_after_a_name_is_tried_and_said(
        run_child: Child, tmp_path: Path) -> None:
    """A block that looks at the first argument only refuses ``--no-such-option`` but takes
    ``laser --no-such-option`` for two chains: the suite runs the second, so does the check."""
    source = with_block(twin("chained", "trio"), CHAINED_BY_HAND)
    result, _, _ = run_child(source, lesson="chained")
    assert result["status"] == NOT_EQUIVALENT
    got = notes(result["text"])
    head = next(x for x in got if x.startswith("NOT equivalent: run as a script"))
    assert head.startswith(f"NOT equivalent: run as a script, `python {tmp_path / 'my_port.py'} "
                           "laser --no-such-option` does not answer as the reference's `python "
                           "-m asyncio_ref.chained laser --no-such-option` does")
    assert "  it ended with exit status 0; the reference with exit status 2" in got


def test_a_wrong_default_of_chained_shows_the_call_with_its_arguments_and_how_it_ended(
        run_child: Child) -> None:
    source = twin("chained", "trio").replace("async def main(*args: str, seed: int = 1672)",
                                             "async def main(*args: str, seed: int = 1673)")
    result, _, _ = run_child(source, lesson="chained")
    got = notes(result["text"])
    head = next(x for x in got if x.startswith("NOT equivalent"))
    assert head.startswith("NOT equivalent: main('cannon', 'laser', 'railgun'), with its "
                           "default parameters")
    # The results differ too: what each call returned is said.
    assert got[-1].startswith("  it ended with [(")
    assert "; the reference with [(" in got[-1]


def test_a_trio_port_is_asked_for_the_notebook_mode_once_to_refuse_it(run_child: Child) -> None:
    """The Trio twin's refusal is the only --global-rng reference for a Trio port: the option
    is not also run as asyncio's notebook mode."""
    result, _, _ = run_child(twin("makerandom", "trio"), lesson="makerandom")
    said = next(x for x in result["text"].split("\n") if "as a script" in x)
    assert "command lines: (none), --help, --no-such-option, --global-rng)" in said


def test_a_default_call_that_raises_is_located_with_the_hint_of_the_ports_framework(
        run_child: Child, tmp_path: Path) -> None:
    """A default seed read from asyncio's loop in a Trio port: main() alone raises (each case
    passes its seed); what it raised, where, and the Trio-only hint."""
    source = twin("makerandom", "trio").replace(
        "import random\n", "import asyncio\nimport random\n", 1).replace(
        "async def main(seed: int = 444) -> list[int]:\n",
        "async def main(seed: int | None = None) -> list[int]:\n"
        "    if seed is None:\n"
        "        seed = int(asyncio.get_running_loop().time())\n")
    line = source.splitlines().index("        seed = int(asyncio.get_running_loop().time())") + 1
    result, _, _ = run_child(source, lesson="makerandom")
    got = notes(result["text"])
    head = next(x for x in got if x.startswith("NOT equivalent"))
    assert head.startswith("NOT equivalent: main(), with its default parameters")
    at = got.index("  your program raised:")
    assert got[at + 1:at + 4] == [
        "  RuntimeError: no running event loop",
        f"    at {tmp_path / 'my_port.py'}, line {line}, in main: seed = "
        "int(asyncio.get_running_loop().time())",
        "    hint: an asyncio call left in a Trio port (asyncio.sleep(n) with n > 0, "
        "create_task, wait_for, timeout, get_running_loop...): asyncio needs its own loop, and "
        "Trio's is not one"]


def test_an_asyncio_ports_notebook_mode_is_compared_with_asyncios(
        run_child: Child, tmp_path: Path) -> None:
    """A block that forgets --global-rng runs demo() for it: compared with (and said to be)
    asyncio_ref's notebook mode, not the Trio twin's refusal."""
    source = twin("makerandom", "asyncio").replace(
        "coro = demo_notebook() if args.global_rng else demo()", "coro = demo()")
    result, _, _ = run_child(source, lesson="makerandom", impl="asyncio")
    head = next(x for x in notes(result["text"]) if x.startswith("NOT equivalent"))
    assert head == (
        f"NOT equivalent: run as a script, `python {tmp_path / 'my_port.py'} --global-rng` does "
        "not do what the reference's `python -m asyncio_ref.makerandom --global-rng` does (its "
        "`if __name__ == '__main__':` block, on the virtual clock):")


def test_an_unwritten_notebook_mode_skips_only_its_own_command_line(run_child: Child) -> None:
    source = twin("makerandom", "asyncio")
    head = "async def demo_notebook(seed: int = 444) -> list[int]:\n"
    start = source.index(head)
    source = source[:start] + head + "    raise NotImplementedError\n" + source[
        source.index("\n\n\n", start):]
    result, _, _ = run_child(source, lesson="makerandom", impl="asyncio")
    said = next(x for x in result["text"].split("\n") if "as a script" in x)
    assert "command lines: (none), --help, --no-such-option)" in said


def test_without_references_nothing_is_run(tmp_path: Path) -> None:
    """``expected`` None (no reference runs): the port is not run as a script at all."""
    report = Report(catalogue.get("count"), tmp_path / "missing.py")
    script.check(report, types.ModuleType("m10i_nothing"), report.path, "trio", None)
    assert (report.notes, report.scripts, report.defaults) == ([], [], [])


def test_a_trio_port_that_runs_the_notebook_mode_is_told_why_in_full(
        run_child: Child, tmp_path: Path) -> None:
    source = twin("makerandom", "trio").replace("if args.global_rng:", "if False:")
    result, _, _ = run_child(source, lesson="makerandom")
    head = next(x for x in notes(result["text"]) if x.startswith("NOT equivalent"))
    assert head == (
        f"NOT equivalent: run as a script, `python {tmp_path / 'my_port.py'} --global-rng` does "
        "not refuse the notebook mode as the Trio twin's `python -m trio_port.makerandom "
        "--global-rng` does: Trio wakes tasks in a random order, so one shared RNG cannot give "
        "the notebook's numbers, and the shared tests require a Trio lesson to refuse "
        "--global-rng by name (exit status 2) without running the lesson (the skeleton's block "
        "does: copy it back):")


def help_printing(lines: int) -> str:
    """A block whose --help prints that many of the lesson's lines at once, then exits 0."""
    said = ["One Sync", "Two Sync", "One Async", "Two Async"][:lines]
    return MAIN + (
        "\n    import sys\n"
        "    if sys.argv[1:] == ['--help']:\n"
        f"        for _line in {said!r}:\n"
        "            print(_line)\n"
        "        sys.exit(0)\n" + ARGPARSE[1:] +
        "    demo_sync()\n"
        "    trio.run(demo_async)\n")


@pytest.mark.parametrize(("lines", "said"), [
    (3, "One Sync | Two Sync | One Async"),
    (4, "One Sync | Two Sync | One Async ..."),
])
def test_a_help_that_prints_lines_of_the_lesson_at_once_shows_three_and_no_duration(
        run_child: Child, lines: int, said: str) -> None:
    result, _, _ = run_child(with_block(twin("count", "trio"), help_printing(lines)))
    assert f"  it ran the lesson: it printed {said}" in notes(result["text"])


UNKNOWN_AT_LENGTH = MAIN + '''
    import argparse, sys
    if sys.argv[1:] == ["--no-such-option"]:
        for _line in ["usage: my_port.py", "", "options:", "  -h, --help"]:
            print(_line)
        sys.exit(2)
    argparse.ArgumentParser().parse_args()
    demo_sync()
    trio.run(demo_async)
'''


def test_an_unknown_option_answered_on_stdout_at_length_on_a_narrow_terminal(
        run_child: Child, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three lines of what it printed; of the reference's stderr, its last line (the error),
    however many lines argparse wrapped the usage into."""
    monkeypatch.setenv("COLUMNS", "30")
    result, _, _ = run_child(with_block(twin("count", "trio"), UNKNOWN_AT_LENGTH))
    got = notes(result["text"])
    assert got[-2:] == [
        "  it printed to stdout: usage: my_port.py |  | options:; the reference printed "
        "nothing there (its error went to stderr)",
        "  the reference printed nothing (on stderr: python -m asyncio_ref.count: error: "
        "unrecognized arguments: --no-such-option) and ended with exit status 2, running "
        "nothing of the lesson"]


ASYNCIO_LEFT = (
    "    async def _pause() -> None:\n"
    "        await asyncio.sleep(1)  # left from the asyncio twin\n")


@pytest.mark.parametrize("argv", [(), ("--help",)])
def test_what_a_run_raised_is_located_with_the_hint_of_the_ports_framework(
        run_child: Child, tmp_path: Path, argv: tuple[str, ...]) -> None:
    """An asyncio call left in a Trio port's block, in the run without arguments or in the
    --help one: what it raised, where, and the Trio-only hint."""
    source = with_block(twin("count", "trio"), MAIN + (
        "\n    import asyncio, sys\n" + ASYNCIO_LEFT +
        f"    if sys.argv[1:] == {list(argv)!r}:\n"
        "        trio.run(_pause)\n" + ARGPARSE[1:] +
        "    demo_sync()\n"
        "    trio.run(demo_async)\n"))
    line = source.splitlines().index("        await asyncio.sleep(1)  # left from the asyncio "
                                     "twin") + 1
    result, _, _ = run_child(source)
    got = notes(result["text"])
    if argv:  # a command-line run: how it ended is said (an error is no exit status)
        assert ("  it ended with raised RuntimeError: no running event loop; the reference "
                "with exit status 0") in got
    at = got.index("  your program raised:")
    assert got[at + 1:at + 4] == [
        "  RuntimeError: no running event loop",
        f"    at {tmp_path / 'my_port.py'}, line {line}, in _pause: await asyncio.sleep(1)  # "
        "left from the asyncio twin",
        "    hint: an asyncio call left in a Trio port (asyncio.sleep(n) with n > 0, "
        "create_task, wait_for, timeout, get_running_loop...): asyncio needs its own loop, and "
        "Trio's is not one"]


@pytest.mark.timeout(120)
def test_a_help_that_hangs_is_stopped_at_the_longest_deadline_and_said_so(
        run_child: Child) -> None:
    """The queue's script runs 59 virtual seconds: a --help run gets the deadline of the
    longest run of the lesson (ten times that), not the shortest one's."""
    source = with_block(twin("queue", "trio"), MAIN + (
        "\n    import sys\n"
        "    if sys.argv[1:] == ['--help']:\n"
        "        trio.run(trio.sleep_forever)\n" + ARGPARSE[1:] +
        "    trio.run(demo)\n"))
    result, _, _ = run_child(source, lesson="queue")
    assert notes(result["text"])[-1] == (
        "  it was still running after 590 virtual seconds and was stopped there (a deadlock? "
        "a task never ended?)")


@pytest.mark.timeout(120)
def test_a_help_that_runs_the_lesson_for_long_is_let_run_to_the_longest_deadline(
        run_child: Child) -> None:
    """A --help run that runs the queue's demo twice (118 s) is not stopped at 60 s: it gets
    the longest run's deadline (590 s), and is said to have run the lesson for its whole time."""
    source = with_block(twin("queue", "trio"), MAIN + (
        "\n    import sys\n"
        "    async def _twice() -> None:\n"
        "        await demo()\n"
        "        await demo()\n"
        "    if sys.argv[1:] == ['--help']:\n"
        "        trio.run(_twice)\n"
        "        sys.exit(0)\n" + ARGPARSE[1:] +
        "    trio.run(demo)\n"))
    result, _, _ = run_child(source, lesson="queue")
    got = notes(result["text"])
    ran = next(x for x in got if x.startswith("  it ran the lesson: "))
    assert ran.endswith(" ..., over 118.00 virtual seconds"), ran
    assert not any("still running" in x for x in got)


@pytest.mark.timeout(120)
def test_a_script_run_gets_the_deadline_of_its_references_run(run_child: Child) -> None:
    """A queue script that runs the 59 s demo twice in one trio.run is let run (ten times the
    reference's 59 s), and differs by its extra lines, not by a stop at 60 s."""
    source = with_block(twin("queue", "trio"), MAIN + ARGPARSE + (
        "    async def _twice() -> None:\n"
        "        await demo()\n"
        "        await demo()\n"
        "    trio.run(_twice)\n"))
    result, _, _ = run_child(source, lesson="queue")
    got = notes(result["text"])
    assert "  first divergence at t=60.00s: a line came that was not expected here" in got
    assert not any("still running" in x for x in got)


def test_two_tasks_that_flood_at_once_are_a_flood_not_an_error(run_child: Child) -> None:
    """Each task that prints after the flood raises too: a group of two, found in the error
    (the outcome names only the group)."""
    source = with_block(twin("count", "trio"), MAIN + ARGPARSE + (
        "    async def _again() -> None:\n"
        "        while True:\n"
        "            print('again')\n"
        "    async def _both() -> None:\n"
        "        async with trio.open_nursery() as nursery:\n"
        "            nursery.start_soon(_again)\n"
        "            nursery.start_soon(_again)\n"
        "    trio.run(_both)\n"))
    result, _, _ = run_child(source)
    got = notes(result["text"])
    assert got[-1] == ("  your program printed more than 20000 lines and was stopped (the "
                       "reference prints 14 lines)")
    assert not any(x.startswith("  your program raised") for x in got)
