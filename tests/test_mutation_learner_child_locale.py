"""The learner's files read as UTF-8 whatever the locale (child.py and others, issue 27).

``scripts/mutation.py walkthrough/learner/child.py`` with tests/test_mutation_learner_child.py
left three ``path.read_text(encoding="utf-8")`` → ``encoding=None`` survivors (the port's
source read again for its unfinished skeleton bodies: the crawler's, the cases', the stub
warnings'). Python imports a module as UTF-8 whatever the locale, so a port with a comment
in the learner's own language runs; reading it again in the locale's encoding (ASCII in a C
locale that Python did not coerce; cp1252 on Windows, which misreads some letters and fails on
others) can fail there, and the child would crash without a result. The tests switch this
process to the C locale (an ASCII codec) while the code runs, as
tests/test_mutation_learner_script.py does for script.py, and skip where Python reads UTF-8
whatever the locale (UTF-8 mode). One test per place that reads a file that can hold
non-ASCII text:

* the port's source in the child (``child.py:96``, ``:101``, ``:121``; ``loading.py:32``, its
  first reading, on the way): an unfinished count skeleton, the Trio twin, the crawler's
  skeleton, each with French comments;
* the crawl's TSVs (``crawler.py:74``): the demo site links to ``https://example.org/café``;
* the port's line quoted by the supervisor for a port stopped in ``time.sleep``
  (``supervise.py:296``);
* the progress notes, written by the child (``guard.py``: it wrote them in the locale's
  encoding, a bug this test found) and read by the parent (``supervise.py:207``, ``:250``).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests import test_mutation_learner_child as child_tests
from walkthrough import catalogue
from walkthrough.learner import child
from walkthrough.learner.crawler import check_crawler
from walkthrough.learner.guard import REPORTING, _Watch
from walkthrough.learner.report import EQUIVALENT, NOT_EQUIVALENT, unfinished_note
from walkthrough.learner.supervise import Outcome, _Drain, _interpret, _last_note

Child = Callable[..., tuple[dict[str, Any], list[int], Path]]

#: ``child_main`` in this process, as in tests/test_mutation_learner_child.py (the fixture).
run_child = child_tests.run_child
ROOT = child_tests.ROOT
CRAWLER = catalogue.get("crawler")

#: What a French-speaking learner might write at the top of a port: comments that are not
#: ASCII (two bytes for each accented letter in UTF-8, three for the arrow).
PREAMBLE = "# Mon portage : asyncio → Trio, déjà fini ?\n# Le compte à rebours.\n"



def test_an_unfinished_port_in_the_learners_language_is_checked_in_any_locale(
        run_child: Child, ascii_locale: None) -> None:
    """count's skeleton, unfinished, with French comments: the check names the
    functions still to write (the source read for the cases, ``child.py:101``) and leaves out
    the never-awaited coroutines of those stubs (read again for the warnings, ``:121``)."""
    source = PREAMBLE + (ROOT / "exercises" / "trio" / "count.py").read_text(encoding="utf-8")
    result, exits, _ = run_child(source)
    assert exits == [0]
    assert result["status"] == NOT_EQUIVALENT
    text = result["text"]
    assert text.splitlines()[-1] == unfinished_note(
        ["count_sync", "main_sync", "count_async", "main_async", "demo_async"])
    assert "warning from your port" not in text


def test_an_equivalent_port_in_the_learners_language_is_equivalent_in_any_locale(
        run_child: Child, ascii_locale: None) -> None:
    """The Trio twin with the same French lines: equivalent, nothing more said."""
    result, exits, _ = run_child(PREAMBLE + child_tests.twin("count", "trio"))
    assert exits == [0]
    assert result["status"] == EQUIVALENT, result["text"]
    assert "NOT equivalent" not in result["text"] and "warning" not in result["text"]


def test_an_unfinished_crawler_in_the_learners_language_is_checked_in_any_locale(
        run_child: Child, ascii_locale: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The crawler exercise's skeleton with the French lines (``check_crawler`` replaced, as
    in tests/test_mutation_learner_child.py: no network here): the crawl's report, then its
    unfinished functions (the source read for them, ``child.py:96``)."""
    monkeypatch.setattr(child, "check_crawler",
                        lambda *args, **kwargs: (EQUIVALENT, "the crawl's report"))
    source = PREAMBLE + (ROOT / "exercises" / "trio" / "crawler.py").read_text(encoding="utf-8")
    try:
        result, exits, _ = run_child(source, lesson="crawler", name="my_crawler.py")
    finally:
        sys.modules.pop("learner_crawler_port", None)
    assert exits == [0]
    assert result["status"] == NOT_EQUIVALENT
    head, note = result["text"].split("\n", 1)
    assert head == "the crawl's report"
    assert note.startswith(unfinished_note(["x"]).split("(write")[0])
    assert "make_client" in note and "categorise" in note


