"""Tests that kill mutmut's survivors in the verbs ``crawl`` and ``timeline`` (issue 27).

``walkthrough crawl`` was tested mostly as a command (``tests/test_sigint.py``,
``tests/test_pipes.py``), in a child process that mutmut does not see, and through the lesson's
own ``main``. Here the verb runs in the test process: a real crawl of the local demo site
(``walkthrough.demosite``, a real HTTP server on 127.0.0.1) where what is crawled matters, and a
stand-in for the twin's ``crawl`` that records what it was handed where only the handing-over
does (the URLs, the output, each option, whether progress is shown), so each of those cases
takes milliseconds. The demo site is always real; a subclass of it records how it was made
(the slow page's wait, the big page's size). One test per kind of slip:

* ``crawl``: the options and the help as parsed (the exit statuses without 141, wrapped at 92
  columns, added once); each refusal in its words before anything is written (a bad option,
  URL, URL file, an empty file, the URL file as the output, an output that cannot be written);
  the timeout (the lesson's on given URLs or a file, the demo's on the demo); URLs given and a
  file's crawled together; everything handed to the twin's ``crawl``; the demo site made with
  the slow page first and waiting past the timeout up to the limit where it is left out, and
  a big page past ``--max-bytes``, said on stderr in one line; a URL file changed since it was
  checked a usage error; Ctrl-C's status leaving SIGINT ignored for the exit;
* ``timeline``: the options and the help; real-I/O lessons sent to their own verb; ``--seed``
  and each ``--param`` checked against the lesson, in their words, and handed to the drawing;
  the width's least; the SVG path checked before the run (a missing folder, a folder, a file
  the user may not write) and the SVG written after it, or the system's reason said; each
  parameter's declared type found in the lesson's phases, its text parsed by that type, and its
  range's edges with the reason for each;
* ``walkthrough.commands``: an unknown lesson refused with the list, the LESSON argument's help.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import signal
import sys
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar

import pytest

import walkthrough.demosite
import walkthrough.timeline
from walkthrough import catalogue, cli
from walkthrough.cli import ClosedPipeGuard, UsageError
from walkthrough.commands import add_lesson, lesson_arg
from walkthrough.commands import crawl as crawl_verb
from walkthrough.commands import timeline as timeline_verb
from walkthrough.demosite import DemoSite

# -- crawl: stand-ins and helpers --------------------------------------------------------------


def parse(*argv: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(["crawl", *argv])


def crawler(impl: str) -> types.ModuleType:
    return catalogue.get("crawler").load(impl)


@dataclasses.dataclass
class Call:
    urls: list[str]
    output: Path
    header: str  # the output's text when the crawl began
    kwargs: dict[str, Any]
    stdout: object


class Crawl:
    """A stand-in for a twin's ``crawl``: records what it was handed and returns ``status``."""

    def __init__(self, status: int = 0) -> None:
        self.status = status
        self.calls: list[Call] = []

    def __call__(self, urls: Iterable[str], output: Path, **kwargs: Any) -> int:
        self.calls.append(Call(list(urls), output, output.read_text(encoding="utf-8"),
                               kwargs, sys.stdout))
        return self.status


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Crawl]:
    def install(impl: str = "trio", status: int = 0) -> Crawl:
        fake = Crawl(status)
        monkeypatch.setattr(crawler(impl), "crawl", fake)
        return fake
    return install


class Tty(io.StringIO):
    """A stderr that says whether it is a terminal."""

    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


class Site(DemoSite):
    """The real demo site, remembering each one made (and how) for the test to look at."""

    made: ClassVar[list[Site]] = []

    def __init__(self, pages: int = 300, *, slow_seconds: float = 2.0,
                 big_bytes: int = 4_000_000) -> None:
        super().__init__(pages, slow_seconds=slow_seconds, big_bytes=big_bytes)
        Site.made.append(self)


@pytest.fixture
def sites(monkeypatch: pytest.MonkeyPatch) -> list[Site]:
    made: list[Site] = []
    monkeypatch.setattr(Site, "made", made)
    monkeypatch.setattr(walkthrough.demosite, "DemoSite", Site)
    return made


def rows(tsv: Path) -> list[list[str]]:
    lines = tsv.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "source_url\tparsed_url"
    return [line.split("\t") for line in lines[1:]]


# -- crawl: the options and the help -----------------------------------------------------------


