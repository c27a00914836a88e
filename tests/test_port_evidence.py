"""``walkthrough port`` on libraries it has no entry for, and on the edges of the ones it has.

A name list only knows the libraries someone wrote down, so the tool also weighs what a file
shows: a package's own layout (an ``aio*`` package with an ``asyncio`` submodule is split), and
how the file uses a module. Each case is a short program written here (the corpus in
``tests/port_corpus/`` measures the figures); each asserts the rows a line gets, and that a
line that needs no change gets nothing.
"""

from __future__ import annotations

import textwrap

from walkthrough import port
from walkthrough.port import libraries


def rows(source: str, path: str = "case.py") -> dict[int, set[str]]:
    """Line → the rows the tool names there."""
    found: dict[int, set[str]] = {}
    for finding in port.scan(textwrap.dedent(source), path):
        found.setdefault(finding.line, set()).add(finding.row)
    return found


def test_a_package_with_an_asyncio_submodule_is_asyncio_only_in_that_submodule() -> None:
    """``aiofoo.asyncio`` beside a sans-I/O ``aiofoo.core``: the name pattern ``aio*`` gives way
    to the package's own layout, so only the asyncio binding's uses are findings."""
    found = rows("""\
        import asyncio
        from aiofoo.asyncio import connect
        from aiofoo.core import Config, Event

        def describe(event: Event) -> str:
            return repr(event)

        async def main():
            config = Config(verify=False)
            config.load("x.pem")
            async with connect("h", 1, config=config) as client:
                await client.ping()

        asyncio.run(main())
        """)
    assert found[2] == {"asyncio-only-lib"}
    assert found[11] == {"asyncio-only-lib"} and found[12] == {"asyncio-only-lib"}
    assert not {3, 5, 9, 10} & set(found)  # the asyncio-free part of the package


def test_without_its_asyncio_submodule_an_aio_package_is_still_asyncio_only_by_name() -> None:
    found = rows("""\
        from aiofoo.core import Config

        async def main():
            config = Config()
        """)
    assert found[1] == {"asyncio-only-lib"} and found[4] == {"asyncio-only-lib"}


def test_the_split_is_by_the_package_layout_not_by_a_listed_package() -> None:
    assert libraries.name("aiofoo.asyncio.client") == "aiofoo.asyncio"
    assert libraries.name("aiofoo.core") == "aiofoo"  # alone, the name still says asyncio
    assert libraries.split_packages(["aiofoo.asyncio.client", "aiofoo.core"]) == {"aiofoo"}
    # a listed package keeps its entry: its asyncio-named submodule is part of it
    assert libraries.split_packages(["motor.motor_asyncio"]) == set()
    assert libraries.name("motor.motor_asyncio") == "motor"


def test_a_subclass_of_streamreaderprotocol_is_a_protocol() -> None:
    found = rows("""\
        import asyncio

        class Reader(asyncio.StreamReaderProtocol):
            def connection_lost(self, exc):
                saved = self.__dict__.copy()
                super().connection_lost(exc)
                self.__dict__.update(saved)
        """)
    assert found[3] == {"protocols"} and found[6] == {"protocols"}
    assert 5 not in found and 7 not in found  # the instance's own dict: plain Python


def test_a_field_the_asyncio_base_class_keeps_is_read_as_plain_data() -> None:
    """``self._buffer`` in a StreamReader subclass is a field read; a call of an inherited
    method (``self._wait_for_data()``) is the base class's API and changes."""
    found = rows("""\
        import asyncio

        class Reader(asyncio.StreamReader):
            async def take(self, n):
                chunk = self._buffer[:n]
                del self._buffer[:n]
                await self._wait_for_data("take")
                return bytes(chunk)
        """)
    assert found[3] == {"streams"} and found[7] == {"streams"}
    assert 5 not in found and 6 not in found
