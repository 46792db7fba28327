"""verify --suspect-endpoint: probe logit bias, recover coordinates or fall back to plain top-k."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from licheck.fingerprint.api import load_fingerprint_and_null
from licheck.fingerprint.digest import file_digest
from licheck.fingerprint.endpoint import EndpointConfig, EndpointSource
from licheck.fingerprint.observations import Observations
from licheck.fingerprint.prompts import load_prompts
from licheck.fingerprint.recovery import TopKSource, probe_logit_bias, recover_position
from licheck.fingerprint.report import VerifyReport
from licheck.fingerprint.verify import VerifySettings, verify_observations
from licheck.fingerprint.vocab import Vocabulary, build_token_map

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


def verify_endpoint(fp_path: Path, url: str, model: str, *, api_key: str | None, null_path: Path | None,
                    prompts: Path | None, max_positions: int, alpha: float, top_k: int, timeout: float,
                    record: Path | None, progress: Callable[[str], None] | None = None) -> VerifyReport:
    fp, null = load_fingerprint_and_null(fp_path, null_path)
    vocab = Vocabulary(tokens=fp.meta.tokens, digest=fp.meta.tokenizer_digest, byte_level=fp.meta.byte_level)
    positions = query_positions(load_prompts(prompts), max_positions)
    source = EndpointSource(EndpointConfig(url=url, model=model, api_key=api_key, timeout=timeout, top_k=top_k),
                            positions, build_token_map(vocab), vocab_size=fp.meta.vocab_size, record=record)
    if progress:
        progress(f"querying {len(positions)} positions at {url}")
    obs, detail = collect(source, len(positions), coords=2 * fp.basis.shape[1])
    obs = Observations(values=obs.values, ids=obs.ids, vocab_size=obs.vocab_size, topk_only=obs.topk_only,
                       queries=obs.queries, calls=source.calls, mapped_tokens=source.mapped,
                       unmapped_tokens=source.unmapped)
    access = "top-k" if obs.topk_only else "top-k+logit-bias"
    settings = VerifySettings(alpha=alpha, access=access, suspect_name=model,
                              input_hashes={"fingerprint": file_digest([fp_path]), "endpoint": url.split("?")[0]},
                              notes=(detail,))
    return verify_observations(fp, obs, null, settings)
