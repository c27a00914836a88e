"""The check's child process, called in this process: the slips mutmut planted in child.py.

``scripts/mutation.py walkthrough/learner/child.py`` (issue 27, ``docs/mutation.md``).
``walkthrough check`` runs :func:`walkthrough.learner.child.child_main` in a child process
(``python -m walkthrough.learner``), where mutmut cannot see what a test reaches, and the
command's tests look for a few words of each message. The tests here call ``child_main`` in
the test process, with ``os._exit`` replaced by an exception (the real one would end pytest),
one per kind of slip:

* the result: written whole to ``result.json`` through ``result.tmp`` (none left), the status
  and the report's text, and the process ended with status 0;
* the path in messages: as the learner typed it when it names the same file, else the full one;
  the port's own folder importable (a helper module beside it);
* a port that rewires a watched module at import (cannot check, at most five names) or while
  it runs (NOT equivalent);
* threads left running (daemon threads are not), their names cut, at most three;
* warnings: each distinct one once, at most five, a never-awaited skeleton stub left out;
* the progress notes (the garbage collection under the watch, then the checker's report);
* the crawler: checked by :func:`check_crawler` (no reference traces), and NOT equivalent
  while a needed function is still the skeleton's;
* the command line: exactly six arguments.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trio.testing

from walkthrough.learner import child
from walkthrough.learner.explain import clean
from walkthrough.learner.guard import REPORTING, _Watch
from walkthrough.learner.report import (
    CANNOT_CHECK,
    EQUIVALENT,
    NOT_EQUIVALENT,
    unfinished_note,
)

ROOT = Path(__file__).resolve().parent.parent
COUNT_TRIO = (ROOT / "trio_port" / "count.py").read_text(encoding="utf-8")
PORT_NAME = "learner_count_port"


class _Exited(Exception):
    """``os._exit`` called: the child would have ended here."""


@pytest.fixture
def run_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
              ) -> Iterator[Callable[..., tuple[dict[str, Any], list[int], Path]]]:
    """``child_main`` in this process: (the result, the exit statuses, the work folder)."""
    watches: list[_Watch] = []

    class Recording(_Watch):
        def __init__(self, directory: Path, limit: float) -> None:
            super().__init__(directory, limit)
            watches.append(self)

    exits: list[int] = []

    def fake_exit(status: int) -> None:
        exits.append(status)
        raise _Exited

    monkeypatch.setattr(os, "_exit", fake_exit)
    monkeypatch.setattr(child, "_Watch", Recording)
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)

    def run(source: str, *, lesson: str = "count", impl: str = "trio", shown: str | None = None,
            name: str = "my_port.py") -> tuple[dict[str, Any], list[int], Path]:
        port = tmp_path / name
        port.write_text(source, encoding="utf-8")
        work = tmp_path / "work"
        work.mkdir(exist_ok=True)
        with warnings.catch_warnings(), pytest.raises(_Exited):
            child.child_main([lesson, impl, str(port), shown or str(port), str(work), "30"])
        result = json.loads((work / "result.json").read_text(encoding="utf-8"))
        return result, exits, work

    yield run
    for watch in watches:
        watch._dump.close()
        watch._progress.close()
    for name in set(sys.modules) - before:
        if name == PORT_NAME or name.startswith("m9g_"):
            del sys.modules[name]


def test_an_equivalent_port_is_written_whole_and_the_child_ends_with_status_zero(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    result, exits, work = run_child(COUNT_TRIO)
    assert result["status"] == EQUIVALENT
    assert set(result) == {"status", "text"}
    assert result["text"].startswith(f"checking {work.parent / 'my_port.py'} (Trio port)")
    assert "NOT equivalent" not in result["text"] and "warning" not in result["text"]
    assert exits == [0]
    assert not (work / "result.tmp").exists()
    # The garbage collection is under the watch, then the last note hands the time over.
    # Every run of the port's code is under the wall-clock watch, each noted for the parent:
    # the import, each phase of each case, each script run; then the garbage collection, and
    # last the note that hands the time over to the checker's report.
    notes = (work / "progress.txt").read_text(encoding="utf-8").splitlines()
    assert notes == [
        "import",
        "case 1/1 (no parameters), phase demo_sync",
        "case 1/1 (no parameters), phase demo_async",
        "the script run `python my_port.py` (your file's __main__ block)",
        "the script run `python my_port.py --help` (your file's __main__ block)",
        "the script run `python my_port.py --no-such-option` (your file's __main__ block)",
        "garbage collection, after your port ran",
        REPORTING]


def test_the_path_is_shown_as_typed_only_when_it_names_the_same_file(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    broken = "import trio\ndef count_sync(:\n"
    monkeypatch.chdir(tmp_path)
    result, _, _ = run_child(broken, shown="my_port.py")
    assert result["status"] == CANNOT_CHECK
    assert "my_port.py" in result["text"] and str(tmp_path) not in result["text"]
    # A shown path that is another file: the real one is named, in full.
    (tmp_path / "other.py").write_text(broken, encoding="utf-8")
    result, _, _ = run_child(broken, shown="other.py")
    assert str(tmp_path / "my_port.py") in result["text"]
    assert "other.py" not in result["text"]


def test_a_module_beside_the_port_can_be_imported(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]], tmp_path: Path) -> None:
    (tmp_path / "m9g_helper.py").write_text("WORD = 'Sync'\n", encoding="utf-8")
    source = COUNT_TRIO.replace("import trio\n", "import trio\nfrom m9g_helper import WORD\n", 1)
    source = source.replace('print("One Sync")', 'print(f"One {WORD}")')
    result, _, _ = run_child(source)
    assert result["status"] == EQUIVALENT, result["text"]


REWIRED = sorted(k for k in vars(trio.testing) if not k.startswith("_"))[:6]


def test_a_port_that_rewires_trio_at_import_cannot_be_checked_and_five_names_are_said(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in REWIRED:
        monkeypatch.setattr(trio.testing, name, getattr(trio.testing, name))
    source = COUNT_TRIO + (
        "\nimport trio.testing\n"
        f"for _n in {REWIRED!r}:\n"
        "    setattr(trio.testing, _n, lambda *a: None)\n")
    result, exits, _ = run_child(source)
    assert result["status"] == CANNOT_CHECK
    assert exits == [0]
    text = result["text"]
    named = [n for n in REWIRED if f"trio.testing.{n}" in text]
    assert len(named) == 5
    listed = ", ".join(f"trio.testing.{n}" for n in
                       [k for k in vars(trio.testing) if k in named])
    assert text == (f"importing {tmp_path / 'my_port.py'} replaced {listed}: the check cannot "
                    "trust a program that rewires the framework it runs on")


def test_a_port_that_rewires_trio_while_it_runs_is_not_equivalent(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in REWIRED:
        monkeypatch.setattr(trio.testing, name, getattr(trio.testing, name))
    source = COUNT_TRIO.replace(
        "    s = trio.current_time()\n",
        "    import trio.testing\n"
        f"    for _n in {REWIRED!r}:\n"
        "        setattr(trio.testing, _n, lambda *a: None)\n"
        "    s = trio.current_time()\n")
    result, _, _ = run_child(source)
    assert result["status"] == NOT_EQUIVALENT
    line = next(x for x in result["text"].splitlines() if "while it ran" in x)
    named = [k for k in vars(trio.testing) if k in REWIRED][:5]
    assert line == ("NOT equivalent: your port replaced "
                    f"{', '.join(f'trio.testing.{n}' for n in named)} while it ran")


def test_threads_left_running_are_named_cut_and_at_most_three(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    source = COUNT_TRIO + (
        "\nimport threading\n"
        "STOP = threading.Event()\n"
        "for _i in range(4):\n"
        "    threading.Thread(target=STOP.wait, name=f'worker{_i}-' + 'x' * 50).start()\n"
        "threading.Thread(target=STOP.wait, name='daemon-one', daemon=True).start()\n")
    try:
        result, _, _ = run_child(source)
    finally:
        sys.modules[PORT_NAME].STOP.set()
    assert result["status"] == NOT_EQUIVALENT
    line = next(x for x in result["text"].splitlines() if "thread(s) running" in x)
    assert line.startswith("NOT equivalent: your module left 4 thread(s) running (worker")
    assert line.endswith("): the real program would never exit (a non-daemon thread keeps "
                         "Python alive)")
    assert "daemon-one" not in line
    assert line.count("worker") == 3 and "worker3" not in line
    # Each name cut to 40 columns (clean's own cut): its start kept, the rest counted.
    names = ", ".join(clean(f"worker{i}-" + "x" * 50, 40) for i in range(3))
    assert f"({names})" in line and "x" * 50 not in line


def test_each_distinct_warning_is_reported_once_and_at_most_five(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    source = COUNT_TRIO.replace(
        "    s = trio.current_time()\n",
        "    import warnings\n"
        "    for _i in (0, 0, 1, 2, 3, 4, 5):\n"
        "        warnings.warn(f'm9g number {_i}', stacklevel=1)\n"
        "    s = trio.current_time()\n")
    result, _, _ = run_child(source)
    assert result["status"] == NOT_EQUIVALENT
    said = [x for x in result["text"].splitlines() if x.startswith("warning from your port: ")]
    assert said == [f"warning from your port: UserWarning: m9g number {i}" for i in range(5)]


def test_a_never_awaited_stub_is_not_reported_but_a_forgotten_await_is_with_its_hint(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    source = COUNT_TRIO.replace(
        "    s = trio.current_time()\n",
        "    stub()\n"
        "    written()\n"
        "    s = trio.current_time()\n") + (
        "\n\nasync def stub() -> None:\n"
        "    raise NotImplementedError\n"
        "\n\nasync def written() -> None:\n"
        "    pass\n")
    result, _, _ = run_child(source)
    text = result["text"]
    assert "'stub' was never awaited" not in text
    said = [x for x in text.splitlines() if x.startswith("warning from your port: ")]
    assert said == ["warning from your port: RuntimeWarning: coroutine 'written' was never "
                    "awaited"]
    following = text.splitlines()[text.splitlines().index(said[0]) + 1]
    assert following.startswith("    hint: ")


def test_a_warning_with_no_hint_has_no_hint_line(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    source = COUNT_TRIO.replace(
        "    s = trio.current_time()\n",
        "    import warnings\n"
        "    warnings.warn('m9g plain', stacklevel=1)\n"
        "    s = trio.current_time()\n")
    result, _, _ = run_child(source)
    lines = result["text"].splitlines()
    at = lines.index("warning from your port: UserWarning: m9g plain")
    assert at == len(lines) - 1 or not lines[at + 1].startswith("    hint:")


@pytest.mark.parametrize(("source", "status", "unfinished"), [
    ("exercises/trio/crawler.py", NOT_EQUIVALENT, True),
    ("trio_port/crawler.py", EQUIVALENT, False),
])
def test_the_crawler_is_checked_offline_and_its_unfinished_functions_named(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]],
        monkeypatch: pytest.MonkeyPatch, source: str, status: int, unfinished: bool) -> None:
    crawled: list[tuple[str, Path]] = []

    def fake_crawl(module: Any, path: Path, impl: str, workdir: Path,
                   watch: Any = None) -> tuple[int, str]:
        crawled.append((impl, workdir))
        assert module.__name__ == "learner_crawler_port" and callable(module.crawl)
        assert path == workdir.parent / "my_crawler.py"
        assert isinstance(watch, _Watch)
        return EQUIVALENT, "the crawl's report"

    def no_references(*args: Any) -> Any:
        raise AssertionError("the crawler has no reference traces")

    monkeypatch.setattr(child, "check_crawler", fake_crawl)
    monkeypatch.setattr(child, "references", no_references)
    try:
        result, exits, work = run_child((ROOT / source).read_text(encoding="utf-8"),
                                        lesson="crawler", name="my_crawler.py")
    finally:
        sys.modules.pop("learner_crawler_port", None)
    assert crawled == [("trio", work)]
    assert exits == [0]
    assert result["status"] == status
    if unfinished:
        head, note = result["text"].split("\n", 1)
        assert head == "the crawl's report"
        assert note.startswith(unfinished_note(["x"]).split("(write")[0])
        assert "make_client" in note and "categorise" in note
    else:
        assert result["text"] == "the crawl's report"


def test_the_watched_modules_are_snapshotted_and_a_replacement_named(
        monkeypatch: pytest.MonkeyPatch) -> None:
    before = child._snapshot()
    assert set(before) == {"trio", "trio.testing", "asyncio", "time", "builtins"}
    assert "run" in before["trio"] and "sleep" in before["time"]
    assert not any(k.startswith("_") for names in before.values() for k in names)
    assert child._changed(before) == []
    monkeypatch.setattr(time, "monotonic", lambda: 0.0)
    monkeypatch.setattr(trio, "sleep", trio.sleep)  # the same object: not a change
    assert child._changed(before) == ["time.monotonic"]


def test_the_command_line_is_exactly_six_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["count", "trio", "/a/b.py", "b.py", "/work", "30"]
    assert child._parse(args) == args
    for wrong in (args[:5], [*args, "x"]):
        with pytest.raises(SystemExit) as exc:
            child._parse(wrong)
        assert exc.value.code == 2
        assert capsys.readouterr().err.startswith("usage: python -m walkthrough.learner ")


def test_a_thread_started_and_ended_is_not_reported(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    source = COUNT_TRIO + (
        "\nimport threading\n"
        "_t = threading.Thread(target=lambda: None, name='m9g-short')\n"
        "_t.start()\n_t.join()\n")
    result, _, _ = run_child(source)
    assert result["status"] == EQUIVALENT, result["text"]


def test_the_main_thread_is_never_counted(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    result, _, _ = run_child(COUNT_TRIO)
    assert "thread(s) running" not in result["text"]
    assert threading.main_thread().is_alive()


# -- walkthrough/learner/script.py: the port run as a script and its defaults ------------------

MAIN = 'if __name__ == "__main__":'


def twin(lesson: str, impl: str) -> str:
    package = "trio_port" if impl == "trio" else "asyncio_ref"
    return (ROOT / package / f"{lesson}.py").read_text(encoding="utf-8")


def with_block(source: str, block: str) -> str:
    """``source`` with its ``__main__`` block replaced by ``block`` (none if empty)."""
    return source[:source.index(MAIN)] + block


def notes(text: str) -> list[str]:
    return [x for x in text.split("\n") if x.startswith(("NOT equivalent", "  "))]


ARGPARSE = "\n    import argparse\n    argparse.ArgumentParser().parse_args()\n"


def test_a_file_with_no_main_block_would_do_nothing_as_a_script(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    result, _, _ = run_child(with_block(twin("count", "trio"), ""))
    assert result["status"] == NOT_EQUIVALENT
    assert notes(result["text"])[-1] == (
        "NOT equivalent: no `if __name__ == '__main__':` block: python your_file.py would do "
        "nothing, while python -m asyncio_ref.count runs the lesson (the skeleton in "
        "exercises/trio/count.py has the block: copy it back)")


def test_a_top_level_call_instead_of_the_block_is_named_by_its_line(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]],
        capsys: pytest.CaptureFixture[str]) -> None:
    source = with_block(twin("count", "asyncio"), "x = 1\nasyncio.run(demo_async())\n")
    line = source.count("\n")  # the call is the last line
    result, _, _ = run_child(source, impl="asyncio")
    capsys.readouterr()  # what the import printed
    assert notes(result["text"])[-1] == (
        f"NOT equivalent: no `if __name__ == '__main__':` block: your top-level call (line "
        f"{line}) runs on import too, so importing your module (as the tests, the notebook and "
        "this check do) runs it, while python -m asyncio_ref.count runs the lesson (the "
        "skeleton in exercises/asyncio/count.py has the block: copy it back)")


def test_a_block_that_runs_the_lesson_for_help_is_not_equivalent(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]], tmp_path: Path) -> None:
    source = with_block(twin("count", "trio"),
                        MAIN + "\n    demo_sync()\n    trio.run(demo_async)\n")
    result, _, _ = run_child(source)
    assert result["status"] == NOT_EQUIVALENT
    assert notes(result["text"])[-3:] == [
        f"NOT equivalent: run as a script, `python {tmp_path / 'my_port.py'} --help` does not "
        "answer as the reference's `python -m asyncio_ref.count --help` does: the shared tests "
        "require every lesson module to answer --help (exit status 0) and to refuse an unknown "
        "option (exit status 2) without running the lesson (the skeleton's `if __name__ == "
        "'__main__':` block does both with argparse: copy it back):",
        "  it ran the lesson: it printed One Sync | Two Sync | One Sync ..., over 4.00 virtual "
        "seconds",
        "  the reference printed usage: python -m asyncio_ref.count [-h] ... and ended with "
        "exit status 0, running nothing of the lesson"]


def test_a_block_that_prints_something_else_shows_the_first_divergence(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]], tmp_path: Path) -> None:
    source = with_block(twin("count", "trio"),
                        MAIN + ARGPARSE + "    print('hello')\n    trio.run(demo_async)\n")
    result, _, _ = run_child(source)
    assert notes(result["text"])[-6:] == [
        f"NOT equivalent: run as a script, `python {tmp_path / 'my_port.py'}` does not do what "
        "the reference's `python -m asyncio_ref.count` does (its `if __name__ == '__main__':` "
        "block, on the virtual clock):",
        "  first divergence at t=0.00s: different lines here",
        "  expected: One Sync",
        "  got:      hello | One Async | One Async | One Async",
        "  at t=0.00s the reference printed: One Sync",
        "  at t=0.00s yours printed: hello | One Async | One Async | One Async"]


@pytest.mark.parametrize(("impl", "forever"), [
    ("asyncio", "asyncio.run(asyncio.Event().wait())"),
    ("trio", "trio.run(trio.sleep_forever)"),
])
def test_a_script_that_deadlocks_is_stopped_at_its_deadline_and_said_so(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]], impl: str,
        forever: str) -> None:
    source = with_block(twin("count", impl), MAIN + ARGPARSE + f"    demo_sync()\n    {forever}\n")
    result, _, _ = run_child(source, impl=impl)
    assert notes(result["text"])[-5:] == [
        "  first divergence at t=3.00s: a line is missing here",
        "  expected: One Async | One Async | One Async",
        "  at t=3.00s the reference printed: Two Sync | sync version executed in 3.00 seconds. "
        "| One Async | One Async | One Async",
        "  at t=3.00s yours printed: Two Sync | sync version executed in 3.00 seconds.",
        "  it was still running after 60 virtual seconds and was stopped there (a deadlock? a "
        "task never ended?)"]


def test_what_a_script_raised_and_wrote_to_stderr_is_shown(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]], tmp_path: Path) -> None:
    source = with_block(twin("count", "trio"), MAIN + ARGPARSE + (
        "    import sys\n"
        "    for _w in ('one', 'two', 'three', 'four\\x1b'):\n"
        "        print(_w, file=sys.stderr)\n"
        "    demo_sync()\n"
        "    trio.run(demo_async())\n"))
    result, _, _ = run_child(source)
    got = notes(result["text"])
    at = got.index("  your program raised:")
    assert got[at + 1].startswith("  TypeError: Trio was expecting an async function, but "
                                  "instead it got a coroutine object")
    assert got[at + 2] == (f"    at {tmp_path / 'my_port.py'}, line "
                           f"{source.count(chr(10))}, in <module>: trio.run(demo_async())")
    assert got[at + 3].startswith("    hint: trio.run(f(x))")
    # The last three lines of stderr, each escaped.
    assert got[-1] == "  it wrote to stderr: two | three | four\\x1b"


def test_a_script_that_floods_is_said_to_and_not_shown_line_by_line(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    source = with_block(twin("count", "trio"), MAIN + ARGPARSE + (
        "    while True:\n"
        "        print('again')\n"))
    result, _, _ = run_child(source)
    got = notes(result["text"])
    assert got[-1] == ("  your program printed more than 20000 lines and was stopped (the "
                       "reference prints 14 lines)")
    assert not any(x.startswith("  your program raised") for x in got)


def test_a_wrong_default_parameter_is_not_equivalent(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    source = twin("makerandom", "trio").replace("async def main(seed: int = 444)",
                                                "async def main(seed: int = 445)")
    result, _, _ = run_child(source, lesson="makerandom")
    got = notes(result["text"])
    assert got[-7] == (
        "NOT equivalent: main(), with its default parameters (as the shared tests and python "
        "-m call it), does not do what the reference's does: a default that is not the "
        "notebook's?")
    assert got[-6] == "  first divergence at t=0.00s: different lines here"


def test_a_trio_port_that_accepts_the_notebook_mode_is_not_equivalent(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]], tmp_path: Path) -> None:
    source = twin("makerandom", "trio").replace("if args.global_rng:", "if False:")
    result, _, _ = run_child(source, lesson="makerandom")
    got = notes(result["text"])
    assert got[-4].startswith(
        f"NOT equivalent: run as a script, `python {tmp_path / 'my_port.py'} --global-rng` "
        "does not refuse the notebook mode as the Trio twin's `python -m "
        "trio_port.makerandom --global-rng` does: Trio wakes tasks in a random order")
    assert got[-3].startswith("  it ran the lesson: it printed ")
    assert got[-3].endswith(" ..., over 9.00 virtual seconds")
    assert got[-2] == "  it ended with exit status 0; the reference with exit status 2"
    assert got[-1] == (
        "  the reference printed nothing (on stderr: python -m trio_port.makerandom: error: "
        "--global-rng is asyncio only: Trio wakes tasks in a random order, so it has no "
        "notebook mode) and ended with exit status 2, running nothing of the lesson")


def test_a_script_that_replaces_trio_run_is_said_to(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    source = with_block(twin("count", "trio"), MAIN + ARGPARSE + (
        "    demo_sync()\n    trio.run(demo_async)\n    trio.run = print\n"))
    real = trio.run
    try:
        result, _, _ = run_child(source)
    finally:
        trio.run = real
    assert notes(result["text"])[-1] == (
        "  it ended with exit status 0 (and replaced trio.run); the reference with exit "
        "status 0")


@pytest.mark.parametrize("lesson", ["count", "makerandom", "chained", "queue", "generators",
                                    "asyncgen"])
@pytest.mark.parametrize("impl", ["trio", "asyncio"])
@pytest.mark.timeout(120)
def test_each_twin_is_equivalent_with_every_script_and_default_call(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]], lesson: str,
        impl: str) -> None:
    result, _, _ = run_child(twin(lesson, impl), lesson=lesson, impl=impl)
    assert result["status"] == EQUIVALENT, result["text"]


def ran_line(text: str) -> str:
    """The report's line under "equivalent" that says what else ran."""
    return next(x for x in text.split("\n") if "as a script" in x)


