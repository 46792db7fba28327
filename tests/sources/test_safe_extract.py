"""Archives are never trusted: hostile members refuse the whole archive and write nothing outside."""

from __future__ import annotations

import stat
import tarfile
from pathlib import Path

import pytest

from licheck.errors import SourceError, UnsafeArchiveError
from licheck.sources.safe_extract import ExtractLimits, extract_archive, single_top_folder
from tests.sources.conftest import file_member, link_member, special_member, tar_with, zip_with


def _extract(archive: Path, tmp_path: Path, limits: ExtractLimits | None = None) -> Path:
    return extract_archive(archive, tmp_path / "out" / "dest", limits=limits)


def _nothing_escaped(tmp_path: Path) -> None:
    assert not (tmp_path / "out" / "dest").exists(), "a refused archive must leave no partial tree"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []


def test_plain_tar_gz_unpacks_into_one_top_folder(tmp_path: Path) -> None:
    archive = tar_with(tmp_path / "pkg.tar.gz", [file_member("pkg-1.0/a.py", b"x = 1\n"),
                                                 file_member("pkg-1.0/sub/b.py", b"y = 2\n")])
    root = single_top_folder(_extract(archive, tmp_path))
    assert root.name == "pkg-1.0"
    assert (root / "sub" / "b.py").read_text() == "y = 2\n"
    assert stat.S_IMODE((root / "a.py").stat().st_mode) == 0o644


@pytest.mark.parametrize("name", ["../evil.py", "pkg/../../evil.py", "./../evil.py", "pkg\\..\\..\\evil.py"])
def test_member_climbing_out_with_dotdot_is_refused(tmp_path: Path, name: str) -> None:
    archive = tar_with(tmp_path / "bad.tar.gz", [file_member("pkg/ok.py", b"ok = 1\n"), file_member(name, b"x")])
    with pytest.raises(UnsafeArchiveError, match="climbs out"):
        _extract(archive, tmp_path)
    _nothing_escaped(tmp_path)
    assert not (tmp_path / "evil.py").exists() and not (tmp_path / "out" / "evil.py").exists()


@pytest.mark.parametrize("name", ["/tmp/evil.py", "//evil.py", "C:/evil.py"])
def test_member_with_absolute_path_is_refused(tmp_path: Path, name: str) -> None:
    archive = tar_with(tmp_path / "abs.tar", [file_member(name, b"x")], mode="w")
    with pytest.raises(UnsafeArchiveError, match="absolute path"):
        _extract(archive, tmp_path)
    _nothing_escaped(tmp_path)


@pytest.mark.parametrize("target", ["../../etc/passwd", "/etc/passwd", "sub/../../../outside"])
def test_symlink_pointing_outside_is_refused(tmp_path: Path, target: str) -> None:
    archive = tar_with(tmp_path / "link.tar.gz", [file_member("pkg/a.py", b"a = 1\n"), link_member("pkg/link", target)])
    with pytest.raises(UnsafeArchiveError, match="symbolic link pointing outside"):
        _extract(archive, tmp_path)
    _nothing_escaped(tmp_path)


def test_symlink_then_file_through_it_cannot_write_outside(tmp_path: Path) -> None:
    """The classic two-step escape: a link to '..' followed by a file written 'through' it."""
    archive = tar_with(tmp_path / "two-step.tar", [link_member("pkg/up", ".."), file_member("pkg/up/evil.py", b"x")],
                       mode="w")
    dest = _extract(archive, tmp_path)
    assert not (dest / "evil.py").exists()
    assert not (dest / "pkg" / "up").is_symlink() and (dest / "pkg" / "up" / "evil.py").is_file()
    escaping = tar_with(tmp_path / "escape.tar", [link_member("up", ".."), file_member("up/evil.py", b"x")], mode="w")
    with pytest.raises(UnsafeArchiveError, match="symbolic link pointing outside"):
        extract_archive(escaping, tmp_path / "out2")


def test_symlink_inside_is_left_out(tmp_path: Path) -> None:
    archive = tar_with(tmp_path / "in.tar.gz", [file_member("pkg/a.py", b"a = 1\n"), link_member("pkg/b.py", "a.py")])
    dest = _extract(archive, tmp_path)
    assert (dest / "pkg" / "a.py").is_file()
    assert not (dest / "pkg" / "b.py").exists()


@pytest.mark.parametrize("target", ["../outside.py", "/etc/shadow"])
def test_hard_link_pointing_outside_is_refused(tmp_path: Path, target: str) -> None:
    archive = tar_with(tmp_path / "hard.tar", [link_member("pkg/h.py", target, hard=True)], mode="w")
    with pytest.raises(UnsafeArchiveError, match="hard link pointing outside"):
        _extract(archive, tmp_path)


