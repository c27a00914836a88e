"""Operator mutation testing over the twins: does the shared suite notice a changed operator?

A small, dependency-free stand-in for mutmut (whose trampolines and ``mutants/`` copy do not
fit a repository that other sessions edit while it runs): it changes one token of one lesson
file at a time, the way mutmut's operators do, runs that lesson's shared tests, and counts the
mutant *killed* if any test fails (or the run times out), *survived* if all pass.

Operators, on tokens outside docstrings and import lines:

* comparisons ``<``/``<=``, ``>``/``>=``, ``==``/``!=``, swapped;
* arithmetic ``+``/``-``, ``*``/``/``, ``//`` to ``/``, ``%`` to ``/``, ``**`` to ``*``,
  ``+=``/``-=`` (never a ``*`` that starts ``*args``);
* numbers ``n`` to ``n + 1``; strings get ``XX`` after their opening quote;
* ``True``/``False``, ``and``/``or``, ``break``/``continue``.

The files are changed in a *copy* of the repository (``--root``: a ``git worktree``), never
in the tree where other work goes on. Which sites are tried is a seeded sample of every
candidate (``--per-file``, ``--seed``), so two runs over two versions of the suite try the
same mutants and their scores compare.

Example (what issue 14's report used)::

    git worktree add --detach /tmp/mut HEAD
    python scripts/mutate.py --root /tmp/mut --per-file 12 --seed 14 --out /tmp/mut.json
    python scripts/mutate.py --root /tmp/mut --replay /tmp/mut.json --out /tmp/mut2.json \
        --recheck 'tests/test_{lesson}.py' tests/test_scripts.py tests/test_sigint.py \
        tests/test_notebooks.py --deselect \
        tests/test_notebooks.py::test_the_notebooks_are_generated_from_the_twins_and_fresh

Each mutant runs ``tests/test_<lesson>.py`` plus, where it exists, the lesson's
``tests/test_scripts.py`` cases (its ``__main__`` in both versions), with ``-x`` and a 60 s
per-test timeout, so a mutant that deadlocks is killed in seconds. Survivors can then meet
more of the suite (``--recheck``: at the end of a run, or later with ``--replay``); a mutant
those kill is reported as "killed (recheck)".
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import random
import subprocess
import sys
import time
import tokenize
from dataclasses import asdict, dataclass
from pathlib import Path

LESSONS = ("count", "makerandom", "chained", "queue", "generators", "asyncgen")
PACKAGES = ("asyncio_ref", "trio_port")

SWAPS = {
    "<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==",
    "+": "-", "-": "+", "*": "/", "/": "*", "//": "/", "%": "/", "**": "*",
    "+=": "-=", "-=": "+=",
}
NAME_SWAPS = {"True": "False", "False": "True", "and": "or", "or": "and",
              "break": "continue", "continue": "break"}


@dataclass
class Mutant:
    path: str      # relative to the root
    line: int
    col: int
    old: str
    new: str
    outcome: str = ""   # "killed", "survived", "timeout"
    seconds: float = 0.0

    @property
    def lesson(self) -> str:
        return Path(self.path).stem

    def describe(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.old!r} -> {self.new!r}"


def _skipped_lines(source: str) -> set[int]:
    """Lines of docstrings and imports: no behaviour to mutate there."""
    skipped: set[int] = set()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            skipped.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        body = getattr(node, "body", None)
        if (isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            doc = body[0]
            skipped.update(range(doc.lineno, (doc.end_lineno or doc.lineno) + 1))
    return skipped


def candidates(root: Path, rel: str) -> list[Mutant]:
    source = (root / rel).read_text(encoding="utf-8")
    skipped = _skipped_lines(source)
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    found = []
    for k, tok in enumerate(tokens):
        (line, col) = tok.start
        if line in skipped:
            continue
        prev = tokens[k - 1].string if k else ""
        new = None
        if tok.type == tokenize.OP and tok.string in SWAPS:
            if tok.string in ("*", "**") and prev in ("(", ",", "def", "lambda"):
                continue  # *args / **kwargs, not arithmetic
            if tok.string == "*" and prev == ",":
                continue
            new = SWAPS[tok.string]
        elif tok.type == tokenize.NAME and tok.string in NAME_SWAPS:
            new = NAME_SWAPS[tok.string]
        elif tok.type == tokenize.NUMBER:
            try:
                value = ast.literal_eval(tok.string)
            except ValueError:
                continue
            if isinstance(value, int):
                new = str(value + 1)
            elif isinstance(value, float):
                new = repr(value + 1.0)
        elif tok.type == tokenize.STRING:
            quote = tok.string.lstrip("rbfuRBFU")
            prefix = tok.string[: len(tok.string) - len(quote)]
            opener = quote[:3] if quote[:3] in ('"""', "'''") else quote[:1]
            new = prefix + opener + "XX" + quote[len(opener):]
        if new is not None and tok.start[0] == tok.end[0]:
            found.append(Mutant(rel, line, col, tok.string, new))
    return found


