"""Statistics of one (victim space, suspect outputs/weights) pair, as the null and verify both need."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from licheck.fingerprint.inputs.observations import Observations, subset_positions
from licheck.fingerprint.inputs.recovery import fixed_coordinates
from licheck.fingerprint.linalg import orthonormal_basis
from licheck.fingerprint.statistics.measures import (
    JointSpace,
    Overlap,
    WeightComparison,
    compare_weights,
    s1_ratios,
    s1_statistic,
    s2_joint_space,
    s3_overlap,
)

PARTIAL_TOP_K = 20
# Position counts at which the null records S2 and S3 on disjoint blocks: both depend on N, so verify
# compares against the largest recorded N not above its own (conservative: independents score
# higher S3 and higher S2 with fewer positions).
NULL_BLOCK_SIZES = (64, 96, 128, 192, 256, 384, 512, 768, 1024)
# The same for the fixed design (statistics keyed `s1x@N`, `s2x@N`, `s3x@N`): the victim's space and the
# suspect's outputs restricted to the fixed coordinates a fixed-design recovery learns at every position.
FIXED_BLOCK_SIZES = (32, 48, 64, 96, 128, 192, 256, 384, 512, 768)
FIXED_SUFFIX = "x"


def block_statistics(basis: np.ndarray, obs: Observations, *, floor: float, sizes: tuple[int, ...] = NULL_BLOCK_SIZES,
                     suffix: str = "", with_s1: bool = False) -> dict[str, list[float]]:
    """S2 and S3 (and S1 when asked) on disjoint position blocks of every recorded size, keyed `s2@N` / `s3@N`
    (`s2x@N` ... with suffix "x")."""
    out: dict[str, list[float]] = {}
    for size in sizes:
        for start in range(0, obs.n_positions - size + 1, size):
            block = subset_positions(obs, np.arange(start, start + size))
            if with_s1:
                out.setdefault(f"s1{suffix}@{size}", []).append(s1_statistic(s1_ratios(block, basis)))
            out.setdefault(f"s2{suffix}@{size}", []).append(s2_joint_space(block, basis, floor=floor).statistic)
            overlap = s3_overlap(block, basis)
            if s3_usable(overlap, block.n_positions, basis.shape[1]):
                out.setdefault(f"s3{suffix}@{size}", []).append(overlap.overlap)
    return out


def fixed_design(basis: np.ndarray, obs: Observations, ids: np.ndarray) -> tuple[np.ndarray, Observations]:
    """The victim's space and full suspect outputs restricted to the coordinates `ids` (renumbered): what a
    fixed-design recovery of those tokens sees. The restricted space is spanned by the basis rows (it holds the
    all-ones direction, so the restricted ones vector stays in it)."""
    return orthonormal_basis(basis[ids]), Observations(values=obs.values[:, ids], ids=None, vocab_size=int(ids.size),
                                                       fixed=True)


def fixed_block_statistics(basis: np.ndarray, obs: Observations, *, floor: float) -> dict[str, list[float]]:
    """The null's fixed-design statistics: S1, S2, S3 on the coordinates `fixed_coordinates` picks for this
    victim space, on disjoint blocks of FIXED_BLOCK_SIZES positions."""
    restricted, rows = fixed_design(basis, obs, fixed_coordinates(obs.vocab_size, basis.shape[1]))
    return block_statistics(restricted, rows, floor=floor, sizes=FIXED_BLOCK_SIZES, suffix=FIXED_SUFFIX,
                            with_s1=True)


def s3_usable(overlap: Overlap, n_positions: int, victim_dim: int) -> bool:
    """S3's minimum-positions guard: N >= 2 x the suspect's dimension, and at least 2 x the victim's
    (a dimension estimated from fewer positions is capped by them and cannot be trusted), and the
    suspect's whole space visible (nothing left beyond its estimated dimension)."""
    return overlap.dimension_seen and n_positions >= 2 * max(overlap.suspect_dim, victim_dim - 1)


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


@dataclass(frozen=True)
class PairStats:
    s1: float | None
    s1_ratios: np.ndarray
    s1_partial_ratios: np.ndarray  # S1 on the coordinates a top-k + logit-bias recovery yields
    joint: JointSpace | None
    overlap: Overlap | None
    weights: WeightComparison | None
    s3_ok: bool = False
    blocks: dict[str, list[float]] | None = None

    def as_null_stats(self) -> dict[str, float]:
        out: dict[str, float] = {}
        if self.s1 is not None:
            out["s1"] = self.s1
        if self.joint is not None:
            out["s2"] = self.joint.statistic
        if self.overlap is not None and self.s3_ok:
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
    s3_ok = overlap is not None and obs is not None and s3_usable(overlap, obs.n_positions, basis.shape[1])
    blocks = None
    if with_partial and obs is not None and obs.is_full:
        blocks = block_statistics(basis, obs, floor=floor) | fixed_block_statistics(basis, obs, floor=floor)
    return PairStats(s1=s1, s1_ratios=ratios, s1_partial_ratios=partial, s3_ok=s3_ok, blocks=blocks, joint=joint, overlap=overlap, weights=weights)
