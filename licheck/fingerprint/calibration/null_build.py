"""Build the empirical null: all ordered pairs of independent models that share the tokenizer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from licheck.errors import UsageError
from licheck.fingerprint.calibration.calibrate import NullModel, NullPair
from licheck.fingerprint.inputs.observations import Observations
from licheck.fingerprint.statistics.controls import measure_floors
from licheck.fingerprint.statistics.pairs import pair_statistics


@dataclass(frozen=True)
class NullMember:
    """One independent model: its space, its outputs, and its head when the weights are known."""

    name: str
    basis: np.ndarray
    observations: Observations | None
    head: np.ndarray | None = None
    bias: np.ndarray | None = None


def build_null(members: Sequence[NullMember], *, tokenizer_digest: str, coordinates: np.ndarray | None = None,
               vocab_size: int | None = None, progress: Callable[[str], None] | None = None) -> NullModel:
    """Statistics of every ordered pair (victim a, suspect b), a != b."""
    if len(members) < 2:
        raise UsageError("calibration needs at least two independent models")
    vocab = {m.basis.shape[0] for m in members}
    if len(vocab) != 1:
        raise UsageError(f"calibration models disagree on the vocabulary size: {sorted(vocab)}")
    pairs = []
    positions = 0
    for a in members:
        floor = measure_floors(a.basis, a.head, a.bias).floor
        for b in members:
            if a is b:
                continue
            head = b.head if a.head is not None else None
            if b.observations is None and head is None:
                continue  # nothing of b to test against a's space
            stats = pair_statistics(a.basis, b.observations, floor=floor, suspect_head=head, suspect_bias=b.bias,
                                    with_partial=True)
            if b.observations is not None:
                positions = b.observations.n_positions if not positions else min(positions, b.observations.n_positions)
            pairs.append(NullPair(victim=a.name, suspect=b.name, stats=stats.as_null_stats() | (stats.blocks or {}), s1_ratios=stats.s1_ratios,
                                  s1_partial_ratios=stats.s1_partial_ratios))
            if progress:
                progress(f"null pair {a.name} -> {b.name}")
    return NullModel(pairs=tuple(pairs), n_positions=positions, vocab_size=vocab_size or vocab.pop(),
                     tokenizer_digest=tokenizer_digest, coordinates=coordinates,
                     members=tuple(m.name for m in members))
