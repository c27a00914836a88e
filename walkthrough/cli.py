"""The ``walkthrough`` command: one verb per module in :mod:`walkthrough.commands`.

A verb module offers ``HELP`` (one line), ``DESCRIPTION`` (the --help text), ``configure(parser)``
and ``run(args) -> int``. Verbs are listed here in the order ``--help`` shows them; a verb whose
module is not written yet is simply absent.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Sequence

VERBS = ("list", "run", "tour", "crawl", "diff", "timeline", "check", "port")


class UsageError(Exception):
    """Bad input from the command line: reported in one line, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="walkthrough",
        description="The asyncio walkthrough, written in asyncio and in Trio, side by side.",
        epilog="Run 'walkthrough VERB --help' for a verb's options.",
    )
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    for verb in VERBS:
        name = f"walkthrough.commands.{verb}"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        p = sub.add_parser(
            verb, help=module.HELP, description=getattr(module, "DESCRIPTION", module.HELP),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.configure(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except UsageError as exc:
        parser.exit(2, f"walkthrough {args.verb}: error: {exc}\n")
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `walkthrough list | head`
        return 0
