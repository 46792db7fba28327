"""A sharded index: a folder holding a core file, band shards and a small manifest, read like one index file.

Routing is by band-key range. The core is an ordinary index file without band rows: sources, contents, units,
lineages and the index-wide statistics the decision reads. Each shard holds the band blocks of one range of
compact keys (licheck.store.band_blocks), so a key's shard is a pure function of the key. Why this and not
one complete index per group of sources: unit ids, lineages and the null distribution stay global and are
computed once, so a sharded index gives exactly the findings of the single file it was split from, and the
band rows (the bulk of what a build writes and a lookup reads) are written and read in parallel.

The manifest is the switch: new files are written under new names (the build id is in them) and the
manifest replaced atomically, so scans that opened the old build keep reading it and none sees half a build.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from licheck.errors import IndexFileError, IndexMismatchError
from licheck.sketch import SketchParams
from licheck.store import band_blocks
from licheck.store.index_db import IndexDB, PreviousLayoutError
from licheck.store.opening import open_index  # noqa: F401 - opened alike from here too

MANIFEST = "manifest.json"
FORMAT = "licheck-shards-v1"
BUILD_KEY = "shard_build"  # meta key: the build a core or shard belongs to
RANGE_KEY = "shard_blocks"  # meta key of a shard: "first,end" block numbers
STAMP_KEYS = ("sketch", "normalizer", "grammars", "band_layout", "content_encoding")
_REBUILD = "rebuild the sharded index (licheck index merge FILE... -o DIR) from its sources or index files"


@dataclass(frozen=True)
class ShardEntry:
    file: str
    first_block: int
    end_block: int  # exclusive


@dataclass(frozen=True)
class ShardManifest:
    build: str
    stamp: dict[str, str]
    core: str
    shards: tuple[ShardEntry, ...]
    sources: tuple[tuple[str, str], ...]
    units: int
    format: str = FORMAT

    def to_json(self) -> str:
        data = asdict(self)
        data["shards"] = [asdict(s) for s in self.shards]
        return json.dumps(data, indent=2, sort_keys=True)

    @classmethod
    def read(cls, folder: Path) -> ShardManifest:
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise IndexMismatchError(f"{folder} is a sharded index of another format ({data.get('format')})",
                                         hint=_REBUILD)
            return cls(build=str(data["build"]), stamp=dict(data["stamp"]), core=str(data["core"]),
                       shards=tuple(ShardEntry(**s) for s in data["shards"]),
                       sources=tuple((str(n), str(v)) for n, v in data["sources"]), units=int(data["units"]))
        except FileNotFoundError:
            raise IndexFileError(f"{folder} is a folder without {MANIFEST}: not a sharded licheck index",
                                 hint="pass an index file, or a folder made by `licheck index merge … -o DIR`") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexFileError(f"{path} is damaged ({exc})", hint=_REBUILD) from None


class ShardedIndex:
    """The read API of IndexDB over a sharded folder: lookups fan out to the shards, the rest reads the core."""

    def __init__(self, path: Path, manifest: ShardManifest, core: IndexDB, shards: list[tuple[ShardEntry, IndexDB]]):
        self.path = path
        self.manifest = manifest
        self.core = core
        self.shards = shards
        self.params = core.params
        self.readonly = True

    @classmethod
    def open(cls, folder: str | Path) -> ShardedIndex:
        folder = Path(folder)
        for attempt in range(2):  # a merge may swap the build between reading the manifest and opening files
            manifest = ShardManifest.read(folder)
            try:
                return cls._open_build(folder, manifest)
            except IndexFileError:
                if attempt or ShardManifest.read(folder).build == manifest.build:
                    raise
        raise AssertionError("unreachable")

    @classmethod
    def _open_build(cls, folder: Path, manifest: ShardManifest) -> ShardedIndex:
        opened: list[IndexDB] = []
        try:
            core = IndexDB.open_readonly(folder / manifest.core)
            opened.append(core)
            _check_member(core, folder / manifest.core, manifest)
            shards = []
            for entry in manifest.shards:
                shard = IndexDB.open_readonly(folder / entry.file)
                opened.append(shard)
                _check_member(shard, folder / entry.file, manifest)
                if shard.meta().get(RANGE_KEY) != f"{entry.first_block},{entry.end_block}":
                    raise IndexMismatchError(f"{folder / entry.file} holds other band blocks than {MANIFEST} says",
                                             hint=_REBUILD)
                shards.append((entry, shard))
        except PreviousLayoutError:
            for db in opened:
                db.close()
            raise IndexMismatchError(
                f"{folder} holds band rows in the previous layout, which this licheck reads only after converting "
                "them", hint="convert the one-file index it was split from (licheck index refresh --index FILE) and "
                             f"split that again (licheck index merge FILE -o {folder} --shards N), or rebuild it "
                             "with --shards N") from None
        except BaseException:
            for db in opened:
                db.close()
            raise
        return cls(folder, manifest, core, shards)

    def close(self) -> None:
        self.core.close()
        for _, shard in self.shards:
            shard.close()

    def __enter__(self) -> ShardedIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        # everything but the band rows lives in the core: units, contents, placements, statistics, sources
        return getattr(self.core, name)

    def lookup(self, band_keys: Any, *, bucket_cap: int) -> dict[int, int]:
        query = band_blocks.compact_keys(np.fromiter(band_keys, dtype=np.int64), self.params.bands)
        if not len(query):
            return {}
        blocks = band_blocks.block_of(query)
        keys_parts, unit_parts = [], []
        for entry, shard in self.shards:
            mine = query[(blocks >= entry.first_block) & (blocks < entry.end_block)]
            if len(mine):
                keys, units = shard.read_band_rows(mine)
                keys_parts.append(keys)
                unit_parts.append(units)
        if not keys_parts:
            return {}
        return band_blocks.count_hits(query, np.concatenate(keys_parts), np.concatenate(unit_parts),
                                      bucket_cap=bucket_cap)

    def band_rows(self) -> np.ndarray:
        live = np.array([r[0] for r in self.core.db.execute("SELECT id FROM units")], dtype=np.int64)
        parts = [np.column_stack(shard.read_band_rows()) for _, shard in self.shards]
        rows = np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.int64)
        rows = rows[np.isin(rows[:, 1], live)]
        return rows[np.lexsort((rows[:, 1], rows[:, 0]))]


def _check_member(db: IndexDB, path: Path, manifest: ShardManifest) -> None:
    meta = db.meta()
    if meta.get(BUILD_KEY) != manifest.build:
        raise IndexMismatchError(f"{path} belongs to another build than {path.parent / MANIFEST}", hint=_REBUILD)
    different = [key for key in STAMP_KEYS if meta.get(key) != manifest.stamp.get(key)]
    if different:
        raise IndexMismatchError(f"{path} was built with other {', '.join(different)} settings than the rest of "
                                 f"{path.parent}", hint=_REBUILD)


# -- writing: a file → a folder, a folder → a file ----------------------------------------------------------
def split_index(source: str | Path, folder: str | Path, *, shards: int = 4) -> ShardManifest:
    """Write ``source`` (an index file) as a sharded folder; an existing sharded folder is replaced atomically."""
    source, folder = Path(source), Path(folder)
    if shards < 1:
        raise IndexFileError("a sharded index needs at least one shard")
    _prepare_folder(folder)
    build = uuid.uuid4().hex[:12]
    with IndexDB.open_readonly(source) as src:  # never written: scans of it go on meanwhile
        stamp = {key: src.meta().get(key, "") for key in STAMP_KEYS}
        end = src.params.bands << band_blocks.PREFIX_BITS
        cuts = np.linspace(0, end, shards + 1).astype(int).tolist()
        entries = tuple(ShardEntry(f"bands-{build}-{number:03d}.sqlite", lo, hi)
                        for number, (lo, hi) in enumerate(zip(cuts, cuts[1:], strict=False)))
        core = f"core-{build}.sqlite"
        try:
            # shards are independent files: written in parallel (SQLite releases the GIL while it works)
            with ThreadPoolExecutor(max_workers=min(len(entries), os.cpu_count() or 1)) as pool:
                list(pool.map(lambda entry: _write_shard(folder / entry.file, source, src.params, entry, build),
                              entries))
            _write_core(folder / core, src, build)
        except BaseException:  # the manifest still names the previous build, which stays usable
            for item in folder.glob(f"*-{build}*.sqlite"):
                item.unlink(missing_ok=True)
            raise
        manifest = ShardManifest(build=build, stamp=stamp, core=core, shards=entries,
                                 sources=tuple((str(s["name"]), str(s["version"])) for s in src.list_sources()),
                                 units=src.unit_count())
    _swap_manifest(folder, manifest)
    return manifest


def compact_index(folder: str | Path, target: str | Path) -> int:
    """Write a sharded folder as one index file (written to a temp file and swapped in); returns its units."""
    folder, target = Path(folder), Path(target)
    if target.exists() and not target.is_file():
        raise IndexFileError(f"{target} exists and is not a file", hint="pass a file path to -o")
    with ShardedIndex.open(folder) as sharded:
        fresh = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            _backup(sharded.core, fresh)
            out = sqlite3.connect(fresh, isolation_level=None)
            try:
                out.execute("BEGIN IMMEDIATE")
                out.execute("DELETE FROM meta WHERE key = ?", (BUILD_KEY,))
                for _, shard in sharded.shards:
                    out.executemany("INSERT INTO band_blocks (block, suffixes, units) VALUES (?, ?, ?)",
                                    _raw_blocks(shard.db, 0, 1 << 62))
                out.execute("COMMIT")
            finally:
                out.close()
            units = sharded.core.unit_count()
            os.replace(fresh, target)
        finally:
            fresh.unlink(missing_ok=True)
    return units


def _write_shard(path: Path, source: Path, params: SketchParams, entry: ShardEntry, build: str) -> None:
    reader = sqlite3.connect(f"file:{source.resolve().as_posix()}?mode=ro", uri=True)
    shard = IndexDB.open_for_write(path, params)
    try:  # closed, not exited: a shard has no units, so nothing to merge or derive
        with shard.transaction():
            shard.db.executemany("INSERT INTO band_blocks (block, suffixes, units) VALUES (?, ?, ?)",
                                 _blocks_in(reader, entry.first_block, entry.end_block))
            shard.db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                 [(BUILD_KEY, build), (RANGE_KEY, f"{entry.first_block},{entry.end_block}")])
    finally:
        shard.close()
        reader.close()


def _write_core(path: Path, src: IndexDB, build: str) -> None:
    _backup(src, path)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("DELETE FROM band_blocks")
        db.execute("DELETE FROM bands")
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (BUILD_KEY, build))
        db.execute("COMMIT")
        db.execute("VACUUM")
    finally:
        db.close()


def _blocks_in(db: sqlite3.Connection, first: int, end: int) -> Iterable[tuple[int, bytes, bytes]]:
    """The blocks of a range, with the source's still-buffered band rows merged in (when it has any)."""
    shift = band_blocks.SUFFIX_BITS
    pending = db.execute("SELECT key, unit_id FROM bands WHERE key >= ? AND key < ?",
                         (first << shift, end << shift)).fetchall()
    if not pending:
        return _raw_blocks(db, first, end)
    keys, units = band_blocks.decode_blocks(list(_raw_blocks(db, first, end)))
    rows = np.array(pending, dtype=np.int64)
    return band_blocks.group_rows(np.r_[keys, rows[:, 0]], np.r_[units, rows[:, 1]])


