"""Several indexes → one: sources, contents, units and band rows copied with new ids, in SQL where it can.

A content held by an earlier input (same digest) is stored once, as a build does; a source already taken
(same name and version) is skipped and reported. Lineages and statistics of the inputs do not carry over
(they are index-wide): the merged index is marked stale, and the caller's ``derive`` recomputes them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from licheck.errors import IndexFileError, IndexMismatchError, UsageError
from licheck.store import band_blocks, band_table
from licheck.store.index_db import IndexDB
from licheck.store.shards import ShardedIndex, compact_index, split_index

Derive = Callable[[IndexDB], object]
_REBUILD = "indexes built with other sketch settings cannot be merged: rebuild them with one licheck"
_SOURCE_COLUMNS = ("name, version, origin, url, digest, license, license_category, license_origin, added_at, "
                   "file_count, unit_count")


@dataclass(frozen=True)
class MergeResult:
    sources: int
    units: int
    shards: int  # 0: one file
    duplicates: tuple[tuple[str, str], ...] = ()


def merge_indexes(inputs: list[Path], output: Path, *, shards: int | None = None,
                  derive: Derive | None = None) -> MergeResult:
    """One index (a file, or a sharded folder when ``shards`` is given or ``output`` is one) from ``inputs``
    (files or sharded folders); written aside and swapped in, so scans read the old index meanwhile."""
    if not inputs:
        raise UsageError("nothing to merge")
    resolved = {p.resolve() for p in inputs}
    if output.resolve() in resolved:
        raise UsageError(f"{output} is one of the inputs", hint="write the merged index to another path")
    to_folder = shards is not None or output.is_dir()
    if len(inputs) == 1 and inputs[0].is_dir() and not to_folder:
        with ShardedIndex.open(inputs[0]) as index:
            sources = index.counts()[0]
        return MergeResult(sources=sources, units=compact_index(inputs[0], output), shards=0)
    if len(inputs) == 1 and not inputs[0].is_dir() and to_folder:
        manifest = split_index(inputs[0], output, shards=shards or 4)
        return MergeResult(sources=len(manifest.sources), units=manifest.units, shards=len(manifest.shards))
    target = output.with_name(f".{output.name}.{uuid.uuid4().hex[:8]}.merging.sqlite")
    try:
        duplicates = _merge_into(target, inputs, derive=derive)
        with IndexDB.open_readonly(target) as db:
            sources, units = db.counts()
        if to_folder:
            manifest = split_index(target, output, shards=shards or 4)
            return MergeResult(sources, units, len(manifest.shards), duplicates)
        os.replace(target, output)
        return MergeResult(sources, units, 0, duplicates)
    finally:
        target.unlink(missing_ok=True)


def _merge_into(target: Path, inputs: list[Path], *, derive: Derive | None) -> tuple[tuple[str, str], ...]:
    duplicates: list[tuple[str, str]] = []
    with _opened(inputs[0]) as first:
        params = first.params
    with IndexDB.open_for_write(target, params) as out:
        for path in inputs:
            with _opened(path) as index:
                if index.params != params:
                    raise IndexMismatchError(f"{path} was built with other sketch parameters than {inputs[0]}",
                                             hint=_REBUILD)
                core = index.core.path if isinstance(index, ShardedIndex) else index.path
                bands = [s for _, s in index.shards] if isinstance(index, ShardedIndex) else [index]
                duplicates += _copy_index(out, core, bands)
        with out.transaction():
            out.put_statistic("stale", b"1")
        out.merge_bands()
        if derive is not None:
            derive(out)
    return tuple(duplicates)


@contextmanager
def _opened(path: Path) -> Iterator[IndexDB | ShardedIndex]:
    index: IndexDB | ShardedIndex = ShardedIndex.open(path) if path.is_dir() else IndexDB.open_readonly(path)
    try:
        yield index
    finally:
        index.close()


def _copy_index(out: IndexDB, core: Path, band_sources: list[IndexDB]) -> list[tuple[str, str]]:
    """Copy one input (its core file, and the files holding its band blocks) into ``out``."""
    db = out.db
    db.execute("ATTACH DATABASE ? AS src", (str(core),))
    try:
        with out.transaction():
            skipped = _map_sources(db)
            _map_contents(db)
            _copy_rows(db)
            umap = np.array(db.execute("SELECT old, new FROM temp.umap ORDER BY old").fetchall(),
                            dtype=np.int64).reshape(-1, 2)
            for source in band_sources:
                _copy_bands(out, source, umap)
        return skipped
    finally:
        for table in ("smap", "cmap", "umap"):
            db.execute(f"DROP TABLE IF EXISTS temp.{table}")
        db.execute("DETACH DATABASE src")


def _map_sources(db) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    db.execute("CREATE TEMP TABLE smap (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
    taken = {(n, v) for n, v in db.execute("SELECT name, version FROM main.sources")}
    next_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM main.sources").fetchone()[0]
    skipped = []
    for old, name, version in db.execute("SELECT id, name, version FROM src.sources ORDER BY id").fetchall():
        if (name, version) in taken:
            skipped.append((name, version))
            continue
        db.execute("INSERT INTO temp.smap VALUES (?, ?)", (old, next_id))
        next_id += 1
    db.execute(f"INSERT INTO main.sources (id, {_SOURCE_COLUMNS}) SELECT m.new, {_SOURCE_COLUMNS}"
               " FROM src.sources s JOIN temp.smap m ON m.old = s.id ORDER BY m.new")
    return skipped


def _map_contents(db) -> None:  # type: ignore[no-untyped-def]
    """cmap: every content the kept sources' files use → its id here; ``fresh`` when it is new here."""
    db.execute("CREATE TEMP TABLE cmap (old INTEGER PRIMARY KEY, new INTEGER NOT NULL, fresh INTEGER NOT NULL)")
    db.execute("INSERT INTO temp.cmap SELECT c.id, coalesce(d.id, 0), d.id IS NULL FROM src.contents c"
               " LEFT JOIN main.contents d ON d.digest = c.digest"
               " WHERE c.id IN (SELECT content_id FROM src.files WHERE source_id IN (SELECT old FROM temp.smap))")
    start = db.execute("SELECT coalesce(max(id), 0) + 1 FROM main.contents").fetchone()[0]
    fresh = [r[0] for r in db.execute("SELECT old FROM temp.cmap WHERE fresh ORDER BY old")]
    db.executemany("UPDATE temp.cmap SET new = ? WHERE old = ?", ((start + i, old) for i, old in enumerate(fresh)))
    db.execute("CREATE TEMP TABLE umap (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
    first = db.execute("SELECT coalesce(max(id), 0) + 1 FROM main.units").fetchone()[0]
    olds = [r[0] for r in db.execute("SELECT u.id FROM src.units u JOIN temp.cmap m ON m.old = u.content_id"
                                     " WHERE m.fresh ORDER BY u.id")]
    db.executemany("INSERT INTO temp.umap VALUES (?, ?)", ((old, first + i) for i, old in enumerate(olds)))


def _copy_rows(db) -> None:  # type: ignore[no-untyped-def]
    db.execute("INSERT INTO main.contents (id, digest, language, line_count, tokens, comments)"
               " SELECT m.new, c.digest, c.language, c.line_count, c.tokens, c.comments"
               " FROM src.contents c JOIN temp.cmap m ON m.old = c.id WHERE m.fresh ORDER BY m.new")
    db.execute("INSERT INTO main.content_text (content_id, text) SELECT m.new, t.text"
               " FROM src.content_text t JOIN temp.cmap m ON m.old = t.content_id WHERE m.fresh")
    db.execute("INSERT INTO main.units (id, content_id, kind, name, start_line, end_line, ranges, token_count,"
               " digest, lineage) SELECT um.new, m.new, u.kind, u.name, u.start_line, u.end_line, u.ranges,"
               " u.token_count, u.digest, 0 FROM src.units u JOIN temp.umap um ON um.old = u.id"
               " JOIN temp.cmap m ON m.old = u.content_id ORDER BY um.new")
    db.execute("INSERT INTO main.files (source_id, content_id, path, license, license_category, license_origin)"
               " SELECT s.new, m.new, f.path, f.license, f.license_category, f.license_origin FROM src.files f"
               " JOIN temp.smap s ON s.old = f.source_id JOIN temp.cmap m ON m.old = f.content_id ORDER BY f.id")


def _copy_bands(out: IndexDB, source: IndexDB, umap: np.ndarray) -> None:
    """The band rows of the copied units, under their new ids, into ``out``'s write buffer."""
    if not len(umap):
        return
    last = max(source.db.execute("SELECT coalesce(max(block), -1) FROM band_blocks").fetchone()[0],
               source.db.execute("SELECT coalesce(max(key), -1) FROM bands").fetchone()[0] >> band_blocks.SUFFIX_BITS)
    step = band_table.MERGE_BLOCKS
    for lo in range(0, last + 1, step):  # a range of blocks at a time: bounded memory
        keys, units = _range_rows(source, lo, lo + step)
        at = np.searchsorted(umap[:, 0], units)
        kept = (at < len(umap)) & (umap[np.minimum(at, len(umap) - 1), 0] == units)
        rows = np.column_stack([keys[kept], umap[at[kept], 1]])
        out.db.executemany("INSERT OR IGNORE INTO bands (key, unit_id) VALUES (?, ?)", rows.tolist())


def _range_rows(source: IndexDB, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    shift = band_blocks.SUFFIX_BITS
    try:
        keys, units = band_table.read_blocks(source.db, "block >= ? AND block < ?", (lo, hi))
    except ValueError:
        raise IndexFileError(f"{source.path}: a band block is damaged", hint=_REBUILD) from None
    pending = np.array(source.db.execute("SELECT key, unit_id FROM bands WHERE key >= ? AND key < ?",
                                         (lo << shift, hi << shift)).fetchall(), dtype=np.int64).reshape(-1, 2)
    return np.r_[keys, pending[:, 0]], np.r_[units, pending[:, 1]]