def apply(root: Path, m: Mutant) -> str:
    """Write the mutant into the file; return the original text to restore."""
    path = root / m.path
    original = path.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    text = lines[m.line - 1]
    assert text[m.col:m.col + len(m.old)] == m.old, m.describe()
    lines[m.line - 1] = text[:m.col] + m.new + text[m.col + len(m.old):]
    path.write_text("".join(lines), encoding="utf-8")
    return original


def test_args(root: Path, lesson: str) -> list[str]:
    args = [f"tests/test_{lesson}.py"]
    if (root / "tests" / "test_scripts.py").exists():
        args += [f"tests/test_scripts.py::test_the_script_prints_what_the_virtual_run_prints"
                 f"[{lesson}-{impl}]" for impl in ("asyncio", "trio")]
    return args


def run_tests(root: Path, lesson: str, limit: float,
              extra: list[str] | None = None) -> tuple[str, float]:
    start = time.monotonic()
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:randomly",
           "-p", "no:cacheprovider", "--timeout=60",
           *(extra if extra is not None else test_args(root, lesson))]
    try:
        done = subprocess.run(cmd, cwd=root, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=limit)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - start
    return ("survived" if done.returncode == 0 else "killed"), time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True,
                        help="a copy of the repository to mutate (a git worktree)")
    parser.add_argument("--per-file", type=int, default=12, help="mutants tried per file")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--lessons", nargs="*", default=list(LESSONS))
    parser.add_argument("--out", type=Path, help="write every mutant and outcome as JSON")
    parser.add_argument("--limit", type=float, default=600, help="wall seconds per mutant")
    parser.add_argument("--recheck", nargs="*", default=[], metavar="TEST",
                        help="pytest paths each survivor then meets (tests beyond its "
                             "lesson's own file: test_sigint, ...); {lesson} is its lesson")
    parser.add_argument("--deselect", action="append", default=[], metavar="NODEID",
                        help="a test the recheck leaves out (one that fails on any edit of "
                             "a twin, whatever the edit: not a kill)")
    parser.add_argument("--replay", type=Path, metavar="JSON",
                        help="an earlier --out file: recheck only its survivors")
    args = parser.parse_args(argv)
    args.recheck += [f"--deselect={node}" for node in args.deselect]
    root = args.root.resolve()
    if (root / ".git").is_dir():
        parser.error(f"{root} is a main checkout: mutate a `git worktree` copy, not the tree "
                     "other work goes on in")
    if args.replay:
        # Only the survivors of an earlier run (its --out file), against --recheck.
        replayed = [Mutant(**m) for m in json.loads(args.replay.read_text(encoding="utf-8"))]
        for m in replayed:
            if m.outcome == "survived":
                recheck(root, m, args.recheck, args.limit)
        return report(replayed, args.out)
    rng = random.Random(args.seed)
    mutants: list[Mutant] = []
    for lesson in args.lessons:
        for package in PACKAGES:
            sites = candidates(root, f"{package}/{lesson}.py")
            mutants += sorted(rng.sample(sites, min(args.per_file, len(sites))),
                              key=lambda m: (m.line, m.col))
    baseline = {lesson: run_tests(root, lesson, args.limit)[0] for lesson in args.lessons}
    if any(outcome != "survived" for outcome in baseline.values()):
        print(f"the unmutated suite does not pass: {baseline}", file=sys.stderr)
        return 2
    for n, m in enumerate(mutants, 1):
        original = apply(root, m)
        try:
            m.outcome, m.seconds = run_tests(root, m.lesson, args.limit)
        finally:
            (root / m.path).write_text(original, encoding="utf-8")
        print(f"[{n}/{len(mutants)}] {m.outcome:8} {m.describe()}", flush=True)
    first = sum(m.outcome != "survived" for m in mutants)
    if args.recheck:
        print(f"lesson tests: {first}/{len(mutants)} killed; survivors against {args.recheck}")
        for m in mutants:
            if m.outcome == "survived":
                recheck(root, m, args.recheck, args.limit)
    return report(mutants, args.out)


def recheck(root: Path, m: Mutant, tests: list[str], limit: float) -> None:
    """Run a survivor against ``tests`` (``{lesson}`` filled in); killed there, say so."""
    original = apply(root, m)
    try:
        outcome, seconds = run_tests(root, m.lesson, limit,
                                     [t.format(lesson=m.lesson) for t in tests])
    finally:
        (root / m.path).write_text(original, encoding="utf-8")
    if outcome != "survived":
        m.outcome, m.seconds = f"{outcome} (recheck)", m.seconds + seconds
    print(f"recheck  {m.outcome:8} {m.describe()}", flush=True)


def report(mutants: list[Mutant], out: Path | None) -> int:
    killed = sum(m.outcome != "survived" for m in mutants)
    print(f"score: {killed}/{len(mutants)} killed ({100 * killed / len(mutants):.1f}%)")
    for m in mutants:
        if m.outcome == "survived":
            print(f"survived: {m.describe()}")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps([asdict(m) for m in mutants], indent=1) + "\n",
                       encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
