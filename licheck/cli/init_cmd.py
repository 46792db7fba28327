"""`licheck init`: set a git repository up — policy, pre-commit hook, default index — in one command."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from licheck.cli.common import err_console
from licheck.errors import EXIT_ERROR


@click.command("init")
@click.option("--dry-run", is_flag=True, help="Show what would change (a diff of each file) and change nothing.")
@click.option("--manifest", default="starter", show_default=True,
              help="Manifest to build the index from when it is missing: a shipped name (`licheck index "
                   "manifests`) or a file.")
@click.option("--index", "index_path", envvar="LICHECK_INDEX", type=click.Path(dir_okay=False),
              help="Index to use (built from --manifest if missing). Default: the config's `index`, else the "
                   "user cache's index.sqlite. Also from LICHECK_INDEX. Not written to the config.")
@click.option("--hook-repo", metavar="URL|PATH",
              help="Use the hook of a licheck clone (where you host it, or a local path) instead of a local hook "
                   "running the installed licheck. With --hook-rev.")
@click.option("--hook-rev", metavar="REV", help="The tag or commit of --hook-repo.")
@click.option("--no-install", "no_install", is_flag=True, help="Do not run `pre-commit install`.")
def init(dry_run: bool, manifest: str, index_path: str | None, hook_repo: str | None, hook_rev: str | None,
         no_install: bool) -> None:
    """Set the current git repository up: a default policy ([tool.licheck] in pyproject.toml, else .licheck.toml),
    the licheck hook in .pre-commit-config.yaml (existing content kept), `pre-commit install`, and the index built
    if it is missing. Running it again changes nothing.
    """
    from licheck.config import configured_index, default_index_path
    from licheck.inputs.git import repo_root
    from licheck.manifests import resolve_manifest
    from licheck.setup_repo import apply_changes, install_git_hook, plan_init, pre_commit_command

    console = err_console()
    console.soft_wrap = True
    root = repo_root(Path.cwd())
    manifest_path = resolve_manifest(manifest, cwd=Path.cwd())  # checked before anything is written
    changes = plan_init(root, hook_repo=hook_repo, hook_rev=hook_rev)
    index = Path(index_path or configured_index(cwd=root) or default_index_path())
    verb = "would " if dry_run else ""
    for change in changes:
        console.print(escape(f"{verb}{change.what}"))
        if dry_run:
            click.echo(change.diff(root), nl=False)
    if not changes:
        console.print("policy and hook: already set up, unchanged")
    if not dry_run and changes:
        apply_changes(changes)
        names = " ".join(change.path.relative_to(root).as_posix() for change in changes)
        console.print(escape(f"next: `git add {names}` and commit them (pre-commit reads the staged config)"))
    if no_install:
        installed, said = True, "pre-commit install: skipped (--no-install)"
    elif dry_run:
        installed = pre_commit_command() is not None
        said = "would run `pre-commit install`" if installed else "pre-commit is not installed: `pipx install pre-commit`"
    else:
        installed, said = install_git_hook(root)
    console.print(escape(said))
    if index.is_file():
        console.print(escape(f"index {index}: present (`licheck index info` shows it), not rebuilt"))
    elif dry_run:
        console.print(escape(f"would build the index {index} from {manifest_path}"))
    else:
        _build_index(manifest_path, index)
    if not installed:
        click.get_current_context().exit(EXIT_ERROR)


def _build_index(manifest: Path, index: Path) -> None:
    """`licheck index build MANIFEST --index INDEX`, with its progress and per-source lines (exit 2 if some failed)."""
    from licheck.cli.index_cmd import build_cmd

    index.parent.mkdir(parents=True, exist_ok=True)
    err_console().print(escape(f"building the index {index} from {manifest} (downloads are cached; re-runs resume)"))
    click.get_current_context().invoke(build_cmd, manifest=str(manifest), index_path=str(index))
