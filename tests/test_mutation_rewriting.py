"""``walkthrough port --rewrite``'s patch and rewrites: the slips mutmut planted that their tests
let through.

``scripts/mutation.py walkthrough/port/formatting.py`` and ``.../rewriting.py`` (issue 27,
``docs/mutation.md``) found, per kind of slip:

* ``formatting.patch``: the patch of a file with CRLF endings, with mixed endings, without a
  final newline, with a byte-order mark, or under another label. The CLI tests cover these in a
  child process, which mutmut cannot see; here they are checked in-process, byte for byte.
* ``formatting.unified_diff``: a hunk's range of one line or none, two changes merged into one
  hunk or not at the boundary of their contexts, and a differing region too large for difflib
  (its size limit, the kept lines inside it, difflib's "popular line" heuristic). Each is held
  to what ``difflib.unified_diff`` (or ``diff -u``) writes for the same texts.
* ``formatting.iter_findings``: only the CLI's text output uses it.
"""

from __future__ import annotations

import difflib

import pytest

from walkthrough.port import formatting
from walkthrough.port.rewriting import CTRL_C, GATHER_ERRORS, rewrite


def difflib_diff(old: str, new: str, label: str = "f.py") -> str:
    """What ``diff -u`` (difflib's flavour) writes, the reference for ``unified_diff``."""
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                        f"a/{label}", f"b/{label}"))


# -- formatting.patch: line endings, the last line, the mark, the label ---------------------

PROGRAM = ["import asyncio", "", "", "async def main():", "    await asyncio.sleep(1)", "",
           "asyncio.run(main())"]
RUN_TODO = f"# TODO(trio): rewritten, check it: {CTRL_C}"  # on every rewritten run line
REWRITTEN = ["import asyncio", "import trio", "", "", "async def main():",
             "    await trio.sleep(1)", "", RUN_TODO, "trio.run(main)"]


def test_a_crlf_file_gets_a_crlf_patch_and_its_rewrite_applies() -> None:
    """Every line the rewrite adds or changes ends in CRLF, like the file's own lines."""
    source = "\r\n".join(PROGRAM) + "\r\n"
    diff, findings = formatting.patch(source, "app.py")
    assert diff == difflib_diff(source, "\r\n".join(REWRITTEN) + "\r\n", "app.py")
    assert "+import trio\r\n" in diff and "+trio.run(main)\r\n" in diff
    assert {f.path for f in findings} == {"app.py"}


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_file_without_a_final_newline_keeps_it_that_way(newline: str) -> None:
    """The rewrite's last line still has no newline (and a CRLF file loses no lone CR)."""
    source = newline.join(PROGRAM)
    diff, _ = formatting.patch(source, "app.py")
    nl = newline
    assert diff == (
        f"--- a/app.py\n+++ b/app.py\n@@ -1,7 +1,9 @@\n import asyncio{nl}+import trio{nl}"
        f" {nl} {nl} async def main():{nl}-    await asyncio.sleep(1){nl}"
        f"+    await trio.sleep(1){nl} {nl}-asyncio.run(main())\n\\ No newline at end of file\n"
        f"+{RUN_TODO}{nl}+trio.run(main)\n\\ No newline at end of file\n")
    assert diff.endswith("+trio.run(main)\n\\ No newline at end of file\n")


@pytest.mark.parametrize("first", ["\r\n", "\n"], ids=["crlf", "mixed"])
def test_a_todo_above_a_last_line_without_a_newline_ends_like_the_file_s_lines(
        first: str) -> None:
    """The last line has no ending to copy: a CRLF file's TODO above it still ends in CRLF,
    and in a file of mixed endings it ends in ``\\n``; the last line stays without one."""
    program = [*PROGRAM[:-1], "asyncio.get_event_loop().run_until_complete(main())"]
    source = first.join(program[:2]) + first + "\r\n".join(program[2:])
    diff, _ = formatting.patch(source, "app.py")
    todo = [line for line in diff.splitlines(True) if line.startswith("+# TODO(trio): ")]
    assert len(todo) == 1 and todo[0].endswith(
        "kept as it was: the rewrites in this file need it to become trio.run" +
        ("\r\n" if first == "\r\n" else "\n"))
    assert diff.endswith(f"\n {program[-1]}\n\\ No newline at end of file\n")


