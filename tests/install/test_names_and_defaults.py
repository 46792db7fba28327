"""The distribution's own name everywhere, shipped manifests found by name, the default index location."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from licheck import DISTRIBUTION, __version__
from licheck.cli import cli
from licheck.config import default_index_path
from licheck.manifests import bundled_manifests, resolve_manifest
from licheck.sources.manifest import load_manifest

from .helpers import GPL_SOURCE, ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "examples").glob("*")),
        ROOT / "indexes" / "README.md", ROOT / ".pre-commit-hooks.yaml"]


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_the_distribution_name_is_ours_and_version_shows_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == DISTRIBUTION != "licheck" and project["version"] == __version__
    assert invoke("--version").output.strip() == f"licheck {__version__} (distribution: {DISTRIBUTION})"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_doc_installs_another_project_or_points_at_a_repository_that_does_not_exist(doc: Path) -> None:
    if not doc.is_file():
        pytest.skip("absent")
    text = doc.read_text(encoding="utf-8")
    installs = re.findall(r"(?:pip|pipx|uv pip|uv tool) install\s+(?:-[-\w]+\s+)*['\"]?([\w./+:\[\]-]+)", text)
    for name in installs:
        # a wheel this project built, or a clone the user hosts, is this project by construction
        built_here = re.fullmatch(r"(?:dist/)?licheck_provenance-[\w.-]+\.whl|git\+URL", name)
        assert built_here or name.split("[")[0] in (DISTRIBUTION, ".", "pre-commit", "-e"), \
            f"{doc.name} installs {name!r}"
    assert "github.com/licheck" not in text


def test_reports_name_the_distribution_and_no_made_up_url(run_scan_report) -> None:
    sarif, spdx, cyclonedx = run_scan_report
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "licheck" and DISTRIBUTION in driver["fullName"]
    assert "informationUri" not in driver and all("helpUri" not in rule for rule in driver["rules"])
    assert f"Tool: {DISTRIBUTION}-{__version__}" in spdx["creationInfo"]["creators"]
    assert [t["name"] for t in cyclonedx["metadata"]["tools"]["components"]] == [DISTRIBUTION]


@pytest.fixture
def run_scan_report(tmp_path: Path) -> tuple[dict, dict, dict]:
    index = tmp_path / "index.sqlite"
    assert invoke("index", "add", str(GPL_SOURCE), "--index", str(index), "--license", "GPL-3.0-only").exit_code == 0
    copy = tmp_path / "copy.py"
    copy.write_text((GPL_SOURCE / "intervals.py").read_text(encoding="utf-8"), encoding="utf-8")
    outputs = []
    for fmt in ("sarif", "spdx", "cyclonedx"):
        result = invoke("scan", str(copy), "--index", str(index), "--format", fmt)
        assert result.exit_code == 1, result.output
        outputs.append(json.loads(result.stdout))
    return outputs[0], outputs[1], outputs[2]


def test_every_shipped_manifest_is_listed_valid_and_found_by_name() -> None:
    shipped = bundled_manifests()
    assert {"starter", "small"} <= {m.name for m in shipped}
    listing = invoke("index", "manifests").stdout.splitlines()
    for found in shipped:
        manifest = load_manifest(found.path)
        assert found.sources == len(manifest.entries) > 0 and found.description
        assert resolve_manifest(found.name) == resolve_manifest(f"{found.name}.toml") == found.path
        assert f"{found.name}\t{found.sources} sources\t{found.description}" in listing


def test_any_toml_dropped_in_the_manifests_folder_is_found_by_name(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text('# licheck mine index: just ours\n[[source]]\nspec = "x"\n', encoding="utf-8")
    [found] = bundled_manifests(tmp_path)
    assert (found.name, found.description, found.sources) == ("mine", "just ours", 1)
    assert resolve_manifest("mine", folder=tmp_path) == tmp_path / "mine.toml"


def test_a_manifest_file_path_wins_over_a_shipped_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "starter").write_text("", encoding="utf-8")
    assert resolve_manifest("starter", cwd=tmp_path) == tmp_path / "starter"
    assert resolve_manifest("starter", cwd=tmp_path / "elsewhere").name == "starter.toml"


def test_the_checkouts_indexes_starter_toml_is_the_shipped_manifest() -> None:
    assert (ROOT / "indexes" / "starter.toml").read_bytes() == resolve_manifest("starter").read_bytes()


def test_the_default_index_is_in_the_user_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_index_path() == tmp_path / "licheck" / "index.sqlite"


def test_without_any_index_a_scan_says_how_to_build_the_default_one(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    for args in (["scan", "a.py"], ["index", "info"], ["index", "list"]):
        result = invoke(*args)
        assert result.exit_code == 2, args
        assert "no default index yet: run `licheck index build starter`" in result.stderr
        assert str(default_index_path()) in result.stderr.replace("\n", "")
    assert not default_index_path().exists()


def test_commands_without_index_use_the_default_one_and_explicit_settings_win(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    added = invoke("index", "add", str(GPL_SOURCE), "--name", "gplthing", "--license", "GPL-3.0-only")
    assert added.exit_code == 0, added.output
    assert default_index_path().is_file()
    (tmp_path / "copy.py").write_text((GPL_SOURCE / "intervals.py").read_text(encoding="utf-8"), encoding="utf-8")
    scanned = invoke("scan", "copy.py", "--format", "json")
    assert scanned.exit_code == 1 and json.loads(scanned.stdout)["index"]["path"] == str(default_index_path())
    assert "gplthing" in invoke("index", "list").stdout
    (tmp_path / ".licheck.toml").write_text('index = "other.sqlite"\n', encoding="utf-8")
    configured = invoke("index", "list")
    assert configured.exit_code == 2 and "other.sqlite" in configured.stderr  # the config's index, not the default
    monkeypatch.setenv("LICHECK_INDEX", str(default_index_path()))
    assert "gplthing" in invoke("index", "list").stdout  # LICHECK_INDEX over the config
