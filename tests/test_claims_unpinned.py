"""Sentences of the guide about what a framework does that used to say no test showed them.

Each said so itself ("read from the source", "by hand", "measured", "an outside reviewer's run,
not a test here", "no test yet", "not one of its cases"). Each test here names the page and the
sentence it now pins (two sentences were half true, and now say what the test shows), and
varies what could make the sentence false: where the signal lands (running code or a wait, the
main task or a child), whether a charset is declared, which CPython runs it (the nox sessions
run this file on each installed one from 3.11; version-dependent behaviour is asserted per
``sys.version_info``). Real signals go to a real child process (``tests/signals.py``); HTTP goes
to a server on 127.0.0.1, never a mock of the client library.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import gc
import math
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import httpx
import pytest
import trio
import trio.testing

from tests.signals import interrupt
from tests.test_claims import _Handler, serving
from tests.test_claims import python as python_child
from tests.test_claims_pages import AIO_WATCHER, killed_after
from tests.virtual import run_asyncio, run_trio
from walkthrough.demosite import DemoSite

ROOT = Path(__file__).resolve().parent.parent


#: What a child prints of the exception that left a call: its type, and a group's members in
#: brackets, nested as they are; and the function, Trio's aside, that the first leaf was raised
#: in.
SHAPE = """
def shape(e):
    inner = getattr(e, "exceptions", None)
    if inner is None:
        return type(e).__name__
    return type(e).__name__ + "[" + ", ".join(shape(x) for x in inner) + "]"

def raised_in(e):
    while getattr(e, "exceptions", None):
        e = e.exceptions[0]
    tb, name = e.__traceback__, None
    while tb is not None:  # the last frame outside Trio (its SIGINT handler raised it there)
        if "trio" not in tb.tb_frame.f_code.co_filename:
            name = tb.tb_frame.f_code.co_name
        tb = tb.tb_next
    return name
"""


# ---------------------------------------------------------------------------------------------
# divergences.md, Ctrl-C: raised in a *child*, Trio's KeyboardInterrupt leaves trio.run in a
# BaseExceptionGroup (the main-task cases are tests/test_claims.py's KI_SHAPES).

KI_IN_A_CHILD = SHAPE + """
import signal, sys, time, trio

HOW, MAIN = sys.argv[1], sys.argv[2]

def busy():
    print("ready", flush=True)
    if HOW == "raise_signal":
        signal.raise_signal(signal.SIGINT)
    deadline = time.monotonic() + 30
    # a loop with a body: on 3.13 a signal's exception raised at a tight `while cond: pass`
    # can skip the handlers around it (python/cpython#130279)
    while True:  # running, not waiting: the signal lands here
        if time.monotonic() >= deadline:
            break
    print("the busy loop ran out", flush=True)

async def child():
    busy()

async def grandchild_owner():
    async with trio.open_nursery() as inner:
        inner.start_soon(child)

async def main():
    async with trio.open_nursery() as nursery:
        nursery.start_soon(grandchild_owner if MAIN == "two nurseries deep" else child)
        if MAIN == "sleeping in the block":
            await trio.sleep(60)
        # else: main waits at the nursery's end

try:
    trio.run(main)
    print("trio.run returned")
except BaseException as e:
    print(shape(e), "raised in", raised_in(e))
"""


@pytest.mark.timeout(90)
@pytest.mark.parametrize("how", ["a real SIGINT from outside", "raise_signal"])
@pytest.mark.parametrize("main", ["at the nursery's end", "sleeping in the block",
                                  "two nurseries deep"])
def test_a_ctrl_c_raised_in_a_running_child_leaves_trio_run_in_a_group(how: str,
                                                                        main: str) -> None:
    """divergences.md: a KeyboardInterrupt raised in a *child* (Trio's default handler raises
    it in whatever task is running) leaves ``trio.run`` inside a ``BaseExceptionGroup``,
    whatever the main task is doing meanwhile; one group for each nursery it passes through.
    The signal comes from the parent (``tests/signals.py``) or from the child task itself."""
    if how == "raise_signal":
        done = python_child(KI_IN_A_CHILD, how, main)
        assert done.returncode == 0, done.stderr
        out = done.stdout
    else:
        result = interrupt(["-c", KI_IN_A_CHILD, how, main],
                           ready=lambda line: line == "ready\n")
        assert result.returncode == 0, result.stderr
        out = result.stdout
    group = "BaseExceptionGroup[KeyboardInterrupt]"
    if main == "two nurseries deep":
        group = f"BaseExceptionGroup[{group}]"
    assert out.splitlines() == ["ready", f"{group} raised in busy"]


# ---------------------------------------------------------------------------------------------
# faq.md, the httpx/aiohttp defaults: "bad bytes in text | replaced silently |
# UnicodeDecodeError".

#: UTF-8 with one byte that is not: "caf\xe9", Latin-1's é, between two good ones.
BAD_BYTES = "naïve ".encode() + b"caf\xe9" + " – ok".encode()


class _BadBytesHandler(_Handler):
    """tests/test_claims.py's server, with a body that is not valid in its declared charset."""

    def do_GET(self) -> None:
        if self.path == "/bad-bytes/declared":
            self._send(200, BAD_BYTES, {"Content-Type": "text/html; charset=utf-8"})
        elif self.path == "/bad-bytes/undeclared":
            self._send(200, BAD_BYTES, {"Content-Type": "text/html"})
        else:
            super().do_GET()


@pytest.fixture
def bad_bytes_server() -> Iterator[str]:
    with serving(_BadBytesHandler) as url:
        yield url


