"""``walkthrough port`` (``names.py``): the survivors of seed 33's sample (issue 27).

A seventh random sample of 240 of ``names.py``'s mutants (seed 33, ``docs/mutation.md``,
"``walkthrough/port/names.py`` (SAMPLED, seed 33)") left 16 real slips no test noticed. Each
test here is a short program in the style of real asyncio code, scanned as a user's file, with
the findings the slip changes. The line numbers are of ``8ccf83c``, where the sample was run:

* which library a name is of: ``websockets.sync.client.connect``, a name under a library's
  submodule;
* where a name comes from: another package's ``get_event_loop``, a sibling module's loop
  getter, a package's helper rebound to asyncio's, a name reused for a package's session;
* what a server is: ``socketserver``'s ``serve_forever`` in a thread, a class-based aiohttp
  view keeping a field of its own under a name aiohttp's ``View`` also has;
* what an annotation and a field say: a ``type[asyncio.Queue]`` parameter called, two classes
  with a field of one name;
* what a function returns: a websocket wrapped on one path and raw on another;
* what a tuple assignment binds: through ``asyncio.shield``, from a classmethod's own helper,
  a chained assignment of a tuple;
* a dict key holding ``[``, which must not stop the scan.

Left without a test, as the section says: ``:1433`` (``job: Job = asyncio.ensure_future(...)``:
the mutant calls ``job.cancel()`` a task's cancel, which it is, an answer as good as the
tool's or better), ``:1539`` (a protocol callback whose first parameter is named ``cls``: no
plausible program) and ``:1294`` (not shown to differ).
"""

from __future__ import annotations

from tests.test_mutation_port_gaps import found

# -- which library a name is of -------------------------------------------------------------------


def test_the_websockets_sync_client_is_found_as_websockets() -> None:
    """``websockets.sync.client.connect(...)``: a name three modules deep in the library is
    still websockets', so the line is found as ``lib:websockets``, the name a user looks up,
    and the connection's blocking methods are no asyncio findings. A slip that keeps a
    library it cannot name (``lib:None``) sends the user to no row at all (``names.py:302``)."""
    lines = found("""\
        import websockets


        class Echo:
            def run(self):
                conn = websockets.sync.client.connect("ws://localhost:8765")
                conn.send("hi")
                print(conn.recv())
                conn.close()


        async def main():
            async with websockets.connect("ws://localhost:8765") as ws:
                await ws.send("hi")
        """)
    assert lines[6] == {"lib:websockets"}
    assert not {7, 8, 9} & lines.keys()
    assert all("lib:None" not in constructs for constructs in lines.values())


# -- where a name comes from ----------------------------------------------------------------------


def test_another_packages_get_event_loop_is_not_asyncios() -> None:
    """``from gevent_compat import get_event_loop``: only the file's own package's compat
    module keeps asyncio's getter under its name; another package's is that package's, so the
    scan must not claim the line calls ``asyncio.get_event_loop`` (``names.py:841``)."""
    lines = found("""\
        from gevent_compat import get_event_loop


        def main(coro):
            loop = get_event_loop()
            loop.run_until_complete(coro)
            loop.close()
        """)
    assert all("asyncio.get_event_loop" not in constructs for constructs in lines.values())
    assert lines[6] == {"loop.run_until_complete"}


def test_a_loop_getter_from_a_sibling_module_gives_a_loop() -> None:
    """``from compat import get_event_loop`` in a script that uses asyncio: the helper module
    beside it wraps asyncio's getter, so ``loop = get_event_loop()`` is a loop got and handed
    around, found as such, like ``asyncio.get_event_loop()`` (``names.py:1250``)."""
    lines = found("""\
        import asyncio

        from compat import get_event_loop


        def start(coro):
            loop = get_event_loop()
            loop.call_soon(print, "starting")
            return loop.run_until_complete(coro)


        async def main():
            await asyncio.sleep(1)
        """)
    assert lines[7] == {"loop passed"}
    assert lines[8] == {"loop.call_soon"}


