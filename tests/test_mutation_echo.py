"""``walkthrough run server`` and ``check server`` (walkthrough/echo.py): the slips mutmut planted
that the server check's own tests let through (issue 27, ``docs/mutation.md``).

``tests/test_check_server.py`` and ``tests/test_server.py`` run the check as a command, in a
child process, where mutmut sees nothing: every function they reach there was "no tests". Only
the tour (``tests/test_lesson_count.py``) plays a session in the test process. The tests here
call echo.py in this process, one per kind of slip:

* what the server writes on stderr is read to its end and kept bounded (the flood cap): its
  first and last :data:`~walkthrough.echo.KEEP_BYTES`, the gap between them counted, whatever
  the sizes of the pipe's reads, and never more than twice that in memory;
* what it prints on stdout is kept bounded too: at most :data:`~walkthrough.echo.KEEP_LINES`
  lines, each cut at :data:`~walkthrough.echo.LINE_BYTES` (an over-long line cut, the rest of
  it dropped, the lines after it whole);
* the session's transcript, entry by entry, for the twin and for each way a server fails to
  serve: exits, prints a wrong line, closes its stdout, stays silent, lets a client fail;
* a stuck server is asked where it is, told apart from an idle one, and ended: after a short
  wait when busy in its own code, killed when it ignores Ctrl-C too;
* a client's view of the bytes it got (closed, reset, nothing within the wait);
* the verbs: ``run server``'s verdict, ``check server``'s report (the copy it runs, the first
  difference, what follows it, the unfinished bodies) and its explanation (the port's
  exceptions at the learner's own lines, counted and capped, the hints for each framework,
  the stuck loop, the end of stderr).

The sessions here are real processes on 127.0.0.1 (a second or two each); the waits that only
bound how long a failing server may take are shortened with monkeypatch, and each such test
has its own timeout.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import itertools
import os
import signal
import socket
import sys
import textwrap
import threading
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from walkthrough import echo
from walkthrough.cli import UsageError
from walkthrough.echo import KEEP_BYTES, LISTENING, Played, Stack
from walkthrough.learner import CHECKPOINT, clean

ROOT = Path(__file__).resolve().parent.parent

#: The twin's transcript: every rule of the lesson, once (see walkthrough/echo.py).
TWIN_TRANSCRIPT = [
    "server: listening on 127.0.0.1:PORT",
    "A (a line in three packets, then three in one) got b'hello\\nworld\\none\\n\\ntwo\\n'",
    "B (a line of 32 bytes, then one of 33) got b'================================\\nerror: "
    "line longer than 32 bytes, closing\\n', then closed",
    "A (one more line) got b'after the others\\n'",
    "the idle client got b'error: idle for 1 s, closing\\n', then closed",
    "C (connected then, mid-line at Ctrl-C) got b'', then closed",
    "server: printed 'stopped\\n' after Ctrl-C, exit status 130",
    "server: stderr clean",
]


# -- the flood cap: stderr read to its end, its first and last KEEP_BYTES kept ------------------


def _kept(chunks: list[bytes], monkeypatch: pytest.MonkeyPatch) -> echo._Kept:
    """A :class:`echo._Kept` that read ``chunks`` (the sizes a pipe's reads happened to have)."""
    feed = iter([*chunks, b""])

    def read(fd: int, size: int) -> bytes:
        assert fd == 7, fd  # the pipe it was given
        chunk = next(feed)
        assert len(chunk) <= size
        return chunk

    monkeypatch.setattr(echo, "os", types.SimpleNamespace(read=read))
    kept = echo._Kept(7)
    kept.run()
    return kept


def test_stderr_up_to_twice_the_kept_bytes_is_kept_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    small = _kept([b"Traceback", b" (most recent call last):\n"], monkeypatch)
    assert (small.total, small.text()) == (35, "Traceback (most recent call last):\n")
    assert small.tail == b""  # all of it fits the head
    # Exactly twice KEEP_BYTES, in reads that straddle the head's end: nothing is left out,
    # and no byte is kept twice.
    data = bytes(n % 251 for n in range(2 * KEEP_BYTES))
    cuts = [0, KEEP_BYTES - 1, KEEP_BYTES + 1, KEEP_BYTES + 2, 2 * KEEP_BYTES]
    whole = _kept([data[a:b] for a, b in itertools.pairwise(cuts)], monkeypatch)
    assert whole.total == 2 * KEEP_BYTES
    assert bytes(whole.head) == data[:KEEP_BYTES]
    assert bytes(whole.head + whole.tail) == data
    assert whole.text() == data.decode("utf-8", "replace")


def test_a_read_that_ends_one_byte_into_the_head_splits_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kept = _kept([b"a" * (KEEP_BYTES - 1), b"bc"], monkeypatch)
    assert bytes(kept.head) == b"a" * (KEEP_BYTES - 1) + b"b"
    assert bytes(kept.tail) == b"c"
    assert kept.text() == "a" * (KEEP_BYTES - 1) + "bc"


def test_a_flood_keeps_its_first_and_last_bytes_and_counts_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ten reads of 64 KiB, each of its own byte: the report keeps the first read and the last
    (a traceback is at the end), says how many bytes it left out, and the reader never holds
    more than twice KEEP_BYTES of the tail, however long the flood."""
    chunks = [bytes([ord("a") + n]) * 65536 for n in range(10)]
    kept = _kept(chunks, monkeypatch)
    assert kept.total == 655_360
    assert len(kept.tail) <= 2 * KEEP_BYTES
    assert kept.text() == ("a" * KEEP_BYTES + " [... 524,288 bytes not kept ...] "
                           + "j" * KEEP_BYTES)
    # One byte over twice KEEP_BYTES: one byte not kept, said as such.
    one_over = _kept([b"h" * KEEP_BYTES, b"m", b"t" * KEEP_BYTES], monkeypatch)
    assert one_over.text() == "h" * KEEP_BYTES + " [... 1 bytes not kept ...] " + "t" * KEEP_BYTES


def test_stderr_that_is_not_utf8_is_still_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _kept([b"caf\xe9\n"], monkeypatch).text() == "caf\ufffd\n"


def test_the_reader_reads_a_real_pipe_to_its_end(tmp_path: Path) -> None:
    """As :func:`echo.play` uses it: a thread on a file descriptor, until end of file."""
    data = b"".join(b"debug: step %08d of the start\n" % n for n in range(10_000))
    path = tmp_path / "stderr"
    path.write_bytes(data)
    with path.open("rb") as f:
        kept = echo._Kept(f.fileno())
        kept.start()
        kept.join(timeout=30)
    assert not kept.is_alive()
    assert kept.daemon  # a server that never closes its stderr cannot hold the checker's exit
    assert kept.total == len(data)
    skipped = len(data) - 2 * KEEP_BYTES
    assert kept.text() == (data[:KEEP_BYTES] + f" [... {skipped:,} bytes not kept ...] ".encode()
                           + data[-KEEP_BYTES:]).decode()


# -- a client's view ----------------------------------------------------------------------------


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A client and the server's end of its TCP connection, on 127.0.0.1."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname(), timeout=5)
        server, _ = listener.accept()
    with client, server:
        yield client, server


def test_a_client_reads_what_it_wants_and_says_how_its_read_ended(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, server = pair
    server.sendall(b"hello")
    assert echo._received(client, 5) == "b'hello'"  # all it wanted: it stops there
    server.sendall(b"wor")
    server.sendall(b"ld\n")
    client.settimeout(0.05)
    assert echo._received(client, 6) == "b'world\\n'"
    assert echo._received(client, 1) == "b'', then nothing for 10 s"  # WAIT, as the session's
    server.sendall(b"bye\n")
    server.shutdown(socket.SHUT_WR)
    assert echo._received(client, None) == "b'bye\\n', then closed"


def test_a_client_whose_connection_is_reset_says_so(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, server = pair
    server.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    server.close()  # linger 0: a reset, not a clean close
    assert echo._received(client, None) == "b'', then ConnectionResetError"


# -- the session, played in this process ----------------------------------------------------------


@pytest.mark.timeout(60)
def test_the_twins_session_is_every_rule_once() -> None:
    played = echo.play(echo.twin_command("asyncio_ref"))
    assert played.transcript == TWIN_TRANSCRIPT
    assert (played.returncode, played.no_server, played.stack) == (130, None, None)
    assert (played.stderr, played.stderr_bytes) == ("", 0)
    assert echo.session(echo.twin_command("trio_port")) == TWIN_TRANSCRIPT


def _script(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "learner_server.py"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.timeout(60)
def test_a_server_that_exits_says_how_and_what_its_stderr_shows(tmp_path: Path) -> None:
    path = _script(tmp_path, """\
        import sys
        print("Task was destroyed but it is pending, and never awaited", file=sys.stderr)
        print("bye", file=sys.stderr)
        sys.exit(3)
        """)
    played = echo.play(echo.file_command(path))
    assert played.transcript == [
        f"server: exited with status 3 before printing {LISTENING}",
        "server: printed '' before it ended, exit status 3",
        "server: stderr shows Task was destroyed, never awaited, ending 'bye'"]
    assert (played.returncode, played.no_server, played.stack) == (3, "exited", None)
    assert played.stderr_bytes == len(played.stderr) == 60


@pytest.mark.timeout(60)
@pytest.mark.parametrize("line", ["listening on 127.0.0.1:http", "listening on 10.0.0.1:80",
                                  "listening on 127.0.0.1:", "\x1b[2J" + "9" * 300])
def test_a_wrong_first_line_is_quoted_and_its_server_stopped(tmp_path: Path, line: str) -> None:
    """Anything but ``listening on 127.0.0.1:`` and a number is not where to connect. The
    server is then sent Ctrl-C; what it prints on its way out is reported, at most
    KEEP_LINES lines of at most LINE_BYTES: a long line cut, the rest of it dropped."""
    path = _script(tmp_path, f"""\
        import signal, sys, time

        def stop(signum, frame):
            print("x" * 9000)  # cut at LINE_BYTES, the rest dropped
            print("y" * {echo.LINE_BYTES - 1})  # exactly LINE_BYTES with its newline: whole
            for n in range(200):
                print(f"line {{n}}")
            sys.exit(0)

        signal.signal(signal.SIGINT, stop)
        print({line!r})
        while True:
            time.sleep(0.01)
        """)
    stack = tmp_path / "stack.txt"
    played = echo.play(echo.file_command(path, stack), stack=stack, script=path)
    assert played.no_server == "other"
    assert played.stack is None  # it said something: only a silent server is asked where it is
    said = clean(repr(line + "\n"))  # escaped, and cut if long
    assert played.transcript[0] == f"server: no {LISTENING} line (got {said})"
    assert "\x1b" not in played.transcript[0] and len(played.transcript[0]) < 250
    printed = "x" * echo.LINE_BYTES + "y" * (echo.LINE_BYTES - 1) + "\n" + "".join(
        f"line {n}\n" for n in range(echo.KEEP_LINES - 3))  # the first line is one of the kept
    assert played.transcript[1:] == [_printed(printed, "after Ctrl-C", 0), "server: stderr clean"]
    assert played.returncode == 0


def _printed(text: str, when: str, status: int) -> str:
    return f"server: printed {clean(repr(text))} {when}, exit status {status}"


@pytest.mark.timeout(60)
def test_a_client_that_fails_gives_a_dying_server_time_to_say_why(tmp_path: Path) -> None:
    """The listening line names a port that refuses: the session says so, and the server,
    dying of its own error, ends by itself (within GONE_WAIT) with its last words on stderr,
    not cut short by a Ctrl-C."""
    path = _script(tmp_path, """\
        import socket, sys, time
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))  # bound, never listening: a connect is refused
        print(f"listening on 127.0.0.1:{sock.getsockname()[1]}")
        time.sleep(0.3)
        sock.close()
        print("dying", file=sys.stderr)
        sys.exit(4)
        """)
    played = echo.play(echo.file_command(path))
    assert played.transcript == [
        "server: listening on 127.0.0.1:PORT",
        "a client failed: [Errno 111] Connection refused",
        "server: printed '' before it ended, exit status 4",
        "server: stderr shows text, ending 'dying'"]
    assert (played.returncode, played.no_server) == (4, None)


SPIN = """\
    import signal, time
    {ignore}

    def spin():
        while True:
            time.sleep(0.01)


    spin()
    """


@pytest.mark.timeout(60)
def test_a_silent_server_stuck_in_its_own_code_is_asked_where_and_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No line within the start wait; asked where it is (SIGUSR1, its stack), it is busy in
    spin(); it ignores Ctrl-C too, so after BUSY_WAIT (not the whole WAIT) it is killed."""
    monkeypatch.setattr(echo, "BUSY_WAIT", 0.25)
    path = _script(tmp_path, SPIN.format(ignore="signal.signal(signal.SIGINT, signal.SIG_IGN)"))
    stack = tmp_path / "stack.txt"
    # A start wait long enough for the script to ignore Ctrl-C first, even on a loaded machine.
    played = echo.play(echo.file_command(path, stack), start_wait=2.0, stack=stack, script=path)
    assert played.transcript == [
        "server: printed no line in 2 s, and was still running",
        "server: still running 0.25 s after Ctrl-C, killed",
        "server: printed '' after Ctrl-C, exit status -9",
        "server: stderr clean"]
    assert played.returncode == -signal.SIGKILL
    assert played.no_server == "silent"
    assert played.stack == Stack("spin", 6, busy=True)


