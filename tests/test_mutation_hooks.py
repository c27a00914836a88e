"""Tests that kill mutmut's survivors in the guide's two build hooks (issue 27).

``walkthrough/mkdocs_hook.py`` (the lesson pairs) and ``walkthrough/claims_hook.py`` (the claims
page) run inside ``mkdocs build``, which ``tests/test_docs.py`` runs in a child process: mutmut
sees no test of theirs there. ``tests/test_pages.py`` and one test of ``tests/test_claims.py``
call them in-process on the real files, and checked that a pair or a claim is *there*, not what
it says. Here each hook runs on small files of the test's own, and through its mkdocs entry
point with stand-ins for mkdocs' page and config objects. One test per kind of slip:

* ``mkdocs_hook``: the pair aligned from the two files in that order and named by their paths,
  read as UTF-8 whatever the locale, the whole files block under it, a missing twin named,
  the build error naming the page, and the sidebars hidden only on a page with a pair;
* ``claims_hook``: the tests a page names in first-mention order, once each; each section's
  heading, file and line (a decorator's, when it has one), first paragraph of the docstring and
  exact source; a test that does not exist named; the links worded as the claim, relative to
  the page's folder; and which pages the build rewrites.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from walkthrough import claims_hook, mkdocs_hook, sidebyside

# -- mkdocs_hook: the lesson pairs ---------------------------------------------------------------

LEFT = '''"""Déjà: the asyncio side."""

import asyncio


async def work() -> None:
    await asyncio.sleep(1)
'''
RIGHT = LEFT.replace("asyncio side", "Trio side").replace("import asyncio", "import trio") \
    .replace("    await asyncio.sleep(1)", "    # Trio's own sleep\n    await trio.sleep(1)")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for package, text in (("asyncio_ref", LEFT), ("trio_port", RIGHT)):
        (tmp_path / package).mkdir()
        (tmp_path / package / "demo.py").write_text(text, encoding="utf-8")
    return tmp_path


def whole_files(name: str) -> str:
    return (f'??? abstract "The whole files, unaligned: `asyncio_ref/{name}.py` and '
            f'`trio_port/{name}.py`"\n\n'
            f'    ```python title="asyncio_ref/{name}.py"\n'
            f'    --8<-- "asyncio_ref/{name}.py"\n'
            "    ```\n\n"
            f'    ```python title="trio_port/{name}.py"\n'
            f'    --8<-- "trio_port/{name}.py"\n'
            "    ```\n")


def test_the_pair_is_the_two_files_aligned_and_named_by_their_paths(root: Path) -> None:
    """The pair is exactly what ``walkthrough diff`` aligns, asyncio on the left, each side
    named by its path, then the whole files, unaligned, in a collapsed block."""
    text, count = mkdocs_hook.expand("# Title\n\n<!-- pair: demo -->\n\nAfter.\n", root)
    pair = sidebyside.align(LEFT, RIGHT, "asyncio_ref/demo.py", "trio_port/demo.py")
    assert count == 1
    assert text == ("# Title\n\n" + sidebyside.html(pair, "demo") + "\n\n" + whole_files("demo")
                    + "\nAfter.\n")
    assert '<span class="pairs-key pa">asyncio_ref/demo.py</span>' in text
    assert '<span class="pairs-key pt">trio_port/demo.py</span>' in text


def test_two_pairs_on_a_page_are_both_expanded(root: Path) -> None:
    for package in ("asyncio_ref", "trio_port"):
        (root / package / "other.py").write_text("x = 1\n", encoding="utf-8")
    text, count = mkdocs_hook.expand("<!-- pair: demo -->\n<!--pair:other-->\n", root)
    assert count == 2
    assert "pairs-demo" in text and "pairs-other" in text and "<!--" not in text



def test_the_twins_are_read_as_utf8_whatever_the_locale(root: Path, ascii_locale: None) -> None:
    text, _ = mkdocs_hook.expand("<!-- pair: demo -->\n", root)
    assert "Déjà" in text


def test_a_missing_twin_is_named(root: Path) -> None:
    (root / "trio_port" / "demo.py").unlink()
    with pytest.raises(mkdocs_hook.PairError) as missing:
        mkdocs_hook.expand("<!-- pair: demo -->\n", root)
    assert str(missing.value) == "<!-- pair: demo -->: trio_port/demo.py does not exist"


def page(src: str, meta: dict[str, Any] | None = None) -> Any:
    """A stand-in for mkdocs' Page: the attributes the hooks read."""
    return SimpleNamespace(file=SimpleNamespace(src_path=src, src_uri=src), meta=meta or {})


