"""The attribution / NOTICE entries that findings oblige: one entry per matched source, listing where its code
is used. Permissive licenses ask for exactly this; copyleft ones ask for it too (and more, which a NOTICE file
does not satisfy). The user's own code (first-party allow-list) needs no notice."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from licheck import __version__
from licheck.report.model import Finding, ScanReport


@dataclass(frozen=True)
class NoticeEntry:
    name: str
    version: str
    url: str
    license: str
    license_category: str
    uses: tuple[tuple[str, int, int, str, int, int], ...]  # (path, start, end, source path, source start, source end)
    obligations: tuple[str, ...]


def notice_entries(report: ScanReport, *, reasons: Mapping[str, str] | None = None) -> list[NoticeEntry]:
    """Entries for the sources whose matches ask for attribution, sorted by source name."""
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for finding in report.findings:
        if "attribution" not in finding.obligations:
            continue
        if (reasons or {}).get(finding.fingerprint, "").startswith("first-party"):
            continue
        grouped.setdefault((finding.source.name, finding.source.version), []).append(finding)
    entries = []
    for (name, version), findings in sorted(grouped.items()):
        src = findings[0].source
        uses = tuple(sorted((f.path, f.start_line, f.end_line, f.source.path, f.source.start_line, f.source.end_line)
                            for f in findings))
        entries.append(NoticeEntry(name, version, src.url, src.license, src.license_category, uses,
                                   findings[0].obligations))
    return entries


def render_notice(entries: list[NoticeEntry]) -> str:
    lines = ["NOTICE", "", "This project contains code that is similar to the following open-source projects,",
             "reproduced under their licenses.", f"(Entries drafted by licheck {__version__}; review them, and add "
             "each project's copyright line and license text.)", ""]
    if not entries:
        lines.append("(no findings that require attribution)")
    for entry in entries:
        lines.append(f"{entry.name} {entry.version}".strip() + f" — licensed under {entry.license}")
        if entry.url:
            lines.append(f"  {entry.url}")
        for path, start, end, src_path, src_start, src_end in entry.uses:
            lines.append(f"  {path} lines {start}-{end} (from {src_path} lines {src_start}-{src_end})")
        if entry.license_category not in ("permissive", "public_domain"):
            lines.append(f"  note: {entry.license_category.replace('_', ' ')} license — a notice alone does not "
                         f"satisfy it: {', '.join(entry.obligations)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
