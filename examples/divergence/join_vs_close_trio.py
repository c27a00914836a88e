"""Closing the send channel is Trio's idiom, and it changes when the program ends.

``main_close`` closes the channel after the last job: the consumer's loop ends only at its
next ``receive`` (``EndOfChannel``), after its two-second sleep, so the program ends at t=4, not 2.
``main_join`` reproduces ``Queue.join()``'s timing with a counter of outstanding jobs
(``trio_util.AsyncValue``) and cancels the consumer when it reaches zero: t=2, like asyncio.
"""

from __future__ import annotations

import math

import trio
import trio_util


class Log(list[str]):
    """Lines stamped with whole seconds since the log was made, on Trio's clock."""

    def __init__(self) -> None:
        super().__init__()
        self.start = trio.current_time()

    def __call__(self, text: str) -> None:
        self.append(f"{trio.current_time() - self.start:.0f}: {text}")


async def consume_until_closed(receive: trio.MemoryReceiveChannel[str], log: Log) -> None:
    async with receive:
        while True:
            await trio.sleep(2)
            try:
                job = await receive.receive()
            except trio.EndOfChannel:
                return
            log(f"got {job}")


async def main_close() -> Log:
    log = Log()
    send, receive = trio.open_memory_channel[str](math.inf)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(consume_until_closed, receive, log)
        async with send:
            send.send_nowait("job")
        # The consumer is still asleep; it sees EndOfChannel only at its next receive.
    log("done")
    return log


async def consume_counting(
    receive: trio.MemoryReceiveChannel[str], pending: trio_util.AsyncValue[int], log: Log
) -> None:
    while True:
        await trio.sleep(2)
        job = await receive.receive()
        log(f"got {job}")
        pending.value -= 1  # task_done()


async def main_join() -> Log:
    log = Log()
    pending = trio_util.AsyncValue(0)
    send, receive = trio.open_memory_channel[str](math.inf)
    async with send, receive, trio.open_nursery() as nursery:
        nursery.start_soon(consume_counting, receive, pending, log)
        pending.value += 1
        send.send_nowait("job")
        await pending.wait_value(0)  # join()
        nursery.cancel_scope.cancel()
    log("done")
    return log


if __name__ == "__main__":
    print("\n".join(trio.run(main_close)))
    print("\n".join(trio.run(main_join)))
