"""verify --suspect-endpoint: the facade over the endpoint client, collection and verification."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from licheck.fingerprint.api import load_fingerprint_and_null
from licheck.fingerprint.digest import file_digest
from licheck.fingerprint.inputs.collect import query_positions
from licheck.fingerprint.inputs.endpoint import EndpointConfig, EndpointSource
from licheck.fingerprint.inputs.observations import Observations
from licheck.fingerprint.inputs.prompts import load_prompts
from licheck.fingerprint.inputs.vocab import Vocabulary, build_token_map
from licheck.fingerprint.report.verify_report import VerifyReport, build_report
from licheck.fingerprint.verdict.settings import VerifySettings
from licheck.fingerprint.verdict.topk_queries import verify_topk_source


def verify_endpoint(fp_path: Path, url: str, model: str, *, api_key: str | None, null_path: Path | None,
                    prompts: Path | None, max_positions: int, alpha: float, top_k: int, timeout: float,
                    record: Path | None, null_models: list[Path] | None = None, api: str = "auto",
                    rate_limit: float = 0.0, retries: int = 2, max_calls: int | None = None,
                    progress: Callable[[str], None] | None = None) -> VerifyReport:
    """Query the endpoint sequentially: more positions only while the verdict is undecided, within
    `max_positions` and `max_calls` — the cheap design first, then a fixed token set (verdict/topk_queries.py)."""
    fp, null = load_fingerprint_and_null(fp_path, null_path, null_models=null_models, progress=progress)
    vocab = Vocabulary(tokens=fp.meta.tokens, digest=fp.meta.tokenizer_digest, byte_level=fp.meta.byte_level)
    positions = query_positions(load_prompts(prompts), max_positions)
    config = EndpointConfig(url=url, model=model, api_key=api_key, timeout=timeout, top_k=top_k, api=api,
                            rate_limit=rate_limit, retries=retries)
    source = EndpointSource(config, positions, build_token_map(vocab), vocab_size=fp.meta.vocab_size, record=record)

    def observe(obs: Observations) -> Observations:
        return replace(obs, calls=source.calls, mapped_tokens=source.mapped, unmapped_tokens=source.unmapped)

    settings = VerifySettings(alpha=alpha, suspect_name=model,
                              input_hashes={"fingerprint": file_digest([fp_path]), "endpoint": url.split("?")[0]})
    verification, _ = verify_topk_source(fp, source, null, settings, available=len(positions), max_calls=max_calls,
                                         observe=observe, progress=progress)
    notes = (*source.notes, *verification.settings.notes)
    log = tuple(source.client.log)
    verification = replace(verification, settings=replace(
        verification.settings, notes=notes, call_log=log, dispute_record=_record_summary(record, len(log))))
    return build_report(verification)


def _record_summary(record: Path | None, entries: int) -> dict[str, str | int] | None:
    if record is None or not record.is_file():
        return None
    return {"path": str(record), "sha256": file_digest([record]), "entries_this_run": entries}
