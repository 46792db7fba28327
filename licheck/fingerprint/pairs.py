"""Statistics of one (victim space, suspect outputs/weights) pair, as the null and verify both need."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from licheck.fingerprint.observations import Observations
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
                    suspect_head: np.ndarray | None = None, suspect_bias: np.ndarray | None = None) -> PairStats:
    """Every statistic the inputs allow: S1 always, S2/S3 on full vectors, weights when given."""
    ratios = s1_ratios(obs, basis) if obs is not None else np.zeros(0)
    s1 = s1_statistic(ratios) if ratios.size else None
    joint = overlap = None
    if obs is not None and obs.is_full:
        if obs.n_positions >= 4:
            joint = s2_joint_space(obs, basis, floor=floor)
        overlap = s3_overlap(obs, basis)
    weights = compare_weights(basis, suspect_head, suspect_bias) if suspect_head is not None else None
    return PairStats(s1=s1, s1_ratios=ratios, joint=joint, overlap=overlap, weights=weights)