@pytest.mark.timeout(60)
def test_a_server_never_asked_where_it_is_is_still_ended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without a stack file, a silent server that ignores Ctrl-C is killed after WAIT."""
    monkeypatch.setattr(echo, "WAIT", 0.25)
    path = _script(tmp_path, SPIN.format(ignore="signal.signal(signal.SIGINT, signal.SIG_IGN)"))
    played = echo.play(echo.file_command(path), start_wait=2.0)
    assert played.transcript == [
        "server: printed no line in 2 s, and was still running",
        "server: still running 0.25 s after Ctrl-C, killed",
        "server: printed '' after Ctrl-C, exit status -9",
        "server: stderr clean"]
    assert (played.returncode, played.stack) == (-signal.SIGKILL, None)


@pytest.mark.timeout(60)
def test_a_server_that_closes_its_stdout_is_asked_where_and_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(echo, "WAIT", 0.5)
    path = _script(tmp_path, SPIN.format(ignore="import os; os.close(1)"))
    stack = tmp_path / "stack.txt"
    played = echo.play(echo.file_command(path, stack), stack=stack, script=path)
    assert played.transcript[0] == (f"server: closed its stdout without printing {LISTENING}, "
                                    "and kept running")
    assert played.transcript[1] == "server: printed '' after Ctrl-C, exit status -2"
    assert played.transcript[2] == ("server: stderr shows Traceback, ending "
                                    "'KeyboardInterrupt'")
    assert (played.no_server, played.returncode) == ("closed", -signal.SIGINT)
    assert played.stack == Stack("spin", 6, busy=True)
    assert played.stderr.startswith("Traceback (most recent call last):\n")


@pytest.mark.timeout(60)
def test_an_idle_silent_server_is_told_apart_from_a_busy_one(tmp_path: Path) -> None:
    """Its own code is awaiting: the innermost frame of its file is the call of trio.run,
    under Trio's wait for I/O. It stops on Ctrl-C (an uncaught KeyboardInterrupt: Python ends
    itself with SIGINT, status -2)."""
    path = _script(tmp_path, """\
        import trio


        async def main() -> None:
            await trio.sleep_forever()


        trio.run(main)
        """)
    stack = tmp_path / "stack.txt"
    # Long enough to import trio and reach its wait for I/O, even on a loaded machine.
    played = echo.play(echo.file_command(path, stack), start_wait=3.0, stack=stack, script=path)
    assert played.stack == Stack("the module's top level", 8, busy=False)
    assert played.transcript[:2] == ["server: printed no line in 3 s, and was still running",
                                     "server: printed '' after Ctrl-C, exit status -2"]


def test_a_server_never_inherits_an_ignored_ctrl_c() -> None:
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        echo._default_sigint()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGINT, before)


def test_the_commands_run_a_twin_and_a_learners_file_under_w_error(tmp_path: Path) -> None:
    assert echo.twin_command("trio_port") == [sys.executable, "-W", "error", "-m",
                                              "trio_port.server"]
    path = tmp_path / "my_server.py"
    assert echo.file_command(path) == [sys.executable, "-W", "error", str(path)]
    stack = tmp_path / "stack.txt"
    assert echo.file_command(path, stack) == [sys.executable, "-W", "error", "-c",
                                              echo.BOOTSTRAP, str(stack), str(path)]


# -- where a silent server was: the main thread's innermost frame of its file ---------------------

#: A faulthandler dump as BOOTSTRAP writes it (a thread of the port's, then the main thread).
DUMP = """\
Thread 0x00007f2b2431f6c0 (most recent call first):
  File "{script}", line 2 in <lambda>
  File "/usr/lib/python3.11/threading.py", line 982 in run
  File "/usr/lib/python3.11/threading.py", line 1002 in _bootstrap

