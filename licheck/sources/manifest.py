"""Index manifests: a TOML list of sources built into one index, each source its own transaction.

```toml
[[source]]
spec = "pypi:requests==2.32.3"     # required: any source spec (see licheck.sources.spec)
license = "Apache-2.0"             # optional: SPDX expression overriding detection
name = "requests"                  # optional: the name findings show (default: the package's)
url = "https://..."                # optional: shown in findings
```

Re-running a build skips every source already indexed at the same digest (without unpacking it, and without
the network when its download is cached), so an interrupted build resumes where it stopped. A source that
cannot be fetched or unpacked safely is reported and skipped; the rest of the build goes on.
"""

from __future__ import annotations

import tempfile
import time
import tomllib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from licheck.errors import ConfigError, LicheckError
from licheck.indexer import AddResult, Analyzer, Progress, add_source
from licheck.licenses.detect import license_from_option
from licheck.sources.download import Download
from licheck.sources.fetch import download_source, unpack_source
from licheck.sources.safe_extract import ExtractLimits
from licheck.sources.spec import SourceRef, parse_source_spec
from licheck.store.index_db import IndexDB

_KEYS = {"spec", "license", "name", "url"}


@dataclass(frozen=True)
class ManifestEntry:
    ref: SourceRef
    name: str | None = None
    license: str | None = None
    url: str = ""


@dataclass(frozen=True)
class Manifest:
    path: Path
    entries: tuple[ManifestEntry, ...]


@dataclass
class SourceOutcome:
    """What happened to one manifest entry."""

    entry: ManifestEntry
    status: str  # "indexed", "unchanged" or "failed"
    result: AddResult | None = None
    error: str = ""
    download_s: float = 0.0
    index_s: float = 0.0


@dataclass
class BuildReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def load_manifest(path: Path) -> Manifest:
    """Read and validate a manifest; ConfigError lists every problem at once."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read manifest {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    problems: list[str] = []
    unknown = set(data) - {"source"}
    if unknown:
        problems.append(f"unknown top-level keys {sorted(unknown)} (expected [[source]] tables)")
    raw_entries = data.get("source", [])
    if not isinstance(raw_entries, list) or not raw_entries:
        problems.append("no [[source]] entries")
        raw_entries = []
    entries: list[ManifestEntry] = []
    for number, raw in enumerate(raw_entries, start=1):
        entry = _entry(raw, number, path.parent, problems)
        if entry is not None and any(e.ref == entry.ref for e in entries):
            problems.append(f"source #{number}: {entry.ref.text!r} is listed twice")
        elif entry is not None:
            entries.append(entry)
    if problems:
        raise ConfigError(f"{path} has {len(problems)} problem(s):\n  " + "\n  ".join(problems),
                          hint="each [[source]] needs spec = \"pypi:NAME==VERSION\" (or npm:, deb:, git:, a path)")
    return Manifest(path, tuple(entries))


def _entry(raw: object, number: int, base: Path, problems: list[str]) -> ManifestEntry | None:
    where = f"source #{number}"
    if not isinstance(raw, dict):
        problems.append(f"{where} is not a table")
        return None
    extra = set(raw) - _KEYS
    if extra:
        problems.append(f"{where}: unknown keys {sorted(extra)}")
    if not all(isinstance(raw.get(k, ""), str) for k in _KEYS):
        problems.append(f"{where}: every value must be a string")
        return None
    spec = raw.get("spec", "")
    if not spec:
        problems.append(f"{where}: no spec")
        return None
    try:
        ref = parse_source_spec(spec)
        if raw.get("license"):
            license_from_option(raw["license"])
    except LicheckError as exc:
        problems.append(f"{where}: {exc.message}")
        return None
    if ref.kind == "local" and not Path(ref.name).is_absolute():
        ref = replace(ref, name=str(base / ref.name))
    if ref.kind == "git" and not ("://" in ref.name or "@" in ref.name) and not Path(ref.name).is_absolute():
        ref = replace(ref, name=str(base / ref.name))
    return ManifestEntry(ref, raw.get("name") or None, raw.get("license") or None, raw.get("url", ""))


SourceEvent = Callable[[SourceOutcome, int, int], None]  # (outcome, number, total)


def build_from_manifest(index: IndexDB, manifest: Manifest, *, cache: Path, jobs: int | None = None,
                        limits: ExtractLimits | None = None, progress: Progress | None = None,
                        on_source: SourceEvent | None = None, fetch_workers: int = 4) -> BuildReport:
    """Fetch every source (several at once) and index them in manifest order, one transaction each."""
    report = BuildReport()
    total = len(manifest.entries)
    with Analyzer(index.params, jobs=jobs).start() as analyzer:
        pool = ThreadPoolExecutor(max_workers=max(1, fetch_workers), thread_name_prefix="licheck-fetch")
        futures = [pool.submit(_timed_download, entry.ref, cache) for entry in manifest.entries]
        try:
            for number, (entry, future) in enumerate(zip(manifest.entries, futures, strict=True), start=1):
                outcome = _build_one(index, entry, future, analyzer=analyzer, limits=limits, progress=progress)
                report.outcomes.append(outcome)
                if on_source:
                    on_source(outcome, number, total)
        finally:  # on an interrupt, do not wait for downloads nobody will index
            pool.shutdown(wait=False, cancel_futures=True)
    return report


def _timed_download(ref: SourceRef, cache: Path) -> tuple[Download, float]:
    start = time.perf_counter()
    download = download_source(ref, cache)
    return download, time.perf_counter() - start


def _build_one(index: IndexDB, entry: ManifestEntry, future: Future[tuple[Download, float]], *,
               analyzer: Analyzer, limits: ExtractLimits | None, progress: Progress | None) -> SourceOutcome:
    try:
        download, download_s = future.result()
    except (LicheckError, OSError) as exc:
        return SourceOutcome(entry, "failed", error=str(exc))
    name = entry.name or download.name
    digest = _entry_digest(entry, download.digest)
    if digest is not None and name:
        existing = index.find_source(name, download.version)
        if existing and existing[1] == digest:
            return SourceOutcome(entry, "unchanged", download_s=download_s)
    start = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="licheck-unpack-") as workdir:
            spec = unpack_source(download, Path(workdir), limits=limits)
            spec = replace(spec, name=entry.name or spec.name, license=entry.license or spec.license,
                           url=entry.url or spec.url, digest=_entry_digest(entry, spec.digest))
            if entry.license:
                spec = replace(spec, license_info=None)
            result = add_source(index, spec, progress=progress, analyzer=analyzer)
    except (LicheckError, OSError) as exc:
        return SourceOutcome(entry, "failed", error=str(exc), download_s=download_s)
    status = "unchanged" if result.unchanged else "indexed"
    return SourceOutcome(entry, status, result, download_s=download_s, index_s=time.perf_counter() - start)


def _entry_digest(entry: ManifestEntry, digest: str | None) -> str | None:
    """The fetched digest, plus the manifest's license override: changing the override re-indexes the source."""
    if digest is None or not entry.license:
        return digest
    return f"{digest};license={entry.license}"