def mkdocs_config(root: Path) -> Any:
    return SimpleNamespace(config_file_path=str(root / "mkdocs.yml"))


def test_a_page_with_a_pair_gets_the_whole_width(root: Path) -> None:
    """The navigation and table-of-contents sidebars are hidden, once each, beside what the
    page's front matter hid already; a page without a pair keeps them."""
    lesson = page("lessons/demo.md", {"hide": ["toc", "footer"]})
    text = mkdocs_hook.on_page_markdown("<!-- pair: demo -->\n", page=lesson,
                                        config=mkdocs_config(root), files=None)
    assert text == mkdocs_hook.expand("<!-- pair: demo -->\n", root)[0]
    assert lesson.meta["hide"] == ["toc", "footer", "navigation"]
    fresh = page("lessons/demo.md")
    mkdocs_hook.on_page_markdown("<!-- pair: demo -->\n", page=fresh,
                                 config=mkdocs_config(root), files=None, extra=1)
    assert fresh.meta == {"hide": ["navigation", "toc"]}
    plain = page("index.md")
    assert mkdocs_hook.on_page_markdown("# Home\n", page=plain, config=mkdocs_config(root),
                                        files=None) == "# Home\n"
    assert plain.meta == {}


def test_a_pair_that_cannot_be_built_fails_the_build_naming_the_page(root: Path) -> None:
    # mkdocs is the docs extra: the hook imports it only to fail a build
    exceptions = pytest.importorskip("mkdocs.exceptions", reason="the docs extra is not installed")
    with pytest.raises(exceptions.PluginError) as failed:
        mkdocs_hook.on_page_markdown("<!-- pair: nope -->\n", page=page("lessons/nope.md"),
                                     config=mkdocs_config(root), files=None)
    assert str(failed.value) == \
        "lessons/nope.md: <!-- pair: nope -->: asyncio_ref/nope.py does not exist"
    assert failed.value.__suppress_context__


# -- claims_hook: the claims page --------------------------------------------------------------

CLAIMS = '''\
"""Claims."""

import pytest


def helper() -> int:
    return 1


@pytest.mark.parametrize("n", [1])
@pytest.mark.timeout(5)
def test_first_claim(n: int) -> None:
    """One sentence
    over two lines.

    More detail, not shown.
    """
    assert n == helper()


def test_bare() -> None:
    assert True


class TestNested:
    def test_in_a_class(self) -> None:
        pass


async def test_async() -> None:
    pass
'''
OTHER = '''\
def test_other() -> None:
    """Other."""
'''


@pytest.fixture
def tests_root(tmp_path: Path) -> Path:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text(CLAIMS, encoding="utf-8")
    (tmp_path / "tests" / "test_b.py").write_text(OTHER, encoding="utf-8")
    return tmp_path


MAP = ("| row | `tests/test_a.py::test_bare` and `tests/test_b.py::test_other` |\n"
       "| row | `tests/test_a.py::test_first_claim`, again `tests/test_a.py::test_bare` |\n")


def test_the_tests_a_page_names_in_first_mention_order_once_each() -> None:
    assert claims_hook.referenced(MAP) == [
        ("tests/test_a.py", "test_bare"), ("tests/test_b.py", "test_other"),
        ("tests/test_a.py", "test_first_claim")]
    assert claims_hook.referenced("no test here, `tests/x.py` is not one") == []


