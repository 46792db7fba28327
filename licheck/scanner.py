"""scan(targets, index) → ScanReport: the one call `licheck scan` makes."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from licheck.analyze import AnalyzedUnit, FileAnalysis, UnreadableFile, analyze_file
from licheck.decide.evidence import Evidence, evidence_of
from licheck.decide.holders import Holder, Origin, holders_of, origin_of
from licheck.decide.rules import Decision, Thresholds, decide
from licheck.decide.stats import DecisionStatistics, load_statistics, require_statistics
from licheck.errors import InputError
from licheck.inputs.files import DEFAULT_MAX_BYTES, iter_code_files, read_bytes
from licheck.lookup import candidates
from licheck.policy import Policy
from licheck.report.model import Finding, HolderRef, IndexSummary, ScanReport, Skipped, SourceRef
from licheck.sketch import MinHasher
from licheck.store.index_db import IndexDB, UnitRow
from licheck.store.opening import open_index
from licheck.verify import Match, Side, compare, gather, with_lexical_scores

PARALLEL_MIN_FILES = 48  # fewer files than this are scanned in-process (a pre-commit hook: start fast)
CLOSE_VARIANT = 0.8  # independent lineages this close to the query, several of them: a common pattern


@dataclass(frozen=True)
class ScanTarget:
    """One file to scan; with ``added_lines`` only code on those lines may produce findings (diff mode)."""

    display: str
    data: bytes | None = None
    path: Path | None = None
    added_lines: frozenset[int] | None = None


@dataclass(frozen=True)
class ScanSettings:
    thresholds: Thresholds = Thresholds()
    policy: Policy = Policy()
    max_bytes: int = DEFAULT_MAX_BYTES
    include_similar: bool = True  # report non-striking matches too (as warnings at most)


def targets_from_paths(paths: Iterable[str | Path]) -> list[ScanTarget]:
    """Files named on the command line, and the code files in folders; a missing path is a usage error."""
    targets: list[ScanTarget] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"no such file or folder: {path}")
        if path.is_file():
            targets.append(ScanTarget(display=path.as_posix(), path=path))
        else:
            for item in iter_code_files(path):
                targets.append(ScanTarget(display=(path / item.display).as_posix(), path=item.path))
    return targets


class Scanner:
    def __init__(self, index: IndexDB, settings: ScanSettings = ScanSettings()) -> None:
        self.index = index
        self.settings = settings
        self.hasher = MinHasher(index.params)
        require_statistics(index)
        self._statistics: DecisionStatistics | None = None

    @property
    def statistics(self) -> DecisionStatistics:
        """Read on the first candidate: a hook run on code that matches nothing never loads the shingle table."""
        if self._statistics is None:
            self._statistics = load_statistics(self.index)
        return self._statistics

    def scan(self, targets: Iterable[ScanTarget], *, progress: Callable[[str, int, int], None] | None = None,
             jobs: int | None = None) -> ScanReport:
        """Scan files; many files are spread over worker processes (``jobs``, default: all cores)."""
        sources, units = self.index.counts()
        report = ScanReport(IndexSummary(str(self.index.path), sources, units))
        targets = list(targets)
        jobs = jobs or os.cpu_count() or 1
        if jobs > 1 and len(targets) >= PARALLEL_MIN_FILES:
            import multiprocessing  # only here: a hook's scan of a few files never pays for importing it

            context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
            pool = context.Pool(jobs, initializer=_init_worker, initargs=(str(self.index.path), self.settings))
            results: Iterator[FileResult] = pool.imap(_scan_in_worker, targets, chunksize=8)
        else:
            pool = None
            results = map(self.scan_target, targets)
        try:
            for done, (findings, skipped, unit_count) in enumerate(results, start=1):
                if skipped is not None:
                    report.skipped.append(skipped)
                else:
                    report.files_scanned += 1
                    report.units_scanned += unit_count
                    report.findings.extend(findings)
                if progress:
                    progress("files", done, len(targets))
        finally:
            if pool is not None:
                pool.terminate()
        return report

    def scan_target(self, target: ScanTarget) -> FileResult:
        """One file's findings, or why it was skipped, and how many units it had."""
        try:
            data = target.data if target.data is not None else read_bytes(target.path, max_bytes=self.settings.max_bytes)  # type: ignore[arg-type]
            analysis = analyze_file(target.display, data, self.hasher, max_bytes=self.settings.max_bytes)
        except UnreadableFile as exc:
            return [], Skipped(target.display, str(exc)), 0
        except OSError as exc:
            return [], Skipped(target.display, f"cannot read: {exc.strerror or exc}"), 0
        except RecursionError:
            return [], Skipped(target.display, "too deeply nested to parse"), 0
        return self.scan_file(analysis, target.added_lines), None, len(analysis.units)

    def scan_file(self, analysis: FileAnalysis, added_lines: frozenset[int] | None = None) -> list[Finding]:
        findings = []
        for unit in analysis.units:
            if added_lines is not None and not _touches(unit, added_lines):
                continue
            best = self._best_match(analysis, unit, added_lines)
            if best is not None:
                findings.append(best)
        return _drop_overlaps(findings)

    def _best_match(self, analysis: FileAnalysis, unit: AnalyzedUnit, added: frozenset[int] | None) -> Finding | None:
        query = gather(analysis.structural, analysis.lexical, analysis.lines, unit.unit.ranges,
                       frozenset(c.digest for c in analysis.comments
                                 if unit.unit.start_line <= c.line <= unit.unit.end_line))
        found = candidates(self.index, unit.band_keys, query)
        if not found:
            return None
        close = {row.lineage or row.id for quick, row, _ in found if quick >= CLOSE_VARIANT}
        stats = self.statistics
        best: tuple[tuple[bool, float], Match, Decision, Evidence, float, UnitRow, Side] | None = None
        for _quick, row, side in found:
            match = compare(query, side)
            if added is not None and not _added_share_enough(match, added):
                continue
            if match.matched_tokens < self.settings.thresholds.min_tokens:
                continue  # never reported ("too-short"): no evidence to weigh
            if match.shared_comments:  # LiCoEval's route needs its lexical scores
                match = with_lexical_scores(match, query, side)
            evidence = evidence_of(match, query, side, stats.counts, analysis.language)
            e_value = stats.null.e_value(evidence.bits, language=analysis.language, tokens=len(query.structural),
                                         lineages_now=stats.lineages, scale=stats.counts.scale(analysis.language))
            decision = decide(match, e_value=e_value, close_lineages=len(close - {row.lineage or row.id}),
                              thresholds=self.settings.thresholds)
            if not decision.report or (not decision.striking and not self.settings.include_similar):
                continue
            key = (decision.striking, evidence.bits)
            if best is None or key > best[0]:
                best = (key, match, decision, evidence, e_value, row, side)
        if best is None:
            return None
        _, match, decision, evidence, e_value, row, side = best
        if not match.shared_comments:  # lexical scores are evidence in the report
            match = with_lexical_scores(match, query, side)
        return self._finding(analysis, unit, query, side, row, match, decision, evidence, e_value)

    def _finding(self, analysis: FileAnalysis, unit: AnalyzedUnit, query: Side, side: Side, row: UnitRow,
                 match: Match, decision: Decision, evidence: Evidence, e_value: float) -> Finding | None:
        holders = holders_of(self.index, row, match.source_lines)
        if not holders:
            return None  # a unit whose source was removed
        origin: Origin = origin_of(holders)
        place: Holder = origin.holder
        ordered = [place] + [h for h in holders if h is not place]
        source = SourceRef(
            name=place.name, version=place.version, path=place.path,
            start_line=place.start_line, end_line=place.end_line, url=place.url,
            license=place.license, license_category=place.license_category, license_origin=place.license_origin,
            unit_id=place.unit_id, source_count=len({h.name for h in holders}),
        )
        shared = tuple(sorted({c.text for c in analysis.comments if c.digest in match.shared_comments}))
        policy = self.settings.policy.decide_many(
            striking=decision.striking,
            licenses=[(h.license, h.license_category) for h in (ordered if self.settings.policy.license_basis
                                                                == "holders" else [place])])
        fingerprint = hashlib.blake2b(
            f"{analysis.path}\0{place.name}\0{place.path}\0{row.digest}\0{unit.digest}".encode(), digest_size=12
        ).hexdigest()
        return Finding(
            path=analysis.path, start_line=match.query_lines[0], end_line=match.query_lines[1],
            similarity=round(match.similarity, 4), matched_tokens=match.matched_tokens, striking=decision.striking,
            decided_by=decision.decided_by, source=source,
            scores={"query_coverage": round(match.query_coverage, 4), "source_coverage": round(match.source_coverage, 4),
                    "bleu": round(match.bleu, 4), "jaccard5": round(match.jaccard5, 4), "edit": round(match.edit, 4),
                    "licoeval": round(match.licoeval, 4), "longest_run": match.longest_run,
                    "distinct_4grams": match.distinct_shingles},
            shared_comments=shared, policy=policy, fingerprint=fingerprint,
            holders=tuple(HolderRef(h.name, h.version, h.path, h.start_line, h.end_line, h.license,
                                    h.license_category, h.lineage) for h in ordered),
            origin_rule=origin.rule, origin_ambiguous=origin.ambiguous,
            evidence={"bits": round(evidence.bits, 1), "structural_bits": round(evidence.structural_bits, 1),
                      "lexical_bits": round(evidence.lexical_bits, 1), "e_value": float(f"{max(e_value, 1e-300):.3g}")},
            alignment=_alignment_lines(match, query, side),
        )


