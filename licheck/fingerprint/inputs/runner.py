"""Query a local model (built-in transformers architectures only) for full logits on a prompt set."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from licheck.errors import InputError
from licheck.fingerprint.inputs.model_dir import ModelDir
from licheck.fingerprint.inputs.observations import Observations, full_observations
from licheck.fingerprint.inputs.softcap import uncap_logits


@dataclass(frozen=True)
class RunResult:
    observations: Observations
    softcap_inverted: float | None


def run_model(model: ModelDir, prompts: tuple[str, ...], *, max_positions: int, allow_pickle: bool = False) -> RunResult:
    """Full logits at every prompt position (capped at max_positions), softcap undone."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModelForCausalLM
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    if model.model_type not in CONFIG_MAPPING:
        raise InputError(f"{model.path}: model_type {model.model_type!r} is not a built-in transformers architecture")
    if not model.safetensors_files and not allow_pickle:
        raise InputError(f"{model.path}: no safetensors weights", hint="pass --allow-pickle to load .bin files")
    try:
        tokenizer = Tokenizer.from_file(str(model.path / "tokenizer.json"))
        lm = AutoModelForCausalLM.from_pretrained(str(model.path), trust_remote_code=False,
                                                  use_safetensors=bool(model.safetensors_files), dtype="auto")
    except (OSError, ValueError, RuntimeError) as exc:
        raise InputError(f"{model.path}: cannot load the model ({exc})") from exc
    lm.eval()
    limit = int(model.config.get("max_position_embeddings") or model.config.get("n_positions") or 512)
    rows: list[np.ndarray] = []
    with torch.no_grad():
        for prompt in prompts:
            ids = tokenizer.encode(prompt).ids[:limit]
            if not ids:
                continue
            logits = lm(input_ids=torch.tensor([ids])).logits[0].to(torch.float32).numpy()
            rows.append(logits)
            if sum(r.shape[0] for r in rows) >= max_positions:
                break
    if not rows:
        raise InputError("the prompts produced no tokens")
    values = np.concatenate(rows)[:max_positions].astype(np.float64)
    cap = model.softcap
    if cap:
        values = uncap_logits(values, cap)
    return RunResult(observations=full_observations(values, queries=values.shape[0], calls=len(rows)),
                     softcap_inverted=cap)
