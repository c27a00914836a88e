"""Threads and Trio: a blocking library's thread hands results to async code, and back.

Two directions, one program:

1. A thread that Trio did not start (a legacy library's callback thread, say) delivers items
   into the run: ``trio.from_thread.run_sync(send.send_nowait, item, trio_token=token)``. The
   thread must carry a ``TrioToken`` (``trio.lowlevel.current_trio_token()``), the handle of
   the run, because Trio has no loop object to capture. Unlike ``call_soon_threadsafe``, the
   call *waits* for the function to run and hands back its result or its exception;
   ``token.run_sync_soon(fn)`` is the fire-and-forget call; if ``fn`` raises, the whole run
   crashes with ``TrioInternalError``, so it is only for callbacks that catch their own errors.
2. Blocking code, run in a worker thread with ``trio.to_thread.run_sync``, calls an async
   function and waits for its result: ``trio.from_thread.run(fn, *args)``. No token here: a
   thread that Trio started knows its run.

``after_the_run`` keeps the run's token and calls in once ``trio.run`` has returned, as a
thread that outlives the run would, and shows what it gets.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

import trio


def legacy_sensor(n: int, deliver: Callable[[str | None], None]) -> None:
    """A blocking library: it calls ``deliver`` from its own thread, then None when done."""
    for i in range(n):
        deliver(f"reading {i}")
    deliver(None)


async def lookup(key: int) -> str:
    await trio.lowlevel.checkpoint()  # ruff ASYNC115: not trio.sleep(0)
    return f"lookup({key}) = {key * key}"


async def main() -> list[str]:
    token = trio.lowlevel.current_trio_token()
    send, receive = trio.open_memory_channel[str | None](math.inf)

    def deliver(item: str | None) -> None:  # runs in the sensor's thread
        trio.from_thread.run_sync(send.send_nowait, item, trio_token=token)

    sensor = threading.Thread(target=legacy_sensor, args=(3, deliver))
    sensor.start()
    got = []
    while (item := await receive.receive()) is not None:
        got.append(item)
    await trio.to_thread.run_sync(sensor.join)  # never a blocking join() on Trio's thread

    def blocking_client() -> str:  # runs in a worker thread
        return trio.from_thread.run(lookup, 7)

    got.append(await trio.to_thread.run_sync(blocking_client))
    return got


def after_the_run() -> str:
    """Keep the token and call in after ``trio.run`` has returned, as a thread that outlives
    the run would: from any thread, the same error."""
    token = trio.run(_current_token)
    try:
        trio.from_thread.run_sync(print, "never", trio_token=token)
    except trio.RunFinishedError as e:
        return f"{type(e).__name__}: {e}"
    return "no error"


async def _current_token() -> trio.lowlevel.TrioToken:
    return trio.lowlevel.current_trio_token()


if __name__ == "__main__":
    print(trio.run(main))
    print(after_the_run())