Current thread 0x00007f2b25ddcb80 (most recent call first):
{inner}  File "{script}", line 5 in {func}
  File "{script}", line 9 in <module>
  File "<frozen runpy>", line 88 in _run_code
  File "<frozen runpy>", line 291 in run_path
  File "<string>", line 8 in <module>
"""


def _dump(script: Path, inner: str = "", func: str = "main") -> str:
    return DUMP.format(script=script, inner=inner, func=func)


@pytest.mark.parametrize("loop", [
    '  File "/venv/lib/python3.11/site-packages/trio/_core/_io_epoll.py", line 243 in get_events\n'
    '  File "/venv/lib/python3.11/site-packages/trio/_core/_run.py", line 2535 in run\n',
    '  File "/usr/lib/python3.11/selectors.py", line 468 in select\n'
    '  File "/usr/lib/python3.11/asyncio/base_events.py", line 1884 in _run_once\n'
    '  File "/usr/lib/python3.11/asyncio/base_events.py", line 607 in run_forever\n',
])
def test_a_stack_under_the_event_loop_is_idle(tmp_path: Path, loop: str) -> None:
    script = tmp_path / "learner_server.py"
    assert echo._where(_dump(script, loop), script) == Stack("main", 5, busy=False)


def test_a_stack_in_the_ports_own_code_is_busy(tmp_path: Path) -> None:
    """Another thread's frame of the port comes first in the dump: it is not the main thread.
    A blocking library call above the port's frame, or a function of the port's own named
    like a loop's, is still the port's code running."""
    script = tmp_path / "learner_server.py"
    assert echo._where(_dump(script), script) == Stack("main", 5, busy=True)
    blocking = '  File "/usr/lib/python3.11/socket.py", line 294 in accept\n'
    assert echo._where(_dump(script, blocking), script) == Stack("main", 5, busy=True)
    own = f'  File "{tmp_path / "helpers.py"}", line 3 in run\n'
    assert echo._where(_dump(script, own), script) == Stack("main", 5, busy=True)
    top = _dump(script, func="<module>")
    assert echo._where(top, script) == Stack("the module's top level", 5, busy=True)


def test_a_stack_without_the_ports_main_thread_says_nothing(tmp_path: Path) -> None:
    script = tmp_path / "learner_server.py"
    assert echo._where(_dump(script), tmp_path / "other.py") is None
    assert echo._where(_dump(script).replace('"<string>"', '"<stdin>"'), script) is None
    assert echo._where("", script) is None


class _Dumping:
    """A stand-in server asked for its stack: each time it is polled it writes the next part
    of its dump (a dump may be seen half-written), and it never ends."""

    def __init__(self, stack: Path, parts: list[bytes]) -> None:
        self.stack, self.parts = stack, list(parts)
        self.signals: list[int] = []

    def send_signal(self, signum: int) -> None:
        self.signals.append(signum)

    def poll(self) -> int | None:
        if self.parts:
            with self.stack.open("ab") as f:
                f.write(self.parts.pop(0))
        return None


@pytest.mark.timeout(30)
def test_the_stack_is_read_once_its_size_stops_changing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(echo, "STACK_WAIT", 5.0)  # ends once complete, long before this
    stack = tmp_path / "stack.txt"
    stack.touch()  # BOOTSTRAP creates it empty at the start
    parts = [b"Current thread 0x1 (most recent call first):\n",
             b'  File "<string>", line 8 in <module>\n', b"", b"", b"  never reached\n"]
    server = _Dumping(stack, parts)
    assert echo._ask_stack(server, stack) == (  # type: ignore[arg-type]
        'Current thread 0x1 (most recent call first):\n  File "<string>", line 8 in <module>\n')
    assert server.signals == [signal.SIGUSR1]


@pytest.mark.timeout(30)
def test_a_stack_that_never_comes_is_given_up_after_stack_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(echo, "STACK_WAIT", 0.2)
    empty = tmp_path / "stack.txt"
    empty.touch()
    assert echo._ask_stack(_Dumping(empty, []), empty) == ""  # type: ignore[arg-type]
    missing = tmp_path / "missing.txt"
    assert echo._ask_stack(_Dumping(missing, []), missing) == ""  # type: ignore[arg-type]
    # Whatever the file holds, it is read: bytes that are not UTF-8 are replaced.
    odd = tmp_path / "odd.txt"
    odd.write_bytes(b"caf\xe9\n")
    assert echo._ask_stack(_Dumping(odd, []), odd) == "caf\ufffd\n"  # type: ignore[arg-type]


# -- small words ----------------------------------------------------------------------------------


def test_how_a_process_ended() -> None:
    assert echo._ended(0) == "exited with status 0"
    assert echo._ended(130) == "exited with status 130"
    assert echo._ended(-9) == "was killed by SIGKILL"
    assert echo._ended(-1) == "was killed by SIGHUP"
    assert echo._ended(-200) == "was killed by signal 200"


def test_the_first_difference_of_two_transcripts() -> None:
    assert echo.first_difference(["a", "b"], ["a", "b"]) is None
    assert echo.first_difference([], []) is None
    assert echo.first_difference(["a", "b"], ["a", "c"]) == 1
    assert echo.first_difference(["a", "b"], ["x", "b"]) == 0
    assert echo.first_difference(["a", "b"], ["a"]) == 1
    assert echo.first_difference(["a"], ["a", "b"]) == 1


def test_the_header_names_the_file_its_framework_and_the_reference() -> None:
    tail = "against asyncio_ref/server.py (a scripted session of real clients on 127.0.0.1)"
    assert echo.header(Path("my.py"), "trio") == f"checking my.py (Trio port) {tail}"
    assert echo.header(Path("my.py"), "asyncio") == f"checking my.py (asyncio port) {tail}"


# -- the verbs ------------------------------------------------------------------------------------


def _run_args(**given: object) -> argparse.Namespace:
    return argparse.Namespace(**{"virtual": False, "seed": None, "impl": "both", **given})


def test_run_server_prints_each_twins_transcript_and_the_verdict(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    played: list[list[str]] = []
    transcripts = {"asyncio_ref": ["listening", "A got b'hi\\n'"],
                   "trio_port": ["listening", "A got b'hi\\n'"]}

    def session(command: list[str]) -> list[str]:
        played.append(command)
        return transcripts[command[-1].removesuffix(".server")]

    monkeypatch.setattr(echo, "session", session)
    assert echo.run_verb(_run_args()) == 0
    assert played == [echo.twin_command("asyncio_ref"), echo.twin_command("trio_port")]
    assert capsys.readouterr().out == (
        "asyncio:\n  listening\n  A got b'hi\\n'\ntrio:\n  listening\n  A got b'hi\\n'\n"
        "equivalent: the same 2 transcript entries\n")
    transcripts["trio_port"] = ["listening", "A got b''"]
    assert echo.run_verb(_run_args()) == 1
    assert capsys.readouterr().out.endswith("  A got b''\nNOT equivalent at entry 2\n")
    played.clear()
    assert echo.run_verb(_run_args(impl="trio")) == 0  # one twin: its transcript, no verdict
    assert played == [echo.twin_command("trio_port")]
    assert capsys.readouterr().out == "trio:\n  listening\n  A got b''\n"


def test_run_server_refuses_what_a_real_session_cannot_do() -> None:
    with pytest.raises(UsageError) as virtual:
        echo.run_verb(_run_args(virtual=True))
    assert str(virtual.value) == ("server does real network I/O, which a virtual clock cannot "
                                  "run: drop --virtual")
    with pytest.raises(UsageError) as seed:
        echo.run_verb(_run_args(seed=0))
    assert str(seed.value) == "lesson 'server' draws no random numbers: --seed has no use"


EXPECTED = ["server: listening on 127.0.0.1:PORT", "A got b'hello\\n'", "server: stderr clean"]


class _Check:
    """``check server`` with its sessions faked: the reference's ``expected``, and ``got`` as
    the learner's file played, recording how it was started."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, got: Played) -> None:
        self.got = got
        self.calls: list[tuple[list[str], float, Path, Path, str]] = []
        monkeypatch.setattr(echo, "session", self.session)
        monkeypatch.setattr(echo, "play", self.play)

    def session(self, command: list[str]) -> list[str]:
        assert command == echo.twin_command("asyncio_ref")
        return list(EXPECTED)

    def play(self, command: list[str], start_wait: float = echo.WAIT, *,
             stack: Path | None = None, script: Path | None = None) -> Played:
        assert script is not None and stack is not None
        self.calls.append((command, start_wait, stack, script, script.read_text("utf-8")))
        # A traceback names the file that ran: the copy.
        return dataclasses.replace(self.got, stderr=self.got.stderr.replace("{copy}", str(script)))


