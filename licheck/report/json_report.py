"""The JSON report of DESIGN.md (contract: only ever add keys)."""

from __future__ import annotations

import json
from typing import Any

from licheck import __version__
from licheck.report.model import Finding, ScanReport


def finding_to_dict(finding: Finding) -> dict[str, Any]:
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
        },
        "evidence": {"shared_comments": list(finding.shared_comments), "scores": finding.scores},
        "obligations": list(finding.obligations),
        "policy": finding.policy,
        "id": finding.fingerprint,
    }


def report_to_dict(report: ScanReport) -> dict[str, Any]:
    return {
        "licheck_version": __version__,
        "index": {"path": report.index.path, "sources": report.index.sources, "units": report.index.units},
        "findings": [finding_to_dict(f) for f in report.findings],
        "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
        "summary": {
            "files_scanned": report.files_scanned,
            "units_scanned": report.units_scanned,
            "findings": len(report.findings),
            "striking": sum(1 for f in report.findings if f.striking),
            "violations": report.violations,
            "skipped": len(report.skipped),
        },
    }


def render_json(report: ScanReport) -> str:
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"
