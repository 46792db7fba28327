"""Suspect outputs from files: JSONL in OpenAI-compatible logprobs shapes, or plain arrays."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from licheck.errors import InputError
from licheck.fingerprint.inputs.observations import Observations, full_observations, require_finite
from licheck.fingerprint.inputs.vocab import TokenMap


@dataclass(frozen=True)
class ParsedPositions:
    """Each position as {victim id: logprob}, with mapping counts."""

    positions: tuple[dict[int, float], ...]
    mapped: int
    unmapped: int
    records: int


def read_array_outputs(path: Path) -> np.ndarray:
    """Full output vectors from .npy (no pickle) or .safetensors (tensor `outputs`)."""
    try:
        if path.suffix == ".npy":
            return np.load(path, allow_pickle=False)
        if path.suffix == ".safetensors":
            from safetensors.numpy import load_file

            return load_file(str(path))["outputs"]
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"{path}: cannot read output vectors ({exc})") from exc
    raise InputError(f"{path}: unknown outputs format", hint="use .jsonl, .npy or .safetensors")


def parse_jsonl(path: Path, token_map: TokenMap, *, vocab_size: int) -> ParsedPositions:
    """Read every line; each yields one or more positions of (token -> logprob)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from exc
    positions: list[dict[int, float]] = []
    counts = [0, 0]
    records = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: truncated or invalid JSON ({exc.msg})") from exc
        try:
            found = _positions_of(record, token_map, vocab_size, counts)
        except (TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"{path}:{number}: malformed logprobs ({exc})") from exc
        if not found:
            raise InputError(f"{path}:{number}: no logprobs in a known shape",
                             hint="expected chat top_logprobs, completions top_logprobs, or prompt_logprobs")
        positions.extend(found)
        records += 1
    if not positions:
        raise InputError(f"{path}: empty outputs file")
    return ParsedPositions(positions=tuple(positions), mapped=counts[0], unmapped=counts[1], records=records)


def observations_from_positions(parsed: ParsedPositions, *, vocab_size: int, output_dim: int) -> Observations:
    """Full vectors when every position covers the vocabulary; otherwise the common top-m coordinates."""
    if all(len(p) == vocab_size for p in parsed.positions):
        values = np.array([[p[i] for i in range(vocab_size)] for p in parsed.positions])
        obs = full_observations(values, queries=len(parsed.positions), calls=parsed.records)
        return _with_counts(obs, parsed)
    m = min(len(p) for p in parsed.positions)
    if m < 2:
        raise InputError("a position has fewer than two mapped tokens; nothing can be tested")
    ids = np.zeros((len(parsed.positions), m), dtype=np.int64)
    values = np.zeros((len(parsed.positions), m))
    for t, pos in enumerate(parsed.positions):
        top = sorted(pos.items(), key=lambda kv: -kv[1])[:m]
        ids[t] = [k for k, _ in top]
        values[t] = [v for _, v in top]
    require_finite(values, what="suspect outputs")
    return Observations(values=values, ids=ids, vocab_size=vocab_size, topk_only=m <= output_dim,
                        queries=len(parsed.positions), calls=parsed.records, mapped_tokens=parsed.mapped,
                        unmapped_tokens=parsed.unmapped)


def _with_counts(obs: Observations, parsed: ParsedPositions) -> Observations:
    return Observations(values=obs.values, ids=None, vocab_size=obs.vocab_size, queries=obs.queries,
                        calls=obs.calls, mapped_tokens=parsed.mapped, unmapped_tokens=parsed.unmapped)


def _positions_of(record: object, token_map: TokenMap, vocab_size: int, counts: list[int]) -> list[dict[int, float]]:
    if not isinstance(record, dict):
        return []
    out: list[dict[int, float]] = []
    if isinstance(record.get("prompt_logprobs"), list):
        out.extend(_vllm_positions(record["prompt_logprobs"], token_map, vocab_size, counts))
    for choice in record.get("choices") or []:
        if not isinstance(choice, dict):
            continue
        if isinstance(choice.get("prompt_logprobs"), list):
            out.extend(_vllm_positions(choice["prompt_logprobs"], token_map, vocab_size, counts))
        logprobs = choice.get("logprobs")
        if not isinstance(logprobs, dict):
            continue
        if isinstance(logprobs.get("content"), list):  # chat completions
            for item in logprobs["content"]:
                entries = [(e.get("token"), e.get("bytes"), e.get("logprob")) for e in item.get("top_logprobs", [])]
                out.append(_map_entries(entries, token_map, counts))
        elif isinstance(logprobs.get("top_logprobs"), list):  # legacy completions
            for item in logprobs["top_logprobs"]:
                if isinstance(item, dict):
                    out.append(_map_entries([(k, None, v) for k, v in item.items()], token_map, counts))
    return [p for p in out if p]


def _vllm_positions(items: list, token_map: TokenMap, vocab_size: int, counts: list[int]) -> list[dict[int, float]]:
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue  # the first prompt position has no logprobs (null)
        pos: dict[int, float] = {}
        for key, value in item.items():
            logprob = value.get("logprob") if isinstance(value, dict) else value
            decoded = value.get("decoded_token") if isinstance(value, dict) else None
            idx = _vllm_id(key, decoded, token_map, vocab_size)
            if idx is None or logprob is None:
                counts[1] += 1
                continue
            counts[0] += 1
            pos[idx] = float(logprob)
        out.append(pos)
    return out


def _vllm_id(key: str, decoded: str | None, token_map: TokenMap, vocab_size: int) -> int | None:
    try:
        idx = int(key)
    except ValueError:
        return token_map.lookup(key)
    if not 0 <= idx < vocab_size:
        return None
    if decoded is not None and token_map.lookup(decoded) not in (idx, None):
        raise InputError(f"token id {idx} decodes to {decoded!r}, which is another token in the victim vocabulary",
                         hint="the suspect uses a different vocabulary; supply a mapping")
    return idx


def _map_entries(entries: list, token_map: TokenMap, counts: list[int]) -> dict[int, float]:
    pos: dict[int, float] = {}
    for token, raw, logprob in entries:
        idx = token_map.lookup(token, raw)
        if idx is None or logprob is None:
            counts[1] += 1
            continue
        counts[0] += 1
        pos[idx] = float(logprob)
    return pos
