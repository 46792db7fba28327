"""Small linear-algebra helpers over numpy: bases, centring, rank from a singular-value gap."""

from __future__ import annotations

import numpy as np

# A direction whose singular value is below this fraction of the largest is numerically zero.
DEFAULT_RTOL = 1e-6


def center_rows(y: np.ndarray) -> np.ndarray:
    """Subtract each row's mean: removes the all-ones direction log-softmax adds."""
    return y - y.mean(axis=-1, keepdims=True)


def orthonormal_basis(columns: np.ndarray, *, rtol: float = DEFAULT_RTOL) -> np.ndarray:
    """An orthonormal basis (V x d) of the column span, dropping numerically zero directions."""
    u, s, _ = np.linalg.svd(np.asarray(columns, dtype=np.float64), full_matrices=False)
    if s.size == 0 or s[0] == 0.0:
        return u[:, :0]
    return u[:, s > rtol * s[0]]


def output_space_basis(head: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """Basis of span([W, b?, 1]): where logits and log-probabilities of the model live."""
    vocab = head.shape[0]
    parts = [np.asarray(head, dtype=np.float64)]
    if bias is not None:
        parts.append(np.asarray(bias, dtype=np.float64).reshape(vocab, 1))
    parts.append(np.ones((vocab, 1)) / np.sqrt(vocab))
    return orthonormal_basis(np.hstack(parts))


def rank_from_gap(singular_values: np.ndarray, *, max_rank: int | None = None) -> int:
    """The rank at the largest log-gap `argmax_i log(s_i / s_{i+1})` (1-based count)."""
    s = np.asarray(singular_values, dtype=np.float64)
    if max_rank is not None:
        s = s[: max_rank + 1]
    if s.size < 2 or s[0] <= 0.0:
        return int(s.size > 0 and s[0] > 0.0)
    floor = s[0] * 1e-15
    clipped = np.maximum(s, floor)
    gaps = np.log(clipped[:-1] / clipped[1:])
    return int(np.argmax(gaps)) + 1


def principal_cosines(basis_a: np.ndarray, basis_b: np.ndarray) -> np.ndarray:
    """Cosines of the principal angles between two subspaces given orthonormal bases."""
    if basis_a.shape[1] == 0 or basis_b.shape[1] == 0:
        return np.zeros(0)
    return np.clip(np.linalg.svd(basis_a.T @ basis_b, compute_uv=False), 0.0, 1.0)


def row_space_svd(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Singular values and right singular vectors of a wide matrix (rows << columns) via its Gram matrix.

    Much cheaper than a full SVD when there are few rows; singular values below ~1e-8 of the largest
    are not resolved (squared precision), which the gap rule and the tolerances here never need.
    """
    m = np.asarray(matrix, dtype=np.float64)
    if m.shape[0] > m.shape[1] // 2:
        _, s, vt = np.linalg.svd(m, full_matrices=False)
        return s, vt
    w, u = np.linalg.eigh(m @ m.T)
    order = np.argsort(w)[::-1]
    w, u = np.maximum(w[order], 0.0), u[:, order]
    s = np.sqrt(w)
    keep = s > s[0] * 1e-12 if s.size and s[0] > 0 else np.zeros(s.size, dtype=bool)
    vt = np.zeros((s.size, m.shape[1]))
    vt[keep] = (u[:, keep].T @ m) / s[keep, None]
    return s, vt
