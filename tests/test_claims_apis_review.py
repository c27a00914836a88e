"""Claims of docs/migration/asyncio-apis.md that an outside review (RV2-apis, issue 26) found
half true or unproven, each tested where it could break.

One small test per corrected sentence: the queue ports (what order holds, and where the
tasks interleave differently because the ports' ``get`` and ``put`` always checkpoint), the
barrier's arrival index after a cancelled waiter, what the ports leave out, a Future told
from a ``finally``, ``async with send:`` against ``with send:``, the woken-but-cancelled
getter, Trio's batch reversal, ``start_soon`` from a task that then returns, the line debug
mode and ``SlowSteps`` name when the blocking call is in a helper coroutine, and what a reset
connection looks like on each side.

Where time matters the tests run on virtual clocks (asyncio on
:class:`walkthrough.clocks.VirtualTimeLoop`, Trio on ``MockClock(autojump_threshold=0)``). Where
Trio's scheduler chooses an order, a test asserts what holds in every run, or forces the
interleaving (a task that does two things in one step), or seeds the scheduler's generator.
Checked against trio 0.35 and CPython 3.11+.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import re
import socket
import struct
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import trio
import trio.lowlevel
import trio.testing

from tests.conftest import load_file
from tests.test_migration_apis import FakeClock, run_asyncio, run_trio
from walkthrough.clocks import VirtualTimeLoop

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "migration"


def load(name: str) -> ModuleType:
    return load_file(EXAMPLES / f"{name}.py", f"claims_apis_review_{name}")




#: Trio's scheduler runs each batch of tasks in an order of its choosing: a test of the ports
#: runs them this many times, and asserts what holds in every run.
RUNS = 20

KINDS = ["PriorityQueue", "LifoQueue"]
ITEMS = [5, 3, 9, 1, 7, 2]
#: the order the items leave each kind of queue when all are in before the first get
ORDER = {"PriorityQueue": sorted(ITEMS), "LifoQueue": ITEMS[::-1]}


# --------------------------------------------------------------------------------------------
# F11. The queue ports: the order items leave holds; who gets which, and when, does not.


@pytest.mark.parametrize("kind", KINDS)
def test_items_already_queued_leave_a_port_in_asyncios_order_in_every_run(kind: str) -> None:
    """Six items in the queue, two consumers taking three each: the items leave in the same
    order from asyncio's queue and from the port, in every run (the log is in the order the
    items were taken)."""
    ports = load("queues_trio")

    async def on_asyncio() -> list[int]:
        queue: asyncio.Queue[int] = getattr(asyncio, kind)()
        for item in ITEMS:
            queue.put_nowait(item)
        left: list[int] = []

        async def consume() -> None:
            for _ in range(3):
                left.append(await queue.get())

        await asyncio.gather(consume(), consume())
        return left

    async def on_trio() -> list[int]:
        queue = getattr(ports, kind)()
        for item in ITEMS:
            queue.put_nowait(item)
        left: list[int] = []

        async def consume() -> None:
            for _ in range(3):
                left.append(await queue.get())

        async with trio.open_nursery() as nursery:
            nursery.start_soon(consume)
            nursery.start_soon(consume)
        return left

    assert run_asyncio(on_asyncio) == ORDER[kind]
    for _ in range(RUNS):
        assert run_trio(on_trio) == ORDER[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_with_items_queued_asyncios_first_consumer_takes_three_in_one_step_the_ports_take_turns(
        kind: str) -> None:
    """The same six items and two consumers: asyncio's ``get`` does not suspend when an item
    is there, so the first consumer takes the first three in one step; the port's ``get`` is
    a checkpoint, so in every run the two consumers take one item each per step: each gets
    one of the first two, one of the next two, one of the last two."""
    ports = load("queues_trio")
    order = ORDER[kind]
    turns = [set(order[0:2]), set(order[2:4]), set(order[4:6])]

    async def on_asyncio() -> tuple[list[int], list[int]]:
        queue: asyncio.Queue[int] = getattr(asyncio, kind)()
        for item in ITEMS:
            queue.put_nowait(item)
        got: dict[str, list[int]] = {"A": [], "B": []}

        async def consume(name: str) -> None:
            for _ in range(3):
                got[name].append(await queue.get())

        await asyncio.gather(consume("A"), consume("B"))
        return got["A"], got["B"]

    async def on_trio() -> tuple[list[int], list[int]]:
        queue = getattr(ports, kind)()
        for item in ITEMS:
            queue.put_nowait(item)
        got: dict[str, list[int]] = {"A": [], "B": []}

        async def consume(name: str) -> None:
            for _ in range(3):
                got[name].append(await queue.get())

        async with trio.open_nursery() as nursery:
            nursery.start_soon(consume, "A")
            nursery.start_soon(consume, "B")
        return got["A"], got["B"]

    first, second = run_asyncio(on_asyncio)
    assert (first, second) == (order[:3], order[3:])
    assert [{a, b} for a, b in zip(first, second, strict=True)] != turns
    for _ in range(RUNS):
        first, second = run_trio(on_trio)
        assert [{a, b} for a, b in zip(first, second, strict=True)] == turns


@pytest.mark.parametrize("kind", KINDS)
def test_getters_waiting_while_await_put_adds_items_take_other_items_from_a_port(
        kind: str) -> None:
    """Three getters wait on the empty queue; the producer adds six items with ``await put``.
    asyncio's ``put`` never suspends on an unbounded queue: all six are in before a getter
    runs, and the getters take the first three of ``ORDER``, as after ``put_nowait``. The
    port's ``put`` is a checkpoint: each woken getter runs at the next ``put``, before the
    items after it are in, so in every run the getters take only from the first four items
    put, never the last one, which asyncio's getters take."""
    ports = load("queues_trio")
    order = ORDER[kind]

    async def on_asyncio() -> tuple[set[int], list[int]]:
        queue: asyncio.Queue[int] = getattr(asyncio, kind)()
        getters = [asyncio.create_task(queue.get()) for _ in range(3)]
        await asyncio.sleep(1)  # all three wait on the empty queue
        for item in ITEMS:
            await queue.put(item)
        taken = set(await asyncio.gather(*getters))
        return taken, [queue.get_nowait() for _ in range(queue.qsize())]

    async def on_trio() -> set[int]:
        queue = getattr(ports, kind)()
        taken: set[int] = set()

        async def get() -> None:
            taken.add(await queue.get())

        async with trio.open_nursery() as nursery:
            for _ in range(3):
                nursery.start_soon(get)
            await trio.sleep(1)  # all three wait on the empty queue
            for item in ITEMS:
                await queue.put(item)
        return taken

    taken, rest = run_asyncio(on_asyncio)
    assert (taken, rest) == (set(order[:3]), order[3:])
    assert ITEMS[-1] in taken
    for _ in range(RUNS):
        taken = run_trio(on_trio)
        assert len(taken) == 3
        assert taken <= set(ITEMS[:4])
        assert taken != set(order[:3])


