"""`licheck report FILE.json`: the side-by-side HTML report of a saved JSON scan report."""

from __future__ import annotations

from pathlib import Path

import click

from licheck.cli.scan_cmd import write_output
from licheck.errors import EXIT_CLEAN


@click.command()
@click.argument("report_file", metavar="FILE.json", type=click.Path(dir_okay=False))
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the HTML page here.")
@click.option("--index", "index_path", type=click.Path(dir_okay=False),
              help="Index to read source code from. Default: the one the report names.")
@click.option("--root", type=click.Path(file_okay=False, exists=True), default=".", show_default=True,
              help="Folder the report's file paths are relative to (where the scan ran).")
@click.option("--path", "paths", multiple=True, metavar="FILE",
              help="Only the findings in this scanned file (repeatable).")
@click.pass_context
def report(ctx: click.Context, report_file: str, output: str | None, index_path: str | None, root: str,
           paths: tuple[str, ...]) -> None:
    """Render a saved `licheck scan --format json` report as one self-contained HTML page.

    Query code is re-read from the scanned files (under --root), source code from the index. Missing files
    or a missing index are said in the page; the rest is still shown. Exit codes: 0 written, 2 input error.
    """
    from licheck.report.html import only_paths, read_json_report, render_saved_html

    data = read_json_report(report_file)
    if paths:
        data = only_paths(data, paths)
    write_output(render_saved_html(data, root=Path(root), index_path=index_path), output)
    ctx.exit(EXIT_CLEAN)
