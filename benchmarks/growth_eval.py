"""Issue 9, index growth: the peers' set, IR-Plag and POJ-104 measured on their own index and on the same index
grown >= 10x by unrelated real packages.

usage: python benchmarks/growth_eval.py [--rows peers,irplag,poj] [--no-grown | --only-grown] [--rebuild]
                                        [--cache ~/.cache/licheck-eval] [--poj-scan-per-task 50] [--jobs 2]

The grown part (EXTRA: PyPI sdists and npm tarballs, none of them a package of the peers' corpus, of its negatives
or of the vendored set) is fetched once; its unpacked trees stay under <cache>/trees and its index under
<cache>/growth/extra.sqlite. When a newer licheck refuses that index (IndexMismatchError: schema, normalizer,
grammars), or --rebuild is given, it is rebuilt from the cached trees (no network). Each grown row index is a copy
of extra.sqlite with the row's own base sources added, so lineages/nulls kept in the index see both.

The row functions here (peers_row, irplag_row, poj_row) are also what issue9_table.py runs for the "base" rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evalkit import (
    DEFAULT_CACHE,
    cached_index,
    code_identity,
    copy_index,
    fast_writes,
    fetch_many,
    load_average,
    log,
    now_utc,
    pct,
    scan_paths,
)

from licheck.indexer import Analyzer, SourceSpec, add_source
from licheck.inputs.files import InputFile
from licheck.sketch import SketchParams
from licheck.store.index_db import IndexDB

PEERS = Path(os.environ.get("PEERS_WORK", Path.home() / ".cache/licheck-peers"))
DATASETS = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
VARIANTS = ["t1_exact", "t1_reformat", "t2_rename", "t3_edit", "t3_rename_edit", "embed", "neg"]
LEVELS = ["L1", "L2", "L3", "L4", "L5", "L6"]

# Unrelated real packages. From indexes/starter.toml: every entry whose package is NOT in the peers' corpus,
# its negatives or the vendored set (Debian entries left out: this machine has no deb-src lines for apt-get
# source). Then large PyPI sdists (Python, C, C++, Cython, some Java) and npm packages.
EXTRA = [
    "pypi:edx-opaque-keys==2.11.0", "pypi:ultralytics-thop==2.0.13",
    "npm:express@4.21.2", "npm:commander@12.1.0", "npm:chalk@5.4.1", "npm:uuid@11.0.5", "npm:underscore@1.13.7",
    "npm:minimist@1.2.8", "npm:node-forge@1.3.1", "npm:dompurify@3.2.4", "npm:jszip@3.10.1",
    "npm:@ckeditor/ckeditor5-utils@44.1.0",
    "pypi:sympy==1.14.0", "pypi:django==5.2.19", "pypi:sqlalchemy==2.1.9", "pypi:numpy==2.4.6", "pypi:scipy==1.17.1",
    "pypi:pandas==3.1.1", "pypi:matplotlib==3.11.2", "pypi:scikit-learn==1.9.1", "pypi:twisted==26.10.0",
    "pypi:salt==3008.5", "pypi:astropy==8.0.2", "pypi:networkx==3.6.1", "pypi:mypy==2.4.1", "pypi:pylint==4.1.5",
    "pypi:sphinx==9.0.4", "pypi:babel==2.19.0", "pypi:docutils==0.23.1", "pypi:nltk==3.10.4",
    "pypi:reportlab==5.1.0", "pypi:openpyxl==3.1.5", "pypi:pyinstaller==6.22.3", "pypi:pillow==13.0.0",
    "pypi:grpcio==1.85.3", "pypi:jpype1==1.7.1", "pypi:py4j==0.10.9.9",
    "npm:three@0.187.0", "npm:eslint@10.16.0", "npm:webpack@5.113.0", "npm:ajv@8.20.0", "npm:acorn@8.19.0",
]


# A reduced grown part for a busy 2-core machine (--reduced): about 230k units instead of 846k (old layout's counts),
# Python-heavy (django, sqlalchemy, sympy, twisted) plus numpy's C and a few npm packages. It grows POJ-104 and
# IR-Plag well over 10x, but the peers' index (60k units) and the vendored one (68k) only about 4-5x.
EXTRA_REDUCED = [
    "npm:express@4.21.2", "npm:commander@12.1.0", "npm:chalk@5.4.1", "npm:uuid@11.0.5", "npm:underscore@1.13.7",
    "npm:minimist@1.2.8",
    "pypi:django==5.2.19", "pypi:sqlalchemy==2.1.9", "pypi:sympy==1.14.0", "pypi:twisted==26.10.0",
    "pypi:numpy==2.4.6",
]


# ------------------------------------------------------------------------------------------------ the grown part
def extra_index(cache: Path, *, rebuild: bool = False, jobs: int = 2, reduced: bool = False) -> tuple[Path, dict]:
    """The grown part's index (EXTRA, or EXTRA_REDUCED with ``reduced``: a file of its own), built once."""
    specs = EXTRA_REDUCED if reduced else EXTRA
    path = cache / "growth" / ("extra-reduced.sqlite" if reduced else "extra.sqlite")

    def build(p: Path) -> dict:
        t0 = time.perf_counter()
        trees, failed = fetch_many(specs, cache)
        fetch_s = time.perf_counter() - t0
        per = {}
        with IndexDB.open_for_write(p) as db, Analyzer(db.params, jobs=jobs) as analyzer:
            fast_writes(db)
            for t in trees:
                t1 = time.perf_counter()
                res = add_source(db, t.source_spec(), analyzer=analyzer)
                per[t.spec] = {"files": res.files, "units": res.units, "s": round(time.perf_counter() - t1, 1)}
                log(f"  extra {t.spec:40} {res.files:6} files {res.units:7} units {per[t.spec]['s']:6.1f} s")
            units, sources = db.unit_count(), len(db.list_sources())
        return {"units": units, "sources": sources, "fetch_s": fetch_s, "failed": failed, "per_source": per,
                "reduced": reduced}

    facts = cached_index(path, build, rebuild=rebuild)
    facts["reduced"] = reduced
    return path, facts


