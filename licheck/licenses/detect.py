"""Detect a source's license: declared metadata first, then LICENSE/COPYING files by key phrases.

Precedence in a folder: PKG-INFO/METADATA (License-Expression > License as a name > classifiers,
several joined with AND as ScanCode does > License holding a pasted text, by phrases) >
pyproject.toml > setup.cfg > package.json > debian/copyright > LICENSE*/LICENCE*/COPYING* files.
The root is searched first, then (only if the root gives nothing) each folder one level down, since
sdists and Debian sources unpack into a single top folder.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from licheck.errors import UsageError
from licheck.licenses.dep5 import Dep5, dep5_licenses, parse_dep5
from licheck.licenses.expression import combine_expressions
from licheck.licenses.info import UNKNOWN_LICENSE, LicenseInfo, license_info
from licheck.licenses.metadata import (
    Found,
    from_core_metadata,
    from_package_json,
    from_pyproject,
    from_setup_cfg,
    read_text,
)
from licheck.licenses.phrases import licenses_in_text
from licheck.licenses.spdx import NOASSERTION, normalize_license, parse_spdx

__all__ = [
    "Dep5",
    "LicenseInfo",
    "dep5_licenses",
    "detect_package_license",
    "license_from_files",
    "license_from_header",
    "license_from_option",
    "spdx_header_of",
]

HEADER_LINES = 40
_SPDX_HEADER = re.compile(r"SPDX-License-Identifier:\s*(.+)", re.IGNORECASE)
_COMMENT_CLOSERS = re.compile(r"\s*(?:\*/|-->|\*\)|#}|%>|\"\"\"|'''|\]\]|-%}|\*/\s*\}).*$")
_LICENSE_FILE = re.compile(r"^(?:un)?(?:licen[cs]e|copying)(?:[-._ ].*)?$", re.IGNORECASE)


def license_from_option(text: str) -> LicenseInfo:
    """A user-given ``--license``: an SPDX expression (or a common name such as "Apache 2.0")."""
    expression = normalize_license(text)
    if expression == NOASSERTION and text.strip().upper() != NOASSERTION:
        raise UsageError(
            f"--license {text!r} is not a license expression licheck recognizes",
            hint="give an SPDX expression such as 'MIT', 'Apache-2.0 OR MIT' or 'GPL-3.0-or-later' "
            "(ids: https://spdx.org/licenses/), or NOASSERTION when the license is unknown",
        )
    return license_info(expression, "--license option")


def spdx_header_of(text: str) -> str | None:
    """The normalized expression of an ``SPDX-License-Identifier:`` line in the first 40 lines, if valid."""
    for line in text.splitlines()[:HEADER_LINES]:
        match = _SPDX_HEADER.search(line)
        if match:
            value = _COMMENT_CLOSERS.sub("", match.group(1)).strip().strip("\"'").strip()
            return parse_spdx(value)
    return None


def license_from_header(text: str) -> LicenseInfo | None:
    """A file's own license from its SPDX-License-Identifier header (overrides the package's), if any."""
    expression = spdx_header_of(text)
    return license_info(expression, "SPDX-License-Identifier header") if expression else None


def detect_package_license(root: Path) -> LicenseInfo:
    """The license of a package folder, with where it came from; NOASSERTION/unknown when none is found."""
    folders = [root]
    if root.is_dir():
        folders.extend(sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")))
    for folder in folders:
        found = _declared_license(folder)
        if found:
            expression, origin = found
            prefix = "" if folder == root else f"{folder.name}/"
            return license_info(expression, prefix + origin)
    return UNKNOWN_LICENSE


def license_from_files(folder: Path) -> Found | None:
    """LICENSE*/LICENCE*/COPYING* files recognized by key phrases (several files -> AND)."""
    if not folder.is_dir():
        return None
    found: list[str] = []
    names: list[str] = []
    for path in sorted(folder.iterdir()):
        if not (path.is_file() and _LICENSE_FILE.match(path.name)):
            continue
        text = read_text(path)
        if text is None:
            continue
        from_file = licenses_in_text(text) or _short_license_file(text)
        if from_file:
            found.extend(from_file)
            names.append(path.name)
    found = _drop_gpl_beside_lgpl(found)
    if not found:
        return None
    return combine_expressions(found, "AND"), f"{', '.join(names)} file (phrase match)"


def _declared_license(folder: Path) -> Found | None:
    readers: tuple[Callable[[Path], Found | None], ...] = (
        from_core_metadata,
        from_pyproject,
        from_setup_cfg,
        from_package_json,
        _from_debian_copyright,
        license_from_files,
    )
    for reader in readers:
        found = reader(folder)
        if found:
            return found
    return None


def _from_debian_copyright(folder: Path) -> Found | None:
    path = folder / "debian" / "copyright"
    text = read_text(path)
    if text is None:
        return None
    dep5 = parse_dep5(text, base=folder)
    if dep5 is not None:
        info = dep5.package_license()
        if info and info.expression != NOASSERTION:
            return info.expression, info.origin
        return None
    found = licenses_in_text(text)  # a free-form copyright file
    return (combine_expressions(found, "AND"), "debian/copyright (phrase match)") if found else None


def _short_license_file(text: str) -> list[str]:
    """A LICENSE file holding only an id or a name ("MIT", "SPDX-License-Identifier: Apache-2.0")."""
    header = spdx_header_of(text)
    if header:
        return [header]
    stripped = text.strip()
    if stripped and len(stripped) <= 80 and "\n" not in stripped:
        expression = normalize_license(stripped)
        return [] if expression == NOASSERTION else [expression]
    return []


def _drop_gpl_beside_lgpl(found: list[str]) -> list[str]:
    """LGPL-3.0 projects ship the GPL-3.0 text too (LGPL-3.0 is written as additions to it)."""
    if any(e.startswith("LGPL-3.0") for e in found):
        return [e for e in found if not e.startswith("GPL-3.0")]
    return found
