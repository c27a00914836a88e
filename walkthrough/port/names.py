"""Following names: which asyncio object a name, an attribute or a call stands for.

The scan never runs the code, so it follows names the cheap way: an ``import`` binds a name to
its module path, and a *reference* (a name, ``self.x``, or ``app[key]``) assigned, annotated,
unpacked or bound by ``async with … as``/``for`` from something known takes its *kind*:
``loop = asyncio.get_running_loop()`` makes ``loop.time()`` read as ``loop.time``, and
``self._loop = asyncio.get_event_loop()`` makes ``self._loop.time()`` read the same anywhere
in the file. Objects also come in by the door asyncio opens for them: the two parameters of a
function passed to ``asyncio.start_server`` are streams, a protocol's ``connection_made`` gets a
transport, and a function handed to an asyncio-only library gets that library's object.

What a library gives is followed only as far as it stays the library's: an item
(``client["db"]``), a pair unpacked, what its async iterator yields. A module that calls a
library's private methods is that library's own code (:func:`reached_into`), whose imports of
itself are no finding.

The tracking is per file, not per scope: a name that is a loop in one function is a loop
everywhere, and ``self.x`` is one reference for every class. That approximation is measured,
not assumed (``tests/test_port.py`` on the lessons' twins, ``tests/test_port_corpus.py`` on
real code).

Example::

    >>> import ast
    >>> tree = ast.parse("import asyncio\\nloop = asyncio.get_running_loop()\\nloop.time()\\n")
    >>> names = Names("x.py")
    >>> collect(tree, names)
    >>> qualname(tree.body[2].value.func, names)
    'loop.time'
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from walkthrough.port import libraries
from walkthrough.port.project import NOT_PACKAGES, own_in, own_on_disk, top_level_on_disk
from walkthrough.port.walking import own_nodes, walk

#: What a call returns, for the references assigned from it.
RETURNS = {
    "asyncio.get_running_loop": "loop", "asyncio.get_event_loop": "loop",
    "asyncio.new_event_loop": "loop", "asyncio.events.get_event_loop": "loop",
    "asyncio.events.new_event_loop": "loop", "asyncio.events.get_running_loop": "loop",
    "future.get_loop": "loop", "task.get_loop": "loop",
    "asyncio.create_task": "task", "asyncio.ensure_future": "task", "loop.create_task": "task",
    "taskgroup.create_task": "task", "asyncio.current_task": "task",
    "asyncio.all_tasks": "tasks",  # for task in asyncio.all_tasks(): task.cancel()
    "asyncio.Future": "future", "loop.create_future": "future",
    "asyncio.run_coroutine_threadsafe": "cfuture", "asyncio.Runner": "runner",
    "asyncio.Queue": "queue", "asyncio.LifoQueue": "queue", "asyncio.PriorityQueue": "queue",
    "asyncio.Semaphore": "semaphore", "asyncio.BoundedSemaphore": "semaphore",
    "asyncio.Event": "event", "asyncio.TaskGroup": "taskgroup", "asyncio.Condition": "condition",
    "asyncio.timeout": "timeoutcm", "asyncio.timeout_at": "timeoutcm",
    "async_timeout.timeout": "timeoutcm", "async_timeout.timeout_at": "timeoutcm",
    "asyncio.Barrier": "barrier", "asyncio.as_completed": "completeds",
    "loop.call_later": "handle", "loop.call_at": "handle", "loop.call_soon": "handle",
    "asyncio.create_subprocess_exec": "process", "asyncio.create_subprocess_shell": "process",
    "aiohttp.ClientSession": "session", "aiofiles.open": "aiofile",
    "aiofiles.threadpool.open": "aiofile", "aiofiles.threadpool.wrap": "aiofile",
    "asyncio.StreamReader": "stream", "asyncio.StreamWriter": "stream",
    "asyncio.start_server": "server", "asyncio.start_unix_server": "server",
    "loop.create_server": "lowserver", "loop.create_unix_server": "lowserver",
    "session.ws_connect": "websocket", "aiohttp.web.WebSocketResponse": "websocket",
    "websocket.receive": "wsmessage",  # msg = await ws.receive(): an aiohttp WSMessage
    "aiohttp.web.Application": "web", "aiohttp.web.Request": "web",
    # the server's responses: their methods (prepare, write, set_cookie) and the fields set
    # on them (response.text = ..., the corpus README's ruling) are the server's API
    "aiohttp.web.Response": "web", "aiohttp.web.StreamResponse": "web",
    "aiohttp.web.json_response": "web", "aiohttp.web.FileResponse": "web",
    # aiohttp's test servers run the server's app (start_server(), close()); its test
    # client is a session, with the same requests
    "aiohttp.test_utils.TestServer": "web", "aiohttp.test_utils.RawTestServer": "web",
    "aiohttp.test_utils.TestClient": "session",
    # the client's other objects whose methods are its API, which httpx spells otherwise
    # (a form's add_field is httpx's data=/files=, a jar's update_cookies its Cookies.set):
    # each method called is the client's row (its fields read, mpwriter.boundary, are data)
    "aiohttp.FormData": "form", "aiohttp.MultipartWriter": "form",
    "aiohttp.CookieJar": "form",
}
#: Calls that return a pair of objects, for ``a, b = await call()``.
PAIRS = {
    "asyncio.open_connection": ("stream", "stream"),
    "asyncio.open_unix_connection": ("stream", "stream"),
    "asyncio.wait": ("tasks", "tasks"),
    "loop.create_connection": ("transport", "protocol"),
    "loop.create_datagram_endpoint": ("transport", "protocol"),
    # the loop's other transport factories return the same pair (asyncio's docs)
    "loop.create_unix_connection": ("transport", "protocol"),
    "loop.connect_read_pipe": ("transport", "protocol"),
    "loop.connect_write_pipe": ("transport", "protocol"),
    "loop.subprocess_exec": ("transport", "protocol"),
    "loop.subprocess_shell": ("transport", "protocol"),
    "loop.connect_accepted_socket": ("transport", "protocol"),
}
#: An annotation that mentions one of these gives the annotated reference its kind.
ANNOTATIONS = {
    "asyncio.AbstractEventLoop": "loop", "asyncio.BaseEventLoop": "loop",
    "asyncio.events.AbstractEventLoop": "loop", "asyncio.Queue": "queue", "asyncio.Task": "task",
    # (asyncio.Queue's subclasses: what they hold, a Future in a tuple, is no kind of theirs)
    "asyncio.PriorityQueue": "queue", "asyncio.LifoQueue": "queue",
    "asyncio.Future": "future", "asyncio.Event": "event", "asyncio.Condition": "condition",
    "asyncio.Handle": "handle", "asyncio.TimerHandle": "handle",
    "asyncio.Semaphore": "semaphore", "asyncio.BoundedSemaphore": "semaphore",
    "asyncio.subprocess.Process": "process",
    "aiohttp.ClientSession": "session", "aiohttp.ClientResponse": "response",
    "aiohttp.ClientWebSocketResponse": "websocket", "aiohttp.web.WebSocketResponse": "websocket",
    "aiohttp.web.Application": "web", "aiohttp.web.Request": "web",
    "aiohttp.web.BaseRequest": "web",
    "asyncio.StreamReader": "stream", "asyncio.StreamWriter": "stream",
    "asyncio.BaseTransport": "transport", "asyncio.Transport": "transport",
    "asyncio.DatagramTransport": "transport", "asyncio.WriteTransport": "transport",
    "asyncio.ReadTransport": "transport", "asyncio.SubprocessTransport": "transport",
    "asyncio.Server": "server", "asyncio.base_events.Server": "server",
    "asyncio.AbstractServer": "server", "asyncio.events.AbstractServer": "server",
}
#: Modules whose every use is a finding.
MODULES = ("asyncio", "aiohttp", "aiofiles", "nest_asyncio", "async_timeout")

#: aiohttp's client-side submodules, whose public names ``aiohttp/__init__.py`` re-exports
#: (checked in aiohttp 3.14: every name of ``aiohttp.__all__`` but the server's and a few
#: type aliases is defined in one of these): ``aiohttp.client.ClientSession`` is
#: ``aiohttp.ClientSession``, ``from aiohttp.client_exceptions import ClientError`` is
#: ``aiohttp.ClientError``, so each spelling is followed as the top-level one.
AIOHTTP_REEXPORTED = frozenset({
    "client", "client_exceptions", "client_reqrep", "connector", "tracing", "cookiejar",
    "formdata", "helpers", "multipart", "payload", "resolver", "streams", "http_writer",
})


def aiohttp_public(dotted: str) -> str:
    """``aiohttp.client.ClientSession`` → ``aiohttp.ClientSession`` (:data:`AIOHTTP_REEXPORTED`);
    any other name as it is."""
    if dotted.startswith("aiohttp."):
        parts = dotted.split(".")
        if len(parts) == 3 and parts[1] in AIOHTTP_REEXPORTED and parts[2][:1].isupper():
            return f"aiohttp.{parts[2]}"
    return dotted
#: aiofiles' own wrapper of a file its thread opened: what ``await aiofiles.open(...)`` returns,
#: made without an await (the one call of ``RETURNS``' "aiofile" that opens nothing).
WRAP = "aiofiles.threadpool.wrap"
#: Kinds whose every attribute is a finding, ``KIND.attr``. (Not an aiofiles file: only its
#: methods called are aiofiles' API, its fields (``f.name``) are plain data. Nor a loop, queue,
#: task or semaphore: only the methods ``ROWS`` names differ in Trio.)
OBJECT_KINDS = ("session", "response", "stream", "server", "websocket", "web", "transport",
                "cfuture", "runner", "lowserver", "timeoutcm", "barrier")
#: Methods only an asyncio server has (``asyncio.Server``): a reference they are called on is
#: one, however it was made (``self.server = task.result()``).
SERVER_ONLY = {"is_serving", "start_serving", "serve_forever"}
#: Kinds whose objects, awaited, are a finding (``await fut``, ``await task``).
AWAITED = ("future", "task")
#: Calls that call a function with the arguments after it → where the function is.
HANDS_ON = {"loop.call_soon": 0, "loop.call_soon_threadsafe": 0, "loop.call_later": 1,
            "loop.call_at": 1, "loop.run_in_executor": 1, "asyncio.to_thread": 0,
            "partial": 0}
#: Kinds whose objects a plain dict holds by key (``self.tasks[name] = task``).
COLLECTED = {"task", "future", "queue", "process", "handle"}
#: Kinds an object's attribute keeps when read from outside the class that stores it.
#: (Not a loop: ``config.loop`` or ``args.loop`` is as often a setting's string, "uvloop".)
HELD = {"task", "future", "queue", "server", "lowserver", "process", "handle", "stream",
        "event"}
#: Kinds a plain name may hold; anything else a name is assigned from is forgotten.
KNOWN_KINDS = {"loop", "task", "future", "cfuture", "queue", "semaphore", "event", "handle",
               "condition",
               "aiofilectx", "lowserver", "timeoutcm", "barrier", "completed",
               "process", "session", "response", "aiofile", "stream", "server", "websocket",
               "web", "taskgroup", "transport", "protocol", "runner", "form", "wsmessage"}
#: A library object's methods that register an event handler as a decorator
#: (``@pc.on("datachannel")``): the handler is called with the library's objects.
EVENT_DECORATORS = {"on", "once", "event", "listen", "listens_for", "add_listener",
                    "subscribe", "on_event"}
#: Parameter names that hold an event loop in asyncio code (``loop=None``, pytest-asyncio's
#: fixture, a private ``_loop=``).
LOOP_PARAMS = ("loop", "_loop", "event_loop")
#: A library object's methods that call back a *blocking* function with the library's blocking
#: twin (SQLAlchemy's ``AsyncSession.run_sync(fn)`` hands ``fn`` a plain ``orm.Session``,
#: ``AsyncConnection.run_sync`` a plain ``Connection``): what the callback is given is no
#: asyncio object, and its calls stay as they are in a port.
SYNC_CALLBACKS = {"run_sync"}


def loop_param(name: str) -> bool:
    """``loop``, ``event_loop``, and a loop's name with a word before it (``obj_loop``,
    ``main_loop``, ``eventloop``): a parameter that holds an event loop in asyncio code."""
    return name in LOOP_PARAMS or (
        re.fullmatch(r"_?([a-z0-9]+_)?(event_?)?loop", name) is not None
        # (set_event_loop, run_loop, is_loop: a function's or a flag's name, no loop)
        and re.match(r"_?(get|set|run|close|stop|start|is|has|use|in|for|while)_",
                     name) is None)


def loop_annotation(node: ast.expr | None) -> bool:
    """No annotation, or one that names a loop (``OptLoop``, ``Optional[AbstractEventLoop]``),
    or only ``None`` (``loop: None = None``, a deprecated parameter kept for its callers)."""
    return node is None or "loop" in ast.unparse(node).lower() \
        or (isinstance(node, ast.Constant) and node.value is None)
#: Functions named as asyncio's ways to a loop: a wrapper the package keeps under asyncio's
#: name (``from .utils import get_running_loop``) returns a loop all the same.
LOOP_GETTERS = {"get_running_loop", "get_event_loop", "new_event_loop", "get_loop", "_get_loop"}


def makes_loops(name: str) -> bool:
    """``loop_initializer``, ``loop_factory``, ``event_loop_policy``: what a program hands on
    to make or choose its loops (Trio has none to make), by the name it is kept under."""
    return re.fullmatch(r"_?(event_)?loop_(factory|initializer|init|policy|class|cls|maker)",
                        name) is not None
#: Methods only an asyncio event loop has: a ``loop`` called with one of them is a loop even in a
#: file that never imports asyncio (it was handed one).
LOOP_ONLY = {"create_task", "create_future", "run_until_complete", "run_forever", "call_soon",
             "call_later", "call_at", "call_soon_threadsafe", "run_in_executor", "create_server",
             "create_connection", "create_datagram_endpoint", "add_signal_handler",
             "remove_signal_handler", "is_running", "is_closed", "set_exception_handler",
             "create_unix_server", "shutdown_asyncgens", "getaddrinfo", "sock_connect"}
#: Methods of an asyncio-only library's objects that open a WebSocket (its row is trio-websocket,
#: whichever library opened it).
WEBSOCKET_METHODS = {"websocket", "ws_connect", "websocket_connect", "connect_websocket"}
HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "request"}
#: Third-party packages whose awaited API runs under Trio as well as asyncio (AnyIO-based, or
#: written for Trio, or with no event loop of their own): an ``await`` on them in an asyncio
#: file is no sign of an asyncio-only library. (A submodule named for asyncio,
#: ``hypercorn.asyncio``, is asyncio's all the same: :mod:`.libraries` finds it first.)
TRIO_SAFE = frozenset({
    # AnyIO and what is built on it (httpcore's backends are AnyIO's or Trio's)
    "anyio", "sniffio", "httpx", "httpcore", "starlette", "fastapi", "asyncclick",
    "openai", "anthropic", "mcp", "sse_starlette", "asgi_lifespan", "asyncer",
    "litestar", "httpx_sse", "httpx_ws", "pydantic_ai",
    # watchfiles' awatch: "All async methods use anyio to run the event loop" (its docstring)
    "watchfiles",
    # dnspython's async API (dns.asyncresolver, dns.asyncquery) picks its backend with
    # sniffio, Trio's or asyncio's (dns/asyncbackend.py); its asyncio-only parts are named so
    # (dns._asyncio_backend, dns.quic.AsyncioQuicManager) and found by their names
    "dns",
    # Trio itself and its ecosystem
    "trio", "trio_asyncio", "trio_websocket", "trio_util", "pytest_trio", "quart_trio",
    "triopg", "purerpc", "qtrio", "tractor", "hypercorn", "outcome", "async_generator",
    "exceptiongroup",
    # async helpers with no loop of their own, or that ask sniffio which loop runs (tenacity
    # sleeps with trio.sleep under Trio)
    "asyncstdlib", "typing_extensions", "attr", "attrs", "tenacity", "mock", "asyncmock",
})


def _stdlib() -> frozenset[str]:
    import sys
    return frozenset(sys.stdlib_module_names)


#: The standard library's top-level modules: never a third-party library.
STDLIB = _stdlib()


def evidenced(module: str) -> str | None:
    """The package or module of ``module`` that the file being read shows to be asyncio's
    (:func:`libraries.evidenced`): ``forktex.database`` for ``forktex.database.lock`` when
    the file awaits what it imported from ``forktex.database``, not its ``forktex.log``."""
    parts = module.split(".")
    shown = libraries.evidenced_now()
    return next((".".join(parts[:end]) for end in range(len(parts), 0, -1)
                 if ".".join(parts[:end]) in shown), None)


def library_row(module: str) -> str | None:
    """:func:`_library_row`, or the row of a package the file being read shows to be
    asyncio's (:func:`libraries.evidenced`), which no cache may keep for another file."""
    if evidenced(module) is not None:
        return None if module.split(".")[0] in MODULES else "asyncio-only-lib"
    return _library_row(module)