def test_a_lone_cr_file_without_a_final_newline_gets_no_lf() -> None:
    """The last line of a lone-CR file with no line break at its end gets the file's own
    ending while it is rewritten, so the TODO added above it ends in ``\\r`` too, and the patch
    leaves the last line without one, as it was."""
    program = [*PROGRAM[:-1], "asyncio.get_event_loop().run_until_complete(main())"]
    source = "\r".join(program)
    diff, _ = formatting.patch(source, "app.py")
    new = diff.rsplit("\n+", 1)[1].removesuffix("\n\\ No newline at end of file\n")
    assert "\n" not in new, repr(new)
    assert new.endswith("\r" + program[-1])


def test_a_file_of_lone_cr_endings_keeps_them() -> None:
    """Python reads a lone ``\\r`` as a line break (classic Mac files): the file ends in one,
    so nothing is appended to its last line, and the TODO above that line ends in ``\\r``."""
    program = [*PROGRAM[:-1], "asyncio.get_event_loop().run_until_complete(main())"]
    source = "\r".join(program) + "\r"
    diff, _ = formatting.patch(source, "app.py")
    new = rewrite(source, "app.py")[0]
    assert "\n" not in new and new.endswith("\r" + program[-1] + "\r")
    assert diff == (f"--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-{source}\n"
                    f"\\ No newline at end of file\n+{new}\n\\ No newline at end of file\n")


def test_an_empty_file_gives_an_empty_patch() -> None:
    """An empty ``__init__.py`` has no last line to end: nothing is added to it."""
    assert formatting.patch("", "pkg/__init__.py") == ("", [])


def test_a_file_with_a_final_newline_keeps_it() -> None:
    source = "\n".join(PROGRAM) + "\n"
    diff, _ = formatting.patch(source, "app.py")
    assert diff == difflib_diff(source, "\n".join(REWRITTEN) + "\n", "app.py")
    assert "No newline" not in diff


def test_a_one_line_file_without_a_newline_gets_its_todo_with_a_plain_newline() -> None:
    """No line ending to copy: the TODO above the line ends in ``\\n``, the line still in none."""
    source = "asyncio.get_event_loop().run_forever()"
    diff, _ = formatting.patch(source, "one.py")
    assert diff.startswith("--- a/one.py\n+++ b/one.py\n@@ -1 +1,2 @@\n+# TODO(trio): ")
    todo = diff.splitlines(True)[3]
    assert todo.endswith(")\n") and not todo.endswith("\r\n")
    assert diff.endswith(f"\n {source}\n\\ No newline at end of file\n")
    assert diff.count("\\ No newline at end of file") == 1  # the line itself is kept: context


def test_a_file_with_mixed_endings_keeps_each_line_s_own() -> None:
    """LF and CRLF lines mixed: nothing is converted; the added line copies the first line's."""
    lines = [line + ("\r\n" if n == 3 else "\n") for n, line in enumerate(PROGRAM)]
    source = "".join(lines)
    diff, _ = formatting.patch(source, "app.py")
    new = "".join(line + ("\r\n" if line == "async def main():" else "\n") for line in REWRITTEN)
    assert diff == difflib_diff(source, new, "app.py")


def test_the_label_names_the_file_in_the_header_and_the_findings_keep_the_path() -> None:
    source = "\n".join(PROGRAM) + "\n"
    diff, findings = formatting.patch(source, "src/app.py", label="app.py")
    assert diff.startswith("--- a/app.py\n+++ b/app.py\n")
    assert {f.path for f in findings} == {"src/app.py"}
    assert formatting.patch(source, "src/app.py")[0].startswith(
        "--- a/src/app.py\n+++ b/src/app.py\n")


def test_a_byte_order_mark_shows_on_the_first_line_of_the_patch() -> None:
    """The file starts with U+FEFF that the source text leaves out: the context must show it."""
    source = "\n".join(PROGRAM) + "\n"
    diff, _ = formatting.patch(source, "app.py", bom=True)
    assert "\n \ufeffimport asyncio\n+import trio\n" in diff
    assert diff.count("\ufeff") == 1
    assert "\ufeff" not in formatting.patch(source, "app.py")[0]


# -- formatting.unified_diff: ranges, hunks, large regions ----------------------------------

@pytest.mark.parametrize(("old", "new"), [
    ("a\n", "a\nb\n"),            # a hunk of one old line, two new
    ("a\nb\n", "a\n"),            # two old lines, one new
    ("a\n", ""),                  # everything deleted: the new range is empty
    ("", "a\n"),                  # into an empty file
    ("a\nb\n", "a\nB\n"),
], ids=["one to two", "two to one", "to empty", "from empty", "two lines"])
def test_a_hunk_range_is_written_as_diff_u_writes_it(old: str, new: str) -> None:
    assert formatting.unified_diff(old, new, "f.py") == difflib_diff(old, new)


