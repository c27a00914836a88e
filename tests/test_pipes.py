"""A closed stdout, the same for every verb (issue 26, item 5), and a pager that cannot run.

Each verb runs as a child process (``-W error``, ``PYTHONDEVMODE=1``) with its stdout in a pipe
that the test closes, as ``| head -1`` does: once after reading one line (the pipe shrunk to
one page, so a verb that prints more than that meets the closed end), and once closed before
the verb prints anything (so every verb meets it, whatever its size). The convention, in each
verb's --help: the output stops, quietly, with status 0, never a verdict such as "NOT
equivalent" (rich turns a broken pipe into ``SystemExit(1)``). ``crawl`` keeps crawling: its
TSV is its product, and it must come out whole.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from walkthrough import cli
from walkthrough.commands import diff as diff_verb

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120  # seconds per child: each verb here takes a few at most

VERBS = {
    "list": ["list"],
    "run": ["run", "count", "--virtual"],
    "run one": ["run", "queue", "--impl", "asyncio", "--virtual"],
    "tour": ["tour"],
    "diff": ["diff", "count"],
    "timeline": ["timeline", "count"],
    "help": ["run", "--help"],
}


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDEVMODE": "1",
            "PYTHONWARNINGS": "error", "COLUMNS": "100"}


def command(argv: list[str]) -> list[str]:
    return [sys.executable, "-W", "error", "-m", "walkthrough", *argv]


def after_one_line(argv: list[str]) -> tuple[bytes, int, str]:
    """Read one line, close the pipe (what `head -1` does): (line, status, stderr)."""
    proc = subprocess.Popen(command(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env())
    assert proc.stdout is not None and proc.stderr is not None
    try:
        fcntl.fcntl(proc.stdout.fileno(), fcntl.F_SETPIPE_SZ, 4096)
        first = proc.stdout.readline()
        proc.stdout.close()
        stderr = proc.stderr.read().decode()
        status = proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    return first, status, stderr


def closed_at_once(argv: list[str]) -> tuple[int, str]:
    """stdout a pipe whose reader is gone before the verb prints: (status, stderr)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(command(argv), stdout=write_end, stderr=subprocess.PIPE,
                              env=env(), timeout=TIMEOUT, check=False)
    finally:
        os.close(write_end)
    return done.returncode, done.stderr.decode()


def assert_quiet(stderr: str) -> None:
    for noise in ("Traceback", "Exception ignored", "BrokenPipeError", "Broken pipe"):
        assert noise not in stderr, stderr[-3000:]


@pytest.mark.parametrize("verb", VERBS)
def test_a_verb_read_one_line_then_closed_exits_0_quietly(verb: str) -> None:
    first, status, stderr = after_one_line(VERBS[verb])
    assert first, stderr
    assert status == 0, stderr[-3000:]
    assert_quiet(stderr)


@pytest.mark.parametrize("verb", VERBS)
def test_a_verb_whose_stdout_is_closed_before_it_prints_exits_0_quietly(verb: str) -> None:
    status, stderr = closed_at_once(VERBS[verb])
    assert status == 0, stderr[-3000:]
    assert_quiet(stderr)


def test_a_usage_error_is_still_2_with_stdout_closed() -> None:
    status, stderr = closed_at_once(["run", "nope"])
    assert status == 2 and "unknown lesson 'nope'" in stderr, stderr


@pytest.mark.parametrize("verb", [*VERBS, "crawl", "check", "port"])
def test_every_help_states_the_convention(verb: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main([VERBS.get(verb, [verb])[0], "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "closed stdout: a reader that stops reading (`| head -1`) got what it wanted" in out
    assert ("the exit status is the crawl's own" if verb == "crawl"
            else "the exit status is 0") in out


@pytest.mark.parametrize("impl", ["asyncio", "trio"])
def test_a_crawl_whose_stdout_closes_crawls_on_and_writes_the_whole_tsv(
    impl: str, tmp_path: Path,
) -> None:
    """The TSV is the crawl's product: `crawl | head -1` must neither stop nor cut it."""
    full, cut = tmp_path / "full.tsv", tmp_path / "cut.tsv"
    # The whole crawl, to compare with, runs meanwhile: each crawl has its own demo site, and
    # each waits on the network most of its time, so together they take the time of one.
    whole = subprocess.Popen(command(["crawl", "--impl", impl, "-o", str(full)]),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env())
    try:
        first, status, stderr = after_one_line(["crawl", "--impl", impl, "-o", str(cut)])
        _, whole_stderr = whole.communicate(timeout=TIMEOUT)
    finally:
        if whole.poll() is None:
            whole.kill()
            whole.communicate()
    assert whole.returncode == 0, whole_stderr
    assert first.startswith(b"Got response") or first.startswith(b"Error"), first
    assert status == 0, stderr[-3000:]
    assert_quiet(stderr)
    # The demo site's port differs from run to run; its pages and links do not.
    summary = whole_stderr.decode().splitlines()[-1].partition(", elapsed")[0]
    assert stderr.splitlines()[-1].startswith(summary), (summary, stderr)
    text = cut.read_text(encoding="utf-8")
    assert text.endswith("\n") and all(line.count("\t") == 1 for line in text.splitlines())
    assert len(text.splitlines()) == len(full.read_text(encoding="utf-8").splitlines())


# -- the pager ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("pager", "said"), [
    ("nonexistent-pager", "walkthrough diff: pager 'nonexistent-pager' not found; printing"),
    ("LESS=S nonexistent-pager", ""),  # only the shell can read it: its 127 means not found
])
def test_a_pager_that_cannot_run_falls_back_to_plain_output(
    pager: str, said: str, monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("LINES", "5")
    monkeypatch.delenv("WALKTHROUGH_PAGER", raising=False)
    monkeypatch.setenv("PAGER", pager)
    assert diff_verb.pager_command() == pager
    assert cli.main(["diff", "count", "--width", "100"]) == 0
    out, err = capfd.readouterr()
    assert "── main_async" in out
    assert len(err.strip().splitlines()) == 1, err
    assert said in err
