"""verify --suspect-endpoint: the facade over the endpoint client, collection and verification."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from licheck.fingerprint.api import load_fingerprint_and_null
from licheck.fingerprint.digest import file_digest
from licheck.fingerprint.inputs.collect import collect, query_positions
from licheck.fingerprint.inputs.endpoint import EndpointConfig, EndpointSource
from licheck.fingerprint.inputs.observations import Observations
from licheck.fingerprint.inputs.prompts import load_prompts
from licheck.fingerprint.inputs.vocab import Vocabulary, build_token_map
from licheck.fingerprint.report.verify_report import VerifyReport, build_report
from licheck.fingerprint.verdict.settings import VerifySettings
from licheck.fingerprint.verdict.verify import verify_observations


def verify_endpoint(fp_path: Path, url: str, model: str, *, api_key: str | None, null_path: Path | None,
                    prompts: Path | None, max_positions: int, alpha: float, top_k: int, timeout: float,
                    record: Path | None, null_models: list[Path] | None = None, api: str = "auto",
                    rate_limit: float = 0.0, retries: int = 2,
                    progress: Callable[[str], None] | None = None) -> VerifyReport:
    fp, null = load_fingerprint_and_null(fp_path, null_path, null_models=null_models, progress=progress)
    vocab = Vocabulary(tokens=fp.meta.tokens, digest=fp.meta.tokenizer_digest, byte_level=fp.meta.byte_level)
    positions = query_positions(load_prompts(prompts), max_positions)
    config = EndpointConfig(url=url, model=model, api_key=api_key, timeout=timeout, top_k=top_k, api=api,
                            rate_limit=rate_limit, retries=retries)
    source = EndpointSource(config, positions, build_token_map(vocab), vocab_size=fp.meta.vocab_size, record=record)
    if progress:
        progress(f"querying {len(positions)} positions at {url}")
    obs, detail = collect(source, len(positions), coords=2 * fp.basis.shape[1])
    obs = Observations(values=obs.values, ids=obs.ids, vocab_size=obs.vocab_size, topk_only=obs.topk_only,
                       queries=obs.queries, calls=source.calls, mapped_tokens=source.mapped,
                       unmapped_tokens=source.unmapped)
    access = "top-k" if obs.topk_only else "top-k+logit-bias"
    log = tuple(source.client.log)
    settings = VerifySettings(alpha=alpha, access=access, suspect_name=model,
                              input_hashes={"fingerprint": file_digest([fp_path]), "endpoint": url.split("?")[0]},
                              notes=(*source.notes, detail), call_log=log,
                              dispute_record=_record_summary(record, len(log)))
    return build_report(verify_observations(fp, obs, null, settings))


def _record_summary(record: Path | None, entries: int) -> dict[str, str | int] | None:
    if record is None or not record.is_file():
        return None
    return {"path": str(record), "sha256": file_digest([record]), "entries_this_run": entries}
