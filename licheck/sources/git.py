"""git sources: one commit of a local repository or of one git can clone, via `git archive`."""

from __future__ import annotations

import os
import re
from pathlib import Path

from licheck.errors import SourceError
from licheck.indexer import SourceSpec
from licheck.sources.cache import slot
from licheck.sources.download import Download, run_tool
from licheck.sources.safe_extract import ExtractLimits, extract_archive
from licheck.sources.spec import SourceRef

# never let a repository's own config run programs while we read it
_SAFE = ["-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "protocol.file.allow=always",
         "-c", "safe.directory=*"]
_HINT = "check the repository path or URL and that the revision exists (git log REV)"


def download_git(ref: SourceRef, cache: Path) -> Download:
    location = ref.name
    is_url = "://" in location or re.match(r"^[\w.-]+@[\w.-]+:", location) is not None
    if is_url:
        repo = slot(cache, "git", location)
        if not (repo / "HEAD").is_file():
            repo.parent.mkdir(parents=True, exist_ok=True)
            _git(["clone", "--quiet", "--bare", location, str(repo)], ref)
        commit = _resolve(repo, ref.version, ref, fetch=True)
    else:
        repo = Path(location).expanduser().resolve()
        if not repo.exists():
            raise SourceError(f"cannot fetch {ref.label}: no repository at {repo}", hint=_HINT)
        commit = _resolve(repo, ref.version, ref, fetch=False)
    name = re.sub(r"\.git$", "", location.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]) or "repo"
    return Download(ref, name, ref.version, (repo,), commit, location if is_url else "", f"git:{location}@{commit}",
                    "git commit", not is_url)


def unpack_git(download: Download, workdir: Path, *, limits: ExtractLimits | None = None) -> SourceSpec:
    workdir.mkdir(parents=True, exist_ok=True)
    tar = workdir / "commit.tar"
    _git(["-C", str(download.files[0]), "archive", "--format=tar", "-o", str(tar), str(download.digest)],
         download.ref)
    root = extract_archive(tar, workdir / "src", limits=limits)
    tar.unlink()
    return SourceSpec(root, name=download.name, version=download.version, url=download.url,
                      origin=download.origin, digest=download.digest)


def _resolve(repo: Path, rev: str, ref: SourceRef, *, fetch: bool) -> str:
    args = ["-C", str(repo), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"]
    try:
        return _git(args, ref).strip()
    except SourceError:
        if not fetch:
            raise
    _git(["-C", str(repo), "fetch", "--quiet", "origin", rev], ref)
    try:
        return _git(["-C", str(repo), "rev-parse", "--verify", "--quiet", "FETCH_HEAD^{commit}"], ref).strip()
    except SourceError:
        raise SourceError(f"cannot fetch {ref.label}: no revision {rev!r}", hint=_HINT) from None


def _git(args: list[str], ref: SourceRef) -> str:
    env = {"GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(Path.home())}
    try:
        return run_tool(["git", *_SAFE, *args], what=ref.label, hint=_HINT, env=env)
    except SourceError as exc:
        if "not a git repository" in exc.message or "unknown revision" in exc.message or "Needed a single" in exc.message:
            raise SourceError(f"cannot fetch {ref.label}: {exc.message.split(': ', 2)[-1]}", hint=_HINT) from None
        raise

