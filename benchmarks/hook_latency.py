"""Latency and memory of the pre-commit hook (`licheck scan --staged`) on a commit of <= 300 added lines.

    python benchmarks/hook_latency.py [--runs 5] [--units 1000000] [--work ~/.cache/licheck-bench]
    python benchmarks/hook_latency.py --index indexes/popular.sqlite      # an index built elsewhere

Indexes (built once, cached under --work):
  small   the three fixture sources of tests/scan/data (a handful of units)
  corpus  the peers' corpus of real PyPI sdists (~/.cache/licheck-peers/corpus, one source per package)
  large   the corpus index with its units and LSH band rows replicated until it holds >= --units units:
          replica k of a unit keeps its content and digest and gets band keys (key mod p) * 64 + k, so buckets
          keep their sizes and replicas never collide with real keys (the B-tree, the page cache and the
          rarity queries see a 1M-unit index; matches still come from the real rows)
Commits (staged in a fresh temporary git repository, one new file each):
  copied  280 lines of a real corpus file (requests/models.py): findings, so verification runs
  new     280 lines of a package outside the index (~/.cache/licheck-peers/neg): nothing matches
Each case runs `python -m licheck scan --staged --index IDX --format json` in a fresh process, --runs times
(page cache warm) and once after evicting the index file from the page cache (posix_fadvise DONTNEED: "cold").
Peak RSS comes from getrusage of the child. "Before user code" is the wall time of a process that only
imports the modules the scan loads (interpreter start + imports), as a share of the scan's wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEERS = Path.home() / ".cache" / "licheck-peers"


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """(wall seconds, peak RSS MiB, CPU seconds user+sys) of one fresh child process."""
    probe = ("import resource, subprocess, sys, time, json\n"
             "t = time.perf_counter(); rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
             "wall = time.perf_counter() - t; u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
             "print(json.dumps([wall, u.ru_maxrss / 1024, u.ru_utime + u.ru_stime]))\n")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], cwd=cwd, env=env, capture_output=True, text=True,
                         check=True).stdout
    wall, rss, cpu = json.loads(out.strip().splitlines()[-1])
    return wall, rss, cpu


def evict(path: Path) -> None:
    with path.open("rb") as handle:
        os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def build_small(work: Path) -> Path:
    path = work / "small.db"
    if not path.exists():
        data = ROOT / "tests" / "scan" / "data"
        for folder, name, lic in (("gpl_source", "gplthing", "GPL-3.0-only"), ("mit_source", "mitwrap", "MIT"),
                                  ("unknown_source", "mystery", "NOASSERTION")):
            subprocess.run([sys.executable, "-m", "licheck", "index", "add", str(data / folder), "--index", str(path),
                            "--name", name, "--license", lic], check=True, capture_output=True)
    return path


def build_corpus(work: Path) -> Path:
    path = work / "corpus.db"
    if path.exists():
        return path
    import csv

    tmp = work / "corpus.db.tmp"
    tmp.unlink(missing_ok=True)
    with (PEERS / "manifest.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            subprocess.run([sys.executable, "-m", "licheck", "index", "add", str(PEERS / "corpus" / row["dir"]),
                            "--index", str(tmp), "--name", row["name"], "--version", row["version"]],
                           check=True, capture_output=True)
    os.replace(tmp, path)
    return path


def build_large(work: Path, corpus: Path, units: int) -> Path:
    from licheck.store.index_db import IndexDB
    from licheck.store.replicate import replicate_bands

    path = work / f"large-{units}.db"
    if path.exists():
        return path
    tmp = work / "large.db.tmp"
    shutil.copyfile(corpus, tmp)
    db = sqlite3.connect(tmp, isolation_level=None)
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000;")
    base = db.execute("SELECT max(id) FROM units").fetchone()[0]
    copies = -(-units // base) - 1
    for k in range(1, copies + 1):
        db.execute("BEGIN")
        db.execute("INSERT INTO units (id, content_id, kind, name, start_line, end_line, ranges, token_count, digest)"
                   " SELECT id + ? * ?, content_id, kind, name, start_line, end_line, ranges, token_count, digest"
                   " FROM units WHERE id <= ?", (k, base, base))
        replicate_bands(db, offset=k * base, salt=k * 0x9E3779B97F4A7C15, max_unit=base)
        db.execute("COMMIT")
        print(f"  replica {k}/{copies}", file=sys.stderr, flush=True)
    db.execute("ANALYZE")
    db.close()
    index = IndexDB.open_for_write(tmp)
    index.merge_bands()  # into the compact blocks
    index.close()  # closed, not exited: no statistics derived for replicated rows
    os.replace(tmp, path)
    return path


def migrate(path: Path) -> Path:
    """Bring a cached index up to this licheck's schema (opening it for writing migrates it)."""
    from licheck.store.index_db import IndexDB

    IndexDB.open_for_write(path).close()
    return path


def commit_file(kind: str) -> tuple[str, str]:
    if kind == "copied":
        source = next((PEERS / "corpus").glob("requests-*/**/requests/models.py"))
    else:
        source = next((PEERS / "neg").glob("boltons-*/**/boltons/iterutils.py"))
    lines = source.read_text(encoding="utf-8").splitlines()[:280]
    return f"pkg/{kind}_module.py", "\n".join(lines) + "\n"


