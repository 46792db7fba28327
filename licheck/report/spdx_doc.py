"""An SPDX 2.3 document (JSON) of a scan: the scanned files, and one Snippet per finding.

Each Snippet names its file (snippetFromFile), the byte and line ranges of the matched code, the license of
the code it matches (licenseInfoInSnippets; NOASSERTION when unknown) and the attribution text the source asks
for. Built and validated with ``spdx-tools`` (imported only when this format is asked for).
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from licheck import DISTRIBUTION, __version__
from licheck.errors import LicheckError
from licheck.report.model import Finding, ScanReport

ReadBytes = Callable[[str], bytes | None]


def spdx_document(report: ScanReport, read_bytes: ReadBytes, *, name: str = "licheck-scan",
                  reasons: Mapping[str, str] | None = None) -> Any:
    from spdx_tools.spdx.model import (
        Actor,
        ActorType,
        Checksum,
        ChecksumAlgorithm,
        CreationInfo,
        Document,
        File,
        Package,
        Relationship,
        RelationshipType,
        Snippet,
        SpdxNoAssertion,
    )

    creation = CreationInfo(
        spdx_version="SPDX-2.3", spdx_id="SPDXRef-DOCUMENT", name=name,
        document_namespace=f"https://spdx.org/spdxdocs/licheck-{uuid.uuid4()}",
        creators=[Actor(ActorType.TOOL, f"{DISTRIBUTION}-{__version__}")], created=datetime.now(UTC).replace(microsecond=0),
        creator_comment=f"licheck scan against index {report.index.path} ({report.index.sources} sources)",
    )
    package = Package(spdx_id="SPDXRef-Package-scanned", name=name, download_location=SpdxNoAssertion(),
                      files_analyzed=False, license_concluded=SpdxNoAssertion(), license_declared=SpdxNoAssertion(),
                      copyright_text=SpdxNoAssertion(), comment="The code licheck scanned.")
    files: dict[str, Any] = {}
    snippets = []
    extracted: dict[str, Any] = {}
    relationships = [Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, package.spdx_id)]
    for number, finding in enumerate(report.findings, start=1):
        data = read_bytes(finding.path) or b""
        if finding.path not in files:
            spdx_file = File(name=f"./{finding.path}", spdx_id=f"SPDXRef-File-{len(files) + 1}",
                             checksums=[Checksum(ChecksumAlgorithm.SHA1, hashlib.sha1(data).hexdigest())],  # noqa: S324 - SPDX requires SHA1
                             license_concluded=SpdxNoAssertion(), copyright_text=SpdxNoAssertion())
            files[finding.path] = spdx_file
            relationships.append(Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, spdx_file.spdx_id))
        license_info = _license_of(finding.source.license, extracted)
        snippets.append(Snippet(
            spdx_id=f"SPDXRef-Snippet-{number}", file_spdx_id=files[finding.path].spdx_id,
            byte_range=byte_range(data, finding.start_line, finding.end_line),
            line_range=(finding.start_line, finding.end_line),
            license_concluded=SpdxNoAssertion(), license_info_in_snippet=[license_info],
            copyright_text=SpdxNoAssertion(), attribution_texts=[attribution_text(finding)],
            comment=_comment(finding, (reasons or {}).get(finding.fingerprint)),
            name=f"{finding.path}:{finding.start_line}-{finding.end_line} from {finding.source.name}",
        ))
    return Document(creation_info=creation, packages=[package], files=list(files.values()), snippets=snippets,
                    relationships=relationships, extracted_licensing_info=list(extracted.values()))


def render_spdx(report: ScanReport, read_bytes: ReadBytes, *, name: str = "licheck-scan",
                reasons: Mapping[str, str] | None = None) -> str:
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
    from spdx_tools.spdx.writer.json.json_writer import write_document_to_stream

    document = spdx_document(report, read_bytes, name=name, reasons=reasons)
    problems = validate_full_spdx_document(document)
    if problems:
        raise LicheckError("the SPDX document licheck built is invalid: "
                           + "; ".join(p.validation_message for p in problems[:5]),
                           hint="report this as a licheck bug; use --format json meanwhile")
    stream = io.StringIO()
    write_document_to_stream(document, stream, validate=False)
    return stream.getvalue() + "\n"


def byte_range(data: bytes, start_line: int, end_line: int) -> tuple[int, int]:
    """1-based inclusive byte offsets of lines ``start_line``..``end_line`` (SPDX snippet byteRange)."""
    offsets = [0]
    newline = data.find(b"\n")
    while newline != -1:
        offsets.append(newline + 1)
        newline = data.find(b"\n", newline + 1)
    start = offsets[min(start_line, len(offsets)) - 1] + 1
    end_index = offsets[end_line] - 1 if end_line < len(offsets) else len(data)
    end_index = max(end_index, start)
    return start, end_index


def attribution_text(finding: Finding) -> str:
    src = finding.source
    where = f"{src.name} {src.version}".strip()
    url = f" ({src.url})" if src.url else ""
    return (f"Lines {finding.start_line}-{finding.end_line} are similar to {where}{url}, {src.path} lines "
            f"{src.start_line}-{src.end_line}, licensed under {src.license}.")


def _comment(finding: Finding, reason: str | None) -> str:
    return (f"licheck finding {finding.fingerprint}: similarity {finding.similarity:.2f}, "
            f"{finding.matched_tokens} tokens, {'striking' if finding.striking else 'not striking'} "
            f"({finding.decided_by}); license category {finding.source.license_category}; policy {finding.policy}"
            + (f" ({reason})" if reason else "")
            + (f"; license from {finding.source.license_origin}" if finding.source.license_origin else "")
            + _holders_text(finding))


def _holders_text(finding: Finding) -> str:
    others = [h for h in finding.holders
              if (h.name, h.version, h.path) != (finding.source.name, finding.source.version, finding.source.path)]
    if not others:
        return ""
    listed = ", ".join(f"{h.name} {h.version} {h.path} ({h.license})".replace("  ", " ") for h in others[:20])
    more = f" and {len(others) - 20} more" if len(others) > 20 else ""
    return f"; also held by {listed}{more}; origin rule: {finding.origin_rule or 'only holder'}"


def _license_of(expression: str, extracted: dict[str, Any]) -> Any:
    from spdx_tools.common.spdx_licensing import spdx_licensing
    from spdx_tools.spdx.model import ExtractedLicensingInfo, SpdxNoAssertion

    if not expression or expression.upper() in ("NOASSERTION", "NONE"):
        return SpdxNoAssertion()
    try:
        parsed = spdx_licensing.parse(expression, validate=True)
    except Exception:  # noqa: BLE001 - license-expression raises several types for junk
        return SpdxNoAssertion()
    for symbol in spdx_licensing.license_keys(parsed):
        if symbol.startswith("LicenseRef-") and symbol not in extracted:
            extracted[symbol] = ExtractedLicensingInfo(
                license_id=symbol, license_name=symbol,
                extracted_text="The text of this license was not captured by licheck; see the matched source.")
    return parsed