# --------------------------------------------------------------------------------------------
# F3. The barrier's arrival index after a cancelled waiter.


def test_a_barrier_index_repeats_when_a_task_arrives_before_the_cancelled_waiter_has_left() -> None:
    """Three parties. A waits (index 0); X cancels A and arrives itself in the same step, so
    X arrives before A has left: X takes index 1; A's leaving frees a place; C then takes
    index 1 again, and D (index 2) completes the round. In both: two tasks of the round got 1,
    none got 0. (asyncio: the same when B was created before ``A.cancel()``, so that B's first
    step runs before A's wakeup.)"""
    barrier_cls = load("queues_trio").Barrier
    repeated = [("C", 1), ("D", 2), ("X", 1)]

    async def canceller_asyncio() -> tuple[list[tuple[str, int]], bool]:
        barrier = asyncio.Barrier(3)
        log: list[tuple[str, int]] = []

        async def wait(name: str) -> None:
            log.append((name, await barrier.wait()))

        a = asyncio.create_task(wait("A"))
        await asyncio.sleep(1)

        async def x() -> None:
            a.cancel()
            log.append(("X", await barrier.wait()))  # no checkpoint since the cancel

        tasks = [a, asyncio.create_task(x())]
        await asyncio.sleep(1)
        tasks.append(asyncio.create_task(wait("C")))
        await asyncio.sleep(1)
        tasks.append(asyncio.create_task(wait("D")))
        await asyncio.gather(*tasks, return_exceptions=True)
        return sorted(log), a.cancelled()

    async def canceller_trio() -> tuple[list[tuple[str, int]], bool]:
        barrier = barrier_cls(3)
        log: list[tuple[str, int]] = []
        scope = trio.CancelScope()

        async def wait(name: str) -> None:
            log.append((name, await barrier.wait()))

        async def a() -> None:
            with scope:
                await wait("A")

        async def x() -> None:
            scope.cancel()
            log.append(("X", await barrier.wait()))  # no checkpoint since the cancel

        async with trio.open_nursery() as nursery:
            nursery.start_soon(a)
            await trio.sleep(1)
            nursery.start_soon(x)
            await trio.sleep(1)
            nursery.start_soon(wait, "C")
            await trio.sleep(1)
            nursery.start_soon(wait, "D")
        return sorted(log), scope.cancelled_caught

    assert run_asyncio(canceller_asyncio) == run_trio(canceller_trio) == (repeated, True)

    async def created_before_the_cancel() -> list[tuple[str, int]]:
        barrier = asyncio.Barrier(3)
        log: list[tuple[str, int]] = []

        async def wait(name: str) -> None:
            log.append((name, await barrier.wait()))

        a = asyncio.create_task(wait("A"))
        await asyncio.sleep(1)
        tasks = [a, asyncio.create_task(wait("B"))]
        a.cancel()  # A's wakeup is scheduled after B's first step
        await asyncio.sleep(1)
        tasks.append(asyncio.create_task(wait("C")))
        await asyncio.sleep(1)
        tasks.append(asyncio.create_task(wait("D")))
        await asyncio.gather(*tasks, return_exceptions=True)
        return sorted(log)

    assert run_asyncio(created_before_the_cancel) == [("B", 1), ("C", 1), ("D", 2)]


