"""The fingerprint file: arrays in safetensors, metadata as JSON in its header. Never pickle."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from licheck.errors import InputError
from licheck.fingerprint.inputs.tensors import read_header, write_atomically
from licheck.fingerprint.linalg import orthonormal_basis, output_space_basis

FORMAT = "licheck-fingerprint/1"
META_KEY = "licheck"


@dataclass(frozen=True)
class FingerprintMeta:
    format: str
    kind: str  # "white-box" (from weights) or "black-box" (from outputs)
    name: str
    hidden_size: int
    vocab_size: int
    output_dim: int  # dimension of span([W, b?, 1])
    tokenizer_digest: str
    softcap: float | None
    weights_digest: str
    head_digest: str
    head_tensor: str
    model_type: str
    byte_level: bool
    tokens: tuple[str, ...]
    created_at: str
    licheck_version: str


@dataclass(frozen=True)
class Fingerprint:
    meta: FingerprintMeta
    basis: np.ndarray  # V x d orthonormal, contains the all-ones direction
    head: np.ndarray | None
    bias: np.ndarray | None


def save_fingerprint(fp: Fingerprint, path: Path) -> None:
    """Write atomically (temp file + rename)."""
    arrays: dict[str, np.ndarray] = {}
    if fp.head is not None:
        arrays["head"] = np.ascontiguousarray(fp.head, dtype=np.float32)
        if fp.bias is not None:
            arrays["bias"] = np.ascontiguousarray(fp.bias, dtype=np.float32)
    else:
        arrays["basis"] = np.ascontiguousarray(fp.basis, dtype=np.float64)
    meta = asdict(fp.meta)
    meta["tokens"] = list(fp.meta.tokens)
    write_atomically(path, arrays, {META_KEY: json.dumps(meta)})


def load_fingerprint(path: Path) -> Fingerprint:
    """Read and validate a fingerprint file."""
    from safetensors.numpy import load_file

    if not path.is_file():
        raise InputError(f"{path}: no such fingerprint file", hint="create one with `licheck fingerprint extract`")
    header = read_header(path)
    raw = (header.get("__metadata__") or {}).get(META_KEY)
    try:
        meta_dict = json.loads(raw)
        meta_dict["tokens"] = tuple(meta_dict["tokens"])
        meta = FingerprintMeta(**meta_dict)
    except (TypeError, ValueError, KeyError) as exc:
        raise InputError(f"{path}: not a licheck fingerprint ({exc})") from exc
    if meta.format != FORMAT:
        raise InputError(f"{path}: fingerprint format {meta.format!r}, expected {FORMAT!r}")
    arrays = load_file(str(path))
    head, bias = arrays.get("head"), arrays.get("bias")
    if head is not None:
        basis = output_space_basis(head, bias)
    elif "basis" in arrays:
        basis = orthonormal_basis(arrays["basis"])
    else:
        raise InputError(f"{path}: the fingerprint holds neither a head nor a basis")
    if basis.shape[0] != meta.vocab_size or not np.isfinite(basis).all():
        raise InputError(f"{path}: the fingerprint's arrays do not match its metadata")
    return Fingerprint(meta=meta, basis=basis, head=head, bias=bias)
