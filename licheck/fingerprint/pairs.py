"""Statistics of one (victim space, suspect outputs/weights) pair, as the null and verify both need."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from licheck.fingerprint.observations import Observations

PARTIAL_TOP_K = 20


def partial_design(obs: Observations, dim: int, *, seed: int = 0) -> Observations:
    """What a logit-bias recovery of m = 2 * dim coordinates sees: the top-k plus random others."""
    rng = np.random.default_rng(seed)
    m = min(2 * dim, obs.vocab_size)
    ids = np.empty((obs.n_positions, m), dtype=np.int64)
    for t in range(obs.n_positions):
        top = np.argsort(-obs.values[t])[:PARTIAL_TOP_K]
        rest = np.setdiff1d(rng.permutation(obs.vocab_size), top, assume_unique=True)
        ids[t] = np.sort(np.concatenate([top, rest[: m - top.size]]))
    return Observations(values=np.take_along_axis(obs.values, ids, axis=1), ids=ids, vocab_size=obs.vocab_size)
from licheck.fingerprint.stats import (
    JointSpace,
    Overlap,
    WeightComparison,
    compare_weights,
    s1_ratios,
    s1_statistic,
    s2_joint_space,
    s3_overlap,
)


@dataclass(frozen=True)
class PairStats:
    s1: float | None
    s1_ratios: np.ndarray
    s1_partial_ratios: np.ndarray  # S1 on the coordinates a top-k + logit-bias recovery yields
    joint: JointSpace | None
    overlap: Overlap | None
    weights: WeightComparison | None

    def as_null_stats(self) -> dict[str, float]:
        out: dict[str, float] = {}
        if self.s1 is not None:
            out["s1"] = self.s1
        if self.joint is not None:
            out["s2"] = self.joint.statistic
        if self.overlap is not None and self.overlap.enough_positions:
            out["s3"] = self.overlap.overlap
        if self.weights is not None:
            out["weight_residual"] = self.weights.residual
            out["weight_overlap"] = self.weights.overlap
            out["weight_lowrank"] = self.weights.lowrank_residual
        return out


def pair_statistics(basis: np.ndarray, obs: Observations | None, *, floor: float,
                    suspect_head: np.ndarray | None = None, suspect_bias: np.ndarray | None = None,
                    with_partial: bool = False) -> PairStats:
    """Every statistic the inputs allow: S1 always, S2/S3 on full vectors, weights when given."""
    ratios = s1_ratios(obs, basis) if obs is not None else np.zeros(0)
    partial = np.zeros(0)
    if with_partial and obs is not None and obs.is_full:
        partial = s1_ratios(partial_design(obs, basis.shape[1]), basis)
    s1 = s1_statistic(ratios) if ratios.size else None
    joint = overlap = None
    if obs is not None and obs.is_full:
        if obs.n_positions >= 4:
            joint = s2_joint_space(obs, basis, floor=floor)
        overlap = s3_overlap(obs, basis)
    weights = compare_weights(basis, suspect_head, suspect_bias) if suspect_head is not None else None
    return PairStats(s1=s1, s1_ratios=ratios, s1_partial_ratios=partial, joint=joint, overlap=overlap, weights=weights)
