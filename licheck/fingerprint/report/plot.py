"""--plot: the suspect's statistics against the null distribution, for a dispute report (matplotlib, Agg)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from licheck.fingerprint.report.verify_report import VerifyReport
from licheck.fingerprint.verdict.verify import design_of, null_reference

LOWER_TAIL = ("s1", "s2", "weight_residual", "weight_lowrank")  # drawn on a log axis: small values are evidence


def plot_report(report: VerifyReport, out: Path) -> None:
    """Write the plot as a PNG file."""
    out.write_bytes(plot_png(report))


def plot_png(report: VerifyReport) -> bytes:
    """Each calibrated statistic as a histogram of its null with the suspect's value and the threshold."""
    plt = _pyplot()
    stats = calibrated_statistics(report)
    fig, axes = plt.subplots(1, max(len(stats), 1), figsize=(4.5 * max(len(stats), 1), 3.4), squeeze=False)
    for ax, name in zip(axes[0], stats, strict=False):
        _draw(ax, report, name)
    fig.suptitle(f"{report.data['suspect']} vs {report.data['victim']}: {report.data['verdict']}")
    return _png(fig)


def statistic_png(report: VerifyReport, name: str) -> bytes:
    """One statistic against its null, as its own figure (the evidence report shows one per section)."""
    fig, ax = _pyplot().subplots(figsize=(5.0, 3.0))
    _draw(ax, report, name)
    return _png(fig)


def calibrated_statistics(report: VerifyReport) -> list[str]:
    """The statistics that were placed against a null (those with a threshold)."""
    return [k for k, v in report.data["statistics"].items() if "threshold" in v]


def _draw(ax: Any, report: VerifyReport, name: str) -> None:
    if report.verification is None:
        raise ValueError("the report carries no verification to plot")
    v = report.verification
    n_positions = v.obs.n_positions if v.obs is not None else 0
    design = design_of(v.obs) if v.obs is not None else "full"
    entry = report.data["statistics"][name]
    values = null_reference(v.null, name, n_positions, design)
    lower = name in LOWER_TAIL
    shown = np.log10(np.maximum(values, 1e-12)) if lower else values
    ax.hist(shown, bins=30, color="0.7", label=f"null ({values.size})")
    for value, style, label in ((entry["value"], "r-", "suspect"), (entry["threshold"], "k--", "threshold")):
        x = np.log10(max(value, 1e-12)) if lower else value
        ax.axvline(x, color=style[0], linestyle=style[1:], label=label)
    ax.set_title(f"{name}: p={entry['p_value']:.3g}")
    ax.set_xlabel(f"log10 {name}" if lower else name)
    ax.legend(fontsize=7)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> bytes:
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    _pyplot().close(fig)
    return buffer.getvalue()
