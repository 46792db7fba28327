"""Read single tensors from safetensors (validated headers) or, when allowed, pickle checkpoints."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from licheck.errors import InputError
from licheck.fingerprint.inputs.model_dir import ModelDir

MAX_HEADER_BYTES = 100 * 1024 * 1024
HEAD_NAMES = ("lm_head.weight", "embed_out.weight", "output.weight")
EMBED_SUFFIXES = ("embed_tokens.weight", "wte.weight", "word_embeddings.weight", "tok_embeddings.weight")
BIAS_NAMES = ("lm_head.bias", "embed_out.bias", "final_logits_bias")


@dataclass(frozen=True)
class OutputLayer:
    """The unembedding W (V x h) and its bias, with where they came from."""

    head: np.ndarray
    bias: np.ndarray | None
    tensor_name: str
    tied: bool


def write_atomically(path: Path, arrays: dict[str, np.ndarray], metadata: dict[str, str]) -> None:
    """Save arrays as safetensors via a temporary file and a rename: a reader never sees half a file."""
    import os
    import tempfile

    from safetensors.numpy import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        save_file(arrays, tmp, metadata=metadata)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_header(path: Path) -> dict:
    """Parse and validate a safetensors header: length, JSON, dtypes, offsets inside the file."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            raw_len = handle.read(8)
            if len(raw_len) != 8:
                raise InputError(f"{path}: truncated safetensors file (no header length)")
            (length,) = struct.unpack("<Q", raw_len)
            if length == 0 or length > MAX_HEADER_BYTES or 8 + length > size:
                raise InputError(f"{path}: malformed safetensors header (length {length}, file {size} bytes)")
            header = json.loads(handle.read(length).decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: malformed safetensors header ({exc})") from exc
    if not isinstance(header, dict):
        raise InputError(f"{path}: malformed safetensors header (not a JSON object)")
    data_len = size - 8 - length
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            start, end = (int(x) for x in info["data_offsets"])
            str(info["dtype"]), list(info["shape"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}: malformed safetensors entry {name!r}") from exc
        if not 0 <= start <= end <= data_len:
            raise InputError(f"{path}: tensor {name!r} lies outside the file (truncated?)")
    return header


def read_output_layer(model: ModelDir, *, allow_pickle: bool = False) -> OutputLayer:
    """Find lm_head (or the tied input embedding) and its bias without instantiating the model."""
    names = _tensor_names(model, allow_pickle=allow_pickle)
    head_name = next((n for n in HEAD_NAMES if n in names), None)
    tied = head_name is None
    if tied:
        head_name = next((n for n in sorted(names) if n.endswith(EMBED_SUFFIXES)), None)
    if head_name is None:
        raise InputError(f"{model.path}: found neither lm_head.weight nor an input embedding")
    head = _finite(read_tensor(model, head_name, names, allow_pickle=allow_pickle), f"{model.path}:{head_name}")
    bias_name = next((n for n in BIAS_NAMES if n in names), None)
    bias = None
    if bias_name is not None:
        bias = _finite(read_tensor(model, bias_name, names, allow_pickle=allow_pickle).reshape(-1), bias_name)
    if head.ndim != 2:
        raise InputError(f"{model.path}: {head_name} is not a matrix (shape {head.shape})")
    return OutputLayer(head=head, bias=bias, tensor_name=head_name, tied=tied)


_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
           "I8": "i1", "U8": "u1"}


def read_tensor(model: ModelDir, name: str, names: dict[str, Path], *, allow_pickle: bool) -> np.ndarray:
    """One tensor as float32 numpy (bf16/fp16/int8 widened); safetensors are read without torch."""
    path = names[name]
    if path.suffix == ".safetensors":
        return read_safetensors_tensor(path, name)
    import torch

    tensor = _load_pickle(path, allow_pickle=allow_pickle)[name]
    return tensor.to(torch.float32).numpy().astype(np.float32, copy=False)


def read_safetensors_tensor(path: Path, name: str) -> np.ndarray:
    """Read one tensor's bytes at its validated offsets; decode the dtype with numpy."""
    header = read_header(path)
    info = header[name]
    dtype = _DTYPES.get(str(info["dtype"]))
    if dtype is None:
        raise InputError(f"{path}: tensor {name!r} has unsupported dtype {info['dtype']}")
    start, end = (int(x) for x in info["data_offsets"])
    shape = tuple(int(x) for x in info["shape"])
    count = int(np.prod(shape)) if shape else 1
    if count * np.dtype(dtype).itemsize != end - start:
        raise InputError(f"{path}: tensor {name!r} size does not match its shape and dtype")
    with path.open("rb") as handle:
        header_len = struct.unpack("<Q", handle.read(8))[0]
        handle.seek(8 + header_len + start)
        raw = np.frombuffer(handle.read(end - start), dtype=dtype)
    if info["dtype"] == "BF16":
        raw = (raw.astype(np.uint32) << 16).view(np.float32)
    return raw.astype(np.float32).reshape(shape)


def _tensor_names(model: ModelDir, *, allow_pickle: bool) -> dict[str, Path]:
    names: dict[str, Path] = {}
    if model.safetensors_files:
        for path in model.safetensors_files:
            for name in read_header(path):
                if name != "__metadata__":
                    names[name] = path
        return names
    if model.pickle_files:
        if not allow_pickle:
            raise InputError(
                f"{model.path}: only pickle checkpoints ({model.pickle_files[0].name}); refusing to unpickle",
                hint="convert to safetensors, or pass --allow-pickle (loaded with weights_only=True)",
            )
        for path in model.pickle_files:
            for name in _load_pickle(path, allow_pickle=True):
                names[name] = path
        return names
    raise InputError(f"{model.path}: no weight files (*.safetensors)")


def _load_pickle(path: Path, *, allow_pickle: bool) -> dict:
    import torch

    if not allow_pickle:
        raise InputError(f"{path}: pickle checkpoint refused", hint="pass --allow-pickle")
    try:
        state = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure is an input error
        raise InputError(f"{path}: cannot load with weights_only=True ({type(exc).__name__}: {exc})") from exc
    if not isinstance(state, dict):
        raise InputError(f"{path}: not a state dict")
    return state


def _finite(array: np.ndarray, what: str) -> np.ndarray:
    if not np.isfinite(array).all():
        raise InputError(f"{what}: weights contain NaN or infinite values")
    return array
