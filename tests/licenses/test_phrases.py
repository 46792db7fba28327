"""The phrase matcher on our own short fixtures, and on full license texts when the system has them.

Full texts are read at test time from /usr/share/common-licenses (Debian's base-files); they are
never copied into the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from licheck.licenses.phrases import license_from_text

COMMON_LICENSES = Path("/usr/share/common-licenses")


@pytest.mark.parametrize(
    ("name", "expression"),
    [
        ("Apache-2.0", "Apache-2.0"),
        ("BSD", "BSD-3-Clause"),
        ("CC0-1.0", "CC0-1.0"),
        ("GPL-2", "GPL-2.0-only"),
        ("GPL-3", "GPL-3.0-only"),
        ("LGPL-2.1", "LGPL-2.1-only"),
        ("LGPL-3", "LGPL-3.0-only"),
        ("MPL-2.0", "MPL-2.0"),
        ("GFDL-1.3", "GFDL-1.3-only"),
    ],
)
def test_full_license_texts_are_recognized(name: str, expression: str) -> None:
    path = COMMON_LICENSES / name
    if not path.is_file():
        pytest.skip(f"{path} not installed")
    assert license_from_text(path.read_text(encoding="utf-8", errors="replace")) == expression


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        (
            "Redistribution and use in source and binary forms, with or without modification, are permitted "
            "provided that the following conditions are met: (two conditions, our wording)",
            "BSD-2-Clause",
        ),
        (
            "Redistribution and use in source and binary forms, with or without modification, are permitted "
            "... Neither the name of the project nor its contributors may be used ...",
            "BSD-3-Clause",
        ),
        (
            "Permission to use, copy, modify, and/or distribute this software for any purpose with or without "
            "fee is hereby granted, provided that the above copyright notice and this permission notice appear "
            "in all copies.",
            "ISC",
        ),
        (
            "Permission to use, copy, modify, and/or distribute this software for any purpose with or without "
            "fee is hereby granted.",
            "0BSD",
        ),
        ("This is free and unencumbered software released into the public domain.", "Unlicense"),
        (
            "  * The origin of this software must not be misrepresented;\n"
            "  * Altered source versions must be plainly marked as such",
            "Zlib",
        ),
        ("This Source Code Form is subject to the terms of the Mozilla Public License, v. 2.0.", "MPL-2.0"),
        ("Eclipse Public License - v 2.0\nTHE ACCOMPANYING PROGRAM IS PROVIDED ...", "EPL-2.0"),
        (
            "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2\n"
            '1. This LICENSE AGREEMENT is between the Python Software Foundation ("PSF") ...',
            "PSF-2.0",
        ),
        (
            "GNU AFFERO GENERAL PUBLIC LICENSE\n Version 3, 19 November 2007\n"
            "Copyright (C) 2007 Free Software Foundation, Inc. (our excerpt)",
            "AGPL-3.0-only",
        ),
        (
            "# This library is free software; you can redistribute it and/or modify it under the terms of the\n"
            "# GNU Lesser General Public License as published by the Free Software Foundation; either\n"
            "# version 2.1 of the License, or (at your option) any later version.",
            "LGPL-2.1-or-later",
        ),
    ],
)
def test_key_phrases_identify_the_license(text: str, expression: str) -> None:
    assert license_from_text(text) == expression


def test_a_mere_mention_of_the_gpl_is_not_a_license() -> None:
    assert (
        license_from_text("# this parser is faster than the GPL one in GNU General Public License land")
        is None
    )
    assert license_from_text("Unlike GPL code, this helper is ours.") is None
