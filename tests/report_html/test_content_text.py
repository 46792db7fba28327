"""The index keeps each content's original text (compressed), so reports can show the source lines."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from licheck.errors import IndexMismatchError
from licheck.store.index_db import IndexDB
from licheck.store.schema import migrate
from tests.core.helpers import build_index

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus" / "python"


def _content_of(db: IndexDB, path_suffix: str) -> int:
    row = db.db.execute("SELECT content_id FROM files WHERE path LIKE ?", (f"%{path_suffix}",)).fetchone()
    return int(row[0])


def test_indexed_file_text_comes_back_exactly(tmp_path: Path) -> None:
    index = build_index(tmp_path / "i.sqlite", (CORPUS, "kit", "MIT"))
    with IndexDB.open_readonly(index) as db:
        for name in ("inventory.py", "ledger.py"):
            assert db.content_text(_content_of(db, name)) == (CORPUS / name).read_text(encoding="utf-8")


def test_text_is_stored_compressed(tmp_path: Path) -> None:
    index = build_index(tmp_path / "i.sqlite", (CORPUS, "kit", "MIT"))
    with IndexDB.open_readonly(index) as db:
        stored = db.db.execute("SELECT sum(length(text)) FROM content_text").fetchone()[0]
    raw = sum(len(p.read_bytes()) for p in CORPUS.glob("*.py"))
    assert 0 < stored < raw * 0.6


def test_content_without_text_reads_as_none(tmp_path: Path) -> None:
    index = build_index(tmp_path / "i.sqlite", (CORPUS, "kit", "MIT"))
    with IndexDB.open_for_write(index) as db, db.transaction():
        content_id = _content_of(db, "ledger.py")
        db.db.execute("DELETE FROM content_text WHERE content_id = ?", (content_id,))
    with IndexDB.open_readonly(index) as db:
        assert db.content_text(content_id) is None
        assert db.content_text(10**9) is None


def test_index_of_an_older_layout_is_refused_untouched_with_a_rebuild_hint(tmp_path: Path) -> None:
    path = build_index(tmp_path / "old.sqlite", (CORPUS, "kit", "MIT"))
    db = sqlite3.connect(path)  # as the first schema wrote it: no text, no lineages, bands in rows
    db.executescript("DROP TABLE content_text; DROP TABLE statistics; DROP INDEX units_lineage;"
                     "ALTER TABLE units DROP COLUMN lineage;"
                     "DELETE FROM meta WHERE key IN ('band_layout', 'content_encoding'); PRAGMA user_version = 1;")
    db.close()
    before = path.read_bytes()
    for opener in (IndexDB.open_for_write, IndexDB.open_readonly):
        with pytest.raises(IndexMismatchError, match="another layout") as caught:
            opener(path)
        assert "rebuild" in caught.value.hint
    assert path.read_bytes() == before


def test_removing_a_source_removes_its_text(tmp_path: Path) -> None:
    index = build_index(tmp_path / "i.sqlite", (CORPUS, "kit", "MIT"))
    with IndexDB.open_for_write(index) as db, db.transaction():
        assert db.remove_source("kit") == 1
    with IndexDB.open_readonly(index) as db:
        assert db.db.execute("SELECT count(*) FROM content_text").fetchone()[0] == 0


def test_migration_runs_once_on_a_current_index(tmp_path: Path) -> None:
    index = build_index(tmp_path / "i.sqlite", (CORPUS, "kit", "MIT"))
    db = sqlite3.connect(index)
    migrate(db)  # nothing left to run: no error, text intact
    assert db.execute("SELECT count(*) FROM content_text").fetchone()[0] == 3
    db.close()
