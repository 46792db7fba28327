"""The compact band layout: blocks of short keys that find every unit the 64-bit rows found."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from licheck.analyze import analyze_file
from licheck.errors import IndexMismatchError
from licheck.indexer import SourceSpec, add_source
from licheck.sketch import MinHasher, SketchParams
from licheck.store import band_blocks
from licheck.store.index_db import IndexDB

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus"


def _build(path: Path, *folders: str) -> Path:
    with IndexDB.open_for_write(path) as db:
        for folder in folders:
            add_source(db, SourceSpec(CORPUS / folder, name=folder, version="1", license="MIT"), jobs=1)
    return path


def test_varints_and_blocks_round_trip() -> None:
    rng = np.random.default_rng(7)
    values = np.r_[0, 127, 128, 16_383, 16_384, 2**35, rng.integers(0, 2**40, size=500)]
    assert (band_blocks.decode_varints(band_blocks.encode_varints(values)) == values).all()
    keys = band_blocks.compact_keys(rng.integers(0, 2**63, size=(300, 42), dtype=np.int64))
    units = np.repeat(np.arange(1, 301) * 1009, 42)
    blocks = band_blocks.group_rows(np.r_[keys.ravel(), keys.ravel()[:50]], np.r_[units, units[:50]])  # dups
    got_keys, got_units = band_blocks.decode_blocks(blocks)
    expected = sorted(zip(keys.ravel().tolist(), units.tolist(), strict=True))
    assert sorted(zip(got_keys.tolist(), got_units.tolist(), strict=True)) == expected


def test_a_lookup_takes_exactly_the_rows_with_the_queried_keys_from_its_blocks() -> None:
    rng = np.random.default_rng(11)
    # few distinct keys, so blocks hold several queried keys and keys shared by many units
    keys = band_blocks.compact_keys(rng.integers(0, 2**63, size=(40, 42), dtype=np.int64))
    keys = np.r_[keys.ravel(), keys.ravel() ^ 1, keys.ravel() ^ 2]
    units = rng.integers(1, 10**7, size=len(keys))
    wide = band_blocks.group_rows(keys, units)  # ids up to 10^7 over a few rows a block: uint32 gaps
    dense_keys = (keys[:42] & ~np.int64(0xFFFF)) | rng.integers(0, 1 << 16, size=42)
    narrow = band_blocks.group_rows(np.repeat(dense_keys, 50) ^ np.tile(np.arange(50) << 3, 42),
                                    np.tile(np.arange(1, 51) * 7, 42))
    assert any(int.from_bytes(u[:4], "little") >> 31 for _, _, u in wide)
    assert not any(int.from_bytes(u[:4], "little") >> 31 for _, _, u in narrow)
    blocks = sorted({b[0]: b for b in wide + narrow}.values())  # one lookup reading both kinds of block
    assert len({int.from_bytes(u[:4], "little") >> 31 for _, _, u in blocks}) == 2
    all_keys, all_units = band_blocks.decode_blocks(blocks)
    for query in (keys[:42], keys[::7], np.r_[keys[:5], keys[:5] ^ 1, keys[:5] ^ 3], keys[:0],
                  np.r_[dense_keys[:20], keys[50:60]]):
        got_keys, got_units = band_blocks.rows_with_keys(blocks, query)
        wanted = np.isin(all_keys, query)
        assert sorted(zip(got_keys.tolist(), got_units.tolist(), strict=True)) == \
            sorted(zip(all_keys[wanted].tolist(), all_units[wanted].tolist(), strict=True))


def test_every_unit_is_found_by_all_its_own_bands(tmp_path: Path) -> None:
    path = _build(tmp_path / "i.sqlite", "python", "polyglot")
    hasher = MinHasher(SketchParams())
    with IndexDB.open_readonly(path) as db:
        for file in sorted((CORPUS / "python").iterdir()):
            for unit in analyze_file(file.name, file.read_bytes(), hasher).units:
                hits = db.lookup(unit.band_keys, bucket_cap=200)
                assert max(hits.values()) == db.params.bands  # the indexed copy shares every band


def test_buffered_and_merged_band_rows_answer_alike(tmp_path: Path) -> None:
    hasher = MinHasher(SketchParams())
    text = (CORPUS / "python" / "ledger.py").read_bytes()
    queries = [u.band_keys for u in analyze_file("ledger.py", text, hasher).units]
    db = IndexDB.open_for_write(tmp_path / "i.sqlite")
    add_source(db, SourceSpec(CORPUS / "python", name="kit", version="1", license="MIT"), jobs=1)
    buffered = [db.lookup(q, bucket_cap=200) for q in queries]
    assert db.db.execute("SELECT count(*) FROM bands").fetchone()[0] > 0
    db.merge_bands()
    assert db.db.execute("SELECT count(*) FROM bands").fetchone()[0] == 0
    assert [db.lookup(q, bucket_cap=200) for q in queries] == buffered
    assert db.db.execute("PRAGMA freelist_count").fetchone()[0] == 0  # the buffer's pages went back
    db.close()


def test_band_rows_take_about_four_bytes_each(tmp_path: Path) -> None:
    # an index of realistic density (60k units: ≈ 29 rows a block): two bytes of suffix and two of gap a row
    rng = np.random.default_rng(3)
    units = 60_000
    keys = band_blocks.compact_keys(rng.integers(0, 2**63, size=(units, 42), dtype=np.int64))
    blocks = band_blocks.group_rows(keys.ravel(), np.repeat(np.arange(1, units + 1), 42))
    assert sum(len(s) + len(u) for _, s, u in blocks) <= 4.2 * units * 42
    # a real (tiny) index: 4 bytes a row plus the 4-byte first id of each block, nothing else
    path = _build(tmp_path / "i.sqlite", "python", "polyglot")
    db = sqlite3.connect(path)
    stored, block_count = db.execute("SELECT sum(length(suffixes) + length(units)), count(*) FROM band_blocks").fetchone()
    rows = db.execute("SELECT sum(length(suffixes)) / 2 FROM band_blocks").fetchone()[0]
    units_here = db.execute("SELECT count(*) FROM units").fetchone()[0]
    db.close()
    assert units_here > 20 and rows == units_here * SketchParams().bands
    assert stored == 4 * rows + 2 * block_count


def test_an_index_of_the_previous_band_layout_is_converted_by_a_writer_and_finds_the_same(tmp_path: Path) -> None:
    path = _build(tmp_path / "i.sqlite", "python", "polyglot")
    hasher = MinHasher(SketchParams())
    queries = [u.band_keys for f in sorted((CORPUS / "python").iterdir())
               for u in analyze_file(f.name, f.read_bytes(), hasher).units]
    with IndexDB.open_readonly(path) as db:
        expected = [db.lookup(q, bucket_cap=200) for q in queries]
    # write the blocks as the previous layout did: varint gaps restarting from 0 in each block
    raw = sqlite3.connect(path)
    with raw:
        keys, units = band_blocks.decode_blocks(raw.execute("SELECT block, suffixes, units FROM band_blocks").fetchall())
        raw.execute("DELETE FROM band_blocks")
        for block, suffixes, _ in band_blocks.group_rows(keys, units):
            mine = (keys >> band_blocks.SUFFIX_BITS) == block
            order = np.lexsort((keys[mine], units[mine]))
            ids = units[mine][order]
            raw.execute("INSERT INTO band_blocks VALUES (?, ?, ?)",
                        (block, suffixes, band_blocks.encode_varints(np.diff(ids, prepend=0))))
        raw.execute("UPDATE meta SET value = ? WHERE key = 'band_layout'", (band_blocks.CONVERTIBLE_STAMP,))
    raw.close()
    with pytest.raises(IndexMismatchError, match="previous layout") as refused:
        IndexDB.open_readonly(path)
    assert "licheck index refresh" in (refused.value.hint or "")
    IndexDB.open_for_write(path).close()  # converts
    with IndexDB.open_readonly(path) as db:
        assert db.meta()["band_layout"] == band_blocks.layout_stamp()
        assert [db.lookup(q, bucket_cap=200) for q in queries] == expected


def test_vacuum_drops_the_band_rows_of_removed_sources(tmp_path: Path) -> None:
    path = _build(tmp_path / "i.sqlite", "python", "polyglot")
    with IndexDB.open_for_write(path) as db:
        with db.transaction():
            db.remove_source("polyglot")
        db.vacuum()
        live = {r[0] for r in db.db.execute("SELECT id FROM units")}
        stored = band_blocks.decode_blocks(db.db.execute("SELECT block, suffixes, units FROM band_blocks").fetchall())
    assert set(stored[1].tolist()) == live


def test_index_with_the_old_band_layout_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    path = _build(tmp_path / "i.sqlite", "python")
    db = sqlite3.connect(path)
    db.execute("DELETE FROM meta WHERE key = 'band_layout'")
    db.execute("PRAGMA user_version = 3")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(IndexMismatchError, match="layout(.|\\n)*rebuild"):
        IndexDB.open_readonly(path)
    with pytest.raises(IndexMismatchError, match="layout(.|\\n)*rebuild"):
        IndexDB.open_for_write(path)
    assert path.read_bytes() == before


def test_token_streams_round_trip_even_when_lines_go_back() -> None:
    from licheck.store.packing import pack_tokens, unpack_tokens

    structural = np.array([5, 2**32 - 1, 7], dtype=np.uint32)
    lexical = np.array([1, 2, 3], dtype=np.uint32)
    lines = np.array([10, 4, 2**31], dtype=np.uint32)
    got = unpack_tokens(pack_tokens(structural, lexical, lines))
    assert [g.tolist() for g in got] == [structural.tolist(), lexical.tolist(), lines.tolist()]


def test_replicated_band_rows_keep_the_bucket_sizes_under_new_ids(tmp_path: Path) -> None:
    from licheck.store.replicate import replicate_bands

    path = _build(tmp_path / "i.sqlite", "python", "polyglot")
    with IndexDB.open_readonly(path) as db:
        original = db.band_rows()
    raw = sqlite3.connect(path)
    top = int(original[:, 1].max())
    with raw:
        assert replicate_bands(raw, offset=top, salt=12345, max_unit=top) == len(original)
    copies = np.array(raw.execute("SELECT key, unit_id FROM bands WHERE unit_id > ?", (top,)).fetchall())
    raw.close()
    assert len(copies) == len(original) and set(copies[:, 1] - top) == set(original[:, 1])
    sizes = sorted(np.unique(original[:, 0], return_counts=True)[1].tolist())
    assert sorted(np.unique(copies[:, 0], return_counts=True)[1].tolist()) == sizes
    assert (copies[:, 0] >> band_blocks.KEY_BITS).tolist().count(0) == (original[:, 0] >> band_blocks.KEY_BITS
                                                                        ).tolist().count(0)
