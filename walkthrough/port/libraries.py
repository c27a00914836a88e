"""Libraries that only run on asyncio, and what a Trio program uses in their place.

An import of one of these is a line a port must change even when the code around it calls
no ``asyncio`` function: under ``trio.run`` the library's first real wait fails with Trio's
"unrecognized yield message" (or its first ``get_running_loop()`` with "no running event
loop"). :func:`advice` says, for a module as imported, which concept-map row explains the move
(an id of :data:`walkthrough.port.mapping.ROW_KEYS`) and, in one line, what to use: a
Trio-native library where one exists, otherwise the library kept behind trio-asyncio at the
boundary, or its blocking twin in a worker thread.

Lookup is by dotted prefix, longest first, so a submodule finds its package's entry and a
submodule with an entry of its own finds that. Some packages are asyncio-only in one
submodule only (``redis.asyncio``; the blocking ``redis`` client is fine in a thread), and
some have a blocking submodule inside an asyncio package (``websockets.sync``): those are
in :data:`NOT_ASYNCIO`.

Example::

    >>> from walkthrough.port import libraries
    >>> libraries.advice("redis.asyncio.client")[0]
    'asyncio-only-lib'
    >>> libraries.advice("redis") is None
    True
    >>> libraries.advice("aiohttp.web")[0]
    'http-server'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Library:
    """One asyncio-only module (as imported) and the way out of it."""

    #: the dotted module path as ``import`` names it; a trailing ``*`` matches any last part
    #: that starts with the text before it (``aiohttp.web_*``: ``aiohttp.web_request``, ...)
    module: str
    #: the concept-map row that explains the Trio side (a key of ``mapping.ROW_KEYS``)
    row: str
    #: one line: what a Trio program uses instead
    advice: str


_BRIDGE = "trio-asyncio at the boundary (`async with trio_asyncio.open_loop()`, `aio_as_trio`)"
_WEB3 = ("web3's blocking `Web3` with its `HTTPProvider` in `trio.to_thread.run_sync` (web3's "
         f"async side runs on aiohttp and asyncio), or {_BRIDGE}")

#: The known asyncio-only libraries. Row ids follow ``tests/port_corpus/README.md``: a library
#: with its own row (aiohttp's client and server, WebSockets, aiofiles, async-timeout,
#: nest_asyncio, pytest-asyncio) points there; every other one is ``asyncio-only-lib``.
LIBRARIES: tuple[Library, ...] = (
    # HTTP, servers, WebSockets
    Library("aiohttp", "aiohttp-client",
            "aiohttp's client: httpx's `AsyncClient` runs on Trio (set its defaults, see the row)"),
    Library("aiohttp.web", "http-server",
            "aiohttp's server: an ASGI app under Hypercorn's Trio worker "
            "(`hypercorn.trio.serve`), or the aiohttp app behind trio-asyncio for a while"),
    Library("aiohttp.web_*", "http-server",
            "aiohttp's server: an ASGI app under Hypercorn's Trio worker "
            "(`hypercorn.trio.serve`), or the aiohttp app behind trio-asyncio for a while"),
    Library("aiohttp.web_ws", "websocket",
            "aiohttp's WebSocket server: trio-websocket's `serve_websocket`"),
    Library("aiohttp.client_ws", "websocket",
            "aiohttp's WebSocket client: trio-websocket's `open_websocket_url`"),
    Library("websockets", "websocket",
            "websockets' asyncio client and server: trio-websocket "
            "(`open_websocket_url`, `serve_websocket`)"),
    # aiohttp.web's plugins, by their own descriptions: "jinja2 template renderer for
    # aiohttp.web", "sessions for aiohttp.web", "CORS support for aiohttp asyncio-powered
    # asynchronous HTTP server": the server's port carries them
    Library("aiohttp_jinja2", "http-server",
            "aiohttp.web's template renderer: the ASGI framework's own templates (Jinja2 "
            "under Starlette or Quart), or the aiohttp app behind trio-asyncio for a while"),
    Library("aiohttp_session", "http-server",
            "aiohttp.web's sessions: the ASGI framework's session middleware, or the aiohttp "
            "app behind trio-asyncio for a while"),
    Library("aiohttp_cors", "http-server",
            "aiohttp.web's CORS: the ASGI framework's CORS middleware, or the aiohttp app "
            "behind trio-asyncio for a while"),
    Library("aiohttp_swagger", "http-server",
            "aiohttp.web's Swagger UI: the ASGI framework's OpenAPI pages, or the aiohttp app "
            "behind trio-asyncio for a while"),
    # (its row is the one for a library, as every corpus key has it: the http-server row is
    # aiohttp.web's; the ASGI app uvicorn serves stays as it is in a port)
    Library("uvicorn", "asyncio-only-lib",
            "uvicorn serves on asyncio only: Hypercorn's Trio worker (`hypercorn.trio.serve`) "
            "serves the same ASGI app"),
    # files, timeouts, notebooks, tests
    Library("aiofiles", "aiofiles", "`await trio.open_file(...)` and `trio.Path`"),
    # aiofile (caio's front end): `async_open` and AIOFile are aiofiles' counterparts, and
    # so is the port (the corpus keys give them aiofiles' row)
    Library("aiofile", "aiofiles",
            "`await trio.open_file(...)` and `trio.Path` (aiofile runs on asyncio's loop)"),
    # caio, aiofile's engine: "Python bindings for Linux AIO API and simple asyncio wrapper"
    # (its description); its awaitable side is AsyncioContext (caio/__init__.py), its plain
    # Context and Operation take callbacks (their modules are in NOT_ASYNCIO)
    Library("caio", "asyncio-only-lib",
            "`await trio.open_file(...)` and `trio.Path` (caio's awaitable context is asyncio's; "
            "its callback `Context` in a worker thread, if you need Linux AIO itself)"),
    Library("async_timeout", "timeout",
            "`with trio.fail_after(t)` (a plain `with`; it raises `trio.TooSlowError`)"),
    Library("nest_asyncio", "nest-asyncio",
            "no nesting in Trio: IPython's `%autoawait trio` in a notebook"),
    Library("pytest_asyncio", "pytest-asyncio",
            "pytest-trio's `@pytest.mark.trio`, or AnyIO's plugin for both"),
    Library("uvloop", "loop",
            "nothing: Trio has its own event loop and no loop policy to replace; drop the import"),
    # winloop, "Windows version of uvloop", with uvloop's API (`import winloop as uvloop` on
    # Windows, `winloop.run(main())`, `winloop.install()`)
    Library("winloop", "loop",
            "nothing: Trio has its own event loop and no loop policy to replace; drop the import"),
    # databases and caches
    Library("redis.asyncio", "asyncio-only-lib",
            f"{_BRIDGE}, or the blocking `redis` client in `trio.to_thread.run_sync`; the "
            "Trio-native clients (redtrio, redio) have had no release since 2022"),
    Library("valkey.asyncio", "asyncio-only-lib",
            f"{_BRIDGE}, or the blocking `valkey` client in `trio.to_thread.run_sync`"),
    Library("aioredis", "asyncio-only-lib",
            f"aioredis lives on as `redis.asyncio`: {_BRIDGE}, or the blocking `redis` client "
            "in `trio.to_thread.run_sync`"),
    Library("aiosqlite", "asyncio-only-lib",
            "`sqlite3` itself in `trio.to_thread.run_sync` (aiosqlite is a thread around it), "
            f"or {_BRIDGE}"),
    Library("asyncpg", "asyncio-only-lib", f"{_BRIDGE}"),
    Library("aiopg", "asyncio-only-lib", f"{_BRIDGE}, or psycopg's blocking API in threads"),
    Library("aiomysql", "asyncio-only-lib", f"{_BRIDGE}, or PyMySQL in `trio.to_thread.run_sync`"),
    Library("motor", "asyncio-only-lib",
            f"{_BRIDGE}, or pymongo's blocking `MongoClient` in `trio.to_thread.run_sync`"),
    Library("aiocache", "asyncio-only-lib",
            "an in-process dict (a `trio.Lock` where a fill must not run twice), "
            f"or {_BRIDGE} for its Redis and Memcached backends"),
    # queues, messaging, cloud
    Library("aiokafka", "asyncio-only-lib", f"{_BRIDGE}: no Trio-native Kafka client"),
    Library("aio_pika", "asyncio-only-lib", f"{_BRIDGE}"),
    Library("aiomqtt", "asyncio-only-lib", f"{_BRIDGE}"),
    Library("aiobotocore", "asyncio-only-lib",
            f"{_BRIDGE}, or boto3 in `trio.to_thread.run_sync`"),
    Library("aioboto3", "asyncio-only-lib",
            f"{_BRIDGE}, or boto3 in `trio.to_thread.run_sync`"),
    # network protocols
    Library("asyncssh", "asyncio-only-lib", f"{_BRIDGE}: there is no Trio-native SSH library"),
    Library("aiosmtplib", "asyncio-only-lib",
            f"`smtplib` in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    Library("aiodns", "asyncio-only-lib",
            "`await trio.socket.getaddrinfo(...)` for addresses; dnspython's "
            "`dns.asyncresolver` (runs on Trio) for other records"),
    # glue between asyncio and the rest
    Library("janus", "asyncio-only-lib",
            "a memory channel: the thread side calls `trio.from_thread.run(send.send, x)` "
            "(with `trio_token=` in a thread Trio did not start), the Trio side `async for` "
            "over the receive end"),
    Library("aiostream", "asyncio-only-lib",
            "hand-written async generators (`@trio.as_safe_channel` for one that needs a "
            f"nursery), or {_BRIDGE}"),
    # more widely used asyncio-only libraries, by what they do
    # (its row is the one for a library with a Trio-native twin, as the corpus keys have it:
    # the port keeps Quart's API, so it is no move to another server)
    Library("quart", "asyncio-only-lib",
            "Quart on Trio: the quart-trio extension (`QuartTrio` in place of `Quart`), served by "
            "Hypercorn's Trio worker"),
    Library("sanic", "http-server",
            "Sanic runs on asyncio only: an ASGI app under Hypercorn's Trio worker "
            "(`hypercorn.trio.serve`), or the Sanic app behind trio-asyncio for a while"),
    # "A Python 3 asyncio Matrix framework" (mautrix's own description on the index)
    Library("mautrix", "asyncio-only-lib", f"{_BRIDGE}: mautrix runs on asyncio only"),
    # Twisted's reactor on an asyncio loop: the program's loop is asyncio's by this module
    Library("twisted.internet.asyncioreactor", "asyncio-only-lib",
            f"Twisted's reactor on the asyncio loop: {_BRIDGE}, or Twisted's own reactor "
            "with Trio kept apart"),
    Library("tornado", "asyncio-only-lib",
            f"Tornado runs on the asyncio loop (since 5.0): {_BRIDGE}, or httpx for its "
            "HTTP client"),
    Library("tornado.web", "http-server",
            "Tornado's server runs on the asyncio loop: an ASGI app under Hypercorn's Trio worker "
            f"(`hypercorn.trio.serve`), or {_BRIDGE}"),
    Library("grpc.aio", "asyncio-only-lib",
            f"grpc's blocking API in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    # "Pure-Python gRPC implementation for asyncio" (grpclib's description): no blocking side
    Library("grpclib", "asyncio-only-lib",
            f"{_BRIDGE}: grpclib runs on asyncio only (purerpc is a gRPC library on AnyIO)"),
    Library("zmq.asyncio", "asyncio-only-lib",
            f"pyzmq's blocking sockets in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    Library("sqlalchemy.ext.asyncio", "asyncio-only-lib",
            f"SQLAlchemy's blocking `Session` in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    Library("playwright.async_api", "asyncio-only-lib",
            "`playwright.sync_api` in `trio.to_thread.run_sync` (one thread per browser), "
            f"or {_BRIDGE}"),
    Library("discord", "asyncio-only-lib", f"{_BRIDGE}: discord.py runs on asyncio only"),
    # Pipecat, "an open source Python framework for building voice and multimodal
    # conversational agents", schedules its frame processors as asyncio tasks; its plugins,
    # pipecat_<vendor> packages, subclass them (pipecat_boson, pipecat_plugins_faseeh)
    Library("pipecat", "asyncio-only-lib", f"{_BRIDGE}: Pipecat runs its pipeline on asyncio"),
    Library("pipecat_*", "asyncio-only-lib",
            f"a Pipecat plugin, on asyncio as Pipecat is (check its docs): {_BRIDGE}"),
    # crawl4ai's crawlers drive Playwright's asyncio API (playwright.async_api)
    Library("crawl4ai", "asyncio-only-lib",
            f"`playwright.sync_api` in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    # Microsoft's Bot Framework SDK: its adapters and connectors are aiohttp's
    Library("botbuilder", "asyncio-only-lib",
            f"{_BRIDGE}: the Bot Framework SDK runs on aiohttp, on asyncio"),
    # slack_sdk's async clients are aiohttp's (web, webhook) or asyncio queues and tasks
    # (socket mode); its blocking clients beside them are urllib's, fine in a thread
    Library("slack_sdk.web.async_*", "asyncio-only-lib",
            f"slack_sdk's blocking `WebClient` in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    Library("slack_sdk.socket_mode.async_*", "asyncio-only-lib",
            f"slack_sdk's blocking socket-mode client in a thread, or {_BRIDGE}"),
    Library("slack_sdk.socket_mode.aiohttp", "asyncio-only-lib",
            f"slack_sdk's blocking socket-mode client in a thread, or {_BRIDGE}"),
    Library("slack_sdk.socket_mode.websockets", "asyncio-only-lib",
            f"slack_sdk's blocking socket-mode client in a thread, or {_BRIDGE}"),
    Library("slack_sdk.webhook.async_client", "asyncio-only-lib",
            f"slack_sdk's blocking `WebhookClient` in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    # Bolt's async side, "for creating asyncio based apps" (slack_bolt/async_app.py's
    # docstring): AsyncApp on slack_sdk's aiohttp clients, beside the blocking App
    Library("slack_bolt.async_app", "asyncio-only-lib",
            f"Bolt's blocking `App` (its listeners in threads), or {_BRIDGE}"),
    Library("slack_bolt.app.async_*", "asyncio-only-lib",
            f"Bolt's blocking `App` (its listeners in threads), or {_BRIDGE}"),
    Library("slack_bolt.adapter.socket_mode.async_handler", "asyncio-only-lib",
            f"Bolt's blocking `SocketModeHandler` in a thread, or {_BRIDGE}"),
    Library("telethon", "asyncio-only-lib", f"{_BRIDGE}: Telethon runs on asyncio only"),
    Library("nats", "asyncio-only-lib", f"{_BRIDGE}: nats-py runs on asyncio only"),
    Library("bleak", "asyncio-only-lib", f"{_BRIDGE}: Bleak runs on asyncio only"),
    Library("kubernetes_asyncio", "asyncio-only-lib",
            f"the blocking `kubernetes` client in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    Library("serial_asyncio", "asyncio-only-lib",
            f"pyserial's blocking `Serial` in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    Library("serial_asyncio_fast", "asyncio-only-lib",
            f"pyserial's blocking `Serial` in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    Library("bleak_retry_connector", "asyncio-only-lib",
            f"{_BRIDGE}: bleak-retry-connector runs on Bleak, on asyncio"),
    # home-automation clients that describe themselves as asyncio libraries
    Library("pyatv", "asyncio-only-lib", f"{_BRIDGE}: pyatv runs on asyncio only"),
    Library("kasa", "asyncio-only-lib", f"{_BRIDGE}: python-kasa runs on asyncio only"),
    # pymodbus 3's async clients (its blocking ModbusTcpClient and the rest are fine in a
    # thread)
    Library("pymodbus.client.AsyncModbus*", "asyncio-only-lib",
            f"pymodbus's blocking client in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    # Daphne serves ASGI on Twisted's asyncio reactor
    Library("daphne", "asyncio-only-lib",
            "Hypercorn's Trio worker (`hypercorn.trio.serve`) serves the same ASGI app"),
    # Hypercorn's asyncio worker: its Trio worker beside it serves the same app, which is the
    # http-server row's advice itself (the working keys give `hypercorn.asyncio.serve` that
    # row); Hypercorn's other modules are Trio-safe (names.TRIO_SAFE)
    Library("hypercorn.asyncio", "http-server",
            "Hypercorn's Trio worker: `await hypercorn.trio.serve(app, config)` serves the same "
            "ASGI app"),
    # messaging, chat and bots
    # nonebot-plugin-htmlrender, NoneBot's page renderer: its browser is Playwright's async
    # API (its browser.py: `from playwright.async_api import async_playwright`), asyncio's
    Library("nonebot_plugin_htmlrender", "asyncio-only-lib",
            "Playwright's `sync_api` in `trio.to_thread.run_sync` (nonebot-plugin-htmlrender "
            f"renders with Playwright's asyncio API), or {_BRIDGE}"),
    Library("slixmpp", "asyncio-only-lib", f"{_BRIDGE}: slixmpp runs on asyncio only"),
    Library("pyrogram", "asyncio-only-lib", f"{_BRIDGE}: Pyrogram runs on asyncio only"),
    # LiveKit's realtime SDK: a Room takes `loop or asyncio.get_event_loop()` and its events
    # are asyncio futures and tasks (livekit-rtc's room.py); the agents framework and its
    # plugins run on asyncio's loop (livekit-agents' utils/aio: call_later, shield). Its
    # protocol messages (livekit.protocol) are plain protobuf data
    Library("livekit.rtc", "asyncio-only-lib", f"{_BRIDGE}: LiveKit's Room runs on asyncio"),
    Library("livekit.agents", "asyncio-only-lib",
            f"{_BRIDGE}: LiveKit Agents runs on asyncio only"),
    Library("livekit.plugins", "asyncio-only-lib",
            f"{_BRIDGE}: LiveKit Agents' plugins run on asyncio, as the framework does"),
    # Hydrogram, Pyrogram's fork: its Client.run is asyncio.run's twin
    # (hydrogram/methods/utilities/run.py: asyncio.get_event_loop().run_until_complete)
    Library("hydrogram", "asyncio-only-lib", f"{_BRIDGE}: Hydrogram runs on asyncio only"),
    # vkbottle, "asynchronous VK API framework": aiohttp's client and an asyncio LoopWrapper
    Library("vkbottle", "asyncio-only-lib", f"{_BRIDGE}: vkbottle runs on asyncio only"),
    Library("hikari", "asyncio-only-lib", f"{_BRIDGE}: hikari runs on asyncio only"),
    Library("disnake", "asyncio-only-lib", f"{_BRIDGE}: disnake runs on asyncio only"),
    Library("nextcord", "asyncio-only-lib", f"{_BRIDGE}: nextcord runs on asyncio only"),
    Library("twitchio", "asyncio-only-lib", f"{_BRIDGE}: TwitchIO runs on asyncio only"),
    Library("gmqtt", "asyncio-only-lib", f"{_BRIDGE}"),
    Library("amqtt", "asyncio-only-lib", f"{_BRIDGE}"),
    Library("hbmqtt", "asyncio-only-lib", f"{_BRIDGE}"),
    Library("faust", "asyncio-only-lib", f"{_BRIDGE}: Faust runs on asyncio only"),
    Library("arq", "asyncio-only-lib", f"{_BRIDGE}: arq's jobs run on asyncio only"),
    Library("socketio.AsyncClient", "asyncio-only-lib",
            "python-socketio's blocking `Client` in `trio.to_thread.run_sync`, or "
            f"{_BRIDGE}"),
    Library("socketio.AsyncServer", "asyncio-only-lib", f"{_BRIDGE}"),
    # python-socketio's transport, with the same split: its Async* classes are asyncio's
    Library("engineio.AsyncClient", "asyncio-only-lib",
            f"python-engineio's blocking `Client` in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    Library("engineio.AsyncServer", "asyncio-only-lib", f"{_BRIDGE}"),
    # their ASGI apps serve an AsyncServer and nothing else (python-engineio 4.15.1's
    # async_drivers/asgi.py: "engineio_server ... Must be an instance of the
    # engineio.AsyncServer class"; python-socketio 5.18.1's socketio/asgi.py subclasses it),
    # and AsyncServer spawns asyncio tasks and queues (engineio/async_server.py)
    Library("socketio.ASGIApp", "asyncio-only-lib", f"{_BRIDGE}: it serves an AsyncServer"),
    Library("engineio.ASGIApp", "asyncio-only-lib", f"{_BRIDGE}: it serves an AsyncServer"),
    # python-telegram-bot since v20 ("asyncio-based", its changelog): Application runs its
    # updates through asyncio queues and tasks
    Library("telegram", "asyncio-only-lib",
            f"{_BRIDGE}: python-telegram-bot (since v20) runs on asyncio only"),
    # discord.py's neighbours on the same API shape: interactions.py, and hikari's command
    # frameworks (hikari itself is listed below)
    Library("interactions", "asyncio-only-lib",
            f"{_BRIDGE}: interactions.py runs on asyncio and aiohttp"),
    Library("lightbulb", "asyncio-only-lib", f"{_BRIDGE}: lightbulb runs on hikari, on asyncio"),
    Library("tanjun", "asyncio-only-lib", f"{_BRIDGE}: Tanjun runs on hikari, on asyncio"),
    # task queues and workflows that run their workers on asyncio's loop
    Library("saq", "asyncio-only-lib", f"{_BRIDGE}: saq's queues and workers run on asyncio"),
    Library("temporalio", "asyncio-only-lib",
            f"{_BRIDGE}: Temporal's SDK runs workflows on its own asyncio loop"),
    # Django Channels: consumers and channel layers are asyncio queues and tasks
    Library("channels", "asyncio-only-lib",
            f"{_BRIDGE}: Django Channels runs its consumers on asyncio"),
    Library("channels_redis", "asyncio-only-lib",
            f"{_BRIDGE}: channels_redis runs on redis.asyncio"),
    # a retry decorator on a coroutine: backoff's async retry awaits asyncio.sleep (backoff's
    # _async.py); tenacity sleeps with trio.sleep under Trio
    # tweepy's async client is aiohttp's, beside its blocking requests-based Client
    Library("tweepy.asynchronous", "asyncio-only-lib",
            f"tweepy's blocking `Client` in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    # skelsec's network stack (asysocks' SOCKS and unicomm servers, asyauth's NTLM/Kerberos
    # relays, under msldap and aiosmb) is built on asyncio's streams
    Library("asysocks", "asyncio-only-lib", f"{_BRIDGE}: asysocks runs on asyncio's streams"),
    Library("asyauth", "asyncio-only-lib", f"{_BRIDGE}: asyauth runs on asyncio"),
    # httpstan, Stan's HTTP interface, is an aiohttp.web application
    Library("httpstan", "asyncio-only-lib",
            f"{_BRIDGE}: httpstan's app is aiohttp.web's, on asyncio"),
    Library("backoff", "asyncio-only-lib",
            "tenacity's `@retry` (it sleeps with `trio.sleep` under Trio); backoff's retry of a "
            "coroutine awaits `asyncio.sleep`"),
    # asgiref.server's StatelessServer runs asyncio's loop itself (its run() calls
    # get_event_loop().run_until_complete, its instances are asyncio.Queue and ensure_future
    # tasks: checked in asgiref's source); asgiref.sync is another matter
    Library("asgiref.server", "asyncio-only-lib",
            f"{_BRIDGE}: asgiref's StatelessServer runs its own asyncio loop; a Trio port "
            "writes the handler loop in a nursery"),
    # matrix-nio: a sans-I/O base with "a full fledged batteries included asyncio layer using
    # aiohttp" (its description). It has no blocking client, so its responses and configs are
    # the asyncio client's: a port that leaves AsyncClient leaves them too (the corpus keys
    # label every nio name, SyncResponse and RoomSendResponse included)
    Library("nio", "asyncio-only-lib",
            f"{_BRIDGE}: matrix-nio's AsyncClient runs on asyncio and aiohttp (its sans-I/O "
            "`nio.HttpClient` under a Trio HTTP library is the other way)"),
    Library("socketio.AsyncSimpleClient", "asyncio-only-lib",
            "python-socketio's blocking `SimpleClient` in `trio.to_thread.run_sync`, or "
            f"{_BRIDGE}"),
    # databases and ORMs on asyncio drivers
    Library("tortoise", "asyncio-only-lib", f"{_BRIDGE}: Tortoise ORM runs on asyncio only"),
    Library("beanie", "asyncio-only-lib", f"{_BRIDGE}: Beanie runs on Motor, on asyncio"),
    Library("odmantic", "asyncio-only-lib", f"{_BRIDGE}: ODMantic runs on Motor, on asyncio"),
    Library("gino", "asyncio-only-lib", f"{_BRIDGE}: GINO runs on asyncpg, on asyncio"),
    Library("piccolo", "asyncio-only-lib",
            f"{_BRIDGE}: Piccolo's engines are asyncpg and aiosqlite, on asyncio"),
    # "Cache with async power": its locks and early-refresh tasks are asyncio's
    Library("cashews", "asyncio-only-lib", f"{_BRIDGE}: cashews runs on asyncio"),
    # encode's databases: "async database support" through asyncpg, aiomysql, aiosqlite;
    # ormar's models query through it
    Library("databases", "asyncio-only-lib",
            f"{_BRIDGE}: databases runs on asyncio drivers (asyncpg, aiomysql, aiosqlite)"),
    Library("ormar", "asyncio-only-lib",
            f"{_BRIDGE}: ormar queries through `databases`, on asyncio"),
    # fastapi-limiter keeps its counters in redis.asyncio: FastAPI runs under Trio, it does not
    Library("fastapi_limiter", "asyncio-only-lib",
            f"a limiter on a Trio-safe store, or {_BRIDGE} (fastapi-limiter awaits redis.asyncio)"),
    Library("asyncmy", "asyncio-only-lib", f"{_BRIDGE}, or PyMySQL in `trio.to_thread.run_sync`"),
    # psycopg 3's async side "is built on asyncio" (its maintainer, psycopg issue #29, still
    # open; the AnyIO port, PR #146, was closed): AsyncConnection, AsyncCursor and the pool's
    # AsyncConnectionPool, beside the blocking Connection a port can keep in a thread
    Library("psycopg.Async*", "asyncio-only-lib",
            f"psycopg's blocking `Connection` in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    Library("psycopg_pool.Async*", "asyncio-only-lib",
            f"psycopg_pool's blocking `ConnectionPool` in threads, or {_BRIDGE}"),
    # the Neo4j driver's async side: its locks are asyncio's (neo4j/_async_compat/
    # concurrency.py: `AsyncLock = asyncio.Lock`, owners by `asyncio.current_task()`), and
    # its manual: "the driver is compatible with Python's asyncio"
    Library("neo4j.Async*", "asyncio-only-lib",
            f"the blocking `GraphDatabase` driver in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    Library("pymongo.asynchronous", "asyncio-only-lib",
            f"pymongo's blocking `MongoClient` in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    # web3.py's asyncio side, beside its blocking Web3 (web3 7): AsyncWeb3 and the Async*
    # providers run on aiohttp sessions and asyncio locks (web3/_utils/http_session_manager.py,
    # web3/providers/async_base.py), the persistent ones (WebSocketProvider, AsyncIPCProvider)
    # on websockets' asyncio client and asyncio streams; its async_* modules are that side.
    # Web3, HTTPProvider, the ABI and unit helpers are plain (web3 is in NOT_ASYNCIO)
    *(Library(module, "asyncio-only-lib", _WEB3) for module in (
        "web3.Async*", "web3.WebSocketProvider", "web3.PersistentConnection*",
        "web3.providers.Async*", "web3.providers.WebSocketProvider",
        "web3.providers.PersistentConnection*", "web3.providers.persistent",
        "web3.providers.async_*", "web3.providers.rpc.Async*", "web3.providers.rpc.async_*",
        "web3.eth.Async*", "web3.eth.async_*", "web3.contract.Async*", "web3.contract.async_*",
        "web3._utils.async_*", "web3.utils.async_*")),
    # the Stellar SDK's asynchronous servers, beside its blocking Server on requests: their
    # client is aiohttp's (its docs: "an asynchronous HTTP Client, for example AiohttpClient")
    *(Library(module, "asyncio-only-lib",
              "the Stellar SDK's blocking `Server` (requests) in `trio.to_thread.run_sync`, or "
              f"{_BRIDGE}")
      for module in ("stellar_sdk.ServerAsync", "stellar_sdk.server_async",
                     "stellar_sdk.SorobanServerAsync", "stellar_sdk.soroban_server_async",
                     "stellar_sdk.AiohttpClient", "stellar_sdk.client.aiohttp_client")),
    # SDKs generated by Fern, each with a blocking client and an Async* one: the async client's
    # retries await `asyncio.sleep` (their core/http_client.py), and Deepgram's and
    # ElevenLabs' realtime sockets are websockets' asyncio client; the blocking client, its
    # types and its errors are plain (their top-level packages are in NOT_ASYNCIO)
    Library("deepgram.Async*", "asyncio-only-lib",
            "Deepgram's blocking `DeepgramClient` in `trio.to_thread.run_sync` (the async "
            f"client's retries and live sockets are asyncio's), or {_BRIDGE}"),
    Library("cohere.Async*", "asyncio-only-lib",
            "Cohere's blocking `Client`/`ClientV2` in `trio.to_thread.run_sync` (the async "
            f"client's retries await `asyncio.sleep`), or {_BRIDGE}"),
    Library("elevenlabs.Async*", "asyncio-only-lib",
            "ElevenLabs' blocking `ElevenLabs` client in `trio.to_thread.run_sync` (the async "
            f"client's retries and sockets are asyncio's), or {_BRIDGE}"),
    Library("pymongo.AsyncMongoClient", "asyncio-only-lib",
            f"pymongo's blocking `MongoClient` in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    # devices, industrial protocols, automation, browsers, apps
    Library("asyncua", "asyncio-only-lib", f"{_BRIDGE}: opcua-asyncio runs on asyncio only"),
    Library("zeroconf.asyncio", "asyncio-only-lib",
            f"zeroconf's blocking `Zeroconf` in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    Library("pyppeteer", "asyncio-only-lib",
            f"`playwright.sync_api` in `trio.to_thread.run_sync`, or {_BRIDGE}"),
    Library("kopf", "asyncio-only-lib", f"{_BRIDGE}: kopf runs its handlers on asyncio only"),
    Library("homeassistant", "asyncio-only-lib",
            f"{_BRIDGE}: Home Assistant runs on asyncio only"),
    Library("textual", "asyncio-only-lib", f"{_BRIDGE}: Textual runs on asyncio only"),
    Library("async_lru", "asyncio-only-lib",
            "a dict of results with a `trio.Lock` per key (async-lru keeps asyncio futures)"),
    Library("asynctest", "pytest-asyncio",
            "pytest-trio's `@pytest.mark.trio` and plain `unittest.mock.AsyncMock`"),
    Library("telnetlib3", "asyncio-only-lib",
            f"{_BRIDGE}: telnetlib3 is built on asyncio's streams (its protocol constants, "
            "IAC, WILL, ..., are plain bytes in any port)"),
    # asyncev's emit schedules the listeners on "a running asyncio event loop" (its example)
    Library("asyncev", "asyncio-only-lib",
            "a memory channel per listener, or `nursery.start_soon` for each handler; asyncev "
            "schedules them on the asyncio loop"),
    Library("eventkit", "asyncio-only-lib",
            "a `trio.Event` (one-shot) or a memory channel for a stream of values; "
            "eventkit schedules on the asyncio loop"),
    Library("ib_async", "asyncio-only-lib", f"{_BRIDGE}: ib_async runs on asyncio only"),
    Library("ib_insync", "asyncio-only-lib", f"{_BRIDGE}: ib_insync runs on asyncio only"),
    Library("prompt_toolkit.contrib.ssh", "asyncio-only-lib",
            f"{_BRIDGE}: prompt_toolkit's SSH server is built on asyncssh"),
    Library("pyee.asyncio", "asyncio-only-lib",
            "pyee's own `pyee.trio.TrioEventEmitter`, which runs its handlers in a nursery"),
    # runtimepy, "a framework for implementing Python services": its arbiter and tasks are
    # asyncio's (runtimepy/net/arbiter/base.py gathers its servers' asyncio tasks under an
    # asyncio.Event; runtimepy/task/asynchronous.py shields on the running loop)
    Library("runtimepy", "asyncio-only-lib",
            f"{_BRIDGE}: runtimepy's arbiter, tasks and connections run on asyncio only"),
    # "Mode is a very minimal Python library built-on top of AsyncIO" (mode-streaming's and
    # mode's description on the index): faust's services (listed above) are mode's
    Library("mode", "asyncio-only-lib", f"{_BRIDGE}: mode's services run on asyncio only"),
    # "An efficient and user-friendly async redis client ported from redis-py" (its index
    # page; its README: "aredis can be run both with asyncio and uvloop"): asyncio's streams
    Library("aredis", "asyncio-only-lib",
            f"{_BRIDGE}, or the blocking `redis` client in `trio.to_thread.run_sync` (aredis "
            "has had no release since 2020)"),
    # Round 13, each read in its sdist or wheel (no blocking side in any of them, so their
    # plain classes and helpers are the asyncio side's, as the corpus README has it):
    # jevkit-runtime 0.4.3's Client keeps asyncio tasks, a Semaphore per loop and gathers
    # (jevkit_runtime/client.py), its Budget waits on loop futures (budget.py), its cli's
    # run_sync is asyncio.run
    Library("jevkit_runtime", "asyncio-only-lib",
            f"{_BRIDGE}: jevkit-runtime's Client and Budget run on asyncio tasks and futures"),
    # bboxpy 1.4.0, Bouygues' Bbox client: an aiohttp ClientSession under asyncio.timeout
    # (bboxpy/auth.py), asyncio.sleep between retries (helpers.py)
    Library("bboxpy", "asyncio-only-lib", f"{_BRIDGE}: bboxpy runs on aiohttp, on asyncio"),
    # efir-bot 1.0.0 ("Python 3.10+, asyncio, aiohttp", efir_bot/client.py): its Bot holds an
    # aiohttp session and websocket, asyncio tasks and a loop future
    Library("efir_bot", "asyncio-only-lib", f"{_BRIDGE}: efir-bot runs on aiohttp, on asyncio"),
    # PyTAK 7.6.1: its workers pass data through asyncio.Queue and write to asyncio transports
    # and streams (pytak/classes.py), its CLITool runs them as asyncio tasks
    Library("pytak", "asyncio-only-lib", f"{_BRIDGE}: PyTAK's workers run on asyncio only"),
    # tmodbus 1.1.0 ("a modern, strongly typed Modbus client library"): all its transports and
    # servers are async_* modules on asyncio (server/async_tcp.py: asyncio.start_server;
    # async_rtu.py: create_task, the running loop's time)
    Library("tmodbus", "asyncio-only-lib", f"{_BRIDGE}: tmodbus runs on asyncio only"),
    # vocals 1.0.984, a voice SDK: its VocalsClient spawns asyncio tasks and hands work in with
    # run_coroutine_threadsafe (vocals/client.py), its socket is websockets' asyncio client
    Library("vocals", "asyncio-only-lib", f"{_BRIDGE}: the vocals SDK runs on asyncio only"),
    # sed-sh 0.7.2: its AsyncSedSH and services/async_* are aiohttp's (sed_sh/async_client.py:
    # ClientSession, ClientTimeout), beside the blocking SedSH on requests
    *(Library(module, "asyncio-only-lib",
              f"sed-sh's blocking `SedSH` in `trio.to_thread.run_sync`, or {_BRIDGE}")
      for module in ("sed_sh.AsyncSedSH", "sed_sh.async_client", "sed_sh.services.async_*")),
    # scrapli (to 2023.7.30, the API with AsyncScrapli): AsyncScrapli and the Async* drivers
    # take only its asyncio transports (scrapli/transport/__init__.py: ASYNCIO_TRANSPORTS =
    # asynctelnet on asyncio.open_connection, asyncssh), their channel an asyncio.Lock and
    # wait_for (channel/async_channel.py); the blocking Scrapli beside them is fine in a thread.
    # (scrapli 2026's API, over its compiled library (ffi.py), has no AsyncScrapli.)
    *(Library(module, "asyncio-only-lib",
              f"scrapli's blocking `Scrapli` in `trio.to_thread.run_sync`, or {_BRIDGE}")
      for module in ("scrapli.Async*", "scrapli.driver.Async*", "scrapli.driver.core.Async*")),
    # async-stagger 0.4.1, "Happy eyeballs and underlying scheduling algorithm in asyncio": its
    # create_connected_sock and resolvers use the running loop (happy_eyeballs.py)
    Library("async_stagger", "asyncio-only-lib",
            "`trio.open_tcp_stream(host, port, happy_eyeballs_delay=...)`: Trio does happy "
            "eyeballs itself"),
    # nonebot-plugin-apscheduler 0.5.0: its `scheduler` is APScheduler's AsyncIOScheduler
    # (its __init__.py), started on the driver's asyncio loop
    Library("nonebot_plugin_apscheduler", "asyncio-only-lib",
            "a task that sleeps until each run in the program's nursery (the plugin's scheduler "
            f"is APScheduler's AsyncIOScheduler), or {_BRIDGE}"),
    # ghrah-core 0.1.1 (import ghrah): its agents keep asyncio queues (src/ghrah/agents/
    # base.py:162) and its message router gathers replies with asyncio.gather
    # (communication/router.py:142)
    Library("ghrah", "asyncio-only-lib", f"{_BRIDGE}: ghrah's agents run on asyncio only"),
    # drools-jpy 0.4.1: drools.dispatch's async channel is asyncio.open_connection's streams
    # (the rest of drools is blocking calls into the JVM)
    Library("drools.dispatch", "asyncio-only-lib",
            f"`trio.open_tcp_stream` to the same port, or {_BRIDGE}"),
    # dingtalk-stream 0.24.2: DingTalkStreamClient's start runs websockets' asyncio client and
    # spawns asyncio tasks per message (dingtalk_stream/stream.py)
    Library("dingtalk_stream", "asyncio-only-lib",
            f"{_BRIDGE}: dingtalk-stream's client runs on websockets' asyncio client"),
    # brokapi 0.1.0a6, a broker API over a Rust core: its native module is pyo3-async-runtimes'
    # ("Every method is an awaitable of the running asyncio loop", _native.abi3.so), and its
    # client.py waits on streams with asyncio.wait_for, ensure_future and asyncio.wait
    Library("brokapi", "asyncio-only-lib",
            f"{_BRIDGE}: brokapi's native methods are awaitables of the asyncio loop"),
    # modbus-connection 4.12.7: its connections keep an asyncio connect task behind
    # asyncio.shield (modbus_connection/_client.py) and pace requests with an asyncio.Lock
    # (_pacing.py), over tmodbus's or pymodbus's asyncio clients
    Library("modbus_connection", "asyncio-only-lib",
            f"{_BRIDGE}: modbus-connection runs on asyncio tasks and locks"),
    # Any top-level package named asyncio_* (asyncio_mqtt, asyncio_redis, ...) says what it
    # runs on in its name.
    Library("asyncio_*", "asyncio-only-lib",
            "an `asyncio_*` package, asyncio-only by its name (check its docs): a Trio-native "
            f"library if one exists, else {_BRIDGE}"),
    # Any other top-level package named aio*: the aio-libs convention (aiojobs, aioftp,
    # aiodocker, aiozmq, ...) names asyncio packages so. A name is weaker evidence than an
    # entry, so the advice says what it rests on; the listed aio* packages above win.
    Library("aio*", "asyncio-only-lib",
            "an `aio*` package, asyncio-only by the aio-libs naming convention (check its docs): "
            f"a Trio-native library if one exists, else {_BRIDGE}"),
)

#: A library's functions that are asyncio's own under another name, and the row of that
#: asyncio API: a port changes them as it changes asyncio's (``aiorun.run(main())`` is
#: ``asyncio.run``, which ``trio.run(main)`` replaces).
API_ROWS: dict[str, str] = {
    "aiorun.run": "run",
    # uvicorn's shim of asyncio.run with a loop_factory (uvicorn/_compat.py), which
    # uvicorn-worker and others call to serve: trio.run, as for asyncio.run (imported from its
    # module, the name is found under the library's: uvicorn.asyncio_run)
    "uvicorn._compat.asyncio_run": "run",
    "uvicorn.asyncio_run": "run",
    "uvloop.run": "run",
    "uvloop.install": "loop",
    "uvloop.new_event_loop": "loop",
    "uvloop.EventLoopPolicy": "loop",
    "uvloop.Loop": "loop",
    "winloop.run": "run",
    "winloop.install": "loop",
    "winloop.new_event_loop": "loop",
    "winloop.EventLoopPolicy": "loop",
    "winloop.Loop": "loop",
    # tqdm's asyncio helpers are asyncio.gather and as_completed with a progress bar
    # (tqdm/asyncio.py: `gather` awaits `asyncio.as_completed`): the port's nursery and
    # channel, with the bar updated by hand
    "tqdm.asyncio.tqdm_asyncio.gather": "gather",
    "tqdm.asyncio.tqdm.gather": "gather",
    "tqdm.asyncio.tqdm_asyncio.as_completed": "as-completed",
    "tqdm.asyncio.tqdm.as_completed": "as-completed",
}

#: Modules whose only asyncio-bound API is what :data:`API_ROWS` lists for them: tqdm's
#: ``tqdm.asyncio.tqdm`` is a progress bar that also iterates asynchronously (its
#: ``__anext__`` awaits the iterable it wraps, with no asyncio: tqdm/asyncio.py), and only its
#: ``gather`` and ``as_completed`` call asyncio. A file that uses neither uses it as a plain
#: progress bar, which a port keeps (working fast-images-loader's and theloop's keys leave
#: the import and the bar unlabelled; batchdownload's, which gathers with it, label the
#: import).
ONLY_API_ROWS = frozenset({"tqdm.asyncio"})

#: Submodules of a listed package that do not need asyncio (blocking APIs are fine in a thread).
NOT_ASYNCIO: frozenset[str] = frozenset({
    "websockets.sync",
    # tornado's plain-Python helpers: no IOLoop, no Future (checked in tornado 6.6's source)
    "tornado.escape", "tornado.log", "tornado.template", "tornado.options", "tornado.locale",
    # aio* by name, not by code: aiosignal's Signal awaits its receivers, with no asyncio
    # in its source (1.4), so it runs under Trio as it is
    "aiosignal",
    # aiocsv's readers and writers await the file object they are given (its readers.py and
    # writers.py import no asyncio), so they run under Trio on `trio.open_file`'s file
    "aiocsv",
    # aiometer, "a Python concurrency scheduling library, compatible with asyncio and trio":
    # its amap, run_all and run_on_each are AnyIO task groups and memory streams (aiometer
    # 1.0's _impl/), so they run under Trio as they are
    "aiometer",
    # aiologic, aio* by name: its locks, events and queues are "async-aware and thread-aware"
    # on asyncio, Trio and AnyIO alike (its classifiers: Framework :: Trio; its extras: trio)
    "aiologic",
    # the blocking clients and shared types of the Fern SDKs whose Async* side is listed
    "deepgram", "cohere", "elevenlabs",
    # (two of ElevenLabs' data models are named Async*: webhook metadata, plain pydantic data)
    "elevenlabs.AsyncConversationMetadata", "elevenlabs.AsyncConversationMetadataDeliveryStatus",
    # web3.py's blocking side and shared helpers (its asyncio side is listed)
    "web3",
    # discord.py's blocking webhooks, on requests ("Represents a synchronous Discord webhook",
    # discord/webhook/sync.py; 1.x's RequestsWebhookAdapter), and the forks' same classes
    *(f"{fork}.{name}" for fork in ("discord", "nextcord", "disnake")
      for name in ("SyncWebhook", "SyncWebhookMessage", "webhook.sync")),
    "discord.RequestsWebhookAdapter", "discord.webhook.RequestsWebhookAdapter",
    # the Stellar SDK's blocking Server, its transactions, keys and XDR (its async servers are
    # listed)
    "stellar_sdk",
    # the Bot Framework's activity schema: msrest data classes (Attachment, Activity) that its
    # adapters pass around, plain data in any port (the corpus README: a package's loop-free
    # classes are not labelled)
    "botbuilder.schema",
    # caio's plain side: a Context whose operations take callbacks, on Linux AIO or threads
    # (imported from these modules; caio's top level re-exports it beside AsyncioContext and
    # is caio's entry)
    "caio.abstract", "caio.linux_aio", "caio.linux_uring", "caio.thread_aio", "caio.python_aio",
})

#: Third-party packages that run under Trio as they are: built on AnyIO or httpx, or asking
#: sniffio which loop runs them (checked in each one's source). Awaiting one of them in an
#: asyncio program is no evidence that it is an asyncio-only library, so the tool says
#: nothing of them (``names.TRIO_SAFE`` holds the older entries of the same kind).
AGNOSTIC: frozenset[str] = frozenset({
    # Pydantic's fork of httpx ("the next generation HTTP client"): its requirements are
    # anyio and httpcore2, and its ASGI transport makes a trio.Event under Trio (sniffio)
    "httpx2", "httpcore2",
    # openai-async 0.0.3: one module whose calls are httpx.AsyncClient's, and no asyncio
    "openai_async",
    # Groq's SDK, generated as OpenAI's and Anthropic's are: anyio.sleep between retries, and
    # its to_thread asks sniffio (groq/_utils/_sync.py), so it runs under Trio as they do
    "groq",
    # the official Ollama client: httpx's AsyncClient, and anyio for its file reads
    # (ollama/_client.py imports no asyncio)
    "ollama",
    # NoneBot 2 (the nonebot2 distribution, 2.5): anyio is its requirement, its driver core,
    # matchers, permissions and rules run on AnyIO (task groups, `anyio.run`), and its own
    # tests run on Trio, so a plugin awaiting its API says nothing of asyncio. (NoneBot 1,
    # the same import name, ran on Quart and had its last release in 2021.)
    "nonebot",
    # Round 13: libraries with no loop in them at all, which a file's awaits must not make
    # asyncio's. msgspec 0.23 (serialization: no async def, no asyncio in its Python
    # modules, the rest is C); pydantic 2.11 (its only coroutine code wraps a validated
    # function's own awaitable, _internal/_validate_call.py, with no asyncio or anyio);
    # Authlib 1.9, whose async OAuth clients are httpx's with anyio's Lock
    # (integrations/httpx_client/oauth2_client.py) and Starlette's, and which imports neither
    # asyncio nor aiohttp anywhere
    "msgspec", "pydantic", "authlib",
})

_EXACT: dict[str, Library] = {lib.module: lib for lib in LIBRARIES if not lib.module.endswith("*")}
_PATTERNS: tuple[Library, ...] = tuple(lib for lib in LIBRARIES if lib.module.endswith("*"))


def _match(module: str) -> Library | None:
    """The entry for exactly ``module``: a listed module, or one a ``*`` entry covers."""
    if module in _EXACT:
        return _EXACT[module]
    for lib in _PATTERNS:
        parent, _, stem = lib.module[:-1].rpartition(".")
        here_parent, _, here_last = module.rpartition(".")
        if here_parent == parent and here_last.startswith(stem):
            return lib
    return None


#: A submodule named for asyncio inside another package (``azure.storage.blob.aio``,
#: ``grpc.aio``, ``pymodbus.client.asyncio``, ``motor.motor_asyncio``): its package's asyncio
#: side, asyncio-only by the name, where the package has no entry of its own.
SUBMODULE = Library("*.aio", "asyncio-only-lib",
                    "a submodule named for asyncio (check its package's docs): its blocking "
                    f"sibling in `trio.to_thread.run_sync`, or {_BRIDGE}")


#: A submodule named for aiohttp inside another package (``gql.transport.aiohttp``,
#: ``dependency_injector.ext.aiohttp``, ``sentry_sdk.integrations.aiohttp``,
#: ``gql.transport.aiohttp_websockets``): that package's binding to aiohttp, which a port away
#: from aiohttp replaces with the package's other binding. (``websockets`` is no such sign:
#: ``starlette.websockets`` and ``uvicorn.protocols.websockets`` name the protocol.)
AIOHTTP_BINDING = Library("*.aiohttp", "asyncio-only-lib",
                          "a package's binding to aiohttp (check its docs): its binding to "
                          "httpx or to an ASGI framework where it has one, which run under "
                          f"Trio, else {_BRIDGE}")


#: The same binding kept among a package's extensions (``dependency_injector.ext.aiohttp``,
#: ``sentry_sdk.integrations.aiohttp``): an extension of aiohttp as a framework, that is of
#: aiohttp.web's server (its views, middlewares, app), since the client is no framework.
AIOHTTP_EXTENSION = Library("*.ext.aiohttp", "http-server",
                            "a package's extension for aiohttp.web (check its docs): its "
                            "extension for an ASGI framework (Starlette, Quart), served by "
                            f"Hypercorn's Trio worker, or the aiohttp app behind {_BRIDGE}")
#: Where a package keeps its extensions for other frameworks.
EXTENSION_FOLDERS = frozenset({"ext", "contrib", "integrations", "integration", "extensions",
                               "plugins"})


def binds_aiohttp(module: str) -> bool:
    """Whether ``module`` is, or is inside, a package's binding to aiohttp
    (``dependency_injector.ext.aiohttp``, ``gql.transport.aiohttp_websockets``), as the table
    finds it: not in a package that is asyncio's by its own entry or name (``aiofoo.ext``),
    where the binding is one more module of an asyncio-only package."""
    return find(module) in (AIOHTTP_BINDING, AIOHTTP_EXTENSION)


def _aiohttp_binding(parts: list[str]) -> tuple[str, Library] | None:
    """The first submodule of ``parts`` (below the top level) named for aiohttp, and its entry:
    :data:`AIOHTTP_EXTENSION` among the package's extensions, else :data:`AIOHTTP_BINDING`."""
    for end in range(2, len(parts) + 1):
        if parts[end - 1] == "aiohttp" or parts[end - 1].startswith("aiohttp_"):
            extension = parts[end - 2] in EXTENSION_FOLDERS
            return ".".join(parts[:end]), AIOHTTP_EXTENSION if extension else AIOHTTP_BINDING
    return None


