"""SPDX expression -> licheck license category.

Categories come from the ScanCode license index bundled with license-expression (reduced to
``licheck/data/spdx_licenses.json`` by ``python -m licheck.licenses.build_data``):

=================================================  ===================
ScanCode category                                  licheck category
=================================================  ===================
Permissive                                         permissive
Copyleft Limited                                   weak_copyleft
Copyleft                                           strong_copyleft
Public Domain                                      public_domain
Proprietary Free, Commercial, Source-available,    proprietary
Free Restricted
Patent License, CLA, Unstated License, not known   unknown
=================================================  ===================

ScanCode files the network-copyleft licenses under Copyleft (or Copyleft Limited/Source-available);
licheck flags as ``network_copyleft`` the licenses whose copyleft is triggered by letting users
interact with the software over a network, not only by distributing it:

- AGPL-1.0 and AGPL-3.0 (every -only/-or-later form) and any ScanCode AGPL variant (LicenseRef-scancode-agpl-*);
- SSPL-1.0 (offering the program as a service requires releasing the service's whole stack);
- OSL-2.0, OSL-2.1, OSL-3.0 ("External Deployment" clause; OSL-1.x lacks it);
- RPL-1.1, RPL-1.5 ("Deploy" includes use by third parties);
- CPAL-1.0 (network use counts as distribution);
- EUPL-1.0, EUPL-1.1, EUPL-1.2 ("Distribution or Communication" includes providing online access
  to the work's essential functionalities; ScanCode files EUPL as Copyleft/Copyleft Limited);
- Parity-6.0.0, Parity-7.0.0.

Compound expressions: ``A OR B`` takes the least restrictive choice (the licensee may pick it),
``A AND B`` the most restrictive. ``A WITH exception`` has A's category: an exception only adds
permissions, so the conservative reading is the license's own. Restrictiveness order:
public_domain < permissive < weak_copyleft < strong_copyleft < network_copyleft < proprietary < unknown.
NOASSERTION, NONE and anything unparseable -> unknown.
"""

from __future__ import annotations

from functools import lru_cache

from licheck.licenses.expression import (
    ExpressionError,
    License,
    Node,
    WithException,
    parse_expression,
)
from licheck.licenses.ids import scancode_category_of

CATEGORIES = (
    "permissive",
    "weak_copyleft",
    "strong_copyleft",
    "network_copyleft",
    "public_domain",
    "proprietary",
    "unknown",
)

RESTRICTIVENESS = (
    "public_domain",
    "permissive",
    "weak_copyleft",
    "strong_copyleft",
    "network_copyleft",
    "proprietary",
    "unknown",
)

SCANCODE_CATEGORIES = {
    "Permissive": "permissive",
    "Copyleft Limited": "weak_copyleft",
    "Copyleft": "strong_copyleft",
    "Public Domain": "public_domain",
    "Proprietary Free": "proprietary",
    "Commercial": "proprietary",
    "Source-available": "proprietary",
    "Free Restricted": "proprietary",
    "Patent License": "unknown",
    "CLA": "unknown",
    "Unstated License": "unknown",
}

NETWORK_COPYLEFT_IDS = frozenset(
    {
        "AGPL-1.0",
        "AGPL-1.0-only",
        "AGPL-1.0-or-later",
        "AGPL-3.0",
        "AGPL-3.0-only",
        "AGPL-3.0-or-later",
        "SSPL-1.0",
        "OSL-2.0",
        "OSL-2.1",
        "OSL-3.0",
        "RPL-1.1",
        "RPL-1.5",
        "CPAL-1.0",
        "EUPL-1.0",
        "EUPL-1.1",
        "EUPL-1.2",
        "Parity-6.0.0",
        "Parity-7.0.0",
    }
)


def category_of_id(spdx_id: str) -> str:
    """Category of one license id (current SPDX id or LicenseRef-*)."""
    scancode = scancode_category_of(spdx_id)
    if scancode is None:
        return "unknown"
    if spdx_id in NETWORK_COPYLEFT_IDS:
        return "network_copyleft"
    if spdx_id.lower().startswith("licenseref-scancode-agpl") and scancode.startswith("Copyleft"):
        return "network_copyleft"
    return SCANCODE_CATEGORIES.get(scancode, "unknown")


def _category_of_node(node: Node) -> str:
    if isinstance(node, License):
        return category_of_id(node.id)
    if isinstance(node, WithException):
        return category_of_id(node.license.id)
    ranks = [RESTRICTIVENESS.index(_category_of_node(arg)) for arg in node.args]
    return RESTRICTIVENESS[min(ranks) if node.operator == "OR" else max(ranks)]


@lru_cache(maxsize=4096)
def category_of(expression: str) -> str:
    """``"MIT"`` -> ``"permissive"``; ``"MIT OR GPL-3.0-only"`` -> ``"permissive"``; junk -> ``"unknown"``."""
    try:
        return _category_of_node(parse_expression(expression))
    except ExpressionError:
        return "unknown"


def more_restrictive(a: str, b: str) -> str:
    """The more restrictive of two categories (useful when merging findings)."""
    return a if RESTRICTIVENESS.index(a) >= RESTRICTIVENESS.index(b) else b