@pytest.mark.parametrize("charset", ["declared", "undeclared"])
def test_bad_bytes_in_text_httpx_replaces_them_silently_aiohttp_raises(
        bad_bytes_server: str, charset: str) -> None:
    """faq.md's table, the bad-bytes row: a body that is not valid UTF-8, with ``charset=utf-8``
    declared or with none (both libraries then fall back to UTF-8). httpx's ``.text`` and its
    streamed ``aiter_text()`` replace the bad byte with U+FFFD, no warning, no error (its
    decoder's ``errors="replace"``); aiohttp's ``text()`` raises ``UnicodeDecodeError`` (its
    ``errors="strict"`` default), and decodes only when asked for ``errors="replace"``."""
    url = f"{bad_bytes_server}/bad-bytes/{charset}"
    expected = "naïve caf\ufffd – ok"

    async def main_httpx() -> tuple[str, str]:
        async with httpx.AsyncClient() as client:
            whole = (await client.get(url)).text
            async with client.stream("GET", url) as response:
                streamed = "".join([text async for text in response.aiter_text()])
            return whole, streamed

    async def main_aiohttp() -> str:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            with pytest.raises(UnicodeDecodeError):
                await response.text()
            assert response.get_encoding() == "utf-8"
            return await response.text(errors="replace")

    assert trio.run(main_httpx) == (expected, expected)
    assert asyncio.run(main_aiohttp()) == expected


# ---------------------------------------------------------------------------------------------
# groups.md: asyncio.TaskGroup puts no CancelledError in its group, but on 3.11 and 3.12 a
# *subclass* of CancelledError raised in its body does go in; 3.13 fixed that.


class _MyCancelled(asyncio.CancelledError):
    """A library's own cancellation, as a subclass of CancelledError."""


def _what_leaves_a_taskgroup(raised: type[BaseException], where: str) -> str:
    """The TaskGroup's exit when ``raised`` is raised in its body or in a child task."""

    async def child() -> None:
        await asyncio.sleep(0)
        raise raised()

    async def main() -> str:
        try:
            async with asyncio.TaskGroup() as group:
                if where == "child task":
                    group.create_task(child())
                else:
                    group.create_task(asyncio.sleep(3600))  # a sibling for the group to cancel
                    await asyncio.sleep(0)
                    raise raised()
        except BaseException as e:  # what leaves the group is the subject
            inner = getattr(e, "exceptions", None)
            return type(e).__name__ + (f"{[type(x).__name__ for x in inner]}" if inner else "")
        return "nothing: the group ended normally"

    return run_asyncio(main)


@pytest.mark.parametrize("where", ["body", "child task"])
def test_a_cancellederror_subclass_goes_into_a_taskgroups_group_before_313_only(
        where: str) -> None:
    """groups.md: ``TaskGroup.__aexit__`` on 3.11 and 3.12 recognises a cancellation by
    ``et is CancelledError``; a subclass raised in the body fails that test and joins the
    group as an error (a ``BaseExceptionGroup``). 3.13 asks ``issubclass``: the subclass leaves
    bare, as ``CancelledError`` itself does on every version. Raised in a child task, a
    subclass is no error on any version: the task counts as cancelled, which the group ignores,
    and the group ends normally."""
    assert _what_leaves_a_taskgroup(asyncio.CancelledError, where) == (
        "CancelledError" if where == "body" else "nothing: the group ended normally")
    subclass = _what_leaves_a_taskgroup(_MyCancelled, where)
    if where == "child task":
        assert subclass == "nothing: the group ended normally"
    elif sys.version_info < (3, 13):
        assert subclass == "BaseExceptionGroup['_MyCancelled']"
    else:
        assert subclass == "_MyCancelled"


# ---------------------------------------------------------------------------------------------
# groups.md, hiding the nursery: in Trio a Ctrl-C during fetch_one leaves it as
# BaseExceptionGroup([KeyboardInterrupt]); asyncio's lets it out bare.

FETCH_ONE_CTRL_C = SHAPE + """
import importlib.util, sys, time

FRAMEWORK, LANDS = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location(
    "groups_example", f"examples/migration/groups_{FRAMEWORK}.py")
example = importlib.util.module_from_spec(spec)
spec.loader.exec_module(example)
if FRAMEWORK == "trio":
    import trio as framework
    run = framework.run
else:
    import asyncio as framework
    run = lambda fn: framework.run(fn())

async def fetch(name):  # the example's fetch, slow: the Ctrl-C comes while it runs or waits
    print("ready", flush=True)
    if LANDS == "while the fetch runs code":
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # Trio raises the KeyboardInterrupt here
            if FRAMEWORK == "asyncio" and framework.current_task().cancelling():
                print("cancelled while running", flush=True)  # at the next await, below
                break
    await framework.sleep(30)
    return f"page {name}"

example.fetch = fetch

async def main():
    try:
        await example.fetch_one("slow")
    except BaseException as e:
        print("fetch_one raised", shape(e), flush=True)
        raise

try:
    run(main)
except BaseException as e:
    print("run raised", shape(e))
"""


