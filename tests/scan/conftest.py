"""Fixtures for diff-aware scans, the pre-commit hook, policy, baselines and outputs.

The indexed "open-source" code is written by us (tests/scan/data), indexed under GPL-3.0-only, MIT and with no
license at all; git repositories are real and tiny, one per test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from licheck.cli import cli
from licheck.indexer import SourceSpec, add_source
from licheck.store.index_db import IndexDB

DATA = Path(__file__).resolve().parent / "data"
GPL_FILE = DATA / "gpl_source" / "intervals.py"
MIT_FILE = DATA / "mit_source" / "wrapping.py"
UNKNOWN_FILE = DATA / "unknown_source" / "tally.py"
UNRELATED_FILE = DATA / "unrelated.py"


@pytest.fixture(scope="session")
def index_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index with a GPL source, an MIT source and a source of unknown license."""
    folder = tmp_path_factory.mktemp("index")
    path = folder / "index.db"
    with IndexDB.open_for_write(path) as db:
        add_source(db, SourceSpec(DATA / "gpl_source", name="gplthing", version="1.0", license="GPL-3.0-only",
                                  url="https://example.org/gplthing"), jobs=1)
        add_source(db, SourceSpec(DATA / "mit_source", name="mitwrap", version="2.1", license="MIT"), jobs=1)
        add_source(db, SourceSpec(DATA / "unknown_source", name="mystery", version="0.3", license="NOASSERTION"),
                   jobs=1)
    return path


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No LICHECK_* from the developer's shell; git and pre-commit never see the user's config."""
    for name in list(os.environ):
        if name.startswith(("LICHECK_", "GIT_")):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("PRE_COMMIT_HOME", str(home / "pre-commit"))
    monkeypatch.setenv("NO_COLOR", "1")


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=check)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with one commit holding a small unrelated module."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "dev@example.org")
    git(path, "config", "user.name", "Dev")
    git(path, "config", "commit.gpgsign", "false")
    (path / "app.py").write_text("def main():\n    return 0\n", encoding="utf-8")
    git(path, "add", "app.py")
    git(path, "commit", "-q", "-m", "initial")
    return path


def copy_into(repo: Path, source: Path, name: str, *, prefix: str = "") -> Path:
    target = repo / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(prefix + source.read_text(encoding="utf-8"), encoding="utf-8")
    return target


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Run `licheck ARGS` through CliRunner in a folder; returns the click Result (stdout and stderr apart)."""

    def run(args: list[str], *, cwd: Path | None = None, input: str | bytes | None = None,
            env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        if cwd is not None:
            monkeypatch.chdir(cwd)
        return CliRunner().invoke(cli, args, input=input, env=env, catch_exceptions=False)

    yield run


def have_git() -> bool:
    return shutil.which("git") is not None
