"""Free-text license names (package metadata, trove classifiers) -> SPDX expression.

``"Apache License, Version 2.0"`` -> ``Apache-2.0``, ``"GNU GPL v2 or later"`` -> ``GPL-2.0-or-later``,
``"License :: OSI Approved :: MIT License"`` -> ``MIT``. Unversioned names follow the licenses' own
rules or the common reading: GPL without a version lets you choose any version (GPL-1.0-or-later),
LGPL -> LGPL-2.0-or-later, AGPL -> AGPL-3.0-or-later, Apache -> Apache-2.0, MPL -> MPL-2.0,
a bare "BSD" (the BSD License classifier) -> BSD-3-Clause.
"""

from __future__ import annotations

import re

from licheck.licenses.ids import canonical_license_id

PUBLIC_DOMAIN = "LicenseRef-scancode-public-domain"
PROPRIETARY = "LicenseRef-scancode-proprietary-license"

# (pattern on the cleaned name, SPDX stem, known versions, default version when none is given)
_VERSIONED: tuple[tuple[str, str, tuple[str, ...], str | None], ...] = (
    (r"\bagpl|affero", "AGPL", ("1.0", "3.0"), "3.0+"),
    (
        r"\blgpl|lesser general public|library general public|lesser gpl|library gpl",
        "LGPL",
        ("2.0", "2.1", "3.0"),
        "2.0+",
    ),
    (r"\bgpl|general public license|gnu public license", "GPL", ("1.0", "2.0", "3.0"), "1.0+"),
    (r"\bgfdl|free documentation", "GFDL", ("1.1", "1.2", "1.3"), "1.3+"),
    (r"\bapache|\basl\b", "Apache", ("1.0", "1.1", "2.0"), "2.0"),
    (r"\bmpl\b|mozilla public", "MPL", ("1.0", "1.1", "2.0"), "2.0"),
    (r"\bepl\b|eclipse public", "EPL", ("1.0", "2.0"), "2.0"),
    (r"\beupl\b|european union public", "EUPL", ("1.0", "1.1", "1.2"), "1.2"),
    (r"\bcddl\b|common development and distribution", "CDDL", ("1.0", "1.1"), "1.0"),
    (r"\bartistic\b", "Artistic", ("1.0", "2.0"), "2.0"),
)
_GNU_STEMS = ("AGPL", "LGPL", "GPL", "GFDL")

# (pattern, SPDX expression) for names without a useful version, tried in order
_FIXED: tuple[tuple[str, str], ...] = (
    (r"\b0bsd\b|zero.clause bsd|bsd.zero", "0BSD"),
    (r"\bbsd\b.*\b4.clause|\b4.clause\b.*\bbsd|original bsd|bsd original", "BSD-4-Clause"),
    (r"\bbsd\b.*\b2.clause|\b2.clause\b.*\bbsd|simplified bsd|freebsd|two.clause", "BSD-2-Clause"),
    (r"\bbsd\b", "BSD-3-Clause"),
    (r"\bmit.0\b|mit no attribution", "MIT-0"),
    (r"\bmit\b|\bexpat\b", "MIT"),
    (r"\bisc\b", "ISC"),
    (r"\bunlicense\b", "Unlicense"),
    (r"\bunlicensed\b|proprietary|commercial|all rights reserved", PROPRIETARY),
    (r"\bcc0\b|cc zero|creative commons zero", "CC0-1.0"),
    (r"public domain", PUBLIC_DOMAIN),
    (r"\bzlib\b", "Zlib"),
    (r"\bboost\b|\bbsl\b", "BSL-1.0"),
    (r"\bwtfpl\b|do what the fuck", "WTFPL"),
    (r"\bpsf\b|python software foundation", "PSF-2.0"),
    (r"\bcnri\b|\bpython\b", "Python-2.0"),
    (r"same terms as perl|\bperl\b", "Artistic-1.0-Perl OR GPL-1.0-or-later"),
    (r"\bms.pl\b|microsoft public", "MS-PL"),
    (r"\bms.rl\b|microsoft reciprocal", "MS-RL"),
    (r"\bupl\b|universal permissive", "UPL-1.0"),
    (r"\bsspl\b|server side public", "SSPL-1.0"),
    (r"\bbusl\b|business source", "BUSL-1.1"),
    (r"\bncsa\b|university of illinois", "NCSA"),
    (r"\bhpnd\b|historical permission notice", "HPND"),
    (r"\bofl\b|open font", "OFL-1.1"),
    (r"\bpostgresql\b", "PostgreSQL"),
    (r"\bopenssl\b", "OpenSSL"),
)

_LATER = re.compile(r"\+|or.later|or.newer|any.later|and.later|later.version|or.greater|\bplus\b")
_ONLY = re.compile(r"\bonly\b")
_VERSION = re.compile(r"(?<![\d.])v?(\d)(?:\.(\d+))?(?:\.0)?(?![\d])")
_UNINFORMATIVE_CLASSIFIERS = {"osi approved", "dfsg approved", "freely distributable", "freeware"}


def clean_name(name: str) -> str:
    """Lowercase, British spelling unified, punctuation (except ``+ . -``) turned into spaces."""
    text = name.lower().replace("licence", "license")
    text = re.sub(r"\b(a?gpl|lgpl|mpl|epl|eupl|gfdl|apache|cddl)v?(\d)", r"\1 \2", text)  # gplv3 -> gpl 3
    text = re.sub(r"[^a-z0-9+.\-/ ]+", " ", text)
    return " ".join(text.split())


def license_from_classifier(classifier: str) -> str | None:
    """``"License :: OSI Approved :: MIT License"`` -> ``"MIT"``; uninformative classifiers -> None."""
    parts = [p.strip() for p in classifier.split("::")]
    if not parts or parts[0].lower() != "license":
        return None
    useful = [p for p in parts[1:] if p.lower() not in _UNINFORMATIVE_CLASSIFIERS]
    if not useful:
        return None
    return license_from_name(useful[-1])


def license_from_name(name: str) -> str | None:
    """A free-text license name -> SPDX expression, or None when it names nothing we know."""
    text = clean_name(name)
    if not text:
        return None
    for pattern, stem, versions, default in _VERSIONED:
        if re.search(pattern, text):
            return _versioned_id(text, stem, versions, default)
    for pattern, expression in _FIXED:
        if re.search(pattern, text):
            return expression
    return None


def _versioned_id(text: str, stem: str, versions: tuple[str, ...], default: str | None) -> str | None:
    match = _VERSION.search(text)
    if match:
        version = f"{match.group(1)}.{match.group(2) or '0'}"
        later = bool(_LATER.search(text[match.start() :]))
    elif default:
        version, later = default.rstrip("+"), default.endswith("+")
    else:
        return None
    if version not in versions:
        return None
    if stem in _GNU_STEMS:
        suffix = "-or-later" if later and not _ONLY.search(text) else "-only"
        return canonical_license_id(f"{stem}-{version}{suffix}")
    return canonical_license_id(f"{stem}-{version}")
