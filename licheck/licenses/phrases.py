"""Recognize a license from its text (a LICENSE/COPYING file, or a text pasted into a License: field).

A cheap matcher: each license is recognized by a few short, distinctive phrases (our own list; the
texts are never stored here). Text is lowercased, quotes unified and whitespace collapsed first.
The GNU family is named by whichever GNU title appears first (the GPL-3.0 text mentions the AGPL,
the LGPL-3.0 text the GPL), and it also needs "free software foundation" (the MPL-2.0 and EPL-2.0
texts name the GPL as a secondary license). "Or later" is read from a notice's "(at your option) any later
version" outside the "how to apply these terms" appendix, which every full GNU text carries (the
license bodies' own "any later version" clauses do not count).
"""

from __future__ import annotations

import re

MAX_TEXT = 1_000_000

_GNU_TITLES = (
    ("gnu affero general public license", "AGPL"),
    ("gnu lesser general public license", "LGPL"),
    ("gnu library general public license", "LGPL"),
    ("gnu general public license", "GPL"),
    ("gnu free documentation license", "GFDL"),
)
_GNU_VERSIONS = {
    "AGPL": ("1.0", "3.0"),
    "LGPL": ("2.0", "2.1", "3.0"),
    "GPL": ("1.0", "2.0", "3.0"),
    "GFDL": ("1.1", "1.2", "1.3"),
}

_LATER_NOTICE = re.compile(r"\(at your option\),? any later version|or any later version of the license")
_BSD_GRANT = "redistribution and use in source and binary forms, with or without modification, are permitted"
_ISC_GRANT = re.compile(
    r"permission to use, copy, modify, (?:and/or |and )?distribute this software for any purpose"
)

# (expression, phrases that must all occur)
_SIMPLE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Apache-2.0", ("apache license", "version 2.0, january 2004")),
    ("Apache-2.0", ("licensed under the apache license, version 2.0",)),
    ("MPL-2.0", ("mozilla public license version 2.0",)),
    ("MPL-2.0", ("mozilla public license, v. 2.0",)),
    ("MPL-1.1", ("mozilla public license version 1.1",)),
    ("EPL-2.0", ("eclipse public license - v 2.0",)),
    ("EPL-1.0", ("eclipse public license - v 1.0",)),
    ("Unlicense", ("this is free and unencumbered software released into the public domain",)),
    ("CC0-1.0", ("cc0 1.0 universal",)),
    ("Zlib", ("altered source versions must be plainly marked as such", "must not be misrepresented")),
    ("PSF-2.0", ("python software foundation", "license agreement", "psf")),
    ("BSL-1.0", ("boost software license - version 1.0",)),
    ("WTFPL", ("do what the fuck you want to public license",)),
)


def normalize_text(text: str) -> str:
    """Lowercase, unify quotes and dashes, collapse whitespace and comment/markdown decoration."""
    text = text[:MAX_TEXT].lower()
    text = re.sub(r"[\u2018\u2019\u201c\u201d`]", "'", text).replace('"', "'")
    text = re.sub(r"[\u2013\u2014]", "-", text)
    text = re.sub(r"(?m)^\s*(?:#|//|/?\*+|;|--|>)\s?", " ", text)
    return " ".join(text.split())


def licenses_in_text(text: str) -> list[str]:
    """Every license recognized in the text, in a stable order (may be empty)."""
    norm = normalize_text(text)
    found: list[str] = []
    gnu = _gnu_license(norm)
    if gnu:
        found.append(gnu)
    for expression, phrases in _SIMPLE:
        if expression not in found and all(p in norm for p in phrases):
            found.append(expression)
    found.extend(e for e in (_mit_family(norm), _bsd_family(norm), _isc_family(norm)) if e)
    return found


def license_from_text(text: str) -> str | None:
    """The license(s) named by a text as one SPDX expression (several -> AND), or None."""
    found = licenses_in_text(text)
    if not found:
        return None
    return found[0] if len(found) == 1 else " AND ".join(found)


def _gnu_license(norm: str) -> str | None:
    if "free software foundation" not in norm:
        return None
    hits = [(norm.find(title), title, stem) for title, stem in _GNU_TITLES if title in norm]
    if not hits:
        return None
    position, title, stem = min(hits)
    body = norm.split("how to apply these terms", 1)[0]
    window = norm[position + len(title) : position + len(title) + 300]
    match = re.search(r"version (\d)(?:\.(\d))?", window)
    version = f"{match.group(1)}.{match.group(2) or '0'}" if match else None
    if version not in _GNU_VERSIONS[stem]:
        return f"{stem}-{_GNU_VERSIONS[stem][0]}-or-later" if version is None else None
    later = bool(_LATER_NOTICE.search(body))
    return f"{stem}-{version}-{'or-later' if later else 'only'}"


def _mit_family(norm: str) -> str | None:
    if "permission is hereby granted, free of charge, to any person obtaining a copy" not in norm:
        return None
    if "the above copyright notice and this permission notice shall be included" in norm:
        return "MIT"
    return "MIT-0"


def _bsd_family(norm: str) -> str | None:
    if _BSD_GRANT not in norm:
        return None
    if "all advertising materials mentioning features or use of this software" in norm:
        return "BSD-4-Clause"
    if "neither the name" in norm or "may not be used to endorse or promote products" in norm:
        return "BSD-3-Clause"
    return "BSD-2-Clause"


def _isc_family(norm: str) -> str | None:
    if not _ISC_GRANT.search(norm) or "with or without fee is hereby granted" not in norm:
        return None
    if "provided that the above copyright notice and this permission notice appear in all copies" in norm:
        return "ISC"
    return "0BSD"
