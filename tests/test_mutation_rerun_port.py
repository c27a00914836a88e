"""``walkthrough port``'s small modules run again at ``HEAD``: the slips the re-run found unseen.

``scripts/mutation.py`` (issue 27, ``docs/mutation.md``) was run again on ``mapping.py``,
``reading.py`` and ``formatting.py``, whose rows were measured before ``describe`` learnt the
``awaits:`` constructs (a package with no entry that the file awaits on asyncio's loop),
before ``parse`` learnt to read a module written with Python 3.12's type parameters on an
older Python (``without_type_parameters``), and before ``_newline`` learnt lone-CR files.
Per kind of slip:

* ``describe``: the advice for such a package lost, garbled, or naming something other than
  the package; the row that advice carries not used when the caller gives none, as a ``lib:``
  entry's is;
* ``without_type_parameters``: the brackets matched by counting characters that are not
  brackets; an alias cut in the wrong place when no space comes before its ``=``; one line
  it cannot take apart stopping it from taking apart the lines after it;
* ``patch``: a file with lone CRs *and* LFs taken for a lone-CR file, so that the TODO above
  its unended last line ends in a lone CR between LF lines.
"""

from __future__ import annotations

import ast
import sys
import textwrap

from walkthrough import conceptmap
from walkthrough.port import formatting, mapping, reading, scan

#: A package the tool has no entry for, with a blocking API and an awaited twin of it
#: (prompt_toolkit's ``prompt`` and ``prompt_async``): only the awaited call is asyncio's.
_TWIN_PROGRAM = textwrap.dedent("""\
    import asyncio
    from promptkit import PromptSession

    async def main():
        session = PromptSession()
        text = await session.prompt_async("> ")
        print(text)

    asyncio.run(main())
    """)


def test_an_awaited_unlisted_package_gets_advice_that_names_it() -> None:
    """``await session.prompt_async()`` of a package with a blocking twin is found as
    ``awaits:promptkit``, and its gotcha ends with the advice for that package by its name:
    check its docs, a Trio-native library, else trio-asyncio at the boundary. A slip there
    (the advice dropped, the package named ``None`` or with the internal ``awaits:`` prefix, a
    word of the bridge lost) tells the reader nothing, or the wrong thing, about the one line
    the tool could not name from its list."""
    [finding] = [f for f in scan(_TWIN_PROGRAM, "prompt.py") if f.line == 6]
    assert finding.construct == "awaits:promptkit"
    assert finding.row == "asyncio-only-lib"
    row = conceptmap.find(mapping.ROW_KEYS["asyncio-only-lib"])
    assert finding.gotcha == (
        f"{conceptmap.plain(row.gotcha)} promptkit: awaited here in an asyncio program, so "
        "very likely asyncio-only (no entry for promptkit: check its docs): a Trio-native "
        "library if one exists, else trio-asyncio at the boundary (async with "
        "trio_asyncio.open_loop(), aio_as_trio).")
    # the blocking side (the import, the constructor) may stay: nothing found there
    assert not [f for f in scan(_TWIN_PROGRAM, "prompt.py") if f.line in (2, 5)]


def test_an_awaits_construct_without_a_row_takes_the_asyncio_only_librarys_row() -> None:
    """``describe`` gives a library construct that comes without a row the row its advice
    carries (``lib:asyncssh`` → ``asyncio-only-lib``), and ``awaits:`` is advice of the same
    kind. A slip in that row's id leaves such a finding "no row in the concept map yet":
    no Trio side, no link to the bridge page."""
    finding = mapping.describe("app.py", 4, 4, "awaits:chatkit", None)
    assert finding.row == "asyncio-only-lib"
    row = conceptmap.find(mapping.ROW_KEYS["asyncio-only-lib"])
    assert finding.trio == conceptmap.plain(row.trio)
    assert finding.links == (f"{conceptmap.PAGE_LINK}#{row.anchor}", *row.links)
    assert finding.gotcha.endswith(" chatkit: awaited here in an asyncio program, so very "
                                   "likely asyncio-only (no entry for chatkit: check its "
                                   "docs): a Trio-native library if one exists, else "
                                   "trio-asyncio at the boundary (async with "
                                   "trio_asyncio.open_loop(), aio_as_trio).")


# -- reading.without_type_parameters ------------------------------------------------------------


