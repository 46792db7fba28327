"""licheck installed as its users install it — never from this checkout.

A clone of this repository at HEAD (commit first: uncommitted changes are not in it) → `python -m build` → the
wheel into a fresh venv (dependencies from the package index, cached by pip between runs) → `licheck init` and
`licheck scan` in a new git repository, run from outside the checkout → the real `pre-commit` framework installing
the hook from the clone by `repo:` path and blocking a commit that copies GPL code. The index is built from a
manifest of code we wrote, so the only downloads are Python packages.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from licheck import DISTRIBUTION, __version__

from .helpers import (
    GPL_SOURCE,
    build_dists,
    checked,
    clean_env,
    clone_checkout,
    git_repo,
    make_venv,
    package_data_files,
    run,
    tiny_manifest,
    wheel_names,
)

pytestmark = [pytest.mark.slow, pytest.mark.network]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | str]:
    work = tmp_path_factory.mktemp("installed")
    clone, head = clone_checkout(work / "licheck-clone")
    sdist, wheel = build_dists(clone, work / "dist")
    python = make_venv(work / "venv")
    env = clean_env(work / "venv", work / "user-cache")
    checked(run([python, "-m", "pip", "install", "-q", wheel, "pre-commit"], cwd=work, env=env))
    return {"work": work, "clone": clone, "head": head, "sdist": sdist, "wheel": wheel, "python": python}


def test_wheel_and_sdist_carry_every_file_the_installed_commands_read(installed) -> None:
    wanted = package_data_files(installed["clone"])
    assert {"licheck/data/spdx_licenses.json", "licheck/manifests/starter.toml", "licheck/py.typed"} <= set(wanted)
    assert set(wanted) <= wheel_names(installed["wheel"])
    with tarfile.open(installed["sdist"]) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert set(wanted) <= in_sdist
    assert Path(installed["wheel"]).name.startswith(DISTRIBUTION.replace("-", "_") + "-" + __version__)


def test_installed_licheck_runs_from_the_venv_with_no_checkout_on_sys_path(installed) -> None:
    work = installed["work"]
    env = clean_env(work / "venv", work / "user-cache")
    probe = "import licheck, sys; print(licheck.__file__); print('\\n'.join(sys.path))"
    where = checked(run([installed["python"], "-c", probe], cwd=work, env=env)).stdout
    assert where.splitlines()[0].startswith(str(work / "venv"))
    assert str(installed["clone"]) not in where and str(GPL_SOURCE.parents[3]) not in where
    version = checked(run(["licheck", "--version"], cwd=work, env=env)).stdout
    assert f"{__version__} (distribution: {DISTRIBUTION})" in version
    names = checked(run(["licheck", "index", "manifests"], cwd=work, env=env)).stdout
    assert names.startswith("small\t") and "\nstarter\t40 sources" in names


def test_init_and_scan_in_a_new_repository_block_copied_gpl_code(installed, tmp_path: Path) -> None:
    env = clean_env(installed["work"] / "venv", tmp_path / "user-cache")
    repo = git_repo(tmp_path / "app", env)
    init = checked(run(["licheck", "init", "--manifest", tiny_manifest(tmp_path)], cwd=repo, env=env))
    assert "pre-commit installed" in init.stderr, init.stderr
    assert (tmp_path / "user-cache" / "licheck" / "index.sqlite").is_file()  # the default index, built
    again = checked(run(["licheck", "init", "--manifest", tiny_manifest(tmp_path)], cwd=repo, env=env))
    assert "already set up, unchanged" in again.stderr and "not rebuilt" in again.stderr
    (repo / "intervals.py").write_text((GPL_SOURCE / "intervals.py").read_text(encoding="utf-8"), encoding="utf-8")
    scan = run(["licheck", "scan", "intervals.py", "--format", "json"], cwd=repo, env=env)
    assert scan.returncode == 1, scan.stdout + scan.stderr
    assert '"name": "gplthing"' in scan.stdout and '"policy": "deny"' in scan.stdout
    checked(run(["git", "add", "."], cwd=repo, env=env))
    commit = run(["git", "commit", "-m", "copy"], cwd=repo, env=env)
    assert commit.returncode != 0 and "intervals.py lines 2-" in commit.stdout + commit.stderr
    assert "GPL-3.0-only" in commit.stdout + commit.stderr


def test_pre_commit_installs_the_hook_from_a_local_clone_and_blocks_a_copied_function(installed,
                                                                                       tmp_path: Path) -> None:
    env = clean_env(installed["work"] / "venv", tmp_path / "user-cache")
    repo = git_repo(tmp_path / "app", env)
    init = run(["licheck", "init", "--manifest", tiny_manifest(tmp_path), "--hook-repo", installed["clone"],
                "--hook-rev", installed["head"]], cwd=repo, env=env)
    checked(init)
    config = (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert f'repo: "{installed["clone"]}"' in config or f"repo: {installed['clone']}" in config
    source = (GPL_SOURCE / "intervals.py").read_text(encoding="utf-8")
    copied = source.split("\n", 1)[1].split("\n\n\n")[0].replace("intervals", "spans")  # one function, renamed
    (repo / "spans.py").write_text(f'"""Our own module."""\n\n\n{copied}\n', encoding="utf-8")
    checked(run(["git", "add", "."], cwd=repo, env=env))
    commit = run(["git", "commit", "-m", "copy one function"], cwd=repo, env=env, timeout=900)
    output = commit.stdout + commit.stderr
    assert commit.returncode != 0, output
    assert "Failed" in output and "spans.py lines" in output and "gplthing" in output, output
    log = checked(run(["git", "log", "--format=%s"], cwd=repo, env=env)).stdout
    assert log.splitlines()[0] == "initial"
    assert list((tmp_path / "user-cache" / "pre-commit").glob("repo*"))  # pre-commit built the hook's own env
