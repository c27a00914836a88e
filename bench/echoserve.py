"""One lesson-8 server for the echo benchmark: ``python -m bench.echoserve IMPL``.

IMPL is ``trio`` (``trio_port.server.serve``), ``asyncio`` (``asyncio_ref.server.serve`` on
asyncio's own loop) or ``uvloop`` (the same asyncio twin, unchanged, on uvloop's loop: the
figure people quote for asyncio servers); ``trio-gc`` and ``asyncio-gc`` are the twins with
the cyclic garbage collector's first threshold raised (bench-only, see ``GC_THRESHOLD``);
``trio-deadline`` and ``asyncio-deadline`` are the twins with ``bench.echodeadline``'s handler
in place of their ``handle``: one deadline per connection, moved, for a timeout per wait.
Each runs the twin's own ``serve`` on port 0, which prints ``listening on 127.0.0.1:PORT``;
the bench reads that line and loads the server from a client process of its own, which reads
this process's CPU (its CPU-time clock) over its measured window; the bench reads its RSS
and peak RSS from ``/proc/PID/status`` and ends it with SIGTERM, which nothing in this process
handles (asyncio.run, uvloop.run and trio.run do not, and the twins' own ``run``, not used
here, handles only SIGINT): the process ends at once.

The soft limit on descriptors is raised to the hard one first, for headroom: 1,000 clients
take 1,009 to 1,016 descriptors here (Trio, asyncio, uvloop), within the usual soft limit of
1,024, with under 20 to spare.
"""

from __future__ import annotations

import asyncio
import gc
import resource
import sys

IMPLS = ("trio", "asyncio", "uvloop")
#: Bench-only variants: the same twin with the cyclic GC's first threshold at GC_THRESHOLD
#: instead of 700 (``gc.set_threshold``, set here, before the twin is imported).
GC_VARIANTS = ("trio-gc", "asyncio-gc")
GC_THRESHOLD = 10_000
#: Bench-only variants: the twin's ``serve`` with ``bench.echodeadline``'s handler.
DEADLINE_VARIANTS = ("trio-deadline", "asyncio-deadline")


def raise_fd_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard limit; return the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main(impl: str) -> None:
    raise_fd_limit()
    if impl in GC_VARIANTS:
        gc.set_threshold(GC_THRESHOLD)
        impl = impl.removesuffix("-gc")
    moved = impl in DEADLINE_VARIANTS
    if moved:
        impl = impl.removesuffix("-deadline")
    if impl == "trio":
        import trio

        from trio_port import server as trio_server

        if moved:
            from bench.echodeadline import trio_handle

            trio_server.handle = trio_handle
        trio.run(trio_server.serve, 0)
    elif impl == "asyncio":
        from asyncio_ref import server as asyncio_server

        if moved:
            from bench.echodeadline import asyncio_handle

            asyncio_server.handle = asyncio_handle
        asyncio.run(asyncio_server.serve(0))
    elif impl == "uvloop":
        import uvloop

        from asyncio_ref import server as asyncio_server

        uvloop.run(asyncio_server.serve(0))
    else:
        raise SystemExit(f"unknown server {impl!r}: one of "
                         f"{', '.join(IMPLS + GC_VARIANTS + DEADLINE_VARIANTS)}")


if __name__ == "__main__":
    main(sys.argv[1])
