from __future__ import annotations

import json
from pathlib import Path

import pytest

from licheck.errors import UsageError
from licheck.licenses.detect import (
    detect_package_license,
    license_from_header,
    license_from_option,
    spdx_header_of,
)

MIT_PHRASES = (
    "Copyright (c) 2024 Example Author\n\n"
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this software\n"
    "(our own fixture, not a full license text).\n"
    "The above copyright notice and this permission notice shall be included in all copies.\n"
)
GPL3_NOTICE = (
    "This program is free software: you can redistribute it and/or modify it under the terms of the\n"
    "GNU General Public License as published by the Free Software Foundation, either version 3 of the\n"
    "License, or (at your option) any later version.\n"
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def pkg_info(*lines: str) -> str:
    return "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n" + "".join(f"{line}\n" for line in lines)


def test_license_expression_wins_over_license_and_classifiers(tmp_path: Path) -> None:
    write(
        tmp_path / "PKG-INFO",
        pkg_info(
            "License-Expression: Apache-2.0",
            "License: MIT",
            "Classifier: License :: OSI Approved :: BSD License",
        ),
    )
    info = detect_package_license(tmp_path)
    assert (info.expression, info.category, info.origin) == (
        "Apache-2.0",
        "permissive",
        "PKG-INFO License-Expression",
    )


def test_license_field_wins_over_classifiers(tmp_path: Path) -> None:
    write(
        tmp_path / "PKG-INFO",
        pkg_info("License: GPLv3+", "Classifier: License :: OSI Approved :: MIT License"),
    )
    info = detect_package_license(tmp_path)
    assert (info.expression, info.category) == ("GPL-3.0-or-later", "strong_copyleft")
    assert info.origin == "PKG-INFO License"


def test_unknown_license_field_falls_back_to_classifiers(tmp_path: Path) -> None:
    write(
        tmp_path / "PKG-INFO",
        pkg_info(
            "License: UNKNOWN",
            "Classifier: Programming Language :: Python",
            "Classifier: License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)",
        ),
    )
    info = detect_package_license(tmp_path)
    assert (info.expression, info.category, info.origin) == (
        "AGPL-3.0-or-later",
        "network_copyleft",
        "PKG-INFO classifier",
    )


def test_license_text_pasted_into_pkg_info_is_matched_by_phrases(tmp_path: Path) -> None:
    folded = MIT_PHRASES.replace("\n", "\n        ")
    write(tmp_path / "PKG-INFO", pkg_info(f"License: {folded}", "Classifier: Programming Language :: C"))
    info = detect_package_license(tmp_path)
    assert info.expression == "MIT"
    assert info.origin == "PKG-INFO License (license text, phrase match)"


def test_classifiers_win_over_license_text_pasted_into_pkg_info(tmp_path: Path) -> None:
    folded = MIT_PHRASES.replace("\n", "\n        ")
    write(
        tmp_path / "PKG-INFO",
        pkg_info(f"License: {folded}", "Classifier: License :: OSI Approved :: BSD License"),
    )
    info = detect_package_license(tmp_path)
    assert (info.expression, info.origin) == ("BSD-3-Clause", "PKG-INFO classifier")


def test_several_license_classifiers_are_all_required(tmp_path: Path) -> None:
    write(
        tmp_path / "METADATA",
        pkg_info(
            "Classifier: License :: OSI Approved :: MIT License",
            "Classifier: License :: OSI Approved :: GNU General Public License v2 (GPLv2)",
        ),
    )
    info = detect_package_license(tmp_path)
    assert (info.expression, info.category) == ("MIT AND GPL-2.0-only", "strong_copyleft")


def test_sdist_top_folder_one_level_down_is_searched(tmp_path: Path) -> None:
    write(tmp_path / "demo-1.0" / "PKG-INFO", pkg_info("License: BSD 3-Clause"))
    info = detect_package_license(tmp_path)
    assert info.expression == "BSD-3-Clause"
    assert info.origin == "demo-1.0/PKG-INFO License"


def test_pyproject_license_string_and_table_forms(tmp_path: Path) -> None:
    write(tmp_path / "a" / "pyproject.toml", '[project]\nname = "a"\nlicense = "MIT OR Apache-2.0"\n')
    write(
        tmp_path / "b" / "pyproject.toml", '[project]\nname = "b"\nlicense = {text = "LGPL-2.1-or-later"}\n'
    )
    a, b = detect_package_license(tmp_path / "a"), detect_package_license(tmp_path / "b")
    assert (a.expression, a.origin) == ("MIT OR Apache-2.0", "pyproject.toml license")
    assert (b.expression, b.category) == ("LGPL-2.1-or-later", "weak_copyleft")


def test_pkg_info_wins_over_pyproject_and_license_files(tmp_path: Path) -> None:
    write(tmp_path / "PKG-INFO", pkg_info("License-Expression: MPL-2.0"))
    write(tmp_path / "pyproject.toml", '[project]\nlicense = "MIT"\n')
    write(tmp_path / "LICENSE", MIT_PHRASES)
    assert detect_package_license(tmp_path).expression == "MPL-2.0"


def test_pyproject_license_file_is_read_by_phrases(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "a"\nlicense = {file = "LICENSE.md"}\n')
    write(tmp_path / "LICENSE.md", MIT_PHRASES)
    info = detect_package_license(tmp_path)
    assert (info.expression, info.origin) == ("MIT", "pyproject.toml license file LICENSE.md (phrase match)")


def test_setup_cfg_metadata_license(tmp_path: Path) -> None:
    write(tmp_path / "setup.cfg", "[metadata]\nname = demo\nlicense = Apache License, Version 2.0\n")
    info = detect_package_license(tmp_path)
    assert (info.expression, info.origin) == ("Apache-2.0", "setup.cfg license")


@pytest.mark.parametrize(
    ("package", "expression", "origin"),
    [
        ({"license": "ISC"}, "ISC", "package.json license"),
        ({"license": "(MIT OR GPL-3.0-or-later)"}, "MIT OR GPL-3.0-or-later", "package.json license"),
        ({"license": {"type": "BSD-2-Clause"}}, "BSD-2-Clause", "package.json license"),
        (
            {"licenses": [{"type": "MIT"}, {"type": "Apache-2.0"}]},
            "MIT OR Apache-2.0",
            "package.json licenses",
        ),
        (
            {"license": "UNLICENSED"},
            "LicenseRef-scancode-proprietary-license",
            "package.json license (UNLICENSED)",
        ),
    ],
)
def test_package_json_license_forms(
    tmp_path: Path, package: dict[str, object], expression: str, origin: str
) -> None:
    write(tmp_path / "package" / "package.json", json.dumps({"name": "demo", **package}))
    info = detect_package_license(tmp_path)
    assert info.expression == expression
    assert info.origin == f"package/{origin}"


def test_npm_unlicensed_is_proprietary_not_the_unlicense(tmp_path: Path) -> None:
    write(tmp_path / "package.json", json.dumps({"license": "UNLICENSED"}))
    assert detect_package_license(tmp_path).category == "proprietary"


def test_license_file_is_recognized_by_key_phrases_when_no_metadata(tmp_path: Path) -> None:
    write(tmp_path / "LICENSE.txt", MIT_PHRASES)
    info = detect_package_license(tmp_path)
    assert (info.expression, info.category) == ("MIT", "permissive")
    assert info.origin == "LICENSE.txt file (phrase match)"


def test_gpl_or_later_is_read_from_any_later_version_in_copying(tmp_path: Path) -> None:
    write(tmp_path / "COPYING", GPL3_NOTICE)
    assert detect_package_license(tmp_path).expression == "GPL-3.0-or-later"


def test_source_file_mentioning_gpl_is_not_taken_for_a_license(tmp_path: Path) -> None:
    write(tmp_path / "main.py", f'"""{GPL3_NOTICE}"""\n# unlike GPL code, this is fine\n')
    write(tmp_path / "README.md", "This tool is not GPL; see GNU General Public License elsewhere.\n")
    info = detect_package_license(tmp_path)
    assert (info.expression, info.category, info.origin) == ("NOASSERTION", "unknown", "not found")


def test_lgpl3_project_shipping_the_gpl3_text_too_is_lgpl(tmp_path: Path) -> None:
    common = Path("/usr/share/common-licenses")
    if not (common / "GPL-3").is_file() or not (common / "LGPL-3").is_file():
        pytest.skip("/usr/share/common-licenses texts not installed")
    write(tmp_path / "COPYING", (common / "GPL-3").read_text(encoding="utf-8"))
    write(tmp_path / "COPYING.LESSER", (common / "LGPL-3").read_text(encoding="utf-8"))
    info = detect_package_license(tmp_path)
    assert (info.expression, info.category) == ("LGPL-3.0-only", "weak_copyleft")
    assert info.origin == "COPYING, COPYING.LESSER file (phrase match)"


def test_symlinked_license_file_is_not_followed(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "text", MIT_PHRASES)
    package = tmp_path / "package"
    package.mkdir()
    (package / "LICENSE").symlink_to(outside)
    assert detect_package_license(package).expression == "NOASSERTION"


def test_license_file_holding_only_an_spdx_id(tmp_path: Path) -> None:
    write(tmp_path / "LICENSE", "Apache-2.0\n")
    assert detect_package_license(tmp_path).expression == "Apache-2.0"


def test_empty_folder_has_unknown_license(tmp_path: Path) -> None:
    info = detect_package_license(tmp_path)
    assert (info.expression, info.category) == ("NOASSERTION", "unknown")


@pytest.mark.parametrize(
    ("source", "expression"),
    [
        ("#!/usr/bin/env python\n# SPDX-License-Identifier: GPL-2.0+\nimport os\n", "GPL-2.0-or-later"),
        ("/* SPDX-License-Identifier: MIT OR Apache-2.0 */\nint x;\n", "MIT OR Apache-2.0"),
        ("// SPDX-License-Identifier: AGPL-3.0-only\n", "AGPL-3.0-only"),
        ("<!-- SPDX-License-Identifier: BSD-3-Clause -->\n<html/>\n", "BSD-3-Clause"),
        ("-- SPDX-License-Identifier: mpl-2.0\n", "MPL-2.0"),
    ],
)
def test_spdx_header_is_read_in_any_comment_style(source: str, expression: str) -> None:
    assert spdx_header_of(source) == expression


def test_spdx_header_gives_a_file_license_with_its_origin() -> None:
    info = license_from_header("# SPDX-License-Identifier: AGPL-3.0-or-later\n")
    assert info is not None
    assert (info.expression, info.category, info.origin) == (
        "AGPL-3.0-or-later",
        "network_copyleft",
        "SPDX-License-Identifier header",
    )
    assert license_from_header("x = 1\n") is None


def test_spdx_header_after_line_40_or_invalid_is_ignored() -> None:
    late = "\n" * 45 + "# SPDX-License-Identifier: MIT\n"
    assert spdx_header_of(late) is None
    assert spdx_header_of("# SPDX-License-Identifier: not-a-license\n") is None
    assert spdx_header_of("print('no header')\n") is None


def test_license_option_accepts_spdx_and_common_names() -> None:
    assert license_from_option("gpl-3.0-or-later").expression == "GPL-3.0-or-later"
    info = license_from_option("Apache 2.0")
    assert (info.expression, info.category, info.origin) == ("Apache-2.0", "permissive", "--license option")
    assert license_from_option("NOASSERTION").category == "unknown"


def test_invalid_license_option_raises_usage_error_with_a_hint() -> None:
    with pytest.raises(UsageError) as caught:
        license_from_option("My Own Terms 3")
    assert caught.value.exit_code == 2
    assert caught.value.hint is not None and "SPDX" in caught.value.hint
