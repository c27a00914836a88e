"""``walkthrough port`` (``names.py``): the survivors of seed 38's sample (issue 24).

A twelfth random sample of 240 of ``names.py``'s mutants (seed 38, ``docs/mutation.md``,
"``walkthrough/port/names.py`` (SAMPLED, seed 38)"), the first of the module as it stands
after ``efe20bb``, left 11 real slips no test noticed. Each test here is a short program in the
style of real asyncio code, scanned as a user's file, with the findings the slip changes. The
line numbers are of ``18d1c79`` (``names.py`` as at ``efe20bb``, unchanged since), where the
sample was run:

* whose code a file is: a file in a namespace package scanned under a Windows path; a file
  that imports a private module of its own package two levels up, under the name of a
  library it also uses;
* which packages are asyncio libraries: a dotted standard library module
  (``unittest.mock``);
* where a name comes from: ``import asyncio.subprocess as asp``; a type alias of a class
  imported by name (a strict xfail: the tool misses it, see below);
* what a name is: a loop name with letters before ``loop``; a field annotated with the
  package's own class or a quoted class of the file;
* what a function is handed: a route handler under a plain decorator, a route handler with a
  parameter of its own, a ``start_server`` called with keywords only;
* how far kinds flow: a chain of four loop factories (a strict xfail, see below).

Two slips give a better answer than the tool's: ``:1409`` (``_collect``'s kinds' passes,
``range(3)`` → ``range(4)``) resolves a chain of four factories that the tool, with three,
does not, and ``:2087`` (``_assign``'s type aliases, ``and`` → ``or``) makes ``Q = Queue``
(``from asyncio import Queue``) the alias that ``Q = asyncio.Queue`` already is. A test that
pinned the tool's answer would pin the worse one, so each is a strict xfail that asserts
the better answer: it fails today for the gap it names, and a slip (or a fix) that gives the
better answer makes it pass, which strict turns into a failure to look at (as
``tests/test_mutation_port_names3.py``'s xfail).
"""

from __future__ import annotations

import pytest

from tests.test_mutation_port_gaps import found, rows

# -- whose code a file is -------------------------------------------------------------------------


def test_a_namespace_packages_file_scanned_under_a_windows_path_is_still_that_package() -> None:
    """gcloud-aio's pubsub (``gcloud/aio/pubsub/subscriber.py``) uses gcloud-aio's auth
    (``from gcloud.aio.auth import Token``): another distribution of the ``gcloud.aio``
    namespace, an asyncio-only library to this file, so the import, the token and its awaited
    ``get()`` are ``lib:gcloud.aio`` findings. Scanned on Windows the path comes with
    backslashes; the folders that name the file's own distribution are the same. A slip in
    the separator (``names.py:489``, ``replace("\\\\", "/")`` → ``replace("\\\\", "XX/XX")``)
    splits ``gcloud\\aio\\pubsub`` into other folders: the auth package becomes the file's
    own and the three findings go, so the user is not told the file depends on an asyncio-only
    library."""
    source = """\
        from gcloud.aio.auth import Token


        async def publish_token(session):
            token = Token(session=session)
            return await token.get()
        """
    for path in ("gcloud/aio/pubsub/subscriber.py", "gcloud\\aio\\pubsub\\subscriber.py"):
        lines = found(source, path)
        assert lines == {1: {"lib:gcloud.aio"}, 5: {"lib:gcloud.aio"}, 6: {"lib:gcloud.aio"}}, \
            path
        assert rows(source, path)[6] == {"asyncio-only-lib"}, path


