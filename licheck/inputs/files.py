"""Which files a folder holds that are worth indexing or scanning, read safely."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from licheck.lang.registry import is_code_path

SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".venv", "venv", ".mypy_cache",
                          ".pytest_cache", ".ruff_cache", "node_modules", ".eggs", "site-packages", ".idea", ".vscode"})
DEFAULT_MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class InputFile:
    path: Path  # where to read it
    display: str  # how reports name it (relative to the source root, '/'-separated)


def iter_code_files(root: Path) -> Iterator[InputFile]:
    """Code files under ``root`` in a stable order; symlinks are never followed."""
    if root.is_file():
        yield InputFile(root, root.name)
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.endswith(".egg-info"))
        base = Path(dirpath)
        for name in sorted(filenames):
            path = base / name
            if path.is_symlink() or not is_code_path(name, _head(path)):
                continue
            yield InputFile(path, path.relative_to(root).as_posix())


def _head(path: Path) -> bytes:
    if path.suffix:
        return b""  # only extension-less files need their shebang read
    try:
        with path.open("rb") as handle:
            return handle.read(128)
    except OSError:
        return b""


def read_bytes(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """A file's bytes, without reading more than needed to tell it is too large."""
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    return data
