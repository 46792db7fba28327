"""The pre-commit hook with the real `pre-commit` framework, in real temporary git repositories.

The hook under test is this repository's `.pre-commit-hooks.yaml` entry, installed as a `repo: local` hook with
`language: system` (so pre-commit calls the installed `licheck` and needs no network to build an environment).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import GPL_FILE, MIT_FILE, UNRELATED_FILE, copy_into, git

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def pre_commit(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, capture_output=True, text=True,
                          env=env)


def manifest_hook() -> dict[str, object]:
    [hook] = [h for h in yaml.safe_load(MANIFEST.read_text(encoding="utf-8")) if h["id"] == "licheck"]
    return hook


@pytest.fixture
def hooked_repo(repo: Path, index_path: Path) -> tuple[Path, dict[str, str]]:
    """A repository with the licheck hook installed; returns it and the environment commits run with."""
    hook = manifest_hook()
    local = {key: hook[key] for key in ("id", "name", "entry", "pass_filenames", "require_serial", "types")}
    config = {"repos": [{"repo": "local", "hooks": [{**local, "language": "system"}]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(repo, "add", ".pre-commit-config.yaml")
    git(repo, "commit", "-q", "--no-verify", "-m", "add hook config")
    env = {**os.environ, "LICHECK_INDEX": str(index_path),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    installed = pre_commit("install", cwd=repo, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return repo, env


def commit(repo: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "commit", "-m", message], cwd=repo, capture_output=True, text=True, env=env)


def test_hooks_manifest_passes_pre_commit_validate_manifest() -> None:
    result = pre_commit("validate-manifest", str(MANIFEST), cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_manifest_hook_scans_staged_changes_in_a_python_environment_without_filenames() -> None:
    hook = manifest_hook()
    assert hook["entry"] == "licheck scan --staged"
    assert hook["language"] == "python" and hook["pass_filenames"] is False


def test_commit_adding_copied_gpl_code_is_blocked_with_source_lines_and_license(hooked_repo) -> None:
    repo, env = hooked_repo
    copy_into(repo, GPL_FILE, "src/intervals_copy.py", prefix="from __future__ import annotations\n\n")
    git(repo, "add", ".")
    result = commit(repo, env, "add interval helpers")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Failed" in output
    assert "src/intervals_copy.py lines 4-" in output
    assert "gplthing 1.0 intervals.py lines 2-" in output
    assert "GPL-3.0-only" in output
    assert git(repo, "log", "--format=%s").stdout.splitlines()[0] == "add hook config"  # nothing committed


def test_commit_adding_unrelated_code_passes_the_hook(hooked_repo) -> None:
    repo, env = hooked_repo
    copy_into(repo, UNRELATED_FILE, "src/thermostat.py")
    git(repo, "add", ".")
    result = commit(repo, env, "add thermostat")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout + result.stderr
    assert git(repo, "log", "--format=%s").stdout.splitlines()[0] == "add thermostat"


def test_commit_adding_permissive_code_passes_with_a_warning(hooked_repo) -> None:
    repo, env = hooked_repo
    copy_into(repo, MIT_FILE, "src/wrap.py")
    git(repo, "add", ".")
    result = commit(repo, env, "add wrapping")
    assert result.returncode == 0, result.stdout + result.stderr


def test_hook_without_an_index_fails_with_exit_2_and_a_hint(hooked_repo) -> None:
    repo, env = hooked_repo
    env = {k: v for k, v in env.items() if k != "LICHECK_INDEX"}
    copy_into(repo, UNRELATED_FILE, "src/other.py")
    git(repo, "add", ".")
    result = commit(repo, env, "no index")
    assert result.returncode != 0
    assert "no index given" in result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.network
@pytest.mark.skipif(not os.environ.get("LICHECK_TEST_TRY_REPO"),
                    reason="builds the hook's own Python environment from PyPI (~1 min): set LICHECK_TEST_TRY_REPO=1")
def test_published_hook_installs_with_pre_commit_try_repo_and_blocks_gpl_code(repo: Path, index_path: Path) -> None:
    """The hook exactly as published (`language: python`): pre-commit installs this repository into a venv."""
    copy_into(repo, GPL_FILE, "copied.py")
    git(repo, "add", ".")
    env = {**os.environ, "LICHECK_INDEX": str(index_path)}
    result = pre_commit("try-repo", str(ROOT), "licheck", cwd=repo, env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "copied.py lines 2-" in output and "gplthing" in output and "GPL-3.0-only" in output
