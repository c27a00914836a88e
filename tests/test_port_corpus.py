"""``walkthrough port`` on real asyncio code that no one here wrote, against a hand-written key.

``tests/port_corpus/`` holds files from sdists on the package index and examples from the
CPython docs, each with a key that lists the constructs a port to Trio must change and the
concept-map row each one needs (the format is in ``tests/port_corpus/README.md``). The key was
written by reading the code, never by running the tool. One third of the corpus (``holdout/``)
was gathered and labelled apart, and no one who worked on the tool read it.

On each line, the key's rows are matched against the rows of the tool's findings:

* a key entry whose row the tool names on that line is **right**;
* a key entry left over, where the tool has a finding on that line with a row the key does
  not name, is **found with the wrong counterpart** (one finding answers one entry);
* a key entry left over after that is **missed**;
* a line where the tool reports something and the key names nothing is a **false alarm**.

Recall counts what was found at all (right or wrong counterpart); the wrong-counterpart rate
is over what was found.

Each file is alone here, where a user's run sees the tree around it: the project file above a
package's tests and the packages beside it, which make the tests' imports of the package its
own (``walkthrough.port.project``). ``port_corpus/projects.toml`` records each package's
top-level names as its sdist has them (``scripts/corpus_projects.py`` reads the sdists), and
the tool is given that list with each file, as the tree would give it.

Run ``python -m tests.test_port_corpus working`` to print each miss, wrong counterpart and
false alarm of one part.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import sys
import tomllib
import warnings
import zlib
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.test_port_rewrite import GATHER_TODO
from walkthrough import port
from walkthrough.port.reading import in_older_syntax

CORPUS = Path(__file__).resolve().parent / "port_corpus"
PARTS = ("working", "holdout")
#: Each corpus package's top-level import names, from its sdist (scripts/corpus_projects.py).
PROJECTS = CORPUS / "projects.toml"

#: The first test here that needs a part's figures runs the tool over the whole corpus (2,885
#: files: about 90 s of CPU, shared by the others through ``ported``'s cache); on the 2-core
#: machine, under the suite's five other workers, that took past the suite's 180 s limit per
#: test. The limit is a guard against hangs, not a speed check, so this file's is wider.
pytestmark = pytest.mark.timeout(900)


@dataclass
class Tally:
    """What the tool got right and wrong on one part of the corpus."""

    files: int = 0
    entries: int = 0
    right: int = 0
    wrong: int = 0
    false_alarms: int = 0
    #: (file:line, what happened, the key's rows, the tool's rows)
    notes: list[tuple[str, str, str, str]] = field(default_factory=list, repr=False)

    @property
    def found(self) -> int:
        return self.right + self.wrong

    @property
    def recall(self) -> float:
        return self.found / self.entries if self.entries else 1.0

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.found if self.found else 0.0


def corpus(part: str) -> list[Path]:
    """The corpus files of one part (each has a key next to it)."""
    return sorted((CORPUS / part).glob("*.py.txt"))


def key_data(path: Path) -> dict[str, Any]:
    """The parsed key next to a corpus file (``x.py.txt.toml``)."""
    return tomllib.loads(path.with_name(path.name + ".toml").read_text(encoding="utf-8"))


def key(path: Path) -> dict[int, set[str]]:
    """The key of one file: line → the rows its constructs need."""
    data = key_data(path)
    rows: dict[int, set[str]] = {}
    for change in data.get("change", []):
        rows.setdefault(int(change["line"]), set()).add(str(change["row"]))
    return rows


Ported = tuple[str, str, list[port.Finding]] | port.PortError

#: Where ``tasks.py test`` keeps the tool's results on the corpus between runs (issue 26, item
#: 2): the folder it names, or no keeping at all where it is unset (a plain ``pytest`` run, a
#: mutation run). Running the tool over the corpus is about 90 s of CPU, a sixth of the suite's
#: on the 2-core machine, and the results change only when the tool or a file does.
CACHE_VARIABLE = "WALKTHROUGH_PORT_CORPUS_CACHE"


def fingerprint(root: Path) -> str:
    """What the tool's results on a file depend on, besides the file: every module of the
    ``walkthrough`` package (all of them, not only ``walkthrough/port/``: a module the tool
    imports later, or one that moves, must not be missed), the concept-map pages it reads
    its rows from, this harness (how ``ported`` calls the tool) and the interpreter (whose
    ``ast`` it parses with)."""
    digest = hashlib.sha256(sys.version.encode())
    sources = [*sorted((root / "walkthrough").rglob("*.py")), root / "docs" / "concepts.md",
               root / "walkthrough" / "concepts.md", root / "tests" / "test_port_corpus.py"]
    for source in sources:
        if source.is_file():
            digest.update(source.relative_to(root).as_posix().encode() + b"\0")
            digest.update(source.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@functools.cache
def projects() -> dict[str, list[str]]:
    """``projects.toml``: package name (as the keys' ``package`` spells it, without its
    version) → the top-level packages and modules its sdist has."""
    return tomllib.loads(PROJECTS.read_text(encoding="utf-8"))


def project(path: Path) -> list[str]:
    """The top-level names of the project a corpus file is from (KeyError: none recorded)."""
    return projects()[str(key_data(path)["package"]).rpartition(" ")[0]]


@functools.cache
def tool_fingerprint() -> str:
    return fingerprint(CORPUS.parent.parent)


def cache_folder() -> Path | None:
    """This tool's folder in the cache, or None where results are not kept: no
    :data:`CACHE_VARIABLE`, or a mutation run (mutmut's copy holds every mutant at once and
    picks one by ``MUTANT_UNDER_TEST``, so its source says nothing of the code that runs)."""
    where = os.environ.get(CACHE_VARIABLE)
    if not where or os.environ.get("MUTANT_UNDER_TEST"):
        return None
    return Path(where) / tool_fingerprint()


def _stored(result: Ported) -> bytes:
    """A result as kept: compressed JSON, without the file's text (read again, cheaply)."""
    if isinstance(result, port.PortError):
        data: dict[str, Any] = {"error": str(result)}
    else:
        _, new, findings = result
        data = {"new": new, "findings": [f.as_dict() for f in findings]}
    return zlib.compress(json.dumps(data).encode(), 6)


