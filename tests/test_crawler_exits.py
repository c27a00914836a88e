"""How a crawl ends when the world gets in the way: a full disk, a closed stdout, bad paths.

Each case runs the crawler as a real child process (``-W error``, ``PYTHONDEVMODE=1``)
against the local demo site, in both versions and through both entry points, and checks what
a user sees: the exit status (each one listed by ``--help``), one clear line on stderr, no
traceback, and a TSV that holds complete rows only.

* **Disk full**: the child runs under a file-size limit (``RLIMIT_FSIZE``), so the kernel cuts
  a write short, then refuses the next with EFBIG (Python ignores SIGXFSZ). The write that was
  cut short is taken back, so the TSV ends on a complete row and a page is all there or absent.
* **Closed stdout** (``crawl | head -1``): ``python -m`` stops quietly with status 141, as a
  Unix tool killed by SIGPIPE does; no ``BrokenPipeError`` traceback, no "Exception ignored".
  ``walkthrough crawl`` crawls on instead (its TSV is the product; tests/test_pipes.py).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from walkthrough.demosite import DemoSite

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"asyncio": "asyncio_ref", "trio": "trio_port"}
ENTRIES = ["python -m", "walkthrough crawl"]


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(pages=200) as s:
        yield s


def command(impl: str, entry: str) -> list[str]:
    if entry == "python -m":
        return [sys.executable, "-W", "error", "-m", f"{PACKAGES[impl]}.crawler"]
    return [sys.executable, "-W", "error", "-m", "walkthrough", "crawl", "--impl", impl]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDEVMODE": "1",
            "PYTHONWARNINGS": "error"}


def complete_rows(tsv: Path, site: DemoSite) -> dict[str, set[str]]:
    """The TSV's pages; asserts every row is whole and every page written is written in full."""
    text = tsv.read_text(encoding="utf-8")
    assert text.endswith("\n"), f"half a row at the end: {text[-80:]!r}"
    lines = text.split("\n")[:-1]
    assert lines[0] == "source_url\tparsed_url"
    pages: dict[str, set[str]] = {}
    for line in lines[1:]:
        source, link = line.split("\t")
        pages.setdefault(source, set()).add(link)
    for i in range(site.pages):
        links = pages.get(site.url(f"page/{i}.html"))
        if links is not None:
            assert links == {x for x in site.page_links(i) if x.startswith("http")}, i
    return pages


LIMIT = 6_000  # bytes: the header and a dozen pages of rows, then the disk is "full"


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


@pytest.mark.parametrize("entry", ENTRIES)
def test_a_full_disk_stops_the_crawl_with_74_and_complete_rows(
    impl: str, entry: str, site: DemoSite, tmp_path: Path,
) -> None:
    out = tmp_path / "out.tsv"
    done = subprocess.run(
        [*command(impl, entry), *site.page_urls()[1:], "-o", str(out), "--concurrency", "5"],
        capture_output=True, text=True, env=env(), timeout=120, check=False,
        preexec_fn=_limit_file_size)
    assert done.returncode == 74, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    assert f"cannot write {out}" in errors[0] and "complete rows only" in errors[0], errors
    assert "Traceback" not in done.stderr and "Exception" not in done.stderr, done.stderr
    pages = complete_rows(out, site)
    assert 0 < len(pages) < site.pages, "the limit must cut the crawl short"
    assert out.stat().st_size <= LIMIT