def test_a_relative_import_two_levels_up_does_not_make_a_library_the_files_own() -> None:
    """``from ..aiocache._serializers import dumps``: the project's own ``aiocache`` folder
    (its helpers for the library, two levels up), never the installed library, which the file
    imports absolutely (``import aiocache``) and awaits (``await cache.set(...)``). Only an
    absolute import of a private submodule says a file is a library's own module. A slip that
    reads every import with a module as absolute (``names.py:551``, ``node.level == 0 and
    node.module`` → ``or``) takes the file for aiocache's own when its path names no package
    (a file scanned on its own, ``cache.py``): its 3 ``lib:aiocache`` findings go, and the user
    is not told what ties the file to asyncio."""
    lines = found("""\
        import aiocache

        from ..aiocache._serializers import dumps


        async def remember(key, value):
            cache = aiocache.Cache()
            await cache.set(key, dumps(value))
        """, "cache.py")
    assert lines == {1: {"lib:aiocache"}, 7: {"lib:aiocache"}, 8: {"lib:aiocache"}}


# -- which packages are asyncio libraries ---------------------------------------------------------


def test_a_dotted_standard_library_module_awaited_is_no_asyncio_library() -> None:
    """A test helper awaits ``unittest.mock.AsyncMock``: the standard library, however deep
    the module path, never an asyncio-only library. A slip that looks up the whole dotted name
    instead of its top package (``names.py:814``, ``module.split(".")[0]`` →
    ``split(None)[0]``) finds ``unittest.mock`` in no table and gives the import and the mock
    two false ``lib:unittest`` (asyncio-only-lib) findings: the user is told to replace the
    standard library."""
    lines = found("""\
        import asyncio
        import unittest.mock


        async def main():
            handler = unittest.mock.AsyncMock(return_value=42)
            assert await handler() == 42
            await asyncio.sleep(0)


        asyncio.run(main())
        """)
    assert lines == {1: {"import asyncio"}, 8: {"asyncio.sleep(0)"}, 11: {"asyncio.run"}}


# -- where a name comes from ----------------------------------------------------------------------


def test_asyncio_subprocess_imported_under_an_alias_is_asyncios_subprocess_module() -> None:
    """``import asyncio.subprocess as asp``: ``asp`` is ``asyncio.subprocess``, so
    ``asp.PIPE`` is the subprocess row's constant (``trio.run_process``'s ``stdout=PIPE``),
    as ``asyncio.subprocess.PIPE`` is. A slip that binds the alias to the top package
    (``names.py:860``, ``alias.name if alias.asname else top`` → ``top``) reads it as
    ``asyncio.PIPE``, a name with no row: the user loses the line's subprocess finding and
    gets one the concept map cannot explain. (``proc.communicate()`` on line 7 is left out:
    the tool misses it through the alias, as it does not with ``asyncio.create_subprocess_exec``,
    a gap of its own.)"""
    source = """\
        import asyncio.subprocess as asp


        async def git_head(repo):
            proc = await asp.create_subprocess_exec(
                "git", "rev-parse", "HEAD", cwd=repo, stdout=asp.PIPE)
            out, _ = await proc.communicate()
            return out.decode().strip()
        """
    lines = found(source)
    assert lines[1] == {"import asyncio"}
    assert lines[5] == {"asyncio.create_subprocess_exec"}
    assert lines[6] == {"asyncio.subprocess"}
    assert rows(source)[6] == {"subprocess"}


@pytest.mark.xfail(strict=True, reason="names._assign takes an attribute or a subscript for a "
                   "type alias, not a bare name imported from asyncio (seed 38's :2087)")
def test_a_type_alias_of_a_class_imported_by_name_is_that_class() -> None:
    """``Jobs = Queue`` after ``from asyncio import Queue``: a type alias of asyncio's queue,
    as ``Results = asyncio.Queue`` is, so ``jobs: Jobs`` is a queue and ``await jobs.get()``
    is the ``queue`` line a user swaps for a memory channel's ``receive``. The tool reads only
    the second spelling and misses ``jobs.get()``; a slip that lets any value through
    (``names.py:2087``, ``... and len(node.targets) == 1 and isinstance(...)`` → ``(... and
    ...) or isinstance(...)``) reads both, so this test passes with it, which strict makes a
    failure."""
    lines = found("""\
        import asyncio
        from asyncio import Queue

        Jobs = Queue
        Results = asyncio.Queue


        async def consume(jobs: Jobs, results: Results):
            while True:
                job = await jobs.get()
                await results.put(job())
        """)
    assert lines[8] == {"asyncio.Queue"}
    assert lines[10] == {"queue.get"}
    assert lines[11] == {"queue.put"}