def _restored(kept: bytes, path: Path) -> Ported:
    data = json.loads(zlib.decompress(kept))
    if "error" in data:
        return port.PortError(data["error"])
    return port.read(path.name, path.read_bytes()), data["new"], [
        port.Finding(**{**f, "links": tuple(f["links"])}) for f in data["findings"]]


def _run(path: Path) -> Ported:
    source = port.read(path.name, path.read_bytes())
    try:
        new, findings = port.rewrite(source, str(key_data(path).get("path", path.name)),
                                     project(path))
    except port.PortError as exc:
        return exc
    return source, new, findings


def _made_folder(folder: Path) -> None:
    """This tool's folder in the cache, made if it is not there, the older tools' dropped."""
    if not folder.is_dir():
        for old in folder.parent.glob("*"):
            shutil.rmtree(old, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)


def _entry(folder: Path, path: Path) -> Path:
    """Where a file's result is kept: under its bytes, its key's path and its project's names."""
    digest = hashlib.sha256(path.read_bytes())
    digest.update(b"\0" + str(key_data(path).get("path", path.name)).encode())
    digest.update(b"\0" + "\0".join(sorted(project(path))).encode())
    return folder / f"{digest.hexdigest()}.json.z"


#: Results made by :func:`make_apart`'s processes, as kept (:func:`_stored`), until
#: :func:`ported` asks for them.
_made_apart: dict[Path, bytes] = {}
#: Files :func:`ported` has answered in this process (functools.cache holds their results).
_asked: set[Path] = set()

