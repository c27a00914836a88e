"""Every verb works from a wheel, installed in a clean virtualenv, run from a folder of its own.

Issue 26, item 4. The checkout hides whatever reads a file through the repository's layout
(``port`` once read ``docs/concepts.md`` next to the package, and died when installed): here
the wheel is built from a copy of the project's files, installed into a fresh venv in a
temporary folder, and each verb runs as a user's ``walkthrough`` command would, in another
temporary folder.

The venv is clean of the project but not of its dependencies: downloading trio, aiohttp and
rich into every run would cost the suite more than all the rest of this file. A ``.pth`` line
puts the test venv's site-packages after the new venv's own. A directory named in a ``.pth``
is only appended to ``sys.path``; the ``.pth`` files inside it are not read, so the editable
install's line that points at the checkout never takes effect there: the repository is not
importable from the new venv, as it would not be on a user's machine.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: What the wheel is built from: copies, so that a build leaves no build/ or egg-info in the
#: checkout.
BUILD_FROM = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "docs/concepts.md",
              "notebooks/trio-exercises.ipynb", "notebooks/asyncio-exercises.ipynb",
              "walkthrough", "asyncio_ref", "trio_port"]

#: A user's own asyncio program, for ``port``.
APP = """\
import asyncio


async def main():
    await asyncio.sleep(1)


asyncio.run(main())
"""


@dataclass(frozen=True)
class Installed:
    """The venv the wheel went into, and where its packages landed."""

    venv: Path
    site: Path

    @property
    def walkthrough(self) -> Path:
        return self.venv / "bin" / "walkthrough"

    def env(self) -> dict[str, str]:
        """The user's shell with the venv activated; nothing points back at the checkout."""
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
        env.update(PATH=os.pathsep.join([str(self.venv / "bin"), env.get("PATH", "")]),
                   VIRTUAL_ENV=str(self.venv), COLUMNS="80", PAGER="cat",
                   PYTHONWARNINGS="error")
        return env


def _copy_sources(into: Path) -> None:
    for name in BUILD_FROM:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, into / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, into / name)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel once, and install it once into a new venv, for every test here."""
    base = tmp_path_factory.mktemp("wheel")
    _copy_sources(base / "source")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    built = subprocess.run([*pip, "wheel", "--no-deps", "-w", str(base / "dist"),
                            str(base / "source")], capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    (wheel,) = (base / "dist").glob("*.whl")

    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   capture_output=True, timeout=60)
    python = venv / "bin" / "python"
    site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, timeout=60).stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "dependencies.pth").write_text("".join(f"{p}\n" for p in sorted(ours)))
    done = subprocess.run([*pip, "--python", str(python), "install", "--no-deps", "--no-index",
                           str(wheel)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return Installed(venv=venv, site=site)


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working folder outside the repository, as a user's would be."""
    assert not tmp_path.is_relative_to(ROOT)
    return tmp_path


