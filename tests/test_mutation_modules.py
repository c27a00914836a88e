"""The mutation page covers every module that ships (issue 27, ``docs/mutation.md``).

``scripts/mutation.py`` knows each measured module and the tests that cover it (``MODULES``),
and the page's table gives each one's score. A module added later, with no entry and no row,
would make the page's "every shipped module" false without anyone noticing: these tests say
which module is missing. A module with no function has nothing for mutmut to mutate (it
mutates code inside functions only), so it needs no entry.

A row is a measurement of the module as it was at one commit, which the row names. A module
edited since is not what its row measured: ``walkthrough/port/libraries.py`` kept a 100% row
through 27 commits of new rules, and was at 87.9% when someone looked. The last tests here
compare each module's functions now with its functions at the commit its row names.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("walkthrough", "asyncio_ref", "trio_port")
PAGE = ROOT / "docs" / "mutation.md"


def _script() -> ModuleType:
    # Loaded by path: scripts/ is not a package. The module must be in sys.modules while it
    # runs, or its dataclasses cannot resolve their own module.
    path = ROOT / "scripts" / "mutation.py"
    spec = importlib.util.spec_from_file_location("_mutation_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


MODULES: dict[str, list[str]] = _script().MODULES


def _has_a_function(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) for node in ast.walk(tree))


def shipped() -> list[str]:
    """Every module of the three packages that holds a function, as a path from the root."""
    return sorted(
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if _has_a_function(path)
    )


def table_rows() -> set[str]:
    """The modules named in the first cell of the page's score table."""
    return set(row_commits())


#: A row's first cell: the module, then the commit whose code the row measured.
_ROW = re.compile(r"\| `(?P<module>[\w/]+\.py)`(?: at `(?P<commit>[0-9a-f]{7,40})`)?")


def score_table() -> list[str]:
    """The lines of the score table: the first table after "## Scores", up to its end.

    Only these count as rows: a module's section repeats its sampled rows ("Table row:"), and
    such a copy must not stand in for a missing row of the table.
    """
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Scores")
    table: list[str] = []
    for line in lines[start + 1:]:
        if line.startswith("|"):
            table.append(line)
        elif table:
            break
    return table


def row_commits() -> dict[str, list[str | None]]:
    """Each module named in a row of the score table, with the commit each of its rows names.

    A module has several rows when it was sampled several times (``names.py``'s seeds); a row
    that names no commit gives ``None``.
    """
    rows: dict[str, list[str | None]] = {}
    for line in score_table():
        found = _ROW.match(line)
        if found:
            rows.setdefault(found["module"], []).append(found["commit"])
    return rows


def mutated_code(source: str) -> dict[str, str]:
    """What mutmut would mutate in ``source``, by qualified function name.

    mutmut 3.8.1 mutates the code inside module-level functions and the methods of
    module-level classes (nested functions as part of the function that holds them) and skips
    a function with any decorator but a lone ``@staticmethod`` or ``@classmethod``. It leaves
    every triple-quoted string alone, so a docstring written that way (all of them in these
    packages) gives no mutant and is left out here; comments and layout are not in the tree
    at all. Two sources with the same result have the same mutants, unless one of them has a
    ``# pragma: no mutate`` comment (none does) or a docstring in single quotes. The converse
    does not hold: this compares a little more than mutmut mutates (the arguments'
    annotations and complex defaults, the methods of nested classes, ``__new__``), which can
    only make the check below fail where no mutant changed, never pass where one did.
    """
    code: dict[str, str] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                decorators = [ast.unparse(d) for d in node.decorator_list]
                if decorators not in ([], ["staticmethod"], ["classmethod"]):
                    continue
                statements = node.body
                first = statements[0]
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                        and isinstance(first.value.value, str):
                    statements = statements[1:]
                code[prefix + node.name] = ast.dump(node.args) + "".join(
                    ast.dump(statement) for statement in statements)

    visit(ast.parse(source).body, "")
    return code


def test_the_packages_hold_modules_with_functions() -> None:
    # Guards the two tests below from passing on an empty list.
    found = shipped()
    assert "walkthrough/cli.py" in found and "trio_port/crawler.py" in found
    assert "walkthrough/__init__.py" not in found


@pytest.mark.parametrize("module", shipped())
def test_every_shipped_module_has_its_tests_and_a_row(module: str) -> None:
    assert module in MODULES, f"{module} has no entry in scripts/mutation.py's MODULES"
    assert module in table_rows(), f"{module} has no row in docs/mutation.md's table"


