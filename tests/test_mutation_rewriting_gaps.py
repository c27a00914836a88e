"""``walkthrough.port.rewrite``: the slips mutmut planted in ``walkthrough/port/rewriting.py``
that ``tests/test_mutation_rewriting.py`` still let through (issue 27, ``docs/mutation.md``).

``formatting.patch`` gives ``rewrite`` every file with a final newline, so the end of a text
without one is reached only through ``rewrite`` itself, a public function of
``walkthrough.port``; these tests call it directly, per kind of slip:

* where a TODO goes (``_logical_starts``): a statement indented deeper than the file is long,
  and brackets nested and closed before a line break;
* which ``async def`` is ours (``_File.read``): a name bound again in ways whose count a minus
  would bring back to one, and ``global`` of a name the walk meets there first;
* a quoted child cut at 40 characters when it is no call of ours (``own_coroutine``);
* a text without a final newline: a TODO above its last line, ``import trio`` on or past its
  last line, a nursery block as its last line, nothing to do at all;
* ``import trio`` below a ``from __future__`` import that shares its line, after a blank line;
* a sleep inside a gather block that becomes a nursery is not edited again;
* the findings of a text given without a path.
"""

from __future__ import annotations

import ast

import pytest

from walkthrough.port import rewrite, rewriting

SLEEP_TODO = ("# TODO(trio): asyncio.sleep → await trio.sleep(delay) (see "
              "docs/concepts.md#tasks-and-results); kept as it was: the tool cannot see that the "
              "delay is a finite number >= 0 (Trio raises ValueError on a negative delay, where "
              "asyncio sleeps 0, one pass of the loop: clamp with max(0, t) or use "
              "trio.sleep_until)")
NO_RUN_TODO = ("# TODO(trio): the rewrites in this file run only under Trio, and it has no "
               "entry point: port its callers too (or reach it through trio-asyncio)")
RUN_KEPT = ("kept as it was: `main()` is not a call of an async def of this file, and trio.run "
            "needs an async function")


def out(source: str) -> str:
    return rewrite(source, "x.py")[0]


# -- where a TODO goes: the line that starts the statement's logical line -------------------

@pytest.mark.parametrize(("source", "expected"), [
    # Eight columns of indent in a four-line file: a line starts a logical line by its first
    # token's line number, whatever its column.
    ("import asyncio\nasync def main():\n    async with lock:\n        await asyncio.sleep(-1)\n",
     "import asyncio\nasync def main():\n    async with lock:\n"
     f"        {SLEEP_TODO}\n        await asyncio.sleep(-1)\n"),
    # `f(1)` closes inside the still open `(`: line 6 continues line 5, so the TODO of the
    # statement after `;` goes above line 5, not inside the brackets.
    ("import asyncio\n\n\nasync def main():\n    x = (f(1),\n         [2]); "
     "await asyncio.sleep(-1)\n",
     f"import asyncio\n\n\nasync def main():\n    {SLEEP_TODO}\n    x = (f(1),\n         [2]); "
     "await asyncio.sleep(-1)\n"),
], ids=["deeper than the file is long", "inner bracket closed"])
def test_a_todo_goes_above_the_line_that_starts_its_logical_line(source: str,
                                                                  expected: str) -> None:
    assert out(source) == expected


# -- which async def is ours: every other binding of its name counts ------------------------

@pytest.mark.parametrize("rebinding", [
    "def traced(main):\n    return main\n\n\nmain = traced(main)",
    "if TRACE:\n    from tracing import traced_main as main\n    main = with_logging(main)",
    "def enable_tracing():\n    global main\n    main = traced(main)\n\n\n"
    "main = with_logging(main)",
], ids=["a parameter and an assignment", "an import and an assignment",
        "global and two assignments"])
def test_an_async_def_bound_again_in_two_ways_is_not_run_as_ours(rebinding: str) -> None:
    """``main`` rebound (wrapped, or replaced by an import) may be no coroutine function by the
    time it runs: ``asyncio.run(main())`` stays, whatever mix of bindings there is."""
    source = (f"import asyncio\n\n\nasync def main():\n    pass\n\n\n{rebinding}\n"
              "asyncio.run(main())\n")
    text = out(source)
    assert text.endswith(f"; {RUN_KEPT}\nasyncio.run(main())\n")
    assert "import trio" not in text


def test_global_of_a_name_first_bound_in_a_function_is_read() -> None:
    """``global done`` comes before any other binding of ``done`` in the walk: the count
    starts there (at two: a global may be rebound from anywhere), the file is rewritten."""
    source = ("import asyncio\n\n\nasync def worker():\n    global done\n    done = True\n\n\n"
              "async def main():\n    await asyncio.sleep(1)\n\nasyncio.run(main())\n")
    assert out(source) == (
        "import asyncio\nimport trio\n\n\nasync def worker():\n    global done\n"
        "    done = True\n\n\nasync def main():\n    await trio.sleep(1)\n\n"
        f"# TODO(trio): rewritten, check it: {rewriting.CTRL_C}\ntrio.run(main)\n")


# -- a child that is no call of ours, quoted short ------------------------------------------

def test_a_child_that_is_no_call_of_ours_is_quoted_cut_at_40_characters() -> None:
    code = "await asyncio.gather(client.fetch_everything('https://example.org/'))"
    text = out(f"import asyncio\n\n\nasync def main():\n    {code}\n")
    assert text.endswith(
        "; kept as it was: `client.fetch_everything('https://exampl…` is not a call of an async "
        f"def of this file, and start_soon needs an async function\n    {code}\n")


