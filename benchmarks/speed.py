"""Speed and memory of licheck on the peers' corpus (979k lines of Python) and test set (2,086 queries).

usage: python benchmarks/speed.py [--work ~/.cache/licheck-peers] [--jobs 2]

Prints: index build wall time, files/s and lines/s (per core), index size and bytes per unit, peak RSS of the
build; scan wall time for the 2,086 queries and its peak RSS; `licheck scan --help` start-up time (median of 10)
and whether torch was imported. Each step runs as its own process under /usr/bin/time -v.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUILD = """
import csv, sys
from pathlib import Path
from licheck.indexer import SourceSpec, add_source
from licheck.store.index_db import IndexDB
work, index, jobs = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
with IndexDB.open_for_write(index) as db:
    for row in csv.DictReader(open(work / "manifest.tsv"), delimiter="\\t"):
        add_source(db, SourceSpec(work / "corpus" / row["dir"], name=row["name"], version=row["version"]), jobs=jobs)
"""


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, stdout) of a command run under /usr/bin/time -v."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(f"{cmd} failed: {result.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1)) / 1024
    return wall, rss, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("PEERS_WORK", Path.home() / ".cache/licheck-peers")))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    rows = list(csv.DictReader(open(args.work / "manifest.tsv"), delimiter="\t"))
    files = sum(int(r["py_files"]) for r in rows)
    lines = sum(int(r["py_loc"]) for r in rows)
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index.sqlite"
        wall, rss, _ = timed([sys.executable, "-c", BUILD, str(args.work), str(index), str(args.jobs)])
        import sqlite3

        units = sqlite3.connect(index).execute("SELECT count(*) FROM units").fetchone()[0]
        size = index.stat().st_size
        print(f"index build: {wall:.1f} s wall, {args.jobs} workers: {files / wall:.0f} files/s, {lines / wall:.0f} lines/s "
              f"({lines / wall / args.jobs:.0f} lines/s per core); peak RSS {rss:.0f} MB")
        print(f"index size: {size / 1e6:.1f} MB, {units} units, {size / units:.0f} bytes/unit")
        licheck = [sys.executable, "-m", "licheck"]
        wall, rss, _ = timed([*licheck, "scan", str(args.work / "testset/queries"), "--index", str(index), "--format", "json",
                              "--output", str(Path(tmp) / "scan.json")])
        print(f"scan of the 2,086 test-set queries: {wall:.1f} s wall, peak RSS {rss:.0f} MB")
    starts = []
    for _ in range(10):
        start = time.perf_counter()
        subprocess.run(["licheck", "scan", "--help"], capture_output=True, check=True)
        starts.append(time.perf_counter() - start)
    probe = "import sys, licheck.cli; print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))"
    heavy = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.strip()
    print(f"`licheck scan --help` start-up: median {statistics.median(starts) * 1000:.0f} ms over 10 runs; heavy modules imported: {heavy}")


if __name__ == "__main__":
    main()