@pytest.mark.timeout(60)
def test_the_crawls_rows_are_read_as_utf_8_in_any_locale(
        ascii_locale: None, tmp_path: Path) -> None:
    """``check_crawler`` itself (``crawler.py:74``, in this process on the local demo site):
    the demo site links to ``https://example.org/café``, and both crawlers write that row as
    UTF-8; the check reads both TSVs back as UTF-8, not in the locale's encoding (which fails
    on it in an ASCII locale), and finds the Trio twin equivalent."""
    status, report = check_crawler(CRAWLER.load("trio"), Path("my_crawler.py"), "trio",
                                   tmp_path, None)
    assert "https://example.org/caf\u00e9" in (tmp_path / "yours.tsv").read_text(
        encoding="utf-8")
    assert status == EQUIVALENT, report
    assert report.splitlines()[-1] == (
        "equivalent: the same 223 rows and the same events for every URL (an error compared "
        "by its category).")


def test_a_stopped_ports_line_is_quoted_from_its_file_in_any_locale(
        ascii_locale: None, tmp_path: Path) -> None:
    """The supervisor's report of a port stopped in ``time.sleep`` (``supervise.py:296``,
    ``_source_line``): the line quoted from the learner's file, and the hint it leads to, also
    when the file has French comments above it (read as UTF-8, not as ASCII, which would fail
    and leave the report without its line and hint)."""
    path = tmp_path / "my_port.py"
    path.write_text(PREAMBLE + "import time\n\n\ndef count_sync() -> None:\n"
                    "    time.sleep(60)  # trop long ?\n", encoding="utf-8")
    (tmp_path / "progress.txt").write_text("case 1/1 (no parameters), phase demo_sync\n",
                                           encoding="utf-8")
    (tmp_path / "dump.txt").write_text(
        "Timeout (0:00:10)!\nThread 0x00007f0000000001 (most recent call first):\n"
        f'  File "{path}", line 7 in count_sync\n', encoding="utf-8")
    drain = _Drain(io.BytesIO(b""))
    drain.run()
    outcome = _interpret(1, tmp_path, path, False, 10.0, drain)
    lines = outcome.text.splitlines()
    assert (outcome.status, lines[0]) == (
        NOT_EQUIVALENT,
        "NOT equivalent: your port was stopped in case 1/1 (no parameters), phase demo_sync, "
        f"after 10 s of wall-clock time: count_sync ({path}, line 7) never reached a "
        "checkpoint.")
    assert lines[1] == "    7: time.sleep(60)  # trop long ?"
    assert lines[-1].startswith("  hint: time.sleep blocks the whole thread")


def test_the_progress_notes_go_from_child_to_parent_as_utf_8_in_any_locale(
        ascii_locale: None, tmp_path: Path) -> None:
    """A port saved as ``compte_à_rebours.py``: its script run's note names the file. The
    child writes the note (``guard._Watch``) and the parent reads it back (``supervise.py:207``
    for a port that ended the process there, ``:250`` for the last note) in one encoding,
    UTF-8; in the locale's, the child failed on the note (ASCII) or the parent on its bytes
    (cp1252 written, UTF-8 read), and a port that did nothing wrong was blamed for it."""
    where = "the script run `python compte_à_rebours.py` (your file's __main__ block)"
    watch = _Watch(tmp_path, 10.0)
    try:
        watch.note(where)
        drain = _Drain(io.BytesIO(b""))
        drain.run()
        outcome = _interpret(3, tmp_path, tmp_path / "compte_à_rebours.py", False, 10.0, drain)
        assert outcome == Outcome(
            NOT_EQUIVALENT, f"NOT equivalent: your port ended the process with exit status 3 "
                            f"in {where} (os._exit? a crash?): a module or a phase must return, "
                            "never end the program.")
        watch.note(REPORTING)
        assert _last_note(tmp_path / "progress.txt") == REPORTING
    finally:
        watch._dump.close()
        watch._progress.close()
    assert (tmp_path / "progress.txt").read_bytes().decode("utf-8").splitlines() == [
        where, REPORTING]
