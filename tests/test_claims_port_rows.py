"""The concept-map rows that real asyncio code asked for (issue 24), each claim tested.

``walkthrough port`` was run on asyncio code nobody here wrote, and pointed ``loop.stop()``,
``asyncio.current_task()``, aiohttp's web server and its WebSocket client at rows that did not
fit them. These rows of ``docs/concepts.md`` are the answer: ``loop-stop``, ``task-result``,
``current-task``, ``http-server``, ``websocket``, ``iscoroutine``, ``task-name``,
``exception-handler``, ``fd-watch`` and ``coroutine-decorator`` (the ids of
:data:`walkthrough.port.mapping.ROW_KEYS`). Each test runs the asyncio and the Trio side of its
row and asserts what the row says, so a row cannot drift from what the libraries do.

Timing claims run on the virtual clocks (:mod:`tests.virtual`). The servers (Hypercorn's Trio
worker, trio-websocket, aiohttp's) run on 127.0.0.1 on a real clock, bounded by a deadline:
a virtual clock would jump past the libraries' own connect timeouts while a socket waits.

Checked against trio 0.35, trio-websocket 0.12, Hypercorn 0.18, httpx 0.28, aiohttp 3.14 and
CPython 3.11+.
"""

from __future__ import annotations

import asyncio
import collections.abc
import errno
import functools
import gc
import inspect
import itertools
import logging
import os
import socket
import subprocess
import sys
import textwrap
import threading
import warnings
from collections.abc import Awaitable, Callable, Generator
from typing import Any

import aiohttp
import httpx
import pytest
import trio
import trio.lowlevel
import trio.testing
from aiohttp import web

from tests.virtual import run_asyncio, run_trio
from walkthrough.clocks import VirtualTimeLoop, mock_clock

#: A bound for the tests on real sockets: a hang fails in seconds, not at pytest's timeout.
NETWORK_DEADLINE = 20

# ---------------------------------------------------------------------------------------------
# loop-stop: `loop.run_forever()` and `loop.stop()`


def test_loop_stop_returns_from_run_forever_with_tasks_still_pending() -> None:
    """asyncio: stopping the loop leaves the other tasks pending, for the caller to clean up."""
    loop = VirtualTimeLoop()
    try:
        start = loop.time()

        async def stopper() -> None:
            await asyncio.sleep(1)
            loop.stop()

        sleeper = loop.create_task(asyncio.sleep(3600))
        stopping = loop.create_task(stopper())
        loop.run_forever()
        assert loop.time() - start == pytest.approx(1)
        assert stopping.done()
        assert not sleeper.done()  # still pending: the code after run_forever() must end it
        sleeper.cancel()
        loop.run_until_complete(asyncio.gather(sleeper, return_exceptions=True))
        assert sleeper.cancelled()
    finally:
        loop.close()


async def _serve_until_stopped(stop: trio.Event, log: list[str],
                               stopper: Callable[[trio.Event], Awaitable[None]] | None) -> float:
    """The Trio port: ``main`` waits for the stop event, then cancels its nursery."""
    start = trio.current_time()

    async def worker() -> None:
        try:
            await trio.sleep_forever()
        finally:
            log.append("worker cleaned up")

    async with trio.open_nursery() as nursery:
        nursery.start_soon(worker)
        if stopper is not None:
            nursery.start_soon(stopper, stop)
        await stop.wait()
        log.append("stop seen")
        nursery.cancel_scope.cancel()
    log.append("main returns")
    return trio.current_time() - start


def test_a_trio_main_that_awaits_a_stop_event_returns_after_every_task_has_ended() -> None:
    async def stopper(stop: trio.Event) -> None:
        await trio.sleep(1)
        stop.set()

    log: list[str] = []
    elapsed = run_trio(_serve_until_stopped, trio.Event(), log, stopper)
    assert elapsed == pytest.approx(1)
    # the worker's cleanup ran inside the run, before main returned: nothing is left pending
    assert log == ["stop seen", "worker cleaned up", "main returns"]