@pytest.mark.parametrize("gap", [4, 5, 6, 7, 8, 9, 10])
@pytest.mark.parametrize("first", ["insert", "replace", "delete"])
def test_two_changes_share_a_hunk_exactly_when_their_contexts_touch(gap: int, first: str) -> None:
    """``gap`` unchanged lines between two changes: one hunk up to 2 x CONTEXT, else two.

    An earlier far-away insertion shifts the new side's line numbers, so that a slip that
    measures the gap on the wrong side (or from the wrong end of a change) shows.
    """
    old_lines = [f"line {n}\n" for n in range(60)]
    new_lines = list(old_lines)
    at = 30
    second = at + 1 + gap if first != "insert" else at + gap
    new_lines[second] = "CHANGED\n"
    if first == "insert":
        new_lines[at:at] = ["# TODO one\n", "# TODO two\n"]
    elif first == "replace":
        new_lines[at] = "REPLACED\n"
    else:
        del new_lines[at]
    new_lines[2:2] = ["extra 1\n", "extra 2\n", "extra 3\n"]
    old, new = "".join(old_lines), "".join(new_lines)
    ours = formatting.unified_diff(old, new, "f.py")
    assert ours == difflib_diff(old, new)
    assert ours.count("@@ -") == (2 if gap <= 2 * formatting.CONTEXT else 3)


def _region(prefix: int, size: int) -> tuple[str, str]:
    """Old and new texts that differ in one region of ``size`` x ``size`` lines after
    ``prefix`` equal lines, with lone blank lines kept inside it (a blank never makes three
    agreeing lines, so the resync search cannot end the region there; only difflib finds them).
    """
    head = [f"same {n}\n" for n in range(prefix)]
    tail = [f"end {n}\n" for n in range(5)]
    old = [("\n" if n % 40 == 20 else f"old {n}\n") for n in range(size)]
    new = [("\n" if n % 40 == 20 else f"new {n}\n") for n in range(size)]
    return "".join(head + old + tail), "".join(head + new + tail)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("prefix", [0, 10])
def test_a_region_at_the_size_limit_still_keeps_its_unchanged_lines(prefix: int) -> None:
    """500 x 500 lines is REFINE_LIMIT exactly: difflib still looks inside, and keeps the blank
    lines (popular lines: difflib's autojunk would skip them) as context, not -/+ pairs."""
    size = 500
    assert size * size == formatting.REFINE_LIMIT
    old, new = _region(prefix, size)
    diff = formatting.unified_diff(old, new, "f.py")
    body = diff.splitlines()[2:]
    blanks = sum(1 for n in range(size) if n % 40 == 20)
    assert body.count(" ") == blanks
    assert "-" not in body and "+" not in body
    assert sum(line.startswith("-") for line in body) == size - blanks


@pytest.mark.timeout(60)
def test_a_region_over_the_size_limit_is_shown_whole() -> None:
    """A line or two more each way: the region is too large for difflib and shown whole."""
    old, new = _region(0, 502)  # 502: a blank on line 501 would agree with the tail
    body = formatting.unified_diff(old, new, "f.py").splitlines()[2:]
    assert body.count(" ") == 0
    assert sum(line.startswith("-") for line in body) == 502


@pytest.mark.timeout(60)
def test_one_change_in_a_long_file_is_one_small_hunk() -> None:
    """600 lines (600 x 600 is over the size limit) with one line changed: the resync search
    must find where the texts agree again right after it; otherwise the rest of the file would
    be one region, too large for difflib, deleted and re-added whole."""
    old_lines = [f"line {n}\n" for n in range(600)]
    for at in (5, 300, 590):
        new_lines = list(old_lines)
        new_lines[at] = "CHANGED\n"
        new_lines.insert(at + 1, "# TODO(trio): inserted\n")
        old, new = "".join(old_lines), "".join(new_lines)
        assert formatting.unified_diff(old, new, "f.py") == difflib_diff(old, new), at


@pytest.mark.parametrize(("old", "new"), [
    ("\n\n\n\npass\n", "# TODO\n\n\n\n\npass\n"),  # a TODO above a run of blank lines
    ("\n\n)\n", ")\n"),                           # blank lines above a lone `)` deleted
], ids=["insert above blanks", "delete above a bracket"])
def test_an_edit_among_repeated_lines_resyncs_at_the_nearest_point(old: str, new: str) -> None:
    """Blank lines and lone brackets repeat: the resync search must try the nearest points
    first (one line either way, the pure insertion before the pure deletion) and no point past
    the end of the old text, or the patch shows a longer edit, or one that does not apply."""
    diff = formatting.unified_diff(old, new, "f.py")
    assert diff == difflib_diff(old, new)


