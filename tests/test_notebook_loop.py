"""The learner's loop in a notebook (issue 25, items 1 and 2): a copy of one's own, filled in,
checked by ``%%check`` in the notebook, and the suite still green.

``walkthrough notebook IMPL`` copies the tracked exercises notebook out of the tracked files;
:mod:`walkthrough.notebook_magic` gives the notebooks ``%%check LESSON``, which checks a cell
through the same child-process check as ``walkthrough check``. The kernel tests run a real
kernel (nbclient and ipykernel), as few as possible: each runs many cells in one kernel.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.conftest import load_script
from tests.test_notebooks import NOTEBOOKS, REAL, ROOT, VIRTUAL, VIRTUAL_SYNC, text_of
from walkthrough import catalogue, cli, notebook_magic
from walkthrough.commands import notebook as notebook_verb

make_notebooks = load_script("make_notebooks")


def solution(impl: str, lesson: str) -> str:
    """The lesson's twin as the notebook's cell has it (no ``__main__`` block)."""
    return make_notebooks._code(impl, "solved", lesson)


def skeleton(impl: str, lesson: str) -> str:
    return make_notebooks._code(impl, "exercises", lesson)


# -- the verb: a copy of one's own -------------------------------------------------------------

@pytest.mark.parametrize("impl", catalogue.IMPLS)
def test_the_verb_writes_a_copy_outside_the_tracked_files(
        impl: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "mine"
    assert cli.main(["notebook", impl, "--dir", str(folder)]) == 0
    target = folder / f"{impl}-exercises.ipynb"
    out = capsys.readouterr().out
    assert f"wrote {target}" in out and "jupyter lab" in out
    assert notebook_verb.venv_tool(Path(sys.executable).name) in out
    copy = nbformat.read(target, as_version=4)
    nbformat.validate(copy)
    tracked = nbformat.read(NOTEBOOKS / f"{impl}-exercises.ipynb", as_version=4)
    # Every cell as tracked, but the first, which says whose copy it is and how to check.
    assert [c.source for c in copy.cells[1:]] == [c.source for c in tracked.cells[1:]]
    intro = copy.cells[0].source
    assert "Your own copy" in intro and "%%check LESSON" in intro
    assert "do not edit" not in intro.lower() and "regenerate" not in intro


def test_the_verb_never_overwrites_a_copy_unless_forced(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "trio-exercises.ipynb"
    assert cli.main(["notebook", "trio", "--dir", str(tmp_path)]) == 0
    target.write_text(target.read_text(encoding="utf-8").replace("write main_sync", "MINE"),
                      encoding="utf-8")
    with pytest.raises(SystemExit) as refused:
        cli.main(["notebook", "trio", "--dir", str(tmp_path)])
    assert refused.value.code == 2
    assert "exists" in capsys.readouterr().err and "MINE" in target.read_text(encoding="utf-8")
    assert cli.main(["notebook", "trio", "--dir", str(tmp_path), "--force"]) == 0
    assert "MINE" not in target.read_text(encoding="utf-8")


def test_the_verb_refuses_a_file_as_its_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--dir`` naming a file: said as such (not "cannot write ...: File exists"), exit 2."""
    afile = tmp_path / "notes.txt"
    afile.write_text("mine\n", encoding="utf-8")
    with pytest.raises(SystemExit) as refused:
        cli.main(["notebook", "trio", "--dir", str(afile)])
    assert refused.value.code == 2
    assert f"--dir {afile} is a file, not a folder" in capsys.readouterr().err
    assert afile.read_text(encoding="utf-8") == "mine\n"