# --------------------------------------------------------------------------------------------
# F1. What the ports leave out.


def test_the_ports_have_only_the_methods_the_page_lists() -> None:
    """The queue ports have ``qsize``, ``put_nowait``, ``put`` and ``get``, nothing else: no
    ``get_nowait``, ``empty``, ``full``, ``maxsize``, ``task_done``, ``join``, ``shutdown``,
    all of which asyncio's queues have (``shutdown`` from 3.13). The barrier port has
    ``parties``, ``n_waiting`` and ``wait``: no ``abort``, ``reset`` or ``broken``."""
    ports = load("queues_trio")

    def public(instance: object) -> set[str]:
        return {name for name in dir(instance) if not name.startswith("_")}

    missing = {"get_nowait", "empty", "full", "maxsize", "task_done", "join"}
    for kind in KINDS:
        assert public(getattr(ports, kind)()) == {"qsize", "put_nowait", "put", "get"}
        assert missing <= public(getattr(asyncio, kind)())
    assert public(ports.Barrier(3)) == {"parties", "n_waiting", "wait"}
    assert {"abort", "reset", "broken", "parties", "n_waiting", "wait"} <= public(
        asyncio.Barrier(3))


# --------------------------------------------------------------------------------------------
# F4. A Future tells its waiter only if its setter says so; the channel does it by itself.


def test_a_future_tells_its_waiter_at_once_only_if_the_setter_fails_it_in_a_finally() -> None:
    """A setter that crashes after 1 s: with a ``finally`` that fails the Future when it is
    not done, the waiter hears at +1; without it, the waiter is still waiting when a 100 s
    timeout ends it. The one-slot channel's ``async with send:`` tells its waiter at +1 with no
    code of the sender's own."""

    async def with_future(tell: bool) -> tuple[str, float]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        start = loop.time()

        async def setter() -> None:
            try:
                await asyncio.sleep(1)
                raise OSError("the setter crashed")
            finally:
                if tell and not future.done():
                    future.set_exception(EOFError("ended without a value"))

        task = asyncio.create_task(setter())
        try:
            async with asyncio.timeout(100):
                await future
            outcome = "value"
        except EOFError:
            outcome = "EOFError"
        except TimeoutError:
            outcome = "timed out"
        await asyncio.gather(task, return_exceptions=True)
        assert isinstance(task.exception(), OSError)
        return outcome, loop.time() - start

    async def with_channel() -> tuple[str, float]:
        start = trio.current_time()
        send, receive = trio.open_memory_channel[int](1)

        async def setter() -> None:
            async with send:
                await trio.sleep(1)
                raise OSError("the setter crashed")

        async def crash_caught() -> None:
            with contextlib.suppress(OSError):
                await setter()

        async with trio.open_nursery() as nursery, receive:
            nursery.start_soon(crash_caught)
            try:
                await receive.receive()
                return "value", trio.current_time() - start
            except trio.EndOfChannel:
                return "EndOfChannel", trio.current_time() - start

    assert run_asyncio(with_future, True) == ("EOFError", 1)
    assert run_asyncio(with_future, False) == ("timed out", 100)
    assert run_trio(with_channel) == ("EndOfChannel", 1)


