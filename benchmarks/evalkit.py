"""Shared helpers of the issue-9 harnesses (vendored_eval, growth_eval, issue9_table).

- Registry sources are fetched with licheck's own fetchers, and the **unpacked trees** are kept under the cache
  (default ``~/.cache/licheck-eval``), so an index refused by a newer licheck (``IndexMismatchError``: the schema
  or the normalizer changed) is rebuilt from the trees without touching the network.
- Scans return each finding as the JSON report writes it (``finding_to_dict``), so fields the decision code adds
  later (``origin``, ``holders``, ``lineage``, E-values) reach the scorers without changes here.
- Nothing here is written into the repository.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from licheck.errors import IndexFileError, IndexMismatchError, LicheckError
from licheck.indexer import SourceSpec
from licheck.store.index_db import IndexDB

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CACHE = Path(os.environ.get("LICHECK_EVAL_CACHE", Path.home() / ".cache/licheck-eval"))


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------ code identity
def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def code_identity() -> str:
    """Commit, whether licheck/ has uncommitted changes, and a digest of the imported licheck/*.py."""
    import licheck

    pkg = Path(licheck.__file__).resolve().parent
    digest = licheck_digest()
    commit = git("rev-parse", "--short", "HEAD") or "?"
    dirty = " + uncommitted changes in licheck/" if git("status", "--porcelain", "--", str(pkg)) else ""
    where = "" if pkg == REPO / "licheck" else f", licheck imported from {pkg}"
    return f"commit {commit}{dirty}{where}, licheck/*.py digest {digest}"


def licheck_digest() -> str:
    import licheck

    pkg = Path(licheck.__file__).resolve().parent
    h = hashlib.blake2b(digest_size=6)
    for f in sorted(pkg.rglob("*.py")):
        h.update(f.relative_to(pkg).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def now_utc() -> str:
    return f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"


# ------------------------------------------------------------------------------------------------ fetching
@dataclass(frozen=True)
class Tree:
    """An unpacked registry source kept in the cache."""

    spec: str  # e.g. pypi:pip==26.3
    root: Path
    name: str
    version: str
    url: str = ""
    origin: str = ""
    digest: str | None = None
    license: str | None = None  # forced license (manifest); None: detected by the indexer

    def source_spec(self, name: str | None = None) -> SourceSpec:
        return SourceSpec(self.root, name=name or self.name, version=self.version, url=self.url,
                          origin=self.origin or self.spec, digest=self.digest, license=self.license)


def _slug(spec: str) -> str:
    return re.sub(r"[^A-Za-z0-9._=@+-]+", "_", spec)


def fetch_tree(spec: str, cache: Path = DEFAULT_CACHE, *, license: str | None = None) -> Tree:
    """Fetch ``spec`` (pypi:/npm:/deb:) once and keep its unpacked tree; later calls read the cache only."""
    folder = cache / "trees" / _slug(spec)
    meta_path = folder / "tree.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        return Tree(spec, folder / meta["root"], meta["name"], meta["version"], meta.get("url", ""),
                    meta.get("origin", ""), meta.get("digest"), license)
    from licheck.sources.fetch import download_source, unpack_source
    from licheck.sources.spec import parse_source_spec

    ref = parse_source_spec(spec)
    download = download_source(ref, cache / "downloads")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    unpacked = unpack_source(download, folder)
    root = unpacked.root.resolve()
    meta = {"root": str(root.relative_to(folder.resolve())), "name": unpacked.name or download.name or ref.name,
            "version": unpacked.version or download.version or ref.version, "url": unpacked.url,
            "origin": unpacked.origin, "digest": unpacked.digest}
    meta_path.write_text(json.dumps(meta, indent=1))
    return Tree(spec, root, meta["name"], meta["version"], meta["url"], meta["origin"], meta["digest"], license)


def fetch_many(specs: Iterable[str | tuple[str, str | None]], cache: Path = DEFAULT_CACHE, *,
               threads: int = 4) -> tuple[list[Tree], list[tuple[str, str]]]:
    """Fetch in a few threads (network-bound); returns (trees in the given order, [(spec, error)])."""
    from concurrent.futures import ThreadPoolExecutor

    items = [(s, None) if isinstance(s, str) else s for s in specs]

    def one(item: tuple[str, str | None]) -> Tree | str:
        try:
            return fetch_tree(item[0], cache, license=item[1])
        except LicheckError as exc:
            return str(exc).splitlines()[0]
        except Exception as exc:  # noqa: BLE001 - a benchmark goes on without one source
            return f"{type(exc).__name__}: {exc}"

    trees, failed = [], []
    with ThreadPoolExecutor(threads) as pool:
        for item, got in zip(items, pool.map(one, items), strict=True):
            if isinstance(got, Tree):
                trees.append(got)
            else:
                failed.append((item[0], got))
                log(f"  fetch failed: {item[0]}: {got}")
    return trees, failed


# ------------------------------------------------------------------------------------------------ indexes
def fast_writes(db: IndexDB) -> None:
    """Throw-away benchmark indexes: no fsync per source transaction (does not change what is indexed)."""
    db.db.execute("PRAGMA synchronous=OFF")


def index_usable(path: Path) -> str | None:
    """None when licheck opens ``path`` as a finished index; else why not (refused, missing, unfinished)."""
    if not path.is_file():
        return "missing"
    if not Path(str(path) + ".done").exists():
        return "unfinished build"
    try:
        with IndexDB.open_readonly(path) as db:
            db.unit_count()
    except IndexMismatchError as exc:
        return f"refused by this licheck ({exc.message})"
    except IndexFileError as exc:
        return f"unreadable ({exc.message})"
    return None


def cached_index(path: Path, build: Callable[[Path], dict[str, Any]], *, rebuild: bool = False) -> dict[str, Any]:
    """Open-or-build: rebuild ``path`` with ``build(path)`` when forced, missing, unfinished or refused.

    ``build`` returns facts about the build (seconds, units, …), kept in ``path.done`` beside the index.
    """
    done = Path(str(path) + ".done")
    why = "forced (--rebuild)" if rebuild else index_usable(path)
    if why is None:
        facts = json.loads(done.read_text())
        facts["cached"] = True
        if facts.get("licheck_digest") != licheck_digest():
            log(f"  note: {path.name} was built by licheck digest {facts.get('licheck_digest')} (now "
                f"{licheck_digest()}); reused because this licheck accepts it (--rebuild to rebuild)")
        return facts
    log(f"  building {path} ({why})")
    done.unlink(missing_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    cpu0 = _cpu()
    facts = build(path)
    facts.setdefault("build_s", time.perf_counter() - t0)
    facts.setdefault("build_cpu_s", _cpu() - cpu0)
    facts["bytes"] = path.stat().st_size
    facts["licheck_digest"] = licheck_digest()
    facts["built_at"] = now_utc()
    facts["load_at_end"] = load_average()
    done.write_text(json.dumps(facts, indent=1))
    facts["cached"] = False
    return facts


def _cpu() -> float:
    import resource

    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def copy_index(src: Path, dest: Path) -> None:
    """A copy of a finished index (SQLite backup API: consistent even if WAL files exist)."""
    import sqlite3

    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(dest) + suffix).unlink(missing_ok=True)
    with sqlite3.connect(f"file:{src.resolve().as_posix()}?mode=ro", uri=True) as a, sqlite3.connect(dest) as b:
        a.backup(b)
    b.close()
    a.close()


# ------------------------------------------------------------------------------------------------ scanning
_WORKER: dict[str, Any] = {}


def _scan_init(index_path: str, min_tokens: int | None) -> None:
    from licheck.scanner import Scanner, ScanSettings
    from licheck.sketch import MinHasher

    db = IndexDB.open_readonly(index_path)
    _WORKER["db"] = db
    settings = ScanSettings()
    if min_tokens is not None:
        from licheck.decide.rules import Thresholds

        settings = ScanSettings(thresholds=Thresholds(min_tokens=min_tokens))
    _WORKER["scanner"] = Scanner(db, settings)
    _WORKER["hasher"] = MinHasher(db.params)


def _scan_chunk(paths: list[str]) -> list[dict]:
    from licheck.analyze import UnreadableFile, analyze_file
    from licheck.inputs.files import read_bytes
    from licheck.report.json_report import finding_to_dict

    scanner = _WORKER["scanner"]
    hasher = _WORKER["hasher"]
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
        rec["findings"] = [json.loads(json.dumps(finding_to_dict(f), default=str))
                           for f in scanner.scan_file(analysis)]
        out.append(rec)
    return out


def scan_paths(index_path: Path, paths: list[str], jobs: int, *, min_tokens: int | None = None) -> list[dict]:
    """Every path scanned against ``index_path`` in ``jobs`` processes; one record per path, in order."""
    chunks = [paths[i:i + 25] for i in range(0, len(paths), 25)]
    results: list[dict] = []
    if jobs <= 1:
        _scan_init(str(index_path), min_tokens)
        try:
            for c in chunks:
                results.extend(_scan_chunk(c))
        finally:
            _WORKER["db"].close()
        return results
    ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with ctx.Pool(jobs, initializer=_scan_init, initargs=(str(index_path), min_tokens)) as pool:
        for part in pool.imap(_scan_chunk, chunks):
            results.extend(part)
    return results


# ------------------------------------------------------------------------------------------------ findings
def origin_name(finding: dict) -> tuple[str, str]:
    """(name the finding gives as origin, which field said it): ``origin`` when the decision code reports one,
    else ``source.name`` (today's reports have no ``origin``)."""
    origin = finding.get("origin")
    if isinstance(origin, dict):
        for key in ("name", "source", "package"):
            if isinstance(origin.get(key), str):
                return origin[key], "origin"
            if isinstance(origin.get(key), dict) and isinstance(origin[key].get("name"), str):
                return origin[key]["name"], "origin"
    if isinstance(origin, str) and origin:
        return re.split(r"==|@(?=\d)| ", origin, maxsplit=1)[0], "origin"
    return finding["source"]["name"], "source.name"


def holder_names(finding: dict) -> set[str] | None:
    """Names of every holder a finding lists (``holders``, any nesting: lists, lineage groups); None when the
    finding has no ``holders`` field (today)."""
    if "holders" not in finding:
        return None
    names: set[str] = set()

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            if isinstance(x.get("name"), str):
                names.add(x["name"])
            for v in x.values():
                if isinstance(v, (dict, list)):
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(finding["holders"])
    return names


def pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:.1f}%" if d else "–"
