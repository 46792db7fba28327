"""--plot: the suspect's statistics against the null distribution, for a dispute report (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from licheck.fingerprint.api import null_path_for
from licheck.fingerprint.nullfile import load_null
from licheck.fingerprint.report import VerifyReport


def plot_report(report: VerifyReport, fp_path: Path, null_path: Path | None, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    null = load_null(null_path or null_path_for(fp_path))
    stats = {k: v for k, v in report.data["statistics"].items() if "threshold" in v}
    fig, axes = plt.subplots(1, max(len(stats), 1), figsize=(4.5 * max(len(stats), 1), 3.4), squeeze=False)
    for ax, (name, entry) in zip(axes[0], stats.items(), strict=False):
        values = null.s1_at(max(report.data["positions"], 1)) if name == "s1" else null.values(name)
        lower = name in ("s1", "s2", "weight_residual")
        shown = np.log10(np.maximum(values, 1e-12)) if lower else values
        ax.hist(shown, bins=30, color="0.7", label=f"null ({values.size})")
        for value, style, label in ((entry["value"], "r-", "suspect"), (entry["threshold"], "k--", "threshold")):
            x = np.log10(max(value, 1e-12)) if lower else value
            ax.axvline(x, color=style[0], linestyle=style[1:], label=label)
        ax.set_title(f"{name}: p={entry['p_value']:.3g}")
        ax.set_xlabel(f"log10 {name}" if lower else name)
        ax.legend(fontsize=7)
    fig.suptitle(f"{report.data['suspect']} vs {report.data['victim']}: {report.data['verdict']}")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
