"""Following names: which asyncio object a name, an attribute or a call stands for.

The scan never runs the code, so it follows names the cheap way: an ``import`` binds a name to
its module path, and a name assigned (or annotated, or bound by ``async with … as``/``for``)
from something known takes its *kind*: ``loop = asyncio.get_running_loop()`` makes
``loop.time()`` read as ``loop.time``. The tracking is per file, not per scope: a name that is
a loop in one function is a loop everywhere. That approximation is measured, not assumed
(``tests/test_port.py`` on the lessons' twins, ``tests/test_port_corpus.py`` on real code).

Example::

    >>> import ast
    >>> tree = ast.parse("import asyncio\\nloop = asyncio.get_running_loop()\\nloop.time()\\n")
    >>> names = Names("x.py")
    >>> collect(tree, names)
    >>> qualname(tree.body[2].value.func, names)
    'loop.time'
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

#: What a call returns, for the names assigned from it.
RETURNS = {
    "asyncio.get_running_loop": "loop", "asyncio.get_event_loop": "loop",
    "asyncio.new_event_loop": "loop",
    "asyncio.create_task": "task", "asyncio.ensure_future": "task", "loop.create_task": "task",
    "asyncio.current_task": "task",
    "asyncio.Queue": "queue", "asyncio.LifoQueue": "queue", "asyncio.PriorityQueue": "queue",
    "asyncio.Semaphore": "semaphore", "asyncio.BoundedSemaphore": "semaphore",
    "aiohttp.ClientSession": "session", "aiofiles.open": "aiofile",
    "asyncio.start_server": "server", "asyncio.start_unix_server": "server",
}
#: An annotation that mentions one of these gives the annotated name its kind.
ANNOTATIONS = {
    "asyncio.AbstractEventLoop": "loop", "asyncio.Queue": "queue", "asyncio.Task": "task",
    "asyncio.Semaphore": "semaphore", "asyncio.BoundedSemaphore": "semaphore",
    "aiohttp.ClientSession": "session", "aiohttp.ClientResponse": "response",
    "asyncio.StreamReader": "stream", "asyncio.StreamWriter": "stream",
    "asyncio.Server": "server",
}
#: Modules whose every use is a finding.
MODULES = ("asyncio", "aiohttp", "aiofiles", "nest_asyncio")
#: Kinds whose every attribute is a finding, ``KIND.attr``. (Not an aiofiles file: Trio's async
#: file has the same methods, so ``await f.write(x)`` needs no change. Nor a loop, queue, task
#: or semaphore: only the methods ``ROWS`` names differ in Trio.)
OBJECT_KINDS = ("session", "response", "stream", "server")
HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "request"}


@dataclass
class Names:
    """What one file's names stand for, and the constructs found so far."""

    path: str
    aliases: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    factories: dict[str, str] = field(default_factory=dict)
    found: list[tuple[int, int, str]] = field(default_factory=list)


def qualname(node: ast.expr, scan: Names) -> str | None:
    """``asyncio.sleep``, ``aiohttp.ClientSession``, ``loop.time``: what an expression names."""
    if isinstance(node, ast.Name):
        if node.id in scan.aliases:
            return scan.aliases[node.id]
        kind = scan.kinds.get(node.id)
        return kind
    if isinstance(node, ast.Attribute):
        base = qualname(node.value, scan)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id in scan.factories:
            return scan.factories[node.func.id]  # def make_client() -> ClientSession
        called = qualname(node.func, scan)
        if called is None:
            return None
        if called in RETURNS:
            return RETURNS[called]
        if called in scan.factories:
            return scan.factories[called]
        kind, _, method = called.rpartition(".")
        if kind == "session" and method in HTTP_METHODS:
            return "response"
        return None
    if isinstance(node, ast.Subscript):
        return qualname(node.value, scan)
    if isinstance(node, ast.Await):
        return qualname(node.value, scan)
    return None


def annotation_kind(node: ast.expr | None, scan: Names) -> tuple[str | None, bool]:
    """The kind an annotation gives, and whether it is a collection of that kind."""
    if node is None:
        return None, False
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name | ast.Attribute):
            name = qualname(sub, scan)
            if name in ANNOTATIONS:
                collection = not (sub is node or (isinstance(node, ast.Subscript)
                                                  and node.value is sub))
                return ANNOTATIONS[name], collection
    return None, False


def bind(target: ast.expr, kind: str | None, scan: Names) -> None:
    if kind and isinstance(target, ast.Name):
        scan.kinds[target.id] = kind


def collect(tree: ast.Module, scan: Names) -> None:
    """First pass: imports, and the kinds of names assigned from known things."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in MODULES or alias.name == "pytest":
                    scan.aliases[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            if top in MODULES:
                for alias in node.names:
                    scan.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    # Kinds flow through assignments; two passes let a name assigned from a name resolve.
    for _ in range(2):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                kind, collection = annotation_kind(node.returns, scan)
                if kind and not collection:
                    scan.factories[node.name] = kind
                for arg in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]:
                    kind, collection = annotation_kind(arg.annotation, scan)
                    if kind:
                        scan.kinds[arg.arg] = f"{kind}s" if collection else kind
            elif isinstance(node, ast.AnnAssign):
                kind, collection = annotation_kind(node.annotation, scan)
                if kind:
                    bind(node.target, f"{kind}s" if collection else kind, scan)
                elif node.value is not None:
                    bind(node.target, qualname(node.value, scan), scan)
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple) and all(
                    isinstance(t, ast.Tuple) and len(t.elts) == len(node.value.elts)
                    for t in node.targets):
                for target in node.targets:  # loop, task = get_running_loop(), current_task()
                    assert isinstance(target, ast.Tuple)
                    for each, value in zip(target.elts, node.value.elts, strict=True):
                        bind(each, qualname(value, scan), scan)
            elif isinstance(node, ast.Assign):
                value = node.value
                kind = qualname(value, scan)
                if isinstance(value, ast.ListComp | ast.SetComp):
                    element = qualname(value.elt, scan)
                    kind = f"{element}s" if element else None
                if kind in ("loop", "task", "queue", "semaphore", "session", "response",
                            "aiofile", "tasks", "stream", "server"):
                    for target in node.targets:
                        bind(target, kind, scan)
            elif isinstance(node, ast.AsyncWith | ast.With):
                for item in node.items:
                    if item.optional_vars is not None:
                        bind(item.optional_vars, qualname(item.context_expr, scan), scan)
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                iterated = node.iter
                name = iterated.id if isinstance(iterated, ast.Name) else None
                if name and scan.kinds.get(name, "").endswith("s"):
                    bind(node.target, scan.kinds[name][:-1], scan)