def test_a_packages_helper_rebound_to_asyncios_is_asyncios() -> None:
    """``from netkit.compat import wait_for``, then ``wait_for = asyncio.wait_for``: the
    module-level rebinding wins, so ``await wait_for(...)`` is asyncio's ``wait_for`` (a
    ``move_on_after`` in Trio), not the package's, and what it returns is no package object
    (``names.py:877``)."""
    lines = found("""\
        import asyncio

        from netkit.compat import wait_for

        # netkit's own wait_for had a race when cancelled; asyncio's is fixed since 3.12
        wait_for = asyncio.wait_for


        async def fetch(conn):
            reply = await wait_for(conn.read(), 5)
            await reply.release()
            return reply
        """)
    assert lines[10] == {"asyncio.wait_for"}
    assert 11 not in lines


def test_a_name_reused_for_a_packages_session_is_that_packages() -> None:
    """``session = history.new_session()`` in one function and ``session = PromptSession()``
    of an unlisted package in another: the first binding is nothing the scan knows, and must not
    hide the second, so ``await session.prompt_async()`` is that package's evidence of running
    on asyncio (``names.py:929``)."""
    lines = found("""\
        import asyncio

        from prompt_kit import PromptSession


        def build(history):
            session = history.new_session()
            return session


        async def ask():
            session = PromptSession()
            while True:
                line = await session.prompt_async("> ")
                if line == "quit":
                    return
                await asyncio.sleep(0)
        """)
    assert lines[14] == {"awaits:prompt_kit"}


# -- what a server is -----------------------------------------------------------------------------


def test_socketservers_serve_forever_in_a_thread_is_no_asyncio_server() -> None:
    """A module-level ``HTTPServer`` whose ``serve_forever`` runs in a thread of an asyncio
    program: it is the standard library's blocking server, which ``to_thread`` already covers,
    not an asyncio server to port; a false ``start-server`` finding sends the user to the
    wrong row (``names.py:1264``)."""
    lines = found("""\
        import asyncio
        from http.server import HTTPServer, SimpleHTTPRequestHandler

        server = HTTPServer(("", 8000), SimpleHTTPRequestHandler)


        def serve():
            server.serve_forever()


        async def main():
            await asyncio.to_thread(serve)
            server.close()
        """)
    assert lines[12] == {"asyncio.to_thread"}
    assert not {8, 13} & lines.keys()


def test_a_views_own_field_named_like_aiohttps_is_the_views() -> None:
    """An OAuth view (``web.View``) that loads the client application as ``self.app``: the
    view set that field itself, so ``self.app["name"]`` reads its own dict, not aiohttp's
    ``Application``, and is no finding (``names.py:1561``)."""
    lines = found("""\
        from aiohttp import web


        class Authorize(web.View):
            async def get(self):
                self.app = await load_client(self.request.match_info["client_id"])
                name = self.app["name"]
                return web.Response(text=f"Authorize {name}?")


        async def load_client(client_id):
            return {"name": client_id}
        """)
    assert 7 not in lines
    assert lines[8] == {"aiohttp.web"}


# -- what an annotation and a field say -----------------------------------------------------------


def test_calling_a_parameter_typed_as_the_queue_class_makes_a_queue() -> None:
    """``queue_type: type[asyncio.Queue] = asyncio.Queue``, then ``queue_type(maxsize=size)``:
    the parameter is the queue class (a caller may pass ``PriorityQueue``), so the call makes a
    queue and is found as asyncio's ``Queue`` (``names.py:1314``)."""
    lines = found("""\
        import asyncio


        class Broker:
            def __init__(self, queue_type: type[asyncio.Queue] = asyncio.Queue, size: int = 10):
                self.queue = queue_type(maxsize=size)

            async def put(self, item):
                await self.queue.put(item)
        """)
    assert lines[6] == {"asyncio.Queue"}
    assert lines[9] == {"queue.put"}


def test_two_classes_with_a_field_of_one_name_keep_their_own_types() -> None:
    """``signal: asyncio.Queue`` in ``A`` and ``signal: asyncio.Event`` in ``B``: each class's
    ``self.signal`` is its own field, so ``A``'s ``await self.signal.get()`` is a queue's get
    whichever class comes last (``names.py:1589``)."""
    lines = found("""\
        import asyncio


        class A:
            signal: asyncio.Queue

            async def run(self):
                await self.signal.get()


        class B:
            signal: asyncio.Event

            async def run(self):
                self.signal.set()
                await self.signal.wait()
        """)
    assert lines[8] == {"queue.get"}
    assert lines[12] == {"asyncio.Event"}


# -- what a function returns ----------------------------------------------------------------------


