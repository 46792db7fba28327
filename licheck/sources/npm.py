"""npm sources: the tarball of a pinned version, fetched with `npm pack` (no install scripts run)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from licheck.errors import SourceError
from licheck.sources.cache import CachedDownload, files_digest, read_marker, slot, write_marker
from licheck.sources.download import Download, run_tool
from licheck.sources.spec import SourceRef

_HINT = "check the name and version (npm view NAME versions), and that npm reaches its registry"


def download_npm(ref: SourceRef, cache: Path) -> Download:
    folder = slot(cache, "npm", f"{ref.name}@{ref.version}")
    found = read_marker(folder)
    cached = found is not None
    if found is None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        found = _pack(ref, folder, cache)
        write_marker(folder, found)
    return Download(ref, ref.name, ref.version, tuple(folder / f for f in found.files), found.digest, found.url,
                    found.origin, found.kind, cached)


def _pack(ref: SourceRef, folder: Path, cache: Path) -> CachedDownload:
    out = run_tool(["npm", "pack", f"{ref.name}@{ref.version}", "--json", "--ignore-scripts",
                    "--pack-destination", str(folder), "--cache", str(cache / "npm-cache")],
                   what=ref.label, hint=_HINT)
    try:
        info = json.loads(out)[0]
        filename = str(info["filename"])
    except (ValueError, LookupError, TypeError):
        raise SourceError(f"cannot fetch {ref.label}: npm pack printed no file name", hint=_HINT) from None
    if not (folder / filename).is_file():
        raise SourceError(f"cannot fetch {ref.label}: npm pack did not write {filename}", hint=_HINT)
    url = f"https://www.npmjs.com/package/{ref.name}/v/{ref.version}"
    return CachedDownload(ref.name, ref.version, [filename], files_digest([folder / filename]), url,
                          f"npm:{ref.name}@{ref.version} ({info.get('integrity', '')})", "npm tarball")
