"""``walkthrough.port.libraries``: the asyncio-only libraries the porting tool knows, and how a
``lib:<module>`` construct becomes a finding.

The table is data the tool prints as advice, so what can break is the glue: a row id that the
concept map does not have, a dotted lookup that picks the wrong entry (or flags the blocking
``redis`` client), and ``mapping.describe`` dropping the library's advice. Where a library is
installed here (aiohttp, aiofiles), a test runs it under Trio to show the entry is needed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import trio

from tests.test_port_evidence import rows as rows_in
from walkthrough import conceptmap
from walkthrough.port import libraries, mapping


def test_every_entry_names_a_row_the_map_has() -> None:
    for lib in libraries.LIBRARIES:
        assert lib.row in mapping.ROW_KEYS, f"{lib.module}: unknown row {lib.row!r}"
        conceptmap.find(mapping.ROW_KEYS[lib.row])  # exactly one row on the page
        assert lib.advice and "\n" not in lib.advice, lib.module


def test_every_module_is_listed_once() -> None:
    modules = [lib.module for lib in libraries.LIBRARIES]
    assert len(modules) == len(set(modules))


def test_the_libraries_the_issue_names_are_known() -> None:
    issue_24 = ["aiohttp", "aiohttp.web", "websockets", "asyncssh", "aioredis", "redis.asyncio",
                "aiosqlite", "asyncpg", "aiofiles", "async_timeout", "janus", "aiostream",
                "aiokafka", "aiomysql", "aio_pika", "motor", "aiobotocore", "aiosmtplib",
                "aiodns", "aiocache", "uvloop", "nest_asyncio"]
    assert [m for m in issue_24 if libraries.advice(m) is None] == []


@pytest.mark.parametrize(("module", "row"), [
    ("redis.asyncio", "asyncio-only-lib"),
    ("redis.asyncio.client", "asyncio-only-lib"),
    ("aiohttp", "aiohttp-client"),
    ("aiohttp.client", "aiohttp-client"),
    ("aiohttp.web", "http-server"),
    ("aiohttp.web_request", "http-server"),  # the `web_*` modules of aiohttp's server
    ("aiohttp.webx", "aiohttp-client"),  # `web_*` needs the underscore: the package's entry
    ("aiohttp.web_ws", "websocket"),  # an exact entry beats the pattern
    ("aiohttp.client_ws", "websocket"),
    ("websockets", "websocket"),
    ("websockets.asyncio.client", "websocket"),
    ("aiofiles.threadpool", "aiofiles"),
    ("async_timeout", "timeout"),
    ("nest_asyncio", "nest-asyncio"),
    ("uvloop", "loop"),
    ("asyncssh", "asyncio-only-lib"),
    ("janus", "asyncio-only-lib"),
    ("mautrix.util.async_db", "asyncio-only-lib"),  # "a Python 3 asyncio Matrix framework"
    ("twisted.internet.asyncioreactor", "asyncio-only-lib"),  # Twisted on asyncio's loop
    ("aiohttp_jinja2", "http-server"),  # aiohttp.web's plugins: the server's port
    ("aiohttp_session", "http-server"),
    ("uvicorn", "asyncio-only-lib"),  # a library's row: http-server is aiohttp.web's
    ("mode", "asyncio-only-lib"),  # "built-on top of AsyncIO" (its description)
    ("mode.threads", "asyncio-only-lib"),
    ("aredis", "asyncio-only-lib"),  # an async redis-py, on asyncio's streams
    ("caio.asyncio_base", "asyncio-only-lib"),  # a module named asyncio_*
    ("caio.AsyncioContext", "asyncio-only-lib"),  # a class named for asyncio
    ("apscheduler.schedulers.AsyncIOScheduler", "asyncio-only-lib"),
    ("dns.quic.AsyncioQuicManager", "asyncio-only-lib"),
])
def test_a_dotted_module_finds_its_nearest_listed_package(module: str, row: str) -> None:
    found = libraries.advice(module)
    assert found is not None and found[0] == row


@pytest.mark.parametrize("module", [
    "redis",  # the blocking client: fine in a worker thread
    "redis.client",
    "valkey",
    "websockets.sync.client",  # websockets' blocking client
    "tools.aiohelpers",  # aio* is a top-level package's name only
    "asyncio",  # asyncio itself is the constructs' business, not a library's
    "trio",
    "httpx",
    "twisted.internet.defer",  # Twisted itself is no asyncio library
    "fileio.AsyncContext",  # "Async" alone names no loop
    "fileio.Aiolos",  # Aio then a lower-case letter: a word, not a prefix
    "fileio.base_asyncio_x",  # asyncio inside a module's name, not at its start or end
    "fileio._asyncio_base",  # a private module keeps its package's side
])
def test_modules_that_are_not_asyncio_only_get_nothing(module: str) -> None:
    assert libraries.advice(module) is None


@pytest.mark.parametrize("module", ["aiojobs", "aioftp.client", "aiohttp_retry", "aiohttpx"])
def test_an_unlisted_aio_package_is_asyncio_only_by_its_name_and_says_so(module: str) -> None:
    """The aio-libs convention: a top-level aio* package is asyncio's. A prefix of the text is
    not a prefix of the dotted path: aiohttp_retry gets the by-name entry, not aiohttp's
    (aiohttp.web's plugins, aiohttp_jinja2 and the like, are listed as the server's)."""
    found = libraries.advice(module)
    assert found is not None and found[0] == "asyncio-only-lib"
    assert "naming convention" in found[1]
    assert libraries.name(module) == module.split(".")[0]


@pytest.mark.parametrize(("module", "name"), [
    ("redis.asyncio.client", "redis.asyncio"),
    ("asyncssh.connection", "asyncssh"),
    ("aiohttp.web", "aiohttp.web"),
    ("aiohttp.web_request", "aiohttp.web_request"),
    ("aiohttp.helpers", "aiohttp"),
    ("websockets.sync.client", None),
    ("redis.client", None),
])
def test_the_name_of_a_library_is_its_nearest_listed_prefix(module: str, name: str | None) -> None:
    assert libraries.name(module) == name
    if name is not None:
        assert libraries.advice(name) == libraries.advice(module)


def test_redis_asyncio_points_past_the_trio_native_clients_that_went_quiet() -> None:
    found = libraries.advice("redis.asyncio")
    assert found is not None
    assert "trio-asyncio" in found[1] and "trio.to_thread.run_sync" in found[1]


def test_describe_gives_a_lib_construct_its_row_and_appends_the_advice() -> None:
    finding = mapping.describe("app.py", 3, 3, "lib:asyncssh", None)
    row = conceptmap.find(mapping.ROW_KEYS["asyncio-only-lib"])
    assert finding.row == "asyncio-only-lib"
    assert finding.trio == conceptmap.plain(row.trio)
    assert finding.gotcha.startswith(conceptmap.plain(row.gotcha))
    assert finding.gotcha.endswith("asyncssh: trio-asyncio at the boundary (async with "
                                   "trio_asyncio.open_loop(), aio_as_trio): there is no "
                                   "Trio-native SSH library.")
    assert finding.links[0] == f"{conceptmap.PAGE_LINK}#{row.anchor}"


def test_describe_of_a_submodule_uses_the_submodules_entry() -> None:
    finding = mapping.describe("app.py", 1, 1, "lib:aiohttp.web", None)
    assert finding.row == "http-server"
    assert "Hypercorn" in finding.trio and "hypercorn.trio.serve" in finding.gotcha


def test_a_row_the_caller_gives_wins_and_the_advice_still_follows() -> None:
    """``import aiohttp`` in a file that only opens WebSockets is the websocket row."""
    finding = mapping.describe("client_ws.py", 9, 9, "lib:aiohttp", "websocket")
    assert finding.row == "websocket"
    assert finding.gotcha.endswith("aiohttp: aiohttp's client: httpx's AsyncClient runs on "
                                   "Trio (set its defaults, see the row).")


def test_an_unknown_library_has_no_row_and_a_plain_construct_is_unchanged() -> None:
    unknown = mapping.describe("app.py", 1, 1, "lib:redis", None)
    assert (unknown.row, unknown.trio, unknown.gotcha) == ("", "no row in the concept map yet", "")
    plain = mapping.describe("app.py", 1, 1, "asyncio.Event", "event")
    assert plain.gotcha == conceptmap.plain(conceptmap.find("`asyncio.Event`").gotcha)


def test_an_installed_library_on_the_list_fails_under_trio(tmp_path: Path) -> None:
    """The entries are needed: aiofiles (installed here) stops at its first await under Trio."""
    import aiofiles

    async def main() -> None:
        async with aiofiles.open(tmp_path / "x.txt", "w") as f:
            await f.write("hello")

    assert libraries.advice(aiofiles.__name__) is not None
    with pytest.raises(RuntimeError, match="no running event loop"):
        trio.run(main)


@pytest.mark.parametrize(("module", "row"), [
    ("quart", "asyncio-only-lib"), ("sanic.response", "http-server"),
    ("tornado.web", "http-server"), ("tornado.ioloop", "asyncio-only-lib"),
    ("grpc.aio", "asyncio-only-lib"), ("zmq.asyncio", "asyncio-only-lib"),
    ("sqlalchemy.ext.asyncio", "asyncio-only-lib"), ("playwright.async_api", "asyncio-only-lib"),
    ("asyncio_mqtt.client", "asyncio-only-lib"), ("kubernetes_asyncio", "asyncio-only-lib"),
    ("nio.AsyncClient", "asyncio-only-lib"), ("nio.client.async_client", "asyncio-only-lib"),
    ("asgiref.server", "asyncio-only-lib"),
])
def test_more_widely_used_asyncio_only_libraries(module: str, row: str) -> None:
    found = libraries.advice(module)
    assert found is not None and found[0] == row


@pytest.mark.parametrize("module", ["grpc", "zmq", "sqlalchemy.orm", "playwright.sync_api",
                                    "asgiref.sync",
                                    "asyncio", "asyncio.events", "tornado.escape",
                                    "tornado.template.Template", "aiosignal"])
def test_their_blocking_siblings_are_not(module: str) -> None:
    assert libraries.advice(module) is None


@pytest.mark.parametrize("module", ["azure.storage.blob.aio", "pymodbus.client.asyncio",
                                    "motor.motor_asyncio", "somelib.aio.client",
                                    "somelib.somelib_asyncio", "somelib.client_aio",
                                    "somelib_asyncio", "somelib_asyncio.client", "somelib_aio"])
def test_a_submodule_named_for_asyncio_is_asyncio_only_by_its_name(module: str) -> None:
    found = libraries.advice(module)
    assert found is not None and found[0] == "asyncio-only-lib"
    name = libraries.name(module)
    assert name is not None and libraries.advice(name) == found


@pytest.mark.parametrize("module", ["anyio._backends._asyncio", "somelib.aiohelpers",
                                    "trio_asyncio", "asyncio.base_events", "somelib.client",
                                    "somelib._aio", "anyio_asyncio", "_somelib_asyncio",
                                    "somelib"])
def test_a_private_or_merely_similar_name_is_not(module: str) -> None:
    assert libraries.advice(module) is None


@pytest.mark.parametrize("module", ["slixmpp", "asyncua.client", "tortoise.models",
                                    "socketio.AsyncClient", "pyee.asyncio"])
def test_more_asyncio_only_libraries_by_entry(module: str) -> None:
    found = libraries.advice(module)
    assert found is not None and found[0] == "asyncio-only-lib"
    assert libraries.advice("socketio") is None and libraries.advice("pyee") is None


@pytest.mark.parametrize("module", ["telnetlib3", "eventkit", "ib_async", "ib_insync",
                                    "prompt_toolkit.contrib.ssh"])
def test_asyncio_only_libraries_added_in_round_4(module: str) -> None:
    """telnetlib3 and eventkit say in their own descriptions that they run on asyncio;
    prompt_toolkit's SSH server is built on asyncssh, while prompt_toolkit itself is not
    asyncio-only (its blocking prompt() runs anywhere)."""
    found = libraries.advice(module)
    assert found is not None and found[0] == "asyncio-only-lib"
    assert libraries.advice("prompt_toolkit") is None
    assert libraries.advice("prompt_toolkit.shortcuts") is None


def test_a_class_named_for_asyncio_does_not_split_an_aio_package() -> None:
    """``aiodynamo.http.aiohttp.AIOHTTP``: a class's name says nothing of the package's
    layout, so aiodynamo (asyncio-only by its name) keeps all its modules asyncio's."""
    assert libraries.split_packages(["aiodynamo.http.aiohttp.AIOHTTP"]) == set()
    assert libraries.split_packages(["aioquic.asyncio"]) == {"aioquic"}
    assert libraries.name("aiodynamo.client") == "aiodynamo"


