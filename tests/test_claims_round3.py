"""Claims this session's third reading changed the conditions of (SR14, SR15), as tests.

Each test names the page and the sentence it shows, and varies what the correction said the
claim depends on: Python's warning filters, how a MockClock moves, where ruff looks.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

ABANDONED = """
import asyncio, sys, trio

async def gen(sleep):
    try:
        yield 1
        yield 2
    finally:
        await sleep(0)

async def main(sleep):
    async for _ in gen(sleep):
        break
    await sleep(0.1)

if sys.argv[1] == "trio":
    trio.run(main, trio.sleep)
else:
    asyncio.run(main(asyncio.sleep))
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("impl", "flags", "warned"), [
    ("trio", [], False), ("trio", ["-W", "default"], True), ("trio", ["-X", "dev"], True),
    ("asyncio", ["-W", "default"], False),
])
def test_an_abandoned_async_generator_warns_under_trio_only_where_warnings_show(
        impl: str, flags: list[str], warned: bool) -> None:
    """lessons/asyncgen.md, "Closing matters" (RV69, SR14): Trio warns ``ResourceWarning:
    Async generator ... was garbage collected`` for a generator left after a ``break``, but
    Python's default filters hide a ResourceWarning: a plain run shows none, ``-W default``
    or ``-X dev`` shows it; asyncio warns nothing."""
    done = subprocess.run([sys.executable, *flags, "-c", ABANDONED, impl],
                          capture_output=True, text=True, timeout=50)
    assert done.returncode == 0, done.stderr
    assert ("ResourceWarning" in done.stderr
            and "was garbage collected" in done.stderr) is warned, done.stderr


MOCK_CLOCK = """
import sys, time
import anyio, trio.testing

clock = trio.testing.MockClock(**({"autojump_threshold": 0} if sys.argv[1] == "autojump 0"
                                  else {}))

async def main():
    start = anyio.current_time()
    async with anyio.create_task_group() as group:
        async def move():
            await anyio.sleep(0)
            if sys.argv[1] == "jump":
                clock.jump(3600)
            elif sys.argv[1] == "rate":
                clock.rate = 3600
            elif sys.argv[1] == "autojump set later":
                clock.autojump_threshold = 0
        group.start_soon(move)
        await anyio.sleep(3600)
        print("woke at", round(anyio.current_time() - start), flush=True)

anyio.run(main, backend="trio", backend_options={"clock": clock})
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("how", "woke"), [
    ("autojump 0", True), ("jump", True), ("rate", True), ("autojump set later", True),
    ("plain", False),
])
def test_anyio_on_trio_takes_a_mock_clock_that_moves_only_as_told(how: str, woke: bool) -> None:
    """migration/anyio.md (RV70, SR15): ``backend_options={"clock": MockClock(...)}`` reaches
    Trio: an hour's ``anyio.sleep`` ends at once with ``autojump_threshold=0``, or when a task
    calls ``clock.jump`` or sets the clock's ``rate`` or ``autojump_threshold``; a plain
    ``MockClock()`` stands still (its rate is 0 and it never jumps by itself), and the sleep
    waits: here it is still waiting after 3 s of real time."""
    try:
        done = subprocess.run([sys.executable, "-W", "error", "-c", MOCK_CLOCK, how],
                              capture_output=True, text=True, timeout=3 if not woke else 50)
    except subprocess.TimeoutExpired:
        assert not woke
        return
    assert woke and done.stdout.split()[:2] == ["woke", "at"], done.stderr
    assert int(done.stdout.split()[2]) >= 3600


def test_async251_looks_only_inside_async_def(tmp_path: Path) -> None:
    """migration/debugging.md (RV70, SR15): the twins turn off no ASYNC rule, since ASYNC251
    flags ``time.sleep`` only directly in an ``async def``, not in a plain ``def`` such as the
    count lesson's ``count_sync``; the twins pass ruff's ASYNC rules with no configuration."""
    probe = tmp_path / "probe.py"
    probe.write_text(textwrap.dedent("""\
        import time


        def plain():
            time.sleep(1)


        async def blocks():
            time.sleep(1)
    """), encoding="utf-8")
    ruff = Path(sys.executable).with_name("ruff")

    def codes(*paths: Path) -> list[str]:
        done = subprocess.run([str(ruff), "check", "--isolated", "--select", "ASYNC",
                               "--output-format", "concise", *map(str, paths)],
                              capture_output=True, text=True, timeout=60, cwd=ROOT)
        return [line.split(": ")[1].split()[0] for line in done.stdout.splitlines()
                if ": ASYNC" in line]

    assert codes(probe) == ["ASYNC251"]  # the async def's only
    assert codes(ROOT / "asyncio_ref", ROOT / "trio_port") == []