def library_of(module: str) -> str | None:
    """:func:`_library_of`, or the package the file shows to be asyncio's."""
    shown = evidenced(module)
    if shown is not None:
        return libraries.name(module) or shown
    return _library_of(module)


@functools.lru_cache(maxsize=4096)
def _library_row(module: str) -> str | None:
    """The row of an asyncio-only library ``module`` (or of the package it is part of).

    One lookup of the whole dotted path: :func:`libraries.advice` walks the prefixes itself and
    stops at the modules that are not asyncio (``websockets.sync.client`` is no finding).
    """
    if module.split(".")[0] in MODULES or module == "pytest":
        return None
    found = libraries.advice(module)
    return None if found is None else found[0]


@functools.lru_cache(maxsize=4096)
def _library_of(module: str) -> str | None:
    """The dotted name of the known library ``module`` belongs to, for ``lib:<name>``: the
    longest prefix with an entry of its own (``aiohttp.web`` in ``aiohttp``), so that
    ``asyncssh.SSHServerProcess`` is ``asyncssh``."""
    if library_row(module) is None:
        return None
    return libraries.name(module)


def lib_construct(name: str) -> str | None:
    """``lib:valkey.asyncio.Valkey.pubsub`` → ``lib:valkey.asyncio``: the library a name is of."""
    if not name.startswith("lib:"):
        return None
    lib = library_of(name[4:])
    return f"lib:{lib}" if lib else None


@dataclass
class Names:
    """What one file's names stand for, and the constructs found so far."""

    path: str
    #: containers the file stores tuples in (``self._active[k] = (ws, loop)``): what their
    #: ``get(k)`` gives is a record, not one of the objects it holds
    records: set[str] = field(default_factory=set)
    aliases: dict[str, str] = field(default_factory=dict)
    #: reference (``x``, ``self.x``, ``app[key]``) → kind
    kinds: dict[str, str] = field(default_factory=dict)
    factories: dict[str, str] = field(default_factory=dict)
    #: function name → the kind asyncio passes to its parameters, and to how many of them
    #: (start_server's callback gets two streams, an aiohttp handler one request)
    callbacks: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: reference → the call it was last assigned from (``self._task = asyncio.current_task()``)
    origins: dict[str, str] = field(default_factory=dict)
    #: loop methods called somewhere in the file (``stop`` decides what run_forever needs)
    loop_methods: set[str] = field(default_factory=set)
    found: list[tuple[int, int, str]] = field(default_factory=list)
    #: packages this file is part of (their imports here are the package's own, not foreign)
    own: set[str] = field(default_factory=set)
    #: the top-level import names of the file's project, when the caller knows them without a
    #: tree (the corpus's sdists); None: found on disk (:mod:`.project`)
    project: frozenset[str] | None = None
    #: the packages of :attr:`own` that only the file's project makes its own (a test module
    #: outside its package), not its path
    from_project: set[str] = field(default_factory=set)
    #: names imported from a module that is not asyncio (``from socketio.exceptions import
    #: TimeoutError`` is that package's error, not the builtin asyncio raises)
    foreign: set[str] = field(default_factory=set)
    #: classes whose instances a loop's ``create_connection``/``create_server``/... makes: a
    #: protocol by duck typing, with no asyncio base class
    protocols: set[str] = field(default_factory=set)
    #: references the file shows to be some other class's object: made by calling a class
    #: that is neither asyncio's nor a library's (``state = RetryCallState(...)``), or
    #: annotated with one (``state: "RetryCallState"``); a method name asyncio's objects
    #: have (``set_result``) does not make them a future
    plain: set[str] = field(default_factory=set)
    #: ``y = x`` assignments (by id) under ``if isinstance(x, T)`` where ``T`` is the file's
    #: own class, its package's or the standard library's: there ``x`` is that object, so
    #: ``y`` does not take the kind ``x`` has elsewhere (a loop *or* the package's adapter)
    narrowed: set[int] = field(default_factory=set)
    #: queue reference → the kind of what it holds (``asyncio.Queue[asyncio.Task[None]]``)
    elements: dict[str, str] = field(default_factory=dict)
    #: references assigned a field of a library's object (``db = client.test``)
    fields: set[str] = field(default_factory=set)
    #: pytest fixture → the kind it yields or returns (its tests' parameter of that name)
    fixtures: dict[str, str] = field(default_factory=dict)
    #: library construct → the names the file's subclasses of its classes define themselves
    subclassed: dict[str, set[str]] = field(default_factory=dict)
    #: the file's own subclasses of a library's classes, and the references that hold one of
    #: their instances (``bot = Bot(jid)``, ``client = cast(Client, client)``): the names the
    #: subclass defines are its own on these, and on ``self``, not on the library's objects
    subclasses: set[str] = field(default_factory=set)
    instances: set[str] = field(default_factory=set)
    #: whether the file imports asyncio (a snippet that only uses it does not)
    imports_asyncio: bool = False
    #: whether a ``loop`` here is asyncio's: the file imports asyncio, or calls a method only
    #: an asyncio loop has on a ``loop`` it was handed (:func:`handed_loops`)
    loop_file: bool = False

    #: the file's own distribution's folders in a namespace package (``gcloud``, ``aio``,
    #: ``pubsub``), or empty
    namespace: tuple[str, ...] = ()

    #: packages asyncio-only by their name alone that this file imports through a submodule
    #: named for asyncio (:func:`libraries.split_packages`): only that submodule is asyncio's
    split: set[str] = field(default_factory=set)
    #: packages the file imports through a submodule named for async (``async_client``,
    #: ``aiohttp``, ``asyncio``): if one is found asyncio's by the file's awaits, only those
    #: submodules and the package's top level are; its other submodules are the part its
    #: blocking API shares (``slack_sdk.socket_mode.request`` beside ``.aiohttp``)
    async_named: set[str] = field(default_factory=set)

    #: (function, parameter) pairs whose kind the file gives that function's parameter: an
    #: annotation, a callback asyncio or a library calls, a call of the function here, a
    #: ``loop=`` parameter, a fixture; and the references whose kind came from an assignment
    #: (``server = await start_server(...)``). A parameter of the same name in another
    #: function is not that object (:attr:`shadowed`, which the visitor keeps).
    given: set[tuple[str, str]] = field(default_factory=set)
    #: parameters typed as an asyncio class (``queue_type: type[asyncio.Queue[T]]``) → that
    #: class, which calling the parameter makes (``queue_type(maxsize=10)``)
    classes_given: dict[str, str] = field(default_factory=dict)
    assigned: set[str] = field(default_factory=set)
    shadowed: set[str] = field(default_factory=set)
    #: function of the file → the kinds of the tuple it returns (``-> Tuple[StreamReader,
    #: StreamWriter]``, ``return reader, writer``), for ``a, b = await self.make()``
    tuples: dict[str, tuple[str | None, ...]] = field(default_factory=dict)
    #: names bound to ``partial(f, ...)`` of a function of the file → ``f``'s name
    partials: dict[str, str] = field(default_factory=dict)
    #: names bound by importing a third-party package the tool has no entry for, and the
    #: package (``from eventkit import Event``: ``Event`` → ``eventkit``); see
    #: :func:`external_of`
    external: dict[str, str] = field(default_factory=dict)
    #: references assigned what such a package gave (``self.done = Event("done")``)
    external_refs: dict[str, str] = field(default_factory=dict)
    #: the file's own classes that subclass such a package's class → (the package, the names
    #: the class defines or stores itself): ``Book.objects`` after ``class Book(orm.Model)``
    #: is what the package's base gives the class, ``Book.title`` a name of the file's own
    external_subclasses: dict[str, tuple[str, set[str]]] = field(default_factory=dict)
    #: the file's own functions (``get_async_client``, ``self.get_async_client``) annotated to
    #: return such a package's object: their names are the file's, not the package's API
    external_makers: set[str] = field(default_factory=set)
    #: unlisted packages whose awaited API the file spells apart from a blocking twin
    #: (``prompt_async``): asyncio's only where awaited, not in every use
    blocking: set[str] = field(default_factory=set)
    #: the file's functions a library object's decorator wraps → that library
    decorated: dict[str, str] = field(default_factory=dict)
    #: the file's functions whose every ``return`` makes an object of a class neither asyncio
    #: nor a library has (``return Response(...)``, the package's own model)
    makers: set[str] = field(default_factory=set)

    def owns(self, module: str) -> bool:
        """Whether ``module`` is this file's own package's: its top-level name is one of
        :attr:`own`, and, in a namespace package (:data:`NAMESPACES`), it is under the same
        distribution's folder (``gcloud.aio.pubsub``, not ``gcloud.aio.auth``)."""
        parts = module.split(".")
        if parts[0] not in self.own:
            return False
        if parts[0] in self.from_project and libraries.binds_aiohttp(module):
            # a package's binding to aiohttp, in the package's tests: what they test of it is
            # a use of aiohttp (``aiohttp.Application(web.Application)`` of
            # dependency_injector.ext.aiohttp), which a port away from aiohttp replaces with
            # the package's other binding (libraries.AIOHTTP_BINDING), tests and all
            return False
        prefix = self.namespace
        return not prefix or parts[0] != prefix[0] \
            or parts[:len(prefix)] == list(prefix[:len(parts)])

    def remade(self, value: ast.expr | None) -> bool:
        """Whether ``value`` makes the file's own kind of object: a call of a class that is
        neither asyncio's nor a library's, or of a function that returns one (``response =
        await wrap(response)``): a name bound to it holds that object from then on."""
        call = value.value if isinstance(value, ast.Await) else value
        return isinstance(call, ast.Call) and (
            _names_a_class(call.func, self)
            or (isinstance(call.func, ast.Name) and call.func.id in self.makers))

    def library(self, module: str) -> str | None:
        """:func:`library_of`, except for the package this file belongs to, and for the
        asyncio-free part of a split package (``aioquic.quic`` beside ``aioquic.asyncio``)."""
        top = module.split(".")[0]
        if self.owns(module):
            return None
        found = library_of(module)
        parts = module.split(".")
        if found is not None and top in self.async_named and len(parts) > 1 \
                and evidenced(module) is not None \
                and not any(_async_named(part) for part in parts[1:]):
            return None  # the shared, blocking part of a package with both APIs
        if top in self.split and found is not None:
            lib = libraries.find(found)
            if lib is not None and libraries.by_name_only(lib):
                return None
        return found


def path_packages(path: str) -> set[str]:
    """The packages a file's path puts it in: ``aiocache/lock.py`` is a module of aiocache.

    On disk, the folders above the file that hold an ``__init__.py`` (so ``src/aioftp/x.py``
    gives ``aioftp``, and a run from inside the package still knows it). A path that is not
    on disk (a name given with standard input, a test's) gives its folders' names.
    """
    if path.startswith("<"):
        return set()
    where = Path(path)
    try:
        on_disk = where.is_file()
    except (OSError, ValueError):  # a name no file system has (a NUL byte in it)
        on_disk = False
    # Only the topmost package: an absolute import names a top-level package, and a
    # subpackage's name (tortoise/contrib/quart/) is no claim on the top-level one (quart).
    if on_disk:
        top = ""
        folder = where.resolve().parent
        while (folder / "__init__.py").is_file() and folder.name:
            top = folder.name
            folder = folder.parent
        return {top} if top else set()
    parts = path.replace("\\", "/").split("/")[:-1]
    names = [part for part in parts if part.isidentifier() and part not in NOT_PACKAGES]
    return set(names[:1])


#: Namespace packages that several distributions share (``gcloud.aio.auth`` and
#: ``gcloud.aio.pubsub`` are two sdists; ``azure.identity.aio`` and ``azure.storage.blob``),
#: with how many folders name one distribution's package.
NAMESPACES = {"gcloud": 3, "google": 3, "azure": 3}


def namespace_folders(path: str, project: Collection[str] | None = None) -> tuple[str, ...]:
    """``gcloud/aio/pubsub/subscriber.py`` → ``("gcloud", "aio", "pubsub")``: the folders that
    name the file's own distribution inside a namespace package (:data:`NAMESPACES`).

    Also a plugin's folder in its framework's namespace (``livekit/plugins/voho/tts.py``,
    ``disnake/ext/invitetracker/invite_tracker.py``: a framework's extension folder, as
    :data:`libraries.EXTENSION_FOLDERS` names them, then the plugin's) where the file's
    ``project`` is known and does not have the framework's name among its top-level packages:
    the plugin's sdist ships only ``livekit.plugins.voho``, and its imports of
    ``livekit.agents`` are another distribution's (the framework's own ``discord/ext/commands/``
    is in a project that has ``discord``)."""
    parts = path.replace("\\", "/").split("/")[:-1]
    names = [part for part in parts if part.isidentifier() and part not in NOT_PACKAGES]
    if names and names[0] in NAMESPACES:
        return tuple(names[:NAMESPACES[names[0]]])
    if len(names) >= 3 and names[1] in libraries.EXTENSION_FOLDERS and project is not None \
            and names[0] not in project:
        return tuple(names[:3])
    return ()


def sibling_modules(tree: ast.Module) -> set[str]:
    """Bare module names imported in one block with the project's own helpers: ``from
    query_processor import QueryProcessor`` on the line after ``from config import settings``
    (or a relative import) is a script's sibling module, found by :func:`local_module` on disk
    but not when the file is read alone. A listed library or a standard module in the block
    stays what it is."""
    found: set[str] = set()
    block: list[ast.Import | ast.ImportFrom] = []

    def close() -> None:
        if any(each.level or _local_helper(each.module) for each in block
               if isinstance(each, ast.ImportFrom)):
            found.update(each.module for each in block
                         if isinstance(each, ast.ImportFrom) and not each.level and each.module
                         and "." not in each.module and each.module not in STDLIB
                         and each.module not in LOCAL_NAMES  # (already taken as the project's)
                         and each.module not in MODULES and each.module not in TRIO_SAFE
                         and libraries.find(each.module) is None)
        block.clear()

    for statement in tree.body:
        if isinstance(statement, ast.Import | ast.ImportFrom) and (
                not block or statement.lineno == (block[-1].end_lineno or 0) + 1):
            block.append(statement)
            continue
        close()
        if isinstance(statement, ast.Import | ast.ImportFrom):
            block.append(statement)
    close()
    return found


