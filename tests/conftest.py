"""Shared test helpers: our own fixture corpus, indexes built in tmp_path, real sdists from PyPI (cached)."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CACHE = Path(os.environ.get("LICHECK_TEST_CACHE", Path.home() / ".cache" / "licheck-tests"))


@pytest.fixture(autouse=True)
def _isolate_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never see a developer's LICHECK_* settings, nor the default index in their cache folder (platformdirs
    reads XDG_CACHE_HOME; download caches are passed to licheck explicitly)."""
    for name in list(os.environ):
        if name.startswith("LICHECK_") and name != "LICHECK_TEST_CACHE":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


def download_sdist(spec: str) -> Path:
    """Download (once, cached) and unpack a real sdist from PyPI; returns the unpacked folder."""
    name, version = spec.split("==")
    target = CACHE / "unpacked" / f"{name}-{version}"
    if target.is_dir() and any(target.iterdir()):
        return next(p for p in target.iterdir() if p.is_dir())
    archives = CACHE / "sdists"
    archives.mkdir(parents=True, exist_ok=True)
    found = [p for p in archives.iterdir() if p.name.lower().replace("_", "-").startswith(f"{name.lower()}-{version}")]
    if not found:
        result = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-q", "-d", str(archives), spec],
            capture_output=True, text=True, timeout=300,
        )
        if result.returncode != 0:
            pytest.skip(f"cannot download {spec} from PyPI: {result.stderr.strip()[-300:]}")
        found = [p for p in archives.iterdir() if p.name.lower().replace("_", "-").startswith(f"{name.lower()}-{version}")]
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(found[0]) as archive:
        archive.extractall(target, filter="data")
    return next(p for p in target.iterdir() if p.is_dir())
