"""extract: a victim's output space from its weights (white-box) or its own outputs (black-box)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from licheck import __version__
from licheck.errors import InputError
from licheck.fingerprint.digest import array_digest, file_digest
from licheck.fingerprint.inputs.fpfile import FORMAT, Fingerprint, FingerprintMeta
from licheck.fingerprint.inputs.model_dir import open_model_dir
from licheck.fingerprint.inputs.tensors import read_output_layer
from licheck.fingerprint.inputs.vocab import Vocabulary, load_vocabulary
from licheck.fingerprint.linalg import center_rows, orthonormal_basis, output_space_basis, rank_from_gap


def extract_from_weights(model_path: Path, *, allow_pickle: bool = False, name: str | None = None) -> Fingerprint:
    """Read lm_head (or the tied embedding) + bias straight from the checkpoint files."""
    model = open_model_dir(model_path)
    layer = read_output_layer(model, allow_pickle=allow_pickle)
    vocab = load_vocabulary(model.path)
    head = layer.head
    if model.vocab_size and head.shape[0] != model.vocab_size:
        raise InputError(f"{model_path}: {layer.tensor_name} has {head.shape[0]} rows, config says "
                         f"vocab_size {model.vocab_size}")
    if vocab.size > head.shape[0]:
        raise InputError(f"{model_path}: the tokenizer has {vocab.size} tokens, the output layer {head.shape[0]} rows")
    tokens = vocab.tokens + ("",) * (head.shape[0] - vocab.size)  # padded rows have no token
    basis = output_space_basis(head, layer.bias)
    files = model.safetensors_files or model.pickle_files
    meta = FingerprintMeta(
        format=FORMAT, kind="white-box", name=name or model.path.name, hidden_size=int(head.shape[1]),
        vocab_size=int(head.shape[0]), output_dim=int(basis.shape[1]), tokenizer_digest=vocab.digest,
        softcap=model.softcap, weights_digest=file_digest(files), head_digest=array_digest(head, layer.bias),
        head_tensor=layer.tensor_name, model_type=model.model_type, byte_level=vocab.byte_level,
        tokens=tokens, created_at=_now(), licheck_version=__version__,
    )
    return Fingerprint(meta=meta, basis=basis, head=head, bias=layer.bias)


def extract_from_outputs(values: np.ndarray, vocab: Vocabulary, *, name: str, source_digest: str,
                         softcap: float | None = None) -> Fingerprint:
    """Black-box: the span of the victim's own output vectors; rank from the singular-value gap."""
    if values.ndim != 2 or values.shape[1] != vocab.size:
        raise InputError(f"output vectors have shape {values.shape}; expected N x {vocab.size} (the vocabulary)")
    centred = center_rows(values.astype(np.float64))
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    rank = rank_from_gap(s, max_rank=max(1, min(centred.shape) - 1))
    if values.shape[0] < 2 * rank:
        raise InputError(f"{values.shape[0]} output vectors for an estimated dimension of {rank}",
                         hint="collect at least twice as many positions as the hidden size")
    ones = np.ones((vocab.size, 1)) / np.sqrt(vocab.size)
    basis = orthonormal_basis(np.hstack([vt[:rank].T, ones]))
    meta = FingerprintMeta(
        format=FORMAT, kind="black-box", name=name, hidden_size=rank, vocab_size=vocab.size,
        output_dim=int(basis.shape[1]), tokenizer_digest=vocab.digest, softcap=softcap,
        weights_digest=source_digest, head_digest=array_digest(basis), head_tensor="", model_type="unknown",
        byte_level=vocab.byte_level, tokens=vocab.tokens, created_at=_now(), licheck_version=__version__,
    )
    return Fingerprint(meta=meta, basis=basis, head=None, bias=None)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
