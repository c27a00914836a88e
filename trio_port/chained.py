"""Lesson 3 (notebook 002.003): chaining coroutines.

``chain(n)`` awaits ``load(n)`` and feeds its result to ``fire(n, last_i)``: inside one chain
the steps run in order. ``main(*args)`` runs one chain per argument at the same time, so the
program takes as long as its longest chain, not the sum of them all.

As in lesson 2, each chain draws from its own ``random.Random``, seeded from a master RNG in
argument order before any chain starts: with one global RNG the chains would take numbers in
the order the scheduler runs them, and that order is fixed in asyncio for the default three
(they start first-in first-out, and, drawing from one RNG, no two are ever due at one instant)
but changes from run to run in Trio.
The timings are read from the framework's clock inside the run, not ``time.perf_counter``.
"""

from __future__ import annotations

import random
import sys

import trio


def task_rngs(seed: int, n: int) -> list[random.Random]:
    """One RNG per task, drawn from a master RNG seeded with ``seed``, before any task runs.

    The draws happen here, in program order, not in whatever order the scheduler later picks.
    """
    master = random.Random(seed)
    return [random.Random(master.getrandbits(64)) for _ in range(n)]


async def load(n: str, rng: random.Random) -> int:
    i = rng.randint(0, 10)
    print(f"loading {n}: (will take {i} seconds)")
    await trio.sleep(i)
    print(f"{n} loaded..")
    return i


async def fire(n: str, last_i: int, rng: random.Random) -> tuple[int, int]:
    i = rng.randint(0, 10)
    print(f"firing {n}: (will take {i} seconds)")
    await trio.sleep(i)
    print(f"{n} fired!")
    return (last_i, i)


async def chain(n: str, rng: random.Random) -> tuple[int, int]:
    """Load, then fire; print how long the two took. Returns ``fire``'s pair for ``main``."""
    # Trio's clock is trio.current_time(); there is no loop object to ask.
    start = trio.current_time()
    p1 = await load(n, rng)
    p2 = await fire(n, p1, rng)
    end = trio.current_time() - start
    print(f"--> Timing for {n}: total {end:0.2f} seconds, partial {p2}.")
    return p2


async def main(*args: str, seed: int = 1672) -> list[tuple[int, int]]:
    rngs = task_rngs(seed, len(args))
    results: dict[int, tuple[int, int]] = {}

    # No gather in Trio: each child files its result under its position; we read them in order.
    async def keep(k: int) -> None:
        results[k] = await chain(args[k], rngs[k])

    async with trio.open_nursery() as nursery:
        for k in range(len(args)):
            nursery.start_soon(keep, k)
    res = [results[k] for k in range(len(args))]
    return res


async def demo(*args: str, seed: int = 1672) -> list[tuple[int, int]]:
    """The notebook's last cell; returns the results too, so a comparison sees them."""
    start = trio.current_time()
    res = await main(*args, seed=seed)
    end = trio.current_time() - start
    print(f"Program finished in {end:0.2f} seconds.")
    return res


if __name__ == "__main__":
    import argparse  # here, not at the top: the notebooks' cells are this file above this block
    import signal

    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.name}" if __spec__ else None,  # None: the file's own name
        description="Lesson 3 (notebook 002.003): chaining coroutines.")
    parser.add_argument("names", nargs="*", metavar="NAME", default=["cannon", "laser", "railgun"],
                        help="one chain per name, all at once (default: cannon laser railgun)")
    # No notebook mode: Trio wakes tasks in a random order, so one shared RNG would give them
    # other numbers each run. Refused by name (exit 2), saying why, not as a mere typo.
    parser.add_argument("--global-rng", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.global_rng:
        parser.error("--global-rng is asyncio only: Trio wakes tasks in a random order, "
                     "so it has no notebook mode")
    try:
        trio.run(demo, *args.names)
    except* KeyboardInterrupt:  # Ctrl-C: 130, the shell's "ended by Ctrl-C", no traceback
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # exiting: a second Ctrl-C must not kill it
        sys.exit(130)  # (except*: trio.run may raise it inside an exception group)
