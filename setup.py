"""Build hook: the concept map and the exercise notebooks travel inside the package.

``walkthrough port`` reads its mapping from ``docs/concepts.md``, the page the guide shows
(:mod:`walkthrough.conceptmap`), and ``walkthrough notebook`` copies ``notebooks/*-exercises.ipynb``
for the learner. An installed wheel has neither folder, so building copies the page into the
package as ``walkthrough/concepts.md`` and the two notebooks into ``walkthrough/notebooks/``.
The repository's files stay the one source: the copies exist only in the build, never in the
repository. Everything else is in ``pyproject.toml``.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PAGE = Path("docs") / "concepts.md"
PACKAGED = Path("walkthrough") / "concepts.md"
#: The notebooks `walkthrough notebook` copies from (the solved ones are not its business).
NOTEBOOKS = [Path("notebooks") / f"{impl}-exercises.ipynb" for impl in ("trio", "asyncio")]
PACKAGED_NOTEBOOKS = Path("walkthrough") / "notebooks"


def _copies() -> list[tuple[Path, Path]]:
    """Each file the build copies into the package: (from the source tree, to the package)."""
    return [(PAGE, PACKAGED), *((nb, PACKAGED_NOTEBOOKS / nb.name) for nb in NOTEBOOKS)]


class BuildPy(build_py):
    """``build_py`` that also copies the concept map and the notebooks into the package."""

    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):  # editable: they are read in place
            for source, packaged in _copies():
                self.mkpath(str((Path(self.build_lib) / packaged).parent))
                self.copy_file(str(source), str(Path(self.build_lib) / packaged))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            outputs.extend(str(Path(self.build_lib) / packaged) for _, packaged in _copies())
        return outputs


setup(cmdclass={"build_py": BuildPy})
