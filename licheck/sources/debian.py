"""Debian sources: `apt-get source --download-only` with an apt configuration private to licheck.

The system's apt configuration is only read (to learn its mirrors and keyrings), never written: licheck keeps
its own sources.list (deb-src lines), package lists and cache under the download cache and points apt-get at
them with -o options. The source package is unpacked with licheck's safe extractor (upstream tarballs, then
the debian/ tarball over them); patches are not applied. ``debian/copyright`` in DEP-5 format gives per-file
licenses, which the indexer records as overrides (an SPDX-License-Identifier header still wins).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from licheck.errors import SourceError
from licheck.indexer import FileLicenses, SourceSpec
from licheck.licenses.dep5 import Dep5, dep5_licenses
from licheck.licenses.info import LicenseInfo
from licheck.sources.cache import CachedDownload, files_digest, read_marker, slot, write_marker
from licheck.sources.download import Download, run_tool
from licheck.sources.safe_extract import (
    ExtractLimits,
    extract_archive,
    normalize_member_name,
    single_top_folder,
)
from licheck.sources.spec import SourceRef

DEFAULT_MIRROR = ("http://deb.debian.org/debian", "bookworm", "main", "/usr/share/keyrings/debian-archive-keyring.gpg")
LISTS_MAX_AGE_S = 7 * 24 * 3600
_APT_LOCK = threading.Lock()  # one apt-get at a time: they share the private lists
_HINT = ("check the source package name (apt-cache showsrc NAME) and version; licheck's apt lists live in "
         "the download cache and are refreshed weekly")


@dataclass(frozen=True)
class AptSource:
    uri: str
    suite: str
    components: str
    keyring: str


def download_debian(ref: SourceRef, cache: Path) -> Download:
    key = f"{ref.name}={ref.version}" if ref.version else ref.name
    folder = slot(cache, "deb", key)
    found = read_marker(folder)
    cached = found is not None
    if found is None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        found = _fetch(ref, folder, cache / "apt")
        write_marker(folder, found)
    return Download(ref, found.name, found.version, tuple(folder / f for f in found.files), found.digest, found.url,
                    found.origin, found.kind, cached)


def unpack_debian(download: Download, workdir: Path, *, limits: ExtractLimits | None = None) -> SourceSpec:
    files = [p for p in download.files if not p.name.endswith(".dsc")]
    origs = [p for p in files if re.search(r"\.orig\.tar\.\w+$", p.name)]
    components = [p for p in files if re.search(r"\.orig-[A-Za-z0-9-]+\.tar\.\w+$", p.name)]
    debian = [p for p in files if re.search(r"\.debian\.tar\.\w+$", p.name)]
    diffs = [p for p in files if p.name.endswith(".diff.gz")]
    native = [p for p in files if p not in (*origs, *components, *debian, *diffs) and ".tar." in p.name]
    main = (origs or native)[:1]
    if not main:
        raise SourceError(f"cannot unpack {download.ref.label}: no source tarball among {[p.name for p in files]}")
    root = single_top_folder(extract_archive(main[0], workdir / "src", limits=limits))
    for number, component in enumerate(components):
        name = re.search(r"\.orig-([A-Za-z0-9-]+)\.tar", component.name)
        part = single_top_folder(extract_archive(component, workdir / f"component{number}", limits=limits))
        target = root / normalize_member_name(component, name.group(1) if name else f"component{number}")
        if not target.exists():
            shutil.move(str(part), str(target))
    for archive in debian:
        extra = extract_archive(archive, workdir / "debian-part", limits=limits)
        _merge(extra, root)
    for diff in diffs:
        _apply_new_debian_files(diff, root)
    dep5 = dep5_licenses(root)
    package_license = dep5.package_license() if dep5 else None
    return SourceSpec(root, name=download.name, version=download.version, url=download.url, origin=download.origin,
                      digest=download.digest, license_info=_usable(package_license),
                      file_licenses=_file_licenses(dep5, root) if dep5 else None)


def _usable(info: LicenseInfo | None) -> LicenseInfo | None:
    return info if info is not None and info.expression != "NOASSERTION" else None


def _file_licenses(dep5: Dep5, root: Path) -> FileLicenses:
    prefix = "" if dep5.base.resolve() == root.resolve() else root.resolve().relative_to(dep5.base.resolve()).as_posix()

    def license_for(relpath: str) -> LicenseInfo | None:
        return dep5.license_for(f"{prefix}/{relpath}" if prefix else relpath)

    return license_for


def _merge(source: Path, dest: Path) -> None:
    """Move the unpacked debian/ tree over the upstream tree (files only; nothing outside ``dest``)."""
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.is_symlink():
            target = dest / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink():
                target.unlink()
            shutil.move(str(path), str(target))


def _apply_new_debian_files(diff: Path, root: Path) -> None:
    """From a 1.0-format .diff.gz, the files it creates under debian/ (enough for debian/copyright)."""
    with gzip.open(diff, "rt", encoding="utf-8", errors="replace") as handle:
        lines = handle.read(64 << 20).splitlines()
    current: list[str] | None = None
    target: Path | None = None
    for line in lines + ["--- end"]:
        if line.startswith("--- "):
            if current is not None and target is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text("\n".join(current) + "\n", encoding="utf-8")
            current, target = None, None
        elif line.startswith("+++ "):
            path = line[4:].split("\t")[0].split("/", 1)[-1]
            if path.startswith("debian/"):
                target = root / normalize_member_name(diff, path)
                current = []
        elif current is not None and line.startswith("+"):
            current.append(line[1:])


# -- apt-get with a private configuration -------------------------------------------------------------------
def _fetch(ref: SourceRef, folder: Path, apt_dir: Path) -> CachedDownload:
    with _APT_LOCK:
        options = _apt_options(apt_dir)
        _update_lists(apt_dir, options, ref)
        wanted = f"{ref.name}={ref.version}" if ref.version else ref.name
        run_tool(["apt-get", *options, "--quiet", "--download-only", "source", wanted], what=ref.label, cwd=folder,
                 hint=_HINT, env=_apt_env())
    dsc = sorted(folder.glob("*.dsc"))
    if not dsc:
        raise SourceError(f"cannot fetch {ref.label}: apt-get source left no .dsc", hint=_HINT)
    fields = _dsc_fields(dsc[0].read_text(encoding="utf-8", errors="replace"))
    names = [line.split()[-1] for line in fields.get("files", "").splitlines() if line.strip()]
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        raise SourceError(f"cannot fetch {ref.label}: apt-get source did not download {missing}", hint=_HINT)
    name, version = fields.get("source", ref.name), fields.get("version", ref.version)
    paths = [dsc[0], *(folder / n for n in names)]
    return CachedDownload(name, version, [p.name for p in paths], files_digest([dsc[0]]),
                          f"https://tracker.debian.org/pkg/{name}", f"deb:{name}={version}", "debian source")


def _apt_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APT_")}
    env.update({"LC_ALL": "C", "DEBIAN_FRONTEND": "noninteractive"})
    return env


def _apt_options(apt_dir: Path) -> list[str]:
    etc, state, cache = apt_dir / "etc", apt_dir / "state", apt_dir / "cache"
    for folder in (etc / "sources.list.d", etc / "preferences.d", etc / "trusted.gpg.d", state / "lists" / "partial",
                   cache / "archives" / "partial"):
        folder.mkdir(parents=True, exist_ok=True)
    (state / "status").touch()
    sources = etc / "sources.list"
    text = "".join(f"deb-src [signed-by={s.keyring}] {s.uri} {s.suite} {s.components}\n" for s in system_apt_sources())
    if not sources.is_file() or sources.read_text() != text:
        sources.write_text(text)
        (state / "lists-updated").unlink(missing_ok=True)
    options = {
        "Dir::Etc::SourceList": sources, "Dir::Etc::SourceParts": etc / "sources.list.d",
        "Dir::Etc::Preferences": etc / "preferences", "Dir::Etc::PreferencesParts": etc / "preferences.d",
        "Dir::Etc::TrustedParts": etc / "trusted.gpg.d", "Dir::State": state, "Dir::State::Lists": state / "lists",
        "Dir::State::status": state / "status", "Dir::Cache": cache, "Dir::Cache::archives": cache / "archives",
        "Acquire::Languages": "none", "APT::Get::Only-Source": "true",
    }
    args = [item for key, value in options.items() for item in ("-o", f"{key}={value}")]
    if os.geteuid() == 0:  # apt would hand downloads to the _apt user, who cannot write our folders
        args += ["-o", "APT::Sandbox::User=root"]
    return args


def _update_lists(apt_dir: Path, options: list[str], ref: SourceRef) -> None:
    stamp = apt_dir / "state" / "lists-updated"
    if stamp.is_file() and time.time() - stamp.stat().st_mtime < LISTS_MAX_AGE_S:
        return
    run_tool(["apt-get", *options, "--quiet", "update"], what=f"{ref.label} (apt-get update of licheck's own lists)",
             hint="check that the Debian mirror in /etc/apt/sources.list(.d) is reachable", env=_apt_env())
    stamp.touch()


def system_apt_sources() -> list[AptSource]:
    """The system's Debian mirrors (read only), as deb-src sources; a default mirror when none is found."""
    found: list[AptSource] = []
    parts = Path("/etc/apt/sources.list.d")
    for path in sorted(parts.glob("*.sources")) if parts.is_dir() else []:
        found.extend(_deb822_sources(path.read_text(encoding="utf-8", errors="replace")))
    legacy = [Path("/etc/apt/sources.list"), *(sorted(parts.glob("*.list")) if parts.is_dir() else [])]
    for path in legacy:
        if path.is_file():
            found.extend(_one_line_sources(path.read_text(encoding="utf-8", errors="replace")))
    debian = [s for s in found if "debian" in s.uri]
    unique = list(dict.fromkeys(debian))
    return unique or [AptSource(*DEFAULT_MIRROR)]