def test_the_crawl_options_are_parsed_as_the_help_says() -> None:
    from asyncio_ref import crawler as reference

    args = parse()
    assert (args.urls, args.urls_file, args.output, args.impl, args.concurrency, args.timeout,
            args.max_bytes) == ([], None, "foundurls.tsv", "trio", 20, None, 2 * 1024 * 1024)
    args = parse("http://a.example/", "http://b.example/", "--urls-file", "u.txt", "-o", "x.tsv",
                 "--impl", "asyncio", "--concurrency", "3", "--timeout", "inf",
                 "--max-bytes", "100")
    assert (args.urls, args.urls_file, args.output, args.impl, args.concurrency, args.timeout,
            args.max_bytes) == (["http://a.example/", "http://b.example/"], "u.txt", "x.tsv",
                                "asyncio", 3, float("inf"), 100)
    assert type(args.concurrency) is int and type(args.max_bytes) is int
    assert parse("--output", "y.tsv").output == "y.tsv"
    with pytest.raises(SystemExit):
        parse("--impl", "curio")
    parser = argparse.ArgumentParser()
    crawl_verb.configure(parser)
    text = " ".join(parser.format_help().split())
    for part in [
        "[--max-bytes N] [URL ...] positional arguments: URL http(s) URLs to crawl (default: "
        "the local demo site)",
        "--urls-file F a file of URLs, one a line",
        "-o OUT, --output OUT the TSV to write (default: foundurls.tsv)",
        "--impl {asyncio,trio} which version to run (default: trio)",
        "--concurrency N URLs in flight at once (default: 20)",
        "--timeout S seconds allowed per URL (default: 10, 2 on the demo site; inf: no limit)",
        "--max-bytes N largest body read (default: 2097152)",
    ]:
        assert part in text
    assert reference.DEFAULT_CONCURRENCY == 20 and reference.DEFAULT_TIMEOUT == 10


def test_the_exit_statuses_are_the_lessons_but_141_wrapped_at_92_columns() -> None:
    """141 is the lesson's status for a closed stdout; the verb crawls on (its CLOSED_STDOUT).
    A line of 92 characters stays whole, one of 93 goes on under the text, 7 columns in."""
    fits = "x" * 85              # "  0    " is 7 columns: 92 in all
    longer = "y" * 83 + " zz"    # 93 columns
    assert crawl_verb.exit_statuses({0: fits, 141: "closed", 74: longer}) == (
        f"exit status:\n  0    {fits}\n  74   {'y' * 83}\n       zz")
    from asyncio_ref import crawler as reference

    parser = argparse.ArgumentParser(description="about")
    crawl_verb.configure(parser)
    assert parser.description == "about\n\n" + crawl_verb.exit_statuses(reference.EXIT_STATUS)
    assert "  141 " not in parser.description and "  130  interrupted" in parser.description
    # a description that lists them already (the verb's configured twice) is left alone
    listed = argparse.ArgumentParser(description="about\n\nexit status:\n  0    done")
    crawl_verb.configure(listed)
    assert listed.description == "about\n\nexit status:\n  0    done"
    bare = argparse.ArgumentParser()  # no description: nothing to add to
    crawl_verb.configure(bare)
    assert bare.description is None


# -- crawl: refusals, before anything is written -----------------------------------------------


@pytest.mark.parametrize(("argv", "message"), [
    (["--concurrency", "0"], "--concurrency, --timeout and --max-bytes must be positive"),
    (["--timeout", "nan"], "--concurrency, --timeout and --max-bytes must be positive"),
    (["http://127.0.0.1:1/", "ftp://x.example/"], "not an http(s) URL: 'ftp://x.example/'"),
])
def test_a_bad_option_or_url_is_refused_in_its_words(
        argv: list[str], message: str, stand_in: Callable[..., Crawl], tmp_path: Path) -> None:
    fake = stand_in()
    out = tmp_path / "out.tsv"
    with pytest.raises(UsageError) as refused:
        crawl_verb.run(parse(*argv, "-o", str(out)))
    assert str(refused.value) == message
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert fake.calls == [] and not out.exists()


@pytest.mark.parametrize("content", ["", "\n# a comment\n\n"])
def test_a_url_file_with_no_url_is_a_mistake_not_the_demo(
        content: str, stand_in: Callable[..., Crawl], sites: list[Site], tmp_path: Path) -> None:
    fake = stand_in()
    urls = tmp_path / "urls.txt"
    urls.write_text(content, encoding="utf-8")
    out = tmp_path / "out.tsv"
    with pytest.raises(UsageError) as refused:
        crawl_verb.run(parse("--urls-file", str(urls), "-o", str(out)))
    assert str(refused.value) == f"{urls}: no URL in the file"
    assert fake.calls == [] and sites == [] and not out.exists()


