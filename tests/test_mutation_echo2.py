"""``check server`` asks a silent server for its stack and reads it at once (walkthrough/echo.py,
``_ask_stack``; issue 27, ``docs/mutation.md``).

mutmut's ``time.sleep(0.05)`` → ``time.sleep(1.05)`` in ``_ask_stack`` survived
``tests/test_mutation_echo.py``: the dump read is the same, only later. It is not only
timing: faulthandler's C handler writes the whole dump within microseconds of SIGUSR1, so with
a poll of a second the learner waits two seconds (:data:`~walkthrough.echo.STACK_WAIT`) more
for every silent or closed server, for a stack that was complete almost at once. The test
runs ``_ask_stack`` on a virtual clock (``echo.time`` replaced: no real sleep), against a
stand-in server whose dump is complete before its first poll.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.test_mutation_poll import Clock
from walkthrough import echo


class _Dumped:
    """A stand-in server that writes its whole dump the moment it gets SIGUSR1 (as
    faulthandler's C handler does) and never ends."""

    def __init__(self, stack: Path, dump: str) -> None:
        self.stack, self.dump = stack, dump
        self.signals: list[int] = []

    def send_signal(self, signum: int) -> None:
        self.signals.append(signum)
        self.stack.write_text(self.dump, encoding="ascii")

    def poll(self) -> int | None:
        return None


def test_a_stack_written_at_once_is_read_after_two_short_polls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its size is the same at the first two polls: read then, a tenth of a second after
    asking, not at the end of STACK_WAIT (2 s) nor after polls a second apart."""
    clock = Clock()
    monkeypatch.setattr(echo, "time", clock)
    stack = tmp_path / "stack.txt"
    stack.touch()  # BOOTSTRAP creates it empty at the start
    dump = 'Current thread 0x1 (most recent call first):\n  File "<string>", line 8 in <module>\n'
    server = _Dumped(stack, dump)
    assert echo._ask_stack(server, stack) == dump  # type: ignore[arg-type]
    assert server.signals == [signal.SIGUSR1]
    assert len(clock.sleeps) == 2
    assert clock.now - 1000.0 == pytest.approx(0.1)
