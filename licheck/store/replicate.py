"""Grow an index past the real code at hand by replicating its units' band rows under new ids.

For benchmarks only (index size and lookup cost at 1M+ units): each replica's compact keys are XORed with a
per-replica salt inside their band, a bijection, so buckets keep the real size distribution. Rows go to the
write buffer; ``IndexDB.merge_bands`` packs them.
"""

from __future__ import annotations

import sqlite3

import numpy as np

from licheck.store import band_blocks

_KEY_MASK = (1 << band_blocks.KEY_BITS) - 1


def replicate_bands(db: sqlite3.Connection, *, offset: int, salt: int, max_unit: int) -> int:
    """Copy the band rows of units 1..max_unit as units offset+1..offset+max_unit; returns the rows written."""
    blocks = db.execute("SELECT block, suffixes, units FROM band_blocks").fetchall()
    keys, units = band_blocks.decode_blocks(blocks)
    pending = db.execute("SELECT key, unit_id FROM bands WHERE unit_id <= ?", (max_unit,)).fetchall()
    if pending:
        rows = np.array(pending, dtype=np.int64)
        keys, units = np.r_[keys, rows[:, 0]], np.r_[units, rows[:, 1]]
    kept = units <= max_unit
    keys = keys[kept] ^ (salt & _KEY_MASK)  # the band bits above KEY_BITS are left as they were
    rows = np.column_stack([keys, units[kept] + offset])
    rows = rows[np.argsort(rows[:, 0], kind="stable")]
    db.executemany("INSERT OR IGNORE INTO bands (key, unit_id) VALUES (?, ?)", rows.tolist())
    return len(rows)
