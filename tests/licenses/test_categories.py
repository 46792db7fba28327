from __future__ import annotations

import pytest

from licheck.licenses.categories import CATEGORIES, category_of
from licheck.licenses.obligations import obligations_for


@pytest.mark.parametrize(
    ("expression", "category"),
    [
        ("MIT", "permissive"),
        ("BSD-3-Clause", "permissive"),
        ("Apache-2.0", "permissive"),
        ("MPL-2.0", "weak_copyleft"),
        ("LGPL-2.1-only", "weak_copyleft"),
        ("GPL-3.0-or-later", "strong_copyleft"),
        ("AGPL-3.0-only", "network_copyleft"),
        ("AGPL-3.0-or-later", "network_copyleft"),
        ("SSPL-1.0", "network_copyleft"),
        ("EUPL-1.2", "network_copyleft"),
        ("Unlicense", "public_domain"),
        ("CC0-1.0", "public_domain"),
        ("BUSL-1.1", "proprietary"),
        ("LicenseRef-scancode-proprietary-license", "proprietary"),
    ],
)
def test_single_ids_map_to_their_category(expression: str, category: str) -> None:
    assert category_of(expression) == category


def test_deprecated_and_lowercase_ids_get_the_same_category_as_current_ids() -> None:
    assert category_of("gpl-2.0+") == category_of("GPL-2.0-or-later") == "strong_copyleft"
    assert category_of("AGPL-3.0") == "network_copyleft"
    assert category_of("mit") == "permissive"


def test_or_takes_the_least_restrictive_choice() -> None:
    assert category_of("MIT OR GPL-3.0-only") == "permissive"
    assert category_of("GPL-2.0-only OR AGPL-3.0-only") == "strong_copyleft"
    assert category_of("LicenseRef-not-known OR LGPL-2.1-only") == "weak_copyleft"


def test_and_takes_the_most_restrictive_part() -> None:
    assert category_of("MIT AND GPL-3.0-only") == "strong_copyleft"
    assert category_of("Apache-2.0 AND (MIT OR AGPL-3.0-only)") == "permissive"
    assert category_of("Apache-2.0 AND (GPL-2.0-only OR AGPL-3.0-only)") == "strong_copyleft"
    assert category_of("MIT AND LicenseRef-not-known") == "unknown"


def test_with_exception_keeps_the_license_category() -> None:
    assert category_of("GPL-2.0-only WITH Classpath-exception-2.0") == "strong_copyleft"
    assert category_of("Apache-2.0 WITH LLVM-exception") == "permissive"


@pytest.mark.parametrize(
    "expression", ["NOASSERTION", "NONE", "", "not a license", "MIT AND", "LicenseRef-mine"]
)
def test_unknown_or_unparseable_expressions_are_unknown(expression: str) -> None:
    assert category_of(expression) == "unknown"


def test_every_category_has_obligations_and_stronger_ones_add_to_weaker_ones() -> None:
    for category in CATEGORIES:
        assert isinstance(obligations_for(category), tuple)
    assert obligations_for("permissive") == ("attribution", "include license notice")
    assert "release derived work under the same license" in obligations_for("strong_copyleft")
    network = obligations_for("network_copyleft")
    assert set(obligations_for("strong_copyleft")) < set(network)
    assert "offer source to network users" in network
    assert obligations_for("unknown") == ("license unknown: review before use",)
    assert obligations_for("no such category") == obligations_for("unknown")