def test_the_verbs_hint_names_this_pythons_jupyter_from_any_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Run outside the repository, the hint is no relative ``.venv/bin/jupyter`` that does not
    exist there: it is the one next to the Python that runs the verb, a path that works from
    the current folder."""
    monkeypatch.chdir(tmp_path)
    assert cli.main(["notebook", "trio"]) == 0
    lines = capsys.readouterr().out.splitlines()
    launch = next(line.split() for line in lines if " lab " in line)
    assert launch[1:3] == ["lab", str(Path("my_notebooks") / "trio-exercises.ipynb")]
    jupyter = Path(launch[0])
    assert jupyter == Path(sys.executable).parent / "jupyter"  # absolute: not under tmp_path
    kernel = next(line for line in lines if "VS Code" in line)
    assert f"pick {sys.executable} as the kernel" in kernel
    # And from the folder that holds the venv, the short relative form.
    venv_bin = Path(sys.executable).parent
    monkeypatch.chdir(venv_bin.parent.parent)
    assert notebook_verb.venv_tool("jupyter") == str(
        Path(venv_bin.parent.name, venv_bin.name, "jupyter"))


def test_the_verb_says_where_the_notebooks_are_when_installed_without_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Installed from a wheel, the package has no notebooks/ next to it: one line, exit 2,
    nothing written."""
    monkeypatch.setattr(notebook_verb, "NOTEBOOKS", tmp_path / "no-such-folder")
    with pytest.raises(SystemExit) as refused:
        cli.main(["notebook", "trio", "--dir", str(tmp_path / "mine")])
    assert refused.value.code == 2
    assert "source repository (notebooks/)" in capsys.readouterr().err
    assert not (tmp_path / "mine").exists()


def test_the_default_folder_is_ignored_by_git(tmp_path: Path) -> None:
    """``my_notebooks/`` (the verb's default) shows in no ``git status``."""
    assert Path("my_notebooks") == notebook_verb.DEFAULT_DIR
    probe = "my_notebooks/trio-exercises.ipynb"
    done = subprocess.run(["git", "check-ignore", "-q", probe], cwd=ROOT, check=False)
    assert done.returncode == 0, f"{probe} is not ignored by .gitignore"
    done = subprocess.run(["git", "check-ignore", "-q", "notebooks/trio-exercises.ipynb"],
                          cwd=ROOT, check=False)
    assert done.returncode == 1  # the tracked ones are not


# -- the magic, without a kernel -----------------------------------------------------------------

def test_the_magic_line_is_read_as_the_verb_reads_its_arguments() -> None:
    args = notebook_magic.parse_line("count --impl asyncio --timeout 3")
    assert (args.lesson.name, args.impl, args.timeout) == ("count", "asyncio", 3.0)
    assert notebook_magic.parse_line("queue").impl == "trio"  # the verb's default
    for bad, why in [("", "usage"), ("nope", "unknown lesson"), ("count --impl curio", "curio"),
                     ("count --timeout 0", "positive"), ("count extra", "unrecognised")]:
        with pytest.raises(ValueError, match=why):
            notebook_magic.parse_line(bad)


def test_the_file_checked_is_the_cell_with_the_twins_script_block() -> None:
    """Line N of the file is line N of the cell (the magic's line is a comment), and the
    script block the notebook leaves out is the twin's own, so a check that runs the file as
    a script runs what ``cp exercises/...`` would have given."""
    lesson = catalogue.get("count")
    cell = solution("trio", "count")
    text = notebook_magic.cell_file("count", cell, lesson, "trio")
    lines = text.splitlines()
    assert lines[0] == "# %%check count" and lines[1:len(cell.splitlines()) + 1] == \
        cell.splitlines()
    twin = (ROOT / "trio_port" / "count.py").read_text(encoding="utf-8")
    block = twin[twin.index('if __name__ == "__main__":'):]
    assert text.endswith(block)
    # A cell that has its own block keeps it, alone.
    own = cell + '\n\nif __name__ == "__main__":\n    print("mine")\n'
    assert notebook_magic.cell_file("count", own, lesson, "trio").count("__main__") == 1