def _played(transcript: list[str], *, stderr: str = "", no_server: str | None = None,
            stack: Stack | None = None, stderr_bytes: int | None = None) -> Played:
    return Played(transcript, 1, no_server, stderr,
                  len(stderr) if stderr_bytes is None else stderr_bytes, stack)


TWIN = (ROOT / "trio_port" / "server.py").read_text(encoding="utf-8")


def test_check_server_runs_a_copy_of_the_file_alone_and_says_equivalent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "server.py"
    path.write_text(TWIN, encoding="utf-8")
    fake = _Check(monkeypatch, _played(list(EXPECTED)))
    args = argparse.Namespace(lesson="server", path=path, impl="asyncio", timeout=7.0)
    assert echo.check_verb(args) == 0
    [(command, start_wait, stack, script, text)] = fake.calls
    # A copy, in a folder of its own (next to the twins, it would import their modules), with
    # its stack file beside it: the file as the learner wrote it.
    assert script.name == "learner_server.py" and script.parent != path.parent
    assert stack == script.parent / "stack.txt"
    assert command == echo.file_command(script, stack)
    assert (start_wait, text) == (7.0, TWIN)
    assert not script.parent.exists()  # removed once played
    assert capsys.readouterr().out == (
        f"{echo.header(path, 'asyncio')}\nequivalent: your server answered the session's "
        "clients the same bytes as the reference (3 transcript entries)\n")