FileResult = tuple[list[Finding], Skipped | None, int]
_WORKER: Scanner | None = None


def _init_worker(index_path: str, settings: ScanSettings) -> None:
    global _WORKER
    _WORKER = Scanner(open_index(index_path), settings)


def _scan_in_worker(target: ScanTarget) -> FileResult:
    assert _WORKER is not None
    return _WORKER.scan_target(target)


def _touches(unit: AnalyzedUnit, added: frozenset[int]) -> bool:
    return any(unit.unit.start_line <= line <= unit.unit.end_line for line in added)


def _added_share_enough(match: Match, added: frozenset[int]) -> bool:
    """In a diff, the matched query lines must be mostly added lines: old code never triggers on its own."""
    lo, hi = match.query_lines
    span = range(lo, hi + 1)
    new = sum(1 for line in span if line in added)
    return new >= max(1, len(span) // 2)


def _alignment_lines(match: Match, query: Side, source: Side) -> tuple[tuple[int, int, int, int], ...]:
    """The aligned blocks as line ranges (query lo, hi, source lo, hi), touching blocks merged."""
    spans: list[list[int]] = []
    for qs, qe, ss, se in match.blocks:
        span = [query.lines[qs], query.lines[qe - 1], source.lines[ss], source.lines[se - 1]]
        if spans and span[0] <= spans[-1][1] + 1 and span[2] <= spans[-1][3] + 1 and span[2] >= spans[-1][2]:
            spans[-1][1], spans[-1][3] = max(spans[-1][1], span[1]), max(spans[-1][3], span[3])
        else:
            spans.append(span)
    return tuple((a, b, c, d) for a, b, c, d in spans)


def _drop_overlaps(findings: list[Finding]) -> list[Finding]:
    """One finding per region of the scanned file: the strongest wins where units overlap (windows, classes)."""
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (not f.striking, -f.matched_tokens, -f.similarity)):
        if any(_overlap(finding, other) >= 0.5 for other in kept):
            continue
        kept.append(finding)
    return sorted(kept, key=lambda f: (f.path, f.start_line))


def _overlap(a: Finding, b: Finding) -> float:
    lo, hi = max(a.start_line, b.start_line), min(a.end_line, b.end_line)
    if hi < lo:
        return 0.0
    return (hi - lo + 1) / (a.end_line - a.start_line + 1)
