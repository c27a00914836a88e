"""Shared test configuration.

Suites: ``pytest -m trio_suite`` runs all but the asyncio-only tests, ``pytest -m
asyncio_suite`` all but the Trio-only ones, plain ``pytest`` everything. A test parametrised
with ``impl`` belongs to that impl's suite; a pytest-trio test (``@pytest.mark.trio``) to the
Trio suite; a test that compares both versions, or tests the neutral harness, to both.

The lessons' tests run on the virtual clocks of ``walkthrough.clocks`` and
``trio.testing.MockClock``. The crawler's and the server's run on the real clock against real
sockets on 127.0.0.1 (virtual time and real I/O do not mix), and a few others use real time on
purpose: Ctrl-C delivery, the lessons run as scripts, ``check``'s wall-clock limit on a port
that never awaits.
"""

from __future__ import annotations

import fcntl
import importlib.util
import locale
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Generator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import pytest
import trio.testing
from hypothesis import HealthCheck, settings

from tests import ordering
from walkthrough.clocks import mock_clock

# Every lesson runs on a virtual clock, so an example's wall time says nothing about the
# lesson, only about how busy the machine is: no per-example deadline, no "too slow" verdict.
settings.register_profile(
    "walkthrough", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("walkthrough")

SUITES = ("trio_suite", "asyncio_suite")
ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--write-file-seconds", action="store_true",
        help="after a green run, write each test file's seconds into tests/file_seconds.json, "
             "the weights that hand the longest files to xdist's workers first")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Longest files first (tests/ordering.py says why); before the markers, which keep the order.
    items[:] = ordering.order(items, ordering.read(), lambda item: item.nodeid)
    for item in items:
        if any(item.get_closest_marker(s) for s in SUITES):
            continue
        callspec = getattr(item, "callspec", None)
        impl = callspec.params.get("impl") if callspec is not None else None
        if impl in ("trio", "asyncio"):
            item.add_marker(f"{impl}_suite")
        elif item.get_closest_marker("trio"):
            item.add_marker("trio_suite")
        else:
            for s in SUITES:
                item.add_marker(s)


# -- One Ctrl-C ends the run --------------------------------------------------------------------
#
# A Ctrl-C at the terminal is a SIGINT to the whole foreground process group: pytest, and every
# child a test started in that group. In pytest it raises KeyboardInterrupt, which ends the
# session with its summary, unless the code under test catches it first. Much of it does, on
# purpose: ``walkthrough.cli.main`` turns it into exit status 130 as a command should, a lesson
# cleans up and returns, a crawl writes its last rows. The user's Ctrl-C then became one failed
# test ("interrupted ... assert 130 == 1") and the run went on.
#
# The SIGINT handler cannot tell the user's signal from the ones tests raise on purpose
# (``signal.raise_signal``, ``os.kill`` of pytest's own pid): a handler is told no sender. Nor
# may it be wrapped: ``trio.run`` and ``asyncio.run`` install their own SIGINT handling only over
# the default handler, so a wrapper would change the very behaviour those tests check. A canary
# tells instead: a child that sits in pytest's process group and waits. Only a SIGINT to the
# whole group reaches it, the terminal's, and it dies of it. After every phase of every test, a
# dead canary means the user pressed Ctrl-C, whatever the test made of its own copy: raising
# KeyboardInterrupt there, which pytest lets through, ends the run with its summary (exit 2).
#
# The canary inherits pytest's SIGINT disposition: in a run started with SIGINT ignored (a
# background job of a shell without job control) neither reacts. It reads its stdin, so it also
# exits when pytest does, however pytest ends.

_CANARY_CODE = (
    "import os\n"
    "try:\n"
    "    os.read(0, 1)\n"
    "except KeyboardInterrupt:\n"
    "    os._exit(130)\n"
)
_canary: subprocess.Popen[bytes] | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _canary
    if _records(config) and (
            config.args_source != pytest.Config.ArgsSource.TESTPATHS or config.option.keyword
            or config.option.markexpr or config.getoption("deselect")):
        raise pytest.UsageError(
            "--write-file-seconds measures the whole suite: run it without -k, -m, --deselect "
            "or test paths (a part would be written as its files' whole weights)")
    # -S -I: no site, no environment, so it starts in milliseconds and nothing can break it.
    _canary = subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", _CANARY_CODE], stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _canary
    if _canary is not None:
        assert _canary.stdin is not None
        _canary.stdin.close()  # EOF: the canary leaves
        _canary.wait()
        _canary = None


#: Seconds a failing test phase waits for the canary. The code that caught the Ctrl-C may fail
#: the test (`assert 130 == 1`) before the canary, on a busy machine, has died of its own copy;
#: the failure must then not be reported as the test's. A passing phase does not wait: the next
#: phase, or the next test's setup, catches a canary that dies a moment later.
CANARY_GRACE = 0.5


def _stop_if_interrupted(item: pytest.Item, phase: str, *, failed: bool) -> None:
    """Raise KeyboardInterrupt if the user's Ctrl-C arrived, whoever in pytest caught it.

    130 is the canary's exit from its own KeyboardInterrupt; -SIGINT its death by a SIGINT
    that came while it was starting, before Python had put its handler in place.
    """
    if _canary is None:
        return
    try:
        code = _canary.wait(timeout=CANARY_GRACE) if failed else _canary.poll()
    except subprocess.TimeoutExpired:
        return
    if code in (130, -signal.SIGINT):
        raise KeyboardInterrupt(f"Ctrl-C during the {phase} of {item.nodeid}")