def test_a_thread_stops_a_trio_run_by_setting_the_event_through_its_token() -> None:
    """``loop.call_soon_threadsafe(loop.stop)`` becomes ``trio.from_thread.run_sync(stop.set)``."""
    log: list[str] = []

    async def main() -> float:
        stop = trio.Event()
        token = trio.lowlevel.current_trio_token()
        thread = threading.Thread(
            target=lambda: trio.from_thread.run_sync(stop.set, trio_token=token))
        thread.start()
        try:
            return await _serve_until_stopped(stop, log, None)
        finally:
            thread.join()

    run_trio(main)
    assert log == ["stop seen", "worker cleaned up", "main returns"]


# ---------------------------------------------------------------------------------------------
# task-result: `await task`, `task.result()`


async def _value_after(delay: float, value: int) -> int:
    await asyncio.sleep(delay)
    return value


async def _fails_after(delay: float) -> None:
    await asyncio.sleep(delay)
    raise ValueError("child failed")


def test_asyncio_task_result_is_read_from_the_handle_and_await_task_raises_the_bare_error() -> None:
    async def main() -> tuple[int, bool]:
        task = asyncio.create_task(_value_after(1, 42))
        with pytest.raises(asyncio.InvalidStateError):
            task.result()  # not done yet
        assert await task == 42
        assert task.result() == 42

        sibling = asyncio.create_task(asyncio.sleep(3600))
        failing = asyncio.create_task(_fails_after(1))
        with pytest.raises(ValueError, match="child failed"):  # bare, not in a group
            await failing
        sibling_left_running = not sibling.done()
        sibling.cancel()
        await asyncio.gather(sibling, return_exceptions=True)
        return task.result(), sibling_left_running

    assert run_asyncio(main) == (42, True)


def test_a_trio_child_stores_its_result_and_the_nursery_end_is_the_await() -> None:
    async def child(results: dict[str, int], key: str, delay: float, value: int) -> None:
        await trio.sleep(delay)
        results[key] = value

    async def main() -> tuple[dict[str, int], dict[str, int], object]:
        results: dict[str, int] = {}
        async with trio.open_nursery() as nursery:
            handle = nursery.start_soon(child, results, "a", 1, 42)  # type: ignore[func-returns-value]
            nursery.start_soon(child, results, "b", 2, 7)
            early = dict(results)  # nothing stored yet: the children have not run
        return early, results, handle

    early, results, handle = run_trio(main)
    assert handle is None  # no task handle to await or ask for a result
    assert early == {}
    assert results == {"a": 42, "b": 7}


def sibling_and_failing_child(log: list[str], error: str) -> Callable[[], Awaitable[None]]:
    """A nursery with a sibling that sleeps an hour (logging its cancellation) and a child
    that raises ``ValueError(error)`` after a second."""
    async def sibling() -> None:
        try:
            await trio.sleep(3600)
        except trio.Cancelled:
            log.append("sibling cancelled")
            raise

    async def failing() -> None:
        await trio.sleep(1)
        raise ValueError(error)

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(sibling)
            nursery.start_soon(failing)

    return main


def test_a_failing_trio_child_cancels_its_sibling_and_its_error_comes_in_a_group() -> None:
    log: list[str] = []
    with pytest.RaisesGroup(pytest.RaisesExc(ValueError, match="child failed")):
        run_trio(sibling_and_failing_child(log, "child failed"))
    assert log == ["sibling cancelled"]


# ---------------------------------------------------------------------------------------------
# current-task: `asyncio.current_task()`


def test_trio_current_task_is_named_after_its_function_and_cannot_be_cancelled_or_awaited() -> None:
    async def asyncio_side() -> tuple[str, bool]:
        task = asyncio.current_task()
        assert task is not None
        return task.get_name(), inspect.isawaitable(task) and hasattr(task, "cancel")

    async def trio_side() -> tuple[str, bool, bool, trio.Nursery | None]:
        task = trio.lowlevel.current_task()
        return (task.name, inspect.isawaitable(task), hasattr(task, "cancel"),
                task.parent_nursery)

    name, handle = run_asyncio(asyncio_side)
    assert name.startswith("Task-") and handle
    name, awaitable, cancel, parent = run_trio(trio_side)
    assert name.endswith("trio_side")  # the function's qualified name
    assert not awaitable and not cancel
    assert parent is not None  # the main task sits in the run's system nursery


