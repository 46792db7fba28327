"""Content digests recorded in fingerprints and reports (the dispute record)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np


def file_digest(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(path.name.encode() + b"\0")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                h.update(chunk)
    return "sha256:" + h.hexdigest()


def array_digest(*arrays: np.ndarray | None) -> str:
    h = hashlib.sha256()
    for array in arrays:
        if array is not None:
            h.update(np.ascontiguousarray(array, dtype="<f4").tobytes())
    return "sha256:" + h.hexdigest()
