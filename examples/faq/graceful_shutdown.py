"""Ctrl-C and graceful shutdown: turn SIGINT/SIGTERM into a cancellation you control.

``trio.open_signal_receiver`` replaces the default handlers while the block is open; the first
signal cancels the nursery, the workers' cleanup runs (shielded, so it may await), and
``trio.run`` returns normally: no KeyboardInterrupt, no ExceptionGroup, exit status 0.
"""

from __future__ import annotations

import signal

import trio


async def worker(name: str) -> None:
    try:
        await trio.sleep_forever()
    finally:
        with trio.CancelScope(shield=True):  # cleanup may await despite the cancellation
            await trio.sleep(0.1)
            print(f"{name} flushed and closed", flush=True)


async def main() -> None:
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(worker, "w1")
            nursery.start_soon(worker, "w2")
            print("ready", flush=True)
            async for signum in signals:
                print(f"got {signal.Signals(signum).name}, shutting down", flush=True)
                nursery.cancel_scope.cancel()
                break


if __name__ == "__main__":
    trio.run(main)
