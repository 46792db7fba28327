"""The records a scan produces: plain frozen dataclasses, rendered by the writers in this package."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceRef:
    """Where indexed code came from, and under which license."""

    name: str
    version: str
    path: str
    start_line: int
    end_line: int
    url: str
    license: str  # SPDX expression or "NOASSERTION"
    license_category: str  # permissive | weak_copyleft | strong_copyleft | network_copyleft | public_domain | proprietary | unknown
    license_origin: str = ""  # where the license came from, e.g. "PKG-INFO License-Expression"
    unit_id: int = 0
    source_count: int = 1  # how many indexed sources hold this code (the distinct names among the holders)


@dataclass(frozen=True)
class HolderRef:
    """One indexed copy of the matched code (its lineage: near-identical copies are one lineage)."""

    name: str
    version: str
    path: str
    start_line: int
    end_line: int
    license: str
    license_category: str
    lineage: int


@dataclass(frozen=True)
class Finding:
    """A region of scanned code that matches indexed code."""

    path: str
    start_line: int
    end_line: int
    similarity: float
    matched_tokens: int
    striking: bool
    decided_by: str  # which rule made the decision (licheck.decide.rules): "e-value", "licoeval", "similar", ...
    source: SourceRef  # the origin: the holder the origin rule names (licheck.decide.holders)
    scores: dict[str, float] = field(default_factory=dict)
    shared_comments: tuple[str, ...] = ()
    policy: str = "warn"  # deny | warn | allow
    fingerprint: str = ""  # stable id: survives line shifts
    holders: tuple[HolderRef, ...] = ()  # every indexed source holding the matched code (origin first)
    origin_rule: str = ""  # why ``source`` is the reported origin
    origin_ambiguous: bool = False  # more than one project could be the origin
    evidence: dict[str, float] = field(default_factory=dict)  # bits, structural_bits, lexical_bits, e_value
    alignment: tuple[tuple[int, int, int, int], ...] = ()  # aligned blocks as lines: query lo, hi, source lo, hi

    @property
    def obligations(self) -> tuple[str, ...]:
        from licheck.licenses.obligations import obligations_for

        return obligations_for(self.source.license_category)


@dataclass(frozen=True)
class Skipped:
    """A file that could not be scanned, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class IndexSummary:
    path: str
    sources: int
    units: int


@dataclass
class ScanReport:
    index: IndexSummary
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files_scanned: int = 0
    units_scanned: int = 0

    @property
    def violations(self) -> int:
        return sum(1 for f in self.findings if f.policy == "deny")
