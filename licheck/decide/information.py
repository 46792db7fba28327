"""How much a matched shingle says: its count over the index's lineages, as bits.

A shingle (a run of 4 structural tokens, or of 4 raw lexical tokens) that few lineages of the index contain is
evidence of copying when two pieces of code share it; one that every lineage contains (``for ID in range``,
``STR , STR ,``) is evidence of nothing. Counts are kept per *lineage owner*: each lineage is counted once, in
the first file that holds it, so a function vendored into fifty packages counts once, like the original.

The counts live in one fixed-width table of saturating 8-bit counters indexed by a hash of the shingle (a
count-min sketch of depth one): collisions can only raise a count, so the bits are never overstated. The index
stores the table as a header and zlib parts of ``PART_SLOTS`` slots (``to_parts``), and a scan reads only the
parts its shingles fall in (``StoredCounts``): at millions of units the whole table is tens of megabytes, which
a pre-commit hook must not decompress to weigh a few hundred shingles.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from licheck.arrays import unique_sorted
from licheck.shingle import shingle_hashes

SHINGLE_K = 4
PRIOR_FILES = 32  # pseudo-files: a tiny index does not make every shingle look rare
LEXICAL_SALT = np.uint64(0x5BD1E9955BD1E995)
_MULT = np.uint64(0x9E3779B97F4A7C15)
MIN_WIDTH_BITS, MAX_WIDTH_BITS = 12, 26
MIN_OCCUPANCY = 0.3  # a folded table keeps most rare shingles apart (≈ 1 in 4 shares a slot)
PART_SLOTS = 1024  # slots per stored part: a scan weighs thousands of random shingles, so parts are small


def structural_shingles(ids: np.ndarray) -> np.ndarray:
    return shingle_hashes(np.asarray(ids, dtype=np.uint32), SHINGLE_K) if len(ids) >= SHINGLE_K else _EMPTY


def lexical_shingles(ids: np.ndarray) -> np.ndarray:
    if len(ids) < SHINGLE_K:
        return _EMPTY
    return shingle_hashes(np.asarray(ids, dtype=np.uint32), SHINGLE_K) ^ LEXICAL_SALT


_EMPTY = np.empty(0, dtype=np.uint64)


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

    @property
    def width_bits(self) -> int:
        return int(math.log2(len(self.table)))

    def _slots(self, hashes: np.ndarray) -> np.ndarray:
        shift = np.uint64(64 - self.width_bits)
        with np.errstate(over="ignore"):
            return ((hashes.astype(np.uint64) * _MULT) >> shift).astype(np.int64)

    def add_file(self, hashes: np.ndarray) -> None:
        """Count the distinct shingles of one owner file once each."""
        self.add_many(np.zeros(len(hashes), dtype=np.int64), hashes, owners=1)

    def add_many(self, owner: np.ndarray, hashes: np.ndarray, *, owners: int) -> None:
        """Count many owners at once: ``owner[i]`` (0 .. owners-1) holds shingle ``hashes[i]``; each owner
        counts each of its distinct shingles once."""
        if len(hashes):
            pairs = unique_sorted((owner.astype(np.int64) << 32) | self._slots(hashes))
            slots = np.sort(pairs & 0xFFFFFFFF)
            starts = np.flatnonzero(np.r_[True, slots[1:] != slots[:-1]])
            held = np.diff(np.r_[starts, len(slots)])
            slots = slots[starts]
            self.table[slots] = np.minimum(self.table[slots].astype(np.int64) + held, 255).astype(np.uint8)
        self.files += owners

    def counts(self, hashes: np.ndarray) -> np.ndarray:
        return self._read(self._slots(hashes)).astype(np.float64)

    def _read(self, slots: np.ndarray) -> np.ndarray:
        return self.table[slots]

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

    def to_parts(self) -> tuple[bytes, Iterable[tuple[int, bytes]]]:
        """(header, numbered zlib parts of PART_SLOTS slots): the stored form, read lazily by ``StoredCounts``."""
        width = len(self.table)
        header = _header({"version": 3, "files": self.files, "by_language": self.by_language, "width": width,
                          "part_slots": PART_SLOTS})
        return header, ((number, zlib.compress(self.table[start : start + PART_SLOTS].tobytes(), 6))
                        for number, start in enumerate(range(0, width, PART_SLOTS)))

    @classmethod
    def from_bytes(cls, data: bytes) -> ShingleCounts:
        """The whole-table form (version 2), as indexes derived before the parts stored it."""
        header, rest = _parse_header(data)
        if header.get("version") != 2:
            raise ValueError("another shingle table format")
        table = np.frombuffer(zlib.decompress(rest), dtype=np.uint8)
        _check_width(len(table))
        return cls(table, int(header["files"]), _languages(header))


PartReader = Callable[[list[int]], dict[int, np.ndarray]]  # part numbers → their PART_SLOTS counts each


class StoredCounts(ShingleCounts):
    """The count table of an index, read part by part as shingles are looked up (each part once)."""

    def __init__(self, header: dict, read_parts: PartReader) -> None:  # type: ignore[type-arg]
        width, self.part_slots = int(header["width"]), int(header["part_slots"])
        _check_width(width)
        if self.part_slots <= 0 or width % self.part_slots:
            raise ValueError("shingle table parts do not tile the table")
        super().__init__(np.empty(0, dtype=np.uint8), int(header["files"]), _languages(header))
        self._width_bits = int(math.log2(width))
        self._parts = width // self.part_slots
        self._read_parts = read_parts
        # the parts read so far, one row each, and which row holds each part (-1: not read). Not a table-sized
        # array filled in place: with transparent huge pages, a few thousand random writes make all of it resident.
        self._rows = np.empty((0, self.part_slots), dtype=np.uint8)
        self._loaded = 0
        self._row_of = np.full(self._parts, -1, dtype=np.int64)

    @property
    def width_bits(self) -> int:
        return self._width_bits

    @property
    def parts_read(self) -> int:
        return self._loaded

    def _read(self, slots: np.ndarray) -> np.ndarray:
        numbers = slots // self.part_slots
        missing = unique_sorted(numbers[self._row_of[numbers] < 0]).tolist()
        if missing:
            self._load(missing)
        return self._rows[self._row_of[numbers], slots - numbers * self.part_slots]

    def _load(self, numbers: list[int]) -> None:
        parts = self._read_parts(numbers)
        needed = self._loaded + len(parts)
        if needed > len(self._rows):  # grow by doubling: a batch scan reads parts a few at a time
            grown = np.empty((max(needed, 2 * len(self._rows), 64), self.part_slots), dtype=np.uint8)
            grown[: self._loaded] = self._rows[: self._loaded]
            self._rows = grown
        for number, part in parts.items():
            self._rows[self._loaded] = part
            self._row_of[number] = self._loaded
            self._loaded += 1

    def whole(self) -> ShingleCounts:
        """Every part read into one in-memory table (a null scorer weighs thousands of units)."""
        missing = np.flatnonzero(self._row_of < 0).tolist()
        for offset in range(0, len(missing), 1024):
            self._load(missing[offset : offset + 1024])
        return ShingleCounts(self._rows[self._row_of].reshape(-1), self.files, dict(self.by_language))

    def add_many(self, owner: np.ndarray, hashes: np.ndarray, *, owners: int) -> None:
        raise TypeError("a stored count table is read-only")


def parse_header(data: bytes) -> dict:  # type: ignore[type-arg]
    return _parse_header(data)[0]


def _header(fields: dict) -> bytes:  # type: ignore[type-arg]
    header = json.dumps(fields).encode()
    return len(header).to_bytes(4, "little") + header


def _parse_header(data: bytes) -> tuple[dict, bytes]:  # type: ignore[type-arg]
    size = int.from_bytes(data[:4], "little")
    header = json.loads(data[4 : 4 + size])
    if not isinstance(header, dict):
        raise ValueError("shingle table header is not an object")
    return header, data[4 + size :]


def _check_width(width: int) -> None:
    if width <= 0 or width & (width - 1):
        raise ValueError("shingle table width is not a power of two")


def _languages(header: dict) -> dict[str, int]:  # type: ignore[type-arg]
    return {str(k): int(v) for k, v in header["by_language"].items()}
