"""The learner's file, before anything of it runs and as it is imported: the slips mutmut planted.

``scripts/mutation.py walkthrough/learner/skeleton.py`` and ``.../loading.py`` (issue 27,
``docs/mutation.md``). ``walkthrough check`` imports the port (:func:`loading.load`) and looks
for unfinished bodies (:mod:`walkthrough.learner.skeleton`) in its child process, where mutmut
cannot see what a test reaches, and the command's tests look for a few words of each message.
The tests here call the functions in this process, one per kind of slip:

* :mod:`walkthrough.learner.skeleton`: which functions the checked phases reach (through a
  name passed as a value too, not through an attribute; a cycle ends), which bodies are still
  the skeleton's (a docstring before the ``raise`` or not, the exception called or not; a
  bare ``raise``, another exception, an attribute named ``NotImplementedError``, or a second
  statement is written code), only those a checked phase needs, a never-awaited stub's
  warning told from the learner's own, and each lesson's needed functions, Trio extras
  included;
* :mod:`walkthrough.learner.loading`: each message whole (a directory, a missing or
  undecodable file, a syntax error with its line and its caret under the indented text, one
  with no line), the port imported as its own module (in ``sys.modules`` while it runs, gone
  again if it fails), ``sys.exit`` and other errors at import told apart, Ctrl-C passed on,
  and every missing phase named.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import re
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.test_mutation_learner import Notes
from walkthrough import catalogue
from walkthrough.learner import skeleton
from walkthrough.learner.crawler import check_crawler, crawl_events
from walkthrough.learner.guard import _Watch
from walkthrough.learner.loading import PortProblem, load, read_source, required
from walkthrough.learner.report import EQUIVALENT, NOT_EQUIVALENT, header
from walkthrough.learner.skeleton import _needed, reachable, stub_warning, unfinished

ROOT = Path(__file__).resolve().parent.parent
COUNT = catalogue.get("count")

# -- skeleton.reachable: what the checked phases reach ----------------------------------------

CALLS = '''
import trio

def helper():
    print("helper")          # print is no function of this file: not followed

async def produce(send):
    helper()

async def task():
    pass

async def demo():
    async with trio.open_nursery() as nursery:
        nursery.start_soon(produce, None)   # a name passed as a value is reached too
        nursery.start_soon(task)

class Port:
    def method(self):
        return self.unused()                # an attribute is not a name: not followed

def unused():
    pass

def ping():
    return pong()

def pong():
    return ping()                           # a cycle ends
'''


def test_the_roots_reach_every_function_they_name_and_no_other() -> None:
    assert reachable(CALLS, ("demo",)) == {"demo", "produce", "helper", "task"}
    assert reachable(CALLS, ("method",)) == {"method"}
    assert reachable(CALLS, ("ping",)) == {"ping", "pong"}
    # A root the file does not define is skipped, the others still followed.
    assert reachable(CALLS, ("nowhere", "task")) == {"task"}
    assert reachable(CALLS, ()) == set()


# -- skeleton.unfinished: which bodies are still the skeleton's -------------------------------

BODIES = '''
def documented():
    """Still to write."""
    raise NotImplementedError("write documented")

async def bare():
    raise NotImplementedError

def reraises():
    raise

def other():
    raise ValueError("not a stub")

def attribute():
    raise errors.NotImplementedError("a name of another module")

def started():
    print("written")
    raise NotImplementedError

def documented_and_started():
    """A docstring, then code, then the raise."""
    x = 1
    raise NotImplementedError(x)

def called_result():
    raise make()()

def written():
    return 1
'''


def test_only_a_whole_body_of_raise_not_implemented_is_the_skeletons() -> None:
    assert unfinished(BODIES) == ["documented", "bare"]


def test_only_the_functions_a_checked_phase_needs_are_named() -> None:
    assert unfinished(BODIES, {"bare", "written", "other"}) == ["bare"]
    assert unfinished(BODIES, set()) == []
    assert unfinished(BODIES, None) == ["documented", "bare"]


def test_a_never_awaited_stub_is_told_from_a_call_the_learner_forgot_to_await() -> None:
    stubs = {"mygen"}
    assert stub_warning("coroutine 'mygen' was never awaited", stubs)
    assert stub_warning("coroutine 'Port.mygen' was never awaited", ["mygen"])
    assert not stub_warning("coroutine 'sleep' was never awaited", stubs)
    assert not stub_warning("mygen was slow", stubs)  # no such warning at all
    assert not stub_warning("coroutine 'mygen' was never awaited", set())


#: lesson -> impl -> the reference twin's functions that the checked phases reach.
NEEDED = {
    "count": {impl: {"count_async", "count_sync", "demo_async", "demo_sync", "main_async",
                     "main_sync"} for impl in ("trio", "asyncio")},
    "asyncgen": {"trio": {"demo", "main", "main_ahead", "mygen", "mygen_ahead", "produce"},
                 "asyncio": {"demo", "main", "mygen"}},
    "queue": {"trio": {"consume", "consume_until_closed", "create_job", "demo", "demo_closing",
                       "main", "main_closing", "names", "produce", "rand_sleep", "streams"},
              "asyncio": {"consume", "create_job", "demo", "main", "names", "produce",
                          "rand_sleep", "streams"}},
}


@pytest.mark.parametrize(("lesson", "impl"), [(lesson, impl) for lesson in NEEDED
                                              for impl in ("trio", "asyncio")])
def test_a_port_must_write_what_the_reference_twins_checked_phases_reach(
        lesson: str, impl: str) -> None:
    """The Trio extras (queue's demo_closing and its helpers, asyncgen's read-ahead
    generator and its producer) for a Trio port only."""
    assert _needed(catalogue.get(lesson), impl) == NEEDED[lesson][impl]


def test_the_functions_the_checks_own_drivers_run_are_needed_even_if_no_phase_reaches_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The slow consumer runs mygen itself (phases.DRIVERS), and a Trio check runs the
    extras itself: a port must write them even where the notebook's phases do not call them
    (here a version of the lesson whose notebook runs nothing, and whose script, which
    ``_needed`` reaches too since review F1 of docs/lessons/crawler.md, calls nothing)."""
    bare = dataclasses.replace(catalogue.get("asyncgen"), phases=())
    monkeypatch.setattr(skeleton, "main_blocks", lambda source: [])
    assert _needed(bare, "asyncio") == {"mygen"}
    assert _needed(bare, "trio") == {"mygen", "main_ahead", "mygen_ahead", "produce"}


