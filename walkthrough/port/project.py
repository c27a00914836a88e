"""The project a file belongs to: its own packages, for the files that are not inside one.

A module inside a package knows its package from its path (:func:`.names.path_packages`: the
folders above it that hold an ``__init__.py``). A package's tests do not: ``tests/test_client.py``
of ``aiofoo`` sits beside the package, not in it, and ``import aiofoo`` there read as a use of
an asyncio-only library, flagged on every line that touches it. But porting a package ports its
tests with it, and their imports and calls of the package stay, as its modules' do (the
corpus's rule, ``tests/port_corpus/README.md``: "A package's own tests import it as its own
modules do; its examples are users of it").

So, for a file on disk, this module finds the project around it (:func:`project_of`): the
nearest folder at or above the file's folder with a ``pyproject.toml``, ``setup.py`` or
``setup.cfg``, and that project's top-level import names (:func:`top_level`): the folders
holding an ``__init__.py`` in the project folder or in its ``src/``, and the modules beside the
project file (``x.py``, but not ``setup.py``, ``conftest.py``, ``noxfile.py`` and their like,
which are its build's and its tests' machinery) or in ``src/`` (where a folder without an
``__init__.py`` is a namespace package: ``src/`` holds only what the project installs). Then
:func:`own_in` says which of them are the file's own, by its path from the project folder
(:func:`role`):

* a **test module** (under ``tests/`` or ``test/``, ``test_*.py``, ``*_test.py``,
  ``conftest.py``, a test script under ``scripts/``): all of them. It tests the project;
* a file **inside one of the packages** (``aiofoo/examples/x.py`` with no ``__init__.py`` in
  ``examples/``): that package, as its other modules have it, and the project's other
  packages too (the sdist installs them together: ``daf_gui/connector.py`` imports its
  sibling ``daf`` as its own), unless the package is a demo or the project's dev tools
  (``demo/``, ``devtools/``: a user's programs, as an example is);
* an **example** (``examples/``, ``example/``, ``demo/``, ``samples/``, ``docs/``) or any other
  program (a script at the top of the checkout, ``benchmarks/``): none. It is a user's
  program, and a user's port keeps every line that uses the library.

The choices, and why:

* **The nearest project file wins.** In a monorepo folder (``packages/a/pyproject.toml``,
  ``packages/b/pyproject.toml`` under a root ``pyproject.toml``), a test in ``packages/a/tests/``
  is ``a``'s: its own packages are ``a``'s, and an import of ``b`` is a use of ``b`` as a user
  makes it (``b`` is ported on its own). A test at the root is the root project's, whose
  packages are often none (a workspace's root lists no package of its own): such a test's
  imports of ``a`` stay flagged, which errs on the side of saying too much.
* **The search stops at the top of a checkout** (a folder holding ``.git``) and at the file
  system's root: a stray ``setup.py`` in a home folder does not make every script under it a
  test of one project.
* **A project whose name shadows a library is its own.** redis's own test suite imports
  ``redis.asyncio`` as its modules do, and porting redis ports those tests with it, so nothing
  of ``redis`` is flagged there; a user's program beside it (``examples/``) keeps every row.
  ``asyncio`` itself is never a project's own package (a vendored copy of it is still asyncio).
* **Folders named like tests or examples are not packages** (:data:`NOT_PACKAGES`),
  even with an ``__init__.py``: ``tests/__init__.py`` makes ``tests`` no library of anyone's.
* **The tree, and the project file's one setting for where the packages are.** Besides the
  project folder and ``src/``, a folder the project file names for its packages is looked in
  (maturin's ``python-source``, setuptools' ``package-dir`` and ``packages.find.where``, and
  a ``setup.py``'s literal ``package_dir={"": "lib"}``: :func:`source_folders`); no other
  build setting is read (a package listed by name under
  another folder, a namespace package at the top with no ``__init__.py``), and what is missed
  errs the safe way: the tests' imports of it stay flagged.
* **Cheap.** Both answers are kept (:func:`project_of` per folder, :func:`top_level` per
  project folder), so walking a directory of 2,000 files lists its project's tree once. The
  tree is taken not to change during one run of the tool: the command clears the cache when it
  starts (:func:`forget`), as must a long-lived caller that changes a tree between two scans.

A path that is not on disk (standard input, a name given with it) has no project: its own
packages come from its imports and its folders' names, as before. A caller that knows the
project without a tree (the corpus's files, each kept alone, with the sdist's list recorded
beside them) passes its top-level names to the scan instead, with the path taken from the
project's folder (:func:`own_in`).

Example::

    >>> sorted(own_in("tests/test_client.py", ["aiofoo", "aiofoo_cli"]))
    ['aiofoo', 'aiofoo_cli']
    >>> sorted(own_in("examples/client.py", ["aiofoo"]))
    []
    >>> sorted(own_in("src/aiofoo/demo/run.py", ["aiofoo"]))
    ['aiofoo']
"""

