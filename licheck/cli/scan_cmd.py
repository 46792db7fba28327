"""`licheck scan`: flag code strikingly similar to indexed code — in files, staged changes or a diff."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from licheck.cli.common import out_console, progress_bar
from licheck.errors import EXIT_CLEAN, EXIT_VIOLATION, UsageError

if TYPE_CHECKING:
    from licheck.config import Settings
    from licheck.report.model import ScanReport
    from licheck.scanner import ScanTarget

FORMATS = ("table", "json", "sarif", "spdx", "cyclonedx", "html")


def scan_input_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """What to scan and against what: shared by `scan`, `baseline create|update` and `notice`."""
    options = [
        click.argument("paths", nargs=-1),
        click.option("--staged", is_flag=True, help="Scan the changes staged for commit (what a pre-commit hook sees)."),
        click.option("--diff", "diff_rev", metavar="REV",
                     help="Scan the changes of `git diff REV` (e.g. origin/main...HEAD)."),
        click.option("--diff-file", metavar="FILE|-", help="Scan the changes of a unified diff file ('-': stdin); "
                     "new contents are read from the working tree (or the diff's hunks)."),
        click.option("--index", "index_path", envvar="LICHECK_INDEX", type=click.Path(),
                     help="Index file (SQLite), or a sharded index folder. Also from LICHECK_INDEX or the config's `index`; default: the "
                     "user cache's index.sqlite (`licheck index manifests` shows where)."),
        click.option("--config", "--policy", "config_path", type=click.Path(dir_okay=False),
                     help="Policy/config file (.licheck.toml or pyproject.toml). Default: the nearest one. "
                     "Also from LICHECK_CONFIG."),
        click.option("--striking-only", is_flag=True, default=None, help="Report only striking findings."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@dataclass
class ScanOutcome:
    report: ScanReport
    settings: Settings
    reasons: dict[str, str]
    read_bytes: Callable[[str], bytes | None]
    accepted: int = 0
    baseline_path: str | None = None


def run_scan(*, paths: tuple[str, ...], staged: bool, diff_rev: str | None, diff_file: str | None,
             index_path: str | None, config_path: str | None, striking_only: bool | None,
             cwd: Path | None = None) -> ScanOutcome:
    """Settings → targets → scan → stable ids → policy: everything but the baseline and the rendering."""
    from dataclasses import replace

    from licheck.baseline import assign_stable_ids
    from licheck.config import load_settings, resolve_index
    from licheck.policy import apply_policy, policy_from_settings
    from licheck.report.model import Skipped
    from licheck.scanner import Scanner, ScanSettings
    from licheck.store.opening import open_index

    cwd = cwd or Path.cwd()
    settings = load_settings(config_path=config_path, cwd=cwd)
    if striking_only is not None:
        settings = replace(settings, striking_only=striking_only)
    index = resolve_index(index_path or settings.index)
    targets, skipped = collect_targets(paths=paths, staged=staged, diff_rev=diff_rev, diff_file=diff_file, cwd=cwd)
    policy = policy_from_settings(settings)
    thresholds = ScanSettings().thresholds
    if settings.min_tokens is not None:
        thresholds = replace(thresholds, min_tokens=settings.min_tokens)
    if settings.max_e_value is not None:
        thresholds = replace(thresholds, max_e_value=settings.max_e_value)
    scan_settings = ScanSettings(thresholds=thresholds, policy=policy, include_similar=not settings.striking_only)
    with open_index(index) as db:
        with progress_bar("scanning") as progress:
            report = Scanner(db, scan_settings).scan(targets, progress=progress)
    report.skipped.extend(Skipped(path, reason) for path, reason in skipped)
    read_bytes = contents_reader(targets)
    assign_stable_ids(report, lambda path: _lines(read_bytes(path)))
    reasons = apply_policy(report, policy, min_lines=settings.min_lines, min_similarity=settings.min_similarity)
    return ScanOutcome(report, settings, reasons, read_bytes)


def collect_targets(*, paths: tuple[str, ...], staged: bool, diff_rev: str | None, diff_file: str | None,
                    cwd: Path) -> tuple[list[ScanTarget], list[tuple[str, str]]]:
    from licheck.inputs.diff import parse_unified_diff, read_diff_input, targets_from_changes, worktree_reader
    from licheck.scanner import targets_from_paths

    modes = [name for name, on in (("PATH", bool(paths)), ("--staged", staged), ("--diff", diff_rev is not None),
                                   ("--diff-file", diff_file is not None)) if on]
    if len(modes) > 1:
        raise UsageError(f"{' and '.join(modes)} cannot be combined", hint="scan files, staged changes or one diff")
    if not modes:
        raise UsageError("nothing to scan", hint="pass files or folders, --staged, --diff REV or --diff-file FILE")
    if paths:
        return targets_from_paths(paths), []
    if diff_file is not None:
        changes = parse_unified_diff(read_diff_input(diff_file), origin="stdin" if diff_file == "-" else diff_file)
        return targets_from_changes(changes, worktree_reader(cwd, *_repo_root_of(cwd)))
    from licheck.inputs.git import revision_changes, staged_changes

    git = staged_changes(cwd) if staged else revision_changes(cwd, diff_rev or "")
    return targets_from_changes(git.changes, git.read_new)


def _repo_root_of(cwd: Path) -> list[Path]:
    """The top of the git working tree holding ``cwd`` (git diffs name paths from there), if any."""
    from licheck.errors import InputError
    from licheck.inputs.git import repo_root

    try:
        return [repo_root(cwd)]
    except InputError:
        return []


def contents_reader(targets: list[ScanTarget]) -> Callable[[str], bytes | None]:
    """The bytes of a scanned file by its report path (diff targets hold them; file targets are read)."""
    by_display = {t.display: t for t in targets}

    def read(display: str) -> bytes | None:
        target = by_display.get(display)
        if target is None:
            return None
        if target.data is not None:
            return target.data
        try:
            return target.path.read_bytes() if target.path else None
        except OSError:
            return None

    return read


def _lines(data: bytes | None) -> list[str] | None:
    return None if data is None else data.decode("utf-8", "surrogateescape").split("\n")


def render(outcome: ScanOutcome, fmt: str) -> str | None:
    """The report in ``fmt`` as text; None for the table (drawn on a console)."""
    report, reasons = outcome.report, outcome.reasons
    baseline = {"path": outcome.baseline_path, "accepted": outcome.accepted} if outcome.baseline_path else None
    if fmt == "json":
        from licheck.report.json_report import render_json

        return render_json(report, reasons=reasons, baseline=baseline)
    if fmt == "html":  # the side-by-side page, from the same dict as the JSON report
        from licheck.report.html import render_scan_html
        from licheck.report.json_report import report_to_dict

        return render_scan_html(report_to_dict(report, reasons=reasons, baseline=baseline), read_query=outcome.read_bytes)
    if fmt == "sarif":
        from licheck.report.sarif import render_sarif

        return render_sarif(report, reasons=reasons)
    try:
        if fmt == "spdx":
            from licheck.report.spdx_doc import render_spdx

            return render_spdx(report, outcome.read_bytes, name=Path.cwd().name or "licheck-scan", reasons=reasons)
        if fmt == "cyclonedx":
            from licheck.report.cyclonedx import render_cyclonedx

            return render_cyclonedx(report, reasons=reasons)
    except ImportError as exc:
        raise UsageError(f"--format {fmt} needs a library that is not installed ({(exc.name or '?').split('.')[0]})",
                         hint="pip install 'spdx-tools>=0.8.3,<0.9' 'cyclonedx-python-lib[json-validation]>=11,<12'"
                         ) from None
    return None


def write_output(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        click.echo(text, nl=False)


def explain_violations(outcome: ScanOutcome) -> list[str]:
    """Plain lines for people (stderr): what blocks the run, where it comes from, and how to resolve it."""
    denied = [f for f in outcome.report.findings if f.policy == "deny"]
    if not denied:
        return []
    lines = [f"licheck: {len(denied)} finding(s) copy code whose license the policy denies:"]
    for f in denied:
        src = f.source
        lines.append(f"  {f.path} lines {f.start_line}-{f.end_line} match {src.name} {src.version}".rstrip()
                     + f" {src.path} lines {src.start_line}-{src.end_line}"
                     + f" — license {src.license} ({src.license_category.replace('_', ' ')}),"
                     + f" similarity {f.similarity:.2f}, {outcome.reasons.get(f.fingerprint, '')}".rstrip(", "))
    lines.append("  to resolve: remove or rewrite the code, or comply with the license and accept the finding "
                 "(`licheck baseline update FILE`), or allow-list your own code (`first-party` in [tool.licheck]).")
    return lines


@click.command()
@scan_input_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report here.")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), envvar="LICHECK_BASELINE",
              help="Accepted findings (from `licheck baseline create`): they are not reported again.")
@click.pass_context
def scan(ctx: click.Context, paths: tuple[str, ...], staged: bool, diff_rev: str | None, diff_file: str | None,
         index_path: str | None, config_path: str | None, striking_only: bool | None, fmt: str,
         output: str | None, baseline_path: str | None) -> None:
    """Scan files, folders, staged changes or a diff for code strikingly similar to indexed open-source code.

    In a diff scan only added lines can produce a finding; the rest of each file is context.
    Exit codes: 0 clean, 1 findings that break the license policy, 2 usage or input error.
    """
    outcome = run_scan(paths=paths, staged=staged, diff_rev=diff_rev, diff_file=diff_file, index_path=index_path,
                       config_path=config_path, striking_only=striking_only)
    baseline_path = baseline_path or outcome.settings.baseline
    if baseline_path:
        from licheck.baseline import drop_accepted, load_baseline

        outcome.accepted = len(drop_accepted(outcome.report, load_baseline(baseline_path)))
        outcome.baseline_path = baseline_path
    text = render(outcome, fmt)
    if text is not None:
        write_output(text, output)
    else:
        _draw_table(outcome, output)
    # plain lines on stderr: a hook's scan ends without importing rich
    if outcome.report.skipped and fmt != "table":
        click.echo(f"{len(outcome.report.skipped)} file(s) skipped (see the report's 'skipped' list)", err=True)
    if outcome.accepted:
        click.echo(f"{outcome.accepted} finding(s) accepted by the baseline {baseline_path}", err=True)
    for line in explain_violations(outcome):
        click.echo(line, err=True)
    ctx.exit(EXIT_VIOLATION if outcome.report.violations else EXIT_CLEAN)


def _draw_table(outcome: ScanOutcome, output: str | None) -> None:
    from licheck.report.table import render_table

    if output:
        from rich.console import Console

        with open(output, "w", encoding="utf-8") as handle:
            render_table(outcome.report, Console(file=handle, width=160, no_color=True))
    else:
        console = out_console()
        if not console.is_terminal and not os.environ.get("COLUMNS"):
            console.width = 160  # CI logs and hooks: wide enough that paths and licenses stay on one line
        render_table(outcome.report, console)
