"""Suspect outputs as the statistics see them: one row per query position."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from licheck.errors import InputError


@dataclass(frozen=True)
class Observations:
    """Suspect output vectors.

    `values[t]` holds logits or log-probabilities (any per-row offset is allowed: the
    statistics centre it away). `ids` is None when each row covers the whole vocabulary in
    id order; otherwise `ids[t, j]` is the vocabulary id of `values[t, j]`. `fixed`: every row
    holds the same coordinates (a fixed-design recovery), so the suspect's own output space can be
    estimated on them.
    """

    values: np.ndarray
    ids: np.ndarray | None
    vocab_size: int
    topk_only: bool = False
    queries: int = 0
    calls: int = 0
    mapped_tokens: int = 0
    unmapped_tokens: int = 0
    fixed: bool = False

    @property
    def n_positions(self) -> int:
        return int(self.values.shape[0])

    @property
    def coords_per_position(self) -> int:
        return int(self.values.shape[1]) if self.values.ndim == 2 else 0

    @property
    def is_full(self) -> bool:
        return self.ids is None


def full_observations(values: np.ndarray, *, queries: int = 0, calls: int = 0) -> Observations:
    """Observations of whole output vectors, validated (2-D, finite, non-empty)."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] < 2:
        raise InputError(f"expected a non-empty matrix of output vectors, got shape {array.shape}")
    require_finite(array, what="suspect outputs")
    return Observations(values=array, ids=None, vocab_size=array.shape[1], queries=queries or array.shape[0],
                        calls=calls or array.shape[0])


def require_finite(array: np.ndarray, *, what: str) -> None:
    """Refuse NaN/inf: a non-finite output vector cannot be tested, only reported."""
    bad = ~np.isfinite(array)
    if bad.any():
        rows = np.unique(np.nonzero(bad)[0])
        raise InputError(
            f"{what} contain NaN or infinite values at {rows.size} position(s) (first: {int(rows[0])})",
            hint="re-collect the outputs; -inf log-probabilities usually mean a masked token",
        )


def subset_positions(obs: Observations, rows: np.ndarray) -> Observations:
    """The same observations restricted to some positions."""
    ids = None if obs.ids is None else obs.ids[rows]
    return Observations(values=obs.values[rows], ids=ids, vocab_size=obs.vocab_size, topk_only=obs.topk_only,
                        queries=obs.queries, calls=obs.calls, mapped_tokens=obs.mapped_tokens,
                        unmapped_tokens=obs.unmapped_tokens, fixed=obs.fixed)
