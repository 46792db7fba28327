"""Helpers for the core tests: build an index from folders, scan text, rename identifiers."""

from __future__ import annotations

import re
from pathlib import Path

from licheck.decide.derive import derive_statistics
from licheck.indexer import SourceSpec, add_source
from licheck.report.model import Finding
from licheck.scanner import Scanner, ScanTarget
from licheck.store.index_db import IndexDB


def build_index(path: Path, *sources: tuple[Path, str, str]) -> Path:
    """Index each (folder, name, license) as one source, in one process."""
    with IndexDB.open_for_write(path) as db:
        for root, name, license_ in sources:
            add_source(db, SourceSpec(root, name=name, version="1.0", license=license_), jobs=1)
        derive_statistics(db)
    return path


def scan_text(index: Path, name: str, text: str) -> list[Finding]:
    with IndexDB.open_readonly(index) as db:
        report = Scanner(db).scan([ScanTarget(display=name, data=text.encode())])
    return report.findings


def striking(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.striking]


def rename(text: str, mapping: dict[str, str]) -> str:
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, mapping)) + r")\b")
    return pattern.sub(lambda m: mapping[m.group(1)], text)


def function_source(text: str, name: str) -> str:
    """The text of a top-level Python function (up to the next top-level statement)."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"def {name}("))
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "\t", "\n")), len(lines))
    return "".join(lines[start:end]).rstrip() + "\n"
