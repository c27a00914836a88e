"""The guide builds, with ``mkdocs build --strict``, and shows the real code.

The build runs once per session into a temporary directory: a broken link, a broken anchor or
a missing include fails it (``--strict`` turns mkdocs' warnings into errors, and the snippets
extension is configured with ``check_paths``). The other tests check what a strict build alone
would not: that every lesson of the catalogue has a page, that a page includes its lesson's two
files once they exist, and that every runnable example is shown somewhere.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from walkthrough import catalogue, sidebyside

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
INCLUDE = re.compile(r'^\s*--8<--\s+"([^"]+)"\s*$', re.MULTILINE)

pytest.importorskip("mkdocs", reason="the docs extra is not installed")


@pytest.fixture(scope="module")
def site(built_site: Path) -> Path:
    """The guide as ``mkdocs build --strict`` writes it, built once for the run (conftest)."""
    return built_site


def includes() -> dict[Path, list[str]]:
    return {page: INCLUDE.findall(page.read_text(encoding="utf-8")) for page in DOCS.rglob("*.md")}


def test_strict_build_succeeds(site: Path) -> None:
    assert (site / "index.html").is_file()


def test_every_catalogue_lesson_has_a_page_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for lesson in catalogue.LESSONS:
        assert (DOCS / "lessons" / f"{lesson.name}.md").is_file(), lesson.name
        assert f"lessons/{lesson.name}.md" in nav, lesson.name


PAIR = re.compile(r"^<!--\s*pair:\s*(\w+)\s*-->\s*$", re.MULTILINE)


@pytest.mark.parametrize("lesson", [lesson.name for lesson in catalogue.LESSONS])
def test_a_lesson_page_shows_its_pair_once_both_files_exist(lesson: str) -> None:
    """Once both twins exist (the lesson is available), the page asks the hook for its pair
    (walkthrough/mkdocs_hook.py builds it from the two files)."""
    if catalogue.get(lesson) not in catalogue.available():
        pytest.skip(f"{lesson} is not written in both versions yet")
    text = (DOCS / "lessons" / f"{lesson}.md").read_text(encoding="utf-8")
    assert PAIR.findall(text) == [lesson]


@pytest.mark.parametrize("lesson", [lesson.name for lesson in catalogue.LESSONS])
def test_what_changes_comes_before_the_code(lesson: str) -> None:
    text = (DOCS / "lessons" / f"{lesson}.md").read_text(encoding="utf-8")
    found = PAIR.search(text)
    if found is None:
        pytest.skip(f"{lesson} has no pair yet")
    heading = re.search(r"^## What changes, and why", text, re.MULTILINE)
    assert heading is not None and heading.start() < found.start()


def test_every_include_resolves() -> None:
    for page, paths in includes().items():
        for path in paths:
            assert (ROOT / path).is_file(), f"{page.relative_to(ROOT)} includes missing {path}"


def test_every_runnable_example_is_shown() -> None:
    shown = {path for paths in includes().values() for path in paths}
    for folder in ("examples/faq", "examples/divergence"):
        for example in sorted((ROOT / folder).glob("*.py")):
            assert f"{folder}/{example.name}" in shown, (
                f"{folder}/{example.name} is not in the guide"
            )


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_a_lesson_page_shows_the_pair_built_from_the_real_files(site: Path) -> None:
    """The built page holds the alignment of `walkthrough diff`: one section per aligned
    definition, every line of both files, changes marked, each why comment marked where it
    stands, and the whole files one click away."""
    html = (site / "lessons" / "count.html").read_text(encoding="utf-8")
    left, right = ((ROOT / package / "count.py").read_text(encoding="utf-8")
                   for package in catalogue.PACKAGES.values())
    pair = sidebyside.align(left, right, "asyncio_ref/count.py", "trio_port/count.py")
    sections = re.findall(r'class="pair-fn (?:same|only|changed)"', html)
    assert len(sections) == len(pair.rows)
    cells = [(side, change, body) for side, change, rest, body in re.findall(
        r'<div class="pl (pa|pt) (eq|del|add)([^"]*)" style="grid-row:\d+">(.*?)</div>', html)
        if "pad" not in rest.split()]
    for side, lines in (("pa", pair.left_lines), ("pt", pair.right_lines)):
        shown = [_text(body) for s, _, body in cells if s == side]
        code = [re.sub(r"^\d+.", "", text, count=1).split("⋯")[0] for text in shown]
        assert [c.rstrip() for c in code] == [line.rstrip() for line in lines]
    changed = {n for _, h in pair.changed() for n in h.right}
    assert sum(1 for s, change, _ in cells if s == "pt" and change == "add") == len(changed)
    whys = {n for _, h in pair.changed() for n in h.why_lines}
    assert whys and html.count("why\" style=") == len(whys)
    assert 'summary>The whole files, unaligned' in html
    text = _text(html)
    assert text.count(pair.right_lines[0]) >= 2  # in the pair, and in the whole file
    assert "--8<--" not in text and "<!-- pair:" not in html


def test_a_pair_page_hides_the_sidebars_and_shows_the_toc_elsewhere(site: Path) -> None:
    html = (site / "lessons" / "count.html").read_text(encoding="utf-8")
    assert re.search(r'md-sidebar--primary"[^>]*hidden', html)
    divergences = (site / "divergences.html").read_text(encoding="utf-8")
    assert not re.search(r'md-sidebar--secondary"[^>]*hidden', divergences)
    assert 'class="md-nav md-nav--secondary"' in divergences


def test_the_pair_styles_are_shipped(site: Path) -> None:
    css = (site / "css" / "pairs.css").read_text(encoding="utf-8")
    assert "grid-template-columns: minmax(0, 1fr) minmax(0, 1fr)" in css
    assert re.search(r"max-width: 76\.234375em\)[^@]*\.pair-grid \{\s*display: block", css)
    assert ".fold:checked ~ .pl.doc" in css


def test_the_concept_map_has_25_rows_covering_the_issue() -> None:
    text = (DOCS / "concepts.md").read_text(encoding="utf-8")
    rows = [
        line
        for line in text.splitlines()
        if line.startswith("| ") and not line.startswith(("| asyncio | Trio", "|---"))
    ]
    assert len(rows) >= 25
    for api in (
        "gather", "create_task", "asyncio.wait(", "wait_for", "as_completed", "task_done",
        "join()", "Semaphore", "Event", "Lock", "timeout", "cancel()", "shield", "run_in_executor",
        "to_thread", "call_later", "async generators", "Ctrl-C", "signal", "subprocess",
        "open_connection", "aiohttp", "httpx", "aiofiles", "trio.open_file", "TaskGroup",
        "ExceptionGroup", "nursery", "contextvars", "sleep(0)", "checkpoint", "asyncio.timeout",
    ):  # fmt: skip
        assert any(api in row for row in rows), f"the concept map has no row for {api}"


@pytest.mark.parametrize(
    ("lesson", "questions"),
    [
        ("queue", ("`while True`", "Why only the producers?", "How do we know we are done?")),
        ("crawler", ("why does `urljoin` work?",)),
    ],
)
def test_the_notebooks_questions_are_answered_for_both_frameworks(
    lesson: str, questions: tuple[str, ...]
) -> None:
    text = (DOCS / "lessons" / f"{lesson}.md").read_text(encoding="utf-8")
    for question in questions:
        assert re.search(rf"^#+ .*{re.escape(question)}", text, re.MULTILINE | re.IGNORECASE)
    if lesson == "queue":  # each question answered once per framework
        assert text.count("*asyncio.*") == text.count("*Trio.*") == len(questions)


def test_the_readme_shows_a_two_column_screenshot() -> None:
    """The committed picture exists, is a PNG as wide as the script's window, and is shown."""
    png = DOCS / "img" / "lesson-count.png"
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    assert (width, height) == (1400, 1000)  # above the 76.25em breakpoint: two columns
    assert "docs/img/lesson-count.png" in (ROOT / "README.md").read_text(encoding="utf-8")
