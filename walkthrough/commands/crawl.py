"""``walkthrough crawl``: lesson 7's crawler, by default on a local demo site (offline)."""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import signal
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from walkthrough import catalogue
from walkthrough.cli import UsageError, discard_when_closed

#: The demo site's default --timeout. Its pages answer in milliseconds from this machine;
#: only slow.html waits, on purpose, past the timeout, to show the timeout error (where asyncio's
#: TimeoutError and Trio's TooSlowError differ). With the lesson's 10 s, the demo, done in
#: under a second otherwise, would then sit still for 10 s; 2 s leaves a loaded machine plenty
#: for the real pages.
DEMO_TIMEOUT = 2.0
#: slow.html answers this long after the timeout: a margin no clock jitter crosses.
SLOW_PAST_TIMEOUT = 1.0
#: A --timeout past which slow.html is left out of the demo: the crawl would wait that long.
SLOW_LONGEST = 30.0
_SLOW_TIMEOUT_LIMIT = SLOW_LONGEST - SLOW_PAST_TIMEOUT


HELP = "run the crawler (lesson 7) on the local demo site or on given URLs"
DESCRIPTION = f"""\
Fetch each URL, find the links in its HTML (the notebook's href="(http.*?)"), and write
them to a TSV whose header is source_url<TAB>parsed_url. Errors (HTTP status >= 400,
connection, timeout, too many redirects, body over --max-bytes, undecodable text) are
reported one line per URL and never stop the crawl.

With no URL, a real HTTP server starts on 127.0.0.1 with a generated site of a few
hundred pages and its fault pages (redirects and a loop, 404, 500, plain text, binary,
latin-1, bad UTF-8, oversized bodies, messy links, a refused port, and slow.html, which
answers {SLOW_PAST_TIMEOUT:g} s past the timeout), and the crawler crawls it: no network needed.
There the timeout is {DEMO_TIMEOUT:g} s unless --timeout says otherwise, and the demo takes
about that long (past a --timeout of {_SLOW_TIMEOUT_LIMIT:g} s, slow.html is left out). The per-URL
lines go to stdout; to stderr, on the demo site a first line saying what is crawled, then a
one-line summary (and, on a terminal, progress). Ctrl-C
stops the crawl with exit status 130; the TSV then holds complete rows only. A closed
stdout does not stop it (see below). The exit statuses are listed below.

examples:
  walkthrough crawl                              # the demo site, Trio version
  walkthrough crawl --impl asyncio -o demo.tsv
  walkthrough crawl --urls-file examples/urls.txt --timeout 5   # the notebook's URLs"""


def configure(parser: argparse.ArgumentParser) -> None:
    from asyncio_ref import crawler  # the defaults are the same in both twins

    if parser.description is not None and "exit status:" not in parser.description:
        parser.description += "\n\n" + exit_statuses(crawler.EXIT_STATUS)

    parser.add_argument("urls", nargs="*", metavar="URL",
                        help="http(s) URLs to crawl (default: the local demo site)")
    parser.add_argument("--urls-file", metavar="F", help="a file of URLs, one a line")
    parser.add_argument("-o", "--output", metavar="OUT", default=crawler.DEFAULT_OUTPUT,
                        help=f"the TSV to write (default: {crawler.DEFAULT_OUTPUT})")
    parser.add_argument("--impl", choices=catalogue.IMPLS, default="trio",
                        help="which version to run (default: trio)")
    parser.add_argument("--concurrency", metavar="N", type=int,
                        default=crawler.DEFAULT_CONCURRENCY,
                        help=f"URLs in flight at once (default: {crawler.DEFAULT_CONCURRENCY})")
    parser.add_argument("--timeout", metavar="S", type=float, default=None,
                        help=f"seconds allowed per URL (default: {crawler.DEFAULT_TIMEOUT:g}, "
                             f"{DEMO_TIMEOUT:g} on the demo site; inf: no limit)")
    parser.add_argument("--max-bytes", metavar="N", type=int, default=crawler.DEFAULT_MAX_BYTES,
                        help=f"largest body read (default: {crawler.DEFAULT_MAX_BYTES})")


#: The closed-pipe line of --help (:data:`walkthrough.cli.CLOSED_STDOUT`): the TSV is what a
#: crawl makes, and the per-URL lines only narrate it, so `crawl | head` must not cut it short.
CLOSED_STDOUT = """\
closed stdout: a reader that stops reading (`| head -1`) got what it wanted, and the TSV is
  the crawl's product: the crawl goes on to its end, the per-URL lines it still prints are
  dropped, quietly, and the exit status is the crawl's own (0 or 1 above). (The lesson's
  own `python -m ...crawler` stops instead, with status 141, as a tool killed by SIGPIPE.)"""


