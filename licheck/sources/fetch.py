"""Fetch a source (or find it in the cache), then unpack it safely into what the indexer takes."""

from __future__ import annotations

from pathlib import Path

from licheck.errors import InputError
from licheck.indexer import SourceSpec
from licheck.sources.cache import files_digest
from licheck.sources.download import Download
from licheck.sources.safe_extract import ExtractLimits, extract_archive, is_archive, single_top_folder
from licheck.sources.spec import SourceRef


def download_source(ref: SourceRef, cache: Path) -> Download:
    """Fetch what ``ref`` names into ``cache`` (network only on a cache miss); raises SourceError."""
    if ref.kind == "local":
        path = Path(ref.name).expanduser()
        if not path.exists():
            raise InputError(f"no such file or folder: {path}",
                             hint="give a folder, a file, an archive or a spec such as pypi:NAME==VERSION")
        if path.is_file() and is_archive(path):  # identified by its bytes: unpacked files get fresh mtimes
            return Download(ref, _archive_stem(path), "", (path,), files_digest([path]), "", str(path), "local", True)
        return Download(ref, "", "", (path,), None, "", str(path), "local", True)
    if ref.kind == "pypi":
        from licheck.sources.pypi import download_pypi

        return download_pypi(ref, cache)
    if ref.kind == "npm":
        from licheck.sources.npm import download_npm

        return download_npm(ref, cache)
    if ref.kind == "deb":
        from licheck.sources.debian import download_debian

        return download_debian(ref, cache)
    from licheck.sources.git import download_git

    return download_git(ref, cache)


def unpack_source(download: Download, workdir: Path, *, limits: ExtractLimits | None = None) -> SourceSpec:
    """The fetched files unpacked under ``workdir`` (a fresh folder), as a SourceSpec for ``add_source``."""
    kind = download.ref.kind
    if kind == "local":
        path = download.files[0]
        if not (path.is_file() and is_archive(path)):
            return SourceSpec(path, origin=download.origin)
        root = single_top_folder(extract_archive(path, workdir / "src", limits=limits))
        return SourceSpec(root, name=download.name, origin=download.origin, digest=download.digest)
    if kind == "deb":
        from licheck.sources.debian import unpack_debian

        return unpack_debian(download, workdir, limits=limits)
    if kind == "git":
        from licheck.sources.git import unpack_git

        return unpack_git(download, workdir, limits=limits)
    root = single_top_folder(extract_archive(download.files[0], workdir / "src", limits=limits))
    if download.kind == "wheel":
        from licheck.sources.pypi import keep_python_sources

        keep_python_sources(root)
    return SourceSpec(root, name=download.name, version=download.version, url=download.url, origin=download.origin,
                      digest=download.digest)


def _archive_stem(path: Path) -> str:
    name = path.name
    for suffix in (".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tar", ".zip", ".whl"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem
