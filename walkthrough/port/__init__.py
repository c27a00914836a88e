"""Read a user's asyncio file and say, construct by construct, what Trio has in its place.

:func:`scan` parses the source with :mod:`ast` (never a regex over the text) and reports each
asyncio construct it meets: ``asyncio.*`` calls and names, the methods of the objects they
give (a loop, a task, a future, a queue, a stream, a process, a server, a handle), wherever
those are kept (a name, ``self.x``, ``app[key]``), and the asyncio-only libraries
(:mod:`.libraries`). Each :class:`Finding` points at the row of the concept map
(``docs/concepts.md``, read through :mod:`walkthrough.conceptmap`) that gives the Trio
counterpart, the gotcha and the page that shows it: one table for the guide and for this
tool, so they cannot disagree.

:func:`rewrite` rewrites only where the file shows the rewrite keeps behaviour at that call
site, and leaves a ``TODO(trio)`` comment that says why everywhere else (:mod:`.rewriting`):

* ``await asyncio.sleep(t)`` → ``await trio.sleep(t)`` for a finite ``t >= 0`` it can see
  (``trio.sleep`` refuses the negative delay that ``asyncio.sleep`` returns from at once);
* ``asyncio.run(main(a, b))`` → ``trio.run(main, a, b)`` for an ``async def main`` of the
  file, with a TODO while asyncio code or an unknown library is left;
* ``await asyncio.gather(f(x), g(y))`` of calls of this file's ``async def`` functions,
  result unused → a nursery block, always with a TODO: its errors now come as a group.

Example::

    >>> findings = scan("import asyncio\\nasyncio.run(main())\\n", "app.py")
    >>> [(f.line, f.construct) for f in findings]
    [(1, 'import asyncio'), (2, 'asyncio.run')]

One module per concern:

* :mod:`.reading`: which files, and their text (or one line that says why not);
* :mod:`.names`: following names to the asyncio objects they stand for;
* :mod:`.project`: the project a file belongs to, whose packages its tests import as their own;
* :mod:`.constructs`: the constructs a file holds, each on its line;
* :mod:`.mapping`: the concept-map row that explains each construct;
* :mod:`.rewriting`: the mechanical rewrites and the TODOs;
* :mod:`.formatting`: text, markdown, JSON and the patch.
"""

from __future__ import annotations

from collections.abc import Collection

from walkthrough.port.constructs import ROWS, analyse, row_of, statements
from walkthrough.port.formatting import iter_findings, patch
from walkthrough.port.mapping import ROW_KEYS, Finding, describe
from walkthrough.port.reading import MAX_BYTES, PortError, files, parse, read
from walkthrough.port.rewriting import rewrite

__all__ = ["MAX_BYTES", "ROWS", "ROW_KEYS", "Finding", "PortError", "analyse", "describe",
           "files", "iter_findings", "parse", "patch", "read", "rewrite", "row_of", "scan",
           "statements"]


def scan(source: str, path: str = "<source>", project: Collection[str] | None = None
         ) -> list[Finding]:
    """Every asyncio construct in ``source``, in line order, one per construct and line.

    ``project``: the top-level import names (packages and modules) of the project the file
    belongs to, as its checkout or sdist has them, with ``path`` written from the project's
    folder (``tests/test_client.py``). A test module's imports of them are the project's own,
    as its modules' are; an example's are a user's. None (the default): found on disk, from
    the project file above ``path`` (:mod:`.project`); a caller with no tree passes them."""
    return analyse(source, path, project)[2]