def exit_statuses(statuses: dict[int, str]) -> str:
    """The twins' ``EXIT_STATUS`` as the crawler's --help lists them, but this verb's: 141
    (the lesson's own status for a closed stdout) is never ours, :data:`CLOSED_STDOUT` says why."""
    lines = [f"  {code:<4} {text}" for code, text in statuses.items() if code != 141]
    return "exit status:\n" + "\n".join(textwrap.fill(
        line, 92, subsequent_indent=" " * 7) for line in lines)


def run(args: argparse.Namespace) -> int:
    module = catalogue.get("crawler").load(args.impl)
    if args.timeout is None:  # the lesson's own default on the web, a short one on the demo
        args.timeout = module.DEFAULT_TIMEOUT if args.urls or args.urls_file else DEMO_TIMEOUT
    try:
        module.check_options(args.concurrency, args.timeout, args.max_bytes)
        urls: list[str] = [module.check_url(url) for url in args.urls]
        if args.urls_file:
            # Every line checked first (a bad one: nothing written), none kept: the crawl reads
            # the file again, a line at a time, as the twins' own `python -m` does.
            with module.open_urls(args.urls_file) as f:
                if not sum(1 for _ in module.iter_urls(f)):
                    # a mistake, not a request for the demo site
                    raise UsageError(f"{args.urls_file}: no URL in the file")
            if os.path.exists(args.output) and os.path.samefile(args.urls_file, args.output):
                # The header would overwrite the URLs before the crawl had read them.
                raise UsageError(f"cannot write {args.output}: it is the URL file")
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    output = Path(args.output)
    _start(module, output)  # before the demo site starts: a bad path fails first, alone
    with discard_when_closed():  # the crawler never sees a closed stdout: it crawls on
        return _crawl(module, args, urls, output)


def _settled(status: int) -> int:
    """The crawl's ``status``; after Ctrl-C (130), SIGINT ignored from here to the exit.

    Why here, at once, and not once the verb returns: on the demo site the server still stops
    after the crawl, and a second Ctrl-C landing there came out of the verb as a
    KeyboardInterrupt: a second "interrupted" line and, with Ctrl-C held down, death by the
    signal (status -2, not 130) in 6 runs of 6, both twins."""
    if status == 130:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return status


def _crawl(module: ModuleType, args: argparse.Namespace, urls: list[str], output: Path) -> int:
    if urls or args.urls_file:
        try:
            with contextlib.ExitStack() as files:
                todo: Iterable[str] = urls
                if args.urls_file:
                    todo = itertools.chain(urls, module.iter_urls(files.enter_context(
                        module.open_urls(args.urls_file))))
                status = _settled(module.crawl(todo, output, concurrency=args.concurrency,
                                               url_timeout=args.timeout,
                                               max_bytes=args.max_bytes,
                                               progress=sys.stderr.isatty()))
        except ValueError as exc:  # the URL file, gone or changed since it was checked
            raise UsageError(str(exc)) from None
    else:
        # here, not at the top: every `walkthrough` command imports this module for its --help
        # line (walkthrough.cli.build_parser), and http.server is no small import
        from walkthrough.demosite import DemoSite

        timeout = args.timeout
        slow = timeout + SLOW_PAST_TIMEOUT <= SLOW_LONGEST
        with DemoSite(big_bytes=max(4_000_000, args.max_bytes + 1),
                      slow_seconds=timeout + SLOW_PAST_TIMEOUT if slow else 0) as site:
            demo = site.demo_urls()
            if slow:  # first: its wait overlaps the whole crawl instead of ending it
                demo.insert(0, site.url("slow.html"))
                how = (f"slow.html answers {SLOW_PAST_TIMEOUT:g} s after the {timeout:g} s "
                       "timeout")
            else:
                how = (f"slow.html left out: past a {timeout:g} s timeout, it would hold the "
                       "demo up that long")
            print(f"crawling the demo site at {site.base_url} ({len(demo)} URLs; {how})",
                  file=sys.stderr)
            status = _settled(module.crawl(demo, output, concurrency=args.concurrency,
                                           url_timeout=timeout, max_bytes=args.max_bytes,
                                           progress=sys.stderr.isatty()))
    return status


def _start(module: ModuleType, output: Path) -> None:
    """Write the TSV's header, the last check before crawling: a bad path is a usage error."""
    try:
        output.write_text(module.HEADER, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
