"""The report for people: a rich table, the source lines of each striking finding, and a summary line."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from licheck.report.model import ScanReport

_POLICY_STYLE = {"deny": "bold red", "warn": "yellow", "allow": "dim"}


def render_table(report: ScanReport, console: Console) -> None:
    if report.findings:
        table = Table(title="licheck findings", show_lines=False)
        for column in ("file:lines", "similarity", "striking", "source", "source lines", "license", "policy"):
            table.add_column(column, overflow="fold")
        for f in report.findings:
            src = f.source
            table.add_row(
                escape(f"{f.path}:{f.start_line}-{f.end_line}"),
                f"{f.similarity:.2f} ({f.matched_tokens} tok)",
                f"yes ({f.decided_by})" if f.striking else f"no ({f.decided_by})",
                f"{src.name} {src.version}".strip(),
                escape(f"{src.path}:{src.start_line}-{src.end_line}"),
                escape(f"{src.license} [{src.license_category.replace('_', ' ')}]"),
                f"[{_POLICY_STYLE.get(f.policy, '')}]{f.policy}[/]",
            )
        console.print(table)
        for f in report.findings:
            if f.striking and f.shared_comments:
                console.print(f"  shared comments in {f.path}: " + "; ".join(f'"{c}"' for c in f.shared_comments[:3]))
        for f in report.findings:
            if f.policy == "deny":
                obligations = ", ".join(f.obligations)
                console.print(f"  [bold red]deny[/] {f.path}:{f.start_line}-{f.end_line} copies {f.source.name} "
                              f"({f.source.license}): {obligations}")
    for skipped in report.skipped:
        console.print(f"  [dim]skipped {skipped.path}: {skipped.reason}[/]")
    striking = sum(1 for f in report.findings if f.striking)
    console.print(
        f"{report.files_scanned} files, {report.units_scanned} units scanned against {report.index.sources} sources "
        f"({report.index.units} units): {len(report.findings)} findings, {striking} striking, "
        f"{report.violations} violating policy, {len(report.skipped)} skipped"
    )
