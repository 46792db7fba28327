"""`licheck baseline create|update FILE`: record the current findings as accepted, so they are not reported again."""

from __future__ import annotations

from pathlib import Path

import click

from licheck.cli.common import err_console
from licheck.cli.scan_cmd import run_scan, scan_input_options
from licheck.errors import EXIT_CLEAN, UsageError


@click.group()
def baseline() -> None:
    """Accepted findings: a file of finding ids that `licheck scan --baseline FILE` does not report again.

    Ids are keyed by (scanned file, matched source file, fingerprint of the matched code), so they survive
    lines shifting; a new copy, or a changed one, is a new finding.
    """


@baseline.command()
@click.argument("baseline_file", metavar="FILE", type=click.Path(dir_okay=False))
@scan_input_options
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.option("--id", "only_ids", multiple=True, metavar="ID",
              help="Accept only the finding with this id (repeatable); the others stay reported.")
@click.pass_context
def create(ctx: click.Context, baseline_file: str, force: bool, only_ids: tuple[str, ...],
           **scan_options: object) -> None:
    """Scan, and accept every current finding (or those --id names) into a new baseline FILE."""
    if Path(baseline_file).exists() and not force:
        raise UsageError(f"baseline {baseline_file} already exists",
                         hint="use `licheck baseline update` to add to it, or --force to overwrite it")
    _write(baseline_file, previous=None, scan_options=scan_options, only_ids=only_ids)
    ctx.exit(EXIT_CLEAN)


@baseline.command()
@click.argument("baseline_file", metavar="FILE", type=click.Path(dir_okay=False))
@scan_input_options
@click.option("--keep-stale", is_flag=True, help="Keep accepted ids that the scan no longer finds.")
@click.option("--id", "only_ids", multiple=True, metavar="ID",
              help="Add only the finding with this id (repeatable); every accepted id stays.")
@click.pass_context
def update(ctx: click.Context, baseline_file: str, keep_stale: bool, only_ids: tuple[str, ...],
           **scan_options: object) -> None:
    """Scan, and add the current findings to baseline FILE (ids no longer found are dropped unless --keep-stale;
    with --id, only the named findings are added and nothing is dropped)."""
    from licheck.baseline import load_baseline

    previous = load_baseline(baseline_file)
    _write(baseline_file, previous=previous, scan_options=scan_options, keep_stale=keep_stale or bool(only_ids),
           only_ids=only_ids)
    ctx.exit(EXIT_CLEAN)


def _write(baseline_file: str, *, previous: object, scan_options: dict[str, object], keep_stale: bool = False,
           only_ids: tuple[str, ...] = ()) -> None:
    from licheck.baseline import Baseline, baseline_entries, write_baseline

    outcome = run_scan(**scan_options)  # type: ignore[arg-type]
    prior = previous if isinstance(previous, Baseline) else None
    entries = baseline_entries(outcome.report, previous=prior)
    if only_ids:
        missing = sorted(set(only_ids) - set(entries))
        if missing:
            raise UsageError(f"no current finding has id {', '.join(missing)}",
                             hint="ids come from the scan's report (JSON `id`, the HTML page); scan the same files")
        entries = {key: value for key, value in entries.items() if key in only_ids or (prior and key in prior.entries)}
    added = sum(1 for key in entries if prior is None or key not in prior.entries)
    stale = {} if prior is None else {k: v for k, v in prior.entries.items() if k not in entries}
    if keep_stale:
        entries.update(stale)
    write_baseline(baseline_file, entries)
    dropped = 0 if keep_stale else len(stale)
    err_console().print(f"baseline {baseline_file}: {len(entries)} accepted finding(s), {added} new, {dropped} dropped")