# -- loading.read_source: a file that cannot be checked, said before anything runs ------------


def port(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "my_port.py"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problem(path: Path, lesson: catalogue.Lesson = COUNT, impl: str = "trio") -> str:
    with pytest.raises(PortProblem) as raised:
        load(path, lesson, impl)
    # "from None": the message alone, no chain of the error it replaced.
    assert raised.value.__context__ is None or raised.value.__suppress_context__
    return str(raised.value)


def test_a_path_that_is_no_readable_file_is_said_so(tmp_path: Path) -> None:
    folder = tmp_path / "my_port"
    folder.mkdir()
    assert problem(folder) == f"{folder} is a directory: give the path of your .py file"
    missing = tmp_path / "nowhere.py"
    assert problem(missing) == f"cannot read {missing}: No such file or directory"
    latin1 = port(tmp_path, b"print('\xff')\n")
    assert problem(latin1) == (f"cannot read {latin1}: 'utf-8' codec can't decode byte 0xff in "
                               "position 7: invalid start byte")


#: source -> the message after the path: the line, Python's words, the line's text without
#: its indentation, and a caret under the place Python points at.
SYNTAX = {
    "import trio\n\nasync def demo_async(:\n    pass\n":
        ", line 3: syntax error: invalid syntax\n    async def demo_async(:\n"
        "                         ^",
    # Indented: the caret moves left as far as the indentation that is not shown.
    "def f():\n    return 1 +\n":
        ", line 2: syntax error: invalid syntax\n    return 1 +\n              ^",
    "def f():\n        return (1,\n":
        ", line 2: syntax error: '(' was never closed\n    return (1,\n           ^",
    # Found by the compiler, not the parser: Python reads the line from the file by its name.
    "x = 1\nreturn 1\n":
        ", line 2: syntax error: 'return' outside function\n    return 1\n    ^",
    # A line that ends in a letter: only its newline is cut.
    "total = price +* MAX\n":
        ", line 1: syntax error: invalid syntax\n    total = price +* MAX\n                   ^",
    # No line to show: just the path.
    "x = 1\x00\n": ": syntax error: source code string cannot contain null bytes",
}


@pytest.mark.parametrize("source", list(SYNTAX))
def test_a_syntax_error_names_the_line_and_points_at_the_place(source: str,
                                                               tmp_path: Path) -> None:
    path = port(tmp_path, source)
    with pytest.raises(PortProblem) as raised:
        read_source(path)
    assert str(raised.value) == f"{path}{SYNTAX[source]}"
    assert problem(path) == f"{path}{SYNTAX[source]}"


def test_a_control_character_in_the_shown_line_is_escaped(tmp_path: Path) -> None:
    path = port(tmp_path, "def f():\n    x = '\x1b[2J' +\n")
    said = problem(path)
    assert said.startswith(f"{path}, line 2: syntax error: invalid syntax\n    x = '\\x1b[2J' +\n")
    assert "\x1b" not in said


def test_the_caret_stays_under_the_place_after_an_escaped_character(tmp_path: Path) -> None:
    # The escape before the error widens the shown line by three (\x1b for one character):
    # the caret must move with it, past the `+`, not three columns early under the quote.
    said = problem(port(tmp_path, "def f():\n    x = '\x1b[2J' +\n"))
    shown, caret = said.splitlines()[1:3]
    assert shown == "    x = '\\x1b[2J' +"
    assert caret == " " * len(shown) + "^"


def test_the_escapes_counted_are_the_ones_before_the_place_not_before_the_indentation(
        tmp_path: Path) -> None:
    # The escape is the line's last character but three: counted from the raw line's start
    # (indentation and all) instead of its first non-blank, the four columns before the place
    # that hold it are left out, and the caret lands three columns early again.
    said = problem(port(tmp_path, "def f():\n    x = '\x1b' +\n"))
    shown, caret = said.splitlines()[1:3]
    assert shown == "    x = '\\x1b' +"
    assert caret == " " * len(shown) + "^"


def test_a_readable_file_is_returned_as_it_is(tmp_path: Path) -> None:
    text = "# café\nasync def demo_sync():\n    pass\n"
    assert read_source(port(tmp_path, text)) == text


# -- loading.load: the port imported as a module of its own ------------------------------------

NAME = "learner_count_port"


@pytest.fixture
def clean_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a test leaves under the port's module name is removed after it."""
    monkeypatch.delitem(sys.modules, NAME, raising=False)


@pytest.mark.usefixtures("clean_modules")
def test_the_port_is_its_own_module_registered_while_it_runs(tmp_path: Path) -> None:
    """A dataclass (and typing's forward references) look their module up in sys.modules
    while the file runs."""
    path = port(tmp_path, (
        "from __future__ import annotations\nimport dataclasses\nimport sys\n\n"
        "SEEN = sys.modules[__name__]\n\n"
        "@dataclasses.dataclass\nclass Row:\n    n: int\n\n"
        "def demo_sync():\n    return Row(1)\n\n"
        "async def demo_async():\n    pass\n"))
    module = load(path, COUNT)
    assert module.__name__ == NAME and module.__file__ == str(path)
    assert module.SEEN is module and sys.modules[NAME] is module
    assert module.demo_sync() == module.Row(1)
    assert load(path, catalogue.get("count"), "asyncio").__name__ == NAME


@pytest.mark.usefixtures("clean_modules")
def test_an_error_at_import_is_said_with_its_place_and_the_module_forgotten(
        tmp_path: Path) -> None:
    path = port(tmp_path, "import trio\nx = 1 / 0\n")
    assert problem(path) == (f"importing {path} raised ZeroDivisionError: division by zero\n"
                             f"    at {path}, line 2, in <module>: x = 1 / 0")
    assert NAME not in sys.modules


@pytest.mark.usefixtures("clean_modules")
def test_sys_exit_at_import_is_told_from_an_error(tmp_path: Path) -> None:
    path = port(tmp_path, "import sys\nsys.exit(3)\n")
    assert problem(path) == (
        f"{path} calls sys.exit(3) when it is imported: a module that exits at import cannot "
        "be checked (put the call under 'if __name__ == \"__main__\":')\n"
        f"    at {path}, line 2, in <module>: sys.exit(3)")
    assert NAME not in sys.modules
    assert "calls sys.exit('bye') when" in problem(port(tmp_path, "raise SystemExit('bye')\n"))


@pytest.mark.usefixtures("clean_modules")
def test_ctrl_c_at_import_is_passed_on_not_made_a_message(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        load(port(tmp_path, "raise KeyboardInterrupt\n"), COUNT)
    assert NAME not in sys.modules


@pytest.mark.usefixtures("clean_modules")
def test_every_missing_phase_is_named_with_the_twin_to_compare(tmp_path: Path) -> None:
    """Not callable counts as missing; the twin named is the framework's the port is for
    (Trio unless said)."""
    path = port(tmp_path, "def demo_sync(): pass\n")
    assert problem(path) == (f"{path} has no function demo_async: lesson 'count' runs "
                             "demo_sync, demo_async (the same names as trio_port/count.py)")
    with pytest.raises(PortProblem, match=r"the same names as trio_port/count\.py\)$"):
        load(path, COUNT)  # a Trio port unless said
    port(tmp_path, "demo_sync = 1\ndemo_async = 2\n")
    assert problem(path, impl="asyncio") == (
        f"{path} has no function demo_sync, demo_async: lesson 'count' runs demo_sync, "
        "demo_async (the same names as asyncio_ref/count.py)")
    assert required(COUNT, "trio") == required(COUNT, "asyncio") == ("demo_sync", "demo_async")


# -- crawler: the offline check of the crawler lesson ----------------------------------------
#
# check_crawler runs in the check's child. Here it runs in this process on the local demo site
# (127.0.0.1), with the twins and with ports that are the Trio twin with one slip in what it
# wrote or printed: each difference must be named, whole, and counted.

CRAWLER = catalogue.get("crawler")
TRIO_CRAWLER = CRAWLER.load("trio")


def rewrite(file: Path, edit: Callable[[list[str]], list[str]]) -> None:
    """The TSV's lines edited: once the crawl has ended, a few kB, so blocking is harmless."""
    file.write_text("".join(f"{row}\n" for row in edit(file.read_text().splitlines())))


def crawler_port(*, tsv: Callable[[list[str]], list[str]] | None = None,
                 lines: Callable[[list[str]], list[str]] | None = None,
                 raises: BaseException | None = None, given: list[dict[str, Any]] | None = None,
                 **overrides: Any) -> types.ModuleType:
    """The Trio twin, with its TSV's lines or its printed lines edited after the crawl; the
    keyword arguments the check gave it appended to ``given``, and ``overrides`` put over
    them (a port that ignores one of the limits)."""

    async def bulk_crawl_and_write(file: Path, urls: list[str], **kwargs: Any) -> None:
        if given is not None:
            given.append(kwargs)
        if raises is not None:
            raise raises
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            await TRIO_CRAWLER.bulk_crawl_and_write(file, urls, **{**kwargs, **overrides})
        for line in (lines or list)(printed.getvalue().splitlines()):
            print(line)
        if tsv is not None:
            rewrite(file, tsv)

    module = types.ModuleType("learner_crawler_port")
    module.bulk_crawl_and_write = bulk_crawl_and_write  # type: ignore[attr-defined]
    return module


#: Records what the check told the watchdog, without its files or its wall clock.
Watch = Notes


def crawled(module: types.ModuleType, tmp_path: Path, impl: str = "trio",
            watch: _Watch | None = None) -> tuple[int, list[str], str]:
    """The check's status, its report's lines, and the demo site's address in it."""
    status, report = check_crawler(module, Path("my_crawler.py"), impl, tmp_path, watch)
    lines = report.splitlines()
    assert lines[0] == header(CRAWLER, Path("my_crawler.py"), impl)
    site = re.fullmatch(r"  45 URLs of the local demo site \((http://127\.0\.0\.1:\d+/)\)",
                        lines[1])
    assert site is not None, report
    return status, lines[2:], site[1]


def test_a_crawl_prints_one_event_per_line_and_keeps_the_rest_sorted() -> None:
    by_url, other = crawl_events([
        "Got response [200] for URL: http://a/",
        "Error parsing URL: 'http://[::1/broken'",
        "Found 3 links for http://a/",
        "Error [status] for URL: http://b/ - HTTPStatusError: words that differ",
        "Wrote results for source URL: http://a/",
        "Got response [200] for URL: http://a/ and more",  # not the form: kept as it is
        "Another line",
    ])
    assert by_url == {"http://a/": ["got 200", "found 3", "wrote"], "http://b/": ["error status"]}
    assert other == ["Another line", "Error parsing URL: 'http://[::1/broken'",
                     "Got response [200] for URL: http://a/ and more"]
    assert crawl_events([]) == ({}, [])


@pytest.mark.timeout(60)
@pytest.mark.parametrize("impl", ["trio", "asyncio"])
def test_the_twins_crawl_is_equivalent(impl: str, tmp_path: Path) -> None:
    watch = Watch()
    status, lines, _ = crawled(CRAWLER.load(impl), tmp_path, impl, watch)
    assert (status, lines) == (EQUIVALENT, [
        "equivalent: the same 223 rows and the same events for every URL (an error compared "
        "by its category)."])
    assert watch.notes == ["crawl"]
    # Both crawls written where the check says, the same rows in whatever order pages finished.
    assert sorted((tmp_path / "reference.tsv").read_text().splitlines()) == sorted(
        (tmp_path / "yours.tsv").read_text().splitlines())


@pytest.mark.timeout(60)
def test_a_crawl_that_raises_is_not_equivalent_with_the_cause(tmp_path: Path) -> None:
    status, lines, _ = crawled(crawler_port(raises=ValueError("boom")), tmp_path)
    assert status == NOT_EQUIVALENT
    assert lines[0] == "NOT equivalent: your crawl raised:"
    assert lines[1] == "  ValueError: boom"
    with pytest.raises(KeyboardInterrupt):
        check_crawler(crawler_port(raises=KeyboardInterrupt()), Path("my_crawler.py"), "trio",
                      tmp_path)


@pytest.mark.timeout(60)
def test_a_wrong_header_and_lost_or_extra_rows_are_each_named(tmp_path: Path) -> None:
    """Seven rows lost and seven added: five of each shown, sorted; the header as printed."""

    def edit(rows: list[str]) -> list[str]:
        lost = [r for r in rows if r.split("\t")[0].endswith("/index.html")][:7]
        return (["source\tparsed"] + [r for r in rows[1:] if r not in lost]
                + [f"http://x/\thttp://x/{i}" for i in range(7)])

    status, lines, site = crawled(crawler_port(tsv=edit), tmp_path)
    assert status == NOT_EQUIVALENT
    lost = sorted(f"{site}index.html\t{site}page/{n}.html" for n in range(30))[:5]
    assert lines == [
        "NOT equivalent (11 differences; the first 10):",
        "  the TSV's header: expected source_url\\tparsed_url, got source\\tparsed",
        *(f"  a row is missing: {row}".replace("\t", "\\t") for row in lost),
        *(f"  a row that should not be there: http://x/\\thttp://x/{i}" for i in range(4))]


@pytest.mark.timeout(60)
def test_one_row_more_is_one_difference(tmp_path: Path) -> None:
    status, lines, _ = crawled(crawler_port(tsv=lambda rows: [*rows, rows[-1]]), tmp_path)
    assert status == NOT_EQUIVALENT
    assert lines[0] == "NOT equivalent (1 difference; the first 10):"
    assert len(lines) == 2 and lines[1].startswith("  a row that should not be there: http://")


@pytest.mark.timeout(60)
def test_a_urls_events_out_of_order_or_missing_are_named_with_what_was_printed(
        tmp_path: Path) -> None:
    """A "Wrote" line lost for one page and an error's category wrong for another: each URL
    named, with the events expected and the lines the port printed for it."""

    def edit(lines: list[str]) -> list[str]:
        return [line.replace("Error [status]", "Error [connection]")
                for line in lines if not line.startswith("Wrote results for source URL: http")
                or not line.endswith("/page/7.html")]

    status, lines, site = crawled(crawler_port(lines=edit), tmp_path)
    assert status == NOT_EQUIVALENT
    page = f"{site}page/7.html"
    assert lines[0] == "NOT equivalent (3 differences; the first 10):"
    assert f"  for {page}: expected events got 200, found 6, wrote; your port printed: " \
           f"Got response [200] for URL: {page} | Found 6 links for {page}" in lines
    errors = [line for line in lines if "/status/" in line]
    assert len(errors) == 2 and all("expected events error status;" in e for e in errors)


@pytest.mark.timeout(60)
def test_a_url_the_reference_never_printed_says_none_expected(tmp_path: Path) -> None:
    status, lines, _ = crawled(crawler_port(lines=lambda ls: [
        *ls, "Got response [200] for URL: http://x/"]), tmp_path)
    assert (status, lines) == (NOT_EQUIVALENT, [
        "NOT equivalent (1 difference; the first 10):",
        "  for http://x/: expected events (none); your port printed: "
        "Got response [200] for URL: http://x/"])


@pytest.mark.timeout(60)
def test_the_other_lines_lost_or_added_are_named_three_of_each_sorted(tmp_path: Path) -> None:
    def edit(lines: list[str]) -> list[str]:
        return ([line for line in lines if not line.startswith("Error parsing URL")]
                + [f"debug {i}\x1b[0m" for i in range(4, 0, -1)])

    status, lines, _ = crawled(crawler_port(lines=edit), tmp_path)
    assert status == NOT_EQUIVALENT
    assert lines == [
        "NOT equivalent (6 differences; the first 10):",
        "  a line is missing: Error parsing URL: 'http://[::1/broken'",
        "  a line is missing: Error parsing URL: 'http://example.org/with\\rcr'",
        "  a line is missing: Error parsing URL: 'http://example.org/with\\ttab'",
        "  a line that should not be there: debug 1\\x1b[0m",
        "  a line that should not be there: debug 2\\x1b[0m",
        "  a line that should not be there: debug 3\\x1b[0m"]


@pytest.mark.timeout(60)
def test_the_port_is_given_the_references_limits(tmp_path: Path) -> None:
    """The same concurrency, time per URL and body cap as the reference's crawl."""
    given: list[dict[str, Any]] = []
    status, _, _ = crawled(crawler_port(given=given), tmp_path)
    assert status == EQUIVALENT
    assert given == [{"concurrency": 8, "url_timeout": 5.0, "max_bytes": 50_000}]


@pytest.mark.timeout(60)
def test_a_port_that_reads_a_body_past_the_cap_is_not_equivalent(tmp_path: Path) -> None:
    """The demo site's big pages are over the cap the check gives (four times it), so a port
    that ignores the cap parses them where the reference stops with "too-large"."""
    status, lines, site = crawled(crawler_port(max_bytes=10**9), tmp_path)
    assert status == NOT_EQUIVALENT
    assert lines[:3] == [
        "NOT equivalent (4 differences; the first 10):",
        *(f"  a row that should not be there: {site}{page}\\thttps://example.org/big"
          for page in ("big-chunked.html", "big.html"))]
    # The URLs come in the order the reference's crawl finished them: either.
    assert sorted(lines[3:]) == sorted(
        f"  for {site}{page}: expected events got 200, error too-large; your port printed: "
        f"Got response [200] for URL: {site}{page} | Found 1 links for {site}{page} | "
        f"Wrote results for source URL: {site}{page}" for page in ("big.html", "big-chunked.html"))


@pytest.mark.timeout(60)
def test_a_crawl_that_raises_gets_the_hint_for_the_framework_it_is_checked_as(
        tmp_path: Path) -> None:
    """An asyncio call left in a Trio port: the hint says so."""
    status, lines, _ = crawled(crawler_port(raises=RuntimeError("no running event loop")),
                               tmp_path)
    assert status == NOT_EQUIVALENT
    assert lines[:2] == ["NOT equivalent: your crawl raised:",
                         "  RuntimeError: no running event loop"]
    assert lines[2].startswith("    hint: an asyncio call left in a Trio port"), lines
