"""Query positions from prompts, then collect suspect outputs through a top-k API: probe the logit bias,
recover coordinates when it is honoured, keep plain top-k when it is not."""

from __future__ import annotations

import numpy as np

from licheck.fingerprint.inputs.observations import Observations
from licheck.fingerprint.inputs.recovery import TopKSource, probe_logit_bias, recover_position

RECOVERY_BIAS = 100.0


def query_positions(prompts: tuple[str, ...], limit: int) -> tuple[str, ...]:
    """Every word-boundary prefix of every prompt: one query position each."""
    out: list[str] = []
    for prompt in prompts:
        cuts = [i for i, ch in enumerate(prompt) if ch in " \n" and i > 0] + [len(prompt)]
        out.extend(prompt[:i] for i in cuts)
    return tuple(dict.fromkeys(out))[:limit]


def collect(source: TopKSource, n_positions: int, *, coords: int, seed: int = 0) -> tuple[Observations, str]:
    """Probe, then recover `coords` coordinates per position, or keep plain top-k when the bias is unusable."""
    probe = probe_logit_bias(source, 0)
    rng = np.random.default_rng(seed)
    if probe.honoured:
        rec = [recover_position(source, t, m=coords, bias=RECOVERY_BIAS, rng=rng) for t in range(n_positions)]
        m = min(r.ids.size for r in rec)
        ids = np.stack([r.ids[:m] for r in rec])
        values = np.stack([r.values[:m] for r in rec])
        calls = sum(r.calls for r in rec) + 2
        return Observations(values=values, ids=ids, vocab_size=source.vocab_size, queries=n_positions,
                            calls=calls), probe.detail
    tops = [source.top_logprobs(t, {}) for t in range(n_positions)]
    m = min(len(t) for t in tops)
    ids = np.array([sorted(t, key=lambda i: -t[i])[:m] for t in tops], dtype=np.int64)
    values = np.array([[t[int(i)] for i in row] for t, row in zip(tops, ids, strict=True)])
    return Observations(values=values, ids=ids, vocab_size=source.vocab_size, topk_only=True, queries=n_positions,
                        calls=n_positions + 2), probe.detail
