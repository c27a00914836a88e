"""The AnyIO and trio-asyncio crawler examples refuse the options their twins refuse.

``float("nan") <= 0`` is False, so ``--timeout nan`` passed each example's check and every URL
then ran under a deadline of nan; the Trio twin's ``check_options`` asks ``not
timeout > 0`` and refuses it with status 2 (``tests/test_mutation_commands_crawl.py``).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from types import ModuleType

import pytest

from tests.test_migration import AIO_WATCHER, load

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
