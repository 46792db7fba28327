"""The JSON report of DESIGN.md (contract: only ever add keys)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from licheck import __version__
from licheck.report.model import Finding, ScanReport


def finding_to_dict(finding: Finding, *, reason: str | None = None) -> dict[str, Any]:
    src = finding.source
    return {
        "path": finding.path,
        "start_line": finding.start_line,
        "end_line": finding.end_line,
        "similarity": finding.similarity,
        "matched_tokens": finding.matched_tokens,
        "striking": finding.striking,
        "decided_by": finding.decided_by,
        "source": {
            "name": src.name, "version": src.version, "path": src.path,
            "start_line": src.start_line, "end_line": src.end_line, "url": src.url,
            "license": src.license, "license_category": src.license_category,
            "license_origin": src.license_origin, "sources_holding": src.source_count,
            "unit_id": src.unit_id,
        },
        "evidence": {"shared_comments": list(finding.shared_comments), "scores": finding.scores,
                     **finding.evidence},
        "holders": [{"name": h.name, "version": h.version, "path": h.path, "start_line": h.start_line,
                     "end_line": h.end_line, "license": h.license, "license_category": h.license_category,
                     "lineage": h.lineage} for h in finding.holders],
        "origin": {"name": src.name, "version": src.version, "path": src.path, "rule": finding.origin_rule,
                   "ambiguous": finding.origin_ambiguous},
        "lineage": finding.holders[0].lineage if finding.holders else 0,
        "alignment": [list(block) for block in finding.alignment],
        "obligations": list(finding.obligations),
        "policy": finding.policy,
        "id": finding.fingerprint,
        "policy_reason": reason or "",
    }


def report_to_dict(report: ScanReport, *, reasons: Mapping[str, str] | None = None,
                   baseline: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``reasons``: why each finding (by id) got its policy; ``baseline``: {"path", "accepted"} when one was used."""
    reasons = reasons or {}
    data: dict[str, Any] = {
        "licheck_version": __version__,
        "index": {"path": report.index.path, "sources": report.index.sources, "units": report.index.units},
        "findings": [finding_to_dict(f, reason=reasons.get(f.fingerprint)) for f in report.findings],
        "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
        "summary": {
            "files_scanned": report.files_scanned,
            "units_scanned": report.units_scanned,
            "findings": len(report.findings),
            "striking": sum(1 for f in report.findings if f.striking),
            "violations": report.violations,
            "skipped": len(report.skipped),
            "warnings": sum(1 for f in report.findings if f.policy == "warn"),
            "unknown_license": sum(1 for f in report.findings if f.source.license_category == "unknown"),
            "accepted_by_baseline": int(baseline["accepted"]) if baseline else 0,
        },
    }
    if baseline:
        data["baseline"] = dict(baseline)
    return data


def render_json(report: ScanReport, *, reasons: Mapping[str, str] | None = None,
                baseline: Mapping[str, Any] | None = None) -> str:
    return json.dumps(report_to_dict(report, reasons=reasons, baseline=baseline), indent=2, ensure_ascii=False) + "\n"