def rows(source: str) -> dict[int, set[str]]:
    """Line → the rows ``walkthrough port`` names there, for a snippet of a user's file."""
    return rows_in(source, "bot.py")


def test_matrix_nio_is_asyncio_only_in_every_name_it_hands_out() -> None:
    """matrix-nio has no blocking client: its responses are what AsyncClient returns, so a
    port that leaves AsyncClient rewrites the isinstance checks on them too."""
    found = rows("""\
        from nio import AsyncClient
        from nio.responses import RoomSendResponse

        async def send(client: AsyncClient, room):
            response = await client.room_send(room, "m.room.message", {})
            return isinstance(response, RoomSendResponse)
        """)
    assert found.get(1) == {"asyncio-only-lib"} and found.get(2) == {"asyncio-only-lib"}
    assert found.get(6) == {"asyncio-only-lib"}
    assert libraries.name("nio.responses") == "nio"


def test_grpclib_a_channel_and_its_subclass_are_asyncio_only() -> None:
    found = rows("""\
        from grpclib.client import Channel
        from grpclib.const import Status

        class AuthChannel(Channel):
            def check(self, status):
                return status != Status.OK
        """)
    assert found.get(1) == {"asyncio-only-lib"} and found.get(4) == {"asyncio-only-lib"}
    advice = libraries.advice("grpclib.client")
    assert advice is not None and "purerpc" in advice[1]


