"""verify --suspect-endpoint: the facade over the endpoint client, collection and verification."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from licheck.errors import UsageError
from licheck.fingerprint.api import load_fingerprint_and_null
from licheck.fingerprint.digest import file_digest
from licheck.fingerprint.inputs.collect import Collector, query_positions
from licheck.fingerprint.inputs.endpoint import EndpointConfig, EndpointSource
from licheck.fingerprint.inputs.observations import Observations
from licheck.fingerprint.inputs.prompts import load_prompts
from licheck.fingerprint.inputs.vocab import Vocabulary, build_token_map
from licheck.fingerprint.report.verify_report import VerifyReport, build_report
from licheck.fingerprint.verdict.sequential import planned_looks, verify_sequential
from licheck.fingerprint.verdict.settings import VerifySettings

FIRST_LOOK = 4  # positions: light derivatives are decided here (S1 on recovered coordinates)


def verify_endpoint(fp_path: Path, url: str, model: str, *, api_key: str | None, null_path: Path | None,
                    prompts: Path | None, max_positions: int, alpha: float, top_k: int, timeout: float,
                    record: Path | None, null_models: list[Path] | None = None, api: str = "auto",
                    rate_limit: float = 0.0, retries: int = 2, max_calls: int | None = None,
                    progress: Callable[[str], None] | None = None) -> VerifyReport:
    """Query the endpoint sequentially: more positions only while the verdict is undecided, within
    `max_positions` and `max_calls`."""
    fp, null = load_fingerprint_and_null(fp_path, null_path, null_models=null_models, progress=progress)
    vocab = Vocabulary(tokens=fp.meta.tokens, digest=fp.meta.tokenizer_digest, byte_level=fp.meta.byte_level)
    positions = query_positions(load_prompts(prompts), max_positions)
    config = EndpointConfig(url=url, model=model, api_key=api_key, timeout=timeout, top_k=top_k, api=api,
                            rate_limit=rate_limit, retries=retries)
    source = EndpointSource(config, positions, build_token_map(vocab), vocab_size=fp.meta.vocab_size, record=record)
    collector = Collector(source, coords=2 * fp.basis.shape[1])
    budget = _position_budget(len(positions), collector.calls_per_position(), max_calls)
    looks = planned_looks(FIRST_LOOK, budget)
    if progress:
        progress(f"querying up to {budget} positions at {url} (looks at {', '.join(map(str, looks))})")

    def fetch(n: int) -> Observations:
        obs = collector.take(n, budget)
        return Observations(values=obs.values, ids=obs.ids, vocab_size=obs.vocab_size, topk_only=obs.topk_only,
                            queries=obs.queries, calls=source.calls, mapped_tokens=source.mapped,
                            unmapped_tokens=source.unmapped)

    access = "top-k+logit-bias" if collector.probe.honoured else "top-k"
    settings = VerifySettings(alpha=alpha, access=access, suspect_name=model,
                              input_hashes={"fingerprint": file_digest([fp_path]), "endpoint": url.split("?")[0]},
                              notes=(*source.notes, collector.probe.detail))
    verification = verify_sequential(fp, fetch, null, settings, looks=looks)
    log = tuple(source.client.log)
    verification = replace(verification, settings=replace(
        verification.settings, call_log=log, dispute_record=_record_summary(record, len(log))))
    return build_report(verification)


def _position_budget(available: int, calls_per_position: int, max_calls: int | None) -> int:
    """Positions the call budget allows (the two probe calls are already spent)."""
    if max_calls is None:
        return available
    if max_calls < 2 + calls_per_position:
        raise UsageError(f"--max-calls {max_calls} does not cover one position ({calls_per_position} calls) "
                         "after the 2-call logit-bias probe")
    return max(1, min(available, (max_calls - 2 + 1) // calls_per_position))


def _record_summary(record: Path | None, entries: int) -> dict[str, str | int] | None:
    if record is None or not record.is_file():
        return None
    return {"path": str(record), "sha256": file_digest([record]), "entries_this_run": entries}