# --------------------------------------------------------------------------------------------
# F5 and F6b. `async with send:` can lose the crash; `with send:` cannot.


def test_leaving_async_with_send_is_a_checkpoint_that_can_replace_the_crash() -> None:
    """The mechanism, forced: the sender's scope is cancelled when it leaves the block with
    an ``OSError``. ``async with send:`` awaits ``aclose()``, a checkpoint, which raises
    ``Cancelled`` in place of the crash: the scope swallows it and the ``OSError`` is gone.
    ``with send:`` calls ``close()``, no checkpoint: the ``OSError`` comes out."""

    async def leave(use_async: bool) -> bool:
        send, receive = trio.open_memory_channel[int](1)
        with receive, trio.CancelScope() as scope:
            if use_async:
                async with send:
                    scope.cancel()
                    raise OSError("the sender crashed")
            else:
                with send:
                    scope.cancel()
                    raise OSError("the sender crashed")
        return scope.cancelled_caught

    assert run_trio(leave, True) is True
    with pytest.raises(OSError, match="the sender crashed"):
        run_trio(leave, False)


@contextlib.contextmanager
def seeded_scheduler(seed: int) -> Iterator[None]:
    """Seed the generator Trio's scheduler draws batch orders from (``trio._core._run._r``,
    private), so that a run's interleaving is the same every time; restore it after."""
    generator = trio._core._run._r
    state = generator.getstate()
    generator.seed(seed)
    try:
        yield
    finally:
        generator.setstate(state)


def _group_after_a_crash(use_async: bool) -> tuple[str, ...]:
    """A sender that crashes inside ``async with send:`` or ``with send:``, and a waiter in
    the same nursery that lets ``EndOfChannel`` out: what the nursery's group holds."""

    async def main() -> None:
        send, receive = trio.open_memory_channel[int](1)

        async def sender() -> None:
            if use_async:
                async with send:
                    await trio.sleep(1)
                    raise OSError("the sender crashed")
            with send:
                await trio.sleep(1)
                raise OSError("the sender crashed")

        async def waiter() -> None:
            await receive.receive()

        async with trio.open_nursery() as nursery:
            nursery.start_soon(sender)
            nursery.start_soon(waiter)

    try:
        run_trio(main)
    except BaseExceptionGroup as group:
        return tuple(sorted(type(e).__name__ for e in group.exceptions))
    return ()


def test_the_crash_leaves_the_group_in_some_interleavings_only_with_async_with_send() -> None:
    """Forty seeded interleavings each: with ``async with send:`` the waiter's
    ``EndOfChannel`` cancels the sender at ``aclose()``'s checkpoint in some and the group
    holds ``EndOfChannel`` alone; in the others it holds the ``OSError`` too. With
    ``with send:`` every one keeps the ``OSError``."""
    both, alone = ("EndOfChannel", "OSError"), ("EndOfChannel",)
    outcomes = {"async": set(), "sync": set()}
    for seed in range(40):
        for mode in outcomes:
            with seeded_scheduler(seed):
                outcomes[mode].add(_group_after_a_crash(mode == "async"))
    assert outcomes == {"async": {both, alone}, "sync": {both}}


# --------------------------------------------------------------------------------------------
# F6c. A getter that a put has woken, cancelled before it runs.


