"""httpx speed vs aiohttp: share one AsyncClient, set timeouts, split big fan-outs.

httpx's async connection pool slows down as concurrency grows (encode/httpx#3215, open at the
time of writing). What helps: one client per process (never one per request) and, for wide
fan-outs, a few clients sharing the work; change the limits only as you have measured (in
faq.md's runs they moved the cost either way). Set redirects and timeouts explicitly:
by default httpx does not follow redirects and gives up when any one wait (to connect, read,
write, or get a pool slot) passes 5 s, with no limit on the whole request; aiohttp follows them
(every request method but ``head()``) and allows the whole request 300 s (30 s to connect). The
transport here is a mock, so the example needs no network.
"""

from __future__ import annotations

import httpx
import trio


def handler(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text=f"page {request.url.path}")


def make_client(transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        # The limits belong to the transport: a client given one uses it as it is, so with a
        # transport of your own (as here, a mock) set them there (AsyncHTTPTransport(limits=)).
        transport=transport or httpx.AsyncHTTPTransport(
            limits=httpx.Limits(max_connections=10, max_keepalive_connections=10)),
        timeout=httpx.Timeout(10.0),
        follow_redirects=True,
    )


async def main(n: int = 40, nclients: int = 4) -> int:
    transport = httpx.MockTransport(handler)
    ok = 0

    async def fetch(client: httpx.AsyncClient, i: int) -> None:
        nonlocal ok
        response = await client.get(f"http://127.0.0.1/{i}")
        response.raise_for_status()
        ok += response.text == f"page /{i}"

    clients = [make_client(transport) for _ in range(nclients)]
    try:
        async with trio.open_nursery() as nursery:
            for i in range(n):
                nursery.start_soon(fetch, clients[i % nclients], i)
    finally:
        for client in clients:
            await client.aclose()
    return ok


if __name__ == "__main__":
    print(trio.run(main))  # 40
