"""One measurement in a fresh process: ``python -m bench.worker KIND 'JSON-PARAMS'``.

Why a process per measurement: peak memory is a high-water mark for the whole process
(``ru_maxrss`` cannot be reset; Linux's ``VmHWM`` can, and is, after the imports: see
:func:`rss_mb`), and in a fresh process no run inherits another's heap, warm caches, garbage
or half-closed sockets. The worker prints one JSON line on stdout.

Kinds:

- ``spawn``: spawn and join ``n`` empty tasks (``how``: gather, taskgroup, nursery).
- ``queue-asyncio``: ``n`` items from ``p`` producers to ``c`` consumers through an
  asyncio.Queue (``maxsize``); with ``batch`` > 0, as lists of that many (section 4's
  comparison row).
- ``queue-trio``: the same through a Trio memory channel (``buffer``; -1 means ``math.inf``),
  item by item or with one of the batching techniques (``how``: plain, nowait, lists).
- ``lesson``: a lesson's phases on the virtual clock (the plan) and then on the real clock,
  after a "go" line on stdin, so that many lessons can start their real-clock run together.
- ``floor-*``: the pieces of one HTTP fetch measured alone (``bench/floors.py``, run by
  ``bench/crawl.py``).
"""

from __future__ import annotations

import json
import math
import resource
import sys
import time
from collections.abc import Callable
from typing import Any


def rss_mb() -> float:
    """Peak resident set of this process since :func:`reset_peak`, in MB.

    ``VmHWM`` from /proc, which (unlike ``ru_maxrss``) can be reset: the imports' own peak
    (compiling, loading) must not hide a smaller run's. Elsewhere, ``ru_maxrss``, the peak
    since the process started, imports included (and in MB only where it counts kilobytes, as
    on Linux; macOS counts bytes).
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> None:
    """Restart the peak-RSS count at the current RSS (Linux: write 5 to clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


# -- spawning ------------------------------------------------------------------------------

async def _noop() -> None:
    pass


def spawn(how: str, n: int) -> float:
    """Seconds to spawn ``n`` tasks that return at once, and join them all."""
    if how == "nursery":
        import trio

        async def main_trio() -> float:
            t = time.perf_counter()
            async with trio.open_nursery() as nursery:
                for _ in range(n):
                    nursery.start_soon(_noop)
            return time.perf_counter() - t

        return trio.run(main_trio)
    import asyncio

    async def main_asyncio() -> float:
        t = time.perf_counter()
        if how == "gather":
            await asyncio.gather(*(_noop() for _ in range(n)))
        else:
            async with asyncio.TaskGroup() as tg:
                for _ in range(n):
                    tg.create_task(_noop())
        return time.perf_counter() - t

    return asyncio.run(main_asyncio())


# -- queues and channels -------------------------------------------------------------------

def queue_asyncio(n: int, maxsize: int, p: int, c: int, batch: int = 0) -> float:
    """``n`` items through an asyncio.Queue; with ``batch`` > 0, as lists of that many."""
    import asyncio

    async def main() -> float:
        q: asyncio.Queue[Any] = asyncio.Queue(maxsize)
        per = n // p
        got = 0

        async def producer() -> None:
            if batch:
                for start in range(0, per, batch):
                    await q.put(list(range(start, min(start + batch, per))))
            else:
                for i in range(per):
                    await q.put(i)

        async def consumer() -> None:
            nonlocal got
            while True:
                item = await q.get()
                if item is None:
                    return
                if batch:
                    for _ in item:
                        got += 1
                else:
                    got += 1

        t = time.perf_counter()
        consumers = [asyncio.create_task(consumer()) for _ in range(c)]
        await asyncio.gather(*(producer() for _ in range(p)))
        for _ in range(c):
            await q.put(None)
        await asyncio.gather(*consumers)
        elapsed = time.perf_counter() - t
        assert got == per * p, (got, per * p)
        return elapsed

    return asyncio.run(main())


def queue_trio(n: int, buffer: float, p: int, c: int, how: str = "plain",
               batch: int = 256) -> float:
    """``n`` items through a Trio memory channel, item by item or with a batching technique.

    - ``plain``: ``await send(i)`` / ``async for``: a checkpoint per item on each side.
    - ``nowait``: ``send_nowait`` while the buffer has room, ``await send`` when full;
      the consumer awaits one item then drains the buffer with ``receive_nowait``.
      A checkpoint per *buffer-full*, still inside one nursery.
    - ``lists``: producers send lists of ``batch`` items; a checkpoint per list.
    """
    import trio

    async def main() -> float:
        send, recv = trio.open_memory_channel[Any](buffer)
        per = n // p
        got = 0

        async def producer(s: trio.MemorySendChannel[Any]) -> None:
            async with s:
                if how == "lists":
                    for start in range(0, per, batch):
                        await s.send(list(range(start, min(start + batch, per))))
                elif how == "nowait":
                    for i in range(per):
                        try:
                            s.send_nowait(i)
                        except trio.WouldBlock:
                            await s.send(i)
                    await trio.lowlevel.checkpoint()
                else:
                    for i in range(per):
                        await s.send(i)

        async def consumer(r: trio.MemoryReceiveChannel[Any]) -> None:
            nonlocal got
            async with r:
                if how == "lists":
                    async for items in r:
                        for _ in items:
                            got += 1
                elif how == "nowait":
                    async for _ in r:
                        got += 1
                        while True:
                            try:
                                r.receive_nowait()
                            except trio.WouldBlock:
                                break
                            except trio.EndOfChannel:
                                return
                            got += 1
                else:
                    async for _ in r:
                        got += 1

        t = time.perf_counter()
        async with trio.open_nursery() as nursery, send, recv:
            for _ in range(p):
                nursery.start_soon(producer, send.clone())
            for _ in range(c):
                nursery.start_soon(consumer, recv.clone())
        elapsed = time.perf_counter() - t
        assert got == per * p, (got, per * p)
        return elapsed

    return trio.run(main)


# -- lessons -------------------------------------------------------------------------------

def lesson(name: str, impl: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The lesson's plan (virtual-clock makespan per phase), then its real-clock makespan."""
    from walkthrough import catalogue
    from walkthrough.runner import run_lesson

    les = catalogue.get(name)
    plan = run_lesson(les, impl, params=params)
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()  # "go": every lesson of this round starts its real run together
    real = run_lesson(les, impl, params=params, virtual=False)
    return {"plan": plan.durations, "real": real.durations,
            "outcomes_match": plan.outcomes == real.outcomes}


KINDS: dict[str, Callable[..., Any]] = {
    "spawn": spawn,
    "queue-asyncio": queue_asyncio,
    "queue-trio": queue_trio,
    "lesson": lesson,
}


def main() -> None:
    kind, params = sys.argv[1], json.loads(sys.argv[2])
    if kind == "queue-trio" and params.get("buffer") == -1:
        params["buffer"] = math.inf
    if kind.startswith("floor-"):
        from bench import floors
        fn: Callable[..., Any] = getattr(floors, kind[len("floor-"):].replace("-", "_"))
    else:
        fn = KINDS[kind]
    # Both frameworks' imports belong to the baseline, not to the measured run.
    import asyncio  # noqa: F401
    import gc

    import trio  # noqa: F401
    gc.collect()
    reset_peak()
    base = rss_mb()
    result = fn(**params)
    out = {"result": result, "rss_base_mb": base, "rss_peak_mb": rss_mb()}
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
