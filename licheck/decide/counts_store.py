"""The shingle-count table in an index: stored as a header and numbered parts, read back lazily or whole.

Indexes derived before the parts hold the whole table in one row (format version 2); they are still read, and
the next derive that refits stores the parts.
"""

from __future__ import annotations

import zlib

import numpy as np

from licheck.decide.information import ShingleCounts, StoredCounts, parse_header
from licheck.errors import IndexFileError
from licheck.store.index_db import IndexDB

UNREADABLE = (ValueError, KeyError, TypeError, zlib.error)  # what a table another licheck wrote raises
DAMAGED_HINT = "derive it again: licheck index refresh --index FILE --refit"


def store_counts(db: IndexDB, name: str, counts: ShingleCounts) -> None:
    """Replace the statistic ``name`` by this table; call inside a transaction."""
    header, parts = counts.to_parts()
    db.delete_statistic(name)
    db.put_statistic(name, header)
    db.put_statistic_parts(name, parts)


def open_counts(db: IndexDB, name: str = "shingles") -> ShingleCounts | None:
    """The stored table, its parts read as lookups need them; None when absent. Raises one of UNREADABLE
    when the stored table is of another format or damaged (a missing part shows on the lookup that needs it)."""
    data = db.statistic(name)
    if data is None:
        return None
    header = parse_header(data)
    if header.get("version") == 2:
        return ShingleCounts.from_bytes(data)
    if header.get("version") != 3:
        raise ValueError("another shingle table format")
    counts = StoredCounts(header, lambda numbers: _read_parts(db, name, numbers, counts.part_slots))
    return counts


def _read_parts(db: IndexDB, name: str, numbers: list[int], size: int) -> dict[int, np.ndarray]:
    stored = db.statistic_parts(name, numbers)
    try:
        parts = {n: np.frombuffer(zlib.decompress(stored[n]), dtype=np.uint8) for n in numbers}
    except (KeyError, zlib.error):
        parts = {}
    if len(parts) != len(numbers) or any(len(part) != size for part in parts.values()):
        raise IndexFileError(f"{db.path}: the shingle-count table is damaged (a part is missing or unreadable)",
                             hint=DAMAGED_HINT)
    return parts


def load_counts(db: IndexDB, name: str = "shingles") -> ShingleCounts | None:
    """The whole stored table in memory (a null scorer weighs thousands of units); None when absent or
    unreadable (another licheck's table: counted again)."""
    try:
        counts = open_counts(db, name)
        return counts.whole() if isinstance(counts, StoredCounts) else counts
    except (*UNREADABLE, IndexFileError):
        return None
