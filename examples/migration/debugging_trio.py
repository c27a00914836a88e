"""What is my program doing right now? Trio has no ``all_tasks()``: walk the task tree.

Every Trio task lives in a nursery, and every nursery belongs to a task, so the tasks form a
tree whose root is ``trio.lowlevel.current_root_task()``. Walking it gives what
``asyncio.all_tasks()`` gives, plus the nursery each task lives in (usually, not always, who
started it); ``task.iter_await_frames()`` says where each one is suspended. An *Instrument*
(``trio.abc.Instrument``) is told of every spawn, exit and step as it happens, which
``all_tasks()`` cannot do; ``TaskLog`` below records spawns and exits. And ``python -m trio`` is
a REPL in which ``await`` works at the prompt.
"""

from __future__ import annotations

import trio
import trio.lowlevel


async def worker(*, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
    task_status.started()
    await trio.sleep_forever()  # waits here until cancelled


def snapshot() -> list[str]:
    """Every task of the run, sorted by name: where each one is suspended (Trio's own tasks
    and the root left out, to match the asyncio list)."""
    lines = []
    for task, _depth in walk(trio.lowlevel.current_root_task()):
        if task.name.startswith(("<", "trio.")):  # the root, Trio's own system tasks
            continue
        frames = [frame.f_code.co_name for frame, _ in task.iter_await_frames()
                  if not frame.f_globals.get("__name__", "").startswith("trio")]  # our code
        lines.append(f"{task.name} waits in {frames[-1] if frames else '(not started)'}")
    return sorted(lines)


def walk(task: trio.lowlevel.Task | None, depth: int = 0,
         ) -> list[tuple[trio.lowlevel.Task, int]]:
    """The task and its descendants, depth first: the tree all_tasks() cannot show."""
    assert task is not None, "outside a Trio run"
    found = [(task, depth)]
    for nursery in task.child_nurseries:
        for child in nursery.child_tasks:
            found += walk(child, depth + 1)
    return found


def tree() -> list[str]:
    return [f"{'  ' * depth}{task.name}" for task, depth in walk(trio.lowlevel.current_root_task())
            if not task.name.startswith("trio.")]


class TaskLog(trio.abc.Instrument):
    """Told of every task as it is spawned and as it exits, in order."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def task_spawned(self, task: trio.lowlevel.Task) -> None:
        self.events.append(f"spawned {task.name}")

    def task_exited(self, task: trio.lowlevel.Task) -> None:
        self.events.append(f"exited {task.name}")


async def supervisor(*, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
    async with trio.open_nursery() as nursery:
        await nursery.start(worker, name="heartbeat")
        task_status.started()
        await trio.sleep_forever()


async def main() -> list[str]:
    trio.lowlevel.current_task().name = "main"
    async with trio.open_nursery() as nursery:
        for n in range(2):
            await nursery.start(worker, name=f"worker-{n}")
        await nursery.start(supervisor, name="supervisor")
        lines = snapshot()
        nursery.cancel_scope.cancel()
    return lines


if __name__ == "__main__":
    print(*trio.run(main), sep="\n")