def test_each_section_is_the_tests_heading_place_first_paragraph_and_source(
        tests_root: Path) -> None:
    """The line is the first decorator's (the source shown starts there), the docstring's
    first paragraph is one line, and a test without a docstring has no paragraph."""
    cache: dict[str, Any] = {}
    first = claims_hook.section(tests_root, "tests/test_a.py", "test_first_claim", cache)
    source = CLAIMS.splitlines()
    start = source.index('@pytest.mark.parametrize("n", [1])')
    end = source.index("    assert n == helper()")
    assert first == "\n".join([
        "### `test_first_claim` { #test_first_claim }", "",
        f"`tests/test_a.py`, line {start + 1}.", "",
        "One sentence over two lines.", "",
        "```python", *source[start:end + 1], "```", ""])
    bare = claims_hook.section(tests_root, "tests/test_a.py", "test_bare", cache)
    assert bare == textwrap.dedent(f"""\
        ### `test_bare` {{ #test_bare }}

        `tests/test_a.py`, line {source.index("def test_bare() -> None:") + 1}.

        ```python
        def test_bare() -> None:
            assert True
        ```
        """)


def test_a_test_file_is_read_once_for_all_its_sections(tests_root: Path) -> None:
    cache: dict[str, Any] = {}
    claims_hook.section(tests_root, "tests/test_a.py", "test_bare", cache)
    (tests_root / "tests" / "test_a.py").unlink()
    assert "def test_first_claim(" in claims_hook.section(
        tests_root, "tests/test_a.py", "test_first_claim", cache)


@pytest.mark.parametrize("name", ["test_missing", "test_in_a_class", "test_async"])
def test_a_name_that_is_not_a_module_level_test_function_fails_the_build(
        tests_root: Path, name: str) -> None:
    """Only a plain function at the top of the file is a test the page can show: a method
    and an ``async def`` are not what the map's names stand for."""
    with pytest.raises(claims_hook.ClaimError) as missing:
        claims_hook.section(tests_root, "tests/test_a.py", name, {})
    assert str(missing.value) == (
        f"tests/test_a.py::{name} is named in the guide "
        "(docs/concepts.md, docs/faq.md, docs/divergences.md) but does not exist")


def test_the_page_groups_the_sections_by_file_in_first_mention_order(tests_root: Path) -> None:
    page_text = claims_hook.build(MAP, tests_root)
    assert page_text == "\n".join([
        "## `tests/test_a.py`", "",
        claims_hook.section(tests_root, "tests/test_a.py", "test_bare", {}),
        claims_hook.section(tests_root, "tests/test_a.py", "test_first_claim", {}),
        "## `tests/test_b.py`", "",
        claims_hook.section(tests_root, "tests/test_b.py", "test_other", {})])
    assert claims_hook.build("nothing named") == ""


def test_the_real_claims_are_read_from_the_projects_tests() -> None:
    """Without a root, the files are the project's own tests."""
    page_text = claims_hook.build("`tests/test_claims.py::test_the_claims_page_shows_the_source_"
                                  "of_every_named_test`")
    assert page_text.startswith("## `tests/test_claims.py`\n\n### `test_the_claims_page_shows_")
    assert "    from walkthrough import claims_hook\n" in page_text


def test_a_link_is_worded_as_the_claim_and_relative_to_the_page() -> None:
    assert claims_hook.label("test_a_b_c") == "a b c"
    assert claims_hook.label("test_test_x") == "test x"
    assert claims_hook.link(MAP, 0).splitlines()[0] == (
        "| row | [bare](claims.md#test_bare) and [other](claims.md#test_other) |")
    assert claims_hook.link("`tests/test_a.py::test_first_claim`", 2) == \
        "[first claim](../../claims.md#test_first_claim)"