def _fresh(index_path: Path, grown_from: Path | None) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(index_path) + suffix).unlink(missing_ok=True)
    index_path.parent.mkdir(parents=True, exist_ok=True)
    if grown_from is not None:
        copy_index(grown_from, index_path)


def _refit(index_path: Path) -> None:
    """What `licheck index refresh --refit` does: lineages, shingle counts and the null derived again, even when
    the index grew by less than decide.derive.REFIT_GROWTH since the null was fitted (a small base added to a big
    grown part otherwise keeps the grown part's counts and null)."""
    from licheck.decide.derive import derive_statistics

    with IndexDB.open_for_write(index_path) as db:
        derive_statistics(db, refit=True)


def _units(index_path: Path) -> tuple[int, int]:
    with IndexDB.open_readonly(index_path) as db:
        return db.unit_count(), len(db.list_sources())


# ------------------------------------------------------------------------------------------------ peers' set
def peers_row(work: Path, index_path: Path, *, testset: str = "testset", grown_from: Path | None = None,
              jobs: int = 2, refit: bool = False) -> dict:
    """Index the 29 corpus packages (one source each) [into a copy of grown_from], scan testset/queries."""
    _fresh(index_path, grown_from)
    before = _units(index_path)[0] if grown_from else 0
    rows = list(csv.DictReader(open(work / "manifest.tsv"), delimiter="\t"))
    t0 = time.perf_counter()
    with IndexDB.open_for_write(index_path) as db, Analyzer(db.params, jobs=jobs) as analyzer:
        fast_writes(db)
        for row in rows:
            add_source(db, SourceSpec(work / "corpus" / row["dir"], name=row["name"], version=row["version"]),
                       analyzer=analyzer)
    if refit:
        _refit(index_path)
    build_s = time.perf_counter() - t0
    units, sources = _units(index_path)
    res = peers_scan(work, index_path, testset=testset, jobs=jobs)
    res.update({"units": units, "sources": sources, "base_units": units - before, "build_s": build_s})
    return res