@pytest.mark.parametrize(("module", "name"), [
    ("pipecat.services.tts_service", "pipecat"),
    ("pipecat_boson.realtime", "pipecat_boson"),  # a Pipecat plugin, by its name
    ("crawl4ai", "crawl4ai"),
    ("botbuilder.core", "botbuilder"),
    ("databases", "databases"),
    ("ormar.models", "ormar"),
    ("fastapi_limiter.depends", "fastapi_limiter"),
    ("slack_sdk.web.async_client", "slack_sdk.web.async_client"),
    ("slack_sdk.socket_mode.async_client", "slack_sdk.socket_mode.async_client"),
    ("slack_sdk.socket_mode.aiohttp", "slack_sdk.socket_mode.aiohttp"),
    # round 13, from the tenth corpus part's misses
    ("jevkit_runtime", "jevkit_runtime"),
    ("jevkit_runtime.cli", "jevkit_runtime"),
    ("bboxpy.exceptions", "bboxpy"),
    ("efir_bot", "efir_bot"),
    ("pytak", "pytak"),
    ("tmodbus.server", "tmodbus"),
    ("tmodbus.pdu", "tmodbus"),  # no blocking side: its data types are the asyncio side's
    ("vocals", "vocals"),
    ("sed_sh.AsyncSedSH", "sed_sh.AsyncSedSH"),
    ("sed_sh.services.async_links", "sed_sh.services.async_links"),
    ("scrapli.AsyncScrapli", "scrapli.AsyncScrapli"),
    ("scrapli.driver.AsyncGenericDriver", "scrapli.driver.AsyncGenericDriver"),
    ("scrapli.driver.core.AsyncIOSXEDriver", "scrapli.driver.core.AsyncIOSXEDriver"),
    ("async_stagger", "async_stagger"),
    ("nonebot_plugin_apscheduler", "nonebot_plugin_apscheduler"),
    ("ghrah.core.config", "ghrah"),
    ("drools.dispatch", "drools.dispatch"),
    ("dingtalk_stream", "dingtalk_stream"),
    ("brokapi.testing", "brokapi"),
    ("modbus_connection.tmodbus", "modbus_connection"),
    ("socketio.ASGIApp", "socketio.ASGIApp"),  # it serves an AsyncServer only
    ("engineio.ASGIApp", "engineio.ASGIApp"),
])
def test_asyncio_only_libraries_added_in_rounds_10_and_13(module: str, name: str) -> None:
    found = libraries.advice(module)
    assert found is not None and found[0] == "asyncio-only-lib"
    assert libraries.name(module) == name


