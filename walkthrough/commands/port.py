"""``walkthrough port``: point the guide at the user's own asyncio code."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from walkthrough.cli import UsageError

if TYPE_CHECKING:
    from walkthrough import port

# walkthrough.port (its tables and rewriters) is imported where used: every `walkthrough`
# command imports this module for its --help line (walkthrough.cli.build_parser).

HELP = "read your own asyncio file and say what Trio has in each place"
DESCRIPTION = """\
Read an asyncio program (a .py file, every .py file under a directory, or `-` for standard
input) and list each asyncio construct it uses, line by line: asyncio.* calls and names, what
an event loop, a queue, a task or a semaphore is asked to do, aiohttp sessions and responses,
aiofiles files, and the pattern of keeping tasks alive in a set. For each: the Trio
counterpart, the gotcha, and the page of the guide that shows it. The mapping is the guide's
concept map (docs/concepts.md; an installed copy carries it as walkthrough/concepts.md).

The file is parsed (Python's ast), never run and never changed. It is decoded as Python
decodes a module: UTF-8, a UTF-8 byte-order mark, or a PEP 263 coding line (`# -*- coding:
latin-1 -*-`).

--rewrite prints a patch (a unified diff) instead. It rewrites only where the file shows the
rewrite keeps behaviour, and adds a "# TODO(trio): ..." comment above every other construct,
for a human to decide; a construct it could have rewritten but did not says why ("kept as it
was: ..."):
  asyncio.sleep(t) -> trio.sleep(t), when t is a number >= 0 it can see (trio.sleep raises
    ValueError on a negative delay, which asyncio.sleep takes as 0: one pass of its loop);
  asyncio.run(main(x)) -> trio.run(main, x), for an async def main of the file (with a TODO
    while asyncio code or a library that may need asyncio is left);
  an awaited asyncio.gather of calls of the file's own async defs, result unused -> a nursery
    block, always with a TODO: its errors now come as an ExceptionGroup (an `except
    ValueError:` around it, here or in a caller, stops matching), and a failing child cancels
    its siblings.
Read the patch before you apply it with `git apply port.diff` or `patch -p1 < port.diff`.

The patch keeps each file's line endings (a CRLF file gets CRLF lines) and names each file by
its path relative to the current directory, so that `git apply` or `patch -p1` run there finds
it. A file outside the current directory is named by its file name alone: apply that patch in
the file's own directory. A directory outside it has its files named relative to the walked
directory's parent (`port ../out` names out/a/x.py): apply that patch in the parent. A note on
stderr says where. Standard input is named stdin.py: apply it with `patch app.py < port.diff`.

With --rewrite, --format json prints {"files": [{"path", "patch", "findings"}, ...],
"skipped": N}; --format markdown prints each file's patch in a ```diff block.

On stderr, a summary: "N findings in K of M files", or "0 findings: no asyncio construct in
M files" (a directory walk, a file without findings, or --rewrite with findings but nothing
to rewrite).

Exit status:
  0  nothing to port (no asyncio construct found)
  1  findings were reported (or a patch was printed)
  2  the user's error: a path that does not exist, a FIFO or device instead of a file, a file
     that is not Python text (not in its declared encoding), does not parse, is nested too
     deeply to scan or is larger than 2,000,000 bytes, a directory with no .py file under
     it, a directory whose every file was skipped (nothing could be read), or a bad command
     line. Inside a directory, such files are reported on stderr and skipped, and anything
     that is not a regular file (a FIFO named x.py) is not read.

examples:
  walkthrough port app.py
  walkthrough port app.py --format markdown > porting-notes.md
  walkthrough port src/ --format json
  walkthrough port app.py --rewrite > port.diff
  git show HEAD:app.py | walkthrough port -"""


def progress_line(n: int, total: int, path: str, width: int) -> str:
    """``[n/total] path``, cut and padded to one column less than the terminal's width.

    A line as wide as the terminal wraps on some terminals, and then each ``\r`` rewrites only
    the second half: a 60-column terminal got one line per file. The path keeps its end (the
    file's name) and loses its start.
    """
    room = max(width - 1, 10)
    head = f"[{n}/{total}] "
    if len(head) + len(path) > room:
        path = "…" + path[len(path) - max(room - len(head) - 1, 1):]
    return (head + path)[:room].ljust(room)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH",
                        help="an asyncio .py file, a directory to walk, or - for standard input")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                        help="how to print the findings, or with --rewrite the patches "
                             "(default: text)")
    parser.add_argument("--rewrite", action="store_true",
                        help="print a patch: the rewrites that keep behaviour, TODOs "
                             "elsewhere (read it)")


def _text(findings: list[port.Finding], out: TextIO) -> None:
    from walkthrough import port

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


def patch_label(path: Path, cwd: Path | None = None,
                root: Path | None = None) -> tuple[str, str | None]:
    """The name a patch gives ``path``, and a note for stderr when it is not the path itself.

    `git apply` refuses a header with ``..`` in it or an absolute path (``a//abs/x.py``). So: a
    plain relative path as it is; a path under the current directory relative to it; anything
    else, since no name relative to here would be honest, relative to a directory the note
    names. For a file found walking ``root``, that is the root's parent: by their file names
    alone, ``out/a/__init__.py`` and ``out/b/__init__.py`` were both ``__init__.py``, and the
    patch did not apply. A file named by itself is named relative to its own directory.
    """
    if not path.is_absolute() and ".." not in path.parts:
        return path.as_posix(), None
    here = (cwd or Path.cwd()).resolve()
    full = path.resolve()
    if full.is_relative_to(here):
        return full.relative_to(here).as_posix(), None
    if root is not None:
        # relative to root as the walk listed it (no symlink followed), under root's real name
        top = root.resolve()
        label = Path(top.name, path.relative_to(root)).as_posix()
        return label, (f"{root} is outside the current directory: the patch names its files "
                       f"relative to {top.parent}; apply it there")
    return path.name, (f"{path} is outside the current directory: the patch names it "
                       f"{path.name}; apply it in {full.parent}")


def run(args: argparse.Namespace) -> int:
    from walkthrough import port
    from walkthrough.port import project, reading

    project.forget()  # one run's view of the trees (walkthrough.port.project keeps it)
    stdin = args.path == reading.STDIN
    root = Path(args.path)
    if not stdin and not root.exists():
        raise UsageError(f"cannot read {root}: No such file or directory")
    walking = not stdin and root.is_dir()
    paths = [root] if stdin else port.files(root)
    if walking and not paths:
        raise UsageError(f"{root}: no .py file under it")
    progress = walking and sys.stderr.isatty()
    findings: list[port.Finding] = []
    #: per file read: (path shown, patch, its findings, its encoding)
    done: list[tuple[str, str, list[port.Finding], str]] = []
    skipped = 0
    empty = 0
    noted = False  # a walk outside the current directory says once where to apply its patch
    for n, path in enumerate(paths, start=1):
        if progress:
            width = shutil.get_terminal_size().columns
            print("\r" + progress_line(n, len(paths), str(path), width), end="",
                  file=sys.stderr, flush=True)
        shown = reading.STDIN_NAME if stdin else str(path)
        try:
            data = reading.load_stdin() if stdin else reading.load(path)
            source, encoding = reading.decode(shown, data)
            empty += not source.strip()
            if args.rewrite:
                label, note = ("stdin.py", None) if stdin else \
                    patch_label(path, root=root if walking else None)
                if note and not noted:
                    print(f"walkthrough port: note: {note}", file=sys.stderr)
                    noted = walking
                with reading.deep(shown):  # the rewrite walks the tree too
                    diff, found = port.patch(source, shown, label,
                                             bom=encoding == "utf-8-sig")
            else:
                diff, found = "", port.scan(source, shown)
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
        done.append((shown, diff, found, encoding))
    if progress:
        print(file=sys.stderr)

    if args.rewrite and args.format == "json":
        json.dump({"files": [{"path": shown, "patch": diff,
                              "findings": [f.as_dict() for f in found]}
                             for shown, diff, found, _ in done],
                   "skipped": skipped}, sys.stdout, indent=2)
        print()
    elif args.rewrite and args.format == "markdown":
        for shown, diff, _, _ in done:
            if diff:
                fence = "````" if "```" in diff else "```"
                sys.stdout.write(f"{shown}:\n\n{fence}diff\n{diff}{fence}\n\n")
    elif args.rewrite:
        # each file's patch in the file's own encoding (a latin-1 file's `é` must match its
        # byte), and its line endings as they are (no newline translation)
        sys.stdout.flush()
        for _, diff, _, encoding in done:
            codec = "utf-8" if encoding == "utf-8-sig" else encoding
            sys.stdout.buffer.write(_encode(diff, codec))
        sys.stdout.buffer.flush()
    elif args.format == "json":
        json.dump({"findings": [f.as_dict() for f in findings], "files": len(done),
                   "skipped": skipped}, sys.stdout, indent=2)
        print()
    elif args.format == "markdown":
        _markdown(findings, sys.stdout)
    else:
        _text(findings, sys.stdout)
    unchanged = args.rewrite and args.format == "text" and findings and \
        not any(diff for _, diff, _, _ in done)
    if walking or not findings or unchanged:
        # an empty patch alone would say nothing: the findings are there, not rewritable
        text = summary(findings, len(done), skipped, empty)
        if unchanged:
            text += "; nothing to rewrite: see them without --rewrite"
        print(text, file=sys.stderr)
    if not done:
        return 2  # every file was skipped: nothing could be read, which is not "nothing to port"
    return 1 if findings else 0


#: Characters the TODO comments use, spelled in ASCII for a file whose encoding lacks them.
_ASCII = str.maketrans({"→": "->", "…": "...", "—": "--", "–": "-", "“": '"', "”": '"',
                        "‘": "'", "’": "'"})


def _encode(diff: str, codec: str) -> bytes:
    """A patch in its file's encoding. The old lines came from that encoding; a line the
    rewrite added may hold a character it lacks (a latin-1 file has no `→`)."""
    try:
        return diff.encode(codec)
    except UnicodeEncodeError:
        return diff.translate(_ASCII).encode(codec, errors="backslashreplace")


def summary(findings: list[port.Finding], read: int, skipped: int, empty: int) -> str:
    """One line for stderr that says what was read and what was found in it."""
    def files(n: int) -> str:
        return f"{n} file" if n == 1 else f"{n} files"

    if findings:
        text = f"{len(findings)} findings in {len({f.path for f in findings})} of {read} files"
    elif read == 0:
        text = "0 findings: no file could be read"
    else:
        text = f"0 findings: no asyncio construct in {files(read)}"
        if empty:
            text += " (it is empty)" if empty == read == 1 else f" ({empty} of them empty)"
    return text + (f"; {skipped} skipped" if skipped else "")
