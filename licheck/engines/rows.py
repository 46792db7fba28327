"""The rows a distributed build moves around, and the pure functions that make them.

A source task fetches and unpacks one manifest entry and yields a ``SourceRow`` and one ``FileRow`` per code
file (its bytes and the fetcher's per-file license); a file task analyses one file's bytes into an
``AnalyzedRow`` (the ``PackedFile`` the local build writes, with its licenses). They use the local build's own
functions: ``download_source``/``unpack_source``, ``iter_code_files``, ``analyze_file``, ``pack_file``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from licheck.analyze import UnreadableFile, analyze_file
from licheck.errors import LicheckError
from licheck.indexer import SourceSpec, _source_digest, license_from_header
from licheck.inputs.files import DEFAULT_MAX_BYTES, iter_code_files, read_bytes
from licheck.licenses.detect import LicenseInfo, detect_package_license, license_from_option, spdx_header_of
from licheck.sketch import MinHasher
from licheck.sources.fetch import download_source, unpack_source
from licheck.sources.manifest import ManifestEntry, _entry_digest
from licheck.sources.safe_extract import ExtractLimits
from licheck.store.index_db import SourceRecord
from licheck.store.packing import PackedFile, pack_file

License = tuple[str, str, str]  # expression, category, origin


@dataclass(frozen=True)
class SourceRow:
    number: int  # position in the manifest: the order the index is written in
    record: SourceRecord | None
    error: str = ""  # why the source could not be fetched or unpacked
    manual_license: bool = False  # the manifest set its license: SPDX headers do not override it


@dataclass(frozen=True)
class FileRow:
    number: int
    seq: int  # position of the file in its source (iter_code_files order)
    path: str
    data: bytes | None  # None: unreadable (see error)
    source_license: str
    override: License | None  # the fetcher's per-file license (DEP-5), when it differs
    manual_license: bool
    error: str = ""


@dataclass(frozen=True)
class AnalyzedRow:
    number: int
    seq: int
    path: str
    packed: PackedFile | None
    license: License | None
    skipped: str = ""  # the reason, when the file was not analysed
    failed: str = ""  # the analysis crashed: the whole source is left out and named for a rebuild


def source_rows(number: int, entry: ManifestEntry, *, cache: Path, limits: ExtractLimits | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[SourceRow | FileRow]:
    """Fetch and unpack one manifest entry; its record, then its files' bytes. Never raises for a bad source."""
    try:
        download = download_source(entry.ref, cache)
        with tempfile.TemporaryDirectory(prefix="licheck-unpack-") as workdir:
            spec = unpack_source(download, Path(workdir), limits=limits)
            spec = replace(spec, name=entry.name or spec.name, license=entry.license or spec.license,
                           url=entry.url or spec.url, digest=_entry_digest(entry, spec.digest))
            if entry.license:
                spec = replace(spec, license_info=None)
            yield from _spec_rows(number, spec, max_bytes=max_bytes)
    except (LicheckError, OSError) as exc:
        yield SourceRow(number, None, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one broken source must not fail the whole distributed job
        yield SourceRow(number, None, error=f"{type(exc).__name__}: {exc}")


def _spec_rows(number: int, spec: SourceSpec, *, max_bytes: int) -> Iterator[SourceRow | FileRow]:
    """As ``indexer.add_source`` describes a source and lists its files."""
    root = spec.root
    files = list(iter_code_files(root))
    info = spec.license_info or (license_from_option(spec.license) if spec.license else detect_package_license(
        root if root.is_dir() else root.parent))
    record = SourceRecord(
        name=spec.name or root.resolve().name, version=spec.version, origin=spec.origin or str(root), url=spec.url,
        digest=spec.digest or _source_digest(files), license=info.expression, license_category=info.category,
        license_origin=info.origin,
    )
    manual = bool(spec.license)
    yield SourceRow(number, record, manual_license=manual)
    for seq, item in enumerate(files):
        override = _override(spec, item.display, info)
        try:
            data, error = read_bytes(item.path, max_bytes=max_bytes), ""
        except OSError as exc:
            data, error = None, f"cannot read: {exc.strerror or exc}"
        yield FileRow(number, seq, item.display, data, info.expression, override, manual, error)


def _override(spec: SourceSpec, path: str, source_license: LicenseInfo) -> License | None:
    if spec.file_licenses is None:
        return None
    info = spec.file_licenses(path)
    if info is None or info.expression in (source_license.expression, "NOASSERTION"):
        return None
    return info.expression, info.category, info.origin


def analyze_row(row: FileRow, hasher: MinHasher, *, max_bytes: int = DEFAULT_MAX_BYTES) -> AnalyzedRow:
    """One file's bytes → its packed analysis and license, as ``indexer._analyze_one`` and ``_file_license`` do."""
    if row.data is None:
        return AnalyzedRow(row.number, row.seq, row.path, None, None, row.error)
    try:
        analysis = analyze_file(row.path, row.data, hasher, max_bytes=max_bytes)
    except UnreadableFile as exc:
        return AnalyzedRow(row.number, row.seq, row.path, None, None, str(exc))
    except RecursionError:
        return AnalyzedRow(row.number, row.seq, row.path, None, None, "too deeply nested to parse")
    header = spdx_header_of(row.data[:4096].decode("utf-8", "replace"))
    license_: License | None = row.override
    if header and not row.manual_license:
        info = license_from_header(header)
        license_ = (info.expression, info.category, info.origin)
    return AnalyzedRow(row.number, row.seq, row.path, pack_file(analysis), license_)
