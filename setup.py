"""Build hook: the concept map travels inside the package.

``walkthrough port`` reads its mapping from ``docs/concepts.md``, the page the guide shows
(:mod:`walkthrough.conceptmap`). An installed wheel has no ``docs/``, so building copies the
page into the package as ``walkthrough/concepts.md``. The page stays the one source: the copy
exists only in the build, never in the repository. Everything else is in ``pyproject.toml``.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PAGE = Path("docs") / "concepts.md"
PACKAGED = Path("walkthrough") / "concepts.md"


class BuildPy(build_py):
    """``build_py`` that also copies the concept map into the built package."""

    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):  # editable: conceptmap reads docs/
            self.copy_file(str(PAGE), str(Path(self.build_lib) / PACKAGED))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            outputs.append(str(Path(self.build_lib) / PACKAGED))
        return outputs


setup(cmdclass={"build_py": BuildPy})
