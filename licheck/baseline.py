"""Accepted findings: stable finding ids, and a baseline file of the ids a team has triaged.

A finding's id is keyed by (scanned file, matched source file, fingerprint of the matched code): the code is
hashed with blank lines dropped and whitespace collapsed, so the id stays when lines shift or are re-indented,
and changes when the copied code itself changes (a new copy is a new finding).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from licheck import __version__
from licheck.errors import InputError
from licheck.report.model import Finding, ScanReport

BASELINE_FORMAT = 1


def code_fingerprint(lines: Iterable[str]) -> str:
    """A digest of code that ignores blank lines, indentation and runs of spaces."""
    text = "\n".join(" ".join(line.split()) for line in lines if line.strip())
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


def stable_id(finding: Finding, lines: list[str] | None) -> str:
    """The id of a finding, from the scanned file's lines (None: fall back to the scanner's fingerprint)."""
    if lines is None:
        code = finding.fingerprint
    else:
        code = code_fingerprint(lines[finding.start_line - 1:finding.end_line])
    key = f"{finding.path}\0{finding.source.name}\0{finding.source.path}\0{code}"
    return hashlib.blake2b(key.encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()


def assign_stable_ids(report: ScanReport, read_lines: Callable[[str], list[str] | None]) -> None:
    """Replace each finding's ``fingerprint`` by its stable id (in place)."""
    cache: dict[str, list[str] | None] = {}
    updated = []
    for finding in report.findings:
        if finding.path not in cache:
            cache[finding.path] = read_lines(finding.path)
        updated.append(replace(finding, fingerprint=stable_id(finding, cache[finding.path])))
    report.findings[:] = updated


@dataclass(frozen=True)
class Baseline:
    path: Path
    entries: dict[str, dict[str, Any]]  # id -> what the finding was when accepted

    def __contains__(self, finding_id: object) -> bool:
        return finding_id in self.entries


def entry_of(finding: Finding) -> dict[str, Any]:
    src = finding.source
    return {"path": finding.path, "lines": [finding.start_line, finding.end_line],
            "source": f"{src.name} {src.version}".strip(), "source_path": src.path,
            "license": src.license, "policy": finding.policy}


def load_baseline(path: str | Path) -> Baseline:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"baseline not found: {path}", hint="create it with `licheck baseline create FILE`") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read baseline {path}: {exc}", hint="recreate it with `licheck baseline create`") from None
    findings = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(findings, dict) or data.get("format") != BASELINE_FORMAT:
        raise InputError(f"{path} is not a licheck baseline (format {BASELINE_FORMAT})",
                         hint="recreate it with `licheck baseline create`")
    return Baseline(path, {str(k): dict(v) if isinstance(v, dict) else {} for k, v in findings.items()})


def write_baseline(path: str | Path, entries: dict[str, dict[str, Any]]) -> None:
    """Write atomically (temp file + rename), ids sorted, so the file diffs well in review."""
    import tempfile
    from datetime import UTC, datetime

    path = Path(path)
    data = {"format": BASELINE_FORMAT, "licheck_version": __version__,
            "updated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "findings": {k: entries[k] for k in sorted(entries)}}
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".licheck-baseline-", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"cannot write baseline {path}: {exc.strerror or exc}") from None


def baseline_entries(report: ScanReport, *, previous: Baseline | None = None) -> dict[str, dict[str, Any]]:
    """Entries for every current finding; with ``previous``, accepted entries keep their recorded form."""
    entries = {}
    for finding in report.findings:
        if previous is not None and finding.fingerprint in previous.entries:
            entries[finding.fingerprint] = previous.entries[finding.fingerprint]
        else:
            entries[finding.fingerprint] = entry_of(finding)
    return entries


def drop_accepted(report: ScanReport, baseline: Baseline) -> list[Finding]:
    """Remove the findings the baseline accepts (in place); returns them."""
    accepted = [f for f in report.findings if f.fingerprint in baseline]
    report.findings[:] = [f for f in report.findings if f.fingerprint not in baseline]
    return accepted