def test_a_websocket_wrapped_on_the_default_path_is_no_websocket_factory() -> None:
    """``open_channel()`` returns the raw websocket only when asked (``raw=True``) and the
    file's own ``Channel`` wrapper by default: its result is no websocket, so the caller's
    ``channel.send_json()``, ``receive()``, ``close()`` are the wrapper's methods, whose bodies
    are found already; findings on the caller's lines would be false, and counted twice
    (``names.py:1666``)."""
    lines = found("""\
        import aiohttp


        class Channel:
            def __init__(self, ws):
                self.ws = ws

            async def send_json(self, data):
                await self.ws.send_json(data)

            async def receive(self):
                return await self.ws.receive_json()

            async def close(self):
                await self.ws.close()


        async def open_channel(session, url, raw=False):
            if raw:
                return await session.ws_connect(url)
            ws = await session.ws_connect(url)
            ws = Channel(ws)
            return ws


        async def main(url):
            async with aiohttp.ClientSession() as session:
                channel = await open_channel(session, url)
                await channel.send_json({"op": "hello"})
                reply = await channel.receive()
                await channel.close()
                return reply
        """)
    assert lines[9] == lines[12] == lines[15] == {"websocket"}
    assert not {29, 30, 31} & lines.keys()


# -- what a tuple assignment binds ----------------------------------------------------------------


def test_streams_opened_under_shield_are_streams() -> None:
    """``reader, writer = await asyncio.shield(asyncio.open_connection(...))``: the shield
    hands the pair through as ``wait_for`` does, so every read and write is a stream's
    (``names.py:1922``)."""
    lines = found("""\
        import asyncio


        async def main():
            reader, writer = await asyncio.shield(asyncio.open_connection("localhost", 8080))
            writer.write(b"ping")
            await writer.drain()
            data = await reader.read(100)
            writer.close()
            return data
        """)
    assert lines[6] == lines[7] == lines[8] == lines[9] == {"stream"}


def test_streams_from_a_classmethods_own_helper_are_streams() -> None:
    """``src, dst = await cls.connect(host, 80)`` in a classmethod, ``connect`` annotated
    ``-> tuple[asyncio.StreamReader, asyncio.StreamWriter]``: ``cls`` is the class as ``self``
    is the instance, so the pair is the helper's streams (``names.py:1949``)."""
    lines = found("""\
        import asyncio


        class Client:
            @staticmethod
            async def connect(host, port) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
                return await asyncio.open_connection(host, port)

            @classmethod
            async def fetch(cls, host):
                src, dst = await cls.connect(host, 80)
                dst.write(b"GET / HTTP/1.0\\r\\n\\r\\n")
                await dst.drain()
                return await src.read()
        """)
    assert lines[12] == lines[13] == lines[14] == {"stream"}


def test_a_chained_assignment_of_a_tuple_binds_every_target_list() -> None:
    """``loop, task = ev, job = asyncio.get_running_loop(), asyncio.ensure_future(...)``: each
    target list gets the pair, so ``job.cancel()`` and ``task.cancel()`` are both a task's
    cancel, and ``ev`` is the loop (``names.py:1919``)."""
    lines = found("""\
        import asyncio


        async def work():
            await asyncio.sleep(1)


        async def main():
            loop, task = ev, job = asyncio.get_running_loop(), asyncio.ensure_future(work())
            job.cancel()
            ev.call_soon(print, "x")
            task.cancel()
        """)
    assert lines[10] == lines[12] == {"task.cancel"}
    assert lines[11] == {"loop.call_soon"}


# -- a key the scan must read whole ---------------------------------------------------------------


def test_a_dict_key_holding_a_bracket_does_not_stop_the_scan() -> None:
    """``pending = {"ids[]": asyncio.create_task(...)}`` (a form field's name as the key): the
    key is read from its first ``[``, as it was stored, so ``pending["ids[]"].cancel()`` is a
    task's cancel; reading it from the last ``[`` asks for a key never stored and the scan
    stops with a ``KeyError`` on the user's whole file (``names.py:618``)."""
    lines = found("""\
        import asyncio


        async def search(params, fetch):
            pending = {"ids[]": asyncio.create_task(fetch(params))}
            await asyncio.sleep(1)
            pending["ids[]"].cancel()
        """)
    assert lines[5] == {"asyncio.create_task"}
    assert lines[7] == {"task.cancel"}
