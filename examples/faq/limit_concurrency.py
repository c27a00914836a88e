"""Limiting concurrency (asyncio.Semaphore): ``trio.CapacityLimiter`` or ``trio.Semaphore``.

Each task takes its token and gives it back itself (``async with limiter:``), which is what a
CapacityLimiter is for: it knows which task holds each token. Start all tasks; at most
``limit`` run the guarded part. A token is owned by the task that took it, so asyncio's
"acquire in the parent, release in the child" raises ``RuntimeError`` on a limiter: that
pattern ports to ``trio.Semaphore(n, max_value=n)`` or ``acquire_on_behalf_of``.
"""

from __future__ import annotations

import trio


async def main(jobs: int = 10, limit: int = 3) -> tuple[int, float]:
    limiter = trio.CapacityLimiter(limit)
    running = peak = 0

    async def fetch() -> None:
        nonlocal running, peak
        async with limiter:
            running += 1
            peak = max(peak, running)
            await trio.sleep(1)
            running -= 1

    start = trio.current_time()
    async with trio.open_nursery() as nursery:
        for _ in range(jobs):
            nursery.start_soon(fetch)
    return peak, trio.current_time() - start


if __name__ == "__main__":
    print(trio.run(main))  # (3, 4.0...): ten one-second jobs, three at a time
