"""Generate ``exercises/{trio,asyncio}/<lesson>.py``: the twins with the bodies left blank.

Usage::

    python scripts/make_exercises.py           # rewrite exercises/ from trio_port/, asyncio_ref/
    python scripts/make_exercises.py --check   # exit 1 if exercises/ is stale

Two folders, one per framework, with the same file names as the twins: ``exercises/asyncio/``
is the notebook's own exercise (solve it in asyncio, ``walkthrough check L F --impl asyncio``),
``exercises/trio/`` the port (``walkthrough check L F``). A folder per framework, rather than a
suffix, keeps ``diff exercises/asyncio/X.py exercises/trio/X.py`` as readable as the twins'.

Each skeleton is cut from the real twin, so the names, signatures, docstrings and imports are
exactly what ``walkthrough check`` expects. What is blanked: every ``async`` function, every
function that uses the framework, and every function the notebook asks for. Its body becomes
the notebook's steps for it (:data:`HINTS`, transcribed from the seed notebook, which does not
live in this repository), the twin's own comments from that body (for Trio, the *why* of each
change from asyncio), and ``raise NotImplementedError``. Plain synchronous helpers that the
project added (per-task RNGs, say) are kept whole: they are not the lesson. The answers to the
notebook's questions are cut from the docstrings (:func:`without_answers`): they live in the
twins, the solved notebooks and the guide.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import sys
import textwrap
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from walkthrough import catalogue  # noqa: E402

OUT = ROOT / "exercises"
#: The framework's name in code, per implementation: what makes a function "use" it.
USES = {"trio": ("trio",), "asyncio": ("asyncio", "aiohttp", "aiofiles", "ClientSession")}
#: The line length of the generated files (ruff's, in pyproject.toml).
WIDTH = 100

#: The notebook's numbered steps, per lesson and function ("" holds the lesson-wide ones).
HINTS: dict[str, dict[str, list[str]]] = {
    "count": {
        "count_sync": ["after printing, it waits synchronously 1 sec, then prints two"],
        "main_sync": ["it runs count_sync in sequence 3 times"],
        "count_async": ["after printing, it waits asynchronously 1 sec, then prints two"],
        "main_async": ["it runs count_async asynchronously 3 times"],
        "": ["The output should be One Two One ... for the sync version, taking 3 s. "
             "And One One ... for the async one, taking 1 s."],
    },
    "makerandom": {
        "makerandom": [
            "should keep generating i until one it's greater than threshold.",
            'if it isn\'t, it should print f"{i} too low; retrying.",',
            "then sleep asynchronously for i + 1 seconds,",
            "then generate a new one",
        ],
        "main": ["should run 3 makerandom with idx in range 0 to 2 asynchronously",
                 "should gather the results"],
    },
    "chained": {
        "load": ["waits i secs, asynchronously", "returns i"],
        "fire": ["waits i secs, asynchronously",
                 "returns i plus the i from the following step as a tuple"],
        "chain": ["runs load", "then feeds result to fire"],
        "main": ["initiates an instance of chain for each arg, concurrently"],
        "": ["finally, runs all the jobs in main"],
    },
    "queue": {
        "produce": [
            "pushes a random number of jobs to the queue",
            "Use the itertools method that allows to returns a list of n somethings "
            "(in this case, None)",
            "Add a tuple (an actual tuple) to the queue: one item is a random job number, "
            "the other is a timestamp",
        ],
        "consume": [
            "gets the next available job and processes it",
            "Q: we are using while True, isn't that going to cause problems?",
            "Get the tuple off the queue",
            "Tell the queue it can tick the job as complete",
        ],
        "main": [
            "orchestrates the whole thing",
            "create a queue",
            "create and schedule a set with a task for each producer",
            "make sure each of these tasks gets eventually garbage collected",
            "do the same for consumer (use male names)",
            "run all the producers tasks",
            "Q: why only the producers?",
            "wait until all jobs are processed",
            "Q: how do we know we are done?",
            "turn off the consumers",
        ],
    },
    "generators": {
        "endless": ["is a generator that each time next is called on it returns one of "
                    "9,8,7,6,9...", "Import the relevant package"],
        "demo": ["use for ... in to print a few iterations of endless",
                 "print 3 more iterations of e, hard coded"],
    },
    "asyncgen": {
        "mygen": ["is an async generator", "It yields a sequence of powers of 2 up to 10",
                  "It prints a separator (. for example) at each iteration",
                  "In between each yield there is a 0.2 sec async pause"],
        "main": [
            "is a wrapper for async iterator and comprehension",
            "g uses a list comprehension to put all the items generated by mygen in a list",
            "f uses for loop to put all the items generated by mygen in a list, but only if "
            "i is not 3 or 5",
            "Both are returned as a tuple",
        ],
        "demo": ["Get the tuples and print them out"],
    },
    "crawler": {
        "fetch_html": [
            "sends a get request to a url and returns the HTML content",
            "Use the appropriate method to send an async get request (passing kwargs)",
            "make the response handle any >= 400 request by raising",
            "get the source code (HTML but it will work for .txt files too in fact)",
        ],
        "parse": [
            "returns the links found in the source",
            "catch all the HTTP errors and print them",
            "For each link, try and create an absolute link by joining them to the page's "
            "url (if they are relative) or not if not needed",
            "Q: Why does it work?",
        ],
        "write_one": ["opens the file asynchronously and writes a line at a time"],
        "bulk_crawl_and_write": ["creates a task per url"],
    },
    "server": {  # not in the notebook: lesson 8's steps are issue 17's
        "handle": ["(lesson 8, beyond the notebook) echo every complete line back to its "
                   "client; close it after idle_timeout s without a line, or after a line "
                   "longer than max_line bytes, with the error line"],
        "serve": ["listen on HOST:port, print the listening line, serve many clients at once "
                  "until cancelled"],
        "run": ["Ctrl-C stops accepting, closes every connection, prints stopped, returns 130"],
    },
}


#: What a blanked body's stated lines use that its signature does not say (issue 25, item 7):
#: the values the check compares, never the answers to the notebook's questions.
WHERE: dict[str, dict[str, str]] = {
    "makerandom": {"makerandom": "c[idx + 1] colours the line per task, c[0] ends the colour"},
    "chained": {"chain": "end: the seconds since chain started; p2: the pair fire returned"},
    "queue": {"consume": "now: the clock when the job is taken; t: the timestamp in its tuple"},
    "asyncgen": {"main": 'mygen prints the separators: sep "." for g, then "+" for f',
                 "main_ahead": 'mygen_ahead prints the separators: sep "+", as f in main'},
}

#: The label of the lines a blanked body prints; each follows as its ``print`` call.
PRINTS = "# It prints exactly (the check compares every line):"
#: The indentation, after ``#``, of a stated ``print`` call under :data:`PRINTS`.
STATED = "#     "
#: The comments of a blanked body that :func:`outline` compares (what the skeleton decides).
DECIDED = ("# The notebook:", PRINTS, STATED, "# Where ")


def printed(node: ast.AST, source: str) -> list[str]:
    """Each ``print`` call in ``node``, in source order, as one line of its own source text.

    The exact text of the twin's call (format strings, colours, ``end=``), not ``ast.unparse``,
    which would rewrite ``f"{idx=}"`` and the quotes: a skeleton states what the twin says.
    """
    calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Name) and n.func.id == "print"]
    out = []
    for call in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):
        segment = ast.get_source_segment(source, call) or ""
        out.append(" ".join(line.strip() for line in segment.splitlines()))
    return out


def _stated(calls: list[str], where: str, indent: str) -> list[str]:
    """The :data:`PRINTS` block, then what its names stand for (``where``).

    A call that does not fit the line length goes on in Python's own continuation lines
    (after a comma, or between two joined strings), so the block still parses as code:
    ``tests/test_exercises_lines.py`` reads it back and matches the reference's lines to it.
    """
    out = [indent + PRINTS] if calls else []
    room = WIDTH - len(indent + STATED)
    for call in calls:
        parts = _split(call, room)
        out.append(indent + STATED + parts[0])
        out.extend(indent + STATED + "    " + part for part in parts[1:])
    out.extend(_wrapped([where] if where else [], indent, "# Where "))
    return out


def _split(call: str, room: int) -> list[str]:
    """``call`` cut after a top-level comma or string literal into lines of at most ``room``
    characters (then indented by 4); a single piece longer than that stays whole."""
    cuts: list[int] = []
    depth = 0
    for tok in tokenize.generate_tokens(io.StringIO(call).readline):
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif depth == 1 and (tok.string == "," or tok.type == tokenize.STRING):
            cuts.append(tok.end[1])  # one line, so the column is the offset
    pieces: list[str] = []
    line, start = "", 0
    for cut in [*cuts, len(call)]:
        piece = call[start:cut]
        limit = room if not pieces else room - 4
        if line and len(line + piece.rstrip()) > limit:
            pieces.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
        start = cut
    pieces.append(line.rstrip())
    return pieces


def _comments(source: str) -> dict[int, str]:
    """1-based line number -> comment text, found by tokenize (a ``#`` in a string is not one)."""
    found = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            found[tok.start[0]] = tok.string.lstrip("#").strip()
    return found


def _blank(node: ast.FunctionDef | ast.AsyncFunctionDef, lesson: str, source: str,
           impl: str = "trio") -> bool:
    if isinstance(node, ast.AsyncFunctionDef) or node.name in HINTS.get(lesson, {}):
        return True
    segment = ast.get_source_segment(source, node) or ""
    return any(word in segment for word in USES[impl])


#: A bullet of "The notebook's questions:": the question (up to its "?*"), then our answer.
QUESTION = re.compile(r"^(\* .*?\?\*?)(\s.*)?$")
#: An answer given inline: "(Q: why does it work? ...)", to the closing parenthesis.
INLINE_ANSWER = re.compile(r"\(Q: (why does it work\?) .*?\)\.?", re.DOTALL)


def without_answers(lines: list[str], lesson: str) -> list[str]:
    """The module docstring with the notebook's questions kept and our answers cut.

    A skeleton states the task; answering "isn't while True a problem?" is the exercise.
    """
    out: list[str] = []
    in_questions = False
    for line in lines:
        if line.strip() == "The notebook's questions:":
            in_questions = True
            out.append(line)
            continue
        if in_questions:
            if line.startswith("* "):
                m = QUESTION.match(line)
                out.append(m[1] if m else line)
                continue
            if line.startswith("  "):  # the rest of an answer
                continue
            if not line.strip() and not out[-1].startswith("* "):
                out.append(line)  # the blank line before the first question
                continue
            if not line.strip():
                out.append(f"(Answer them yourself; ours are in docs/lessons/{lesson}.md "
                           "and the solved notebooks.)")
            in_questions = False
        out.append(line)
    text = "\n".join(out)
    text = INLINE_ANSWER.sub(lambda m: f"(Q: {m[1]} Our answer: docs/lessons/{lesson}.md.)",
                             text)
    return text.split("\n")


def render(lesson: catalogue.Lesson, impl: str = "trio") -> str:
    """The skeleton for one lesson, from ``trio_port/<lesson>.py`` or ``asyncio_ref/...``."""
    package = catalogue.PACKAGES[impl]
    path = ROOT / package / f"{lesson.name}.py"
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    comments = _comments(source)
    hints = HINTS.get(lesson.name, {})
    tree = ast.parse(source)
    doc = tree.body[0] if tree.body and isinstance(tree.body[0], ast.Expr) else None
    if doc is not None and isinstance(doc.value, ast.Constant):
        start, end = doc.lineno - 1, doc.end_lineno or doc.lineno
        lines = lines[:start] + without_answers(lines[start:end], lesson.name) + lines[end:]
        source = "\n".join(lines) + "\n"
        comments = _comments(source)
        tree = ast.parse(source)
    task = ("to port to Trio" if impl == "trio" else
            "to solve in asyncio, as the notebook asks")
    says = "our port's reasons" if impl == "trio" else "the reference's notes"
    header = [
        f"Exercise: lesson {lesson.name!r} (notebook {lesson.section}, {lesson.title}), "
        f"{task}. Generated from {package}/{lesson.name}.py by "
        "scripts/make_exercises.py: do not edit it here. Copy it, write each body (its "
        f"comments are the notebook's steps, and {says}), then run:",
    ]
    out = _wrapped(header, "", "# ")
    flag = "" if impl == "trio" else " --impl asyncio"
    out.append(f"#     walkthrough check {lesson.name} my_{lesson.name}.py{flag}")
    if lesson.name == "server":
        out.append(f"#     (it plays a session of clients; python my_{lesson.name}.py --port 8888 "
                   "serves nc 127.0.0.1 8888)")
    elif lesson.real_io:
        out.append(f"#     (it crawls a local demo site; python my_{lesson.name}.py URL... "
                   "crawls the web)")
    other = "asyncio version next to ours" if impl == "trio" else "Trio port next to it"
    out.extend(_wrapped([f"To see the {other}: walkthrough diff {lesson.name}"], "", "# "))
    out.extend(_wrapped(hints.get("", []), "", "# The notebook: "))
    cursor = 0  # index of the next source line to copy
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not _blank(node, lesson.name, source, impl):
            continue
        first_body = node.body[0]
        keep_until = first_body.lineno - 1  # the lines before the body: decorators, signature
        while keep_until > node.lineno and (not lines[keep_until - 1].strip() or
                                            lines[keep_until - 1].lstrip().startswith("#")):
            keep_until -= 1  # ... but not the comments that open the body
        if (isinstance(first_body, ast.Expr) and isinstance(first_body.value, ast.Constant)
                and isinstance(first_body.value.value, str)):
            keep_until = first_body.end_lineno or first_body.lineno  # ... and the docstring
        out.extend(lines[cursor:keep_until])
        indent = " " * first_body.col_offset
        out.extend(_wrapped(hints.get(node.name, []), indent, "# The notebook: "))
        body_end = node.end_lineno or node.lineno
        said: list[str] = []
        previous = -1
        for n in range(keep_until + 1, body_end + 1):
            if n in comments:
                block = lines[n - 1].lstrip().startswith("#")
                if block and previous == n - 1 and said:
                    said[-1] += " " + comments[n]
                else:
                    said.append(comments[n])
                previous = n if block else -1
        label = "# Our port says: " if impl == "trio" else "# The reference says: "
        out.extend(_wrapped(said, indent, label))
        out.extend(_stated(printed(node, source), WHERE.get(lesson.name, {}).get(node.name, ""),
                           indent))
        out.append(f'{indent}raise NotImplementedError("write {node.name}")')
        cursor = body_end
    out.extend(lines[cursor:])
    return "\n".join(out) + "\n"


def _wrapped(texts: list[str], indent: str, prefix: str) -> list[str]:
    """Comment lines within the line length, continuation lines indented under the text."""
    out = []
    for text in texts:
        out.extend(textwrap.wrap(text, width=WIDTH, initial_indent=indent + prefix,
                                 subsequent_indent=indent + "#" + " " * (len(prefix) - 1),
                                 break_long_words=False, break_on_hyphens=False))
    return out


def expected() -> dict[Path, str]:
    """Every exercise file and its content: per framework, one per lesson whose twin exists."""
    return {OUT / impl / f"{lesson.name}.py": render(lesson, impl)
            for impl in catalogue.IMPLS for lesson in catalogue.LESSONS if lesson.exists(impl)}


def outline(text: str) -> list[tuple[str, ...]]:
    """What a skeleton *decides*, without the code it keeps verbatim from its twin.

    Per function: its name, arguments, docstring, whether its body is left blank, and the
    comments in it that the skeleton decides (:data:`DECIDED`: the notebook's steps, and the
    lines it prints, which the check compares); plus the header comments and the module
    docstring.
    The freshness test compares this, so an edit to a kept helper of a twin (which the twin's
    own tests name) does not turn it red; ``--check`` still compares every byte.
    """
    tree = ast.parse(text)
    found: list[tuple[str, ...]] = [("header", *(line for line in text.splitlines()
                                                  if line.startswith("#")))]
    found.append(("module", ast.get_docstring(tree) or ""))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            blank = len(body) == 1 and isinstance(body[0], ast.Raise)
            segment = ast.get_source_segment(text, node) or ""
            notes = [line.strip() for line in segment.splitlines()
                     if line.strip().startswith(DECIDED)] if blank else []
            found.append((node.name, ast.unparse(node.args), ast.get_docstring(node) or "",
                          str(blank), *notes))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only compare: exit 1 if a file is missing or differs")
    args = parser.parse_args(argv)
    stale = []
    for path, text in expected().items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
    verb = "stale" if args.check else "written"
    for path in stale:
        print(f"{verb}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
