"""The index's null as a Spark job: the sampled lineages' scans (``decide.null_scores``) spread over executors.

Each task opens the index file read-only and scores its share of the sample; the driver fits the tails from
what comes back (``decide.null.NullModel.fit``), exactly as from a local run. In local mode the executors read
the driver's file where it lies; on a cluster the file is shipped to every executor with ``addFile`` (it is
the index being built, so it is only on the driver's disk).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from licheck.decide.null_scores import NullScorer, NullTask, Sample, score_tasks_at


def spark_null_scores(spark: Any, *, tasks_per_slice: int = 64) -> NullScorer:
    def run(path: Path, tasks: Sequence[NullTask]) -> list[Sample]:
        sc = spark.sparkContext
        if not tasks:
            return []
        if sc.master.startswith("local"):
            where = str(Path(path).resolve())
            locate = lambda: where  # noqa: E731 - executors share the driver's file system
        else:
            sc.addFile(str(path))
            name = Path(path).name

            def locate() -> str:
                from pyspark import SparkFiles

                return SparkFiles.get(name)
        slices = max(1, min(sc.defaultParallelism * 4, -(-len(tasks) // tasks_per_slice)))
        numbered = sc.parallelize(list(enumerate(tasks)), slices)
        scored = dict(numbered.mapPartitions(lambda part: _score_partition(part, locate)).collect())
        return [scored[i] for i in range(len(tasks))]

    return run


def _score_partition(part: Iterator[tuple[int, NullTask]], locate: Any) -> Iterator[tuple[int, Sample]]:
    numbered = list(part)
    if not numbered:
        return iter(())
    samples = score_tasks_at(locate(), [task for _, task in numbered])
    return iter(zip((i for i, _ in numbered), samples, strict=True))