# -- formatting.iter_findings -------------------------------------------------------------

def test_findings_are_grouped_by_line_in_line_order() -> None:
    source = ("import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1); "
              "await asyncio.sleep(2)\n    asyncio.get_event_loop()\n\nasyncio.run(main())\n")
    _, findings = rewrite(source, "x.py")
    shuffled = list(reversed(findings))
    grouped = list(formatting.iter_findings(shuffled))
    assert [line for line, _ in grouped] == sorted({f.line for f in findings})
    assert len(grouped) < len(findings)  # two sleeps on line 5 make one group
    for line, group in grouped:
        assert group == [f for f in shuffled if f.line == line]
    assert sum(len(group) for _, group in grouped) == len(findings)


# -- rewriting: the sleeps, the gathers, the run line --------------------------------------

def rewritten(body: str, tail: str = "\nasyncio.run(main())\n", head: str = "") -> str:
    """``body`` (lines of ``main``, indented by four) in a program with two async workers."""
    source = (f"import asyncio\n{head}\n\nasync def main():\n{body}\n\nasync def a(x=0):\n"
              f"    pass\n\n\nasync def b(x=0):\n    pass\n{tail}")
    return rewrite(source, "x.py")[0]


def todo_above(text: str, code: str) -> str:
    """The TODO comment right above the line ``code`` (stripped), or "" if there is none."""
    lines = [line.strip() for line in text.splitlines()]
    at = lines.index(code)
    return lines[at - 1] if lines[at - 1].startswith("# TODO(trio): ") else ""


@pytest.mark.parametrize("delay", ["+1", "1 + 2", "2 * 3", "1e300 * 1", "1e200 + 1e200",
                                   "0.5 * 0"])
def test_a_sleep_of_a_finite_non_negative_literal_expression_is_rewritten(delay: str) -> None:
    """A unary plus, a sum, a product, up to 1e300 (and a sum whose product would overflow)."""
    text = rewritten(f"    await asyncio.sleep({delay})")
    assert f"    await trio.sleep({delay})\n" in text
    assert "asyncio.sleep" not in text


@pytest.mark.parametrize("delay", ["1e200 * 1e200", "1e301 * 1", "-1", "1 + -2", "x"])
def test_a_sleep_whose_delay_may_be_infinite_or_negative_keeps_its_todo(delay: str) -> None:
    text = rewritten(f"    await asyncio.sleep({delay})")
    assert "the tool cannot see that the delay is a finite number >= 0" in todo_above(
        text, f"await asyncio.sleep({delay})")


@pytest.mark.parametrize(("call", "reasons"), [
    ("asyncio.sleep(1, loop=loop)", ["trio.sleep takes the delay only, by position"]),
    ("asyncio.sleep(delay=1)", ["trio.sleep takes the delay only, by position"]),
    ("asyncio.sleep(delay=-1)", ["the tool cannot see", "trio.sleep takes the delay only"]),
    ("asyncio.sleep()", ["the tool cannot see", "trio.sleep takes the delay only"]),
    ("asyncio.sleep(1, result=2)", ["trio.sleep has no result=: return the value yourself"]),
])
def test_a_sleep_with_other_arguments_is_kept_with_each_reason(call: str,
                                                              reasons: list[str]) -> None:
    """``loop=`` (asyncio before 3.10), ``delay=`` by keyword, no delay: each says why, and
    only why it applies (a ``delay=1`` by keyword is no negative delay)."""
    todo = todo_above(rewritten(f"    await {call}"), f"await {call}")
    said = todo.split("kept as it was: ", 1)[1].split("; ")
    assert len(said) == len(reasons)
    for reason, want in zip(said, reasons, strict=True):
        assert reason.startswith(want)


def test_a_sleep_passed_on_unawaited_is_kept_and_says_why() -> None:
    text = rewritten("    await asyncio.wait_for(asyncio.sleep(1), 5)")
    assert ("kept as it was: it is not awaited here: a trio.sleep() passed on would be awaited "
            "by asyncio") in todo_above(text, "await asyncio.wait_for(asyncio.sleep(1), 5)")


def test_a_sleep_whose_name_spans_lines_is_kept_and_says_why() -> None:
    text = rewritten("    await (asyncio\n           .sleep)(1)")
    assert todo_above(text, "await (asyncio").endswith("kept as it was: its name spans lines")


