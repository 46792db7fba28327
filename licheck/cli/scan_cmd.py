"""`licheck scan`: flag code strikingly similar to indexed code."""

from __future__ import annotations

import click

from licheck.cli.common import err_console, index_option, out_console, progress_bar
from licheck.errors import EXIT_CLEAN, EXIT_VIOLATION, UsageError


@click.command()
@click.argument("paths", nargs=-1)
@index_option()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report here.")
@click.option("--striking-only", is_flag=True, help="Report only striking findings.")
@click.pass_context
def scan(ctx: click.Context, paths: tuple[str, ...], index_path: str, fmt: str, output: str | None,
         striking_only: bool) -> None:
    """Scan files or folders for code strikingly similar to indexed open-source code.

    Exit codes: 0 clean, 1 findings that break the license policy, 2 usage or input error.
    """
    from licheck.report.json_report import render_json
    from licheck.scanner import Scanner, ScanSettings, targets_from_paths
    from licheck.store.index_db import IndexDB

    if not paths:
        raise UsageError("nothing to scan", hint="pass files or folders")
    targets = targets_from_paths(paths)
    settings = ScanSettings(include_similar=not striking_only)
    with IndexDB.open_readonly(index_path) as db:
        with progress_bar("scanning") as progress:
            report = Scanner(db, settings).scan(targets, progress=progress)
    if fmt == "json":
        text = render_json(report)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            click.echo(text, nl=False)
    else:
        from licheck.report.table import render_table

        if output:
            from rich.console import Console

            with open(output, "w", encoding="utf-8") as handle:
                render_table(report, Console(file=handle, width=160, no_color=True))
        else:
            render_table(report, out_console())
    if report.skipped and fmt == "json":
        err_console().print(f"{len(report.skipped)} file(s) skipped (see the report's 'skipped' list)")
    ctx.exit(EXIT_VIOLATION if report.violations else EXIT_CLEAN)
