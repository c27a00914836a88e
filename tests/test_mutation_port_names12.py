"""``walkthrough port`` (``names.py``): the survivor of a sample of ``_collect``'s mutants.

``_collect`` (302 lines, 822 mutants) was changed in the round of 2026-12-07 and not run then.
A seeded sample of 40 of its mutants (seed 38, ``docs/mutation.md``) left two: one equivalent
(the ``lineno`` of the assignment built for ``object.__setattr__``, which nothing reads) and
the one this test kills.
"""

from __future__ import annotations

from tests.test_port_evidence import rows as rows_at


def test_a_snippet_that_uses_asyncio_without_importing_it_is_a_loop_file() -> None:
    """The docs' snippets often leave out ``import asyncio``. Such a file still means asyncio,
    so a loop handed to a function there (``tick(loop, every)``) is a loop passed, the
    ``loop`` row on the ``def``, as in a file with the import (``_collect``'s mutant 68: the
    ``asyncio`` name looked for as ``ASYNCIO``, so the file was never taken for one that uses
    a loop)."""
    rows = rows_at("""\
        async def tick(loop, every):
            while True:
                print("tick", loop.time())
                await asyncio.sleep(every)


        async def main():
            await tick(asyncio.get_running_loop(), 1)


        asyncio.run(main())
        """)
    assert "loop" in rows[1]
