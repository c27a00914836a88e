"""``walkthrough port``'s false alarms on the working part, the round of 2026-12-07 (issue 24).

Two rules about what a file itself shows, each with the case it is for and the near miss it
must leave alone. The programs are written here; the corpus in ``tests/port_corpus/`` measures
the figures.

* A project that installs its root folders under another name (``package_dir={"acme": "."}``)
  is seen by how a module imports its own folder: ``web/app.py`` that imports
  ``acme.web.routes`` reaches its own folder by the name ``acme``, so ``acme`` is the file's
  own package, not an unlisted library awaited in an asyncio program.
* A class that types a field as another package's class (``session: Session``, or an
  ``__init__`` parameter so typed and stored on ``self``) holds that object in the field, even
  where a twin class of the file keeps an asyncio-only library's object under the same name.
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


TWINS = """\
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlmodel import Session


    class Store:
        session: Session

        def __init__(self, session: Session) -> None:
            self.session = session

        def add(self, user) -> None:
            self.session.add(user)
            self.session.commit()


    class AsyncStore:
        session: AsyncSession

        def __init__(self, session: AsyncSession) -> None:
            self.session = session

        async def add(self, user) -> None:
            self.session.add(user)
            await self.session.commit()
    """


def test_a_class_that_types_its_field_as_another_packages_class_holds_that_object() -> None:
    """The blocking twin's ``self.session`` is sqlmodel's ``Session``; the asyncio twin's is
    SQLAlchemy's ``AsyncSession``, found on each line as before."""
    found = rows(TWINS)
    assert not {6, 8, 9, 12, 13} & set(found)
    assert found[1] == found[17] == found[19] == {"asyncio-only-lib"}
    assert found[23] == found[24] == {"asyncio-only-lib"}


def test_the_field_typed_by_the_init_parameter_alone() -> None:
    """No class-body annotation: ``__init__(self, client: redis.Redis)`` stored on ``self``
    is the blocking side of a package whose asyncio side is listed."""
    found = rows("""\
        import redis
        import redis.asyncio


        class Limiter:
            def __init__(self, client: redis.Redis, *, ttl: float = 1.0) -> None:
                self._client = client

            def hit(self, key: str) -> int:
                return self._client.incr(key)


        class AsyncLimiter:
            def __init__(self, client: redis.asyncio.Redis) -> None:
                self._client = client

            async def hit(self, key: str) -> int:
                return await self._client.incr(key)
        """)
    assert 10 not in found
    assert found[18] == {"asyncio-only-lib"}


def test_an_optional_field_of_another_packages_class() -> None:
    found = rows("""\
        from typing import Optional

        import aiohttp
        import requests


        class Blocking:
            session: Optional[requests.Session] = None
            other: requests.Session | None = None

            def get(self, url: str):
                return self.session.get(url), self.other.get(url)


        class Client:
            def __init__(self) -> None:
                self.session = aiohttp.ClientSession()
                self.other = aiohttp.ClientSession()

            async def get(self, url: str):
                return await self.session.get(url), await self.other.get(url)
        """)
    assert 12 not in found
    assert found[21] == {"aiohttp-client"}


def test_a_field_typed_as_the_files_own_class_keeps_what_its_fields_hold() -> None:
    """``self._conn: Connection`` of the file's own class wraps the library's connection in
    its own ``_conn``: ``self._conn._conn.execute(...)`` is still the library's call."""
    found = rows("""\
        import aiosqlite


        class Connection:
            async def open(self) -> None:
                self._conn = await aiosqlite.connect("x.db")


        class Transaction:
            def __init__(self, connection: Connection) -> None:
                self._conn = connection

            async def begin(self) -> None:
                await self._conn._conn.execute("BEGIN")
        """)
    assert found[14] == {"asyncio-only-lib"}


