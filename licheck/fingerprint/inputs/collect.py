"""Query positions from prompts, then collect suspect outputs through a top-k API: probe the logit bias,
recover coordinates when it is honoured, keep plain top-k when it is not. Positions are collected on
demand, so a sequential test queries only as many as it needs.

Two designs: `take` recovers the top-k plus random coordinates at each position (cheap; S1 only);
`take_fixed` recovers one fixed token set at every position (the suspect's own output space, S3, can be
estimated on it). A position's earlier answers are kept, so escalating from the first to the second
re-asks nothing already known."""

from __future__ import annotations

import numpy as np

from licheck.fingerprint.inputs.observations import Observations
from licheck.fingerprint.inputs.recovery import (
    PositionState,
    Probe,
    TopKSource,
    calls_for,
    fill_tokens,
    probe_logit_bias,
    recover_position,
    start_position,
)

RECOVERY_BIAS = 100.0


def query_positions(prompts: tuple[str, ...], limit: int) -> tuple[str, ...]:
    """Every word-boundary prefix of every prompt: one query position each."""
    out: list[str] = []
    for prompt in prompts:
        cuts = [i for i, ch in enumerate(prompt) if ch in " \n" and i > 0] + [len(prompt)]
        out.extend(prompt[:i] for i in cuts)
    return tuple(dict.fromkeys(out))[:limit]


class _Unbiased:
    """Keeps each position's unbiased answer: the probe's first call doubles as position 0's base call."""

    def __init__(self, source: TopKSource) -> None:
        self.source, self.top_k, self.vocab_size = source, source.top_k, source.vocab_size
        self.calls = 0
        self._plain: dict[int, dict[int, float]] = {}

    def top_logprobs(self, position: int, logit_bias: dict[int, float]) -> dict[int, float]:
        if not logit_bias and position in self._plain:
            return self._plain[position]
        self.calls += 1
        reply = self.source.top_logprobs(position, logit_bias)
        self.top_k = self.source.top_k  # an auto-detecting endpoint settles its k on the first call
        if not logit_bias:
            self._plain[position] = reply
        return reply


class Collector:
    """Observations of the first n positions, queried as they are asked for."""

    def __init__(self, source: TopKSource, *, coords: int, seed: int = 0) -> None:
        self.source = _Unbiased(source)
        self.coords = coords
        self.rng = np.random.default_rng(seed)
        # the probe's call carries the first position's first recovery group: 24 calls for 4 positions, not 25
        riders = tuple(int(i) for i in self.rng.permutation(source.vocab_size)[: max(source.top_k, 2) * 2])
        self.probe: Probe = probe_logit_bias(self.source, 0, group_bias=RECOVERY_BIAS, group=riders)
        self.rows: list[tuple[np.ndarray, np.ndarray]] = []
        self.states: dict[int, PositionState] = {}

    @property
    def calls(self) -> int:
        return self.source.calls

    def calls_per_position(self) -> int:
        return calls_for(self.coords, self.source.top_k) if self.probe.honoured else 1

    def take(self, n: int, available: int) -> Observations:
        while len(self.rows) < min(n, available):
            self.rows.append(self._position(len(self.rows)))
        rows = self.rows[:n]
        m = min(ids.size for ids, _ in rows)
        ids = np.stack([i[:m] for i, _ in rows])
        values = np.stack([v[:m] for _, v in rows])
        return Observations(values=values, ids=ids, vocab_size=self.source.vocab_size, topk_only=not self.probe.honoured,
                            queries=len(rows), calls=self.calls)

    def take_fixed(self, n: int, available: int, tokens: np.ndarray) -> Observations:
        """The coordinates `tokens` at each of the first n positions (the same at every row); a token the bias
        could not lift at some position is dropped from every row."""
        if not self.probe.honoured:
            raise ValueError("a fixed-design recovery needs an honoured logit bias")
        wanted = [int(t) for t in tokens]
        count = min(n, available)
        for t in range(count):
            fill_tokens(self.source, t, self._state(t), wanted, bias=RECOVERY_BIAS)
        kept = np.array([i for i in wanted if all(i in self.states[t].known for t in range(count))], dtype=np.int64)
        values = np.array([[self.states[t].known[int(i)] for i in kept] for t in range(count)])
        ids = np.broadcast_to(kept, (count, kept.size)).copy()
        return Observations(values=values, ids=ids, vocab_size=self.source.vocab_size, queries=count,
                            calls=self.calls, fixed=True)

    def _state(self, t: int) -> PositionState:
        if t not in self.states:
            self.states[t] = start_position(self.source, t, learnt=self.probe.learnt if t == 0 else None)
        return self.states[t]

    def _position(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        if self.probe.honoured:
            rec = recover_position(self.source, t, m=self.coords, bias=RECOVERY_BIAS, rng=self.rng,
                                   state=self._state(t))
            return rec.ids, rec.values
        top = self.source.top_logprobs(t, {})
        ids = np.array(sorted(top, key=lambda i: -top[i]), dtype=np.int64)
        return ids, np.array([top[int(i)] for i in ids])


def collect(source: TopKSource, n_positions: int, *, coords: int, seed: int = 0) -> tuple[Observations, str]:
    """Probe, then recover `coords` coordinates at every position (plain top-k when the bias is unusable)."""
    collector = Collector(source, coords=coords, seed=seed)
    return collector.take(n_positions, n_positions), collector.probe.detail