def test_the_kernel_runs_the_cell_without_its_main_block() -> None:
    """A cell with the lesson's ``if __name__ == "__main__":`` block (the whole
    ``my_count.py`` pasted, as ``exercises/`` has it) is checked with it, but the kernel runs
    the cell without it (``__name__`` is ``"__main__"`` there, and argparse would read the
    kernel's argv): blank lines in its place, so the cell's line numbers stay; a cell without
    one runs as written."""
    lesson = catalogue.get("count")
    whole = (ROOT / "trio_port" / "count.py").read_text(encoding="utf-8")
    assert whole.count('if __name__ == "__main__":') == 1
    assert notebook_magic.cell_file("count", whole, lesson, "trio").endswith(whole)
    run, dropped = notebook_magic.without_main_block(whole)
    assert dropped and "__main__" not in run and "argparse.ArgumentParser" not in run
    assert run.count("\n") == whole.count("\n")
    kept = whole[:whole.index('if __name__ == "__main__":')]
    assert run.startswith(kept) and run[len(kept):].strip() == ""
    # A block in the middle, an `else:` included: the lines after it keep their numbers.
    middle = "a = 1\nif __name__ == '__main__':\n    a = 2\nelse:\n    a = 3\nb = a\n"
    assert notebook_magic.without_main_block(middle) == ("a = 1\n\n\n\n\nb = a\n", True)
    for plain in (solution("trio", "count"), "def broken(:\n", "if x:\n    y = 1\n"):
        assert notebook_magic.without_main_block(plain) == (plain, False)


def test_the_report_names_the_cell_not_the_temporary_file(tmp_path: Path) -> None:
    """The temporary file is gone when the report is read: "this cell" stands for it; the
    other framework's check is the magic's line; a script's command keeps the file's name."""
    lesson = catalogue.get("count")
    path = tmp_path / "my_count.py"
    report = (f"checking {path} (Trio port) against asyncio_ref/count.py\n"
              f"    at {path}, line 40, in count_async: x\n"
              "hint: your file imports asyncio and not trio, and it was checked as a Trio port: "
              "did you mean --impl asyncio?\n"
              f"    walkthrough check count {path} --impl asyncio\n"
              f"NOT equivalent: run as a script, `python {path} --help` does not answer\n"
              f"importing {path} raised ValueError")
    assert notebook_magic.as_this_cell(report, path, lesson) == (
        "checking this cell (Trio port) against asyncio_ref/count.py\n"
        "    at this cell, line 40, in count_async: x\n"
        "hint: your cell imports asyncio and not trio, and it was checked as a Trio port: "
        "did you mean --impl asyncio?\n"
        "    %%check count --impl asyncio\n"
        "NOT equivalent: run as a script, `python my_count.py --help` does not answer\n"
        "importing this cell raised ValueError")


def test_a_top_level_await_in_a_checked_cell_gets_a_hint() -> None:
    """``await demo_async()`` at a cell's top level is a syntax error in a module: the check
    cannot import it, and says where the run goes instead."""
    lesson = catalogue.get("count")
    args = notebook_magic.parse_line("count")
    cell = solution("trio", "count") + "\nawait demo_async()\n"
    status, text = notebook_magic.check_source(
        args, notebook_magic.cell_file("count", cell, lesson, "trio"))
    line = len(cell.splitlines()) + 1  # the magic's line is line 1
    assert status == notebook_magic.CANNOT_CHECK
    assert text.startswith(f"this cell, line {line}: syntax error: 'await' outside function")
    assert text.endswith(notebook_magic.AWAIT_HINT) and "run cell" in text
    # Any other syntax error: no such hint.
    status, text = notebook_magic.check_source(args, "def broken(:\n")
    assert status == notebook_magic.CANNOT_CHECK and "hint" not in text


# -- through a real kernel -------------------------------------------------------------------------

def run_notebook(nb: nbformat.NotebookNode, cwd: Path, env: dict[str, str] | None = None,
                 ) -> None:
    """Execute ``nb`` in place in a real kernel, errors allowed (a learner's run cells raise)."""
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=240, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(cwd)}})
    if env is None:
        client.execute()
        return
    saved = os.environ.copy()
    os.environ.clear()
    os.environ.update(env)  # what the kernel inherits
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def printed(cell: Any) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


SLIP = "await asyncio.sleep(1)"


def unfinished(report: str) -> bool:
    """The check's verdict on a skeleton: not equivalent, its bodies still to write."""
    return ("NOT equivalent" in report and "still the skeleton's" in report
            and "NotImplementedError" in report)


