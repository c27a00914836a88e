"""``walkthrough port``: a response re-wrapped through a chain of the file's own functions.

A file often hands what aiohttp returned to its own helpers, and gets back its own object
(``response = await c(response)``, where ``c`` calls ``b``, which calls ``a``, which returns
``Response(r)``, the package's own class). From then on the name holds that object, and
``response.text()`` is the package's method, nothing to port. The tool finds the functions
that return such objects in passes over the file; it used to make two, so a chain of three
defined callers first (``c`` before ``b`` before ``a``) kept ``response`` aiohttp's, and two
findings on the file's own object were false alarms. ``names.py``'s seed-31 and seed-36 samples
both showed it (a mutant that made three passes was the better tool: ``docs/mutation.md``,
``:1279``). The passes now go on until one adds nothing.
"""

from __future__ import annotations

import pytest

from tests.test_mutation_port_gaps import found


def program(depth: int, callers_first: bool) -> tuple[str, int]:
    """An aiohttp fetch whose response goes through ``depth`` wrappers of the file's own, and
    the line of ``response.text()``."""
    names = [f"wrap{i}" for i in range(depth)]  # wrap0 is called by fetch, the last wraps
    wrappers = []
    for i, name in enumerate(names):
        inner = f"await {names[i + 1]}(response)" if i + 1 < depth else "Response(response)"
        wrappers.append(f"async def {name}(response):\n"
                        f"    response = {inner}\n"
                        f"    return response\n")
    if not callers_first:
        wrappers.reverse()
    head = ("import aiohttp\n\n\nclass Response:\n    def __init__(self, raw):\n"
            "        self.raw = raw\n\n    def text(self):\n        return 'ok'\n\n\n")
    fetch = ("async def fetch(url):\n"
             "    async with aiohttp.ClientSession() as session:\n"
             "        response = await session.get(url)\n"
             f"        response = await {names[0]}(response)\n"
             "        return response.text()\n")
    source = head + "\n\n".join(wrappers) + "\n\n" + fetch
    return source, source.splitlines().index("        return response.text()") + 1


@pytest.mark.parametrize("callers_first", [True, False], ids=["callers-first", "callees-first"])
@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_a_response_rewrapped_through_the_files_own_functions_is_the_files(
        depth: int, callers_first: bool) -> None:
    source, text_line = program(depth, callers_first)
    lines = found(source)
    # The session and its get are aiohttp's, whatever follows...
    assert source.splitlines().index("        response = await session.get(url)") + 1 in lines
    # ...but what the wrappers made is the file's own Response: nothing to port there.
    assert text_line not in lines, (depth, callers_first, lines)


def test_the_same_chain_ending_in_aiohttps_response_is_still_aiohttps() -> None:
    """The passes stop at what the file makes: a chain whose last wrapper returns the response
    it was given (no class of the file's) leaves it aiohttp's, at any depth."""
    source, text_line = program(3, True)
    source = source.replace("    response = Response(response)\n", "    response = response\n")
    assert text_line in found(source)
