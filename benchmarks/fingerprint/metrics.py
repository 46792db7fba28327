"""ROC figures from scores (higher = more evidence of derivation)."""

from __future__ import annotations

import numpy as np


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """P(score_pos > score_neg) + half the ties."""
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).mean()
    ties = (pos[:, None] == neg[None, :]).mean()
    return float(greater + 0.5 * ties)


def tpr_at(pos: np.ndarray, neg: np.ndarray, fpr: float) -> float:
    """TPR at the threshold where at most `fpr` of negatives score above it (NaN if the negatives are too few)."""
    if pos.size == 0 or neg.size * fpr < 1:
        return float("nan")
    threshold = np.sort(neg)[::-1][int(np.floor(neg.size * fpr))]
    return float((pos > threshold).mean())
