"""Slips that the shared tests catch must fail ``walkthrough check`` too (issue 25, item 8).

The suite runs each lesson as ``python -m`` (tests/test_scripts.py), calls its entry points
with their defaults (``..._default_to_the_notebooks_seed``), and drives asyncgen's
``mygen_ahead`` with consumers of other paces (tests/test_asyncgen.py). A port that slips in
one of those places passed every case of the check and was called "equivalent". Each slip
here is written from our own twins (so the only difference is the slip) and checked through
the real command, in its child process; each test failed before the check ran the module's
``__main__`` block, its defaults and the asyncgen variants (walkthrough/learner/script.py,
walkthrough/learner/phases.py ``TRIO_VARIANTS``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import load_broken
from tests.test_check import run_check
from walkthrough import catalogue
from walkthrough.learner.guard import run_port
from walkthrough.learner.phases import _extra, phases_of

ROOT = Path(__file__).resolve().parent.parent
VIRTUAL = [lesson for lesson in catalogue.available() if not lesson.real_io]
MAIN = 'if __name__ == "__main__":'


def twin(lesson: str, impl: str = "trio") -> str:
    return (ROOT / catalogue.PACKAGES[impl] / f"{lesson}.py").read_text(encoding="utf-8")


def with_block(source: str, block: str) -> str:
    """``source`` with its ``__main__`` block replaced by ``block`` (none if empty)."""
    assert source.count(MAIN) == 1
    return source[:source.index(MAIN)] + block


def port(tmp_path: Path, text: str, name: str = "my_port.py") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the finished twins still pass: the new runs raise no false alarm ------------------------


@pytest.mark.timeout(120)
@pytest.mark.parametrize("impl", catalogue.IMPLS)
@pytest.mark.parametrize("lesson", VIRTUAL, ids=lambda lesson: lesson.name)
def test_the_finished_twins_are_still_equivalent(lesson: catalogue.Lesson, impl: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = ROOT / catalogue.PACKAGES[impl] / f"{lesson.name}.py"
    status, out = run_check(capsys, lesson.name, path, "--impl", impl)
    assert status == 0, out
    assert "NOT" not in out


# -- a broken __main__ block ------------------------------------------------------------------

#: (lesson, impl, the block that replaces the twin's, what the report must say)
BROKEN_BLOCKS = {
    "trio.run(demo())": (
        "asyncgen", "trio", f"{MAIN}\n    trio.run(demo())\n",
        "TypeError: Trio was expecting an async function, but instead it got a coroutine"),
    "runs the wrong function": (
        "asyncgen", "trio", f"{MAIN}\n    trio.run(main)\n",
        "expected:  | g = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] | f = [1, 2, 16, 32, 256, 512]"),
    "runs nothing": (
        "count", "trio", f"{MAIN}\n    demo_sync()\n",
        "first divergence at t=3.00s: a line is missing here"),
    "parses but never runs": (
        "makerandom", "trio", f"{MAIN}\n    import sys\n    args = sys.argv[1:]\n",
        "printed nothing at all"),
    "asyncio.run(demo)": (
        "asyncgen", "asyncio", f"{MAIN}\n    asyncio.run(demo)\n",
        "ValueError: a coroutine was expected"),
    "exits with status 3": (
        "generators", "trio", f"{MAIN}\n    import sys\n    demo()\n    sys.exit(3)\n",
        "it ended with exit status 3; the reference with exit status 0"),
    "requires an argument": (
        "asyncgen", "trio",
        f"{MAIN}\n    import argparse\n    parser = argparse.ArgumentParser()\n"
        '    parser.add_argument("up_to", type=int)\n'
        "    trio.run(demo, parser.parse_args().up_to)\n",
        "it ended with exit status 2; the reference with exit status 0\n  it wrote to stderr: "
        "usage: "),
    # The module's own interface (tests/test_lesson_cli.py): NOT equivalent, as the suite
    # requires it of every lesson (see walkthrough/learner/script.py, check).
    "ignores --help": (
        "makerandom", "trio", f"{MAIN}\n    trio.run(demo)\n",
        "my_port.py --help` does not answer as the reference's `python -m "
        "asyncio_ref.makerandom --help` does"),
    "takes --help for a chain's name": (
        "chained", "trio", f"{MAIN}\n    import sys\n"
        '    trio.run(demo, *(sys.argv[1:] or ["cannon", "laser", "railgun"]))\n',
        "  it ran the lesson: it printed loading --help: (will take "),
    "accepts an unknown option": (
        "asyncgen", "trio",
        f"{MAIN}\n    import argparse\n    argparse.ArgumentParser().parse_known_args()\n"
        "    trio.run(demo)\n",
        "my_port.py --no-such-option` does not answer as the reference's `python -m "
        "asyncio_ref.asyncgen --no-such-option` does: the shared tests require every lesson "
        "module to answer --help (exit status 0) and to refuse an unknown option (exit status "
        "2) without running the lesson"),
    "ignores its command line": (
        "chained", "trio", f'{MAIN}\n    trio.run(demo, "cannon", "laser", "railgun")\n',
        "my_port.py laser cannon` does not do what the reference's `python -m "
        "asyncio_ref.chained laser cannon` does"),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("slip", list(BROKEN_BLOCKS))
def test_a_broken_main_block_is_not_equivalent(slip: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    lesson, impl, block, said = BROKEN_BLOCKS[slip]
    path = port(tmp_path, with_block(twin(lesson, impl), block))
    status, out = run_check(capsys, lesson, path, "--impl", impl)
    assert status == 1, out
    n = len(catalogue.get(lesson).all_cases())
    assert out.count(": equivalent") == n, out  # every case passes: only the script tells
    assert "NOT equivalent: run as a script, `python " in out, out
    assert said in out, out


#: A block's own command line, argparse's way: --help answers, anything else exits 2.
PARSE = "    import argparse\n    argparse.ArgumentParser().parse_args()\n"
#: Blocks that do what the twins' do, written otherwise: (lesson, impl, block).
OTHER_WAYS = {
    "sys.argv, not argparse": (
        "chained", "trio", f"{MAIN}\n    import sys\n    names = sys.argv[1:]\n"
        '    if names[:1] in (["-h"], ["--help"]):\n'
        '        print("usage: my_port.py [NAME ...]")\n        sys.exit(0)\n'
        '    if [n for n in names if n.startswith("-")]:\n'
        '        print("my_port.py: unknown option", file=sys.stderr)\n        sys.exit(2)\n'
        '    trio.run(demo, *(names or ["cannon", "laser", "railgun"]))\n'),
    "from trio import run": ("makerandom", "trio", f"{MAIN}\n{PARSE}    from trio import run\n"
                                                   "    run(demo)\n"),
    # 59 s of the queue's sleeps: virtual too, not the wall clock (the check's limit is 10 s).
    "asyncio.Runner": ("queue", "asyncio", f"{MAIN}\n{PARSE}"
                                           "    with asyncio.Runner() as runner:\n"
                                           "        runner.run(demo())\n"),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("way", list(OTHER_WAYS))
def test_a_block_written_another_way_is_still_equivalent(
        way: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The block is compared by what it does, not by its text."""
    lesson, impl, block = OTHER_WAYS[way]
    status, out = run_check(capsys, lesson, port(tmp_path, with_block(twin(lesson, impl), block)),
                            "--impl", impl)
    assert status == 0, out


