"""Which asyncio constructs a parsed file holds, each on its line.

:class:`Visitor` walks the tree once the names are followed (:mod:`.names`) and emits a
construct name per use: ``asyncio.Queue``, ``loop.time``, ``task set``. :func:`analyse` turns
them into :class:`~.mapping.Finding`s, one per construct and line, each placed on the
statement that holds it (where a TODO comment would go).
"""

from __future__ import annotations

import ast

from walkthrough.port.mapping import ROWS, Finding, describe
from walkthrough.port.names import MODULES, OBJECT_KINDS, Names, collect, qualname
from walkthrough.port.reading import parse


class Visitor(ast.NodeVisitor):
    def __init__(self, scan: Names) -> None:
        self.scan = scan

    def emit(self, node: ast.AST, construct: str) -> None:
        self.scan.found.append((getattr(node, "lineno", 0), getattr(node, "col_offset", 0),
                                construct))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            if top == "asyncio":
                self.emit(node, "import asyncio")
            elif top in MODULES:
                self.emit(node, top)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        top = (node.module or "").split(".")[0]
        if top == "asyncio":
            self.emit(node, "import asyncio")
        elif top in MODULES:
            self.emit(node, top)

    def visit_Call(self, node: ast.Call) -> None:
        if qualname(node, self.scan) == "session":  # make_client(), which returns a session
            self.emit(node, "aiohttp")
        name = qualname(node.func, self.scan)
        if name == "asyncio.sleep" and node.args and isinstance(node.args[0], ast.Constant) \
                and node.args[0].value == 0:
            self.emit(node, "asyncio.sleep(0)")
            for arg in node.args:
                self.visit(arg)
            return
        if self._keeps_a_task_alive(node):
            self.emit(node, "task set")
        self.generic_visit(node)

    def _keeps_a_task_alive(self, node: ast.Call) -> bool:
        """``tasks.add(task)`` on a set of tasks, or ``task.add_done_callback(s.discard)``."""
        func = node.func
        if not isinstance(func, ast.Attribute):
            return False
        if func.attr == "add_done_callback":
            return bool(node.args) and isinstance(node.args[0], ast.Attribute) \
                and node.args[0].attr == "discard"
        return func.attr == "add" and isinstance(func.value, ast.Name) \
            and self.scan.kinds.get(func.value.id) == "tasks"

    def visit_Attribute(self, node: ast.Attribute) -> None:
        name = qualname(node, self.scan)
        if name is None:
            self.generic_visit(node)
            return
        top = name.split(".")[0]
        if top in MODULES:
            # the longest known prefix: asyncio.Queue[...], aiohttp.ClientTimeout(...)
            parts = name.split(".")
            self.emit(node, ".".join(parts[:2]) if top == "asyncio" else top)
            return  # not again for the module name inside it
        if top in OBJECT_KINDS or (name.count(".") == 1 and name in ROWS):
            self.emit(node, ".".join(name.split(".")[:2]))
            return
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            target = self.scan.aliases.get(node.id)
            if target and target.split(".")[0] in MODULES and "." in target:
                top = target.split(".")[0]
                self.emit(node, ".".join(target.split(".")[:2]) if top == "asyncio" else top)
            elif node.id == "TimeoutError":
                self.emit(node, node.id)

    def visit_Try(self, node: ast.Try) -> None:
        # `except KeyboardInterrupt` around asyncio.run: Trio's may come in a group. Around
        # anything else (a sync main) it stays as it is.
        runs = any(isinstance(sub, ast.Call) and qualname(sub.func, self.scan) == "asyncio.run"
                   for stmt in node.body for sub in ast.walk(stmt))
        if runs:
            for handler in node.handlers:
                if handler.type is not None and any(
                        isinstance(n, ast.Name) and n.id == "KeyboardInterrupt"
                        for n in ast.walk(handler.type)):
                    self.emit(handler, "KeyboardInterrupt")
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._decorators(node)
        self.generic_visit(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._decorators(node)
        self.generic_visit(node)

    def _decorators(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if ast.unparse(target) == "pytest.mark.asyncio":
                self.emit(decorator, "pytest.mark.asyncio")


def statements(tree: ast.Module) -> dict[int, int]:
    """Each line → the first line of the innermost *simple* statement covering it."""
    starts: dict[int, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            end = node.end_lineno or node.lineno
            compound = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                                  | ast.If | ast.For | ast.AsyncFor | ast.While | ast.With
                                  | ast.AsyncWith | ast.Try | ast.Match | ast.TryStar)
            header_end = node.body[0].lineno - 1 if compound and hasattr(node, "body") else end
            for line in range(node.lineno, max(node.lineno, header_end) + 1):
                if line not in starts or starts[line] < node.lineno:
                    starts[line] = node.lineno
    return starts


def analyse(source: str, path: str) -> tuple[ast.Module, Names, list[Finding]]:
    """Parse once: the tree, the names followed, and every finding (for scan and rewrite)."""
    tree = parse(source, path)
    state = Names(path)
    collect(tree, state)
    Visitor(state).visit(tree)
    starts = statements(tree)
    findings: dict[tuple[int, str], Finding] = {}
    for line, _, construct in sorted(state.found):
        if (line, construct) in findings:
            continue
        findings[(line, construct)] = describe(path, line, starts.get(line, line), construct)
    return tree, state, list(findings.values())
