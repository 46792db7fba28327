"""Build orchestration: a folder of source code → one source in the index, with its license.

Files are analysed in parallel worker processes (a pure function of bytes and sketch parameters) and written
by this process in one transaction per source, so an interrupted build leaves the index as it was.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from licheck.analyze import UnreadableFile, analyze_file
from licheck.inputs.files import DEFAULT_MAX_BYTES, InputFile, iter_code_files, read_bytes
from licheck.licenses.detect import LicenseInfo, detect_package_license, license_from_option, spdx_header_of
from licheck.report.model import Skipped
from licheck.sketch import MinHasher, SketchParams
from licheck.store.index_db import IndexDB, SourceRecord
from licheck.store.packing import PackedFile, pack_file

Progress = Callable[[str, int, int], None]  # (stage, done, total); stage "units" is a running count (total 0)
FileLicenses = Callable[[str], LicenseInfo | None]
_PARALLEL_MIN_FILES = 8


@dataclass
class AddResult:
    source: SourceRecord
    files: int = 0
    units: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    unchanged: bool = False


@dataclass(frozen=True)
class SourceSpec:
    """A local folder (or file) to index, and what is known about it."""

    root: Path
    name: str | None = None
    version: str = ""
    license: str | None = None
    url: str = ""
    origin: str = ""
    license_info: LicenseInfo | None = None  # already detected by a fetcher (e.g. DEP-5, registry metadata)
    digest: str | None = None  # what was fetched (archive sha256, git commit); default: digest of the tree
    # per-file license overrides (e.g. DEP-5 debian/copyright), given the path relative to root;
    # an SPDX-License-Identifier header in the file still wins over it
    file_licenses: FileLicenses | None = None


def add_source(index: IndexDB, spec: SourceSpec, *, jobs: int | None = None, progress: Progress | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES, analyzer: Analyzer | None = None) -> AddResult:
    """Index one source in one transaction; skipped (``unchanged``) when indexed before at the same digest.

    ``analyzer`` lends worker processes shared across sources (its own jobs and max_bytes then apply).
    """
    root = spec.root
    if not root.exists():
        from licheck.errors import InputError

        raise InputError(f"no such file or folder: {root}")
    files = list(iter_code_files(root))
    digest = spec.digest or _source_digest(files)
    license_info = spec.license_info or (license_from_option(spec.license) if spec.license else detect_package_license(
        root if root.is_dir() else root.parent))
    record = SourceRecord(
        name=spec.name or root.resolve().name, version=spec.version, origin=spec.origin or str(root), url=spec.url,
        digest=digest, license=license_info.expression, license_category=license_info.category,
        license_origin=license_info.origin,
    )
    existing = index.find_source(record.name, record.version)
    if existing and existing[1] == digest:
        return AddResult(record, unchanged=True)
    result = AddResult(record)
    with index.transaction():
        source_id = index.add_source(record)
        items = (analyzer.analyze(files) if analyzer is not None
                 else analyze_many(files, index.params, jobs=jobs, max_bytes=max_bytes))
        for done, item in enumerate(items, start=1):
            if isinstance(item, Skipped):
                result.skipped.append(item)
            else:
                analysis, header = item
                file_license = _file_license(spec, analysis.path, header, license_info)
                result.units += index.add_file(source_id, analysis, file_license)
                result.files += 1
            if progress:
                progress("units", result.units, 0)  # total unknown: a running count
                progress("files", done, len(files))
        index.finish_source(source_id, file_count=result.files, unit_count=result.units)
    return result


def _file_license(spec: SourceSpec, path: str, header: str | None,
                  source_license: LicenseInfo) -> tuple[str, str, str] | None:
    """A file's own license when it differs from the source's: its SPDX header, else the fetcher's override."""
    info: LicenseInfo | None = None
    if header and not spec.license:
        info = license_from_header(header)
    elif spec.file_licenses is not None:
        info = spec.file_licenses(path)
        if info is not None and info.expression in (source_license.expression, "NOASSERTION"):
            info = None
    return (info.expression, info.category, info.origin) if info is not None else None


