"""What a process of ours imports at start-up: each ``walkthrough check`` child and each
``walkthrough run --virtual`` starts an interpreter, so an import they do not need is paid
once per case (``walkthrough._trio_testing`` says why pytest was one)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
import {module}
print("pytest" in sys.modules, "trio.testing" in sys.modules)
import pytest
from trio.testing import MockClock, RaisesGroup
clock = MockClock(autojump_threshold=0)
print(pytest.__name__, type(clock).__name__, RaisesGroup.__name__)
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize("module", ["walkthrough.learner.child", "walkthrough.clocks",
                                    "walkthrough.runner"])
def test_a_child_gets_trio_testing_without_importing_pytest(module: str) -> None:
    """The check's child and the virtual clock import trio.testing but not pytest (0.1 s of
    CPU each time); and pytest, imported later in the same process, still works."""
    out = subprocess.run([sys.executable, "-c", PROBE.format(module=module)],
                         capture_output=True, text=True, check=True, timeout=50).stdout
    assert out.splitlines() == ["False True", "pytest MockClock RaisesGroup"]
