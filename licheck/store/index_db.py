"""The one module that speaks SQL: a licheck index in an SQLite file.

Writes happen inside one transaction per source, so an interrupted `index add` leaves the previous index as it
was; scans open the file read-only. The index records its sketch parameters, normalizer version and grammar
versions, and refuses to be read or extended by code that would compute different sketches.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from licheck import __version__
from licheck.analyze import FileAnalysis
from licheck.errors import IndexFileError, IndexMismatchError
from licheck.lang.registry import LANGUAGES
from licheck.normalize import NORMALIZER_VERSION
from licheck.sketch import SKETCH_SCHEME, SketchParams
from licheck.store import band_blocks, band_table
from licheck.store.packing import CONTENT_ENCODING, PackedFile, pack_file, unpack_text, unpack_tokens
from licheck.store.schema import APPLICATION_ID, SCHEMA_VERSION, migrate

_BAND_BUFFER = 1_000_000  # band rows buffered before a sorted insert (≈ 16 MB)
_REBUILD_HINT = "rebuild the index with this version of licheck (licheck index add / index build into a new file)"


@dataclass(frozen=True)
class SourceRecord:
    name: str
    version: str = ""
    origin: str = ""
    url: str = ""
    digest: str = ""
    license: str = "NOASSERTION"
    license_category: str = "unknown"
    license_origin: str = ""


@dataclass(frozen=True)
class UnitRow:
    id: int
    content_id: int
    kind: str
    name: str
    start_line: int
    end_line: int
    ranges: tuple[tuple[int, int], ...]
    token_count: int
    digest: int
    lineage: int = 0  # near-identical copies share a lineage (licheck.decide.lineage); 0 until derived


@dataclass(frozen=True)
class ContentTokens:
    structural: np.ndarray
    lexical: np.ndarray
    lines: np.ndarray
    comment_digests: frozenset[int]


@dataclass(frozen=True)
class Placement:
    """Where an indexed file sits: its source and path, and the license that applies to it."""

    source: SourceRecord
    path: str
    license: str
    license_category: str
    license_origin: str


@lru_cache(maxsize=1)
def grammar_versions() -> dict[str, str]:
    packages = ["tree-sitter", *(spec.module.replace("_", "-") for spec in LANGUAGES.values())]
    found = _wheel_versions(set(packages))
    return {package: found.get(package) or _version(package) for package in packages}


def _wheel_versions(packages: set[str]) -> dict[str, str]:
    """Versions of installed wheels from their ``NAME-VERSION.dist-info`` folder names: one listing per import
    path, where importlib.metadata would import itself and parse each METADATA (a hook opens an index per run)."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                project, _, version = name[: -len(".dist-info")].partition("-")
                package = project.lower().replace("_", "-")
                if package in packages and version:
                    found.setdefault(package, version)
    return found


def _version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "missing"


def compat_stamp(params: SketchParams) -> dict[str, str]:
    """What must be equal for two runs to compute comparable sketches."""
    return {
        "sketch": json.dumps(params.as_dict(), sort_keys=True),
        "normalizer": NORMALIZER_VERSION,
        "grammars": json.dumps(grammar_versions(), sort_keys=True),
        **_layout_stamp(),
    }


def _layout_stamp() -> dict[str, str]:
    """How this licheck stores what it computed: an index stored otherwise is refused ("rebuild")."""
    return {"band_layout": band_blocks.layout_stamp(), "content_encoding": CONTENT_ENCODING}


