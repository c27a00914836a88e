"""``walkthrough port``'s false alarms on the working part, the round of 2026-12-07 (issue 24).

Rules about what a file itself shows, each with the case it is for and the near miss it
must leave alone. The programs are written here; the corpus in ``tests/port_corpus/`` measures
the figures.

* A project that installs its root folders under another name (``package_dir={"acme": "."}``)
  is seen by how a module imports its own folder: ``web/app.py`` that imports
  ``acme.web.routes`` reaches its own folder by the name ``acme``, so ``acme`` is the file's
  own package, not an unlisted library awaited in an asyncio program.
"""

from __future__ import annotations

import textwrap

from walkthrough import port


def rows(source: str, path: str = "case.py",
         project: list[str] | None = None) -> dict[int, set[str]]:
    """Line → the rows the tool names there."""
    found: dict[int, set[str]] = {}
    for finding in port.scan(textwrap.dedent(source), path, project):
        found.setdefault(finding.line, set()).add(finding.row)
    return found


INSTALLED = """\
    import asyncio

    from acme.store.db import Database
    from acme.web.routes import Router

    class App:
        def __init__(self) -> None:
            self.db = Database()
            self.router = Router()

        async def start(self) -> None:
            await self.db.connect()
            await self.router.mount(self.db)

    asyncio.run(App().start())
    """


def test_a_module_that_imports_its_own_folder_by_an_installed_name_owns_that_name() -> None:
    """``web/app.py`` of a project whose root folders are ``web`` and ``store``: its import of
    ``acme.web.routes`` is of its own folder, so ``acme`` is the project's installed name and
    its awaited ``Database`` is the project's own, no asyncio-only library."""
    found = rows(INSTALLED, "web/app.py", ["web", "store"])
    assert set(found) == {1, 15}  # import asyncio, asyncio.run


def test_the_same_under_src() -> None:
    found = rows(INSTALLED, "src/web/app.py", ["web", "store"])
    assert set(found) == {1, 15}  # import asyncio, asyncio.run


def test_another_packages_folder_of_the_same_name_is_no_such_sign() -> None:
    """``cli/app.py``: ``acme.web`` is not the folder the file is in, so ``acme`` is a package
    the file awaits in an asyncio program, and its uses are found."""
    found = rows(INSTALLED, "cli/app.py", ["web", "store", "cli"])
    assert {3, 4, 8, 9, 12, 13} <= set(found)
    assert found[3] == {"asyncio-only-lib"}


def test_a_folder_the_project_does_not_have_is_no_such_sign() -> None:
    """The file's folder must be one of the project's top-level names (``web`` here is
    not: the project is ``shop``), and a module at the top has no folder to reach."""
    assert 3 in rows(INSTALLED, "web/app.py", ["shop"])
    assert 3 in rows(INSTALLED, "app.py", ["app", "web", "store"])


def test_a_two_part_import_names_no_module_below_the_folder() -> None:
    """``import acme.web`` names a package, not a module inside the file's folder: no sign."""
    found = rows("""\
        import asyncio
        import acme.web
        from acme.store import db

        async def main() -> None:
            await db.connect()

        asyncio.run(main())
        """, "web/app.py", ["web", "store"])
    assert 3 in found


def test_a_file_with_no_project_or_no_path_has_no_installed_name() -> None:
    assert 3 in rows(INSTALLED, "web/app.py")  # no project file on disk above it
    assert 3 in rows(INSTALLED, "<stdin>", ["web", "store"])
    assert 3 in rows(INSTALLED, "", ["web", "store"])
