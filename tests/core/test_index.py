"""The index file: stamped, migrated, atomic, read-only for scans, clear about what is wrong with it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from licheck.errors import IndexFileError, IndexMismatchError
from licheck.indexer import SourceSpec, add_source
from licheck.sketch import SketchParams
from licheck.store.index_db import IndexDB
from licheck.store.schema import SCHEMA_VERSION
from tests.core.helpers import build_index, function_source, scan_text, striking

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus" / "python"


def test_blank_index_migrates_to_the_pinned_schema(tmp_path: Path) -> None:
    with IndexDB.open_for_write(tmp_path / "i.sqlite") as db:
        tables = {r[0] for r in db.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = db.db.execute("PRAGMA user_version").fetchone()[0]
        meta = db.meta()
    assert tables == {"meta", "sources", "contents", "files", "units", "bands", "band_blocks", "content_text",
                      "statistics"}
    assert version == SCHEMA_VERSION
    assert json.loads(meta["sketch"])["num_perm"] == 128
    assert {"normalizer", "grammars", "licheck_version"} <= set(meta)


def test_index_built_with_another_minhash_scheme_asks_for_a_rebuild(tmp_path: Path) -> None:
    path = build_index(tmp_path / "i.sqlite", (CORPUS, "kit", "MIT"))
    db = sqlite3.connect(path)
    stamp = json.loads(db.execute("SELECT value FROM meta WHERE key = 'sketch'").fetchone()[0])
    stamp["scheme"] = "datasketch-2.0-sha1"
    db.execute("UPDATE meta SET value = ? WHERE key = 'sketch'", (json.dumps(stamp, sort_keys=True),))
    db.commit()
    db.close()
    with pytest.raises(IndexMismatchError, match="MinHash scheme.*\\n.*rebuild"):
        IndexDB.open_readonly(path)


def test_index_with_its_own_sketch_parameters_is_scanned_with_them(tmp_path: Path) -> None:
    path = tmp_path / "i.sqlite"
    params = SketchParams(num_perm=64, bands=16, rows=4, shingle_k=6)
    with IndexDB.open_for_write(path, params) as db:
        add_source(db, SourceSpec(CORPUS, name="kit", license="MIT"), jobs=1)
    with IndexDB.open_readonly(path) as db:
        assert db.params == params
    copy = function_source((CORPUS / "inventory.py").read_text(), "pick_route")
    assert striking(scan_text(path, "copy.py", copy))
    with pytest.raises(IndexMismatchError, match="other sketch parameters"):
        IndexDB.open_for_write(path, SketchParams())


def test_index_from_another_grammar_version_asks_for_a_rebuild(tmp_path: Path) -> None:
    path = build_index(tmp_path / "i.sqlite", (CORPUS, "kit", "MIT"))
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '{\"tree-sitter\": \"0.1\"}' WHERE key = 'grammars'")
    db.commit()
    db.close()
    with pytest.raises(IndexMismatchError) as info:
        IndexDB.open_readonly(path)
    assert "grammars" in str(info.value) and "rebuild" in str(info.value)


def test_other_sqlite_file_is_not_taken_for_an_index(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    for opener in (IndexDB.open_readonly, IndexDB.open_for_write):
        with pytest.raises(IndexFileError, match="not a licheck index"):
            opener(other)


def test_corrupt_index_is_reported_not_crashed_on(tmp_path: Path) -> None:
    path = build_index(tmp_path / "i.sqlite", (CORPUS, "kit", "MIT"))
    data = bytearray(path.read_bytes())
    data[:100] = b"\x00" * 100  # destroy the header
    path.write_bytes(bytes(data))
    with pytest.raises(IndexFileError, match="corrupt|not a licheck index"):
        IndexDB.open_readonly(path)


def test_locked_index_gives_a_clear_error_and_loses_nothing(tmp_path: Path) -> None:
    path = build_index(tmp_path / "i.sqlite", (CORPUS, "kit", "MIT"))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(IndexFileError, match="locked"):
            with IndexDB.open_for_write(path) as db, db.transaction():
                pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with IndexDB.open_readonly(path) as db:
        assert db.counts()[0] == 1


def test_interrupted_add_leaves_the_previous_index_usable(tmp_path: Path) -> None:
    path = build_index(tmp_path / "i.sqlite", (CORPUS, "kit", "MIT"))
    with IndexDB.open_readonly(path) as db:
        before = db.list_sources(), db.unit_count()

    def explode(stage: str, done: int, total: int) -> None:
        if done == 1:
            raise KeyboardInterrupt

    polyglot = CORPUS.parent / "polyglot"
    with IndexDB.open_for_write(path) as db, pytest.raises(KeyboardInterrupt):
        add_source(db, SourceSpec(polyglot, name="poly", license="MIT"), jobs=1, progress=explode)
    with IndexDB.open_readonly(path) as db:
        assert (db.list_sources(), db.unit_count()) == before
    copy = function_source((CORPUS / "inventory.py").read_text(), "pick_route")
    assert striking(scan_text(path, "copy.py", copy))


def test_scan_opens_the_index_read_only(tmp_path: Path) -> None:
    path = build_index(tmp_path / "i.sqlite", (CORPUS, "kit", "MIT"))
    with IndexDB.open_readonly(path) as db, pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.db.execute("DELETE FROM sources")


def test_re_adding_an_unchanged_source_is_skipped_and_a_changed_one_replaced(tmp_path: Path) -> None:
    root = tmp_path / "src"
    root.mkdir()
    (root / "inventory.py").write_text((CORPUS / "inventory.py").read_text())
    path = tmp_path / "i.sqlite"
    with IndexDB.open_for_write(path) as db:
        first = add_source(db, SourceSpec(root, name="kit", version="1", license="MIT"), jobs=1)
        again = add_source(db, SourceSpec(root, name="kit", version="1", license="MIT"), jobs=1)
        (root / "ledger.py").write_text((CORPUS / "ledger.py").read_text())
        changed = add_source(db, SourceSpec(root, name="kit", version="1", license="MIT"), jobs=1)
        sources = db.list_sources()
    assert first.files == 1 and again.unchanged and changed.files == 2
    assert len(sources) == 1 and sources[0]["file_count"] == 2


def test_identical_files_are_stored_once(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "inventory.py").write_text((CORPUS / "inventory.py").read_text())
    path = build_index(tmp_path / "i.sqlite", (tmp_path / "a", "a", "MIT"), (tmp_path / "b", "b", "GPL-2.0-only"))
    with IndexDB.open_readonly(path) as db:
        assert db.db.execute("SELECT count(*) FROM contents").fetchone()[0] == 1
        assert db.db.execute("SELECT count(*) FROM files").fetchone()[0] == 2
    copy = function_source((CORPUS / "inventory.py").read_text(), "seasonal_forecast")
    found = striking(scan_text(path, "copy.py", copy))
    assert found and found[0].source.source_count == 2


def test_remove_source_drops_its_findings(tmp_path: Path) -> None:
    path = build_index(tmp_path / "i.sqlite", (CORPUS, "kit", "MIT"))
    with IndexDB.open_for_write(path) as db:
        with db.transaction():
            assert db.remove_source("kit") == 1
    copy = function_source((CORPUS / "inventory.py").read_text(), "pick_route")
    assert scan_text(path, "copy.py", copy) == []


def test_lookup_takes_any_number_of_band_keys(tmp_path: Path) -> None:
    from licheck.analyze import analyze_file
    from licheck.sketch import MinHasher

    path = build_index(tmp_path / "i.sqlite", (CORPUS, "kit", "MIT"))
    analysis = analyze_file("inventory.py", (CORPUS / "inventory.py").read_bytes(), MinHasher(SketchParams()))
    keys = [key for unit in analysis.units for key in unit.band_keys] * 3  # well over SQLite's compound limit
    assert len(keys) > 500
    with IndexDB.open_readonly(path) as db:
        hits = db.lookup(keys, bucket_cap=200)
    assert len(hits) >= len(analysis.units)


def test_the_unit_count_a_scan_reports_is_stored_by_derive_and_counted_again_while_stale(tmp_path: Path) -> None:
    path = build_index(tmp_path / "i.sqlite", (CORPUS, "kit", "MIT"))
    with IndexDB.open_readonly(path) as db:
        counted = db.unit_count()
        assert counted > 0 and db.counts() == (1, counted) and db.statistic("units") == str(counted).encode()
    more = tmp_path / "more"
    more.mkdir()
    (more / "extra.py").write_text("def spread(rows, width):\n    out = []\n    for row in rows:\n"
                                   "        out.append([cell * width for cell in row if cell])\n    return out\n")
    db = IndexDB.open_for_write(path)  # closed without __exit__: the statistics stay stale
    add_source(db, SourceSpec(more, name="more", version="1", license="MIT"), jobs=1)
    db.merge_bands()
    db.close()
    with IndexDB.open_readonly(path) as db:
        assert db.statistics_stale and db.statistic("units") == str(counted).encode()
        assert db.counts() == (2, db.unit_count()) and db.unit_count() > counted


def test_grammar_versions_read_from_wheel_folders_are_what_importlib_metadata_says() -> None:
    from importlib import metadata

    from licheck.store.index_db import _wheel_versions, grammar_versions

    versions = grammar_versions()
    assert len(versions) >= 12 and "missing" not in versions.values()
    assert versions == {package: metadata.version(package) for package in versions}
    assert _wheel_versions(set(versions)) == versions  # every one found without importlib.metadata
