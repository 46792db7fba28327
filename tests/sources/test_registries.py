"""Real registries (PyPI, npm, Debian): marked `network`; downloads are cached under ~/.cache/licheck-tests/."""

from __future__ import annotations

from pathlib import Path

import pytest

from licheck.indexer import add_source
from licheck.sources.fetch import download_source, unpack_source
from licheck.sources.pypi import _fetch_file
from licheck.sources.spec import parse_source_spec
from licheck.store.index_db import IndexDB

pytestmark = pytest.mark.network


def test_pypi_sdist_is_fetched_unpacked_and_indexed_with_its_license(network_cache: Path, tmp_path: Path,
                                                                     index: IndexDB) -> None:
    download = download_source(parse_source_spec("pypi:six==1.17.0"), network_cache)
    assert download.kind == "sdist" and download.files[0].name == "six-1.17.0.tar.gz"
    assert download.url.startswith("https://") and len(download.digest or "") == 64
    spec = unpack_source(download, tmp_path / "work")
    result = add_source(index, spec)
    assert result.source.name == "six" and result.source.version == "1.17.0"
    assert result.source.license == "MIT" and result.units > 50
    assert download_source(parse_source_spec("pypi:six==1.17.0"), network_cache).cached


def test_pypi_wheel_fallback_keeps_only_python_sources(network_cache: Path, tmp_path: Path) -> None:
    folder = network_cache / "wheel-check"
    if not any(folder.glob("*.whl")):
        folder.mkdir(parents=True, exist_ok=True)
        _fetch_file(parse_source_spec("pypi:idna==3.10"), "wheel", folder)
    from licheck.sources.pypi import keep_python_sources
    from licheck.sources.safe_extract import extract_archive

    root = extract_archive(next(folder.glob("*.whl")), tmp_path / "w")
    keep_python_sources(root)
    kept = {p.suffix for p in root.rglob("*") if p.is_file() and ".dist-info" not in str(p)}
    assert kept == {".py"}


def test_pypi_unknown_version_is_a_clear_source_error(network_cache: Path) -> None:
    from licheck.errors import SourceError

    with pytest.raises(SourceError, match="pypi:six==0.0.0.404"):
        download_source(parse_source_spec("pypi:six==0.0.0.404"), network_cache)


def test_npm_tarball_is_fetched_and_indexed(network_cache: Path, tmp_path: Path, index: IndexDB) -> None:
    download = download_source(parse_source_spec("npm:left-pad@1.3.0"), network_cache)
    assert download.files[0].name == "left-pad-1.3.0.tgz"
    result = add_source(index, unpack_source(download, tmp_path / "work"))
    assert result.source.name == "left-pad" and result.source.license == "WTFPL" and result.files >= 1


def test_debian_source_is_fetched_with_a_private_apt_configuration(network_cache: Path, tmp_path: Path,
                                                                   index: IndexDB) -> None:
    etc_apt = sorted(p.name for p in Path("/etc/apt").rglob("*")) if Path("/etc/apt").exists() else []
    download = download_source(parse_source_spec("deb:libyaml=0.2.5-1"), network_cache)
    assert download.name == "libyaml" and download.version == "0.2.5-1"
    assert any(p.name.endswith(".dsc") for p in download.files)
    result = add_source(index, unpack_source(download, tmp_path / "work"))
    assert result.source.license == "MIT" and result.source.license_origin.startswith("debian/copyright")
    assert result.files > 5
    assert (sorted(p.name for p in Path("/etc/apt").rglob("*")) if Path("/etc/apt").exists() else []) == etc_apt
