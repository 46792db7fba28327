"""Write suspect outputs in the OpenAI-compatible shapes real services return (test helpers)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from licheck.fingerprint.inputs.vocab import token_bytes


def log_softmax(x: np.ndarray) -> np.ndarray:
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def decoded(tokens: tuple[str, ...], idx: int) -> tuple[str, list[int]]:
    raw = token_bytes(tokens[idx], byte_level=True) or b""
    return raw.decode("utf-8", errors="replace"), list(raw)


def write_vllm_prompt_logprobs(path: Path, logits: np.ndarray, tokens: tuple[str, ...], *, per_line: int = 64) -> None:
    """vLLM completions with prompt_logprobs covering the whole vocabulary (ids as keys)."""
    lp = log_softmax(logits)
    with path.open("w", encoding="utf-8") as handle:
        for start in range(0, lp.shape[0], per_line):
            rows = [None] + [{str(i): {"logprob": float(v), "rank": 0, "decoded_token": decoded(tokens, i)[0]}
                              for i, v in enumerate(row)} for row in lp[start:start + per_line]]
            handle.write(json.dumps({"id": f"cmpl-{start}", "object": "text_completion", "prompt_logprobs": rows,
                                     "choices": [{"index": 0, "text": ""}]}) + "\n")


def write_chat_top_logprobs(path: Path, logits: np.ndarray, tokens: tuple[str, ...], *, k: int = 20,
                            per_line: int = 16) -> None:
    """Chat completions with choices[].logprobs.content[].top_logprobs (token text and bytes)."""
    lp = log_softmax(logits)
    with path.open("w", encoding="utf-8") as handle:
        for start in range(0, lp.shape[0], per_line):
            content = []
            for row in lp[start:start + per_line]:
                top = np.argsort(-row)[:k]
                entries = [{"token": decoded(tokens, int(i))[0], "bytes": decoded(tokens, int(i))[1],
                            "logprob": float(row[i])} for i in top]
                content.append({**entries[0], "top_logprobs": entries})
            handle.write(json.dumps({"object": "chat.completion", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": ""}, "logprobs": {"content": content}}]}) + "\n")


def write_legacy_top_logprobs(path: Path, logits: np.ndarray, tokens: tuple[str, ...], *, k: int = 5) -> None:
    """Legacy completions: choices[].logprobs.top_logprobs as token -> logprob dicts."""
    lp = log_softmax(logits)
    tops = [{decoded(tokens, int(i))[0]: float(row[i]) for i in np.argsort(-row)[:k]} for row in lp]
    path.write_text(json.dumps({"object": "text_completion", "choices": [
        {"index": 0, "text": "", "logprobs": {"top_logprobs": tops}}]}) + "\n", encoding="utf-8")
