"""The asyncio side on every CPython the README promises (3.11 and later), one session each.

    python3 tasks.py versions                 # sets up .venv, then runs every session below
    .venv/bin/nox -s versions-3.13            # one interpreter
    .venv/bin/nox -s versions -- -k queue     # pytest arguments after --

Each session makes its own virtualenv under .nox/, installs the project there with the extras
its tests need (`pip install -e ".[test,migration]"`, as `tasks.py` does for .venv), and runs
the claims, the divergence pairs, the FAQ and migration pairs and the lesson twins with that
interpreter: asyncio changes between minor versions (TaskGroup, eager tasks, Queue.shutdown,
Server.close_clients...), and each claim compares it with Trio on the same interpreter.

An interpreter that is not installed is skipped, never downloaded, and nox says so in one line:
"Session versions-3.14 skipped: Python interpreter 3.14 not found." That holds on CI too (nox
turns a missing interpreter into a failure whenever the CI variable is set). A pyenv install
counts as installed even when it is not the active version: pyenv's shims run only the active
versions, so the installed ones we need are added to PYENV_VERSION for this run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent

#: Every minor version from the README's "Python 3.11+" to 3.15, the newest on CPython's
#: release schedule (PEP 790, final October 2026). Only 3.11 to 3.13 have been run so far.
PYTHONS = ["3.11", "3.12", "3.13", "3.14", "3.15"]

#: What runs on each interpreter, as patterns under the root (each must match a file): the
#: claims, the divergence pairs (examples/divergence, cancellation, Ctrl-C), the FAQ and
#: migration pairs, the lesson twins (the server's hostile-client tests too), the learner's hints.
TESTS = [
    "tests/test_claims*.py",
    "tests/test_divergences.py",
    "tests/test_cancellation.py",
    "tests/test_sigint.py",
    "tests/test_faq.py",
    "tests/test_migration*.py",
    "tests/test_count.py",
    "tests/test_makerandom.py",
    "tests/test_chained.py",
    "tests/test_queue.py",
    "tests/test_generators.py",
    "tests/test_asyncgen.py",
    "tests/test_server*.py",
    "tests/test_crawler.py",
    "tests/test_hint_examples.py",
]
#: The extras those tests import from (pytest and its plugins; trio-asyncio and AnyIO).
EXTRAS = "test,migration"

nox.options.sessions = ["versions"]
# Skip an absent interpreter rather than fail, even where CI is set (nox's default there).
nox.options.error_on_missing_interpreters = False
# Reuse each .nox/ virtualenv: the install step below still brings it up to pyproject.toml.
nox.options.reuse_venv = "yes"


def test_files() -> list[str]:
    """The files TESTS names, in its order; a pattern that matches nothing is an error."""
    files: list[str] = []
    for pattern in TESTS:
        found = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob(pattern))
        if not found:
            raise FileNotFoundError(f"noxfile.py: no test file matches {pattern}")
        files += [f for f in found if f not in files]
    return files


def pyenv_versions(wanted: list[str], environ: Mapping[str, str]) -> str | None:
    """A PYENV_VERSION naming the active versions, then the newest installed patch release of
    each wanted minor version that none of them is; None without pyenv or nothing to add."""
    pyenv = shutil.which("pyenv", path=environ.get("PATH"))
    if environ.get("PYENV_ROOT"):
        root = Path(environ["PYENV_ROOT"])
    elif pyenv:
        root = Path(subprocess.run([pyenv, "root"], capture_output=True, text=True,
                                   check=False).stdout.strip())
    else:
        return None
    active = [v for v in environ.get("PYENV_VERSION", "").split(":") if v]
    if not active and pyenv:
        active = [v for v in subprocess.run([pyenv, "version-name"], capture_output=True,
                                            text=True, check=False).stdout.strip().split(":")
                  if v]
    installed = [p.name for p in (root / "versions").glob("*")
                 if re.fullmatch(r"\d+\.\d+\.\d+", p.name)]
    added = []
    for minor in wanted:
        patches = [v for v in installed if v.startswith(f"{minor}.")]
        if patches and not any(v.startswith(f"{minor}.") for v in active):
            added.append(max(patches, key=lambda v: tuple(map(int, v.split(".")))))
    return ":".join(active + added) if added else None


if exposed := pyenv_versions(PYTHONS, os.environ):
    os.environ["PYENV_VERSION"] = exposed
    print(f"noxfile.py: PYENV_VERSION={exposed} (pyenv's installed versions)", file=sys.stderr)


@nox.session(python=PYTHONS, download_python="never")
def versions(session: nox.Session) -> None:
    """The claims, divergence pairs and lesson twins on one interpreter."""
    session.install("--quiet", "-e", f".[{EXTRAS}]")
    session.run("python", "-m", "pytest", "-q", *test_files(), *session.posargs)