def installed_names(tree: ast.Module, path: str, tops: Collection[str] | None) -> set[str]:
    """The name a project installs its root folders under (``package_dir={"pyferro2": "."}``):
    ``pyferro2`` in ``server/app.py`` that imports ``pyferro2.server.tokens``, where
    ``server`` is one of the project's top-level names (``tops``) and the folder the file
    itself is in. Such an import reaches the file's own folder by the name the project
    installs it under, so what else the file imports under that name is the project's own too.
    An import of another project's ``x.server`` is no such sign in a file outside ``server/``.
    """
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if parts[:1] == ("src",):
        parts = parts[1:]
    if not parts or tops is None or parts[0] not in tops:
        return set()  # (a module at the top, ``app.py``, is in no folder)
    found: set[str] = set()
    for module in imported_modules(tree):
        dotted = module.split(".")
        if len(dotted) > 2 and dotted[1] == parts[0] and dotted[0] not in tops \
                and dotted[0] not in STDLIB and dotted[0] != "asyncio":
            found.add(dotted[0])
    return found


def _local_helper(module: str | None) -> bool:
    """A module named as a project's own helpers are (:data:`LOCAL_NAMES`: ``config``,
    ``utils``), or a module inside one (``config.loader``); not one inside a folder a project
    keeps its examples, tests or tools in (``examples.greeter.shared``), whose importer may be
    a user's program beside the package."""
    top = (module or "").split(".")[0]
    return module in LOCAL_NAMES or (top in LOCAL_NAMES and top not in NOT_PACKAGES)


def _async_named(part: str) -> bool:
    """A submodule named for async I/O: ``asyncio``, ``aio``, ``async_client``,
    ``aiohttp``, ``x_asyncio``, ``x_async``."""
    return part in ("aio", "asyncio", "aiohttp", "async_io") \
        or part.startswith(("async_", "aiohttp_", "asyncio_")) \
        or part.endswith(("_asyncio", "_aio", "_async", "_aiohttp"))


def own_packages(tree: ast.Module) -> set[str]:
    """The packages a file is a module of, judged by how it imports them.

    A library's own module imports its private submodules (``from uvicorn._types import``),
    or imports absolutely a sibling it also imports relatively (``from .core import x`` and
    ``from aiostream.core import Streamer``). Its asyncio-only imports are its own business:
    porting *to* Trio is about the code that uses such a library, not the library itself.
    """
    relative: set[str] = set()
    absolute: list[list[str]] = []
    own: set[str] = set()
    for node in walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                relative.add(node.module.split(".")[0])
            elif node.level == 0 and node.module:
                absolute.append(node.module.split("."))
        elif isinstance(node, ast.Import):
            absolute.extend(alias.name.split(".") for alias in node.names)
    for parts in absolute:
        if len(parts) > 1 and ((parts[1].startswith("_") and not parts[1].startswith("__"))
                               or parts[1] in relative):
            own.add(parts[0])
    return own - {"asyncio"}  # asyncio's own private modules are still asyncio


def reference(node: ast.expr) -> str | None:
    """The key a reference is tracked under: ``x``, ``self.x`` (also for ``cls``), ``app[k]``.

    A subscript keeps only the last part of what it indexes, so ``request.app[k]`` and
    ``app[k]`` are one reference: the key is what tells them apart, not the path to the dict.
    """
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        if isinstance(node.value, ast.Name):
            base = "self" if node.value.id in ("self", "cls") else node.value.id
            return f"{base}.{node.attr}"
        return None
    if isinstance(node, ast.Subscript):
        value = node.value
        last = value.id if isinstance(value, ast.Name) else \
            value.attr if isinstance(value, ast.Attribute) else None
        if last is None:
            return None
        try:
            index = ast.unparse(node.slice)
        except (ValueError, AttributeError):  # pragma: no cover - unparse of odd nodes
            return None
        if len(index) > 60:
            return None
        return f"{last}[{index}]"
    return None


def qualname(node: ast.expr, scan: Names) -> str | None:
    """``asyncio.sleep``, ``aiohttp.ClientSession``, ``loop.time``: what an expression names."""
    ref = reference(node)
    if ref is not None and ref in scan.kinds and (
            not scan.shadowed or ref.partition(".")[0] not in scan.shadowed):
        return scan.kinds[ref]
    if isinstance(node, ast.Name):
        return scan.aliases.get(node.id)
    if isinstance(node, ast.Attribute):
        base = qualname(node.value, scan)
        if base is None and isinstance(node.value, ast.Name) \
                and node.value.id in scan.decorated:
            base = scan.decorated[node.value.id]  # count.send(): the library's agent
        if base and base.startswith("pkg:"):
            # ``import zmq.asyncio``: the plain package, until the path reaches the submodule
            # that is asyncio's (``zmq.asyncio.Context``, ``redis.asyncio.Redis``)
            dotted = f"{base[4:]}.{node.attr}"
            lib = scan.library(dotted)
            return f"lib:{lib}" if lib else f"pkg:{dotted}"
        if base == "web" and node.attr == "transport":
            # request.transport: the connection's asyncio transport, whose methods are the
            # protocols row's (get_extra_info, abort), not the HTTP server's API
            return "transport"
        if base is None and isinstance(node.value, ast.Name) \
                and node.value.id in scan.subclasses and node.value.id in scan.factories \
                and node.value.id not in scan.aliases:
            # Book.objects after class Book(orm.Model): what the library's base class gives
            # the file's subclass, unless the subclass defines that name itself
            lib = scan.factories[node.value.id]
            if node.attr not in scan.subclassed.get(lib, ()):
                base = lib
        if base:
            return aiohttp_public(f"{base}.{node.attr}")
        # ``self.state.tasks``: an attribute is one reference per file, whoever holds it
        if ref is None:
            return scan.kinds.get(f"self.{node.attr}")
        if isinstance(node.value, ast.Name) and node.value.id not in scan.aliases \
                and scan.kinds.get(f"self.{node.attr}") in HELD:
            # main.initializing, where the class stores self.initializing = loop.create_task():
            # the object's attribute, read from outside it
            return scan.kinds[f"self.{node.attr}"]
        return None
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in scan.factories:
            return scan.factories[func.id]  # def make_client() -> ClientSession
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and func.value.id in ("self", "cls") and func.attr in scan.factories:
            return scan.factories[func.attr]  # self.make_task()
        if isinstance(func, ast.Attribute) and func.attr in ("pop", "get") and node.args \
                and isinstance(node.args[0], ast.Constant) and node.args[0].value in LOOP_PARAMS \
                and scan.loop_file:
            return "loop"  # loop = kwargs.pop("loop", None)
        called = qualname(func, scan)
        if called is None:
            copied = _copied_collection(node, scan)
            if copied is not None:
                return copied
            if isinstance(func, ast.Attribute) and func.attr == "run" and node.args:
                ran = qualname(node.args[0], scan)  # context.run(asyncio.create_task, coro)
                return RETURNS.get(ran or "")
            return None
        if called in RETURNS:
            return RETURNS[called]
        if called in ("loop.run_until_complete", "asyncio.run") and node.args:
            return qualname(node.args[0], scan)  # the result of what it ran
        if called in ("asyncio.wait_for", "asyncio.shield") and node.args \
                and isinstance(node.args[0], ast.Call) \
                and qualname(node.args[0], scan) not in AWAITED:
            # await wait_for(session.get(u), t): what the call it waited for gives (not a
            # task's or a future's result, which is no task or future)
            return qualname(node.args[0], scan)
        if called.startswith("aiohttp.web.") and called.rpartition(".")[2][:1].isupper():
            return "web"  # web.RouteTableDef(), web.Response(): the server's objects
        if called in scan.factories:
            return scan.factories[called]
        kind, _, method = called.rpartition(".")
        if kind == "session" and method in HTTP_METHODS:
            return "response"
        if kind == "queue" and method in ("get", "get_nowait") \
                and isinstance(func, ast.Attribute):
            return scan.elements.get(reference(func.value) or "")  # a queue of tasks
        if method in ("pop", "popleft") and element(kind) is not None:
            return element(kind)  # task = self.closing_tasks.pop()
        if method == "get" and node.args and element(kind) in ITEMS_BY_KEY \
                and isinstance(func, ast.Attribute) \
                and (reference(func.value) or "") not in scan.records \
                and qualname(node.args[0], scan) != element(kind):
            # prev = self._tasks.get(key): a dict of tasks' item (not tokens.get(loop), off
            # a mapping keyed by loops)
            return element(kind)
        if method in ("values", "copy") and element(kind) is not None:
            return kind  # self.tasks.values(): the tasks still
        if called.startswith("lib:"):
            if method == "get_extra_info":
                return None  # a socket, a peer's address, an SSL object: the stdlib's
            if method in WEBSOCKET_METHODS:
                return "websocket"  # docker.container.websocket(): a WebSocket all the same
            return lib_construct(called)  # what an asyncio-only library returns is its own
        return None
    if isinstance(node, ast.Subscript):
        if ref is not None and f"*{ref[ref.index('['):]}" in scan.kinds:
            return scan.kinds[f"*{ref[ref.index('['):]}"]  # details["future"], from a literal
        base = qualname(node.value, scan)
        if element(base) is not None:
            return element(base)  # tasks[0], tracks[0] of a list of a library's tracks
        if base and base.startswith("lib:"):
            return lib_construct(base)  # client["db"]["users"]: the library's object still
        return None
    if isinstance(node, ast.Await):
        awaited = qualname(node.value, scan)
        if awaited in AWAITED and not isinstance(node.value, ast.Call):
            return None  # result = await self._task: the task's result, no task
        return awaited
    if isinstance(node, ast.BoolOp):  # loop or asyncio.get_event_loop()
        for value in node.values:
            held = qualname(value, scan)
            if held in KNOWN_KINDS:
                return held
    return None


def _annotation_tree(node: ast.expr) -> ast.expr:
    """A string annotation (``"asyncio.Task[int]"``) as the expression it spells."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return node
    return node


def annotation_kind(node: ast.expr | None, scan: Names) -> tuple[str | None, bool]:
    """The kind an annotation gives, and whether it is a collection of that kind."""
    if node is None:
        return None, False
    node = _annotation_tree(node)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name | ast.Attribute) \
            and ast.unparse(node.value).split(".")[-1] == "Optional":
        node = _annotation_tree(node.slice)  # Optional[X] is an X
    members: list[ast.expr] = []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        members = [node.left, node.right]  # X | None, Task | Future: one of them
    elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name | ast.Attribute) \
            and ast.unparse(node.value).split(".")[-1] == "Union":
        members = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
    for member in members:
        kind, collection = annotation_kind(member, scan)
        if kind:
            return kind, collection
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name | ast.Attribute) \
            and ast.unparse(node.value).split(".")[-1] in MAPPINGS \
            and isinstance(node.slice, ast.Tuple) and len(node.slice.elts) == 2:
        # Mapping[asyncio.Event, asyncio.Task[bool]]: a mapping holds its values (its keys
        # when the values are plain: dict[asyncio.Future, int])
        kind, _ = annotation_kind(node.slice.elts[1], scan)
        if kind in KNOWN_KINDS:
            return kind, True
    for sub in walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub is not node:
            inner, collection = annotation_kind(sub, scan)
            if inner:
                return inner, collection or sub is not node
        if isinstance(sub, ast.Name | ast.Attribute):
            name = qualname(sub, scan)
            if name is None:
                continue
            kind = ANNOTATIONS.get(name)
            if kind is None and name.startswith("lib:"):
                kind = lib_construct(name)
            if kind:
                collection = not (sub is node or (isinstance(node, ast.Subscript)
                                                  and node.value is sub))
                return kind, collection
    return None, False


#: How a kind names a collection of a library's objects (``list[aiortc.MediaStreamTrack]``):
#: not ``lib:aiortcs``, which would read as a library of that name (an ``aio*`` one).
LIB_MANY = "libs:"


def plural(kind: str) -> str:
    """The kind of a collection of ``kind``'s objects: ``tasks``, ``libs:aiortc``."""
    return f"{LIB_MANY}{kind[4:]}" if kind.startswith("lib:") else f"{kind}s"


#: Builtins that copy a collection into a new one of the same objects.
COPIES = frozenset({"list", "set", "tuple", "frozenset", "sorted"})


def _copied_collection(node: ast.Call, scan: Names) -> str | None:
    """``list(self._tasks)``, ``set(pending)``, ``sorted(self._workers.values(), key=...)``:
    a copy of a collection of asyncio's or a library's objects holds the same objects (the
    copy a loop that cancels them walks, ``for t in list(self._tasks): t.cancel()``).
    Not a builtin the file binds to something else (``list = ...``, an import)."""
    func = node.func
    if isinstance(func, ast.Name) and func.id in COPIES and func.id not in scan.aliases \
            and len(node.args) == 1:
        kind = qualname(node.args[0], scan)
        if element(kind) is not None:
            return kind
    return None


def element(kind: str | None) -> str | None:
    """The kind of what a collection of kind ``kind`` holds (``task`` for ``tasks``,
    ``lib:aiortc`` for ``libs:aiortc``), or ``None`` if ``kind`` is no collection."""
    if kind and kind.startswith(LIB_MANY):
        return f"lib:{kind.removeprefix(LIB_MANY)}"
    if kind and kind.endswith("s") and kind[:-1] in KNOWN_KINDS:
        return kind[:-1]
    return None


def bind(target: ast.expr, kind: str | None, scan: Names) -> None:
    ref = reference(target)
    if kind and ref is not None and (kind in KNOWN_KINDS or lib_construct(kind) == kind
                                     or element(kind) is not None):
        scan.kinds[ref] = kind
        scan.assigned.add(ref)


#: Module names a project's own scripts give their helpers (``import helper`` in an examples
#: folder, ``from common import ...`` in tests): an import of one is the project's, not a
#: third-party package's, however it is spelled.
LOCAL_NAMES = frozenset({
    "helper", "helpers", "util", "utils", "common", "config", "settings", "conftest", "shared",
    "base", "tools", "example", "examples", "client", "server", "app", "main", "models",
    "test", "tests", "testing", "lib", "core", "constants", "support", "fixtures", "setup",
    "local", "server_async", "client_async", "handlers", "protocol", "messages", "compat",
    # a src layout run from the project's root (``from src.domain.repositories import ...``):
    # the project's own package under its folder's name
    "src",
})


def local_module(path: str, top: str) -> bool:
    """Whether ``top`` is a module beside the file on disk (``examples/helper.py`` next to
    ``examples/client.py``): the project's own, imported by its bare name."""
    if path.startswith("<"):
        return False
    folder = Path(path).parent
    try:
        return (folder / f"{top}.py").is_file() or (folder / top / "__init__.py").is_file()
    except (OSError, ValueError):
        return False


