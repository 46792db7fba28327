"""When is a match *striking*? Long, rare, non-trivial matches, or LiCoEval's criterion; never boilerplate."""

from __future__ import annotations

from dataclasses import dataclass

from licheck.verify import Match


@dataclass(frozen=True)
class Thresholds:
    min_tokens: int = 25  # below this, nothing is reported
    licoeval_tau: float = 0.6  # LiCoEval: max(BLEU, 5-gram Jaccard, edit similarity) > tau and a shared comment
    # The other route, tuned on a held-out test set (peers' gen_testset.py --seed 2; reported on --seed 1):
    long_match_tokens: int = 30  # a match of at least this many aligned structural tokens ...
    long_match_coverage: float = 0.65  # ... covering most of the query unit ...
    long_match_similarity: float = 0.6  # ... aligned closely with the source unit as a whole ...
    long_match_lines: int = 5  # ... over at least this many lines ...
    complexity_floor: int = 20  # ... with at least this many distinct 4-grams (repetitive scaffolds have few) ...
    partial_coverage: float = 0.85  # a partial copy: most of the query unit is one long run of a larger unit
    partial_tokens: int = 60
    partial_longest_run: int = 20
    partial_lines: int = 8
    common_sources: int = 3  # ... held by fewer sources than this (more: a common pattern)
    report_similarity: float = 0.5  # non-striking matches at or above this are reported as "similar"


@dataclass(frozen=True)
class Decision:
    report: bool
    striking: bool
    decided_by: str


def decide(match: Match, *, sources_holding: int, thresholds: Thresholds = Thresholds()) -> Decision:
    """``sources_holding``: how many indexed sources hold this code or a close variant of it."""
    t = thresholds
    if match.matched_tokens < t.min_tokens:
        return Decision(False, False, "too-short")
    lines = match.matched_lines
    if sources_holding >= t.common_sources:
        return Decision(True, False, f"common-pattern ({sources_holding} sources)")
    if match.distinct_shingles < t.complexity_floor:
        return Decision(match.similarity >= t.report_similarity, False, "below-complexity-floor")
    if match.licoeval > t.licoeval_tau and match.shared_comments:
        return Decision(True, True, "licoeval")
    if (
        match.matched_tokens >= t.long_match_tokens
        and match.query_coverage >= t.long_match_coverage
        and match.similarity >= t.long_match_similarity
        and lines >= t.long_match_lines
    ):
        return Decision(True, True, "long-rare-match")
    if (
        match.query_coverage >= t.partial_coverage
        and match.matched_tokens >= t.partial_tokens
        and match.longest_run >= t.partial_longest_run
        and lines >= t.partial_lines
    ):
        return Decision(True, True, "partial-copy")
    if match.similarity >= t.report_similarity or match.query_coverage >= t.long_match_coverage:
        return Decision(True, False, "similar")
    return Decision(False, False, "dissimilar")
