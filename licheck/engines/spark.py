"""``licheck index build --engine spark``: fetch, unpack and analyse as Spark tasks, rows to Parquet, then the index.

Stage 1 maps ``rows.source_rows`` over the manifest (one task per source: download, safe unpack, read files);
stage 2 spreads the files over all executors and maps ``rows.analyze_row`` (tree-sitter → MinHash → LSH bands,
packed as the local build packs them); the rows go to Parquet under the work folder. The driver then reads them
back in (source, file) order and writes the index through ``writer.write_index`` — the same IndexDB calls, in
the same order, as the local build, so both engines give the same units, bands and findings.

Imported only for ``--engine spark``: pyspark is an optional extra (``licheck[spark]``) and Java 17+ is needed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from licheck.engines import parquet_rows
from licheck.engines.rows import AnalyzedRow, FileRow, SourceRow, analyze_row, source_rows
from licheck.engines.session import LOCAL_MASTER, active_session, spark_session
from licheck.engines.writer import WriteReport, build_failed, write_index
from licheck.errors import UsageError
from licheck.inputs.files import DEFAULT_MAX_BYTES
from licheck.sketch import MinHasher, SketchParams
from licheck.sources.manifest import Manifest

__all__ = ["LOCAL_MASTER", "SparkBuild", "build_with_spark", "spark_session"]


@dataclass
class SparkBuild:
    report: WriteReport
    labels: list[str]  # each manifest entry's label, by number
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    parquet_bytes: int = 0

    @property
    def failed_labels(self) -> list[str]:
        """The sources left out of the index (fetch, unpack or analysis failed): rebuild these."""
        return [self.labels[s.number] for s in self.report.failed]


def build_with_spark(manifest: Manifest, target: Path, *, cache: Path, params: SketchParams | None = None,
                     master: str | None = LOCAL_MASTER, work: Path | str | None = None, session: Any = None,
                     max_bytes: int = DEFAULT_MAX_BYTES) -> SparkBuild:
    """Build a fresh ``target`` from ``manifest`` on Spark; the previous index at ``target`` stays usable until
    the swap, and stays as it was when the build fails (BuildFailed).

    ``work`` holds the Parquet rows while the build runs: a folder or a URL that every executor and the driver
    can reach (``hdfs://…``, ``s3a://…`` on a cluster); by default a folder beside ``target``.
    """
    if target.is_dir():
        raise UsageError(f"{target} is a sharded index folder; the Spark engine writes one index file",
                         hint=f"build a file, then shard it: licheck index merge FILE -o {target} --shards N")
    params = params or SketchParams()
    work_at = str(work or target.with_name(f".{target.name}.spark-work")).rstrip("/")
    rows_at = f"{work_at}/rows"
    result = SparkBuild(WriteReport(), [entry.ref.label for entry in manifest.entries])
    total = len(manifest.entries)
    session = session or active_session()
    own_session = session is None  # only a session this build started is stopped by it
    spark = session
    try:
        try:
            start = time.perf_counter()
            spark = session or spark_session(master)
            result.timings["session_start"] = time.perf_counter() - start
            start = time.perf_counter()
            _analyse_to_parquet(spark, manifest, rows_at, cache=cache, params=params, max_bytes=max_bytes)
            result.timings["fetch_analyse_to_parquet"] = time.perf_counter() - start
            result.parquet_bytes = _stored_bytes(spark, rows_at)
            start = time.perf_counter()
            frame = spark.read.parquet(rows_at).orderBy("number", "seq")
            rows = parquet_rows.read_rows(frame.toLocalIterator(prefetchPartitions=True))
        except BaseException as exc:
            raise build_failed(exc, target, total) from exc
        # lineage edges from the distributed MinHash-dedup job and the null's scans as Spark tasks; the edges'
        # confirmation and the tail fit run on the driver
        result.report = write_index(target, rows, params=params, total=total, spark=spark)  # raises BuildFailed
        after = result.report.timings
        result.timings["write_index"] = time.perf_counter() - start - sum(after.values())
        result.timings.update(after)
    finally:
        if spark is not None:
            _remove(spark, rows_at if work else work_at)  # a folder we chose goes whole; a given one stays
            if own_session:
                spark.stop()
    return result


def _analyse_to_parquet(spark: Any, manifest: Manifest, out: str, *, cache: Path, params: SketchParams,
                        max_bytes: int) -> None:
    sc = spark.sparkContext
    entries = list(enumerate(manifest.entries))
    sources = sc.parallelize(entries, max(1, len(entries)))
    files = sources.flatMap(lambda item: source_rows(item[0], item[1], cache=cache, max_bytes=max_bytes))
    # a source's files are spread over every executor: one large source does not make one long task
    spread = files.repartition(max(1, sc.defaultParallelism * 4))
    analysed = spread.mapPartitions(lambda rows: _analyse_partition(rows, params, max_bytes))
    # the tuples come from parquet_rows, which builds them for this schema: checking each again costs time only
    frame = spark.createDataFrame(analysed, parquet_rows.schema(), verifySchema=False)
    frame.write.mode("overwrite").parquet(out)


def _analyse_partition(rows: Iterator[SourceRow | FileRow], params: SketchParams, max_bytes: int) -> Iterator[tuple]:
    hasher = MinHasher(params)  # one per partition, as one per worker process in the local build
    for row in rows:
        if isinstance(row, SourceRow):
            yield parquet_rows.source_record(row)
        else:
            yield parquet_rows.file_record(_analyse_guarded(row, hasher, max_bytes))


def _analyse_guarded(row: FileRow, hasher: MinHasher, max_bytes: int) -> AnalyzedRow:
    try:
        return analyze_row(row, hasher, max_bytes=max_bytes)
    except Exception as exc:  # noqa: BLE001 - a crash names its source for a rebuild instead of failing the job
        return AnalyzedRow(row.number, row.seq, row.path, None, None, failed=f"{type(exc).__name__}: {exc}")


def _hadoop_path(spark: Any, where: str) -> tuple[Any, Any]:
    """(file system, path) of a work location as Spark resolves it: local folder, hdfs://, s3a://."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(where)
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), path


def _stored_bytes(spark: Any, where: str) -> int:
    fs, path = _hadoop_path(spark, where)
    return int(fs.getContentSummary(path).getLength()) if fs.exists(path) else 0


def _remove(spark: Any, where: str) -> None:
    try:
        fs, path = _hadoop_path(spark, where)
        fs.delete(path, True)
    except Exception:  # noqa: BLE001 - a stopped or broken JVM: leftover rows are overwritten by the next build
        pass
