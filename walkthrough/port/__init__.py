"""Read a user's asyncio file and say, construct by construct, what Trio has in its place.

:func:`scan` parses the source with :mod:`ast` (never a regex over the text) and reports each
asyncio construct it meets: ``asyncio.*`` calls and names, methods of objects those return
(an event loop, a queue, a task, a semaphore), aiohttp sessions and responses, aiofiles files,
and a few patterns (a set of tasks kept alive with ``add_done_callback(set.discard)``). Each
:class:`Finding` points at the row of the concept map (``docs/concepts.md``, read through
:mod:`walkthrough.conceptmap`) that gives the Trio counterpart, the gotcha and the page that
shows it: one table for the guide and for this tool, so they cannot disagree.

:func:`rewrite` applies only three mechanical rewrites, and leaves a ``TODO(trio)`` comment
wherever a human must decide. Mechanical is not always safe (``docs/porting.md``): the nursery
raises an ExceptionGroup where gather raised the bare error, and ``trio.sleep`` refuses a
negative delay that ``asyncio.sleep`` returns from at once.

* ``asyncio.sleep(t)`` → ``trio.sleep(t)``;
* ``asyncio.run(main(a, b))`` → ``trio.run(main, a, b)``;
* ``await asyncio.gather(f(x), g(y))`` whose result is unused → a nursery block.

Example::

    >>> findings = scan("import asyncio\\nasyncio.run(main())\\n", "app.py")
    >>> [(f.line, f.construct) for f in findings]
    [(1, 'import asyncio'), (2, 'asyncio.run')]

One module per concern:

* :mod:`.reading`: which files, and their text (or one line that says why not);
* :mod:`.names`: following names to the asyncio objects they stand for;
* :mod:`.constructs`: the constructs a file holds, each on its line;
* :mod:`.mapping`: the concept-map row that explains each construct;
* :mod:`.rewriting`: the mechanical rewrites and the TODOs;
* :mod:`.formatting`: text, markdown, JSON and the patch.
"""

from __future__ import annotations

from walkthrough.port.constructs import ROWS, analyse, row_of, statements
from walkthrough.port.formatting import iter_findings, patch
from walkthrough.port.mapping import ROW_KEYS, Finding, describe
from walkthrough.port.reading import MAX_BYTES, PortError, files, parse, read
from walkthrough.port.rewriting import rewrite

__all__ = ["MAX_BYTES", "ROWS", "ROW_KEYS", "Finding", "PortError", "analyse", "describe",
           "files", "iter_findings", "parse", "patch", "read", "rewrite", "row_of", "scan",
           "statements"]


def scan(source: str, path: str = "<source>") -> list[Finding]:
    """Every asyncio construct in ``source``, in line order, one per construct and line."""
    return analyse(source, path)[2]
