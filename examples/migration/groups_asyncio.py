"""Exception groups: what a caller catches, and what a library hands back.

``asyncio.TaskGroup`` (Python 3.11) wraps errors in an ``ExceptionGroup``, as a Trio nursery
does by default; only ``gather`` raises the first error bare. So code that moves from ``gather``
to ``TaskGroup`` meets groups in asyncio too, and the two frameworks are handled alike:

- ``fetch_all`` lets the group out: several fetches can fail at once, and the caller decides.
- ``report`` catches each kind with ``except*``, which matches inside the group.
- ``fetch_one`` is a library function that runs a helper task beside the real work. The task
  group is its implementation detail, so it follows Trio's guidance for hidden nurseries
  ("Designing for multiple errors"): the fetch's own error, when it is the only one, is raised
  again after the ``except`` block, as it was raised (the caller writes ``except KeyError``);
  any other group becomes ``LibraryBug``, raised from the group, never one error picked out.
"""

from __future__ import annotations

import asyncio


async def fetch(name: str) -> str:
    # Both errors come before the first await, so every failing fetch fails: the first error
    # cancels the siblings, but only at their next await (see docs/migration/groups.md).
    if name.startswith("down"):
        raise ConnectionError(name)
    if name.startswith("missing"):
        raise KeyError(name)
    await asyncio.sleep(0.1)
    return f"page {name}"


async def fetch_all(names: list[str]) -> dict[str, str]:
    pages: dict[str, str] = {}

    async def one(name: str) -> None:
        pages[name] = await fetch(name)

    async with asyncio.TaskGroup() as group:
        for name in names:
            group.create_task(one(name))
    return pages


async def report(names: list[str]) -> list[str]:
    lines: list[str] = []
    try:
        pages = await fetch_all(names)
    except* ConnectionError as group:  # no `return` in an except* block
        lines.append(f"{len(group.exceptions)} down: "
                     f"{', '.join(sorted(str(e) for e in group.exceptions))}")
    except* KeyError as group:
        lines.append(f"{len(group.exceptions)} missing")
    else:
        lines.append(f"{len(pages)} pages")
    return lines


class LibraryBug(Exception):
    """A helper task failed: Trio's ``raise PleaseReportBug from group`` for hidden nurseries."""


async def ticker(interval: float, ticks: list[float]) -> None:
    while True:
        await asyncio.sleep(interval)
        ticks.append(interval)


async def fetch_one(name: str) -> str:
    """One fetch, with a ticker beside it; raises the fetch's own error, unwrapped."""
    fetch_error: Exception | None = None
    unwrapped: Exception | None = None
    try:
        async with asyncio.TaskGroup() as group:
            tick = group.create_task(ticker(0.03, []))
            try:
                page = await fetch(name)
            except Exception as exc:
                fetch_error = exc
                raise
            finally:
                tick.cancel()
    except ExceptionGroup as eg:
        if fetch_error is None or eg.exceptions != (fetch_error,):
            raise LibraryBug("fetch_one's helper task failed") from eg
        unwrapped = fetch_error
    if unwrapped is not None:
        # After the `except` block, so that the group does not become its context. Even here
        # `raise` sets __context__ to what the *caller* is handling, if it awaits us inside its
        # own `except` block: put back the context the error had.
        context = unwrapped.__context__
        try:
            raise unwrapped
        finally:
            unwrapped.__context__ = context
    return page


async def main() -> list[str]:
    lines = await report(["a", "b"])
    lines += await report(["a", "down-1", "missing-1", "down-2"])
    try:
        await fetch_one("missing-2")
    except KeyError as e:
        lines.append(f"fetch_one raised KeyError({e})")
    return lines


if __name__ == "__main__":
    print(*asyncio.run(main()), sep="\n")
