"""Why an ExceptionGroup for a single error? Because a nursery can always have several.

Since Trio 0.25 nurseries are *strict*: whatever leaves a nursery comes in an ExceptionGroup,
even one error, so the caller's ``except`` does not change shape depending on how many
children happened to fail. Catch with ``except*``; it matches inside the group. (asyncio's own
TaskGroup behaves the same way; ``gather`` raises the bare first exception, as awaiting a task,
or ``as_completed``, hands back each bare.)
"""

from __future__ import annotations

import trio


async def fails() -> None:
    raise KeyError("missing")


async def main() -> str:
    outcome = "no error"
    try:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(fails)
    except* KeyError as group:  # `return` is not allowed inside except*
        outcome = f"caught {len(group.exceptions)} KeyError in a {type(group).__name__}"
    return outcome


if __name__ == "__main__":
    print(trio.run(main))  # caught 1 KeyError in a ExceptionGroup