def test_check_server_without_impl_or_timeout_checks_a_trio_port_with_the_usual_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """As the notebook's %%check and old callers call it: a Trio port, WAIT to start, the
    hints for Trio; the exception located at the learner's file, not at the copy that ran."""
    path = tmp_path / "server.py"
    path.write_text(TWIN, encoding="utf-8")
    fake = _Check(monkeypatch, _played(list(EXPECTED)))
    assert echo.check_verb(argparse.Namespace(lesson="server", path=path)) == 0
    assert fake.calls[0][1] == echo.WAIT
    assert capsys.readouterr().out.startswith(echo.header(path, "trio") + "\n")
    code = "def main(argv: Sequence[str] | None = None) -> int:"
    line = TWIN.splitlines().index(code) + 1
    stderr = _traceback("TypeError: trio.run received unrecognized yield message None.",
                        line=line, func="main", file=Path("{copy}"))
    _Check(monkeypatch, _played(["server: exited with status 1 before printing it"],
                                stderr=stderr, no_server="exited"))
    assert echo.check_verb(argparse.Namespace(lesson="server", path=path)) == 1
    out = capsys.readouterr().out
    assert ("your server raised:\n  TypeError: trio.run received unrecognized yield message None.\n"
            f"    at {path}, line {line}, in main: {code}\n    hint: ") in out


class _Flushes(io.StringIO):
    """A stdout that remembers what had been flushed, as a pipe's reader would see it."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed = ""

    def flush(self) -> None:
        self.flushed = self.getvalue()


def test_the_header_is_flushed_before_any_server_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 25, item 9: a server that never awaits holds the session for --timeout seconds;
    the learner must see the check begin before that, through a pipe too."""
    path = tmp_path / "server.py"
    path.write_text(TWIN, encoding="utf-8")
    out = _Flushes()
    monkeypatch.setattr(sys, "stdout", out)
    seen: list[str] = []
    fake = _Check(monkeypatch, _played(list(EXPECTED)))
    reference = fake.session

    def session(command: list[str]) -> list[str]:
        seen.append(out.flushed)
        return reference(command)

    monkeypatch.setattr(echo, "session", session)
    assert echo.check_verb(argparse.Namespace(lesson="server", path=path)) == 0
    assert seen == [echo.header(path, "trio") + "\n"]


def test_check_server_shows_the_first_difference_and_what_is_still_the_skeletons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "server.py"
    path.write_text(TWIN.replace(
        '    try:\n        address = stream.socket.getpeername()\n    except OSError:\n'
        '        return "?"\n    return f"{address[0]}:{address[1]}"\n',
        '    raise NotImplementedError("write peer")\n'), encoding="utf-8")
    _Check(monkeypatch, _played([*EXPECTED[:1], "A got b''", "server: stderr clean"]))
    args = argparse.Namespace(lesson="server", path=path, impl="trio", timeout=1.0)
    assert echo.check_verb(args) == 1
    assert capsys.readouterr().out == (
        f"{echo.header(path, 'trio')}\n"
        "NOT equivalent: first difference at entry 2 of the session\n"
        "expected: A got b'hello\\n'\n"
        "got:      A got b''\n"
        "NOT equivalent: still the skeleton's 'raise NotImplementedError' (write it): peer\n")
    # Equal transcripts, a body left unfinished: still not equivalent.
    _Check(monkeypatch, _played(list(EXPECTED)))
    assert echo.check_verb(args) == 1
    assert capsys.readouterr().out.endswith(
        "\nNOT equivalent: still the skeleton's 'raise NotImplementedError' (write it): peer\n")


@pytest.mark.parametrize("no_server", ["silent", "closed"])
def test_a_server_that_never_started_shows_how_it_ended_after_the_difference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    no_server: str,
) -> None:
    path = tmp_path / "server.py"
    path.write_text(TWIN, encoding="utf-8")
    got = ["server: printed no line in 1 s, and was still running",
           "server: printed '' after Ctrl-C, exit status -2", "server: stderr clean"]
    _Check(monkeypatch, _played(got, no_server=no_server))
    args = argparse.Namespace(lesson="server", path=path, impl="trio", timeout=1.0)
    assert echo.check_verb(args) == 1
    out = capsys.readouterr().out
    assert ("NOT equivalent: first difference at entry 1 of the session\n"
            "expected: server: listening on 127.0.0.1:PORT\n"
            f"got:      {got[0]}\n"
            f"then:     {got[1]}\n"
            f"          {got[2]}\n"
            f"  hint: print {LISTENING} (the port") in out
    # One that exited is said in its entry alone: its transcript's end adds nothing.
    _Check(monkeypatch, _played(got[:1], no_server="exited"))
    assert echo.check_verb(args) == 1
    out = capsys.readouterr().out
    assert "then:" not in out
    # The session's own end: shorter than the reference's, or longer.
    _Check(monkeypatch, _played(EXPECTED[:2], no_server=None))
    assert echo.check_verb(args) == 1
    assert ("at entry 3 of the session\nexpected: server: stderr clean\n"
            "got:      (nothing more)\n") in capsys.readouterr().out
    _Check(monkeypatch, _played([*EXPECTED, "more"], no_server="closed"))
    assert echo.check_verb(args) == 1
    assert ("at entry 4 of the session\nexpected: (nothing more)\ngot:      more\n"
            ) in capsys.readouterr().out


