"""Positive controls run with every verification: the victim against itself and a bf16 copy.

They measure the numerical floor of S1 in this run, at this precision, instead of assuming it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from licheck.fingerprint.inputs.observations import full_observations
from licheck.fingerprint.statistics.measures import s1_ratios, s1_statistic


@dataclass(frozen=True)
class Floors:
    self_copy: float  # victim outputs stored in float32
    bf16_copy: float  # outputs of a bf16 copy of the victim's output layer

    @property
    def floor(self) -> float:
        return max(self.self_copy, self.bf16_copy)


def to_bf16(array: np.ndarray) -> np.ndarray:
    """Round float32 values to bfloat16 precision (round to nearest even), back as float32."""
    bits = np.ascontiguousarray(array, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return rounded.astype(np.uint32).view(np.float32)


def measure_floors(basis: np.ndarray, head: np.ndarray | None, bias: np.ndarray | None, *,
                   n_positions: int = 64, seed: int = 0) -> Floors:
    """S1 of synthetic victim outputs (random hidden states) against the victim's own space."""
    rng = np.random.default_rng(seed)
    if head is not None:
        z = rng.standard_normal((n_positions, head.shape[1])).astype(np.float32)
        extra = 0.0 if bias is None else bias.astype(np.float32)
        exact = z @ head.astype(np.float32).T + extra
        cast = z @ to_bf16(head).T + (0.0 if bias is None else to_bf16(bias))
    else:
        coeff = rng.standard_normal((n_positions, basis.shape[1])) * 3.0
        exact = (coeff @ basis.T).astype(np.float32)
        cast = coeff.astype(np.float32) @ to_bf16(basis.astype(np.float32)).T
    log_softmax = _log_softmax(exact.astype(np.float32))
    self_copy = s1_statistic(s1_ratios(full_observations(log_softmax), basis))
    bf16 = s1_statistic(s1_ratios(full_observations(_log_softmax(cast.astype(np.float32))), basis))
    return Floors(self_copy=self_copy, bf16_copy=bf16)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    m = x.max(axis=1, keepdims=True)
    return (x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))).astype(np.float32)