# -- what a name is -------------------------------------------------------------------------------


def test_only_leading_underscores_are_dropped_from_a_loop_name() -> None:
    """``_loop`` is a loop name (``loop`` with its leading underscores dropped); ``xloop`` and
    ``Xloop``, letters before ``loop`` (a desktop app's X11 event loop, say), are not, so
    ``self.Xloop.call_soon(callback)`` is that loop's own method, as ``self.xloop``'s is, and
    only ``self._loop.call_soon`` is asyncio's ``call-later`` line. A slip in the characters
    stripped (``names.py:1156``, ``lstrip("_")`` → ``lstrip("XX_XX")``) also drops a leading
    ``X``: a false ``loop.call_soon`` finding, on ``Xloop`` only."""
    source = """\
        import asyncio


        class Window:
            def __init__(self, {name}):
                self._loop = asyncio.get_running_loop()
                self.{name} = {name}

            def refresh(self, callback):
                self._loop.call_soon(callback)
                self.{name}.call_soon(callback)
        """
    for name in ("xloop", "Xloop"):
        lines = found(source.format(name=name))
        assert lines[10] == {"loop.call_soon"}, name
        assert 11 not in lines, name
        assert rows(source.format(name=name))[10] == {"call-later"}, name


def test_a_field_annotated_with_the_packages_class_or_a_quoted_class_of_the_file() -> None:
    """``self.reader: Optional[Union[TelnetReader, "LineReader"]]``: either the package's own
    reader (imported relatively) or the file's ``LineReader``, an ``asyncio.StreamReader``
    subclass, named in quotes. Only an annotation that names the package's classes alone makes
    the field the package's own; a quoted name is judged elsewhere, so ``self.reader`` keeps
    what it is assigned, and ``feed_data``/``feed_eof`` are the streams row's lines. A slip
    that lets any constant through (``names.py:1256``, ``isinstance(sub, ast.Constant) and
    sub.value is None`` → ``or``) takes the field for the package's own reader: both
    findings go, and the user is not told the protocol feeds an asyncio stream."""
    source = """\
        import asyncio
        from typing import Optional, Union

        from .stream_reader import TelnetReader


        class LineReader(asyncio.StreamReader):
            \"\"\"A reader that hands back whole lines only.\"\"\"


        class TelnetClient(asyncio.Protocol):
            def __init__(self, lines: bool):
                self.reader: Optional[Union[TelnetReader, "LineReader"]] = None
                self.lines = lines

            def connection_made(self, transport):
                self.reader = LineReader() if self.lines else TelnetReader()

            def data_received(self, data):
                self.reader.feed_data(data)

            def eof_received(self):
                self.reader.feed_eof()
        """
    lines = found(source, "telnetlib3/client.py")
    assert lines[7] == {"asyncio.StreamReader"}
    assert lines[20] == {"stream"}
    assert lines[23] == {"stream"}
    assert rows(source, "telnetlib3/client.py")[23] == {"streams"}


# -- what a function is handed --------------------------------------------------------------------


def test_a_route_under_a_plain_decorator_still_hands_its_handler_the_request() -> None:
    """``@login_required`` above ``@routes.post("/users/{name}")``: the route still registers
    the handler, so its ``request`` is aiohttp's and ``await request.post()`` is the HTTP
    server's line (``http-server``). A plain decorator (no call) is skipped, and the next one
    read; a slip that stops at it (``names.py:1461``, ``continue`` → ``break``) never reads the
    route: the form line's finding goes, and the user is not told the handler reads
    aiohttp's request."""
    source = """\
        from aiohttp import web

        from .auth import login_required

        routes = web.RouteTableDef()


        @login_required
        @routes.post("/users/{name}")
        async def update_user(request):
            form = await request.post()
            await save_user(form)
            return web.json_response({"saved": True})
        """
    lines = found(source, "app/views.py")
    assert lines[9] == {"web"}
    assert lines[11] == {"web"}
    assert rows(source, "app/views.py")[11] == {"http-server"}
    assert lines[13] == {"aiohttp.web"}


