"""Shingle hashes → MinHash signature → LSH band keys, under explicit, recorded parameters.

Our own vectorized MinHash (multiply-shift hashing over 64-bit shingle hashes): deterministic, no global state,
and a pure function of the shingles and the parameters, so a distributed engine can compute it too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from licheck.errors import UsageError

SKETCH_SCHEME = "multiply-shift-u64-v1"
CHUNK = 8192  # shingles hashed per vectorized step (8192 × 128 × 8 bytes = 8 MiB)


@dataclass(frozen=True)
class SketchParams:
    num_perm: int = 128
    bands: int = 42
    rows: int = 3
    shingle_k: int = 4
    seed: int = 1
    scheme: str = SKETCH_SCHEME

    def __post_init__(self) -> None:
        problems = []
        if self.num_perm <= 0 or self.bands <= 0 or self.rows <= 0:
            problems.append("num_perm, bands and rows must be positive")
        elif self.bands * self.rows > self.num_perm:
            problems.append(f"bands × rows ({self.bands}×{self.rows}) exceeds num_perm ({self.num_perm})")
        if not 2 <= self.shingle_k <= 16:
            problems.append(f"shingle_k must be in 2..16, got {self.shingle_k}")
        if problems:
            raise UsageError("invalid sketch parameters: " + "; ".join(problems))

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class MinHasher:
    """Computes signatures and band keys for one parameter set."""

    def __init__(self, params: SketchParams) -> None:
        self.params = params
        self._a, self._b, self._band_salt = _coefficients(params.seed, params.num_perm, params.bands)

    def signature(self, shingles: np.ndarray) -> np.ndarray:
        """uint32 MinHash signature of a set of 64-bit shingle hashes."""
        if len(shingles) == 0:
            return np.full(self.params.num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
        with np.errstate(over="ignore"):
            hashed = (shingles[:, None] * self._a[None, :] + self._b[None, :]) >> np.uint64(32)
        return hashed.min(axis=0).astype(np.uint32)

    def signatures(self, shingle_sets: list[np.ndarray]) -> np.ndarray:
        """Signatures of many shingle sets at once (one row each), vectorized in bounded chunks.

        Sets are hashed together in groups of at most CHUNK shingles (a (shingles × num_perm) uint64 matrix),
        so memory stays bounded whatever the file: a minified bundle no longer needs hundreds of MB.
        """
        p = self.params
        out = np.full((len(shingle_sets), p.num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
        group: list[int] = []
        size = 0
        for i, shingles in enumerate(shingle_sets):
            n = len(shingles)
            if n == 0:
                continue
            if n > CHUNK:
                out[i] = self._signature_chunked(shingles)
                continue
            if size + n > CHUNK:
                self._fill(out, group, shingle_sets)
                group, size = [], 0
            group.append(i)
            size += n
        if group:
            self._fill(out, group, shingle_sets)
        return out

    def _hash(self, shingles: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return (shingles[:, None] * self._a[None, :] + self._b[None, :]) >> np.uint64(32)

    def _fill(self, out: np.ndarray, group: list[int], shingle_sets: list[np.ndarray]) -> None:
        sets = [shingle_sets[i] for i in group]
        offsets = np.cumsum([0] + [len(s) for s in sets[:-1]])
        out[group] = np.minimum.reduceat(self._hash(np.concatenate(sets)), offsets, axis=0).astype(np.uint32)

    def _signature_chunked(self, shingles: np.ndarray) -> np.ndarray:
        running = np.full(self.params.num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
        for start in range(0, len(shingles), CHUNK):
            np.minimum(running, self._hash(shingles[start : start + CHUNK]).min(axis=0), out=running)
        return running.astype(np.uint32)

    def band_keys_many(self, signatures: np.ndarray) -> np.ndarray:
        """Band keys of many signatures: an array of shape (len(signatures), bands), signed 63-bit."""
        p = self.params
        rows = signatures[:, : p.bands * p.rows].reshape(len(signatures), p.bands, p.rows).astype(np.uint64)
        acc = np.broadcast_to(self._band_salt, (len(signatures), p.bands)).copy()
        with np.errstate(over="ignore"):
            for j in range(p.rows):
                acc = (acc ^ rows[:, :, j]) * np.uint64(0x100000001B3) + np.uint64(0x9E3779B97F4A7C15)
                acc ^= acc >> np.uint64(31)
        return (acc >> np.uint64(1)).astype(np.int64)

    def band_keys(self, signature: np.ndarray) -> list[int]:
        """One signed 63-bit key per band: equal keys mean the band's rows agree."""
        p = self.params
        rows = signature[: p.bands * p.rows].reshape(p.bands, p.rows).astype(np.uint64)
        acc = self._band_salt.copy()
        with np.errstate(over="ignore"):
            for j in range(p.rows):
                acc = (acc ^ rows[:, j]) * np.uint64(0x100000001B3) + np.uint64(0x9E3779B97F4A7C15)
                acc ^= acc >> np.uint64(31)
        return [int(v) for v in (acc >> np.uint64(1))]


def estimate_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a == b))


_SHIPPED = Path(__file__).parent / "data" / "minhash-coefficients.npy"  # the default parameters' arrays


def _coefficients(seed: int, num_perm: int, bands: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The hash functions' multipliers and offsets, and the band salts, drawn from ``seed``. The default
    parameters' arrays ship with licheck (a pre-commit hook then never imports numpy.random, which costs 39M
    instructions); ``random_coefficients`` is what made them, and what any other parameters use."""
    if (seed, num_perm, bands) == (SketchParams.seed, SketchParams.num_perm, SketchParams.bands):
        try:
            flat = np.load(_SHIPPED, allow_pickle=False)
            if flat.shape == (2 * num_perm + bands,) and flat.dtype == np.uint64:
                return flat[:num_perm], flat[num_perm : 2 * num_perm], flat[2 * num_perm :]
        except (OSError, ValueError):
            pass  # a damaged install: draw them as below
    return random_coefficients(seed, num_perm, bands)


def random_coefficients(seed: int, num_perm: int, bands: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return a, b, rng.integers(1, 2**63, size=bands, dtype=np.uint64)
