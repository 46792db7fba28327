"""Rows of a distributed build → an index file, written through IndexDB into a fresh file and swapped in.

The rows arrive ordered by (source number, file number), so unit ids, content de-duplication and band rows come
out exactly as the local build writes them. Until the final ``os.replace`` the previous index stays untouched
and usable (scans keep reading it); a failure removes the fresh file and names the sources left to rebuild.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

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

    @property
    def failed(self) -> list[WrittenSource]:
        return [s for s in self.sources if s.error]


class BuildFailed(IndexFileError):
    """The index could not be written; the previous one is untouched."""


def fresh_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.building")


def write_index(target: Path, rows: Iterable[SourceRow | AnalyzedRow], *, params: SketchParams,
                labels: list[str]) -> WriteReport:
    """Write every source's rows (ordered) into a fresh index and swap it in for ``target``.

    ``labels`` names each manifest entry (by number) for the "rebuild these" message.
    """
    fresh = fresh_path(target)
    fresh.unlink(missing_ok=True)
    report = WriteReport()
    written: set[int] = set()
    try:
        with IndexDB.open_for_write(fresh, params) as db:
            _write_rows(db, rows, report, written)
            from licheck.engines.derive import derive_if_available

            derive_if_available(db)
        os.replace(fresh, target)
    except BaseException as exc:
        fresh.unlink(missing_ok=True)
        left = [labels[n] for n in range(len(labels)) if n not in written] or labels
        raise BuildFailed(f"the build did not finish ({type(exc).__name__}: {exc}); {target} is unchanged",
                          hint="rebuild these sources: " + ", ".join(left)) from exc
    return report


def _write_rows(db: IndexDB, rows: Iterable[SourceRow | AnalyzedRow], report: WriteReport, written: set[int]) -> None:
    """One transaction per source, as the local build: rows of one source are contiguous, its SourceRow first."""
    for number, group in itertools.groupby(rows, key=lambda row: row.number):
        head = next(group)
        assert isinstance(head, SourceRow), "rows out of order: a source's record must come first"
        current = WrittenSource(number, head.record, head.error)
        report.sources.append(current)
        if head.record is not None:
            with db.transaction():
                source_id = db.add_source(head.record)
                for row in group:
                    assert isinstance(row, AnalyzedRow)
                    if row.packed is None:
                        current.skipped.append(Skipped(row.path, row.skipped))
                    else:
                        current.units += db.add_file(source_id, row.packed, row.license)
                        current.files += 1
                db.finish_source(source_id, file_count=current.files, unit_count=current.units)
        written.add(number)