#: Below this many files to make, :func:`make_apart` leaves them to :func:`ported`: a pool's
#: processes each import the tool and this harness first (about a second), for nothing.
POOL_FROM = 100


def _cores() -> int:
    """The cores this process may run on (all of them where the platform cannot say)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _make_one(path: Path) -> bytes:
    """In a pool's process: one file's result, kept where :func:`ported` keeps it, and sent
    back as kept."""
    return _stored(ported(path))


def make_apart(paths: list[Path]) -> None:
    """Make the results :func:`ported` has neither kept nor made yet in a pool, one process a
    core, before the caller asks for them one by one (issue 26, item 2).

    Why: after any change to the tool every kept result is stale, and the first test that
    needs a part's figures ran the tool over the 4,344 files in its one process: 469 s of
    the suite's 558 s on the 2-core machine (`tasks.py test --durations`), the last two
    minutes of it with the other core idle. Each file's result depends on the file alone, so
    they are made apart and merged here, the same results in the same order (the tally reads
    them in the corpus's order). Processes are spawned, not forked: the pytest process has
    threads (xdist's, pytest-timeout's), and a fork there can deadlock (3.12 warns, and
    ``-W error`` would fail the run). Not in a mutation run: mutmut sees only the calls of
    its own process, and its mutant is chosen by a variable the copies would still read.
    Measured after it, on the same loaded machine and command, stale results: that test 438 s,
    the suite 541 s, within the machine's noise; no gain is shown yet (issue 26's note)."""
    if os.environ.get("MUTANT_UNDER_TEST"):
        return
    folder = cache_folder()
    left = [path for path in paths if path not in _made_apart and path not in _asked
            and (folder is None or not _entry(folder, path).is_file())]
    cores = _cores()
    if len(left) < POOL_FROM or cores < 2:
        return
    if folder is not None:  # here, before the processes, which would race to drop and make it
        with contextlib.suppress(OSError):
            _made_folder(folder)
    with ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("spawn")) as pool:
        for path, made in zip(left, pool.map(_make_one, left, chunksize=16), strict=True):
            _made_apart[path] = made


@functools.cache
def ported(path: Path) -> Ported:
    """One corpus file as the tool reads it, its rewrite and its findings; or why it cannot.

    The file is named by its path inside its sdist, as a run from the sdist's root names it:
    that tells the tool which package the file is a module of (its imports of that package are
    its own). Made once per file for both the figures and the rewrite test (issue 26, item 2):
    the findings ``port.rewrite`` returns are its analysis's, equal to the list ``port.scan``
    returns (both are ``analyse(...)[2]``), and that analysis is most of a rewrite's time (86%
    of it over the corpus). The file's project is the one its sdist has (:func:`project`), as
    a run over the unpacked sdist would find it: a package's tests import it as their own.
    Kept between runs where :func:`cache_folder` says, under the file's bytes, its key's path
    and its project's names (what the tool is given); the folder of an older tool is
    dropped when the first result of a new one is written."""
    _asked.add(path)
    made = _made_apart.pop(path, None)
    if made is not None:
        return _restored(made, path)
    folder = cache_folder()
    if folder is None:
        return _run(path)
    entry = _entry(folder, path)
    try:
        return _restored(entry.read_bytes(), path)
    except (OSError, ValueError, KeyError, TypeError, zlib.error):
        pass  # not kept yet, or unreadable: made again
    result = _run(path)
    try:
        _made_folder(folder)
        partial = entry.with_name(f"{entry.name}.{os.getpid()}")
        partial.write_bytes(_stored(result))
        partial.replace(entry)  # whole or absent, whoever reads it
    except OSError:
        pass  # not kept (a full disk, a folder another run dropped): made again next time
    return result


@functools.cache
def tally(part: str) -> Tally:
    total = Tally()
    make_apart(corpus(part))
    for path in corpus(part):
        total.files += 1
        tool: dict[int, set[str]] = {}
        result = ported(path)
        if isinstance(result, port.PortError):
            # Syntax newer than the interpreter running the test (a 3.12 `class Q[T]:` under
            # 3.11) cannot be read: the tool says so and finds nothing, so every entry of the
            # file counts as missed here, as it would for a user on this Python.
            findings = []
            total.notes.append((path.name.removesuffix(".py.txt"), "unreadable", "", str(result)))
        else:
            findings = result[2]
        for finding in findings:
            tool.setdefault(finding.line, set()).add(finding.row or f"?{finding.construct}")
        expected = key(path)
        for line in sorted(set(expected) | set(tool)):
            want, got = expected.get(line, set()), tool.get(line, set())
            where = f"{path.name.removesuffix('.py.txt')}:{line}"
            if not want:
                total.false_alarms += 1
                total.notes.append((where, "false alarm", "", ",".join(sorted(got))))
                continue
            total.entries += len(want)
            right = want & got
            wrong = min(len(want - got), len(got - want))
            total.right += len(right)
            total.wrong += wrong
            if wrong:
                total.notes.append((where, "wrong counterpart", ",".join(sorted(want - got)),
                                    ",".join(sorted(got - want))))
            if len(want - got) > wrong:
                total.notes.append((where, "missed", ",".join(sorted(want - got)),
                                    ",".join(sorted(got))))
    return total


def figures(part: str) -> dict[str, float]:
    t = tally(part)
    return {"files": t.files, "entries": t.entries, "recall": t.recall,
            "wrong counterpart": t.wrong_rate, "false alarms": t.false_alarms}


@pytest.mark.parametrize("part", PARTS)
def test_every_key_names_real_lines_and_known_rows(part: str) -> None:
    """A key that names a line the file lacks, or a row the map lacks, measures nothing."""
    for path in corpus(part):
        lines = path.read_text(encoding="utf-8").splitlines()
        data = key_data(path)
        for change in data.get("change", []):  # a file with nothing to port has no entry
            code = "".join(change["code"].split())
            # the held-out part's failures name its file only (fix its key without reading it)
            assert 1 <= change["line"] <= len(lines), path.name
            assert code, path.name  # an empty code is "on" every line: it would check nothing
            assert code in "".join(lines[change["line"] - 1].split()), path.name
            assert change["row"] in port.ROW_KEYS or change["row"].startswith("NEW: "), path.name


def test_every_corpus_package_has_its_projects_names() -> None:
    """A package the table lacks would be measured with no project: its tests' imports of
    itself flagged (a new part joins: run ``scripts/corpus_projects.py write``)."""
    recorded = projects()
    for part in PARTS:
        for path in corpus(part):
            assert isinstance(project(path), list), path.name
    packages = {str(key_data(path)["package"]).rpartition(" ")[0]
                for part in PARTS for path in corpus(part)}
    assert set(recorded) == packages


def test_the_figures_use_the_projects_names() -> None:
    """aiofiles' own tests import aiofiles: with its sdist's names they are aiofiles' own, and
    nothing of aiofiles is flagged in them (the README's ruling), as the key has it."""
    test = CORPUS / "working" / "aiofiles__tests_threadpool_test_open.py.txt"
    assert project(test) == ["aiofiles"]
    result = ported(test)
    assert not isinstance(result, port.PortError)
    source, _, findings = result
    assert "from aiofiles.threadpool import open" in source
    assert findings and not any(f.row == "aiofiles" for f in findings)
    alone = port.scan(source, str(key_data(test)["path"]), project=[])
    assert any(f.row == "aiofiles" for f in alone)


def test_the_corpus_is_large_enough_and_a_third_is_held_out() -> None:
    working, holdout = len(corpus("working")), len(corpus("holdout"))
    assert working + holdout >= 30
    assert holdout * 3 >= working + holdout - 2


def sentence(part: str) -> str:
    """One part's figures as ``docs/porting.md`` and the README state them."""
    t = tally(part)
    return (f"{t.files} files, {t.entries} constructs to change: recall {t.recall:.1%} "
            f"({t.found} found), wrong counterpart {t.wrong_rate:.1%} ({t.wrong} of "
            f"{t.found}), {t.false_alarms} false alarm{'' if t.false_alarms == 1 else 's'}")


@pytest.mark.parametrize("page", ["docs/porting.md", "README.md"])
def test_the_pages_state_each_parts_figures(page: str) -> None:
    text = " ".join((CORPUS.parent.parent / page).read_text(encoding="utf-8").split())
    for part in PARTS:
        assert sentence(part) in text, part


_NURSERY = re.compile(r"async with trio\.open_nursery\(\)")


@pytest.mark.parametrize("part", PARTS)
def test_the_rewrite_of_every_corpus_file_parses_and_marks_each_nursery(part: str) -> None:
    """Issue 24: across the whole corpus, no rewrite without its TODO. The held-out part too,
    now that it has been measured (a failure names the file and line only)."""
    paths = corpus(part)
    assert paths
    make_apart(paths)
    for path in paths:
        result = ported(path)
        if isinstance(result, port.PortError):
            continue
        source, new, _ = result
        with warnings.catch_warnings():  # a file's own invalid escapes ("\\*" in a docstring)
            warnings.simplefilter("ignore", (DeprecationWarning, SyntaxWarning))
            # (as the tool reads it: a module written for 3.12 or 3.14 parses on 3.11)
            ast.parse(in_older_syntax(new))
        # a file that runs Trio already (dnspython's examples do both) keeps its own nurseries:
        # only the ones the rewrite wrote need its TODO
        own = Counter(line for line in source.splitlines() if _NURSERY.search(line))
        lines = new.splitlines()
        for n, line in enumerate(lines):
            if _NURSERY.search(line):
                if own[line]:
                    own[line] -= 1
                    continue
                assert lines[n - 1].strip() == GATHER_TODO or "TODO(trio)" in lines[n - 1], \
                    (path.name, n)



# The results kept between runs (issue 26, item 2): a kept result is the tool's own, a change
# to the tool is never answered from an old one, and nothing is kept outside ``tasks.py test``.

def _sample() -> list[Path]:
    """Files from both parts, spread over them (every 150th), and the last of each."""
    return [p for part in PARTS for p in corpus(part)[::150] + corpus(part)[-1:]]


def test_a_kept_result_is_the_tools_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "pkg__broken.py.txt"
    broken.write_text("def f(:\n", encoding="utf-8")
    broken.with_name(broken.name + ".toml").write_text(
        'package = "aiohttp 0"\npath = "pkg/broken.py"\n')
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "cache"))
    monkeypatch.delenv("MUTANT_UNDER_TEST", raising=False)
    uncached = ported.__wrapped__
    for path in [*_sample(), broken]:
        fresh = _run(path)
        written, read = uncached(path), uncached(path)  # the first keeps it, the second reads it
        for result in (written, read):
            if isinstance(fresh, port.PortError):
                assert isinstance(result, port.PortError) and str(result) == str(fresh)
            else:
                assert result == fresh, path.name
    assert len(list((tmp_path / "cache" / tool_fingerprint()).glob("*.json.z"))) == \
        len(_sample()) + 1