@pytest.mark.timeout(90)
@pytest.mark.parametrize("lands", ["while every task waits", "while the fetch runs code"])
@pytest.mark.parametrize("framework", ["trio", "asyncio"])
def test_a_ctrl_c_during_fetch_one_leaves_it_in_a_group_in_trio_bare_in_asyncio(
        framework: str, lands: str) -> None:
    """groups.md: ``fetch_one`` (examples/migration/groups_*.py) unwraps only the fetch's own
    ``Exception``. In Trio a real SIGINT during the fetch, whether it lands while every task
    waits (delivered to the main task, inside the nursery) or while the fetch's code runs
    (raised there), leaves ``fetch_one`` as ``BaseExceptionGroup([KeyboardInterrupt])``, and
    ``trio.run`` raises that group. asyncio's first Ctrl-C cancels the main task instead:
    ``fetch_one`` lets out a bare ``CancelledError`` (a TaskGroup never groups one), and
    ``asyncio.run`` raises a bare ``KeyboardInterrupt``."""
    result = interrupt(["-c", FETCH_ONE_CTRL_C, framework, lands],
                       ready=lambda line: line == "ready\n")
    assert result.returncode == 0, result.stderr
    if framework == "trio":
        raised = ["fetch_one raised BaseExceptionGroup[KeyboardInterrupt]",
                  "run raised BaseExceptionGroup[KeyboardInterrupt]"]
    else:
        raised = ["fetch_one raised CancelledError", "run raised KeyboardInterrupt"]
        if lands == "while the fetch runs code":
            raised.insert(0, "cancelled while running")
    assert result.stdout.splitlines() == ["ready", *raised]


# ---------------------------------------------------------------------------------------------
# migration/threads.md: the back-pressure advice, and what a call from a thread gets while
# asyncio.run is ending.