def test_both_current_tasks_raise_runtimeerror_outside_a_run() -> None:
    with pytest.raises(RuntimeError, match="no running event loop"):
        asyncio.current_task()
    with pytest.raises(RuntimeError, match="must be called from async context"):
        trio.lowlevel.current_task()


def test_a_task_that_cancels_itself_becomes_a_scope_that_cancels_itself() -> None:
    async def asyncio_side() -> str:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            return "cancelled at the next await"
        return "not cancelled"

    async def trio_side() -> str:
        with trio.CancelScope() as scope:
            scope.cancel()
            await trio.sleep(1)
        return "cancelled at the next checkpoint" if scope.cancelled_caught else "not cancelled"

    assert run_asyncio(asyncio_side) == "cancelled at the next await"
    assert run_trio(trio_side) == "cancelled at the next checkpoint"


# ---------------------------------------------------------------------------------------------
# http-server: `aiohttp.web`


def test_httpx_is_a_client_and_serves_nothing() -> None:
    names = [name.lower() for name in httpx.__all__]
    assert "asyncclient" in names
    assert not [name for name in names if "serve" in name or "websocket" in name]
    assert not [name for name in dir(httpx.AsyncClient) if "websocket" in name or "ws_" in name]


def test_aiohttp_web_does_not_run_under_trio() -> None:
    """In a fresh interpreter: the failed start leaves a loop and a socket for the GC to warn of."""
    code = textwrap.dedent("""
        import trio
        from aiohttp import web

        async def main():
            runner = web.AppRunner(web.Application())
            await runner.setup()  # awaits nothing that suspends: no loop needed yet
            await web.TCPSite(runner, "127.0.0.1", 0).start()  # the first real wait

        trio.run(main)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert "TypeError: trio.run received unrecognized yield message" in done.stderr


async def _asgi_hello(scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]],
                      send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
    """The smallest ASGI app: "hi" to every request, and the lifespan handshake."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hi"})


def test_the_aiohttp_app_and_its_asgi_port_on_hypercorns_trio_worker_answer_alike() -> None:
    from hypercorn.config import Config
    from hypercorn.trio import serve

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hi")

    async def asyncio_side() -> tuple[int, str]:
        app = web.Application()
        app.router.add_get("/", hello)
        runner = web.AppRunner(app)
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            async with aiohttp.ClientSession() as session, \
                    session.get(f"http://127.0.0.1:{port}/") as response:
                return response.status, await response.text()
        finally:
            await runner.cleanup()

    async def trio_side() -> tuple[list[str], int, str]:
        config = Config()
        config.bind = ["127.0.0.1:0"]
        config.accesslog = None
        config.errorlog = None
        with trio.fail_after(NETWORK_DEADLINE):
            async with trio.open_nursery() as nursery:
                # serve speaks nursery.start: it returns once bound, with the addresses
                urls = await nursery.start(serve, _asgi_hello, config)
                async with httpx.AsyncClient() as client:
                    response = await client.get(f"{urls[0]}/")
                nursery.cancel_scope.cancel()  # stops the server
        return urls, response.status_code, response.text

    assert asyncio.run(asyncio.wait_for(asyncio_side(), NETWORK_DEADLINE)) == (200, "hi")
    urls, status, text = trio.run(trio_side)
    assert urls[0].startswith("http://127.0.0.1:") and not urls[0].endswith(":0")
    assert (status, text) == (200, "hi")


# ---------------------------------------------------------------------------------------------
# websocket: WebSocket clients and servers


