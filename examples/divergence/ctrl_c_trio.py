"""Ctrl-C under Trio: KeyboardInterrupt comes out of ``trio.run`` inside an exception group.

Run it and press Ctrl-C after "ready". By default Trio raises KeyboardInterrupt at once, in
whatever task is running (unless that code is KI-protected, as Trio's own internals are), or,
when every task is waiting or the running code is protected, in the main task (here, waiting in
the nursery's ``async with``). The nursery cancels the workers, their ``finally`` blocks run,
and what reaches the caller of ``trio.run`` is a ``BaseExceptionGroup`` holding the
KeyboardInterrupt: catch it with ``except*``.

"At once" is why the workers are started with ``nursery.start``: "ready" must mean both are
inside their ``try``. With ``start_soon`` and a checkpoint, Trio may run the main task first
(it runs a batch of ready tasks in either order), print "ready" before a worker has entered
its ``try``, and a Ctrl-C landing in that worker then skips its ``finally`` (the intermittent
failure of this example's test, on a loaded machine).
"""

from __future__ import annotations

import trio


async def worker(name: str, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
                 ) -> None:
    try:
        task_status.started()  # inside the try: from here on, its finally will run
        await trio.sleep(30)
    finally:
        print(f"{name} cleaned up", flush=True)


async def main() -> None:
    async with trio.open_nursery() as nursery:
        await nursery.start(worker, "w1")
        await nursery.start(worker, "w2")
        print("ready", flush=True)


if __name__ == "__main__":
    # A plain `except KeyboardInterrupt` would miss it: it arrives inside a group.
    try:
        trio.run(main)
    except* KeyboardInterrupt:
        print("caught KeyboardInterrupt in a group", flush=True)
