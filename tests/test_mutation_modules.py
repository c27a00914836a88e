"""The mutation page covers every module that ships (issue 27, ``docs/mutation.md``).

``scripts/mutation.py`` knows each measured module and the tests that cover it (``MODULES``),
and the page's table gives each one's score. A module added later, with no entry and no row,
would make the page's "every shipped module" false without anyone noticing: these tests say
which module is missing. A module with no function has nothing for mutmut to mutate (it
mutates code inside functions only), so it needs no entry.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("walkthrough", "asyncio_ref", "trio_port")
PAGE = ROOT / "docs" / "mutation.md"


def _script() -> ModuleType:
    # Loaded by path: scripts/ is not a package. The module must be in sys.modules while it
    # runs, or its dataclasses cannot resolve their own module.
    path = ROOT / "scripts" / "mutation.py"
    spec = importlib.util.spec_from_file_location("_mutation_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


MODULES: dict[str, list[str]] = _script().MODULES


def _has_a_function(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) for node in ast.walk(tree))


def shipped() -> list[str]:
    """Every module of the three packages that holds a function, as a path from the root."""
    return sorted(
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if _has_a_function(path)
    )


def table_rows() -> set[str]:
    """The modules named in the first cell of the page's score table."""
    rows = set()
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        cells = line.split("|")
        if len(cells) > 2 and cells[1].strip().startswith("`"):
            rows.add(cells[1].strip().split("`")[1])
    return rows


def test_the_packages_hold_modules_with_functions() -> None:
    # Guards the two tests below from passing on an empty list.
    found = shipped()
    assert "walkthrough/cli.py" in found and "trio_port/crawler.py" in found
    assert "walkthrough/__init__.py" not in found


@pytest.mark.parametrize("module", shipped())
def test_every_shipped_module_has_its_tests_and_a_row(module: str) -> None:
    assert module in MODULES, f"{module} has no entry in scripts/mutation.py's MODULES"
    assert module in table_rows(), f"{module} has no row in docs/mutation.md's table"


def test_every_test_named_for_a_module_exists() -> None:
    missing = [
        f"{module}: {test}"
        for module, tests in MODULES.items()
        for test in tests
        if not test.startswith("--") and not (ROOT / test.split("::")[0]).is_file()
    ]
    assert not missing


def test_every_module_named_exists() -> None:
    assert [module for module in MODULES if not (ROOT / module).is_file()] == []
