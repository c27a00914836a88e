"""The eight lessons of the asyncio walkthrough, in asyncio: the notebook's seven, as it asks,
plus the server.

Each module is one lesson and runs as a script: ``python -m asyncio_ref.count``.
Its twin with the same name in :mod:`trio_port` is the same lesson in Trio.
"""
