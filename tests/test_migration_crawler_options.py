"""The AnyIO and trio-asyncio crawler examples refuse the options their twins refuse.

``float("nan") <= 0`` is False, so ``--timeout nan`` passed each example's check and every URL
then ran under a deadline of nan; the Trio twin's ``check_options`` asks ``not
timeout > 0`` and refuses it with status 2 (``tests/test_mutation_commands_crawl.py``).
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path
from types import ModuleType

import pytest

from tests.test_migration import AIO_WATCHER, load
from walkthrough.demosite import DemoSite

#: Before the fix, the bridge given ``--timeout nan`` against a closed local port never ended.
pytestmark = pytest.mark.timeout(60)


def _load(name: str) -> ModuleType:
    with warnings.catch_warnings():
        # trio-asyncio's import warns from 3.12 on, as tests/test_migration.py explains:
        # that one warning, there and only there
        if sys.version_info >= (3, 12):
            warnings.filterwarnings("ignore", AIO_WATCHER, DeprecationWarning)
        return load(name)


@pytest.mark.parametrize("example", ["crawler_anyio", "crawler_bridge"])
@pytest.mark.parametrize("args", [["--timeout", "nan"], ["--timeout", "0"],
                                  ["--timeout", "-1"], ["--concurrency", "0"],
                                  ["--max-bytes", "0"]])
def test_a_bad_option_is_refused_before_anything_is_written(
        example: str, args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.tsv"
    with pytest.raises(SystemExit) as caught:
        _load(example).main([*args, "-o", str(out), "http://127.0.0.1:9/"])
    assert caught.value.code == 2
    assert "--concurrency, --timeout and --max-bytes must be positive" in capsys.readouterr().err
    assert not out.exists()


#: Run in a child: the Ctrl-C is real (a SIGINT the process sends itself) and must not reach
#: pytest. ``summary()`` sends it, so it lands as the summary is written, after anyio.run.
_CTRL_C_IN_THE_SUMMARY = """\
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from tests.test_migration import load

example = load("crawler_anyio")


class Stats(example.neutral.Stats):
    def summary(self) -> str:
        os.kill(os.getpid(), signal.SIGINT)
        return super().summary()


example.neutral.Stats = Stats
status = example.crawl([{url!r}], Path({out!r}), backend={backend!r}, concurrency=2,
                       url_timeout=10.0, max_bytes=1_000_000)
print("status", status, signal.getsignal(signal.SIGINT) is signal.default_int_handler)
"""


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_ctrl_c_as_the_anyio_crawler_writes_its_summary_does_not_lose_it(
        backend: str, tmp_path: Path) -> None:
    """A Ctrl-C held down kept arriving after anyio.run had returned. Python's own handler was
    back by then, so one press raised KeyboardInterrupt inside the summary's ``print``: the
    run ended 130 with no ``interrupted: pages ...`` line (seen once in CI, under load, in
    ``test_ctrl_c_held_down_still_ends_the_anyio_crawler_with_130_on_either_backend``). The
    handler that only notes a press now stays until the summary is written, and goes after."""
    out = tmp_path / "out.tsv"
    out.write_text("source_url\tparsed_url\n", encoding="utf-8")
    with DemoSite() as site:
        script = _CTRL_C_IN_THE_SUMMARY.format(
            root=str(Path(__file__).resolve().parent.parent), url=site.page_urls()[0],
            out=str(out), backend=backend)
        result = subprocess.run([sys.executable, "-W", "error", "-c", script],
                                capture_output=True, text=True, timeout=50, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("\nstatus 0 True\n"), result.stdout
    assert result.stderr.startswith("pages 1, links "), result.stderr