class IndexDB:
    def __init__(self, path: Path, connection: sqlite3.Connection, params: SketchParams, *, readonly: bool) -> None:
        self.path = path
        self.db = connection
        self.params = params
        self.readonly = readonly
        self._tokens_cache: dict[int, ContentTokens] = {}
        self._pending_bands: list[np.ndarray] = []
        self._pending_rows = 0
        self._next_unit_id: int | None = None
        self._buffered = 0  # band rows written to the buffer table through this connection
        self._merged_estimate = 0  # rows in blocks after the last merge (its doubling triggers the next)

    # -- opening -------------------------------------------------------------------------------------------
    @classmethod
    def open_readonly(cls, path: str | Path) -> IndexDB:
        path = Path(path)
        if path.is_dir():  # callers that take either form open it with licheck.store.shards.open_index
            raise IndexFileError(f"{path} is a folder (a sharded index?), and this command reads one index file",
                                 hint=f"write it as one file: licheck index compact {path} -o FILE")
        if not path.is_file():
            raise IndexFileError(f"index not found: {path}", hint="build one with `licheck index add PATH --index FILE`")
        db = _connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True)
        params = _check_index(db, path)
        return cls(path, db, params, readonly=True)

    @classmethod
    def open_for_write(cls, path: str | Path, params: SketchParams | None = None) -> IndexDB:
        path = Path(path)
        if path.exists() and not path.is_file():
            raise IndexFileError(f"index path is not a file: {path}")
        if not path.parent.exists():
            raise IndexFileError(f"folder of the index does not exist: {path.parent}")
        fresh = not path.exists() or path.stat().st_size == 0
        db = _connect(str(path))
        try:
            db.execute("PRAGMA synchronous=NORMAL")
            # band keys are random: a B-tree that fits in the page cache avoids re-reading pages from disk
            db.execute("PRAGMA cache_size=-262144")
            if fresh:
                # the band write buffer is emptied by every merge: its pages go back to the file's end
                db.execute("PRAGMA auto_vacuum = INCREMENTAL")
                migrate(db)
                _write_meta(db, compat_stamp(params or SketchParams()))
            else:
                _check_application(db, path)
                _convert_layout(db, path)
                _check_layout(db, path)  # before migrating: a file this licheck cannot read is left as it was
                migrate(db)
            stored = _check_index(db, path)
            if params is not None and params != stored:
                raise IndexMismatchError(f"{path} was built with other sketch parameters", hint=_REBUILD_HINT)
        except sqlite3.Error as exc:
            db.close()
            raise _index_error(exc, path) from None
        except Exception:
            db.close()
            raise
        return cls(path, db, stored, readonly=False)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> IndexDB:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            if exc_type is None and not self.readonly:
                self.merge_bands()
                # a writer that changed the index leaves its derived statistics current (lineages, the null)
                if self.statistics_stale:
                    from licheck.decide.derive import derive_statistics

                    derive_statistics(self)
        finally:
            self.close()

    # -- writing -------------------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _index_error(exc, self.path) from None
        try:
            yield
            self._flush_bands()
        except BaseException:
            self.db.execute("ROLLBACK")
            self._pending_bands, self._pending_rows, self._next_unit_id = [], 0, None
            raise
        else:
            self.db.execute("COMMIT")
            self._next_unit_id = None
            if self._buffered > max(4 * _BAND_BUFFER, self._merged_estimate):
                self.merge_bands()  # bounds the write buffer: merges cost O(index) each, geometrically spaced

    def find_source(self, name: str, version: str) -> tuple[int, str] | None:
        row = self.db.execute("SELECT id, digest FROM sources WHERE name = ? AND version = ?", (name, version)).fetchone()
        return (row[0], row[1]) if row else None

    def add_source(self, record: SourceRecord) -> int:
        """Insert a source, replacing an earlier one of the same name and version."""
        self.put_statistic("stale", b"1")
        existing = self.find_source(record.name, record.version)
        if existing:
            self._delete_source(existing[0])
        cursor = self.db.execute(
            "INSERT INTO sources (name, version, origin, url, digest, license, license_category, license_origin)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (record.name, record.version, record.origin, record.url, record.digest, record.license,
             record.license_category, record.license_origin),
        )
        return int(cursor.lastrowid or 0)

    def add_file(self, source_id: int, analysis: FileAnalysis | PackedFile, license_: tuple[str, str, str] | None) -> int:
        """Store one analysed file; its content (tokens, units, bands) is stored once however often it occurs.

        Returns the number of units newly stored.
        """
        packed = analysis if isinstance(analysis, PackedFile) else pack_file(analysis)
        row = self.db.execute("SELECT id FROM contents WHERE digest = ?", (packed.text_digest,)).fetchone()
        new_units = 0
        if row:
            content_id = row[0]
        else:
            content_id = self._add_content(packed)
            new_units = len(packed.units)
        lic = license_ or (None, None, None)
        self.db.execute(
            "INSERT INTO files (source_id, content_id, path, license, license_category, license_origin)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (source_id, content_id, packed.path, *lic),
        )
        return new_units

    def _add_content(self, packed: PackedFile) -> int:
        cursor = self.db.execute(
            "INSERT INTO contents (digest, language, line_count, tokens, comments) VALUES (?, ?, ?, ?, ?)",
            (packed.text_digest, packed.language, packed.line_count, packed.tokens, packed.comments),
        )
        content_id = int(cursor.lastrowid or 0)
        if packed.text:
            self.db.execute("INSERT INTO content_text (content_id, text) VALUES (?, ?)", (content_id, packed.text))
        if not packed.units:
            return content_id
        if self._next_unit_id is None:
            self._next_unit_id = int(self.db.execute("SELECT coalesce(max(id), 0) FROM units").fetchone()[0]) + 1
        first = self._next_unit_id
        self._next_unit_id += len(packed.units)
        self.db.executemany(
            "INSERT INTO units (id, content_id, kind, name, start_line, end_line, ranges, token_count, digest)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(first + i, content_id, *unit) for i, unit in enumerate(packed.units)],
        )
        ids = np.arange(first, first + len(packed.units), dtype=np.int64)
        keys = band_blocks.compact_keys(packed.band_keys)
        self._pending_bands.append(np.column_stack([keys.ravel(), np.repeat(ids, keys.shape[1])]))
        self._pending_rows += packed.band_keys.size
        if self._pending_rows >= _BAND_BUFFER:
            self._flush_bands()
        return content_id

    def _flush_bands(self) -> None:
        """Insert buffered band rows into the write buffer (the ``bands`` table), in key order: a sorted batch
        touches each B-tree page once. ``merge_bands`` packs them into blocks."""
        if not self._pending_bands:
            return
        rows = np.concatenate(self._pending_bands)
        rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
        self.db.executemany("INSERT OR IGNORE INTO bands (key, unit_id) VALUES (?, ?)", rows.tolist())
        self._buffered += len(rows)
        self._pending_bands, self._pending_rows = [], 0

    def finish_source(self, source_id: int, *, file_count: int, unit_count: int) -> None:
        self.db.execute("UPDATE sources SET file_count = ?, unit_count = ? WHERE id = ?", (file_count, unit_count, source_id))

    def remove_source(self, name: str, version: str | None = None) -> int:
        """Remove every source called ``name`` (of ``version`` when given); returns how many went."""
        if version is None:
            ids = [r[0] for r in self.db.execute("SELECT id FROM sources WHERE name = ?", (name,))]
        else:
            ids = [r[0] for r in self.db.execute("SELECT id FROM sources WHERE name = ? AND version = ?", (name, version))]
        for source_id in ids:
            self._delete_source(source_id)
        return len(ids)

    def _delete_source(self, source_id: int) -> None:
        self.put_statistic("stale", b"1")
        self.db.execute("DELETE FROM files WHERE source_id = ?", (source_id,))
        self.db.execute("DELETE FROM sources WHERE id = ?", (source_id,))
        orphans = "SELECT id FROM contents WHERE id NOT IN (SELECT content_id FROM files)"
        # band rows of orphaned units stay until `index vacuum`; lookups ignore units that no longer exist
        self.db.execute(f"DELETE FROM units WHERE content_id IN ({orphans})")
        self.db.execute(f"DELETE FROM contents WHERE id IN ({orphans})")

    def merge_bands(self, *, live_only: bool = False) -> None:
        """Pack the buffered band rows into blocks (one transaction); ``live_only`` also drops removed units."""
        if not (live_only or self._pending_bands or band_table.has_buffered(self.db)):
            return
        with self.transaction():
            self._flush_bands()  # rows still in memory join the merge
            try:
                band_table.merge(self.db, live=self._live_unit_ids() if live_only else None)
            except ValueError:
                raise IndexFileError(f"{self.path}: a band block is damaged", hint=_REBUILD_HINT) from None
            self._merged_estimate += self._buffered
            self._buffered = 0
        band_table.give_back_pages(self.db)

    def read_band_rows(self, query: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(compact key, unit id) rows: those with the ``query`` keys, or all; removed units too."""
        try:
            return band_table.all_rows(self.db) if query is None else band_table.rows_for(self.db, query)
        except ValueError:
            raise IndexFileError(f"{self.path}: a band block is damaged", hint=_REBUILD_HINT) from None

    def _live_unit_ids(self) -> np.ndarray:
        return np.array([r[0] for r in self.db.execute("SELECT id FROM units")], dtype=np.int64)

    def vacuum(self) -> None:
        self.merge_bands(live_only=True)
        self.db.execute("VACUUM")

    # -- reading -------------------------------------------------------------------------------------------
    def counts(self) -> tuple[int, int]:
        """(sources, units). The unit count is the one derive stored while the statistics are current: counting
        millions of rows would read tens of megabytes of index pages on every scan."""
        sources = self.db.execute("SELECT count(*) FROM sources").fetchone()[0]
        stored = self.statistic("units") if not self.statistics_stale else None
        units = int(stored) if stored is not None and stored.isdigit() else self.unit_count()
        return int(sources), units

    def unit_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM units").fetchone()[0])

    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta").fetchall())

    def list_sources(self) -> list[dict[str, object]]:
        cols = ["name", "version", "origin", "url", "digest", "license", "license_category", "license_origin",
                "added_at", "file_count", "unit_count"]
        rows = self.db.execute(f"SELECT {', '.join(cols)} FROM sources ORDER BY name, version").fetchall()
        return [dict(zip(cols, row, strict=True)) for row in rows]

    def lookup(self, band_keys: Iterable[int], *, bucket_cap: int) -> dict[int, int]:
        """Units sharing at least one band with the query, and how many bands each shares.

        ``band_keys`` are one or more units' keys, each in band order. A bucket holding more than ``bucket_cap``
        units is common code (boilerplate) and is skipped.
        """
        query = band_blocks.compact_keys(np.fromiter(band_keys, dtype=np.int64), self.params.bands)
        if not len(query):
            return {}
        keys, units = self.read_band_rows(query)
        return band_blocks.count_hits(query, keys, units, bucket_cap=bucket_cap)

    def units(self, unit_ids: Iterable[int]) -> list[UnitRow]:
        ids = list(unit_ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT {_UNIT_COLUMNS} FROM units WHERE id IN ({marks})", ids,
        ).fetchall()
        return [_unit_row(r) for r in rows]

    def lineage_units(self, lineage: int, *, limit: int = 1000) -> list[UnitRow]:
        """The units of one lineage (every indexed copy of a piece of code), oldest first."""
        rows = self.db.execute(f"SELECT {_UNIT_COLUMNS} FROM units WHERE lineage = ? ORDER BY id LIMIT ?",
                               (lineage, limit)).fetchall()
        return [_unit_row(r) for r in rows]

    def all_units(self) -> Iterator[tuple[int, int, bytes, int, int, str]]:
        """(unit id, content id, ranges blob, token count, lineage, language) of every unit, by content."""
        yield from self.db.execute(
            "SELECT u.id, u.content_id, u.ranges, u.token_count, u.lineage, c.language"
            " FROM units u JOIN contents c ON c.id = u.content_id ORDER BY u.content_id, u.id")

    def band_rows(self) -> np.ndarray:
        """Every (compact band key, unit id) row of live units, in key order: the input of lineage clustering."""
        keys, units = self.read_band_rows()
        keep = np.isin(units, self._live_unit_ids())
        rows = np.column_stack([keys[keep], units[keep]])
        return rows[np.lexsort((rows[:, 1], rows[:, 0]))]

    def set_lineages(self, assignments: Iterable[tuple[int, int]]) -> None:
        """(lineage, unit id) pairs; call inside a transaction."""
        self.db.executemany("UPDATE units SET lineage = ? WHERE id = ?", assignments)

    def content_sources(self, content_id: int) -> frozenset[int]:
        return frozenset(r[0] for r in self.db.execute("SELECT source_id FROM files WHERE content_id = ?",
                                                       (content_id,)))

    def statistic(self, name: str) -> bytes | None:
        row = self.db.execute("SELECT value FROM statistics WHERE name = ?", (name,)).fetchone()
        return bytes(row[0]) if row else None

    def statistic_size(self, name: str) -> int | None:
        """The size in bytes of one derived statistic, None when absent (without reading it)."""
        row = self.db.execute("SELECT length(value) FROM statistics WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else None

    def put_statistic(self, name: str, value: bytes) -> None:
        """Store one derived statistic; call inside a transaction."""
        self.db.execute("INSERT OR REPLACE INTO statistics (name, value) VALUES (?, ?)", (name, value))

    def delete_statistic(self, name: str) -> None:
        """Drop one derived statistic (if stored) and its parts; call inside a transaction."""
        self.db.execute("DELETE FROM statistics WHERE name = ? OR (name > ? AND name < ?)",
                        (name, name + _PART, name + _PART_END))

    # A large statistic (the shingle-count table) is stored as numbered parts beside its header row, so a scan
    # reads only the parts it needs: rows "NAME#0", "NAME#1", ... of the same table.
    def put_statistic_parts(self, name: str, parts: Iterable[tuple[int, bytes]]) -> None:
        """Store numbered parts of one statistic; call inside a transaction."""
        self.db.executemany("INSERT OR REPLACE INTO statistics (name, value) VALUES (?, ?)",
                            ((f"{name}{_PART}{number}", value) for number, value in parts))

    def statistic_parts(self, name: str, numbers: Iterable[int]) -> dict[int, bytes]:
        """The stored parts among ``numbers`` of one statistic (a missing part is absent from the result)."""
        wanted = [f"{name}{_PART}{number}" for number in numbers]
        found: dict[int, bytes] = {}
        for offset in range(0, len(wanted), band_table.SQL_BATCH):
            batch = wanted[offset : offset + band_table.SQL_BATCH]
            for key, value in self.db.execute(
                    f"SELECT name, value FROM statistics WHERE name IN ({','.join('?' * len(batch))})", batch):
                found[int(key[len(name) + 1 :])] = bytes(value)
        return found

    def rename_statistic(self, old: str, new: str) -> None:
        """Store ``old`` (and its parts) as ``new``, replacing what ``new`` was; call inside a transaction."""
        self.delete_statistic(new)
        self.db.execute("UPDATE statistics SET name = ? || substr(name, ?) WHERE name = ? OR (name > ? AND name < ?)",
                        (new, len(old) + 1, old, old + _PART, old + _PART_END))

    @property
    def statistics_stale(self) -> bool:
        """True when sources were added or removed since the statistics were last derived."""
        return self.statistic("stale") != b"0"

    def content_tokens(self, content_id: int) -> ContentTokens:
        cached = self._tokens_cache.get(content_id)
        if cached is not None:
            return cached
        row = self.db.execute("SELECT tokens, comments FROM contents WHERE id = ?", (content_id,)).fetchone()
        try:
            structural, lexical, lines = unpack_tokens(row[0])
        except (zlib.error, ValueError):
            raise IndexFileError(f"{self.path}: the tokens of content {content_id} are damaged",
                                 hint=_REBUILD_HINT) from None
        tokens = ContentTokens(structural, lexical, lines, frozenset(np.frombuffer(row[1], dtype="<i8").tolist()))
        if len(self._tokens_cache) > 2048:
            self._tokens_cache.clear()
        self._tokens_cache[content_id] = tokens
        return tokens

    def content_text(self, content_id: int) -> str | None:
        """The original text of a content, or None when the index holds none for it (stored before schema 2)."""
        row = self.db.execute("SELECT text FROM content_text WHERE content_id = ?", (content_id,)).fetchone()
        return unpack_text(row[0]) if row else None

    def placements(self, content_id: int) -> list[Placement]:
        rows = self.db.execute(
            "SELECT s.name, s.version, s.origin, s.url, s.digest, s.license, s.license_category, s.license_origin,"
            " f.path, f.license, f.license_category, f.license_origin"
            " FROM files f JOIN sources s ON s.id = f.source_id WHERE f.content_id = ? ORDER BY s.id, f.id",
            (content_id,),
        ).fetchall()
        result = []
        for r in rows:
            source = SourceRecord(*r[:8])
            result.append(Placement(source, r[8], r[9] or source.license, r[10] or source.license_category,
                                    r[11] or source.license_origin))
        return result

    def sources_holding(self, digest: int) -> int:
        """How many distinct sources hold a unit with this structural digest."""
        row = self.db.execute(
            "SELECT count(DISTINCT f.source_id) FROM units u JOIN files f ON f.content_id = u.content_id"
            " WHERE u.digest = ?", (digest,),
        ).fetchone()
        return int(row[0])


_PART, _PART_END = "#", "$"  # "NAME#n" parts sort between NAME# and NAME$ ('$' follows '#')
_UNIT_COLUMNS = "id, content_id, kind, name, start_line, end_line, ranges, token_count, digest, lineage"


def _unit_row(r: tuple) -> UnitRow:  # type: ignore[type-arg]
    flat = np.frombuffer(r[6], dtype="<u4").reshape(-1, 2)
    return UnitRow(r[0], r[1], r[2], r[3], r[4], r[5], tuple(map(tuple, flat.tolist())), r[7], r[8], r[9])


def _connect(target: str, *, uri: bool = False) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(target, uri=uri, timeout=2.0, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA foreign_keys = ON")
        return db
    except sqlite3.Error as exc:
        raise _index_error(exc, Path(target)) from None


def _write_meta(db: sqlite3.Connection, stamp: dict[str, str]) -> None:
    values = {**stamp, "licheck_version": __version__, "schema_version": str(SCHEMA_VERSION)}
    db.execute("BEGIN IMMEDIATE")
    db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", values.items())
    db.execute("COMMIT")


def _check_application(db: sqlite3.Connection, path: Path) -> None:
    try:
        app = db.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise _index_error(exc, path) from None
    if app != APPLICATION_ID:
        raise IndexFileError(f"{path} is not a licheck index", hint="pass the path of an index made by `licheck index add`")


class PreviousLayoutError(IndexMismatchError):
    """An index of the previous band layout: a writer converts it in place."""


def _stored_layout(db: sqlite3.Connection) -> dict[str, str]:
    return dict(db.execute("SELECT key, value FROM meta WHERE key IN ('band_layout', 'content_encoding')"))


def _check_layout(db: sqlite3.Connection, path: Path) -> None:
    stored = _stored_layout(db)
    different = [key.replace("_", " ") for key, value in _layout_stamp().items() if stored.get(key) != value]
    if different == ["band layout"] and stored.get("band_layout") == band_blocks.CONVERTIBLE_STAMP:
        raise PreviousLayoutError(f"{path} stores its band rows in the previous layout, which this licheck "
                                 "converts when it writes the index",
                                 hint=f"convert it once (minutes for millions of units): licheck index refresh "
                                      f"--index {path}")
    if different:  # older indexes store their bands and tokens another way
        raise IndexMismatchError(f"{path} stores its data in another layout ({', '.join(different)}) than this "
                                 "licheck reads", hint=_REBUILD_HINT)


def _convert_layout(db: sqlite3.Connection, path: Path) -> None:
    """Re-encode the band blocks of a ``blocks-v1`` index in place (one transaction: all or nothing)."""
    stored = _stored_layout(db)
    if stored.get("band_layout") != band_blocks.CONVERTIBLE_STAMP or \
            stored.get("content_encoding") != CONTENT_ENCODING:
        return
    try:
        db.execute("BEGIN IMMEDIATE")
        band_table.convert_from_v1(db)
        db.execute("UPDATE meta SET value = ? WHERE key = 'band_layout'", (band_blocks.layout_stamp(),))
        db.execute("COMMIT")
        band_table.give_back_pages(db)  # the rewritten blocks' old pages
    except (sqlite3.Error, ValueError) as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise _index_error(exc, path) from None
        raise IndexFileError(f"{path}: a band block is damaged", hint=_REBUILD_HINT) from None


def _check_index(db: sqlite3.Connection, path: Path) -> SketchParams:
    try:
        _check_application(db, path)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise IndexMismatchError(f"{path} was made by a newer licheck (schema {version})",
                                     hint="upgrade licheck to read it")
        _check_layout(db, path)
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if version < SCHEMA_VERSION:
            raise IndexMismatchError(f"{path} has an older schema ({version} < {SCHEMA_VERSION})",
                                     hint="run `licheck index add` on it once to migrate it")
    except sqlite3.DatabaseError as exc:
        raise _index_error(exc, path) from None
    try:
        params = SketchParams(**json.loads(meta["sketch"]))
    except (KeyError, TypeError, ValueError):
        raise IndexFileError(f"{path} has no valid sketch settings: the index is damaged", hint=_REBUILD_HINT) from None
    expected = compat_stamp(params)
    # the index's own sketch parameters are reproducible; its hashing scheme, normalizer and grammars may not be
    different = [key for key in ("normalizer", "grammars") if meta.get(key) != expected[key]]
    if params.scheme != SKETCH_SCHEME:
        different.insert(0, "MinHash scheme")
    if different:
        raise IndexMismatchError(
            f"{path} was built with other {', '.join(different)} settings than this licheck uses", hint=_REBUILD_HINT
        )
    return params


def _index_error(exc: sqlite3.Error, path: Path) -> IndexFileError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return IndexFileError(f"index {path} is locked by another process",
                              hint="wait for the other licheck (or sqlite) process to finish, then retry")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return IndexFileError(f"{path} is not a licheck index or is corrupt ({text})",
                              hint="rebuild it, or pass the right --index")
    if "unable to open" in text:
        return IndexFileError(f"cannot open index {path} ({text})", hint="check the path and its permissions")
    return IndexFileError(f"index {path}: {text}")
