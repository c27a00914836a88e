"""``walkthrough check`` (learner mode) and the exercise skeletons it is meant for."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import load_script
from walkthrough import catalogue
from walkthrough.cli import main
from walkthrough.learner import MIN_DEADLINE, PortProblem, check, load

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken"
VIRTUAL = [lesson for lesson in catalogue.available() if not lesson.real_io]

#: Known-broken modules that ``check`` is not the tool for, and why.
NOT_FOR_CHECK = {
    # Its bug is in mygen_ahead, a Trio-only extra no phase calls; test_asyncgen pins it.
    "asyncgen_yield_in_nursery",
    # An asyncio module (the notebook's global RNG, kept as a reference), not a Trio port.
    "makerandom_global_rng_asyncio",
}


def broken_ports() -> list[object]:
    names = {lesson.name for lesson in VIRTUAL}
    found = []
    for path in sorted(BROKEN.glob("*.py")):
        lesson = path.stem.split("_", 1)[0]
        if lesson in names and path.stem not in NOT_FOR_CHECK:
            found.append(pytest.param(lesson, path, id=path.stem))
    return found


def run_check(capsys: pytest.CaptureFixture[str], lesson: str, path: Path) -> tuple[int, str]:
    """Exit status and everything printed, usage errors (exit 2) included."""
    try:
        status = main(["check", lesson, str(path)])
    except SystemExit as exc:
        status = int(exc.code or 0)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


# -- our own twins pass, the known-broken ports fail -----------------------------------------

@pytest.mark.parametrize("lesson", VIRTUAL, ids=lambda lesson: lesson.name)
def test_our_trio_twins_are_equivalent(lesson: catalogue.Lesson,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run_check(capsys, lesson.name, ROOT / "trio_port" / f"{lesson.name}.py")
    assert status == 0, out
    n = len(lesson.all_cases())
    assert out.count(": equivalent") == n and "NOT" not in out
    assert out.rstrip().endswith("in every case.")


@pytest.mark.parametrize(("lesson", "path"), broken_ports())
def test_known_broken_ports_fail_naming_the_divergence(
    lesson: str, path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    status, out = run_check(capsys, lesson, path)
    assert status == 1, out
    assert "NOT equivalent" in out and "first divergence in phase" in out
    assert "expected:" in out or "got:" in out  # the lines, not just a verdict
    assert "Traceback" not in out


def test_every_known_broken_port_is_accounted_for() -> None:
    """A new broken port is checked by the test above unless it is listed, with a reason."""
    stems = {p.stem for p in BROKEN.glob("*.py")} - {"__init__"}
    network = {s for s in stems if catalogue.get(s.split("_", 1)[0]).real_io}
    assert stems >= NOT_FOR_CHECK
    assert len(broken_ports()) == len(stems - network - NOT_FOR_CHECK)


def test_divergence_is_reported_with_expected_got_and_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out = run_check(capsys, "count", BROKEN / "count_sequential.py")
    assert status == 1
    assert "first divergence in phase 'demo_async' at t=0.00s" in out
    assert "at t=0.00s the reference printed: One Async | One Async | One Async" in out
    assert "at t=0.00s your port printed: One Async" in out
    assert "virtual time" in out


def test_every_case_of_the_shared_tests_is_run(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A port right for the default seed only is caught by the next case."""
    source = (ROOT / "trio_port" / "makerandom.py").read_text()
    old = "    r1, r2, r3 = await main(seed)"
    assert old in source
    port = tmp_path / "my_makerandom.py"
    port.write_text(source.replace(old, "    r1, r2, r3 = await main(444)"))
    status, out = run_check(capsys, "makerandom", port)
    cases = catalogue.get("makerandom").all_cases()
    assert len(cases) >= 2 and cases[0]["seed"] == 444 and cases[1]["seed"] != 444
    assert status == 1
    assert f"case 1/{len(cases)} (seed=444): equivalent" in out
    second = f"(seed={cases[1]['seed']})"
    assert f"case 2/{len(cases)} {second}: NOT equivalent" in out and f"with {second}:" in out


# -- a broken learner module: a clear message, no traceback wall --------------------------------

def write(tmp_path: Path, text: str, name: str = "my_port.py") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


COUNT = (ROOT / "trio_port" / "count.py").read_text()


