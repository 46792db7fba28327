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


@dataclass
class PositionState:
    """What is known at one position: its reference (top) token and logit differences to it."""

    ref: int
    known: dict[int, float]
    calls: int = 0


def start_position(source: TopKSource, position: int, *, learnt: dict[int, float] | None = None) -> PositionState:
    """The unbiased call: the top-k tokens' logit differences to the top one (plus any `learnt` already)."""
    base = source.top_logprobs(position, {})
    ref = max(base, key=lambda i: base[i])
    return PositionState(ref=ref, known={i: v - base[ref] for i, v in base.items()} | (learnt or {}), calls=1)


def fill_tokens(source: TopKSource, position: int, state: PositionState, tokens: list[int], *, bias: float,
                until: int | None = None) -> None:
    """Learn the tokens of `tokens` not known yet, k - 1 per call biased with the reference, in order, until
    `until` coordinates are known (all of them when None). A token the bias cannot lift stays unknown."""
    missing = [t for t in tokens if t not in state.known]
    step = max(source.top_k - 1, 1)
    for start in range(0, len(missing), step):
        if until is not None and len(state.known) >= until:
            break
        group = missing[start:start + step]
        reply = source.top_logprobs(position, {**{t: bias for t in group}, state.ref: bias})
        state.calls += 1
        if state.ref not in reply:
            continue
        for t in group:
            if t in reply:
                state.known[t] = reply[t] - reply[state.ref]


def recover_position(source: TopKSource, position: int, *, m: int, bias: float, rng: np.random.Generator,
                     learnt: dict[int, float] | None = None, state: PositionState | None = None) -> Recovered:
    """m logit coordinates (relative to the top token) at one position: the top-k and random others;
    `learnt`: some already known; `state`: the position's state, kept for later fixed-set recovery."""
    state = state or start_position(source, position, learnt=learnt)
    order = [int(i) for i in rng.permutation(source.vocab_size) if int(i) not in state.known]
    fill_tokens(source, position, state, order, bias=bias, until=m)
    known = state.known
    ids = np.array(sorted(known)[:m] if len(known) > m else sorted(known), dtype=np.int64)
    return Recovered(ids=ids, values=np.array([known[int(i)] for i in ids]), calls=state.calls)


FIXED_SEED = 20_240_407
# fixed coordinates per dimension of the victim's output space. On m = 2d coordinates two unrelated d-dimensional
# spaces already share half their directions (chance level d / m), which hides a student's uneven alignment:
# measured on synthetic heads, the distillation rule's p was 0.11 at 2d and 0.01 at 3d (tests/fingerprint/
# test_fixed_design.py); 3d costs 1 + ceil(3d / (k - 1)) calls per position (9 at d = 49, k = 20).
FIXED_PER_DIM = 3


def fixed_coordinates(vocab_size: int, dim: int, *, candidates: np.ndarray | None = None,
                      seed: int = FIXED_SEED) -> np.ndarray:
    """The one token set a fixed-design recovery learns at every position (so the suspect's own output space
    can be estimated on it): FIXED_PER_DIM x dim tokens drawn with a fixed seed (from `candidates`, e.g. the
    tokens a shared-token null covers, when given), sorted. The null's fixed-design statistics use the same rule."""
    pool = np.arange(vocab_size, dtype=np.int64) if candidates is None else np.asarray(candidates, dtype=np.int64)
    m = min(FIXED_PER_DIM * dim, pool.size)
    return np.sort(np.random.default_rng(seed).choice(pool, size=m, replace=False))


def fixed_calls_per_position(m: int, k: int) -> int:
    """An upper bound on the calls that learn m fixed coordinates at a new position: the unbiased call and
    ceil(m / (k - 1)) groups (tokens already in the top-k make it fewer)."""
    return 1 + -(-m // max(k - 1, 1))