@pytest.mark.parametrize("slip", ["raise NotImplementedError", "remove"])
def test_an_asyncio_ports_unwritten_notebook_mode_is_skipped(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]], slip: str) -> None:
    source = twin("makerandom", "asyncio")
    head = "async def demo_notebook(seed: int = 444) -> list[int]:\n"
    start = source.index(head)
    end = source.index("\n\n\n", start)
    body = (head + "    raise NotImplementedError\n") if slip != "remove" else ""
    source = source[:start] + body + source[end:]
    result, _, _ = run_child(source, lesson="makerandom", impl="asyncio")
    assert result["status"] == EQUIVALENT, result["text"]
    said = ran_line(result["text"])
    assert "--global-rng" not in said
    assert "main(), demo()" in said and "demo_notebook()" not in said
    # Written, the notebook mode is run and said.
    result, _, _ = run_child(twin("makerandom", "asyncio"), lesson="makerandom",
                             impl="asyncio")
    said = ran_line(result["text"])
    assert "(none), --global-rng, --help, --no-such-option" in said
    assert "main(), demo(), demo_notebook()" in said


def test_a_script_may_use_asyncio_runner_or_a_run_imported_by_name(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    runner = with_block(twin("count", "asyncio"), MAIN + ARGPARSE + (
        "    demo_sync()\n"
        "    with asyncio.Runner() as _runner:\n"
        "        _runner.run(demo_async())\n"))
    result, _, _ = run_child(runner, impl="asyncio")
    assert result["status"] == EQUIVALENT, result["text"]
    named = with_block(twin("count", "trio"), MAIN + ARGPARSE + (
        "    from time import sleep as _sleep\n"
        "    from trio import run as _run\n"
        "    for _ in range(3):\n"
        "        print('One Sync'); _sleep(1); print('Two Sync')\n"
        "    _run(demo_async)\n"))
    result, _, _ = run_child(named)
    # Only demo_sync's timing line is missing: the names imported ran on the virtual clock.
    got = notes(result["text"])
    assert got[2:4] == ["  first divergence at t=3.00s: a line is missing here",
                        "  expected: sync version executed in 3.00 seconds."]


def test_a_script_that_exits_with_a_message_ends_with_status_one(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    source = with_block(twin("count", "trio"), MAIN + ARGPARSE + "    import sys\n"
                        "    sys.exit('bye')\n")
    result, _, _ = run_child(source)
    got = notes(result["text"])
    assert "  it ended with exit status 1; the reference with exit status 0" in got
    assert got[-1] == "  it wrote to stderr: bye"


def test_a_script_that_prints_nothing_is_asked_whether_it_runs_the_lesson(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    source = with_block(twin("count", "trio"), MAIN + ARGPARSE)
    result, _, _ = run_child(source)
    assert notes(result["text"])[-1] == (
        "  (yours printed nothing at all: does it call the lesson's entry point, and run it?)")


def test_asyncio_run_of_a_function_is_its_own_error(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    source = with_block(twin("count", "asyncio"), MAIN + ARGPARSE +
                        "    demo_sync()\n    asyncio.run(demo_async)\n")
    result, _, _ = run_child(source, impl="asyncio")
    got = notes(result["text"])
    at = got.index("  your program raised:")
    assert got[at + 1].startswith("  ValueError: a coroutine was expected")


def test_an_unknown_option_answered_on_stdout_is_said(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]], tmp_path: Path) -> None:
    source = with_block(twin("count", "trio"), MAIN + (
        "\n    import sys\n"
        "    if sys.argv[1:] == ['--help']:\n"
        "        sys.exit(0)\n"
        "    if sys.argv[1:]:\n"
        "        print('no such option')\n"
        "        sys.exit(2)\n"
        "    demo_sync()\n"
        "    trio.run(demo_async)\n"))
    result, _, _ = run_child(source)
    got = notes(result["text"])
    assert got[-3].startswith(f"NOT equivalent: run as a script, `python "
                              f"{tmp_path / 'my_port.py'} --no-such-option` does not answer")
    assert got[-2] == ("  it printed to stdout: no such option; the reference printed nothing "
                       "there (its error went to stderr)")
    assert got[-1] == ("  the reference printed nothing (on stderr: python -m asyncio_ref.count: "
                       "error: unrecognized arguments: --no-such-option) and ended with exit "
                       "status 2, running nothing of the lesson")



def test_a_port_that_patches_the_reference_at_import_cannot_change_what_it_is_compared_with(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    """The references are traced before the port is imported: silencing asyncio_ref's prints
    from the port's import leaves them as they were (the port itself prints as it should)."""
    import asyncio_ref.count as reference

    source = COUNT_TRIO + ("\nimport asyncio_ref.count as _reference\n"
                           "_reference.print = lambda *args, **kwargs: None\n")
    try:
        result, _, _ = run_child(source)
    finally:
        vars(reference).pop("print", None)
    assert result["status"] == EQUIVALENT, result["text"]


def test_the_ports_own_folder_comes_first_on_the_import_path(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A helper beside the port wins over one of the same name in the folder the check was
    started from (the first entry of ``sys.path``)."""
    started = tmp_path / "started_here"
    started.mkdir()
    (started / "m9g_words.py").write_text("WORD = 'Wrong'\n", encoding="utf-8")
    (tmp_path / "m9g_words.py").write_text("WORD = 'Sync'\n", encoding="utf-8")
    monkeypatch.setattr(sys, "path", [str(started), *sys.path])
    source = COUNT_TRIO.replace("import trio\n", "import trio\nfrom m9g_words import WORD\n", 1)
    source = source.replace('print("One Sync")', 'print(f"One {WORD}")')
    result, _, _ = run_child(source)
    assert result["status"] == EQUIVALENT, result["text"]


def test_a_missing_phase_names_the_twin_of_the_ports_framework(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]], tmp_path: Path) -> None:
    source = twin("count", "asyncio").replace("def demo_sync(", "def demo_sync_renamed(")
    result, _, _ = run_child(source, impl="asyncio")
    assert result["status"] == CANNOT_CHECK
    assert result["text"] == (
        f"{tmp_path / 'my_port.py'} has no function demo_sync: lesson 'count' runs demo_sync, "
        "demo_async (the same names as asyncio_ref/count.py)")


def test_a_crawler_stub_no_checked_function_needs_is_not_unfinished(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(child, "check_crawler",
                        lambda *args, **kwargs: (EQUIVALENT, "the crawl's report"))
    source = (ROOT / "trio_port" / "crawler.py").read_text(encoding="utf-8") + (
        "\n\ndef m9g_unused() -> None:\n    raise NotImplementedError\n")
    try:
        result, _, _ = run_child(source, lesson="crawler", name="my_crawler.py")
    finally:
        sys.modules.pop("learner_crawler_port", None)
    assert result == {"status": EQUIVALENT, "text": "the crawl's report"}


@pytest.mark.parametrize(("impl", "hinted"), [("trio", True), ("asyncio", False)])
def test_a_warning_gets_only_the_hint_of_the_ports_framework(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]], impl: str,
        hinted: bool) -> None:
    """A Trio-only hint (a send to a consumer that left) for a Trio port's warning; none for
    the same words from an asyncio port."""
    source = twin("count", impl).replace(
        "async def main_async() -> None:\n",
        "async def main_async() -> None:\n"
        "    import warnings\n"
        "    warnings.warn('gave up: BrokenResourceError', stacklevel=1)\n", 1)
    result, _, _ = run_child(source, impl=impl)
    lines = result["text"].splitlines()
    at = lines.index("warning from your port: UserWarning: gave up: BrokenResourceError")
    shown = lines[at + 1] if at + 1 < len(lines) else ""
    assert shown.startswith("    hint: a send on a channel whose receiving end is closed") \
        == hinted


def test_the_skeletons_unfinished_bodies_are_named(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    """The cases get the port's source: every needed body still ``raise NotImplementedError``
    is named, not only the one the first diverging case reached."""
    skeleton = (ROOT / "exercises" / "trio" / "count.py").read_text(encoding="utf-8")
    result, _, _ = run_child(skeleton)
    assert result["status"] == NOT_EQUIVALENT
    assert result["text"].splitlines()[-1] == unfinished_note(
        ["count_sync", "main_sync", "count_async", "main_async", "demo_async"])


def test_a_help_that_runs_a_silent_part_of_the_lesson_is_said_to_have_printed_nothing(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    source = with_block(twin("count", "trio"), MAIN + (
        "\n    import sys, time\n"
        "    if sys.argv[1:] == ['--help']:\n"
        "        time.sleep(1)\n"
        "        sys.exit(0)\n"
        "    import argparse\n"
        "    argparse.ArgumentParser().parse_args()\n"
        "    demo_sync()\n"
        "    trio.run(demo_async)\n"))
    result, _, _ = run_child(source)
    assert "  it ran the lesson: it printed (nothing), over 1.00 virtual seconds" in notes(
        result["text"])


def test_the_script_runs_with_the_files_name_as_its_program(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    """argparse names the program after ``sys.argv[0]``: the learner's file, as python runs it."""
    source = with_block(twin("count", "trio"), MAIN + (
        "\n    import argparse, sys\n"
        "    parser = argparse.ArgumentParser()\n"
        "    _args, rest = parser.parse_known_args()\n"
        "    if rest:\n"
        "        parser.print_usage(sys.stderr)\n"
        "        print('ignored')\n"
        "    else:\n"
        "        demo_sync()\n"
        "        trio.run(demo_async)\n"))
    result, _, _ = run_child(source)
    assert notes(result["text"])[-1] == "  it wrote to stderr: usage: my_port.py [-h]"


def test_an_unwritten_notebook_mode_inside_a_task_group_is_skipped(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    """The NotImplementedError is found inside the group a TaskGroup raises."""
    source = twin("makerandom", "asyncio")
    head = "async def demo_notebook(seed: int = 444) -> list[int]:\n"
    start = source.index(head)
    end = source.index("\n\n\n", start)
    source = source[:start] + head + (
        "    async def unwritten() -> None:\n"
        "        raise NotImplementedError\n"
        "    async with asyncio.TaskGroup() as group:\n"
        "        group.create_task(unwritten())\n"
        "    return []\n") + source[end:]
    result, _, _ = run_child(source, lesson="makerandom", impl="asyncio")
    assert result["status"] == EQUIVALENT, result["text"]
    assert "--global-rng" not in ran_line(result["text"])


def test_the_default_calls_run_under_the_wall_clock_watch(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]]) -> None:
    _, _, work = run_child(twin("makerandom", "trio"), lesson="makerandom")
    noted = (work / "progress.txt").read_text(encoding="utf-8").splitlines()
    assert [n for n in noted if n.startswith("entry point with its defaults: ")] == [
        "entry point with its defaults: phase main()",
        "entry point with its defaults: phase demo()"]
