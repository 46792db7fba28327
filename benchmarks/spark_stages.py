"""What the two derive jobs cost on Spark, per stage, from Spark's own event log: the figures a cluster
projection multiplies (docs/scale.md, "Projection to 100M units").

    python benchmarks/spark_stages.py INDEX [--master 'local[2]'] [--sample 2400]

On the index file INDEX it runs, as a Spark build's derive does,
  1. the lineage job (`spark_lineage.spark_edges`: band rows → buckets → candidate pairs → edges), and
  2. the null's scans (`spark_null.spark_null_scores`) over the index's own null tasks (`--sample` of them),
and the same two steps locally (numpy edges; `local_scores(jobs)`), with event logging on. Then it reads the
event log and prints, per job: stages, tasks, executor run time, shuffle bytes written and read, result bytes,
and the same per band row / per unit / per task. One JSON line per job, then a summary line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def read_event_log(folder: Path) -> dict[str, dict[str, float]]:
    """Per job description: stage count, tasks, run time (s), shuffle write/read bytes, result bytes."""
    stage_job: dict[int, str] = {}
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for log in sorted(p for p in folder.rglob("*") if p.is_file() and p.name.startswith(("events_", "local-", "app-"))):
        for line in log.read_text().splitlines():
            event = json.loads(line)
            kind = event.get("Event")
            if kind == "SparkListenerJobStart":
                what = (event.get("Properties") or {}).get("spark.job.description", "other")
                for stage in event.get("Stage IDs", []):
                    stage_job[stage] = what
                totals[what]["jobs"] += 1
                totals[what]["stages"] += len(event.get("Stage IDs", []))
            elif kind == "SparkListenerTaskEnd":
                what = stage_job.get(event.get("Stage ID"), "other")
                metrics = event.get("Task Metrics") or {}
                write = metrics.get("Shuffle Write Metrics") or {}
                read = metrics.get("Shuffle Read Metrics") or {}
                row = totals[what]
                row["tasks"] += 1
                row["run_s"] += metrics.get("Executor Run Time", 0) / 1000
                row["shuffle_write_bytes"] += write.get("Shuffle Bytes Written", 0)
                row["shuffle_read_bytes"] += read.get("Remote Bytes Read", 0) + read.get("Local Bytes Read", 0)
                row["result_bytes"] += metrics.get("Result Size", 0)
    return {k: dict(v) for k, v in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", type=Path)
    parser.add_argument("--master", default=f"local[{os.cpu_count() or 1}]")
    parser.add_argument("--sample", type=int, default=None, help="null tasks to run (default: all of them)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes of the local null run")
    parser.add_argument("--only", choices=("edges", "null"), default=None, help="run one of the two jobs")
    args = parser.parse_args()

    import numpy as np

    from licheck.decide.derive import null_tasks
    from licheck.decide.lineage import near_duplicate_edges
    from licheck.decide.null_scores import local_scores
    from licheck.engines.session import spark_session
    from licheck.engines.spark_lineage import spark_edges
    from licheck.engines.spark_null import spark_null_scores
    from licheck.store.index_db import IndexDB

    with IndexDB.open_readonly(args.index) as db:
        units = db.unit_count()
        rows = db.band_rows()
        tasks = null_tasks(db)
    if args.sample is not None and args.sample < len(tasks):  # an even stride: tasks are ordered by language
        tasks = [tasks[round(i * len(tasks) / args.sample)] for i in range(args.sample)]
    _emit(index=str(args.index), units=units, band_rows=len(rows), null_tasks=len(tasks), master=args.master,
          load=os.getloadavg())

    edges_wanted, null_wanted = args.only in (None, "edges"), args.only in (None, "null")
    start = time.perf_counter()
    local_edges = near_duplicate_edges(rows) if edges_wanted else np.empty((0, 2), dtype=np.int64)
    numpy_edges_s = time.perf_counter() - start
    start = time.perf_counter()
    local_null = local_scores(args.jobs)(args.index, tasks) if null_wanted else []
    local_null_s = time.perf_counter() - start

    with tempfile.TemporaryDirectory(prefix="licheck-eventlog-") as logs:
        start = time.perf_counter()
        spark = spark_session(args.master, app="licheck-stages",
                              conf={"spark.eventLog.enabled": "true", "spark.eventLog.dir": f"file://{logs}",
                                    "spark.eventLog.compress": "false"})
        session_s = time.perf_counter() - start
        try:
            sc = spark.sparkContext
            sc.setJobDescription("lineage edges")
            start = time.perf_counter()
            edges = spark_edges(spark, rows) if edges_wanted else local_edges
            edges_s = time.perf_counter() - start
            sc.setJobDescription("null scans")
            start = time.perf_counter()
            null = spark_null_scores(spark)(args.index, tasks) if null_wanted else []
            null_s = time.perf_counter() - start
        finally:
            spark.stop()
        if os.environ.get("KEEP_EVENT_LOG"):
            import shutil
            shutil.copytree(logs, os.environ["KEEP_EVENT_LOG"], dirs_exist_ok=True)
        jobs = read_event_log(Path(logs))

    same_edges = {tuple(e) for e in np.asarray(edges).tolist()} == {tuple(e) for e in np.asarray(local_edges).tolist()}
    for what, row in sorted(jobs.items()):
        per = {"lineage edges": ("band_row", len(rows)), "null scans": ("task", len(tasks))}.get(what)
        extra = {f"{k}_per_{per[0]}": round(v / max(per[1], 1), 3) for k, v in row.items()
                 if per and k in ("shuffle_write_bytes", "shuffle_read_bytes", "run_s", "result_bytes")}
        _emit(job=what, **{k: round(v, 3) for k, v in row.items()}, **extra)
    _emit(session_start_s=round(session_s, 2), spark_edges_s=round(edges_s, 2), numpy_edges_s=round(numpy_edges_s, 2),
          edges=len(edges), same_edges=same_edges, spark_null_s=round(null_s, 2), local_null_s=round(local_null_s, 2),
          local_null_jobs=args.jobs, same_null_scores=null == local_null, load_after=os.getloadavg())


if __name__ == "__main__":
    main()