def _unlisted(module: str, scan: Names) -> bool:
    """Whether ``module`` is a third-party package the tool knows nothing of: not the standard
    library, not this file's own package or a helper beside it, not asyncio or a listed
    library, not Trio-safe, not one the table says is no asyncio library (an aiocsv writer
    awaits the file it is given: awaiting it is no evidence)."""
    top = module.split(".")[0]
    return bool(top) and top not in STDLIB and not scan.owns(module) and top not in MODULES \
        and top not in TRIO_SAFE and top not in LOCAL_NAMES and top != "pytest" \
        and not top.startswith(("trio_", "_")) and not top.endswith("_trio") \
        and scan.library(module) is None and libraries.find(module) is None \
        and not libraries.not_asyncio(module) and not local_module(scan.path, top)


#: Modules that re-export asyncio's own classes under their names (checked: in tornado 6,
#: ``tornado.concurrent.Future is asyncio.Future``).
ASYNCIO_REEXPORTS = {"tornado.concurrent": {"Future": "asyncio.Future"}}
#: asyncio's loop getters, which a package's own compat module may keep under their names.
LOOP_SHIMS = {"get_event_loop", "get_running_loop", "new_event_loop"}
#: asyncio's functions a package keeps a shim of, named ``asyncio_<name>``.
ASYNCIO_SHIMS = {"timeout", "timeout_at", "run", "wait_for", "sleep", "gather", "shield",
                 "create_task", "to_thread", "get_running_loop", "current_task", "all_tasks"}


def _logger_name(name: str) -> bool:
    """``logger``, ``LOGGER``, ``log``, ``client_logger``: the name a package gives the
    ``logging.Logger`` it keeps at module level."""
    lowered = name.lower()
    return lowered in ("logger", "log") or lowered.endswith("_logger")


def _imports(tree: ast.Module, scan: Names) -> None:
    for node in walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _unlisted(alias.name, scan):
                    scan.external[alias.asname or alias.name.split(".")[0]] = \
                        alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level \
                and _unlisted(node.module, scan):
            for alias in node.names:
                if not _unlisted(f"{node.module}.{alias.name}", scan):
                    continue
                # the module it came from: what the file awaits of it shows that module to be
                # asyncio's, not the package's other modules (its logging, its time helpers)
                scan.external[alias.asname or alias.name] = node.module
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if scan.owns(alias.name):
                    continue  # aiohttp's own module importing aiohttp: the package itself
                if top in MODULES or alias.name == "pytest":
                    scan.aliases[alias.asname or top] = alias.name if alias.asname else top
                elif scan.library(alias.name) is not None:
                    scan.aliases[alias.asname or top] = \
                        f"lib:{scan.library(alias.name)}" if alias.asname else \
                        f"lib:{scan.library(top)}" if scan.library(top) else f"pkg:{top}"
                elif not alias.asname and "." not in alias.name and top not in STDLIB \
                        and any(isinstance(each, ast.Attribute)
                                and isinstance(each.value, ast.Name) and each.value.id == top
                                and each.attr.islower()  # (a submodule: socketio.AsyncClient
                                # is a class, whose package is found otherwise)
                                and scan.library(f"{top}.{each.attr}") is not None
                                for each in walk(tree)):
                    # import grpc, then grpc.aio.insecure_channel(...): a plain package whose
                    # asyncio side is a submodule the file reaches through it, followed as
                    # the plain package until the path names that side
                    scan.aliases.setdefault(top, f"pkg:{top}")
                elif top in TRIO_SAFE and top not in STDLIB:
                    # import dns.quic: a package that runs under Trio, whose asyncio side is
                    # named so (dns.quic.AsyncioQuicManager): followed as a plain package
                    # until the path names that side
                    scan.aliases.setdefault(alias.asname or top,
                                            f"pkg:{alias.name}" if alias.asname else f"pkg:{top}")
        elif isinstance(node, ast.ImportFrom) and (
                node.level or (node.module or "").split(".")[0] not in MODULES):
            scan.foreign.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.ClassDef):
            scan.foreign.add(node.name)
        if isinstance(node, ast.ImportFrom) and node.module and not node.level \
                and not all(scan.owns(f"{node.module}.{alias.name}") for alias in node.names):
            # (from pkg.ext import aiohttp in pkg's tests: a binding to aiohttp, see owns)
            top = node.module.split(".")[0]
            lib = scan.library(node.module)
            for alias in node.names:
                if top in MODULES:
                    scan.aliases[alias.asname or alias.name] = \
                        aiohttp_public(f"{node.module}.{alias.name}")
                elif lib is not None and _logger_name(alias.name):
                    # from asysocks import logger: a logging.Logger the library hands out, plain
                    # Python where it is used (the import line is the library's use)
                    scan.plain.add(alias.asname or alias.name)
                elif lib is not None:
                    scan.aliases[alias.asname or alias.name] = f"lib:{lib}.{alias.name}"
                elif scan.library(f"{node.module}.{alias.name}") is not None:
                    scan.aliases[alias.asname or alias.name] = \
                        f"lib:{scan.library(f'{node.module}.{alias.name}')}"
        if isinstance(node, ast.ImportFrom) and not node.level \
                and node.module in ASYNCIO_REEXPORTS:
            # from tornado.concurrent import Future: asyncio.Future itself (tornado's
            # concurrent.py: ``Future = asyncio.Future``), in tornado's own modules too
            for alias in node.names:
                same = ASYNCIO_REEXPORTS[node.module].get(alias.name)
                if same:
                    scan.aliases[alias.asname or alias.name] = same
    # from .util import asyncio_timeout, from uvicorn._compat import asyncio_run: the
    # package's own shim for asyncio's function, kept under asyncio's name (a backport on old
    # Pythons), whose calls change as asyncio's do
    for node in walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (
                node.module and scan.owns(node.module))):
            for alias in node.names:
                shim = re.fullmatch(r"asyncio_([a-z_]+)", alias.name)
                if shim and shim.group(1) in ASYNCIO_SHIMS:
                    scan.aliases.setdefault(alias.asname or alias.name,
                                            f"asyncio.{shim.group(1)}")
                elif alias.name in LOOP_SHIMS:
                    # from aiodogstatsd.compat import get_event_loop: the package's own
                    # spelling of asyncio's loop getter (for old Pythons), which gives a loop
                    scan.aliases.setdefault(alias.asname or alias.name, f"asyncio.{alias.name}")
    # _instances: dict[Loop, Manager] | None = None, then a guarded import of the library's
    # global under that name: the module declared the variable, with its type, as its own;
    # a test or a dict read of it is the file's (the import line is the library's use)
    for statement in tree.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) \
                and scan.aliases.get(statement.target.id, "").startswith("lib:"):
            del scan.aliases[statement.target.id]


def external_of(node: ast.expr | None, scan: Names) -> str | None:
    """The unlisted third-party package (:func:`_unlisted`) an expression's value comes from:
    its name, an attribute or a call on it, or a reference assigned one (``session`` after
    ``session = PromptSession()``). What such a package returns is taken to be its own.

    The file's own subclass of such a package's class (:attr:`Names.external_subclasses`)
    counts too, through a name the class inherits (``Book.objects.get()``, ``Book(...).save()``
    after ``class Book(orm.Model)``), not through one it defines itself (``Book.mine()``)."""
    attr: str | None = None
    while node is not None:
        ref = reference(node)
        if ref is not None and ref in scan.external_refs:
            return scan.external_refs[ref]
        if isinstance(node, ast.Name):
            if node.id in scan.external_subclasses and node.id not in scan.aliases:
                package, own = scan.external_subclasses[node.id]
                return package if attr is not None and attr not in own else None
            return scan.external.get(node.id) if node.id not in scan.aliases else None
        if isinstance(node, ast.Attribute):
            attr = node.attr
            node = node.value
        elif isinstance(node, ast.Subscript | ast.Await | ast.Starred):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return None
    return None


def _external_subclasses(tree: ast.Module, scan: Names) -> None:
    """The file's classes whose base is an unlisted package's class (see
    :attr:`Names.external_subclasses`), with the names each defines or stores itself."""
    for node in walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        package = next((each for each in (external_of(base, scan) for base in node.bases)
                        if each is not None), None)
        if package is None:
            continue
        own: set[str] = set()
        for sub in walk(node):
            if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                own.add(sub.name)
            elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                own.add(sub.id)
            elif isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Store):
                own.add(sub.attr)
        scan.external_subclasses[node.name] = (package, own)


def _annotated_package(node: ast.expr | None, scan: Names) -> str | None:
    """The unlisted package whose object an annotation says a value is: ``yadisk.AsyncClient``,
    ``Optional[S3Client]``, ``S3Client | None``, ``"S3Client"`` (not a collection of them,
    nor a generic's parameter: ``list[Page]`` is no page)."""
    if node is None:
        return None
    node = _annotation_tree(node)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name | ast.Attribute) \
            and ast.unparse(node.value).split(".")[-1] == "Optional":
        return _annotated_package(node.slice, scan)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _annotated_package(node.left, scan) or _annotated_package(node.right, scan)
    if isinstance(node, ast.Name | ast.Attribute):
        return external_of(node, scan)
    return _generic_package(node, scan)


def _generic_package(node: ast.expr, scan: Names) -> str | None:
    """The unlisted package whose own generic class an annotation parametrises:
    ``FileStore[Record]`` is a ``FileStore``, the package's object, whatever its parameter is
    (``list[Page]`` is no page: ``list`` is no package's class)."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name | ast.Attribute):
        return external_of(node.value, scan)
    return None


def _annotated_refs(tree: ast.Module, scan: Names) -> None:
    """What an annotation says an unlisted package gave: a parameter (``client:
    yadisk.AsyncClient``), a field or name annotated where it is declared (``self._client:
    S3Client | None = None``), and the file's own function that returns one (``def
    get_client() -> yadisk.AsyncClient``: ``get_client()`` is the client, and so is
    ``self.get_client()`` of a method). The annotation is the file's own word on where the
    object comes from, as an assignment from the package's call is (held-out yadisk-mcp's
    ``async with get_async_client() as client: await client.get_disk_info()``).

    References are tracked by name across the file, so a name the file annotates two ways
    (``pool: urllib3.PoolManager`` in one function, ``pool: httpcore.AsyncConnectionPool`` in
    another; ``def _get_session(self) -> requests.Session`` in a blocking class beside an
    ``async def _get_session`` in its asyncio twin) says nothing, and is left out."""
    said: dict[str, set[str | None]] = {}
    makers: set[str] = set()
    for node in walk(tree):
        pairs: list[tuple[str | None, ast.expr | None]] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            # (an unannotated parameter of the same name is most often the same object
            # handed on: ``async def poe_chat(botname, page)`` beside ``page: Page``)
            pairs = [(arg.arg, arg.annotation) for arg in
                     (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
                     if arg.annotation is not None]
            # not a coroutine function's return: ``await fetch()`` of ``async def fetch() ->
            # pd.DataFrame`` awaits the file's own coroutine, which says nothing of pandas
            returns = node.returns if isinstance(node, ast.FunctionDef) else None
            for maker in (node.name, f"self.{node.name}"):
                pairs.append((maker, returns))
                makers.add(maker)
        elif isinstance(node, ast.AnnAssign):
            pairs = [(reference(node.target), node.annotation)]
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            # for adapter in self.adapters.values(): a name bound with no annotation, which
            # another function's ``adapter: BaseAdapter`` does not describe
            pairs = [(sub.id, None) for sub in walk(node.target) if isinstance(sub, ast.Name)]
        for ref, annotation in pairs:
            if ref is not None:
                said.setdefault(ref, set()).add(_annotated_package(annotation, scan))
    for name, packages in said.items():
        package = next(iter(packages))
        if len(packages) == 1 and package is not None and name not in scan.kinds:
            scan.external_refs.setdefault(name, package)
            if name in makers:
                scan.external_makers.add(name)


def _external_refs(tree: ast.Module, scan: Names) -> None:
    """References assigned (or bound by ``async with … as``) what an unlisted package gave."""
    if not scan.external:
        return
    _external_subclasses(tree, scan)
    _annotated_refs(tree, scan)
    for _ in range(2):  # a reference assigned from a reference
        for node in walk(tree):
            pairs: list[tuple[ast.expr, ast.expr | None]] = []
            if isinstance(node, ast.Assign):
                pairs = [(target, node.value) for target in node.targets]
            elif isinstance(node, ast.AnnAssign):
                pairs = [(node.target, node.value)]
            elif isinstance(node, ast.AsyncWith | ast.With):
                pairs = [(item.optional_vars, item.context_expr) for item in node.items
                         if item.optional_vars is not None]
            for target, value in pairs:
                ref = reference(target)
                package = external_of(value, scan)
                if ref is not None and package is not None and ref not in scan.kinds:
                    scan.external_refs.setdefault(ref, package)


def _bound_names(tree: ast.Module) -> set[str]:
    """Every name the file binds (to know whether a bare ``asyncio`` is the module)."""
    bound: set[str] = set()
    for node in walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return bound


def callback_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def collect(tree: ast.Module, scan: Names) -> None:
    """First pass: imports, and the kinds of references assigned from known things.

    A module that reaches into a library's private methods is that library's own code (see
    :func:`reached_into`): then the names are followed again with the library as its own.
    """
    # a test module outside its package (tests/test_client.py) is its project's own too
    in_path = path_packages(scan.path)
    by_path = (in_path | (own_on_disk(scan.path) if scan.project is None
                          else own_in(scan.path, scan.project))) - {"asyncio"}
    scan.from_project = by_path - in_path
    # the imports' evidence of being a package's own module (a private submodule, a sibling
    # imported both ways) counts where the path names no package, or names that one:
    # aiochsa/pool.py's ``from .client import`` beside ``from aiohttp.client import`` is
    # aiochsa's client module and aiohttp's, not aiohttp's own code
    tops = top_level_on_disk(scan.path) if scan.project is None else scan.project
    scan.own = {top for top in own_packages(tree) if not by_path or top in by_path} | by_path \
        | sibling_modules(tree) | installed_names(tree, scan.path, tops)
    scan.namespace = namespace_folders(scan.path, tops)
    scan.split = libraries.split_packages(imported_modules(tree))
    scan.async_named = {module.split(".")[0] for module in imported_modules(tree)
                        if any(_async_named(part) for part in module.split(".")[1:])}
    _collect(tree, scan)
    reached = reached_into(tree, scan) - scan.own
    if reached and not is_script(tree, scan.path):
        own = scan.own | reached
        for table in (scan.aliases, scan.kinds, scan.factories, scan.callbacks, scan.origins,
                      scan.subclassed, scan.fixtures, scan.elements, scan.external,
                      scan.external_subclasses,
                      scan.external_refs, scan.partials, scan.tuples, scan.decorated):
            table.clear()
        scan.given.clear()
        scan.assigned.clear()
        scan.plain.clear()
        scan.subclasses.clear()
        scan.instances.clear()
        scan.fields.clear()
        scan.loop_methods.clear()
        scan.foreign.clear()
        scan.own = own
        _collect(tree, scan)


def imported_modules(tree: ast.Module) -> list[str]:
    """Every module a file imports absolutely, with ``from m import x`` as ``m.x`` too (``x``
    may be a submodule: ``from aioquic import asyncio``)."""
    found: list[str] = []
    for node in walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def reached_into(tree: ast.Module, scan: Names) -> set[str]:
    """The asyncio-only libraries whose *private* methods this file calls (``client._add()``).

    A program that uses a library calls its public API; a module that calls an object's
    ``_private`` methods is part of the library (or its twin), and a port of it is a port of
    the library, whose own names then stay as they are. Dunder methods are public protocol.
    """
    reached: set[str] = set()
    for node in walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr = node.func.attr
            if not attr.startswith("_") or attr.startswith("__"):
                continue
            held = qualname(node.func.value, scan)
            if held and held.startswith("lib:"):
                reached.add(held[4:].split(".")[0])
    return reached


def is_script(tree: ast.Module, path: str) -> bool:
    """A program rather than a module: ``__main__.py``, a top-level ``__main__`` guard, or a
    pytest module (``test_*.py``, ``*_test.py``): a package's tests call its API as its users
    do, even where they reach into its private methods (``await conn._connect()``)."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    if name.startswith(("__main__.", "test_")) or name.endswith("_test.py"):
        return True
    return any(isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)
               for node in tree.body)


