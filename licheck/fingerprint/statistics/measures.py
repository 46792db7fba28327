"""The three output statistics of FINGERPRINT.md (S1, S2, S3) and the weight-mode comparison.

Pure numpy. `basis` is always the victim's orthonormal output-space basis Q (V x d),
which contains the all-ones direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from licheck.fingerprint.inputs.observations import Observations
from licheck.fingerprint.linalg import (
    center_rows,
    output_space_basis,
    principal_cosines,
    rank_from_gap,
    row_space_svd,
)

S2_MAX_RANK = 16
S2_TEST_RANK = 8  # S2's test statistic: held-out residual after removing this many fitted directions
# A suspect dimension is trusted only where C Y's singular values beyond it have fallen below this fraction
# of the largest: with fewer positions than the suspect's own dimension needs, the gap estimator finds a
# spurious early gap (measured: a h = 64 model read as dimension 2, S3 = 0.92, at 98 positions; its tail
# there is 0.2, against 2e-8 wherever the dimension is seen whole).
S3_TAIL_FRACTION = 1e-2


@dataclass(frozen=True)
class JointSpace:
    """S2: how many extra directions the suspect adds to the victim's space."""

    statistic: float  # held-out residual after removing S2_TEST_RANK fitted directions
    held_out: tuple[float, ...]  # held-out residual (median over positions) after k = 0..k_max directions
    adapter_rank: int | None  # smallest k whose held-out residual reaches the floor; None if none does
    gap_rank: int  # rank-gap estimate on the fitted residual's singular values
    l_sum: int  # victim dimension + residual singular values above tolerance


@dataclass(frozen=True)
class Overlap:
    """S3: mean squared cosine between the suspect's own output space and the victim's."""

    overlap: float
    suspect_dim: int
    enough_positions: bool
    min_positions: int
    low_quantile: float  # 20% quantile of the squared principal cosines: are some directions missing?
    dimension_seen: bool = True  # the suspect's whole output space is visible in these positions


@dataclass(frozen=True)
class WeightComparison:
    """Weight mode: principal angles between the two output layers' spaces."""

    overlap: float  # mean squared cosine over the smaller space
    residual: float  # ||(I - QQ^T) W_s||_F / ||C W_s||_F
    lowrank_residual: float  # the same after removing the top S2_TEST_RANK residual directions
    min_cosine: float
    low_quantile: float
    adapter_rank: int  # rank-gap estimate of the suspect's head outside the victim space
    suspect_dim: int


def s1_ratios(obs: Observations, basis: np.ndarray) -> np.ndarray:
    """Per-position rho_t = ||(I - QQ^T) y_t|| / ||C y_t|| over the observed coordinates."""
    if obs.ids is None:
        centred = center_rows(obs.values)
        resid = centred - (centred @ basis) @ basis.T
        return _ratio(resid, centred)
    rows = basis[obs.ids]  # N x m x d: the victim space restricted to each position's coordinates
    q, _ = np.linalg.qr(rows)
    y = obs.values - obs.values.mean(axis=1, keepdims=True)
    resid = y - np.einsum("nmd,nd->nm", q, np.einsum("nmd,nm->nd", q, y))
    return np.linalg.norm(resid, axis=1) / np.maximum(np.linalg.norm(y, axis=1), 1e-300)


def median_residual(values: np.ndarray, basis: np.ndarray) -> float:
    """S1 of whole output rows `values` (N x V) against `basis`: the median of rho_t."""
    centred = center_rows(values)
    return float(np.median(_ratio(centred - (centred @ basis) @ basis.T, centred)))


def s1_statistic(ratios: np.ndarray) -> float:
    """S1 aggregated by the median over positions."""
    return float(np.median(ratios))


def s2_joint_space(obs: Observations, basis: np.ndarray, *, floor: float, k_max: int = S2_MAX_RANK) -> JointSpace:
    """Fit the residual directions on even positions, measure the held-out residual on odd ones."""
    centred = center_rows(obs.values)
    resid = centred - (centred @ basis) @ basis.T
    fit, test = resid[0::2], resid[1::2]
    test_norms = np.maximum(np.linalg.norm(centred[1::2], axis=1), 1e-300)
    s, vt = row_space_svd(fit)
    k_top = min(k_max, vt.shape[0])
    held = []
    for k in range(k_top + 1):
        p = vt[:k]
        r = test - (test @ p.T) @ p
        held.append(float(np.median(np.linalg.norm(r, axis=1) / test_norms)))
    tol = max(10.0 * floor, 1e-5)
    reached = [k for k, value in enumerate(held) if value <= tol]
    scale = np.linalg.norm(centred[0::2]) / np.sqrt(max(fit.shape[0], 1))
    l_sum = basis.shape[1] + int(np.sum(s / np.sqrt(max(fit.shape[0], 1)) > tol * scale))
    return JointSpace(statistic=held[min(S2_TEST_RANK, k_top)], held_out=tuple(held), adapter_rank=reached[0] if reached else None,
                      gap_rank=rank_from_gap(s, max_rank=k_top) if s.size > 1 else 0, l_sum=l_sum)


def s3_overlap(obs: Observations, basis: np.ndarray, *, max_dim: int | None = None) -> Overlap:
    """Suspect dimension from the singular-value gap of C Y, then ||Q^T S||_F^2 / h_s."""
    centred = center_rows(obs.values)
    s, vt = row_space_svd(centred)
    limit = max_dim if max_dim is not None else max(1, min(centred.shape) // 2)
    dim = max(1, rank_from_gap(s, max_rank=limit))
    top = vt[:dim].T
    overlap = float(np.sum((basis.T @ top) ** 2) / dim)
    seen = dim < s.size and bool(s[dim] <= S3_TAIL_FRACTION * s[0]) if s.size else False
    return Overlap(overlap=overlap, suspect_dim=dim, enough_positions=obs.n_positions >= 2 * dim and seen,
                   min_positions=2 * dim, low_quantile=_low_quantile(principal_cosines(basis, top)),
                   dimension_seen=seen)


def compare_weights(basis: np.ndarray, head: np.ndarray, bias: np.ndarray | None = None) -> WeightComparison:
    """Principal angles between the victim's space and the suspect's output layer."""
    suspect = output_space_basis(head, bias)
    cosines = principal_cosines(basis, suspect)
    w = center_rows(np.asarray(head, dtype=np.float64).T).T
    resid = w - basis @ (basis.T @ w)
    s = np.linalg.svd(resid, compute_uv=False)
    norm = max(np.linalg.norm(w), 1e-300)
    ratio = float(np.linalg.norm(resid) / norm)
    lowrank = float(np.sqrt(np.sum(s[S2_TEST_RANK:] ** 2)) / norm)
    return WeightComparison(overlap=float(np.mean(cosines**2)), residual=ratio, lowrank_residual=lowrank,
                            min_cosine=float(cosines.min()) if cosines.size else 0.0,
                            low_quantile=_low_quantile(cosines),
                            adapter_rank=rank_from_gap(s, max_rank=min(S2_MAX_RANK, s.size - 1)),
                            suspect_dim=suspect.shape[1])


def _ratio(resid: np.ndarray, centred: np.ndarray) -> np.ndarray:
    return np.linalg.norm(resid, axis=1) / np.maximum(np.linalg.norm(centred, axis=1), 1e-300)


def _low_quantile(cosines: np.ndarray) -> float:
    return float(np.quantile(cosines**2, 0.2)) if cosines.size else 0.0