#: A top-level package named ``*_asyncio`` or ``*_aio`` (``pulsectl_asyncio``): the asyncio
#: twin of a blocking package, asyncio-only by its name where it has no entry of its own.
SUFFIXED = Library("*_asyncio", "asyncio-only-lib",
                   "a package named for asyncio (check its docs): its blocking sibling in "
                   f"`trio.to_thread.run_sync`, or {_BRIDGE}")


#: A class named for asyncio: ``AsyncioContext``, ``AsyncIOScheduler``, ``AioReactor``,
#: ``AIOHTTPTransport`` (a package's asyncio flavour of a class beside others).
_ASYNCIO_CLASS = re.compile(r"(Asyncio|AsyncIO|Aio|AIO)[A-Z]")


def _asyncio_part(part: str, classes: bool = True) -> bool:
    """A module named for asyncio: ``aio``, ``asyncio``, ``x_asyncio``, ``x_aio`` (irc's
    ``client_aio`` beside its blocking ``client``), ``asyncio_x`` (caio's ``asyncio_base``);
    or a class named for it (:data:`_ASYNCIO_CLASS`)."""
    return part in ("aio", "asyncio") or (part.endswith(("_asyncio", "_aio"))
                                          and not part.startswith("_")) \
        or part.startswith("asyncio_") or (classes and _ASYNCIO_CLASS.match(part) is not None)