def test_check_server_gives_the_hints_of_the_ports_framework(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """A Trio call left in an asyncio port: asyncio's "Task got bad yield" has a hint, given
    for --impl asyncio only (in a Trio port the same words would mean something else)."""
    path = tmp_path / "server.py"
    path.write_text(TWIN, encoding="utf-8")
    stderr = _traceback("RuntimeError: Task got bad yield: <trio._core._traps.WaitTaskRescheduled>",
                        line=1, func="<module>", file=Path("{copy}"))
    hint = f"    hint: {echo.SERVER_HINTS[0][2]}"
    for impl, hinted in (("asyncio", True), ("trio", False)):
        _Check(monkeypatch, _played(["server: exited with status 1 before printing it"],
                                    stderr=stderr, no_server="exited"))
        args = argparse.Namespace(lesson="server", path=path, impl=impl, timeout=1.0)
        assert echo.check_verb(args) == 1
        assert (hint in capsys.readouterr().out.splitlines()) is hinted, impl


def test_check_server_refuses_what_is_not_a_python_file(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.py"
    with pytest.raises(UsageError) as no_file:
        echo.check_verb(argparse.Namespace(lesson="server", path=missing))
    assert str(no_file.value) == f"{missing}: no such file"
    broken = tmp_path / "broken.py"
    broken.write_text("async def serve(\n", encoding="utf-8")
    with pytest.raises(UsageError) as syntax:
        echo.check_verb(argparse.Namespace(lesson="server", path=broken))
    assert str(syntax.value).startswith(f"{broken}, line 1: syntax error: '(' was never closed")


# -- explaining a session that went wrong -----------------------------------------------------


COPY = Path("/tmp/check/learner_server.py")
SHOWN = Path("my_server.py")
SOURCE = "import trio\n\n\nasync def serve():\n    await asyncio.sleep(0)\n"


def _traceback(exc: str, line: int = 5, func: str = "serve", file: Path = COPY) -> str:
    return ("Traceback (most recent call last):\n"
            f'  File "{file}", line {line}, in {func}\n'
            "    await asyncio.sleep(0)\n"
            "    ^^^^^^^^^^^^^^^^^^^^^^\n"
            '  File "/usr/lib/python3.11/asyncio/tasks.py", line 640, in sleep\n'
            "    await __sleep0()\n"
            f"{exc}\n")


def test_each_exception_is_named_at_the_innermost_line_of_the_port() -> None:
    stderr = ("starting\n" + _traceback("TypeError: trio.run received unrecognized yield")
              + "an unrelated line: ValueError\nbye\n"  # after a traceback: not a cause
              + _traceback("KeyboardInterrupt", line=1, func="<module>")
              + _traceback("OSError:", line=99)
              + _traceback("RuntimeError: elsewhere", file=Path("/tmp/other.py")))
    assert echo.tracebacks(stderr, COPY, SHOWN, SOURCE) == [
        "TypeError: trio.run received unrecognized yield\n"
        "    at my_server.py, line 5, in serve: await asyncio.sleep(0)",
        "KeyboardInterrupt\n    at my_server.py, line 1, in the module's top level: import trio",
        "OSError:\n    at my_server.py, line 99, in serve: ",
        "RuntimeError: elsewhere"]


def test_an_exception_groups_leaves_are_the_causes_and_a_syntax_error_has_no_function() -> None:
    stderr = ("  + Exception Group Traceback (most recent call last):\n"
              f'  |   File "{COPY}", line 4, in serve\n'
              "  | ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)\n"
              "  +-+---------------- 1 ----------------\n"
              "    | Traceback (most recent call last):\n"
              f'    |   File "{COPY}", line 5, in serve\n'
              "    |     await asyncio.sleep(0)\n"
              "    | NameError: name 'asyncio' is not defined\n"
              "    +------------------------------------\n"
              "Traceback (most recent call last):\n"
              f'  File "{COPY}", line 4\n'
              "    async def serve(\n"
              "                   ^\n"
              "SyntaxError: '(' was never closed\n")
    assert echo.tracebacks(stderr, COPY, SHOWN, SOURCE) == [
        "NameError: name 'asyncio' is not defined\n"
        "    at my_server.py, line 5, in serve: await asyncio.sleep(0)",
        "SyntaxError: '(' was never closed\n    at my_server.py, line 4: async def serve():"]


def test_an_exception_message_is_cut_at_its_width_and_escaped() -> None:
    message = "\x1b[2J" + "m" * 1000
    [said] = echo.tracebacks(_traceback(f"ValueError: {message}"), COPY, SHOWN, SOURCE)
    first = said.partition("\n")[0]
    assert first.startswith("ValueError: \\x1b[2J" + "m" * 100)
    assert "\x1b" not in said
    assert first == clean(f"ValueError: {message}", echo.MESSAGE_WIDTH)
    assert first != clean(f"ValueError: {message}")  # the message's width, not a line's


def test_the_causes_are_counted_capped_and_hinted_for_their_framework() -> None:
    stderr = _traceback("TypeError: trio.run received unrecognized yield message None") * 2
    stderr += "".join(_traceback(f"ValueError: slip {n}") for n in range(5))
    lines = echo.explain(_played(["x"], stderr=stderr), COPY, SHOWN, SOURCE, "trio")
    assert lines[:4] == [
        "your server raised:",
        "  TypeError: trio.run received unrecognized yield message None (2 times)",
        "    at my_server.py, line 5, in serve: await asyncio.sleep(0)",
        lines[3]]
    assert lines[3].startswith("    hint: ")
    assert lines[4] == "  ValueError: slip 0"
    assert "  ValueError: slip 3" in lines and "  ValueError: slip 4" not in lines
    assert lines[-1] == "  (and 1 more)"
    five = echo.explain(_played(["x"], stderr="".join(_traceback(f"ValueError: slip {n}")
                                                       for n in range(5))),
                        COPY, SHOWN, SOURCE, "trio")
    assert "  ValueError: slip 4" in five and not any("more)" in s for s in five)


def test_a_long_cause_is_wrapped_and_its_count_follows_its_last_line() -> None:
    message = " ".join(["word"] * 25)  # two lines of at most 96
    stderr = _traceback(f"ValueError: {message}") * 3
    lines = echo.explain(_played(["x"], stderr=stderr), COPY, SHOWN, SOURCE, "trio")
    wrapped = [s for s in lines[1:] if not s.startswith("    at")]
    assert wrapped[0].startswith("  ValueError: word") and len(wrapped[0]) <= 96
    assert len(wrapped) == 2 or wrapped[2].startswith("    hint")
    assert wrapped[1].startswith("    word") and wrapped[1].endswith(" (3 times)")
    assert " ".join(s.strip() for s in wrapped[:2]) == f"ValueError: {message} (3 times)"


def test_a_cause_is_wrapped_at_96_columns_and_adds_no_empty_line() -> None:
    word = "w" * 83  # "  ValueError: " and this word make 97 columns: one too many
    lines = echo.explain(_played(["x"], stderr=_traceback(f"ValueError: {word} tail",
                                                          file=Path("/tmp/other.py"))),
                         COPY, SHOWN, SOURCE, "trio")
    assert lines == ["your server raised:", "  ValueError:", f"    {word} tail"]
    exactly = "w" * 82  # 96 columns: one line
    lines = echo.explain(_played(["x"], stderr=_traceback(f"ValueError: {exactly} tail",
                                                          file=Path("/tmp/other.py"))),
                         COPY, SHOWN, SOURCE, "trio")
    assert lines == ["your server raised:", f"  ValueError: {exactly}", "    tail"]


@pytest.mark.parametrize(("impl", "hinted"), [("asyncio", True), ("trio", False)])
def test_a_trio_checkpoint_in_an_asyncio_port_is_hinted_only_there(impl: str,
                                                                  hinted: bool) -> None:
    text = "RuntimeError: Task got bad yield: <trio._core._traps.CancelShieldedCheckpoint>"
    assert (echo._hint(text, impl) is not None) is hinted
    if hinted:
        assert echo._hint(text, impl) == echo.SERVER_HINTS[0][2]
    # The check's own Ctrl-C, in either framework, at the start of the line only.
    assert echo._hint("KeyboardInterrupt", impl) == echo.SERVER_HINTS[1][2]
    assert echo._hint("ValueError: no KeyboardInterrupt", impl) is None
    # The lessons' own hints come first.
    from walkthrough.learner import hint

    lesson = "TypeError: trio.run received unrecognized yield message None"
    assert echo._hint(lesson, "trio") == hint(lesson, "trio") is not None


def test_without_a_traceback_the_end_of_stderr_is_shown() -> None:
    told = "".join(f"line {n}\n\n" for n in range(7))
    lines = echo.explain(_played(["x"], stderr=told + "  \x1b[2Jbye  \n"), COPY, SHOWN, SOURCE,
                         "trio")
    assert lines == ["your server said on stderr (its last 5 lines):",
                     "    line 3", "    line 4", "    line 5", "    line 6",
                     "      \\x1b[2Jbye  "]
    few = echo.explain(_played(["x"], stderr="one\ntwo\nthree\nfour\nfive\n"), COPY, SHOWN,
                       SOURCE, "trio")
    assert few == ["your server said on stderr:", "    one", "    two", "    three", "    four",
                   "    five"]
    assert echo.explain(_played(["x"], stderr=" \n"), COPY, SHOWN, SOURCE, "trio") == []


def test_a_flood_on_stderr_is_said_with_its_size() -> None:
    kept = "a" * 10
    over = echo.explain(_played(["x"], stderr=kept, stderr_bytes=2 * KEEP_BYTES + 1), COPY, SHOWN,
                        SOURCE, "trio")
    assert over[-1] == ("  (your server wrote 131,073 bytes on stderr: the first and the last "
                        "64 KiB were read for this report)")
    at = echo.explain(_played(["x"], stderr=kept, stderr_bytes=2 * KEEP_BYTES), COPY, SHOWN,
                      SOURCE, "trio")
    assert not any("your server wrote" in s for s in at)


def test_a_server_that_ended_without_a_cause_is_told_to_serve_until_ctrl_c() -> None:
    hint = ("  hint: a server serves until Ctrl-C: main() must call run(), and run() return only "
            "once serve() was cancelled by Ctrl-C")
    assert echo.explain(_played(["x"], no_server="exited"), COPY, SHOWN, SOURCE,
                        "trio") == [hint]
    raised = echo.explain(_played(["x"], no_server="exited", stderr=_traceback("OSError: x")),
                          COPY, SHOWN, SOURCE, "trio")
    assert hint not in raised
    assert echo.explain(_played(["x"], no_server="other"), COPY, SHOWN, SOURCE, "trio") == []


@pytest.mark.parametrize("no_server", ["silent", "closed"])
def test_a_stuck_server_is_shown_its_line_an_idle_one_its_missing_print(no_server: str) -> None:
    source = "import time\n\n\ndef spin():\n    while True:\n        time.sleep(0.01)\n"
    busy = echo.explain(_played(["x"], no_server=no_server, stack=Stack("spin", 6, busy=True)),
                        COPY, SHOWN, source, "trio")
    assert busy == echo._stuck(Stack("spin", 6, busy=True), SHOWN, source)
    assert busy[0] == ("your server never reached a checkpoint: stuck in spin (my_server.py, "
                       "line 6): time.sleep(0.01)")
    print_it = [f"  hint: print {LISTENING} (the port the system picked for --port 0) once the "
                "socket listens, before serving: that line is how the check, and a user, learn "
                "where to connect"]
    for stack in (Stack("run", 8, busy=False), None):
        assert echo.explain(_played(["x"], no_server=no_server, stack=stack), COPY, SHOWN,
                            source, "trio") == print_it
    # A busy stack of a server that did start is not the story.
    assert echo.explain(_played(["x"], no_server=None, stack=Stack("spin", 6, busy=True)),
                        COPY, SHOWN, source, "trio") == []


def test_a_stuck_line_is_said_as_every_lessons_check_says_it() -> None:
    source = "def spin():\n    while True: pass\n"
    lines = echo._stuck(Stack("spin", 2, busy=True), SHOWN, source)
    assert lines[0] == ("your server never reached a checkpoint: stuck in spin (my_server.py, "
                        "line 2): while True: pass")
    said = " ".join(s.strip() for s in lines[1:])
    assert said == CHECKPOINT.replace(", and the virtual clock with them", "")
    assert all(s.startswith("  ") and len(s) <= 92 for s in lines[1:])
    assert max(len(s) for s in lines[1:]) > 85  # wrapped at 92, not at a narrower default
    assert len(lines) > 2 and "hint" not in said
    sleeping = echo._stuck(Stack("spin", 1, busy=True), SHOWN, "time.sleep(1)\n")
    assert sleeping[-1] == ("  hint: time.sleep blocks the whole thread; await trio.sleep(...) "
                            "(or asyncio.sleep) lets the others run")
    beyond = echo._stuck(Stack("spin", 3, busy=True), SHOWN, source)
    assert beyond[0].endswith("(my_server.py, line 3): ")
    before = echo._stuck(Stack("spin", 0, busy=True), SHOWN, source)
    assert before[0].endswith("(my_server.py, line 0): ")


def test_only_the_bodies_a_finished_server_reaches_are_unfinished() -> None:
    skeleton = (ROOT / "exercises" / "asyncio" / "server.py").read_text(encoding="utf-8")
    assert echo.unfinished_bodies(skeleton) == ["peer", "handle", "serve", "_until_ctrl_c",
                                                "run"]
    extra = TWIN + '\n\ndef extra() -> None:\n    raise NotImplementedError("write extra")\n'
    assert echo.unfinished_bodies(extra) == []
    # What either twin's main() reaches: on_connect only asyncio_ref's, watch only trio_port's.
    both = textwrap.dedent("""\
        def main():
            on_connect()
            watch()


        def on_connect():
            raise NotImplementedError("write on_connect")


        def watch():
            raise NotImplementedError("write watch")
        """)
    assert echo.unfinished_bodies(both) == ["on_connect", "watch"]


@pytest.mark.timeout(60)
def test_a_server_started_with_ctrl_c_ignored_still_stops_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A checker started with SIGINT ignored (nohup, a CI runner): its server must not inherit
    that, or a port that stops on Ctrl-C as Python does by default is killed instead."""
    monkeypatch.setattr(echo, "WAIT", 0.5)
    path = _script(tmp_path, SPIN.format(ignore=""))
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        played = echo.play(echo.file_command(path), start_wait=2.0)  # Python's handler set
    finally:
        signal.signal(signal.SIGINT, before)
    assert played.transcript[1:] == ["server: printed '' after Ctrl-C, exit status -2",
                                     "server: stderr shows Traceback, ending 'KeyboardInterrupt'"]


def test_a_frame_that_cannot_be_resolved_is_not_the_ports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A relative file name is resolved against the working folder; if that is gone (removed
    under a running check), the frame is not the port's, and the report goes on."""
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert echo._same_path("learner_server.py", COPY) is False
    assert echo._same_path(str(COPY), COPY) is True


@pytest.mark.timeout(60)
def test_the_server_runs_in_the_checks_strict_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever the checker's own folder, environment and stdin: the server runs in the
    project's folder with the project importable, in development mode (unclosed resources,
    coroutines never awaited are said on stderr), warnings as errors even for a command
    without ``-W error``, stdout unbuffered (a line printed without flush still arrives) and
    stdin at end of file (a server that reads it cannot wait for typed input)."""
    path = _script(tmp_path, """\
        import os, sys, time
        print(f"dev={sys.flags.dev_mode} warnings={sys.warnoptions} "
              f"path={os.environ.get('PYTHONPATH')} cwd={os.getcwd()} stdin={sys.stdin.read()!r}")
        while True:
            time.sleep(0.01)
        """)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.delenv("PYTHONDEVMODE", raising=False)
    monkeypatch.delenv("PYTHONWARNINGS", raising=False)
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    read, write = os.pipe()
    saved = os.dup(0)
    os.dup2(read, 0)  # the checker's stdin holds typed input the server must not see
    try:
        os.write(write, b"typed\n")
        played = echo.play([sys.executable, str(path)], start_wait=5.0)
    finally:
        os.dup2(saved, 0)
        for fd in (saved, read, write):
            os.close(fd)
    line = f"dev=True warnings=['default', 'error'] path={ROOT} cwd={ROOT} stdin=''\n"
    assert played.transcript[0] == f"server: no {LISTENING} line (got {clean(repr(line))})"


@pytest.mark.timeout(60)
def test_stdout_that_is_not_utf8_is_still_quoted(tmp_path: Path) -> None:
    path = _script(tmp_path, """\
        import sys
        sys.stdout.buffer.write(b"caf\\xe9 ouvert\\n")
        """)
    played = echo.play(echo.file_command(path))
    assert played.transcript[0] == f"server: no {LISTENING} line (got 'caf\ufffd ouvert\\n')"


@pytest.mark.timeout(60)
def test_the_readers_never_hold_the_checkers_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server's descendant may keep its pipes open past the session: the threads that read
    them are daemons, so the checker can still exit (they are joined with a timeout only)."""
    started: list[threading.Thread] = []

    class Recorded(threading.Thread):
        def start(self) -> None:
            started.append(self)
            super().start()

    monkeypatch.setattr(echo, "threading", types.SimpleNamespace(Thread=Recorded))
    path = _script(tmp_path, "print('ready')\n")
    echo.play(echo.file_command(path))
    assert started and all(thread.daemon for thread in started)


@pytest.mark.timeout(60)
def test_a_server_that_never_answers_is_waited_for_and_no_longer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It listens (the system accepts the connections) but never reads: each client waits
    WAIT for bytes, then says so; the session goes on, and never hangs."""
    monkeypatch.setattr(echo, "WAIT", 0.3)
    path = _script(tmp_path, """\
        import socket, time
        sock = socket.create_server(("127.0.0.1", 0), backlog=16)
        print(f"listening on 127.0.0.1:{sock.getsockname()[1]}")
        while True:
            time.sleep(0.01)
        """)
    played = echo.play(echo.file_command(path))
    assert played.transcript[1:5] == [
        "A (a line in three packets, then three in one) got b'', then nothing for 0.3 s",
        "B (a line of 32 bytes, then one of 33) got b'', then nothing for 0.3 s",
        "A (one more line) got b'', then nothing for 0.3 s",
        "the idle client got b'', then nothing for 0.3 s"]


@pytest.mark.timeout(60)
def test_the_session_catches_a_line_limit_off_by_one_either_way(tmp_path: Path) -> None:
    """The session's B sends a line of exactly 32 bytes (allowed) and one of 33 (refused), so
    a port that allows one byte more is caught as surely as one that allows one byte less."""
    old = "if end > self.max_line or (end < 0 and len(self.buffer) > self.max_line):"
    assert TWIN.count(old) == 1
    path = tmp_path / "learner_server.py"
    path.write_text(TWIN.replace(old, old.replace("self.max_line", "self.max_line + 1")),
                    encoding="utf-8")
    played = echo.play(echo.file_command(path))
    assert played.transcript[2] == (
        "B (a line of 32 bytes, then one of 33) got b'" + "=" * 32 + "\\n" + "x" * 33
        + "\\nnever read\\nerror: idle for 1 s, closing\\n', then closed")
    assert played.transcript != TWIN_TRANSCRIPT


#: A server that echoes raw bytes in threads and counts its Ctrl-Cs: on the first, it closes
#: its clients, then takes a while (a second) to finish, as a server shutting down may.
COUNTING = """\
    import signal, socket, sys, threading, time
    presses = []
    signal.signal(signal.SIGINT, lambda signum, frame: presses.append(signum))
    server = socket.create_server(("127.0.0.1", 0))
    clients = []


    def serve(conn):
        try:
            while data := conn.recv(1024):
                conn.sendall(data)
        except OSError:
            pass


    def accept():
        while True:
            conn, _ = server.accept()
            clients.append(conn)
            threading.Thread(target=serve, args=(conn,), daemon=True).start()


    threading.Thread(target=accept, daemon=True).start()
    print(f"listening on 127.0.0.1:{server.getsockname()[1]}")
    while not presses:
        time.sleep(0.01)
    for conn in clients:
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:  # a client that is gone already
            pass
    time.sleep({finish})
    print(f"stopped after {len(presses)} Ctrl-C")
    sys.exit(130)
    """


@pytest.mark.timeout(60)
def test_the_session_presses_ctrl_c_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server still finishing after the session's Ctrl-C is waited for, not pressed again."""
    monkeypatch.setattr(echo, "WAIT", 2.0)
    path = _script(tmp_path, COUNTING.replace("{finish}", "1.0"))
    played = echo.play(echo.file_command(path))
    assert played.transcript[5:7] == [
        "C (connected then, mid-line at Ctrl-C) got b'mid-li', then closed",
        "server: printed 'stopped after 1 Ctrl-C\\n' after Ctrl-C, exit status 130"]


@pytest.mark.timeout(60)
def test_a_server_that_outlives_its_failed_client_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A client failed, and the server does not end by itself within GONE_WAIT: it is sent
    Ctrl-C, once, and the session goes on to its end."""
    monkeypatch.setattr(echo, "GONE_WAIT", 0.2)
    path = _script(tmp_path, """\
        import socket, time
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        print(f"listening on 127.0.0.1:{sock.getsockname()[1]}")
        while True:
            time.sleep(0.01)
        """)
    played = echo.play(echo.file_command(path))
    assert played.transcript[1:3] == ["a client failed: [Errno 111] Connection refused",
                                      "server: printed '' after Ctrl-C, exit status -2"]


@pytest.mark.timeout(20)
def test_a_descendant_holding_stderr_cannot_hold_the_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server ends, but a process it started keeps its stderr open: the reader is given
    WAIT to finish, and the session ends without it."""
    monkeypatch.setattr(echo, "WAIT", 0.3)
    path = _script(tmp_path, """\
        import subprocess, sys
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                                 stdout=subprocess.DEVNULL)
        print(child.pid)
        """)
    played = echo.play(echo.file_command(path))
    pid = int(played.transcript[0].split("(got '")[1].split("\\")[0])
    try:
        assert played.no_server == "other"  # and the session ended, the reader left behind
        assert played.transcript[-1].startswith("server: stderr ")
    finally:
        os.kill(pid, signal.SIGKILL)