def walkthrough(installed: Installed, cwd: Path, *args: str,
                timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user types it, stdin closed."""
    return subprocess.run([str(installed.walkthrough), *args], capture_output=True, text=True,
                          cwd=cwd, env=installed.env(), stdin=subprocess.DEVNULL,
                          timeout=timeout)


@pytest.mark.timeout(240)
def test_the_packages_come_from_the_wheel_and_the_checkout_is_out_of_reach(
        installed: Installed, elsewhere: Path) -> None:
    probe = ("import sys, asyncio_ref, trio_port, walkthrough\n"
             "for m in (walkthrough, asyncio_ref, trio_port): print(m.__file__)\n"
             "print(repr(sys.path))\n")
    done = subprocess.run([str(installed.venv / "bin" / "python"), "-c", probe],
                          capture_output=True, text=True, cwd=elsewhere, env=installed.env(),
                          timeout=60)
    assert done.returncode == 0, done.stderr
    *files, path = done.stdout.splitlines()
    for file in files:
        assert Path(file).is_relative_to(installed.site), file
    assert str(ROOT) not in ast.literal_eval(path)
    # the concept map travels as the page itself, and the guide's folder does not
    assert (installed.site / "walkthrough" / "concepts.md").read_text(encoding="utf-8") == \
        (ROOT / "docs" / "concepts.md").read_text(encoding="utf-8")
    assert not (installed.site / "docs").exists()


@pytest.mark.timeout(240)
def test_list(installed: Installed, elsewhere: Path) -> None:
    done = walkthrough(installed, elsewhere, "list")
    assert done.returncode == 0, done.stderr
    for lesson in ("count", "queue", "crawler", "server"):
        assert lesson in done.stdout


@pytest.mark.timeout(240)
def test_run_virtual(installed: Installed, elsewhere: Path) -> None:
    done = walkthrough(installed, elsewhere, "run", "count", "--virtual")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Two Async" in done.stdout
    assert "verdict: equivalent" in done.stdout


@pytest.mark.timeout(240)
def test_tour(installed: Installed, elsewhere: Path) -> None:
    done = walkthrough(installed, elsewhere, "tour")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("equivalent") == 8  # the crawler and the server too (issue 25)
    assert "NOT" not in done.stdout


@pytest.mark.timeout(240)
def test_diff(installed: Installed, elsewhere: Path) -> None:
    done = walkthrough(installed, elsewhere, "diff", "count")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("--- asyncio_ref/count.py\n+++ trio_port/count.py\n")
    assert "+    await trio.sleep(1)" in done.stdout


@pytest.mark.timeout(240)
def test_timeline(installed: Installed, elsewhere: Path) -> None:
    done = walkthrough(installed, elsewhere, "timeline", "count", "--width", "80")
    assert done.returncode == 0, done.stderr
    assert "phase demo_sync: 3 s on the virtual clock" in done.stdout
    assert " trio · demo_async" in done.stdout


@pytest.mark.timeout(240)
def test_check_a_copied_skeleton_then_a_finished_port(installed: Installed,
                                                      elsewhere: Path) -> None:
    """The skeleton as copied (``cp exercises/trio/count.py``): status 1, "write it"; the
    same file with the bodies written (the installed Trio twin's): status 0."""
    shutil.copy(ROOT / "exercises" / "trio" / "count.py", elsewhere / "my_count.py")
    done = walkthrough(installed, elsewhere, "check", "count", "my_count.py")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "NOT equivalent: still the skeleton's 'raise NotImplementedError'" in done.stdout

    shutil.copy(installed.site / "trio_port" / "count.py", elsewhere / "my_count.py")
    done = walkthrough(installed, elsewhere, "check", "count", "my_count.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "equivalent: your port prints the same lines" in done.stdout


@pytest.mark.timeout(240)
def test_port(installed: Installed, elsewhere: Path) -> None:
    """Before the concept map travelled with the package, this died with "cannot read the
    concept map .../site-packages/docs/concepts.md"."""
    (elsewhere / "app.py").write_text(APP)
    done = walkthrough(installed, elsewhere, "port", "app.py")
    assert done.returncode == 1, done.stderr  # 1: something to port
    assert "app.py:8: asyncio.run -> trio.run(main)" in done.stdout
    assert "see docs/concepts.md#" in done.stdout


@pytest.mark.timeout(240)
@pytest.mark.parametrize("impl", ["trio", "asyncio"])
def test_notebook(installed: Installed, elsewhere: Path, impl: str) -> None:
    """Before the exercise notebooks travelled with the package, this said "no
    trio-exercises.ipynb here: ... this installation has none" (RV34)."""
    done = walkthrough(installed, elsewhere, "notebook", impl, "--dir", "nb")
    assert done.returncode == 0, done.stdout + done.stderr
    [copy] = (elsewhere / "nb").glob("*.ipynb")
    shipped = json.loads((ROOT / "notebooks" / f"{impl}-exercises.ipynb").read_text("utf-8"))
    cells = json.loads(copy.read_text("utf-8"))["cells"]
    # the learner's copy: a first cell of its own, then the repository's cells as they are
    assert cells[0]["source"].startswith("# Async IO walkthrough in ")
    assert cells[1:] == shipped["cells"][1:]


@pytest.mark.timeout(240)
def test_crawl_the_demo_site(installed: Installed, elsewhere: Path) -> None:
    done = walkthrough(installed, elsewhere, "crawl", "-o", "out.tsv")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "crawling the demo site at http://127.0.0.1:" in done.stderr
    rows = (elsewhere / "out.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "source_url\tparsed_url"
    assert len(rows) > 300


def test_the_readme_says_how_to_install_the_tools_alone() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`pipx install .`" in readme
    assert "`pip install .`" in readme
