"""`licheck init`: what setting a git repository up changes — a policy section and the pre-commit hook — planned
first (so `--dry-run` can show it), then written atomically. Idempotent: what is already there is left alone.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from licheck.config import CONFIG_FILE, PYPROJECT
from licheck.errors import ConfigError
from licheck.hook_config import add_hook
from licheck.policy import DEFAULT_DENY, DEFAULT_WARN

PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"


@dataclass(frozen=True)
class FileChange:
    path: Path
    before: str | None  # None: the file is created
    after: str
    what: str

    def diff(self, root: Path) -> str:
        name = self.path.relative_to(root).as_posix()
        return "".join(difflib.unified_diff((self.before or "").splitlines(keepends=True),
                                            self.after.splitlines(keepends=True),
                                            fromfile="/dev/null" if self.before is None else f"a/{name}",
                                            tofile=f"b/{name}"))


def default_policy_toml() -> str:
    """The keys of the default policy (what `licheck scan` does with no config), spelled out to be edited."""
    deny = ", ".join(f'"{c}"' for c in sorted(DEFAULT_DENY))
    warn = ", ".join(f'"{c}"' for c in sorted(DEFAULT_WARN))
    return ("# licheck's default policy (docs/policy.md of licheck-provenance describes every key). The index is\n"
            "# the default one in your user cache unless `index = ...` names another.\n"
            f"deny = [{deny}]   # striking copies of this code fail the commit\n"
            f"warn = [{warn}]\n"
            'unknown = "warn"   # code whose license is unknown (NOASSERTION)\n')


def plan_init(root: Path, *, hook_repo: str | None = None, hook_rev: str | None = None) -> list[FileChange]:
    """The files `licheck init` would change in the repository at ``root`` (empty: nothing to do)."""
    changes = [plan_policy(root), plan_hook(root, hook_repo=hook_repo, hook_rev=hook_rev)]
    return [change for change in changes if change is not None]


def plan_policy(root: Path) -> FileChange | None:
    """A ``[tool.licheck]`` section appended to pyproject.toml, else a new .licheck.toml; None if one exists."""
    import tomllib

    if (root / CONFIG_FILE).is_file():
        return None
    pyproject = root / PYPROJECT
    if not pyproject.is_file():
        return FileChange(root / CONFIG_FILE, None, default_policy_toml(), f"write {CONFIG_FILE} (default policy)")
    text = pyproject.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject} is not valid TOML: {exc}", hint="fix it, then run `licheck init` again") from None
    tool = data.get("tool")
    if isinstance(tool, dict) and "licheck" in tool:
        return None
    separator = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
    after = f"{text}{separator}[tool.licheck]\n{default_policy_toml()}"
    tomllib.loads(after)  # appending a table to valid TOML keeps it valid; checked anyway
    return FileChange(pyproject, text, after, "add [tool.licheck] to pyproject.toml (default policy)")


def plan_hook(root: Path, *, hook_repo: str | None = None, hook_rev: str | None = None) -> FileChange | None:
    """The licheck hook added to .pre-commit-config.yaml (created if missing); None if it is there already."""
    if (hook_repo is None) != (hook_rev is None):
        raise ConfigError("--hook-repo and --hook-rev go together", hint="give both, or neither for a local hook")
    path = root / PRE_COMMIT_CONFIG
    before = path.read_text(encoding="utf-8") if path.is_file() else None
    after = add_hook(before, repo=hook_repo, rev=hook_rev)
    if after is None:
        return None
    what = f"{'add the licheck hook to' if before is not None else 'write'} {PRE_COMMIT_CONFIG}"
    return FileChange(path, before, after, what)


def apply_changes(changes: list[FileChange]) -> None:
    """Write each change atomically (a temporary file beside it, then a rename), keeping the file's mode."""
    for change in changes:
        tmp = change.path.with_name(f".{change.path.name}.licheck-tmp")
        tmp.write_text(change.after, encoding="utf-8")
        if change.path.exists():
            os.chmod(tmp, change.path.stat().st_mode & 0o7777)
        os.replace(tmp, change.path)


def pre_commit_command() -> list[str] | None:
    """How to run pre-commit: from this Python environment if it has it, else from PATH; None if neither."""
    import importlib.util
    import shutil
    import sys

    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    found = shutil.which("pre-commit")
    return [found] if found else None


def install_git_hook(root: Path) -> tuple[bool, str]:
    """`pre-commit install` in ``root``: (installed, what pre-commit said or why it could not run)."""
    import subprocess

    command = pre_commit_command()
    if command is None:
        return False, "pre-commit is not installed: `pipx install pre-commit`, then `pre-commit install` here"
    done = subprocess.run([*command, "install"], cwd=root, capture_output=True, text=True)
    said = (done.stdout + done.stderr).strip()
    return done.returncode == 0, said or f"pre-commit install exited {done.returncode}"
