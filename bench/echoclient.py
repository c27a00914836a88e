"""The echo benchmark's client, in a process of its own.

``python -m bench.echoclient PORT N S [PID|-] [DEPTH]``.

Opens N connections to 127.0.0.1:PORT, one at a time, each checked with one line and its echo
(so every client is accepted and served before the clock starts, whatever the listen backlog).
Then every client sends a line, waits for its echo, and sends the next (one line in flight per
client: the server's cost per line, not the kernel's buffering; DEPTH lines if given), for a
warm-up of a fifth of S, then S measured seconds. Each echo is checked against the line sent:
a wrong byte fails the run.
Prints one JSON line: lines echoed in the measured window, its seconds, this process's share
of a core and, given the server's PID, the server's CPU seconds in the window.

Plain non-blocking sockets on ``select.epoll``, no framework: the client should cost the shared
2-core machine as little as it can, and the same for every server.
"""

from __future__ import annotations

import json
import os
import resource
import select
import socket
import sys
import time

from bench.echoserve import raise_fd_limit

#: The line's length with its newline: a short chat- or command-like line.
LINE_BYTES = 64


def line_for(i: int) -> bytes:
    head = f"client {i:05d} says hello ".encode()
    return head + b"." * (LINE_BYTES - 1 - len(head)) + b"\n"


def process_cpu(pid: int) -> float:
    """A process's user + system CPU seconds so far, all its threads, to the nanosecond.

    Read from Linux's CPU-time clock of that process, the clock glibc's ``clock_getcpuclockid``
    names (Python wraps only the thread's: ``MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)``).
    ``/proc/PID/stat``'s utime and stime count in ticks of 10 ms, and a 0.2 s round on a loaded
    machine once gave the server less than one: 0 µs a line. ``/proc/PID/schedstat`` would
    count nanoseconds, but reads 0 where the kernel keeps no scheduler statistics (as here).
    Where the clock cannot be read, the ticks.
    """
    try:
        return time.clock_gettime((~pid << 3) | 2)
    except OSError:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(port: int, n: int, seconds: float, pid: int | None = None, depth: int = 1
        ) -> dict[str, float]:
    raise_fd_limit()
    socks: list[socket.socket] = []
    lines: dict[int, bytes] = {}
    ep: select.epoll | None = None
    try:
        for i in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            socks.append(s)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            line = line_for(i)
            s.sendall(line)
            got = b""
            while len(got) < len(line):
                chunk = s.recv(4096)
                if not chunk:
                    raise RuntimeError(f"client {i}: the server closed the connection")
                got += chunk
            if got != line:
                raise RuntimeError(f"client {i}: echo {got!r} is not {line!r}")
            s.setblocking(False)
            lines[s.fileno()] = line
        by_fd = {s.fileno(): s for s in socks}
        pending = dict.fromkeys(by_fd, b"")  # echoed bytes short of a whole line
        ep = select.epoll(n)
        for fd in by_fd:
            ep.register(fd, select.EPOLLIN)
        for s in socks:
            s.send(lines[s.fileno()] * depth)
        warmup = seconds / 5
        start = time.perf_counter()
        t0 = start + warmup
        end = t0 + seconds
        counted = 0
        now = start
        server_cpu0 = None
        before = resource.getrusage(resource.RUSAGE_SELF)
        cpu0 = before.ru_utime + before.ru_stime
        while now < end:
            events = ep.poll(0.5)
            now = time.perf_counter()
            for fd, _ in events:
                s, line = by_fd[fd], lines[fd]
                data = s.recv(65536)
                if not data:
                    raise RuntimeError(f"the server closed client {fd}'s connection")
                if pending[fd] or len(data) % LINE_BYTES:  # a line split across reads: rare
                    data = pending[fd] + data
                    whole = len(data) - len(data) % LINE_BYTES
                    data, pending[fd] = data[:whole], data[whole:]
                k = len(data) // LINE_BYTES
                if data != line * k:
                    raise RuntimeError(f"echo {data[:200]!r} is not {k} x {line!r}")
                if now >= t0:
                    if server_cpu0 is None and pid is not None:
                        server_cpu0 = process_cpu(pid)
                    counted += k
                # As many lines as came back: `depth` stay in flight.
                if k and s.send(line * k) != k * LINE_BYTES:
                    raise RuntimeError("the kernel took part of a line: raise its send buffer")
        measured = now - t0
        server_cpu = process_cpu(pid) - server_cpu0 if server_cpu0 is not None and pid else 0.0
        after = resource.getrusage(resource.RUSAGE_SELF)
    finally:  # on a failure too: no socket left for the garbage collector to warn about
        for s in socks:
            s.close()
        if ep is not None:
            ep.close()
    # The client's own load on the machine, warm-up included: a client near a whole core
    # would be measuring itself, not the server.
    cpu_share = (after.ru_utime + after.ru_stime - cpu0) / (now - start)
    return {"lines": counted, "seconds": measured, "cpu_share": cpu_share, "clients": n,
            "server_cpu": server_cpu}


if __name__ == "__main__":
    port, n, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    pid = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] != "-" else None
    depth = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    print(json.dumps(run(port, n, seconds, pid, depth)), flush=True)
