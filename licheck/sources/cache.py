"""The download cache: registry archives are fetched once and reused by later builds."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

CACHE_ENV = "LICHECK_CACHE"
_MARKER = "download.json"


def default_cache_dir() -> Path:
    """``$LICHECK_CACHE``, else ``$XDG_CACHE_HOME/licheck``, else ``~/.cache/licheck``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "licheck"


@dataclass(frozen=True)
class CachedDownload:
    """What a finished download left in its cache folder (recorded in download.json)."""

    name: str
    version: str
    files: list[str]  # file names inside the folder, in unpack order
    digest: str  # sha256 over the files, in order
    url: str = ""
    origin: str = ""
    kind: str = ""  # e.g. "sdist", "wheel", "npm tarball", "debian source"


def slot(cache: Path, kind: str, key: str) -> Path:
    """The cache folder of one download (a safe file name made from ``key``)."""
    safe = re.sub(r"[^A-Za-z0-9._+=@-]+", "_", key).strip("._") or "_"
    return cache / "downloads" / kind / safe


def read_marker(folder: Path) -> CachedDownload | None:
    try:
        data = json.loads((folder / _MARKER).read_text(encoding="utf-8"))
        found = CachedDownload(**data)
    except (OSError, ValueError, TypeError):
        return None
    if not all((folder / name).is_file() for name in found.files):
        return None
    return found


def write_marker(folder: Path, download: CachedDownload) -> None:
    """Written last and atomically: a folder without it is an unfinished download, fetched again."""
    tmp = folder / (_MARKER + ".tmp")
    tmp.write_text(json.dumps(asdict(download), indent=1), encoding="utf-8")
    os.replace(tmp, folder / _MARKER)


def files_digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()