# -- a text without a final newline ---------------------------------------------------------

def test_a_todo_above_the_last_line_of_a_crlf_text_without_a_final_newline_ends_in_crlf(
        ) -> None:
    """The last line has no ending to copy: the TODO above it takes the first line's."""
    source = ("import asyncio\r\n\r\n\r\nasync def main():\r\n    await asyncio.sleep(1)\r\n"
              "\r\nasyncio.get_event_loop().run_until_complete(main())")
    text = out(source)
    assert text.endswith(
        "kept as it was: the rewrites in this file need it to become trio.run\r\n"
        "asyncio.get_event_loop().run_until_complete(main())")
    assert text.count("\r\n") == text.count("\n") == source.count("\n") + 2


def test_a_one_line_text_without_a_newline_gets_its_todo_ended_in_lf() -> None:
    assert out("asyncio.get_event_loop().run_forever()") == (
        "# TODO(trio): asyncio.get_event_loop → import trio; no loop object; loop.run_forever "
        "alone → trio.run(main) (see docs/concepts.md#tasks-and-results)\n"
        "asyncio.get_event_loop().run_forever()")


def test_import_trio_above_the_last_line_leaves_it_without_a_newline() -> None:
    assert out("import asyncio\nasync def main(): await asyncio.sleep(1)") == (
        f"import asyncio\n{NO_RUN_TODO}\nimport trio\nasync def main(): await trio.sleep(1)")


def test_a_nursery_block_on_the_last_line_leaves_it_without_a_newline() -> None:
    source = ("import asyncio\n\n\nasync def a():\n    pass\n\n\nasync def main():\n"
              "    await asyncio.gather(a(), a())")
    assert out(source).endswith(
        "\n    async with trio.open_nursery() as nursery:\n        nursery.start_soon(a)\n"
        "        nursery.start_soon(a)")


@pytest.mark.parametrize(("source", "head"), [
    ('"""Demo."""; await asyncio.sleep(1)', '"""Demo."""; await trio.sleep(1)\n'),
    ('"""Demo."""; await asyncio.sleep(1)\r\n', '"""Demo."""; await trio.sleep(1)\r\n'),
    ('"""Demo."""; \\\nawait asyncio.sleep(1)', '"""Demo."""; \\\nawait trio.sleep(1)\n'),
    ('"""Demo."""; \\\r\nawait asyncio.sleep(1)', '"""Demo."""; \\\r\nawait trio.sleep(1)\r\n'),
], ids=["lf, no final newline", "crlf", "after a backslash", "crlf after a backslash"])
def test_import_trio_whose_place_is_past_the_end_goes_after_the_last_line(source: str,
                                                                          head: str) -> None:
    """A top-level-await snippet (a notebook cell, ``python -m asyncio``) whose first statement
    after the docstring shares its line, or continues it after a backslash: ``import trio``
    cannot go inside that logical line, so it goes below the text, on lines of their own
    ended like the file's first line; the last line gets that ending too."""
    newline = "\r\n" if "\r\n" in source else "\n"
    text = out(source)
    assert text == head + NO_RUN_TODO + newline + "import trio" + newline
    ast.parse(text)


def test_a_text_with_nothing_to_rewrite_comes_back_unchanged() -> None:
    """No final newline is added where nothing is inserted (the place ``import trio`` would
    take is past the end of a docstring-only module)."""
    for source in ['"""Nothing async here."""', "from __future__ import annotations"]:
        assert rewrite(source) == (source, [])


# -- import trio below a future import that shares its line ---------------------------------

def test_import_trio_goes_below_a_future_import_sharing_its_line_after_a_blank_line() -> None:
    """The statement after ``from __future__`` shares its line: ``import trio`` goes below
    that line, never above it (a future import must come first)."""
    source = ('"""Demo."""\n\nfrom __future__ import annotations; import asyncio\n\n\n'
              "async def main():\n    await asyncio.sleep(1)\n")
    text = out(source)
    assert text == ('"""Demo."""\n\nfrom __future__ import annotations; import asyncio\n'
                    f"{NO_RUN_TODO}\nimport trio\n\n\nasync def main():\n"
                    "    await trio.sleep(1)\n")
    compile(text, "x.py", "exec")


# -- a nursery block is not edited again ----------------------------------------------------

def test_a_sleep_inside_a_two_line_gather_is_left_to_the_block_s_todo() -> None:
    """The gather's lines are the block's: the sleep handed to a child is copied as written
    and named by the statement's TODO, with no reason of a sleep looked at on its own."""
    source = ("import asyncio\n\n\nasync def guarded(aw):\n    await aw\n\n\nasync def work():\n"
              "    pass\n\n\nasync def main():\n    await asyncio.gather(work(),\n"
              "                         guarded(asyncio.sleep(5)))\n")
    assert out(source).endswith(
        "async def main():\n"
        "    # TODO(trio): asyncio.sleep → await trio.sleep(delay) (see "
        "docs/concepts.md#tasks-and-results)\n"
        f"    # TODO(trio): rewritten, check it: {rewriting.GATHER_ERRORS}\n"
        "    async with trio.open_nursery() as nursery:\n        nursery.start_soon(work)\n"
        "        nursery.start_soon(guarded, asyncio.sleep(5))\n")


# -- a text without a path ------------------------------------------------------------------

def test_the_findings_of_a_text_without_a_path_name_it_source() -> None:
    _, findings = rewrite("import asyncio\nasyncio.get_event_loop()\n")
    assert findings and {f.path for f in findings} == {"<source>"}
