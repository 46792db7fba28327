"""SARIF 2.1.0 for GitHub code scanning: one rule per license category, one result per finding.

Each result points at the scanned lines; the indexed source's lines are a related location (and the source's
URL, when known, its artifact). ``partialFingerprints`` carry the stable finding id, so code scanning keeps
triaged alerts closed when lines shift.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from licheck import DISTRIBUTION, __version__
from licheck.report.model import Finding, ScanReport

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVEL = {"deny": "error", "warn": "warning", "allow": "note"}
_DESCRIPTION = {
    "permissive": "Code copied from a permissively licensed source: attribution and license notice required.",
    "weak_copyleft": "Code copied from a weak-copyleft source: modified files stay under the source's license.",
    "strong_copyleft": "Code copied from a strong-copyleft source: derived work must be released under the same license.",
    "network_copyleft": "Code copied from a network-copyleft source: network users must be offered the source.",
    "public_domain": "Code copied from a public-domain source.",
    "proprietary": "Code copied from a proprietary or source-available source: permission required.",
    "unknown": "Code copied from a source whose license is unknown (NOASSERTION): review before use.",
}


def rule_id(category: str) -> str:
    return f"licheck/{category.replace('_', '-')}"


def sarif_dict(report: ScanReport, *, reasons: Mapping[str, str] | None = None) -> dict[str, Any]:
    categories = sorted({f.source.license_category for f in report.findings} | {"strong_copyleft"})
    rules = [_rule(category) for category in categories]
    index = {category: i for i, category in enumerate(categories)}
    results = [_result(f, index[f.source.license_category], (reasons or {}).get(f.fingerprint)) for f in report.findings]
    notifications = [{"level": "warning", "message": {"text": f"skipped {s.path}: {s.reason}"},
                      "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(s.path)}}}]}
                     for s in report.skipped]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "licheck", "version": __version__, "semanticVersion": __version__,
                            "fullName": f"licheck ({DISTRIBUTION} {__version__})",
                            "rules": rules}},
        "results": results,
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The root of the scanned repository."}},
                               "INDEXED": {"description": {"text": "Indexed sources, as <source name>/<path>."}}},
        "properties": {"index": {"path": report.index.path, "sources": report.index.sources,
                                 "units": report.index.units},
                       "files_scanned": report.files_scanned, "units_scanned": report.units_scanned},
    }
    if notifications:
        run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": notifications}]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(report: ScanReport, *, reasons: Mapping[str, str] | None = None) -> str:
    return json.dumps(sarif_dict(report, reasons=reasons), indent=2, ensure_ascii=False) + "\n"


def _rule(category: str) -> dict[str, Any]:
    words = category.replace("_", " ")
    return {
        "id": rule_id(category),
        "name": "CopiedCode" + "".join(part.title() for part in category.split("_")),
        "shortDescription": {"text": f"Code strikingly similar to {words}-licensed open-source code"},
        "fullDescription": {"text": _DESCRIPTION.get(category, _DESCRIPTION["unknown"])},
        "help": {"text": "Remove the copied code, comply with the source's license, or accept the finding in a "
                         "baseline (`licheck baseline update`) or allow-list the source in [tool.licheck]."},
        "defaultConfiguration": {"level": "error" if category in ("strong_copyleft", "network_copyleft") else "warning"},
        "properties": {"license_category": category, "tags": ["license", "provenance", category]},
    }


def _result(f: Finding, rule_index: int, reason: str | None) -> dict[str, Any]:
    src = f.source
    where = f"{src.name} {src.version}".strip()
    # [text](1) links to related location 1 in code scanning's UI (SARIF embedded links)
    link = f"{where} {src.path}:{src.start_line}-{src.end_line}".replace("[", "\\[").replace("]", "\\]")
    text = (f"Lines {f.start_line}-{f.end_line} match [{link}](1) "
            f"(license {src.license}, {src.license_category.replace('_', ' ')}); similarity {f.similarity:.2f}, "
            f"{f.matched_tokens} tokens{', striking' if f.striking else ''}; policy {f.policy}"
            f"{f' ({reason})' if reason else ''}.")
    related: dict[str, Any] = {
        "id": 1,
        "physicalLocation": {"artifactLocation": {"uri": _uri(f"{src.name}/{src.path}"), "uriBaseId": "INDEXED"},
                             "region": {"startLine": src.start_line, "endLine": src.end_line}},
        "message": {"text": f"{where}: {src.path} lines {src.start_line}-{src.end_line} ({src.license})"
                            + (f" — {src.url}" if src.url else "")},
    }
    return {
        "ruleId": rule_id(src.license_category),
        "ruleIndex": rule_index,
        "level": _LEVEL.get(f.policy, "warning"),
        "message": {"text": text},
        "locations": [{"physicalLocation": {
            "artifactLocation": _artifact(f.path),
            "region": {"startLine": f.start_line, "endLine": f.end_line}}}],
        "relatedLocations": [related, *_other_holders(f)],
        "partialFingerprints": {"licheckFindingId/v1": f.fingerprint},
        "properties": {"similarity": f.similarity, "matched_tokens": f.matched_tokens, "striking": f.striking,
                       "decided_by": f.decided_by, "policy": f.policy, "license": src.license,
                       "license_category": src.license_category, "source_name": src.name,
                       "source_version": src.version, "source_path": src.path, "source_url": src.url,
                       "obligations": list(f.obligations), "holders": len(f.holders),
                       "origin_rule": f.origin_rule, "origin_ambiguous": f.origin_ambiguous, **f.evidence},
    }


def _other_holders(f: Finding) -> list[dict[str, Any]]:
    """Every other indexed source that holds the matched code (the origin is location 1)."""
    others = [h for h in f.holders if (h.name, h.version, h.path) != (f.source.name, f.source.version, f.source.path)]
    return [{
        "id": number,
        "physicalLocation": {"artifactLocation": {"uri": _uri(f"{h.name}/{h.path}"), "uriBaseId": "INDEXED"},
                             "region": {"startLine": h.start_line, "endLine": h.end_line}},
        "message": {"text": f"also held by {h.name} {h.version}".rstrip() + f": {h.path} ({h.license})"},
    } for number, h in enumerate(others, start=2)]


def _artifact(path: str) -> dict[str, str]:
    """A scanned file: relative to the repository root, or a file:// URI when it was named absolutely."""
    from pathlib import PurePath

    if PurePath(path).is_absolute():
        from pathlib import Path

        return {"uri": Path(path).as_uri()}
    return {"uri": _uri(path), "uriBaseId": "%SRCROOT%"}


def _uri(path: str) -> str:
    from urllib.parse import quote

    return quote(path.replace("\\", "/"), safe="/:@-._~!$&'()*+,;=")