THREAD_SENDS = {
    "run_sync(send_nowait), unbounded (the example)": (math.inf, "send_nowait"),
    "run(send), bounded (the advice)": (1, "send"),
    "run_sync(send_nowait), bounded": (1, "send_nowait"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("how", list(THREAD_SENDS))
def test_a_thread_is_held_back_by_a_bounded_channel_only_through_from_thread_run_send(
        how: str) -> None:
    """threads.md, "For back-pressure": a thread that Trio did not start (a token handed to
    it) delivers three items while nobody reads. Into the example's unbounded channel, with
    ``from_thread.run_sync(send.send_nowait)``, it delivers all three and finishes: each call
    waits for the run's thread, not for a reader. Into a channel of one, with
    ``from_thread.run(send.send)``, the first fits and the second call waits, parked on the
    full channel, until the run reads; then every item arrives, in order. ``send_nowait`` on
    that full channel would raise ``trio.WouldBlock`` in the thread instead."""
    bound, method = THREAD_SENDS[how]

    async def main() -> tuple[list[int], list[int], list[str]]:
        token = trio.lowlevel.current_trio_token()
        send, receive = trio.open_memory_channel[int](bound)
        sent: list[int] = []
        errors: list[str] = []

        def sensor() -> None:  # the driver's own thread
            try:
                for i in range(3):
                    if method == "send":
                        trio.from_thread.run(send.send, i, trio_token=token)
                    else:
                        trio.from_thread.run_sync(send.send_nowait, i, trio_token=token)
                    sent.append(i)
            except trio.WouldBlock as e:
                errors.append(type(e).__name__)

        thread = threading.Thread(target=sensor)
        thread.start()
        # Until the thread has finished or one of its sends is parked on the full channel:
        # polled, since neither wakes a Trio task, and no wrapper around send.send to tell us.
        with trio.fail_after(30):
            while thread.is_alive() and not send.statistics().tasks_waiting_send:  # noqa: ASYNC110
                await trio.sleep(0.005)
        before_reading = list(sent)
        received = [receive.receive_nowait() for _ in range(len(before_reading))]
        if method == "send":  # a parked send goes through once there is room
            received += [await receive.receive() for _ in range(3 - len(received))]
        await trio.to_thread.run_sync(thread.join)
        return before_reading, received, errors

    before_reading, received, errors = trio.run(main)
    if bound == math.inf:
        assert (before_reading, received, errors) == ([0, 1, 2], [0, 1, 2], [])
    elif method == "send":
        assert (before_reading, received, errors) == ([0], [0, 1, 2], [])
    else:
        assert (before_reading, received, errors) == ([0], [0], ["WouldBlock"])


class _TellingExecutor(concurrent.futures.ThreadPoolExecutor):
    """A default executor that says when ``asyncio.run`` begins to wait for its threads
    (``loop.shutdown_default_executor`` calls ``shutdown(wait=True)``, after ``main``
    returned and the tasks left were cancelled)."""

    def __init__(self) -> None:
        super().__init__()
        self.shutting_down = threading.Event()

    def shutdown(self, *args: Any, **kwargs: Any) -> None:
        self.shutting_down.set()
        super().shutdown(*args, **kwargs)


@pytest.mark.timeout(60)
def test_a_call_while_asyncio_run_waits_for_its_executor_is_accepted_and_may_never_finish(
        ) -> None:
    """threads.md, "After the run has ended": a thread's call that lands while ``asyncio.run``
    is ending (``main`` has returned, the run waits for its default executor's threads) is
    accepted: ``call_soon_threadsafe`` runs its callback, and a quick
    ``run_coroutine_threadsafe(...).result()`` gets its result. But a coroutine that needs the
    loop for longer than the executor's threads keep it running is never finished: the loop
    closes under it, its task is destroyed pending, and its future is never done, so a
    ``.result()`` without a timeout would wait for ever. On every CPython from 3.11."""
    ran: list[str] = []
    late: dict[str, Any] = {}
    destroyed: list[str] = []

    def worker(loop: asyncio.AbstractEventLoop, executor: _TellingExecutor) -> None:
        late["in shutdown"] = executor.shutting_down.wait(30)
        loop.call_soon_threadsafe(ran.append, "call_soon_threadsafe ran")
        late["quick"] = asyncio.run_coroutine_threadsafe(asyncio.sleep(0, "quick"),
                                                         loop).result(timeout=30)
        late["slow"] = asyncio.run_coroutine_threadsafe(asyncio.sleep(3600), loop)

    async def main() -> str:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _, context: destroyed.append(context["message"]))
        executor = _TellingExecutor()
        loop.set_default_executor(executor)
        late["loop"] = loop
        loop.run_in_executor(None, worker, loop, executor)  # not awaited: main returns
        return "main returned"

    assert asyncio.run(main()) == "main returned"
    assert late["in shutdown"] is True
    assert ran == ["call_soon_threadsafe ran"]
    assert late["quick"] == "quick"
    slow: concurrent.futures.Future[None] = late.pop("slow")
    assert late["loop"].is_closed() and not slow.done()
    with pytest.raises(concurrent.futures.TimeoutError):
        slow.result(timeout=0)
    del slow
    gc.collect()
    assert destroyed == ["Task was destroyed but it is pending!"]


# ---------------------------------------------------------------------------------------------
# migration/bridge.md (trio-asyncio): a Ctrl-C that lands in running asyncio code hangs
# trio.run, a Trio deadline around the call too; and `async with aio_as_trio(session)` after
# Ctrl-C leaves the aiohttp session unclosed.


@pytest.mark.timeout(60)
@pytest.mark.parametrize("where", ["main task", "child task"])
def test_a_ctrl_c_in_running_asyncio_code_hangs_trio_run_past_a_5s_move_on_after(
        where: str) -> None:
    """bridge.md: the hang of
    ``tests/test_claims_pages.py::test_a_ctrl_c_that_lands_in_running_asyncio_code_is_raised_there_and_trio_run_hangs``,
    with a 5 s ``trio.move_on_after`` around the bridged call: the deadline does not end it
    either. The run is given 12 s from its start (the deadline falls at about 6) and killed;
    the asyncio side's ``KeyboardInterrupt`` shows, on every version, as in that test."""
    lines = killed_after(where, "5", timeout=12)
    assert lines == ["asyncio side: KeyboardInterrupt"]


SESSION_AFTER_CTRL_C = """
import gc, importlib.util, sys
import aiohttp, trio, trio_asyncio
from trio_asyncio import aio_as_trio

INDEX, SLOW, CLOSE = sys.argv[1:4]
spec = importlib.util.spec_from_file_location("crawler_bridge",
                                              "examples/migration/crawler_bridge.py")
bridge = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bridge)

async def new_session():
    return aiohttp.ClientSession()  # aiohttp wants its loop running when it is made

async def get(session, url):
    async with session.get(url) as response:
        return await response.read()

async def fetch_both(session):
    await aio_as_trio(get)(session, INDEX)  # a keep-alive connection in the pool
    print("ready", flush=True)
    await aio_as_trio(get)(session, SLOW)  # in flight when Ctrl-C comes

async def crawl():
    async with trio_asyncio.open_loop():
        session = await aio_as_trio(new_session)()
        try:
            if CLOSE == "async with aio_as_trio(session)":
                async with aio_as_trio(session):
                    await fetch_both(session)
            else:  # the bridge's own way (crawler_bridge.py)
                try:
                    await fetch_both(session)
                finally:
                    with trio.move_on_after(5, shield=True):
                        await aio_as_trio(session.close)()
        finally:
            print("session closed:", session.closed, flush=True)

print("interrupted:", trio.run(bridge._until_ctrl_c, crawl), flush=True)
gc.collect()  # the session's __del__ reports it now, not at some later collection
"""


@pytest.mark.timeout(90)
@pytest.mark.parametrize("close", ["async with aio_as_trio(session)",
                                   "a shielded, bounded close (the bridge's)"])
def test_after_ctrl_c_async_with_aio_as_trio_session_leaves_it_unclosed(close: str) -> None:
    """bridge.md, "Cleanup after a cancellation needs a shield": a real SIGINT while a
    request is in flight, taken as the bridge takes it (its ``_until_ctrl_c`` cancels the
    crawl). With ``async with aio_as_trio(session)`` the session's ``__aexit__`` is awaited in
    the cancelled scope, cancelled before it closed anything: the session stays open and
    aiohttp reports "Unclosed client session". The bridge's shielded, bounded
    ``session.close()`` closes it, and nothing is reported."""
    with DemoSite(pages=1, slow_seconds=30) as site:
        result = interrupt([*AIO_WATCHER, "-c", SESSION_AFTER_CTRL_C, site.url("index.html"),
                            site.url("slow.html"), close],
                           ready=lambda line: line == "ready\n")
    assert result.returncode == 0, result.stderr
    closed = close != "async with aio_as_trio(session)"
    assert result.stdout.splitlines() == ["ready", f"session closed: {closed}",
                                          "interrupted: True"]
    assert ("Unclosed client session" in result.stderr) is not closed, result.stderr


# ---------------------------------------------------------------------------------------------
# migration/debugging.md: asyncio.all_tasks() and task.get_stack().


async def _inner() -> None:
    await asyncio.sleep(3600)


async def _middle() -> None:
    await _inner()


async def _outer() -> None:
    await _middle()  # get_stack() shows this line, and no frame below it


def test_get_stack_shows_a_tasks_own_coroutine_frame_not_the_functions_it_awaits() -> None:
    """debugging.md: ``asyncio.all_tasks()`` gives the tasks not yet done, and
    ``task.get_stack()`` one frame per task: its own coroutine's, at its current ``await``.
    A task waiting two calls deep (``_outer`` awaits ``_middle``, which awaits ``_inner``,
    which sleeps) is shown at ``_outer``'s line, on every CPython from 3.11."""

    async def main() -> tuple[list[tuple[str, int]], set[str], set[str]]:
        task = asyncio.create_task(_outer())
        done = asyncio.create_task(asyncio.sleep(0))
        await asyncio.sleep(1)  # both have run: one waits two calls deep, one has finished
        stack = [(frame.f_code.co_name, frame.f_lineno) for frame in task.get_stack()]
        alive = {t.get_coro().__qualname__ for t in asyncio.all_tasks()}  # type: ignore[union-attr]
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return stack, alive, {"sleep"} if done.done() else set()

    stack, alive, finished = run_asyncio(main)
    line = _outer.__code__.co_firstlineno + 1
    assert stack == [("_outer", line)]
    assert "_outer" in alive and "sleep" not in alive and finished == {"sleep"}


# ---------------------------------------------------------------------------------------------
# groups.md, "Defer to one type": except* re-raising, and group.subgroup.


def _shape(e: BaseException) -> str:
    """A group's type and members, nested, sorted (the order children fail in is not fixed)."""
    inner = getattr(e, "exceptions", None)
    if inner is None:
        return type(e).__name__
    return f"{type(e).__name__}[{', '.join(sorted(_shape(x) for x in inner))}]"


async def _ctrl_c() -> None:
    raise KeyboardInterrupt  # what a Ctrl-C raised in a child leaves in the nursery


async def _broken() -> None:
    raise ValueError("an error that came with it")


async def _nursery_of(*children: Callable[[], Awaitable[None]]) -> None:
    async with trio.open_nursery() as nursery:
        for child in children:
            nursery.start_soon(child)


async def _reraise_in_except_star(*children: Callable[[], Awaitable[None]]) -> None:
    try:
        await _nursery_of(*children)
    except* KeyboardInterrupt:
        raise KeyboardInterrupt from None


async def _ask_subgroup(*children: Callable[[], Awaitable[None]]) -> None:
    try:
        await _nursery_of(*children)
    except BaseExceptionGroup as group:
        if group.subgroup(KeyboardInterrupt) is not None:
            raise KeyboardInterrupt from group
        raise


@pytest.mark.parametrize("children", [(_ctrl_c,), (_ctrl_c, _broken), (_broken,)],
                         ids=["KeyboardInterrupt alone", "with another error", "no Ctrl-C"])
def test_except_star_reraising_keeps_a_group_when_others_came_subgroup_hands_back_one(
        children: tuple[Callable[[], Awaitable[None]], ...]) -> None:
    """groups.md, "Defer to one type": ``except* KeyboardInterrupt: raise KeyboardInterrupt``
    leaves the ``KeyboardInterrupt`` bare only when it came alone; with another error it is
    grouped again with what no clause matched. Catching ``BaseExceptionGroup`` and asking
    ``group.subgroup(KeyboardInterrupt)`` hands back the one type either way, and lets a group
    without one pass unchanged."""
    left = {}
    for how in (_reraise_in_except_star, _ask_subgroup):
        with pytest.raises(BaseException) as caught:
            run_trio(how, *children)
        left[how.__name__] = _shape(caught.value)
    if children == (_broken,):
        assert left == {"_reraise_in_except_star": "ExceptionGroup[ValueError]",
                        "_ask_subgroup": "ExceptionGroup[ValueError]"}
    elif children == (_ctrl_c,):
        assert left == {"_reraise_in_except_star": "KeyboardInterrupt",
                        "_ask_subgroup": "KeyboardInterrupt"}
    else:
        assert left == {
            "_reraise_in_except_star":
                "BaseExceptionGroup[ExceptionGroup[ValueError], KeyboardInterrupt]",
            "_ask_subgroup": "KeyboardInterrupt"}


# ---------------------------------------------------------------------------------------------
# migration/bridge.md, "Ctrl-C is Trio's problem": the bridge's Ctrl-C reaches the asyncio side
# as a CancelledError.

BRIDGE_CTRL_C = """
import asyncio, importlib.util, sys, time
from pathlib import Path
import asyncio_ref.crawler as aio

SLOW, OUTPUT, LANDS = sys.argv[1:4]
spec = importlib.util.spec_from_file_location("crawler_bridge",
                                              "examples/migration/crawler_bridge.py")
bridge = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bridge)
fetch_html = aio.fetch_html

async def watched_fetch_html(*args, **kwargs):  # the lesson's own, inside its parse()
    print("ready", flush=True)
    try:
        if LANDS == "while the asyncio side runs code":
            # a loop with a body: on 3.13 a signal's exception raised at a tight
            # `while cond: pass` can skip the handlers around it (python/cpython#130279)
            end = time.monotonic() + 2
            while True:  # running, not waiting: the signal lands here
                if time.monotonic() >= end:
                    break
        return await fetch_html(*args, **kwargs)
    except BaseException as e:
        print("asyncio side:", type(e).__name__, flush=True)
        raise

aio.fetch_html = watched_fetch_html
status = bridge.crawl([SLOW], Path(OUTPUT), concurrency=1, url_timeout=60,
                      max_bytes=aio.DEFAULT_MAX_BYTES)
print("status", status, flush=True)
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize("lands", ["while the asyncio side waits",
                                   "while the asyncio side runs code"])
def test_the_bridges_ctrl_c_reaches_the_asyncio_side_as_a_cancellederror(
        tmp_path: Path, lands: str) -> None:
    """bridge.md: the bridge takes SIGINT with ``trio.open_signal_receiver`` and cancels the
    crawl; the asyncio side, the lesson's ``parse`` fetching a slow page through aiohttp, sees
    a ``CancelledError`` at its await (not a ``KeyboardInterrupt``, and not nothing), and the
    crawl ends with 130. That holds too when the signal lands while asyncio code runs: the
    receiver's handler only queues it, so the hang of Trio's default handling (above) never
    starts. A real SIGINT from outside (``tests/signals.py``)."""
    with DemoSite(pages=1, slow_seconds=30) as site:
        result = interrupt([*AIO_WATCHER, "-c", BRIDGE_CTRL_C, site.url("slow.html"),
                            str(tmp_path / "out.tsv"), lands],
                           ready=lambda line: line == "ready\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["ready", "asyncio side: CancelledError", "status 130"]
    assert result.stderr.startswith("interrupted: pages "), result.stderr


# ---------------------------------------------------------------------------------------------
# faq.md, call_later and timers: without aclosing, this project's tests (-W error) fail on the
# example.

CALL_LATER_TEST = """
import contextlib, importlib.util
import trio
from walkthrough.clocks import mock_clock

spec = importlib.util.spec_from_file_location("call_later_example", {path!r})
example = importlib.util.module_from_spec(spec)
spec.loader.exec_module(example)
if {without!r}:
    @contextlib.asynccontextmanager
    async def not_closing(agen):  # the example as it would be without aclosing
        yield agen

    example.aclosing = not_closing

def test_call_later():
    assert trio.run(example.main, clock=mock_clock()) == [
        "periodic at 0", "one-shot fired", "periodic at 2", "periodic at 4"]
"""


@pytest.mark.timeout(120)
@pytest.mark.parametrize("without", [False, True], ids=["with aclosing", "without aclosing"])
def test_without_aclosing_the_call_later_example_fails_this_projects_tests(
        tmp_path: Path, without: bool) -> None:
    """faq.md: leaving ``periodic``'s ``async for`` with ``break`` and no ``aclosing`` leaves
    the generator to the garbage collector; Trio's finalizer then warns (a ``ResourceWarning``,
    "garbage collected before it had been exhausted"), which ``-W error`` turns into an
    exception in a finalizer, an unraisable one, and pytest fails the test for it. The
    example as it is passes. pytest in a child, with this project's configuration."""
    test_file = tmp_path / "test_call_later_example.py"
    test_file.write_text(CALL_LATER_TEST.format(
        path=str(ROOT / "examples" / "faq" / "call_later.py"), without=without))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "--rootdir", str(ROOT),
         "-c", str(ROOT / "pyproject.toml"), str(test_file)],
        cwd=ROOT, capture_output=True, text=True, timeout=100,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    if without:
        assert done.returncode == 1, done.stdout + done.stderr
        assert "1 failed" in done.stdout, done.stdout
        assert "PytestUnraisableExceptionWarning" in done.stdout, done.stdout
        assert "Async generator 'trio_util._periodic.periodic' was garbage collected" \
            in done.stdout, done.stdout
    else:
        assert done.returncode == 0, done.stdout + done.stderr
        assert "1 passed" in done.stdout, done.stdout