#: What only a queue is called with: ``queue.Queue``'s too, but that one is never awaited.
QUEUE_ONLY = {"task_done", "put_nowait", "get_nowait", "qsize"}
#: What an asyncio queue awaits.
QUEUE_AWAITS = {"get", "put", "join"}


def queues_by_use(tree: ast.Module) -> set[str]:
    """References the file uses as an asyncio queue wherever it was made (a base class, a
    factory of the package): called with a method only a queue has (``task_done``,
    ``put_nowait``) *and* awaited on ``get``/``put``/``join``. Either alone is weaker: a
    thread's ``queue.Queue`` has the first, a key-value store's client the second."""
    called: dict[str, set[str]] = {}
    awaited: dict[str, set[str]] = {}
    for node in walk(tree):
        call = node.value if isinstance(node, ast.Await) else node
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
            ref = reference(call.func.value)
            if ref is not None:
                table = awaited if isinstance(node, ast.Await) else called
                table.setdefault(ref, set()).add(call.func.attr)
    return {ref for ref, methods in called.items()
            if methods & QUEUE_ONLY and awaited.get(ref, set()) & QUEUE_AWAITS}


#: Libraries whose queues await ``get()`` and ``put(item)`` as asyncio's do (janus's
#: ``async_q`` is an ``AsyncQueue`` proxy with asyncio.Queue's methods): in a file that
#: imports one, a queue known only by its name may be theirs.
QUEUE_TWINS = {"janus"}


def queues_by_name(tree: ast.Module) -> set[str]:
    """References named for a queue (``self.update_queue``, ``engine.send_queue``) that the
    file awaits ``get()`` on, with no argument, or ``put(item)`` on, with one: the signatures
    of ``asyncio.Queue``'s coroutines (a broker's or a store's queue takes a key, a timeout
    or an acknowledgement flag). Made elsewhere (another module, a base class), such a queue
    is asyncio's in a file that uses asyncio."""
    found: set[str] = set()
    for node in walk(tree):
        call = node.value if isinstance(node, ast.Await) else None
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute) \
                or call.keywords or len(call.args) != QUEUE_ARGUMENTS.get(call.func.attr, -1):
            continue
        ref = reference(call.func.value)
        if ref is not None and "queue" in ref.rpartition(".")[2].lower():
            found.add(ref)
    return found


#: Kinds whose objects a mapping's ``get(key)`` hands out (``self._tasks.get(key)``): not a
#: queue's or a session's, whose own ``get`` reads the same as the mapping's (a mapping of
#: mappings of queues, taken for one of queues, would make its inner ``get`` a queue's).
ITEMS_BY_KEY = {"task", "future", "cfuture", "handle", "loop", "websocket", "stream",
                "process", "event"}
#: ``asyncio.Queue``'s awaited methods → how many arguments each takes.
QUEUE_ARGUMENTS = {"get": 0, "put": 1}


#: Methods only an asyncio stream has, among those a port calls often: a reference called
#: with one is a stream wherever it came from (not feed_data: a protocol's own receiver has
#: one as often).
STREAM_USES = {"drain", "readexactly", "readuntil"}


def streams_by_use(tree: ast.Module) -> set[str]:
    """References the file uses as an asyncio stream wherever it was made (another object's
    field, a connection wrapper's ``reader``/``writer``): called with a method only a stream
    has (``await writer.drain()``), so its ``write``/``read``/``close`` are a stream's too."""
    return {ref for node in walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in STREAM_USES
            and (ref := reference(node.func.value)) is not None}


def _loop_named(name: str) -> bool:
    """A name an event loop is kept under: ``loop``, ``_loop``, ``event_loop``, also
    ``_eventloop``, ``main_loop``, ``__hook_loop`` (not ``io_loop``, tornado's IOLoop)."""
    bare = name.lstrip("_")
    return name in LOOP_PARAMS or bare in ("loop", "eventloop") or (
        bare.endswith("_loop") and bare not in ("io_loop", "ioloop"))


def handed_loops(tree: ast.Module) -> set[str]:
    """The references a file uses as an asyncio loop without showing where it came from:
    ``self.loop.create_task()``, ``loop.run_until_complete()`` (a method only an asyncio loop
    has, on a loop's usual name; a base class or a caller handed it in)."""
    found: set[str] = set()
    for node in walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in LOOP_ONLY:
            ref = reference(node.func.value)
            if ref is not None and _loop_named(ref.rpartition(".")[2]):
                found.add(ref)
            elif ref is None and isinstance(node.func.value, ast.Attribute) \
                    and node.func.value.attr in LOOP_PARAMS:
                # self._bot.loop.create_task(...): a loop another object keeps (a discord
                # bot's); an attribute reached so is one reference per file (see qualname)
                found.add(f"self.{node.func.value.attr}")
    return found


def asks_for_event_loop(tree: ast.Module) -> bool:
    """Whether a test (``test_*``) or a fixture of the file takes pytest-asyncio's
    ``event_loop`` fixture as a parameter: that name is then asyncio's loop, handed in."""
    return any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
               and (node.name.startswith("test")
                    or any("fixture" in ast.unparse(each) for each in node.decorator_list))
               and any(arg.arg == "event_loop" for arg in
                       (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs))
               for node in walk(tree))


#: Builtin classes an ``isinstance`` test names.
BUILTIN_TYPES = {"bytes", "bytearray", "memoryview", "str", "int", "float", "dict", "list",
                 "tuple", "set", "frozenset", "bool", "type", "object", "BaseException",
                 "Exception"}


def foreign_type(node: ast.expr, scan: Names, classes: set[str]) -> bool:
    """A class that is neither asyncio's nor an asyncio-only library's: one the file defines
    (``classes``), a builtin, one of the standard library's or of the file's own package
    (``nbio_interface.AbstractIOServices`` inside pika)."""
    if isinstance(node, ast.Name) and (node.id in classes or node.id in BUILTIN_TYPES):
        return True
    if not isinstance(node, ast.Attribute | ast.Name):
        return False
    name = qualname(node, scan)
    if name is None:
        root: ast.expr = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name):
            return False
        # imported from a module that is not asyncio's nor a known library's, and not from
        # a third-party package the tool may yet find asyncio's by its use (scan.external)
        return root.id in scan.foreign and root.id not in scan.external
    top = name.split(".")[0]
    return top in STDLIB and top != "asyncio"


def stdlib_bindings(tree: ast.Module) -> set[str]:
    """The names a file binds by importing the standard library, not asyncio (``Future``
    after ``from concurrent.futures import Future``, ``concurrent`` after ``import
    concurrent.futures``)."""
    found: set[str] = set()
    for each in walk(tree):
        if isinstance(each, ast.Import):
            found.update(alias.asname or alias.name.split(".")[0] for alias in each.names
                         if alias.name.split(".")[0] in STDLIB - {"asyncio"})
        elif isinstance(each, ast.ImportFrom) and not each.level and each.module \
                and each.module.split(".")[0] in STDLIB - {"asyncio"}:
            found.update(alias.asname or alias.name for alias in each.names)
    return found


def _stdlib_name(node: ast.expr, names: set[str]) -> bool:
    """Whether ``node`` names a class of the standard library's (:func:`stdlib_bindings`);
    tornado's ``Future`` is asyncio's own, no such class."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id in names


#: Words of an annotation that name no class of the package's (``typing``'s and builtins').
_TYPING_WORDS = {"Optional", "Union", "None", "Any", "List", "Dict", "Set", "Tuple", "list",
                 "dict", "set", "tuple", "type", "Type", "ClassVar", "Final", "Sequence"}
#: (the same words, for the visitor)
TYPING_WORDS = frozenset(_TYPING_WORDS)


@functools.lru_cache(maxsize=64)
def _package_classes(tree: ast.Module) -> frozenset[str]:
    """The names a module imports relatively (``from .stream_reader import TelnetReader``)
    and the classes it defines: the package's own classes."""
    names: set[str] = set()
    for node in walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
    return frozenset(names)


def _own_classes_only(annotation: ast.expr, tree: ast.Module) -> bool:
    """Whether an annotation names classes, all of them the package's own (see
    :func:`_package_classes`): ``Optional[Union[TelnetReader, TelnetReaderUnicode]]``."""
    words = [sub.id for sub in walk(annotation) if isinstance(sub, ast.Name)]
    if any(isinstance(sub, ast.Attribute | ast.Constant) and not (
            isinstance(sub, ast.Constant) and sub.value is None)
           for sub in walk(annotation)):
        return False  # asyncio.Task, "Future": a dotted or quoted name, judged elsewhere
    classes = [word for word in words if word not in _TYPING_WORDS]
    own = _package_classes(tree)
    return bool(classes) and all(word in own for word in classes)


def defined_classes_only(annotation: ast.expr | None, tree: ast.AST) -> bool:
    """Whether an annotation names classes, all of them defined in this file and none an
    event loop's subclass: ``loop: BackgroundAgentLoop | RegisteredAgentLoop`` is the file's
    own kind of loop (an agent's, a game's), whatever its name says."""
    if annotation is None or any(isinstance(sub, ast.Attribute) for sub in walk(annotation)):
        return False
    words = {sub.id for sub in walk(annotation) if isinstance(sub, ast.Name)} - _TYPING_WORDS
    defined = {node.name: node for node in walk(tree) if isinstance(node, ast.ClassDef)}
    return bool(words) and all(
        word in defined and not any("EventLoop" in ast.unparse(base)
                                    for base in defined[word].bases)
        for word in words)


def _narrowed_assigns(tree: ast.Module, scan: Names) -> set[int]:
    """The ids of :attr:`Names.narrowed` assignments."""
    classes = {each.name for each in walk(tree) if isinstance(each, ast.ClassDef)}
    found: set[int] = set()
    for node in walk(tree):
        test = node.test if isinstance(node, ast.If) else None
        if not (isinstance(test, ast.Call) and isinstance(test.func, ast.Name)
                and test.func.id == "isinstance" and len(test.args) == 2
                and isinstance(test.args[0], ast.Name)):
            continue
        types = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
        if not all(foreign_type(each, scan, classes) for each in types):
            continue
        tested = test.args[0].id
        assert isinstance(node, ast.If)
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Name) \
                    and stmt.value.id == tested:
                found.add(id(stmt))
    # def __init__(self, rx: AioPipeReader): self._rx = rx. The signature says which class the
    # parameter holds, so what it is stored under is that class's object, whatever the same
    # name holds in another function (async with pipe.open() as rx: an asyncio stream)
    for node in walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        typed = {arg.arg for arg in [*node.args.posonlyargs, *node.args.args,
                                     *node.args.kwonlyargs]
                 if annotation_kind(arg.annotation, scan)[0] is None
                 and _names_a_class(arg.annotation, scan)}
        for each in own_nodes(node):
            if typed and isinstance(each, ast.Assign) and isinstance(each.value, ast.Name) \
                    and each.value.id in typed:
                found.add(id(each))
    return found


def _class_of(annotation: ast.expr | None, scan: Names) -> str | None:
    """The asyncio class an annotation ``type[asyncio.Queue[T]]`` (``Type[...]``, optional
    or not) says calling the parameter makes: ``asyncio.Queue``."""
    if annotation is None:
        return None
    for sub in walk(_annotation_tree(annotation)):
        if isinstance(sub, ast.Subscript) and _last_name_of(sub.value) in ("type", "Type"):
            held = sub.slice.value if isinstance(sub.slice, ast.Subscript) else sub.slice
            named = qualname(held, scan) or ""
            return named if named in ANNOTATIONS and named.startswith("asyncio.") else None
    return None


