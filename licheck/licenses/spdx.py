"""Free text, SPDX-ish ids, trove classifiers or pasted license text -> a valid SPDX expression."""

from __future__ import annotations

import re

from licheck.licenses.expression import (
    ExpressionError,
    combine_expressions,
    parse_expression,
    render_expression,
)
from licheck.licenses.names import license_from_classifier, license_from_name
from licheck.licenses.phrases import license_from_text

NOASSERTION = "NOASSERTION"
_EMPTY = {
    "",
    "unknown",
    "none",
    "noassertion",
    "n/a",
    "na",
    "-",
    "tbd",
    "todo",
    "other",
    "license",
    "see license",
}
_OR_SPLIT = re.compile(r"\s+or\s+|\s*/\s*|\s*\|\s*", re.IGNORECASE)
_INDIVISIBLE = re.compile(r"zlib\s*/\s*libpng|other\s*/\s*proprietary", re.IGNORECASE)
_AND_SPLIT = re.compile(r"\s+and\s+|\s*,\s*|\s*&\s*|\s*;\s*", re.IGNORECASE)


def looks_like_license_text(text: str) -> bool:
    """A License: field holding a pasted license (several lines or a long sentence) rather than a name."""
    return text.count("\n") >= 2 or len(text) > 150


def parse_spdx(text: str) -> str | None:
    """The canonical form of a valid SPDX expression made of known ids, else None."""
    try:
        return render_expression(parse_expression(text))
    except ExpressionError:
        return None


def normalize_license(text: str | None) -> str:
    """``"Apache License, Version 2.0"`` -> ``"Apache-2.0"``; unrecognizable -> ``"NOASSERTION"``."""
    if text is None:
        return NOASSERTION
    stripped = text.strip().strip("\"'").strip()
    if stripped.lower() in _EMPTY:
        return NOASSERTION
    if looks_like_license_text(stripped):
        return license_from_text(stripped) or NOASSERTION
    if stripped.lower().startswith("license ::"):
        return license_from_classifier(stripped) or NOASSERTION
    return parse_spdx(stripped) or _normalize_name(stripped) or NOASSERTION


def _normalize_name(text: str) -> str | None:
    """One name, or names joined by or-ish / and-ish separators ("MIT/Apache-2.0", "BSD and MIT")."""
    if _INDIVISIBLE.search(text):
        return license_from_name(text)
    for splitter, operator in ((_OR_SPLIT, "OR"), (_AND_SPLIT, "AND")):
        parts = [p.strip(" ()") for p in splitter.split(text) if p.strip(" ()")]
        if len(parts) < 2:
            continue
        names = [parse_spdx(p) or license_from_name(p) for p in parts]
        if all(names):
            return combine_expressions([n for n in names if n], operator)
    return license_from_name(text)
