"""``python -m bench [--quick] [--only SECTION ...] [--out PATH]``: measure, then rewrite the page.

Runs the six sections of issue 7, and lesson 8's echo server (issue 26), and writes
``docs/benchmarks.md`` (the figures measured by the modules of ``bench``, the tables and their
explanations written by ``bench/report.py``). The full run takes about seven and a half
minutes on the 2-core machine it was written on (437 s in the run the published page names,
before the echo server was added), plus about three minutes for the echo server: 50 server
processes (three servers in 5 rounds at 50 clients; those three and the four bench-only rows in
5 rounds at 1,000), about 3 s each, and four more under the profiler: about ten minutes in all,
the limit it is meant to stay under; ``--quick`` takes about 40 s
with fewer repeats and smaller sizes, for checking that the bench works, not for quoting: its
page goes to ``build/benchmarks-quick.md`` (untracked), and it refuses to overwrite the
published ``docs/benchmarks.md``. So does ``--only``: a page of some sections would replace the
published page's others with nothing, so its page goes to ``build/benchmarks-partial.md``;
``--only ... --update-published`` writes that page too, then replaces only those sections of
``docs/benchmarks.md``, each marked with the command and date that wrote it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench import report
from bench.stats import log

SECTIONS = ("lessons", "virtual", "framework", "crawler", "links", "server")
ROOT = Path(__file__).resolve().parent.parent
#: The published page (a full run's), and where a quick run's page goes instead.
PUBLISHED = ROOT / "docs" / "benchmarks.md"
QUICK_OUT = ROOT / "build" / "benchmarks-quick.md"
PARTIAL_OUT = ROOT / "build" / "benchmarks-partial.md"
#: What --help says above the options. Not the docstring's first line: that repeated the usage
#: line argparse prints anyway (without --update-published), in reST markup, and called the
#: page "the page" without saying which.
DESCRIPTION = ("Measure the lessons, the virtual clock, task spawning and channels, the crawler, "
               "link extraction and lesson 8's echo server, then write the results page: "
               "docs/benchmarks.md for a full run (meant to stay under ten minutes), "
               "elsewhere with --quick, --only or --out.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true",
                        help="small sizes, one or two repeats; left out: the real-clock "
                             "lessons that take over 5 s, and the echo server's 1,000-client "
                             "runs, bench-only rows and profile: a check that the bench works, "
                             "not figures to quote")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, metavar="SECTION",
                        help=f"run only these sections ({', '.join(SECTIONS)})")
    parser.add_argument("--out", type=Path,
                        help="the page to write (default: docs/benchmarks.md; with --quick, "
                             "build/benchmarks-quick.md; with --only of fewer than all six "
                             "sections, build/benchmarks-partial.md)")
    parser.add_argument("--update-published", action="store_true",
                        help="with --only (not --quick): also replace those sections, and "
                             "only those, in docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.update_published and (args.quick or not args.only):
        parser.error("--update-published needs --only SECTION ... and a full-size run "
                     "(not --quick)")
    partial = args.only is not None and set(args.only) != set(SECTIONS)
    if args.out is None:
        args.out = QUICK_OUT if args.quick else PARTIAL_OUT if partial else PUBLISHED
    elif args.quick and args.out.resolve() == PUBLISHED.resolve():
        parser.error("--quick figures are not for quoting: they may not overwrite "
                     f"{PUBLISHED.relative_to(ROOT)} (omit --out, or choose another path)")
    elif partial and args.out.resolve() == PUBLISHED.resolve():
        parser.error("--only makes a page of some sections: it may not overwrite "
                     f"{PUBLISHED.relative_to(ROOT)}, whose other sections it would drop "
                     "(omit --out, or choose another path)")
    wanted = set(args.only or SECTIONS)
    cfg = report.Config.quick() if args.quick else report.Config.full()

    results = report.Results(cfg=cfg, machine=report.machine())
    started = time.perf_counter()

    from bench import crawl, framework, lessons

    if "lessons" in wanted:
        log("1. lessons on the real clock")
        results.lessons, results.lessons_skipped = lessons.real_clock(
            cfg.lesson_budget, cfg.lesson_max_plan)
    if "virtual" in wanted:
        log("2. the virtual clock")
        results.virtual = lessons.virtual_clock(cfg.virtual_reps)
    if "framework" in wanted:
        log("3. spawning tasks")
        results.spawn = framework.spawn_rows(cfg.tasks, cfg.reps)
        log("3-4. queues, channels and batching")
        queue = framework.queue_rows(cfg.items)
        batch = framework.batching_rows(cfg.items)
        framework.run_rows(queue + batch, cfg.reps)
        results.queues, results.batching = queue, batch
        results.channel_profile = framework.channel_profile(cfg.profile_items)
    if "crawler" in wanted:
        log("5. crawler throughput")
        results.server, results.crawl, results.floors, _, results.profile = crawl.crawler_section(
            cfg.pages, cfg.concurrencies, cfg.crawl_reps)
    if "links" in wanted:
        log("6. link extraction")
        results.links = crawl.link_extraction(cfg.pages, cfg.reps)
    if "server" in wanted:
        from bench import server

        log("7. lesson 8's echo server")
        results.echo = server.section(cfg.echo_clients, cfg.echo_rounds, cfg.echo_seconds,
                                      cfg.echo_profile, cfg.echo_gc)
    results.elapsed = time.perf_counter() - started

    args.out.parent.mkdir(parents=True, exist_ok=True)
    page = report.render(results)
    args.out.write_text(page, encoding="utf-8")
    log(f"wrote {args.out} in {results.elapsed:.0f} s")
    if args.update_published:
        command = "python -m bench --only " + " ".join(args.only) + " --update-published"
        PUBLISHED.write_text(report.splice(PUBLISHED.read_text(encoding="utf-8"), page,
                                           args.only, command), encoding="utf-8")
        log(f"replaced {', '.join(args.only)} in {PUBLISHED.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
