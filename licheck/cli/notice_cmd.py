"""`licheck notice`: draft the attribution / NOTICE entries that the findings' licenses require."""

from __future__ import annotations

import click

from licheck.cli.scan_cmd import run_scan, scan_input_options, write_output
from licheck.errors import EXIT_CLEAN


@click.command()
@scan_input_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the entries here.")
@click.pass_context
def notice(ctx: click.Context, output: str | None, **scan_options: object) -> None:
    """Scan, and write one NOTICE entry per matched source whose license asks for attribution.

    Each entry names the source, its license and URL, and every place its code is used. Exit code 0 unless
    the scan could not run (2): a NOTICE is a draft to review, not a policy check.
    """
    from licheck.notice import notice_entries, render_notice

    outcome = run_scan(**scan_options)  # type: ignore[arg-type]
    write_output(render_notice(notice_entries(outcome.report, reasons=outcome.reasons)), output)
    ctx.exit(EXIT_CLEAN)