def test_type_parameters_are_matched_by_their_brackets_whatever_the_names_inside() -> None:
    """A bound that names an XML class (``P: XMLParser``), a type variable named ``X``: the
    closing bracket is found by counting brackets, and only brackets. A matcher that counts
    another character (an ``X``) stops early or never, and the header keeps half its
    brackets, or all of them: on Python 3.11 the whole file is then refused as not Python,
    for a name."""
    source = textwrap.dedent("""\
        import asyncio

        class Handler[P: XMLParser]:
            async def feed(self, parser: P) -> None:
                await asyncio.sleep(0)

        def first[X](items: list[X]) -> X:
            return items[0]
        """)
    plain = reading.without_type_parameters(source)
    assert plain.splitlines()[2] == "class Handler:"
    assert plain.splitlines()[6] == "def first(items: list[X]) -> X:"
    ast.parse(plain)
    assert (5, "checkpoint") in {(f.line, f.row) for f in scan(source, "handler.py")}


def test_an_alias_without_a_space_before_its_equals_sign_keeps_its_name() -> None:
    """``type Point=tuple[float, float]`` (no space, as some code is written): the alias
    becomes ``Point =tuple[...]``. Cut one character early, the name's last letter is left
    behind as well (``Point t=...``), which no Python reads."""
    source = "type Point=tuple[float, float]\ntype Grid[T]=list[list[T]]\n"
    plain = reading.without_type_parameters(source)
    assert plain == "Point =tuple[float, float]\nGrid =list[list[T]]\n"
    ast.parse(plain)


def test_a_line_it_cannot_take_apart_does_not_stop_the_lines_after_it() -> None:
    """A docstring that shows Python 3.13's defaults over two lines (``type Lookup[K =
    str,``) holds a line that looks like an alias and has no closing bracket: that line is
    left as it is, and the generic class below it is still taken apart. Stopping at that
    line would leave ``class Table[K, V]:`` for Python 3.11 to refuse, and the file with it."""
    source = textwrap.dedent('''\
        """Lookup tables. On Python 3.13 the defaults can be spelt in place:

            type Lookup[K = str,
                        V = int] = dict[K, V]
        """
        import asyncio

        class Table[K, V]:
            async def get(self, key: K) -> V:
                await asyncio.sleep(0)
                raise KeyError(key)
        ''')
    plain = reading.without_type_parameters(source)
    assert plain.splitlines()[:5] == source.splitlines()[:5]
    assert plain.splitlines()[7] == "class Table:"
    ast.parse(plain)
    if sys.version_info < (3, 12):  # where parse needs the fallback at all
        tree = reading.parse(source, "tables.py")
        assert [node.name for node in tree.body if isinstance(node, ast.ClassDef)] == ["Table"]


# -- formatting.patch ---------------------------------------------------------------------------


def test_a_file_of_lone_crs_and_lfs_is_no_lone_cr_file() -> None:
    """A file edited on a classic Mac and then on Unix: lone CRs at the top, LFs below. Only a
    file of lone CRs alone is taken for a classic Mac file; here, with no final newline, the
    TODO that ``--rewrite`` adds above the last line ends in LF, as the lines around it do. A
    file taken for a lone-CR one because it holds a CR at all gets a TODO ending in a lone CR
    between LF lines, which some editors and diff tools show joined to the line below. And
    when the last line ends, the TODO takes that line's own ending: after a final lone CR
    whose ending is not seen, an LF is added and makes a CRLF the file never had, and the
    TODO ends in it."""
    lines = ["import asyncio", "", "async def main():", "    await asyncio.sleep(1)", "",
             "loop = asyncio.get_event_loop()", "loop.run_until_complete(main())"]
    source = "\r".join(lines[:3]) + "\r" + "\n".join(lines[3:])
    diff, _ = formatting.patch(source, "app.py")
    assert diff.endswith("kept as it was: the rewrites in this file need it to become trio.run\n"
                         " loop.run_until_complete(main())\n\\ No newline at end of file\n")
    assert "\rloop.run_until_complete" not in diff
    todo = "kept as it was: the rewrites in this file need it to become trio.run"
    assert formatting.patch(source + "\n", "app.py")[0].endswith(
        f"{todo}\n loop.run_until_complete(main())\n")
    assert formatting.patch(source + "\r", "app.py")[0].endswith(
        f"{todo}\rloop.run_until_complete(main())\r\n\\ No newline at end of file\n")