@pytest.mark.timeout(300)
def test_check_a_cell_in_a_real_kernel_started_without_the_venv_on_path(tmp_path: Path) -> None:
    """One kernel, started with a PATH that has no ``walkthrough`` (a Jupyter run as
    ``.venv/bin/jupyter``, the venv not activated): ``%%check`` says equivalent for a solution,
    NOT equivalent and why for a slip, unfinished for the skeleton, and refuses a bad line;
    the cell itself still runs, so the cells after it use what it defines."""
    slip = solution("trio", "count").replace("await trio.sleep(1)", SLIP).replace(
        "import trio\n", "import asyncio\n\nimport trio\n", 1)
    assert SLIP in slip
    cells = [
        "import shutil\nprint(shutil.which('walkthrough'))",
        make_notebooks.LOAD_CHECK,
        "%autoawait trio",
        f"%%check count\n{solution('trio', 'count')}",
        "print(callable(main_async))",
        f"%%check count\n{slip}",
        f"%%check count\n{skeleton('trio', 'count')}",
        f"%%check count --impl asyncio\n{solution('asyncio', 'count')}",
        "%%check nope\nx = 1",
        "%%check count --timeout 0\nx = 1",
        # The loop on one line: a two-line loop is stopped on either of its lines (3.11 names the
        # NOP of a "pass" now and then), and the report names the line the stop came on.
        "%%check count --timeout 1\nstuck = True\nwhile stuck: pass",
        "print('stuck' in dir())",
        # The whole my_count.py pasted, its __main__ block included (F6 of the review).
        "del main_async",
        f"%%check count\n{(ROOT / 'trio_port' / 'count.py').read_text(encoding='utf-8')}",
        "print(callable(main_async))",
        f"%%check count\n{solution('trio', 'count')}\nawait demo_async()",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in cells])
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    assert not any(Path(d, "walkthrough").exists() for d in env["PATH"].split(os.pathsep))
    run_notebook(nb, tmp_path, env)
    out = [printed(c) for c in nb.cells]
    assert out[0] == "None\n"  # no walkthrough on the kernel's PATH
    assert "equivalent: your port prints the same lines" in out[3]
    assert "NOT equivalent" not in out[3] and out[3].startswith("checking this cell (Trio port)")
    # The reports name the cell, never the temporary file the check wrote.
    assert not [o for o in out if "walkthrough-cell-" in o or "my_count.py (" in o]
    assert out[4] == "True\n"  # the cell ran, as a cell without the magic would
    assert "NOT equivalent" in out[5] and "no running event loop" in out[5]
    # The line of the slip, as the notebook numbers the cell's lines (the magic's is line 1).
    line = cells[5].splitlines().index(f"    {SLIP}") + 1
    assert f"at this cell, line {line}, in count_async: {SLIP}" in out[5]
    assert unfinished(out[6]) and "write main_sync" in out[6]
    assert "equivalent: your port prints" in out[7] and "(asyncio port)" in out[7]
    # A bad magic line: IPython's one-line "UsageError: ...", and the cell does not run.
    errors = [text_of(c.outputs) for c in nb.cells[8:]]
    assert errors[0].startswith("UsageError: unknown lesson 'nope'")
    assert errors[1].startswith("UsageError: --timeout must be positive")
    assert not [o for c in nb.cells[:8] for o in c.outputs if o.output_type == "error"]
    # A loop at import: the check stops it and says so, and the kernel does not run it.
    # (After the report's first line, printed as the check starts, as the verb prints it.)
    assert out[10].startswith("checking ") and out[10].count("\ncannot check: ") == 1
    assert "line 3" in out[10] and "the cell was not run" in out[10], out[10]
    assert out[11] == "False\n"
    # The pasted my_count.py: equivalent (its block checked as a script), then run without
    # the block: no SystemExit from argparse reading the kernel's argv, and defined again.
    assert "equivalent: your port prints the same lines" in out[13]
    assert "NOT equivalent" not in out[13] and "and does the same run as a script" in out[13]
    assert out[13].rstrip("\n").endswith(notebook_magic.BLOCK_NOT_RUN)
    assert "usage:" not in out[13] and out[14] == "True\n"
    assert not [o for c in nb.cells[12:15] for o in c.outputs if o.output_type == "error"]
    # A top-level await: cannot check, where the run goes instead, and not run.
    assert "cannot check: this cell, line" in out[15] and "'await' outside function" in out[15]
    assert notebook_magic.AWAIT_HINT in out[15] and "the cell was not run" in out[15]
    assert not [o for o in nb.cells[15].outputs if o.output_type == "error"]


