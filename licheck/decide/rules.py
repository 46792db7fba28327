"""The rules, in the order they apply, that make a verified match a finding — striking or not.

1. ``too-short``: fewer than ``min_tokens`` aligned tokens is never reported.
2. ``below-complexity-floor``: fewer than ``complexity_floor`` distinct 4-grams in the aligned runs (a scaffold
   repeated: a literal table, a field list) is at most "similar".
3. ``licoeval``: LiCoEval's criterion (max of BLEU-4, 5-gram Jaccard, edit similarity above ``licoeval_tau``,
   and a shared comment) — the field's reference route, kept as it is published.
4. ``e-value``: striking when the expected number of matches this strong between independent code of this
   index (``null.NullModel.e_value`` of the match's evidence bits) is at most ``max_e_value``.
5. ``common-pattern``: not striking, and several independent lineages reach the query as closely — the shape
   is common in the index; otherwise ``similar`` when the match is close enough to show, else not reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from licheck.verify import Match


@dataclass(frozen=True)
class Thresholds:
    min_tokens: int = 25
    complexity_floor: int = 20
    licoeval_tau: float = 0.6
    # Tuned on the peers' held-out split (gen_testset.py --seed 2), reported on --seed 1 (benchmarks/README.md)
    max_e_value: float = 1e-2
    common_lineages: int = 3  # independent lineages this close make a non-striking match a common pattern
    report_similarity: float = 0.5
    report_coverage: float = 0.65


@dataclass(frozen=True)
class Decision:
    report: bool
    striking: bool
    decided_by: str


def decide(match: Match, *, e_value: float, close_lineages: int, thresholds: Thresholds = Thresholds()) -> Decision:
    """``close_lineages``: independent lineages whose units reach the query about as closely as this match."""
    t = thresholds
    if match.matched_tokens < t.min_tokens:
        return Decision(False, False, "too-short")
    if match.distinct_shingles < t.complexity_floor:
        return Decision(match.similarity >= t.report_similarity, False, "below-complexity-floor")
    if match.licoeval > t.licoeval_tau and match.shared_comments:
        return Decision(True, True, "licoeval")
    if e_value <= t.max_e_value:
        return Decision(True, True, "e-value")
    shown = match.similarity >= t.report_similarity or match.query_coverage >= t.report_coverage
    if close_lineages >= t.common_lineages:
        return Decision(shown, False, "common-pattern")
    return Decision(shown, False, "similar" if shown else "dissimilar")
