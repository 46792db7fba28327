"""licheck on the two evaluation datasets in ../shared/datasets (IR-Plag, Java; POJ-104, C/C++).

usage: python benchmarks/datasets_eval.py [--datasets ../shared/datasets] [--work ~/.cache/licheck-datasets]
                                          [--only irplag|poj104] [--poj-index-per-task 250] [--poj-scan-per-task 250]
                                          [--poj-task-scan-per-task 30] [--poj-granularity program|task|both]
                                          [--seed 1] [--jobs 2] [--write benchmarks/datasets.md]

The archives are extracted at run time under --work (never into the repository); the indexes live there too.

IR-Plag: one index holding the seven ``original/`` programs, one source per case (license Apache-2.0, the dataset's).
Every ``plagiarized/L1..L6/NN`` and ``non-plagiarized/NN`` file is scanned. A plagiarized query is *detected* when
it has a striking finding whose source is its own case's original; "any" counts any finding (striking or only
similar) against its own case. A non-plagiarized query is a false positive when it has a striking finding (against
any original). Misses are classified: no unit (no unit of >= 20 tokens, so nothing to look up), a best match under
25 tokens (seen by re-scanning with the 25-token floor lowered to 1), or a match that was found but not striking.

POJ-104: per task, a seeded split of the 500 programs: --poj-index-per-task go into the index, --poj-scan-per-task of
the others are scanned. Programs are written independently, so every finding is a false positive, whether against
the same task or another. Granularity "program" (the headline figure) makes every indexed program its own source, as
independent authors' code would be in a real index (each program its own lineage unless near-identical, so the
index's null and shingle counts see the task's many independent solutions); "task" makes each task's indexed
programs one source (a stress case: the null leaves out a unit's own sources, so within a task it sees no
independent code; by default both are run, "task" on a sample of --poj-task-scan-per-task programs per task, for
time). Each finding's evidence (bits, E-value) goes to details.json.
Scans run in --jobs worker processes, each on the read-only index; about 8 minutes in all on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import sys
import tarfile
import time
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from licheck.analyze import UnreadableFile, analyze_file
from licheck.decide.rules import Thresholds
from licheck.indexer import Analyzer, SourceSpec, add_source
from licheck.inputs.files import InputFile, read_bytes
from licheck.scanner import Scanner, ScanSettings
from licheck.sketch import MinHasher, SketchParams
from licheck.store.index_db import IndexDB

LEVELS = ["L1", "L2", "L3", "L4", "L5", "L6"]
LEVEL_NAMES = {"L1": "comments/whitespace", "L2": "identifiers", "L3": "declarations", "L4": "modules",
               "L5": "statements", "L6": "logic"}
MIN_TOKENS = Thresholds().min_tokens


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def extract(archive: Path, dest: Path) -> Path:
    """Extract once; a marker file says the extraction finished."""
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


def fast_writes(db: IndexDB) -> None:
    """Throw-away benchmark indexes: no fsync per source transaction (does not change what is indexed)."""
    db.db.execute("PRAGMA synchronous=OFF")


class Precomputed:
    """Hands add_source analyses made beforehand in bulk (so single-file sources are analysed in parallel)."""

    def __init__(self, items: dict[Path, object]) -> None:
        self.items = items

    def analyze(self, files: list[InputFile], progress: object = None):  # noqa: ANN201 - duck-typed Analyzer
        for item in files:
            yield self.items[item.path]


# ------------------------------------------------------------------------------------------------ scanning
_WORKER: dict[str, object] = {}


def _scan_init(index_path: str, min_tokens: int) -> None:
    db = IndexDB.open_readonly(index_path)
    _WORKER["db"] = db
    _WORKER["scanner"] = Scanner(db, ScanSettings(thresholds=Thresholds(min_tokens=min_tokens)))
    _WORKER["hasher"] = MinHasher(db.params)


def _scan_chunk(paths: list[str]) -> list[dict]:
    scanner: Scanner = _WORKER["scanner"]  # type: ignore[assignment]
    hasher: MinHasher = _WORKER["hasher"]  # type: ignore[assignment]
    out = []
    for p in paths:
        rec: dict = {"path": p, "units": 0, "skipped": None, "findings": []}
        try:
            max_bytes = scanner.settings.max_bytes
            analysis = analyze_file(p, read_bytes(Path(p), max_bytes=max_bytes), hasher, max_bytes=max_bytes)
        except UnreadableFile as exc:
            rec["skipped"] = str(exc)
            out.append(rec)
            continue
        rec["units"] = len(analysis.units)
        rec["lines"] = analysis.line_count
        rec["tokens"] = int(len(analysis.structural))
        for f in scanner.scan_file(analysis):  # what Scanner.scan does per file, without analysing it twice
            rec["findings"].append({
                "lines": [f.start_line, f.end_line], "similarity": f.similarity, "tokens": f.matched_tokens,
                "striking": f.striking, "decided_by": f.decided_by, "source": f.source.name,
                "source_path": f.source.path, "source_lines": [f.source.start_line, f.source.end_line],
                "scores": f.scores, "evidence": f.evidence,
            })
        out.append(rec)
    return out


def scan_all(index_path: Path, paths: list[str], jobs: int, min_tokens: int = MIN_TOKENS) -> list[dict]:
    chunks = [paths[i:i + 25] for i in range(0, len(paths), 25)]
    results: list[dict] = []
    if jobs <= 1:
        _scan_init(str(index_path), min_tokens)
        for c in chunks:
            results.extend(_scan_chunk(c))
        _WORKER["db"].close()  # type: ignore[attr-defined]
        return results
    ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with ctx.Pool(jobs, initializer=_scan_init, initargs=(str(index_path), min_tokens)) as pool:
        for done, part in enumerate(pool.imap(_scan_chunk, chunks), start=1):
            results.extend(part)
            if done % 40 == 0:
                log(f"    scanned {len(results)}/{len(paths)}")
    return results


def pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:.1f}%" if d else "–"


# ------------------------------------------------------------------------------------------------ IR-Plag
@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def run_irplag(datasets: Path, work: Path, jobs: int) -> tuple[Section, dict]:
    root = extract(datasets / "IR-Plag-Dataset.zip", work / "irplag") / "IR-Plag-Dataset"
    cases = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name.startswith("case-"))
    index_path = work / "irplag.sqlite"
    index_path.unlink(missing_ok=True)
    t0 = time.perf_counter()
    orig_units = {}
    with IndexDB.open_for_write(index_path) as db:
        fast_writes(db)
        for case in cases:
            res = add_source(db, SourceSpec(root / case / "original", name=case, version="1", license="Apache-2.0"),
                             jobs=1)
            orig_units[case] = res.units
    index_s = time.perf_counter() - t0
    queries: list[tuple[str, str, str]] = []  # (path, case, level or "neg")
    for case in cases:
        for level in LEVELS:
            for f in sorted((root / case / "plagiarized" / level).rglob("*.java")):
                queries.append((str(f), case, level))
        for f in sorted((root / case / "non-plagiarized").rglob("*.java")):
            queries.append((str(f), case, "neg"))
    t0 = time.perf_counter()
    main = {r["path"]: r for r in scan_all(index_path, [q[0] for q in queries], jobs)}
    scan_s = time.perf_counter() - t0
    low = {r["path"]: r for r in scan_all(index_path, [q[0] for q in queries], jobs, min_tokens=1)}

    rows: dict[str, Counter] = defaultdict(Counter)
    misses: list[dict] = []
    cross: list[dict] = []
    negs: list[dict] = []
    for path, case, level in queries:
        rec, lrec = main[path], low[path]
        c = rows[level]
        c["files"] += 1
        own = [f for f in rec["findings"] if f["source"] == case]
        other = [f for f in rec["findings"] if f["source"] != case]
        if other:
            c["cross_any"] += 1
            cross.append({"path": path, "case": case, "level": level, "findings": other})
        if any(f["striking"] for f in other):
            c["cross_striking"] += 1
        if rec["skipped"]:
            c["skipped"] += 1
        if rec["units"] == 0:
            c["no_unit"] += 1
        if level == "neg":
            if any(f["striking"] for f in rec["findings"]):
                c["striking"] += 1
                c["neg_own"] += any(f["striking"] and f["source"] == case for f in rec["findings"])
                negs.append({"path": path, "case": case, "findings": rec["findings"]})
            if rec["findings"]:
                c["any"] += 1
            continue
        striking = any(f["striking"] for f in own)
        c["striking"] += striking
        c["any"] += bool(own)
        if striking:
            continue
        best_low = max((f for f in lrec["findings"] if f["source"] == case), key=lambda f: f["tokens"], default=None)
        if rec["units"] == 0:
            why = "no-unit"
        elif not own and best_low is not None and best_low["tokens"] < MIN_TOKENS:
            why = "match<25"
        elif own:
            rules = {f["decided_by"].split(" (")[0] for f in own}
            why = ("below-floor:" if rules == {"below-complexity-floor"} else "not-striking:") + ",".join(sorted(rules))
        else:
            why = "no-match"
        c["why:" + why.split(":")[0]] += 1
        best = max(own, key=lambda f: f["tokens"], default=best_low)
        misses.append({"path": str(Path(path).relative_to(root)), "level": level, "why": why,
                       "units": rec["units"], "tokens": rec.get("tokens"), "lines": rec.get("lines"), "best": best})

    sec = Section("IR-Plag (Java)")
    total_plag = sum(rows[lv]["files"] for lv in LEVELS)
    sec.lines += [
        f"Index: {len(cases)} originals, one source per case ({sum(orig_units.values())} units: "
        + ", ".join(f"{c[-2:]}={n}" for c, n in orig_units.items()) + f"), built in {index_s:.1f} s; "
        f"{len(queries)} queries scanned in {scan_s:.1f} s ({jobs} workers).",
        "",
        "| level | files | detected (striking, own case) | any finding (own case) | no unit ≥ 20 tokens | best match < 25 tokens "
        "| found, below complexity floor | found, other rule not met | no match | striking vs another case |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for level in LEVELS:
        c = rows[level]
        sec.lines.append(
            f"| {level} {LEVEL_NAMES[level]} | {c['files']} | {c['striking']} ({pct(c['striking'], c['files'])}) "
            f"| {c['any']} ({pct(c['any'], c['files'])}) | {c['no_unit']} | {c['why:match<25']} "
            f"| {c['why:below-floor']} | {c['why:not-striking']} | {c['why:no-match']} | {c['cross_striking']} |")
    tot = Counter()
    for level in LEVELS:
        tot.update(rows[level])
    sec.lines.append(
        f"| **all plagiarized** | {total_plag} | {tot['striking']} ({pct(tot['striking'], total_plag)}) "
        f"| {tot['any']} ({pct(tot['any'], total_plag)}) | {tot['no_unit']} | {tot['why:match<25']} "
        f"| {tot['why:below-floor']} | {tot['why:not-striking']} | {tot['why:no-match']} | {tot['cross_striking']} |")
    n = rows["neg"]
    sec.lines += [
        "",
        "| non-plagiarized | files | striking finding (false positive) | of which vs own case's original "
        "| any finding | no unit ≥ 20 tokens |",
        "|---|---:|---:|---:|---:|---:|",
        f"| all cases | {n['files']} | {n['striking']} ({pct(n['striking'], n['files'])}) | {n['neg_own']} | {n['any']} "
        f"({pct(n['any'], n['files'])}) | {n['no_unit']} |",
    ]
    details = {"misses": misses, "false_positives": negs, "cross_case": cross,
               "queries": [{"path": str(Path(p).relative_to(root)), "case": case, "level": level,
                            "units": main[p]["units"], "findings": main[p]["findings"]} for p, case, level in queries],
               "per_case_level": {f"{case}/{lv}": None for case in cases for lv in LEVELS}}
    # per case × level detection, for the analysis
    grid: dict[str, Counter] = defaultdict(Counter)
    for path, case, level in queries:
        if level == "neg":
            continue
        grid[case][level + "_n"] += 1
        grid[case][level] += any(f["striking"] and f["source"] == case for f in main[path]["findings"])
    sec.lines += ["", "Detected / files per case and level:", "",
                  "| case | original units | " + " | ".join(LEVELS) + " |", "|---|---:|" + "---:|" * len(LEVELS)]
    for case in cases:
        sec.lines.append(f"| {case} | {orig_units[case]} | "
                         + " | ".join(f"{grid[case][lv]}/{grid[case][lv + '_n']}" for lv in LEVELS) + " |")
    details["per_case_level"] = {case: dict(grid[case]) for case in cases}
    return sec, details


# ------------------------------------------------------------------------------------------------ POJ-104
def poj_split(root: Path, n_index: int, n_scan: int, seed: int) -> tuple[dict[str, list[Path]], dict[str, list[Path]]]:
    indexed, scanned = {}, {}
    for task in sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: int(p.name)):
        files = sorted(task.iterdir(), key=lambda p: p.name)
        files = [f for f in files if f.is_file()]
        random.Random(f"{seed}:{task.name}").shuffle(files)
        indexed[task.name] = files[:n_index]
        scanned[task.name] = files[n_index:n_index + n_scan]
    return indexed, scanned


def cpp_view(files: list[Path], dest: Path) -> list[Path]:
    """The C++ grammar is chosen by extension; files without a usable one are copied with a .cpp suffix."""
    out = []
    for f in files:
        if f.suffix.lower() in {".cpp", ".cc", ".cxx", ".c", ".h", ".hpp"}:
            out.append(f)
        else:
            target = dest / f.parent.name / (f.name + ".cpp")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, target)
            out.append(target)
    return out


def analyse_once(indexed: dict[str, list[Path]], jobs: int) -> tuple[dict[Path, object], float]:
    """Every indexed program analysed once, in parallel (analysis is a pure function of the bytes and the
    default sketch parameters, which every index here uses); both granularities are built from these."""
    t0 = time.perf_counter()
    every = [f for files in indexed.values() for f in files]
    with Analyzer(SketchParams(), jobs=jobs) as analyzer:
        analysed = dict(zip(every, analyzer.analyze([InputFile(f, f.name) for f in every]), strict=True))
    return analysed, time.perf_counter() - t0


def build_poj(index_path: Path, indexed: dict[str, list[Path]], granularity: str, analysed: dict[Path, object],
              work: Path) -> tuple[float, int, int]:
    index_path.unlink(missing_ok=True)
    t0 = time.perf_counter()
    units = sources = 0
    with IndexDB.open_for_write(index_path) as db:
        fast_writes(db)
        if granularity == "task":
            for task, files in indexed.items():
                folder = work / "poj-task-sources" / task  # a folder holding only this task's indexed programs
                if folder.exists():
                    shutil.rmtree(folder)
                folder.mkdir(parents=True)
                for f in files:
                    shutil.copyfile(f, folder / f.name)
                pre = Precomputed({folder / f.name: analysed[f] for f in files})
                res = add_source(db, SourceSpec(folder, name=f"task-{task}", version="1", license="NOASSERTION"),
                                 analyzer=pre)  # type: ignore[arg-type]
                units += res.units
                sources += 1
        else:
            pre = Precomputed(analysed)
            for task, files in indexed.items():
                for f in files:
                    res = add_source(db, SourceSpec(f, name=f"{task}/{f.stem}", version="1", license="NOASSERTION"),
                                     analyzer=pre)  # type: ignore[arg-type]
                    units += res.units
                    sources += 1
    return time.perf_counter() - t0, sources, units


def run_poj(datasets: Path, work: Path, jobs: int, n_index: int, n_scan: int, granularities: list[str],
            seed: int, n_scan_task: int) -> tuple[Section, dict]:
    root = extract(datasets / "poj104-labels-1-30.tar.gz", work / "poj104") / "poj104"
    exts = Counter(p.suffix or "<none>" for p in root.rglob("*") if p.is_file())
    indexed, scanned = poj_split(root, n_index, n_scan, seed)
    view = work / "poj-cpp-view"
    indexed = {t: cpp_view(fs, view) for t, fs in indexed.items()}
    scanned = {t: cpp_view(fs, view) for t, fs in scanned.items()}
    task_of = {str(f): t for t, fs in scanned.items() for f in fs}
    queries = [str(f) for fs in scanned.values() for f in fs]
    sec = Section("POJ-104 (C/C++)")
    sec.lines += [
        f"Files: {sum(exts.values())} ({', '.join(f'{n} {e}' for e, n in exts.items())}), read with the C++ grammar. "
        f"Per task (seeded split, seed {seed}): {n_index} programs indexed, {len(queries) // max(1, len(scanned))} "
        f"of the others scanned — {sum(map(len, indexed.values()))} indexed, {len(queries)} scanned against the "
        f"one-source-per-program index ({n_scan_task} per task, the first of the same list, against the "
        "one-source-per-task index). "
        "Every finding is a false positive (independent solutions).",
        "",
        "| index granularity | sources | units indexed | index s (analysis + writes) | scan s | programs scanned | no unit ≥ 20 tokens "
        "| programs with a striking finding | same task / other task | of which lexical edit sim. ≥ 0.8 "
        "| programs with any finding | units scanned | striking findings / units scanned | any findings / units scanned |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    details: dict = {}
    log("  POJ-104: analysing the indexed programs")
    analysed, analyse_s = analyse_once(indexed, jobs)
    for gran in granularities:
        index_path = work / f"poj104-{gran}.sqlite"
        log(f"  POJ-104: indexing ({gran} granularity)")
        index_s, sources, units = build_poj(index_path, indexed, gran, analysed, work)
        index_s += analyse_s
        log(f"  POJ-104: {sources} sources, {units} units in {index_s:.1f} s; scanning")
        these = queries if gran == "program" else [str(f) for fs in scanned.values() for f in fs[:n_scan_task]]
        t0 = time.perf_counter()
        results = scan_all(index_path, these, jobs)
        scan_s = time.perf_counter() - t0
        c = Counter()
        flagged = []
        decided = Counter()
        per_task = Counter()
        for rec in results:
            task = task_of[rec["path"]]
            c["files"] += 1
            c["units"] += rec["units"]
            c["no_unit"] += rec["units"] == 0
            c["skipped"] += bool(rec["skipped"])
            fs = rec["findings"]
            strik = [f for f in fs if f["striking"]]
            c["f_any"] += len(fs)
            c["f_striking"] += len(strik)
            c["any"] += bool(fs)
            for f in fs:
                decided[f["decided_by"].split(" (")[0]] += 1
            if strik:
                c["striking"] += 1
                per_task[task] += 1
                same = any(f["source"].split("/")[0].removeprefix("task-") == task for f in strik)
                c["same"] += same
                c["other"] += not same
                c["lexical"] += max(f["scores"]["edit"] for f in strik) >= 0.8
                flagged.append({"path": rec["path"], "task": task, "findings": strik})
        sec.lines.append(
            f"| {gran} | {sources} | {units} | {index_s:.1f} | {scan_s:.1f} | {c['files']} | {c['no_unit']} "
            f"| {c['striking']} ({pct(c['striking'], c['files'])}) | {c['same']} / {c['other']} | {c['lexical']} "
            f"| {c['any']} ({pct(c['any'], c['files'])}) | {c['units']} | {c['f_striking']} "
            f"({pct(c['f_striking'], c['units'])}) | {c['f_any']} ({pct(c['f_any'], c['units'])}) |")
        details[gran] = {"flagged": flagged, "decided_by": dict(decided), "striking_per_task": dict(per_task),
                         "skipped": c["skipped"]}
        sec.notes.append(f"{gran}: findings by rule: " + ", ".join(f"{k} {v}" for k, v in decided.most_common())
                         + "; programs with a striking finding per task: "
                         + (", ".join(f"{t}:{n}" for t, n in sorted(per_task.items(), key=lambda x: int(x[0])))
                            or "none"))
    return sec, details


# ------------------------------------------------------------------------------------------------ main
def main() -> None:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=here.parent.parent / "shared" / "datasets")
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("LICHECK_DATASETS_WORK",
                                                                         Path.home() / ".cache/licheck-datasets")))
    parser.add_argument("--only", choices=["irplag", "poj104"])
    parser.add_argument("--poj-index-per-task", type=int, default=250)
    parser.add_argument("--poj-scan-per-task", type=int, default=250)
    parser.add_argument("--poj-task-scan-per-task", type=int, default=30,
                        help="programs scanned per task against the one-source-per-task index (a sample, for time)")
    parser.add_argument("--poj-granularity", choices=["program", "task", "both"], default="both")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--write", type=Path, default=None, help="write the tables into this markdown file")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    sections: list[Section] = []
    details: dict = {}
    if args.only in (None, "irplag"):
        log("IR-Plag …")
        sec, details["irplag"] = run_irplag(args.datasets, args.work, args.jobs)
        sections.append(sec)
    if args.only in (None, "poj104"):
        log("POJ-104 …")
        grans = ["program", "task"] if args.poj_granularity == "both" else [args.poj_granularity]
        sec, details["poj104"] = run_poj(args.datasets, args.work, args.jobs, args.poj_index_per_task,
                                         args.poj_scan_per_task, grans, args.seed, args.poj_task_scan_per_task)
        sections.append(sec)
    wall = time.perf_counter() - started
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    command = "python " + " ".join([os.path.relpath(__file__)] + sys.argv[1:])
    import subprocess

    import licheck

    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", *a], cwd=here, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    import hashlib

    commit = git("rev-parse", "--short", "HEAD") or "?"
    pkg = Path(licheck.__file__).resolve().parent
    tree = hashlib.blake2b(digest_size=6)
    for f in sorted(pkg.rglob("*.py")):
        tree.update(f.relative_to(pkg).as_posix().encode() + b"\0" + f.read_bytes())
    dirty = (" + uncommitted changes in licheck/" if pkg == here.parent / "licheck"
             and git("status", "--porcelain", "--", str(pkg)) else "")
    if pkg != here.parent / "licheck":
        dirty += f", licheck imported from {pkg}"
    dirty += f", licheck/*.py digest {tree.hexdigest()}"

    head = [f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, licheck {licheck.__version__} "
            f"(commit {commit}{dirty}), "
            f"`{command}`, wall time {wall:.0f} s, peak RSS {rss / 1024:.0f} MB, {args.jobs} worker processes."]
    out = ["\n".join(head)]
    for sec in sections:
        out.append(f"### {sec.title}\n\n" + "\n".join(sec.lines)
                   + ("\n\n" + "\n".join(f"- {n}" for n in sec.notes) if sec.notes else ""))
    text = "\n\n".join(out) + "\n"
    print(text)
    (args.work / "details.json").write_text(json.dumps(details, indent=1, default=str))
    log(f"details (misses, flagged programs): {args.work / 'details.json'}")
    if args.write:
        marker_start, marker_end = "<!-- datasets_eval:begin -->", "<!-- datasets_eval:end -->"
        body = f"{marker_start}\n{text}{marker_end}"
        if args.write.exists() and marker_start in args.write.read_text():
            old = args.write.read_text()
            new = re.sub(re.escape(marker_start) + ".*?" + re.escape(marker_end), lambda _: body, old, flags=re.S)
        else:
            new = "# licheck on the evaluation datasets\n\n" + body + "\n"
        args.write.write_text(new)
        log(f"tables written to {args.write}")


if __name__ == "__main__":
    main()
