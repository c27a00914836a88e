"""``walkthrough port`` (``libraries.py``): the real survivors of its run at ``8ccf83c`` (issue 27).

``scripts/mutation.py walkthrough/port/libraries.py`` left 26 survivors (``docs/mutation.md``,
"``walkthrough/port/libraries.py``"). 13 are equivalent, each with its reason on the page; the
other 13 are slips a user would meet, one test per kind here:

* a package's binding to aiohttp is found, and named, at any depth (``strawberry.aiohttp``,
  ``gql.transport.aiohttp``);
* a submodule named ``asyncio_*`` (python-socketio 4's ``socketio.asyncio_client``) is the
  package's asyncio side;
* a class named for asyncio inside an ``aio*`` package (aiodynamo's ``AIOHTTP``) is no
  submodule named for asyncio: the package stays the library named;
* a package the file awaits is named in its finding's advice, even when its name starts with a
  capital X (``Xlib``, ``XenAPI`` and ``XRootD`` are real import names);
* that package's entry, as :func:`libraries.advice` and :func:`libraries.find` give it, has
  the row and the module a listed entry has;
* :func:`libraries.not_asyncio` knows the blocking submodules of asyncio packages
  (``websockets.sync``, ``botbuilder.schema``, caio's callback modules).

Each program is short and in the style of real code; the assertions are on what the user reads
(the finding's construct and advice) or on the public functions' documented answers.
"""

from __future__ import annotations

import textwrap

from walkthrough import port
from walkthrough.port import libraries
from walkthrough.port.mapping import ROW_KEYS, Finding


def scan(source: str, path: str = "case.py") -> list[Finding]:
    return port.scan(textwrap.dedent(source), path)


def on_line(findings: list[Finding], line: int) -> dict[str, str]:
    """The constructs found on ``line``, each with its gotcha (where the library's advice is)."""
    return {finding.construct: finding.gotcha for finding in findings if finding.line == line}


def test_a_packages_binding_to_aiohttp_is_found_and_named_at_any_depth() -> None:
    """Strawberry keeps its aiohttp view one level down (``strawberry.aiohttp.views``), gql two
    (``gql.transport.aiohttp``). A slip in where the search for the binding starts either
    skips the first level below the package (Strawberry's app gets no finding: the user ports
    the server and keeps a view that needs aiohttp's loop) or starts at the top and names the
    binding by an empty prefix (the finding no longer says which module to replace)."""
    server = scan("""\
        from aiohttp import web
        from strawberry.aiohttp.views import GraphQLView

        from .schema import schema

        app = web.Application()
        app.router.add_route("*", "/graphql", GraphQLView(schema=schema))
        web.run_app(app)
        """, "app.py")
    found = on_line(server, 2)
    assert set(found) == {"lib:strawberry.aiohttp"}
    assert "a package's binding to aiohttp" in found["lib:strawberry.aiohttp"]
    assert "lib:strawberry.aiohttp" in on_line(server, 7)  # the view handed to the router
    client = scan("""\
        from gql import Client, gql
        from gql.transport.aiohttp import AIOHTTPTransport

        transport = AIOHTTPTransport(url="https://countries.trevorblades.com/")
        client = Client(transport=transport, fetch_schema_from_transport=True)
        print(client.execute(gql("query { continents { code } }")))
        """, "client.py")
    found = on_line(client, 2)
    assert set(found) == {"lib:gql.transport.aiohttp"}
    assert "gql.transport.aiohttp: a package's binding to aiohttp" in \
        found["lib:gql.transport.aiohttp"]
    assert libraries.name("gql.transport.aiohttp") == "gql.transport.aiohttp"
    assert libraries.name("dependency_injector.ext.aiohttp") == "dependency_injector.ext.aiohttp"


def test_a_submodule_named_asyncio_underscore_something_is_the_packages_asyncio_side() -> None:
    """python-socketio 4 and python-engineio 3 kept their asyncio clients and servers in
    ``asyncio_client`` and ``asyncio_server`` beside the blocking ``client`` and ``server``.
    A slip in the ``asyncio_`` prefix test leaves the module unnamed: the finding loses the
    advice that says what to use instead (the blocking sibling in a thread, or the bridge)."""
    findings = scan("""\
        import asyncio
        from socketio.asyncio_client import AsyncClient

        async def main():
            sio = AsyncClient()
            await sio.connect("http://localhost:5000")
            await sio.wait()

        asyncio.run(main())
        """)
    for line in (2, 5, 6, 7):
        found = on_line(findings, line)
        assert set(found) == {"lib:socketio.asyncio_client"}, line
        assert "socketio.asyncio_client: a submodule named for asyncio" in \
            found["lib:socketio.asyncio_client"], line
    for module in ("socketio.asyncio_client", "engineio.asyncio_server", "caio.asyncio_base"):
        assert libraries.find(module) is not None, module
    assert libraries.name("engineio.asyncio_server") == "engineio.asyncio_server"
    assert libraries.find("socketio.client") is None  # the blocking sibling stays


