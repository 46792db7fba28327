"""calibrate (and verify --null-models): the empirical null from independent models.

Same-tokenizer nulls are the strongest: every ordered pair of the models, on the whole vocabulary.
When the models' tokenizers differ from the victim's, the null is built on the tokens all of them
share with the victim (by token string): pairs (victim -> member) and (member -> member) on those
coordinates, and verify then tests the suspect on the same coordinates.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from licheck.errors import InputError, UsageError
from licheck.fingerprint.calibration.calibrate import NullModel
from licheck.fingerprint.calibration.null_build import NullMember, build_null
from licheck.fingerprint.calibration.nullfile import save_null
from licheck.fingerprint.calibration.shared_vocab import (
    restrict_fingerprint,
    restrict_full_outputs,
    shared_tokens,
)
from licheck.fingerprint.digest import file_digest
from licheck.fingerprint.inputs.extract import extract_from_outputs, extract_from_weights
from licheck.fingerprint.inputs.fpfile import Fingerprint
from licheck.fingerprint.inputs.model_dir import open_model_dir
from licheck.fingerprint.inputs.observations import Observations, full_observations
from licheck.fingerprint.inputs.outputs_file import (
    observations_from_positions,
    parse_jsonl,
    read_array_outputs,
)
from licheck.fingerprint.inputs.prompts import load_prompts
from licheck.fingerprint.inputs.runner import run_model
from licheck.fingerprint.inputs.vocab import Vocabulary, build_token_map, load_vocabulary
from licheck.fingerprint.linalg import output_space_basis

Progress = Callable[[str], None]


def calibrate(model_dirs: list[Path], output_files: list[Path], *, tokenizer_dir: Path | None, output: Path | None,
              prompts: Path | None, max_positions: int, allow_pickle: bool, victim: Fingerprint | None = None,
              progress: Progress | None = None) -> NullModel:
    """Build (and save, when `output` is given) the null; shared-token when a tokenizer differs from the victim's."""
    if len(model_dirs) + len(output_files) < 2:
        raise UsageError("calibration needs at least two independent models (directories or output files)")
    loaded = [_load_member(path, prompts, max_positions, allow_pickle, progress) for path in model_dirs]
    digests = {fp.meta.tokenizer_digest for fp, _ in loaded}
    if victim is not None and digests - {victim.meta.tokenizer_digest}:
        if output_files:
            raise UsageError("a shared-token null is built from model directories only (no --outputs files)")
        null = _shared_token_null(victim, loaded, progress)
    else:
        members = [NullMember(name=fp.meta.name, basis=fp.basis, observations=obs, head=fp.head, bias=fp.bias)
                   for fp, obs in loaded]
        members += _output_members(output_files, tokenizer_dir, digests)
        if len(digests) > 1:
            raise InputError("the calibration models do not share one tokenizer",
                             hint="pass the victim's fingerprint (--fingerprint) to calibrate on shared tokens")
        null = build_null(members, tokenizer_digest=digests.pop() if digests else "", progress=progress)
    if output is not None:
        save_null(null, output)
    return null


def _load_member(path: Path, prompts: Path | None, max_positions: int, allow_pickle: bool,
                 progress: Progress | None) -> tuple[Fingerprint, Observations]:
    fp = extract_from_weights(path, allow_pickle=allow_pickle)
    if progress:
        progress(f"running {path.name}")
    obs = run_model(open_model_dir(path), load_prompts(prompts), max_positions=max_positions,
                    allow_pickle=allow_pickle).observations
    return fp, obs


def _shared_token_null(victim: Fingerprint, loaded: list[tuple[Fingerprint, Observations]],
                       progress: Progress | None) -> NullModel:
    shared = shared_tokens(victim.meta.tokens, victim.meta.byte_level,
                           [(fp.meta.tokens, fp.meta.byte_level) for fp, _ in loaded],
                           output_dim=victim.basis.shape[1])
    if progress:
        progress(f"shared-token null: {shared.count} of the victim's {victim.meta.vocab_size} tokens are in every "
                 "null model's vocabulary")
    restricted = restrict_fingerprint(victim, shared.victim_ids)
    members = [NullMember(name=victim.meta.name, basis=restricted.basis, observations=None, head=restricted.head,
                          bias=restricted.bias)]
    for (fp, obs), ids in zip(loaded, shared.member_ids, strict=True):
        if fp.head is None:
            raise InputError(f"{fp.meta.name}: a shared-token null member needs its output layer")
        head, bias = fp.head[ids], None if fp.bias is None else fp.bias[ids]
        members.append(NullMember(name=fp.meta.name, basis=output_space_basis(head, bias),
                                  observations=restrict_full_outputs(obs, ids), head=head, bias=bias))
    return build_null(members, tokenizer_digest=victim.meta.tokenizer_digest, coordinates=shared.victim_ids,
                      vocab_size=victim.meta.vocab_size, progress=progress)


def _output_members(output_files: list[Path], tokenizer_dir: Path | None, digests: set[str]) -> list[NullMember]:
    if not output_files:
        return []
    if tokenizer_dir is None:
        raise UsageError("calibrating from output files needs --tokenizer DIR (the shared tokenizer)")
    vocab = load_vocabulary(tokenizer_dir)
    digests.add(vocab.digest)
    out = []
    for path in output_files:
        values = full_vectors(path, vocab)
        fp = extract_from_outputs(values, vocab, name=path.name, source_digest=file_digest([path]))
        out.append(NullMember(name=path.name, basis=fp.basis, observations=full_observations(values)))
    return out


def full_vectors(path: Path, vocab: Vocabulary) -> np.ndarray:
    """Whole output vectors from a file (arrays, or JSONL positions that cover the vocabulary)."""
    if path.suffix in (".npy", ".safetensors"):
        return np.asarray(read_array_outputs(path), dtype=np.float64)
    parsed = parse_jsonl(path, build_token_map(vocab), vocab_size=vocab.size)
    obs = observations_from_positions(parsed, vocab_size=vocab.size, output_dim=vocab.size)
    if not obs.is_full:
        raise InputError(f"{path}: positions do not cover the whole vocabulary; full output vectors are needed")
    return obs.values