@pytest.mark.parametrize("module", ["slack_sdk", "slack_sdk.web.client", "slack_sdk.web",
                                    "slack_sdk.socket_mode.client", "pipecatx",
                                    "botbuilder.schema", "fastapi",
                                    # round 13's: sed-sh's SedSH is requests', scrapli's Scrapli
                                    # takes its blocking transports, drools-jpy's rulesets are
                                    # blocking calls into the JVM, python-socketio's blocking
                                    # Server is no AsyncServer
                                    "sed_sh", "sed_sh.SedSH", "sed_sh.services.links",
                                    "scrapli", "scrapli.Scrapli", "scrapli.driver.GenericDriver",
                                    "drools", "drools.ruleset", "socketio.Server"])
def test_their_blocking_or_plain_neighbours_are_not(module: str) -> None:
    """slack_sdk's urllib clients run in a thread; a name that merely starts like pipecat's
    plugins is not one; the Bot Framework's schema is plain data."""
    assert libraries.advice(module) is None


def test_the_bot_frameworks_schema_is_plain_data_beside_its_asyncio_adapter() -> None:
    found = rows("""\
        from botbuilder.core import TurnContext
        from botbuilder.schema import Attachment

        async def download(context: TurnContext, attachment: Attachment) -> bytes:
            await context.send_activity("fetching")
            return attachment.content_url.encode()
        """)
    assert found.get(1) == {"asyncio-only-lib"} and found.get(5) == {"asyncio-only-lib"}
    assert 2 not in found


@pytest.mark.parametrize("module", ["telegram.ext", "interactions", "lightbulb", "tanjun", "saq",
                                    "temporalio.worker", "channels.layers", "channels_redis.core",
                                    "piccolo.table", "cashews", "engineio.AsyncClient",
                                    "engineio.AsyncServer", "backoff", "tweepy.asynchronous",
                                    "asysocks.unicomm.server", "asyauth.protocols", "httpstan.app",
                                    "serial_asyncio_fast", "bleak_retry_connector", "pyatv",
                                    "kasa.iot", "pymodbus.client.AsyncModbusTcpClient", "daphne",
                                    "asyncev"])
def test_more_asyncio_only_libraries_users_meet(module: str) -> None:
    found = libraries.advice(module)
    assert found is not None and found[0] == "asyncio-only-lib"
    assert libraries.advice("engineio") is None and libraries.advice("engineio.Client") is None
    assert libraries.advice("tweepy") is None and libraries.advice("tweepy.client") is None
    assert libraries.advice("pymodbus.client.ModbusTcpClient") is None


def test_backoffs_retry_of_a_coroutine_is_asyncio_only_and_points_at_tenacity() -> None:
    """backoff retries a coroutine with ``await asyncio.sleep``: the decorator and its import
    change; tenacity (on the list of Trio-safe packages) sleeps with ``trio.sleep``."""
    found = rows("""\
        import aiohttp
        import backoff

        @backoff.on_exception(backoff.expo, aiohttp.ClientError, max_tries=3)
        async def fetch(session, url):
            async with session.get(url) as response:
                return await response.text()
        """)
    assert found.get(2) == {"asyncio-only-lib"}
    assert found.get(4) == {"asyncio-only-lib", "aiohttp-client"}
    advice = libraries.advice("backoff")
    assert advice is not None and "tenacity" in advice[1]


def test_aiocsv_awaits_the_file_it_is_given_so_it_is_no_asyncio_library() -> None:
    """aio* by name, not by code: aiocsv's AsyncWriter awaits ``file.write``, which a
    ``trio.open_file`` file has; the file's opening is what changes (aiofiles)."""
    found = rows("""\
        import aiocsv
        import aiofiles

        async def dump(path, rows):
            async with aiofiles.open(path, "w") as f:
                writer = aiocsv.AsyncWriter(f)
                await writer.writerows(rows)
        """)
    assert 1 not in found and 6 not in found and 7 not in found
    assert found.get(5) == {"aiofiles"}
    assert libraries.advice("aiocsv.writers") is None


