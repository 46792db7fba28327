"""What a diff scan reads from git: the staged changes, or the changes of a revision range, via the git CLI.

New file contents come from where the change lands: the index for ``--staged`` (so a pre-commit hook scans
exactly what will be committed), the right-hand revision for ``A..B`` / ``A...B``, the working tree for a
single revision (``git diff REV`` compares REV with the working tree).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from licheck.errors import InputError
from licheck.inputs.diff import FileChange, parse_unified_diff, worktree_reader

# settings that make `git diff` output parseable whatever the user's git config says
_DIFF_ARGS = ("-c", "core.quotepath=off", "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false",
              "-c", "color.ui=false")
_DIFF_FLAGS = ("--no-color", "--no-ext-diff", "--no-textconv", "-M", "-U0", "--src-prefix=a/", "--dst-prefix=b/")


@dataclass(frozen=True)
class GitChanges:
    root: Path  # the top of the working tree
    changes: list[FileChange]
    read_new: Callable[[FileChange], bytes | None]


def run_git(args: list[str], *, cwd: Path, env: Mapping[str, str] | None = None, stdin: bytes | None = None) -> bytes:
    """Run git and return its stdout; a failure is an InputError carrying git's own message."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True,
                              env=dict(env) if env is not None else None, check=False)
    except FileNotFoundError:
        raise InputError("git is not installed or not on PATH", hint="install git to use --staged or --diff") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"git {_verb(args)} failed: {message[0] if message else 'exit ' + str(done.returncode)}",
                         hint="run it inside a git repository, with a revision that exists")
    return done.stdout


def _verb(args: list[str]) -> str:
    """The git subcommand in ``args`` (after any ``-c key=value`` settings)."""
    rest = list(args)
    while rest and rest[0] == "-c":
        rest = rest[2:]
    return rest[0] if rest else ""


def repo_root(cwd: Path, *, env: Mapping[str, str] | None = None) -> Path:
    try:
        out = run_git(["rev-parse", "--show-toplevel"], cwd=cwd, env=env)
    except InputError:
        raise InputError(f"not inside a git repository: {cwd}",
                         hint="--staged and --diff read git; use --diff-file for a saved diff") from None
    return Path(out.decode("utf-8", "surrogateescape").strip())


def staged_changes(cwd: Path, *, env: Mapping[str, str] | None = None) -> GitChanges:
    """The changes staged for the next commit, with the staged (index) contents of each file."""
    root = repo_root(cwd, env=env)
    diff = run_git([*_DIFF_ARGS, "diff", "--cached", *_DIFF_FLAGS], cwd=root, env=env)
    changes = parse_unified_diff(diff, origin="git diff --cached")
    return GitChanges(root, changes, _blob_reader(root, "", changes, env=env))


def revision_changes(cwd: Path, revision: str, *, env: Mapping[str, str] | None = None) -> GitChanges:
    """The changes of ``git diff REV`` (REV may be ``A..B`` or ``A...B``), with the new side's contents."""
    if not revision or revision.startswith("-"):
        raise InputError(f"not a revision: {revision!r}", hint="pass e.g. --diff origin/main...HEAD")
    root = repo_root(cwd, env=env)
    diff = run_git([*_DIFF_ARGS, "diff", *_DIFF_FLAGS, revision, "--"], cwd=root, env=env)
    changes = parse_unified_diff(diff, origin=f"git diff {revision}")
    right = _right_side(revision)
    if right is None:  # a single revision: compared with the working tree
        return GitChanges(root, changes, worktree_reader(root))
    return GitChanges(root, changes, _blob_reader(root, right, changes, env=env))


def _right_side(revision: str) -> str | None:
    for separator in ("...", ".."):
        if separator in revision:
            right = revision.split(separator, 1)[1]
            return right or "HEAD"
    return None


def _blob_reader(root: Path, treeish: str, changes: list[FileChange], *,
                 env: Mapping[str, str] | None) -> Callable[[FileChange], bytes | None]:
    """Read every scannable file's new contents with one `git cat-file --batch` (``:path`` is the index)."""
    wanted = [c.path for c in changes if c.scannable]
    blobs = _cat_files(root, [f"{treeish}:{path}" for path in wanted], env=env) if wanted else []
    by_path = dict(zip(wanted, blobs, strict=True))

    def read(change: FileChange) -> bytes | None:
        return by_path.get(change.path)

    return read


def _cat_files(root: Path, names: list[str], *, env: Mapping[str, str] | None) -> list[bytes | None]:
    if any("\n" in name for name in names):
        raise InputError("a changed file's name holds a newline", hint="rename it")
    out = run_git(["cat-file", "--batch"], cwd=root, env=env,
                  stdin="".join(name + "\n" for name in names).encode("utf-8", "surrogateescape"))
    blobs: list[bytes | None] = []
    pos = 0
    for _ in names:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[-1] == b"missing":
            blobs.append(None)
            continue
        size = int(header[2])
        blobs.append(out[pos:pos + size] if header[1] == b"blob" else None)
        pos += size + 1
    return blobs

