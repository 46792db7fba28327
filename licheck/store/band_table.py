"""The SQL side of the compact band layout: the ``band_blocks`` table and its write buffer ``bands``.

``bands(key, unit_id)`` holds compact keys (licheck.store.band_blocks) written since the last merge; a merge
packs them into blocks. Readers read both, so an index is never wrong between merges, only larger.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import numpy as np

from licheck.arrays import unique_sorted
from licheck.store import band_blocks

SQL_BATCH = 500  # values bound in one IN (...) list
MERGE_BLOCKS = 8192  # blocks rewritten per step of a merge (bounded memory whatever the index size)
_SHIFT = band_blocks.SUFFIX_BITS


def read_blocks(db: sqlite3.Connection, where: str, args: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
    """(compact keys, unit ids) of the blocks matching ``where``; ValueError when a block is damaged."""
    rows = db.execute(f"SELECT block, suffixes, units FROM band_blocks WHERE {where}", list(args)).fetchall()
    return band_blocks.decode_blocks(rows)


def rows_for(db: sqlite3.Connection, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows with these compact keys: from the blocks holding them, and from the write buffer."""
    keys_parts, unit_parts = [], []
    blocks = unique_sorted(band_blocks.block_of(query)).tolist()
    wanted = unique_sorted(query).tolist()
    for offset in range(0, max(len(blocks), len(wanted)), SQL_BATCH):  # SQLite caps the ? of a statement
        part = blocks[offset : offset + SQL_BATCH]
        if part:
            rows = db.execute(f"SELECT block, suffixes, units FROM band_blocks WHERE block IN ({','.join('?' * len(part))})",
                              part).fetchall()
            keys, units = band_blocks.rows_with_keys(rows, query)
            keys_parts.append(keys)
            unit_parts.append(units)
        part = wanted[offset : offset + SQL_BATCH]
        rows = db.execute(f"SELECT key, unit_id FROM bands WHERE key IN ({','.join('?' * len(part))})",
                          part).fetchall() if part else []
        if rows:
            pending = np.array(rows, dtype=np.int64)
            keys_parts.append(pending[:, 0])
            unit_parts.append(pending[:, 1])
    return _joined(keys_parts, unit_parts)


def all_rows(db: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray]:
    keys, units = read_blocks(db, "1", ())
    pending = np.array(db.execute("SELECT key, unit_id FROM bands").fetchall(), dtype=np.int64).reshape(-1, 2)
    return _joined([keys, pending[:, 0]], [units, pending[:, 1]])


def convert_from_v1(db: sqlite3.Connection) -> int:
    """Re-encode every block of a ``blocks-v1`` index (varint gaps) in the current layout, range by range (the
    same block numbers: only the encoding of unit ids changes); returns the rows converted. Call inside a
    transaction."""
    last = db.execute("SELECT coalesce(max(block), -1) FROM band_blocks").fetchone()[0]
    rows = 0
    for lo in range(0, last + 1, MERGE_BLOCKS):
        old = db.execute("SELECT block, suffixes, units FROM band_blocks WHERE block >= ? AND block < ?",
                         (lo, lo + MERGE_BLOCKS)).fetchall()
        if not old:
            continue
        keys, units = band_blocks.decode_blocks_v1(old)
        db.execute("DELETE FROM band_blocks WHERE block >= ? AND block < ?", (lo, lo + MERGE_BLOCKS))
        db.executemany("INSERT INTO band_blocks (block, suffixes, units) VALUES (?, ?, ?)",
                       band_blocks.group_rows(keys, units))
        rows += len(keys)
    return rows


def has_buffered(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM bands LIMIT 1").fetchone() is not None


def merge(db: sqlite3.Connection, *, live: np.ndarray | None = None) -> None:
    """Pack the buffer into blocks, range by range; ``live`` (unit ids) also drops every other unit's rows.

    Call inside a transaction.
    """
    last = db.execute("SELECT max(key) FROM bands").fetchone()[0] or 0
    last_block = max(last >> _SHIFT, db.execute("SELECT coalesce(max(block), 0) FROM band_blocks").fetchone()[0])
    for lo in range(0, last_block + 1, MERGE_BLOCKS):
        hi = lo + MERGE_BLOCKS
        pending = db.execute("SELECT key, unit_id FROM bands WHERE key >= ? AND key < ?",
                             (lo << _SHIFT, hi << _SHIFT)).fetchall()
        if not pending and live is None:
            continue
        keys, units = read_blocks(db, "block >= ? AND block < ?", (lo, hi))
        if pending:
            rows = np.array(pending, dtype=np.int64)
            keys, units = np.r_[keys, rows[:, 0]], np.r_[units, rows[:, 1]]
        if live is not None:
            keep = np.isin(units, live)
            keys, units = keys[keep], units[keep]
        db.execute("DELETE FROM band_blocks WHERE block >= ? AND block < ?", (lo, hi))
        db.executemany("INSERT INTO band_blocks (block, suffixes, units) VALUES (?, ?, ?)",
                       band_blocks.group_rows(keys, units))
    db.execute("DELETE FROM bands")


def give_back_pages(db: sqlite3.Connection) -> None:
    """Return free pages (the emptied buffer's) to the file's end; a no-op in files without auto-vacuum."""
    db.executescript("PRAGMA incremental_vacuum;")  # execute() would free one page per step


def _joined(keys: list[np.ndarray], units: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    if not keys:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(keys).astype(np.int64), np.concatenate(units).astype(np.int64)