def test_aiofile_is_aiofiles_counterpart_and_aiohttp_swagger_the_servers() -> None:
    """aiofile's ``async_open`` moves to ``trio.open_file`` as aiofiles' does (not the generic
    aio* advice), and aiohttp_swagger is one of aiohttp.web's add-ons (the corpus README)."""
    found = rows("""\
        from aiofile import async_open
        from aiohttp import web
        from aiohttp_swagger import setup_swagger

        async def read(path):
            async with async_open(path, "r") as f:
                return await f.read()

        app = web.Application()
        setup_swagger(app)
        """)
    assert found.get(1) == {"aiofiles"} and found.get(6) == {"aiofiles"}
    assert found.get(3) == {"http-server"} and found.get(10) == {"http-server"}


def test_tqdms_asyncio_gather_is_asyncios_gather_with_a_bar() -> None:
    """``tqdm.asyncio.tqdm.gather`` awaits ``asyncio.as_completed`` under a progress bar: the
    port's nursery (``gather``), not a library kept behind trio-asyncio."""
    found = rows("""\
        import tqdm.asyncio

        async def fetch_all(tasks):
            return await tqdm.asyncio.tqdm.gather(*tasks, desc="Files")
        """)
    assert found.get(4) == {"gather"}
    assert libraries.API_ROWS["tqdm.asyncio.tqdm_asyncio.gather"] == "gather"
    assert libraries.API_ROWS["tqdm.asyncio.tqdm.as_completed"] == "as-completed"
    assert [row for row in libraries.API_ROWS.values() if row not in mapping.ROW_KEYS] == []


def test_a_librarys_name_for_an_asyncio_api_is_that_apis_row_through_its_module() -> None:
    """``aiorun.run(main())`` and ``uvloop.run(main())`` are asyncio.run by another name, and
    tqdm's ``tqdm_asyncio.gather`` is asyncio.gather with a bar: called through the module's
    name they take the API's row, as the same call imported by its own name does, and the
    module's name on that line is no second finding."""
    found = rows("""\
        import aiorun
        import uvloop
        from tqdm.asyncio import tqdm_asyncio

        async def main():
            await tqdm_asyncio.gather(*[])

        aiorun.run(main())
        uvloop.run(main())
        """)
    assert (found[6], found[8], found[9]) == ({"gather"}, {"run"}, {"run"})
    assert found[1] == {"asyncio-only-lib"}  # the import of aiorun is still its library's


def test_a_package_built_on_anyio_or_httpx_awaited_in_an_asyncio_program_is_no_finding() -> None:
    """httpx2 (AnyIO and httpcore2 underneath), openai-async (httpx's AsyncClient) and Groq's
    SDK (anyio.sleep, sniffio) run under Trio as they are: awaiting them beside asyncio's own
    calls says nothing of the loop they need, so only asyncio's lines are findings."""
    found = rows("""\
        import asyncio
        import httpx2
        import openai_async
        from groq import AsyncGroq

        async def main(key, payload):
            async with httpx2.AsyncClient() as client:
                await client.get("https://example.org")
            await openai_async.chat_complete(key, timeout=30, payload=payload)
            await AsyncGroq().chat.completions.create(model="m", messages=[])
            await asyncio.sleep(1)

        asyncio.run(main("k", {}))
        """)
    assert found == {1: {"loop"}, 11: {"sleep"}, 13: {"run"}}
    assert [libraries.not_asyncio(m) for m in ("httpx2", "groq.resources", "openai")] \
        == [True, True, False]  # openai is names.TRIO_SAFE's, not this table's


@pytest.mark.parametrize(("module", "row"), [
    ("gql.transport.aiohttp", "asyncio-only-lib"),  # a transport: aiohttp's client
    ("gql.transport.aiohttp_websockets", "asyncio-only-lib"),
    ("slackish.socket_mode.aiohttp", "asyncio-only-lib"),
    ("dependency_injector.ext.aiohttp", "http-server"),  # an extension: aiohttp.web's
    ("sentry_sdk.integrations.aiohttp", "http-server"),
    ("webkit.contrib.aiohttp_views", "http-server"),
])
def test_a_submodule_named_for_aiohttp_is_the_packages_binding_to_it(module: str,
                                                                     row: str) -> None:
    found = libraries.advice(module)
    assert found is not None and found[0] == row
    assert libraries.name(module + ".Thing") == module


@pytest.mark.parametrize("module", [
    "gql.transport.httpx",  # the same package's binding to httpx runs under Trio
    "gql.transport._aiohttp_compat",  # private: the package's own plumbing
    "starlette.websockets",  # websockets names the protocol there, not the library
    "webkit.aiohttpx",  # merely similar
])
def test_a_sibling_binding_or_a_similar_name_is_not(module: str) -> None:
    assert libraries.advice(module) is None


def test_an_extensions_aiohttp_views_are_the_servers_in_a_users_file() -> None:
    """``dependency_injector.ext.aiohttp`` wraps aiohttp.web's views: the import and the
    views built from it are the server's lines, the container's own provider is not."""
    found = rows("""\
        from dependency_injector import containers, providers
        from dependency_injector.ext import aiohttp

        class Container(containers.DeclarativeContainer):
            index = aiohttp.View(lambda request: None)
            settings = providers.Object({})
        """)
    assert found.get(2) == {"http-server"} and found.get(5) == {"http-server"}
    assert 1 not in found and 6 not in found
    assert libraries.name("foo.aio.aiohttp") == "foo.aio"  # a submodule named for asyncio first


