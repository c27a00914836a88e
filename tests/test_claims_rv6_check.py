"""``walkthrough check``'s unwritten bodies (finding F1 of the outside review of
docs/lessons/crawler.md): every body a lesson's skeleton leaves as ``raise
NotImplementedError`` makes the port NOT equivalent, status 1, as ``walkthrough check --help``
says, the bodies the check does not run included.

The crawler's check runs ``bulk_crawl_and_write`` on the local demo site and nothing else: a
port whose ``crawl`` or ``_until_ctrl_c`` (Ctrl-C, the exit statuses) was still the skeleton's
used to be "equivalent", exit 0, and the untouched skeleton was said to leave 10 bodies of 12.
The bodies a port must write are now also what the reference twin's ``if __name__ ==
"__main__":`` block reaches (``main``, then ``crawl``, then ``_until_ctrl_c``), as the server's
check reaches ``_until_ctrl_c`` and ``run`` from ``main``. The one exception, for every lesson:
the asyncio notebook mode's ``demo_notebook`` (``--global-rng``), which the exercise leaves
optional (checked once written: ``walkthrough check --help``).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests import test_mutation_learner_child as child_tests
from walkthrough import catalogue
from walkthrough.cli import main
from walkthrough.learner import child, unfinished, unfinished_note
from walkthrough.learner.crawler import short_of_unfinished
from walkthrough.learner.report import EQUIVALENT, NOT_EQUIVALENT
from walkthrough.learner.script import NOTEBOOK_MODE
from walkthrough.learner.skeleton import _needed

run_child = child_tests.run_child  # child_main in this process (mutmut sees it there)

ROOT = Path(__file__).resolve().parent.parent

#: The Trio skeleton's bodies, in its order: the twelve docs/lessons/crawler.md names.
TRIO_BODIES = ["make_client", "categorise", "read_capped", "fetch_html", "parse", "page_rows",
               "append_rows", "write_rows", "write_one", "bulk_crawl_and_write",
               "_until_ctrl_c", "crawl"]
#: The asyncio skeleton's (the notebook's own exercise), in its order.
ASYNCIO_BODIES = ["make_client", "categorise", "read_capped", "fetch_html", "parse",
                  "page_rows", "append_rows", "_close_seen_through", "write_one",
                  "bulk_crawl_and_write", "declared_charset", "check_url", "_until_ctrl_c",
                  "crawl"]
BODIES = {"trio": TRIO_BODIES, "asyncio": ASYNCIO_BODIES}
TWINS = {"trio": ROOT / "trio_port" / "crawler.py", "asyncio": ROOT / "asyncio_ref" / "crawler.py"}


def run_check(capsys: pytest.CaptureFixture[str], path: Path, impl: str) -> tuple[int, str]:
    """``walkthrough check crawler PATH --impl IMPL``: exit status and what it printed."""
    try:
        status = main(["check", "crawler", str(path), "--impl", impl])
    except SystemExit as exc:
        status = int(exc.code or 0)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def _function(source: str, name: str) -> tuple[int, int]:
    """The lines (1-based, inclusive) of the top-level function ``name`` in ``source``."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            assert node.end_lineno is not None
            return node.lineno, node.end_lineno
    raise AssertionError(f"no function {name}")


def with_skeleton_body(impl: str, name: str) -> str:
    """The finished twin of ``impl``, with function ``name`` as the skeleton has it."""
    twin = TWINS[impl].read_text(encoding="utf-8")
    skeleton = (ROOT / "exercises" / impl / "crawler.py").read_text(encoding="utf-8")
    (a, b), (c, d) = _function(twin, name), _function(skeleton, name)
    lines, stub = twin.splitlines(keepends=True), skeleton.splitlines(keepends=True)[c - 1:d]
    assert stub[-1].strip() == f'raise NotImplementedError("write {name}")', stub
    return "".join(lines[:a - 1] + stub + lines[b:])