@pytest.mark.parametrize("kind", KINDS)
def test_a_woken_getter_cancelled_before_it_runs_leaves_the_item_in_asyncio_takes_it_in_a_port(
        kind: str) -> None:
    """``put_nowait(1)`` wakes the waiting getter, and a cancel follows in the same step.
    asyncio's getter raises ``CancelledError``, the item stays in the queue, and a second
    waiting getter gets it. The port's getter returns the item, and the cancellation comes at
    its next checkpoint; nothing stays."""
    ports = load("queues_trio")

    async def on_asyncio() -> tuple[list[Any], int]:
        queue: asyncio.Queue[int] = getattr(asyncio, kind)()
        first = asyncio.create_task(queue.get())
        await asyncio.sleep(1)
        second = asyncio.create_task(queue.get())
        await asyncio.sleep(1)
        queue.put_nowait(1)
        first.cancel()
        results = await asyncio.gather(first, second, return_exceptions=True)
        return [type(r).__name__ if isinstance(r, BaseException) else r
                for r in results], queue.qsize()

    async def on_trio() -> tuple[list[Any], bool, int]:
        queue = getattr(ports, kind)()
        out: list[Any] = []
        scope = trio.CancelScope()

        async def getter() -> None:
            with scope:
                out.append(await queue.get())
                await trio.lowlevel.checkpoint()
                out.append("not reached")

        async with trio.open_nursery() as nursery:
            nursery.start_soon(getter)
            await trio.sleep(1)
            queue.put_nowait(1)
            scope.cancel()
        return out, scope.cancelled_caught, queue.qsize()

    assert run_asyncio(on_asyncio) == (["CancelledError", 1], 0)
    assert run_trio(on_trio) == ([1], True, 0)


# --------------------------------------------------------------------------------------------
# F6a. Without hypothesis, Trio reverses each batch half the time: the source says so.


def test_trio_reverses_a_batch_when_a_random_draw_is_below_one_half() -> None:
    """Outside pytest (no hypothesis imported) the scheduler reverses each batch when
    ``_r.random() < 0.5``; under pytest it shuffles the batch instead."""
    source = inspect.getsource(trio._core._run.unrolled_run)
    assert re.search(r"if _r\.random\(\) < 0\.5:\s*batch\.reverse\(\)", source)
    assert re.search(r"if _ALLOW_DETERMINISTIC_SCHEDULING:.*?_r\.shuffle\(batch\)", source, re.S)
    assert trio._core._run._ALLOW_DETERMINISTIC_SCHEDULING  # hypothesis imported


# --------------------------------------------------------------------------------------------
# F10. start_soon's child runs after the caller's step, whether it ends at a checkpoint or not.


def test_start_soon_from_a_task_that_then_returns_runs_the_child_after_it_returned() -> None:
    """A task calls ``start_soon`` on a nursery it was handed and returns with no checkpoint
    after it: the child's first line runs after the caller has returned."""
    log: list[str] = []

    async def child() -> None:
        log.append("child")

    async def caller(nursery: trio.Nursery) -> None:
        await trio.lowlevel.checkpoint()
        nursery.start_soon(child)
        log.append("caller returns")

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(caller, nursery)

    run_trio(main)
    assert log == ["caller returns", "child"]


# --------------------------------------------------------------------------------------------
# F12. The blocking call in a helper coroutine: debug mode and SlowSteps name other lines.


async def aio_helper(loop: VirtualTimeLoop) -> None:
    await asyncio.sleep(0)
    loop.advance(0.8)  # "blocks": moves the loop's clock 0.8 s within one step
    await asyncio.sleep(0)  # HELPER WAITS


async def aio_task(loop: VirtualTimeLoop) -> None:
    await aio_helper(loop)  # TASK WAITS


async def trio_helper(clock: FakeClock) -> None:
    await trio.lowlevel.checkpoint()
    clock.block(0.8)  # "blocks": moves SlowSteps' clock 0.8 s within one step
    await trio.lowlevel.checkpoint()  # HELPER WAITS


async def trio_task(clock: FakeClock) -> None:
    await trio_helper(clock)  # TASK WAITS


def _line(function: Callable[..., Any], marker: str) -> int:
    lines, first = inspect.getsourcelines(function)
    return first + next(n for n, line in enumerate(lines) if f"# {marker}" in line)


