"""Top-k APIs with logit bias: probe whether the bias shows in returned logprobs, recover coordinates.

Biasing a group of k-1 tokens and a reference token by the same amount brings them all into the
top-k; differences of their returned logprobs are then differences of logits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


class TopKSource(Protocol):
    """Anything that answers "top-k logprobs at position i under this logit bias" (ids -> logprob)."""

    top_k: int
    vocab_size: int

    def top_logprobs(self, position: int, logit_bias: dict[int, float]) -> dict[int, float]: ...


@dataclass(frozen=True)
class Probe:
    honoured: bool
    token: int | None
    expected_shift: float
    observed_shift: float
    detail: str


@dataclass(frozen=True)
class Recovered:
    ids: np.ndarray
    values: np.ndarray  # logit differences to the reference token
    calls: int


def probe_logit_bias(source: TopKSource, position: int = 0, *, bias: float = 5.0) -> Probe:
    """Bias a mid-ranked token by +bias and check that its logprob moves by that much (relative to the top)."""
    base = source.top_logprobs(position, {})
    ranked = sorted(base, key=lambda i: -base[i])
    if len(ranked) < 3:
        return Probe(False, None, bias, 0.0, "fewer than three tokens returned")
    ref, mid = ranked[0], ranked[len(ranked) // 2]
    biased = source.top_logprobs(position, {mid: bias})
    if mid not in biased or ref not in biased:
        return Probe(False, mid, bias, 0.0, "the biased token or the reference left the top-k")
    shift = (biased[mid] - biased[ref]) - (base[mid] - base[ref])
    honoured = abs(shift - bias) <= 0.02 * bias + 1e-3
    detail = ("logit bias is applied before logprobs are reported" if honoured else
              "returned logprobs ignore the logit bias (reported before it is applied): recovery impossible")
    return Probe(honoured, mid, bias, float(shift), detail)


def calls_for(m: int, k: int) -> int:
    """Calls per position to learn m coordinates: 1 + ceil((m - k) / (k - 1))."""
    return 1 + max(0, -(-(m - k) // (k - 1)))


def recover_position(source: TopKSource, position: int, *, m: int, bias: float, rng: np.random.Generator) -> Recovered:
    """m logit coordinates (relative to the top token) at one position."""
    base = source.top_logprobs(position, {})
    calls = 1
    ref = max(base, key=lambda i: base[i])
    known = {i: v - base[ref] for i, v in base.items()}
    order = [int(i) for i in rng.permutation(source.vocab_size) if int(i) not in known]
    step = max(source.top_k - 1, 1)
    cursor = 0
    while len(known) < m and cursor < len(order):
        group = order[cursor:cursor + step]
        cursor += step
        reply = source.top_logprobs(position, {**{t: bias for t in group}, ref: bias})
        calls += 1
        if ref not in reply:
            continue
        for t in group:
            if t in reply:
                known[t] = reply[t] - reply[ref]
    ids = np.array(sorted(known)[:m] if len(known) > m else sorted(known), dtype=np.int64)
    return Recovered(ids=ids, values=np.array([known[int(i)] for i in ids]), calls=calls)