# ---------------------------------------------------------------------------------------------
# faq.md, graceful shutdown: the example's status for a second signal in its last instants.

LATE_SIGNAL = """
import builtins, contextlib, runpy, signal, sys
import trio

LATE = sys.argv[1]
path = "examples/faq/graceful_shutdown.py"
sys.argv = [path]
closed = []
real_print, real_receiver = builtins.print, trio.open_signal_receiver

def print(*args, **kwargs):  # the example's, with a hook: the second cleanup's last line
    real_print(*args, **kwargs)
    if str(args[0]).endswith("flushed and closed"):
        closed.append(args[0])
        if len(closed) == 2 and LATE == "SIGINT just as the cleanups end":
            signal.raise_signal(signal.SIGINT)

@contextlib.contextmanager
def open_signal_receiver(*signals):  # Trio's, with a hook: after the example stopped watching
    with real_receiver(*signals) as receiver:
        yield receiver
        if LATE.endswith("in the last window"):  # run() has returned; the receiver is open
            signal.raise_signal(getattr(signal, LATE.split()[0]))

builtins.print, trio.open_signal_receiver = print, open_signal_receiver
runpy.run_path(path, run_name="__main__")
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("late", "returncode"), [
    ("no second signal", 0),
    ("SIGINT just as the cleanups end", 130),
    ("SIGINT in the last window", 130),
    ("SIGTERM in the last window", -signal.SIGTERM),
])
def test_a_second_signal_in_the_graceful_shutdowns_last_instants_sets_its_status(
        late: str, returncode: int) -> None:
    """faq.md, after rule 3: the example (``examples/faq/graceful_shutdown.py``, run as a
    script) gets a real SIGINT, its cleanups finish, and a second signal comes at an exact
    point, raised by a hook: as the second cleanup prints its last line (still watched: 130,
    whether the watcher reads it or, already cancelled, the receiver raises it again at its
    close), or in the last window, after the example stopped watching and before the receiver
    closes: a SIGINT is raised again at the close as a ``KeyboardInterrupt``, which the
    script's ``except*`` turns into 130, no traceback; a SIGTERM gets its default action there
    and kills the process (143 in a shell). No second signal: 0."""
    result = interrupt(["-c", LATE_SIGNAL, late], ready=lambda line: line == "ready\n")
    assert result.returncode == returncode, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["ready", "got SIGINT, shutting down"]
    assert {"w1 flushed and closed", "w2 flushed and closed"} <= set(lines[2:])
    assert "Traceback" not in result.stderr, result.stderr


# ---------------------------------------------------------------------------------------------
# migration/anyio.md: AnyIO (asyncio backend) stops its worker threads when the root task ends.

ROOT_TASK_LEFT = """
import asyncio, sys, threading
import anyio.to_thread