def test_hard_link_inside_becomes_a_plain_copy(tmp_path: Path) -> None:
    archive = tar_with(tmp_path / "hard.tar", [file_member("pkg/a.py", b"a = 1\n"),
                                                link_member("pkg/b.py", "pkg/a.py", hard=True)], mode="w")
    dest = _extract(archive, tmp_path)
    assert (dest / "pkg" / "b.py").read_text() == "a = 1\n"
    assert (dest / "pkg" / "b.py").stat().st_ino != (dest / "pkg" / "a.py").stat().st_ino


@pytest.mark.parametrize("kind", [tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE])
def test_device_and_fifo_members_are_refused(tmp_path: Path, kind: bytes) -> None:
    archive = tar_with(tmp_path / "dev.tar", [special_member("pkg/null", kind)], mode="w")
    with pytest.raises(UnsafeArchiveError, match="device, FIFO"):
        _extract(archive, tmp_path)


def test_too_many_members_is_refused(tmp_path: Path) -> None:
    archive = tar_with(tmp_path / "many.tar.gz", [file_member(f"pkg/f{i}.py", b"") for i in range(50)])
    with pytest.raises(UnsafeArchiveError, match="limit of 20 members"):
        _extract(archive, tmp_path, ExtractLimits(max_members=20))


def test_gzip_bomb_is_refused_before_filling_the_disk(tmp_path: Path) -> None:
    zeros = bytes(8 << 20)  # 8 MiB of zeros gzip to a few KiB
    archive = tar_with(tmp_path / "bomb.tar.gz", [file_member("pkg/a.py", zeros), file_member("pkg/b.py", zeros)])
    assert archive.stat().st_size < 100_000
    with pytest.raises(UnsafeArchiveError, match="a bomb"):
        _extract(archive, tmp_path, ExtractLimits(max_total_bytes=10 << 20))
    _nothing_escaped(tmp_path)


def test_member_past_the_size_limit_is_refused(tmp_path: Path) -> None:
    archive = tar_with(tmp_path / "big.tar.gz", [file_member("pkg/a.py", bytes(3 << 20))])
    with pytest.raises(UnsafeArchiveError, match="limit"):
        _extract(archive, tmp_path, ExtractLimits(max_member_bytes=1 << 20))


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    archive = zip_with(tmp_path / "bomb.zip", [(f"pkg/{i}.py", bytes(4 << 20), None) for i in range(4)])
    assert archive.stat().st_size < 200_000
    with pytest.raises(UnsafeArchiveError, match="a bomb"):
        _extract(archive, tmp_path, ExtractLimits(max_total_bytes=10 << 20))


@pytest.mark.parametrize(("name", "why"), [("../evil.py", "climbs out"), ("/evil.py", "absolute path"),
                                           ("pkg/../../evil.py", "climbs out")])
def test_zip_member_escaping_is_refused(tmp_path: Path, name: str, why: str) -> None:
    archive = zip_with(tmp_path / "bad.zip", [("pkg/ok.py", b"ok = 1\n", None), (name, b"x", None)])
    with pytest.raises(UnsafeArchiveError, match=why):
        _extract(archive, tmp_path)
    _nothing_escaped(tmp_path)


def test_zip_symlink_pointing_outside_is_refused(tmp_path: Path) -> None:
    archive = zip_with(tmp_path / "link.zip", [("pkg/link", b"../../../etc/passwd", stat.S_IFLNK | 0o777)])
    with pytest.raises(UnsafeArchiveError, match="symbolic link pointing outside"):
        _extract(archive, tmp_path)


def test_zip_device_member_is_refused(tmp_path: Path) -> None:
    archive = zip_with(tmp_path / "dev.zip", [("pkg/dev", b"", stat.S_IFCHR | 0o644)])
    with pytest.raises(UnsafeArchiveError, match="device"):
        _extract(archive, tmp_path)


def test_wheel_unpacks_like_a_zip(tmp_path: Path) -> None:
    archive = zip_with(tmp_path / "pkg-1.0-py3-none-any.whl", [("pkg/__init__.py", b"x = 1\n", 0o100644),
                                                               ("pkg-1.0.dist-info/METADATA", b"Name: pkg\n", None)])
    dest = _extract(archive, tmp_path)
    assert (dest / "pkg" / "__init__.py").read_text() == "x = 1\n"


def test_damaged_archive_is_a_source_error_not_a_crash(tmp_path: Path) -> None:
    archive = tmp_path / "broken.tar.gz"
    archive.write_bytes(b"\x1f\x8b\x08\x00garbage" * 10)
    with pytest.raises(SourceError, match="cannot unpack broken.tar.gz"):
        _extract(archive, tmp_path)


def test_refusal_message_names_the_archive_and_member_and_hints(tmp_path: Path) -> None:
    archive = tar_with(tmp_path / "named.tar.gz", [file_member("../../x.py", b"x")])
    with pytest.raises(UnsafeArchiveError) as caught:
        _extract(archive, tmp_path)
    text = str(caught.value)
    assert "named.tar.gz" in text and "'../../x.py'" in text and "hint:" in text
