"""The evidence a match carries, in bits: how surprising its shared shingles are among the index's lineages.

Structural evidence is the information of the distinct structural 4-grams inside the aligned runs (the shape of
the copied code); lexical evidence that of the distinct raw-token 4-grams both sides share inside those runs
(identifiers, literals, calls: what renaming-free copying keeps and independent code rarely repeats). Both are
counted over lineages (``information.ShingleCounts``), so code vendored fifty times is as informative as code
held once, and a table of literals (one shape repeated) carries only the few bits of its few distinct 4-grams.

The bits are a score, not a probability: ``null.NullModel`` turns them into the chance of a match this strong
between independent code of this index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from licheck.arrays import intersect, unique_sorted
from licheck.decide.information import LEXICAL_SALT, SHINGLE_K, ShingleCounts
from licheck.shingle import shingle_hashes_at
from licheck.verify import Match, Side


@dataclass(frozen=True)
class Evidence:
    structural_bits: float
    lexical_bits: float

    @property
    def bits(self) -> float:
        return self.structural_bits + self.lexical_bits


def evidence_of(match: Match, query: Side, source: Side, counts: ShingleCounts,
                language: str | None = None) -> Evidence:
    """The bits of the aligned runs of ``match`` (query positions ``query``, source positions ``source``)."""
    if not match.blocks:
        return Evidence(0.0, 0.0)
    q_struct = _at(query.structural)
    q_lex, s_lex = _at(query.lexical) ^ LEXICAL_SALT, _at(source.lexical) ^ LEXICAL_SALT
    q_pos = _inside(match.blocks, 0, len(q_struct))
    s_pos = _inside(match.blocks, 2, len(s_lex))
    struct_hashes = unique_sorted(q_struct[q_pos])
    lex_hashes = intersect(q_lex[q_pos], s_lex[s_pos])
    return Evidence(counts.bits(struct_hashes, language), counts.bits(lex_hashes, language))


def _at(tokens: list[int]) -> np.ndarray:
    return shingle_hashes_at(np.asarray(tokens, dtype=np.uint32), SHINGLE_K)


def _inside(blocks: tuple[tuple[int, int, int, int], ...], side: int, limit: int) -> np.ndarray:
    """Start positions of the 4-grams lying wholly inside a block (``side`` 0: query, 2: source)."""
    spans = [np.arange(b[side], b[side + 1] - SHINGLE_K + 1) for b in blocks if b[side + 1] - b[side] >= SHINGLE_K]
    positions = np.concatenate(spans) if spans else np.empty(0, dtype=np.int64)
    return positions[positions < limit]
