"""A fetched source before unpacking: the record every fetcher returns."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from licheck.errors import SourceError
from licheck.sources.spec import SourceRef

COMMAND_TIMEOUT_S = 900


@dataclass(frozen=True)
class Download:
    """A source fetched into the cache (or found there), identified by a digest of what was fetched."""

    ref: SourceRef
    name: str
    version: str
    files: tuple[Path, ...]  # archives to unpack, in order (for local sources: the path itself)
    digest: str | None  # None: let the indexer digest the tree (local folders)
    url: str = ""
    origin: str = ""
    kind: str = ""  # "sdist", "wheel", "npm tarball", "debian source", "git commit", "local"
    cached: bool = False  # found in the cache, nothing fetched


def run_tool(args: list[str], *, what: str, cwd: Path | None = None, hint: str = "",
             env: dict[str, str] | None = None, timeout: float = COMMAND_TIMEOUT_S) -> str:
    """Run a registry client; its stdout, or SourceError naming the tool and the tail of its stderr."""
    if shutil.which(args[0]) is None:
        raise SourceError(f"cannot fetch {what}: `{args[0]}` is not installed", hint=hint or f"install {args[0]}")
    try:
        done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise SourceError(f"cannot fetch {what}: `{_command_name(args)}` took over {timeout:.0f} s",
                          hint="check the network and the registry, then re-run: finished sources are kept") from None
    if done.returncode != 0:
        tail = " | ".join(line.strip() for line in done.stderr.strip().splitlines()[-4:] if line.strip())
        raise SourceError(f"cannot fetch {what}: `{_command_name(args)}` failed: {tail or 'exit ' + str(done.returncode)}",
                          hint=hint or "check the name and version, and that the registry is reachable")
    return done.stdout


def _command_name(args: list[str]) -> str:
    """``git -c x=y -C repo archive ...`` → ``git archive``: the tool and its subcommand."""
    words: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("-c", "-C", "-o", "-m"):
            skip = True
        elif not arg.startswith("-"):
            words.append(Path(arg).name if not words else arg)
        if len(words) == 2:
            break
    return " ".join(words)