@pytest.mark.timeout(300)
def test_the_learners_loop_copy_fill_in_check_and_the_suite_stays_green(tmp_path: Path) -> None:
    """The loop of issue 25: ``walkthrough notebook trio`` into a folder of one's own, the
    count cell filled in with a solution, the notebook saved and run through a real kernel:
    ``%%check`` says equivalent for it (and unfinished for the lessons not done yet), its run
    cells print the lesson, and the tracked notebooks are untouched, so the freshness test
    still passes."""
    from tests.test_notebooks import test_the_notebooks_are_generated_from_the_twins_and_fresh

    tracked = {p: p.read_bytes() for p in NOTEBOOKS.glob("*.ipynb")}
    assert subprocess.run([sys.executable, "-m", "walkthrough", "notebook", "trio", "--dir",
                           str(tmp_path / "mine")], check=False,
                          capture_output=True).returncode == 0
    copy = tmp_path / "mine" / "trio-exercises.ipynb"
    nb = nbformat.read(copy, as_version=4)
    cell = next(c for c in nb.cells if c.source.startswith("%%check count\n"))
    cell.source = f"%%check count\n{solution('trio', 'count')}"
    nbformat.write(nb, copy)  # the learner saves

    # Run it as the learner would, plus the suite's test-only cells after the setup: the
    # virtual clocks (the run cells print in no time; %%check cells keep the real ones),
    # then the real ones again for the crawler's demo site.
    nb = nbformat.read(copy, as_version=4)
    setup = next(k for k, c in enumerate(nb.cells) if c.source == "%autoawait trio")
    nb.cells[setup + 1:setup + 1] = [nbformat.v4.new_code_cell(VIRTUAL_SYNC.format(
        root=str(ROOT))), nbformat.v4.new_code_cell(VIRTUAL["trio"])]
    crawler = next(k for k, c in enumerate(nb.cells) if c.source.startswith("## 002.007"))
    nb.cells.insert(crawler, nbformat.v4.new_code_cell(REAL))
    run_notebook(nb, tmp_path / "mine")
    checks = {c.source.splitlines()[0].split()[1]: printed(c) for c in nb.cells
              if c.source.startswith("%%check")}
    assert set(checks) == {lesson.name for lesson in catalogue.LESSONS}
    assert "equivalent: your port prints the same lines" in checks.pop("count")
    # The server's check is a scripted session of clients, with a report of its own.
    assert "NOT equivalent" in checks.pop("server")
    for lesson, report in checks.items():
        assert unfinished(report), (lesson, report)
    count_runs = [printed(c) for c in nb.cells
                  if c.metadata.get("walkthrough", {}).get("lesson") == "count"]
    assert count_runs == ["One Sync\nTwo Sync\n" * 3 + "sync version executed in 3.00 seconds.\n",
                          "One Async\n" * 3 + "Two Async\n" * 3
                          + "async version executed in 1.00 seconds.\n"]
    nbformat.write(nb, copy)  # saved again, with its outputs

    assert {p: p.read_bytes() for p in NOTEBOOKS.glob("*.ipynb")} == tracked
    test_the_notebooks_are_generated_from_the_twins_and_fresh()


@pytest.mark.timeout(120)
def test_check_server_in_a_cell_gives_its_first_line_at_once() -> None:
    """``%%check server`` says the check began before the server's session runs, as the verb
    does (a server that never awaits holds the rest for ``--timeout``), and once only: the
    report that follows leaves the announced line out. A cell that does not parse announces
    nothing and cannot be checked."""
    lesson = catalogue.get("server")
    announced: list[str] = []
    args = notebook_magic.parse_line("server --timeout 5")
    source = notebook_magic.cell_file("server", skeleton("trio", "server"), lesson, "trio")
    status, text = notebook_magic.check_source(args, source, announced.append)
    assert len(announced) == 1 and announced[0].startswith("checking ")
    assert "scripted session" in announced[0]
    assert status == 1 and text.startswith("NOT equivalent") and announced[0] not in text
    announced.clear()
    status, text = notebook_magic.check_source(args, "def broken(:\n", announced.append)
    assert announced == [] and status == notebook_magic.CANNOT_CHECK