LEFT = sys.argv[1] == "left unfinished"

def interrupt():
    raise KeyboardInterrupt  # out of the loop, as a Ctrl-C in the runner's teardown can

async def main():
    await anyio.to_thread.run_sync(threading.get_ident)  # starts an AnyIO worker thread
    if LEFT:
        asyncio.get_running_loop().call_soon(interrupt)
        await asyncio.Event().wait()

loop = asyncio.new_event_loop()
try:
    loop.run_until_complete(main())  # main is AnyIO's root task: run_until_complete's
except KeyboardInterrupt:
    print("the loop stopped, main unfinished")
loop.close()
workers = [t for t in threading.enumerate() if t.name == "AnyIO worker thread"]
print("loop closed; worker threads daemon:", {t.daemon for t in workers} or "none left")
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize("main", ["ended", "left unfinished"])
def test_anyios_worker_thread_stops_only_when_the_root_task_ends_else_the_exit_hangs(
        main: str) -> None:
    """anyio.md: on the asyncio backend AnyIO stops a worker thread from a done callback of
    the root task (``root_task.add_done_callback(worker.stop)``); the thread is not a daemon.
    A root task that ended: the process exits. One left unfinished when the loop closes (here
    a ``KeyboardInterrupt`` raised out of the loop, and no cancellation after it): the worker
    keeps waiting for work, and the process hangs at exit, in ``threading._shutdown``. The
    child is given 8 s, then killed."""
    args = [sys.executable, "-u", "-W", "error", "-c", ROOT_TASK_LEFT, main]
    run = functools.partial(subprocess.run, args, capture_output=True, text=True, timeout=8,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if main == "ended":
        done = run()
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] in (
            "loop closed; worker threads daemon: {False}",  # not yet gone: it exits after
            "loop closed; worker threads daemon: none left")
        return
    with pytest.raises(subprocess.TimeoutExpired) as hung:
        run()
    out = hung.value.stdout
    out = out.decode() if isinstance(out, bytes) else out or ""
    assert out.splitlines() == ["the loop stopped, main unfinished",
                                "loop closed; worker threads daemon: {False}"]


