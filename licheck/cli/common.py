"""Options and helpers shared by commands: the --index option, consoles, progress bars."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # rich is imported when a command runs, not when `--help` is asked for
    from rich.console import Console


def index_option(*, creates: bool = False) -> Callable[[Any], Any]:
    """--index FILE, else LICHECK_INDEX, else the config's ``index``, else the default index (which commands that
    build create, and the others require: "no index yet" is exit 2)."""

    def resolve(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
        from licheck.config import configured_index, resolve_index

        return resolve_index(value or configured_index(), creates=creates)

    return click.option(
        "--index", "index_path", envvar="LICHECK_INDEX", type=click.Path(), callback=resolve,
        help="Index file (SQLite), or a sharded index's folder. Also from LICHECK_INDEX or the config's `index`; default: the user cache's "
             "index.sqlite (`licheck index manifests` shows where).",
    )


def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")), highlight=False)


def out_console() -> Console:
    from rich.console import Console

    return Console(no_color=bool(os.environ.get("NO_COLOR")), highlight=False, soft_wrap=False)


def _stderr_is_terminal() -> bool:
    try:
        return os.isatty(2)
    except OSError:
        return False


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback drawing a bar on stderr when it is a terminal, silent otherwise."""
    console = err_console() if _stderr_is_terminal() else None
    if console is None or not console.is_terminal:  # hooks and CI: no bar, and rich is not even imported
        yield lambda stage, done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), console=console, transient=True)
    task = progress.add_task(description, total=None, rate="")

    def update(stage: str, done: int, total: int) -> None:
        elapsed = progress.tasks[0].elapsed or 0.0
        rate = f"{done / elapsed:.0f} {stage}/s" if elapsed > 0.5 else ""
        progress.update(task, completed=done, total=total or None, rate=rate)

    with progress:
        yield update
