"""Shared test configuration.

Suites: ``pytest -m trio_suite`` runs the Trio half, ``pytest -m asyncio_suite`` the asyncio
half, plain ``pytest`` everything. A test parametrised with ``impl`` belongs to that impl's
suite; a pytest-trio test (``@pytest.mark.trio``) to the Trio suite; a test that compares both
versions, or tests the neutral harness, to both.

No test sleeps on the real clock: lessons run on the virtual clocks of ``walkthrough.clocks``
and ``trio.testing.MockClock``; only the crawler's tests do real (local, fast) I/O.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import trio.testing
from hypothesis import HealthCheck, settings

from walkthrough.clocks import mock_clock

# Every lesson runs on a virtual clock, so an example's wall time says nothing about the
# lesson, only about how busy the machine is: no per-example deadline, no "too slow" verdict.
settings.register_profile(
    "walkthrough", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("walkthrough")

SUITES = ("trio_suite", "asyncio_suite")
ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(s) for s in SUITES):
            continue
        callspec = getattr(item, "callspec", None)
        impl = callspec.params.get("impl") if callspec is not None else None
        if impl in ("trio", "asyncio"):
            item.add_marker(f"{impl}_suite")
        elif item.get_closest_marker("trio"):
            item.add_marker("trio_suite")
        else:
            for s in SUITES:
                item.add_marker(s)


def load_file(path: Path, name: str) -> ModuleType:
    """Import the file at ``path`` as module ``name``: scripts and examples are no package.

    The module is registered in ``sys.modules`` first, as a normal import would, so that
    dataclasses and pickling inside it can find it.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def load_broken(name: str) -> ModuleType:
    """Import ``tests/broken/<name>.py``: a known-broken port the shared suite must catch."""
    return load_file(BROKEN / f"{name}.py", f"broken_{name}")


def load_script(name: str) -> ModuleType:
    """Import ``scripts/<name>.py``."""
    return load_file(ROOT / "scripts" / f"{name}.py", f"script_{name}")


@pytest.fixture
def autojump_clock() -> trio.testing.MockClock:
    """pytest-trio's ``autojump_clock``, started at a random reading as every virtual clock here
    is (``walkthrough.clocks.start_offset``): a test must measure from its own start."""
    return mock_clock()


@pytest.fixture(params=["asyncio", "trio"])
def impl(request: pytest.FixtureRequest) -> str:
    return str(request.param)