def test_winloop_is_uvloops_windows_twin_with_its_api() -> None:
    """winloop is "Windows version of uvloop": picked beside uvloop by platform, its ``run``
    is asyncio.run by another name and its import a loop to drop, as uvloop's are."""
    found = rows("""\
        import sys

        if sys.platform == "win32":
            import winloop as fastloop
        else:
            import uvloop as fastloop

        async def main():
            pass

        fastloop.run(main())
        winloop_policy = __import__("winloop").EventLoopPolicy
        """)
    assert found.get(4) == {"loop"} and found.get(6) == {"loop"} and found.get(11) == {"run"}
    assert libraries.API_ROWS["winloop.install"] == "loop"


def test_caios_asyncio_context_is_asyncio_only_and_its_callback_context_is_not() -> None:
    """caio is "Python bindings for Linux AIO API and simple asyncio wrapper": the wrapper's
    context is awaited on asyncio's loop; the bindings' contexts take callbacks."""
    found = rows("""\
        import caio
        from caio.thread_aio import Context

        async def read(fd):
            context = caio.AsyncioContext(128)
            return await context.read(32, fd, 0)

        def submit(fd, done):
            return Context(128).submit(fd, done)
        """)
    assert found.get(1) == {"asyncio-only-lib"} and found.get(5) == {"asyncio-only-lib"}
    assert 2 not in found and 9 not in found
    assert libraries.name("caio.linux_aio_asyncio") == "caio"  # its asyncio flavours
    assert libraries.advice("caio.thread_aio") is None


def test_anyio_based_aiometer_and_the_ollama_client_are_no_asyncio_libraries() -> None:
    """aiometer is aio* by name but AnyIO by code ("compatible with asyncio and trio"), and
    Ollama's AsyncClient is httpx's: neither the import nor the awaits are findings, while a
    package named aio* that the table does not know still is one."""
    found = rows("""\
        import asyncio
        import aiometer
        from ollama import AsyncClient
        import aiolimiter

        async def main(jobs):
            await aiometer.run_all(jobs, max_at_once=4)
            await AsyncClient().chat(model="m", messages=[])
            async with aiolimiter.AsyncLimiter(1):
                pass

        asyncio.run(main([]))
        """)
    assert found == {1: {"loop"}, 4: {"asyncio-only-lib"}, 9: {"asyncio-only-lib"},
                     12: {"run"}}
    assert libraries.advice("aiometer") is None and libraries.not_asyncio("ollama._client")


@pytest.mark.parametrize("module", [
    "hydrogram", "hydrogram.types", "vkbottle.bot", "slack_bolt.async_app",
    "slack_bolt.app.async_app", "slack_bolt.app.async_server",
    "slack_bolt.adapter.socket_mode.async_handler", "livekit.rtc", "livekit.agents.voice",
    "livekit.plugins.openai"])
def test_bot_frameworks_on_asyncio(module: str) -> None:
    """Hydrogram (Pyrogram's fork), vkbottle, Bolt's AsyncApp and LiveKit's Room and agents
    run on asyncio's loop."""
    found = libraries.advice(module)
    assert found is not None and found[0] == "asyncio-only-lib"


@pytest.mark.parametrize("module", ["slack_bolt", "slack_bolt.app.app",
                                    "slack_bolt.adapter.socket_mode", "slack_bolt.app.appx",
                                    "livekit", "livekit.protocol.room"])
def test_bolts_blocking_app_and_livekits_protocol_data_are_not(module: str) -> None:
    assert libraries.advice(module) is None


def test_psycopgs_async_side_is_asyncio_only_and_its_blocking_side_is_not() -> None:
    """psycopg 3's async side "is built on asyncio" (psycopg issue #29): AsyncConnection and
    the pool's AsyncConnectionPool are findings, a blocking program's Connection is not."""
    found = rows("""\
        import asyncio
        from psycopg import AsyncConnection
        from psycopg_pool import AsyncConnectionPool

        async def main(dsn):
            pool = AsyncConnectionPool(dsn)
            async with await AsyncConnection.connect(dsn) as conn:
                await conn.execute("select 1")
        """)
    assert {line: found.get(line) for line in (2, 3, 6, 7)} == {
        2: {"asyncio-only-lib"}, 3: {"asyncio-only-lib"}, 6: {"asyncio-only-lib"},
        7: {"asyncio-only-lib"}}
    assert rows("""\
        import psycopg
        from psycopg import Connection

        def main(dsn):
            with Connection.connect(dsn) as conn:
                conn.execute("select 1")
            psycopg.connect(dsn).close()
        """) == {}
    assert libraries.advice("psycopg.AsyncCursor") is not None
    assert libraries.advice("psycopg.Cursor") is None


@pytest.mark.parametrize(("module", "found"), [
    ("neo4j.AsyncGraphDatabase", True), ("neo4j.AsyncManagedTransaction", True),
    ("neo4j.GraphDatabase", False), ("neo4j.exceptions", False), ("neo4j", False)])
def test_the_neo4j_drivers_async_side_is_asyncio_only(module: str, found: bool) -> None:
    """Its async locks are asyncio's; its blocking driver and shared data are not."""
    assert (libraries.advice(module) is not None) is found