@pytest.mark.timeout(120)
def test_a_file_without_a_main_block_says_so(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """NOT equivalent: every skeleton has the block, and the suite runs python -m."""
    path = port(tmp_path, with_block(twin("queue"), ""))
    status, out = run_check(capsys, "queue", path)
    assert status == 1, out
    assert ("NOT equivalent: no `if __name__ == '__main__':` block: python your_file.py "
            "would do nothing") in out


# -- a typo in the defaults of the script, or of an entry point --------------------------------


@pytest.mark.timeout(120)
def test_a_typo_in_the_scripts_default_names_is_not_equivalent(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    block = (f"{MAIN}\n    import sys\n"
             '    trio.run(demo, *(sys.argv[1:] or ["canon", "laser", "railgun"]))\n')
    status, out = run_check(capsys, "chained", port(tmp_path, with_block(twin("chained"), block)))
    assert status == 1, out
    assert "NOT equivalent: run as a script, `python " in out
    assert "expected: loading cannon: (will take 1 seconds)" in out
    assert "got:      loading canon: (will take 1 seconds)" in out


#: (lesson, impl, the definition in the twin, the slipped one, the call named in the report)
DEFAULTS = {
    "makerandom main seed": ("makerandom", "trio", "async def main(seed: int = 444)",
                             "async def main(seed: int = 445)", "main()"),
    "chained demo seed": ("chained", "asyncio", "async def demo(*args: str, seed: int = 1672)",
                          "async def demo(*args: str, seed: int = 1762)",
                          "demo('cannon', 'laser', 'railgun')"),
    "queue main sizes": ("queue", "trio",
                         "async def main(nprod: int = 5, ncon: int = 2, seed: int = 444)",
                         "async def main(nprod: int = 5, ncon: int = 3, seed: int = 444)",
                         "main()"),
    "notebook mode seed": ("makerandom", "asyncio", "async def demo_notebook(seed: int = 444)",
                           "async def demo_notebook(seed: int = 44)", "demo_notebook()"),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("slip", list(DEFAULTS))
def test_a_wrong_default_parameter_is_not_equivalent(slip: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    lesson, impl, right, wrong, call = DEFAULTS[slip]
    source = twin(lesson, impl)
    assert source.count(right) == 1
    status, out = run_check(capsys, lesson, port(tmp_path, source.replace(right, wrong)),
                            "--impl", impl)
    assert status == 1, out
    assert out.count(": equivalent") == len(catalogue.get(lesson).all_cases()), out
    assert f"NOT equivalent: {call}, with its default parameters" in out, out


# -- asyncgen's read-ahead generator against the suite's consumers ----------------------------


@pytest.mark.timeout(120)
def test_a_buffer_of_one_is_not_equivalent(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run_check(capsys, "asyncgen", ROOT / "tests" / "broken"
                            / "asyncgen_ahead_buffer_one.py")
    assert status == 1, out
    assert re.search(r"first divergence in phase 'mygen_ahead[^']*' at t=0\.40s", out), out


SLOW = "mygen_ahead, consumer at 0.3 s a value"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("up_to", [3, 10, 16])
def test_the_suites_slow_consumer_is_a_phase_of_the_check(up_to: int) -> None:
    """tests/test_asyncgen.py's ``ahead_with_a_slow_consumer`` (0.3 s a value) is a phase of
    every Trio check of asyncgen, and on its own it tells the buffer of one from the twin."""
    lesson = catalogue.get("asyncgen")
    slip = load_broken("asyncgen_ahead_buffer_one")
    assert SLOW in [label for label, _ in phases_of(lesson, slip, "trio")]
    assert SLOW not in [label for label, _ in phases_of(lesson, slip, "asyncio")]
    want = run_port(lesson, "trio", [(SLOW, _extra(lesson.load("trio"), SLOW))],
                    {"up_to": up_to})
    got = run_port(lesson, "trio", [(SLOW, _extra(slip, SLOW))], {"up_to": up_to})
    assert want.outcomes[SLOW] == got.outcomes[SLOW]  # the same values at the same instants ...
    verdict = lesson.compare(want, got)
    assert not verdict.equivalent  # ... but a separator printed 0.1 s early
    assert verdict.divergence is not None and verdict.divergence.time == pytest.approx(0.4)


# -- the consumer that leaves after three values ----------------------------------------------

AS_SAFE_CHANNEL = '''@trio.as_safe_channel
async def mygen_ahead(sep: str, up_to: int = 10) -> AsyncGenerator[int, None]:'''
#: mygen_ahead written the older way, an async context manager around a nursery that yields
#: the receiving channel; as written here, the producer is not cancelled when the consumer
#: leaves (the realistic slip), so it prints a separator after the consumer left.
AS_CONTEXT_MANAGER = '''@contextlib.asynccontextmanager
async def mygen_ahead(sep: str, up_to: int = 10) -> AsyncIterator[trio.MemoryReceiveChannel[int]]:
    print()
    send, receive = trio.open_memory_channel[int](0)
    async with trio.open_nursery() as nursery, receive:
        nursery.start_soon(produce, sep, up_to, send)
        yield receive'''
LEAVES = "mygen_ahead, consumer leaves after 3 values"


def context_manager_port(body: str) -> str:
    """trio_port/asyncgen.py with ``mygen_ahead`` replaced by ``body`` (see AS_CONTEXT_MANAGER)."""
    source = twin("asyncgen")
    start, end = source.index(AS_SAFE_CHANNEL), source.index("\n\n\nasync def main_ahead")
    assert source.count(AS_SAFE_CHANNEL) == 1 and start < end
    source = source[:start] + body + source[end:]
    old_imports = "import sys\n", "from collections.abc import AsyncGenerator\n"
    assert all(source.count(old) == 1 for old in old_imports)
    return (source.replace("import sys\n", "import contextlib\nimport sys\n")
            .replace("from collections.abc import AsyncGenerator\n",
                     "from collections.abc import AsyncGenerator, AsyncIterator\n"))


#: slip -> (mygen_ahead's body, what the report says besides the divergence). The suite's
#: test_mygen_ahead_stops_its_task_when_the_consumer_leaves fails for both.
LEAVING_SLIPS = {
    # The consumer's exit closes the receiving end: the producer wakes 0.2 s later, prints
    # its separator and fails on its next send.
    "producer not cancelled": (
        AS_CONTEXT_MANAGER,
        "hint: a send on a channel whose receiving end is closed: the consumer left"),
    # Nor is the receiving end closed: the producer waits for a receiver forever.
    "producer not cancelled, channel left open": (
        AS_CONTEXT_MANAGER.replace("as nursery, receive:", "as nursery:"),
        f"still running after 60 virtual seconds in phase '{LEAVES}'"),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("slip", list(LEAVING_SLIPS))
def test_a_producer_that_outlives_its_consumer_is_not_equivalent(
        slip: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Only the consumer that leaves after three values sees it: every other phase consumes
    mygen_ahead to its end, where the producer has ended anyway. The phase is Trio only, and
    the report says so (issue 25, item 8 polish: phases.trio_labels, not TRIO_EXTRAS)."""
    body, said = LEAVING_SLIPS[slip]
    status, out = run_check(capsys, "asyncgen", port(tmp_path, context_manager_port(body)))
    assert status == 1, out
    assert (f"first divergence in phase '{LEAVES}' at t=0.60s: a line came that was not "
            "expected here") in out, out
    assert f"  ({LEAVES} is Trio only: the reference is trio_port/asyncgen.py)" in out, out
    assert said in out, out


@pytest.mark.timeout(120)
def test_a_context_manager_that_cancels_its_producer_is_equivalent(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The slip is the missing cancel, not the older pattern: with it, the same verdict as
    the twin's @trio.as_safe_channel."""
    fixed = AS_CONTEXT_MANAGER.replace(
        "        yield receive",
        "        try:\n            yield receive\n        finally:\n"
        "            nursery.cancel_scope.cancel()")
    status, out = run_check(capsys, "asyncgen", port(tmp_path, context_manager_port(fixed)))
    assert status == 0, out


@pytest.mark.timeout(120)
def test_trio_run_of_a_coroutine_gets_a_hint_that_names_trio_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The script run reaches Trio's "expecting an async function" from ``trio.run(demo())``,
    not only from a nursery: the hint names both."""
    lesson, impl, block, _ = BROKEN_BLOCKS["trio.run(demo())"]
    status, out = run_check(capsys, lesson, port(tmp_path, with_block(twin(lesson, impl), block)))
    assert status == 1, out
    assert ("hint: trio.run(f(x)) or nursery.start_soon(f(x)) calls f too early: pass the "
            "function and its arguments, trio.run(f, x) / start_soon(f, x)") in out, out


@pytest.mark.timeout(120)
def test_a_run_at_the_top_level_instead_of_a_block_is_said_as_such(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that calls ``demo()`` at its top level does run as a script, so "would do
    nothing" would be false: the report names the call, which any import runs too."""
    source = with_block(twin("generators"), "demo()\n")
    path = port(tmp_path, source)
    status, out = run_check(capsys, "generators", path)
    assert status == 1, out
    line = source.count("\n")
    assert (f"NOT equivalent: no `if __name__ == '__main__':` block: your top-level call "
            f"(line {line}) runs on import too") in out
    assert "would do nothing" not in out


@pytest.mark.timeout(120)
def test_a_script_block_that_floods_is_said_in_its_own_measure(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The script run is guarded as the cases are: a block that prints one huge line is
    stopped and said to have printed a line of so many characters, not "more than 20000
    lines", which it never printed."""
    block = 'if __name__ == "__main__":\n    print("x" * 40_000_000)\n'
    status, out = run_check(capsys, "generators", port(tmp_path, with_block(twin("generators"),
                                                                          block)))
    assert status == 1, out
    assert "your program printed a line of 40,000,00" in out, out
    assert "20000 lines" not in out


@pytest.mark.timeout(180)
def test_a_trio_port_that_takes_the_notebook_mode_silently_is_not_equivalent(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The Trio twins refuse --global-rng by name (tests/test_lesson_cli.py); a Trio port
    whose block accepts it and runs the lesson with other numbers is told so. The finished
    twin, which refuses it, stays equivalent (test_the_finished_twins_stay_equivalent)."""
    block = ('if __name__ == "__main__":\n'
             "    import argparse\n\n"
             "    parser = argparse.ArgumentParser()\n"
             '    parser.add_argument("--global-rng", action="store_true")\n'
             "    parser.parse_args()\n"
             "    trio.run(demo)\n")
    status, out = run_check(capsys, "makerandom",
                            port(tmp_path, with_block(twin("makerandom"), block)))
    assert status == 1, out
    assert "--global-rng` does not refuse the notebook mode as the Trio twin's " in out, out
    assert "python -m trio_port.makerandom --global-rng" in out
    assert "it ran the lesson" in out
