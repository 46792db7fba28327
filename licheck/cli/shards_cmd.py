"""`licheck index compact` and `index merge`: a sharded index folder ⇄ one index file."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from licheck.cli.common import err_console


@click.command("compact")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="The index file to write (replaced atomically if it exists).")
def compact_cmd(folder: str, output: str) -> None:
    """Write a sharded index FOLDER as one index file."""
    from licheck.store.shards import compact_index

    units = compact_index(folder, output)
    err_console().print(escape(f"{output}: {units} units from {folder}"))


@click.command("merge")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True), metavar="INDEX...")
@click.option("-o", "--output", "output", required=True, type=click.Path(),
              help="A sharded folder (with --shards, or an existing sharded folder) or an index file.")
@click.option("--shards", type=click.IntRange(1, 256), default=None,
              help="Write a sharded folder of this many band shards (default for an existing folder: 4).")
def merge_cmd(inputs: tuple[str, ...], output: str, shards: int | None) -> None:
    """Merge indexes (files or sharded folders) into one: a sharded folder or one file.

    A source already taken from an earlier INDEX (same name and version) is skipped; a content held by several
    is stored once; lineages and the null distribution are derived again for the merged index. The output is
    written beside its target and swapped in, so scans keep reading the old index meanwhile.
    """
    from licheck.decide.derive import derive_statistics
    from licheck.store.merge import merge_indexes

    result = merge_indexes([Path(p) for p in inputs], Path(output), shards=shards, derive=derive_statistics)
    for name, version in result.duplicates:
        err_console().print(escape(f"skipped {name} {version}: already taken from an earlier INDEX"))
    err_console().print(escape(f"{output}: {result.sources} sources, {result.units} units"
                               + (f" in {result.shards} shards" if result.shards else " in one file")))
