"""Claims of the migration pages (services, threads, anyio, debugging) that an outside review
broke or found unshown, each under the condition that could make it false.

services.md: a cancellation while the asyncio twin's flusher starts (the task used to outlive
its owner), an error before "started" (unseen while the wait lasts), a real Ctrl-C with a
flusher failure in both twins. threads.md: a KeyboardInterrupt from a ``call_soon_threadsafe``
callback, ``RunFinishedError`` in a thread that outlives the run. debugging.md: ruff's findings
on the sample, the ASYNC rules turned off in the linted tree, Trio refusing a foreign thread.
anyio.md: the AnyIO crawler's ``--help``, a TSV that cannot be written, an inherited ignored
SIGINT, and httpx's generators left by a ``raise`` on the Trio backend.
"""

from __future__ import annotations

import asyncio
import gc
import json
import re
import resource
import subprocess
import sys
import threading
import tomllib
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
import trio
import trio.lowlevel

import tests.test_crawler as crawler_tests
from tests.signals import interrupt
from tests.test_migration import EXAMPLES, ROOT, load, run_asyncio_virtual, run_trio_virtual
from walkthrough.demosite import DemoSite

HEADER = "source_url\tparsed_url\n"

# --------------------------------------------------------------------------------------------
# services.md


STOPPED_IN_ORDER = ["store opened", "flusher started",
                    "flusher stopped after a final flush of 0 rows", "store closed with 0 rows",
                    "caller: timed out"]


def test_a_flusher_cancelled_while_it_starts_stops_before_its_store_closes_in_both() -> None:
    """A timeout that expires while ``open_flusher`` waits for "started" (as a Ctrl-C under
    ``asyncio.run`` would land there). ``__aexit__`` is not called for an ``async with`` whose
    ``__aenter__`` raised: the asyncio twin used to leave the task running, the store closed
    under it, flushing after the caller had left. Trio's ``nursery.start`` cancels it inside
    the nursery. Now both stop the flusher, with a final flush, before the store closes."""
    aio, tr = load("services_asyncio"), load("services_trio")

    async def aio_main() -> tuple[list[str], list[str]]:
        log: list[str] = []
        try:
            async with asyncio.timeout(0):
                async with aio.open_store(log) as store, aio.open_flusher(store, 0.1, log):
                    log.append("body")  # never reached
        except TimeoutError:
            log.append("caller: timed out")
        await asyncio.sleep(0.35)  # three flush intervals: a task left running would flush
        me = asyncio.current_task()
        return log, [t.get_name() for t in asyncio.all_tasks() if t is not me]

    async def trio_main() -> tuple[list[str], list[str]]:
        log: list[str] = []
        with trio.move_on_after(0) as scope:
            async with tr.open_store(log) as store, tr.open_flusher(store, 0.1, log):
                log.append("body")
        if scope.cancelled_caught:
            log.append("caller: timed out")
        await trio.sleep(0.35)
        return log, []

    assert run_trio_virtual(trio_main) == (STOPPED_IN_ORDER, [])
    assert run_asyncio_virtual(aio_main()) == (STOPPED_IN_ORDER, [])


#: One app of a services twin under a real SIGINT, a poisoned row pending: the flusher's flush
#: fails (at once, every ``interval``) or its final flush does (``interval`` long).
KI_CHILD = """
import asyncio, sys
from pathlib import Path
import trio
from tests.conftest import load_file
module = load_file(Path(sys.argv[1]), "services")
interval = float(sys.argv[2])

async def app(sleep):
    log = []
    async with module.open_store(log) as store, module.open_flusher(store, interval, log) as f:
        f.add("poison")
        print("ready", flush=True)
        await sleep(30)

try:
    if "asyncio" in sys.argv[1]:
        asyncio.run(app(asyncio.sleep))
    else:
        trio.run(app, trio.sleep)
except BaseException as e:
    inner = getattr(e, "exceptions", ())
    print(type(e).__name__, type(e.__cause__).__name__, type(e.__context__).__name__,
          sorted(type(x).__name__ for x in inner), flush=True)
"""


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("impl", "interval", "settle", "expected"), [
    # Ctrl-C at 0.3 s; the final flush fails as the app leaves with it
    ("asyncio", 30.0, 0.3, "FlusherError OSError CancelledError []"),
    # the flush at 0.1 s failed, unheard; Ctrl-C at 0.5 s
    ("asyncio", 0.1, 0.5, "FlusherError OSError CancelledError []"),
    # Trio heard a failed flush at once, before any Ctrl-C: only the final flush case here
    ("trio", 30.0, 0.3, "BaseExceptionGroup NoneType NoneType ['KeyboardInterrupt', 'OSError']"),
], ids=["asyncio-final-flush", "asyncio-failed-first", "trio-final-flush"])
def test_a_ctrl_c_with_a_flusher_failure_is_flushererror_in_asyncio_a_group_in_trio(
        impl: str, interval: float, settle: float, expected: str) -> None:
    """services.md: a ``KeyboardInterrupt`` that leaves with the flusher's failure. Trio's
    ``open_flusher`` lets the nursery's group out as Trio raised it (a ``KeyboardInterrupt``
    and the ``OSError``); the asyncio twin raises ``FlusherError``, an ``Exception``, from the
    ``OSError``, so ``asyncio.run`` raises it and not ``KeyboardInterrupt``."""
    result = interrupt(["-c", KI_CHILD, str(EXAMPLES / f"services_{impl}.py"), str(interval)],
                       ready=lambda line: line == "ready\n", settle=settle)
    assert result.stdout.splitlines()[1:] == [expected], (result.stdout, result.stderr)