def test_the_build_rewrites_the_claims_page_and_the_linked_pages_only(tmp_path: Path) -> None:
    """The claims page gets the sections of the tests that ``docs_dir``'s concept map names
    (read from the project's tests); the three linked pages get links; any other page, and
    a claims line that is not a line of its own, are left as they are."""
    docs = tmp_path / "docs"
    docs.mkdir()
    named = "`tests/test_claims.py::test_the_claims_page_shows_the_source_of_every_named_test`"
    (docs / "concepts.md").write_text(f"| row | {named} |\n", encoding="utf-8")
    config = {"docs_dir": str(docs)}
    claims = claims_hook.on_page_markdown("# Claims\n\n<!-- claims -->\n\nEnd.\n",
                                          page("claims.md"), config, None)
    # the directive takes its line with it (its pattern ends in \s*$)
    assert claims == "# Claims\n\n" + claims_hook.build(named) + "\nEnd.\n"
    assert "### `test_the_claims_page_shows_the_source_of_every_named_test`" in claims
    for uri in ("concepts.md", "faq.md", "divergences.md"):
        assert claims_hook.on_page_markdown(MAP, page(uri), config, None) == \
            claims_hook.link(MAP, 0) != MAP
    other = "`tests/test_a.py::test_bare` <!-- claims -->"
    for uri in ("index.md", "lessons/count.md", "lessons/concepts.md"):
        assert claims_hook.on_page_markdown(other, page(uri), config, None) == other
    assert claims_hook.on_page_markdown(other, page("claims.md"), config, None) == other


def test_the_claims_page_shows_the_tests_every_linked_page_names(tmp_path: Path) -> None:
    """The FAQ's and the divergence chapter's test names become links too: the claims page
    must hold their sections, the map's first, each once (ten links of the real guide landed
    nowhere while the page took the map's names alone, and a strict build failed)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    own = "`tests/test_claims.py::test_the_claims_page_shows_the_source_of_every_named_test`"
    faq = ("`tests/test_mutation_hooks.py::"
           "test_the_build_rewrites_the_claims_page_and_the_linked_pages_only`")
    (docs / "concepts.md").write_text(f"| row | {own} |\n", encoding="utf-8")
    (docs / "faq.md").write_text(f"A answer ({faq}), and again {own}.\n", encoding="utf-8")
    (docs / "divergences.md").write_text("No test named here.\n", encoding="utf-8")
    (docs / "index.md").write_text(
        "`tests/test_claims.py::test_no_such_claim`: a page that makes no link\n",
        encoding="utf-8")
    claims = claims_hook.on_page_markdown("<!-- claims -->\n", page("claims.md"),
                                          {"docs_dir": str(docs)}, None)
    assert claims == claims_hook.build(f"{own} {faq}")
    sections = re.findall(r"^### `(test_\w+)`", claims, re.MULTILINE)
    assert sections == ["test_the_claims_page_shows_the_source_of_every_named_test",
                        "test_the_build_rewrites_the_claims_page_and_the_linked_pages_only"]


def test_the_tests_and_the_map_are_read_as_utf8_whatever_the_locale(
        tests_root: Path, tmp_path: Path, ascii_locale: None) -> None:
    (tests_root / "tests" / "test_c.py").write_text(
        'def test_accented() -> None:\n    """Déjà vu: the claim."""\n', encoding="utf-8")
    assert "Déjà vu: the claim." in claims_hook.section(
        tests_root, "tests/test_c.py", "test_accented", {})
    docs = tmp_path / "docs"
    docs.mkdir()
    named = "`tests/test_claims.py::test_the_claims_page_shows_the_source_of_every_named_test`"
    (docs / "concepts.md").write_text(f"| déjà | {named} |\n", encoding="utf-8")
    claims = claims_hook.on_page_markdown("<!-- claims -->\n", page("claims.md"),
                                          {"docs_dir": str(docs)}, None)
    assert claims.startswith("## `tests/test_claims.py`\n")
