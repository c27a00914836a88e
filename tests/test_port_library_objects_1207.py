"""``walkthrough port``'s misses of asyncio-only libraries' objects, the round of 2026-12-07
(issue 24).

Each rule with the case it is for and the near miss it must leave alone. The programs are
written here; the corpus in ``tests/port_corpus/`` measures the figures.

* An object the file never shows the origin of (a parameter, ``self._pool`` filled by a
  caller) on which it awaits a method that only one asyncio-only library spells so
  (Playwright's ``wait_for_load_state``, asyncpg's ``fetchrow``, Motor's ``insert_one``) is
  that library's object: each of its calls is a use of the library, and so is the pool an
  asyncpg connection is taken from. What its data methods give (a page's ``content()``, a
  document) is plain data.
* aio-pika's channel by its ``declare_queue``, ``declare_exchange``, ``set_qos``, and the
  connection whose ``channel()`` made it (the AMQP clients beside it spell
  ``queue_declare``).
* In a file that imports SQLAlchemy (or SQLModel), a reference the file awaits ``commit``,
  ``rollback``, ``scalars``, ``run_sync`` ... on is the asyncio extension's session or
  connection (the blocking Session's methods are not awaited), and what makes it (``async
  with SessionLocal() as session``, ``engine.begin()``) is the extension's too, unless it is
  the file's own function. The rows a Result gives are plain data.
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


LIB = "asyncio-only-lib"

PAGE = """\
    import asyncio

    async def scrape(page, url):
        await page.goto(url)
        await page.wait_for_load_state("networkidle")
        button = await page.query_selector("#more")
        await button.click()
        size = page.viewport_size
        html = await page.content()
        return html.find("<title>"), size
    """


def test_a_page_found_by_its_waits_is_playwrights() -> None:
    """``page`` is a parameter, and the file imports no Playwright: awaiting
    ``wait_for_load_state`` on it says it is Playwright's asyncio page, so its ``goto``, what
    ``query_selector`` gives and that element's ``click`` are the library's calls. A field read
    (``viewport_size``) and a str method on the ``content()`` it gave are plain data."""
    found = rows(PAGE)
    assert {line for line, got in found.items() if LIB in got} == {4, 5, 6, 7, 9}


def test_a_page_that_awaits_only_common_names_is_no_evidence() -> None:
    """``goto`` and ``content`` alone are names any async object may have."""
    source = PAGE.replace('        await page.wait_for_load_state("networkidle")\n', "") \
        .replace("page.query_selector", "page.find")
    assert not any(LIB in got for got in rows(source).values())


def test_the_files_own_method_of_that_name_is_no_evidence() -> None:
    """A file that defines ``wait_for_load_state`` itself (a wrapper with Playwright's API)
    calls its own method on the object, whatever that object is."""
    source = textwrap.dedent(PAGE) + textwrap.dedent("""\

        class Tab:
            async def wait_for_load_state(self, state):
                pass

            async def query_selector(self, selector):
                pass
        """)
    assert not any(LIB in got for got in rows(source).values())


POOL = """\
    import asyncio

    class Store:
        def __init__(self, pool):
            self._pool = pool

        async def get(self, key):
            async with self._pool.acquire() as conn:
                async with conn.transaction():
                    row = await conn.fetchrow("SELECT * FROM t WHERE k = $1", key)
                    await conn.execute("UPDATE t SET n = n + 1")
            return row["value"]
    """


def test_a_connection_found_by_fetchrow_is_asyncpgs_and_so_is_its_pool() -> None:
    """``conn.fetchrow`` is asyncpg's: the connection's ``transaction`` and ``execute`` are
    its calls, and ``self._pool.acquire()`` takes it from asyncpg's pool. The record's field
    read by key is plain data."""
    found = rows(POOL)
    assert {line for line, got in found.items() if LIB in got} == {8, 9, 10, 11}


def test_a_pool_of_pages_is_the_packages_own() -> None:
    """Playwright has no pool: a pool that hands out pages is the package's own class."""
    source = """\
        import asyncio

        class Renderer:
            def __init__(self, pool):
                self._pool = pool

            async def render(self, url):
                async with self._pool.acquire() as context:
                    page = await context.new_page()
                    await page.goto(url)
        """
    found = rows(source)
    assert 8 not in found
    assert LIB in found[9] and LIB in found[10]


def test_a_wrapper_defining_fetchrow_is_no_evidence() -> None:
    """A package's own database class with asyncpg's method names (it wraps the driver):
    its callers call the package's ``fetchrow``."""
    source = textwrap.dedent(POOL) + textwrap.dedent("""\

        class Database:
            async def fetchrow(self, query, *args):
                return None
        """)
    assert not any(LIB in got for got in rows(source).values())


COLLECTION = """\
    import asyncio

    async def save(collection, doc):
        found = await collection.find_one({"_id": doc["_id"]})
        if found is None:
            await collection.insert_one(doc)
        else:
            found.pop("_id")
            await collection.replace_one({"_id": doc["_id"]}, doc)
        async for each in collection.find({}):
            each.pop("_id")
    """


def test_a_collection_found_by_insert_one_is_motors() -> None:
    """``insert_one`` awaited is Motor's collection: its ``find_one``, ``replace_one`` and
    ``find`` are the library's calls; the documents they give are dicts."""
    found = rows(COLLECTION)
    assert {line for line, got in found.items() if LIB in got} == {4, 6, 9, 10}


def test_an_inherited_method_gives_the_packages_own_object() -> None:
    """``db = self.db()``, a method the class inherits from the package (no Motor import in
    the file): the package's own cursor object, whose ``insert_one`` is the package's."""
    source = """\
        import asyncio

        class Cell(Base):
            async def save(self):
                db = self.db()
                await db.insert_one(self)
        """
    assert not any(LIB in got for got in rows(source).values())


def test_a_blocking_collection_is_no_evidence() -> None:
    """pymongo's blocking collection is not awaited."""
    source = COLLECTION.replace("await ", "").replace("async for", "for")
    assert not any(LIB in got for got in rows(source).values())


def test_a_field_bound_to_another_packages_object_keeps_it() -> None:
    """``self.db = Client(...)``, a class the file imports from another package of its
    project: its ``fetchrow`` is that class's method, not evidence of asyncpg."""
    source = """\
        import asyncio

        from warehouse import Client

        class Store:
            def __init__(self, url):
                self.db = Client(url)

            async def get(self, key):
                return await self.db.fetchrow("SELECT 1", key)
        """
    found = rows(source, "store/db.py", ["warehouse", "store"])
    assert not any(LIB in got for got in found.values())


SESSION = """\
    import asyncio

    from sqlalchemy import select

    from app.db import SessionLocal

    async def rename(session, user_id, name):
        result = await session.execute(select(User).where(User.id == user_id))
        user = result.one_or_none()
        user.name = name.strip()
        stamp = user.created_at.isoformat()
        await session.commit()
        return stamp

    async def main(engine):
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        async with SessionLocal() as session:
            await rename(session, 1, "x")
    """


def test_a_session_that_commits_in_a_sqlalchemy_file_is_the_asyncio_extensions() -> None:
    """``await session.commit()`` where the file imports SQLAlchemy: its asyncio session, so
    its ``execute`` and the Result's ``one_or_none`` are the library's calls; the engine that
    ``begin()`` is entered on and the ``SessionLocal`` the project made are its makers. The
    row a Result gives is plain data, its fields' methods too."""
    found = rows(SESSION)
    assert {line for line, got in found.items() if LIB in got} == {8, 9, 12, 16, 17, 18}


def test_a_commit_without_sqlalchemy_is_no_evidence() -> None:
    """Without SQLAlchemy's import, ``commit`` is a name any object may have."""
    source = SESSION.replace("    from sqlalchemy import select\n", "")
    assert not any(LIB in got for got in rows(source).values())


def test_execute_alone_is_no_evidence() -> None:
    """``await worker.execute(job)``: every executor has an ``execute``."""
    source = """\
        import asyncio

        from sqlalchemy import select

        async def run(worker, job):
            return await worker.execute(job)
        """
    assert not any(LIB in got for got in rows(source).values())


def test_the_files_own_session_scope_is_no_library_maker() -> None:
    """``async with session_scope() as session``, the file's own context manager: its call is
    the file's, though the session it yields is SQLAlchemy's."""
    source = """\
        import asyncio
        from contextlib import asynccontextmanager

        from sqlalchemy import text

        @asynccontextmanager
        async def session_scope():
            yield None

        async def ping():
            async with session_scope() as session:
                await session.execute(text("SELECT 1"))
                await session.commit()
        """
    found = rows(source)
    assert 11 not in found
    assert LIB in found[12] and LIB in found[13]


CHANNEL = """\
    import asyncio

    class Dispatcher:
        def __init__(self, connection):
            self.connection = connection

        async def setup(self, name):
            channel = await self.connection.channel()
            await channel.set_qos(prefetch_count=10)
            queue = await channel.declare_queue(name, durable=True)
            async with queue.iterator() as messages:
                async for message in messages:
                    await message.ack()
            await self.connection.close()
    """


def test_a_channel_that_declares_a_queue_is_aio_pikas_and_so_is_its_connection() -> None:
    """``declare_queue`` awaited: aio-pika's channel; the connection whose ``channel()``
    made it, the queue it declared, its iterator and messages are aio-pika's."""
    found = rows(CHANNEL)
    assert {line for line, got in found.items() if LIB in got} == {8, 9, 10, 11, 12, 13, 14}


def test_a_channel_spelled_as_the_anyio_amqp_clients_spell_it_is_no_evidence() -> None:
    """``queue_declare`` and ``basic_qos`` (aiormq's, and the AnyIO AMQP clients') are not
    aio-pika's: the tool says nothing of them."""
    source = CHANNEL.replace("declare_queue", "queue_declare").replace("set_qos", "basic_qos")
    assert not any(LIB in got for got in rows(source).values())


def test_a_session_made_by_an_object_of_the_projects_class_is_the_projects_call() -> None:
    """``database.session()`` where ``database: Database``, the project's own class: the call
    that makes the session is the project's method, though the session is SQLAlchemy's."""
    source = """\
        import asyncio

        from sqlalchemy import select
        from sqlalchemy.ext.asyncio import AsyncSession

        from acme.storage import Database

        async def tenant(database: Database, slug):
            async with database.session() as session:
                return await session.scalar(select(Tenant).where(Tenant.slug == slug))
        """
    found = rows(source, "acme/cli.py", ["acme"])
    assert 9 not in found
    assert LIB in found[10]
