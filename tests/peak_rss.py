"""``python tests/peak_rss.py OUT MODULE ARGS``: run ``python -m MODULE ARGS``, write its peak RSS.

The peak is the kernel's high-water mark ``VmHWM`` of this process, read at exit and written to
``OUT`` in kB. Why not ``wait4``'s ``ru_maxrss`` from the parent: it counts the moments between
``fork`` and ``exec`` when the child is still a copy of pytest (docs/reliability.md), while
``VmHWM`` starts over at ``exec``. ``sys.exit`` and ``KeyboardInterrupt`` still run the report.
"""

from __future__ import annotations

import atexit
import runpy
import sys
from pathlib import Path


def _report(out: Path) -> None:
    status = Path("/proc/self/status").read_text(encoding="ascii")
    peak = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    out.write_text(peak, encoding="ascii")


if __name__ == "__main__":
    out, module, *args = sys.argv[1:]
    atexit.register(_report, Path(out))
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