@pytest.mark.parametrize("backend", ["trio", "asyncio"])
def test_anyios_asyncio_backend_ignores_a_clock_and_instruments_in_backend_options(
        backend: str) -> None:
    """anyio.md: ``backend_options={"clock": MockClock(autojump_threshold=0), "instruments":
    [...]}`` reach Trio on the Trio backend (an hour's ``anyio.sleep`` ends at once on the
    virtual clock, the instrument sees the steps); the asyncio backend reads only ``debug``,
    ``loop_factory`` and ``use_uvloop`` and ignores the rest, no error: the instrument sees
    nothing, and the hour's sleep is still waiting on the real clock when a 50 ms
    ``move_on_after`` ends it."""

    class Steps(trio.abc.Instrument):
        def __init__(self) -> None:
            self.steps = 0

        def before_task_step(self, task: trio.lowlevel.Task) -> None:
            self.steps += 1

    steps = Steps()
    options = {"clock": trio.testing.MockClock(autojump_threshold=0), "instruments": [steps]}

    async def main() -> tuple[bool, float]:
        start = anyio.current_time()
        with anyio.move_on_after(7200 if backend == "trio" else 0.05) as scope:
            await anyio.sleep(3600)
        return scope.cancelled_caught, anyio.current_time() - start

    cut_short, elapsed = anyio.run(main, backend=backend, backend_options=options)
    if backend == "trio":
        assert (cut_short, elapsed >= 3600, steps.steps > 0) == (False, True, True)
    else:
        assert (cut_short, elapsed < 3600, steps.steps) == (True, True, 0)


# ---------------------------------------------------------------------------------------------
# divergences.md, Ctrl-C: a second Ctrl-C while a nursery unwinds after the first.

SECOND_CTRL_C = SHAPE + """
import sys, time, trio

CASE = sys.argv[1]
MAINS = CASE.startswith("main's own")  # the cleanup is main's, in a finally in the block
cleanup = []

def busy(seconds):  # a call, and a loop with a body: on 3.13 a signal's exception raised at a
    # tight `while cond: pass` can skip the handlers around it (python/cpython#130279)
    end = time.monotonic() + seconds
    while True:
        if time.monotonic() >= end:
            break

class Idle(trio.abc.Instrument):
    def before_io_wait(self, timeout):  # every task waits: say so, before and in the cleanup
        if timeout <= 0:
            return
        if not cleanup:
            cleanup.append("ready")
            print("ready", flush=True)
        elif cleanup[-1] == "started" and not CASE.endswith("runs code"):
            cleanup.append("waiting")
            print("every task waits", flush=True)

async def clean_up(who):
    with trio.move_on_after(10, shield=CASE != "main's own unshielded cleanup awaits"):
        cleanup.append("started")
        print(who, "cleanup starts", flush=True)
        if CASE.endswith("runs code"):
            busy(3)  # the second signal lands here
        else:
            await trio.sleep(3)
        print(who, "cleanup finished", flush=True)

async def worker():
    try:
        if CASE.startswith("the first in a running child"):
            cleanup.append("ready")
            print("ready", flush=True)
            busy(30)  # the first signal lands here, in the child
        await trio.sleep(30)
    finally:
        if not MAINS:
            await clean_up("child")

async def main():
    async with trio.open_nursery() as nursery:
        nursery.start_soon(worker)
        try:
            await trio.sleep(30)  # else the first signal comes here, once both tasks wait
        finally:
            if MAINS:
                await clean_up("main")

def leaves(e):
    inner = getattr(e, "exceptions", None)
    return [e] if inner is None else [leaf for x in inner for leaf in leaves(x)]

try:
    trio.run(main, instruments=[Idle()])
except BaseException as e:
    context = e.__context__
    print("trio.run raised", shape(e), "context", shape(context) if context else None,
          flush=True)
    print("each KeyboardInterrupt's context:",
          ", ".join(shape(x.__context__) if x.__context__ else "None" for x in leaves(e)))
"""

