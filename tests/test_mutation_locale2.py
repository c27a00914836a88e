"""``%%check`` and ``walkthrough check server`` read and write their files as UTF-8 whatever the
locale (``walkthrough/notebook_magic.py``, ``walkthrough/echo.py``; issue 27).

mutmut's ``encoding="utf-8"`` → ``encoding=None`` (or no encoding) survivors there were called
equivalent because "a test cannot change the locale": it can, as
``tests/test_mutation_learner_child_locale.py`` does (the ``ascii_locale`` fixture: an ASCII
codec, as a C locale that Python did not coerce gives; cp1252 on Windows misreads some letters
and fails on others). Re-judged one by one:

* the cell written to ``my_LESSON.py`` (``notebook_magic.check_source``): a learner's cell in
  their own language is written in the locale's encoding by the mutant, which fails there
  (UnicodeEncodeError) before anything is checked: a real gap, killed here;
* the twin read for its ``__main__`` block (``notebook_magic.main_block``) and the server twins
  read for what ``main`` reaches (``echo.unfinished_bodies``): the shipped twins are ASCII
  today, so the mutants change nothing on them; but Python imports a twin as UTF-8, and one
  comment with an accent or an arrow (as ``trio_port/_transport_httptools.py`` has) would make
  the mutant fail. The tests give each function such a twin;
* the stack a silent server dumps (``echo._ask_stack``, ``errors="replace"``): faulthandler
  writes only ASCII (it escapes every other character of a path or a function name as
  ``\\xe9``), so those mutants stay equivalent: no test here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.test_mutation_notebook import COUNT, ROOT, Recorded
from walkthrough import catalogue, echo, learner
from walkthrough.notebook_magic import cell_file, check_source, main_block, parse_line

#: What a French-speaking learner might write at the top of a cell or a file: two bytes for
#: each accented letter in UTF-8, three for the arrow.
PREAMBLE = "# Mon portage : asyncio → Trio, déjà fini ?\n"


def test_a_cell_in_the_learners_language_is_handed_to_the_check_whole_in_any_locale(
        monkeypatch: pytest.MonkeyPatch, ascii_locale: None) -> None:
    check = Recorded(0, "equivalent")
    monkeypatch.setattr(learner, "check_in_child", check.in_child)
    cell = PREAMBLE + 'print("Compte à rebours terminé")\n'
    source = cell_file("count", cell, COUNT, "trio")
    assert check_source(parse_line("count"), source) == (0, "equivalent")
    [call] = check.calls
    assert call["text"] == source  # read back as UTF-8, as Python imports it


@dataclass(frozen=True)
class _Elsewhere(catalogue.Lesson):
    """A lesson whose twins are top-level modules (``NAME_IMPL``) in a folder on sys.path."""

    def module_name(self, impl: str) -> str:
        return f"{self.name}_{impl}"


def test_a_twins_main_block_is_read_as_utf_8_in_any_locale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ascii_locale: None) -> None:
    block = 'if __name__ == "__main__":\n    print("terminé")  # → la fin\n'
    (tmp_path / "twin_fr_trio.py").write_text(
        f'{PREAMBLE}\n\ndef main() -> None:\n    pass\n\n\n{block}', encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    lesson = _Elsewhere("twin_fr", "0", "twin_fr")
    assert main_block(lesson, "trio") == block
    assert cell_file("twin_fr", "a = 1", lesson, "trio") == f"# %%check twin_fr\na = 1\n\n\n{block}"


def test_the_server_twins_are_read_as_utf_8_in_any_locale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ascii_locale: None) -> None:
    """``check server``'s list of unfinished bodies, with twins that each hold a comment in
    French: the same list as with the shipped twins (tests/test_mutation_echo.py)."""
    for package in catalogue.PACKAGES.values():
        twin = (ROOT / package / "server.py").read_text(encoding="utf-8")
        (tmp_path / package).mkdir()
        (tmp_path / package / "server.py").write_text(PREAMBLE + twin, encoding="utf-8")
    monkeypatch.setattr(echo, "ROOT", tmp_path)
    skeleton = (ROOT / "exercises" / "asyncio" / "server.py").read_text(encoding="utf-8")
    assert echo.unfinished_bodies(PREAMBLE + skeleton) == [
        "peer", "handle", "serve", "_until_ctrl_c", "run"]
