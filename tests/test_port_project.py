"""``walkthrough.port.project``: a package's tests import it as its own modules do; its
examples are users of it (issue 24; the corpus README's ruling of the eleventh part).

Each project here is laid out in ``tmp_path`` as a user's checkout is, and scanned the way the
command scans it: by its path on disk.
"""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
from pathlib import Path

import pytest

from walkthrough import port
from walkthrough.port import names, project

ROOT = Path(__file__).resolve().parent.parent

#: A test of aiosqlite, as aiosqlite's own suite writes one: aiosqlite is a listed asyncio-only
#: library, so in anyone else's program each of its lines is flagged.
TEST = """\
import asyncio

import aiosqlite


async def test_connect():
    async with aiosqlite.connect(":memory:") as db:
        await db.execute("select 1")
    await asyncio.sleep(0)
"""
#: Its lines that use aiosqlite (the import, the connect, the execute).
LIBRARY_LINES = {3, 7, 8}


@pytest.fixture(autouse=True)
def fresh() -> None:
    """Each test reads its trees afresh (the cache is per run of the tool)."""
    project.forget()


def layout(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def library_lines(path: Path) -> set[int]:
    """The lines where the scan flags an asyncio-only library (not asyncio itself)."""
    return {f.line for f in port.scan(path.read_text(encoding="utf-8"), str(path))
            if f.construct.startswith("lib:")}


def asyncio_lines(path: Path) -> set[int]:
    return {f.line for f in port.scan(path.read_text(encoding="utf-8"), str(path))
            if not f.construct.startswith("lib:")}


def test_the_doctests_hold() -> None:
    assert doctest.testmod(project).failed == 0


def test_a_src_layout_projects_tests_are_its_own_its_examples_are_not(tmp_path: Path) -> None:
    root = layout(tmp_path, {"pyproject.toml": "", "src/aiosqlite/__init__.py": "",
                             "tests/test_core.py": TEST, "tests/conftest.py": TEST,
                             "examples/demo.py": TEST, "bench.py": TEST})
    assert library_lines(root / "tests/test_core.py") == set()
    assert library_lines(root / "tests/conftest.py") == set()
    # asyncio itself stays flagged in a test: its port changes those lines
    assert asyncio_lines(root / "tests/test_core.py") == {1, 9}
    # an example and a script at the top are a user's programs
    assert library_lines(root / "examples/demo.py") == LIBRARY_LINES
    assert library_lines(root / "bench.py") == LIBRARY_LINES


def test_a_flat_layout_and_a_top_level_module(tmp_path: Path) -> None:
    flat = layout(tmp_path / "flat", {"setup.py": "", "aiosqlite/__init__.py": "",
                                      "tests/test_core.py": TEST})
    assert library_lines(flat / "tests/test_core.py") == set()
    single = layout(tmp_path / "single", {"setup.cfg": "", "aiosqlite.py": "",
                                          "test_aiosqlite.py": TEST})
    assert library_lines(single / "test_aiosqlite.py") == set()
    assert project.top_level(single) == {"aiosqlite"}  # the test beside it is no module


def test_what_the_top_level_is(tmp_path: Path) -> None:
    root = layout(tmp_path, {
        "pyproject.toml": "", "setup.py": "", "conftest.py": "", "noxfile.py": "",
        "test_x.py": "", "x_test.py": "", "helper.py": "", "not-a-name.py": "",
        "pkg/__init__.py": "", "plain/x.py": "", "tests/__init__.py": "",
        "examples/__init__.py": "", "Tests/__init__.py": "", "asyncio/__init__.py": "",
        "__init__.py": "", "__main__.py": "", "src/other/__init__.py": "", "src/single.py": "",
        "src/nsp/sub/__init__.py": "", "src/x.egg-info/PKG-INFO": ""})
    # src/nsp has no __init__.py: a namespace package (src/ holds what is installed); a
    # folder beside the project file without one (plain/) is no package
    assert project.top_level(root) == {"helper", "pkg", "other", "single", "nsp"}


def test_the_nearest_project_file_wins_in_a_monorepo(tmp_path: Path) -> None:
    root = layout(tmp_path, {
        "pyproject.toml": "",  # a workspace's root, with no package of its own
        "packages/aiosqlite/pyproject.toml": "",
        "packages/aiosqlite/aiosqlite/__init__.py": "",
        "packages/aiosqlite/tests/test_core.py": TEST,
        "tests/test_all.py": TEST})
    assert library_lines(root / "packages/aiosqlite/tests/test_core.py") == set()
    # the root's test is the workspace's, whose packages do not include aiosqlite's
    assert library_lines(root / "tests/test_all.py") == LIBRARY_LINES


def test_the_search_stops_at_the_top_of_a_checkout(tmp_path: Path) -> None:
    root = layout(tmp_path, {"setup.py": "", "aiosqlite/__init__.py": "",
                             "checkout/tests/test_core.py": TEST})
    assert library_lines(root / "checkout/tests/test_core.py") == set()
    project.forget()
    (root / "checkout" / ".git").mkdir()
    assert project.project_of(str(root / "checkout" / "tests")) is None
    assert library_lines(root / "checkout/tests/test_core.py") == LIBRARY_LINES
    # a project file in the checkout's top folder is still found
    (root / "checkout" / "pyproject.toml").write_text("", encoding="utf-8")
    project.forget()
    assert project.project_of(str(root / "checkout" / "tests")) == root / "checkout"


def test_a_project_that_shadows_a_library_is_its_own(tmp_path: Path) -> None:
    """redis's own suite: ``redis.asyncio`` is redis's module there, not a library it uses."""
    source = ("import redis.asyncio as redis\n\n\n"
              "async def test_ping():\n    r = redis.Redis()\n    await r.ping()\n")
    root = layout(tmp_path, {"pyproject.toml": "", "redis/__init__.py": "",
                             "redis/asyncio/__init__.py": "",
                             "tests/test_asyncio/test_ping.py": source,
                             "docs/examples/ping.py": source})
    assert library_lines(root / "tests/test_asyncio/test_ping.py") == set()
    assert library_lines(root / "docs/examples/ping.py") == {1, 5, 6}


def test_a_vendored_asyncio_is_still_asyncio(tmp_path: Path) -> None:
    root = layout(tmp_path, {"setup.py": "", "asyncio/__init__.py": "",
                             "tests/test_core.py": TEST})
    assert asyncio_lines(root / "tests/test_core.py") == {1, 9}
    assert project.own_in("tests/test_x.py", ["asyncio", "aiofoo"]) == {"aiofoo"}


def test_a_file_inside_the_packages_folder_is_its_module(tmp_path: Path) -> None:
    """``aio9p/example/`` with no ``__init__.py`` is still aio9p's (the README's ruling)."""
    root = layout(tmp_path, {"pyproject.toml": "", "src/aiosqlite/__init__.py": "",
                             "src/aiosqlite/example/demo.py": TEST})
    assert names.path_packages(str(root / "src/aiosqlite/example/demo.py")) == set()
    assert library_lines(root / "src/aiosqlite/example/demo.py") == set()


def test_a_tests_folder_that_is_a_package_still_gets_the_project(tmp_path: Path) -> None:
    root = layout(tmp_path, {"pyproject.toml": "", "aiosqlite/__init__.py": "",
                             "tests/__init__.py": "", "tests/test_core.py": TEST})
    assert names.path_packages(str(root / "tests/test_core.py")) == {"tests"}
    assert library_lines(root / "tests/test_core.py") == set()


def test_another_librarys_private_module_in_a_test_is_not_the_projects(tmp_path: Path) -> None:
    """A private submodule is evidence of being a package's own module (names.own_packages),
    but a test whose project is known belongs to that project only: aiosqlite's private test
    helper in aiofoo's tests is a use of aiosqlite."""
    source = "from aiosqlite._helpers import make\nimport aiosqlite.core\n\nmake()\n"
    root = layout(tmp_path, {"pyproject.toml": "", "aiofoo/__init__.py": "",
                             "tests/test_x.py": source})
    assert library_lines(root / "tests/test_x.py") == {1, 2, 4}


@pytest.mark.parametrize(("path", "role"), [
    ("tests/test_client.py", project.TEST), ("tests/helpers.py", project.TEST),
    ("test/unit/x.py", project.TEST), ("src/tests/x.py", project.TEST),
    ("test_client.py", project.TEST), ("client_test.py", project.TEST),
    ("conftest.py", project.TEST), ("scripts/run_tests.py", project.TEST),
    ("scripts\\smoke_test.py", project.TEST),
    ("tests\\helpers.py", project.TEST), ("examples\\client.py", project.EXAMPLE),
    ("scripts/ci/run_tests.py", project.TEST),
    ("tests/examples/x.py", project.TEST), ("examples/tests/x.py", project.EXAMPLE),
    ("examples/client.py", project.EXAMPLE), ("example/x.py", project.EXAMPLE),
    ("demo/x.py", project.EXAMPLE), ("samples/x.py", project.EXAMPLE),
    ("docs/examples/x.py", project.EXAMPLE), ("Doc/library/x.py", project.EXAMPLE),
    ("scripts/deploy.py", project.OTHER), ("bench/run.py", project.OTHER),
    ("app.py", project.OTHER), ("contest.py", project.OTHER), ("", project.OTHER),
])
def test_role(path: str, role: str) -> None:
    assert project.role(path) == role


def test_own_in() -> None:
    tops = ["aiofoo", "aiofoo_cli", "helper"]
    assert project.own_in("tests/test_x.py", tops) == set(tops)
    assert project.own_in("examples/x.py", tops) == set()
    assert project.own_in("aiofoo/examples/x.py", tops) == {"aiofoo"}
    # a module inside one package: the sdist's other packages are its own too (held-out
    # discord-advert-framework's daf_gui/connector.py beside daf), not in a demo or dev-tool
    # package (working aiohttp-security's demo/, python-kasa's devtools/: users' programs)
    assert project.own_in("src/aiofoo/x.py", tops) == set(tops)
    assert project.own_in("demo/x.py", ["aiofoo", "demo"]) == {"demo"}
    assert project.own_in("devtools/perftest.py", ["kasa", "devtools"]) == {"devtools"}
    assert project.own_in("helper.py", tops) == {"helper"}
    assert project.own_in("helper/x.py", []) == set()
    assert project.own_in("src", tops) == set()
    # a Windows path is split at its backslashes as at slashes
    assert project.own_in("src\\aiofoo\\x.py", tops) == set(tops)
    assert project.own_in("examples\\x.py", tops) == set()


def test_a_path_not_on_disk_has_no_project(tmp_path: Path) -> None:
    layout(tmp_path, {"pyproject.toml": "", "aiosqlite/__init__.py": ""})
    assert project.own_on_disk("<stdin>") == set()
    assert project.own_on_disk(str(tmp_path / "tests" / "test_gone.py")) == set()
    assert project.own_on_disk(str(tmp_path / "aiosqlite")) == set()  # a folder
    assert project.own_on_disk("x\0y.py") == set()
    assert port.scan(TEST, "<stdin>") and {f.line for f in port.scan(TEST, "<stdin>")
                                             if f.construct.startswith("lib:")} == LIBRARY_LINES


def test_a_pseudo_name_is_no_file_even_where_one_has_that_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # "<stdin>" and "<source>" name no file: a file of that name in a project's tests folder,
    # where the command happens to run, is not read as the text's project.
    root = layout(tmp_path, {"pyproject.toml": "", "aiosqlite/__init__.py": "",
                             "tests/<stdin>": TEST})
    monkeypatch.chdir(root / "tests")
    assert project.own_on_disk("<stdin>") == set()
    assert project.top_level_on_disk("<stdin>") is None
    assert project.own_on_disk(str(root / "tests" / "<stdin>")) == {"aiosqlite"}


def test_the_top_level_of_a_files_project_on_disk(tmp_path: Path) -> None:
    root = layout(tmp_path, {"pyproject.toml": "", "aiosqlite/__init__.py": "",
                             "tests/test_core.py": TEST, "elsewhere/.git/HEAD": "",
                             "elsewhere/app.py": ""})
    assert project.top_level_on_disk(str(root / "tests/test_core.py")) == {"aiosqlite"}
    assert project.top_level_on_disk(str(root / "tests/test_gone.py")) is None  # no file
    assert project.top_level_on_disk(str(root / "tests")) is None  # a folder
    assert project.top_level_on_disk(str(root / "elsewhere/app.py")) is None  # no project
    assert project.top_level_on_disk("x\0y.py") is None


def test_a_file_in_no_project(tmp_path: Path) -> None:
    root = layout(tmp_path, {"checkout/.git/HEAD": "", "checkout/tests/test_core.py": TEST})
    assert project.own_on_disk(str(root / "checkout/tests/test_core.py")) == set()


def test_the_caller_may_give_the_project(tmp_path: Path) -> None:
    """The corpus's files are alone: the harness passes the sdist's list, and the path is
    taken from the project's folder. A list given wins over the disk."""
    def lib(path: str, given: list[str] | None) -> set[int]:
        return {f.line for f in port.scan(TEST, path, project=given)
                if f.construct.startswith("lib:")}

    assert lib("tests/test_core.py", ["aiosqlite"]) == set()
    assert lib("tests/test_core.py", []) == LIBRARY_LINES
    assert lib("tests/test_core.py", None) == LIBRARY_LINES  # not on disk here
    assert lib("examples/demo.py", ["aiosqlite"]) == LIBRARY_LINES
    root = layout(tmp_path, {"pyproject.toml": "", "aiosqlite/__init__.py": "",
                             "tests/test_core.py": TEST})
    assert lib(str(root / "tests/test_core.py"), None) == set()
    assert lib(str(root / "tests/test_core.py"), []) == LIBRARY_LINES
    _, findings = port.rewrite(TEST, "tests/test_core.py", ["aiosqlite"])
    assert not any(f.construct.startswith("lib:") for f in findings)


def test_a_tree_is_listed_once_per_project(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    files = {f"tests/test_{n}.py": TEST for n in range(30)}
    root = layout(tmp_path, {"pyproject.toml": "", "src/aiosqlite/__init__.py": "", **files})
    listed: list[str] = []
    scandir = os.scandir

    def counted(path: str | os.PathLike[str]) -> object:
        listed.append(str(path))
        return scandir(path)

    monkeypatch.setattr(project.os, "scandir", counted)
    for name in files:
        assert library_lines(root / name) == set()
    assert sorted(listed) == [str(root), str(root / "src")]
    project.forget()
    assert library_lines(root / "tests/test_0.py") == set()
    assert len(listed) == 4  # forgotten: listed afresh


def test_each_run_of_the_command_reads_the_tree_afresh(tmp_path: Path) -> None:
    """The command forgets what it learnt when it starts: a long-lived process (a notebook,
    a test) that runs it again after the tree changed gets the new answer."""
    from walkthrough.cli import main

    root = layout(tmp_path, {"pyproject.toml": "", "tests/test_core.py": TEST})
    test = str(root / "tests" / "test_core.py")
    main(["port", test, "--format", "json"])
    assert project.top_level(root) == frozenset()
    (root / "aiosqlite").mkdir()
    (root / "aiosqlite" / "__init__.py").write_text("", encoding="utf-8")
    main(["port", test, "--format", "json"])
    assert project.top_level(root) == {"aiosqlite"}


def test_the_command_on_a_checkout(tmp_path: Path) -> None:
    """As a user runs it: from the checkout, over the whole tree."""
    layout(tmp_path, {"pyproject.toml": "", "src/aiosqlite/__init__.py": "",
                      "tests/test_core.py": TEST, "examples/demo.py": TEST})
    run = subprocess.run([sys.executable, "-m", "walkthrough", "port", "."], cwd=tmp_path,
                         capture_output=True, text=True, check=False,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    flagged = [line.split(":")[0:2] for line in run.stdout.splitlines()
               if "lib:aiosqlite" in line]
    assert sorted(flagged) == [["examples/demo.py", str(n)] for n in sorted(LIBRARY_LINES)]


def test_a_fixture_of_the_projects_own_object_is_no_library(tmp_path: Path) -> None:
    """aiosimon-io's tests: a ``@pytest_asyncio.fixture`` named ``auth`` yields the package's
    own object, and a test's ``auth`` is that object, not pytest-asyncio's wrapper of the
    fixture function (what a library's decorator makes of a function stays the library's:
    faust's ``@app.agent``)."""
    source = ("import pytest_asyncio\n\nfrom aiosqlite.auth import Auth\n\n\n"
              "@pytest_asyncio.fixture\nasync def auth():\n    yield Auth()\n\n\n"
              "async def test_token(auth):\n    await auth.get_token()\n")
    root = layout(tmp_path, {"pyproject.toml": "", "aiosqlite/__init__.py": "",
                             "tests/test_auth.py": source})
    found = {(f.line, f.construct) for f in port.scan(source, str(root / "tests/test_auth.py"))}
    assert found == {(1, "lib:pytest_asyncio"), (6, "lib:pytest_asyncio")}


@pytest.mark.parametrize(("files", "tops"), [
    ({"pyproject.toml": '[tool.maturin]\npython-source = "python"\n',
      "python/brokapi/__init__.py": ""}, {"brokapi"}),
    ({"pyproject.toml": '[tool.setuptools]\npackage-dir = {"" = "lib"}\n',
      "lib/sqlalchemy/__init__.py": ""}, {"sqlalchemy"}),
    ({"pyproject.toml": '[tool.setuptools.packages.find]\nwhere = ["code"]\n',
      "code/pkg/__init__.py": "", "code/mod.py": ""}, {"pkg", "mod"}),
    ({"setup.cfg": "[options]\npackage_dir =\n    =lib\n", "lib/pkg/__init__.py": ""},
     {"pkg"}),
    ({"setup.cfg": "[options]\npackage_dir = = lib\n", "lib/pkg/__init__.py": ""}, {"pkg"}),
    ({"setup.cfg": "[options]\npackage_dir = other=elsewhere\n",
      "elsewhere/pkg/__init__.py": ""}, set()),
    ({"pyproject.toml": '[tool.maturin]\npython-source = "../outside"\n',
      "../outside/pkg/__init__.py": ""}, set()),
    ({"pyproject.toml": f'[tool.maturin]\npython-source = "{Path("/").resolve()}"\n'}, set()),
    ({"pyproject.toml": '[tool.maturin]\npython-source = "."\n', "x/__init__.py": ""},
     {"x"}),
    ({"pyproject.toml": "[tool.setuptools]\npackages = ['a']\n", "python/b/__init__.py": ""},
     set()),
    # a list of packages (not a table) leaves the other settings read
    ({"pyproject.toml": '[tool.maturin]\npython-source = "python"\n'
                        "[tool.setuptools]\npackages = ['a']\n", "python/b/__init__.py": ""},
     {"b"}),
    ({"pyproject.toml": "not toml [", "python/b/__init__.py": ""}, set()),
    # a setup.py's literal package_dir (RV4-porting F5: it was not read, and the tests of a
    # package in lib/ had their imports of it flagged); a computed one, or a file that does
    # not parse, names nothing
    ({"setup.py": 'from setuptools import setup\nsetup(package_dir={"": "lib"})\n',
      "lib/pkg/__init__.py": ""}, {"pkg"}),
    ({"setup.py": 'import setuptools\nsetuptools.setup(name="x",\n'
                  '    package_dir={"pkg2": "other", "": "lib"})\n',
      "lib/pkg/__init__.py": ""}, {"pkg"}),
    ({"setup.py": 'from setuptools import setup\nsetup(package_dir={"": 3, **more})\n',
      "lib/pkg/__init__.py": ""}, set()),
    ({"setup.py": 'from setuptools import setup\nsetup(package_dir={"x": "lib"})\n',
      "lib/pkg/__init__.py": ""}, set()),
    ({"setup.py": 'from setuptools import setup\nd = {"": "lib"}\nsetup(package_dir=d)\n',
      "lib/pkg/__init__.py": ""}, set()),
    ({"setup.py": 'setup(package_dir="lib")\n', "lib/pkg/__init__.py": ""}, set()),
    ({"setup.py": 'setup(package_dir={"": "lib"}\n', "lib/pkg/__init__.py": ""}, set()),
    ({"setup.py": 'setup(package_dir={"": "../up"})\n', "../up/pkg/__init__.py": ""}, set()),
    ({"setup.cfg": "not an ini file", "lib/b/__init__.py": ""}, set()),
])
def test_a_folder_the_project_file_names_for_its_packages(
        tmp_path: Path, files: dict[str, str], tops: set[str]) -> None:
    root = layout(tmp_path / "project", files)
    assert project.top_level(root) == tops
    folders = project.source_folders(root)
    assert folders[:2] == [root, root / "src"] and len(set(folders)) == len(folders)


def test_a_setup_py_projects_tests_in_lib(tmp_path: Path) -> None:
    """RV4-porting F5: ``setup(package_dir={"": "lib"})`` in ``setup.py`` only (no
    ``setup.cfg``, no ``pyproject.toml``): the tests' imports of the package in ``lib/`` are
    its own, as they are with the same setting in either of the other two files."""
    for name, text in [("setup.py", 'from setuptools import setup\n'
                                    'setup(package_dir={"": "lib"})\n'),
                       ("setup.cfg", "[options]\npackage_dir = = lib\n"),
                       ("pyproject.toml", '[tool.setuptools.package-dir]\n"" = "lib"\n')]:
        root = layout(tmp_path / name, {name: text, "lib/aiosqlite/__init__.py": "",
                                        "tests/test_core.py": TEST})
        assert library_lines(root / "tests/test_core.py") == set(), name


def test_a_maturin_projects_tests(tmp_path: Path) -> None:
    """brokapi: its Python package sits in ``python/``, as its pyproject.toml says."""
    root = layout(tmp_path, {"pyproject.toml": '[tool.maturin]\npython-source = "python"\n',
                             "python/aiosqlite/__init__.py": "", "tests/test_core.py": TEST})
    assert library_lines(root / "tests/test_core.py") == set()


def test_the_projects_binding_to_aiohttp_is_aiohttps_in_its_tests(tmp_path: Path) -> None:
    """dependency-injector's tests of ``dependency_injector.ext.aiohttp``: the package's
    binding to aiohttp is a use of aiohttp (a port away from aiohttp replaces it with the
    package's other binding, tests and all), its other modules are its own. Inside the package
    (its path), the binding is its own module, as before; and in an asyncio-only package's
    tests (``aiofoo``) it is one more of its modules."""
    source = ("from depinj.ext import aiohttp\nfrom depinj import core\n"
              "import depinj.ext.aiohttp as ext\n\n"
              "app = aiohttp.Application(core.Thing)\ncore.run()\next.View(core)\n")
    root = layout(tmp_path, {"pyproject.toml": "", "depinj/__init__.py": "",
                             "depinj/ext/__init__.py": "", "tests/test_ext.py": source,
                             "depinj/ext/flask.py": source})
    found = {(f.line, f.row) for f in port.scan(source, str(root / "tests/test_ext.py"))}
    assert found == {(1, "http-server"), (3, "http-server"), (5, "http-server"),
                     (7, "http-server")}
    assert port.scan(source, str(root / "depinj/ext/flask.py")) == []
    assert port.scan(source, "tests/test_ext.py", project=["depinj"])
    aio = source.replace("depinj", "aiofoo")
    assert port.scan(aio, "tests/test_ext.py", project=["aiofoo"]) == []


def test_a_file_read_again_for_its_evidence_keeps_its_project() -> None:
    # A file that awaits an unlisted package is read a second time, with that package taken as
    # asyncio-only (constructs.analyse); the second reading keeps the project it was given, so
    # the project's sibling package stays the file's own (mutmut's x_analyse__mutmut_30, the
    # second reading without the list, flagged aiofoo_extra's four lines).
    source = ("import asyncio\nimport aiofoo_extra\nimport somelib\n\n\nasync def main():\n"
              "    await somelib.get()\n    await aiofoo_extra.go()\n"
              "    async with aiofoo_extra.session() as s:\n        await s.send()\n\n"
              "asyncio.run(main())\n")
    found = {(f.line, f.construct) for f in port.scan(source, "aiofoo/client.py",
                                                       project=["aiofoo", "aiofoo_extra"])}
    assert found == {(1, "import asyncio"), (3, "lib:somelib"), (7, "lib:somelib"),
                     (12, "asyncio.run")}