#: The cases of a second Ctrl-C while a nursery unwinds after the first, and what each prints
#: after "ready" (the first signal sent then; the second at "every task waits", or where the
#: cleanup runs code, at "child cleanup starts").
SECOND_CTRL_C_CASES = {
    # main already waits at the nursery's end (the first was raised in its sleep in the
    # block): the second stays pending while the child's cleanup awaits, and leaves bare
    "main waits at the end, a child's cleanup awaits": [
        "child cleanup starts", "every task waits", "child cleanup finished",
        "trio.run raised KeyboardInterrupt context BaseExceptionGroup[KeyboardInterrupt]",
        "each KeyboardInterrupt's context: BaseExceptionGroup[KeyboardInterrupt]"],
    # ... but a second that lands while the child's cleanup runs code is raised there (in
    # the finally its sleep's Cancelled led to)
    "main waits at the end, a child's cleanup runs code": [
        "child cleanup starts",
        "trio.run raised BaseExceptionGroup[KeyboardInterrupt, KeyboardInterrupt] context None",
        "each KeyboardInterrupt's context: None, Cancelled"],
    # main still in the block, its own cleanup awaiting: raised there at once, shield or not;
    # the group holds the second alone, the first as its context
    "main's own shielded cleanup awaits": [
        "main cleanup starts", "every task waits",
        "trio.run raised BaseExceptionGroup[KeyboardInterrupt] context None",
        "each KeyboardInterrupt's context: KeyboardInterrupt"],
    "main's own unshielded cleanup awaits": [
        "main cleanup starts", "every task waits",
        "trio.run raised BaseExceptionGroup[KeyboardInterrupt] context None",
        "each KeyboardInterrupt's context: KeyboardInterrupt"],
    # main still in the block, the first raised in a running child whose cleanup awaits:
    # the second is raised in main's sleep at once and joins the first in the group
    "the first in a running child, whose cleanup awaits": [
        "child cleanup starts", "every task waits", "child cleanup finished",
        "trio.run raised BaseExceptionGroup[KeyboardInterrupt, KeyboardInterrupt] context None",
        "each KeyboardInterrupt's context: None, None"],
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", list(SECOND_CTRL_C_CASES))
def test_a_second_ctrl_c_while_a_nursery_unwinds_is_pending_only_if_main_already_waits_at_its_end(
        case: str) -> None:
    """divergences.md: a real SIGINT, then a second while the nursery unwinds (the first sent
    at "ready", the second once a Trio instrument says every task waits in the cleanup, or as
    the cleanup starts running code). It stays pending only where main already waits at the
    nursery's end (the first was raised in main's sleep in the block) and a child's cleanup
    awaits: that cleanup runs to its end, and ``trio.run`` raises it bare, the first one's
    group as its ``__context__`` (``trio/_core/_run.py``: main's wait at a nursery's end has
    one abort, spent on the nursery's own cancellation; a ``KeyboardInterrupt`` still pending
    when the run ends is raised then). Where it lands while the child's cleanup runs code, it
    is raised there, cuts it short, and the group holds both. Where main is still in the
    block, it is raised in main at once: main's own cleanup (in a ``finally``, shielded or
    not) is cut short and the group holds the second alone, the first its ``__context__``; if
    the first was raised in a running child, whose cleanup awaits, the second joins the first
    in the group, that cleanup ending normally."""
    expected = SECOND_CTRL_C_CASES[case]
    second = "every task waits" if "every task waits" in expected else expected[0]
    result = interrupt(["-c", SECOND_CTRL_C, case], ready=lambda line: line == "ready\n",
                       again_on=lambda line: line == second + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["ready", *expected]


PENDING_THEN_OUTSIDE = SHAPE + """
import trio

state = []

class Idle(trio.abc.Instrument):
    def before_io_wait(self, timeout):  # once the cleanup waits, every task waiting
        if timeout > 0 and state == ["cleanup starts"]:
            state.append("ready")
            print("ready", flush=True)

async def worker():
    try:
        await trio.sleep(10)
    finally:
        with trio.move_on_after(10, shield=True):
            state.append("cleanup starts")
            await trio.sleep(2)
            print("cleanup finished", flush=True)

async def main():
    with trio.CancelScope() as scope:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(worker)
            await trio.sleep(1)
            scope.cancel()  # main now waits at the end of a cancelled nursery
    print("after the nursery", flush=True)
    await trio.sleep(5)  # main's next checkpoint, outside every nursery
    print("main's sleep finished", flush=True)

try:
    trio.run(main, instruments=[Idle()])
except BaseException as e:
    print("trio.run raised", shape(e))
"""


@pytest.mark.timeout(60)
def test_a_pending_ctrl_c_comes_bare_at_mains_next_checkpoint_outside_every_nursery() -> None:
    """divergences.md, the case ``test_a_ctrl_c_while_main_waits_in_a_cancelled_nursery_...``
    lacks: a real SIGINT while main waits at the end of an already-cancelled nursery stays
    pending until the child's shielded cleanup has finished, and comes at main's next
    checkpoint after that nursery, outside every nursery: bare, and main's sleep there never
    finishes. (The signal is sent once a Trio instrument says every task waits, in the
    cleanup's 2 s.)"""
    result = interrupt(["-c", PENDING_THEN_OUTSIDE], ready=lambda line: line == "ready\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "ready", "cleanup finished", "after the nursery", "trio.run raised KeyboardInterrupt"]
