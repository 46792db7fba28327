"""Structural tokens → token ids → k-shingle hashes (numpy, deterministic across processes)."""

from __future__ import annotations

import zlib

import numpy as np

from licheck.arrays import unique_sorted

_ID_CACHE: dict[str, int] = {}
_MIX = np.uint64(0x9E3779B97F4A7C15)


def token_ids(tokens: list[str]) -> np.ndarray:
    """32-bit ids of tokens (CRC-32 of their UTF-8 bytes, cached: the structural vocabulary is small)."""
    cache = _ID_CACHE
    values = [cache.get(token) for token in tokens]
    for i, value in enumerate(values):
        if value is None:
            token = tokens[i]
            value = values[i] = zlib.crc32(token.encode("utf-8", "surrogatepass"))
            if len(cache) < 1_000_000:
                cache[token] = value
    return np.array(values, dtype=np.uint32)


def shingle_hashes(ids: np.ndarray, k: int) -> np.ndarray:
    """The distinct 64-bit hashes of every run of ``k`` consecutive ids (one shingle when shorter than k)."""
    return unique_sorted(shingle_hashes_at(ids, k))


def shingle_hashes_at(ids: np.ndarray, k: int) -> np.ndarray:
    """The hash of the run of ``k`` ids starting at each position (one shingle when shorter than k)."""
    n = len(ids)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    values = ids.astype(np.uint64)
    if n < k:
        k = n
    count = n - k + 1
    acc = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            acc = acc * _MIX + values[j : j + count] + np.uint64(j + 1)
        acc ^= acc >> np.uint64(29)
    return acc

