"""PyPI sources: the sdist of a pinned version, else the Python files of a wheel."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from licheck.errors import SourceError
from licheck.sources.cache import CachedDownload, files_digest, read_marker, slot, write_marker
from licheck.sources.download import Download, run_tool
from licheck.sources.spec import SourceRef

_HINT = "check the name and version on PyPI (pip index versions NAME), and that pip reaches its index"


def download_pypi(ref: SourceRef, cache: Path) -> Download:
    folder = slot(cache, "pypi", f"{ref.name}=={ref.version}")
    found = read_marker(folder)
    if found is None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        found = _fetch(ref, folder)
        write_marker(folder, found)
        cached = False
    else:
        cached = True
    return Download(ref, ref.name, ref.version, tuple(folder / f for f in found.files), found.digest, found.url,
                    found.origin, found.kind, cached)


def _fetch(ref: SourceRef, folder: Path) -> CachedDownload:
    errors = []
    for kind in ("sdist", "wheel"):
        try:
            name, url = _fetch_file(ref, kind, folder)
        except SourceError as exc:
            errors.append(exc.message)
            continue
        return CachedDownload(ref.name, ref.version, [name], files_digest([folder / name]), url,
                              f"pypi:{ref.name}=={ref.version}", kind)
    raise SourceError(f"cannot fetch {ref.label}: " + "; ".join(errors), hint=_HINT)


def _fetch_file(ref: SourceRef, kind: str, folder: Path) -> tuple[str, str]:
    """Fetch with pip's finder (no build step); fall back to `pip download` if pip's internals changed."""
    helper = [sys.executable, "-m", "licheck.sources.pip_fetch", ref.name, ref.version, kind, str(folder)]
    done = subprocess.run(helper, capture_output=True, text=True, timeout=900, check=False, stdin=subprocess.DEVNULL)
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        result = {"ok": False, "internal": True, "error": done.stderr.strip()[-300:]}
    if result.get("ok"):
        return str(result["file"]), str(result["url"])
    if not result.get("internal"):
        raise SourceError(str(result.get("error")))
    return _pip_download(ref, kind, folder)


def _pip_download(ref: SourceRef, kind: str, folder: Path) -> tuple[str, str]:
    binary = ["--no-binary", ":all:"] if kind == "sdist" else ["--only-binary", ":all:"]
    run_tool([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", *binary, "-d", str(folder),
              f"{ref.name}=={ref.version}"], what=f"the {kind} of {ref.label}", hint=_HINT)
    names = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != "download.json")
    if not names:
        raise SourceError(f"pip download left no file for {ref.label}")
    return names[0], ""


def keep_python_sources(root: Path) -> None:
    """A wheel's tree reduced to its Python files and its metadata (licenses live in *.dist-info)."""
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and path.suffix not in (".py", ".pyi") and not any(
                part.endswith(".dist-info") for part in path.relative_to(root).parts):
            path.unlink()
