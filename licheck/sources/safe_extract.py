"""Unpack untrusted archives (tar, zip, wheels) without letting them write outside a folder.

Every member is checked before anything is written, and the whole archive is refused with an
``UnsafeArchiveError`` when one member is hostile: a path that escapes (``../``, absolute, a drive), a symbolic
or hard link pointing outside, a device or FIFO, more members or more bytes than the limits allow (a
decompression bomb). Files are written by this module, never by ``tarfile.extractall``: regular files with
plain permissions, links never materialized (a link to a file inside becomes a copy of it), and the bytes
counted while they are written, so a lying header cannot get past the size limit.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from licheck.errors import SourceError, UnsafeArchiveError

_CHUNK = 1 << 20
_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.lzma")
_ZIP_SUFFIXES = (".zip", ".whl", ".egg", ".jar")


@dataclass(frozen=True)
class ExtractLimits:
    """What an archive may hold; past these it is treated as a decompression bomb."""

    max_members: int = 200_000
    max_total_bytes: int = 2 << 30  # 2 GiB unpacked
    max_member_bytes: int = 512 << 20  # 512 MiB for one file

    def __post_init__(self) -> None:
        if min(self.max_members, self.max_total_bytes, self.max_member_bytes) <= 0:
            raise ValueError("extraction limits must be positive")


@dataclass(frozen=True)
class _Member:
    """One archive member after checking: where it goes and what it is."""

    name: str  # normalized, relative, '/'-separated
    kind: str  # "file", "dir" or "copy" (a hard or symbolic link to a file inside: written as a copy)
    size: int
    handle: object  # tarfile.TarInfo or zipfile.ZipInfo
    target: str = ""  # for "copy": the normalized member it copies


def is_archive(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(_TAR_SUFFIXES) or name.endswith(_ZIP_SUFFIXES)


def extract_archive(archive: Path, dest: Path, *, limits: ExtractLimits | None = None) -> Path:
    """Unpack ``archive`` into ``dest`` (created, must be empty or absent) and return ``dest``."""
    limits = limits or ExtractLimits()
    dest.mkdir(parents=True, exist_ok=True)
    name = archive.name.lower()
    try:
        if name.endswith(_ZIP_SUFFIXES) or (not name.endswith(_TAR_SUFFIXES) and zipfile.is_zipfile(archive)):
            with zipfile.ZipFile(archive) as zf:
                _write_members(archive, dest, _check_zip(archive, zf, limits), limits, zf.open)
        else:
            with tarfile.open(archive, "r:*") as tf:
                members = _check_tar(archive, tf, limits)
                _write_members(archive, dest, members, limits, lambda info: _tar_reader(tf, info))
    except UnsafeArchiveError:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        shutil.rmtree(dest, ignore_errors=True)
        raise SourceError(f"cannot unpack {archive.name}: {exc}",
                          hint="the download may be damaged: delete it from the cache and retry") from None
    return dest


def single_top_folder(dest: Path) -> Path:
    """The one folder an archive unpacked into (sdists, npm tarballs), else ``dest`` itself."""
    entries = [p for p in dest.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return dest


# -- checking ----------------------------------------------------------------------------------------------
def _unsafe(archive: Path, member: str, why: str) -> UnsafeArchiveError:
    return UnsafeArchiveError(
        f"refusing to unpack {archive.name}: member {member!r} {why}",
        hint="the archive may be hostile or damaged; nothing of it was indexed (the rest of the build goes on)",
    )


def normalize_member_name(archive: Path, raw: str) -> str:
    """A member's path made relative and '/'-separated, or UnsafeArchiveError when it would escape."""
    name = raw.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or "\0" in name:
        raise _unsafe(archive, raw, "has an absolute path")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise _unsafe(archive, raw, "climbs out of the extraction folder ('..')")
    return "/".join(parts)


def _inside(link_from: str, target: str) -> str | None:
    """Where a relative link target lands, normalized; None when it leaves the extraction folder."""
    if target.startswith("/") or "\\" in target:
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(link_from), target))
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        return None
    return "" if joined == "." else joined


