"""The index's null as a Spark job: the sampled lineages' scans (``decide.null_scores``) spread over executors.

Each task opens the index file read-only and scores its share of the sample; the driver fits the tails from
what comes back (``decide.null.NullModel.fit``), exactly as from a local run. In local mode the executors read
the driver's file where it lies; on a cluster the file is shipped to every executor with ``addFile`` (it is
the index being built, so it is only on the driver's disk).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from licheck.decide.null_scores import NullScorer, NullTask, Sample, score_tasks_at


def spark_null_scores(spark: Any, *, tasks_per_slice: int = 64, ship: bool | None = None) -> NullScorer:
    """A scorer whose tasks are Spark tasks. ``ship``: send the index file to the executors (default: unless
    the master is local, where they read the driver's file)."""

    def run(path: Path, tasks: Sequence[NullTask]) -> list[Sample]:
        sc = spark.sparkContext
        if not tasks:
            return []
        shipped: Path | None = None
        ship_file = not sc.master.startswith("local") if ship is None else ship
        if not ship_file:
            where = str(Path(path).resolve())
            locate = lambda: where  # noqa: E731 - executors share the driver's file system
        else:
            # Spark ships a path once per session: a later build's file under the same name would not be
            # shipped again, so each run ships its own copy, under a fresh name
            import tempfile
            import uuid

            name = f"{Path(path).stem}-{uuid.uuid4().hex[:12]}.sqlite"
            shipped = Path(tempfile.mkdtemp(prefix="licheck-null-")) / name
            shutil.copyfile(path, shipped)
            sc.addFile(str(shipped))

            def locate() -> str:
                from pyspark import SparkFiles

                return SparkFiles.get(name)
        slices = max(1, min(sc.defaultParallelism * 4, -(-len(tasks) // tasks_per_slice)))
        numbered = sc.parallelize(list(enumerate(tasks)), slices)
        try:
            scored = dict(numbered.mapPartitions(lambda part: _score_partition(part, locate)).collect())
        finally:
            if shipped is not None:
                shutil.rmtree(shipped.parent, ignore_errors=True)
        return [scored[i] for i in range(len(tasks))]

    return run


def _score_partition(part: Iterator[tuple[int, NullTask]], locate: Any) -> Iterator[tuple[int, Sample]]:
    numbered = list(part)
    if not numbered:
        return iter(())
    samples = score_tasks_at(locate(), [task for _, task in numbered])
    return iter(zip((i for i, _ in numbered), samples, strict=True))
