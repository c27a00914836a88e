"""The side-by-side view's pairing of a name defined more than once: a slip that mutmut's
re-run of ``walkthrough/sidebyside.py`` at ``HEAD`` found the tests let through (issue 27,
``docs/mutation.md``).

``align`` pairs the k-th definition of a name in the asyncio file with the k-th in the Trio
file, counting the definitions it has met so far. The tests had at most two definitions of a
name on the asyncio side, where a wrong count (``seen[name] = 1``, ``seen[name] -= 1``: the
second index is then 1 or -1, both the second of two) still lands on the right one.
"""

from __future__ import annotations

from walkthrough import sidebyside

# Two ``@overload``s and the implementation: three top-level definitions of one name, the
# common way a module has them. The port changes only the implementation's body.
_OVERLOADS = (
    "from typing import overload\n"
    "\n"
    "@overload\n"
    "async def fetch(url: str) -> bytes: ...\n"
    "@overload\n"
    "async def fetch(url: bytes) -> bytes: ...\n"
    "async def fetch(url):\n"
    "    await {lib}.sleep(1)\n"
    "    return b''\n"
)


def _rows(pair: sidebyside.Pair) -> list[tuple[str, list[tuple[str, tuple[int, ...],
                                                              tuple[int, ...]]]]]:
    return [(name, [(h.tag, h.left, h.right) for h in hunks]) for name, hunks in pair.rows]


def test_each_definition_of_a_name_pairs_with_the_same_one_in_the_trio_file() -> None:
    """Slip: the count of a name's definitions met so far kept wrong (set to 1, or counted
    down). With three ``fetch``es (two overloads and the implementation), the asyncio
    implementation was compared with the Trio file's second overload, and the Trio
    implementation, the one that changed, was shown nowhere: the view hid the very change a
    learner opens it for. Counted down, the count also pairs a definition the port dropped
    (two on the asyncio side, one on Trio's) with the first again instead of showing it
    deleted (index -1 is the last, the only one)."""
    pair = sidebyside.align(_OVERLOADS.format(lib="asyncio"), _OVERLOADS.format(lib="trio"))
    rows = _rows(pair)
    assert [name for name, _ in rows] == [sidebyside.HEADER, "fetch", "fetch", "fetch"]
    # each overload is the same two lines on both sides, at the same place
    assert rows[1][1] == [("equal", (2, 3), (2, 3))]
    assert rows[2][1] == [("equal", (4, 5), (4, 5))]
    # the implementation is lines 6-8 on both sides: only its sleep changed
    assert rows[3][1] == [("equal", (6,), (6,)), ("replace", (7,), (7,)),
                          ("equal", (8,), (8,))]
    every_trio_line = sorted(r for _, hunks in rows for _, _, right in hunks for r in right)
    assert every_trio_line == list(range(9))

    left = "def helper():\n    return 1\n\ndef helper():\n    return 2\n"
    pair = sidebyside.align(left, "def helper():\n    return 1\n")
    assert _rows(pair) == [("helper", [("equal", (0, 1), (0, 1)), ("delete", (2,), ())]),
                           ("helper", [("delete", (3, 4), ())])]
