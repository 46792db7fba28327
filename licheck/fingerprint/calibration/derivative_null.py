"""The distillation rule, calibrated on a null of derivatives.

A model derived from the victim's weights (fine-tuned, pruned, noised) degrades all its output directions
alike; a student distilled from the victim's outputs learns the directions those outputs exercise and
leaves the rest as unrelated as an independent model's. The statistic is the spread of the squared
principal cosines: their 20% quantile over their mean. Its null is a family of synthetic derivatives of
the victim's own output layer — Gaussian noise and random pruning at many strengths and seeds — matched to
the suspect's overlap. A spread below the null's `SPREAD_ALPHA` quantile (p <= SPREAD_ALPHA) is called
possible distillation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from licheck.fingerprint.linalg import principal_cosines
from licheck.fingerprint.statistics.measures import median_residual

SPREAD_ALPHA = 2e-2  # a derivative is called possible distillation at most this often (resolution 1/101)
LEVELS = 16
SEEDS = 8
MATCHED = 100  # synthetic derivatives nearest in overlap that form the suspect's null (p >= 1/101)


@dataclass(frozen=True)
class DistillationTest:
    spread: float  # 20% quantile of cos^2 / mean cos^2
    threshold: float  # the SPREAD_ALPHA quantile of matched derivatives' spreads
    p_value: float  # (1 + #derivatives at most as spread) / (1 + n)
    n_reference: int
    reference_overlap: tuple[float, float]  # overlap range of the matched derivatives
    flagged: bool
    rule: str = "cosine-spread"  # or "output-residual" (fixed-design recovery: `spread` is then the suspect's S1)


def derivative_spreads(basis: np.ndarray, head: np.ndarray | None, *, seed: int = 0) -> np.ndarray:
    """(overlap, spread) of synthetic derivatives of the victim's output layer, one row each."""
    rng = np.random.default_rng(seed)
    w = np.asarray(head if head is not None else basis, dtype=np.float64)
    scale = float(np.sqrt(np.mean(w**2)))
    rows = []
    for sigma in np.geomspace(0.02, 3.0, LEVELS):
        for _ in range(SEEDS):
            rows.append(_overlap_spread(basis, w + sigma * scale * rng.standard_normal(w.shape)))
    for fraction in np.linspace(0.05, 0.95, LEVELS):
        for _ in range(SEEDS):
            rows.append(_overlap_spread(basis, np.where(rng.random(w.shape) < fraction, 0.0, w)))
    return np.array(rows)


def distillation_test(overlap: float, low_quantile: float, reference: np.ndarray) -> DistillationTest:
    """Is the suspect's alignment more uneven than any derivative of the same overlap?"""
    spread = low_quantile / max(overlap, 1e-12)
    nearest = np.argsort(np.abs(reference[:, 0] - overlap))[:MATCHED]
    ref = reference[nearest]
    spreads = ref[:, 1]
    p = float((1 + np.sum(spreads <= spread)) / (1 + spreads.size))
    threshold = float(np.quantile(spreads, SPREAD_ALPHA))
    return DistillationTest(spread=float(spread), threshold=threshold, p_value=p, n_reference=int(spreads.size),
                            reference_overlap=(float(ref[:, 0].min()), float(ref[:, 0].max())),
                            flagged=p <= SPREAD_ALPHA)


def _overlap_spread(basis: np.ndarray, head: np.ndarray) -> tuple[float, float]:
    # QR, not the rank-revealing SVD of output_space_basis: a perturbed head is full rank, and this runs 256 times
    q, _ = np.linalg.qr(np.hstack([head, np.ones((head.shape[0], 1))]))
    cos2 = principal_cosines(basis, q) ** 2
    mean = float(np.mean(cos2))
    return mean, float(np.quantile(cos2, 0.2)) / max(mean, 1e-12)


# The output rule, for a fixed-design recovery through a top-k API (verdict/topk_queries.py). On a few hundred
# coordinates the principal cosines of unrelated directions sit near d / m instead of near 0, so the spread above
# no longer shows a student (measured on the zoo's distilled model: p = 0.01 on the whole vocabulary, 0.27-0.45 on
# 3d-8d fixed coordinates). What still shows it: a student is trained to reproduce the victim's *outputs*, so
# its outputs sit closer to the victim's space (S1) than a weight derivative's of the same overlap do.
OUTPUT_LEVELS = 48
OUTPUT_SEEDS = 4


def derivative_outputs(basis: np.ndarray, head: np.ndarray | None, values: np.ndarray, *,
                       seed: int = 0) -> np.ndarray:
    """(overlap, S1) of synthetic derivatives of the victim's output layer (Gaussian noise and random pruning at
    many strengths), their outputs computed on the hidden states that best explain the suspect's rows `values`
    through the victim's head (least squares), so they are read on the suspect's own inputs."""
    rng = np.random.default_rng(seed)
    w = np.asarray(head if head is not None else basis, dtype=np.float64)
    design = np.hstack([w, np.ones((w.shape[0], 1))])
    hidden = np.linalg.lstsq(design, np.asarray(values, dtype=np.float64).T, rcond=None)[0][:-1].T
    scale = float(np.sqrt(np.mean(w**2)))
    heads = [w + sigma * scale * rng.standard_normal(w.shape)
             for sigma in np.geomspace(0.02, 3.0, OUTPUT_LEVELS) for _ in range(OUTPUT_SEEDS)]
    heads += [np.where(rng.random(w.shape) < fraction, 0.0, w)
              for fraction in np.linspace(0.05, 0.95, OUTPUT_LEVELS) for _ in range(OUTPUT_SEEDS)]
    rows = []
    for derived in heads:
        overlap, _ = _overlap_spread(basis, derived)
        rows.append((overlap, median_residual(hidden @ derived.T, basis)))
    return np.array(rows)


def output_distillation_test(overlap: float, s1: float, reference: np.ndarray) -> DistillationTest:
    """Are the suspect's outputs closer to the victim's space (lower S1) than any derivative's of the same
    overlap? `spread` holds the suspect's S1 here, `threshold` the matched derivatives' SPREAD_ALPHA quantile."""
    nearest = np.argsort(np.abs(reference[:, 0] - overlap))[:MATCHED]
    ref = reference[nearest]
    p = float((1 + np.sum(ref[:, 1] <= s1)) / (1 + ref.shape[0]))
    return DistillationTest(spread=float(s1), threshold=float(np.quantile(ref[:, 1], SPREAD_ALPHA)), p_value=p,
                            n_reference=int(ref.shape[0]),
                            reference_overlap=(float(ref[:, 0].min()), float(ref[:, 0].max())),
                            flagged=p <= SPREAD_ALPHA, rule="output-residual")