def test_no_advice_loses_a_star_on_its_way_to_the_terminal() -> None:
    """The advice is printed through conceptmap.plain, which takes a ``*`` outside backticks
    for Markdown emphasis and drops it: "an aio* package" came out as "an aio package" (RV38).
    A pattern's star must sit inside backticks."""
    for lib in libraries.LIBRARIES:
        assert conceptmap.plain(lib.advice).count("*") == lib.advice.count("*"), lib.module
    aiojobs = libraries.find("aiojobs")
    assert aiojobs is not None and "an aio* package" in conceptmap.plain(aiojobs.advice)


def test_nonebot2s_api_runs_on_anyio_and_its_html_renderer_on_playwrights_asyncio() -> None:
    """NoneBot 2 (nonebot2 2.5: anyio>=4.4 its requirement, its driver core and matchers
    AnyIO's, its own tests run on Trio): a plugin awaiting its API is no evidence of asyncio,
    so only the plugin's own asyncio lines are findings. nonebot-plugin-htmlrender renders
    with Playwright's async API (its browser.py), asyncio's."""
    found = rows("""\
        import asyncio
        from nonebot import on_command, require
        from nonebot.adapters.onebot.v11 import Bot, GroupMessageEvent
        require("nonebot_plugin_htmlrender")
        from nonebot_plugin_htmlrender import md_to_pic

        rename = on_command("rename")
        locks: dict[str, asyncio.Lock] = {}

        @rename.handle()
        async def handle(bot: Bot, event: GroupMessageEvent) -> None:
            await bot.set_group_name(group_id=event.group_id, group_name="x")
            picture = await md_to_pic(md="# hi")
            await rename.finish(picture)
        """)
    assert found == {1: {"loop"}, 5: {"asyncio-only-lib"}, 8: {"lock"},
                     13: {"asyncio-only-lib"}}
    assert libraries.not_asyncio("nonebot.adapters.onebot.v11")


def test_a_fern_sdks_async_client_is_asyncio_only_and_its_blocking_side_is_not() -> None:
    """Deepgram's, Cohere's and ElevenLabs' SDKs (generated by Fern) pair a blocking client with
    an Async* one whose retries await ``asyncio.sleep``: the async client's lines are findings;
    the blocking client and the shared types are not, awaited beside them or not."""
    found = rows("""\
        import asyncio
        from deepgram import AsyncDeepgramClient, DeepgramClient
        from deepgram.listen.v1.types import ListenV1Results

        async def listen(key, audio):
            client = AsyncDeepgramClient(api_key=key)
            async with client.listen.v1.connect(model="nova-3") as socket:
                await socket.send_media(audio)
                async for msg in socket:
                    if isinstance(msg, ListenV1Results):
                        print(msg)

        def transcribe(key, wav):
            return DeepgramClient(api_key=key).listen.v1.media.transcribe_file(request=wav)
        """)
    assert {line: found.get(line) for line in (2, 3, 6, 7, 8, 10, 14)} == {
        2: {"asyncio-only-lib"}, 3: None, 6: {"asyncio-only-lib"}, 7: {"asyncio-only-lib"},
        8: {"asyncio-only-lib"}, 10: None, 14: None}
    assert [libraries.advice(m) is not None for m in (
        "cohere.AsyncClientV2", "cohere.ClientV2", "elevenlabs.AsyncElevenLabs",
        "elevenlabs.ElevenLabs", "cohere.errors")] == [True, False, True, False, False]
    # ElevenLabs' webhook metadata models are named Async* but are plain data
    assert libraries.advice("elevenlabs.AsyncConversationMetadata") is None


def test_aiologic_is_aio_by_name_but_runs_on_trio_too() -> None:
    """aiologic's primitives work on asyncio, Trio and AnyIO (its classifiers): the aio*
    naming convention is no evidence here, as for aiometer and aiosignal."""
    found = rows("""\
        import asyncio
        import aiologic

        lock = aiologic.Lock()

        async def main():
            async with lock:
                await asyncio.sleep(1)
        """)
    assert found == {1: {"loop"}, 8: {"sleep"}}


def test_runtimepys_arbiter_tasks_are_asyncio_only() -> None:
    """runtimepy's arbiter runs its apps' tasks as asyncio tasks: a task class of a program
    built on it, and its arbiter's calls, are the library's lines."""
    found = rows("""\
        from runtimepy.net.arbiter import AppInfo
        from runtimepy.net.arbiter.task import ArbiterTask

        class Dispatch(ArbiterTask):
            async def init(self, app: AppInfo) -> None:
                self.env.int_channel("samples", commandable=True)
                await super().init(app)
        """)
    assert {line: found.get(line) for line in (1, 2, 4, 5, 7)} == {
        line: {"asyncio-only-lib"} for line in (1, 2, 4, 5, 7)}