# --------------------------------------------------------------------------------------------
# threads.md


def test_a_keyboardinterrupt_from_a_call_soon_threadsafe_callback_ends_the_run() -> None:
    """As ``SystemExit`` does
    (``test_a_systemexit_from_a_call_soon_threadsafe_callback_ends_the_run``): asyncio re-raises
    it out of the loop, and the exception handler never sees it."""
    handled: list[object] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _, context: handled.append(context))

        def leave() -> None:
            raise KeyboardInterrupt

        await asyncio.to_thread(loop.call_soon_threadsafe, leave)
        await asyncio.sleep(1)

    with pytest.raises(KeyboardInterrupt):
        asyncio.run(main())
    assert handled == []


def test_a_thread_that_outlives_the_run_gets_a_runtimeerror_in_both() -> None:
    """``trio.RunFinishedError`` is a ``RuntimeError``: an ``except RuntimeError`` written for
    asyncio's closed loop catches it too, in a thread started during the run that calls in
    after the run has ended."""
    assert issubclass(trio.RunFinishedError, RuntimeError)
    ended = threading.Event()
    answers: list[str] = []
    threads: list[threading.Thread] = []

    def outlive(call: Any) -> None:
        """Start a thread that calls in once the run has ended."""
        def thread() -> None:
            ended.wait(10)
            try:
                call()
            except RuntimeError as e:  # the one except, for both frameworks
                answers.append(f"{type(e).__name__}: {e}")

        threads.append(threading.Thread(target=thread))
        threads[-1].start()

    async def aio_main() -> None:
        loop = asyncio.get_running_loop()
        outlive(lambda: loop.call_soon_threadsafe(print, "too late"))

    async def trio_main() -> None:
        token = trio.lowlevel.current_trio_token()
        outlive(lambda: trio.from_thread.run_sync(print, "too late", trio_token=token))

    asyncio.run(aio_main())
    trio.run(trio_main)
    ended.set()
    for thread in threads:
        thread.join(10)
    assert sorted(answers) == ["RunFinishedError: run() has exited",
                               "RuntimeError: Event loop is closed"]


# --------------------------------------------------------------------------------------------
# debugging.md


def test_trio_refuses_a_call_from_another_thread_without_being_asked() -> None:
    """asyncio refuses a non-threadsafe ``call_soon`` from another thread only in debug mode;
    a Trio function that needs the run (here ``trio.current_time()``) refuses a call from any
    thread but the run's own, always: a thread Trio did not start, and one it did."""
    async def aio_main(debug: bool) -> str:
        loop = asyncio.get_running_loop()
        loop.set_debug(debug)

        def foreign() -> str:
            try:
                loop.call_soon(lambda: None)
            except RuntimeError as e:
                return type(e).__name__
            return "accepted"

        return await asyncio.to_thread(foreign)

    async def trio_main() -> list[str]:
        def foreign() -> str:
            try:
                trio.current_time()
            except RuntimeError as e:
                return type(e).__name__
            return "accepted"

        got: list[str] = []
        thread = threading.Thread(target=lambda: got.append(foreign()))
        thread.start()
        await trio.to_thread.run_sync(thread.join)
        return [*got, await trio.to_thread.run_sync(foreign)]

    assert [asyncio.run(aio_main(debug)) for debug in (False, True)] == [
        "accepted", "RuntimeError"]
    assert trio.run(trio_main) == ["RuntimeError", "RuntimeError"]


DEBUGGING = ROOT / "docs" / "migration" / "debugging.md"


