"""``licheck index build --engine spark``: fetch, unpack and analyse as Spark tasks, rows to Parquet, then the index.

Stage 1 maps ``rows.source_rows`` over the manifest (one task per source: download, safe unpack, read files);
stage 2 spreads the files over all executors and maps ``rows.analyze_row`` (tree-sitter → MinHash → LSH bands,
packed as the local build packs them); the rows go to Parquet under the work folder. The driver then reads them
back in (source, file) order and writes the index through ``writer.write_index`` — the same IndexDB calls, in
the same order, as the local build, so both engines give the same units, bands and findings.

Imported only for ``--engine spark``: pyspark is an optional extra (``licheck[spark]``) and Java 17+ is needed.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from licheck.engines.rows import AnalyzedRow, FileRow, SourceRow, analyze_row, source_rows
from licheck.engines.writer import WriteReport, write_index
from licheck.errors import UsageError
from licheck.inputs.files import DEFAULT_MAX_BYTES
from licheck.sketch import MinHasher, SketchParams
from licheck.sources.manifest import Manifest
from licheck.store.index_db import SourceRecord
from licheck.store.packing import PackedFile

LOCAL_MASTER = "local[*]"
_SOURCE_FIELDS = ("name", "version", "origin", "url", "digest", "license", "license_category", "license_origin")


@dataclass
class SparkBuild:
    report: WriteReport
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    parquet_bytes: int = 0


def spark_session(master: str | None, *, app: str = "licheck-index", driver_memory: str = "2g") -> Any:
    """A session bound to 127.0.0.1 in local mode, UI off; ``master=None`` takes spark-submit's master."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError("the Spark engine needs pyspark", hint="pip install 'licheck[spark]' (and Java 17+)") from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app).config("spark.ui.enabled", "false") \
        .config("spark.ui.showConsoleProgress", "false").config("spark.driver.memory", driver_memory) \
        .config("spark.sql.parquet.compression.codec", "zstd")
    if master is not None:
        builder = builder.master(master)
    if master is None or master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def build_with_spark(manifest: Manifest, target: Path, *, cache: Path, params: SketchParams | None = None,
                     master: str | None = LOCAL_MASTER, work: Path | None = None, session: Any = None,
                     max_bytes: int = DEFAULT_MAX_BYTES) -> SparkBuild:
    """Build ``target`` from ``manifest`` on Spark; the previous index at ``target`` stays usable until the swap."""
    params = params or SketchParams()
    work = work or target.with_name(f".{target.name}.spark-work")
    shutil.rmtree(work, ignore_errors=True)
    own_session = session is None
    spark = session or spark_session(master)
    result = SparkBuild(WriteReport())
    try:
        start = time.perf_counter()
        _analyse_to_parquet(spark, manifest, work / "rows", cache=cache, params=params, max_bytes=max_bytes)
        result.timings["fetch_analyse_parquet"] = time.perf_counter() - start
        result.parquet_bytes = sum(p.stat().st_size for p in (work / "rows").rglob("*.parquet"))
        start = time.perf_counter()
        rows = _read_rows(spark, work / "rows")
        labels = [entry.ref.label for entry in manifest.entries]
        result.report = write_index(target, rows, params=params, labels=labels)
        result.timings["write_index"] = time.perf_counter() - start
    finally:
        if own_session:
            spark.stop()
    shutil.rmtree(work, ignore_errors=True)
    return result


def _analyse_to_parquet(spark: Any, manifest: Manifest, out: Path, *, cache: Path, params: SketchParams,
                        max_bytes: int) -> None:
    sc = spark.sparkContext
    entries = list(enumerate(manifest.entries))
    sources = sc.parallelize(entries, max(1, len(entries)))
    files = sources.flatMap(lambda item: source_rows(item[0], item[1], cache=cache, max_bytes=max_bytes))
    spread = files.repartition(max(1, sc.defaultParallelism * 4))
    analysed = spread.mapPartitions(lambda rows: _analyse_partition(rows, params, max_bytes))
    spark.createDataFrame(analysed, _schema()).write.mode("overwrite").parquet(str(out))


def _analyse_partition(rows: Iterator[SourceRow | FileRow], params: SketchParams, max_bytes: int) -> Iterator[tuple]:
    hasher = MinHasher(params)  # one per partition, as one per worker process in the local build
    for row in rows:
        if isinstance(row, SourceRow):
            yield _source_tuple(row)
        else:
            yield _file_tuple(analyze_row(row, hasher, max_bytes=max_bytes))


def _schema() -> Any:
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
        StructField("path", StringType()), StructField("error", StringType()),
        *(StructField(f"source_{name}", StringType()) for name in _SOURCE_FIELDS),
        StructField("manual_license", BooleanType()),
        StructField("text_digest", LongType()), StructField("language", StringType()),
        StructField("line_count", IntegerType()), StructField("tokens", BinaryType()),
        StructField("comments", BinaryType()), StructField("units", ArrayType(unit)),
        StructField("bands", BinaryType()), StructField("band_count", IntegerType()),
        StructField("license", StringType()), StructField("license_category", StringType()),
        StructField("license_origin", StringType()),
    ])


_EMPTY_FILE = (None,) * 11


def _source_tuple(row: SourceRow) -> tuple:
    record = row.record
    values = tuple(getattr(record, name) for name in _SOURCE_FIELDS) if record else (None,) * len(_SOURCE_FIELDS)
    return (row.number, -1, None, row.error or None, *values, row.manual_license, *_EMPTY_FILE)


def _file_tuple(row: AnalyzedRow) -> tuple:
    head = (row.number, row.seq, row.path, row.skipped or None, *(None,) * len(_SOURCE_FIELDS), None)
    packed = row.packed
    if packed is None:
        return (*head, *_EMPTY_FILE)
    keys = packed.band_keys
    lic = row.license or (None, None, None)
    return (*head, packed.text_digest, packed.language, packed.line_count, packed.tokens, packed.comments,
            [tuple(u) for u in packed.units], keys.astype("<i8").tobytes(), int(keys.shape[1]) if keys.size else 0,
            *lic)


def _read_rows(spark: Any, path: Path) -> Iterator[SourceRow | AnalyzedRow]:
    frame = spark.read.parquet(str(path)).orderBy("number", "seq")
    for r in frame.toLocalIterator(prefetchPartitions=True):
        if r["seq"] < 0:
            record = None if r["source_name"] is None else SourceRecord(*(r[f"source_{n}"] for n in _SOURCE_FIELDS))
            yield SourceRow(r["number"], record, r["error"] or "", bool(r["manual_license"]))
        else:
            yield _analyzed(r)


def _analyzed(r: Any) -> AnalyzedRow:
    import numpy as np

    if r["tokens"] is None:
        return AnalyzedRow(r["number"], r["seq"], r["path"], None, None, r["error"] or "")
    units = [(u["kind"], u["name"], u["start_line"], u["end_line"], bytes(u["ranges"]), u["token_count"], u["digest"])
             for u in r["units"]]
    width = r["band_count"]
    keys = np.frombuffer(bytes(r["bands"]), dtype="<i8").astype(np.int64)
    keys = keys.reshape(len(units), width) if units else np.empty((0, 0), dtype=np.int64)
    packed = PackedFile(path=r["path"], text_digest=r["text_digest"], language=r["language"],
                        line_count=r["line_count"], tokens=bytes(r["tokens"]), comments=bytes(r["comments"]),
                        units=units, band_keys=keys)
    license_ = (r["license"], r["license_category"], r["license_origin"]) if r["license"] else None
    return AnalyzedRow(r["number"], r["seq"], r["path"], packed, license_)
