"""Detection on real sdists downloaded from PyPI at test time (cached; never committed)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from licheck.licenses.detect import detect_package_license, license_from_files

CACHE = Path.home() / ".cache" / "licheck-tests" / "sdists"


def fetch_sdist(name: str, version: str, workdir: Path) -> Path:
    """Download (once) and unpack an sdist; return the folder it was unpacked into."""
    CACHE.mkdir(parents=True, exist_ok=True)
    archive = next(CACHE.glob(f"{name}-{version}.tar.gz"), None)
    if archive is None:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
        result = subprocess.run(
            [*command, f"{name}=={version}", "-d", str(CACHE)], capture_output=True, text=True, timeout=300
        )
        archive = next(CACHE.glob(f"{name}-{version}.tar.gz"), None)
        if archive is None:
            pytest.skip(f"cannot download {name}=={version}: {result.stderr[-300:]}")
    target = workdir / f"{name}-{version}-unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target


@pytest.mark.network
@pytest.mark.parametrize(
    ("name", "version", "expression", "category", "file_expression"),
    [
        ("yamllint", "1.35.1", "GPL-3.0-or-later", "strong_copyleft", "GPL-3.0-only"),
        ("six", "1.16.0", "MIT", "permissive", "MIT"),
        ("click", "8.1.7", "BSD-3-Clause", "permissive", "BSD-3-Clause"),
    ],
)
def test_real_sdist_license_is_detected(
    tmp_path: Path, name: str, version: str, expression: str, category: str, file_expression: str
) -> None:
    root = fetch_sdist(name, version, tmp_path)
    info = detect_package_license(root)
    assert (info.expression, info.category) == (expression, category)
    assert info.origin == f"{name}-{version}/PKG-INFO License"
    # The LICENSE file alone, by phrases: yamllint ships the bare GPL-3.0 text (no "or later" notice).
    found = license_from_files(root / f"{name}-{version}")
    assert found is not None and found[0] == file_expression
