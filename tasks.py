#!/usr/bin/env python3
"""One entry point for the project's chores, using nothing but the standard library.

    python3 tasks.py demo     # run `walkthrough tour`: every lesson both ways, compared
    python3 tasks.py test     # run lint, types and both suites (Trio's and asyncio's)
    python3 tasks.py bench    # run bench/ and rewrite docs/benchmarks.md
    python3 tasks.py versions # run the claim, pair and lesson tests on each CPython 3.11+ (nox)
    python3 tasks.py docs     # build the guide into site/ (mkdocs --strict)
    python3 tasks.py serve    # serve the guide on http://127.0.0.1:8000
    python3 tasks.py system   # install the system programs (nginx, Chromium), with apt-get

Every verb but `system` first creates .venv and installs the project into it with every
extra (again only when pyproject.toml changes); what follows the verb is passed on to the
tool it runs (`tasks.py test -k queue`, `tasks.py bench --quick`). With `--help`, a verb shows
that tool's help and does nothing of its own (no lint and type run, no port check, no report
deleted, no apt-get: `system --help` says what it would install); .venv is still made ready
first, as for any verb but `system`.

Nothing but `system` touches the system: `bench` uses nginx when it is there and says how to
get it when it is not; the guide's layout test skips without Chromium and says how to get it.

Why a Python script and not only a Makefile: the README promises that a fresh machine with
nothing but Python 3.11+ can run the project, and `make` is not always there. The Makefile
offers the same verbs for those who like it.
"""

from __future__ import annotations

import difflib
import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".installed"
#: Every extra: the tests run the migration chapters' bridges (trio-asyncio) and AnyIO too,
#: `bench` profiles with py-spy, and `versions` runs noxfile.py.
EXTRAS = "test,docs,migration,bench,versions"


#: Material for MkDocs prints a boxed end-of-life notice on every build and serve (its
#: material/templates/__init__.py); this variable is its own documented switch. Read once, the
#: notice is news; on every build it is noise that hides the build's real warnings.
DOCS_ENV = {"NO_MKDOCS_2_WARNING": "1"}