def test_a_url_file_that_cannot_be_read_or_holds_a_bad_url_is_refused(
        stand_in: Callable[..., Crawl], tmp_path: Path) -> None:
    fake = stand_in()
    out = tmp_path / "out.tsv"
    out.write_text("precious\n", encoding="utf-8")
    missing = tmp_path / "missing.txt"
    with pytest.raises(UsageError) as refused:
        crawl_verb.run(parse("--urls-file", str(missing), "-o", str(out)))
    assert str(refused.value) == f"cannot read {missing}: No such file or directory"
    bad = tmp_path / "bad.txt"
    bad.write_text("http://127.0.0.1:1/\nnot a url\n", encoding="utf-8")
    with pytest.raises(UsageError) as refused:
        crawl_verb.run(parse("--urls-file", str(bad), "-o", str(out)))
    assert str(refused.value) == "not an http(s) URL: 'not a url'"
    assert fake.calls == [] and out.read_text(encoding="utf-8") == "precious\n"


def test_the_url_file_as_the_output_is_refused_by_any_name(
        stand_in: Callable[..., Crawl], tmp_path: Path) -> None:
    """The header would overwrite the URLs before the crawl had read them."""
    fake = stand_in()
    urls = tmp_path / "urls.txt"
    urls.write_text("http://127.0.0.1:1/\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    for output in (urls, tmp_path / "sub" / ".." / "urls.txt"):
        with pytest.raises(UsageError) as refused:
            crawl_verb.run(parse("--urls-file", str(urls), "-o", str(output)))
        assert str(refused.value) == f"cannot write {output}: it is the URL file"
    assert fake.calls == [] and urls.read_text(encoding="utf-8") == "http://127.0.0.1:1/\n"


def test_an_output_that_cannot_be_written_is_said_before_the_demo_starts(
        stand_in: Callable[..., Crawl], sites: list[Site], tmp_path: Path) -> None:
    fake = stand_in()
    with pytest.raises(UsageError) as refused:
        crawl_verb.run(parse("-o", str(tmp_path)))
    assert str(refused.value) == f"cannot write {tmp_path}: Is a directory"
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert fake.calls == [] and sites == []


# -- crawl: what the twin's crawl is handed ----------------------------------------------------


@pytest.mark.parametrize("impl", catalogue.IMPLS)
@pytest.mark.parametrize("tty", [False, True])
def test_given_urls_and_a_file_are_handed_on_with_every_option(
        impl: str, tty: bool, stand_in: Callable[..., Crawl], sites: list[Site],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    other = stand_in(next(i for i in catalogue.IMPLS if i != impl))
    fake = stand_in(impl, status=1)
    monkeypatch.setattr(sys, "stderr", Tty(tty))
    urls = tmp_path / "urls.txt"
    urls.write_text("http://127.0.0.1:1/c\n# skipped\n\nhttp://127.0.0.1:1/d\n", encoding="utf-8")
    out = tmp_path / "out.tsv"
    assert crawl_verb.run(parse("http://127.0.0.1:1/a", "http://127.0.0.1:1/b", "--urls-file",
                                str(urls), "-o", str(out), "--impl", impl, "--concurrency", "3",
                                "--max-bytes", "1234")) == 1
    [call] = fake.calls
    assert call.urls == [f"http://127.0.0.1:1/{c}" for c in "abcd"]
    assert call.output == out and call.header == crawler(impl).HEADER == "source_url\tparsed_url\n"
    assert call.kwargs == {"concurrency": 3, "url_timeout": 10.0, "max_bytes": 1234,
                           "progress": tty}
    # the crawler prints to a stdout that a closing reader cannot stop
    assert isinstance(call.stdout, ClosedPipeGuard) and sys.stdout is not call.stdout
    assert other.calls == [] and sites == []


@pytest.mark.parametrize(("argv", "timeout", "given"), [
    (["http://127.0.0.1:1/a"], 10.0, ["http://127.0.0.1:1/a"]),  # the web: the lesson's own
    ([], 10.0, []),                                               # a file of the web's URLs too
    (["--timeout", "3.5"], 3.5, []),
])
def test_a_url_file_alone_is_crawled_with_the_lessons_timeout(
        argv: list[str], timeout: float, given: list[str], stand_in: Callable[..., Crawl],
        sites: list[Site], tmp_path: Path) -> None:
    fake = stand_in()
    urls = tmp_path / "urls.txt"
    urls.write_text("http://127.0.0.1:1/f\n", encoding="utf-8")
    assert crawl_verb.run(parse(*argv, "--urls-file", str(urls),
                                "-o", str(tmp_path / "o.tsv"))) == 0
    [call] = fake.calls
    assert call.kwargs["url_timeout"] == timeout
    assert call.urls == [*given, "http://127.0.0.1:1/f"]
    assert sites == []  # the demo site never started


def test_urls_given_alone_are_crawled_not_the_demo(
        stand_in: Callable[..., Crawl], sites: list[Site], tmp_path: Path) -> None:
    fake = stand_in()
    assert crawl_verb.run(parse("http://127.0.0.1:1/a", "-o", str(tmp_path / "o.tsv"))) == 0
    assert [call.urls for call in fake.calls] == [["http://127.0.0.1:1/a"]] and sites == []


def test_a_url_file_changed_since_it_was_checked_is_a_usage_error(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The file is read twice: checked whole first, then a line at a time as the crawl goes.
    A line made bad in between is said as the check would have said it."""
    urls = tmp_path / "urls.txt"
    urls.write_text("http://127.0.0.1:1/a\n", encoding="utf-8")

    def crawl(todo: Iterable[str], output: Path, **kwargs: Any) -> int:
        urls.write_text("http://127.0.0.1:1/a\nnot a url\n", encoding="utf-8")
        for _ in todo:
            pass
        return 0

    monkeypatch.setattr(crawler("trio"), "crawl", crawl)
    with pytest.raises(UsageError) as refused:
        crawl_verb.run(parse("--urls-file", str(urls), "-o", str(tmp_path / "o.tsv")))
    assert str(refused.value) == "not an http(s) URL: 'not a url'"
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


@pytest.mark.timeout(60)
@pytest.mark.parametrize("impl", catalogue.IMPLS)
def test_urls_given_and_a_files_are_crawled_for_real(impl: str, tmp_path: Path) -> None:
    """Through ``main``, both kinds of URL reach the real crawler, and the TSV has their
    links; the file's are read as the crawl goes, after those given."""
    with DemoSite(pages=4) as site:
        urls = tmp_path / "urls.txt"
        urls.write_text(f"{site.url('page/1.html')}\n\n# {site.url('page/3.html')}\n"
                        f"{site.url('page/2.html')}\n", encoding="utf-8")
        out = tmp_path / "out.tsv"
        status = cli.main(["crawl", site.url("index.html"), "--urls-file", str(urls),
                           "-o", str(out), "--impl", impl])
        assert status == 0
        got = rows(out)
        assert {source for source, _ in got} == {
            site.url("index.html"), site.url("page/1.html"), site.url("page/2.html")}
        assert sorted(link for source, link in got if source == site.url("page/2.html")) == \
            sorted({link for link in site.page_links(2) if link.startswith("http")})


# -- crawl: the demo site ----------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "timeout", "big"), [
    ([], 2.0, 4_000_000),
    (["--timeout", "0.5", "--max-bytes", "3999999"], 0.5, 4_000_000),
    (["--timeout", "29", "--max-bytes", "5000000"], 29.0, 5_000_001),
])
def test_the_demo_site_is_made_with_the_slow_page_first_past_the_timeout(
        argv: list[str], timeout: float, big: int, stand_in: Callable[..., Crawl],
        sites: list[Site], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """slow.html waits 1 s past the timeout (up to a 29 s timeout: 30 s is the longest the
    demo waits), and is crawled first so its wait overlaps the crawl; big.html is always
    bigger than --max-bytes, so it shows the size error."""
    fake = stand_in()
    assert crawl_verb.run(parse(*argv, "-o", str(tmp_path / "o.tsv"))) == 0
    [site] = sites
    [call] = fake.calls
    assert (site.slow_seconds, site.big_bytes, site.pages) == (timeout + 1, big, 300)
    assert call.urls == [site.url("slow.html"), *site.demo_urls()]
    assert call.kwargs == {"concurrency": 20, "url_timeout": timeout,
                           "max_bytes": int(argv[-1]) if "--max-bytes" in argv else 2097152,
                           "progress": False}
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"crawling the demo site at {site.base_url} ({len(call.urls)} URLs; "
                            f"slow.html answers 1 s after the {timeout:g} s timeout)\n")


@pytest.mark.parametrize("timeout", ["29.5", "inf"])
def test_past_a_29_s_timeout_the_slow_page_is_left_out_of_the_demo(
        timeout: str, stand_in: Callable[..., Crawl], sites: list[Site],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    fake = stand_in()
    stderr = Tty(True)
    monkeypatch.setattr(sys, "stderr", stderr)
    assert crawl_verb.run(parse("--timeout", timeout, "-o", str(tmp_path / "o.tsv"))) == 0
    [site] = sites
    [call] = fake.calls
    assert site.slow_seconds == 0
    assert call.urls == site.demo_urls() and call.kwargs["progress"] is True
    assert call.kwargs["url_timeout"] == float(timeout)
    assert stderr.getvalue() == (
        f"crawling the demo site at {site.base_url} ({len(call.urls)} URLs; slow.html left "
        f"out: past a {float(timeout):g} s timeout, it would hold the demo up that long)\n")
    assert capsys.readouterr().out == ""


# -- crawl: Ctrl-C -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [0, 1, 130])
def test_after_ctrl_c_a_second_one_cannot_stop_the_exit(
        status: int, stand_in: Callable[..., Crawl], tmp_path: Path) -> None:
    stand_in(status=status)
    saved = signal.getsignal(signal.SIGINT)  # a test runner may have ignored it already
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as a command starts
        assert crawl_verb.run(parse("http://127.0.0.1:1/", "-o", str(tmp_path / "o.tsv"))) \
            == status
        now = signal.getsignal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, saved)
    assert now is (signal.SIG_IGN if status == 130 else signal.default_int_handler)


@pytest.mark.parametrize("status", [0, 1, 130])
def test_after_ctrl_c_on_the_demo_site_sigint_is_ignored_before_the_site_stops(
        status: int, stand_in: Callable[..., Crawl], sites: list[Site],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The demo site stops after the crawl: a second Ctrl-C landing there must find SIGINT
    ignored already (it came out of the verb as a KeyboardInterrupt, and held down killed the
    process as it exited)."""
    stand_in(status=status)
    seen: list[object] = []

    def stop(site: Site) -> None:
        seen.append(signal.getsignal(signal.SIGINT))
        DemoSite.stop(site)

    monkeypatch.setattr(Site, "stop", stop)
    saved = signal.getsignal(signal.SIGINT)
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as a command starts
        assert crawl_verb.run(parse("-o", str(tmp_path / "o.tsv"))) == status
        now = signal.getsignal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, saved)
    assert len(sites) == 1
    expected = signal.SIG_IGN if status == 130 else signal.default_int_handler
    assert seen == [expected] and now is expected


# -- walkthrough.commands: the LESSON argument -------------------------------------------------


def test_an_unknown_lesson_is_refused_with_the_list_of_lessons() -> None:
    assert lesson_arg("queue") is catalogue.get("queue")
    with pytest.raises(UsageError) as refused:
        lesson_arg("nope")
    names = ", ".join(lesson.name for lesson in catalogue.LESSONS)
    assert str(refused.value) == f"unknown lesson 'nope'; known: {names}"
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


def test_the_lesson_argument_names_every_lesson() -> None:
    parser = argparse.ArgumentParser()
    add_lesson(parser)
    assert parser.parse_args(["count"]).lesson == "count"
    help_text = " ".join(parser.format_help().split())
    assert ("LESSON one of: count, makerandom, chained, queue, generators, asyncgen, crawler, "
            "server") in help_text
    assert "usage: " in help_text and " LESSON" in help_text


# -- timeline ----------------------------------------------------------------------------------


def tparse(*argv: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(["timeline", *argv])


@dataclasses.dataclass
class Drawing:
    """What the timeline's run handed its drawing functions (the real ones still run)."""

    recorded: list[tuple[Any, ...]] = dataclasses.field(default_factory=list)
    widths: list[int] = dataclasses.field(default_factory=list)
    svgs: list[str] = dataclasses.field(default_factory=list)


@pytest.fixture
def drawing(monkeypatch: pytest.MonkeyPatch) -> Drawing:
    seen = Drawing()
    record, render, to_svg = (walkthrough.timeline.record, walkthrough.timeline.render,
                              walkthrough.timeline.to_svg)

    def recording(lesson: catalogue.Lesson, impls: Any, params: Any) -> Any:
        panels = record(lesson, impls, params)
        seen.recorded.append((lesson, tuple(impls), dict(params), panels))
        return panels

    def rendering(panels: Any, width: int) -> Any:
        assert panels is seen.recorded[-1][-1]
        seen.widths.append(width)
        return render(panels, width)

    def svg(panels: Any) -> str:
        assert panels is seen.recorded[-1][-1]
        text = to_svg(panels)
        seen.svgs.append(text)
        return text

    monkeypatch.setattr(walkthrough.timeline, "record", recording)
    monkeypatch.setattr(walkthrough.timeline, "render", rendering)
    monkeypatch.setattr(walkthrough.timeline, "to_svg", svg)
    return seen


def test_the_timeline_options_are_parsed_as_the_help_says(tmp_path: Path) -> None:
    args = tparse("count")
    assert (args.lesson, args.impl, args.seed, args.param, args.svg, args.width) == (
        "count", "both", None, [], None, None)
    args = tparse("queue", "--impl", "trio", "--seed", "14", "--param", "nprod=3",
                  "--param", "ncon=1", "--svg", str(tmp_path / "t.svg"), "--width", "90")
    assert (args.lesson, args.impl, args.seed, args.param, args.svg, args.width) == (
        "queue", "trio", 14, ["nprod=3", "ncon=1"], tmp_path / "t.svg", 90)
    assert isinstance(args.svg, Path)
    assert tparse("count", "--impl", "asyncio").impl == "asyncio"
    with pytest.raises(SystemExit):
        tparse("count", "--impl", "curio")
    parser = argparse.ArgumentParser()
    timeline_verb.configure(parser)
    text = " ".join(parser.format_help().split())
    for part in [
        "LESSON one of: count,",
        "--impl {asyncio,trio,both} which version to draw (default: both)",
        "--seed SEED seed for the lessons that draw random numbers",
        "--param NAME=VALUE another of the lesson's parameters (e.g. --param ncon=1)",
        "--svg PATH also write the drawing as SVG",
        "--width WIDTH draw for this many columns",
    ]:
        assert part in text


@pytest.mark.parametrize(("lesson", "verb"), [("crawler", "walkthrough crawl"),
                                               ("server", "walkthrough run server")])
def test_a_real_io_lesson_is_sent_to_its_own_verb(lesson: str, verb: str,
                                                  drawing: Drawing) -> None:
    with pytest.raises(UsageError) as refused:
        timeline_verb.run(tparse(lesson))
    assert str(refused.value) == (f"{lesson} does real network I/O, which the virtual clock "
                                  f"cannot run: try '{verb}'")
    assert drawing.recorded == []


def test_the_seed_and_params_reach_the_drawing_for_the_versions_asked(
        drawing: Drawing, capsys: pytest.CaptureFixture[str]) -> None:
    assert timeline_verb.run(tparse("queue", "--seed", "14", "--param", "nprod=3",
                                    "--param", "ncon=1", "--impl", "trio",
                                    "--width", "60")) == 0
    assert timeline_verb.run(tparse("makerandom", "--width", "40")) == 0
    [(queue, impls, params, _), (makerandom, both, none, _)] = drawing.recorded
    assert (queue, impls, params) == (catalogue.get("queue"), ("trio",),
                                      {"seed": 14, "nprod": 3, "ncon": 1})
    assert (makerandom, both, none) == (catalogue.get("makerandom"), catalogue.IMPLS, {})
    assert drawing.widths == [60, 40]
    out = capsys.readouterr().out
    assert out and all(len(line) <= 60 for line in out.splitlines())
    assert drawing.svgs == []


def test_without_a_width_the_drawing_takes_the_consoles(
        drawing: Drawing, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "77")
    assert timeline_verb.run(tparse("count", "--impl", "asyncio")) == 0
    assert drawing.widths == [77]


@pytest.mark.parametrize(("argv", "message"), [
    (["count", "--seed", "3"], "lesson 'count' draws no random numbers: --seed has no use"),
    (["queue", "--param", "ncon"], "--param 'ncon': expected NAME=VALUE with NAME one of the "
                                   "lesson's parameters (seed, nprod, ncon)"),
    (["queue", "--param", "nope=1"], "--param 'nope=1': expected NAME=VALUE with NAME one of "
                                     "the lesson's parameters (seed, nprod, ncon)"),
    (["count", "--param", "x=1"], "--param 'x=1': expected NAME=VALUE with NAME one of the "
                                  "lesson's parameters (none)"),
    (["queue", "--param", "nprod=x"], "--param nprod=x: not an integer (demo(nprod: int))"),
    (["count", "--width", "39"], "--width must be at least 40"),
])
def test_a_seed_param_or_width_the_lesson_cannot_take_is_refused_before_the_run(
        argv: list[str], message: str, drawing: Drawing) -> None:
    with pytest.raises(UsageError) as refused:
        timeline_verb.run(tparse(*argv))
    assert str(refused.value) == message
    assert drawing.recorded == []


def test_a_seed_of_0_and_a_value_holding_an_equals_sign_are_handed_on_as_given(
        drawing: Drawing) -> None:
    """The NAME is up to the first '=': the rest, '=' and all, is the value."""
    assert timeline_verb.run(tparse("chained", "--seed", "0", "--impl", "asyncio",
                                    "--param", "args=cannon,x=y", "--width", "80")) == 0
    assert drawing.recorded[0][2] == {"seed": 0, "args": ("cannon", "x=y")}


@dataclasses.dataclass(frozen=True)
class Unwritten:
    """A lesson written only in ``written``: the catalogue while a twin is missing."""

    written: tuple[str, ...]
    name: str = "future"
    real_io: bool = False
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def exists(self, impl: str) -> bool:
        return impl in self.written

    def module_name(self, impl: str) -> str:
        return f"{catalogue.PACKAGES[impl]}.{self.name}"


@pytest.mark.parametrize(("written", "impl", "missing"), [
    (("trio",), "both", "asyncio_ref.future"),
    (("asyncio",), "both", "trio_port.future"),
    (("asyncio",), "trio", "trio_port.future"),
])
def test_a_lesson_not_written_in_a_version_asked_for_is_refused_by_name(
        written: tuple[str, ...], impl: str, missing: str, drawing: Drawing,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timeline_verb, "lesson_arg", lambda name: Unwritten(written))
    with pytest.raises(UsageError) as refused:
        timeline_verb.run(tparse("future", "--impl", impl))
    assert str(refused.value) == f"{missing} is not written yet"
    assert drawing.recorded == []


def test_the_svg_is_written_after_the_drawing_and_said(
        drawing: Drawing, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.svg"
    path.write_text("old", encoding="utf-8")  # an existing file we may write: replaced
    assert timeline_verb.run(tparse("count", "--svg", str(path), "--width", "200")) == 0
    [svg] = drawing.svgs
    assert path.read_text(encoding="utf-8") == svg and svg.startswith("<svg")
    assert capsys.readouterr().out.endswith(f"wrote {path}\n")



def test_the_svg_is_written_in_utf8_whatever_the_locale(
        ascii_locale: None, drawing: Drawing, tmp_path: Path) -> None:
    """The drawing's captions hold an en dash and a middle dot: ASCII has neither."""
    path = tmp_path / "t.svg"
    assert timeline_verb.run(tparse("count", "--svg", str(path), "--width", "80")) == 0
    [svg] = drawing.svgs
    assert not svg.isascii()
    assert path.read_bytes().decode("utf-8") == svg


def test_an_svg_the_system_then_refuses_is_said_with_its_reason(
        drawing: Drawing, tmp_path: Path) -> None:
    """A link to a folder that is gone passes the check (its folder is there, it is not a
    folder, it does not exist yet) and then fails to open: said as the system says it."""
    path = tmp_path / "t.svg"
    path.symlink_to(tmp_path / "gone" / "t.svg")
    with pytest.raises(UsageError) as refused:
        timeline_verb.run(tparse("count", "--svg", str(path), "--width", "80"))
    assert str(refused.value) == f"cannot write {path}: No such file or directory"
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert len(drawing.recorded) == 1


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch) -> set[Path]:
    """Paths ``os.access`` says may not be written (the suite may run as root, who may write
    anything: a chmod would not show it); every question asked is checked to be W_OK."""
    denied: set[Path] = set()
    real = os.access

    def access(path: Any, mode: int, **kwargs: Any) -> bool:
        assert mode == os.W_OK
        return Path(path) not in denied and real(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    return denied


def test_an_svg_path_is_checked_before_the_run(
        read_only: set[Path], drawing: Drawing, tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    kept = tmp_path / "kept.svg"
    kept.write_text("", encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    read_only.update({kept, locked})
    for path, why in [(tmp_path / "missing" / "t.svg", "No such file or directory"),
                      (folder, "Is a directory"),
                      (kept, "Permission denied"),            # a file we may not write
                      (locked / "new.svg", "Permission denied")]:  # in a folder we may not
        with pytest.raises(UsageError) as refused:
            timeline_verb.run(tparse("count", "--svg", str(path)))
        assert str(refused.value) == f"cannot write {path}: {why}"
    assert drawing.recorded == []
    # a file we may write, in a folder we may not: the file is what is written
    (locked / "mine.svg").write_text("", encoding="utf-8")
    timeline_verb.check_writable(locked / "mine.svg")
    timeline_verb.check_writable(tmp_path / "new.svg")


# -- timeline: the parameters' types and ranges ------------------------------------------------


def two_phases() -> catalogue.Lesson:
    """A lesson whose parameters are declared by its second phase, and of other types."""

    def first(seed: int = 1) -> None: ...

    def second(n: int = 3, label: str = "x", scale: float = 1.0, *words: str,
               anything=None, maybe: int | None = None,  # type: ignore[no-untyped-def]
               up_to: float = 1.0) -> None: ...

    module = types.ModuleType("asyncio_ref.two")
    module.first, module.second = first, second  # type: ignore[attr-defined]

    class Two(catalogue.Lesson):
        def load(self, impl: str) -> types.ModuleType:
            assert impl == "asyncio"  # the reference's signatures
            return module

    return Two("two", "000", "Two phases", phases=("first", "second"),
               params={"seed": 1, "n": 3, "label": "x", "scale": 1.0, "words": (),
                       "anything": None, "maybe": None, "up_to": 1.0})


def test_a_parameters_type_is_found_in_the_phase_that_declares_it() -> None:
    queue, chained = catalogue.get("queue"), catalogue.get("chained")
    assert timeline_verb.declared_type(queue, "ncon") == ("demo(ncon: int)", int)
    assert timeline_verb.declared_type(chained, "args") == (
        "demo(args: tuple[str, ...])", tuple[str, ...])
    assert timeline_verb.declared_type(queue, "nope") == ("the lesson's parameter nope", Any)
    lesson = two_phases()
    assert timeline_verb.declared_type(lesson, "seed") == ("first(seed: int)", int)
    assert timeline_verb.declared_type(lesson, "n") == ("second(n: int)", int)
    assert timeline_verb.declared_type(lesson, "words") == (
        "second(words: tuple[str, ...])", tuple[str, ...])
    assert timeline_verb.declared_type(lesson, "anything") == ("second(anything: Any)", Any)
    assert timeline_verb.declared_type(lesson, "maybe") == (
        "second(maybe: int | None)", int | None)
    assert timeline_verb._type_name(tuple[tuple[int, ...], ...]) == "tuple[tuple[int, ...], ...]"


def test_a_parameters_text_is_read_by_its_declared_type() -> None:
    lesson = two_phases()
    parse_param = timeline_verb.parse_param
    assert parse_param(lesson, "n", "1_000") == 1000  # as Python writes it
    for text in ("5_", "_5", "1__000"):  # as Python does not: no integer literal
        with pytest.raises(UsageError) as refused:
            parse_param(lesson, "n", text)
        assert str(refused.value) == f"--param n={text}: not an integer (second(n: int))"
    assert parse_param(lesson, "n", "10") == 10  # base 10, whatever the digits
    with pytest.raises(UsageError) as refused:
        parse_param(lesson, "n", "a")
    assert str(refused.value) == "--param n=a: not an integer (second(n: int))"
    assert parse_param(lesson, "label", "[1, 2]") == "[1, 2]"  # a str is the text as it is
    assert parse_param(lesson, "scale", "2.5") == 2.5    # anything else: a Python literal...
    assert parse_param(lesson, "anything", "(1, 'a')") == (1, "a")
    assert parse_param(lesson, "anything", "plain words") == "plain words"  # ...or the text
    assert parse_param(lesson, "anything", "1 +") == "1 +"  # not even Python: the text
    # the ranges are counts': a parameter of another type is not held to one, whatever its name
    assert parse_param(lesson, "up_to", "-2.5") == -2.5
    assert parse_param(lesson, "words", " a, b ,,c ") == ("a", "b", "c")
    assert parse_param(lesson, "words", "['a', 'b']") == ("a", "b")
    assert parse_param(lesson, "words", "('a',)") == ("a",)
    assert parse_param(lesson, "words", "'a, b'") == ("'a", "b'")  # a str literal: split
    assert parse_param(lesson, "words", "x y, (z") == ("x y", "(z")  # not Python: split
    assert parse_param(lesson, "words", "") == ()
    with pytest.raises(UsageError) as refused:
        parse_param(lesson, "words", "['a', 2]")
    assert str(refused.value) == ("--param words=['a', 2]: expected words separated by commas "
                                  "(second(words: tuple[str, ...]))")


@pytest.mark.parametrize(("lesson", "name", "text", "why"), [
    ("queue", "nprod", "0", None),
    ("queue", "nprod", "-1", "-1 is out of range, 0 to 50 (a count is never negative)"),
    ("queue", "nprod", "50", None),
    ("queue", "nprod", "51", "51 is out of range, 0 to 50 (one row per task and one mark per "
                             "line: past that, no readable picture)"),
    ("queue", "ncon", "1", None),
    ("queue", "ncon", "0", "0 is out of range, 1 to 50 (with no consumer no job is ever taken, "
                           "and the run never ends)"),
    ("queue", "ncon", "51", "51 is out of range, 1 to 50 (one row per task and one mark per "
                            "line: past that, no readable picture)"),
    ("asyncgen", "up_to", "200", None),
    ("asyncgen", "up_to", "201", "201 is out of range, 0 to 200 (one row per task and one mark "
                                 "per line: past that, no readable picture)"),
    ("chained", "args", ",".join(["a"] * 50), None),
    ("chained", "args", ",".join(["a"] * 51), "51 items is out of range, 0 to 50 (one row per "
                                              "task and one mark per line: past that, no "
                                              "readable picture)"),
    ("queue", "seed", "-99999", None),  # a seed has no range
])
def test_a_count_out_of_its_range_is_refused_with_the_reason(
        lesson: str, name: str, text: str, why: str | None) -> None:
    the_lesson = catalogue.get(lesson)
    if why is None:
        value = timeline_verb.parse_param(the_lesson, name, text)
        assert value == (tuple(text.split(",")) if name == "args" else int(text))
        return
    with pytest.raises(UsageError) as refused:
        timeline_verb.parse_param(the_lesson, name, text)
    assert str(refused.value) == f"--param {name}={text}: {why}"
