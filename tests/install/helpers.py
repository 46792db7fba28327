"""licheck as its users get it: a clone, the built sdist and wheel, a fresh venv with no checkout on sys.path.

Shared by tests/install/test_installed_package.py and benchmarks/install.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GPL_SOURCE = ROOT / "tests" / "scan" / "data" / "gpl_source"  # code we wrote, indexed as GPL-3.0-only


def run(args: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def checked(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, f"{done.args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def clone_checkout(target: Path) -> tuple[Path, str]:
    """A local clone of this repository at its HEAD commit (what a user clones): (folder, commit id)."""
    checked(run(["git", "clone", "-q", "--no-hardlinks", ROOT.as_uri(), target], cwd=target.parent))
    head = checked(run(["git", "rev-parse", "HEAD"], cwd=target)).stdout.strip()
    return target, head


def build_dists(source: Path, out: Path) -> tuple[Path, Path]:
    """`python -m build` (sdist, then the wheel from the sdist): (sdist, wheel)."""
    checked(run([sys.executable, "-m", "build", "--outdir", out, source], cwd=source))
    [sdist] = out.glob("*.tar.gz")
    [wheel] = out.glob("*.whl")
    return sdist, wheel


def package_data_files(source: Path) -> list[str]:
    """Every file of the licheck package that is not Python code (what the installed commands read)."""
    listed = checked(run(["git", "ls-files", "licheck"], cwd=source)).stdout.splitlines()
    return sorted(name for name in listed if not name.endswith(".py"))


def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def clean_env(venv: Path, user_cache: Path, **extra: str) -> dict[str, str]:
    """The environment of a user who installed licheck in ``venv``: its bin first on PATH, no PYTHONPATH, no
    LICHECK_* or git settings of the developer, caches under ``user_cache``."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("LICHECK_", "GIT_", "PYTHON", "VIRTUAL_ENV", "PRE_COMMIT"))}
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    home = user_cache / "home"
    home.mkdir(parents=True, exist_ok=True)
    return {**keep, "PATH": f"{bindir}{os.pathsep}{keep.get('PATH', '')}", "XDG_CACHE_HOME": str(user_cache),
            "GIT_CONFIG_GLOBAL": str(home / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1",
            "PRE_COMMIT_HOME": str(user_cache / "pre-commit"), "PIP_DISABLE_PIP_VERSION_CHECK": "1", **extra}


def make_venv(target: Path) -> Path:
    """A fresh venv (with pip, without the system's site-packages): its python."""
    checked(run([sys.executable, "-m", "venv", target], cwd=target.parent))
    return target / ("Scripts" if os.name == "nt" else "bin") / "python"


def git_repo(path: Path, env: dict[str, str]) -> Path:
    """A new git repository with one commit (a pyproject.toml and a module of its own)."""
    path.mkdir(parents=True)
    for args in (["init", "-q", "-b", "main"], ["config", "user.email", "dev@example.org"],
                 ["config", "user.name", "Dev"], ["config", "commit.gpgsign", "false"]):
        checked(run(["git", *args], cwd=path, env=env))
    (path / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1.0"\n', encoding="utf-8")
    (path / "app.py").write_text("def main():\n    return 0\n", encoding="utf-8")
    checked(run(["git", "add", "."], cwd=path, env=env))
    checked(run(["git", "commit", "-q", "-m", "initial"], cwd=path, env=env))
    return path


def tiny_manifest(folder: Path) -> Path:
    """A manifest of one source of our own code, indexed as GPL-3.0-only (builds in a second, offline)."""
    path = folder / "tiny.toml"
    path.write_text(f'[[source]]\nspec = "{GPL_SOURCE.as_posix()}"\nname = "gplthing"\n'
                    f'license = "GPL-3.0-only"\n', encoding="utf-8")
    return path
