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

from licheck.decide.information import ShingleCounts, lexical_shingles, structural_shingles
from licheck.verify import Match, Side


@dataclass(frozen=True)
class Evidence:
    structural_bits: float
    lexical_bits: float

    @property
    def bits(self) -> float:
        return self.structural_bits + self.lexical_bits


def evidence_of(match: Match, query: Side, source: Side, counts: ShingleCounts) -> Evidence:
    """The bits of the aligned runs of ``match`` (query positions ``query``, source positions ``source``)."""
    if not match.blocks:
        return Evidence(0.0, 0.0)
    q_struct = np.asarray(query.structural, dtype=np.uint32)
    q_lex = np.asarray(query.lexical, dtype=np.uint32)
    s_lex = np.asarray(source.lexical, dtype=np.uint32)
    structural, q_lexical, s_lexical = [], [], []
    for qs, qe, ss, se in match.blocks:
        structural.append(structural_shingles(q_struct[qs:qe]))
        q_lexical.append(lexical_shingles(q_lex[qs:qe]))
        s_lexical.append(lexical_shingles(s_lex[ss:se]))
    struct_hashes = np.unique(np.concatenate(structural))
    lex_hashes = np.intersect1d(np.concatenate(q_lexical), np.concatenate(s_lexical))
    return Evidence(counts.bits(struct_hashes), counts.bits(lex_hashes))
