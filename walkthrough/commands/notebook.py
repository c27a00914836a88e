"""``walkthrough notebook IMPL``: your own working copy of the exercises notebook.

``notebooks/*.ipynb`` are generated (``scripts/make_notebooks.py``) and a test fails when they
differ from what the generator makes: a learner who filled in the tracked notebook would break
the suite, and regenerating it would erase their work. So learners work in a copy outside the
tracked files, by default in ``my_notebooks/``, which the repository's ``.gitignore`` ignores.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from walkthrough import catalogue
from walkthrough.cli import UsageError

HELP = "copy the exercises notebook of IMPL (trio or asyncio) into a folder of your own"
DEFAULT_DIR = Path("my_notebooks")
DESCRIPTION = f"""\
Write your working copy of notebooks/IMPL-exercises.ipynb, the lessons' skeletons to fill
in, to DIR/IMPL-exercises.ipynb (default DIR: {DEFAULT_DIR}/ in the current folder, which
the repository's .gitignore ignores in any of its folders). The tracked
notebooks are generated from the code and checked by the test suite: do not edit them, edit
your copy. An existing copy is never overwritten unless you pass --force: it holds your work.

In the copy, each lesson's cell starts with %%check LESSON: running the cell checks it
against the reference, as `walkthrough check` does, then defines its functions for the
cells below. The copy needs only a kernel of this project's Python (.venv/bin/python);
`walkthrough` need not be on PATH.

Exit status: 0 written; 2 the copy exists (without --force), DIR is a file or cannot be
written, or this installation has no notebooks (a checkout has them in notebooks/, and an
installed wheel carries a copy; an install made otherwise may have neither).

examples:
  walkthrough notebook trio                  # my_notebooks/trio-exercises.ipynb
  walkthrough notebook asyncio --dir ~/work  # the seed's exercise, in asyncio
  .venv/bin/pip install jupyterlab           # once: the project does not install it
  .venv/bin/jupyter lab my_notebooks/        # then open it"""

#: Where the exercise notebooks are: the repository's notebooks/ in a source checkout (or an
#: editable install), else the copies that setup.py puts into the package when it builds a
#: wheel (walkthrough/notebooks/), so that the verb works from `pip install .` too.
_REPO_NOTEBOOKS = Path(__file__).resolve().parent.parent.parent / "notebooks"
NOTEBOOKS = _REPO_NOTEBOOKS if (_REPO_NOTEBOOKS / "trio-exercises.ipynb").is_file() \
    else Path(__file__).resolve().parent.parent / "notebooks"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("impl", metavar="IMPL", choices=catalogue.IMPLS,
                        help=f"the framework of the exercises: {', '.join(catalogue.IMPLS)}")
    parser.add_argument("--dir", metavar="DIR", type=Path, default=DEFAULT_DIR,
                        help=f"the folder to write the copy in (default: {DEFAULT_DIR})")
    parser.add_argument("--force", action="store_true",
                        help="overwrite an existing copy (your work in it is lost)")


def intro(impl: str, source: str) -> str:
    """The copy's first cell: it says whose file this is, and how to work in it."""
    name = "Trio" if impl == "trio" else "asyncio"
    flag = " --impl asyncio" if impl == "asyncio" else ""
    return (
        f"# Async IO walkthrough in {name}: your exercises\n\n"
        f"Your own copy, written by `walkthrough notebook {impl}` from `{source}`: edit it "
        "freely (the verb never overwrites it unless given `--force`).\n\n"
        "Fill in each lesson's cell and run it. Its first line, "
        f"`%%check LESSON{flag}`, checks your code against the reference, as "
        f"`walkthrough check LESSON my_LESSON.py{flag}` does, and prints the verdict: "
        "`equivalent`, or `NOT equivalent` and why. Then the run cells below it run your "
        "code. Run the setup cells first: they load `%%check`.")


def make_copy(impl: str) -> dict[str, Any]:
    source = NOTEBOOKS / f"{impl}-exercises.ipynb"
    try:
        nb: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"no {source.name} here: the notebooks are in the project's source "
                         "repository (notebooks/); this installation has none") from None
    first = nb["cells"][0]
    if first.get("cell_type") == "markdown":
        first["source"] = intro(impl, f"notebooks/{source.name}")
    return nb


def venv_tool(name: str) -> str:
    """``name`` in the folder of this Python (the venv's ``bin/``), as a path that works from
    the current folder: relative under it (``.venv/bin/jupyter`` at the repository's root),
    absolute elsewhere. Not resolved: a venv's python is a link to the base interpreter,
    whose folder has none of the venv's tools."""
    tool = Path(sys.executable).parent / name
    try:
        return str(tool.relative_to(Path.cwd()))
    except ValueError:
        return str(tool)


def run(args: argparse.Namespace) -> int:
    nb = make_copy(args.impl)
    if args.dir.exists() and not args.dir.is_dir():
        raise UsageError(f"--dir {args.dir} is a file, not a folder")
    target: Path = args.dir / f"{args.impl}-exercises.ipynb"
    if target.exists() and not args.force:
        raise UsageError(f"{target} exists, and holds your work: open it, or pass --force "
                         "to overwrite it with a fresh copy")
    try:
        args.dir.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n",
                          encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    print(f"wrote {target}")
    print("open it with this project's Python as the kernel, e.g.:")
    jupyter = venv_tool("jupyter")
    needs = "" if os.access(venv_tool("jupyter-lab"), os.X_OK) else \
        f"    (after {venv_tool('pip')} install jupyterlab)"
    print(f"  {jupyter} lab {target}{needs}")
    print(f"  code {target}    (VS Code: pick {venv_tool(Path(sys.executable).name)} "
          "as the kernel)")
    return 0
