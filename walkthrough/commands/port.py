"""``walkthrough port``: point the guide at the user's own asyncio code."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from walkthrough import port
from walkthrough.cli import UsageError

HELP = "read your own asyncio file and say what Trio has in each place"
DESCRIPTION = """\
Read an asyncio program (a .py file, or every .py file under a directory) and list each
asyncio construct it uses, line by line: asyncio.* calls and names, what an event loop, a
queue, a task or a semaphore is asked to do, aiohttp sessions and responses, aiofiles files,
and the pattern of keeping tasks alive in a set. For each: the Trio counterpart, the gotcha,
and the page of the guide that shows it. The mapping is the guide's concept map
(docs/concepts.md), read from the page itself.

The file is parsed (Python's ast), never run and never changed.

--rewrite prints a patch (a unified diff) instead: it applies three mechanical rewrites
(asyncio.sleep -> trio.sleep; asyncio.run(main(x)) -> trio.run(main, x); an awaited
asyncio.gather of plain calls whose result is unused -> a nursery block) and adds a
"# TODO(trio): ..." comment above every other construct, for a human to decide. Mechanical is
not always safe: a nursery raises an ExceptionGroup where gather raised the bare error (an
`except ValueError:` around it stops matching), and trio.sleep raises ValueError on a negative
delay where asyncio.sleep returns at once (docs/porting.md). Read the patch before you apply it
with `patch -p1 < port.diff` or `git apply port.diff`.

Exit status:
  0  nothing to port (no asyncio construct found)
  1  findings were reported (or a patch was printed)
  2  the user's error: a path that does not exist, a file that is not Python text, does not
     parse or is larger than 2 MB, or a bad command line. Inside a directory, such files are
     reported on stderr and skipped.

examples:
  walkthrough port app.py
  walkthrough port app.py --format markdown > porting-notes.md
  walkthrough port src/ --format json
  walkthrough port app.py --rewrite > port.diff"""

def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", type=Path,
                        help="an asyncio .py file, or a directory to walk")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                        help="how to print the findings (default: text)")
    parser.add_argument("--rewrite", action="store_true",
                        help="print a patch: 3 mechanical rewrites, TODOs elsewhere (read it)")


def _text(findings: list[port.Finding], out: TextIO) -> None:
    for line, group in port.iter_findings(findings):
        for f in group:
            print(f"{f.path}:{line}: {f.construct} -> {f.trio}", file=out)
            if f.gotcha:
                print(f"    {f.gotcha}", file=out)
            print(f"    see {', '.join(f.links)}", file=out)


def _markdown(findings: list[port.Finding], out: TextIO) -> None:
    print("| file:line | asyncio | Trio | gotcha | see |", file=out)
    print("|---|---|---|---|---|", file=out)

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    for f in findings:
        links = ", ".join(f"[{link}]({link})" for link in f.links)
        print(f"| {f.path}:{f.line} | `{f.construct}` | {cell(f.trio)} | {cell(f.gotcha)} "
              f"| {links} |", file=out)


def run(args: argparse.Namespace) -> int:
    root: Path = args.path
    if not root.exists():
        raise UsageError(f"cannot read {root}: No such file or directory")
    paths = port.files(root)
    if root.is_dir() and not paths:
        raise UsageError(f"{root}: no .py file under it")
    walking = root.is_dir()
    progress = walking and sys.stderr.isatty()
    findings: list[port.Finding] = []
    patches: list[str] = []
    skipped = 0
    for n, path in enumerate(paths, start=1):
        if progress:
            print(f"\r[{n}/{len(paths)}] {path}"[:100].ljust(100), end="", file=sys.stderr,
                  flush=True)
        try:
            source = port.read(str(path), path.read_bytes())
            if args.rewrite:
                diff, found = port.patch(source, str(path))
                patches.append(diff)
            else:
                found = port.scan(source, str(path))
        except (port.PortError, OSError) as exc:
            message = str(exc) if isinstance(exc, port.PortError) else \
                f"cannot read {path}: {exc.strerror}"
            if not walking:
                raise UsageError(message) from None
            if progress:
                print(file=sys.stderr)
            print(f"walkthrough port: skipped {message}", file=sys.stderr)
            skipped += 1
            continue
        findings += found
    if progress:
        print(file=sys.stderr)

    if args.rewrite:
        sys.stdout.write("".join(patches))
    elif args.format == "json":
        json.dump({"findings": [f.as_dict() for f in findings], "files": len(paths),
                   "skipped": skipped}, sys.stdout, indent=2)
        print()
    elif args.format == "markdown":
        _markdown(findings, sys.stdout)
    else:
        _text(findings, sys.stdout)
    if walking or not findings:
        files_with = len({f.path for f in findings})
        print(f"{len(findings)} findings in {files_with} of {len(paths) - skipped} files"
              + (f"; {skipped} skipped" if skipped else ""), file=sys.stderr)
    return 1 if findings else 0