def _deb822_sources(text: str) -> list[AptSource]:
    result = []
    for paragraph in re.split(r"\n\s*\n", text):
        fields = _dsc_fields(paragraph)
        if "deb" not in fields.get("types", "").split() or fields.get("enabled", "yes").lower() == "no":
            continue
        keyring = fields.get("signed-by", DEFAULT_MIRROR[3]).strip()
        if not keyring.startswith("/"):
            keyring = DEFAULT_MIRROR[3]
        for uri in fields.get("uris", "").split():
            for suite in fields.get("suites", "").split():
                result.append(AptSource(uri, suite, fields.get("components", "main"), keyring))
    return result


def _one_line_sources(text: str) -> list[AptSource]:
    result = []
    for line in text.splitlines():
        match = re.match(r"^\s*deb\s+(?:\[(?P<opts>[^]]*)\]\s+)?(?P<uri>\S+)\s+(?P<suite>\S+)\s+(?P<comps>.+)$", line)
        if match:
            keyring = re.search(r"signed-by=(\S+)", match["opts"] or "")
            result.append(AptSource(match["uri"], match["suite"], match["comps"].strip(),
                                    keyring.group(1) if keyring else DEFAULT_MIRROR[3]))
    return result


def _dsc_fields(text: str) -> dict[str, str]:
    """RFC-822-style fields (keys lower-cased; continuation lines kept), ignoring a PGP armor."""
    fields: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if line.startswith(("-----BEGIN", "Hash:")) or line.startswith("#"):
            continue
        if line.startswith("-----"):
            break
        if line[:1] in (" ", "\t") and key:
            fields[key] += "\n" + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip().lower()
            fields[key] = value.strip()
    return fields
