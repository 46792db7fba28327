"""verify --report: one self-contained HTML evidence report (plots inline, no network at view time), rendered
through the shared layer (licheck.render: Jinja2 autoescape, CSP in the base page)."""

from __future__ import annotations

import hashlib
import json
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from licheck.fingerprint.report.plot import LOWER_TAIL, calibrated_statistics, statistic_png
from licheck.fingerprint.report.verify_report import VerifyReport

MAX_CALLS_SHOWN = 2000  # the dispute record file holds every call; the page lists the first ones
VERSIONED = ("numpy", "safetensors", "torch", "transformers", "tokenizers", "jinja2", "matplotlib")

STAT_WORDS = {
    "s1": "Compatibility (S1): how much of each suspect output lies outside the victim's output space "
          "(0 = entirely inside, as a copy's does). Median over query positions.",
    "s2": "Joint space (S2): what is left outside the victim's space after allowing a few extra directions, "
          "as a low-rank change to the output layer (an adapter) would add. Measured on held-out positions.",
    "s3": "Subspace overlap (S3): how well the suspect's own output space lines up with the victim's "
          "(1 = the same space, chance level = (h+1)/V). Robust to heavy fine-tuning.",
    "weight_overlap": "Weight overlap: alignment of the two output layers' spaces, read from the weights.",
    "weight_residual": "Weight residual: the part of the suspect's output layer outside the victim's space.",
    "weight_lowrank": "Weight low-rank residual: the same after allowing a few extra directions (an adapter).",
}
MODE_WORDS = {
    "weights": "The suspect's weights were available: its output layer was compared with the victim's directly. "
               "No queries were needed.",
    "full-logits": "The suspect model was run locally and its full next-token scores were read at every position.",
    "full": "Full next-token log-probabilities of the suspect were supplied in a file.",
    "partial": "Some next-token log-probabilities of the suspect were supplied in a file.",
    "top-k+logit-bias": "The suspect was queried through its API. The API returns only the top few tokens, so "
                        "groups of tokens were pushed into that top list with a logit bias; differences of the "
                        "returned log-probabilities then equal differences of the model's scores.",
    "top-k": "The suspect was queried through its API, which returned only its top few tokens and did not let a "
             "logit bias reveal more. That is too little to test membership: such a run can never conclude "
             "'independent'.",
}


def write_evidence(report: VerifyReport, path: Path) -> None:
    """Write the page atomically (a half-written report must not pass for evidence)."""
    text = render_evidence(report)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def render_evidence(report: VerifyReport) -> str:
    from licheck.render import data_uri, render_page

    d = report.data
    report_json = json.dumps(d, indent=2, sort_keys=True, default=str)
    statistics = [_statistic(report, name, data_uri(statistic_png(report, name), "image/png"))
                  for name in calibrated_statistics(report)]
    calls = d.get("call_log") or []
    return render_page("verify_evidence.html.j2", templates_from="licheck.fingerprint.report", d=d,
                       statistics=statistics, uncalibrated=_uncalibrated(d), mode_words=MODE_WORDS.get(d["mode"], ""),
                       calls=calls[:MAX_CALLS_SHOWN], calls_total=len(calls), failed_calls=_failed(calls),
                       versions=_versions(), generated=datetime.now(UTC).isoformat(timespec="seconds"),
                       report_json=report_json, report_sha256=hashlib.sha256(report_json.encode()).hexdigest())


def _statistic(report: VerifyReport, name: str, plot: str) -> dict[str, Any]:
    entry = report.data["statistics"][name]
    lower = name in LOWER_TAIL
    return {"name": name, "words": STAT_WORDS.get(name, name), "entry": entry, "plot": plot,
            "direction": "smaller values point to derivation" if lower else "larger values point to derivation",
            "resolution": entry.get("resolution"), "n_null": entry.get("n_null")}


def _uncalibrated(d: dict[str, Any]) -> list[tuple[str, Any]]:
    """Statistics measured but not placed against a null (e.g. S3 with too few positions), with their status."""
    return [(name, e) for name, e in d["statistics"].items() if "threshold" not in e]


def _failed(calls: list[dict[str, Any]]) -> int:
    return sum(1 for c in calls if c.get("status") != 200)


def _versions() -> dict[str, str]:
    """Versions from the installed metadata (nothing is imported for it)."""
    from licheck import __version__

    out = {"licheck": __version__, "python": platform.python_version()}
    for name in VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out
