"""Mutation testing of one shipped module at a time, with mutmut, in a throwaway copy (issue 27).

Why: ``scripts/mutate.py`` plants operator mutants in the lesson twins only. The code that
ships beside them (``trio_port/_decode.py``, the HTTP transports, ``walkthrough/port`` and
``walkthrough/learner``) needs the same question asked of it, with a maintained tool whose
operators nobody here chose: would the tests that cover this module notice a slip in it?

Why mutmut (3.x), and why this way:

* mutmut runs pytest in-process and forks one worker per mutant from a process that has
  already imported the suite, and runs only the tests that called the mutated function, so
  a module's run takes minutes on this 2-core machine. cosmic-ray starts a fresh pytest for
  every mutant (about 20 s here with this suite's imports): ten times slower for the same
  mutants. mutmut works with this layout and the pytest config as it is (``-W error``,
  ``--strict-markers``, pytest-trio, pytest-timeout).
* mutmut edits files, so it never runs in the work tree: the script exports ``HEAD`` with
  ``git archive`` into a temporary folder (plus any ``--with`` files, e.g. a new test not yet
  committed), appends a ``[tool.mutmut]`` table to *that copy's* ``pyproject.toml``, and
  runs there. The project's venv and ``pyproject.toml`` are never changed.
* mutmut is installed from the package index with ``pip install --target`` into the
  temporary folder and put at the *end* of ``sys.path``, so the project's own pytest and
  plugins are the ones that run.
* Each module has its own list of tests (``MODULES``): the ones that exercise it, not the
  whole suite. Every test gets a per-test timeout (``--timeout``, pytest-timeout), so a
  mutant that hangs is a timeout, which counts as caught.

Limits of the tool, said on the page (``docs/mutation.md``): mutmut mutates code inside
functions and methods, not module-level constants; a function reached only in a child
process is "no tests" (it cannot see the call), reported here beside the survivors.

Not part of CI, not run by the test suite. Run it niced on a shared machine::

    nice -n 19 .venv/bin/python scripts/mutation.py trio_port/_decode.py

It prints killed / survived / timed out / no tests and lists each survivor as
``file:line: - old / + new``. ``--list`` shows the modules it knows and their tests.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The mutmut release measured for issue 27 (pinned so two runs try the same mutants).
MUTMUT = "mutmut==3.8.1"
#: Module -> the test files (or node ids, and ``--deselect=...`` options) that cover it.
#: Tests that compare a module's bytes with its twin (``_decode.py`` is one file in both
#: packages) fail on *any* edit, whatever it is: they are deselected, they are not a kill.
_ROUND2 = "tests/test_crawler_round2.py::"
#: The crawler twins' tests that run in the test process (both twins share them). Left out:
#: the files that run the crawler only as a command (test_crawler_exits.py, test_sigint.py,
#: test_slips_crawler.py) and round 2's child-process tests: "no tests" to mutmut, minutes of
#: stats run.
CRAWLER_TESTS = [
    "tests/test_crawler.py", "tests/test_hostile_input.py", "tests/test_crawler_claims.py",
    "tests/test_crawler_boundaries.py",
    *(_ROUND2 + name for name in (
        "test_a_concurrency_that_fits_is_kept",
        "test_the_tsv_that_cannot_be_opened_mid_crawl_is_exit_74_with_a_summary",
        "test_a_page_written_during_the_interrupt_is_in_the_summary",
        "test_a_url_file_with_a_utf8_byte_order_mark_is_read",
        "test_a_status_below_100_is_no_response",
        "test_a_colon_in_the_user_name_is_refused_by_both",
        "test_tasks_stay_bounded_by_the_concurrency_not_the_url_count",
        "test_one_url_at_a_time_goes_in_input_order",
        "test_finding_links_gives_the_loop_back_every_links_per_step_links",
        "test_a_pages_rows_are_made_in_steps_and_in_link_order",
        "test_the_round_two_tests_catch_the_slips")),
    "tests/test_faults.py::test_crawler_fault_asyncio_cancels_the_other_pages_itself",
    "tests/test_faults.py::test_crawler_fault_trio_nursery_cancels_the_crawl_quietly",
    "tests/test_mutation_crawler.py",
    "tests/test_mutation_crawler2.py", "tests/test_mutation_crawler3.py",
    # Failed mutmut's unmutated run once under load (a crawl a row short; it passes alone):
    # left out of the runs of the new paths, as for demosite.py.
    "--deselect=tests/test_crawler.py::test_the_trio_crawler_parses_with_httptools_and_agrees_without_it",
]
MODULES: dict[str, list[str]] = {
    "trio_port/_decode.py": [
        "tests/test_slips_decode.py", "tests/test_bombs.py", "tests/test_mutation_decode.py"],
    "trio_port/_transport.py": [
        "tests/test_transport.py", "tests/test_slips_transport.py",
        "tests/test_mutation_transport.py", "tests/test_crawler_claims.py"],
    # test_crawler_claims.py: the crawler on both transports, in-process (the heads' bounds).
    "trio_port/_transport_httptools.py": [
        "tests/test_transport_httptools.py", "tests/test_slips_transport.py",
        "tests/test_crawler_claims.py", "tests/test_mutation_httptools.py"],
    "walkthrough/port/libraries.py": [
        "tests/test_port_libraries.py", "tests/test_port.py", "tests/test_mutation_port.py",
        # since issue 24's rounds its evidence and name rules are tested through the scan too
        "tests/test_port_evidence.py", "tests/test_port_constructs.py",
        "tests/test_mutation_port_names.py", "tests/test_mutation_port_gaps.py",
        "tests/test_mutation_port_gaps2.py", "tests/test_mutation_port_names3.py",
        "tests/test_mutation_port_constructs3.py", "tests/test_mutation_port_names4.py",
        "tests/test_mutation_port_constructs4.py", "tests/test_mutation_port_names5.py",
        "tests/test_mutation_port_constructs5.py", "tests/test_mutation_port_libraries2.py",
        "tests/test_mutation_port_names6.py", "tests/test_mutation_port_constructs6.py",
        "tests/test_mutation_port_names7.py", "tests/test_mutation_port_constructs7.py",
        "tests/test_mutation_port_names8.py", "tests/test_mutation_port_constructs8.py",
        "tests/test_mutation_port_names9.py", "tests/test_mutation_port_constructs9.py",
        "tests/test_mutation_port_names10.py", "tests/test_port_project.py",
        # a child-process command: "no tests" to mutmut, minutes of run
        "--deselect=tests/test_port.py::test_exit_1_with_findings_0_without",
        "--deselect=tests/test_port_project.py::test_the_command_on_a_checkout"],
    "walkthrough/port/mapping.py": [
        "tests/test_port.py", "tests/test_port_libraries.py", "tests/test_port_cli.py",
        "tests/test_claims_port_rows.py", "tests/test_mutation_port.py",
        "tests/test_mutation_rerun_port.py"],
    # test_port_constructs.py and test_port_rewrite.py: the only tests whose programs use
    # Python 3.12's type parameters, which parse() rewrites on 3.11 (without_type_parameters);
    # test_port_newer_syntax.py: 3.14's except lists and type parameters over lines
    "walkthrough/port/reading.py": [
        "tests/test_port.py", "tests/test_port_cli.py", "tests/test_mutation_port.py",
        "tests/test_port_constructs.py", "tests/test_port_rewrite.py",
        "tests/test_mutation_rerun_port.py", "tests/test_port_newer_syntax.py",
        "--deselect=tests/test_port_rewrite.py::test_the_rewrite_is_linear_in_the_files_size"],
    "walkthrough/port/walking.py": ["tests/test_port_walking.py"],
    # test_the_command_on_a_checkout runs the command as a child (mutmut sees nothing there)
    "walkthrough/port/project.py": [
        "tests/test_port_project.py",
        "--deselect=tests/test_port_project.py::test_the_command_on_a_checkout"],
    "walkthrough/port/names.py": [
        "tests/test_port_constructs.py", "tests/test_port_evidence.py", "tests/test_port.py",
        "tests/test_port_libraries.py", "tests/test_mutation_port.py",
        "tests/test_mutation_port_names.py",
        "tests/test_mutation_port_gaps.py", "tests/test_mutation_port_gaps2.py",
        "tests/test_mutation_port_names3.py", "tests/test_mutation_port_constructs3.py",
        "tests/test_mutation_port_names4.py", "tests/test_mutation_port_constructs4.py",
        "tests/test_mutation_port_names5.py", "tests/test_mutation_port_constructs5.py",
        "tests/test_mutation_port_names6.py", "tests/test_mutation_port_constructs6.py",
        "tests/test_mutation_port_names7.py", "tests/test_mutation_port_constructs7.py",
        "tests/test_mutation_port_names8.py", "tests/test_mutation_port_constructs8.py",
        "tests/test_mutation_port_names9.py", "tests/test_mutation_port_constructs9.py",
        "tests/test_port_wrapper_chains.py", "tests/test_mutation_port_names10.py",
        "tests/test_mutation_port_names11.py", "tests/test_port_project.py",
        "tests/test_mutation_port_names12.py",
        "tests/test_port_misses_1207.py", "tests/test_port_false_alarms_1207.py",
        "tests/test_port_core_misses_1207.py",
        "--deselect=tests/test_port_project.py::test_the_command_on_a_checkout"],
    "walkthrough/port/constructs.py": [
        "tests/test_port_constructs.py", "tests/test_port_evidence.py", "tests/test_port.py",
        "tests/test_port_libraries.py", "tests/test_mutation_port.py",
        "tests/test_mutation_port_names.py",
        "tests/test_mutation_port_gaps.py", "tests/test_mutation_port_gaps2.py",
        "tests/test_mutation_port_names3.py", "tests/test_mutation_port_constructs3.py",
        "tests/test_mutation_port_names4.py", "tests/test_mutation_port_constructs4.py",
        "tests/test_mutation_port_names5.py", "tests/test_mutation_port_constructs5.py",
        "tests/test_mutation_port_names6.py", "tests/test_mutation_port_constructs6.py",
        "tests/test_mutation_port_names7.py", "tests/test_mutation_port_constructs7.py",
        "tests/test_mutation_port_names8.py", "tests/test_mutation_port_constructs8.py",
        "tests/test_mutation_port_names9.py", "tests/test_mutation_port_constructs9.py",
        "tests/test_mutation_port_names10.py", "tests/test_mutation_port_constructs10.py",
        "tests/test_mutation_port_constructs11.py", "tests/test_port_project.py",
        "tests/test_port_misses_1207.py", "tests/test_port_false_alarms_1207.py",
        "tests/test_port_blocking_sessions_1207.py", "tests/test_port_core_misses_1207.py",
        "--deselect=tests/test_port_project.py::test_the_command_on_a_checkout"],
    "walkthrough/normalise.py": ["tests/test_queue.py", "tests/test_mutation_walkthrough.py"],
    "walkthrough/clocks.py": [
        "tests/test_harness.py", "tests/test_count.py", "tests/test_mutation_walkthrough.py"],
    "walkthrough/capture.py": [
        "tests/test_harness.py", "tests/test_count.py", "tests/test_mutation_walkthrough.py"],
    "walkthrough/trace.py": [
        "tests/test_harness.py", "tests/test_count.py", "tests/test_queue.py",
        "tests/test_mutation_walkthrough.py"],
    "walkthrough/conceptmap.py": [
        "tests/test_port.py", "tests/test_port_libraries.py", "tests/test_mutation_port.py",
        "tests/test_mutation_walkthrough.py"],
    # The slow tests (timing guards, end-to-end runs of 4.5 to 22 s) are left out, not failing:
    # mutmut runs each for every mutant of a function they reach, and the run would not fit
    # the hour; docs/mutation.md names them.
    "walkthrough/port/formatting.py": [
        "tests/test_port_cli.py", "tests/test_port.py", "tests/test_mutation_rewriting.py",
        "tests/test_mutation_rerun_port.py",
        "--deselect=tests/test_port_cli.py::test_the_rewrite_patch_grows_linearly_with_the_file"],
    "walkthrough/port/rewriting.py": [
        "tests/test_port_rewrite.py", "tests/test_port.py", "tests/test_mutation_rewriting.py",
        "tests/test_mutation_rewriting_gaps.py", "tests/test_mutation_port_rewrite2.py",
        "--deselect=tests/test_port_rewrite.py::test_the_rewrite_is_linear_in_the_files_size",
        "--deselect=tests/test_port.py::"
        "test_the_safe_rewrites_give_a_trio_program_that_prints_the_same"],
    "walkthrough/timeline.py": ["tests/test_timeline.py", "tests/test_mutation_render.py"],
    "walkthrough/sidebyside.py": [
        "tests/test_diff.py", "tests/test_pages.py", "tests/test_cli_edges.py",
        "tests/test_mutation_render.py", "tests/test_mutation_rerun_views.py",
        "tests/test_sidebyside_comments.py"],
    "walkthrough/activity.py": [
        "tests/test_timeline.py", "tests/test_mutation_render.py",
        "tests/test_mutation_harness.py"],
    # test_cli.py: the `run` verb in-process (one bounded real-clock smoke run, about 6 s per
    # mutant of side_by_side; the whole module's run is about 8 minutes).
    "walkthrough/render.py": ["tests/test_cli.py", "tests/test_mutation_harness.py"],
    "walkthrough/runner.py": [
        "tests/test_harness.py", "tests/test_count.py", "tests/test_chained.py",
        "tests/test_mutation_harness.py"],
    # child_main and script.py run in the check's child; this file calls child_main in the
    # test process (os._exit replaced by an exception), which runs script.py for every lesson.
    "walkthrough/learner/child.py": [
        "tests/test_mutation_learner_child.py", "tests/test_mutation_learner_child_locale.py"],
    "walkthrough/learner/script.py": [
        "tests/test_mutation_learner_child.py", "tests/test_mutation_learner_script.py"],
    "walkthrough/learner/phases.py": [
        "tests/test_check_robust.py", "tests/test_check_slips.py",
        "tests/test_mutation_learner_phases.py"],
    "walkthrough/learner/skeleton.py": [
        "tests/test_check.py", "tests/test_check_robust.py", "tests/test_mutation_learner.py",
        "tests/test_mutation_learner_files.py"],
    # test_check.py is left out of these two: each of its 134 tests calls read_source in the
    # test process (about 55 s a surviving mutant of it), and it reaches none of crawler.py there.
    "walkthrough/learner/loading.py": [
        "tests/test_check_robust.py", "tests/test_mutation_learner.py",
        "tests/test_mutation_learner_files.py", "tests/test_mutation_learner_child_locale.py"],
    "walkthrough/learner/crawler.py": [
        "tests/test_mutation_learner.py", "tests/test_mutation_learner_files.py",
        "tests/test_mutation_learner_child_locale.py"],
    # tests/test_check.py (77 s) is left out: it runs the check as a command, out of mutmut's sight.
    "walkthrough/learner/supervise.py": [
        "tests/test_check_robust.py", "tests/test_check_report.py",
        "tests/test_mutation_learner_supervise.py", "tests/test_mutation_learner_child_locale.py",
        "tests/test_mutation_poll.py"],
    "walkthrough/learner/guard.py": [
        "tests/test_check_robust.py", "tests/test_check_slips.py",
        "tests/test_mutation_learner_supervise.py", "tests/test_mutation_learner_child_locale.py"],
    # These three run in the check's child; test_mutation_learner.py calls them in-process.
    **{f"walkthrough/learner/{name}.py": [
        "tests/test_check_report.py", "tests/test_check_robust.py",
        "tests/test_mutation_learner.py"]
       for name in ("explain", "report", "compare")},
    # The kernel tests run the magic in a Jupyter kernel (a child process: mutmut sees nothing
    # there) and take minutes; the git test needs a repository, which the copy is not.
    "walkthrough/notebook_magic.py": [
        "tests/test_notebook_loop.py", "tests/test_mutation_notebook.py",
        "tests/test_mutation_locale2.py",
        "--deselect=tests/test_notebook_loop.py::"
        "test_check_a_cell_in_a_real_kernel_started_without_the_venv_on_path",
        "--deselect=tests/test_notebook_loop.py::"
        "test_the_learners_loop_copy_fill_in_check_and_the_suite_stays_green",
        "--deselect=tests/test_notebook_loop.py::test_the_default_folder_is_ignored_by_git"],
    # The closed-pipe tests of test_pipes.py run real commands (children: unseen by mutmut);
    # test_mutation_cli.py drives the guard and main in-process and kills every non-equivalent
    # mutant alone, in 2 minutes (test_cli.py and test_pipes.py with it: about 10).
    "walkthrough/cli.py": ["tests/test_mutation_cli.py"],
    # test_crawler.py is left out: its 17 s (more under load) ran for every surviving mutant,
    # and its hostile-server comparison failed mutmut's unmutated run once under load.
    "walkthrough/demosite.py": [
        "tests/test_crawler_boundaries.py", "tests/test_mutation_demosite.py",
        "tests/test_mutation_poll.py"],
    "walkthrough/catalogue.py": [
        "tests/test_cli.py", "tests/test_lesson_count.py", "tests/test_mutation_catalogue.py"],
    "walkthrough/commands/list.py": [
        "tests/test_cli.py", "tests/test_lesson_count.py", "tests/test_mutation_catalogue.py"],
    # check server / run server play the session in a child of a child: test_check_server.py and
    # test_server.py reach echo.py only there (mutmut sees nothing); the tour's in-process session
    # (test_lesson_count.py) is covered by test_mutation_echo.py's own sessions.
    "walkthrough/echo.py": [
        "tests/test_mutation_echo.py", "tests/test_mutation_locale2.py",
        "tests/test_mutation_echo2.py"],
    # The verbs run in-process with stand-ins (tests/test_mutation_commands.py); test_check.py
    # (77 s) runs the check as a command, out of mutmut's sight.
    "walkthrough/commands/check.py": [
        "tests/test_check_report.py", "tests/test_mutation_commands.py"],
    # test_lesson_count.py: the whole tour in-process (the crawler and the server for real on
    # 127.0.0.1, a few seconds per surviving mutant; the stand-in tests kill the rest first).
    "walkthrough/commands/tour.py": [
        "tests/test_lesson_count.py", "tests/test_mutation_commands.py"],
    # test_the_default_folder_is_ignored_by_git asks git about the work tree: the copy has no
    # .git (it reads only DEFAULT_DIR, a constant mutmut does not mutate).
    "walkthrough/commands/notebook.py": [
        "tests/test_notebook_loop.py", "tests/test_mutation_commands.py",
        "--deselect=tests/test_notebook_loop.py::test_the_default_folder_is_ignored_by_git"],
    # Of test_pipes.py (its verbs run as commands) only the pager's fallback runs in-process.
    "walkthrough/commands/diff.py": [
        "tests/test_diff.py",
        "tests/test_pipes.py::test_a_pager_that_cannot_run_falls_back_to_plain_output",
        "tests/test_cli_edges.py::test_the_verb_stacked_names_the_sides_first",
        "tests/test_mutation_commands.py"],
    "walkthrough/mkdocs_hook.py": ["tests/test_pages.py", "tests/test_mutation_hooks.py"],
    "walkthrough/claims_hook.py": [
        "tests/test_claims.py::test_the_claims_page_shows_the_source_of_every_named_test",
        "tests/test_mutation_hooks.py"],
    "walkthrough/commands/port.py": [
        "tests/test_mutation_commands_port.py",
        "tests/test_port_project.py::test_each_run_of_the_command_reads_the_tree_afresh"],
    # test_sigint.py and test_pipes.py run `walkthrough crawl` as a command (a child: mutmut
    # sees nothing there); test_cli_edges.py's demo crawls are real, 2-3 s each.
    "walkthrough/commands/crawl.py": [
        "tests/test_hostile_input.py", "tests/test_cli_edges.py",
        "tests/test_mutation_commands_crawl.py"],
    "walkthrough/commands/timeline.py": [
        "tests/test_timeline.py", "tests/test_mutation_commands_crawl.py"],
    # lesson_arg and add_lesson, through the verbs that use them (timeline, check)
    "walkthrough/commands/__init__.py": [
        "tests/test_timeline.py", "tests/test_mutation_commands.py",
        "tests/test_mutation_commands_crawl.py"],
    # test_cli.py's real-clock smoke runs count in two spawned processes (about 4 s, kept: it
    # is the one end-to-end real-clock run in the test process); of test_cli_edges.py only the
    # notice's three in-process tests (its pseudo-terminal test and the crawls run children).
    "walkthrough/commands/run.py": [
        "tests/test_cli.py",
        "tests/test_cli_edges.py::test_the_notice_is_on_a_terminal_before_the_run_starts",
        "tests/test_cli_edges.py::test_off_a_terminal_there_is_no_notice_and_no_estimate",
        "tests/test_cli_edges.py::test_the_estimate_is_what_the_virtual_clock_says",
        "tests/test_mutation_commands_run.py"],
    "walkthrough/port/__init__.py": [
        "tests/test_mutation_port.py", "tests/test_mutation_port_gaps.py",
        # scan's project= (a package's tests are its own modules): the caller's list
        "tests/test_port_project.py",
        "--deselect=tests/test_port_project.py::test_the_command_on_a_checkout"],
"asyncio_ref/_decode.py": [
    "tests/test_slips_decode.py", "tests/test_bombs.py", "tests/test_mutation_decode.py"],
# test_server.py, test_check_server.py and all but three tests of test_server_hostile.py
# run the twin as a child process (mutmut sees nothing); those three run handle in-process.
**{f"{package}/server.py": [
    "tests/test_mutation_server.py", "tests/test_server_broken_pipe.py",
    "tests/test_server_hostile.py::"
    "test_the_asyncio_twin_never_leaves_a_close_waiting_on_a_client_that_does_not_read",
    "tests/test_server_hostile.py::"
    "test_a_client_that_sends_many_lines_at_once_does_not_hold_the_loop",
    "tests/test_server_hostile.py::"
    "test_a_client_that_does_not_read_gets_a_few_kib_before_the_send_deadline_starts"]
   for package in ("asyncio_ref", "trio_port")},
    "asyncio_ref/crawler.py": CRAWLER_TESTS,
    "trio_port/crawler.py": CRAWLER_TESTS,
    # The lesson twins. Left out: the tests that read a twin's source text, which mutmut
    # rewrites in its copy (docs/mutation.md, "The lesson twins").
    "asyncio_ref/count.py": ["tests/test_count.py"],
    "trio_port/count.py": ["tests/test_count.py"],
    "asyncio_ref/makerandom.py": [
        "tests/test_makerandom.py",
        "tests/test_notebooks.py::test_makerandom_notebook_mode_prints_the_notebooks_numbers",
        "tests/test_mutation_lessons.py"],
    "trio_port/makerandom.py": ["tests/test_makerandom.py", "tests/test_mutation_lessons.py"],
    "asyncio_ref/chained.py": [
        "tests/test_chained.py",
        "tests/test_notebooks.py::test_chained_notebook_mode_prints_the_notebooks_numbers"],
    "trio_port/chained.py": ["tests/test_chained.py"],
    "asyncio_ref/queue.py": ["tests/test_queue.py", "tests/test_mutation_lessons.py"],
    "trio_port/queue.py": ["tests/test_queue.py", "tests/test_mutation_lessons.py"],
    "asyncio_ref/generators.py": [
        "tests/test_generators.py",
        "--deselect=tests/test_generators.py::test_the_twins_hold_the_same_code"],
    "trio_port/generators.py": [
        "tests/test_generators.py",
        "--deselect=tests/test_generators.py::test_the_twins_hold_the_same_code"],
    "asyncio_ref/asyncgen.py": ["tests/test_asyncgen.py", "tests/test_mutation_lessons.py"],
    "trio_port/asyncgen.py": ["tests/test_asyncgen.py", "tests/test_mutation_lessons.py"],
}
#: Outcomes mutmut reports that count as caught (a timeout is a test noticing a hang).
CAUGHT = ("killed", "timeout")


@dataclass
class Mutant:
    name: str       # mutmut's key: module.xǁClassǁmethod__mutmut_N or module.x_function__mutmut_N
    status: str     # killed, survived, timeout, no tests, suspicious, ...
    where: str = ""     # file:line of the first changed line
    removed: str = ""   # the original line(s)
    added: str = ""     # the mutant's line(s)


def export(copy: Path, extra: list[str]) -> None:
    """``HEAD`` into ``copy`` (git archive: tracked files only), then the ``--with`` files."""
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(copy, filter="data")
    for rel in extra:
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).write_bytes((ROOT / rel).read_bytes())


def configure(copy: Path, module: str, tests: list[str], timeout: int) -> None:
    """Append mutmut's table to the copy's pyproject: what to mutate, which tests, timeouts."""
    package = module.split("/")[0] + "/"
    # mutmut runs the tests in copy/mutants/: everything they read (docs, examples, the other
    # package) must be there too. Hidden files and the build output stay behind.
    others = sorted(p.name + ("/" if p.is_dir() else "") for p in copy.iterdir()
                    if not p.name.startswith(".") and p.name not in (package[:-1], "tests",
                                                                       "pyproject.toml"))
    selection = [t for t in tests if t.startswith("--") or (copy / t.split("::")[0]).exists()]
    table = {
        "source_paths": [package],
        "only_mutate": [module],
        "also_copy": others,
        "pytest_add_cli_args_test_selection": selection,
        "pytest_add_cli_args": ["-p", "no:randomly", f"--timeout={timeout}"],
        "use_git_change_detection": False,
    }
    lines = ["", "[tool.mutmut]"] + [f"{key} = {json.dumps(value)}" for key, value in table.items()]
    pyproject = copy / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    if "[tool.mutmut]" in text:
        raise SystemExit("pyproject.toml already has a [tool.mutmut] table: refusing to guess")
    pyproject.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")


def mutmut(copy: Path, tool: Path, *args: str, log: Path | None = None,
           path: Path | None = None) -> str:
    """Run mutmut's CLI with the project's interpreter, mutmut's folder last on sys.path."""
    code = (f"import sys; sys.path.append({str(tool)!r}); sys.argv = ['mutmut', *sys.argv[1:]]; "
            "from mutmut.__main__ import cli; cli()")
    if log is None:
        return subprocess.run([sys.executable, "-c", code, *args], cwd=copy, check=True,
                              capture_output=True, text=True).stdout
    env = {**os.environ, **({"PYTHONPATH": str(path)} if path else {})}
    # The tests' temporary folders under the run's own folder: pytest prunes old ones in its
    # shared root at start, and two runs at once raced there (an unclosed scandir iterator,
    # an error under -W error, stopped one run's first pass).
    env["PYTEST_DEBUG_TEMPROOT"] = str(copy.parent / "tmp")
    (copy.parent / "tmp").mkdir(exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run([sys.executable, "-c", code, *args], cwd=copy, env=env,
                              stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if done.returncode:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"mutmut {' '.join(args)} failed ({done.returncode}):\n{tail}")
    return ""


def show(copy: Path, tool: Path, names: list[str]) -> list[str]:
    """``mutmut show`` of each mutant, in one process (one interpreter start per mutant took
    minutes for a module with a hundred survivors)."""
    mark = "@@mutation.py@@"
    code = (f"import sys; sys.path.append({str(tool)!r})\n"
            "from mutmut.__main__ import cli\n"
            "for name in sys.argv[1:]:\n"
            f"    print({mark!r}, flush=True)\n"
            "    cli(['show', name], standalone_mode=False)\n"
            "    sys.stdout.flush()\n")
    out = subprocess.run([sys.executable, "-c", code, *names], cwd=copy, check=True,
                         capture_output=True, text=True).stdout
    return out.split(mark + "\n")[1:] if names else []


def locate(source: str, mutant: Mutant, diff: str) -> None:
    """Fill in file:line and the changed lines from ``mutmut show``'s function-level diff."""
    removed = [line[1:] for line in diff.splitlines()
               if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff.splitlines()
             if line.startswith("+") and not line.startswith("+++")]
    mutant.removed = " / ".join(line.strip() for line in removed)
    mutant.added = " / ".join(line.strip() for line in added)
    # The diff is of the function alone, dedented: find the function, then the line in it.
    key = mutant.name.rsplit(".", 1)[1].split("__mutmut_")[0]
    parts = key[2:].split("ǁ") if key.startswith("xǁ") else ["", key[2:]]
    start = 1
    scope: list[ast.stmt] = ast.parse(source).body
    if parts[0]:  # a method: look in its class
        scope = next((node.body for node in scope
                      if isinstance(node, ast.ClassDef) and node.name == parts[0]), scope)
    for node in scope:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == parts[-1]:
            start = node.lineno
            break
    lines = source.splitlines()
    first = removed[0].strip() if removed else ""
    # The hunk's header places the line in the function, which tells apart two lines of the
    # same text (a write with a timeout in a loop and after it): the first removed line is
    # that many old-side lines after the hunk's start.
    hunk = re.search(r"^@@ -(\d+)", diff, re.MULTILINE)
    if hunk and first:
        old_side = [line for line in diff[hunk.end():].splitlines()[1:]
                    if not line.startswith("+")]
        offset = next((i for i, line in enumerate(old_side) if line.startswith("-")), None)
        if offset is not None:
            number = start + int(hunk.group(1)) - 1 + offset
            if 0 < number <= len(lines) and lines[number - 1].strip() == first:
                mutant.where = f":{number}"
                return
    for number in range(start, len(lines) + 1):  # the hunk did not match: the first such line
        if first and lines[number - 1].strip() == first:
            mutant.where = f":{number}"
            return
    mutant.where = f":{start}"


def run(module: str, tests: list[str], extra: list[str], timeout: int, keep: bool,
        out: Path | None, only: list[str] | None = None) -> int:
    work = Path(tempfile.mkdtemp(prefix="mutation-"))
    copy, tool = work / "repo", work / "mutmut"
    copy.mkdir()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.strip()
    print(f"copy of HEAD ({commit}) in {work}" + ("" if keep else " (removed at the end)")
          + (f", with {' '.join(extra)} from the work tree" if extra else ""), flush=True)
    export(copy, extra)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "--disable-pip-version-check", "--target", str(tool), MUTMUT], check=True)
    # The mutated module imports mutmut's trampoline: a test's child process (a crawl, a
    # `walkthrough check` run) that imports it needs mutmut too. A sitecustomize in the copy
    # (whose folder such tests put on PYTHONPATH) and in a folder on the run's PYTHONPATH
    # appends mutmut's folder to every child's sys.path, after the project's own packages.
    site = work / "site"
    site.mkdir()
    for folder in (site, copy):
        (folder / "sitecustomize.py").write_text(
            f"import sys\nsys.path.append({str(tool)!r})\n", encoding="utf-8")
    configure(copy, module, tests, timeout)
    start = time.monotonic()
    log = work / "mutmut-run.log"
    try:
        mutmut(copy, tool, "run", "--max-children", "1", *(only or []), log=log, path=site)
    except SystemExit:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
        raise
    seconds = time.monotonic() - start
    mutants = [Mutant(*(part.strip() for part in line.rsplit(":", 1)))
               for line in mutmut(copy, tool, "results", "--all", "true").splitlines()
               if "__mutmut_" in line]
    source = (copy / module).read_text(encoding="utf-8")
    # With --mutants, the others are "not checked": neither listed nor counted in the score.
    checked = [m for m in mutants if m.status != "not checked"]
    uncaught = [m for m in checked if m.status not in CAUGHT]
    for m, diff in zip(uncaught, show(copy, tool, [m.name for m in uncaught]), strict=True):
        locate(source, m, diff)
        m.where = module + m.where
    counts = {status: sum(m.status == status for m in mutants)
              for status in sorted({m.status for m in mutants})}
    caught = sum(counts.get(s, 0) for s in CAUGHT)
    print(f"{module}: {len(mutants)} mutants in {seconds:.0f} s: "
          + ", ".join(f"{n} {s}" for s, n in counts.items())
          + (f"; caught {caught}/{len(checked)} ({100 * caught / len(checked):.1f}%)"
             if checked else ""))
    for m in uncaught:
        print(f"{m.status}: {m.where}: - {m.removed}\n{' ' * len(m.status)}  "
              f"{' ' * len(m.where)}  + {m.added}   [{m.name.rsplit('.', 1)[1]}]")
    if out:
        out.write_text(json.dumps({"module": module, "commit": commit, "with": extra,
                                   "tests": tests, "seconds": round(seconds),
                                   "mutants": [asdict(m) for m in mutants]}, indent=1,
                                  ensure_ascii=False) + "\n", encoding="utf-8")
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if mutants else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=f"Installs {MUTMUT} from the package index with `pip install --target` into the "
               "temporary folder (never into the project's venv), exports HEAD there with git "
               "archive, and mutates only that copy. Not part of CI. Run it under `nice -n 19`.")
    parser.add_argument("module", nargs="?", help="a module path, e.g. trio_port/_decode.py")
    parser.add_argument("--list", action="store_true", help="the modules known, and their tests")
    parser.add_argument("--tests", nargs="+", metavar="TEST",
                        help="these tests instead of the module's list")
    parser.add_argument("--with", dest="extra", nargs="+", default=[], metavar="PATH",
                        help="work-tree files copied over HEAD's (a new test, not yet committed)")
    parser.add_argument("--deselect", action="append", default=[], metavar="NODEID",
                        help="leave out a test that fails on HEAD itself (mutmut needs the "
                             "unmutated run to pass); the page names it")
    parser.add_argument("--mutants", nargs="+", metavar="NAME",
                        help="only these mutants: mutmut's names, or fnmatch patterns such as "
                             "'trio_port._transport.xǁTrioH11Transportǁ_connect__mutmut_*' (a "
                             "run stopped at a deadline goes on with the ones it did not reach); "
                             "the others are reported as 'not checked'")
    parser.add_argument("--timeout", type=int, default=60, help="seconds per test (60)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--out", type=Path, help="write every mutant and outcome as JSON")
    args = parser.parse_args(argv)
    if args.list or not args.module:
        for module, covering in MODULES.items():
            print(f"{module}: {' '.join(covering)}")
        return 0
    if not re.fullmatch(r"[\w/]+\.py", args.module) or not (ROOT / args.module).is_file():
        parser.error(f"no module {args.module!r}")
    tests: list[str] = args.tests or MODULES.get(args.module, [])
    if not tests:
        parser.error(f"no tests known for {args.module}: give --tests")
    tests = [*tests, *(f"--deselect={node}" for node in args.deselect)]
    return run(args.module, tests, args.extra, args.timeout, args.keep, args.out, args.mutants)


if __name__ == "__main__":
    sys.exit(main())