@pytest.mark.parametrize("entry", ENTRIES)
def test_an_output_that_takes_nothing_is_a_usage_error(impl: str, entry: str) -> None:
    """``-o /dev/full``: even the header does not fit; exit 2 with one line, nothing crawled."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    done = subprocess.run([*command(impl, entry), "http://127.0.0.1:1/", "-o", "/dev/full"],
                          capture_output=True, text=True, env=env(), timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert "cannot write /dev/full: No space left on device" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("buffered", [False, True], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize("entry", ENTRIES)
def test_a_stdout_on_a_full_disk_stops_the_crawl_with_74_and_complete_rows(
    impl: str, entry: str, buffered: bool, site: DemoSite, tmp_path: Path,
) -> None:
    """``crawl > log`` with the log's disk full (/dev/full): one line that names stdout, exit
    74, no traceback and no "Exception ignored" from Python's final flush, and a TSV of
    complete rows that the summary counts. Unbuffered (PYTHONUNBUFFERED), the first line
    printed fails; buffered, the first 8 KiB of lines go, then a print mid-crawl fails."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    out = tmp_path / "out.tsv"
    environ = env()
    environ.pop("PYTHONUNBUFFERED", None)
    if not buffered:
        environ["PYTHONUNBUFFERED"] = "1"
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [*command(impl, entry), *site.page_urls()[1:], "-o", str(out), "--concurrency", "5"],
            stdout=full, stderr=subprocess.PIPE, text=True, env=environ, timeout=120,
            check=False)
    assert done.returncode == 74, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "Exception" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    assert errors[0].startswith("error: cannot write stdout: No space left on device; "
                                f"{out} holds complete rows only (pages "), errors
    pages = complete_rows(out, site)
    summary = errors[0].rsplit("(", 1)[1]
    rows = sum(len(links) for links in pages.values())
    assert summary.startswith(f"pages {len(pages)}, links {rows}, errors 0,"), (summary, rows)
    assert len(pages) < site.pages - 1, "the failure must stop the crawl"


@pytest.mark.parametrize("entry", ["python -m"])  # walkthrough crawl: tests/test_pipes.py
def test_a_closed_stdout_ends_the_crawl_quietly_with_141(
    impl: str, entry: str, site: DemoSite, tmp_path: Path,
) -> None:
    """``crawl ... | head -1``: read one line, close the pipe; the crawl must stop, quietly."""
    proc = subprocess.Popen(
        [*command(impl, entry), *site.page_urls(), "-o", str(tmp_path / "out.tsv")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env())
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does after its line
    try:
        stderr = proc.stderr.read().decode()
        returncode = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    assert first, stderr
    assert returncode == 141, stderr[-3000:]
    for noise in ("Traceback", "Exception ignored", "BrokenPipeError", "Error"):
        assert noise not in stderr, stderr[-3000:]
    complete_rows(tmp_path / "out.tsv", site)


@pytest.mark.parametrize("entry", ENTRIES)
def test_every_url_failed_is_exit_1_and_pages_0(impl: str, entry: str, site: DemoSite,
                                                tmp_path: Path) -> None:
    done = subprocess.run(
        [*command(impl, entry), site.url("status/404"), site.refused_url,
         "-o", str(tmp_path / "out.tsv")],
        capture_output=True, text=True, env=env(), timeout=60, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("pages 0, links 0, errors 2,")


@pytest.mark.parametrize("entry", ENTRIES)
def test_help_lists_every_exit_status(impl: str, entry: str) -> None:
    done = subprocess.run([*command(impl, entry), "--help"], capture_output=True, text=True,
                          env=env(), timeout=60, check=True)
    statuses = done.stdout.split("exit status:")[1]
    # walkthrough crawl never exits 141: a closed stdout does not stop it (its --help says so)
    for code in (0, 1, 2, 74, 130, *([141] if entry == "python -m" else [])):
        assert f"\n  {code:<4} " in statuses, code


@pytest.mark.parametrize("entry", ENTRIES)
def test_an_output_directory_fails_before_anything_starts(impl: str, entry: str,
                                                          tmp_path: Path) -> None:
    """``-o /tmp``: one line naming the problem, exit 2, and no demo site, no "crawling"."""
    done = subprocess.run([*command(impl, entry), "-o", str(tmp_path)], capture_output=True,
                          text=True, env=env(), timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert f"cannot write {tmp_path}: Is a directory" in done.stderr
    assert "crawling" not in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("entry", ENTRIES)
def test_a_missing_urls_file_says_so_in_words(impl: str, entry: str, tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent"
    done = subprocess.run([*command(impl, entry), "--urls-file", str(missing), "-o",
                           str(tmp_path / "out.tsv")], capture_output=True, text=True,
                          env=env(), timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert f"cannot read {missing}: No such file or directory" in done.stderr
    assert "Errno" not in done.stderr
    assert not (tmp_path / "out.tsv").exists()
