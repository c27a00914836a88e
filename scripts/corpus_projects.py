"""Record each port-corpus package's top-level import names, as its sdist has them.

Usage::

    python scripts/corpus_projects.py download DIR [--pip PYTHON] [--only NAME ...]
                                                            # fetch the missing sdists into DIR
    python scripts/corpus_projects.py write --archives DIR --unpacked DIR
                                                            # write tests/port_corpus/projects.toml

The corpus keeps each file alone (``tests/port_corpus/README.md``), so the measurement cannot
see the tree a user's run of ``walkthrough port`` sees around a package's tests: the project
file above them and the packages beside it (:mod:`walkthrough.port.project`). This script reads
each corpus package's sdist and records what the tool would find there: the project's top-level
packages and modules (:func:`walkthrough.port.project.top_level`, the very function a run on
disk calls, over the sdist's project files, its ``__init__.py`` files and its top-level
modules, taken out of the archive into a scratch folder). ``tests/test_port_corpus.py`` hands
the list to the tool with each file.

Only the working and held-out parts are read (``working/``, ``holdout/``): the part that is
being labelled (``incoming/``) is no one's to read while it is.

``download`` runs ``pip download --no-deps --no-binary :all: NAME==VERSION`` for each package
whose sdist is not in DIR yet, with ``--ignore-requires-python`` (a package may ask for a newer
Python than the one running pip: its files are read, never run) and ``--no-build-isolation``
(pip prepares an sdist's metadata before it keeps the file; in an isolated environment that
builds every build backend from source, minutes each: run the script with a Python that has the
usual backends, hatchling, poetry-core, flit-core, pdm-backend, setuptools-scm, or name one
with ``--pip``). Some sdists
cannot be prepared at all (a ``setup.py`` that reads a ``requirements.txt`` it does not ship, a
backend such as maturin): for those, the file is fetched from the index's simple page for the
package (PEP 691), as pip itself reads it. A package with no sdist of that version on the
index (only wheels, or none) gets an empty list, with a comment that says so.

``write`` looks for each sdist as an archive (``name-version.tar.gz``, ``.zip``, ...) in the
``--archives`` folders (those ``download`` fills: it lists them), or as a folder it was unpacked
in, ``DIR/<package>/<name-version>/`` under an ``--unpacked`` folder (as the eleventh part's
readers kept theirs: only each package's own folder is looked at, the folder is never listed,
since it may hold other packages than the corpus's). The sdist's project folder is its top
folder. A corpus file under a project file nearer than that one (a monorepo's
``packages/a/pyproject.toml`` in the sdist) is printed, since the tool on disk would take that
project's packages for it; the table records the top folder's.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from walkthrough.port import project  # noqa: E402

CORPUS = ROOT / "tests" / "port_corpus"
PARTS = ("working", "holdout")
OUT = CORPUS / "projects.toml"
#: Packages whose files are no sdist's (the CPython docs' examples).
NOT_SDISTS = {"CPython docs": "the CPython documentation's examples, from no sdist"}
ARCHIVES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip", ".tar")


def normal(name: str) -> str:
    """A distribution's name as the index compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def packages() -> dict[str, tuple[str, list[str]]]:
    """Each corpus package's name → (its version, the paths of its corpus files)."""
    found: dict[str, tuple[str, list[str]]] = {}
    for part in PARTS:
        for key in sorted((CORPUS / part).glob("*.py.txt.toml")):
            data = tomllib.loads(key.read_text(encoding="utf-8"))
            name, _, version = str(data["package"]).rpartition(" ")
            found.setdefault(name, (version, []))[1].append(str(data.get("path", "")))
    return found


def archive_in(folder: Path, name: str, version: str) -> Path | None:
    """The sdist archive of ``name`` ``version`` in ``folder``, by its file name."""
    if not folder.is_dir():
        return None
    for path in folder.iterdir():
        for suffix in ARCHIVES:
            if path.name.endswith(suffix):
                stem = path.name[: -len(suffix)]
                base, _, got = stem.rpartition("-")
                if normal(base) == normal(name) and got == version:
                    return path
    return None


