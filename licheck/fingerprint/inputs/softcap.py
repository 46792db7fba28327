"""Undo a known final logit softcap `c * tanh(l / c)` before testing membership."""

from __future__ import annotations

import numpy as np

_EDGE = 1.0 - 1e-7


def uncap_logits(values: np.ndarray, cap: float) -> np.ndarray:
    """Invert softcapped logits exactly (values known without an offset)."""
    return cap * np.arctanh(np.clip(values / cap, -_EDGE, _EDGE))


def uncap_logprobs(values: np.ndarray, cap: float, basis_rows: list[np.ndarray] | np.ndarray) -> np.ndarray:
    """Invert softcapped log-probabilities whose per-row offset (the log-normaliser) is unknown.

    For each row the offset K is chosen so that `arctanh((y + K)/c)` fits the victim space
    best; K lies in (log V - c, c - max(y)). A 1-D grid then a golden-section refinement.
    """
    rows = np.asarray(values, dtype=np.float64)
    out = np.empty_like(rows)
    for t in range(rows.shape[0]):
        q = basis_rows if isinstance(basis_rows, np.ndarray) else basis_rows[t]
        out[t] = _uncap_row(rows[t], cap, q)
    return out


def _uncap_row(y: np.ndarray, cap: float, q: np.ndarray) -> np.ndarray:
    upper = cap - float(y.max())
    lower = max(np.log(y.size) - cap, upper - 4.0 * cap)

    def misfit(k: float) -> float:
        x = uncap_logits(y + k, cap)
        x = x - x.mean()
        r = x - q @ (q.T @ x)
        return float(np.linalg.norm(r) / max(np.linalg.norm(x), 1e-300))

    grid = np.linspace(lower, upper - 1e-6 * cap, 41)
    scores = [misfit(k) for k in grid]
    i = int(np.argmin(scores))
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    for _ in range(60):
        c1, c2 = b - ratio * (b - a), a + ratio * (b - a)
        if misfit(c1) < misfit(c2):
            b = c2
        else:
            a = c1
    return uncap_logits(y + (a + b) / 2.0, cap)
