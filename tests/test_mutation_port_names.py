"""``walkthrough port`` follows names (``names.py``, ``constructs.py``): sampled mutmut survivors.

``scripts/mutation.py walkthrough/port/names.py`` on a random sample of 120 of its mutants
(issue 27, ``docs/mutation.md``) found these kinds of slip that the unit tests missed, each a
way an asyncio object stops being followed to where it is used:

* what a call *gives back* through a wrapper: ``asyncio.wait_for``/``shield`` of a call,
  ``contextvars.Context.run(asyncio.create_task, ...)``, an item popped from a set of tasks, a
  loop popped from ``**kwargs``;
* what a class *hands out*: a ``@property`` returning a loop, a field set with
  ``setattr``;
* what asyncio *hands in*: a future's done-callback gets the future; ``await x.serve_forever()``
  is an asyncio server whatever ``x`` was;
* how a name is judged by its spelling: ``set_event_loop`` is no loop, ``asyncio`` and ``x_aio``
  are submodules named for async I/O, asyncio is never a file's own package;
* odd but legal shapes the scan stopped on under a slip (IndexError, AttributeError), and the
  pair ``open_connection`` gives, through ``wait_for``.

The same run on ``constructs.py`` (the visitor that labels each use) found: ``wait_for`` with its
timeout in ``**opts`` (the scan stopped on ``StopIteration`` under the slip), ``wait_for(x, None)``
read as the await of what it waits for, a ``# type:`` comment typing a field, an annotated list of
futures as a collection kept by hand.

Each case is a short program in the style real code has; each asserts the line that uses the
followed object gets its row (the rest of the tool's behaviour on these lines is covered in
``tests/test_port_constructs.py``).
"""

from __future__ import annotations

import ast
import textwrap

from walkthrough import port
from walkthrough.port import names


def found(source: str) -> dict[int, set[str]]:
    """Line → the constructs the tool names there."""
    lines: dict[int, set[str]] = {}
    for finding in port.scan(textwrap.dedent(source), "case.py"):
        lines.setdefault(finding.line, set()).add(finding.construct)
    return lines


# -- what a call gives back through a wrapper ----------------------------------------------------


def test_wait_for_and_shield_of_a_call_give_what_the_call_gives() -> None:
    """``await asyncio.wait_for(session.get(u), t)`` is a response, and so is ``shield``'s."""
    waited = found("""\
        import asyncio
        import aiohttp

        async def main(session: aiohttp.ClientSession, url):
            resp = await asyncio.wait_for(session.get(url), 5)
            return resp.status
        """)
    assert "response" in waited[6]
    shielded = found("""\
        import asyncio
        import aiohttp

        async def main(session: aiohttp.ClientSession, url):
            resp = await asyncio.shield(session.get(url))
            return resp.status
        """)
    assert "response" in shielded[6]


def test_a_task_made_through_a_context_s_run_is_a_task() -> None:
    """``ctx.run(asyncio.create_task, coro)`` returns the task ``create_task`` made."""
    lines = found("""\
        import asyncio
        import contextvars

        async def main(coro):
            ctx = contextvars.copy_context()
            task = ctx.run(asyncio.create_task, coro)
            task.cancel()
        """)
    assert lines[7] == {"task.cancel"}


def test_an_item_popped_from_a_set_of_tasks_is_a_task() -> None:
    lines = found("""\
        import asyncio

        class Pool:
            def __init__(self):
                self.tasks: set[asyncio.Task] = set()

            def drop_one(self):
                task = self.tasks.pop()
                task.cancel()
        """)
    assert "task.cancel" in lines[9]


def test_a_loop_taken_out_of_keyword_arguments_is_a_loop() -> None:
    """``self._ev = kwargs.pop("loop", None)``: the old ``loop=`` parameter, whatever the
    field is called."""
    lines = found("""\
        import asyncio

        class Client:
            def __init__(self, **kwargs):
                self._ev = kwargs.pop("loop", None)

            def now(self):
                return self._ev.time()
        """)
    assert lines[8] == {"loop.time"}


# -- what a class hands out ---------------------------------------------------------------------


def test_a_property_that_returns_a_loop_makes_self_attribute_a_loop() -> None:
    """A property's result is read as ``self.<name>`` with no call: it takes the kind its
    return statement gives (no annotation needed)."""
    lines = found("""\
        import asyncio

        class Client:
            @property
            def loop(self):
                return asyncio.get_event_loop()

            def now(self):
                return self.loop.time()
        """)
    assert lines[9] == {"loop.time"}