def test_syntax_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "import trio\n\nasync def demo_async(:\n    pass\n")
    status, out = run_check(capsys, "count", path)
    assert status == 2
    assert f"{path}, line 3: syntax error" in out and "async def demo_async(:" in out
    assert "Traceback" not in out


def test_missing_function(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, COUNT.replace("def demo_sync()", "def demo_sink()"))
    status, out = run_check(capsys, "count", path)
    assert status == 2
    assert "has no function demo_sync" in out and "runs demo_sync, demo_async" in out


def test_exception_at_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "import trio\nx = 1 / 0\n")
    status, out = run_check(capsys, "count", path)
    assert status == 2
    assert "raised ZeroDivisionError: division by zero" in out and "line 2" in out
    assert "Traceback" not in out


def test_exception_while_running(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, COUNT.replace('    print("Two Async")',
                                         '    raise ValueError("oops")'))
    status, out = run_check(capsys, "count", path)
    assert status == 1
    assert "your port raised ValueError: oops" in out
    assert "line 29, in count_async: raise ValueError(\"oops\")" in out
    assert "Traceback" not in out


def test_a_deadlocked_port_is_stopped_on_the_virtual_clock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    path = write(tmp_path, COUNT.replace("await trio.sleep(1)", "await trio.sleep_forever()"))
    status, out = run_check(capsys, "count", path)
    assert status == 1
    assert f"still running after {MIN_DEADLINE:g} virtual seconds" in out


@pytest.mark.parametrize("kind", ["missing", "directory", "not utf-8"])
def test_unreadable_path(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "my_port.py"
    if kind == "directory":
        path.mkdir()
    elif kind == "not utf-8":
        path.write_bytes(b"print('\xff')\n")
    status, out = run_check(capsys, "count", path)
    assert status == 2
    assert ("is a directory" if kind == "directory" else "cannot read") in out
    assert "Traceback" not in out


@pytest.mark.parametrize(("lesson", "message"), [
    ("nope", "unknown lesson 'nope'"),
    ("crawler", "real network I/O"),
])
def test_lesson_errors(lesson: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run_check(capsys, lesson, ROOT / "trio_port" / "count.py")
    assert status == 2 and message in out


def test_load_and_check_as_a_library(tmp_path: Path) -> None:
    lesson = catalogue.get("count")
    module = load(ROOT / "trio_port" / "count.py", lesson)
    assert check(lesson, module, Path("count.py")).equivalent
    with pytest.raises(PortProblem, match="syntax error"):
        load(write(tmp_path, "def (:\n"), lesson)


# -- the exercise skeletons -------------------------------------------------------------------

def test_exercises_are_up_to_date() -> None:
    """exercises/ is what scripts/make_exercises.py makes of trio_port/ now (rerun it)."""
    expected = load_script("make_exercises").expected()
    committed = {p for p in (ROOT / "exercises").glob("*.py")}
    assert committed == set(expected), "run scripts/make_exercises.py"
    for path, text in expected.items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale"


def _functions(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text())
    return [(node.name, ast.unparse(node.args)) for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]


@pytest.mark.parametrize("lesson", [lesson for lesson in catalogue.LESSONS
                                    if lesson.exists("trio")], ids=lambda lesson: lesson.name)
def test_a_skeleton_has_the_twins_signatures_and_no_solution(lesson: catalogue.Lesson) -> None:
    skeleton = ROOT / "exercises" / f"{lesson.name}.py"
    twin = ROOT / "trio_port" / f"{lesson.name}.py"
    assert _functions(skeleton) == _functions(twin)
    text = skeleton.read_text()
    assert "NotImplementedError" in text and "The notebook:" in text
    for node in ast.parse(text).body:
        if isinstance(node, ast.AsyncFunctionDef):  # every async body is left to write
            body = node.body[1:] if ast.get_docstring(node) else node.body
            assert len(body) == 1 and isinstance(body[0], ast.Raise), node.name


@pytest.mark.parametrize("lesson", VIRTUAL, ids=lambda lesson: lesson.name)
def test_an_untouched_skeleton_fails_check_clearly(
    lesson: catalogue.Lesson, capsys: pytest.CaptureFixture[str],
) -> None:
    status, out = run_check(capsys, lesson.name, ROOT / "exercises" / f"{lesson.name}.py")
    assert status == 1
    assert "your port raised NotImplementedError: write " in out
    assert "Traceback" not in out
