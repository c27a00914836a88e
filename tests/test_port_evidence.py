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


def test_a_classs_own_method_named_like_a_streams_is_its_own() -> None:
    found = rows("""\
        import asyncio

        class Writer:
            async def drain(self):
                await asyncio.sleep(0)

            async def wait_closed(self):
                await self.drain()

        async def flush(writer):
            await writer.drain()
        """)
    assert 8 not in found  # self.drain(): the class defines it
    assert found[11] == {"streams"}  # a writer handed in: drain is a StreamWriter's only


def test_a_dunder_on_an_asyncio_object_is_pythons_data_model() -> None:
    found = rows("""\
        from aiohttp import ClientResponse

        class Retrying:
            async def __aenter__(self) -> ClientResponse:
                return await self._request()

            def __await__(self):
                return self.__aenter__().__await__()
        """)
    assert 8 not in found


def test_ctrl_c_in_a_coroutine_changes_where_it_waits_for_asyncios_own_future() -> None:
    """A coroutine that waits on asyncio itself (a future for the program's end) changes; one
    that only awaits a library's call catches what the library raises for the key, and
    does not."""
    found = rows("""\
        import asyncio

        async def main(done: asyncio.Future):
            try:
                await done
            except KeyboardInterrupt:
                print("bye")

        async def shell(session):
            while True:
                try:
                    print(await session.prompt_async())
                except (EOFError, KeyboardInterrupt):
                    return
        """)
    assert found[6] == {"ctrl-c"}
    assert 13 not in found


def test_a_field_of_aiohttps_request_is_plain_data_but_its_apps_state_is_not() -> None:
    found = rows("""\
        from aiohttp import web

        async def handler(request):
            print("from", request.remote)
            for ws in request.app["sockets"]:
                await ws.send_str("x")
            data = await request.json()
            return web.Response(text=str(data))

        app = web.Application()
        app.router.add_get("/", handler)
        """)
    assert 4 not in found
    assert found[5] == {"http-server"} and found[7] == {"http-server"}


def test_a_comprehension_of_a_librarys_calls_is_the_librarys_line_not_a_gathers() -> None:
    found = rows("""\
        import asyncio
        import asyncssh

        async def connect_all(hosts):
            coros = [asyncssh.connect(host) for host in hosts]
            return await asyncio.gather(*coros)
        """)
    assert found[5] == {"asyncio-only-lib"}
    assert found[6] == {"gather"}


def test_a_subclass_that_wraps_another_library_object_calls_the_librarys_method() -> None:
    """``self.track.recv()`` in a subclass that defines ``recv``: the wrapped track is another
    object of the library, whose ``recv`` is its API; ``self.recv()`` and an instance's are
    the subclass's own."""
    found = rows("""\
        from aiortc import MediaStreamTrack
        from aiortc.contrib.media import MediaRelay

        relay = MediaRelay()

        class Flip(MediaStreamTrack):
            def __init__(self, track):
                super().__init__()
                self.track = track

            async def recv(self):
                frame = await self.track.recv()
                img = frame.to_ndarray(format="bgr24")
                return img

        async def main(source):
            flip = Flip(relay.subscribe(source))
            print(await flip.recv())
        """)
    assert found[12] == {"asyncio-only-lib"}
    assert 13 not in found  # a conversion to plain data
    assert 18 not in found  # the subclass's own recv


def test_testing_whether_an_optional_library_was_imported_is_no_use_of_it() -> None:
    found = rows("""\
        import asyncio
        try:
            import uvloop
        except ImportError:
            uvloop = None

        if uvloop is not None:
            asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        """)
    assert found[3] == {"loop"} and found[8] == {"loop"}
    assert 7 not in found