def test_a_field_set_with_setattr_is_followed_as_an_assignment() -> None:
    lines = found("""\
        import asyncio

        class Thing:
            def __init__(self):
                setattr(self, "clock", asyncio.get_event_loop())

            def now(self):
                return self.clock.time()
        """)
    assert lines[8] == {"loop.time"}


# -- what asyncio hands in -----------------------------------------------------------------------


def test_a_future_s_done_callback_is_handed_the_future() -> None:
    lines = found("""\
        import asyncio

        def done(fut):
            fut.cancel()

        async def main():
            fut = asyncio.Future()
            fut.add_done_callback(done)
        """)
    assert lines[4] == {"future.cancel"}


def test_awaiting_serve_forever_is_an_asyncio_server_whatever_made_it() -> None:
    """``await server.serve_forever()`` is asyncio's (``socketserver``'s is not awaited)."""
    lines = found("""\
        import asyncio

        async def main(make):
            server = await make()
            await server.serve_forever()
        """)
    assert lines[5] == {"lowserver.serve_forever"}


# -- how a name is judged by its spelling --------------------------------------------------------


def test_a_function_s_or_a_flag_s_name_ending_in_loop_is_no_loop() -> None:
    """``set_event_loop``/``run_loop``/``is_loop`` name a function or a flag, not a loop."""
    assert [names.loop_param(name) for name in ("set_event_loop", "run_loop", "is_loop")] \
        == [False, False, False]
    assert names.loop_param("main_loop") and names.loop_param("_event_loop")


def test_a_submodule_named_for_async_io_by_its_whole_name_or_its_suffix() -> None:
    assert names._async_named("asyncio") and names._async_named("x_aio")
    assert not names._async_named("plain")


def test_asyncio_s_own_modules_make_no_file_asyncio_s_own() -> None:
    """Code that imports a sibling both ways is that package's own, but never asyncio's:
    asyncio's backports and private modules are still asyncio to port."""
    tree = ast.parse("from .events import x\nfrom asyncio.events import y\n"
                     "from .core import z\nfrom aiostream.core import s\n")
    assert names.own_packages(tree) == {"aiostream"}


# -- the scan never stops on legal code; a pair through wait_for ----------------------------------


def test_odd_but_legal_shapes_are_scanned_not_crashed_on() -> None:
    """A protocol callback that takes no transport, a pair unpacked from a call on a field's
    field, a field bound to asyncio's function: each a shape the followers must step past."""
    lines = found("""\
        import asyncio

        class Quiet(asyncio.Protocol):
            def connection_made(self):
                pass

        class Client:
            def start(self):
                host, port = self.config.address()
                return asyncio.open_connection(host, port)

        class Pacer:
            def __init__(self):
                self.sleep = asyncio.sleep
        """)
    assert lines[3] == {"asyncio.Protocol"}
    assert lines[10] == {"asyncio.open_connection"}
    assert lines[14] == {"asyncio.sleep"}


def test_the_pair_open_connection_gives_through_wait_for() -> None:
    """``r, w = await wait_for(open_connection(...), t)``: ``w`` is still a stream."""
    lines = found("""\
        import asyncio

        async def main(host, port):
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
            writer.close()
        """)
    assert lines[5] == {"stream"}


# -- constructs.py (its own sampled run) ---------------------------------------------------------


def test_wait_for_with_its_timeout_in_keyword_unpacking_is_still_wait_for() -> None:
    """``wait_for(coro, **opts)``: no timeout to read; the scan must not stop on it."""
    lines = found("""\
        import asyncio

        async def main(coro, opts):
            return await asyncio.wait_for(coro, **opts)
        """)
    assert lines[4] == {"asyncio.wait_for"}


def test_wait_for_with_no_timeout_is_the_row_of_what_it_awaits() -> None:
    """``wait_for(task, None)`` is a plain ``await task``; of a coroutine, it stays wait_for."""
    lines = found("""\
        import asyncio

        async def work():
            pass

        async def main():
            task = asyncio.create_task(work())
            await asyncio.wait_for(task, None)
            await asyncio.wait_for(work(), None)
        """)
    assert lines[8] == {"await task"}
    assert lines[9] == {"asyncio.wait_for"}


def test_a_type_comment_types_a_field_as_an_annotation_would() -> None:
    lines = found("""\
        import asyncio

        class Timer:
            def __init__(self):
                self.handle = None  # type: asyncio.Handle
        """)
    assert lines[5] == {"asyncio.Handle"}


def test_an_annotated_list_of_futures_is_a_collection_kept_by_hand() -> None:
    lines = found("""\
        import asyncio

        class Waiters:
            def __init__(self):
                self.futures: list[asyncio.Future] = []
        """)
    assert lines[5] == {"asyncio.Future", "task set"}
