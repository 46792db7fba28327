"""The shingle-count table as an index stores it: a scan reads only the parts its shingles fall in."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import numpy as np
import pytest

from licheck.decide.counts_store import load_counts, open_counts, store_counts
from licheck.decide.information import PART_SLOTS, ShingleCounts, StoredCounts
from licheck.errors import IndexFileError
from licheck.store.index_db import IndexDB

WIDTH = 1 << 16  # 16 parts


def _write(path: Path, name: str, counts: ShingleCounts | None = None, blob: bytes | None = None) -> None:
    """Store a table in an index file (marked derived, so closing the writer does not derive it again)."""
    with IndexDB.open_for_write(path) as db, db.transaction():
        if counts is not None:
            store_counts(db, name, counts)
        else:
            db.put_statistic(name, blob)  # type: ignore[arg-type]
        db.put_statistic("stale", b"0")


def _random_table(seed: int = 7) -> ShingleCounts:
    rng = np.random.default_rng(seed)
    counts = ShingleCounts(np.zeros(WIDTH, dtype=np.uint8), 0)
    owners = rng.integers(0, 500, size=200_000)
    counts.add_many(owners, rng.integers(0, 2**63, size=200_000, dtype=np.uint64), owners=500)
    counts.by_language = {"python": 400, "java": 100}
    return counts


@pytest.fixture
def stored_index(tmp_path: Path) -> tuple[Path, ShingleCounts]:
    counts = _random_table()
    path = tmp_path / "index.sqlite"
    _write(path, "shingles", counts)
    return path, counts


def test_a_lookup_reads_only_the_parts_it_needs_and_gives_the_whole_tables_counts(stored_index) -> None:
    path, counts = stored_index
    hashes = np.random.default_rng(1).integers(0, 2**63, size=3, dtype=np.uint64)
    with IndexDB.open_readonly(path) as db:
        lazy = open_counts(db)
        assert isinstance(lazy, StoredCounts)
        assert lazy.bits(hashes, "python") == counts.bits(hashes, "python")
        assert np.array_equal(lazy.counts(hashes), counts.counts(hashes))
        assert 1 <= lazy.parts_read <= 3 < WIDTH // PART_SLOTS
        assert (lazy.files, lazy.by_language, lazy.scale("java")) == (500, counts.by_language, counts.scale("java"))
        many = np.random.default_rng(2).integers(0, 2**63, size=5000, dtype=np.uint64)
        assert np.array_equal(lazy.counts(many), counts.counts(many))
        assert np.array_equal(load_counts(db).table, counts.table)


def test_a_damaged_or_missing_part_is_a_clear_index_error(stored_index) -> None:
    path, _ = stored_index
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE statistics SET value = x'00ff' WHERE name = 'shingles#3'")
        raw.execute("DELETE FROM statistics WHERE name = 'shingles#5'")
    with IndexDB.open_readonly(path) as db:
        lazy = open_counts(db)
        for part in (3, 5):  # a hash whose slot falls in the damaged part
            hashes = _hash_in_part(lazy, part)
            with pytest.raises(IndexFileError, match="shingle-count table is damaged") as raised:
                lazy.counts(hashes)
            assert "refresh" in (raised.value.hint or "")
        assert load_counts(db) is None  # a derive counts it again


def test_a_table_stored_whole_by_an_earlier_licheck_is_still_read(tmp_path: Path) -> None:
    counts = _random_table()
    header = json.dumps({"version": 2, "files": counts.files, "by_language": counts.by_language}).encode()
    blob = len(header).to_bytes(4, "little") + header + zlib.compress(counts.table.tobytes())
    path = tmp_path / "index.sqlite"
    _write(path, "shingles", blob=blob)
    hashes = np.random.default_rng(3).integers(0, 2**63, size=100, dtype=np.uint64)
    with IndexDB.open_readonly(path) as db:
        assert np.array_equal(open_counts(db).counts(hashes), counts.counts(hashes))


def test_storing_again_replaces_every_part(stored_index) -> None:
    path, _ = stored_index
    smaller = ShingleCounts(np.full(2 * PART_SLOTS, 3, dtype=np.uint8), 9)
    _write(path, "shingles", smaller)
    with IndexDB.open_readonly(path) as db:
        assert db.statistic_parts("shingles", range(WIDTH // PART_SLOTS)).keys() == {0, 1}
        assert np.array_equal(load_counts(db).table, smaller.table)


def _hash_in_part(counts: StoredCounts, part: int) -> np.ndarray:
    rng = np.random.default_rng(part)
    while True:
        candidate = rng.integers(0, 2**63, size=64, dtype=np.uint64)
        slots = counts._slots(candidate)
        hit = candidate[slots // counts.part_slots == part]
        if len(hit):
            return hit[:1]
