"""``--rewrite``: the few rewrites that are mechanical, and a TODO wherever a human decides."""

from __future__ import annotations

import ast

from walkthrough.port.constructs import analyse
from walkthrough.port.mapping import Finding
from walkthrough.port.names import Names, qualname


def _positional_call(node: ast.expr) -> ast.Call | None:
    """``f(a, b)`` with positional, non-starred arguments only: what start_soon can take."""
    if (isinstance(node, ast.Call) and not node.keywords
            and not any(isinstance(a, ast.Starred) for a in node.args)):
        return node
    return None


def _call_as_args(call: ast.Call, source: str) -> str:
    parts = [ast.get_source_segment(source, call.func) or ast.unparse(call.func)]
    parts += [ast.get_source_segment(source, a) or ast.unparse(a) for a in call.args]
    return ", ".join(parts)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _gather_block(stmt: ast.Expr, source: str, indent: str, names: Names) -> list[str] | None:
    """``await asyncio.gather(...)`` as a statement → a nursery block, or None if not safe."""
    value = stmt.value
    if not (isinstance(value, ast.Await) and isinstance(value.value, ast.Call)):
        return None
    gather = value.value
    if qualname(gather.func, names) != "asyncio.gather" or gather.keywords:
        return None
    inner = indent + "    "
    body: list[str] = []
    for arg in gather.args:
        if isinstance(arg, ast.Starred):
            gen = arg.value
            if not (isinstance(gen, ast.GeneratorExp) and len(gen.generators) == 1
                    and not gen.generators[0].ifs and not gen.generators[0].is_async):
                return None
            call = _positional_call(gen.elt)
            if call is None:
                return None
            comp = gen.generators[0]
            target = ast.get_source_segment(source, comp.target) or ast.unparse(comp.target)
            iterable = ast.get_source_segment(source, comp.iter) or ast.unparse(comp.iter)
            body += [f"{inner}for {target} in {iterable}:",
                     f"{inner}    nursery.start_soon({_call_as_args(call, source)})"]
            continue
        call = _positional_call(arg)
        if call is None:
            return None
        body.append(f"{inner}nursery.start_soon({_call_as_args(call, source)})")
    if not body:
        return None
    return [f"{indent}async with trio.open_nursery() as nursery:", *body]


def _owns_its_lines(node: ast.stmt, lines: list[str]) -> bool:
    """Nothing but this statement on its lines (no `x = 1; await ...`), so it can be replaced."""
    end = node.end_lineno or node.lineno
    # ast's columns count UTF-8 bytes
    before = lines[node.lineno - 1].encode()[: node.col_offset].decode()
    after = lines[end - 1].encode()[node.end_col_offset or 0:].decode().strip()
    return before.strip() == "" and (after == "" or after.startswith("#"))


def rewrite(source: str, path: str = "<source>") -> tuple[str, list[Finding]]:
    """The source with the mechanical rewrites applied and TODOs left; and the findings."""
    tree, state, findings = analyse(source, path)
    lines = source.splitlines(keepends=True)
    rewritten: set[int] = set()
    #: (start line, end line) → replacement lines, whole statements only
    replace: dict[tuple[int, int], list[str]] = {}
    #: (line, col start, col end, text): edits inside one line
    spans: list[tuple[int, int, int, str]] = []

    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and node.end_lineno is not None:
            block = _gather_block(node, source, _indent(lines[node.lineno - 1]), state)
            if block is not None and _owns_its_lines(node, lines):
                replace[(node.lineno, node.end_lineno)] = [f"{b}\n" for b in block]
                rewritten.update(range(node.lineno, node.end_lineno + 1))
        if not isinstance(node, ast.Call) or node.lineno != node.end_lineno:
            continue
        name = qualname(node.func, state)
        func = node.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and state.aliases.get(func.value.id) == "asyncio"):
            continue
        if name == "asyncio.sleep" and len(node.args) == 1 and not node.keywords:
            spans.append((node.lineno, func.col_offset, func.end_col_offset or 0, "trio.sleep"))
            rewritten.add(node.lineno)
        elif name == "asyncio.run" and len(node.args) == 1 and not node.keywords:
            inner = _positional_call(node.args[0])
            if inner is not None:
                text = f"trio.run({_call_as_args(inner, source)})"
                spans.append((node.lineno, node.col_offset, node.end_col_offset or 0, text))
                rewritten.add(node.lineno)

    for line, start, end, text in sorted(spans, reverse=True):
        if any(a <= line <= b for a, b in replace):
            continue
        old = lines[line - 1]
        encoded = old.encode()
        lines[line - 1] = (encoded[:start] + text.encode() + encoded[end:]).decode()

    # TODOs: one comment above each statement with a finding that no rewrite took care of.
    todo: dict[int, list[Finding]] = {}
    for finding in findings:
        if finding.line in rewritten and finding.construct in (
                "asyncio.sleep", "asyncio.run", "asyncio.gather", "asyncio.sleep(0)"):
            continue
        if finding.construct == "import asyncio":
            continue
        todo.setdefault(finding.statement, []).append(finding)

    out: list[str] = []
    skip_until = 0
    has_trio = any(isinstance(node, ast.Import) and any(a.name == "trio" for a in node.names)
                   for node in tree.body)
    needs_import = bool(rewritten) and not has_trio
    for number, text in enumerate(lines, start=1):
        if number <= skip_until:
            continue
        span = next(((a, b) for a, b in replace if a == number), None)
        if number in todo:
            indent = _indent(text)
            said = dict.fromkeys(f"{f.construct} → {_short(f.trio)}" for f in todo[number])
            out.append(f"{indent}# TODO(trio): {'; '.join(said)} "
                       f"(see {todo[number][0].links[0]})\n")
        if span is not None:
            out.extend(replace[span])
            skip_until = span[1]
            continue
        out.append(text)
        if needs_import and text.strip() == "import asyncio":
            out.append("import trio\n")
            needs_import = False
    if needs_import:
        out.insert(0, "import trio\n")
    return "".join(out), findings


def _short(text: str, limit: int = 60) -> str:
    first = text.split(". ")[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"
