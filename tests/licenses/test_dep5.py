from __future__ import annotations

from pathlib import Path

import pytest

from licheck.licenses.dep5 import debian_license_to_spdx, dep5_licenses
from licheck.licenses.detect import detect_package_license

COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: demo
# a comment line

Files: *
Copyright: 2020 Upstream Author
License: GPL-2+

Files: lib/*.c
       vendor/x.h
Copyright: 2019 Other Author
License: Expat
 Our own placeholder text for the Expat license body.
 .
 Second paragraph.

Files: lib/generated/*
Copyright: none
License: public-domain

Files: debian/*
Copyright: 2021 Packager
License: GPL-2+ or Artistic-2.0, and BSD-3-clause

License: GPL-2+
 Placeholder for the standalone license paragraph.
"""


@pytest.fixture
def debian_source(tmp_path: Path) -> Path:
    root = tmp_path / "demo-1.0"
    (root / "debian").mkdir(parents=True)
    (root / "debian" / "copyright").write_text(COPYRIGHT, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("relpath", "expression", "category"),
    [
        ("src/main.c", "GPL-2.0-or-later", "strong_copyleft"),
        ("lib/util.c", "MIT", "permissive"),
        ("lib/deep/nested/util.c", "MIT", "permissive"),
        ("vendor/x.h", "MIT", "permissive"),
        ("vendor/y.h", "GPL-2.0-or-later", "strong_copyleft"),
        ("lib/util.h", "GPL-2.0-or-later", "strong_copyleft"),
        ("lib/generated/table.c", "LicenseRef-scancode-public-domain", "public_domain"),
        ("debian/rules", "(GPL-2.0-or-later OR Artistic-2.0) AND BSD-3-Clause", "weak_copyleft"),
    ],
)
def test_each_file_gets_the_license_of_the_last_matching_stanza(
    debian_source: Path, relpath: str, expression: str, category: str
) -> None:
    dep5 = dep5_licenses(debian_source)
    assert dep5 is not None
    assert dep5.base == debian_source / "demo-1.0"
    info = dep5.license_for(relpath)
    assert info is not None
    assert (info.expression, info.category) == (expression, category)


def test_stanza_origin_names_the_matching_files_field(debian_source: Path) -> None:
    dep5 = dep5_licenses(debian_source)
    assert dep5 is not None
    info = dep5.license_for("lib/a.c")
    assert info is not None and info.origin == "debian/copyright (Files: lib/*.c vendor/x.h)"


def test_package_license_comes_from_the_files_star_stanza(debian_source: Path) -> None:
    info = detect_package_license(debian_source)
    assert (info.expression, info.origin) == ("GPL-2.0-or-later", "demo-1.0/debian/copyright (Files: *)")


def test_free_form_copyright_file_is_not_dep5(tmp_path: Path) -> None:
    (tmp_path / "debian").mkdir()
    (tmp_path / "debian" / "copyright").write_text(
        "This package was debianized by someone.\n", encoding="utf-8"
    )
    assert dep5_licenses(tmp_path) is None


def test_no_debian_folder_means_no_dep5(tmp_path: Path) -> None:
    assert dep5_licenses(tmp_path) is None


@pytest.mark.parametrize(
    ("debian", "spdx"),
    [
        ("GPL-2+", "GPL-2.0-or-later"),
        ("GPL-3", "GPL-3.0-only"),
        ("LGPL-2.1+", "LGPL-2.1-or-later"),
        ("Expat", "MIT"),
        ("BSD-3-clause", "BSD-3-Clause"),
        ("Apache-2.0", "Apache-2.0"),
        ("GPL-2+ with OpenSSL exception", "GPL-2.0-or-later"),
        ("GPL-2 with Font exception", "GPL-2.0-only WITH Font-exception-2.0"),
        ("LGPL-2.1+ and Expat", "LGPL-2.1-or-later AND MIT"),
        ("custom-license", "NOASSERTION"),
    ],
)
def test_debian_license_names_become_spdx(debian: str, spdx: str) -> None:
    assert debian_license_to_spdx(debian) == spdx