def test_web3s_async_side_is_asyncio_only_and_its_blocking_side_and_helpers_are_not() -> None:
    """web3.py's AsyncWeb3 and Async* providers run on aiohttp and asyncio; its blocking Web3 and
    its unit helpers do not, awaited beside the async side or not."""
    found = rows("""\
        import asyncio
        from web3 import AsyncHTTPProvider, AsyncWeb3, Web3

        async def balance(url, address):
            w3 = AsyncWeb3(AsyncHTTPProvider(url))
            wei = await w3.eth.get_balance(address)
            return Web3.from_wei(wei, "ether")

        def blocking_balance(url, address):
            return Web3(Web3.HTTPProvider(url)).eth.get_balance(address)
        """)
    assert {line: found.get(line) for line in (2, 5, 6, 7, 10)} == {
        2: {"asyncio-only-lib"}, 5: {"asyncio-only-lib"}, 6: {"asyncio-only-lib"}, 7: None,
        10: None}
    assert [libraries.advice(m) is not None for m in (
        "web3.providers.persistent.websocket", "web3._utils.async_caching",
        "web3.providers.rpc.AsyncHTTPProvider", "web3.providers.rpc.HTTPProvider",
        "web3._utils.caching", "web3.exceptions")] == [True, True, True, False, False, False]


def test_the_stellar_sdks_async_server_is_asyncio_only_and_its_transactions_are_not() -> None:
    """ServerAsync takes aiohttp's client; Server, Keypair and the transaction builder are the
    blocking SDK's and plain data."""
    found = rows("""\
        import asyncio
        from stellar_sdk import Keypair, Server
        from stellar_sdk.server_async import ServerAsync

        async def watch(url, account):
            async with ServerAsync(url) as server:
                endpoint = server.transactions().for_account(account)
                return await endpoint.call(), Keypair.random().public_key

        def fee(url):
            return Server(url).fetch_base_fee()
        """)
    assert {line: found.get(line) for line in (2, 3, 6, 7, 8, 11)} == {
        2: None, 3: {"asyncio-only-lib"}, 6: {"asyncio-only-lib"}, 7: {"asyncio-only-lib"},
        8: {"asyncio-only-lib"}, 11: None}
    assert libraries.advice("stellar_sdk.client.aiohttp_client") is not None
    assert libraries.advice("stellar_sdk.exceptions") is None


def test_hypercorns_asyncio_worker_is_the_servers_row_and_its_trio_worker_is_no_finding() -> None:
    """``hypercorn.asyncio.serve`` and ``hypercorn.trio.serve`` serve the same ASGI app: the
    asyncio one takes the http-server row, whose advice is the Trio one."""
    found = rows("""\
        import asyncio
        from hypercorn.asyncio import serve
        from hypercorn.config import Config

        async def main(app):
            await serve(app, Config())

        asyncio.run(main(None))
        """)
    assert found == {1: {"loop"}, 2: {"http-server"}, 6: {"http-server"}, 8: {"run"}}
    assert libraries.advice("hypercorn.trio") is None


def test_discords_blocking_webhooks_are_no_asyncio_library() -> None:
    """discord.py's SyncWebhook (and 1.x's RequestsWebhookAdapter) post with requests: a cog's
    blocking status hook is plain Python, while its async Webhook stays discord's."""
    found = rows("""\
        import asyncio
        from discord.webhook.sync import SyncWebhook
        import discord

        def post_status(url, text):
            SyncWebhook.from_url(url).send(content=text)

        async def post(url, session, text):
            await discord.Webhook.from_url(url, session=session).send(content=text)
        """)
    assert found == {1: {"loop"}, 3: {"asyncio-only-lib"}, 9: {"asyncio-only-lib"}}
    assert [libraries.advice(m) for m in ("discord.SyncWebhook", "nextcord.webhook.sync",
                                          "discord.RequestsWebhookAdapter")] == [None] * 3
    assert libraries.advice("discord.Webhook") is not None


def test_uvicorns_asyncio_run_shim_is_asyncio_run_by_another_name() -> None:
    """``uvicorn._compat.asyncio_run(coro, loop_factory=...)`` is asyncio.run with a loop
    factory: its call takes the run row (and the loop factory the loop row); its import stays
    uvicorn's line."""
    found = rows_in("""\
        from uvicorn._compat import asyncio_run

        class Worker:
            def run(self):
                return asyncio_run(self._serve(), loop_factory=self.config.get_loop_factory())
        """, "uvicorn_worker/_workers.py")  # a module of another package than uvicorn
    assert found.get(1) == {"asyncio-only-lib"} and "run" in found.get(5, set())
    assert "asyncio-only-lib" not in found.get(5, set())


def test_plain_libraries_awaited_near_in_an_asyncio_program_are_no_finding() -> None:
    """msgspec and pydantic have no loop in them, and Authlib's async OAuth client is httpx's
    with anyio's Lock: a file that awaits what it built from them, beside asyncio's own calls,
    says nothing of the loop they need, so only asyncio's lines are findings."""
    found = rows_in("""\
        import asyncio
        from msgspec import Struct
        from pydantic import BaseModel
        from authlib.integrations.httpx_client import AsyncOAuth2Client

        class Message(Struct):
            text: str

        class Listener(BaseModel):
            name: str

        async def main(url):
            client = AsyncOAuth2Client("id", "secret")
            await client.fetch_token(url=url)
            await asyncio.sleep(1)

        asyncio.run(main("https://example.org"))
        """)
    assert found == {1: {"loop"}, 15: {"sleep"}, 17: {"run"}}
    assert all(libraries.not_asyncio(m) for m in ("msgspec", "pydantic.main", "authlib.jose"))