def test_a_route_handlers_own_parameter_is_not_the_request() -> None:
    """``async def export(request, out=None)`` under ``@routes.get("/export")``: aiohttp hands
    a handler one object, the request; ``out`` is the handler's own (a file a script passes
    when it calls the handler directly). So ``await request.json()`` is the HTTP server's line
    and ``await out.write(rows)`` is not. A slip in the count (``names.py:1468``, ``("web",
    1)`` → ``("web", 2)``, the ``web.`` branch of seed 37's ``:1431``) hands ``out`` the
    request's kind too: a false ``http-server`` finding on the write."""
    lines = found("""\
        from aiohttp import web

        routes = web.RouteTableDef()


        @routes.get("/export")
        async def export(request, out=None):
            rows = await request.json()
            if out is not None:
                await out.write(rows)
            return web.json_response(rows)
        """, "app/views.py")
    assert lines[8] == {"web"}
    assert 10 not in lines
    assert lines[11] == {"aiohttp.web"}


def test_start_server_called_with_keywords_only_does_not_stop_the_scan() -> None:
    """``await asyncio.start_server(**options)``, the handler and the address in a dict: no
    positional callback and no ``client_connected_cb=`` keyword the tool can read, so it
    names no callback, and still reports the server. A slip that drops the search's default
    (``names.py:1504``, ``next((...), None)`` → ``next((...), )``) raises ``StopIteration``
    from the scan: the user gets a traceback instead of the file's findings."""
    lines = found("""\
        import asyncio


        async def handle(reader, writer):
            line = await reader.readline()
            writer.write(line)
            await writer.drain()
            writer.close()


        async def main(host="127.0.0.1", port=8888):
            options = {"client_connected_cb": handle, "host": host, "port": port}
            server = await asyncio.start_server(**options)
            async with server:
                await server.serve_forever()


        asyncio.run(main())
        """)
    assert lines[1] == {"import asyncio"}
    assert lines[13] == {"asyncio.start_server"}
    assert lines[14] == {"server"}
    assert lines[15] == {"server"}
    assert lines[18] == {"asyncio.run"}


# -- how far kinds flow ---------------------------------------------------------------------------


@pytest.mark.xfail(strict=True, reason="names._collect runs three passes for kinds, which "
                   "follow a chain of three factories, not four (seed 38's :1409)")
def test_a_chain_of_four_loop_factories_gives_a_loop() -> None:
    """``loop = current_runtime()``, a framework's helper that returns ``_ensure_runtime()``,
    which returns ``_runtime_of_policy()``, which returns ``_new_runtime()``, which returns
    ``asyncio.get_event_loop()``: what the user's code keeps is asyncio's loop, a ``loop
    passed`` line as it is for a chain of three (each ``return`` of the chain is one too). The
    tool's three passes follow three factories: the chain's returns are found, the line that
    keeps the loop is not. A slip that runs a fourth pass (``names.py:1409``, ``range(3)`` →
    ``range(4)``) finds it, so this test passes with it, which strict makes a failure."""
    lines = found("""\
        import asyncio


        def current_runtime():
            return _ensure_runtime()


        def _ensure_runtime():
            return _runtime_of_policy()


        def _runtime_of_policy():
            return _new_runtime()


        def _new_runtime():
            return asyncio.get_event_loop()


        def start(callback):
            loop = current_runtime()
            loop.call_soon(callback)
        """)
    for line in (5, 9, 13):
        assert lines[line] == {"loop passed"}, line
    assert lines[17] == {"asyncio.get_event_loop", "loop passed"}
    assert lines[22] == {"loop.call_soon"}
    assert lines[21] == {"loop passed"}