@pytest.mark.parametrize("delay", ["0", "1"])
def test_a_parenthesised_sleep_is_rewritten_without_a_todo(delay: str) -> None:
    """The finding of ``asyncio.sleep(0)`` is on the call's first line, that of any other
    sleep on its name's line: the rewrite marks the same line done, so no TODO is left."""
    text = rewritten(f"    await (\n        asyncio.sleep\n    )({delay})")
    assert "        trio.sleep\n" in text
    assert "TODO" not in text.split("async def main():")[1].split("async def a")[0]


GATHER_REASONS = [
    ("await asyncio.gather(a(), b(), return_exceptions=True)",
     "return_exceptions=True returns the errors as results, and a nursery raises them"),
    ("await asyncio.gather(a(), b(), loop=loop)", "it takes keyword arguments"),
    ("await asyncio.gather()", "it gathers nothing"),
    ("await asyncio.gather(*(a(x) for x.y in range(3)))", "its loop variable is not a plain name"),
    ("x = 1; await asyncio.gather(a(), b())", "it shares its line with another statement"),
    ("await asyncio.gather(*[a(x) for x in range(3)], *[a(x) for x in range(3)])",
     "`*[a(x) for x in range(3)]` is not one plain generator expression"),
    ("await asyncio.gather(*[a(some_long_argument_name) for some_long_argument_name in xs])",
     "`*[a(some_long_argument_name) for some_l…` is not one plain "
     "generator expression"),
]


@pytest.mark.parametrize(("code", "reason"), GATHER_REASONS)
def test_a_gather_that_cannot_become_a_nursery_says_why(code: str, reason: str) -> None:
    """Each reason as the TODO says it (a quoted argument cut at 40 characters)."""
    todo = todo_above(rewritten(f"    {code}"), code)
    assert todo.endswith(f"kept as it was: {reason}"), todo


def test_a_gather_outside_an_async_def_says_so() -> None:
    source = "import asyncio\n\n\ndef f():\n    await asyncio.gather(a())\n"
    text = rewrite(source, "x.py")[0]
    assert todo_above(text, "await asyncio.gather(a())").endswith(
        "kept as it was: it is not in an async def")


def test_a_gather_of_calls_and_generators_starts_every_child_in_order() -> None:
    text = rewritten("    await asyncio.gather(a(), *(b(x) for x in range(3)), a(1))")
    assert ("    async with trio.open_nursery() as nursery:\n"
            "        nursery.start_soon(a)\n"
            "        for x in range(3):\n"
            "            nursery.start_soon(b, x)\n"
            "        nursery.start_soon(a, 1)\n") in text


def test_the_nursery_name_avoids_every_name_the_function_uses() -> None:
    """``nursery``, ``nursery_1`` ... ``nursery_99`` taken: the last resort is ``_n``."""
    taken = "    " + "; ".join(f"nursery{s} = 0" for s in
                               ["", *(f"_{i}" for i in range(1, 100))])
    text = rewritten(f"{taken}\n    await asyncio.gather(a(), b())")
    assert "    async with trio.open_nursery() as _n:\n        _n.start_soon(a)\n" in text
    text = rewritten(f"{taken.replace('nursery_99 = 0', 'x = 0')}\n"
                     "    await asyncio.gather(a(), b())")
    assert "    async with trio.open_nursery() as nursery_99:\n" in text


# -- rewriting: the run line ----------------------------------------------------------------

def run_todo(text: str) -> str:
    return todo_above(text, "trio.run(main)")


def test_a_run_call_over_several_lines_becomes_one_trio_run() -> None:
    text = rewritten("    await asyncio.sleep(1)", tail="\nasyncio.run(\n    main()\n)\n")
    assert text.endswith(f"    pass\n\n{RUN_TODO}\ntrio.run(main)\n")


@pytest.mark.parametrize(("left", "said"), [
    (1, "the asyncio code left on line 5 fails under it"),
    (2, "the asyncio code left on lines 5, 6 fails under it"),
    (8, "the asyncio code left on lines 5, 6, 7, 8, 9, 10, 11, 12 fails under it"),
    (9, "the asyncio code left on lines 5, 6, 7, 8, 9, 10, 11, 12, … fails under it"),
])
def test_the_run_line_names_up_to_eight_lines_left_on_asyncio(left: int, said: str) -> None:
    text = rewritten("\n".join(["    asyncio.get_event_loop()"] * left))
    assert run_todo(text) == ("# TODO(trio): rewritten, check it: this line moves the whole "
                              f"program to Trio: {said} until ported (or bridged with "
                              "trio-asyncio)")