def _kept_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str,
                cases: list[tuple[str, str, str]]) -> list[list[int]]:
    """The lines of the findings kept and read back for one text given as several corpus
    files: (file name, package, path in its sdist) each."""
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "cache"))
    monkeypatch.delenv("MUTANT_UNDER_TEST", raising=False)
    results = []
    for name, package, where in cases:
        path = tmp_path / name
        path.write_text(source, encoding="utf-8")
        path.with_name(path.name + ".toml").write_text(
            f'package = "{package} 0"\npath = "{where}"\n')
        ported.__wrapped__(path)  # the first keeps it, the second reads it
        result = ported.__wrapped__(path)
        assert not isinstance(result, port.PortError)
        results.append([finding.line for finding in result[2]])
    return results


def test_a_file_is_kept_under_its_path_as_well_as_its_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same bytes at two places in an sdist are two answers: inside aiohttp's own package
    `import aiohttp` is its own module, in an example it is a use of the library."""
    assert _kept_lines(tmp_path, monkeypatch, "import aiohttp\n", [
        ("aiohttp__own.py.txt", "aiohttp", "aiohttp/client.py"),
        ("aiohttp__user.py.txt", "aiohttp", "examples/client.py")]) == [[], [1]]


def test_a_file_is_kept_under_its_projects_names_as_well(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same bytes at the same path in two sdists are two answers: in aiosqlite's tests
    `import aiosqlite` is the package under test, in another package's tests a library."""
    assert _kept_lines(tmp_path, monkeypatch, "import aiosqlite\n", [
        ("aiosqlite__tests_test_db.py.txt", "aiosqlite", "tests/test_db.py"),
        ("aiohttp__tests_test_db.py.txt", "aiohttp", "tests/test_db.py")]) == [[], [1]]


