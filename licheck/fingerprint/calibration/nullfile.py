"""The calibration null on disk: per-pair statistics as JSON metadata, per-position S1 in safetensors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from licheck.errors import InputError
from licheck.fingerprint.calibration.calibrate import NullModel, NullPair
from licheck.fingerprint.inputs.tensors import read_header, write_atomically

FORMAT = "licheck-null/1"
META_KEY = "licheck"


def null_path_for(fingerprint: Path) -> Path:
    """Where verify looks for a fingerprint's null by default: `<name>.null.safetensors` beside it."""
    return fingerprint.with_name(fingerprint.name.removesuffix(".safetensors") + ".null.safetensors")


def save_null(null: NullModel, path: Path) -> None:
    arrays = {f"s1_ratios.{i}": np.ascontiguousarray(p.s1_ratios, dtype=np.float32) for i, p in enumerate(null.pairs)}
    arrays |= {f"s1_partial.{i}": np.ascontiguousarray(p.s1_partial_ratios, dtype=np.float32)
               for i, p in enumerate(null.pairs)}
    if null.coordinates is not None:
        arrays["coordinates"] = np.ascontiguousarray(null.coordinates, dtype=np.int64)
    meta = {
        "format": FORMAT,
        "n_positions": null.n_positions,
        "vocab_size": null.vocab_size,
        "tokenizer_digest": null.tokenizer_digest,
        "kind": null.kind,
        "members": list(null.members),
        "pairs": [{"victim": p.victim, "suspect": p.suspect, "stats": p.stats} for p in null.pairs],
    }
    write_atomically(path, arrays, {META_KEY: json.dumps(meta)})


def load_null(path: Path) -> NullModel:
    from safetensors.numpy import load_file

    if not path.is_file():
        raise InputError(f"{path}: no such calibration file", hint="build one with `licheck fingerprint calibrate`")
    header = read_header(path)
    try:
        meta = json.loads((header.get("__metadata__") or {})[META_KEY])
        if meta["format"] != FORMAT:
            raise ValueError(f"format {meta['format']!r}")
        arrays = load_file(str(path))
        pairs = tuple(
            NullPair(victim=p["victim"], suspect=p["suspect"], stats=dict(p["stats"]),
                     s1_ratios=arrays[f"s1_ratios.{i}"].astype(np.float64),
                     s1_partial_ratios=arrays[f"s1_partial.{i}"].astype(np.float64))
            for i, p in enumerate(meta["pairs"])
        )
        coordinates = arrays["coordinates"].astype(np.int64) if "coordinates" in arrays else None
        if coordinates is not None and (coordinates.ndim != 1 or coordinates.size == 0 or coordinates.min() < 0
                                        or coordinates.max() >= int(meta["vocab_size"])):
            raise ValueError("shared-token coordinates outside the vocabulary")
        return NullModel(pairs=pairs, n_positions=int(meta["n_positions"]), vocab_size=int(meta["vocab_size"]),
                         tokenizer_digest=str(meta["tokenizer_digest"]), coordinates=coordinates,
                         members=tuple(str(m) for m in meta.get("members", ())))
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: not a licheck calibration null ({exc})") from exc
