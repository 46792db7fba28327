"""How much a matched shingle says: its count over the index's lineages, as bits.

A shingle (a run of 4 structural tokens, or of 4 raw lexical tokens) that few lineages of the index contain is
evidence of copying when two pieces of code share it; one that every lineage contains (``for ID in range``,
``STR , STR ,``) is evidence of nothing. Counts are kept per *lineage owner*: each lineage is counted once, in
the first file that holds it, so a function vendored into fifty packages counts once, like the original.

The counts live in one fixed-width table of saturating 8-bit counters indexed by a hash of the shingle (a
count-min sketch of depth one): collisions can only raise a count, so the bits are never overstated.
"""

from __future__ import annotations

import json
import math
import zlib
from dataclasses import dataclass, field

import numpy as np

from licheck.shingle import shingle_hashes

SHINGLE_K = 4
PRIOR_FILES = 32  # pseudo-files: a tiny index does not make every shingle look rare
LEXICAL_SALT = np.uint64(0x5BD1E9955BD1E995)
_MULT = np.uint64(0x9E3779B97F4A7C15)
MIN_WIDTH_BITS, MAX_WIDTH_BITS = 12, 26
MIN_OCCUPANCY = 0.3  # a folded table keeps most rare shingles apart (≈ 1 in 4 shares a slot)


def structural_shingles(ids: np.ndarray) -> np.ndarray:
    return shingle_hashes(np.asarray(ids, dtype=np.uint32), SHINGLE_K) if len(ids) >= SHINGLE_K else _EMPTY


def lexical_shingles(ids: np.ndarray) -> np.ndarray:
    if len(ids) < SHINGLE_K:
        return _EMPTY
    return shingle_hashes(np.asarray(ids, dtype=np.uint32), SHINGLE_K) ^ LEXICAL_SALT


_EMPTY = np.empty(0, dtype=np.uint64)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique by sorting: for millions of integers faster than its hash-based path."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


@dataclass
class ShingleCounts:
    """Saturating counts of shingles over lineage owners, and how many owner files were counted."""

    table: np.ndarray  # uint8, length a power of two
    files: int
    by_language: dict[str, int] = field(default_factory=dict)  # lineages counted, per language

    @classmethod
    def empty(cls, distinct_estimate: int) -> ShingleCounts:
        bits = min(MAX_WIDTH_BITS, max(MIN_WIDTH_BITS, math.ceil(math.log2(max(2, 2 * distinct_estimate)))))
        return cls(np.zeros(1 << bits, dtype=np.uint8), 0)

    def _slots(self, hashes: np.ndarray) -> np.ndarray:
        shift = np.uint64(64 - int(math.log2(len(self.table))))
        with np.errstate(over="ignore"):
            return ((hashes.astype(np.uint64) * _MULT) >> shift).astype(np.int64)

    def add_file(self, hashes: np.ndarray) -> None:
        """Count the distinct shingles of one owner file once each."""
        self.add_many(np.zeros(len(hashes), dtype=np.int64), hashes, owners=1)

    def add_many(self, owner: np.ndarray, hashes: np.ndarray, *, owners: int) -> None:
        """Count many owners at once: ``owner[i]`` (0 .. owners-1) holds shingle ``hashes[i]``; each owner
        counts each of its distinct shingles once."""
        if len(hashes):
            pairs = _sorted_unique((owner.astype(np.int64) << 32) | self._slots(hashes))
            slots = np.sort(pairs & 0xFFFFFFFF)
            starts = np.flatnonzero(np.r_[True, slots[1:] != slots[:-1]])
            held = np.diff(np.r_[starts, len(slots)])
            slots = slots[starts]
            self.table[slots] = np.minimum(self.table[slots].astype(np.int64) + held, 255).astype(np.uint8)
        self.files += owners

    def counts(self, hashes: np.ndarray) -> np.ndarray:
        return self.table[self._slots(hashes)].astype(np.float64)

    def scale(self, language: str | None = None) -> float:
        """The most bits one shingle can carry in ``language``: log2 of its lineages (and the prior)."""
        return math.log2(self.lineages(language) + PRIOR_FILES)

    def lineages(self, language: str | None = None) -> int:
        return self.by_language.get(language, 0) if language is not None and self.by_language else self.files

    def bits(self, hashes: np.ndarray, language: str | None = None) -> float:
        """Information of a set of shared shingles: Σ log2(lineages / lineages holding it), each at least 1
        holder. Over the lineages of the query's language: a Java shingle is not rare because the index is
        mostly Python (shingles of different languages rarely share token ids, so one table serves all)."""
        if len(hashes) == 0:
            return 0.0
        total = self.lineages(language) + PRIOR_FILES
        held = np.maximum(self.counts(hashes), 1.0)
        return float(np.log2(total / held).sum())

    def folded(self, *, min_occupancy: float = MIN_OCCUPANCY) -> ShingleCounts:
        """Halve the table while fewer than ``min_occupancy`` of its slots are used: slots are the top bits of a
        hash, so slot i of the half table is slots 2i and 2i+1 of this one, their counts added (a collision
        can only raise a count: the bits stay an understatement)."""
        table = self.table
        while len(table) > 1 << MIN_WIDTH_BITS and np.count_nonzero(table) < min_occupancy * len(table) / 2:
            table = np.minimum(table[0::2].astype(np.int16) + table[1::2], 255).astype(np.uint8)
        return ShingleCounts(table, self.files, dict(self.by_language))

    def to_bytes(self) -> bytes:
        header = json.dumps({"version": 2, "files": self.files, "by_language": self.by_language}).encode()
        return len(header).to_bytes(4, "little") + header + zlib.compress(self.table.tobytes(), 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> ShingleCounts:
        size = int.from_bytes(data[:4], "little")
        header = json.loads(data[4 : 4 + size])
        if header.get("version") != 2:
            raise ValueError("another shingle table format")
        table = np.frombuffer(zlib.decompress(data[4 + size :]), dtype=np.uint8)
        if len(table) & (len(table) - 1):
            raise ValueError("shingle table width is not a power of two")
        return cls(table, int(header["files"]), {str(k): int(v) for k, v in header["by_language"].items()})
