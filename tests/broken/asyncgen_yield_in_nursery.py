"""Broken on purpose: ``mygen_ahead`` without ``@trio.as_safe_channel``, yielding in a nursery.

It looks fine and a consumer that takes every value gets the right values at the right
times. But between two values the generator is suspended *inside* its nursery, and that
nursery lives in the consumer's task: a ``break``, an error in the background task, or
``aclose()`` then go wrong. ``tests/test_asyncgen.py`` pins what the installed Trio does.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import trio

from trio_port.asyncgen import demo, main, mygen, produce  # noqa: F401 - the lesson itself


async def mygen_ahead(sep: str, up_to: int = 10) -> AsyncGenerator[int, None]:
    print()
    send, receive = trio.open_memory_channel[int](0)
    async with trio.open_nursery() as nursery, receive:
        nursery.start_soon(produce, sep, up_to, send)
        async for value in receive:
            yield value  # BUG: suspends the generator, and its nursery, in the consumer's task
