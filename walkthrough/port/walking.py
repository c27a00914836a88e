"""Walks of a tree, kept: :func:`ast.walk`, and a function's own nodes, listed once a node.

The analysis asks the same questions of the same nodes many times: :mod:`.names` walks the
whole module once per kind of object it follows (loops, queues, servers, sessions, ...), and
:mod:`.constructs` lists a function's own nodes again for each rule that looks inside one.
Each such walk rebuilt the list from the nodes' ``_fields`` (``ast.iter_child_nodes``), and
that rebuilding was most of a scan: the corpus's working part (141,000 lines of real code)
took 33-38 s of CPU with every walk done afresh and 13-14 s with the lists kept (the two
side by side in one process; the trees before and after the change: 34-35 s and 12-13 s),
with the same findings on every file. Here a node's lists are built once and kept on the
node, so every later walk is a walk of a list.

This is safe because nothing in :mod:`walkthrough.port` changes a tree it has parsed: the
nodes it makes (a type comment parsed, a ``setattr`` seen as an assignment) are new trees of
their own, with their own lists. Code that changed a tree after walking it would read the old
list; such code must call :func:`ast.walk` itself.

Example::

    >>> import ast
    >>> tree = ast.parse("await x(y)")
    >>> [type(n).__name__ for n in walk(tree)] == [type(n).__name__ for n in ast.walk(tree)]
    True
    >>> walk(tree) is walk(tree)
    True
    >>> f = ast.parse("def f():\\n    def g(): pass\\n    return 1").body[0]
    >>> [type(n).__name__ for n in own_nodes(f)]  # g's body is g's
    ['Return', 'Constant', 'arguments']
"""

from __future__ import annotations

import ast

#: The attributes a node keeps its lists under (not AST fields: ``ast.dump``, ``ast.unparse``,
#: ``compile`` and ``ast.iter_child_nodes`` never see them).
_KEPT = "_walkthrough_subtree"
_OWN = "_walkthrough_own"


def walk(node: ast.AST) -> list[ast.AST]:
    """Every node of ``node``'s subtree, itself first, in :func:`ast.walk`'s order
    (breadth-first); listed on the first call, returned as kept after it. The list is shared:
    do not change it."""
    kept: list[ast.AST] | None = node.__dict__.get(_KEPT)
    if kept is None:
        kept = list(ast.walk(node))
        node.__dict__[_KEPT] = kept
    return kept


_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def own_nodes(node: ast.AST) -> list[ast.AST]:
    """The nodes under a function (or any node), without those of the functions, classes and
    lambdas nested in it, which are scopes of their own: what the function itself does.
    Listed once, like :func:`walk` (the rules ask it of the same function many times); the
    order is a depth-first one, last child first. The list is shared: do not change it."""
    kept: list[ast.AST] | None = node.__dict__.get(_OWN)
    if kept is None:
        kept = list_own_nodes(node)
        node.__dict__[_OWN] = kept
    return kept


def list_own_nodes(node: ast.AST) -> list[ast.AST]:
    """:func:`own_nodes` listed afresh, kept nowhere (what a check of the kept lists compares
    them with)."""
    found: list[ast.AST] = []
    todo = list(ast.iter_child_nodes(node))
    while todo:
        each = todo.pop()
        if isinstance(each, _NESTED):
            continue
        found.append(each)
        todo.extend(ast.iter_child_nodes(each))
    return found
