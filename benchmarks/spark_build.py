"""Local engine vs Spark engine (local mode) building the same manifest: wall time per stage, printed.

    python benchmarks/spark_build.py small                         # a shipped manifest (downloads cached)
    python benchmarks/spark_build.py --peers 29 --master 'local[2]'  # the peers' corpus folders, one source each
    python benchmarks/spark_build.py starter --skip-local            # only the Spark build

Downloads happen first, once, into --cache, so neither build is timed fetching from the network. The local
build writes a fresh index with `build_from_manifest` (all cores), then packs the bands and derives the
statistics, as `licheck index build` does; the Spark build runs `build_with_spark` on a session started
beforehand (start-up is its own line). Then both indexes are compared (sources, units, band rows) and the
lineage clustering is timed both ways (numpy on the driver, the Spark job). Prints one JSON object per stage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PEERS = Path(os.environ.get("PEERS_WORK", Path.home() / ".cache" / "licheck-peers")) / "corpus"
sys.path.insert(0, str(REPO))


def _emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def _peers_manifest(count: int, folder: Path) -> Path:
    packages = sorted(p for p in PEERS.iterdir() if p.is_dir())[:count]
    if not packages:
        sys.exit(f"no peer corpus under {PEERS}: run ../shared/peers/download_corpus.sh, or give a MANIFEST")
    path = folder / "peers.toml"
    path.write_text("".join(f'[[source]]\nspec = "{p}"\nname = "{p.name}"\n\n' for p in packages))
    return path


def _download_all(manifest: Any, cache: Path) -> None:
    from licheck.sources.fetch import download_source

    start = time.perf_counter()
    for entry in manifest.entries:
        download_source(entry.ref, cache)
    _emit(stage="download (then cached)", seconds=round(time.perf_counter() - start, 2))


def _local_build(manifest: Any, target: Path, cache: Path, jobs: int) -> dict[str, float]:
    from licheck.decide.derive import derive_statistics
    from licheck.sources.manifest import build_from_manifest
    from licheck.store.index_db import IndexDB

    timings = {}
    with IndexDB.open_for_write(target) as db:
        start = time.perf_counter()
        build_from_manifest(db, manifest, cache=cache, jobs=jobs)
        timings["fetch_analyse_write"] = time.perf_counter() - start
        start = time.perf_counter()
        db.merge_bands()
        timings["merge_bands"] = time.perf_counter() - start
        start = time.perf_counter()
        derive_statistics(db, jobs=jobs)
        timings["derive_statistics"] = time.perf_counter() - start
    return timings


def _summary(path: Path) -> dict[str, Any]:
    import hashlib

    from licheck.store.index_db import IndexDB

    with IndexDB.open_readonly(path) as db:
        sources, units = db.counts()
        bands = db.band_rows()
        lines = db.db.execute("SELECT coalesce(sum(c.line_count), 0) FROM contents c").fetchone()[0]
        lineages = db.db.execute("SELECT count(DISTINCT lineage) FROM units").fetchone()[0]
    return {"sources": sources, "units": units, "band_rows": len(bands), "lines_stored": lines,
            "lineages": lineages, "bands_sha": hashlib.sha256(bands.tobytes()).hexdigest()[:16],
            "bytes": path.stat().st_size}


def _lineage_timings(spark: Any, path: Path) -> None:
    import numpy as np

    from licheck.decide.lineage import cluster_lineages
    from licheck.engines.spark_lineage import cluster_lineages_spark
    from licheck.store.index_db import IndexDB

    with IndexDB.open_readonly(path) as db:
        ids = np.array([u[0] for u in db.all_units()], dtype=np.int64)
        rows = db.band_rows()
    start = time.perf_counter()
    local = cluster_lineages(ids, rows)
    local_s = time.perf_counter() - start
    for driver_edges in (5_000_000, 0):
        start = time.perf_counter()
        found = cluster_lineages_spark(spark, ids, rows, driver_edges=driver_edges)
        _emit(stage="lineages", components="driver" if driver_edges else "spark label propagation",
              spark_s=round(time.perf_counter() - start, 2), numpy_s=round(local_s, 2),
              same_partition=bool(np.array_equal(found, local)), units=len(ids), band_rows=len(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("manifest", nargs="?", help="a manifest file or shipped name (default: --peers 8)")
    parser.add_argument("--peers", type=int, default=8, help="without MANIFEST: this many peer-corpus packages")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "licheck")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--master", default=None, help="Spark master (default: local[JOBS])")
    parser.add_argument("--skip-local", action="store_true")
    parser.add_argument("--work", type=Path, default=None, help="folder for the indexes (default: a temp folder)")
    args = parser.parse_args()

    from licheck.engines.session import spark_session
    from licheck.engines.spark import build_with_spark
    from licheck.manifests import resolve_manifest
    from licheck.sources.manifest import load_manifest

    with tempfile.TemporaryDirectory(prefix="licheck-spark-bench-") as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        path = resolve_manifest(args.manifest, cwd=Path.cwd()) if args.manifest else _peers_manifest(args.peers, work)
        manifest = load_manifest(path)
        _emit(manifest=str(path), sources=len(manifest.entries), jobs=args.jobs, load=os.getloadavg())
        _download_all(manifest, args.cache)
        if not args.skip_local:
            local = work / "local.sqlite"
            local.unlink(missing_ok=True)
            start = time.perf_counter()
            timings = _local_build(manifest, local, args.cache, args.jobs)
            _emit(engine="local", wall_s=round(time.perf_counter() - start, 2),
                  **{k: round(v, 2) for k, v in timings.items()}, **_summary(local))
        start = time.perf_counter()
        spark = spark_session(args.master or f"local[{args.jobs}]", app="licheck-bench")
        _emit(stage="spark session start", seconds=round(time.perf_counter() - start, 2))
        try:
            target = work / "spark.sqlite"
            start = time.perf_counter()
            result = build_with_spark(manifest, target, cache=args.cache, session=spark)
            _emit(engine="spark", wall_s=round(time.perf_counter() - start, 2),
                  **{k: round(v, 2) for k, v in result.timings.items()}, parquet_bytes=result.parquet_bytes,
                  failed=result.failed_labels, **_summary(target))
            _lineage_timings(spark, target)
        finally:
            spark.stop()
        _emit(load_after=os.getloadavg())


if __name__ == "__main__":
    main()
