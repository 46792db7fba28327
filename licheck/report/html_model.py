"""What the HTML report shows, read from the JSON report dict (json_report.py): summary counts and finding views.

Fields that newer scans add (``alignment``, ``holders``, ``origin``, ``bits``, ``e_value``) are optional: a report
shows what its JSON carries.
"""

from __future__ import annotations

import math
import shlex
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from licheck.report.html_code import Block, Excerpt

POLICY_ORDER = {"deny": 0, "warn": 1, "allow": 2}
TOP_SOURCES = 15
MAX_HOLDERS = 12  # holders listed per finding; the rest are counted (widely vendored code has hundreds)
DEFAULT_BASELINE = ".licheck-baseline.json"


@dataclass
class FindingView:
    number: int  # position in the report (the page's element id)
    data: Mapping[str, Any]
    blocks: list[tuple[Block, Block]]  # (query lines, source lines) of each aligned run
    evidence: list[tuple[str, str]]
    holders: list[Mapping[str, Any]]  # every holder (the page shows the first MAX_HOLDERS)
    accept_command: str
    query: Excerpt = field(default_factory=Excerpt)
    source: Excerpt = field(default_factory=Excerpt)

    @property
    def src(self) -> Mapping[str, Any]:
        return self.data.get("source") or {}

    @property
    def origin(self) -> Mapping[str, Any] | None:
        origin = self.data.get("origin")
        return origin if isinstance(origin, Mapping) and origin else None

    def shown_holders(self) -> list[tuple[Mapping[str, Any], bool]]:
        """The holders listed, origin first, each with whether it is the origin."""
        marked = [(h, is_origin(h, self.origin)) for h in self.holders]
        marked.sort(key=lambda pair: not pair[1])  # stable: the report's order otherwise
        return marked[:MAX_HOLDERS]

    @property
    def origin_listed(self) -> bool:
        """Whether the origin is among the holders listed (marked there, so not repeated)."""
        return any(first for _, first in self.shown_holders())

    @property
    def has_lineage(self) -> bool:
        return any(h.get("lineage") is not None for h in self.holders)

    @property
    def e_value(self) -> str:
        return e_value_text(self.data)

    def filter_record(self) -> dict[str, Any]:
        """What the page's script filters and sorts by."""
        return {"n": self.number, "policy": self.data.get("policy", "warn"),
                "cat": self.src.get("license_category", "unknown"), "sim": self.data.get("similarity", 0.0),
                "ev": evidence_strength(self.data), "path": self.data.get("path", ""),
                "src": source_label(self.src), "striking": bool(self.data.get("striking"))}


def source_label(src: Mapping[str, Any]) -> str:
    return f"{src.get('name', '?')} {src.get('version', '')}".strip()


def evidence_strength(finding: Mapping[str, Any]) -> float:
    """One number to sort by: -log10(E-value) when the finding has one, else bits, else matched tokens."""
    e_value = _evidence_field(finding, "e_value")
    if isinstance(e_value, int | float) and e_value > 0:
        return round(-math.log10(e_value), 3)
    bits = _evidence_field(finding, "bits")
    if isinstance(bits, int | float):
        return float(bits)
    return float(finding.get("matched_tokens", 0))


def alignment_blocks(finding: Mapping[str, Any]) -> list[tuple[Block, Block]]:
    """The aligned runs of the finding; without an ``alignment`` field, its whole span on both sides."""
    blocks = []
    for run in finding.get("alignment") or []:
        if isinstance(run, list | tuple) and len(run) == 4 and all(isinstance(v, int) for v in run):
            blocks.append(((run[0], run[1]), (run[2], run[3])))
    if blocks:
        return blocks
    src = finding.get("source") or {}
    return [((int(finding.get("start_line", 1)), int(finding.get("end_line", 1))),
             (int(src.get("start_line", 1)), int(src.get("end_line", 1))))]