def _last_name_of(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else \
        node.attr if isinstance(node, ast.Attribute) else ""


def _collect(tree: ast.Module, scan: Names) -> None:
    _imports(tree, scan)
    scan.records = {ref for each in walk(tree) if isinstance(each, ast.Assign)
                    and isinstance(each.value, ast.Tuple) for target in each.targets
                    if isinstance(target, ast.Subscript)
                    and (ref := reference(target.value)) is not None}
    scan.narrowed = _narrowed_assigns(tree, scan)
    stdlib_names = stdlib_bindings(tree)
    uses_asyncio = any(v.split(".")[0] == "asyncio" for v in scan.aliases.values())
    scan.imports_asyncio = uses_asyncio
    handed = handed_loops(tree)
    if asks_for_event_loop(tree):
        # def test_connect(event_loop): Connection(loop=event_loop): pytest-asyncio's
        # fixture is asyncio's loop, whether or not the test module imports asyncio
        handed.add("event_loop")
    scan.loop_file = uses_asyncio or bool(handed)
    for ref in handed:
        scan.kinds.setdefault(ref, "loop")  # self.loop.call_soon(...): a base class's loop
    if scan.loop_file:
        for getter in LOOP_GETTERS:
            scan.factories.setdefault(getter, "loop")
        for ref in queues_by_use(tree):
            scan.kinds.setdefault(ref, "queue")  # self.queue, made by a base class
    # A snippet that uses asyncio without importing it (the docs' examples) still means it.
    if "asyncio" not in scan.aliases and "asyncio" not in _bound_names(tree):
        scan.aliases["asyncio"] = "asyncio"
        scan.loop_file = scan.loop_file or any(
            isinstance(node, ast.Name) and node.id == "asyncio" for node in walk(tree))
    if scan.loop_file:
        for node in walk(tree):
            if isinstance(node, ast.Await) and isinstance(node.value, ast.Call) \
                    and isinstance(node.value.func, ast.Attribute) \
                    and node.value.func.attr == "serve_forever":
                node = node.value.func  # await server.serve_forever(): asyncio's
            elif isinstance(node, ast.Attribute) and node.attr == "serve_forever":
                continue  # httpd.serve_forever(): socketserver's, in a thread, as often
            if isinstance(node, ast.Attribute) and node.attr in SERVER_ONLY:
                served = reference(node.value)
                if served is not None:
                    scan.kinds.setdefault(served, "lowserver")
    #: the file's functions by name, for what its calls hand them
    defined: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
    for each in walk(tree):
        if isinstance(each, ast.FunctionDef | ast.AsyncFunctionDef):
            defined.setdefault(each.name, []).append(each)
        elif isinstance(each, ast.ClassDef):  # Protocol(queue, done): what __init__ gets
            defined.setdefault(each.name, []).extend(
                item for item in each.body
                if isinstance(item, ast.FunctionDef) and item.name == "__init__")
    # A function that returns what another of them made, through as many of them as the file
    # chains (c returns b(), which returns a(), which returns Response(r)): passes until one
    # adds none. A fixed number of passes missed a chain one longer than it, in whatever order
    # the functions were defined. The set only grows, and is at most the file's functions.
    grown = True
    while grown:
        known = len(scan.makers)
        for each in walk(tree):
            if isinstance(each, ast.FunctionDef | ast.AsyncFunctionDef):
                own = own_nodes(each)
                values = [sub.value for sub in own
                          if isinstance(sub, ast.Return) and sub.value is not None]
                if values and all(scan.remade(v) or _rebound(v, own, scan) for v in values):
                    scan.makers.add(each.name)
        grown = len(scan.makers) > known
    if any(value.split(".")[0] == "aiohttp" for value in scan.aliases.values()):
        _sessions_on_fields(tree, scan)
        _responses_by_use(tree, scan)
        for node in walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in REQUEST_ONLY \
                    and isinstance(node.value, ast.Name) and node.value.id not in scan.plain:
                # request.match_info in a middleware or a helper handed the request: only
                # aiohttp's web.Request has it (Starlette's is path_params), wherever the file
                # got the request from
                scan.kinds.setdefault(node.value.id, "web")
        for node in walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in WEBSOCKET_ONLY:
                sender = reference(node.func.value)
                if sender is not None and sender not in scan.plain:
                    # self.ws.send_str(text): only aiohttp's WebSocket spells it so
                    scan.kinds.setdefault(sender, "websocket")
    else:
        _sessions_by_shape(tree, scan)
        _responses_by_shape(tree, scan)
    # Kinds flow through assignments; three passes let a name assigned from a name resolve.
    for _ in range(3):
        for node in walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                kind, collection = annotation_kind(node.returns, scan)
                if kind and not collection:
                    scan.factories[node.name] = kind
                    if any(callback_name(d) in ("property", "cached_property")
                           for d in node.decorator_list):
                        # @property def client(self) -> aiohttp.ClientSession: self.client
                        scan.kinds.setdefault(f"self.{node.name}", kind)
                arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
                for arg in arguments:
                    made = _class_of(arg.annotation, scan)
                    if made:
                        # queue_type: type[asyncio.Queue[Message]]: calling it makes one
                        scan.factories.setdefault(arg.arg, ANNOTATIONS[made])
                        scan.classes_given.setdefault(arg.arg, made)
                    kind, collection = annotation_kind(arg.annotation, scan)
                    own_class = defined_classes_only(arg.annotation, tree)
                    if kind or (loop_param(arg.arg) and not own_class) \
                            or arg.arg in scan.fixtures:
                        scan.given.add((node.name, arg.arg))
                    if kind == "future" and not collection \
                            and scan.callbacks.get(node.name, ("", 0))[0] == "task":
                        kind = "task"  # def done(fut: Future) added to a task: it gets the task
                    if kind:
                        scan.kinds[arg.arg] = plural(kind) if collection else kind
                    elif loop_param(arg.arg) and loop_annotation(arg.annotation) \
                            and scan.loop_file and not own_class:
                        # the old `loop=None` parameter; pytest-asyncio's event_loop fixture
                        scan.kinds.setdefault(arg.arg, "loop")
                    if not kind and _names_a_class(arg.annotation, scan):
                        scan.plain.add(arg.arg)
                    if arg.arg in scan.fixtures and not kind:
                        scan.kinds.setdefault(arg.arg, scan.fixtures[arg.arg])
                fixture = any("fixture" in ast.unparse(d) for d in node.decorator_list)
                if fixture:
                    given = _returns(node, scan, yields=True)
                    if given:  # a test that asks for this fixture gets what it yields
                        scan.fixtures[node.name] = given
                for decorator in node.decorator_list:
                    wrapper = qualname(decorator.func if isinstance(decorator, ast.Call)
                                       else decorator, scan) or ""
                    # (not a pytest fixture: its name in a test is the parameter that gets
                    # what it yields, never pytest-asyncio's wrapper; a package's own test
                    # gets its own object there, ``auth.async_get_access_token()``)
                    if not fixture and wrapper.startswith("lib:") and lib_construct(wrapper) \
                            and reference(decorator.func if isinstance(decorator, ast.Call)
                                          else decorator) is not None:
                        # @app.agent(topic) async def count(...): what the library's
                        # decorator returns in the function's place is its own object
                        # (count.send(...) is the library's API, no function has send)
                        scan.decorated.setdefault(node.name, lib_construct(wrapper) or "")
                    # @pc.on("datachannel"), @routes.get("/"): a function a library's object
                    # registers gets that library's object (a channel, a request)
                    if not isinstance(decorator, ast.Call):
                        continue
                    made = qualname(decorator.func, scan)
                    if made and made.startswith("lib:") and lib_construct(made) \
                            and made.rpartition(".")[2] in EVENT_DECORATORS \
                            and reference(decorator.func) is not None:
                        scan.callbacks.setdefault(node.name, (lib_construct(made) or "", 1))
                    elif made and made.startswith("web."):
                        scan.callbacks.setdefault(node.name, ("web", 1))
                passed = scan.callbacks.get(node.name)
                if passed:
                    plain = [a for a in node.args.args if a.arg not in ("self", "cls")]
                    for arg in plain[:passed[1]]:
                        scan.kinds.setdefault(arg.arg, passed[0])
                        scan.given.add((node.name, arg.arg))
                parts = _tuple_returns(node, scan)
                if parts:
                    scan.tuples.setdefault(node.name, parts)
                if node.name not in scan.factories:
                    returned = _returns(node, scan)
                    if returned:
                        scan.factories[node.name] = returned
                        if any(ast.unparse(d) in ("property", "functools.cached_property",
                                                  "cached_property")
                               for d in node.decorator_list):
                            scan.kinds.setdefault(f"self.{node.name}", returned)
            elif isinstance(node, ast.ClassDef):
                _web_view(node, scan)
                _protocol_callbacks(node, scan)
                _library_subclass(node, scan)
                _class_fields(node, scan)
            elif isinstance(node, ast.Call):
                setting = _set_attribute(node)
                if setting is not None:
                    # object.__setattr__(self, "session", ClientSession()): an assignment to
                    # self.session, spelled for a frozen class
                    _assign(ast.Assign(targets=[setting[0]], value=setting[1],
                                       lineno=node.lineno), scan)
                _hand_in(node, defined, scan)
                called = qualname(node.func, scan)
                if called in ("asyncio.start_server", "asyncio.start_unix_server") and (
                        node.args or node.keywords):
                    callback: ast.expr | None = node.args[0] if node.args else next(
                        (k.value for k in node.keywords if k.arg == "client_connected_cb"),
                        None)
                    name = callback_name(callback) if callback is not None else None
                    name = scan.partials.get(name or "", name)
                    if name:
                        scan.callbacks[name] = ("stream", 2)
                elif called and (called.startswith("web.") or called.startswith("aiohttp.web.")):
                    for value in node.args:  # app.router.add_get("/", handler)
                        name = callback_name(value)
                        if name:
                            scan.callbacks.setdefault(name, ("web", 1))
                elif called in PROTOCOL_FACTORIES:
                    factory = node.args[0] if node.args else next(
                        (k.value for k in node.keywords if k.arg == "protocol_factory"), None)
                    if isinstance(factory, ast.Lambda):
                        factory = factory.body  # lambda: EchoProtocol(message, done)
                    if isinstance(factory, ast.Call):
                        factory = factory.func
                    if isinstance(factory, ast.Name):
                        scan.protocols.add(factory.id)
                elif called in ("task.add_done_callback", "future.add_done_callback") \
                        and node.args:
                    # the callback is handed the task (or future) it was added to
                    name = callback_name(node.args[0])
                    if name:
                        scan.callbacks.setdefault(name, (called.partition(".")[0], 1))
                elif called and called.startswith("lib:") and lib_construct(called) \
                        and not (isinstance(node.func, ast.Attribute)
                                 and node.func.attr in SYNC_CALLBACKS):
                    # serve(handler), subscribe(cb=handler): a function an asyncio-only
                    # library calls back gets the library's object (a connection, a message)
                    for value in [*node.args, *(k.value for k in node.keywords)]:
                        name = callback_name(value)
                        if name:
                            scan.callbacks.setdefault(name, (lib_construct(called) or "", 1))
            elif isinstance(node, ast.Attribute) and node.attr in ("stop", "add_signal_handler"):
                if qualname(node.value, scan) == "loop":
                    # loop.stop, called or handed on; or a signal handler, which is what
                    # stops a loop that runs forever (partial(app.stop), a shutdown task)
                    scan.loop_methods.add("stop")
            elif isinstance(node, ast.AnnAssign):
                _queue_elements(node, scan)
                kind, collection = annotation_kind(node.annotation, scan)
                if kind == "future" and not collection and node.value is not None \
                        and qualname(node.value, scan) == "task":
                    kind = "task"  # t: Future = ensure_future(coro): a task, typed loosely
                if kind:
                    bind(node.target, plural(kind) if collection else kind, scan)
                    _ordered_by_annotation(node, kind, collection, scan)
                elif _collects_a_class(node.annotation, scan) and reference(node.target):
                    # self.tasks: set[Task], the file's own Task: what it holds is not
                    # asyncio's, whatever a name added to it is elsewhere in the file
                    scan.plain.add(reference(node.target) or "")
                elif reference(node.target) and _own_classes_only(node.annotation, tree):
                    # self.reader: Optional[TelnetReader], the package's own reader class
                    # (imported relatively): its feed_eof() is that class's, not asyncio's
                    scan.plain.add(reference(node.target) or "")
                elif node.value is not None:
                    bind(node.target, qualname(node.value, scan), scan)
                    if isinstance(node.value, ast.Call) and reference(node.target) \
                            and qualname(node.value, scan) is None \
                            and _names_a_class(node.value.func, scan) \
                            and _stdlib_name(node.value.func, stdlib_names):
                        # fut: Future[int] = Future(), concurrent.futures' own: that class's
                        # object, as after a plain ``=`` (see _assign)
                        scan.plain.add(reference(node.target) or "")
            elif isinstance(node, ast.NamedExpr):
                bind(node.target, qualname(node.value, scan), scan)  # (task := current_task())
            elif isinstance(node, ast.Assign) and id(node) in scan.narrowed:
                pass  # nbio = custom_ioloop under isinstance(custom_ioloop, OwnClass)
            elif isinstance(node, ast.Assign):
                _assign(node, scan)
                _store_item(node, scan)

            elif isinstance(node, ast.AsyncWith | ast.With):
                for item in node.items:
                    if item.optional_vars is not None:
                        kind = qualname(item.context_expr, scan)
                        if kind == "lib:async_timeout":
                            kind = None
                        elif kind == "aiofilectx":
                            kind = "aiofile"  # async with file_ctx as f: the open file
                        bind(item.optional_vars, kind, scan)
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                kind = qualname(node.iter, scan)
                if kind is None and isinstance(node.iter, ast.Tuple | ast.List) \
                        and node.iter.elts:
                    # for task in (self._reader, self._keepalive): each of the objects the
                    # file spells out, when they are all of one kind (tasks kept on self)
                    kinds = {qualname(each, scan) for each in node.iter.elts}
                    only = kinds.pop() if len(kinds) == 1 else None
                    kind = plural(only) if only is not None else None
                if kind == "websocket" and isinstance(node, ast.AsyncFor):
                    bind(node.target, "wsmessage", scan)  # async for msg in ws: a WSMessage
                elif element(kind) is not None:
                    bind(node.target, element(kind), scan)
                elif kind and kind.startswith("lib:") and (
                        isinstance(node, ast.AsyncFor)
                        or (isinstance(node, ast.comprehension) and node.is_async)
                        or isinstance(node.iter, ast.Name | ast.Attribute | ast.Await)):
                    # async for message in queue_iter: what an asyncio-only library's
                    # iterator yields is its own (a message to ack, a record); and so is
                    # what a plain for takes from a value the library gave (updates =
                    # await bot.get_updates(); for update in updates)
                    bind(node.target, lib_construct(kind), scan)
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                _grow(node.value, scan)
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Await) \
                    and isinstance(node.value.value, ast.Call):
                _grow(node.value.value, scan)  # await queue.put(task): put is a coroutine
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        kind = qualname(value, scan)
                        if kind in KNOWN_KINDS:  # {"future": task}: details["future"]
                            scan.kinds[f"*[{ast.unparse(key)}]"] = kind
    if scan.loop_file:
        for ref in streams_by_use(tree):
            head, dot, _ = ref.partition(".")
            if ref not in scan.plain and ref not in ("self", "cls") and not (
                    dot and head not in ("self", "cls") and head in scan.kinds):
                # writer = conn.writer; await writer.drain(): a stream, however it came (not
                # the class's own self.drain(), nor proc.stdin of a process the file knows)
                scan.kinds.setdefault(ref, "stream")
    if scan.imports_asyncio and not QUEUE_TWINS & {
            module.split(".")[0] for module in imported_modules(tree)}:
        for ref in queues_by_name(tree):
            head, dot, _ = ref.partition(".")
            if ref not in scan.plain and ref not in scan.kinds and not (
                    dot and head not in ("self", "cls") and head in scan.kinds):
                # self.update_queue, made elsewhere: await self.update_queue.put(update)
                scan.kinds[ref] = "queue"
    _external_refs(tree, scan)


#: A loop's methods that make a protocol from a factory, their first argument.
PROTOCOL_FACTORIES = {"loop.create_connection", "loop.create_server", "loop.create_unix_server",
                      "loop.create_unix_connection", "loop.create_datagram_endpoint",
                      "loop.connect_read_pipe", "loop.connect_write_pipe", "loop.subprocess_exec",
                      "loop.subprocess_shell", "loop.connect_accepted_socket"}
#: The methods the loop calls on a protocol (``asyncio.BaseProtocol`` and its subclasses).
PROTOCOL_METHODS = {"connection_made", "connection_lost", "data_received", "eof_received",
                    "datagram_received", "error_received", "pause_writing", "resume_writing",
                    "get_buffer", "buffer_updated", "pipe_data_received",
                    "pipe_connection_lost", "process_exited"}
#: A protocol's callback → which of its parameters is the transport it is handed.
PROTOCOL_CALLBACKS = {"connection_made": 0}


def _protocol_callbacks(node: ast.ClassDef, scan: Names) -> None:
    """A protocol's ``connection_made(self, transport)``: the transport is the loop's (or an
    asyncio-only library's, for a protocol class of that library), whatever the name."""
    kind = "transport" if node.name in scan.protocols else None
    for base in node.bases:
        name = qualname(base, scan) or ""
        if name.startswith("asyncio.") and name.endswith("Protocol"):
            kind = "transport"
        elif name.startswith("lib:") and lib_construct(name):
            # a library's protocol-like class (asyncssh's SSHServerSession, aioquic's
            # QuicConnectionProtocol): connection_made hands it the library's channel
            kind = lib_construct(name)
    if kind is None:
        return
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and item.name in PROTOCOL_CALLBACKS:
            params = [a for a in item.args.args if a.arg not in ("self", "cls")]
            at = PROTOCOL_CALLBACKS[item.name]
            if len(params) > at:
                scan.kinds.setdefault(params[at].arg, kind)
                scan.given.add((item.name, params[at].arg))


#: What a subclass of an aiohttp.web class inherits that holds the server's own objects: a
#: view's ``self.request``, an Application's ``self.router``. Any other inherited field (a
#: response's ``self.headers``, its private ``self._req``) is plain data the class reads or
#: fills, like a field read on any of the library's objects (the corpus README's settled case).
WEB_INHERITED = {"request", "app", "router", "config_dict"}