def test_an_aiohttp_websocket_ends_its_loop_a_trio_websocket_raises_connectionclosed() -> None:
    import trio_websocket

    async def ws_handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str("hello")
        await ws.close()
        return ws

    async def asyncio_side() -> list[str]:
        app = web.Application()
        app.router.add_get("/", ws_handler)
        runner = web.AppRunner(app)
        await runner.setup()
        try:
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            port = runner.addresses[0][1]
            async with aiohttp.ClientSession() as session, \
                    session.ws_connect(f"http://127.0.0.1:{port}/") as ws:
                return [msg.data async for msg in ws]  # the loop just ends at the close
        finally:
            await runner.cleanup()

    async def handler(request: trio_websocket.WebSocketRequest) -> None:
        ws = await request.accept()
        await ws.send_message("hello")
        await ws.aclose()

    async def trio_side() -> tuple[list[str | bytes], str]:
        with trio.fail_after(NETWORK_DEADLINE):
            async with trio.open_nursery() as nursery:
                # ssl_context has no default: None for ws://
                server = await nursery.start(trio_websocket.serve_websocket, handler,
                                             "127.0.0.1", 0, None)
                received: list[str | bytes] = []
                async with trio_websocket.open_websocket_url(
                        f"ws://127.0.0.1:{server.port}/") as ws:
                    assert not hasattr(ws, "__aiter__")  # no `async for` over a connection
                    received.append(await ws.get_message())
                    with pytest.raises(trio_websocket.ConnectionClosed) as closed:
                        await ws.get_message()
                nursery.cancel_scope.cancel()
        return received, type(closed.value).__name__

    assert asyncio.run(asyncio.wait_for(asyncio_side(), NETWORK_DEADLINE)) == ["hello"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        assert trio.run(trio_side) == (["hello"], "ConnectionClosed")
        gc.collect()
    # trio-websocket 0.12: when the server closes first, the client's reader ends without
    # closing its TCP stream and aclose() returns early, so the socket is left to the GC
    leaked = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert len(leaked) == 1 and "unclosed <socket.socket" in leaked[0]


def test_serve_websocket_takes_ssl_context_with_no_default() -> None:
    import trio_websocket

    parameter = inspect.signature(trio_websocket.serve_websocket).parameters["ssl_context"]
    assert parameter.default is inspect.Parameter.empty
    assert parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD


# ---------------------------------------------------------------------------------------------
# iscoroutine: `asyncio.iscoroutinefunction(f)`


async def _coroutine_function() -> None:
    pass


def _plain_function() -> None:
    pass


class _HandMadeCoroutine(collections.abc.Coroutine[Any, Any, None]):
    """A coroutine by the ABC, not a native one."""

    def send(self, value: Any) -> Any:
        raise StopIteration

    def throw(self, *args: Any) -> Any:
        raise StopIteration

    def close(self) -> None:
        pass

    def __await__(self) -> Generator[Any, None, None]:
        yield from ()


def _asyncio_iscoroutinefunction(f: object) -> bool:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = asyncio.iscoroutinefunction(f)
    deprecated = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    # deprecated in 3.14, removal planned for 3.16 (python/cpython#122858)
    if sys.version_info >= (3, 14):
        assert deprecated and "inspect.iscoroutinefunction" in str(deprecated[0].message)
    else:
        assert not deprecated
    return result


def test_inspect_iscoroutinefunction_answers_as_asyncios_does_inside_trio_and_out() -> None:
    candidates: list[object] = [_coroutine_function, _plain_function,
                                functools.partial(_coroutine_function), _asgi_hello]
    expected = [True, False, True, True]

    async def inside() -> list[bool]:
        return [inspect.iscoroutinefunction(f) for f in candidates]

    assert [_asyncio_iscoroutinefunction(f) for f in candidates] == expected
    assert [inspect.iscoroutinefunction(f) for f in candidates] == expected
    assert run_trio(inside) == expected
    assert not hasattr(trio, "iscoroutinefunction")


def test_asyncio_iscoroutine_takes_any_coroutine_by_the_abc_inspect_only_native_ones() -> None:
    hand_made = _HandMadeCoroutine()
    assert asyncio.iscoroutine(hand_made)
    assert not inspect.iscoroutine(hand_made)
    assert inspect.isawaitable(hand_made)
    native = _coroutine_function()
    try:
        assert asyncio.iscoroutine(native) and inspect.iscoroutine(native)
    finally:
        native.close()


# ---------------------------------------------------------------------------------------------
# task-name: `task.get_name()`, `task.set_name()`


async def _named_child(names: list[str],
                       task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
    names.append(trio.lowlevel.current_task().name)
    task_status.started()


class _Service:
    async def run(self, names: list[str]) -> None:
        names.append(trio.lowlevel.current_task().name)


def test_trio_names_a_task_after_its_function_where_asyncio_counts_task_n() -> None:
    async def asyncio_side() -> list[str]:
        default = asyncio.create_task(asyncio.sleep(0))
        named = asyncio.create_task(asyncio.sleep(0), name="worker-1")
        numbered = asyncio.create_task(asyncio.sleep(0), name=42)  # type: ignore[arg-type]
        renamed = asyncio.create_task(asyncio.sleep(0))
        renamed.set_name(7)
        tasks = [default, named, numbered, renamed]
        await asyncio.gather(*tasks)
        return [task.get_name() for task in tasks]

    async def trio_side() -> list[str]:
        names: list[str] = []
        async with trio.open_nursery() as nursery:
            nursery.start_soon(_named_child, names)
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(functools.partial(_named_child, names))
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(_named_child, names, name="worker-1")
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(_named_child, names, name=42)
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(_Service().run, names)
            await trio.testing.wait_all_tasks_blocked()
            await nursery.start(_named_child, names, name="started")
        return names

    first, named, numbered, renamed = run_asyncio(asyncio_side)
    assert first.startswith("Task-") and first[len("Task-"):].isdigit()  # a counter
    assert (named, numbered, renamed) == ("worker-1", "42", "7")  # str() of a non-string

    module = __name__
    assert run_trio(trio_side) == [
        f"{module}._named_child",  # module.qualname of the function
        f"{module}._named_child",  # a partial is named after the function it wraps
        "worker-1",
        "42",  # an object without __module__/__qualname__: its repr()
        f"{module}._Service.run",  # a bound method: the qualified name, class and all
        "started",  # nursery.start takes name= too
    ]


def test_a_trio_task_renames_itself_by_assigning_its_name_and_a_parent_reads_child_tasks() -> None:
    async def asyncio_side() -> tuple[str, str]:
        async def child() -> None:
            task = asyncio.current_task()
            assert task is not None
            task.set_name("renamed")
            await asyncio.sleep(3600)

        task = asyncio.create_task(child())
        await asyncio.sleep(1)
        name = task.get_name()  # through the handle create_task gave back
        task.set_name("by the parent")
        renamed = task.get_name()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return name, renamed

    async def trio_side() -> tuple[list[str], list[str]]:
        reprs: list[str] = []

        async def child() -> None:
            task = trio.lowlevel.current_task()
            task.name = "renamed"  # a plain attribute (trio 0.35)
            reprs.append(repr(task))
            await trio.sleep(3600)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(child)
            await trio.sleep(1)
            names = sorted(task.name for task in nursery.child_tasks)
            nursery.cancel_scope.cancel()
        return names, reprs

    assert run_asyncio(asyncio_side) == ("renamed", "by the parent")
    names, reprs = run_trio(trio_side)
    assert names == ["renamed"]
    assert len(reprs) == 1 and reprs[0].startswith("<Task 'renamed' at ")
    assert not hasattr(trio.lowlevel.Task, "set_name")
    assert not hasattr(trio.lowlevel.Task, "get_name")


# ---------------------------------------------------------------------------------------------
# exception-handler: `loop.set_exception_handler(handler)`


async def _fails_at_once() -> None:
    await asyncio.sleep(1)
    raise ValueError("nobody awaited me")


def test_asyncio_calls_the_handler_for_an_unretrieved_task_error_only_when_the_task_is_freed(
        ) -> None:
    contexts: list[dict[str, Any]] = []

    async def main() -> tuple[int, bool, int]:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda loop, context: contexts.append(dict(context)))
        sibling = asyncio.create_task(asyncio.sleep(3600))
        failing = asyncio.create_task(_fails_at_once())
        await asyncio.sleep(2)
        assert failing.done()
        gc.collect()
        while_held = len(contexts)  # the task is done, its error unread: nothing yet
        del failing
        gc.collect()
        sibling_running = not sibling.done()  # nothing cancelled it
        sibling.cancel()
        await asyncio.gather(sibling, return_exceptions=True)
        return while_held, sibling_running, len(contexts)

    assert run_asyncio(main) == (0, True, 1)
    [context] = contexts
    assert context["message"] == "Task exception was never retrieved"
    assert isinstance(context["exception"], ValueError)
    assert isinstance(context["future"], asyncio.Task)


def test_asyncios_default_handler_logs_to_the_asyncio_logger(
        caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        failing = asyncio.create_task(_fails_at_once())
        await asyncio.sleep(2)
        del failing
        gc.collect()

    with caplog.at_level(logging.ERROR, logger="asyncio"):
        run_asyncio(main)
    records = [r for r in caplog.records if r.name == "asyncio"]
    assert [r.getMessage().splitlines()[0] for r in records] == [
        "Task exception was never retrieved"]
    assert records[0].levelno == logging.ERROR and records[0].exc_info is not None


def test_trio_has_no_loop_wide_handler_a_childs_error_is_logged_where_the_nursery_is_caught(
        caplog: pytest.LogCaptureFixture) -> None:
    log: list[str] = []
    logger = logging.getLogger("tests.app")
    uncaught = sibling_and_failing_child(log, "nobody awaited me")

    async def caught() -> str:
        try:
            await uncaught()
        except* ValueError as group:  # the port of the handler: log it here
            logger.error("child failed", exc_info=group)
        return "main goes on"

    with pytest.RaisesGroup(pytest.RaisesExc(ValueError, match="nobody awaited me")):
        run_trio(uncaught)  # nobody caught it: it leaves trio.run
    assert log == ["sibling cancelled"]

    with caplog.at_level(logging.ERROR, logger="tests.app"):
        assert run_trio(caught) == "main goes on"
    assert log == ["sibling cancelled"] * 2
    assert [r.getMessage() for r in caplog.records if r.name == "tests.app"] == ["child failed"]

    for module in (trio, trio.lowlevel):
        assert not [name for name in dir(module) if "exception_handler" in name.lower()]


class _FailingListener(trio.abc.Listener[trio.abc.Stream]):
    """A listener whose accept() fails with the errnos it is given, one per call."""

    def __init__(self, errnos: list[int]) -> None:
        self.errnos = errnos
        self.accepted_at: list[float] = []

    async def accept(self) -> trio.abc.Stream:
        self.accepted_at.append(trio.current_time())
        await trio.lowlevel.checkpoint()
        code = self.errnos.pop(0)
        raise OSError(code, os.strerror(code))

    async def aclose(self) -> None:
        await trio.lowlevel.checkpoint()


def test_trio_logs_accept_errors_for_want_of_descriptors_and_retries_after_a_tenth_of_a_second(
        caplog: pytest.LogCaptureFixture) -> None:
    capacity = [errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.ENOBUFS]
    listener = _FailingListener([*capacity, errno.EINVAL])

    async def handler(stream: trio.abc.Stream) -> None:
        raise AssertionError("no connection is ever accepted")

    async def main() -> None:
        await trio.serve_listeners(handler, [listener])

    with caplog.at_level(logging.ERROR, logger="trio.serve_listeners"), \
            pytest.RaisesGroup(pytest.RaisesExc(OSError, check=lambda e: e.errno == errno.EINVAL),
                               flatten_subgroups=True):
        run_trio(main)  # any other errno ends the server
    records = [r for r in caplog.records if r.name == "trio.serve_listeners"]
    assert [r.getMessage().split(" ")[:3] for r in records] == [
        ["accept", "returned", errno.errorcode[code]] for code in capacity]
    assert all(r.levelno == logging.ERROR and r.exc_info for r in records)
    times = listener.accepted_at
    assert len(times) == 5  # four retries, then the error that ends it
    assert [b - a for a, b in itertools.pairwise(times)] == pytest.approx([0.1] * 4)
    # serve_tcp hands its listeners to serve_listeners: the same logger, the same retries
    assert "serve_listeners(" in inspect.getsource(trio.serve_tcp)


@pytest.mark.parametrize("routine", ["ECONNABORTED", "ECONNRESET", "EPERM"])
def test_trios_socket_listener_retries_routine_accept_errors_without_a_word(
        routine: str, caplog: pytest.LogCaptureFixture) -> None:
    """The exception-handler row (RV46, SR1): below ``serve_listeners``, the real
    ``SocketListener.accept`` (what ``serve_tcp`` listens with) retries routine errnos itself,
    at once and with nothing logged, and hands back the next connection; another errno
    (``EINVAL``) leaves it, and ends the server. The socket's own ``accept`` is made to fail
    first, then the real one takes a real client."""
    code = getattr(errno, routine)

    async def main() -> tuple[list[str], float, float]:
        sock = trio.socket.socket()
        await sock.bind(("127.0.0.1", 0))
        sock.listen()
        listener = trio.SocketListener(sock)
        real, failures = sock.accept, [code, code]
        calls: list[str] = []

        async def accept() -> tuple[trio.socket.SocketType, object]:
            await trio.lowlevel.checkpoint()
            if failures:
                calls.append(routine)
                failed = failures.pop()
                raise OSError(failed, os.strerror(failed))
            calls.append("real")
            return await real()

        sock.accept = accept  # type: ignore[method-assign]
        async with listener, await trio.open_tcp_stream(*sock.getsockname()):
            start = trio.current_time()
            stream = await listener.accept()
            took = trio.current_time() - start
            await stream.aclose()
        # and another errno: it leaves accept(), and serve_listeners with it
        other = trio.socket.socket()
        await other.bind(("127.0.0.1", 0))
        other.listen()

        async def invalid() -> tuple[trio.socket.SocketType, object]:
            await trio.lowlevel.checkpoint()
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))

        other.accept = invalid  # type: ignore[method-assign]
        start = trio.current_time()
        with pytest.RaisesGroup(
                pytest.RaisesExc(OSError, check=lambda e: e.errno == errno.EINVAL),
                flatten_subgroups=True):
            await trio.serve_listeners(_never_served, [trio.SocketListener(other)])
        return calls, took, trio.current_time() - start

    with caplog.at_level(logging.DEBUG, logger="trio"):
        calls, took, ended = run_trio(main)
    assert calls == [routine, routine, "real"]
    assert took == 0 and ended == 0  # no retry delay: on the virtual clock, no time passes
    assert [r for r in caplog.records if r.name.startswith("trio")] == []  # without a word