def test_a_class_named_for_asyncio_in_an_aio_package_is_no_submodule_of_its_own() -> None:
    """aiodynamo's HTTP adapter for aiohttp is the class ``aiodynamo.http.aiohttp.AIOHTTP``:
    its name says asyncio, but it is a class, not a submodule that splits the package. A slip
    that lets class names count there gives the line a second finding, ``lib:aiodynamo.AIOHTTP``,
    which calls a class "a submodule named for asyncio" beside the package's own finding."""
    findings = scan("""\
        import asyncio
        from aiodynamo.client import Client
        from aiodynamo.http.aiohttp import AIOHTTP
        from aiohttp import ClientSession

        async def main(credentials):
            async with ClientSession() as session:
                client = Client(AIOHTTP(session), credentials, "us-east-1")
                await client.table("users").get_item({"id": "42"})

        asyncio.run(main(None))
        """)
    assert set(on_line(findings, 3)) == {"lib:aiodynamo"}
    assert set(on_line(findings, 8)) == {"lib:aiodynamo"}
    assert libraries.name("aiodynamo.http.aiohttp.AIOHTTP") == "aiodynamo"


def test_the_finding_of_an_awaited_package_names_it_even_with_a_capital_x() -> None:
    """A package with no entry that the file awaits gets the advice "no entry for <package>:
    check its docs". Two slips lose it: the advice built without the package's name (it reads
    "no entry for None"), and a cleaning of the module path that strips more than its dots
    (capital X's as well, so ``XServe`` is looked up as ``Serve`` and the finding has no
    advice at all). Import names do start with a capital X: ``Xlib``, ``XenAPI``, ``XRootD``."""
    findings = scan("""\
        import asyncio
        import chatkit
        import XServe

        async def main():
            await chatkit.ask("> ")
            server = await XServe.listen(8080)
            await server.serve_forever()

        asyncio.run(main())
        """)
    for line, package in ((2, "chatkit"), (6, "chatkit"), (3, "XServe"), (7, "XServe")):
        gotcha = on_line(findings, line)[f"lib:{package}"]
        assert f"{package}: awaited in this asyncio program" in gotcha, line
        assert f"no entry for {package}: check its docs" in gotcha, line


def test_an_awaited_packages_entry_has_a_rows_id_and_the_packages_name() -> None:
    """While a file is read, :func:`libraries.evidenced` makes the packages it awaits
    asyncio-only libraries: :func:`libraries.advice` must then answer as for a listed one, a
    row id of the concept map (``mapping.describe`` takes the row from it when the caller
    gives none) and :func:`libraries.find` an entry whose ``module`` is the package (so
    :func:`libraries.by_name_only` can read it). A slip in either field of that entry gives a
    row id the concept map lacks, or an entry with no module."""
    assert libraries.advice("chatkit.Session") is None  # outside the file that awaits it
    with libraries.evidenced(frozenset({"chatkit"})):
        found = libraries.advice("chatkit.Session")
        assert found is not None
        row, advice = found
        assert row == "asyncio-only-lib" and row in ROW_KEYS
        assert "no entry for chatkit" in advice
        entry = libraries.find("chatkit.Session.ask")
        assert entry is not None and entry.module == "chatkit" and entry.row == row
        assert not libraries.by_name_only(entry)
        assert libraries.name("chatkit.Session.ask") == "chatkit"


def test_the_blocking_submodules_of_asyncio_packages_are_known_not_asyncio() -> None:
    """:func:`libraries.not_asyncio` is how ``names`` tells a package the tool knows from an
    unknown one whose awaited calls are evidence of asyncio. The blocking submodules listed in
    ``NOT_ASYNCIO`` are dotted (``websockets.sync``): a slip in how the prefixes are joined
    finds only the one-part entries (``aiosignal``) and calls websockets' blocking client, the
    Bot Framework's schema and caio's callback contexts unknown packages."""
    for module in ("websockets.sync.client", "websockets.sync.client.connect",
                   "botbuilder.schema.Activity", "caio.thread_aio.Context",
                   "tornado.template.Template", "aiosignal.Signal", "groq.AsyncGroq"):
        assert libraries.not_asyncio(module), module
    for module in ("websockets", "websockets.asyncio.client", "botbuilder.core", "chatkit"):
        assert not libraries.not_asyncio(module), module