@pytest.mark.parametrize(("count", "said"), [
    (5, "what m1, m2, m3, m4, m5 may run on asyncio"),
    (6, "what m1, m2, m3, m4, m5, … may run on asyncio"),
])
def test_the_run_line_names_up_to_five_unknown_imports(count: int, said: str) -> None:
    head = "".join(f"import m{n}\n" for n in range(1, count + 1))
    text = rewritten("    await asyncio.sleep(1)", head=head)
    assert run_todo(text) == ("# TODO(trio): rewritten, check it: this line moves the whole "
                              f"program to Trio: {said} fails under it until ported (or "
                              "bridged with trio-asyncio)")


def test_the_run_line_names_both_leftovers_and_unknown_imports() -> None:
    text = rewritten("    asyncio.get_event_loop()", head="import m1\n")
    assert run_todo(text).endswith(
        "to Trio: the asyncio code left on line 6 and what m1 may run on asyncio fails under "
        "it until ported (or bridged with trio-asyncio)")


@pytest.mark.parametrize(("run", "reason"), [
    ("asyncio.run(main(), debug=True)", "trio.run takes no keyword arguments of asyncio.run's"),
    ("asyncio.run(other())", "`other()` is not a call of an async def of this file, and "
                             "trio.run needs an async function"),
])
def test_a_run_line_that_stays_says_why(run: str, reason: str) -> None:
    text = rewritten("    pass", tail=f"\n{run}\n")
    assert todo_above(text, run).endswith(f"kept as it was: {reason}")


# -- rewriting: where the TODOs and ``import trio`` go, the text of what is kept -------------

#: Continuation lines (in brackets, in a string, after a backslash), a gather over several
#: lines with a comment after it, two sleeps on one line, a run call whose argument spans
#: lines (a comment, both kinds of quotes in it).
PROGRAM_WIDE = (
    "import asyncio\n"
    "\n"
    "\n"
    "async def main(config, *names):\n"
    "    x = foo(1,\n"
    "            asyncio.get_event_loop())\n"
    '    s = """text\n'
    '    asyncio.get_event_loop()"""\n'
    "    y = 1 + \\\n"
    "        asyncio.get_event_loop().time()\n"
    "    await asyncio.gather(\n"
    "        a(1),\n"
    '        b("two"),\n'
    "    )  # all at once\n"
    "    await asyncio.sleep(1); await asyncio.sleep(2)\n"
    "\n"
    "\n"
    "async def a(x):\n"
    "    pass\n"
    "\n"
    "\n"
    "async def b(x):\n"
    "    pass\n"
    "\n"
    "asyncio.run(main(\n"
    "    {\n"
    '        "key": \'v\',  # the config\n'
    "    },\n"
    '    "n1"))\n'
)
PROGRAM_WIDE_REWRITTEN = (
    "import asyncio\n"
    "import trio\n"
    "\n"
    "\n"
    "async def main(config, *names):\n"
    "    # TODO(trio): asyncio.get_event_loop → import trio; no loop object; loop passed →"
    " import trio; no loop object (see docs/concepts.md#tasks-and-results)\n"
    "    x = foo(1,\n"
    "            asyncio.get_event_loop())\n"
    '    s = """text\n'
    '    asyncio.get_event_loop()"""\n'
    "    # TODO(trio): asyncio.get_event_loop → import trio; no loop object; loop passed →"
    " import trio; no loop object; loop.time → trio.current_time() (see"
    " docs/concepts.md#tasks-and-results)\n"
    "    y = 1 + \\\n"
    "        asyncio.get_event_loop().time()\n"
    f"    # TODO(trio): rewritten, check it: {GATHER_ERRORS}\n"
    "    async with trio.open_nursery() as nursery:\n"
    "        nursery.start_soon(a, 1)\n"
    '        nursery.start_soon(b, "two")\n'
    "    await trio.sleep(1); await trio.sleep(2)\n"
    "\n"
    "\n"
    "async def a(x):\n"
    "    pass\n"
    "\n"
    "\n"
    "async def b(x):\n"
    "    pass\n"
    "\n"
    f"{RUN_TODO}\n"
    "# TODO(trio): rewritten, check it: this line moves the whole program to Trio: the asyncio"
    " code left on lines 6, 10 fails under it until ported (or bridged with trio-asyncio)\n"
    "trio.run(main, {\n"
    '        "key": \'v\',  # the config\n'
    '    }, "n1")\n'
)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_every_todo_goes_above_its_logical_line_and_arguments_keep_their_text(
        newline: str) -> None:
    """A TODO above the line that starts its statement (never inside a string, after a
    backslash or inside brackets), the string in a multi-line string untouched, the multi-line
    gather replaced whole, both sleeps of one line rewritten, and ``trio.run``'s argument as
    written (its quotes and comment), in each kind of line ending."""
    source = PROGRAM_WIDE.replace("\n", newline)
    assert rewrite(source, "x.py")[0] == PROGRAM_WIDE_REWRITTEN.replace("\n", newline)