def test_a_field_typed_as_a_generic_or_any_says_nothing() -> None:
    """``Any`` names no class, and ``Mapping[str, Session]`` is a container, not the field's
    object: the field keeps the kind the file gives it elsewhere."""
    found = rows("""\
        from typing import Any

        import aiohttp
        from sqlmodel import Session


        class Client:
            session: Any
            pool: dict[str, Session]

            def __init__(self) -> None:
                self.session = aiohttp.ClientSession()
                self.pool = aiohttp.ClientSession()

            async def get(self, url: str):
                return await self.session.get(url), await self.pool.get(url)
        """)
    assert found[16] == {"aiohttp-client"}


#: A blocking class whose field is typed as requests' session, then its asyncio twin with an
#: aiohttp session under the same field name ({annotation}: the blocking class's field type).
REQUESTS_TWINS = """\
import aiohttp
import requests


class Blocking:
    session: {annotation}

    def get(self, url: str):
        return self.session.get(url)


class Client:
    def __init__(self) -> None:
        self.session = aiohttp.ClientSession()

    async def get(self, url: str):
        return await self.session.get(url)
"""


def test_the_field_is_the_other_objects_again_after_the_class() -> None:
    """The typed class comes first: the twin after it, and code at module level, still see
    the library's object under the name."""
    found = rows(REQUESTS_TWINS.format(annotation="requests.Session"))
    assert 9 not in found
    assert found[17] == {"aiohttp-client"}


def test_a_file_with_no_project_or_no_path_has_no_installed_name() -> None:
    assert 3 in rows(INSTALLED, "web/app.py")  # no project file on disk above it
    assert 3 in rows(INSTALLED, "<stdin>", ["web", "store"])
    assert 3 in rows(INSTALLED, "", ["web", "store"])


def test_a_block_with_a_helper_module_inside_a_local_folder_is_the_scripts_own() -> None:
    """``from config.settings import settings`` names the project's own ``config`` package, so
    the bare modules imported with it (``storage``) are the script's siblings, not an unlisted
    library awaited in an asyncio program."""
    found = rows("""\
        import asyncio

        from config.settings import settings
        from storage import put_object

        async def main() -> None:
            await put_object(settings.bucket, b"x")

        asyncio.run(main())
        """)
    assert not {3, 4, 7} & set(found)


def test_a_folder_of_examples_or_tests_makes_no_block_local() -> None:
    """``from examples.shared import X`` beside ``from pyplugin import Client`` in an example:
    the example is a user of pyplugin, whose awaited client is found."""
    found = rows("""\
        import asyncio

        from pyplugin import Client
        from examples.shared import GREETING

        async def main() -> None:
            await Client(GREETING).greet()

        asyncio.run(main())
        """)
    assert found[3] == found[7] == {"asyncio-only-lib"}


def test_a_helper_in_another_block_leaves_the_third_party_block_alone() -> None:
    found = rows("""\
        import asyncio

        from storage import put_object

        from config.settings import settings

        async def main() -> None:
            await put_object(settings.bucket, b"x")

        asyncio.run(main())
        """)
    assert found[3] == found[8] == {"asyncio-only-lib"}


MIXED = """\
    import asyncio

    from thing import Thing

    from .base import BaseServer

    class Launcher({bases}):
        async def stop(self) -> None:
            await self.base_shutdown()

    asyncio.run(Launcher().stop())
    """


def test_an_inherited_method_of_a_class_with_one_of_the_packages_own_bases() -> None:
    """``class Launcher(Thing, BaseServer)``, ``BaseServer`` the package's own: which base
    ``self.base_shutdown`` comes from, the file does not show, so its await is no sign that
    ``thing`` waits on asyncio's loop."""
    found = rows(MIXED.format(bases="Thing, BaseServer"), "pkg/launcher.py")
    assert not {3, 7, 9} & set(found)


def test_an_inherited_method_of_a_class_with_only_the_unlisted_base() -> None:
    found = rows(MIXED.format(bases="Thing"), "pkg/launcher.py")
    assert found[3] == found[7] == found[9] == {"asyncio-only-lib"}


