"""``walkthrough port`` on code written for a newer Python than the one it runs on (issue 24).

The tool runs on 3.11, and the code people port is more and more often written for 3.12 and
3.14. Two of their constructs stop 3.11's parser on a line that is none of asyncio's: 3.12's
type parameters, whose brackets formatters spread over lines when the bounds are long, and
3.14's unparenthesised ``except A, B:`` (PEP 758); and 3.12's f-strings that reuse their own
quote inside a replacement field (PEP 701). A file with any of them was unreadable, so every
asyncio construct in it went unreported (the corpus's working part had four such files and the
twelfth held-out part's published misses count ten with PEP 758's form alone). The tool now
reads them as 3.11 would read the same code written the older way, on the same lines.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from walkthrough import port
from walkthrough.port.reading import (
    in_older_syntax,
    with_older_f_strings,
    with_parenthesised_excepts,
    without_type_parameters,
)

ROOT = Path(__file__).resolve().parent.parent


def rows(source: str) -> dict[int, set[str]]:
    """Line → the rows the tool names there."""
    found: dict[int, set[str]] = {}
    for finding in port.scan(textwrap.dedent(source), "case.py"):
        found.setdefault(finding.line, set()).add(finding.row)
    return found


PEP_758 = """\
import asyncio


async def main():
    try:
        await asyncio.wait_for(asyncio.sleep(1), 0.5)
    except ValueError, TypeError:
        pass
    lock = asyncio.Lock()
    return lock
