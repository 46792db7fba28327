"""The index keeps each content's original text (compressed), so reports can show the source lines."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from licheck.indexer import SourceSpec, add_source
from licheck.store.index_db import IndexDB
from licheck.store.schema import MIGRATIONS, SCHEMA_VERSION, migrate
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


def test_index_of_the_first_schema_migrates_and_keeps_working(tmp_path: Path) -> None:
    path = build_index(tmp_path / "old.sqlite", (CORPUS, "kit", "MIT"))
    db = sqlite3.connect(path)  # take it back to schema 1: no text table
    db.executescript("DROP TABLE content_text; DROP TABLE statistics; DROP INDEX units_lineage;"
                     "ALTER TABLE units DROP COLUMN lineage; PRAGMA user_version = 1;")
    db.close()
    other = tmp_path / "other"
    other.mkdir()
    (other / "extra.py").write_text("def extra(a, b):\n    return [x * b for x in a if x]\n")
    with IndexDB.open_for_write(path) as index:
        assert index.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == len(MIGRATIONS)
        add_source(index, SourceSpec(other, name="more", version="1.0", license="MIT"), jobs=1)
    with IndexDB.open_readonly(path) as index:
        assert index.content_text(_content_of(index, "reports.py")) is None  # stored before the text was
        assert index.content_text(_content_of(index, "extra.py")) == (other / "extra.py").read_text()


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