def by_name_only(lib: Library) -> bool:
    """Whether ``lib`` is a top-level package's name pattern (``aio*``, ``asyncio_*``): weaker
    evidence than an entry, which a submodule named for asyncio overrules (:func:`_nearest`)."""
    return lib.module.endswith("*") and "." not in lib.module


def _submodule(parts: list[str], classes: bool = True) -> tuple[str, Library] | None:
    """The first submodule of ``parts`` named for asyncio (``pkg.asyncio``, ``pkg.x.aio``),
    or, with ``classes``, a class named for it (``caio.AsyncioContext``). A class's name says
    nothing of the package's layout: :func:`split_packages` and :func:`_nearest` leave it out
    (``aiodynamo.http.aiohttp.AIOHTTP`` does not make aiodynamo's other modules asyncio-free)."""
    if parts[0] != "asyncio":
        for end in range(2, len(parts) + 1):
            if _asyncio_part(parts[end - 1], classes):
                return ".".join(parts[:end]), SUBMODULE
    return None


#: Packages with no entry that the file being read shows to wait on asyncio's loop (see
#: :func:`evidenced`): for that file, asyncio-only libraries like the listed ones.
_EVIDENCED: ContextVar[frozenset[str]] = ContextVar("evidenced", default=frozenset())


def _evidenced_entry(package: str) -> Library:
    return Library(package, "asyncio-only-lib",
                   "awaited in this asyncio program, so very likely asyncio-only (no entry "
                   f"for {package}: check its docs): a Trio-native library if one exists, "
                   f"else {_BRIDGE}")


