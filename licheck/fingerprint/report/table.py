"""The verify report as a plain-text table for people (rich, no colour)."""

from __future__ import annotations

from licheck.fingerprint.report.verify_report import VerifyReport


def render_table(report: VerifyReport) -> str:
    """A plain-text table (rich) for people."""
    from io import StringIO

    from rich.console import Console
    from rich.table import Table

    d = report.data
    table = Table(title=f"{d['suspect']} vs {d['victim']}: {d['verdict'].upper()}")
    for col in ("statistic", "value", "threshold", "p (empirical)", "p (extrapolated)", "beyond null"):
        table.add_column(col)
    for name, entry in d["statistics"].items():
        table.add_row(name, _fmt(entry.get("value")), _fmt(entry.get("threshold")), _fmt(entry.get("p_value")),
                      _fmt(entry.get("p_extrapolated")), str(entry.get("significant", "-")))
    buffer = StringIO()
    console = Console(file=buffer, width=110, no_color=True)
    console.print(table)
    console.print(f"method: {d['method']}   FPR: {_fmt(d['false_positive_rate'])} "
                  f"(extrapolated {_fmt(d['false_positive_rate_extrapolated'])})")
    console.print(f"positions: {d['positions']}   calls: {d['calls']}   chance level (h+1)/V: {d['chance_level']:.4f}")
    null = d["null"]
    shared = f", on {null['shared_tokens']} of {null['victim_vocab_size']} shared tokens" if null["shared_tokens"] else ""
    console.print(f"null: {null['kind']}, {null['pairs']} ordered pairs{shared}; smallest p-value it can show: "
                  f"{_fmt(null['fpr_resolution'])}")
    console.print(f"floors: self {d['floors']['self_copy']:.2e}, bf16 {d['floors']['bf16_copy']:.2e}")
    for line in d["reasons"] + d["findings"]:
        console.print(f"- {line}")
    return buffer.getvalue()


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