def staged_repo(kind: str) -> Path:
    repo = Path(tempfile.mkdtemp(prefix=f"licheck-hook-{kind}-"))
    run = lambda *a: subprocess.run(["git", *a], cwd=repo, check=True, capture_output=True)  # noqa: E731
    run("init", "-q")
    run("-c", "user.email=b@example.org", "-c", "user.name=bench", "commit", "-q", "--allow-empty", "-m", "init")
    name, text = commit_file(kind)
    (repo / name).parent.mkdir(parents=True)
    (repo / name).write_text(text, encoding="utf-8")
    run("add", ".")
    return repo


def loaded_modules(repo: Path, index: Path, env: dict[str, str]) -> list[str]:
    probe = ("import sys\nfrom licheck.cli import cli\n"
             f"try:\n    cli.main(['scan', '--staged', '--index', {str(index)!r}, '--format', 'json'])\n"
             "except SystemExit:\n    pass\n"
             "print(' '.join(m for m in sys.modules if not m.startswith('__')), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=repo, env=env, capture_output=True, text=True)
    return done.stderr.strip().splitlines()[-1].split()


def imports_only(modules: list[str], runs: int) -> tuple[float, float, float]:
    """(median wall, median CPU seconds, min wall) of a process that only starts and imports ``modules``."""
    script = "import importlib\nfor m in %r:\n    try:\n        importlib.import_module(m)\n    except Exception:\n        pass\n" % modules  # noqa: UP031
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}  # as `licheck scan` sets it before numpy is imported
    done = [run_measured([sys.executable, "-c", script], Path.cwd(), env) for _ in range(runs)]
    walls = [w for w, _, _ in done]
    return statistics.median(walls), statistics.median(c for _, _, c in done), min(walls)


def heaviest_imports(repo: Path, index: Path, env: dict[str, str]) -> list[tuple[str, float]]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "licheck", "scan", "--staged", "--index",
                           str(index), "--format", "json"], cwd=repo, env=env, capture_output=True, text=True)
    top = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = (part for part in line.split("|"))
        if not name.startswith("  "):  # a top-level import (nested ones are indented further)
            top.append((name.strip(), int(cumulative) / 1e6))
    return sorted(top, key=lambda item: -item[1])[:8]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache" / "licheck-bench")
    parser.add_argument("--index", type=Path, action="append", default=[],
                        help="measure this built index file instead of the three above (repeatable)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LICHECK_")}
    if args.index:
        indexes = {(path.stem if [p.stem for p in args.index].count(path.stem) == 1 else str(path)): path
                   for path in args.index}
    else:
        indexes = {"small": migrate(build_small(args.work))}
    if (PEERS / "corpus").is_dir() and not args.index:
        indexes["corpus"] = migrate(build_corpus(args.work))
        indexes["large"] = migrate(build_large(args.work, indexes["corpus"], args.units))
    repos = {kind: staged_repo(kind) for kind in ("copied", "new")} if (PEERS / "corpus").is_dir() else {}
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
          f"runs per case: {args.runs} (+1 cold)")
    print("| index | units | size | commit | added lines | findings | wall median (warm) | wall min | CPU median "
          "| wall (cold cache) | peak RSS | before user code: wall, CPU (median) | before user code: wall min |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    try:
        for index_name, index in indexes.items():
            with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as db:
                units = db.execute("SELECT count(*) FROM units").fetchone()[0]
            for kind, repo in repos.items():
                cmd = [sys.executable, "-m", "licheck", "scan", "--staged", "--index", str(index), "--format", "json"]
                report = json.loads(subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True).stdout)
                evict(index)
                cold, cold_rss, _ = run_measured(cmd, repo, env)
                warm = [run_measured(cmd, repo, env) for _ in range(args.runs)]
                wall = statistics.median(w for w, _, _ in warm)
                cpu = statistics.median(c for _, _, c in warm)
                rss = max([cold_rss, *(r for _, r, _ in warm)])
                before_wall, before_cpu, before_min = imports_only(loaded_modules(repo, index, env), args.runs)
                wall_min = min(w for w, _, _ in warm)
                added = len(commit_file(kind)[1].splitlines())
                print(f"| {index_name} | {units:,} | {index.stat().st_size / 2**20:,.0f} MiB | {kind} | {added} "
                      f"| {report['summary']['findings']} | {wall:.3f} s | {wall_min:.3f} s | {cpu:.3f} s | {cold:.3f} s "
                      f"| {rss:.0f} MiB | {before_wall:.3f} s ({before_wall / wall:.0%}), "
                      f"{before_cpu:.3f} s ({before_cpu / cpu:.0%}) | {before_min:.3f} s ({before_min / wall_min:.0%}) |")
        if repos:
            print("\nheaviest top-level imports of one scan (python -X importtime, cumulative):")
            for name, seconds in heaviest_imports(repos["copied"], list(indexes.values())[-1], env):
                print(f"  {name}: {seconds * 1000:.0f} ms")
        bare_wall, bare_cpu, bare_min = imports_only([], args.runs)
        print(f"\nbare interpreter start (python -c pass): {bare_wall:.3f} s wall (min {bare_min:.3f} s), "
              f"{bare_cpu:.3f} s CPU")
        print(f"load average after the run: {os.getloadavg()[0]:.1f}")
    finally:
        for repo in repos.values():
            shutil.rmtree(repo, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
