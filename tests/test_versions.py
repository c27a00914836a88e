"""noxfile.py: the asyncio claims, divergence pairs and lesson twins on every CPython from 3.11.

The sessions themselves take minutes per interpreter (`python3 tasks.py versions`); these tests
check what they would run, and that an absent interpreter is skipped, CI or not.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT, load_file


@pytest.fixture(scope="module")
def noxfile() -> Iterator[ModuleType]:
    """noxfile.py, imported once (nox registers its sessions then); importing it may set
    PYENV_VERSION, which is put back after."""
    saved = os.environ.get("PYENV_VERSION")
    try:
        yield load_file(ROOT / "noxfile.py", "noxfile_under_test")
    finally:
        if saved is None:
            os.environ.pop("PYENV_VERSION", None)
        else:
            os.environ["PYENV_VERSION"] = saved


def test_every_minor_version_the_project_promises_has_a_session(noxfile: ModuleType) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11"
    assert noxfile.PYTHONS[:3] == ["3.11", "3.12", "3.13"]
    minors = [int(v.split(".")[1]) for v in noxfile.PYTHONS]
    assert minors == list(range(11, 11 + len(minors)))  # none left out on the way


def test_the_sessions_run_the_claims_the_divergence_pairs_and_the_lesson_twins(
    noxfile: ModuleType,
) -> None:
    files = noxfile.test_files()
    claims = sorted(f"tests/{p.name}" for p in (ROOT / "tests").glob("test_claims*.py"))
    assert "tests/test_claims.py" in claims
    assert files[:len(claims)] == claims
    lessons = {f"tests/test_{m.stem}.py" for m in (ROOT / "asyncio_ref").glob("*.py")
               if (ROOT / "tests" / f"test_{m.stem}.py").is_file()}
    assert lessons <= set(files), lessons - set(files)
    for name in ("divergences", "cancellation", "faq", "migration", "migration_apis"):
        assert f"tests/test_{name}.py" in files
    assert len(set(files)) == len(files)
    assert all((ROOT / f).is_file() for f in files)


def test_each_session_installs_the_extras_its_tests_need(noxfile: ModuleType) -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["optional-dependencies"]
    assert set(noxfile.EXTRAS.split(",")) == {"test", "migration"}  # pytest, trio-asyncio, anyio
    assert set(noxfile.EXTRAS.split(",")) <= set(extras)
    assert any(req.startswith("nox") for req in extras["versions"])


def test_pyenv_versions_adds_the_newest_installed_patch_of_each_missing_minor(
    noxfile: ModuleType, tmp_path: Path,
) -> None:
    for v in ("3.10.13", "3.11.7", "3.12.1", "3.12.10", "3.13.0", "3.13.0t", "pypy3.10-7.3.17"):
        (tmp_path / "versions" / v / "bin").mkdir(parents=True)
    env = {"PYENV_ROOT": str(tmp_path), "PYENV_VERSION": "3.11.7", "PATH": ""}
    assert noxfile.pyenv_versions(["3.11", "3.12", "3.13", "3.14"], env) == "3.11.7:3.12.10:3.13.0"
    env["PYENV_VERSION"] = "3.11.7:3.12.1:3.13.0"
    assert noxfile.pyenv_versions(["3.11", "3.12", "3.13"], env) is None  # all active already
    assert noxfile.pyenv_versions(["3.11"], {"PATH": ""}) is None  # no pyenv at all


def test_the_readme_and_tasks_py_name_the_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 tasks.py versions" in readme
    tasks = load_file(ROOT / "tasks.py", "tasks_under_test")
    assert "versions" in tasks.VERBS
    assert "versions" in tasks.EXTRAS.split(",")  # .venv gets nox


@pytest.mark.timeout(120)
def test_an_absent_interpreter_is_skipped_even_on_ci(tmp_path: Path) -> None:
    """Nox fails a session whose interpreter is missing whenever CI is set; noxfile.py says
    skip. Forcing an interpreter that does not exist shows the line and the exit status."""
    nox = Path(sys.executable).with_name("nox")
    proc = subprocess.run(
        [str(nox), "--force-python", "3.99", "--envdir", str(tmp_path / "nox")],
        cwd=ROOT, env={**os.environ, "CI": "true"}, capture_output=True, text=True, timeout=100)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"Session versions-3\.99 skipped: Python interpreter 3\.99 not found",
                     proc.stderr), proc.stderr
    assert "Creating virtual environment" not in proc.stderr