@pytest.mark.parametrize(("source", "before", "after"), [
    ('"""Doc."""\nfrom __future__ import annotations\nfrom asyncio import sleep\n\n\n'
     "async def f():\n    await asyncio.sleep(1)\n",
     "from __future__ import annotations", "# TODO(trio): asyncio.sleep"),
    ('#!/usr/bin/env python\n"""Doc."""\nimport os; import asyncio\n\n\n'
     "async def f():\n    await asyncio.sleep(1)\n",
     '"""Doc."""', "import os; import asyncio"),
    ("async def f():\n    import asyncio\n    await asyncio.sleep(1)\n",
     None, "async def f():"),
    ('"""Doc."""\nfrom __future__ import annotations\nimport asyncio.tasks\n\n'
     "async def f():\n    await asyncio.sleep(1)\n",
     "from __future__ import annotations", "import asyncio.tasks"),
    ("from __future__ import annotations; import asyncio\n\n\n"
     "async def f():\n    await asyncio.sleep(1)\n",
     "from __future__ import annotations; import asyncio", ""),
    ('"""Doc."""\n\n\nasync def f():\n    await asyncio.sleep(1)\nimport asyncio\n',
     "", "async def f():"),
], ids=["after future", "asyncio shares its line", "no module import", "asyncio.tasks",
        "future shares its line", "asyncio imported after the edit"])
def test_import_trio_goes_where_it_is_valid_and_before_its_first_use(
        source: str, before: str | None, after: str) -> None:
    """After ``import asyncio`` only when that owns its line and comes before the first edit;
    else after the shebang, docstring and ``from __future__`` imports (above which it is a
    SyntaxError), or after the statement that shares their line."""
    out = rewrite(source, "x.py")[0].splitlines()
    at = out.index("import trio")
    assert out[at - 1].startswith("# TODO(trio): the rewrites in this file run only under Trio")
    assert (out[at - 2] if at >= 2 else None) == before
    assert out[at + 1].startswith(after) if after else out[at + 1] == ""


@pytest.mark.parametrize("rebinding", [
    "a = wrap(a)",
    "def helper(a):\n    pass",
    "from m import thing as a",
    "import a.sub",
    "def helper():\n    global a",
    "class a:\n    pass",
    "import a\ndef helper(a):\n    a = 1",
], ids=["assigned", "a parameter", "imported as", "a dotted import", "global", "a class",
        "three ways"])
def test_an_async_def_whose_name_is_bound_again_is_not_started_as_ours(rebinding: str) -> None:
    """``a`` bound anywhere else may not be the ``async def`` any more: its gather stays."""
    source = ("import asyncio\n\n\nasync def main():\n    await asyncio.gather(a(), b())\n\n\n"
              f"async def a():\n    pass\n\n\nasync def b():\n    pass\n\n\n{rebinding}\n")
    todo = todo_above(rewrite(source, "x.py")[0], "await asyncio.gather(a(), b())")
    assert todo.endswith("kept as it was: `a()` is not a call of an async def of this file, "
                         "and start_soon needs an async function")


@pytest.mark.parametrize(("block", "rewritten_"), [
    ("with contextlib.suppress(ValueError):", False),
    ("if config:", True),
    ("for _ in range(3):", True),
    ("try:\n        pass\n    finally:\n        pass\n    while True:", True),
], ids=["suppress", "if", "for", "after a try"])
def test_a_gather_in_a_block_becomes_a_nursery_unless_an_error_handler_sees_it(
        block: str, rewritten_: bool) -> None:
    text = rewritten(f"    {block}\n        await asyncio.gather(a(), b())")
    if rewritten_:
        assert "        async with trio.open_nursery() as nursery:\n" in text
    else:
        assert todo_above(text, "await asyncio.gather(a(), b())").endswith(
            "kept as it was: the `suppress` on line 5 would no longer match: a nursery raises "
            "an ExceptionGroup")