def sh(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    with subprocess.Popen([str(c) for c in cmd], cwd=ROOT,
                          env={**os.environ, **env} if env else None) as proc:
        try:
            code = proc.wait()
        except KeyboardInterrupt:
            # Ctrl-C reached the child too (one process group): let it stop in its own way,
            # however long that takes (pytest prints its summary, mkdocs serve shuts its server
            # down), then leave without a traceback. A time limit here would cut the summary
            # off; a second Ctrl-C is the user saying "now", and kills it.
            try:
                proc.wait()
            except KeyboardInterrupt:
                proc.kill()
                proc.wait()
            raise
    if code:
        sys.exit(code)


def ensure_env() -> None:
    """Create .venv and install the project with every extra, once per pyproject change."""
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + EXTRAS.encode()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == want and PY.exists():
        return
    if not PY.exists():
        print(f"+ python -m venv {VENV.name}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    sh(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    sh(PY, "-m", "pip", "install", "--quiet", "-e", f".[{EXTRAS}]")
    STAMP.write_text(want)


def demo(args: list[str]) -> None:
    sh(BIN / "walkthrough", "tour", *args)


#: pytest-xdist workers for `test`. Serially the suite is mostly waiting (children starting,
#: servers, lessons on the real clock: 400 s of CPU in 690-870 s), and waits overlap whatever
#: the cores: more workers than the 2 cores of the machine it was measured on (issue 26, item
#: 2). Six, not four: with four the 2-core machine stayed about a quarter idle (1.5 cores busy
#: on average); back to back on it, 4-6-6-4, the suite took 199.2, 170.6, 198.5 and 212.1 s
#: (pytest's own figures), six workers 0.86x and 0.94x of four in each pair, every run green.
#: One file goes to one worker (--dist loadfile), so a module fixture that builds the guide
#: or starts a server runs once; the longest files go first (--no-loadscope-reorder keeps the
#: order tests/ordering.py gives them, by tests/file_seconds.json), so that short ones fill in
#: at the end (a file missing from those weights starts last)
WORKERS = 6


def parallel(args: list[str]) -> list[str]:
    """xdist's options for `test`, unless the arguments choose for themselves (-n 0, -p no:xdist,
    --dist ...: a contributor's single file may well be quicker in one process)."""
    if any(a.startswith(("-n", "--numprocesses", "--dist", "-pno:xdist")) or a == "no:xdist"
           for a in args):
        return []
    return ["-n", str(WORKERS), "--dist", "loadfile", "--no-loadscope-reorder"]


#: Where the suite's interpreters keep the bytecode they compile: inside .venv, never in the
#: source tree (issue 26, item 2).
PYCACHE = VENV / "pycache"


def bytecode_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables `test` runs pytest with: bytecode written, to PYCACHE.

    Why: over 600 of the suite's tests start interpreters (CLI verbs, checks, crawls, servers);
    with PYTHONDONTWRITEBYTECODE set (as on the machine this was measured on) each one
    compiles the project's modules from source again, and every pytest process rewrites the
    asserts of every test module again (collecting the suite took 8.5 s of CPU against 2.5 s
    from bytecode on a loaded machine, 5.9 s against 1.9 s on a quiet one).
    A checkout kept free of __pycache__ is what that variable protects, so the bytecode goes
    to PYTHONPYCACHEPREFIX instead (one the user set is kept). An empty
    PYTHONDONTWRITEBYTECODE is documented as unset, and children inherit it as they are."""
    return {"PYTHONDONTWRITEBYTECODE": "",
            "PYTHONPYCACHEPREFIX": environ.get("PYTHONPYCACHEPREFIX") or str(PYCACHE)}


#: Where `test` keeps the porting tool's results on its evaluation corpus between runs
#: (tests/test_port_corpus.py's `ported`): that file took 179 s of CPU on the 2-core machine
#: when the tool or a corpus file had changed, 23 s when neither had, on the corpus of 4,344
#: files (106 s and 12 s on 2,885; issue 26, item 2). Kept
#: under a fingerprint of the tool's code, so a change to it is never answered from an old
#: result; a plain `pytest` run keeps nothing.
CORPUS_CACHE = VENV / "port-corpus-cache"


def test_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables `test` runs pytest with: :func:`bytecode_env`'s, and where the corpus's
    results are kept (a folder the user named is kept)."""
    return {**bytecode_env(environ), "WALKTHROUGH_PORT_CORPUS_CACHE":
            environ.get("WALKTHROUGH_PORT_CORPUS_CACHE") or str(CORPUS_CACHE)}


def asks_help(args: list[str]) -> bool:
    """`tasks.py VERB --help` asks the tool the verb runs for its help: then the verb itself does
    nothing of its own (no lint run, no port check, no report deleted, no apt-get). `main` has
    made .venv ready before (for every verb but `system`)."""
    return any(a in ("-h", "--help") for a in args)


def test(args: list[str]) -> None:
    if not asks_help(args):
        # `tasks.py test --help` asks for pytest's options: a lint and type run first would
        # make it wait, and a lint error would stop it before the help.
        sh(BIN / "ruff", "check", ".")
        sh(BIN / "mypy")
    env = test_env(os.environ)
    # The tests' own temporary files are compiled too, under a new folder each run: drop the
    # last runs' copies so that the cache holds the project and the libraries only.
    temp = Path(tempfile.gettempdir()).resolve()
    shutil.rmtree(Path(env["PYTHONPYCACHEPREFIX"], *temp.parts[1:]), ignore_errors=True)
    sh(PY, "-m", "pytest", *parallel(args), *args, env=env)


def bench(args: list[str]) -> None:
    sh(PY, "-m", "bench", *args)


def docs(args: list[str]) -> None:
    sh(BIN / "mkdocs", "build", "--strict", *args, env=DOCS_ENV)


#: Where `serve` listens unless mkdocs's own `-a HOST:PORT` (among the arguments) says where.
SERVE_ADDRESS = "127.0.0.1:8000"


def serve(args: list[str]) -> None:
    """mkdocs serve, after a look at its port: a busy one is one line saying so and how to
    pick another, and status 1. (mkdocs builds the whole guide first, then fails to bind
    with a 30-line traceback that never names the port.)"""
    address = SERVE_ADDRESS
    if asks_help(args):  # mkdocs's help, though the port be busy
        sh(BIN / "mkdocs", "serve", *args, env=DOCS_ENV)
        return
    for k, arg in enumerate(args):  # the last -a wins, as it does for mkdocs (click)
        if arg in ("-a", "--dev-addr") and k + 1 < len(args):
            address = args[k + 1]
        elif arg.startswith("--dev-addr="):
            address = arg.partition("=")[2]
        elif arg.startswith("-a") and len(arg) > 2:
            address = arg[2:]
    host, _, port = address.rpartition(":")
    if port.isdigit() and host:
        problem = _cannot_listen(host, int(port))
        if problem is not None:
            free = next((p for p in range(int(port) + 1, min(int(port) + 50, 65536))
                         if _cannot_listen(host, p) is None), None)
            other = f"{host}:{free}" if free is not None else f"{host}:PORT"
            print(f"tasks.py serve: {problem}; choose another port: "
                  f"python3 tasks.py serve -a {other}", file=sys.stderr)
            sys.exit(1)
    sh(BIN / "mkdocs", "serve", "-a", SERVE_ADDRESS, *args, env=DOCS_ENV)


def _cannot_listen(host: str, port: int) -> str | None:
    """Why a server could not listen on host:port, in words, or None if it can.
    SO_REUSEADDR as mkdocs's server (an http.server) sets it: a port left in TIME_WAIT by a
    server just stopped is free to it, a port another program listens on is not."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return None  # a name only mkdocs can judge: let it say
    family, kind, proto, _, where = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(where)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is busy: another program listens on it"
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def versions(args: list[str]) -> None:
    """noxfile.py's sessions: one per CPython from 3.11 on, an absent one skipped. Nox exits 0
    when every session is skipped; that would be a green run that ran nothing, so it fails."""
    if asks_help(args):  # nox's help: the last run's report stays
        sh(BIN / "nox", *args)
        return
    report = ROOT / "build" / "versions.json"
    report.parent.mkdir(exist_ok=True)
    report.unlink(missing_ok=True)
    sh(BIN / "nox", "--report", report, *args)
    if report.exists():  # `nox -l` lists the sessions and writes no report
        sessions = json.loads(report.read_text(encoding="utf-8"))["sessions"]
        if not any(s["result"] == "success" for s in sessions):
            print("tasks.py versions: no session ran (no interpreter found)", file=sys.stderr)
            sys.exit(1)


#: Debian packages `system` installs, and why: the one place the project asks for root.
SYSTEM_PACKAGES = {
    "nginx-light": "the crawler benchmark's web server (bench/site.py)",
    "chromium": "the guide's layout test and screenshots (tests/test_pages_layout.py)",
}


def system(args: list[str]) -> None:
    """Install the system programs the bench and the layout test use, saying what first. Needs
    apt-get and root (or sudo). Everything else in the project only looks for them."""
    if asks_help(args):  # says what it would do, and does nothing
        print("usage: python3 tasks.py system [apt-get's options]")
        for package, why in SYSTEM_PACKAGES.items():
            print(f"  installs {package}: {why}")
        print(f"  with apt-get install -y {' '.join(SYSTEM_PACKAGES)}, through sudo unless "
              "run as root")
        return
    for package, why in SYSTEM_PACKAGES.items():
        print(f"tasks.py system: will install {package}: {why}", flush=True)
    if not any(os.access(os.path.join(d, "apt-get"), os.X_OK)
               for d in os.environ.get("PATH", "").split(os.pathsep)):
        print("tasks.py system: apt-get not found; install these with your system's package "
              "manager", file=sys.stderr)
        sys.exit(2)
    root = [] if os.geteuid() == 0 else ["sudo"]
    sh(*root, "apt-get", "install", "-y", *SYSTEM_PACKAGES, *args)


VERBS = {"demo": demo, "test": test, "bench": bench, "docs": docs, "serve": serve,
         "versions": versions, "system": system}


def main() -> None:
    if len(sys.argv) >= 2 and sys.argv[1] in ("-h", "--help", "help"):
        try:
            print(__doc__.strip())  # asked for: on stdout, and not an error
        except BrokenPipeError:  # `tasks.py --help | head`: the reader has what it wanted
            sys.stderr.close()
        return
    if len(sys.argv) < 2 or sys.argv[1] not in VERBS:
        if len(sys.argv) >= 2:
            close = difflib.get_close_matches(sys.argv[1], VERBS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            print(f"tasks.py: unknown verb {sys.argv[1]!r}{hint}", file=sys.stderr)
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    try:
        if sys.argv[1] != "system":  # installing system programs needs no venv
            ensure_env()
        VERBS[sys.argv[1]](sys.argv[2:])
    except BrokenPipeError:  # `tasks.py system --help | head -1`: the reader has what it wanted
        sys.stderr.close()
    except KeyboardInterrupt:
        # Ctrl-C is how `serve` (and a long `test` or `bench`) is stopped: not an error to
        # report with a traceback. 130 is the shell's status for "ended by SIGINT".
        print(file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