@contextmanager
def evidenced(packages: frozenset[str]) -> Iterator[None]:
    """While one file is read: its top-level ``packages`` (with no entry, awaited there in an
    asyncio program) count as asyncio-only libraries, so every use of them is found (their
    imports, subclasses, exceptions, decorators), as for a listed one."""
    token = _EVIDENCED.set(packages)
    try:
        yield
    finally:
        _EVIDENCED.reset(token)


def evidenced_now() -> frozenset[str]:
    """The packages :func:`evidenced` promotes for the file being read."""
    return _EVIDENCED.get()


def _nearest(module: str) -> tuple[str, Library] | None:
    """The longest dotted prefix of ``module`` with an entry, and the entry.

    A package that keeps its asyncio side in a submodule named for asyncio
    (``aioquic.asyncio``, next to the sans-I/O ``aioquic.quic``) is split: its name says
    asyncio, but its own layout says only that submodule is. So where the only entry is a
    name pattern, a submodule named for asyncio on the path wins.
    """
    parts = module.strip(".").split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in NOT_ASYNCIO:
            return None
        lib = _match(prefix)
        if lib is not None:
            if by_name_only(lib):
                return _submodule(parts, classes=False) or (prefix, lib)
            return prefix, lib
    found = _submodule(parts)
    if found is None:
        found = _aiohttp_binding(parts)
    if found is None and parts[0].endswith(("_asyncio", "_aio")) \
            and not parts[0].startswith(("_", "trio", "anyio")):
        # pulsectl_asyncio beside pulsectl: a package named for asyncio at its end, as
        # asyncio_* at its start (trio_asyncio is Trio's bridge to asyncio, not asyncio's)
        return parts[0], SUFFIXED
    if found is None and parts[0] in _EVIDENCED.get():
        return parts[0], _evidenced_entry(parts[0])
    return found


