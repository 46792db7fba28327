"""licheck on the peers' benchmark (../shared/peers), scored with the same conventions as score.py.

usage: python benchmarks/peers_accuracy.py [--work ~/.cache/licheck-peers] [--index FILE] [--reuse-index]
Needs run_all.sh steps 1-2 (corpus/, manifest.tsv, testset/). Indexes the 29 corpus packages (one source each,
license detected from the package), scans testset/queries, prints recall per variant (flagged% and attributed%),
false positives on the negatives, index/scan wall time and peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path

from licheck.indexer import SourceSpec, add_source
from licheck.scanner import Scanner, targets_from_paths
from licheck.store.index_db import IndexDB

VARIANTS = ["t1_exact", "t1_reformat", "t2_rename", "t3_edit", "t3_rename_edit", "embed", "neg"]


def build(work: Path, index_path: Path, jobs: int) -> float:
    if index_path.exists():
        index_path.unlink()
    rows = list(csv.DictReader(open(work / "manifest.tsv"), delimiter="\t"))
    start = time.perf_counter()
    with IndexDB.open_for_write(index_path) as db:
        for row in rows:
            result = add_source(db, SourceSpec(work / "corpus" / row["dir"], name=row["name"], version=row["version"]),
                                jobs=jobs)
            print(f"  {row['name']:16} {result.files:5} files {result.units:7} units  {result.source.license}"
                  f" ({result.source.license_origin})", file=sys.stderr)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("PEERS_WORK", Path.home() / ".cache/licheck-peers")))
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--reuse-index", action="store_true")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    work = args.work
    index_path = args.index or work / "licheck-index.sqlite"
    if args.reuse_index and index_path.exists():
        build_s = float("nan")
    else:
        build_s = build(work, index_path, args.jobs)
    truth = list(csv.DictReader(open(work / "testset/truth.tsv"), delimiter="\t"))
    start = time.perf_counter()
    with IndexDB.open_readonly(index_path) as db:
        report = Scanner(db).scan(targets_from_paths([work / "testset/queries"]))
        units = db.unit_count()
    scan_s = time.perf_counter() - start
    hits: dict[tuple[str, str], list] = {}
    for f in report.findings:
        parts = f.path.split("/")
        hits.setdefault((parts[-1].rsplit(".", 1)[0], parts[-2]), []).append(f)
    cells = []
    decided = Counter()
    for v in VARIANTS:
        rows = [r for r in truth if r["variant"] == v]
        flagged = attributed = 0
        for r in rows:
            striking = [f for f in hits.get((r["id"], v), []) if f.striking]
            flagged += bool(striking)
            attributed += any(f.source.name == r["package"] for f in striking)
            for f in striking:
                decided[(v, f.decided_by)] += 1
        cells.append(f"FP {flagged}/{len(rows)}" if v == "neg" else f"{v} {100 * flagged / len(rows):.1f}% ({100 * attributed / len(rows):.1f}%)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("licheck: " + " | ".join(cells))
    print(f"index {build_s:.1f} s ({units} units), scan {scan_s:.1f} s for {report.files_scanned} files "
          f"({len(report.skipped)} skipped), peak RSS {rss:.0f} MB")
    print("striking decided by:", dict(decided))


if __name__ == "__main__":
    main()