async def _never_served(stream: trio.abc.Stream) -> None:
    raise AssertionError("no connection is ever accepted")


def test_trio_logs_an_instrument_that_raises_and_removes_it(
        caplog: pytest.LogCaptureFixture) -> None:
    class Faulty(trio.abc.Instrument):
        def __init__(self) -> None:
            self.calls = 0

        def before_task_step(self, task: trio.lowlevel.Task) -> None:
            self.calls += 1
            raise RuntimeError("instrument bug")

    instrument = Faulty()

    async def main() -> str:
        await trio.sleep(1)
        await trio.sleep(1)
        return "the run goes on"

    with caplog.at_level(logging.ERROR, logger="trio.abc.Instrument"):
        assert trio.run(main, clock=mock_clock(), instruments=[instrument]) == "the run goes on"
    assert instrument.calls == 1  # removed after its first failure
    records = [r for r in caplog.records if r.name == "trio.abc.Instrument"]
    assert len(records) == 1
    assert "Instrument has been disabled" in records[0].getMessage()
    assert records[0].exc_info is not None


# ---------------------------------------------------------------------------------------------
# fd-watch: `loop.add_reader(fd, cb)`, `loop.add_writer(fd, cb)`


def test_asyncio_calls_a_reader_while_its_fd_stays_readable_a_second_replaces_the_first() -> None:
    """asyncio's fd watch is level-triggered and keeps one callback per fd and direction."""
    calls: list[str] = []

    async def main() -> tuple[bool, bool]:
        loop = asyncio.get_running_loop()
        a, b = socket.socketpair()
        with a, b:
            loop.add_reader(a, calls.append, "first")
            loop.add_reader(a, calls.append, "second")  # replaces "first", no error
            b.send(b"x")  # never read: the fd stays readable
            for _ in range(5):
                await asyncio.sleep(0)
            return loop.remove_reader(a), loop.remove_reader(a)

    assert asyncio.run(main()) == (True, False)  # True: a reader was removed; then none left
    assert len(calls) >= 2 and set(calls) == {"second"}


