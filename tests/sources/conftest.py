"""Fixtures for sources: hostile archives built here, tiny code trees written here, a private cache.

Registry tests (marked ``network``) share a download cache under ~/.cache/licheck-tests/ so that a re-run
fetches nothing; every other test gets an empty cache in its tmp_path and never touches the network.
"""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from licheck.store.index_db import IndexDB

NETWORK_CACHE = Path(os.environ.get("LICHECK_TESTS_CACHE", Path.home() / ".cache" / "licheck-tests")) / "sources"

CODE_A = '''\
def merge_intervals(intervals):
    """Merge overlapping intervals into a sorted list."""
    ordered = sorted(intervals, key=lambda pair: pair[0])
    merged = []
    for start, end in ordered:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def total_covered(intervals):
    covered = 0
    for start, end in merge_intervals(intervals):
        covered += end - start
    return covered
'''

CODE_B = '''\
def histogram(values, buckets):
    lowest, highest = min(values), max(values)
    width = (highest - lowest) / buckets or 1
    counts = [0] * buckets
    for value in values:
        slot = min(int((value - lowest) / width), buckets - 1)
        counts[slot] += 1
    return counts


class RunningMean:
    def __init__(self):
        self.count = 0
        self.mean = 0.0

    def add(self, value):
        self.count += 1
        self.mean += (value - self.mean) / self.count
        return self.mean
'''


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LICHECK_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def network_cache() -> Path:
    NETWORK_CACHE.mkdir(parents=True, exist_ok=True)
    return NETWORK_CACHE


@pytest.fixture
def index(tmp_path: Path) -> Iterator[IndexDB]:
    with IndexDB.open_for_write(tmp_path / "index.db") as db:
        yield db


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def tar_with(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]], mode: str = "w:gz") -> Path:
    """A tar archive holding exactly these members (headers as given, so they can lie or be hostile)."""
    with tarfile.open(path, mode) as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def file_member(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    return info, data


def link_member(name: str, target: str, *, hard: bool = False) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = tarfile.LNKTYPE if hard else tarfile.SYMTYPE
    info.linkname = target
    return info, None


def special_member(name: str, kind: bytes) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.devmajor, info.devminor = 1, 3
    return info, None


def zip_with(path: Path, members: list[tuple[str, bytes, int | None]]) -> Path:
    """A zip holding these (name, data, unix mode or None) members."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data, mode in members:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode is not None:
                info.external_attr = mode << 16
            zf.writestr(info, data)
    return path


def sdist_of(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    """A small sdist-shaped .tar.gz (one top folder) of files written here."""
    members = [file_member(f"{name}/{rel}", text.encode()) for rel, text in files.items()]
    return tar_with(tmp_path / f"{name}.tar.gz", members)
