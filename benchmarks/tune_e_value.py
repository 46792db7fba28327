"""The E-value threshold against the peers' test set: recall per variant and false positives for a grid of levels.

usage: python benchmarks/tune_e_value.py [--work ~/.cache/licheck-peers] [--index FILE] [--testset testset-seed2]
Scans the queries once with every level allowed (max_e_value 1000), keeps each finding's E-value, and prints,
for each candidate level, the share of queries per variant with a striking finding (and with the right
package), and the false positives among the negatives. Tune on testset-seed2; report on testset (seed 1).
The index must hold the peers' corpus (benchmarks/peers_accuracy.py builds it) with its derived statistics.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

from licheck.decide.rules import Thresholds
from licheck.scanner import Scanner, ScanSettings, targets_from_paths
from licheck.store.index_db import IndexDB

VARIANTS = ["t1_exact", "t1_reformat", "t2_rename", "t3_edit", "t3_rename_edit", "embed", "neg"]
LEVELS = [1e-12, 1e-9, 1e-6, 1e-4, 1e-3, 1e-2, 0.05, 0.1, 0.3, 1.0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("PEERS_WORK", Path.home() / ".cache/licheck-peers")))
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--testset", default="testset-seed2")
    args = parser.parse_args()
    index_path = args.index or args.work / "licheck-index.sqlite"
    truth = list(csv.DictReader(open(args.work / args.testset / "truth.tsv"), delimiter="\t"))
    start = time.perf_counter()
    with IndexDB.open_readonly(index_path) as db:
        settings = ScanSettings(thresholds=Thresholds(max_e_value=1000.0))
        report = Scanner(db, settings).scan(targets_from_paths([args.work / args.testset / "queries"]))
    print(f"scanned {report.files_scanned} files in {time.perf_counter() - start:.1f} s")
    by_query: dict[tuple[str, str], list] = {}
    for f in report.findings:
        parts = f.path.split("/")
        by_query.setdefault((parts[-1].rsplit(".", 1)[0], parts[-2]), []).append(f)
    print("level    | " + " | ".join(VARIANTS))
    for level in LEVELS:
        cells = []
        for v in VARIANTS:
            rows = [r for r in truth if r["variant"] == v]
            flagged = attributed = 0
            for r in rows:
                hit = [f for f in by_query.get((r["id"], v), []) if f.striking and
                       (f.decided_by == "licoeval" or f.evidence.get("e_value", 1e9) <= level)]
                flagged += bool(hit)
                attributed += any(f.source.name == r["package"] or any(h.name == r["package"] for h in f.holders)
                                  for f in hit)
            cells.append(f"{flagged}/{len(rows)}" if v == "neg" else f"{100 * flagged / len(rows):.1f} ({100 * attributed / len(rows):.1f})")
        print(f"{level:<8g} | " + " | ".join(cells))


if __name__ == "__main__":
    main()