CURSORS = """\
    import aiosqlite
    import duckdb

    class Store:
        def __init__(self, path: str) -> None:
            self._ddb = duckdb.connect(path)

        async def open(self) -> None:
            self._conn = await aiosqlite.connect("x.db")
            async with self._conn.cursor() as cur:
                await cur.execute("select 1")

        def count(self) -> int:
            cur = {made}
            cur.execute("select count(*) from t")
            return cur.fetchone()
    """


def test_a_name_bound_to_a_call_on_another_packages_object_is_that_packages() -> None:
    """``cur = self._ddb.cursor()`` where ``self._ddb`` holds a duckdb connection: this
    function's ``cur`` is duckdb's cursor, not the aiosqlite cursor of another method."""
    found = rows(CURSORS.format(made="self._ddb.cursor()"))
    assert found[11] == {"asyncio-only-lib"}
    assert not {6, 14, 15, 16} & set(found)


def test_a_name_bound_to_a_call_on_the_librarys_object_keeps_its_kind() -> None:
    found = rows(CURSORS.format(made="self._conn.cursor()"))
    assert found[14] == found[15] == found[16] == {"asyncio-only-lib"}


def test_a_name_bound_to_a_call_on_an_unknown_object_keeps_its_kind() -> None:
    """``self.pool`` comes from no package the file imports: nothing says its cursor is not
    the library's, so the name keeps the kind the file gives it elsewhere."""
    found = rows(CURSORS.format(made="self.pool.cursor()"))
    assert found[15] == found[16] == {"asyncio-only-lib"}


def test_a_nested_class_with_only_the_unlisted_base() -> None:
    """The class the await is in decides, not the class around it."""
    found = rows("""\
        import asyncio

        from thing import Thing

        from .base import BaseServer

        class Launcher(Thing, BaseServer):
            class Worker(Thing):
                async def stop(self) -> None:
                    await self.base_shutdown()
        """, "pkg/launcher.py")
    assert found[10] == {"asyncio-only-lib"}


INHERITED = """\
    from slack_sdk import WebClient
    from slack_sdk.web.async_client import AsyncWebClient


    class Base:
        def __init__(self, token: str) -> None:
            self._client: WebClient = WebClient(token)


    class Blocking(Base):
        def post(self, text: str):
            return self._client.chat_postMessage(text=text)


    class Async(Base):
        def __init__(self, token: str) -> None:
            self._client = AsyncWebClient(token=token)

        async def post(self, text: str):
            return await self._client.chat_postMessage(text=text)
    """


def test_a_field_typed_in_init_and_inherited_from_the_files_own_base() -> None:
    """``self._client: WebClient = ...`` in the base's ``__init__``: the subclass that keeps
    it (``Blocking``) holds slack's blocking client; the one that stores its own
    ``AsyncWebClient`` holds that, found as before."""
    found = rows(INHERITED)
    assert not {7, 12} & set(found)
    assert found[17] == found[20] == {"asyncio-only-lib"}


def test_a_base_the_file_does_not_define_gives_no_fields() -> None:
    """``class Blocking(Other)`` of another module: its fields are not this file's to read."""
    found = rows(INHERITED.replace("class Blocking(Base)", "class Blocking(Other)"))
    assert found[12] == {"asyncio-only-lib"}


RETRY = """\
    import asyncio
    import backoff
    import requests


    {decorator}
    {kind} fetch(url: str):
        return requests.get(url)


    def stream(url: str) -> None:
        requests.get(url, stream=True)


    def run(url: str) -> None:
        retried = backoff.on_exception(backoff.expo, ConnectionError, max_time=9)({target})
        retried(url)
    """


def test_backoff_on_plain_defs_only_is_its_blocking_side() -> None:
    """backoff's decorators wrap a plain ``def`` in ``time.sleep`` retries: nothing to port."""
    found = rows(RETRY.format(decorator="@backoff.on_exception(backoff.expo, OSError)",
                              kind="def", target="stream"))
    assert not {2, 6, 16} & set(found)


def test_backoff_on_an_async_def_is_its_asyncio_side() -> None:
    found = rows(RETRY.format(decorator="@backoff.on_exception(backoff.expo, OSError)",
                              kind="async def", target="stream"))
    assert found[2] == found[6] == found[16] == {"asyncio-only-lib"}