def ruff_async(*args: str, cwd: Path = ROOT) -> list[tuple[str, str, int]]:
    """``(path, rule, line)`` of every ASYNC finding of ``ruff check`` run in ``cwd``."""
    ruff = Path(sys.executable).with_name("ruff")
    proc = subprocess.run([str(ruff), "check", "--select", "ASYNC", "--output-format", "json",
                           *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return sorted((str(Path(f["filename"]).relative_to(cwd)), f["code"], f["location"]["row"])
                  for f in json.loads(proc.stdout))


def test_every_async_rule_the_linted_tree_turns_off_is_one_the_page_names() -> None:
    """debugging.md's list of exceptions, against the tree as ``ruff check .`` sees it: the
    lines a ``# noqa`` hides (the findings ``--ignore-noqa`` brings back), and the ASYNC
    per-file ignores of ``pyproject.toml``. ASYNC251 exactly where the page says; any other
    rule only in tests, and only one of those the page lists."""
    shown = ruff_async(".")  # none, once the tree passes `ruff check .`
    hidden = [finding for finding in ruff_async("--ignore-noqa", ".") if finding not in shown]
    assert [path for path, rule, _ in hidden if rule == "ASYNC251"] == [
        "examples/migration/blocking_asyncio.py", "examples/migration/blocking_trio.py",
        "tests/test_migration_apis.py", "tests/test_migration_apis.py"]
    others = sorted({rule for path, rule, _ in hidden if rule != "ASYNC251"})
    assert all(path.startswith("tests/") for path, rule, _ in hidden if rule != "ASYNC251")
    page = " ".join(DEBUGGING.read_text(encoding="utf-8").split())
    assert f"turn off {', '.join(others[:-1])} or {others[-1]}" in page, others
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    ignores = {path: [r for r in rules if r.startswith("ASYNC")]
               for path, rules in config["lint"]["per-file-ignores"].items()}
    assert {path: rules for path, rules in ignores.items() if rules} == {
        "tests/broken/*": ["ASYNC251"]}
    assert "ASYNC" in config["lint"]["select"]
    assert config["extend-exclude"] == ["my_*.py", "my_notebooks"]


def test_ruff_check_dot_skips_a_learners_file_that_it_lints_when_named(tmp_path: Path) -> None:
    """debugging.md: ``extend-exclude`` keeps ``my_*.py`` out of ``ruff check .``, but a file
    named on the command line is linted all the same (unless ``--force-exclude``)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.ruff]\nextend-exclude = {json.dumps(config['extend-exclude'])}\n", "utf-8")
    (tmp_path / "my_port.py").write_text(
        "import time\n\n\nasync def main() -> None:\n    time.sleep(1)\n", encoding="utf-8")
    assert ruff_async(".", cwd=tmp_path) == []
    assert ruff_async("my_port.py", cwd=tmp_path) == [("my_port.py", "ASYNC251", 5)]


# --------------------------------------------------------------------------------------------
# anyio.md: the AnyIO crawler example.


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(pages=8, slow_seconds=30, big_bytes=1_000_000) as s:
        yield s


def run_anyio_crawler(args: list[str], *, preexec: Callable[[], None] | None = None,
                      ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(EXAMPLES / "crawler_anyio.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, preexec_fn=preexec)


def test_the_anyio_crawlers_help_says_what_it_does_and_no_url_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Its ``--help`` was the Trio twin's: "With no URL, crawl the notebook's eight URLs" (it
    crawls none), and statuses it has not got (74, 141). And with no URL it wrote the TSV's
    header before it refused (status 2, whose "nothing was written" it broke)."""
    module = load("crawler_anyio")
    with pytest.raises(SystemExit) as caught:
        module.main(["--help"])
    assert caught.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "eight URLs" not in text and "Give at least one URL." in text
    assert [int(code) for code in re.findall(r"^ {2}(\d+) ", module.EPILOG, re.M)] == [
        0, 1, 2, 130]
    assert "the TSV holds complete rows only" in text
    kept = tmp_path / "kept.tsv"
    kept.write_text("source_url\tparsed_url\nhttp://a/\thttp://b/\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("# no URL here\n", encoding="utf-8")
    for args in ([], ["--urls-file", str(empty)]):
        with pytest.raises(SystemExit) as caught:
            module.main([*args, "-o", str(kept)])
        assert caught.value.code == 2
        assert "give at least one URL" in capsys.readouterr().err
        assert kept.read_text(encoding="utf-8") == "source_url\tparsed_url\nhttp://a/\thttp://b/\n"


def limit_file_size(size: int) -> Callable[[], None]:
    def preexec() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return preexec


@pytest.mark.timeout(120)
@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_tsv_that_cannot_be_written_stops_the_anyio_crawler_with_whole_rows(
        backend: str, site: DemoSite, tmp_path: Path) -> None:
    """A file-size limit (``RLIMIT_FSIZE``) 100 bytes past the header: the first page's rows
    do not fit. The writer ignored the short write: the TSV ended mid-row, and the crawl
    exited 0. Now the rest of the write fails, the writer takes back what it had written
    of that page, and the crawl stops with a traceback (status 1, as ``--help`` says). A
    closed stdout stops it so too (the Trio twin's 141)."""
    out = tmp_path / "out.tsv"
    limit = len(HEADER) + 100
    proc = run_anyio_crawler(["--backend", backend, site.url("page/1.html"), "-o", str(out)],
                             preexec=limit_file_size(limit))
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" in proc.stderr and "File too large" in proc.stderr
    tsv = out.read_text(encoding="utf-8")
    crawler_tests.assert_whole_rows(tsv)
    assert tsv == HEADER  # the one page's rows taken back whole

    # Either page fits, not both: the first page written stays whole (either may be first).
    alone = []
    for i in (1, 2):
        one = tmp_path / f"{i}.tsv"
        assert run_anyio_crawler(["--backend", backend, site.url(f"page/{i}.html"), "-o",
                                  str(one)]).returncode == 0
        alone.append(one.read_text(encoding="utf-8"))
    rows = [len(tsv.encode()) - len(HEADER) for tsv in alone]
    proc = run_anyio_crawler(["--backend", backend, site.url("page/1.html"),
                              site.url("page/2.html"), "-o", str(out)],
                             preexec=limit_file_size(len(HEADER) + max(rows) + 1))
    assert max(rows) + 1 < sum(rows)
    assert proc.returncode == 1 and "File too large" in proc.stderr, proc.stderr
    assert out.read_text(encoding="utf-8") in alone

    closed = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "crawler_anyio.py"), "--backend", backend,
         *site.page_urls(), "-o", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert closed.stdout is not None
    closed.stdout.close()  # as `| head` does, before the child has printed anything
    _, err = closed.communicate(timeout=60)
    assert closed.returncode == 1 and "Traceback" in err and "BrokenPipeError" in err, err


@pytest.mark.timeout(120)
@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_the_anyio_crawler_keeps_ignoring_an_inherited_ignored_sigint(
        backend: str, site: DemoSite, tmp_path: Path) -> None:
    """Started with SIGINT ignored (in the background, by a shell without job control), the
    lessons keep ignoring it; the example opened its signal receiver anyway, and
    a SIGINT stopped it (130). Now the crawl goes on: the slow URL times out, status 0."""
    out = tmp_path / "out.tsv"
    result = interrupt([str(EXAMPLES / "crawler_anyio.py"), "--backend", backend,
                        site.url("page/1.html"), site.url("slow.html"), "-o", str(out),
                        "--timeout", "2"],
                       ready=lambda line: line.startswith("Wrote results"),
                       inherit_ignored=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("pages 1, "), result.stderr
    assert "Error [timeout]" in result.stdout
    crawler_tests.assert_whole_rows(out.read_text(encoding="utf-8"))


@pytest.mark.timeout(120)
def test_a_raise_in_httpxs_byte_loop_leaves_generators_to_trio_a_cancelled_scope_does_not(
        site: DemoSite, capsys: pytest.CaptureFixture[str]) -> None:
    """anyio.md, encode/httpx#3686: three bodies cut at ``max_bytes``. Left with a ``raise``
    inside ``aiter_bytes``'s loop (the example's first version, below), httpx's nested async
    generators are finalized later on the Trio backend, a ``ResourceWarning`` each; not on
    asyncio. The example's ``fetch_html`` cancels a scope around the loop: none on either."""
    module = load("crawler_anyio")

    async def fetch_raising(url: str, client: Any, max_bytes: int) -> str:
        async with client.stream("GET", url) as resp:
            body = bytearray()
            async for chunk in resp.aiter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise module.BodyTooLarge(f"body over {max_bytes} bytes")
            return bytes(body).decode()

    async def three(fetch: Callable[..., Any]) -> None:
        async with module.make_client(4) as client:
            for _ in range(3):
                with pytest.raises(module.BodyTooLarge):
                    await fetch(site.url("big.html"), client, 10_000)
                gc.collect()

    warned = {}
    for backend in ("asyncio", "trio"):
        for name, fetch in (("fetch_html", module.fetch_html), ("raise", fetch_raising)):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                anyio.run(three, fetch, backend=backend)
                gc.collect()
            warned[backend, name] = sorted({
                str(w.message).split("'")[1] for w in caught
                if issubclass(w.category, ResourceWarning) and "Async generator" in str(w.message)})
    capsys.readouterr()
    assert warned.pop(("trio", "raise")) != []
    assert warned == {key: [] for key in warned}
