"""Candidate → confirmed match: token alignment with line spans on both sides, and LiCoEval's scores.

Alignment runs on the structural streams (robust to renaming and reformatting); LiCoEval's three scores (BLEU-4,
5-gram Jaccard, token edit similarity) run on the lexical streams, so they are comparable to the benchmark's.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz.distance import Indel, LCSseq, Levenshtein

MIN_BLOCK = 4  # aligned runs shorter than this are coincidence, not copying
STRAY_BLOCK = 16  # a run shorter than this, further than STRAY_GAP tokens from the others,
STRAY_GAP = 16  # does not stretch the reported lines (an edited statement in between is bridged)


@dataclass(frozen=True)
class Side:
    """One unit's token streams, gathered from its file's streams."""

    structural: list[int]
    lexical: list[int]
    lines: list[int]
    comments: frozenset[int]


@dataclass(frozen=True)
class Match:
    similarity: float
    matched_tokens: int
    query_coverage: float
    source_coverage: float
    query_lines: tuple[int, int]
    source_lines: tuple[int, int]
    longest_run: int
    matched_lines: int  # query lines from the first to the last matched token (before trimming stray runs)
    distinct_shingles: int
    shared_comments: frozenset[int]
    bleu: float = 0.0  # LiCoEval's scores on the lexical streams: filled by with_lexical_scores
    jaccard5: float = 0.0
    edit: float = 0.0
    blocks: tuple[tuple[int, int, int, int], ...] = ()  # aligned runs: (query start, end, source start, end) tokens

    @property
    def licoeval(self) -> float:
        return max(self.bleu, self.jaccard5, self.edit)


def gather(structural: np.ndarray, lexical: np.ndarray, lines: np.ndarray, ranges: tuple[tuple[int, int], ...],
           comments: frozenset[int]) -> Side:
    if len(ranges) == 1:
        a, b = ranges[0]
        return Side(structural[a:b].tolist(), lexical[a:b].tolist(), lines[a:b].tolist(), comments)
    idx = np.concatenate([np.arange(a, b) for a, b in ranges]) if ranges else np.empty(0, dtype=np.int64)
    return Side(structural[idx].tolist(), lexical[idx].tolist(), lines[idx].tolist(), comments)


def quick_similarity(query: Side, source: Side) -> float:
    """A cheap first look (C speed) that decides which candidates deserve a full comparison."""
    return Indel.normalized_similarity(query.structural, source.structural)


def with_lexical_scores(match: Match, query: Side, source: Side) -> Match:
    return replace(
        match,
        bleu=bleu4(query.lexical, source.lexical),
        jaccard5=ngram_jaccard(query.lexical, source.lexical, 5),
        edit=Levenshtein.normalized_similarity(query.lexical, source.lexical),
    )


def compare(query: Side, source: Side) -> Match:
    """Align the structural streams; LiCoEval's lexical scores come separately (they cost more)."""
    q, s = query.structural, source.structural
    blocks = [(op.src_start, op.src_end, op.dest_start, op.dest_end) for op in LCSseq.opcodes(q, s)
              if op.tag == "equal" and op.src_end - op.src_start >= MIN_BLOCK]
    matched = sum(qe - qs for qs, qe, _, _ in blocks)
    longest = max((qe - qs for qs, qe, _, _ in blocks), default=0)
    q_tokens = [token for qs, qe, _, _ in blocks for token in q[qs:qe]]
    region = _trim_stray_blocks(blocks)  # only the reported line ranges hug the copied region
    q_hit = [query.lines[i] for qs, qe, _, _ in region for i in (qs, qe - 1)]
    s_hit = [source.lines[i] for _, _, ss, se in region for i in (ss, se - 1)]
    return Match(
        similarity=Indel.normalized_similarity(q, s),
        matched_tokens=matched,
        query_coverage=matched / len(q) if q else 0.0,
        source_coverage=matched / len(s) if s else 0.0,
        query_lines=(min(q_hit), max(q_hit)) if q_hit else (0, 0),
        source_lines=(min(s_hit), max(s_hit)) if s_hit else (0, 0),
        longest_run=longest,
        matched_lines=query.lines[blocks[-1][1] - 1] - query.lines[blocks[0][0]] + 1 if blocks else 0,
        distinct_shingles=len(set(zip(q_tokens, q_tokens[1:], q_tokens[2:], q_tokens[3:], strict=False))),
        shared_comments=query.comments & source.comments,
        blocks=tuple(blocks),
    )


def _trim_stray_blocks(blocks: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Keep the cluster of aligned runs around the longest one; short runs far from it (a matching signature
    line, a shared `return`) are dropped, so the reported line ranges hug the copied region."""
    if len(blocks) < 2:
        return blocks
    anchor = max(range(len(blocks)), key=lambda i: blocks[i][1] - blocks[i][0])

    def near(block: tuple[int, int, int, int], gap: int) -> bool:
        return block[1] - block[0] >= STRAY_BLOCK or gap <= max(block[1] - block[0], STRAY_GAP)

    lo = anchor
    while lo > 0 and near(blocks[lo - 1], blocks[lo][0] - blocks[lo - 1][1]):
        lo -= 1
    hi = anchor
    while hi < len(blocks) - 1 and near(blocks[hi + 1], blocks[hi + 1][0] - blocks[hi][1]):
        hi += 1
    return blocks[lo : hi + 1]


def _ngrams(tokens: list[int], n: int) -> Counter[tuple[int, ...]]:
    return Counter(zip(*(tokens[i:] for i in range(n)), strict=False))


def bleu4(candidate: list[int], reference: list[int]) -> float:
    """Sentence BLEU-4 with add-one smoothing of higher orders (Lin & Och), candidate vs one reference."""
    if not candidate or not reference:
        return 0.0
    log_sum = 0.0
    for n in range(1, 5):
        cand = _ngrams(candidate, n)
        total = sum(cand.values())
        if total == 0:
            return 0.0
        ref = _ngrams(reference, n)
        overlap = sum(min(count, ref[gram]) for gram, count in cand.items())
        if n > 1:
            overlap, total = overlap + 1, total + 1
        if overlap == 0:
            return 0.0
        log_sum += math.log(overlap / total) / 4
    c, r = len(candidate), len(reference)
    brevity = 1.0 if c > r else math.exp(1 - r / c)
    return brevity * math.exp(log_sum)


def ngram_jaccard(a: list[int], b: list[int], n: int) -> float:
    sa, sb = set(_ngrams(a, n)), set(_ngrams(b, n))
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)
