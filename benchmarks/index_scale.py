"""Index build throughput, index size and scan latency as the index grows (figures for benchmarks/index.md).

    python benchmarks/index_scale.py corpus  --index /tmp/corpus.db            # the peers' 29-package corpus
    python benchmarks/index_scale.py starter --index /tmp/starter.db --cache /tmp/fresh-cache   # end to end
    python benchmarks/index_scale.py grow    --index /tmp/corpus.db --out /tmp/big.db --units 1000000
    python benchmarks/index_scale.py scan    --index /tmp/big.db --file query.py --runs 3 [--drop-caches]

`corpus` indexes each package folder under ~/.cache/licheck-peers/corpus/ as one source (license from
manifest.tsv when it is an SPDX expression, else detected), in one process with a shared worker pool, and
prints wall time, CPU time (this process + workers), files/s and lines/s per core, peak RSS, units and bytes.
`grow` copies an index and replicates its real units with new ids until it holds N units; each replica's band
keys are re-hashed, so buckets keep their real size distribution while the tables grow (a query still only
matches the original units: the figure is the cost of lookups in a bigger index, not of more matches).
`scan` runs `licheck scan` in fresh processes (optionally after dropping the page cache: cold) and reports
wall time and peak RSS of each run. Everything prints one JSON object per line.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

PEERS = Path(os.environ.get("PEERS_WORK", Path.home() / ".cache" / "licheck-peers"))
REPO = Path(__file__).resolve().parents[1]


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _corpus_sources() -> list[tuple[str, str, str, Path]]:
    rows = []
    with (PEERS / "manifest.tsv").open(newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            rows.append((row["name"], row["version"], row.get("license_expression", ""), PEERS / "corpus" / row["dir"]))
    return rows


def bench_corpus(args: argparse.Namespace) -> None:
    from licheck.indexer import Analyzer, SourceSpec, add_source
    from licheck.licenses.spdx import parse_spdx
    from licheck.store.index_db import IndexDB

    index = Path(args.index)
    index.unlink(missing_ok=True)
    sources = _corpus_sources()
    lines = files = units = skipped = 0
    start, cpu0, cpu0c = time.perf_counter(), _cpu_s(resource.RUSAGE_SELF), _cpu_s(resource.RUSAGE_CHILDREN)
    with IndexDB.open_for_write(index) as db, Analyzer(db.params, jobs=args.jobs).start() as analyzer:
        for name, version, expression, folder in sources:
            spec = SourceSpec(folder, name=name, version=version, license=parse_spdx(expression) if expression else None)
            result = add_source(db, spec, analyzer=analyzer)
            files += result.files
            units += result.units
            skipped += len(result.skipped)
    wall = time.perf_counter() - start
    cpu_main = _cpu_s(resource.RUSAGE_SELF) - cpu0
    cpu = cpu_main + _cpu_s(resource.RUSAGE_CHILDREN) - cpu0c
    for _, _, _, folder in sources:
        lines += _lines_of_code(folder)
    jobs = args.jobs or os.cpu_count() or 1
    size = index.stat().st_size
    print(json.dumps({
        "bench": "corpus", "sources": len(sources), "files": files, "skipped": skipped, "lines": lines, "units": units,
        "jobs": jobs, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "cpu_main_s": round(cpu_main, 1),
        "files_per_s_per_core": round(files / wall / jobs, 1), "lines_per_s_per_core": round(lines / wall / jobs),
        "lines_per_cpu_s": round(lines / cpu), "peak_rss_main_mb": round(_rss_mb(resource.RUSAGE_SELF)),
        "peak_rss_worker_mb": round(_rss_mb(resource.RUSAGE_CHILDREN)), "index_bytes": size,
        "bytes_per_unit": round(size / max(units, 1)), "tables": _table_sizes(index),
    }))


def _lines_of_code(folder: Path) -> int:
    from licheck.inputs.files import iter_code_files

    total = 0
    for item in iter_code_files(folder):
        try:
            with item.path.open("rb") as handle:
                total += handle.read().count(b"\n")
        except OSError:
            pass
    return total


def _table_sizes(index: Path) -> dict[str, int]:
    """Bytes per table and index, from SQLite's dbstat (when compiled in)."""
    db = sqlite3.connect(index)
    try:
        rows = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    except sqlite3.Error:
        rows = []
    db.close()
    return {name: int(size) for name, size in rows}


