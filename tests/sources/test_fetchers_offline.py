"""Fetchers that need no registry: git commits of local repositories, Debian sources already in the cache."""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from licheck.errors import SourceError
from licheck.indexer import add_source
from licheck.sources.cache import files_digest, slot
from licheck.sources.fetch import download_source, unpack_source
from licheck.sources.spec import parse_source_spec
from licheck.store.index_db import IndexDB
from tests.sources.conftest import CODE_A, CODE_B, file_member, tar_with, write_tree

DEP5 = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: tally

Files: *
Copyright: 2020 Someone
License: Expat

Files: src/gpl/*
Copyright: 2021 Someone Else
License: GPL-2+

Files: debian/*
Copyright: 2022 A Maintainer
License: Expat

License: Expat
 Permission is hereby granted...

License: GPL-2+
 This program is free software...
"""


def _git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "HOME": str(repo.parent), "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "intervals-lib", {"src/intervals.py": CODE_A, "LICENSE": "MIT License\n"})
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "first")
    _git(root, "tag", "v1.0")
    write_tree(root, {"src/stats.py": CODE_B})
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "second")
    return root


def test_git_source_indexes_the_named_commit_not_the_work_tree(repo: Path, tmp_path: Path, index: IndexDB) -> None:
    write_tree(repo, {"src/uncommitted.py": CODE_B.replace("counts", "tallies")})
    download = download_source(parse_source_spec(f"git:{repo}@v1.0"), tmp_path / "cache")
    assert download.name == "intervals-lib" and download.version == "v1.0"
    assert download.digest == _git(repo, "rev-parse", "v1.0^{commit}").strip()
    spec = unpack_source(download, tmp_path / "work")
    assert sorted(p.name for p in (spec.root / "src").iterdir()) == ["intervals.py"]
    result = add_source(index, spec)
    assert result.files == 1 and result.source.digest == download.digest


def test_git_source_at_a_moved_branch_is_reindexed(repo: Path, tmp_path: Path, index: IndexDB) -> None:
    first = download_source(parse_source_spec(f"git:{repo}@main"), tmp_path / "cache")
    add_source(index, unpack_source(first, tmp_path / "w1"))
    write_tree(repo, {"src/more.py": CODE_A.replace("intervals", "spans")})
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "third")
    second = download_source(parse_source_spec(f"git:{repo}@main"), tmp_path / "cache")
    assert second.digest != first.digest
    assert not add_source(index, unpack_source(second, tmp_path / "w2")).unchanged


def test_git_source_with_an_unknown_revision_says_so(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no-such-tag"):
        download_source(parse_source_spec(f"git:{repo}@no-such-tag"), tmp_path / "cache")


def _cached_debian_source(cache: Path, tmp_path: Path) -> None:
    """A Debian source package (3.0 quilt) laid in the download cache as apt-get source would leave it."""
    folder = slot(cache, "deb", "tally")
    folder.mkdir(parents=True)
    orig = tar_with(folder / "tally_1.0.orig.tar.gz", [file_member("tally-1.0/src/intervals.py", CODE_A.encode()),
                                                       file_member("tally-1.0/src/gpl/stats.py", CODE_B.encode())])
    debian = folder / "tally_1.0-1.debian.tar.xz"
    with tarfile.open(debian, "w:xz") as tf:
        staged = write_tree(tmp_path / "staged", {"debian/copyright": DEP5, "debian/control": "Source: tally\n"})
        tf.add(staged / "debian", arcname="debian")
    dsc = folder / "tally_1.0-1.dsc"
    dsc.write_text(f"Format: 3.0 (quilt)\nSource: tally\nVersion: 1.0-1\nFiles:\n 0 1 {orig.name}\n 0 1 {debian.name}\n")
    files = [dsc, orig, debian]
    (folder / "download.json").write_text(json.dumps({
        "name": "tally", "version": "1.0-1", "files": [p.name for p in files], "digest": files_digest([dsc]),
        "url": "", "origin": "deb:tally=1.0-1", "kind": "debian source"}))


def test_debian_source_gets_dep5_per_file_licenses(tmp_path: Path, index: IndexDB) -> None:
    cache = tmp_path / "cache"
    _cached_debian_source(cache, tmp_path)
    download = download_source(parse_source_spec("deb:tally"), cache)
    assert download.cached and download.version == "1.0-1"
    spec = unpack_source(download, tmp_path / "work")
    assert (spec.root / "debian" / "copyright").is_file()
    result = add_source(index, spec)
    assert result.source.license == "MIT" and result.source.license_origin.startswith("debian/copyright")
    licenses = dict(index.db.execute("SELECT path, coalesce(license, '-') FROM files").fetchall())
    assert licenses["src/gpl/stats.py"] == "GPL-2.0-or-later"
    assert licenses["src/intervals.py"] == "-"  # the source's own license applies


def test_spdx_header_beats_the_dep5_license_of_a_file(tmp_path: Path, index: IndexDB) -> None:
    cache = tmp_path / "cache"
    _cached_debian_source(cache, tmp_path)
    spec = unpack_source(download_source(parse_source_spec("deb:tally"), cache), tmp_path / "work")
    target = spec.root / "src" / "gpl" / "stats.py"
    target.write_text("# SPDX-License-Identifier: BSD-3-Clause\n" + target.read_text())
    add_source(index, spec)
    row = index.db.execute("SELECT license FROM files WHERE path = 'src/gpl/stats.py'").fetchone()
    assert row[0] == "BSD-3-Clause"


def test_a_local_archive_is_unpacked_safely_and_named_after_itself(tmp_path: Path, index: IndexDB) -> None:
    archive = tar_with(tmp_path / "tally-0.3.tar.gz", [file_member("tally-0.3/tally.py", CODE_A.encode())])
    spec = unpack_source(download_source(parse_source_spec(str(archive)), tmp_path / "cache"), tmp_path / "work")
    assert spec.name == "tally-0.3"
    assert add_source(index, spec).files == 1


def test_pypi_falls_back_to_pip_download_when_pips_internals_change(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess as sp

    from licheck.sources import pypi

    calls: list[str] = []

    def broken_helper(*args: object, **kwargs: object) -> sp.CompletedProcess[str]:
        return sp.CompletedProcess([], 1, stdout="", stderr="ImportError: pip._internal moved")

    def pip_download(ref: object, kind: str, folder: Path) -> tuple[str, str]:
        calls.append(kind)
        return "pkg-1.0.tar.gz", ""

    monkeypatch.setattr(pypi.subprocess, "run", broken_helper)
    monkeypatch.setattr(pypi, "_pip_download", pip_download)
    assert pypi._fetch_file(parse_source_spec("pypi:pkg==1.0"), "sdist", tmp_path) == ("pkg-1.0.tar.gz", "")
    assert calls == ["sdist"]
