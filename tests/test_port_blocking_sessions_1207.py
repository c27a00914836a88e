"""``walkthrough port``'s false alarms on a blocking session beside an aiohttp one (issue 24).

A file that imports aiohttp and requests may keep both clients under one name: a ``session``
field that is ``requests.Session()`` in the blocking methods and ``aiohttp.ClientSession()``
in the async ones, or the same parameter name in both. The tool follows one reference per
file, so it took every request of that name for aiohttp's. Two facts of aiohttp's API tell
them apart on the line itself, each checked in aiohttp's ``client.py`` (3.x):

* its requests (``get``, ``post``, ..., ``request``) must be awaited or entered (they return
  a ``_RequestContextManager``), which a plain ``def`` cannot do:
  one made there and kept there (a statement, a value assigned, used at once as data) is the
  blocking client's. One returned or handed on (``def get(self, url): return
  self.session.get(url)``) is still aiohttp's: the caller awaits it;
* ``ClientSession.get(self, url, *, allow_redirects=True, **kwargs)`` takes the URL alone by
  position: ``session.get("cookies", [])`` is a mapping's ``get(key, default)`` (a ``*args``
  written after the URL may hold nothing, and says nothing).

Not ``close()`` in a plain def: ``def __del__(self): self.session.close()`` is written for
aiohttp sessions too (an old aiohttp's, or a mistake the port must still see).

Seen in four packages of the corpus's working part (stytch, git-image-commiter, timecho-ai,
tokenade); the programs here are written for the test.
"""

from __future__ import annotations

from tests.test_port_false_alarms_1207 import rows

BOTH = """\
    import asyncio

    import aiohttp
    import requests


    class Client:
        def __init__(self) -> None:
            self.session = requests.Session()

        def fetch(self, url):
            response = self.session.get(url, timeout=5)
            self.session.post(url, json={})
            return self.session.put(url).json()

        async def afetch(self, url):
            async with aiohttp.ClientSession() as self.session:
                async with self.session.get(url) as response:
                    return await response.text()
    """


def test_requests_made_and_kept_in_a_plain_def_are_the_blocking_clients() -> None:
    found = rows(BOTH)
    assert not {12, 13, 14} & set(found), found
    assert 19 in found and "aiohttp-client" in found[19]  # the async method's request


HANDED_BACK = """\
    import aiohttp


    class Client:
        def __init__(self) -> None:
            self.session = aiohttp.ClientSession()

        def get(self, url):
            return self.session.get(url)

        def passed(self, url, *args):
            return self.session.get(url, *args)

        def start(self, urls):
            return [self.session.post(url) for url in urls]

        async def main(self, url):
            async with self.get(url) as response:
                return await response.text()

        def __del__(self):
            self.session.close()
    """


def test_a_request_a_plain_def_returns_or_hands_on_is_still_aiohttps() -> None:
    """The near miss: aiohttp's own ``get`` wrappers return the request for the caller to
    enter; a plain function that only builds it keeps it aiohttp's."""
    found = rows(HANDED_BACK)
    for line in (9, 12, 15, 22):  # returned; in a list; with *args; close() in __del__
        assert "aiohttp-client" in found.get(line, set()), (line, found)


OLD_STYLE = """\
    import asyncio

    import aiohttp


    @asyncio.coroutine
    def fetch(session, url):
        response = yield from session.get(url)
        session.close()
        return response


    def main():
        session = aiohttp.ClientSession()
        asyncio.get_event_loop().run_until_complete(fetch(session, "http://x"))
    """


def test_a_generator_based_coroutines_session_is_aiohttps() -> None:
    """The near miss of the plain def: ``yield from`` a request in a generator-based coroutine
    waits for it, and the same function's ``close()`` is aiohttp's too."""
    found = rows(OLD_STYLE)
    assert "aiohttp-client" in found.get(8, set()), found
    assert "aiohttp-client" in found.get(9, set()), found


MAPPING = """\
    import aiohttp


    class Proxy:
        def __init__(self, session: dict) -> None:
            self.session = session

        async def start(self, url):
            cookies = self.session.get("cookies", [])
            async with aiohttp.ClientSession() as http:
                async with http.get(url, cookies=cookies) as response:
                    return await response.read()

        async def fetch(self, url):
            async with self.session.get(url) as response:
                return await response.read()
    """


def test_a_get_with_a_key_and_a_default_is_a_mappings() -> None:
    found = rows(MAPPING)
    assert 9 not in found, found
    assert "aiohttp-client" in found.get(15, set()), found  # one argument: a request
