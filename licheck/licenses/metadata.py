"""Declared licenses in package metadata: PKG-INFO/METADATA, pyproject.toml, setup.cfg, package.json.

Each reader takes one folder and returns ``(expression, origin)`` or None; ``detect.py`` runs them
in precedence order.
"""

from __future__ import annotations

import configparser
import json
import tomllib
from email.parser import HeaderParser
from pathlib import Path

from licheck.licenses.expression import combine_expressions
from licheck.licenses.names import PROPRIETARY, license_from_classifier
from licheck.licenses.phrases import license_from_text
from licheck.licenses.spdx import NOASSERTION, looks_like_license_text, normalize_license

Found = tuple[str, str]  # (SPDX expression, origin)
MAX_METADATA_BYTES = 2_000_000


def read_text(path: Path) -> str | None:
    """A small regular file's content, or None when missing, a symlink (untrusted archives), too big or unreadable."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_METADATA_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def from_core_metadata(folder: Path) -> Found | None:
    """PKG-INFO/METADATA: License-Expression > License (a name, or a pasted text) > classifiers."""
    for path in _core_metadata_files(folder):
        text = read_text(path)
        if text is None:
            continue
        found = _from_core_metadata_text(text, path.name)
        if found:
            return found
    return None


def _core_metadata_files(folder: Path) -> list[Path]:
    paths = [folder / "PKG-INFO", folder / "METADATA"]
    for pattern in ("*.egg-info/PKG-INFO", "*.dist-info/METADATA"):
        paths.extend(sorted(folder.glob(pattern)))
    return paths


def _from_core_metadata_text(text: str, name: str) -> Found | None:
    """License-Expression > License as a name > license classifiers (several -> AND) > License as a text."""
    headers = HeaderParser().parsestr(text, headersonly=True)
    expression = normalize_license(headers.get("License-Expression"))
    if expression != NOASSERTION:
        return expression, f"{name} License-Expression"
    field = "\n".join(
        line.strip().lstrip("|") for line in (headers.get("License") or "").splitlines()
    ).strip()
    is_text = looks_like_license_text(field)
    if field and not is_text and (expression := normalize_license(field)) != NOASSERTION:
        return expression, f"{name} License"
    classifiers = [
        c for c in headers.get_all("Classifier") or () if c.strip().lower().startswith("license ::")
    ]
    found = [e for c in classifiers if (e := license_from_classifier(c))]
    if found:
        return combine_expressions(found, "AND"), f"{name} classifier"
    if is_text and (expression := normalize_license(field)) != NOASSERTION:
        return expression, f"{name} License (license text, phrase match)"
    return None


def from_pyproject(folder: Path) -> Found | None:
    """``[project].license``: an SPDX string (PEP 639), ``{text = ...}`` or ``{file = ...}``."""
    text = read_text(folder / "pyproject.toml")
    if text is None:
        return None
    try:
        license_value = tomllib.loads(text).get("project", {}).get("license")
    except tomllib.TOMLDecodeError:
        return None
    if isinstance(license_value, dict):
        if "file" in license_value:
            return _from_named_file(folder, str(license_value["file"]), "pyproject.toml license file")
        license_value = license_value.get("text")
    return _found(license_value, "pyproject.toml license")


def from_setup_cfg(folder: Path) -> Found | None:
    """``[metadata] license`` (``file: NAME`` reads that file)."""
    text = read_text(folder / "setup.cfg")
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    value = parser.get("metadata", "license", fallback=None)
    if value and value.strip().startswith("file:"):
        return _from_named_file(folder, value.split(":", 1)[1].strip(), "setup.cfg license file")
    return _found(value, "setup.cfg license")


def from_package_json(folder: Path) -> Found | None:
    """``"license"`` (string, ``{type}``, ``SEE LICENSE IN file``, ``UNLICENSED``) or legacy ``"licenses"``."""
    text = read_text(folder / "package.json")
    if text is None:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    value = data.get("license")
    if isinstance(value, dict):
        value = value.get("type")
    if isinstance(value, str):
        if value.strip().upper() == "UNLICENSED":
            return PROPRIETARY, "package.json license (UNLICENSED)"
        if value.strip().upper().startswith("SEE LICENSE IN"):
            return _from_named_file(
                folder, value.strip()[len("SEE LICENSE IN") :].strip(), "package.json license file"
            )
        return _found(value, "package.json license")
    legacy = data.get("licenses")
    if isinstance(legacy, list):
        names = [item.get("type") if isinstance(item, dict) else item for item in legacy]
        found = [normalize_license(n) for n in names if isinstance(n, str)]
        expression = combine_expressions(found, "OR")  # npm documents the legacy list as a choice
        if expression != NOASSERTION:
            return expression, "package.json licenses"
    return None


def _found(value: object, origin: str) -> Found | None:
    if not isinstance(value, str):
        return None
    expression = normalize_license(value)
    return (expression, origin) if expression != NOASSERTION else None


def _from_named_file(folder: Path, name: str, origin: str) -> Found | None:
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()):
        return None
    text = read_text(path)
    expression = license_from_text(text) if text else None
    return (expression, f"{origin} {name} (phrase match)") if expression else None