@pytest.mark.timeout(120)
@pytest.mark.parametrize("impl", ["trio", "asyncio"])
@pytest.mark.parametrize("name", ["crawl", "_until_ctrl_c"])
def test_a_crawler_whose_crawl_or_until_ctrl_c_is_the_skeletons_is_not_equivalent(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], impl: str, name: str) -> None:
    """The check does not run ``crawl`` or ``_until_ctrl_c`` (the demo site is crawled with
    ``bulk_crawl_and_write``): the crawl matches, and the port is still NOT equivalent, status
    1, the body named; no line says "equivalent:" (the first word every reader looks for)."""
    path = tmp_path / "my_crawler.py"
    path.write_text(with_skeleton_body(impl, name), encoding="utf-8")
    assert unfinished(path.read_text(encoding="utf-8")) == [name]  # the premise
    status, out = run_check(capsys, path, impl)
    assert status == 1, out
    lines = out.splitlines()
    assert lines[-1] == unfinished_note([name]), out
    # The crawl itself matched, and is said so, under another word than the verdict's.
    assert lines[-2].startswith("  bulk_crawl_and_write on the demo site: the same "), out
    assert lines[-2].endswith(" rows and the same events for every URL (an error compared by "
                              "its category)."), out
    assert not any(s.startswith("equivalent") for s in lines), out


@pytest.mark.timeout(120)
@pytest.mark.parametrize("impl", ["trio", "asyncio"])
def test_the_untouched_crawler_skeleton_names_every_body_in_its_order(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], impl: str) -> None:
    """All twelve of the Trio skeleton (fourteen of the asyncio one), ``crawl`` and
    ``_until_ctrl_c`` included: ten used to be named."""
    path = tmp_path / "my_crawler.py"
    path.write_text((ROOT / "exercises" / impl / "crawler.py").read_text(encoding="utf-8"),
                    encoding="utf-8")
    assert unfinished(path.read_text(encoding="utf-8")) == BODIES[impl]  # the premise
    status, out = run_check(capsys, path, impl)
    assert status == 1, out
    assert out.splitlines()[-1] == unfinished_note(BODIES[impl]), out


@pytest.mark.timeout(120)
@pytest.mark.parametrize("impl", ["trio", "asyncio"])
def test_a_finished_crawler_is_still_equivalent(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], impl: str) -> None:
    path = tmp_path / "my_crawler.py"
    path.write_text(TWINS[impl].read_text(encoding="utf-8"), encoding="utf-8")
    status, out = run_check(capsys, path, impl)
    assert status == 0, out
    assert out.splitlines()[-1].startswith("equivalent: the same "), out
    assert "NOT" not in out


@pytest.mark.parametrize(("lesson", "impl"), [
    (lesson.name, impl) for lesson in catalogue.available() for impl in catalogue.IMPLS
    if lesson.name != "server"])  # the server's check has its own list: echo.unfinished_bodies
def test_every_body_a_skeleton_leaves_as_a_raise_is_one_the_check_requires(
        lesson: str, impl: str) -> None:
    """For every lesson and framework: each body of the exercise's skeleton that is still
    ``raise NotImplementedError`` is among those a port must write (``_needed``), so the
    untouched skeleton is named whole; but the asyncio notebook mode (``demo_notebook``),
    optional by design (checked once written, skipped while it raises)."""
    skeleton = (ROOT / "exercises" / impl / f"{lesson}.py").read_text(encoding="utf-8")
    bodies = unfinished(skeleton)
    assert bodies, "the skeleton has no unwritten body"
    required = unfinished(skeleton, _needed(catalogue.get(lesson), impl))
    assert required == [b for b in bodies if b != NOTEBOOK_MODE[0]]


def test_the_notebook_mode_is_the_only_optional_body_and_only_in_asyncio() -> None:
    """Where ``demo_notebook`` is (the asyncio makerandom and chained skeletons), it is not
    required: the asyncio twin's script reaches it only under ``--global-rng``."""
    optional = {(lesson.name, impl) for lesson in catalogue.available()
                for impl in catalogue.IMPLS if lesson.name != "server"
                and NOTEBOOK_MODE[0] in unfinished((ROOT / "exercises" / impl /
                                                    f"{lesson.name}.py").read_text("utf-8"))}
    assert optional == {("makerandom", "asyncio"), ("chained", "asyncio")}
    for lesson, impl in optional:
        assert NOTEBOOK_MODE[0] not in _needed(catalogue.get(lesson), impl)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", ["crawl", "_until_ctrl_c"])
