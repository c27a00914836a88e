"""How findings and rewrites are printed: text, markdown, JSON, or a patch."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from walkthrough.port.mapping import Finding
from walkthrough.port.rewriting import rewrite


def patch(source: str, path: str) -> tuple[str, list[Finding]]:
    """A unified diff from ``source`` to its rewrite (empty when nothing changes)."""
    new, findings = rewrite(source, path)
    diff = difflib.unified_diff(source.splitlines(keepends=True), new.splitlines(keepends=True),
                                f"a/{path}", f"b/{path}")
    return "".join(diff), findings


def iter_findings(findings: list[Finding]) -> Iterator[tuple[int, list[Finding]]]:
    """Findings grouped by line, in order."""
    by_line: dict[int, list[Finding]] = {}
    for finding in findings:
        by_line.setdefault(finding.line, []).append(finding)
    yield from sorted(by_line.items())