def test_trio_wakes_a_waiter_once_a_second_is_busy_and_notify_closing_ends_a_wait() -> None:
    """Trio: one task per fd and direction, woken once per call, told when the fd is closed."""
    outcomes: list[str] = []

    async def watch(sock: socket.socket) -> None:
        try:
            await trio.lowlevel.wait_readable(sock)
        except (trio.BusyResourceError, trio.ClosedResourceError) as exc:
            outcomes.append(type(exc).__name__)
        else:
            outcomes.append("readable")

    async def main() -> None:
        a, b = socket.socketpair()
        with a, b:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(watch, a)
                await trio.testing.wait_all_tasks_blocked()
                b.send(b"x")
                await trio.testing.wait_all_tasks_blocked()
                assert outcomes == ["readable"]  # one wake-up, then the task runs on
                nursery.start_soon(watch, a)
                await trio.testing.wait_all_tasks_blocked()  # still readable: returns at once
                assert outcomes == ["readable", "readable"]
                a.recv(1)
                nursery.start_soon(watch, a)
                await trio.testing.wait_all_tasks_blocked()
                nursery.start_soon(watch, a)  # a second waiter on the same fd and direction
                await trio.testing.wait_all_tasks_blocked()
                assert outcomes == ["readable", "readable", "BusyResourceError"]
                trio.lowlevel.notify_closing(a)  # before closing an fd a task waits on
            assert outcomes == ["readable", "readable", "BusyResourceError", "ClosedResourceError"]

    run_trio(main)