def unpacked_in(folder: Path, name: str, version: str) -> Path | None:
    """The folder ``DIR/<package>/<name-version>/`` the sdist was unpacked in (the package's
    folder named as the key spells it, or as the index compares names)."""
    for spelling in dict.fromkeys((name, normal(name))):
        holder = folder / spelling
        if holder.is_dir():
            for path in holder.iterdir():
                if path.is_dir() and path.name.rpartition("-")[2] == version:
                    return path
    return None


def _members(path: Path) -> list[str]:
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            return archive.namelist()
    with tarfile.open(path) as archive:
        return [member.name for member in archive.getmembers() if member.isfile()]


def _wanted(relative: PurePosixPath, sources: tuple[str, ...] = ("src",)) -> bool:
    """The members :func:`project.top_level` looks at: the project files, and what sits in
    the top folder or in a source folder (a module, or a folder's ``__init__.py``)."""
    parts = relative.parts
    if relative.name in project.PROJECT_FILES:
        return True
    inner = parts
    for source in sources:
        depth = len(PurePosixPath(source).parts)
        if parts[:depth] == PurePosixPath(source).parts:
            inner = parts[depth:]
    return (len(inner) == 1 and relative.suffix == ".py") \
        or (len(inner) == 2 and inner[1] == "__init__.py")


def _extract(path: Path, top: str, members: list[PurePosixPath], scratch: Path) -> None:
    """Take ``members`` (relative to the sdist's ``top`` folder) out of the archive."""
    names = [f"{top}/{each}" for each in members]
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            for name in names:
                archive.extract(name, scratch)
    else:
        with tarfile.open(path) as archive:
            for name in names:
                archive.extract(name, scratch, filter="data")


def unpack_tops(path: Path, scratch: Path) -> tuple[Path, list[str]]:
    """The members :func:`_wanted` of an sdist archive, taken out under ``scratch``; its top
    folder, and every project file's folder inside it (relative)."""
    names = _members(path)
    tops = {PurePosixPath(name).parts[0] for name in names if PurePosixPath(name).parts}
    if len(tops) != 1:
        raise ValueError(f"{path.name}: not one top folder ({len(tops)})")
    top = tops.pop()
    inside = [PurePosixPath(*PurePosixPath(name).parts[1:]) for name in names
              if len(PurePosixPath(name).parts) > 1]
    _extract(path, top, [each for each in inside if _wanted(each)], scratch)
    # the project file may name another folder for its packages (python/, lib/): its own
    # members, once the project file is out to say so
    sources = tuple(str(folder.relative_to(scratch / top))
                    for folder in project.source_folders(scratch / top)[1:])
    _extract(path, top, [each for each in inside if _wanted(each, sources)], scratch)
    for each in inside:  # the source folders' folders, with an __init__.py or not
        for source in sources:
            depth = len(PurePosixPath(source).parts)
            if each.parts[:depth] == PurePosixPath(source).parts and len(each.parts) > depth + 1:
                (scratch / top / source / each.parts[depth]).mkdir(parents=True, exist_ok=True)
    wanted = [f"{top}/{each}" for each in inside if each.name in project.PROJECT_FILES]
    nested = sorted({str(PurePosixPath(*PurePosixPath(name).parts[1:-1])) for name in wanted
                     if PurePosixPath(name).name in project.PROJECT_FILES
                     and len(PurePosixPath(name).parts) > 2})
    return scratch / top, nested


def nested_of(root: Path) -> list[str]:
    """Every folder below an unpacked sdist's top that holds a project file (relative)."""
    return sorted({str(path.parent.relative_to(root)) for name in project.PROJECT_FILES
                   for path in root.rglob(name) if path.parent != root})


def tops_of(name: str, version: str, archives: list[Path], unpacked_dirs: list[Path]
            ) -> tuple[list[str], list[str], str]:
    """A package's top-level names, the nested project folders of its sdist, and where they
    came from (or why there is none)."""
    for folder in archives:
        found = archive_in(folder, name, version)
        if found is not None:
            with tempfile.TemporaryDirectory() as scratch:
                root, nested = unpack_tops(found, Path(scratch))
                project.forget()
                return sorted(project.top_level(root)), nested, found.name
    for folder in unpacked_dirs:
        unpacked = unpacked_in(folder, name, version)
        if unpacked is not None:
            project.forget()
            return sorted(project.top_level(unpacked)), nested_of(unpacked), unpacked.name
    return [], [], "no sdist"