def _web_view(node: ast.ClassDef, scan: Names) -> None:
    """``class V(web.View)``: what the view reads on ``self`` and does not keep itself
    (``self.request``) is aiohttp's server object, whose methods called are its API and whose
    fields read are plain data, like a handler's ``request``."""
    if not any((qualname(base, scan) or "").startswith("aiohttp.web.") for base in node.bases):
        return
    own = {sub.attr for sub in walk(node) if isinstance(sub, ast.Attribute)
           and isinstance(sub.ctx, ast.Store) and isinstance(sub.value, ast.Name)
           and sub.value.id == "self"}
    own |= {item.name for item in node.body
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)}
    for sub in walk(node):
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) \
                and sub.value.id == "self" and sub.attr in WEB_INHERITED - own \
                and isinstance(sub.ctx, ast.Load):
            scan.kinds.setdefault(f"self.{sub.attr}", "web")


def _class_fields(node: ast.ClassDef, scan: Names) -> None:
    """``queue: asyncio.Queue = field(default_factory=asyncio.Queue)`` in a class body (a
    dataclass field, a class attribute): what its methods reach as ``self.queue``."""
    for stmt in node.body:
        if not isinstance(stmt, ast.AnnAssign | ast.Assign):
            continue
        targets = [stmt.target] if isinstance(stmt, ast.AnnAssign) else stmt.targets
        kind, collection = annotation_kind(stmt.annotation, scan) \
            if isinstance(stmt, ast.AnnAssign) else (None, False)
        value = stmt.value
        if kind is None and isinstance(value, ast.Call) and not value.args and any(
                k.arg == "default_factory" for k in value.keywords):
            factory = next(k.value for k in value.keywords if k.arg == "default_factory")
            kind = RETURNS.get(qualname(factory, scan) or "")
        elif kind is None and value is not None:
            kind = qualname(value, scan)
        kind = plural(kind) if kind and collection else kind
        for target in targets:
            if isinstance(target, ast.Name) and kind and f"self.{target.id}" not in scan.kinds:
                bind(ast.Attribute(ast.Name("self", ast.Load()), target.id, ast.Store()),
                     kind, scan)


def _hand_in(call: ast.Call, defined: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]],
             scan: Names) -> None:
    """``worker(name, queue)``, ``self.handle(conn)``: a function of this file called with an
    asyncio object or a library's gets it in that parameter (the first call that says wins)."""
    func = call.func
    last = func.id if isinstance(func, ast.Name) else \
        func.attr if isinstance(func, ast.Attribute) else ""
    at = HANDS_ON.get("partial" if last == "partial" else qualname(func, scan) or "", -1)
    if at >= 0 and len(call.args) > at:
        # loop.call_soon(cb, loop), functools.partial(handler, queue): the callback's
        # arguments come after it
        func, call = call.args[at], ast.Call(call.args[at], call.args[at + 1:], [])
    name = func.id if isinstance(func, ast.Name) else func.attr \
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
        and func.value.id in ("self", "cls") else None
    if name is None or name not in defined:
        return
    for target in defined[name]:
        params = [*target.args.posonlyargs, *target.args.args]
        if params and params[0].arg in ("self", "cls"):
            params = params[1:]
        named = {a.arg: a for a in [*params, *target.args.kwonlyargs]}
        handed: list[tuple[ast.arg, ast.expr]] = []
        for param, value in zip(params, call.args, strict=False):  # defaults, *args
            if isinstance(value, ast.Starred):
                break
            handed.append((param, value))
        handed += [(named[k.arg], k.value) for k in call.keywords if k.arg in named]
        for param, value in handed:
            if param.annotation is not None and not _says_nothing(param.annotation):
                continue  # what the signature says wins
            kind = qualname(value, scan)
            if kind and (kind in KNOWN_KINDS or lib_construct(kind) == kind):
                scan.kinds.setdefault(param.arg, kind)
                scan.given.add((target.name, param.arg))


def _plain_class(annotation: ast.expr | None, scan: Names) -> bool:
    """Whether ``annotation`` names one class of a third-party package that is neither
    asyncio's nor a library's (:func:`external_of`: ``Session`` from sqlmodel,
    ``Optional[Session]``, ``Session | None``), or of the blocking side of a package whose
    asyncio side is listed (``redis.Redis`` beside ``redis.asyncio.Redis``): not ``Any``, not
    a generic, not the file's own class or its package's (whose fields may hold a library's
    objects in turn)."""
    if annotation is None or _says_nothing(annotation):
        return False
    node = _annotation_tree(annotation)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name | ast.Attribute) \
            and ast.unparse(node.value).split(".")[-1] == "Optional":
        node = _annotation_tree(node.slice)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr) and _none_literal(node.right):
        node = node.left
    return isinstance(node, ast.Name | ast.Attribute) and annotation_kind(node, scan)[0] is None \
        and (external_of(node, scan) is not None
             or (qualname(node, scan) or "").startswith("pkg:"))


def _none_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def plainly_typed_fields(node: ast.ClassDef, scan: Names,
                         tree: ast.AST | None = None) -> set[str]:
    """The fields a class types as another class's object, neither asyncio's nor a
    library's: ``session: Session`` in its body, ``self.session: Session = ...`` in its
    ``__init__``, or ``self.session = session`` there with the parameter annotated
    ``session: Session``; and those of its bases that ``tree`` (the file) defines, where the
    class does not store the field itself. In that class ``self.session`` is that object,
    whatever another class of the file keeps under the same name (fastapi-users' blocking
    ``SQLModelUserDatabase`` beside its ``AsyncSession`` twin: fields are one reference per
    file, :func:`reference`)."""
    fields = _typed_fields(node, scan)
    if tree is not None:
        stored = {sub.attr for sub in walk(node) if isinstance(sub, ast.Attribute)
                  and isinstance(sub.ctx, ast.Store) and reference(sub) == f"self.{sub.attr}"}
        bases = {expr.id for expr in node.bases if isinstance(expr, ast.Name)}
        for other in walk(tree):
            if isinstance(other, ast.ClassDef) and other.name in bases:
                fields |= _typed_fields(other, scan) - stored
    return fields


def _typed_fields(node: ast.ClassDef, scan: Names) -> set[str]:
    """:func:`plainly_typed_fields` of the class alone."""
    fields: set[str] = set()
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) \
                and _plain_class(stmt.annotation, scan):
            fields.add(stmt.target.id)
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name == "__init__":
            arguments = [*stmt.args.posonlyargs, *stmt.args.args, *stmt.args.kwonlyargs]
            typed = {a.arg for a in arguments if _plain_class(a.annotation, scan)}
            for sub in own_nodes(stmt):
                if isinstance(sub, ast.Assign) and len(sub.targets) == 1 \
                        and isinstance(sub.value, ast.Name) and sub.value.id in typed \
                        and reference(sub.targets[0]) == f"self.{_last_name_of(sub.targets[0])}":
                    fields.add(_last_name_of(sub.targets[0]))
                elif isinstance(sub, ast.AnnAssign) \
                        and reference(sub.target) == f"self.{_last_name_of(sub.target)}" \
                        and _plain_class(sub.annotation, scan):
                    fields.add(_last_name_of(sub.target))
    return fields


def _says_nothing(annotation: ast.expr) -> bool:
    """``Any``, ``typing.Any``, ``object`` (or in quotes): an annotation that names no type, so
    it says nothing of what a parameter gets, and what the file's calls hand it still does
    (``async def _run(self, socket: Any)`` called with a websocket the file opened)."""
    return ast.unparse(_annotation_tree(annotation)) in ("Any", "typing.Any", "object")


def _library_subclass(node: ast.ClassDef, scan: Names) -> None:
    """``class Bot(slixmpp.ClientXMPP)``: an instance is the library's object, and its methods
    the library's API, except those the class itself defines or stores on ``self``."""
    for base in node.bases:
        lib = lib_construct(qualname(base, scan) or "")
        if lib is None:
            continue
        scan.factories.setdefault(node.name, lib)
        scan.subclasses.add(node.name)
        own = scan.subclassed.setdefault(lib, set())
        for sub in walk(node):
            if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef):
                own.add(sub.name)
            elif isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Store) \
                    and isinstance(sub.value, ast.Name) and sub.value.id == "self":
                own.add(sub.attr)
        return


def _returns(node: ast.FunctionDef | ast.AsyncFunctionDef, scan: Names,
             yields: bool = False) -> str | None:
    """The kind a function returns when every ``return`` in its own body returns one kind
    (with ``yields``, every ``yield`` too: what a pytest fixture hands its tests)."""
    kinds: set[str | None] = set()
    todo: list[ast.AST] = list(node.body)
    while todo:
        each = todo.pop()
        if isinstance(each, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                      | ast.Lambda):
            continue
        if (isinstance(each, ast.Return) or (yields and isinstance(each, ast.Yield))) \
                and each.value is not None:
            if isinstance(each.value, ast.Constant) and each.value.value is None:
                continue
            if _rebound(each.value, own_nodes(node), scan) \
                    and qualname(each.value, scan) in ("response", "session", "websocket", "web"):
                kinds.add(None)  # response = await wrap(response); return response
                continue
            kinds.add(qualname(each.value, scan))
        todo.extend(ast.iter_child_nodes(each))
    if len(kinds) == 1:
        kind = kinds.pop()
        if kind in KNOWN_KINDS or (kind and lib_construct(kind) == kind):
            return kind  # a loop, a task; or a library's object (return await lib.connect())
    return None


def _sessions_on_fields(tree: ast.Module, scan: Names) -> None:
    """``self.config.session.request(...)``, ``hub._session.ws_connect(...)``,
    ``self.session.get(url=u)``: in a file that imports aiohttp, a field named for a session
    that makes requests is aiohttp's session, wherever the file got it (a configuration
    object, another object's field, a base class). Attributes are one reference per file
    (:func:`qualname`): ``self.session`` stands for each of them. Not a field the file binds
    to an object of a class it imports from neither asyncio nor a library (``self.session =
    requests.Session()``, the package's own ``HttpSession(...)``): its requests are that
    class's, whatever the field is named (a class the file defines may subclass aiohttp's)."""
    defined = {node.name for node in walk(tree) if isinstance(node, ast.ClassDef)}
    bound = {reference(target) for node in walk(tree) if isinstance(node, ast.Assign)
             and isinstance(node.value, ast.Call) and _names_a_class(node.value.func, scan)
             and not (isinstance(node.value.func, ast.Name) and node.value.func.id in defined)
             for target in node.targets}
    for node in walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in HTTP_METHODS | WEBSOCKET_METHODS \
                and (node.args or any(k.arg == "url" for k in node.keywords)) \
                and isinstance(node.func.value, ast.Attribute) \
                and re.fullmatch(r"_?([a-z]+_)?session", node.func.value.attr):
            root = node.func.value.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and f"self.{node.func.value.attr}" not in bound:
                scan.kinds.setdefault(f"self.{node.func.value.attr}", "session")
    # async with session.get(url) as resp, await session.post(url): a plain name for a
    # session (a parameter) whose requests are awaited or entered is aiohttp's, in the
    # function that does so too where the file binds that name to a session elsewhere; a
    # blocking twin's requests.Session, which a file may keep beside it, is neither
    for function in walk(tree):
        if not isinstance(function, ast.AsyncFunctionDef):
            continue
        own = list(walk(function))
        calls = [item.context_expr for each in own if isinstance(each, ast.AsyncWith)
                 for item in each.items] + [each.value for each in own
                                            if isinstance(each, ast.Await)]
        params = {a.arg for a in [*function.args.posonlyargs, *function.args.args,
                                  *function.args.kwonlyargs]}
        for call in calls:
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                    and call.func.attr in HTTP_METHODS | WEBSOCKET_METHODS \
                    and (call.args or any(k.arg == "url" for k in call.keywords)) \
                    and isinstance(call.func.value, ast.Name) \
                    and re.fullmatch(r"_?([a-z]+_)?session", call.func.value.id) \
                    and call.func.value.id not in scan.plain:
                scan.kinds.setdefault(call.func.value.id, "session")
                if call.func.value.id in params:
                    scan.given.add((function.name, call.func.value.id))


def _sessions_by_shape(tree: ast.Module, scan: Names) -> None:
    """``async with self.session.post(url) as response: await response.json()`` in a module
    that imports no aiohttp (the session comes from a base class or a caller): a request
    entered, or awaited, whose response's body is then awaited, is aiohttp's shape alone.
    httpx enters no request (its streaming is ``client.stream(...)``) and reads ``r.text``
    and ``r.json()`` without ``await``; requests awaits nothing."""
    for function in walk(tree):
        if not isinstance(function, ast.AsyncFunctionDef):
            continue
        own = list(walk(function))
        bodies = {reference(sub.value.func.value) for sub in own
                  if isinstance(sub, ast.Await) and isinstance(sub.value, ast.Call)
                  and isinstance(sub.value.func, ast.Attribute)
                  and sub.value.func.attr in RESPONSE_AWAITS and not sub.value.args}
        made: list[tuple[ast.expr, ast.expr]] = []  # (the request, the response's name)
        for sub in own:
            if isinstance(sub, ast.AsyncWith):
                made.extend((item.context_expr, item.optional_vars) for item in sub.items
                            if item.optional_vars is not None)
            elif isinstance(sub, ast.Assign) and len(sub.targets) == 1 \
                    and isinstance(sub.value, ast.Await):
                made.append((sub.value.value, sub.targets[0]))
        for call, target in made:
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                    and call.func.attr in HTTP_METHODS \
                    and (call.args or any(k.arg == "url" for k in call.keywords)) \
                    and reference(target) in bodies:
                held = call.func.value
                # self.bot.session: a field is one reference per file, whoever holds it (as
                # in _sessions_on_fields)
                fields = [f"self.{held.attr}"] if isinstance(held, ast.Attribute) else []
                for session in [reference(held), *fields]:
                    if session is not None and session not in scan.plain \
                            and re.fullmatch(r"_?\w*session", session.rpartition(".")[2]):
                        scan.kinds.setdefault(session, "session")


#: What only an aiohttp response's body stream does, awaited (httpx's response has no
#: ``content`` stream to read lines from: it iterates ``aiter_lines()``).
CONTENT_READS = {"readline", "readany", "readchunk", "readexactly", "iter_chunked",
                 "iter_any", "at_eof"}


def _responses_by_shape(tree: ast.Module, scan: Names) -> None:
    """``line = await self.resp.content.readline()``, ``self.resp.release()``: in a module
    that imports no aiohttp (the response comes from a caller's request), a reference named
    for a response that reads its body stream so, or is released, is aiohttp's response."""
    for node in walk(tree):
        call = node.value if isinstance(node, ast.Await) else node
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            continue
        held = call.func.value
        if call.func.attr in RESPONSE_ONLY and not isinstance(node, ast.Await) \
                and not call.args:
            ref = reference(held)
        elif call.func.attr in CONTENT_READS and isinstance(held, ast.Attribute) \
                and held.attr == "content":
            ref = reference(held.value)
        else:
            continue
        if ref is not None and ref not in scan.plain \
                and re.fullmatch(r"_?(res|resp|response|\w+_(resp|response))",
                                 ref.rpartition(".")[2]):
            scan.kinds.setdefault(ref, "response")


#: Fields only aiohttp's server request has (Starlette spells them ``path_params``, ``url``).
REQUEST_ONLY = {"match_info", "rel_url"}
#: Methods only aiohttp's WebSocket has (Starlette's spells them send_text/receive_text).
WEBSOCKET_ONLY = {"send_str", "receive_str"}
#: What an aiohttp response is awaited for (httpx's and requests' bodies are not awaited), and
#: what only it has (release: httpx's is aclose).
RESPONSE_AWAITS = {"json", "text", "read"}
RESPONSE_ONLY = {"release"}


