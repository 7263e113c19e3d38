"""Progress reporting for a run: one rich progress task per stage, or nothing at all."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class Stages:
    """Reports stages as they start and finish; silent unless a console is given."""

    def __init__(self, names: Sequence[str], console: Console | None):
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        if console is not None:
            self._progress = Progress(
                TextColumn("{task.description:<28}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"),
                TimeElapsedColumn(),
                console=console,
            )
            self._tasks = {n: self._progress.add_task(n, total=1, start=False) for n in names}

    @contextmanager
    def running(self) -> Iterator[Stages]:
        if self._progress is None:
            yield self
            return
        with self._progress:
            yield self

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self._progress is not None:
            self._progress.start_task(self._tasks[name])
        yield
        if self._progress is not None:
            self._progress.update(self._tasks[name], completed=1)