def test_every_test_named_for_a_module_exists() -> None:
    missing = [
        f"{module}: {test}"
        for module, tests in MODULES.items()
        for test in tests
        if not test.startswith("--") and not (ROOT / test.split("::")[0]).is_file()
    ]
    assert not missing


def test_every_module_named_exists() -> None:
    assert [module for module in MODULES if not (ROOT / module).is_file()] == []


def test_every_row_names_the_commit_it_measured() -> None:
    assert [module for module, commits in row_commits().items() if None in commits] == []


def _full_history() -> bool:
    shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT,
                             capture_output=True, text=True, check=False)
    return shallow.returncode == 0 and shallow.stdout.strip() == "false"


def _git_show(commit: str, module: str) -> str:
    shown = subprocess.run(["git", "show", f"{commit}:{module}"], cwd=ROOT, capture_output=True,
                           text=True, encoding="utf-8", check=False)
    assert shown.returncode == 0, (
        f"{module}: git cannot show it at {commit} (a commit this history lacks): "
        f"{shown.stderr.strip()}")
    return shown.stdout


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_modules_row_is_of_the_module_as_it_stands(module: str) -> None:
    # A clone has the history; a source tree without it cannot be checked, and says so.
    if not _full_history():
        pytest.skip("not a git clone with its history (a source tree, or a shallow clone): "
                    "the rows' commits cannot be looked at")
    now = mutated_code((ROOT / module).read_text(encoding="utf-8"))
    measured = {commit: mutated_code(_git_show(commit, module))
                for commit in row_commits().get(module, []) if commit is not None}
    assert measured, f"{module} has no row that names a commit"
    if now in measured.values():
        return
    newest = list(measured)[-1]
    changed = sorted(name for name in now.keys() | measured[newest].keys()
                     if now.get(name) != measured[newest].get(name))
    pytest.fail(
        f"{module} changed since its row was measured (at {newest}): {', '.join(changed)}. "
        f"Run those functions again, `nice -n 19 .venv/bin/python scripts/mutation.py {module} "
        f"--mutants {' '.join(mutant_patterns(module, changed))}` (or the whole module), and "
        f"give its row the new figures and commit (docs/mutation.md, 'Rows run again').")


def mutant_patterns(module: str, functions: list[str]) -> list[str]:
    """mutmut's names for the mutants of these functions, as ``--mutants`` patterns.

    mutmut 3.8.1 names a function's mutants ``package.module.x_name__mutmut_N`` and a method's
    ``package.module.xǁClassǁname__mutmut_N``; a function that is gone has none to run.
    """
    dotted = module.removesuffix(".py").replace("/", ".")
    patterns = []
    for name in functions:
        *classes, function = name.split(".")
        mangled = "".join(f"ǁ{part}" for part in classes) + ("ǁ" if classes else "_") + function
        patterns.append(f"'{dotted}.x{mangled}__mutmut_*'")
    return patterns


def test_the_check_of_a_row_sees_code_and_not_words() -> None:
    # What the check above compares: the code of each undecorated function, not its docstring,
    # comments or layout, and nothing mutmut does not mutate (module-level constants,
    # decorated functions).
    before = mutated_code('''
LIMIT = 1
def f(x):
    """Doubles."""
    return x * 2
class C:
    @staticmethod
    def g(): return 1
    @property
    def h(self): return 2
''')
    assert sorted(before) == ["C.g", "f"]
    assert mutated_code('''
LIMIT = 2
def f(x):
    """Doubles x, which is an int."""
    # twice
    return (x *
            2)
class C:
    @staticmethod
    def g(): return 1
    @property
    def h(self): return 3
''') == before
    assert mutated_code("def f(x):\n    return x * 3\n") != {"f": before["f"]}
    assert mutated_code("def f(y):\n    return x * 2\n") != {"f": before["f"]}
    assert mutant_patterns("walkthrough/port/names.py", ["f", "Names.remade"]) == [
        "'walkthrough.port.names.x_f__mutmut_*'",
        "'walkthrough.port.names.xǁNamesǁremade__mutmut_*'"]  # as in a run's --out JSON
    changed = mutated_code("class C:\n    @classmethod\n    def g(cls): return 2\n")
    assert changed["C.g"] != before["C.g"]