def _responses_by_use(tree: ast.Module, scan: Names) -> None:
    """``resp = await self._request(...)`` then ``await resp.json()``, ``self.response.release()``:
    in a file that imports aiohttp, a reference named for a response (``resp``, ``res``,
    ``self.response``, ``r_data``) whose body is awaited, or that is released, is aiohttp's
    response wherever it came from (a package's own wrapper of the session's request), so
    its ``status`` and ``content`` are the client's fields httpx spells otherwise."""
    for node in walk(tree):
        call = node.value if isinstance(node, ast.Await) else node
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            continue
        method = call.func.attr
        if not ((isinstance(node, ast.Await) and method in RESPONSE_AWAITS)
                or (not isinstance(node, ast.Await) and method in RESPONSE_ONLY)):
            continue
        ref = reference(call.func.value)
        if ref is not None and ref not in scan.plain \
                and re.fullmatch(r"_?(res|resp|response|r_data|\w+_(resp|response))",
                                 ref.rpartition(".")[2]) \
                and ref.partition(".")[0] not in ("request", "req"):
            scan.kinds.setdefault(ref, "response")


def _rebound(value: ast.expr, statements: list[ast.AST], scan: Names) -> bool:
    """Whether ``value`` is a name that ``statements`` (a function's own) bind to the file's
    own kind of object (:meth:`Names.remade`): ``response = await wrap(response)``."""
    return isinstance(value, ast.Name) and any(
        isinstance(sub, ast.Assign) and scan.remade(sub.value)
        and any(isinstance(t, ast.Name) and t.id == value.id for t in sub.targets)
        for sub in statements)


def _tuple_returns(node: ast.FunctionDef | ast.AsyncFunctionDef,
                   scan: Names) -> tuple[str | None, ...] | None:
    """The kinds of the tuple a function returns: from its annotation (``-> Tuple[
    asyncio.StreamReader, asyncio.StreamWriter]``), else from a ``return a, b`` of its own
    body whose parts have kinds. ``None`` when no part has a kind."""
    returns = _annotation_tree(node.returns) if node.returns is not None else None
    if isinstance(returns, ast.Subscript) and isinstance(returns.slice, ast.Tuple) \
            and callback_name(returns.value) in ("Tuple", "tuple"):
        kinds = tuple(annotation_kind(each, scan)[0] for each in returns.slice.elts)
        if any(kinds):
            return kinds
    for each in own_nodes(node):
        if isinstance(each, ast.Return) and isinstance(each.value, ast.Tuple) \
                and not any(isinstance(e, ast.Starred) for e in each.value.elts):
            kinds = tuple(qualname(e, scan) for e in each.value.elts)
            kinds = tuple(k if k in KNOWN_KINDS else None for k in kinds)
            if any(kinds):
                return kinds
    return None


def _names_a_class(node: ast.expr | None, scan: Names) -> bool:
    """An annotation or a call's function that names a class neither asyncio nor a library
    has (``"RetryCallState"``, ``models.Job``): by Python's convention, a capitalised name."""
    if node is None:
        return False
    node = _annotation_tree(node)
    if not isinstance(node, ast.Name | ast.Attribute) or qualname(node, scan) is not None:
        return False
    last = node.id if isinstance(node, ast.Name) else node.attr
    return last.lstrip("_")[:1].isupper() and last not in ("Any", "Optional", "Union", "Callable")


#: Mapping types, whose annotation names its keys, then its values.
MAPPINGS = {"dict", "Dict", "Mapping", "MutableMapping", "DefaultDict", "defaultdict",
            "OrderedDict", "WeakValueDictionary", "WeakKeyDictionary"}
#: Containers whose annotation names what they hold (``set[Job]``, ``dict[str, Job]``).
CONTAINERS = {"set", "list", "dict", "deque", "Set", "List", "Dict", "Deque", "MutableSet",
              "WeakSet", "frozenset", "FrozenSet", "Sequence", "Iterable"}


def _collects_a_class(node: ast.expr | None, scan: Names) -> bool:
    """``set[Job]``, ``dict[str, Job]``: a container annotated as holding a class neither
    asyncio nor a library has (:func:`_names_a_class`), its values for a dict."""
    if node is None:
        return False
    node = _annotation_tree(node)
    if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name | ast.Attribute)
            and (node.value.id if isinstance(node.value, ast.Name) else node.value.attr)
            in CONTAINERS):
        return False
    held = node.slice.elts[-1] if isinstance(node.slice, ast.Tuple) and node.slice.elts \
        else node.slice
    return _names_a_class(held, scan)


def _store_item(node: ast.Assign, scan: Names) -> None:
    """``self.tasks[name] = asyncio.create_task(...)``: a plain dict becomes one of tasks."""
    for target in node.targets:
        if isinstance(target, ast.Subscript):
            ref = reference(target.value)
            kind = qualname(node.value, scan)
            if ref is not None and kind in COLLECTED and ref not in scan.kinds:
                scan.kinds[ref] = f"{kind}s"


def _ordered_by_annotation(node: ast.AnnAssign, kind: str, collection: bool,
                           scan: Names) -> None:
    """``self._queue: asyncio.PriorityQueue[...]``: the annotation says which queue it is, as
    the call that makes one does (its put and get are the priority-queue row)."""
    annotation = _annotation_tree(node.annotation)
    outer = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    made = qualname(outer, scan)
    ref = reference(node.target)
    if kind == "queue" and not collection and ref is not None \
            and made in ("asyncio.PriorityQueue", "asyncio.LifoQueue"):
        scan.origins.setdefault(ref, made)


def _queue_elements(node: ast.AnnAssign, scan: Names) -> None:
    """``self._failed: asyncio.Queue[Optional[asyncio.Task[object]]]``: what get() gives."""
    annotation = _annotation_tree(node.annotation)
    ref = reference(node.target)
    if ref is None or not isinstance(annotation, ast.Subscript) \
            or ANNOTATIONS.get(qualname(annotation.value, scan) or "") != "queue":
        return
    kind, collection = annotation_kind(annotation.slice, scan)
    if kind in COLLECTED and not collection:
        scan.elements.setdefault(ref, kind)


def _grow(call: ast.Call, scan: Names) -> None:
    """``tasks.add(task)``/``append``: a plain list or set becomes a collection of tasks;
    ``queue.put_nowait(task)`` or ``await queue.put(task)``: what its ``get()`` gives is a task."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in ("add", "append") and call.args:
        ref = reference(func.value)
        kind = qualname(call.args[0], scan)
        if ref is not None and kind in KNOWN_KINDS and ref not in scan.kinds \
                and ref not in scan.plain:
            scan.kinds[ref] = f"{kind}s"
    if isinstance(func, ast.Attribute) and func.attr in ("put", "put_nowait") and call.args \
            and qualname(func.value, scan) == "queue":
        ref = reference(func.value)
        kind = qualname(call.args[0], scan)
        if ref is not None and kind in COLLECTED:
            scan.elements.setdefault(ref, kind)  # queue.put_nowait(task): a queue of tasks


def _set_attribute(call: ast.Call) -> tuple[ast.Attribute, ast.expr] | None:
    """``setattr(obj, "name", value)``, ``object.__setattr__(obj, "name", value)``: the
    attribute it assigns (``obj.name``) and the value."""
    named = ast.unparse(call.func)
    if named not in ("setattr", "object.__setattr__") or len(call.args) != 3 \
            or not isinstance(call.args[1], ast.Constant) \
            or not isinstance(call.args[1].value, str) \
            or not call.args[1].value.isidentifier():
        return None
    target = ast.Attribute(value=call.args[0], attr=call.args[1].value, ctx=ast.Store())
    ast.copy_location(target, call)
    return target, call.args[2]


def _partial(node: ast.Assign, scan: Names) -> None:
    """``start = partial(asyncio.start_server, port=p)``: ``start(cb)`` is asyncio's call;
    ``cb = partial(handle, factory=f)``: what calls ``cb`` back calls ``handle``;
    ``self._request = partial(self.session.post, url)``: ``self._request(data=d)`` is the
    session's request, which gives its response."""
    value = node.value
    if isinstance(value, ast.Call) and value.args and len(node.targets) == 1 \
            and isinstance(node.targets[0], ast.Attribute) \
            and callback_name(value.func) == "partial" and reference(node.targets[0]):
        inner = qualname(value.args[0], scan)
        if inner and inner.rpartition(".")[0] in KNOWN_KINDS:
            scan.kinds.setdefault(reference(node.targets[0]) or "", inner)
        return
    if not (isinstance(value, ast.Call) and value.args and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and callback_name(value.func) == "partial"):
        return
    inner = qualname(value.args[0], scan)
    if inner and inner.split(".")[0] in MODULES:
        scan.aliases.setdefault(node.targets[0].id, inner)
    elif isinstance(value.args[0], ast.Name | ast.Attribute):
        scan.partials.setdefault(node.targets[0].id, callback_name(value.args[0]) or "")


def _assign(node: ast.Assign, scan: Names) -> None:
    value = node.value
    _partial(node, scan)
    if isinstance(value, ast.Attribute) and len(node.targets) == 1 \
            and isinstance(node.targets[0], ast.Name):
        named = qualname(value, scan) or ""
        if named.split(".")[0] == "asyncio" and named.count(".") >= 1 \
                and named.rpartition(".")[2][:1].islower() \
                and named.rpartition(".")[2] not in ("iscoroutine", "iscoroutinefunction"):
            # _current_task = asyncio.current_task: the file's name for asyncio's function,
            # whose calls change as asyncio's do (inspect's iscoroutine* are drop-ins: the
            # alias line is the whole port, as the concept map's row says)
            scan.aliases.setdefault(node.targets[0].id, named)
    if isinstance(value, ast.Attribute | ast.Subscript) and len(node.targets) == 1 \
            and isinstance(node.targets[0], ast.Name):
        typed = qualname(value.value if isinstance(value, ast.Subscript) else value, scan) or ""
        if typed.split(".")[0] == "asyncio" and typed.count(".") == 1 \
                and typed.rpartition(".")[2][:1].isupper():
            # Q = asyncio.Queue[dict], Loop = asyncio.AbstractEventLoop: a type alias, so an
            # annotation that names it (queue: Q, -> Q, set[Q]) names asyncio's class
            scan.aliases.setdefault(node.targets[0].id, typed)
    for target in node.targets:
        if isinstance(target, ast.Tuple | ast.List):
            if isinstance(value, ast.Tuple) and len(value.elts) == len(target.elts):
                for each, item in zip(target.elts, value.elts, strict=True):
                    bind(each, qualname(item, scan), scan)  # loop, task = a(), b()
                continue
            call = value.value if isinstance(value, ast.Await) else value
            if isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.Call) \
                    and qualname(call.func, scan) in ("asyncio.wait_for", "asyncio.shield"):
                call = call.args[0]  # r, w = await wait_for(open_connection(...), t)
            elif isinstance(call, ast.Call) and call.args \
                    and isinstance(call.args[0], ast.Name) \
                    and scan.origins.get(call.args[0].id) in PAIRS and len(target.elts) == 2 \
                    and qualname(call.func, scan) in ("asyncio.wait_for", "asyncio.shield"):
                # coro = loop.create_connection(...); t, p = await wait_for(coro, timeout)
                for each, paired in zip(target.elts, PAIRS[scan.origins[call.args[0].id]],
                                        strict=True):
                    bind(each, paired, scan)
                continue
            if isinstance(call, ast.Name) and isinstance(value, ast.Await) \
                    and scan.origins.get(call.id) in PAIRS and len(target.elts) == 2:
                # connecting = loop.create_connection(...); transport, protocol = await
                # connecting: the pair the call gives, awaited later
                for each, paired in zip(target.elts, PAIRS[scan.origins[call.id]], strict=True):
                    bind(each, paired, scan)
                continue
            if isinstance(call, ast.Call):
                pair = PAIRS.get(qualname(call.func, scan) or "")
                if pair and len(target.elts) == 2:
                    for each, paired in zip(target.elts, pair, strict=True):
                        bind(each, paired, scan)  # reader, writer = await open_connection()
                made = scan.tuples.get(callback_name(call.func) or "") \
                    if isinstance(call.func, ast.Name) or (
                        isinstance(call.func, ast.Attribute)
                        and isinstance(call.func.value, ast.Name)
                        and call.func.value.id in ("self", "cls")) else None
                if pair is None and made and len(made) == len(target.elts):
                    for each, element in zip(target.elts, made, strict=True):
                        bind(each, element, scan)  # r, w = await self._open_streams()
                returned = qualname(call, scan)
                if pair is None and returned and returned.startswith("lib:"):
                    for each in target.elts:  # conn, _ = await lib.create_connection(...)
                        bind(each, returned, scan)
            continue
        kind = qualname(value, scan)
        if kind is None and isinstance(value, ast.BoolOp | ast.IfExp):
            # self.done = future if future else asyncio.Future(), queue or asyncio.Queue():
            # what the call makes when none is handed in (the other side is the caller's)
            alternatives = {qualname(each, scan) for each in (
                value.values if isinstance(value, ast.BoolOp) else [value.body, value.orelse])
                if isinstance(each, ast.Call)} - {None}
            kind = alternatives.pop() if len(alternatives) == 1 else None
        ref = reference(target)
        call = value.value if isinstance(value, ast.Await) else value
        if ref is not None and isinstance(call, ast.Call) and call.args and any(
                isinstance(each, ast.Name) and each.id in scan.subclasses
                for each in (call.func, call.args[0])):
            scan.instances.add(ref)  # bot = Bot(jid); client = cast(Client, client)
        if ref is not None and kind is None and isinstance(call, ast.Call) \
                and _names_a_class(call.func, scan):
            scan.plain.add(ref)  # state = RetryCallState(...): that class's object
        if ref is not None and isinstance(call, ast.BoolOp | ast.IfExp):
            # self.queue = queue or asyncio.PriorityQueue(): made by the call when not given
            makers = [each for each in (call.values if isinstance(call, ast.BoolOp)
                                        else [call.body, call.orelse])
                      if isinstance(each, ast.Call) and qualname(each.func, scan)]
            call = makers[-1] if makers else call
        if ref is not None and isinstance(call, ast.Call):
            origin = qualname(call.func, scan)
            if origin:
                scan.origins[ref] = origin
        if kind == "aiofile" and not isinstance(value, ast.Await) \
                and not (isinstance(value, ast.Call) and qualname(value.func, scan) == WRAP):
            kind = "aiofilectx"  # aiofiles.open(...) not awaited: only async with opens it
        if isinstance(value, ast.ListComp | ast.SetComp):
            element = qualname(value.elt, scan)
            kind = f"{element}s" if element else None
        elif isinstance(value, ast.List | ast.Set | ast.Tuple) and value.elts:
            element = qualname(value.elts[0], scan)
            kind = f"{element}s" if element else None
        elif isinstance(value, ast.Attribute) and kind and kind.startswith("lib:") \
                and lib_construct(kind) != kind and ref is not None:
            # db = client.test: a field of the library's object, which may be the library's
            # own object too (Motor's database) or plain data (a message's payload); only
            # what is awaited on it is surely the library's (see constructs' visit_Attribute)
            kind = lib_construct(kind)
            scan.fields.add(ref)
        if kind in ("web.app", "web.config_dict") and isinstance(value, ast.Attribute):
            kind = "web"  # app = request.app: the Application, its storage the server's API
        bind(target, kind, scan)
