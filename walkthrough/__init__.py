"""The neutral package: what belongs to neither version of a lesson.

- :mod:`walkthrough.catalogue`: the eight lessons (the notebook's seven plus the server), their
  notebook sections and parameters;
- :mod:`walkthrough.clocks`: virtual clocks for asyncio, Trio and plain ``time.sleep``;
- :mod:`walkthrough.trace`: what a run printed, when, and how two runs compare;
- :mod:`walkthrough.runner`: run a lesson under either framework and capture its trace;
- :mod:`walkthrough.cli`: the ``walkthrough`` command.

Arrows point one way: this package imports :mod:`asyncio_ref` and :mod:`trio_port`,
never the reverse.
"""
