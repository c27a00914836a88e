"""Timeouts: asyncio raises the builtin ``TimeoutError`` (an alias since Python 3.11).

``asyncio.wait_for`` and ``asyncio.timeout`` both raise it, so ``except TimeoutError`` catches
them, as it catches a socket timeout.
"""

from __future__ import annotations

import asyncio


async def main() -> list[str]:
    caught: list[str] = []
    try:
        await asyncio.wait_for(asyncio.sleep(10), timeout=1)
    except TimeoutError as exc:
        caught.append(f"wait_for: {type(exc).__name__}")
    try:
        async with asyncio.timeout(1):
            await asyncio.sleep(10)
    except TimeoutError as exc:
        caught.append(f"timeout: {type(exc).__name__}")
    return caught


if __name__ == "__main__":
    print(asyncio.run(main()))
