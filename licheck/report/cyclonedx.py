"""A CycloneDX 1.6 BOM (JSON) of a scan: one component per matched source, with ``evidence.occurrences``
pointing at each place in the scanned code that matches it. Built with ``cyclonedx-python-lib`` (imported only
when this format is asked for)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from licheck import DISTRIBUTION, __version__
from licheck.errors import LicheckError
from licheck.report.model import Finding, ScanReport


def cyclonedx_bom(report: ScanReport, *, reasons: Mapping[str, str] | None = None) -> Any:
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
    from cyclonedx.model.tool import ToolRepository

    by_source: dict[tuple[str, str], list[Finding]] = {}
    for finding in report.findings:
        by_source.setdefault((finding.source.name, finding.source.version), []).append(finding)
    components = []
    for number, ((name, version), findings) in enumerate(sorted(by_source.items()), start=1):
        src = findings[0].source
        occurrences = [
            Occurrence(bom_ref=f"finding-{f.fingerprint}", location=f.path, line=f.start_line,
                       additional_context=_context(f, (reasons or {}).get(f.fingerprint)))
            for f in findings
        ]
        components.append(Component(
            name=name, version=version or None, type=ComponentType.LIBRARY, bom_ref=f"source-{number}",
            licenses=_licenses(src.license), purl=_purl(src.url, name, version),
            evidence=ComponentEvidence(occurrences=occurrences),
            properties=[Property(name="licheck:license_category", value=src.license_category),
                        Property(name="licheck:policy", value=_worst(f.policy for f in findings))]
                       + ([Property(name="licheck:url", value=src.url)] if src.url else []),
        ))
    tools = ToolRepository(components=[Component(name=DISTRIBUTION, version=__version__, type=ComponentType.APPLICATION)])
    bom = Bom(components=components, metadata=BomMetaData(tools=tools, timestamp=datetime.now(UTC)))
    return bom


def render_cyclonedx(report: ScanReport, *, reasons: Mapping[str, str] | None = None) -> str:
    from cyclonedx.output.json import JsonV1Dot6
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    text = JsonV1Dot6(cyclonedx_bom(report, reasons=reasons)).output_as_string(indent=2)
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if error is not None:
        raise LicheckError(f"the CycloneDX document licheck built is invalid: {error}",
                           hint="report this as a licheck bug; use --format json meanwhile")
    return text + "\n"


def _context(f: Finding, reason: str | None) -> str:
    src = f.source
    return (f"lines {f.start_line}-{f.end_line} match {src.path}:{src.start_line}-{src.end_line} "
            f"(similarity {f.similarity:.2f}, {f.matched_tokens} tokens{', striking' if f.striking else ''}; "
            f"license {src.license}; policy {f.policy}{f' ({reason})' if reason else ''}; id {f.fingerprint}"
            f"{_holders(f)})")


def _holders(f: Finding) -> str:
    others = sorted({f"{h.name} {h.version}".strip() for h in f.holders} - {f"{f.source.name} {f.source.version}".strip()})
    return f"; also held by {', '.join(others)}" if others else ""


def _licenses(expression: str) -> list[Any]:
    from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression

    if not expression or expression.upper() in ("NOASSERTION", "NONE"):
        return [DisjunctiveLicense(name="NOASSERTION (license unknown)")]
    if " " not in expression:
        from licheck.licenses.ids import canonical_license_id

        if canonical_license_id(expression) == expression and not expression.startswith("LicenseRef-"):
            return [DisjunctiveLicense(id=expression)]
        return [DisjunctiveLicense(name=expression)]
    return [LicenseExpression(expression)]


def _purl(url: str, name: str, version: str) -> Any:
    from packageurl import PackageURL

    if "pypi.org" in url or "files.pythonhosted.org" in url:
        return PackageURL(type="pypi", name=name, version=version or None)
    if "npmjs" in url:
        return PackageURL(type="npm", name=name, version=version or None)
    return None


def _worst(actions: Any) -> str:
    seen = set(actions)
    return next(action for action in ("deny", "warn", "allow") if action in seen)