def write(archives: list[Path], unpacked: list[Path]) -> int:
    lines = [
        "# Each corpus package's top-level import names, as its sdist has them (the folders",
        "# with an __init__.py in its top folder or in src/, and its top-level modules): what",
        "# `walkthrough port` finds around a package's tests on disk",
        "# (walkthrough/port/project.py).",
        "# Made by scripts/corpus_projects.py from the sdists; do not edit by hand. An empty",
        "# list: no sdist could be had (the comment says why), or its tree shows no package",
        "# where the tool looks (a lib/ or python/ layout, a namespace package at the top).",
        "",
    ]
    missing = 0
    for name, (version, paths) in sorted(packages().items(), key=lambda kv: kv[0].lower()):
        if name in NOT_SDISTS:
            lines.append(f"{json.dumps(name)} = []  # {NOT_SDISTS[name]}")
            continue
        tops, nested, source = tops_of(name, version, archives, unpacked)
        if source == "no sdist":
            missing += 1
            lines.append(f"{json.dumps(name)} = []  # no sdist of {version} could be had")
            print(f"{name} {version}: no sdist", file=sys.stderr)
            continue
        lines.append(f"{json.dumps(name)} = {json.dumps(tops)}")
        for path in paths:
            near = [folder for folder in nested if path.startswith(folder + "/")]
            if near:
                print(f"{name}: {path} is under the nested project {max(near, key=len)}/",
                      file=sys.stderr)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(packages())} packages, {missing} without an sdist",
          file=sys.stderr)
    return 0


def _from_index(name: str, version: str, folder: Path) -> bool:
    """Fetch the sdist file from the index's simple page (PEP 691 JSON), as pip reads it."""
    request = urllib.request.Request(
        f"https://pypi.org/simple/{normal(name)}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        page = json.load(response)
    for file in page.get("files", []):
        filename = str(file["filename"])
        for suffix in ARCHIVES:
            if filename.endswith(suffix):
                base, _, got = filename[: -len(suffix)].rpartition("-")
                if normal(base) == normal(name) and got == version:
                    with urllib.request.urlopen(file["url"], timeout=120) as response:
                        (folder / filename).write_bytes(response.read())
                    return True
    return False


def download(folder: Path, python: str, only: list[str] | None = None) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (version, _) in sorted(packages().items()):
        if name in NOT_SDISTS or archive_in(folder, name, version) is not None \
                or (only and name not in only):
            continue
        run = subprocess.run(
            [python, "-m", "pip", "download", "-q", "--no-deps", "--no-binary",
             ":all:", "--no-build-isolation", "--ignore-requires-python", "-d", str(folder),
             f"{name}=={version}"],
            capture_output=True, text=True, check=False)
        if run.returncode == 0:
            continue
        # pip could not prepare the sdist's metadata (or found none): take the file as it is
        if not _from_index(name, version, folder):
            print(f"{name} {version}: no sdist on the index", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("download", help="fetch the missing sdists into DIR")
    fetch.add_argument("dir", type=Path)
    fetch.add_argument("--pip", default=sys.executable,
                       help="the Python whose pip downloads (one with the build backends)")
    fetch.add_argument("--only", nargs="+", help="only these packages")
    table = sub.add_parser("write", help="write tests/port_corpus/projects.toml")
    table.add_argument("--archives", type=Path, nargs="*", default=[],
                       help="folders of sdist archives (listed)")
    table.add_argument("--unpacked", type=Path, nargs="*", default=[],
                       help="folders of unpacked sdists, one folder per package (never listed)")
    args = parser.parse_args(argv)
    if args.command == "download":
        return download(args.dir, args.pip, args.only)
    return write(args.archives, args.unpacked)


if __name__ == "__main__":
    raise SystemExit(main())
