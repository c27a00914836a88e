"""A learner's own files do not break the project (issue 25, item 10).

The README has the learner copy a skeleton to ``my_<lesson>.py`` at the root, and
``walkthrough notebook`` writes a working copy under ``my_notebooks/``. An unfinished port has
unused imports and untyped stubs: ``tasks.py test`` (``ruff check .``, ``mypy``) must not fail
on it, and git must not list it as untracked. Each check runs the project's own configuration
(pyproject.toml, .gitignore) on a temporary folder, with a control file that is not the
learner's and must still be reported, so the test fails if the tools simply see nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
#: A file both linters reject: an unused import (ruff F401) and a wrong type (mypy).
BROKEN = "import os\n\n\ndef f() -> int:\n    return 'not an int'\n"
LEARNER = ("my_x.py", "my_trio_makerandom.py", "my_notebooks/cell.py")
CONTROL = "learner_x.py"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with the project's pyproject.toml, the learner's broken files and a control."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for name in (*LEARNER, CONTROL):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(BROKEN, encoding="utf-8")
    return tmp_path


def _run(cwd: Path, *argv: str) -> str:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120)
    return done.stdout + done.stderr


@pytest.mark.timeout(120)
def test_ruff_skips_the_learners_files(project: Path) -> None:
    out = _run(project, str(BIN / "ruff"), "check", "--no-cache", "--output-format", "concise", ".")
    assert f"{CONTROL}:1:8: F401" in out, out  # the control: ruff does read this folder
    for name in LEARNER:
        assert name not in out, out


@pytest.mark.timeout(120)
def test_mypy_skips_the_learners_files(project: Path) -> None:
    # `mypy .`, not the bare `mypy` of tasks.py, which checks only the listed packages: the
    # exclude must hold even when a learner (or an editor) asks mypy for the whole folder.
    out = _run(project, str(BIN / "mypy"), "--no-incremental", "--cache-dir", "/dev/null", ".")
    assert f"{CONTROL}:5: error: Incompatible return value type" in out, out
    for name in LEARNER:
        assert name not in out, out


@pytest.mark.parametrize("name", [*LEARNER, "my_notebooks/trio-exercises.ipynb"])
def test_git_ignores_the_learners_files(name: str) -> None:
    done = subprocess.run(["git", "check-ignore", "--no-index", "-q", name], cwd=ROOT,
                          timeout=30)
    assert done.returncode == 0, f"git would list {name} as untracked"


@pytest.mark.parametrize("name", [CONTROL, "tests/my_helper.py", "exercises/trio/count.py"])
def test_git_still_sees_the_projects_files(name: str) -> None:
    """Only the root's my_*.py: a tracked folder's file of that name is the project's."""
    done = subprocess.run(["git", "check-ignore", "--no-index", "-q", name], cwd=ROOT,
                          timeout=30)
    assert done.returncode == 1, f"git would ignore {name}"


@pytest.mark.timeout(120)
def test_the_projects_own_lint_passes_notebooks_included() -> None:
    """``tasks.py test`` starts with ``ruff check .``, which reads the generated notebooks too.
    The exercises notebooks' lesson cells start with ``%%check``, and ruff skips a cell that
    starts with a cell magic, so the run cells after it use names ruff never saw defined
    (F821): pyproject.toml allows exactly that for those notebooks. Run here, so a plain
    ``pytest`` sees a lint failure that only ``tasks.py`` would otherwise show."""
    done = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "--output-format",
                           "concise", "."], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