def not_asyncio(module: str) -> bool:
    """Whether ``module`` is, or is inside, a package :data:`NOT_ASYNCIO` or :data:`AGNOSTIC`
    lists: one the tool knows, so it is no unknown package whose awaited calls would be
    evidence of asyncio."""
    parts = module.strip(".").split(".")
    return parts[0] in AGNOSTIC \
        or any(".".join(parts[:end]) in NOT_ASYNCIO for end in range(1, len(parts) + 1))


def find(module: str) -> Library | None:
    """The entry for ``module`` or its nearest listed package (``a.b.c``, then ``a.b``, ``a``).

    ``None`` when no prefix is listed, or when the nearest one is in :data:`NOT_ASYNCIO`.
    Call it with the whole path: walking the prefixes yourself would step over
    ``NOT_ASYNCIO`` (``websockets.sync.client`` would reach ``websockets``).
    """
    nearest = _nearest(module)
    return None if nearest is None else nearest[1]


def split_packages(modules: list[str]) -> set[str]:
    """The top-level packages among ``modules`` (one file's imports) that the file shows to be
    split: asyncio-only by a name pattern alone (``aio*``), yet imported through a submodule
    named for asyncio (``from aioquic.asyncio import serve``). Their other submodules
    (``aioquic.quic.configuration``) are the package's asyncio-free part, no finding.
    """
    split: set[str] = set()
    for module in modules:
        parts = module.strip(".").split(".")
        top = _match(parts[0])
        if top is not None and by_name_only(top) and _submodule(parts, classes=False) is not None:
            split.add(parts[0])
    return split


def name(module: str) -> str | None:
    """The name a construct gives the library: the prefix of ``module`` that has an entry.

    ``aiohttp.web_request`` → ``aiohttp.web_request`` (a ``web_*`` module), ``redis.asyncio.client``
    → ``redis.asyncio``, ``asyncssh.connection`` → ``asyncssh``: the ``lib:<name>`` that
    :func:`advice` maps to the same entry.
    """
    nearest = _nearest(module)
    return None if nearest is None else nearest[0]


def advice(module: str) -> tuple[str, str] | None:
    """``(row id, one-line advice)`` for the dotted module path ``module``, or ``None``.

    ``redis.asyncio.client`` gets the ``redis.asyncio`` entry; plain ``redis`` gets ``None``:
    its blocking client is no asyncio library.
    """
    lib = find(module)
    return None if lib is None else (lib.row, lib.advice)
