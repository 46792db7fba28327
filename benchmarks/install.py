"""From nothing to a blocked commit, as a user gets there: fresh venv → pip install of the built wheel (and
pre-commit) → `licheck init --manifest small` in a new git repository → a commit copying a yamllint file (GPL) is
blocked. Downloads included: Python packages from the package index, the two sdists of the `small` manifest.

usage: python benchmarks/install.py [--cold] [--wheel WHEEL] [--workdir DIR]

--cold gives pip an empty cache (every package downloaded); the default uses your pip cache. licheck's own
download cache and the default index always start empty. Prints one JSON line: seconds per step and in all.
The wheel is built first from a clone of HEAD (not timed) unless --wheel is given. Also prints
`licheck scan --help` start-up in the installed venv (best of 5).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.install.helpers import (  # noqa: E402
    build_dists,
    checked,
    clean_env,
    clone_checkout,
    git_repo,
    make_venv,
    run,
)


def copy_a_yamllint_rule(user_cache: Path, repo: Path) -> Path:
    """yamllint's rules/indentation.py, out of the sdist `licheck init` downloaded, into the repository."""
    [sdist] = (user_cache / "licheck" / "downloads").glob("**/yamllint-1.35.1.tar.gz")
    with tarfile.open(sdist) as archive:
        member = archive.extractfile("yamllint-1.35.1/yamllint/rules/indentation.py")
        assert member is not None
        text = member.read().decode("utf-8")
    target = repo / "src" / "indent_check.py"
    target.parent.mkdir()
    target.write_text(text, encoding="utf-8")
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="an empty pip cache: every package is downloaded")
    parser.add_argument("--wheel", type=Path, help="a built wheel (default: build one from a clone of HEAD)")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="licheck-install-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    wheel = args.wheel or build_dists(clone_checkout(work / "clone")[0], work / "dist")[1]
    user_cache = work / "user-cache"
    extra = {"PIP_CACHE_DIR": str(work / "pip-cache")} if args.cold else {}
    env = clean_env(work / "venv", user_cache, **extra)
    steps: dict[str, float] = {}
    start = last = time.perf_counter()

    def step(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        steps[name] = round(now - last, 1)
        last = now

    python = make_venv(work / "venv")
    step("venv")
    checked(run([python, "-m", "pip", "install", "-q", wheel, "pre-commit"], cwd=work, env=env))
    step("pip_install")
    repo = git_repo(work / "app", env)
    checked(run(["licheck", "init", "--manifest", "small"], cwd=repo, env=env))
    step("licheck_init")
    copy_a_yamllint_rule(user_cache, repo)
    checked(run(["git", "add", "."], cwd=repo, env=env))
    commit = run(["git", "commit", "-m", "add an indentation checker"], cwd=repo, env=env)
    step("blocked_commit")
    total = round(time.perf_counter() - start, 1)
    blocked = commit.returncode != 0 and "yamllint" in commit.stdout + commit.stderr
    help_s = min(_timed(["licheck", "scan", "--help"], work, env) for _ in range(5))
    print(json.dumps({"bench": "install", "cold_pip_cache": args.cold, "blocked": blocked, "total_s": total,
                      "steps_s": steps, "scan_help_s": round(help_s, 3), "load": os.getloadavg()[0]}))
    return 0 if blocked else 1


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    begin = time.perf_counter()
    checked(run(list(command), cwd=cwd, env=env))
    return time.perf_counter() - begin


if __name__ == "__main__":
    sys.exit(main())