def peers_scan(work: Path, index_path: Path, *, testset: str = "testset", jobs: int = 2) -> dict:
    """Scan one test set (testset, testset-seed2) against an index holding the corpus; score per variant."""
    truth = list(csv.DictReader(open(work / testset / "truth.tsv"), delimiter="\t"))
    paths = [str(work / testset / "queries" / r["variant"] / f"{r['id']}.py") for r in truth]
    exists = [p for p in paths if Path(p).exists()]
    if len(exists) != len(paths):  # query file names: <variant>/<id>.<ext>
        qdir = work / testset / "queries"
        by = {(f.parent.name, f.name.rsplit(".", 1)[0]): str(f) for f in qdir.rglob("*") if f.is_file()}
        paths = [by[(r["variant"], r["id"])] for r in truth]
    t0 = time.perf_counter()
    recs = scan_paths(index_path, paths, jobs)
    scan_s = time.perf_counter() - t0
    cells = {}
    for v in VARIANTS:
        n = flagged = attributed = 0
        for r, rec in zip(truth, recs, strict=True):
            if r["variant"] != v:
                continue
            n += 1
            strik = [f for f in rec["findings"] if f["striking"]]
            flagged += bool(strik)
            attributed += any(f["source"]["name"] == r["package"] for f in strik)
        cells[v] = {"n": n, "flagged": flagged, "attributed": attributed}
    return {"cells": cells, "scan_s": scan_s, "files": len(paths), "testset": testset}


def peers_cells_text(res: dict) -> tuple[str, str]:
    c = res["cells"]
    # one decimal: a single miss of 300 (99.7) must not print as 100
    recall = " / ".join(f"{100 * c[v]['attributed'] / c[v]['n']:.1f}" if c[v]["n"] else "–" for v in VARIANTS[:-1])
    recall_flag = " / ".join(f"{100 * c[v]['flagged'] / c[v]['n']:.1f}" for v in VARIANTS[:-1])
    return recall + f" (flagged: {recall_flag})", f"{c['neg']['flagged']} of {c['neg']['n']}"


# ------------------------------------------------------------------------------------------------ IR-Plag
def _extract(archive: Path, dest: Path) -> Path:
    import tarfile
    import zipfile

    marker = dest / ".extracted"
    if marker.exists() and marker.read_text() == str(archive.stat().st_mtime_ns):
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(dest, filter="data")
    marker.write_text(str(archive.stat().st_mtime_ns))
    return dest


def irplag_row(datasets: Path, cache: Path, index_path: Path, *, grown_from: Path | None = None,
               jobs: int = 2, refit: bool = False) -> dict:
    root = _extract(datasets / "IR-Plag-Dataset.zip", cache / "datasets" / "irplag") / "IR-Plag-Dataset"
    cases = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name.startswith("case-"))
    _fresh(index_path, grown_from)
    before = _units(index_path)[0] if grown_from else 0
    t0 = time.perf_counter()
    with IndexDB.open_for_write(index_path) as db:
        fast_writes(db)
        for case in cases:
            add_source(db, SourceSpec(root / case / "original", name=case, version="1", license="Apache-2.0"), jobs=1)
    if refit:
        _refit(index_path)
    build_s = time.perf_counter() - t0
    units, sources = _units(index_path)
    queries = []
    for case in cases:
        for level in LEVELS:
            queries += [(str(f), case, level) for f in sorted((root / case / "plagiarized" / level).rglob("*.java"))]
        queries += [(str(f), case, "neg") for f in sorted((root / case / "non-plagiarized").rglob("*.java"))]
    t0 = time.perf_counter()
    recs = scan_paths(index_path, [q[0] for q in queries], jobs)
    scan_s = time.perf_counter() - t0
    c: dict[str, Counter] = {lv: Counter() for lv in [*LEVELS, "neg"]}
    for (_path, case, level), rec in zip(queries, recs, strict=True):
        c[level]["n"] += 1
        strik = [f for f in rec["findings"] if f["striking"]]
        if level == "neg":
            c[level]["hit"] += bool(strik)
        else:
            c[level]["hit"] += any(f["source"]["name"] == case for f in strik)
    return {"levels": {k: dict(v) for k, v in c.items()}, "units": units, "sources": sources,
            "base_units": units - before, "build_s": build_s, "scan_s": scan_s, "files": len(queries)}


