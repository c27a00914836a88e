"""The eight lessons of the asyncio walkthrough, ported to Trio: the notebook's seven plus
the server.

Each module is one lesson and runs as a script: ``python -m trio_port.count``.
Its twin with the same name in :mod:`asyncio_ref` is the original asyncio lesson;
``diff asyncio_ref/X.py trio_port/X.py`` shows what the port changes: the concurrency model,
the crawler's HTTP library too (aiohttp to httpx), and the few extras one twin has alone.
"""