@pytest.mark.parametrize(("child", "quoted"), [
    ("a(x=some_rather_long_argument_name_here)", "a(x=some_rather_long_argument_name_here)"),
    ("a(x=some_rather_long_argument_name_here2)", "a(x=some_rather_long_argument_name_here…"),
], ids=["40 characters", "41 characters"])
def test_a_child_with_keyword_arguments_is_kept_and_quoted_short(child: str,
                                                                 quoted: str) -> None:
    """A quoted call is cut after 39 characters when it is longer than 40."""
    code = f"await asyncio.gather({child}, b())"
    assert todo_above(rewritten(f"    {code}"), code).endswith(
        f"kept as it was: `{quoted}` passes keyword or * arguments, which start_soon does "
        "not take")


def test_the_run_line_names_relative_and_dotted_imports_by_their_top() -> None:
    head = "from . import sibling\nfrom ..pkg.mod import thing\nimport aiohttp.web\n" \
           "from redis.asyncio import Redis\nfrom os import path\n"
    text = rewritten("    await asyncio.sleep(1)", head=head)
    assert "what ., ..pkg.mod, aiohttp, redis may run on asyncio" in run_todo(text)


def test_two_kept_constructs_on_one_statement_each_say_why_by_name() -> None:
    code = "x = await asyncio.gather(a(), asyncio.sleep(-1, 2))"
    assert todo_above(rewritten(f"    {code}"), code).endswith(
        "kept as it was: asyncio.gather: its result is used: the children must store their "
        "results themselves; asyncio.sleep: it is not awaited here: a trio.sleep() passed on "
        "would be awaited by asyncio")


def test_every_gather_is_tried_after_one_that_stays_and_the_line_after_a_block_is_edited(
        ) -> None:
    """A gather kept (its result used, or nothing to gather) does not stop the next one, and
    the sleep right below a nursery block is rewritten: only the block's own lines are done."""
    text = rewritten("    x = await asyncio.gather(a(), b())\n    await asyncio.gather()\n"
                     "    await asyncio.gather(\n        a(),\n        b())\n"
                     "    await asyncio.sleep(1)")
    assert ("    async with trio.open_nursery() as nursery:\n        nursery.start_soon(a)\n"
            "        nursery.start_soon(b)\n    await trio.sleep(1)\n") in text


def test_a_parameter_named_nursery_is_not_shadowed() -> None:
    source = ("import asyncio\n\n\nasync def main(nursery):\n    await asyncio.gather(a(), b())\n"
              "\n\nasync def a():\n    pass\n\n\nasync def b():\n    pass\n")
    assert "    async with trio.open_nursery() as nursery_1:\n" in rewrite(source, "x.py")[0]


def test_an_except_two_blocks_up_still_sees_the_gather() -> None:
    text = rewritten("    try:\n        if config:\n            await asyncio.gather(a(), b())\n"
                     "    except ValueError:\n        pass")
    assert todo_above(text, "await asyncio.gather(a(), b())").endswith(
        "kept as it was: the `except` on line 8 would no longer match: a nursery raises an "
        "ExceptionGroup")


def test_a_file_that_imports_trio_already_gets_no_second_import() -> None:
    text = rewritten("    await asyncio.sleep(1)", head="import trio\n")
    assert text.count("import trio\n") == 1


def test_two_reasons_of_one_construct_beside_another_are_joined_by_semicolons() -> None:
    code = "x = await asyncio.gather(a(), await asyncio.sleep())"
    assert todo_above(rewritten(f"    {code}"), code).endswith(
        "kept as it was: asyncio.gather: its result is used: the children must store their "
        "results themselves; asyncio.sleep: the tool cannot see that the delay is a finite "
        "number >= 0 (Trio raises ValueError on a negative delay, where asyncio sleeps 0, one "
        "pass of the loop: clamp with max(0, t) or use trio.sleep_until); trio.sleep takes "
        "the delay only, by position")


def test_the_rewrite_reads_the_file_with_the_project_it_is_given() -> None:
    # `rewrite` hands `project` to the analysis: in aiosqlite's own tests, aiosqlite is the
    # package under test, not an asyncio-only library to bridge, so the file gets no TODO.
    # Dropped (mutmut's `analyse(source, path, None)`), the tool would look for a project on
    # disk above `tests/test_open.py`, find this checkout's, and bridge aiosqlite three times.
    source = ('import asyncio\nimport aiosqlite\n\n\nasync def test_open():\n'
              '    async with aiosqlite.connect(":memory:") as db:\n'
              '        await db.execute("select 1")\n')
    rewritten, findings = rewrite(source, "tests/test_open.py", ("aiosqlite",))
    assert rewritten == source
    assert [(f.line, f.construct) for f in findings] == [(1, "import asyncio")]
    rewritten, findings = rewrite(source, "tests/test_open.py", ())
    assert rewritten.count("TODO(trio): lib:aiosqlite") == 3