def irplag_text(res: dict) -> tuple[str, str]:
    lv = res["levels"]
    det = " / ".join(f"{100 * lv[x]['hit'] / lv[x]['n']:.0f}" for x in LEVELS)
    neg = lv["neg"]
    return det, f"{pct(neg['hit'], neg['n'])} ({neg['hit']} of {neg['n']})"


# ------------------------------------------------------------------------------------------------ POJ-104
class _Precomputed:
    def __init__(self, items: dict) -> None:
        self.items = items

    def analyze(self, files, progress=None):  # noqa: ANN001, ANN201 - duck-typed Analyzer
        for item in files:
            yield self.items[item.path]


def poj_row(datasets: Path, cache: Path, index_path: Path, *, grown_from: Path | None = None, jobs: int = 2,
            n_index: int = 250, n_scan: int = 50, seed: int = 1, refit: bool = False) -> dict:
    """Per task a seeded split (same as datasets_eval.py: Random(f"{seed}:{task}") shuffle), n_index programs
    indexed, each its own source; the first n_scan of the rest scanned. Every striking finding is a false positive."""
    root = _extract(datasets / "poj104-labels-1-30.tar.gz", cache / "datasets" / "poj104") / "poj104"
    view = cache / "datasets" / "poj-cpp-view"
    indexed, scanned = {}, {}
    for task in sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: int(p.name)):
        files = sorted((f for f in task.iterdir() if f.is_file()), key=lambda p: p.name)
        random.Random(f"{seed}:{task.name}").shuffle(files)
        indexed[task.name] = [_cpp(f, view) for f in files[:n_index]]
        scanned[task.name] = [_cpp(f, view) for f in files[n_index:n_index + n_scan]]
    _fresh(index_path, grown_from)
    before = _units(index_path)[0] if grown_from else 0
    t0 = time.perf_counter()
    every = [f for fs in indexed.values() for f in fs]
    with Analyzer(SketchParams(), jobs=jobs) as analyzer:
        analysed = dict(zip(every, analyzer.analyze([InputFile(f, f.name) for f in every]), strict=True))
    pre = _Precomputed(analysed)
    with IndexDB.open_for_write(index_path) as db:
        fast_writes(db)
        for task, fs in indexed.items():
            for f in fs:
                add_source(db, SourceSpec(f, name=f"{task}/{f.stem}", version="1", license="NOASSERTION"),
                           analyzer=pre)  # type: ignore[arg-type]
    if refit:
        _refit(index_path)
    build_s = time.perf_counter() - t0
    units, sources = _units(index_path)
    queries = [str(f) for fs in scanned.values() for f in fs]
    t0 = time.perf_counter()
    recs = scan_paths(index_path, queries, jobs)
    scan_s = time.perf_counter() - t0
    flagged = lexical = 0
    for rec in recs:
        strik = [f for f in rec["findings"] if f["striking"]]
        if strik:
            flagged += 1
            lexical += max(f.get("evidence", {}).get("scores", {}).get("edit", 0.0) for f in strik) >= 0.8
    return {"flagged": flagged, "lexical_ge_0_8": lexical, "n": len(queries), "units": units, "sources": sources,
            "base_units": units - before, "build_s": build_s, "scan_s": scan_s, "files": len(queries)}