"""


def test_pep_758_excepts_do_not_hide_the_modules_asyncio_constructs() -> None:
    """Without the fallback the module is refused ("multiple exception types must be
    parenthesized" on 3.11 to 3.13), and the two constructs around it go unreported."""
    found = rows(PEP_758)
    assert found[6] == {"wait-for", "sleep"} and found[9] == {"lock"}, found


def test_an_except_that_older_pythons_refuse_is_parenthesised_on_its_own_line() -> None:
    """``except A, B:`` and ``except* A, B:`` get parentheses; every other line, and an
    ``as`` form (an error in every Python), stays as it was."""
    source = ("try: pass\n"
              "except json.JSONDecodeError, ValueError:\n"
              "    pass\n"
              "try: pass\n"
              "except* A,B :\n"
              "    pass\n"
              "except (A, B):\n"
              "except A:\n"
              "except A, B as e:\n"
              "exceptions, x: int\n")
    assert with_parenthesised_excepts(source) == (
        "try: pass\n"
        "except(json.JSONDecodeError, ValueError):\n"
        "    pass\n"
        "try: pass\n"
        "except*(A,B):\n"
        "    pass\n"
        "except (A, B):\n"
        "except A:\n"
        "except A, B as e:\n"
        "exceptions, x: int\n")


def test_a_handler_on_the_excepts_own_line_keeps_its_columns_through_the_rewrite() -> None:
    """The rewrite edits the user's text at the columns of the tree it parsed: the space after
    the colon pays for the added parenthesis, so ``asyncio.sleep`` on the handler's own line
    is replaced where it stands."""
    source = ("import asyncio\n"
              "\n"
              "\n"
              "async def main():\n"
              "    try:\n"
              "        int('x')\n"
              "    except ValueError, TypeError: await asyncio.sleep(0.01)\n"
              "    print('done')\n"
              "\n"
              "\n"
              "asyncio.run(main())\n")
    new, _ = port.rewrite(source, "case.py")
    assert "    except ValueError, TypeError: await trio.sleep(0.01)\n" in new, new
    assert "trio.run(main)" in new


MULTI_LINE_GENERIC = """\
import asyncio


class Connector[
    EngineType: Engine | AsyncEngine,
    SessionType: sessionmaker[Session] | async_sessionmaker[AsyncSession],
](Interface, ABC):
    async def close(self) -> None:
        await asyncio.sleep(0)


def first[
    T: (int, str),
](
    xs: list[T],
) -> T:
    return asyncio.get_event_loop()
"""


def test_type_parameters_spread_over_lines_do_not_hide_the_modules_constructs() -> None:
    """The bracket of a class's and a function's type parameters closed lines below its
    header: the scan reads what follows on its own line numbers."""
    found = rows(MULTI_LINE_GENERIC)
    assert found[9] == {"checkpoint"} and found[17] == {"loop"}, found


def test_type_parameters_over_lines_leave_the_header_and_empty_lines() -> None:
    """What follows the ``]`` moves up to the header; the lines it spanned are left empty with
    their own line endings (CRLF kept); brackets that never close leave the source as it was."""
    assert without_type_parameters(
        "class C[\r\n    T: dict[int, str],\r\n](Base):\r\n    x = 1\r\n") == (
        "class C(Base):\r\n\r\n\r\n    x = 1\r\n")
    assert without_type_parameters("def f[\n  T,\n]() -> None: pass\n") == (
        "def f() -> None: pass\n\n\n")
    # a bound's own letters are no brackets (mutmut put "X" among the brackets counted)
    assert without_type_parameters("class H[\n    P: XMLParser,\n](Base):\n") == (
        "class H(Base):\n\n\n")
    unclosed = "class C[\n    T,\nx = 1\n"
    assert without_type_parameters(unclosed) == unclosed


@pytest.mark.parametrize("source", [PEP_758, MULTI_LINE_GENERIC])
def test_both_forms_together_parse_on_this_python_with_their_lines(source: str) -> None:
    """The two together, as one module can hold both: the older spelling parses here and has
    as many lines as the user's."""
    both = source.replace("async def main():", "async def main[T]():")
    older = in_older_syntax(both)
    ast.parse(older)
    assert older.count("\n") == both.count("\n")


def test_a_module_that_is_not_python_is_still_refused() -> None:
    """The fallback reads newer Python, not anything: an ``except`` list with an ``as`` (an
    error in every version) is refused with the parser's line."""
    with pytest.raises(port.PortError, match=r"case.py:2:\d+: cannot parse as Python"):
        port.scan("try: pass\nexcept A, B as e:\n    pass\n", "case.py")


PEP_701 = """\
import asyncio


async def run(conn, host_info):
    try:
        cp = await asyncio.wait_for(conn.run("uptime"), 5)
    except OSError as e:
        return f"Connection failed on host {host_info.get("host")}: {str(e)}"
    await asyncio.sleep(0.5)
    return cp
"""


def test_a_pep_701_f_string_does_not_hide_the_modules_asyncio_constructs() -> None:
    """``f"...{host_info.get("host")}..."``: 3.11 says "f-string: unmatched '('" and
    the module went unreported."""
    found = rows(PEP_701)
    assert found[6] == {"wait-for"} and found[9] == {"sleep"}, found


@pytest.mark.parametrize(("newer", "older"), [
    ('f"{d.get("a")}: {b}"\n', "f\"{d.get('a')}: {b}\"\n"),
    ("f'{d['a']!r:>{w}} {{x}}'\n", "f'{d[\"a\"]!r:>{w}} {{x}}'\n"),
    ('f"{x:{"w"}}"\n', "f\"{x:{'w'}}\"\n"),
    ('Rf"{d["a"]}\\d" + b"{x}"\n', "Rf\"{d['a']}\\d\" + b\"{x}\"\n"),
    ('f"{ {"a": 1}["a"] }"\n', "f\"{ {'a': 1}['a'] }\"\n"),
    ('f"{(lambda x: x)("a")}"\n', "f\"{(lambda x: x)('a')}\"\n"),
    ('f"{x:\'^{w}}{d["a"]}"\n', 'f"{x:\'^{w}}{d[\'a\']}"\n'),  # a spec's quote is text
])
def test_a_string_that_reuses_its_f_strings_quote_gets_the_other_one(
        newer: str, older: str) -> None:
    """Only the inner string's two quotes change (a format spec's field, a dict, a lambda's
    colon and a raw prefix included), so the line keeps every column, and 3.11 parses it."""
    assert with_older_f_strings(newer) == older
    ast.parse(older)


@pytest.mark.parametrize("kept", [
    'f"{d["it\'s"]}"\n',          # the other quote is inside: no swap can help
    'f"""{d["a"]}"""\n',          # a triple-quoted f-string takes either quote already
    "x = 1  # f\"{d[\"a\"]}\"\n",  # a comment
    '"{d["a"]}"\n',                # not an f-string
    'f"{a != b}" f"{a!r}"\n',
])
def test_what_needs_no_other_quote_or_cannot_take_one_is_left(kept: str) -> None:
    assert with_older_f_strings(kept) == kept


def test_the_projects_own_modules_come_back_as_they_were() -> None:
    """Code 3.11 parses already holds no string that reuses its f-string's quote: each of the
    project's own modules is left exactly as it is (the same was checked on 22,619 files, the
    corpus's and the venv's, when this was written)."""
    paths = sorted(p for package in ("walkthrough", "asyncio_ref", "trio_port", "tests",
                                     "scripts", "examples", "bench")
                   for p in (ROOT / package).rglob("*.py"))
    assert len(paths) > 300
    for path in paths:
        source = path.read_text(encoding="utf-8")
        assert with_older_f_strings(source) == source, path


@pytest.mark.parametrize(("newer", "older"), [
    # an escaped quote does not end a string: the f-string after it is read as one
    ('s = "a\\"b" + f"{d["k"]}"\n', 's = "a\\"b" + f"{d[\'k\']}"\n'),
    # a string not closed on its line ends there; the next line is read afresh
    ('x = "abc\ny = f"{d["k"]}"\n', 'x = "abc\ny = f"{d[\'k\']}"\n'),
    # "{{" is a brace, and the "{" after it opens a field
    ('f"{{{d["k"]}}}"\n', 'f"{{{d[\'k\']}}}"\n'),
    # a prefixed string inside a field
    ('f"{d[r"k"]}"\n', 'f"{d[r\'k\']}"\n'),
    # a comment (holding a quote) ends at its line; what follows is read
    ('# it\'s "x\nx = f"{d["k"]}"\n', '# it\'s "x\nx = f"{d[\'k\']}"\n'),
    # brackets inside brackets do not close the field
    ('f"{m[d[(0)]]["k"]}"\n', 'f"{m[d[(0)]][\'k\']}"\n'),
    # a field that ends right after its string: the f-string goes on past its "}"
    ('f"{"a"}" + f"{d["k"]}"\n', 'f"{\'a\'}" + f"{d[\'k\']}"\n'),
])
def test_strings_comments_and_braces_are_read_as_python_reads_them(
        newer: str, older: str) -> None:
    assert with_older_f_strings(newer) == older


@pytest.mark.parametrize("cut", ['x = """abc', 'f"{d["k', 'f"{x:>3', "x = 1  # a note"])
def test_a_source_that_ends_inside_a_string_a_field_or_a_comment_comes_back_as_it_was(
        cut: str) -> None:
    """The end of the text is no character to read (an IndexError, or a scan that started
    again from the top, before)."""
    assert with_older_f_strings(cut) == cut
