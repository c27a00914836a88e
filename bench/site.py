"""The crawler benchmark's web site: 2,000 generated pages served by nginx in its own process.

Why nginx: the benchmark measures *clients*, so the server must stay out of the way. nginx from
Debian's packages serves these small static files from one worker using a fraction of a core
while the clients saturate theirs. The bench never installs it: a benchmark that runs
``apt-get`` as root behind the user's back changes their system. ``python3 tasks.py system``
is the one explicit step that installs it and says so first. Without nginx the bench says so
in one line, names that command, and serves the site with a threaded stdlib server in a
subprocess; the page names the server it used, because that server is itself CPU-bound and
the figures then measure less of the clients.

Each page is about 5 KB with about 20 absolute links (``href="http://127.0.0.1:PORT/p123.html"``)
so that the notebook's regex, which only matches ``http...`` links, finds them all.

Example::

    with serve_site(pages=2000) as site:
        print(site.urls[0], site.server)     # http://127.0.0.1:40123/p0.html nginx 1.22.1
"""

from __future__ import annotations

import contextlib
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LINKS_PER_PAGE = 20
PAGE_BYTES = 5000
_WORDS = ("async", "await", "trio", "nursery", "channel", "queue", "cancel", "scope", "task",
          "loop", "gather", "event", "deadline", "checkpoint", "stream", "socket")


@dataclass
class Site:
    """A running server: where it is, what it serves, and what it is."""

    base: str
    urls: list[str]
    server: str  # "nginx 1.22.1" or "python http.server (fallback: ...)"
    pid: int
    root: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def page_html(i: int, pages: int, base: str, rng: random.Random) -> str:
    """One page: a title, ~20 links to other pages, and filler text up to ~5 KB."""
    links = "\n".join(
        f'<li><a href="{base}/p{rng.randrange(pages)}.html">page</a></li>'
        for _ in range(LINKS_PER_PAGE)
    )
    head = (f"<!doctype html>\n<html><head><title>Page {i}</title></head><body>\n"
            f"<ul>\n{links}\n</ul>\n")
    filler: list[str] = []
    size = len(head)
    while size < PAGE_BYTES - 30:
        w = rng.choice(_WORDS)
        filler.append(w)
        size += len(w) + 1
    return head + "<p>" + " ".join(filler) + "</p>\n</body></html>\n"


def generate(root: Path, pages: int, base: str, seed: int = 7) -> list[str]:
    """Write ``pages`` pages under ``root``; return their URLs."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(pages):
        (root / f"p{i}.html").write_text(page_html(i, pages, base, rng))
    return [f"{base}/p{i}.html" for i in range(pages)]


#: The one line the bench prints when nginx is missing.
NO_NGINX = ("bench: nginx not found; serving the site with the stdlib stand-in (rows say so). "
            "To install nginx: python3 tasks.py system")


def find_nginx() -> str | None:
    """The nginx binary on PATH (or Debian's /usr/sbin, often not on a user's PATH), or None.

    Only looks: installing it is ``python3 tasks.py system``, a step the user takes.
    """
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


NGINX_CONF = """\
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log error;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    default_type text/html;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    open_file_cache max=4000;
    server {{
        listen 127.0.0.1:{port} backlog=1024;
        root {root};
        location = /redirect {{ return 302 /p0.html; }}
    }}
}}
"""


def _wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError("server did not start listening")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def serve_site(pages: int = 2000, *, prefer_nginx: bool = True) -> Iterator[Site]:
    """Generate the site in a temp dir and serve it from a separate process."""
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmpname:
        tmp = Path(tmpname)
        tmp.chmod(0o755)  # nginx's workers drop root and must read the pages
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        urls = generate(tmp / "www", pages, base)
        nginx = find_nginx() if prefer_nginx else None
        why_not = "nginx not wanted" if not prefer_nginx else "nginx not found"
        if prefer_nginx and nginx is None:
            print(NO_NGINX, file=sys.stderr, flush=True)
        if nginx:
            conf = tmp / "nginx.conf"
            conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, root=tmp / "www"))
            proc = subprocess.Popen([nginx, "-c", str(conf), "-e", str(tmp / "error.log")],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                _wait_listening(port, proc)
            except RuntimeError as exc:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                _stop(proc)
                why_not = f"nginx failed: {exc} {err.strip()[:200]}"
            else:
                version = subprocess.run([nginx, "-v"], capture_output=True, text=True)
                name = version.stderr.strip().split("/")[-1]
                try:
                    yield Site(base, urls, f"nginx {name}", proc.pid, tmp / "www")
                finally:
                    _stop(proc)
                return
        proc = subprocess.Popen([sys.executable, "-m", "bench.pyserver", str(port),
                                 str(tmp / "www")], stdout=subprocess.DEVNULL)
        try:
            _wait_listening(port, proc)
            yield Site(base, urls, f"python http.server (fallback: {why_not})", proc.pid,
                       tmp / "www")
        finally:
            _stop(proc)