def bench_starter(args: argparse.Namespace) -> None:
    index = Path(args.index)
    index.unlink(missing_ok=True)
    if args.fresh_cache and Path(args.cache).exists():
        shutil.rmtree(args.cache)
    command = [sys.executable, "-m", "licheck", "index", "build", str(REPO / "indexes" / "starter.toml"),
               "--index", str(index), "--cache", args.cache]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    sys.stderr.write(done.stderr[-3000:])
    db = sqlite3.connect(index)
    units = db.execute("SELECT count(*) FROM units").fetchone()[0]
    files = db.execute("SELECT count(*) FROM files").fetchone()[0]
    db.close()
    print(json.dumps({
        "bench": "starter", "exit": done.returncode, "wall_s": round(wall, 1), "files": files, "units": units,
        "cpu_s_children": round(_cpu_s(resource.RUSAGE_CHILDREN), 1),
        "peak_rss_mb": round(_rss_mb(resource.RUSAGE_CHILDREN)), "index_bytes": index.stat().st_size,
        "bytes_per_unit": round(index.stat().st_size / max(units, 1)), "fresh_cache": args.fresh_cache,
    }))


def bench_grow(args: argparse.Namespace) -> None:
    from licheck.store.index_db import IndexDB
    from licheck.store.replicate import replicate_bands

    out = Path(args.out)
    shutil.copyfile(args.index, out)
    db = sqlite3.connect(out)
    db.execute("PRAGMA cache_size=-262144")
    base_units = db.execute("SELECT count(*) FROM units").fetchone()[0]
    max_id = db.execute("SELECT max(id) FROM units").fetchone()[0]
    replica = 0
    start = time.perf_counter()
    while db.execute("SELECT count(*) FROM units").fetchone()[0] < args.units:
        replica += 1
        offset = replica * max_id
        room = args.units - db.execute("SELECT count(*) FROM units").fetchone()[0]
        with db:
            db.execute(
                "INSERT INTO units (id, content_id, kind, name, start_line, end_line, ranges, token_count, digest)"
                " SELECT id + ?, content_id, kind, name, start_line, end_line, ranges, token_count, digest + ?"
                " FROM units WHERE id <= ? ORDER BY id LIMIT ?", (offset, replica, max_id, room))
            # re-keyed bands: key XOR a per-replica salt (a bijection), for the units just copied
            copied = db.execute("SELECT max(id) FROM units").fetchone()[0] - offset
            replicate_bands(db, offset=offset, salt=replica * 0x9E3779B97F4A7C15, max_unit=copied)
    db.execute("ANALYZE")
    db.commit()
    units = db.execute("SELECT count(*) FROM units").fetchone()[0]
    db.close()
    index = IndexDB.open_for_write(out)
    index.merge_bands()  # into the compact blocks
    bands = len(index.band_rows())
    index.close()  # closed, not exited: no statistics derived for replicated rows
    print(json.dumps({"bench": "grow", "from_units": base_units, "units": units, "bands": bands, "replicas": replica,
                      "index_bytes": out.stat().st_size, "bytes_per_unit": round(out.stat().st_size / units),
                      "seconds": round(time.perf_counter() - start, 1)}))


def bench_scan(args: argparse.Namespace) -> None:
    for run in range(args.runs):
        if args.drop_caches:
            subprocess.run(["sync"], check=False)
            try:
                Path("/proc/sys/vm/drop_caches").write_text("3\n")
            except OSError as exc:
                print(json.dumps({"warning": f"cannot drop the page cache: {exc}"}))
        command = ["/usr/bin/time", "-f", "%e %M %U %S", sys.executable, "-m", "licheck", "scan", args.file,
                   "--index", args.index, "--format", "json"]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        elapsed, rss_kb, user, system = done.stderr.strip().splitlines()[-1].split()
        try:
            report = json.loads(done.stdout)
            findings = len(report.get("findings", []))
            index_units = report.get("index", {}).get("units")
        except ValueError:
            findings, index_units = None, None
            sys.stderr.write(done.stderr[-2000:])
        del elapsed
        print(json.dumps({"bench": "scan", "run": run + 1, "cold": args.drop_caches, "exit": done.returncode,
                          "wall_s": round(wall, 3), "cpu_s": round(float(user) + float(system), 2),
                          "peak_rss_mb": round(int(rss_kb) / 1024),
                          "findings": findings, "index_units": index_units,
                          "file_lines": Path(args.file).read_text().count("\n")}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="bench", required=True)
    corpus = sub.add_parser("corpus")
    corpus.add_argument("--index", required=True)
    corpus.add_argument("--jobs", type=int, default=None)
    starter = sub.add_parser("starter")
    starter.add_argument("--index", required=True)
    starter.add_argument("--cache", required=True)
    starter.add_argument("--fresh-cache", action="store_true", help="delete the cache first (include downloads)")
    grow = sub.add_parser("grow")
    grow.add_argument("--index", required=True)
    grow.add_argument("--out", required=True)
    grow.add_argument("--units", type=int, default=1_000_000)
    scan = sub.add_parser("scan")
    scan.add_argument("--index", required=True)
    scan.add_argument("--file", required=True)
    scan.add_argument("--runs", type=int, default=3)
    scan.add_argument("--drop-caches", action="store_true", help="drop the OS page cache before each run (root)")
    args = parser.parse_args()
    {"corpus": bench_corpus, "starter": bench_starter, "grow": bench_grow, "scan": bench_scan}[args.bench](args)


if __name__ == "__main__":
    main()
