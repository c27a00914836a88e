"""``walkthrough port`` (``names.py``): the module's untested corners, found as a whole.

Issue 27 asks every shipped module to score 90% or more. Three random samples of
``names.py``'s mutants (seeds 27, 28, 29, ``docs/mutation.md``) each had tests written for
their own survivors, yet each *fresh* sample still scored under 90%: every sample found new
untested corners. So this file does not chase one more sample. It starts from what no test
reached at all (branch coverage of the module under its tests), then from every mutant of
the functions that had the most survivors, run in full (not sampled), and writes one test
per kind of slip left. Each test is a short program in the style real asyncio code has,
scanned as a user's file, with the lines the slip changes:

* what a reference is: a subscript key is a reference up to 60 characters of text, no
  further (the edge of that limit, both sides);
* what a container gives back: an item of a list of tasks (``tasks[0]``), a string class
  name inside a container annotation that does not end the search for asyncio's class;
* what a call hands on to a function of the file: a ``*args`` stops the positional
  arguments but not the keywords, and a parameter with an annotation of its own is skipped,
  not the end of the hand-in.
"""

from __future__ import annotations

from tests.test_mutation_port_gaps import found, rows

# -- what a reference is -------------------------------------------------------------------------


def test_a_subscript_key_is_a_reference_up_to_sixty_characters_and_no_further() -> None:
    """``app["client_session"] = aiohttp.ClientSession()`` makes ``app["client_session"]`` a
    session wherever it is read. The key is the subscript's text, kept only up to 60
    characters (a longer one is an expression, an f-string, seldom spelled twice the same):
    a key of exactly 60 is followed, one of 61 is not, so its ``.get(url)`` is no finding."""
    source = """\
        import aiohttp

        async def on_startup(app):
            app[{key}] = aiohttp.ClientSession()

        async def fetch(app, url):
            async with app[{key}].get(url) as resp:
                return await resp.text()
        """
    key = '"shared_client_session_of_the_application_for_outbound_http"'
    assert len(key) == 60
    lines = rows(source.format(key=key))
    assert lines[7] == {"aiohttp-client"} and lines[8] == {"aiohttp-client"}
    longer = rows(source.format(key=key[:-1] + 's"'))
    assert 7 not in longer and 8 not in longer
    assert longer[4] == {"aiohttp-client"}  # the session made is found all the same


# -- what a container gives back -----------------------------------------------------------------


def test_an_item_of_a_list_of_tasks_is_a_task() -> None:
    """``tasks = [create_task(...) for ...]``: ``tasks[0]`` and ``tasks[-1]`` are tasks, so
    their ``cancel()`` and ``await`` are a task's."""
    lines = found("""\
        import asyncio

        async def main():
            tasks = [asyncio.create_task(asyncio.sleep(i)) for i in range(3)]
            tasks[0].cancel()
            await tasks[-1]
        """)
    assert lines[5] == {"task.cancel"}
    assert lines[6] == {"await task"}


def test_a_string_class_name_in_a_container_annotation_does_not_end_the_search() -> None:
    """``list[tuple["Job", asyncio.Task]]``: the quoted ``"Job"`` names no asyncio class, and
    the search goes on to ``asyncio.Task``, so the list's items are tasks (``self.running[0]``
    is one), as without the quotes; and ``list["asyncio.Task"]``, asyncio's class quoted
    inside the container, is a list of tasks too, not one task."""
    source = """\
        import asyncio

        class Runner:
            def __init__(self):
                self.running: {annotation} = []

            def stop(self):
                self.running[0].cancel()
        """
    for annotation in ('list[tuple["Job", asyncio.Task]]', "list[tuple[Job, asyncio.Task]]",
                       'list["asyncio.Task"]'):
        lines = found(source.format(annotation=annotation))
        assert lines[8] == {"service", "task.cancel"}, annotation


# -- what a call hands on to a function of the file ----------------------------------------------


def test_a_starred_argument_stops_the_positional_hand_in_but_not_the_keywords() -> None:
    """``consume(*pair, inbox=jobs)``: after a ``*args`` the tool cannot tell which parameter
    gets which value, so it stops pairing positions there; a keyword still names its
    parameter, so ``inbox`` is the queue and its ``get()`` is a queue's."""
    lines = found("""\
        import asyncio

        async def consume(name, *, inbox):
            while True:
                print(name, await inbox.get())

        async def main(pairs):
            jobs = asyncio.Queue()
            await asyncio.gather(*(consume(*pair, inbox=jobs) for pair in pairs))
        """)
    assert lines[5] == {"queue.get"}


def test_a_parameter_with_its_own_annotation_is_skipped_not_the_end_of_the_hand_in() -> None:
    """``drain("x", jobs)`` into ``drain(label: str, outbox)``: what the signature says of
    ``label`` wins over the argument, and the next parameter, with no annotation, still gets
    the queue."""
    lines = found("""\
        import asyncio

        async def drain(label: str, outbox):
            print(label, await outbox.get())

        async def main():
            jobs = asyncio.Queue()
            await drain("x", jobs)
        """)
    assert lines[4] == {"queue.get"}