def _check_tar(archive: Path, tf: tarfile.TarFile, limits: ExtractLimits) -> list[_Member]:
    checked: list[_Member] = []
    total = 0
    files: set[str] = set()
    for count, info in enumerate(_iter_tar(tf), start=1):
        if count > limits.max_members:
            raise _unsafe(archive, info.name, f"is past the limit of {limits.max_members} members (a bomb?)")
        name = normalize_member_name(archive, info.name)
        if not name:
            continue
        if info.isdir():
            checked.append(_Member(name, "dir", 0, info))
        elif info.isreg():
            total += _checked_size(archive, info.name, info.size, total, limits)
            checked.append(_Member(name, "file", info.size, info))
            files.add(name)
        elif info.issym() or info.islnk():
            target = _inside(name, info.linkname) if info.issym() else _hardlink_target(archive, info)
            if target is None:
                what = "symbolic" if info.issym() else "hard"
                raise _unsafe(archive, info.name, f"is a {what} link pointing outside ({info.linkname!r})")
            if info.islnk() and target in files:
                checked.append(_Member(name, "copy", 0, info, target))
            # symbolic links are left out (indexing never follows them); hard links to earlier files are copies
        else:
            raise _unsafe(archive, info.name, "is a device, FIFO or other special file")
    return checked


def _iter_tar(tf: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    while True:
        info = tf.next()
        if info is None:
            return
        yield info


def _hardlink_target(archive: Path, info: tarfile.TarInfo) -> str | None:
    raw = info.linkname.replace("\\", "/")
    if raw.startswith("/") or ".." in raw.split("/"):
        return None
    return normalize_member_name(archive, raw)


def _check_zip(archive: Path, zf: zipfile.ZipFile, limits: ExtractLimits) -> list[_Member]:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise _unsafe(archive, infos[limits.max_members].filename,
                      f"is past the limit of {limits.max_members} members (a bomb?)")
    checked: list[_Member] = []
    total = 0
    for info in infos:
        name = normalize_member_name(archive, info.filename)
        mode = info.external_attr >> 16
        if not name:
            continue
        if stat.S_ISLNK(mode):
            with zf.open(info) as handle:
                target = _inside(name, handle.read(4096).decode("utf-8", "replace"))
            if target is None:
                raise _unsafe(archive, info.filename, "is a symbolic link pointing outside")
            continue  # links inside are left out: indexing never follows links
        if mode and (stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
            raise _unsafe(archive, info.filename, "is a device, FIFO or other special file")
        if info.is_dir():
            checked.append(_Member(name, "dir", 0, info))
            continue
        total += _checked_size(archive, info.filename, info.file_size, total, limits)
        checked.append(_Member(name, "file", info.file_size, info))
    return checked


def _checked_size(archive: Path, member: str, size: int, total: int, limits: ExtractLimits) -> int:
    if size > limits.max_member_bytes:
        raise _unsafe(archive, member, f"would unpack to {size:,} bytes, past the {limits.max_member_bytes:,} limit")
    if total + size > limits.max_total_bytes:
        raise _unsafe(archive, member, f"takes the archive past {limits.max_total_bytes:,} unpacked bytes (a bomb?)")
    return size


# -- writing -----------------------------------------------------------------------------------------------
def _tar_reader(tf: tarfile.TarFile, info: tarfile.TarInfo) -> IO[bytes]:
    handle = tf.extractfile(info)
    if handle is None:
        raise tarfile.TarError(f"cannot read member {info.name}")
    return handle


def _write_members(archive: Path, dest: Path, members: list[_Member], limits: ExtractLimits,
                   opener: object) -> None:
    written = 0
    root = dest.resolve()
    for member in members:
        path = root / member.name
        if member.kind == "dir":
            _make_dirs(archive, root, path)
            continue
        _make_dirs(archive, root, path.parent)
        if member.kind == "copy":
            source = root / member.target
            if source.is_file() and not source.is_symlink():
                written += source.stat().st_size
                _check_written(archive, member.name, written, limits)
                shutil.copyfile(source, path, follow_symlinks=False)
            continue
        with opener(member.handle) as reader:  # type: ignore[operator]
            written = _copy_counted(archive, member.name, reader, path, written, limits)


def _make_dirs(archive: Path, root: Path, path: Path) -> None:
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise _unsafe(archive, str(path.relative_to(root)), "is both a file and a folder")
    path.mkdir(parents=True, exist_ok=True)


def _copy_counted(archive: Path, name: str, reader: IO[bytes], path: Path, written: int,
                  limits: ExtractLimits) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o644)
    member_bytes = 0
    with os.fdopen(fd, "wb") as out:
        while chunk := reader.read(_CHUNK):
            member_bytes += len(chunk)
            written += len(chunk)
            if member_bytes > limits.max_member_bytes:
                raise _unsafe(archive, name, f"unpacks past the {limits.max_member_bytes:,}-byte limit (a bomb?)")
            _check_written(archive, name, written, limits)
            out.write(chunk)
    return written


def _check_written(archive: Path, name: str, written: int, limits: ExtractLimits) -> None:
    if written > limits.max_total_bytes:
        raise _unsafe(archive, name, f"takes the archive past {limits.max_total_bytes:,} unpacked bytes (a bomb?)")
