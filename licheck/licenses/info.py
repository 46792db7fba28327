"""The license record attached to a source or a file."""

from __future__ import annotations

from dataclasses import dataclass

from licheck.licenses.categories import category_of


@dataclass(frozen=True)
class LicenseInfo:
    expression: str  # SPDX expression or "NOASSERTION"
    category: str  # one of categories.CATEGORIES
    origin: str  # where it came from, e.g. "PKG-INFO License-Expression", "LICENSE file (phrase match)"


def license_info(expression: str, origin: str) -> LicenseInfo:
    """A LicenseInfo whose category is derived from the expression."""
    return LicenseInfo(expression=expression, category=category_of(expression), origin=origin)


UNKNOWN_LICENSE = LicenseInfo(expression="NOASSERTION", category="unknown", origin="not found")