def license_from_header(expression: str) -> LicenseInfo:
    from licheck.licenses.categories import category_of

    return LicenseInfo(expression, category_of(expression), "SPDX-License-Identifier header")


def _source_digest(files: list[InputFile]) -> str:
    """A digest of the file names, sizes and modification times: cheap, and changes when the tree does."""
    digest = hashlib.blake2b(digest_size=16)
    for item in files:
        try:
            stat = item.path.stat()
        except OSError:
            continue
        digest.update(f"{item.display}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


AnalyzedItem = tuple[PackedFile, str | None] | Skipped

_WORKER_HASHER: MinHasher | None = None


def _init_worker(params: SketchParams) -> None:
    global _WORKER_HASHER
    _WORKER_HASHER = MinHasher(params)


def _analyze_one(job: tuple[InputFile, int]) -> AnalyzedItem:
    item, max_bytes = job
    assert _WORKER_HASHER is not None
    try:
        data = read_bytes(item.path, max_bytes=max_bytes)
        analysis = analyze_file(item.display, data, _WORKER_HASHER, max_bytes=max_bytes)
    except UnreadableFile as exc:
        return Skipped(item.display, str(exc))
    except OSError as exc:
        return Skipped(item.display, f"cannot read: {exc.strerror or exc}")
    except RecursionError:
        return Skipped(item.display, "too deeply nested to parse")
    header = spdx_header_of(data[:4096].decode("utf-8", "replace"))
    return pack_file(analysis), header  # packed here, so the writing process only inserts


class Analyzer:
    """Worker processes that analyse files; one can serve every source of a build (no pool start per source).

    A context manager: ``with Analyzer(params, jobs=2) as analyzer: add_source(..., analyzer=analyzer)``.
    """

    def __init__(self, params: SketchParams, *, jobs: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.params = params
        self.jobs = jobs or os.cpu_count() or 1
        self.max_bytes = max_bytes
        self._pool: Any = None

    def __enter__(self) -> Analyzer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def analyze(self, files: list[InputFile], progress: Progress | None = None) -> Iterator[AnalyzedItem]:
        """Analyse files, in the worker processes when there are enough of them; yields in input order.

        At most ``jobs × 32`` files are in flight: results wait for this process (the SQLite writer), so
        memory stays bounded however large a source is.
        """
        total = len(files)
        results: Iterator[AnalyzedItem]
        if self.jobs <= 1 or total < _PARALLEL_MIN_FILES:
            _init_worker(self.params)
            results = (_analyze_one((item, self.max_bytes)) for item in files)
        else:
            results = self._in_workers(files)
        for done, item in enumerate(results, start=1):
            if progress:
                progress("files", done, total)
            yield item

    def _in_workers(self, files: list[InputFile]) -> Iterator[AnalyzedItem]:
        pool = self._worker_pool()
        window = self.jobs * 32
        pending: deque[Any] = deque()
        queued = iter(files)
        for item in queued:
            pending.append(pool.apply_async(_analyze_one, ((item, self.max_bytes),)))
            if len(pending) >= window:
                break
        while pending:
            result = pending.popleft().get()
            following = next(queued, None)
            if following is not None:
                pending.append(pool.apply_async(_analyze_one, ((following, self.max_bytes),)))
            yield result

    def start(self) -> Analyzer:
        """Start the workers now (before any thread starts: forking a threaded process is fragile)."""
        if self.jobs > 1:
            self._worker_pool()
        return self

    def _worker_pool(self) -> Any:
        if self._pool is None:
            context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
            self._pool = context.Pool(self.jobs, initializer=_init_worker, initargs=(self.params,))
        return self._pool


def analyze_many(files: list[InputFile], params: SketchParams, *, jobs: int | None = None,
                 progress: Progress | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[AnalyzedItem]:
    """Analyse files with a pool of its own (see Analyzer to share one across sources); yields in input order."""
    with Analyzer(params, jobs=jobs, max_bytes=max_bytes) as analyzer:
        yield from analyzer.analyze(files, progress)
