"""Machine-readable ``debian/copyright`` (DEP-5): per-file licenses of a Debian source package.

Format: paragraphs separated by blank lines; the header paragraph has ``Format:``; each ``Files:``
paragraph lists whitespace-separated globs (``*`` matches any characters including ``/``, ``?`` one
character, ``\\`` escapes) relative to the source root, and its ``License:`` first line is an
expression over Debian short names (``GPL-2+``, ``Expat``, ``BSD-3-clause``, ``public-domain``)
joined by ``and``/``or``, with commas lowering precedence. The last matching paragraph wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from licheck.licenses.ids import canonical_exception_id
from licheck.licenses.info import LicenseInfo, license_info
from licheck.licenses.metadata import read_text
from licheck.licenses.names import PUBLIC_DOMAIN, license_from_name
from licheck.licenses.spdx import parse_spdx

_DEBIAN_NAMES = {
    "expat": "MIT",
    "public-domain": PUBLIC_DOMAIN,
    "perl": "Artistic-1.0-Perl OR GPL-1.0-or-later",
    "artistic": "Artistic-1.0",
    "gpl": "GPL-1.0-or-later",
    "lgpl": "LGPL-2.0-or-later",
    "agpl": "AGPL-3.0-or-later",
    "python-cnri": "CNRI-Python",
    "zope": "ZPL-2.1",
    "cc0": "CC0-1.0",
}
_GNU_NAME = re.compile(r"^(a?gpl|lgpl|gfdl)-(\d)(?:\.(\d))?(\+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Dep5Stanza:
    patterns: tuple[str, ...]
    regex: re.Pattern[str]
    license: LicenseInfo


@dataclass(frozen=True)
class Dep5:
    base: Path  # the folder holding debian/; license_for() takes paths relative to it
    header: LicenseInfo | None  # the header paragraph's License:, when given
    stanzas: tuple[Dep5Stanza, ...]

    def license_for(self, relpath: str | Path) -> LicenseInfo | None:
        """The license of a file (path relative to ``base``): the last matching Files: paragraph."""
        path = PurePosixPath(str(relpath).replace("\\", "/")).as_posix().removeprefix("./")
        for stanza in reversed(self.stanzas):
            if stanza.regex.fullmatch(path):
                return stanza.license
        return None

    def package_license(self) -> LicenseInfo | None:
        """The package's overall license: the header's License:, else the ``Files: *`` paragraph's."""
        if self.header is not None:
            return self.header
        return next((s.license for s in self.stanzas if "*" in s.patterns), None)


def dep5_licenses(root: Path) -> Dep5 | None:
    """Parse ``debian/copyright`` in root or one folder down; None when absent or not DEP-5."""
    subdirs = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    for base in (root, *subdirs):
        text = read_text(base / "debian" / "copyright")
        if text is not None:
            return parse_dep5(text, base=base)
    return None


def parse_dep5(text: str, *, base: Path) -> Dep5 | None:
    """Parse DEP-5 text; None when the header paragraph has no ``Format:`` field."""
    paragraphs = _paragraphs(text)
    if not paragraphs or "format" not in paragraphs[0]:
        return None
    header = paragraphs[0]
    header_license = None
    if "license" in header and "files" not in header:
        header_license = _license_field(header["license"], "debian/copyright header")
    stanzas = []
    for paragraph in paragraphs:
        if "files" in paragraph and "license" in paragraph:
            patterns = tuple(paragraph["files"].split())
            origin = f"debian/copyright (Files: {' '.join(patterns)})"
            stanzas.append(
                Dep5Stanza(patterns, _globs_regex(patterns), _license_field(paragraph["license"], origin))
            )
    return Dep5(base=base, header=header_license, stanzas=tuple(stanzas))


def debian_license_to_spdx(expression: str) -> str:
    """``"GPL-2+ or Artistic-2.0, and Expat"`` -> ``"(GPL-2.0-or-later OR Artistic-2.0) AND MIT"``."""
    groups = re.split(r",\s*(?=(?:and|or)\b)", expression.strip(), flags=re.IGNORECASE)
    parts: list[str] = []
    for index, group in enumerate(groups):
        words = group.split()
        operator = ""
        if index and words and words[0].lower() in ("and", "or"):
            operator = words.pop(0).upper()
        converted = _convert_words(words)
        if converted is None:
            return "NOASSERTION"
        parts.append(f"{operator} ({converted})" if operator else f"({converted})")
    return parse_spdx(" ".join(parts)) or "NOASSERTION"


def debian_name_to_spdx(name: str) -> str | None:
    """One Debian short license name -> SPDX expression (None when unknown)."""
    lowered = name.lower()
    if lowered in _DEBIAN_NAMES:
        return _DEBIAN_NAMES[lowered]
    gnu = _GNU_NAME.match(name)
    if gnu:
        stem, major, minor, later = gnu.groups()
        return parse_spdx(f"{stem.upper()}-{major}.{minor or '0'}-{'or-later' if later else 'only'}")
    return parse_spdx(name) or license_from_name(name)


def _convert_words(words: list[str]) -> str | None:
    out: list[str] = []
    position = 0
    while position < len(words):
        word = words[position]
        if word.lower() in ("and", "or"):
            out.append(word.upper())
        elif word.lower() == "with":
            end = next(
                (i for i in range(position, len(words)) if words[i].lower() == "exception"), len(words) - 1
            )
            exception = _exception_id(" ".join(words[position + 1 : end]))
            if exception:
                out.append(f"WITH {exception}")
            position = end
        else:
            spdx = debian_name_to_spdx(word)
            if spdx is None:
                return None
            out.append(f"({spdx})" if " " in spdx else spdx)
        position += 1
    return " ".join(out) if out else None


def _exception_id(name: str) -> str | None:
    """Known SPDX exceptions are kept; unknown ones are dropped (an exception only adds permissions)."""
    stem = name.strip().replace(" ", "-")
    for candidate in (stem, f"{stem}-exception", f"{stem}-exception-2.0"):
        found = canonical_exception_id(candidate)
        if found:
            return found
    return None


def _license_field(value: str, origin: str) -> LicenseInfo:
    first_line = value.strip().splitlines()[0] if value.strip() else ""
    return license_info(debian_license_to_spdx(first_line) if first_line else "NOASSERTION", origin)


def _globs_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{_glob_regex(p.removeprefix('./'))})" for p in patterns))


def _glob_regex(pattern: str) -> str:
    out, position = [], 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\" and position + 1 < len(pattern):
            position += 1
            out.append(re.escape(pattern[position]))
        elif char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        else:
            out.append(re.escape(char))
        position += 1
    return "".join(out)


def _paragraphs(text: str) -> list[dict[str, str]]:
    paragraphs: list[dict[str, str]] = []
    current: dict[str, str] = {}
    field = None
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            if current:
                paragraphs.append(current)
            current, field = {}, None
        elif line[0] in " \t" and field is not None:
            current[field] += "\n" + line.strip()
        elif ":" in line:
            name, _, value = line.partition(":")
            field = name.strip().lower()
            current[field] = value.strip()
    if current:
        paragraphs.append(current)
    return paragraphs
