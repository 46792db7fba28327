"""The index schema, as an ordered list of migrations; PRAGMA user_version records how many ran."""

from __future__ import annotations

import sqlite3

APPLICATION_ID = 0x4C494348  # "LICH": tells a licheck index from any other SQLite file


_V1 = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL, version TEXT NOT NULL DEFAULT '', origin TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '', digest TEXT NOT NULL DEFAULT '',
            license TEXT NOT NULL, license_category TEXT NOT NULL, license_origin TEXT NOT NULL DEFAULT '',
            added_at TEXT NOT NULL DEFAULT (datetime('now')),
            file_count INTEGER NOT NULL DEFAULT 0, unit_count INTEGER NOT NULL DEFAULT 0,
            UNIQUE (name, version)
        );
        CREATE TABLE contents (
            id INTEGER PRIMARY KEY, digest INTEGER NOT NULL UNIQUE, language TEXT NOT NULL,
            line_count INTEGER NOT NULL, tokens BLOB NOT NULL, comments BLOB NOT NULL
        );
        CREATE TABLE files (
            id INTEGER PRIMARY KEY,
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            content_id INTEGER NOT NULL REFERENCES contents(id),
            path TEXT NOT NULL,
            license TEXT, license_category TEXT, license_origin TEXT
        );
        CREATE INDEX files_content ON files(content_id);
        CREATE INDEX files_source ON files(source_id);
        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            content_id INTEGER NOT NULL REFERENCES contents(id),
            kind TEXT NOT NULL, name TEXT NOT NULL, start_line INTEGER NOT NULL, end_line INTEGER NOT NULL,
            ranges BLOB NOT NULL, token_count INTEGER NOT NULL, digest INTEGER NOT NULL
        );
        CREATE INDEX units_content ON units(content_id);
        CREATE INDEX units_digest ON units(digest);
        CREATE TABLE bands (key INTEGER NOT NULL, unit_id INTEGER NOT NULL, PRIMARY KEY (key, unit_id)) WITHOUT ROWID;
"""


# The original text of each content (zlib of its UTF-8), for reports that show the lines side by side.
# Contents stored before this step have none.
_V2 = """
        CREATE TABLE content_text (
            content_id INTEGER PRIMARY KEY REFERENCES contents(id) ON DELETE CASCADE,
            text BLOB NOT NULL
        );
"""


# Lineages (near-identical copies of a unit are one lineage: licheck.decide.lineage) and the statistics the
# decision reads (shingle counts per lineage, the index's null distribution), derived after every change.
_V3 = """
        ALTER TABLE units ADD COLUMN lineage INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX units_lineage ON units(lineage);
        CREATE TABLE statistics (name TEXT PRIMARY KEY, value BLOB NOT NULL);
"""


# The compact band layout (licheck.store.band_blocks): band rows packed into blocks of ≈ 4 bytes a row. The
# `bands` table stays as the write buffer (compact keys), merged into blocks at the end of a build.
_V4 = """
        CREATE TABLE band_blocks (block INTEGER PRIMARY KEY, suffixes BLOB NOT NULL, units BLOB NOT NULL);
"""


# Append only: each entry is the SQL that takes the schema from version i to i+1.
MIGRATIONS: list[str] = [_V1, _V2, _V3, _V4]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: sqlite3.Connection) -> None:
    """Bring an index up to SCHEMA_VERSION; each step commits with the version it reached."""
    current = db.execute("PRAGMA user_version").fetchone()[0]
    for number, sql in enumerate(MIGRATIONS[current:], start=current + 1):
        # one script, one transaction: a failed step leaves the previous version intact
        db.executescript(
            f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\n"
            f"PRAGMA application_id = {APPLICATION_ID};\nCOMMIT;"
        )
