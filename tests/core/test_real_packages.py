"""Real open-source code from PyPI (downloaded at test time, cached): index two packages, find a renamed copy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from licheck.indexer import SourceSpec, add_source
from licheck.store.index_db import IndexDB
from tests.conftest import download_sdist
from tests.core.helpers import scan_text, striking

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    yamllint = download_sdist("yamllint==1.35.1")  # GPL-3.0-or-later
    six = download_sdist("six==1.16.0")  # MIT
    path = tmp_path_factory.mktemp("real") / "index.sqlite"
    with IndexDB.open_for_write(path) as db:
        for root, name in ((yamllint, "yamllint"), (six, "six")):
            add_source(db, SourceSpec(root, name=name, version=root.name.rsplit("-", 1)[-1]), jobs=2)
    return path, yamllint


def _a_long_function(root: Path) -> tuple[str, str, str]:
    """(relative path, function name, text) of the first ≥ 15-line top-level function of yamllint's rules."""
    for path in sorted((root / "yamllint" / "rules").glob("*.py")):
        text = path.read_text()
        for match in re.finditer(r"^def (\w+)\(.*?(?=^\S)", text, re.S | re.M):
            if match.group(0).count("\n") >= 15:
                return path.relative_to(root).as_posix(), match.group(1), match.group(0)
    raise AssertionError("no long function found")


def test_license_of_each_real_package_is_detected(real_index: tuple[Path, Path]) -> None:
    path, _ = real_index
    with IndexDB.open_readonly(path) as db:
        licenses = {s["name"]: (s["license"], s["license_category"]) for s in db.list_sources()}
    assert licenses["yamllint"] == ("GPL-3.0-or-later", "strong_copyleft")
    assert licenses["six"] == ("MIT", "permissive")


def test_renamed_copy_of_real_gpl_code_is_found_with_its_license(real_index: tuple[Path, Path]) -> None:
    path, root = real_index
    relpath, name, text = _a_long_function(root)
    renamed = re.sub(rf"\b{name}\b", "my_check", text)
    for old, new in (("token", "tok"), ("conf", "settings"), ("line", "row")):
        renamed = re.sub(rf"\b{old}\b", new, renamed)
    query = "import os\n\n\ndef unrelated(a):\n    return a * 2\n\n\n" + renamed
    found = striking(scan_text(path, "generated.py", query))
    assert found, f"renamed copy of {relpath}:{name} not found"
    finding = found[0]
    assert finding.source.name == "yamllint" and finding.source.path.endswith(relpath.split("/", 1)[-1])
    assert finding.source.license == "GPL-3.0-or-later"
    assert finding.start_line >= 8