def evidence_rows(finding: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows = [("decided by", str(finding.get("decided_by") or "?")),
            ("similarity", f"{finding.get('similarity', 0):.2f}"),
            ("matched tokens", str(finding.get("matched_tokens", "?")))]
    bits = _evidence_field(finding, "bits")
    if isinstance(bits, int | float):
        parts = [f"{kind} {value:.1f}" for kind in ("structural", "lexical")
                 if isinstance(value := _evidence_field(finding, f"{kind}_bits"), int | float)]
        rows.append(("bits", f"{bits:.1f}" + (f" ({', '.join(parts)})" if parts else "")))
    e_value = _evidence_field(finding, "e_value")
    if isinstance(e_value, int | float):
        rows.append(("e-value", f"{e_value:.3g}"))
    scores = (finding.get("evidence") or {}).get("scores") or {}
    if isinstance(scores, Mapping) and scores:  # one row: a dozen scores per finding, thousands of findings
        rows.append(("scores", ", ".join(f"{name} {value:.3f}" if isinstance(value, float) else f"{name} {value}"
                                         for name, value in sorted(scores.items()))))
    return rows


def holders_of(finding: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every holder the report names (``holders``), else the one ``source``."""
    holders = finding.get("holders")
    if isinstance(holders, list) and holders:
        return [h for h in holders if isinstance(h, Mapping)]
    return [finding.get("source") or {}]


def is_origin(holder: Mapping[str, Any], origin: Any) -> bool:
    """Whether ``holder`` is the one the decision named as the code's origin."""
    return isinstance(origin, Mapping) and all(holder.get(k) == origin.get(k) for k in ("name", "version", "path"))


def e_value_text(finding: Mapping[str, Any]) -> str:
    """The E-value for the finding's headline ("E 3e-12"), or "" without one."""
    value = _evidence_field(finding, "e_value")
    return f"E {value:.2g}" if isinstance(value, int | float) else ""


def accept_command(finding: Mapping[str, Any], report: Mapping[str, Any]) -> str:
    """The command that accepts this one finding (by its id) into the baseline.

    With the scan's baseline: `update --id`, which adds it and keeps every id already accepted; without one:
    `create --id`.
    """
    index = (report.get("index") or {}).get("path") or "INDEX"
    path = str(finding.get("path", ""))
    used = (report.get("baseline") or {}).get("path")
    ident = ["--id", str(finding.get("id", ""))]
    if used:
        words = ["licheck", "baseline", "update", str(used), path, "--index", str(index), *ident]
    else:
        words = ["licheck", "baseline", "create", DEFAULT_BASELINE, path, "--index", str(index), *ident]
    return shlex.join(words)


def finding_views(report: Mapping[str, Any]) -> list[FindingView]:
    """The findings, most severe first (deny, warn, allow; then by similarity)."""
    findings = [f for f in report.get("findings") or [] if isinstance(f, Mapping)]
    ordered = sorted(findings, key=lambda f: (POLICY_ORDER.get(f.get("policy", "warn"), 3),
                                              -float(f.get("similarity") or 0), f.get("path", "")))
    return [FindingView(number, f, alignment_blocks(f), evidence_rows(f), holders_of(f), accept_command(f, report))
            for number, f in enumerate(ordered)]


def summary_of(report: Mapping[str, Any], views: list[FindingView]) -> dict[str, Any]:
    by_policy = Counter(v.data.get("policy", "warn") for v in views)
    by_category = Counter(v.src.get("license_category", "unknown") for v in views)
    by_source = Counter(source_label(v.src) for v in views)
    top = by_source.most_common(TOP_SOURCES)
    others = sum(by_source.values()) - sum(count for _, count in top)
    return {
        "counts": report.get("summary") or {},
        "policy": [(name, by_policy.get(name, 0)) for name in POLICY_ORDER],
        "category": by_category.most_common(),
        "source": top,
        "other_sources": (len(by_source) - len(top), others),
        "index": report.get("index") or {},
        "baseline": report.get("baseline") or {},
        "skipped": report.get("skipped") or [],
        "version": report.get("licheck_version", "?"),
    }


def _evidence_field(finding: Mapping[str, Any], name: str) -> Any:
    value = finding.get(name)
    if value is None:
        value = (finding.get("evidence") or {}).get(name)
    return value