def test_debug_mode_names_the_tasks_own_await_slow_steps_the_helpers(
        caplog: pytest.LogCaptureFixture) -> None:
    """The task awaits a helper coroutine, and the helper blocks. Debug mode's report formats
    the task's repr: the line where the task's own coroutine waits, its ``await helper()``.
    ``SlowSteps`` walks the await chain to the innermost frame: the helper's line after the
    blocking call. The two lines differ."""
    task_line, helper_line = _line(aio_task, "TASK WAITS"), _line(aio_helper, "HELPER WAITS")

    async def on_asyncio() -> None:
        loop = asyncio.get_running_loop()
        loop.slow_callback_duration = 0.5
        await asyncio.create_task(aio_task(loop), name="blocker")

    with caplog.at_level(logging.WARNING, logger="asyncio"), \
            asyncio.Runner(debug=True, loop_factory=VirtualTimeLoop) as runner:
        runner.run(on_asyncio())
    reports = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Executing")]
    assert len(reports) == 1, reports
    found = re.search(r"name='blocker' coro=<(?:[\w.<>]+\.)?aio_task\(\) running at "
                      r".*test_claims_apis_review\.py:(\d+)>", reports[0])
    assert found, reports[0]
    assert int(found.group(1)) == task_line != helper_line

    clock = FakeClock()
    steps = load("blocking_trio").SlowSteps(threshold=0.5, clock=clock)

    async def on_trio() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(trio_task, clock, name="blocker")

    caplog.clear()
    task_line, helper_line = _line(trio_task, "TASK WAITS"), _line(trio_helper, "HELPER WAITS")
    with caplog.at_level(logging.WARNING, logger="slow_steps"):
        trio.run(on_trio, clock=trio.testing.MockClock(autojump_threshold=0),
                 instruments=[steps])
    reports = [r.getMessage() for r in caplog.records if r.name == "slow_steps"]
    assert len(reports) == 1, reports
    found = re.fullmatch(r"Task 'blocker' took 0\.800 seconds in one step \(now at "
                         r".*test_claims_apis_review\.py:(\d+)\)", reports[0])
    assert found, reports[0]
    assert int(found.group(1)) == helper_line != task_line


# --------------------------------------------------------------------------------------------
# F13. connection_lost(exc) is not "the code after the loop".


def _client(port: int, reset: bool) -> None:
    """Send a line, then close the connection: cleanly, or with a reset (SO_LINGER 0)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"alpha\n")
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(1024):
                pass


@pytest.mark.timeout(30)
@pytest.mark.parametrize("reset", [False, True], ids=["clean close", "reset"])
def test_a_reset_connection_raises_out_of_the_stream_loop_and_is_connection_lost_exc(
        reset: bool) -> None:
    """Real sockets on 127.0.0.1. A clean close: Trio's ``async for`` ends and the code after
    the loop runs; asyncio calls ``connection_lost(None)``. A reset: the loop raises
    ``trio.BrokenResourceError`` (its cause the ``ConnectionResetError``), the code after the
    loop does not run; asyncio calls ``connection_lost`` with the ``ConnectionResetError``."""

    async def on_trio() -> str:
        ended = trio.Event()
        outcome: list[str] = []

        async def handler(stream: trio.SocketStream) -> None:
            try:
                async for _ in stream:
                    pass
                outcome.append("after the loop")
            except trio.BrokenResourceError as exc:
                outcome.append(f"BrokenResourceError from {type(exc.__cause__).__name__}")
            finally:
                ended.set()

        async with trio.open_nursery() as nursery:
            listeners = await nursery.start(partial(trio.serve_tcp, handler, 0, host="127.0.0.1"))
            port = listeners[0].socket.getsockname()[1]
            await trio.to_thread.run_sync(_client, port, reset)
            with trio.fail_after(10):
                await ended.wait()
            nursery.cancel_scope.cancel()
        return outcome[0]

    async def on_asyncio() -> str:
        loop = asyncio.get_running_loop()
        lost: asyncio.Future[str] = loop.create_future()

        class Lines(asyncio.Protocol):
            def connection_lost(self, exc: Exception | None) -> None:
                lost.set_result(f"connection_lost({type(exc).__name__ if exc else None})")

        server = await loop.create_server(Lines, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            await asyncio.to_thread(_client, port, reset)
            async with asyncio.timeout(10):
                return await lost
        finally:
            server.close()
            await server.wait_closed()

    if reset:
        assert trio.run(on_trio) == "BrokenResourceError from ConnectionResetError"
        assert asyncio.run(on_asyncio()) == "connection_lost(ConnectionResetError)"
    else:
        assert trio.run(on_trio) == "after the loop"
        assert asyncio.run(on_asyncio()) == "connection_lost(None)"