def test_a_kept_result_is_read_and_not_made_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    monkeypatch.delenv("MUTANT_UNDER_TEST", raising=False)
    path = corpus("working")[0]
    ported.__wrapped__(path)
    [entry] = (tmp_path / tool_fingerprint()).glob("*.json.z")
    entry.write_bytes(zlib.compress(json.dumps({"new": "kept", "findings": []}).encode()))
    assert ported.__wrapped__(path)[1:] == ("kept", [])


def test_a_new_tool_drops_the_old_tools_results(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "0123456789abcdef"
    old.mkdir()
    (old / "x.json.z").write_bytes(b"")
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    monkeypatch.delenv("MUTANT_UNDER_TEST", raising=False)
    ported.__wrapped__(corpus("working")[0])
    assert [p.name for p in tmp_path.iterdir()] == [tool_fingerprint()]


def test_nothing_is_kept_without_the_variable_or_in_a_mutation_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_VARIABLE, raising=False)
    assert cache_folder() is None
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    monkeypatch.setenv("MUTANT_UNDER_TEST", "walkthrough.port.names.x_f__mutmut_1")
    assert cache_folder() is None
    ported.__wrapped__(corpus("working")[0])
    assert list(tmp_path.iterdir()) == []


def _fresh_pool_state(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    """A pool from the first file, results kept in ``cache``, nothing made or asked yet."""
    monkeypatch.setenv(CACHE_VARIABLE, str(cache))
    monkeypatch.delenv("MUTANT_UNDER_TEST", raising=False)
    module = sys.modules[__name__]
    monkeypatch.setattr(module, "_made_apart", {})
    monkeypatch.setattr(module, "_asked", set())
    monkeypatch.setattr(module, "POOL_FROM", 1)


@pytest.mark.skipif(_cores() < 2, reason="a pool needs two cores here")
def test_results_made_apart_are_the_ones_made_here_each_kept_and_taken_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh_pool_state(monkeypatch, tmp_path)
    paths = _sample()
    make_apart(paths)
    assert list(_made_apart) == paths
    assert len(list((tmp_path / tool_fingerprint()).glob("*.json.z"))) == len(paths)
    for path in paths:
        fresh, got = _run(path), ported.__wrapped__(path)
        if isinstance(fresh, port.PortError):
            assert isinstance(got, port.PortError) and str(got) == str(fresh)
        else:
            assert got == fresh, path.name
    assert not _made_apart
    make_apart(paths)  # kept now: nothing to make
    assert not _made_apart


def test_nothing_is_made_apart_in_a_mutation_run_or_for_a_few_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh_pool_state(monkeypatch, tmp_path)
    monkeypatch.setenv("MUTANT_UNDER_TEST", "walkthrough.port.names.x_f__mutmut_1")
    make_apart(_sample())
    assert not _made_apart
    monkeypatch.delenv("MUTANT_UNDER_TEST")
    monkeypatch.setattr(sys.modules[__name__], "POOL_FROM", len(_sample()) + 1)
    make_apart(_sample())
    assert not _made_apart and not list(tmp_path.iterdir())


@pytest.mark.parametrize("changed", ["walkthrough/port/names.py", "walkthrough/cli.py",
                                     "docs/concepts.md", "tests/test_port_corpus.py"])
def test_the_fingerprint_changes_with_the_tool_its_map_and_this_harness(
        tmp_path: Path, changed: str) -> None:
    root = CORPUS.parent.parent
    shutil.copytree(root / "walkthrough", tmp_path / "walkthrough",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for page in ("docs/concepts.md", "tests/test_port_corpus.py"):
        (tmp_path / page).parent.mkdir(exist_ok=True)
        shutil.copy(root / page, tmp_path / page)
    before = fingerprint(tmp_path)
    assert before == fingerprint(root)
    with (tmp_path / changed).open("a", encoding="utf-8") as file:
        file.write("\n# one line more\n")
    assert fingerprint(tmp_path) != before


# Issue 24's bar. Neither part meets all of it now. The held-out part (the twelfth, 1459
# files from 643 packages drawn at random), measured at a5e7631e after the tool's round,
# before anyone who worked on the tool read it, and again at 8e5bd2d after a round on the
# working part alone (figures only), met the wrong-counterpart bar (1.999%) and not the
# other two; once the tool read the files written for 3.12 and 3.14 that it had refused
# (test_port_newer_syntax.py), their findings took its wrong counterparts just over the bar
# (2.05%), and the round on the working part's task roles (t17-wrong, merged at 38301ca)
# brought them back under it (1.6%), measured again after the merge (figures only). The
# working part, which the eleventh held-out part (measured once at
# 91.0% recall after the round) joined, meets wrong counterparts only: its recall fell from
# 95.4% to 93.8% when the eleventh joined, and it has false alarms. These marks say so, and
# turn into failures (strict) the day a part meets one, so that the page's sentence about the
# bar must change too.
BAR = {"recall": 0.95, "wrong counterpart": 0.02, "false alarms": 0}
SHORT = pytest.mark.xfail(strict=True, reason="short of issue 24's bar (docs/porting.md, "
                          "'How well it does')")


def parts(*short: str) -> list[Any]:
    return [pytest.param(part, marks=SHORT) if part in short else part for part in PARTS]


@pytest.mark.parametrize("part", parts("working", "holdout"))
def test_recall_of_what_must_change(part: str) -> None:
    recall = tally(part).recall  # a number only: a failure must not show the held-out lines
    assert recall >= BAR["recall"]


@pytest.mark.parametrize("part", PARTS)
def test_wrong_counterparts(part: str) -> None:
    rate = tally(part).wrong_rate
    assert rate <= BAR["wrong counterpart"]


@pytest.mark.parametrize("part", parts("working", "holdout"))
def test_no_false_alarm(part: str) -> None:
    false_alarms = tally(part).false_alarms
    assert false_alarms <= BAR["false alarms"]


def main(part: str) -> None:
    t = tally(part)
    for where, what, want, got in t.notes:
        print(f"{where}: {what}: key {want or '-'}; tool {got or '-'}")
    kinds = Counter(what for _, what, _, _ in t.notes)
    print(f"{part}: {t.files} files, {t.entries} entries; recall {t.recall:.1%}, wrong "
          f"counterpart {t.wrong_rate:.1%} ({t.wrong} of {t.found}), false alarms "
          f"{t.false_alarms}; {dict(kinds)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "working")
