from __future__ import annotations

import pytest

from licheck.licenses.spdx import normalize_license


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("mit", "MIT"),
        ("Apache-2.0 OR MIT", "Apache-2.0 OR MIT"),
        ("apache-2.0 or mit", "Apache-2.0 OR MIT"),
        ("GPL-2.0+", "GPL-2.0-or-later"),
        ("GPL-2.0", "GPL-2.0-only"),
        ("AGPL-3.0-or-later", "AGPL-3.0-or-later"),
        ("LicenseRef-Acme-EULA", "LicenseRef-Acme-EULA"),
    ],
)
def test_spdx_expressions_are_normalized_and_deprecated_ids_updated(text: str, expression: str) -> None:
    assert normalize_license(text) == expression


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("Apache 2.0", "Apache-2.0"),
        ("Apache License, Version 2.0", "Apache-2.0"),
        ("MIT License", "MIT"),
        ("BSD", "BSD-3-Clause"),
        ("new BSD", "BSD-3-Clause"),
        ("BSD 3-Clause", "BSD-3-Clause"),
        ("Simplified BSD", "BSD-2-Clause"),
        ("GPLv3", "GPL-3.0-only"),
        ("GNU GPL v2 or later", "GPL-2.0-or-later"),
        ("LGPL", "LGPL-2.0-or-later"),
        ("LGPLv2.1+", "LGPL-2.1-or-later"),
        ("MPL 2.0", "MPL-2.0"),
        ("ISC license", "ISC"),
        ("PSF", "PSF-2.0"),
        ("Python Software Foundation License", "PSF-2.0"),
        ("Unlicense", "Unlicense"),
        ("The Unlicense", "Unlicense"),
        ("zlib/libpng", "Zlib"),
        ("MIT/Apache-2.0", "MIT OR Apache-2.0"),
        ("MIT or Apache 2.0", "MIT OR Apache-2.0"),
        ("Public Domain", "LicenseRef-scancode-public-domain"),
    ],
)
def test_free_text_names_from_package_metadata_become_spdx(text: str, expression: str) -> None:
    assert normalize_license(text) == expression


@pytest.mark.parametrize(
    ("classifier", "expression"),
    [
        ("License :: OSI Approved :: MIT License", "MIT"),
        ("License :: OSI Approved :: Apache Software License", "Apache-2.0"),
        ("License :: OSI Approved :: BSD License", "BSD-3-Clause"),
        ("License :: OSI Approved :: GNU General Public License v3 (GPLv3)", "GPL-3.0-only"),
        ("License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)", "GPL-2.0-or-later"),
        (
            "License :: OSI Approved :: GNU Library or Lesser General Public License (LGPL)",
            "LGPL-2.0-or-later",
        ),
        ("License :: OSI Approved :: GNU Affero General Public License v3", "AGPL-3.0-only"),
        ("License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"),
        ("License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication", "CC0-1.0"),
        ("License :: Other/Proprietary License", "LicenseRef-scancode-proprietary-license"),
        ("License :: OSI Approved", "NOASSERTION"),
    ],
)
def test_trove_classifiers_become_spdx(classifier: str, expression: str) -> None:
    assert normalize_license(classifier) == expression


@pytest.mark.parametrize("text", [None, "", "  ", "UNKNOWN", "none", "see LICENSE", "Some Custom Terms"])
def test_missing_or_unrecognizable_licenses_are_noassertion(text: str | None) -> None:
    assert normalize_license(text) == "NOASSERTION"


def test_license_text_pasted_into_a_license_field_is_recognized_by_its_phrases() -> None:
    pasted = (
        "Copyright (c) 2024 Example Author\n\n"
        "Permission is hereby granted, free of charge, to any person obtaining a copy\n"
        "of this software and associated documentation files, to deal in the Software\n"
        "without restriction.\n\n"
        "The above copyright notice and this permission notice shall be included in\n"
        "all copies or substantial portions of the Software.\n"
    )
    assert normalize_license(pasted) == "MIT"
