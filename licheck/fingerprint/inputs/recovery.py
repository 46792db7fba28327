"""Top-k APIs with logit bias: probe whether the bias shows in returned logprobs, recover coordinates.

Biasing a group of k-1 tokens and a reference token by the same amount brings them all into the
top-k; differences of their returned logprobs are then differences of logits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    # logit differences to the top token learnt by the probe's own call (a recovery group rides along)
    learnt: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Recovered:
    ids: np.ndarray
    values: np.ndarray  # logit differences to the reference token
    calls: int


def probe_logit_bias(source: TopKSource, position: int = 0, *, bias: float = 5.0, group_bias: float = 0.0,
                     group: tuple[int, ...] = ()) -> Probe:
    """Bias a mid-ranked token by `bias` more than the top token and check that their logprob difference
    moves by that much. `group` (biased by `group_bias`, as the top token) rides along, so the probe's
    call also recovers their logits at this position."""
    base = source.top_logprobs(position, {})
    ranked = sorted(base, key=lambda i: -base[i])
    if len(ranked) < 3:
        return Probe(False, None, bias, 0.0, "fewer than three tokens returned")
    ref, mid = ranked[0], ranked[len(ranked) // 2]
    riders = [t for t in group if t not in base][: max(source.top_k - 2, 0)]
    request = {**{t: group_bias for t in riders}, **({ref: group_bias} if riders else {}), mid: group_bias + bias}
    biased = source.top_logprobs(position, request)
    if mid not in biased or ref not in biased:
        return Probe(False, mid, bias, 0.0, "the biased token or the reference left the top-k")
    shift = (biased[mid] - biased[ref]) - (base[mid] - base[ref])
    honoured = abs(shift - bias) <= 0.02 * bias + 1e-3
    detail = ("logit bias is applied before logprobs are reported" if honoured else
              "returned logprobs ignore the logit bias (reported before it is applied): recovery impossible")
    learnt = {t: biased[t] - biased[ref] for t in riders if t in biased} if honoured else {}
    return Probe(honoured, mid, bias, float(shift), detail, learnt)


def calls_for(m: int, k: int) -> int:
    """Calls per position to learn m coordinates: 1 + ceil((m - k) / (k - 1))."""
    return 1 + max(0, -(-(m - k) // (k - 1)))


def recover_position(source: TopKSource, position: int, *, m: int, bias: float, rng: np.random.Generator,
                     learnt: dict[int, float] | None = None) -> Recovered:
    """m logit coordinates (relative to the top token) at one position; `learnt`: some already known."""
    base = source.top_logprobs(position, {})
    calls = 1
    ref = max(base, key=lambda i: base[i])
    known = {i: v - base[ref] for i, v in base.items()} | (learnt or {})
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
