"""``trio.testing``, imported without pytest: a tenth of a second in every process that needs it.

Example::

    from walkthrough._trio_testing import MockClock

``trio.testing`` imports pytest whenever it is installed, only so that ``RaisesGroup`` can
hand out pytest's ``ExceptionInfo`` (``trio/testing/_raises_group.py``: ``from pytest import
ExceptionInfo``, with a stand-in of trio's own if that import fails). Importing pytest costs
about 0.1 s of CPU, which every ``walkthrough check`` child (one per case) and every
``walkthrough run --virtual`` paid for a class they never use: measured with ``python -X
importtime -c "import walkthrough.learner.child"``, 0.23 s before, 0.13 s after.

So the first import of ``trio.testing`` in a process that has not imported pytest is made
with pytest hidden, and trio takes its stand-in. Nothing is lost: no module here uses
``RaisesGroup``, and ``sys.modules`` is restored at once, so a later ``import pytest`` (in a
notebook, say) works as ever. In a process that already has pytest (a test run), or has
already imported ``trio.testing``, this changes nothing.

Import ``MockClock`` from here, or import this module before anything that imports
``trio.testing`` (``walkthrough.learner`` does, first).
"""

from __future__ import annotations

import sys

if "trio.testing" not in sys.modules and "pytest" not in sys.modules:
    sys.modules["pytest"] = None  # type: ignore[assignment]  # makes `import pytest` fail
    try:
        import trio.testing  # noqa: F401  # the import is the point
    finally:
        del sys.modules["pytest"]

from trio.testing import MockClock

__all__ = ["MockClock"]
