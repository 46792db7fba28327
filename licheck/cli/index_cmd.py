"""`licheck index ...`: build and inspect indexes."""

from __future__ import annotations

import json

import click
from rich.markup import escape

from licheck.cli.common import err_console, index_option, out_console, progress_bar
from licheck.errors import UsageError


@click.group()
def index() -> None:
    """Build and inspect an index of open-source code."""


@index.command("add")
@click.argument("paths", nargs=-1, required=True)
@index_option()
@click.option("--name", help="Source name (default: the folder's name). Only with one PATH.")
@click.option("--version", "version", default="", help="Source version. Only with one PATH.")
@click.option("--license", "license_", help="SPDX expression for the source (default: detected).")
@click.option("--url", default="", help="Where the source came from (shown in findings).")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None, help="Worker processes (default: all cores).")
def add_cmd(paths: tuple[str, ...], index_path: str, name: str | None, version: str, license_: str | None,
            url: str, jobs: int | None) -> None:
    """Index each PATH (a folder or file) as one source."""
    from pathlib import Path

    from licheck.indexer import SourceSpec, add_source
    from licheck.store.index_db import IndexDB

    if len(paths) > 1 and (name or version):
        raise UsageError("--name and --version apply to one PATH; run `index add` once per source")
    console = err_console()
    with IndexDB.open_for_write(index_path) as db:
        for raw in paths:
            spec = SourceSpec(Path(raw), name=name, version=version, license=license_, url=url)
            with progress_bar(f"indexing {raw}") as progress:
                result = add_source(db, spec, jobs=jobs, progress=progress)
            src = result.source
            label = f"{src.name} {src.version}".strip()
            if result.unchanged:
                console.print(f"{label}: already indexed, unchanged")
                continue
            console.print(escape(f"{label}: {result.files} files, {result.units} new units, license {src.license} "
                                 f"({src.license_category}) from {src.license_origin or 'nowhere'}"
                                 + (f", {len(result.skipped)} skipped" if result.skipped else "")))
            for skipped in result.skipped[:20]:
                console.print(f"  [dim]skipped {escape(skipped.path)}: {escape(skipped.reason)}[/]")


@index.command("info")
@index_option()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def info_cmd(index_path: str, fmt: str) -> None:
    """Show what an index holds and how it was built."""
    from licheck.store.index_db import IndexDB

    with IndexDB.open_readonly(index_path) as db:
        sources = db.list_sources()
        meta = db.meta()
        units = db.unit_count()
    data = {"path": index_path, "sources": len(sources), "units": units, "meta": meta, "source_list": sources}
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"{index_path}: {len(sources)} sources, {units} units")
    for column in ("name", "version", "license", "category", "license from", "files", "units"):
        table.add_column(column)
    for s in sources:
        table.add_row(str(s["name"]), str(s["version"]), str(s["license"]), str(s["license_category"]),
                      str(s["license_origin"]), str(s["file_count"]), str(s["unit_count"]))
    out_console().print(table)


@index.command("list")
@index_option()
def list_cmd(index_path: str) -> None:
    """List the sources in an index, one per line."""
    from licheck.store.index_db import IndexDB

    with IndexDB.open_readonly(index_path) as db:
        for s in db.list_sources():
            click.echo(f"{s['name']}\t{s['version']}\t{s['license']}\t{s['origin']}")


@index.command("remove")
@click.argument("source")
@index_option()
@click.option("--version", "version", default=None, help="Only this version.")
def remove_cmd(source: str, index_path: str, version: str | None) -> None:
    """Remove a source (all its versions unless --version) from the index."""
    from licheck.store.index_db import IndexDB

    with IndexDB.open_for_write(index_path) as db:
        with db.transaction():
            removed = db.remove_source(source, version)
    if not removed:
        raise UsageError(f"no source named {source!r} in {index_path}", hint="see `licheck index list`")
    err_console().print(f"removed {removed} source(s) named {source}")
