"""The report for people: a rich table, the source lines of each striking finding, and a summary line."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from licheck.report.model import Finding, ScanReport

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
                _decision(f),
                f"{src.name} {src.version}".strip() + (f" (+{len(f.holders) - 1} holders)" if len(f.holders) > 1 else ""),
                escape(f"{src.path}:{src.start_line}-{src.end_line}"),
                escape(f"{src.license} [{src.license_category.replace('_', ' ')}]"),
                f"[{_POLICY_STYLE.get(f.policy, '')}]{f.policy}[/]",
            )
        console.print(table)
        for f in report.findings:
            if f.striking and f.shared_comments:
                console.print(f"  shared comments in {f.path}: " + "; ".join(f'"{c}"' for c in f.shared_comments[:3]))
        for f in report.findings:
            if f.striking and len(f.holders) > 1:
                others = sorted({f"{h.name} {h.version}".strip() for h in f.holders[1:]})
                ambiguous = " (origin ambiguous)" if f.origin_ambiguous else ""
                console.print(escape(f"  {f.path}:{f.start_line}-{f.end_line} is also held by {', '.join(others[:8])}"
                                     + (f" and {len(others) - 8} more" if len(others) > 8 else "")
                                     + f"; origin {f.source.name} by rule '{f.origin_rule}'{ambiguous}"))
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


def _decision(f: Finding) -> str:
    e_value = f.evidence.get("e_value")
    detail = f.decided_by + (f", E={e_value:.2g}" if e_value is not None else "")
    return f"yes ({detail})" if f.striking else f"no ({detail})"
