"""``walkthrough.port.walking``: the kept walks give what a fresh walk gives, and the scan's
findings do not depend on them being kept (issue 26: they made a scan of the corpus 3x faster,
which no user may pay for with a different answer)."""

from __future__ import annotations

import ast
import doctest
import itertools
from pathlib import Path

import pytest

from walkthrough import port
from walkthrough.port import constructs, names, rewriting, walking

CORPUS = Path(__file__).resolve().parent / "port_corpus" / "working"

NESTED = """\
import asyncio

@decorate(asyncio.sleep)
async def outer(a=asyncio.Event()):
    x = [y async for y in gen()]
    def inner():
        return asyncio.get_event_loop()
    class Kept:
        loop = asyncio.new_event_loop()
    f = lambda: asyncio.sleep(1)
    await asyncio.sleep(0)
    return inner
"""


def fresh_own(node: ast.AST) -> set[int]:
    """The ids of the nodes under ``node`` that no nested def, class or lambda holds, found
    by walking down from ``node`` and stopping at each (a different walk from the module's)."""
    found: set[int] = set()

    def down(each: ast.AST) -> None:
        for child in ast.iter_child_nodes(each):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                              | ast.Lambda):
                found.add(id(child))
                down(child)

    down(node)
    return found


def test_the_docstring_example_runs() -> None:
    assert doctest.testmod(walking).failed == 0


def test_walk_lists_what_ast_walk_yields_in_its_order_for_every_node() -> None:
    tree = ast.parse(NESTED)
    for node in list(ast.walk(tree)):
        assert [id(n) for n in walking.walk(node)] == [id(n) for n in ast.walk(node)]


def test_each_node_keeps_its_own_list_and_gives_it_again() -> None:
    tree = ast.parse(NESTED)
    function = tree.body[1]
    whole, inside = walking.walk(tree), walking.walk(function)
    assert whole is walking.walk(tree) and inside is walking.walk(function)
    assert inside[0] is function and len(inside) < len(whole)


def test_own_nodes_leave_out_nested_scopes_and_only_them() -> None:
    tree = ast.parse(NESTED)
    for node in ast.walk(tree):
        own = walking.own_nodes(node)
        # each node once (ast.Load and ast.Store are shared by every name: not counted)
        real = [id(n) for n in own if not isinstance(n, ast.expr_context)]
        assert len(real) == len(set(real))
        assert {id(n) for n in own} == fresh_own(node)
        assert walking.own_nodes(node) is own


def test_own_nodes_go_depth_first_last_child_first() -> None:
    """The order the two copies it replaced had (names._own_statements,
    constructs._own_nodes): rules that stop at the first match keep their answer."""
    function = ast.parse("def f():\n    a = b\n    return c\n").body[0]
    assert [ast.unparse(n) if not isinstance(n, ast.expr_context | ast.arguments)
            else type(n).__name__ for n in walking.own_nodes(function)] == \
        ["return c", "c", "Load", "a = b", "b", "Load", "a", "Store", "arguments"]


def test_the_kept_lists_are_no_part_of_the_tree() -> None:
    tree = ast.parse(NESTED)
    before = ast.dump(tree, include_attributes=True)
    for node in ast.walk(tree):
        walking.walk(node)
        walking.own_nodes(node)
    assert ast.dump(tree, include_attributes=True) == before
    assert ast.unparse(tree) == ast.unparse(ast.parse(NESTED))
    compile(tree, "nested.py", "exec")


def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every walk of the scan done afresh, as before the lists were kept."""
    for module in (names, constructs, rewriting):
        monkeypatch.setattr(module, "walk", lambda node: list(ast.walk(node)))
        if hasattr(module, "own_nodes"):
            monkeypatch.setattr(module, "own_nodes", walking.list_own_nodes)


def _answers(paths: list[Path]) -> list[object]:
    out: list[object] = []
    for path in paths:
        source = path.read_text(encoding="utf-8")
        try:
            # rewrite() scans once and returns the scan's findings with the patched text:
            # both answers from one analysis (port.scan is rewrite's analysis, nothing more)
            out.append(port.rewrite(source, path.name))
        except port.PortError as exc:
            out.append(str(exc))
    return out


# About 20 s on a quiet machine; twice over 180 s (the suite's default bound) in full runs on a
# loaded one (the 2 cores shared with other work): the bound is for a hang, not for speed.
@pytest.mark.timeout(600)
def test_the_findings_and_rewrites_are_the_same_with_fresh_walks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """One file in forty of the working part, scanned and rewritten with the kept lists and
    with every walk done afresh: a rule that changed a tree after walking it would differ."""
    paths = list(itertools.islice(sorted(CORPUS.glob("*.py.txt")), 0, None, 40))
    assert len(paths) >= 20
    kept = _answers(paths)
    _fresh(monkeypatch)
    assert _answers(paths) == kept