def test_the_crawlers_crawl_and_until_ctrl_c_are_required_written_but_not_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    """As ``walkthrough check --help`` says: the check crawls with ``bulk_crawl_and_write``
    only, so a ``crawl`` or ``_until_ctrl_c`` that is written (not the skeleton's raise) but
    wrong is not seen: here one that raises whatever it is given is "equivalent"."""
    source = with_skeleton_body("trio", name).replace(
        f'raise NotImplementedError("write {name}")', 'raise RuntimeError("never run")')
    path = tmp_path / "my_crawler.py"
    path.write_text(source, encoding="utf-8")
    assert unfinished(source) == []  # the premise: written
    status, out = run_check(capsys, path, "trio")
    assert status == 0, out
    assert out.splitlines()[-1].startswith("equivalent: the same "), out
    from walkthrough.commands.check import DESCRIPTION
    said = " ".join(DESCRIPTION.split())
    assert ("Its crawl and _until_ctrl_c (Ctrl-C, the exit statuses) are not run, only "
            "required to be written (not the skeleton's raise)") in said


# -- the same, in the test process: what mutmut sees (the check above runs in a child) ------

SAME = ("equivalent: the same 223 rows and the same events for every URL (an error compared by "
        "its category).")
HEAD = "checking my_crawler.py (Trio port) against asyncio_ref/crawler.py\n  45 URLs"


def test_a_crawl_that_matched_is_said_as_bulk_crawl_and_writes_result_when_bodies_are_left(
        ) -> None:
    assert short_of_unfinished(f"{HEAD}\n{SAME}") == (
        f"{HEAD}\n  bulk_crawl_and_write on the demo site: the same 223 rows and the same "
        "events for every URL (an error compared by its category).")
    # Any other report is left as it is: a crawl that diverged, or raised.
    diverged = f"{HEAD}\nNOT equivalent (1 difference; the first 10):\n  a row is missing: x"
    assert short_of_unfinished(diverged) == diverged
    assert short_of_unfinished("the crawl's report") == "the crawl's report"
    assert short_of_unfinished(f"{SAME}\n{HEAD}") == f"{SAME}\n{HEAD}"  # the last line only
    assert short_of_unfinished("") == ""


@pytest.mark.parametrize(("impl", "name"), [("trio", "crawl"), ("trio", "_until_ctrl_c"),
                                            ("asyncio", "crawl")])
def test_child_main_names_crawl_or_until_ctrl_c_left_as_the_skeletons(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]],
        monkeypatch: pytest.MonkeyPatch, impl: str, name: str) -> None:
    """``child_main`` with the crawl replaced by one that matched (no demo site here)."""
    monkeypatch.setattr(child, "check_crawler",
                        lambda *args, **kwargs: (EQUIVALENT, f"{HEAD}\n{SAME}"))
    try:
        result, exits, _ = run_child(with_skeleton_body(impl, name), lesson="crawler",
                                     impl=impl, name="my_crawler.py")
    finally:
        sys.modules.pop("learner_crawler_port", None)
    assert exits == [0]
    assert result == {"status": NOT_EQUIVALENT, "text": (
        f"{HEAD}\n  bulk_crawl_and_write on the demo site: the same 223 rows and the same "
        "events for every URL (an error compared by its category).\n"
        + unfinished_note([name]))}


@pytest.mark.parametrize("impl", ["trio", "asyncio"])
def test_child_main_keeps_a_finished_crawlers_report_whole(
        run_child: Callable[..., tuple[dict[str, Any], list[int], Path]],
        monkeypatch: pytest.MonkeyPatch, impl: str) -> None:
    monkeypatch.setattr(child, "check_crawler",
                        lambda *args, **kwargs: (EQUIVALENT, f"{HEAD}\n{SAME}"))
    try:
        result, exits, _ = run_child(TWINS[impl].read_text(encoding="utf-8"), lesson="crawler",
                                     impl=impl, name="my_crawler.py")
    finally:
        sys.modules.pop("learner_crawler_port", None)
    assert exits == [0]
    assert result == {"status": EQUIVALENT, "text": f"{HEAD}\n{SAME}"}
