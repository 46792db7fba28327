"""`licheck init` in real temporary git repositories (CliRunner; the real pre-commit installs the git hook)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from licheck.cli import cli
from licheck.config import Settings, load_settings
from licheck.hook_config import LOCAL_HOOK, add_hook

from .helpers import GPL_SOURCE, ROOT, tiny_manifest

EXISTING = """# hooks we already run
repos:
# formatting first
- repo: local
  hooks:
  - id: fmt
    name: fmt
    entry: "true"   # keep me
    language: system

# trailing notes stay here
default_stages: [pre-commit]
"""


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit"))
    monkeypatch.setenv("NO_COLOR", "1")
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "dev@example.org")
    git(path, "config", "user.name", "Dev")
    (path / "pyproject.toml").write_text('[project]\nname = "app"  # ours\n', encoding="utf-8")
    (path / ".pre-commit-config.yaml").write_text(EXISTING, encoding="utf-8")
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "initial")
    monkeypatch.chdir(path)
    return path


def init(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["init", *args], catch_exceptions=False)


def snapshot(repo: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in repo.iterdir() if p.is_file()}


def default_index() -> Path:
    from licheck.config import default_index_path

    return default_index_path()


def test_init_writes_the_default_policy_keeps_the_hook_config_and_builds_the_index(repo: Path, tmp_path: Path) -> None:
    result = init("--manifest", str(tiny_manifest(tmp_path)))
    assert result.exit_code == 0, result.output
    pyproject = (repo / "pyproject.toml").read_text(encoding="utf-8")
    assert pyproject.startswith('[project]\nname = "app"  # ours\n') and "[tool.licheck]" in pyproject
    settings = load_settings(cwd=repo)
    assert (settings.deny, settings.warn, settings.unknown) == (Settings.deny, Settings.warn, Settings.unknown)
    config = (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    for kept in ("# hooks we already run", "# formatting first", '"true"   # keep me', "# trailing notes stay here"):
        assert kept in config
    parsed = yaml.safe_load(config)
    assert [h["id"] for r in parsed["repos"] for h in r["hooks"]] == ["fmt", "licheck"]
    assert parsed["default_stages"] == ["pre-commit"]
    assert (repo / ".git" / "hooks" / "pre-commit").is_file()
    assert default_index().is_file()


def test_init_twice_changes_nothing_the_second_time(repo: Path, tmp_path: Path) -> None:
    manifest = str(tiny_manifest(tmp_path))
    assert init("--manifest", manifest).exit_code == 0
    before, built = snapshot(repo), default_index().stat().st_mtime_ns
    again = init("--manifest", manifest)
    assert again.exit_code == 0, again.output
    assert "already set up, unchanged" in again.stderr and "not rebuilt" in again.stderr
    assert snapshot(repo) == before and default_index().stat().st_mtime_ns == built


def test_dry_run_shows_diffs_and_changes_nothing(repo: Path, tmp_path: Path) -> None:
    before = snapshot(repo)
    result = init("--dry-run", "--manifest", str(tiny_manifest(tmp_path)))
    assert result.exit_code == 0, result.output
    assert "+[tool.licheck]" in result.stdout and "+      entry: licheck scan --staged" in result.stdout
    assert "would build the index" in result.stderr
    assert snapshot(repo) == before
    assert not (repo / ".git" / "hooks" / "pre-commit").exists() and not default_index().exists()


def test_a_repository_without_pyproject_gets_a_licheck_toml_and_a_new_hook_config(repo: Path, tmp_path: Path) -> None:
    for name in ("pyproject.toml", ".pre-commit-config.yaml"):
        (repo / name).unlink()
    index = tmp_path / "given.sqlite"
    index.write_bytes(b"")  # an existing index given with --index is used as it is, not rebuilt
    assert init("--index", str(index), "--no-install").exit_code == 0
    assert load_settings(config_path=repo / ".licheck.toml").deny == Settings.deny
    assert yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"][0] == LOCAL_HOOK
    assert not (repo / "pyproject.toml").exists() and index.read_bytes() == b""


def test_an_existing_policy_section_is_left_alone(repo: Path, tmp_path: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.licheck]\ndeny = ["MIT"]\n', encoding="utf-8")
    assert init("--no-install", "--manifest", str(tiny_manifest(tmp_path))).exit_code == 0
    assert (repo / "pyproject.toml").read_text() == '[tool.licheck]\ndeny = ["MIT"]\n'


def test_outside_a_git_repository_init_fails_with_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = init("--no-install")
    assert result.exit_code == 2 and "not inside a git repository" in result.stderr


def test_an_unknown_manifest_name_fails_before_anything_is_written(repo: Path) -> None:
    before = snapshot(repo)
    result = init("--manifest", "no-such-manifest")
    assert result.exit_code == 2 and "shipped: " in result.stderr
    assert snapshot(repo) == before


def test_a_hook_config_it_cannot_edit_safely_is_not_touched(repo: Path) -> None:
    odd = "repos: [{repo: local, hooks: [{id: fmt, name: fmt, entry: 'true', language: system}]}]\n"
    (repo / ".pre-commit-config.yaml").write_text(odd, encoding="utf-8")
    result = init("--no-install")
    assert result.exit_code == 2 and "add this item under `repos:` by hand" in result.stderr
    assert (repo / ".pre-commit-config.yaml").read_text() == odd
    assert "[tool.licheck]" not in (repo / "pyproject.toml").read_text()  # nothing written at all


@pytest.mark.parametrize("text", [
    None, "", "repos: []\n", "repos:\n  - repo: local\n    hooks:\n      - id: a\n        name: a\n"
    "        entry: a\n        language: system\n", "minimum_pre_commit_version: '3.2'\n",
    "repos:\n- repo: local\n  hooks:\n  - {id: a, name: a, entry: a, language: system}\n# end\n",
])
def test_the_hook_is_added_to_any_usual_layout_and_only_once(text: str | None) -> None:
    added = add_hook(text)
    assert added is not None
    parsed = yaml.safe_load(added)
    assert parsed["repos"][-1] == {"repo": "local", "hooks": [LOCAL_HOOK]}
    assert add_hook(added) is None


def test_the_local_hook_runs_what_the_published_hook_runs() -> None:
    [published] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    for key in ("id", "entry", "pass_filenames", "require_serial", "types"):
        assert LOCAL_HOOK[key] == published[key], key


def test_after_init_the_real_pre_commit_blocks_a_commit_copying_gpl_code(repo: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    assert init("--manifest", str(tiny_manifest(tmp_path))).exit_code == 0
    (repo / "copied.py").write_text((GPL_SOURCE / "intervals.py").read_text(encoding="utf-8"), encoding="utf-8")
    git(repo, "add", ".")
    bindir = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", f"{bindir}:{__import__('os').environ['PATH']}")
    commit = subprocess.run(["git", "commit", "-m", "copy"], cwd=repo, capture_output=True, text=True)
    assert commit.returncode != 0, commit.stdout + commit.stderr
    output = commit.stdout + commit.stderr
    assert "copied.py lines 2-" in output and "GPL-3.0-only" in output
    assert git(repo, "log", "--format=%s").stdout.splitlines()[0] == "initial"