def test_backoff_on_a_function_the_file_does_not_define_is_asyncio_side() -> None:
    for target in ("imported_fetch", "lambda u: None"):
        found = rows(RETRY.format(decorator="", kind="def", target=target))
        assert found[2] == found[16] == {"asyncio-only-lib"}, target


def test_backoff_applied_to_a_plain_def_alone() -> None:
    found = rows(RETRY.format(decorator="", kind="def", target="stream"))
    assert not {2, 16} & set(found)


def test_another_modules_on_exception_says_nothing_of_backoff() -> None:
    """Only backoff's own ``on_exception`` / ``on_predicate``, called on its module name."""
    found = rows(RETRY.format(decorator="@retrying.on_exception(OSError)", kind="def",
                              target="stream").replace(
        "backoff.on_exception(backoff.expo", "backoff.on_giveup(backoff.expo"))
    assert found[2] == {"asyncio-only-lib"}


def test_a_field_typed_as_a_union_of_two_classes_says_nothing() -> None:
    """``requests.Session | Other`` names no one class: the field keeps its kind."""
    for annotation in ("requests.Session | Other", 'requests.Session | "Other"'):
        found = rows(f"""\
            import aiohttp
            import requests


            class Client:
                session: {annotation}

                def __init__(self) -> None:
                    self.session = aiohttp.ClientSession()

                async def get(self, url: str):
                    return await self.session.get(url)
            """)
        assert found[12] == {"aiohttp-client"}, annotation


def test_a_field_typed_with_typing_dot_optional() -> None:
    found = rows("import typing\n\n"
                 + REQUESTS_TWINS.format(annotation="typing.Optional[requests.Session] = None"))
    assert 11 not in found
    assert found[19] == {"aiohttp-client"}


def test_a_field_typed_as_a_class_of_a_package_the_file_awaits_keeps_its_kind() -> None:
    """``conn: Conn`` of an unlisted package the file awaits in an asyncio program: that
    package is asyncio's here, so its class is no other package's object."""
    found = rows("""\
        import asyncio

        from thing import Conn


        class Store:
            conn: Conn

            def __init__(self) -> None:
                self.conn = Conn()

            async def run(self) -> None:
                await self.conn.fetch()

            def close(self) -> None:
                self.conn.close()


        asyncio.run(Store().run())
        """)
    assert found[7] == found[10] == found[13] == found[16] == {"asyncio-only-lib"}


def test_a_subclass_keeps_its_own_typed_fields_beside_its_bases() -> None:
    """``Blocking(Base)`` types ``pool`` itself and inherits ``_client`` from ``Base``: both
    are the blocking objects there."""
    found = rows(INHERITED.replace(
        "class Blocking(Base):\n",
        "class Blocking(Base):\n        pool: WebClient\n\n").replace(
        "return self._client.chat_postMessage(text=text)",
        "return self._client.chat_postMessage(text=text), self.pool.chat_postMessage(t=1)"
    ).replace("self._client = AsyncWebClient(token=token)",
              "self._client = AsyncWebClient(token=token)\n            self.pool = self._client"))
    assert 14 not in found


def test_a_name_bound_to_a_call_of_another_packages_function_is_that_packages() -> None:
    """``response = blockhttp.get(url)`` beside an aiohttp ``response`` in another
    function: this one is that package's (Visitor._foreign_call's first form)."""
    found = rows("""\
        import aiohttp
        import blockhttp


        def parse(url: str):
            response = blockhttp.get(url)
            return response.raise_for_status()


        async def fetch(session: aiohttp.ClientSession, url: str) -> bytes:
            async with session.get(url) as response:
                return await response.read()
        """)
    assert 7 not in found
    assert found[12] == {"aiohttp-client"}


def test_an_installed_name_seen_through_a_windows_path() -> None:
    found = rows(INSTALLED, "web\\app.py", ["web", "store"])
    assert set(found) == {1, 15}
