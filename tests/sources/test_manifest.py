"""`index build MANIFEST.toml`: one transaction per source, resumable, and a bad source never stops the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from licheck.errors import ConfigError
from licheck.sources.manifest import build_from_manifest, load_manifest
from licheck.store.index_db import IndexDB
from tests.sources.conftest import CODE_A, CODE_B, file_member, sdist_of, tar_with, write_tree


def _manifest(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "manifest.toml"
    path.write_text(body)
    return path


def _three_sources(tmp_path: Path) -> Path:
    write_tree(tmp_path / "alpha", {"alpha/intervals.py": CODE_A})
    sdist_of(tmp_path, "beta-2.0", {"beta/stats.py": CODE_B, "PKG-INFO": "Metadata-Version: 2.1\nName: beta\n"
                                    "Version: 2.0\nLicense-Expression: MIT\n"})
    write_tree(tmp_path / "gamma", {"gamma.py": CODE_A.replace("merged", "joined") + CODE_B})
    return _manifest(tmp_path, """
[[source]]
spec = "alpha"
license = "GPL-3.0-only"

[[source]]
spec = "beta-2.0.tar.gz"

[[source]]
spec = "gamma"
name = "gamma-lib"
license = "Apache-2.0"
""")


def test_manifest_builds_every_source_with_its_license(tmp_path: Path, index: IndexDB) -> None:
    report = build_from_manifest(index, load_manifest(_three_sources(tmp_path)), cache=tmp_path / "cache")
    assert [o.status for o in report.outcomes] == ["indexed"] * 3
    sources = {s["name"]: s for s in index.list_sources()}
    assert set(sources) == {"alpha", "beta-2.0", "gamma-lib"}
    assert sources["alpha"]["license"] == "GPL-3.0-only"
    assert sources["beta-2.0"]["license"] == "MIT"
    assert sources["gamma-lib"]["license_category"] == "permissive"
    assert all(s["unit_count"] > 0 for s in sources.values() if s["name"] != "gamma-lib")


def test_rerunning_a_build_skips_sources_already_indexed(tmp_path: Path, index: IndexDB) -> None:
    manifest = load_manifest(_three_sources(tmp_path))
    build_from_manifest(index, manifest, cache=tmp_path / "cache")
    again = build_from_manifest(index, manifest, cache=tmp_path / "cache")
    assert [o.status for o in again.outcomes] == ["unchanged"] * 3


def test_an_interrupted_build_resumes_where_it_stopped(tmp_path: Path) -> None:
    manifest = load_manifest(_three_sources(tmp_path))
    starts = []

    def interrupt_on_second_source(stage: str, done: int, total: int) -> None:
        if stage == "files" and done == 1:
            starts.append(stage)
            if len(starts) == 2:
                raise KeyboardInterrupt

    with IndexDB.open_for_write(tmp_path / "index.db") as db:
        with pytest.raises(KeyboardInterrupt):
            build_from_manifest(db, manifest, cache=tmp_path / "cache", progress=interrupt_on_second_source)
        assert [s["name"] for s in db.list_sources()] == ["alpha"]  # the second source's transaction rolled back
    with IndexDB.open_for_write(tmp_path / "index.db") as db:
        report = build_from_manifest(db, manifest, cache=tmp_path / "cache")
    assert [o.status for o in report.outcomes] == ["unchanged", "indexed", "indexed"]


def test_a_hostile_archive_is_refused_and_the_rest_of_the_build_goes_on(tmp_path: Path, index: IndexDB) -> None:
    write_tree(tmp_path / "good", {"good.py": CODE_A})
    tar_with(tmp_path / "evil-1.0.tar.gz", [file_member("evil/ok.py", CODE_B.encode()),
                                           file_member("../../escaped.py", b"import os\n")])
    manifest = _manifest(tmp_path, '[[source]]\nspec = "evil-1.0.tar.gz"\n\n[[source]]\nspec = "good"\n')
    report = build_from_manifest(index, load_manifest(manifest), cache=tmp_path / "cache")
    assert [o.status for o in report.outcomes] == ["failed", "indexed"]
    assert "refusing to unpack evil-1.0.tar.gz" in report.outcomes[0].error
    assert [s["name"] for s in index.list_sources()] == ["good"]
    assert not list(tmp_path.parent.glob("escaped.py")) and not (tmp_path / "escaped.py").exists()


def test_a_missing_source_fails_alone(tmp_path: Path, index: IndexDB) -> None:
    write_tree(tmp_path / "good", {"good.py": CODE_A})
    manifest = _manifest(tmp_path, '[[source]]\nspec = "nowhere"\n\n[[source]]\nspec = "good"\n')
    report = build_from_manifest(index, load_manifest(manifest), cache=tmp_path / "cache")
    assert [o.status for o in report.outcomes] == ["failed", "indexed"]
    assert "no such file or folder" in report.outcomes[0].error


def test_an_invalid_manifest_lists_every_problem_at_once(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, """
[[source]]
spec = "pypi:requests"

[[source]]
license = "MIT"

[[source]]
spec = "npm:lodash@4.17.21"
licence = "MIT"

[[source]]
spec = "pypi:six==1.17.0"
license = "not a license at all"
""")
    with pytest.raises(ConfigError) as caught:
        load_manifest(manifest)
    text = str(caught.value)
    assert "4 problem(s)" in text
    assert "source #1" in text and "source #2: no spec" in text and "licence" in text and "source #4" in text


def test_a_manifest_that_is_not_toml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_manifest(_manifest(tmp_path, "[[source]\nspec = 1"))


def test_the_starter_manifest_is_valid_and_pins_every_registry_source() -> None:
    manifest = load_manifest(Path(__file__).resolve().parents[2] / "indexes" / "starter.toml")
    kinds = {entry.ref.kind for entry in manifest.entries}
    assert {"pypi", "npm", "deb"} <= kinds
    assert 30 <= len(manifest.entries) <= 60
    assert all(entry.ref.version for entry in manifest.entries if entry.ref.kind in ("pypi", "npm", "deb"))
    specs = [entry.ref.text for entry in manifest.entries]
    assert len(specs) == len(set(specs))


def test_a_source_listed_twice_is_a_config_error(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, '[[source]]\nspec = "pypi:six==1.17.0"\n\n[[source]]\nspec = "pypi:six==1.17.0"\n')
    with pytest.raises(ConfigError, match="listed twice"):
        load_manifest(manifest)