def _cpp(f: Path, view: Path) -> Path:
    if f.suffix.lower() in {".cpp", ".cc", ".cxx", ".c", ".h", ".hpp"}:
        return f
    target = view / f.parent.name / (f.name + ".cpp")
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)
    return target


def poj_text(res: dict) -> str:
    return (f"{pct(res['flagged'], res['n'])} ({res['flagged']} of {res['n']}; {res['lexical_ge_0_8']} of them "
            "lexical edit ≥ 0.8)")


# ------------------------------------------------------------------------------------------------ main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", default="peers,irplag,poj")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--peers", type=Path, default=PEERS)
    ap.add_argument("--datasets", type=Path, default=DATASETS)
    ap.add_argument("--rebuild", action="store_true", help="rebuild extra.sqlite even if this licheck accepts it")
    ap.add_argument("--build-only", action="store_true", help="only fetch and index the grown part")
    ap.add_argument("--reduced", action="store_true", help="grow by EXTRA_REDUCED (~230k units) instead of EXTRA")
    ap.add_argument("--no-grown", action="store_true", help="base indexes only")
    ap.add_argument("--only-grown", action="store_true", help="grown indexes only")
    ap.add_argument("--poj-index-per-task", type=int, default=250)
    ap.add_argument("--poj-scan-per-task", type=int, default=50)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", type=Path, default=None, help="write the results here as JSON")
    args = ap.parse_args()
    started = time.perf_counter()
    extra = None
    out: dict = {"measured": now_utc(), "code": code_identity(), "rows": {}}
    if not args.no_grown:
        extra, facts = extra_index(args.cache, rebuild=args.rebuild, jobs=args.jobs, reduced=args.reduced)
        out["extra"] = facts
        log(f"extra index: {facts['units']} units, {facts['sources']} sources, {facts['bytes'] / 1e6:.0f} MB, "
            f"built in {facts['build_s']:.0f} s ({'cached' if facts['cached'] else 'now'}; load {load_average()})")
        if args.build_only:
            print(json.dumps({k: v for k, v in facts.items() if k != "per_source"}, indent=1))
            return
    work = args.cache / "growth"
    work.mkdir(parents=True, exist_ok=True)
    modes = ([("base", None)] if not args.only_grown else []) + ([("grown", extra)] if extra else [])
    for row in args.rows.split(","):
        for mode, src in modes:
            t0 = time.perf_counter()
            log(f"{row} ({mode}) …")
            if row == "peers":
                res = peers_row(args.peers, work / f"peers-{mode}.sqlite", grown_from=src, jobs=args.jobs)
                text = " | ".join(peers_cells_text(res))
            elif row == "irplag":
                res = irplag_row(args.datasets, args.cache, work / f"irplag-{mode}.sqlite", grown_from=src,
                                 jobs=args.jobs)
                text = " | ".join(irplag_text(res))
            else:
                res = poj_row(args.datasets, args.cache, work / f"poj-{mode}.sqlite", grown_from=src, jobs=args.jobs,
                              n_index=args.poj_index_per_task, n_scan=args.poj_scan_per_task)
                text = poj_text(res)
            res["wall_s"] = time.perf_counter() - t0
            res["load"] = load_average()
            out["rows"][f"{row}/{mode}"] = res
            print(f"{row:7} {mode:5} {text}   [index {res['units']} units = {res['units'] / max(1, res['base_units']):.1f}x"
                  f" base; build {res['build_s']:.0f} s, scan {res['scan_s']:.0f} s, row {res['wall_s']:.0f} s, "
                  f"load {res['load']}]", flush=True)
    out["wall_s"] = time.perf_counter() - started
    print(f"{out['measured']}, {out['code']}, wall {out['wall_s']:.0f} s, load {load_average()}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