# ---------------------------------------------------------------------------------------------
# coroutine-decorator: `@asyncio.coroutine` and `yield from`


def test_the_coroutine_decorator_is_gone_and_neither_framework_runs_a_generator() -> None:
    """The decorator was removed in 3.11: a `yield from` coroutine must become `async def`.

    How asyncio refuses one depends on the version (the nox sessions run this on each):
    ``asyncio.run`` on 3.11 takes the generator for a coroutine (``asyncio.iscoroutine``
    accepted generators until 3.12) and fails at its ``yield from`` of a coroutine, a
    ``TypeError``; from 3.12 it refuses the generator before running it, a ``ValueError``.
    Awaited from a coroutine, it is a ``TypeError`` on every version."""
    assert sys.version_info >= (3, 11)
    assert not hasattr(asyncio, "coroutine")

    def old_style() -> Generator[Any, None, str]:
        yield from asyncio.sleep(0)  # type: ignore[misc]  # what `@asyncio.coroutine` allowed
        return "done"

    async def awaits_it() -> str:
        return await old_style()  # type: ignore[misc]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the sleep() coroutine never awaited
        if sys.version_info >= (3, 12):
            with pytest.raises(ValueError, match="a coroutine was expected, got <generator"):
                asyncio.run(old_style())  # type: ignore[arg-type]
        else:
            with pytest.raises(TypeError, match="cannot 'yield from' a coroutine"):
                asyncio.run(old_style())  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="can't be used in 'await' expression"):
            asyncio.run(awaits_it())
        gc.collect()
    with pytest.raises(TypeError, match="library written for asyncio"):
        trio.run(old_style)  # type: ignore[arg-type]

    async def ported() -> str:
        await trio.sleep(1)
        return "done"

    assert trio.run(ported, clock=mock_clock()) == "done"
