"""``walkthrough port``'s small modules run again at ``HEAD``: the slips the re-run found unseen.

``scripts/mutation.py`` (issue 27, ``docs/mutation.md``) was run again on ``mapping.py``,
whose row was measured before ``describe`` learnt the ``awaits:`` constructs (a package with
no entry that the file awaits on asyncio's loop). None of ``mapping.py``'s tests reached that
branch, so every slip in it went unseen. Per kind of slip:

* the advice for such a package lost, garbled, or naming something other than the package;
* the row that advice carries not used when the caller gives none, as a ``lib:`` entry's is.
"""

from __future__ import annotations

import textwrap

from walkthrough import conceptmap
from walkthrough.port import mapping, scan

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