from __future__ import annotations

import ast
import configparser
import functools
import os
import tomllib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

#: The files that make a folder a project's (PEP 517/518's and setuptools').
PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
#: Modules beside the project file that are its build's, its tests' or its tasks' machinery,
#: not modules the project installs.
NOT_MODULES = frozenset({
    "setup", "conftest", "noxfile", "toxfile", "fabfile", "tasks", "dodo", "pavement",
    "versioneer", "hatch_build", "build", "manage", "runtests", "run_tests",
})
#: Folders that hold a project's modules without being a package one imports by that name
#: (also what :func:`.names.path_packages` skips in a path that is not on disk).
NOT_PACKAGES = frozenset({"src", "lib", "examples", "example", "tests", "test", "docs", "doc",
                          "scripts", "tools", "bin", "."})
#: Folders whose files are a user's programs: the project's examples and its docs' programs.
EXAMPLE_FOLDERS = frozenset({"examples", "example", "demo", "demos", "samples", "sample", "docs",
                             "doc"})
#: Folders whose files are the project's tests.
TEST_FOLDERS = frozenset({"tests", "test"})

#: Packages a sdist ships for its own development, not for its users' imports
#: (python-kasa's ``devtools/``, a ``benchmarks/`` package): their programs use the library as a
#: user's do, so they do not take the project's other packages as their own.
DEV_PACKAGES = frozenset({"devtools", "dev", "benchmarks", "benchmark", "bench"})

#: What :func:`role` says of a file.
TEST, EXAMPLE, OTHER = "test", "example", "other"


def role(relative: str) -> str:
    """What a file is to its project, by its path from the project's folder (``/`` or ``\\``).

    The outermost folder that says decides: ``tests/examples/x.py`` is a test (a test's
    fixture), ``examples/tests/x.py`` an example (an example's own check is a user's too).
    Then the file's name: ``test_*.py``, ``*_test.py``, ``conftest.py``, and under
    ``scripts/`` a script named for testing (``scripts/run_tests.py``).
    """
    parts = PurePosixPath(relative.replace("\\", "/")).parts
    folders, name = [part.lower() for part in parts[:-1]], parts[-1] if parts else ""
    for folder in folders:
        if folder in TEST_FOLDERS:
            return TEST
        if folder in EXAMPLE_FOLDERS:
            return EXAMPLE
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return TEST
    if folders[:1] == ["scripts"] and "test" in name.lower():
        return TEST
    return OTHER


def own_in(relative: str, packages: Iterable[str]) -> set[str]:
    """The file's own packages among its project's top-level ``packages``, by its path from
    the project's folder: all of them for a test module, the one it is inside of for a
    file inside one (``src/`` ahead of it is skipped), none for an example or other program.
    """
    tops = set(packages) - {"asyncio"}
    parts = PurePosixPath(relative.replace("\\", "/")).parts
    if parts[:1] == ("src",):
        parts = parts[1:]
    own = set(tops) if role(relative) == TEST else set()
    if parts:
        first = parts[0].removesuffix(".py") if len(parts) == 1 else parts[0]
        if first in tops:
            own.add(first)
            if len(parts) > 1 and role(relative) == OTHER and first not in DEV_PACKAGES:
                # a module inside one of the packages (daf_gui/connector.py beside daf/):
                # the sdist installs its other packages with it, and porting the
                # distribution ports them together, so its imports of them are its own, as
                # a package's of itself are (the corpus README's own-package rule)
                own |= tops
    return own


def own_on_disk(path: str) -> set[str]:
    """:func:`own_in` for a file on disk, with its project found above it; nothing for a
    path that is not a file, or a file in no project."""
    if path.startswith("<"):
        return set()
    try:
        where = Path(path)
        if not where.is_file():
            return set()
        folder = where.resolve().parent
    except (OSError, ValueError):  # a name no file system has (a NUL byte, too long)
        return set()
    project = project_of(str(folder))
    if project is None:
        return set()
    relative = where.resolve().relative_to(project)
    return own_in(relative.as_posix(), top_level(project))


def top_level_on_disk(path: str) -> frozenset[str] | None:
    """The top-level names of the project a file on disk is in (:func:`top_level`), or None
    for a path that is not a file, or a file in no project."""
    try:
        where = Path(path)
        if path.startswith("<") or not where.is_file():
            return None
        project = project_of(str(where.resolve().parent))
    except (OSError, ValueError):  # a name no file system has (a NUL byte, too long)
        return None
    return None if project is None else top_level(project)


