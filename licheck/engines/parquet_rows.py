"""Build rows ↔ Parquet records: one flat schema for a source's record and each of its analysed files.

A source is the record with ``seq = -1``; its files follow with ``seq`` ≥ 0, so ordering by (number, seq)
gives the writer every source's rows contiguously, its record first. Every ``PackedFile`` field has a column
(``PACKED_FIELDS`` is checked against the dataclass in the tests, so a new field cannot be dropped silently).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from licheck.engines.rows import AnalyzedRow, SourceRow
from licheck.store.index_db import SourceRecord
from licheck.store.packing import PackedFile

SOURCE_FIELDS = ("name", "version", "origin", "url", "digest", "license", "license_category", "license_origin")
PACKED_FIELDS = ("path", "text_digest", "language", "line_count", "tokens", "comments", "units", "band_keys", "text")
_FILE_COLUMNS = 12  # text_digest … text, band_count, license × 3


def schema() -> Any:
    from pyspark.sql.types import (
        ArrayType,
        BinaryType,
        BooleanType,
        IntegerType,
        LongType,
        StringType,
        StructField,
        StructType,
    )

    unit = StructType([StructField("kind", StringType()), StructField("name", StringType()),
                       StructField("start_line", IntegerType()), StructField("end_line", IntegerType()),
                       StructField("ranges", BinaryType()), StructField("token_count", IntegerType()),
                       StructField("digest", LongType())])
    return StructType([
        StructField("number", IntegerType(), False), StructField("seq", IntegerType(), False),
        StructField("path", StringType()), StructField("error", StringType()), StructField("failed", StringType()),
        *(StructField(f"source_{name}", StringType()) for name in SOURCE_FIELDS),
        StructField("manual_license", BooleanType()),
        StructField("text_digest", LongType()), StructField("language", StringType()),
        StructField("line_count", IntegerType()), StructField("tokens", BinaryType()),
        StructField("comments", BinaryType()), StructField("units", ArrayType(unit)),
        StructField("bands", BinaryType()), StructField("text", BinaryType()), StructField("band_count", IntegerType()),
        StructField("license", StringType()), StructField("license_category", StringType()),
        StructField("license_origin", StringType()),
    ])


def source_record(row: SourceRow) -> tuple:
    record = row.record
    values = tuple(getattr(record, name) for name in SOURCE_FIELDS) if record else (None,) * len(SOURCE_FIELDS)
    return (row.number, -1, None, row.error or None, None, *values, row.manual_license, *(None,) * _FILE_COLUMNS)


def file_record(row: AnalyzedRow) -> tuple:
    head = (row.number, row.seq, row.path, row.skipped or None, row.failed or None, *(None,) * len(SOURCE_FIELDS),
            None)
    packed = row.packed
    if packed is None:
        return (*head, *(None,) * _FILE_COLUMNS)
    keys = packed.band_keys
    lic = row.license or (None, None, None)
    return (*head, packed.text_digest, packed.language, packed.line_count, packed.tokens, packed.comments,
            [tuple(u) for u in packed.units], keys.astype("<i8").tobytes(), packed.text,
            int(keys.shape[1]) if keys.size else 0, *lic)


def read_rows(records: Iterator[Any]) -> Iterator[SourceRow | AnalyzedRow]:
    """Parquet records (pyspark ``Row``s, ordered by number and seq) → the writer's rows."""
    for r in records:
        if r["seq"] < 0:
            record = None if r["source_name"] is None else SourceRecord(*(r[f"source_{n}"] for n in SOURCE_FIELDS))
            yield SourceRow(r["number"], record, r["error"] or "", bool(r["manual_license"]))
        else:
            yield _analyzed(r)


def _analyzed(r: Any) -> AnalyzedRow:
    if r["tokens"] is None:
        return AnalyzedRow(r["number"], r["seq"], r["path"], None, None, r["error"] or "", r["failed"] or "")
    units = [(u["kind"], u["name"], u["start_line"], u["end_line"], bytes(u["ranges"]), u["token_count"], u["digest"])
             for u in r["units"]]
    keys = np.frombuffer(bytes(r["bands"]), dtype="<i8").astype(np.int64)
    keys = keys.reshape(len(units), r["band_count"]) if units else np.empty((0, 0), dtype=np.int64)
    packed = PackedFile(path=r["path"], text_digest=r["text_digest"], language=r["language"],
                        line_count=r["line_count"], tokens=bytes(r["tokens"]), comments=bytes(r["comments"]),
                        units=units, band_keys=keys, text=bytes(r["text"] or b""))
    license_ = (r["license"], r["license_category"], r["license_origin"]) if r["license"] else None
    return AnalyzedRow(r["number"], r["seq"], r["path"], packed, license_)
