from __future__ import annotations

import pytest
from license_expression import get_spdx_licensing  # type: ignore[import-untyped]

from licheck.licenses.build_data import (
    DATA_FILE,
    build_license_data,
    load_scancode_index,
    render_license_data,
)
from licheck.licenses.spdx import parse_spdx


def test_generated_data_file_matches_the_installed_scancode_index() -> None:
    expected = render_license_data(build_license_data(load_scancode_index()))
    assert DATA_FILE.read_text(encoding="utf-8") == expected, "run: python -m licheck.licenses.build_data"


@pytest.mark.parametrize(
    "expression",
    [
        "mit",
        "apache-2.0 or MIT",
        "GPL-2.0+",
        "BSD-3-Clause AND (MIT OR GPL-3.0-only)",
        "MIT OR Apache-2.0 AND BSD-3-Clause",
        "gpl-2.0-only with classpath-exception-2.0",
        "LGPL-2.1",
    ],
)
def test_our_parser_renders_expressions_like_license_expression(expression: str) -> None:
    licensing = get_spdx_licensing()
    assert parse_spdx(expression) == licensing.parse(expression).render()
