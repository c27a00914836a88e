"""Timeouts: ``trio.fail_after`` raises ``trio.TooSlowError``, which is *not* a TimeoutError.

Code ported with ``except TimeoutError`` would let the error through: catch ``trio.TooSlowError``.
Often the better port is ``trio.move_on_after``, which raises nothing and reports through
``cancelled_caught``.
"""

from __future__ import annotations

import trio


async def main() -> list[str]:
    caught: list[str] = []
    try:
        with trio.fail_after(1):
            await trio.sleep(10)
    except TimeoutError:  # never taken: TooSlowError does not derive from TimeoutError
        caught.append("fail_after: TimeoutError")
    except trio.TooSlowError as exc:
        caught.append(f"fail_after: {type(exc).__name__}")
    with trio.move_on_after(1) as scope:
        await trio.sleep(10)
    caught.append(f"move_on_after: cancelled_caught={scope.cancelled_caught}")
    return caught


if __name__ == "__main__":
    print(trio.run(main))