def _raw_blocks(db: sqlite3.Connection, first: int, end: int) -> Iterator[tuple[int, bytes, bytes]]:
    yield from db.execute("SELECT block, suffixes, units FROM band_blocks WHERE block >= ? AND block < ?"
                             " ORDER BY block", (first, end))


def _backup(src: IndexDB, path: Path) -> None:
    path.unlink(missing_ok=True)
    out = sqlite3.connect(path)
    try:
        src.db.backup(out)
    finally:
        out.close()


def _prepare_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise IndexFileError(f"{folder} exists and is not a folder", hint="pass a folder path to -o")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MANIFEST).is_file():
        raise IndexFileError(f"{folder} is a folder that is not a sharded index; refusing to write into it",
                             hint="pass a new or empty folder")
    folder.mkdir(parents=True, exist_ok=True)


def _swap_manifest(folder: Path, manifest: ShardManifest) -> None:
    """Make ``manifest`` the folder's build in one rename, then drop the files of earlier builds."""
    temp = folder / f".{MANIFEST}.{manifest.build}.tmp"
    with open(temp, "w", encoding="utf-8") as out:
        out.write(manifest.to_json())
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, folder / MANIFEST)
    keep = {manifest.core, *(s.file for s in manifest.shards), MANIFEST}
    for item in folder.glob("*.sqlite"):
        if item.name not in keep:
            item.unlink(missing_ok=True)  # readers of the old build keep their open files


# -- index remove over either form -------------------------------------------------------------------------
def remove_source(index: Path, name: str, version: str | None, *,
                  derive: Callable[[IndexDB], object] | None = None) -> int:
    """Remove a source from an index file or a sharded folder; returns how many sources went.

    ``derive`` (the decision's statistics) runs on the changed index. A folder is changed through a compacted
    copy that is split again and swapped in: its lineages and null stay index-wide, and scans read the old
    build meanwhile.
    """
    if not index.is_dir():
        with IndexDB.open_for_write(index) as db:
            with db.transaction():
                removed = db.remove_source(name, version)
            if removed and derive is not None:
                derive(db)
        return removed
    with ShardedIndex.open(index) as sharded:
        shards = len(sharded.shards)
    temp = index.parent / f".{index.name}.{uuid.uuid4().hex[:8]}.removing.sqlite"
    try:
        compact_index(index, temp)
        with IndexDB.open_for_write(temp) as db:
            with db.transaction():
                removed = db.remove_source(name, version)
            if removed:
                db.vacuum()  # the removed units' band rows go too
                if derive is not None:
                    derive(db)
        if removed:
            split_index(temp, index, shards=shards)
    finally:
        temp.unlink(missing_ok=True)
    return removed
