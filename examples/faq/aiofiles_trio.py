"""aiofiles on Trio: use Trio's own file API, ``trio.open_file`` and ``trio.Path``.

aiofiles runs on asyncio's executor and does not work under Trio. Trio wraps the same blocking
calls in worker threads (``trio.to_thread.run_sync``) behind an async file object; the methods
mirror the built-in file's.
"""

from __future__ import annotations

import os
import tempfile

import trio


async def main(path: str) -> list[str]:
    async with await trio.open_file(path, "w") as f:  # note the `await` before open_file
        await f.write("source_url\tparsed_url\n")
        await f.write("http://a\thttp://b\n")
    async with await trio.open_file(path, "a") as f:
        await f.write("http://a\thttp://c\n")
    text = await trio.Path(path).read_text()
    return text.splitlines()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:  # not into the reader's current directory
        print(trio.run(main, os.path.join(folder, "demo.tsv")))
        # ['source_url\tparsed_url', 'http://a\thttp://b', 'http://a\thttp://c']