@functools.cache
def project_of(folder: str) -> Path | None:
    """The nearest folder at or above ``folder`` with a project file, or None: the search
    stops at the top of a checkout (a folder holding ``.git``, after looking in it) and at the
    file system's root. Kept per folder (every file of a folder asks the same)."""
    here = Path(folder)
    while True:
        try:
            if any((here / name).is_file() for name in PROJECT_FILES):
                return here
            if (here / ".git").exists():
                return None
        except OSError:  # a folder we may not look into
            return None
        if here.parent == here:
            return None
        here = here.parent


def setup_py_package_dir(project: Path) -> str | None:
    """The folder a ``setup.py`` names for its packages, written as a literal in a call:
    ``setup(package_dir={"": "lib"})`` gives ``lib``. The file is parsed, never run, so a
    value it computes (``package_dir=dirs``) names nothing; nor does a file that cannot be
    read or parsed."""
    try:
        tree = ast.parse((project / "setup.py").read_bytes())
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for node in ast.walk(tree):
        for keyword in node.keywords if isinstance(node, ast.Call) else ():
            if keyword.arg == "package_dir" and isinstance(keyword.value, ast.Dict):
                for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "" \
                            and isinstance(value, ast.Constant) and isinstance(value.value, str):
                        return value.value
    return None


def source_folders(project: Path) -> list[Path]:
    """The folders a project's packages sit in: its own folder, ``src/``, and a folder its
    project file names for them (maturin's ``python-source = "python"``, setuptools'
    ``package-dir = {"" = "lib"}`` or ``packages.find.where``, ``package_dir = =lib`` in
    ``setup.cfg``, ``setup(package_dir={"": "lib"})`` in ``setup.py``: SQLAlchemy's
    ``lib/sqlalchemy``). A setting that names no folder inside the project, or a project file
    that cannot be read, adds nothing."""
    named: list[object] = []
    try:
        with open(project / "pyproject.toml", "rb") as file:
            tool = tomllib.load(file).get("tool", {})
        setuptools = tool.get("setuptools", {})
        find = setuptools.get("packages", {})
        named += [tool.get("maturin", {}).get("python-source"),
                  setuptools.get("package-dir", {}).get(""),
                  *(find.get("find", {}).get("where", []) if isinstance(find, dict) else [])]
    except (OSError, ValueError, AttributeError, TypeError):  # none, unreadable, odd shapes
        pass
    config = configparser.ConfigParser(interpolation=None)
    try:
        config.read(project / "setup.cfg", encoding="utf-8")
        for line in config.get("options", "package_dir", fallback="").splitlines():
            key, _, value = line.partition("=")
            if not key.strip():
                named.append(value.strip())
    except (configparser.Error, UnicodeDecodeError):
        pass
    named.append(setup_py_package_dir(project))
    folders = [project, project / "src"]
    # (not a folder outside the project: "../shared", "/opt/x"; "." is the project's own)
    folders += [project / each for each in named if isinstance(each, str)
                and ".." not in each and not Path(each).is_absolute()]
    return list(dict.fromkeys(folders))


@functools.cache
def top_level(project: Path) -> frozenset[str]:
    """A project's top-level import names, as its tree has them: the folders holding an
    ``__init__.py`` in the project folder, every folder in its ``src/`` or in a folder its
    project file names for its packages (:func:`source_folders`; a namespace package has no
    ``__init__.py``), and the modules beside the project file or in those folders (not
    :data:`NOT_MODULES`, nor a test module). Folders named like tests, docs or examples
    (:data:`NOT_PACKAGES`), dunder names (an ``__init__.py`` beside ``setup.py`` makes the
    project folder itself the package, under a name the tree does not tell) and names that
    are no identifier are left out. Listed once per project folder."""
    found: set[str] = set()
    for folder in source_folders(project):
        try:
            entries = list(os.scandir(folder))
        except OSError:  # no src/, or one we may not read
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("__"):  # __init__.py: the project folder is itself a package
                continue
            try:
                if entry.is_dir():
                    # src/ holds only what is installed: a folder there is a package, a
                    # namespace package (PEP 420) too (src/threetears/observe/)
                    if name.isidentifier() and name.lower() not in NOT_PACKAGES and (
                            folder != project
                            or (Path(entry.path) / "__init__.py").is_file()):
                        found.add(name)
                elif name.endswith(".py") and entry.is_file():
                    stem = name.removesuffix(".py")
                    if stem.isidentifier() and stem not in NOT_MODULES \
                            and role(name) != TEST:  # a test beside the project file
                        found.add(stem)
            except OSError:
                continue
    return frozenset(found - {"asyncio"})


def forget() -> None:
    """Drop what was learnt of the trees: a new run reads them afresh."""
    project_of.cache_clear()
    top_level.cache_clear()