def _watch(item: pytest.Item, phase: str) -> Generator[None, None, None]:
    try:
        result = yield
    except (Exception, pytest.fail.Exception):  # a failure or an error; not a skip
        _stop_if_interrupted(item, phase, failed=True)
        raise
    _stop_if_interrupted(item, phase, failed=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    return (yield from _watch(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    return (yield from _watch(item, "call"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None,
                            ) -> Generator[None, None, None]:
    return (yield from _watch(item, "teardown"))


@pytest.fixture(autouse=True)
def _no_signal_wakeup_fd_left_behind() -> Generator[None, None, None]:
    """Clear a signal wakeup fd a test left set (main thread only, where it can be set).

    trio.run warns when it finds one ("Trio's signal handling code might have collided with
    another library"), which ``-W error`` makes an error: one test whose event loop died with
    its fd still set (nbclient's, after a kernel that failed to start) failed every Trio test
    after it in the same worker, 32 of them in one run. The test that left it reports its own
    failure; the others must not inherit it."""
    yield
    if threading.current_thread() is threading.main_thread():  # the only one that can set it
        signal.set_wakeup_fd(-1)


# -- Each file's seconds, for the order ---------------------------------------------------------

_recorder: ordering.Recorder | None = None


def _records(config: pytest.Config) -> bool:
    # Under xdist the controller sees every worker's reports; a worker would see only its own.
    return bool(config.getoption("--write-file-seconds")) and not hasattr(config, "workerinput")


def pytest_sessionstart(session: pytest.Session) -> None:
    global _recorder
    _recorder = ordering.Recorder() if _records(session.config) else None


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if _recorder is not None:
        _recorder.add(report.nodeid, report.duration)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Only a green run's: an interrupted or failing one has short or missing files.
    if _recorder is not None and exitstatus == pytest.ExitCode.OK:
        _recorder.write()


def load_file(path: Path, name: str) -> ModuleType:
    """Import the file at ``path`` as module ``name``: scripts and examples are no package.

    The module is registered in ``sys.modules`` first, as a normal import would, so that
    dataclasses and pickling inside it can find it.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def load_broken(name: str) -> ModuleType:
    """Import ``tests/broken/<name>.py``: a known-broken port the shared suite must catch."""
    return load_file(BROKEN / f"{name}.py", f"broken_{name}")


def load_script(name: str) -> ModuleType:
    """Import ``scripts/<name>.py``."""
    return load_file(ROOT / "scripts" / f"{name}.py", f"script_{name}")


@pytest.fixture
def autojump_clock() -> trio.testing.MockClock:
    """pytest-trio's ``autojump_clock``, started at a random reading as every virtual clock here
    is (``walkthrough.clocks.start_offset``): a test must measure from its own start."""
    return mock_clock()


@pytest.fixture(params=["asyncio", "trio"])
def impl(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def ascii_locale() -> Generator[None, None, None]:
    """A locale whose encoding is ASCII (``LANG=C`` where Python does not coerce it to UTF-8,
    ``PYTHONCOERCECLOCALE=0``): a file opened without an encoding is read and written in ASCII
    there, as it would be in cp1252 on Windows for text cp1252 lacks. Restored after. Skipped on
    a Python in UTF-8 mode, where the slip it looks for cannot show."""
    saved = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        if sys.flags.utf8_mode or locale.getencoding().lower() not in ("ansi_x3.4-1968", "ascii"):
            pytest.skip("this Python reads and writes UTF-8 whatever the locale")
        yield
    finally:
        locale.setlocale(locale.LC_CTYPE, saved)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The guide built once, ``mkdocs build --strict``, for every test of the run that reads
    the built pages (``test_docs.py``, ``test_pages_layout.py``): a build is 15-30 s of CPU,
    and under xdist each file goes to its own worker. The workers of one run share the parent
    of their temporary folders; the first to take the lock builds there, the others wait for
    it and read the same site. A failed build leaves no mark, so the next worker tries (and
    fails) again, each with mkdocs' own words."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out, done_mark = shared / "built-site", shared / "built-site.done"
    with open(shared / "built-site.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done_mark.exists():
            done = subprocess.run(
                # No --quiet: it sets mkdocs' logger to ERROR, so the warnings --strict counts
                # (a link to a missing anchor) were never logged, and a build that fails for a
                # reader passed here.
                [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                cwd=Path(__file__).resolve().parent.parent,  # snippets' base: the repository
                capture_output=True, text=True, timeout=300,
                env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})  # Material's end-of-life notice
            assert done.returncode == 0, done.stdout + done.stderr
            done_mark.touch()
    return out


class Recorder(BaseHTTPRequestHandler):
    """Records each request's line and Authorization header (the `recorder` fixture's server:
    did a client go through a proxy, did it send credentials)."""

    authorizations: ClassVar[list[str | None]] = []
    requestlines: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        type(self).authorizations.append(self.headers.get("Authorization"))
        type(self).requestlines.append(self.requestline)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


@pytest.fixture
def recorder() -> Iterator[str]:
    """A server on 127.0.0.1 that answers every GET with "ok" and records it in Recorder; its
    URL, ending in "/"."""
    Recorder.authorizations = []
    Recorder.requestlines = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
