"""Testing both frameworks in one pytest run: AnyIO's plugin runs one test on each backend.

``@pytest.mark.anyio`` tests receive the ``anyio_backend`` fixture; parametrised, every test runs
once on asyncio and once on Trio. Write the test body against AnyIO (or against a library that
supports both). This repository's own suites take another road, because each lesson is written
twice: each side has its own tests, sync tests that drive the async code through ``trio.run``,
``asyncio.run`` or ``asyncio.Runner`` (the lessons on a virtual clock; the crawler and the server
on the real one, over real sockets), and on the Trio side some pytest-trio tests
(``@pytest.mark.trio``).
"""

from __future__ import annotations

import anyio
import anyio.lowlevel
import pytest
import sniffio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.anyio
async def test_task_group_collects_both(anyio_backend: str) -> None:
    results: list[int] = []

    async def work(x: int) -> None:
        await anyio.lowlevel.checkpoint()
        results.append(x)

    async with anyio.create_task_group() as tg:
        tg.start_soon(work, 1)
        tg.start_soon(work, 2)
    assert sorted(results) == [1, 2]
    # the backend really runs the test: with pytest-trio's trio_mode on, the "asyncio" run
    # would run on Trio too (RV42), and this says so
    assert sniffio.current_async_library() == anyio_backend
