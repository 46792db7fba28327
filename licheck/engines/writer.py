"""Rows of a distributed build → an index file, written through IndexDB into a fresh file and swapped in.

The rows arrive ordered by (source number, file number), so unit ids, content de-duplication and band rows come
out exactly as the local build writes them. Until the final ``os.replace`` the previous index stays untouched
and usable (scans keep reading it); a failure removes the fresh file and says to rebuild. A source whose fetch
or analysis failed is left out of the index (its transaction rolled back) and named in the report.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from licheck.engines.rows import AnalyzedRow, SourceRow
from licheck.errors import IndexFileError
from licheck.report.model import Skipped
from licheck.sketch import SketchParams
from licheck.store.index_db import IndexDB, SourceRecord


@dataclass
class WrittenSource:
    number: int
    record: SourceRecord | None
    error: str = ""
    files: int = 0
    units: int = 0
    skipped: list[Skipped] = field(default_factory=list)


@dataclass
class WriteReport:
    sources: list[WrittenSource] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds of the steps after the rows were written

    @property
    def failed(self) -> list[WrittenSource]:
        return [s for s in self.sources if s.error]


class BuildFailed(IndexFileError):
    """The index could not be written; the previous one is untouched."""


def fresh_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.building")


def write_index(target: Path, rows: Iterable[SourceRow | AnalyzedRow], *, params: SketchParams,
                total: int, spark: Any = None) -> WriteReport:
    """Write every source's rows (ordered) into a fresh index and swap it in for ``target``.

    A source whose fetch or analysis failed is left out and listed in ``WriteReport.failed``. ``total`` is the
    number of sources in the build, for the message when nothing could be written. With ``spark``, the
    statistics' lineage edges and null scans run as that session's jobs.
    """
    fresh = fresh_path(target)
    fresh.unlink(missing_ok=True)
    report = WriteReport()
    try:
        with IndexDB.open_for_write(fresh, params) as db:
            _write_rows(db, rows, report)
            start = time.perf_counter()
            db.merge_bands()  # as closing a local build's index does, before the statistics read the bands
            report.timings["merge_bands"] = time.perf_counter() - start
            from licheck.engines import derive

            start = time.perf_counter()
            derive.derive_index(db, spark=spark)  # lineage edges and null scans as Spark jobs when given
            report.timings["derive_statistics"] = time.perf_counter() - start
        os.replace(fresh, target)
    except BaseException as exc:
        fresh.unlink(missing_ok=True)
        raise build_failed(exc, target, total) from exc
    return report


def build_failed(exc: BaseException, target: Path, total: int) -> BuildFailed:
    """The error of a build that did not finish: nothing of it was kept, so every source is to be rebuilt."""
    detail = str(exc).strip().splitlines()
    what = f"{type(exc).__name__}: {detail[0][:300]}" if detail else type(exc).__name__
    return BuildFailed(f"the build did not finish ({what}); {target} is unchanged and still usable",
                       hint=f"rebuild all {total} sources of the manifest: run the same `licheck index build` again")


class _SourceFailed(Exception):
    pass


def _write_rows(db: IndexDB, rows: Iterable[SourceRow | AnalyzedRow], report: WriteReport) -> None:
    """One transaction per source, as the local build: rows of one source are contiguous, its SourceRow first."""
    for number, group in itertools.groupby(rows, key=lambda row: row.number):
        members = iter(group)  # streamed: a large source's rows are never all in memory
        head = next(members)
        if not isinstance(head, SourceRow):
            raise ValueError(f"rows out of order: source #{number} has files before its record")
        current = WrittenSource(number, head.record, head.error)
        report.sources.append(current)
        if head.record is None:
            continue
        try:
            with db.transaction():
                source_id = db.add_source(head.record)
                for row in members:
                    _write_file(db, source_id, row, current)
                db.finish_source(source_id, file_count=current.files, unit_count=current.units)
        except _SourceFailed as exc:  # rolled back: the index holds none of this source
            current.error, current.files, current.units = str(exc), 0, 0  # groupby skips its remaining rows


def _write_file(db: IndexDB, source_id: int, row: SourceRow | AnalyzedRow, current: WrittenSource) -> None:
    if isinstance(row, SourceRow):  # the source task failed after listing its files
        raise _SourceFailed(row.error or "the source was read twice")
    if row.failed:
        raise _SourceFailed(f"{row.path}: {row.failed}")
    if row.packed is None:
        current.skipped.append(Skipped(row.path, row.skipped))
    else:
        current.units += db.add_file(source_id, row.packed, row.license)
        current.files += 1
