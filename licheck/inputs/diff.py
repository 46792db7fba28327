"""A unified diff → the files it changes and the lines it adds (parsed with ``unidiff``).

Only added lines can trigger a finding in a diff scan; the rest of the new file is context. Deleted files,
binary patches, pure renames and mode-only changes add no lines and so yield no scan target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from licheck.errors import InputError

if TYPE_CHECKING:
    from licheck.scanner import ScanTarget

# statuses of a changed file
ADDED, MODIFIED, RENAMED, DELETED, BINARY, MODE_ONLY = "added", "modified", "renamed", "deleted", "binary", "mode-only"


@dataclass(frozen=True)
class FileChange:
    """One file of a diff: where it is after the change, and which of its lines (1-based) the change added."""

    path: str  # the path after the change ('/'-separated, without the a/ b/ prefixes)
    old_path: str | None
    status: str
    added_lines: frozenset[int]
    # the new side of each hunk (added + context lines) by line number: enough to scan when the file is absent
    hunk_lines: tuple[tuple[int, str], ...] = ()

    @property
    def scannable(self) -> bool:
        return self.status not in (DELETED, BINARY) and bool(self.added_lines)


def decode_patch(data: bytes) -> str:
    """The text of a patch; bytes that are not UTF-8 are kept (as surrogates) so line numbers never shift."""
    return data.decode("utf-8", "surrogateescape")


def parse_unified_diff(data: bytes | str, *, origin: str = "diff") -> list[FileChange]:
    """Every file of a unified diff (git's extended headers included) with the lines it adds.

    A malformed diff is an InputError naming where it broke; an empty diff is no change at all.
    """
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    text = decode_patch(data) if isinstance(data, bytes) else data
    if not text.strip():
        return []
    try:
        patch = PatchSet(text)
    except UnidiffParseError as exc:
        raise InputError(f"{origin} is not a valid unified diff: {exc}",
                         hint="pass the output of `git diff` or `diff -u`") from None
    if not list(patch) and not _looks_like_header_only(text):
        raise InputError(f"{origin} holds no unified diff (no '--- a/…' / '+++ b/…' or 'diff --git' headers)",
                         hint="pass the output of `git diff` or `diff -u`")
    return [_change_of(patched) for patched in patch]


def _looks_like_header_only(text: str) -> bool:
    return any(line.startswith(("diff --git ", "Binary files ")) for line in text.splitlines())


def _change_of(patched: object) -> FileChange:
    source, target = patched.source_file, patched.target_file  # type: ignore[attr-defined]
    strip = _prefixed(source, target)
    old = _clean(source, strip) if source != "/dev/null" else None
    path = _clean(source if patched.is_removed_file else target, strip)  # type: ignore[attr-defined]
    added: set[int] = set()
    new_side: list[tuple[int, str]] = []
    for hunk in patched:  # type: ignore[attr-defined]
        for line in hunk:
            if line.target_line_no is None:
                continue
            new_side.append((line.target_line_no, line.value))
            if line.is_added:
                added.add(line.target_line_no)
    return FileChange(path=path, old_path=old, status=_status_of(patched, bool(new_side)),
                      added_lines=frozenset(added), hunk_lines=tuple(new_side))


def _status_of(patched: object, has_hunks: bool) -> str:
    p = patched
    if p.is_removed_file:  # type: ignore[attr-defined]
        return DELETED
    if p.is_binary_file:  # type: ignore[attr-defined]
        return BINARY
    if p.is_added_file:  # type: ignore[attr-defined]
        return ADDED
    if p.is_rename:  # type: ignore[attr-defined]
        return RENAMED
    return MODIFIED if has_hunks else MODE_ONLY


# git's prefixes: a/ b/ by default, i/ w/ c/ o/ with diff.mnemonicPrefix
_PREFIXES = ("a/", "b/", "i/", "w/", "c/", "o/")


def _prefixed(source: str, target: str) -> bool:
    """Whether both sides carry git-style one-letter prefixes (a diff made with --no-prefix has none)."""
    sides = [name.strip().strip('"') for name in (source, target) if name.strip() != "/dev/null"]
    return bool(sides) and all(side.startswith(_PREFIXES) for side in sides) and (
        len(sides) == 2 or sides[0].startswith(("a/", "b/")))


def _clean(name: str, strip: bool) -> str:
    name = name.strip().strip('"')
    return name[2:] if strip and name.startswith(_PREFIXES) else name


def targets_from_changes(changes: list[FileChange], read_new: Callable[[FileChange], bytes | None],
                         *, is_code: Callable[[str, bytes], bool] | None = None) -> tuple[list[ScanTarget], list[tuple[str, str]]]:
    """Scan targets for the changed files that add lines, with their new contents; and (path, reason) skips.

    ``read_new`` returns a file's contents after the change, or None when it cannot be found (then the hunks'
    new side is scanned on its own, line numbers kept).
    """
    from licheck.lang.registry import is_code_path
    from licheck.scanner import ScanTarget

    code = is_code or (lambda path, head: is_code_path(path, head))
    targets: list[ScanTarget] = []
    skipped: list[tuple[str, str]] = []
    for change in changes:
        if not change.scannable:
            continue
        data = read_new(change)
        if data is None:
            data = rebuild_from_hunks(change)
            if data is None:
                skipped.append((change.path, "deleted in the working tree"))
                continue
        if not code(change.path, data[:128]):
            continue
        targets.append(ScanTarget(display=change.path, data=data, added_lines=change.added_lines))
    return targets, skipped


def rebuild_from_hunks(change: FileChange) -> bytes | None:
    """The new side of the hunks at their line numbers (other lines blank): a file to scan when it is absent."""
    if not change.hunk_lines:
        return None
    last = max(number for number, _ in change.hunk_lines)
    lines = [""] * last
    for number, value in change.hunk_lines:
        lines[number - 1] = value.rstrip("\r\n")
    return "\n".join(lines).encode("utf-8", "surrogateescape") + b"\n"


def worktree_reader(*roots: Path) -> Callable[[FileChange], bytes | None]:
    """Read a changed file's new contents from the first folder holding it (the working tree); None if none."""

    def read(change: FileChange) -> bytes | None:
        for root in roots:
            path = root / change.path
            try:
                if path.is_file() and not path.is_symlink():
                    return path.read_bytes()
            except OSError:
                continue
        return None

    return read


def read_diff_input(source: str, *, stdin: bytes | None = None) -> bytes:
    """The bytes of ``--diff-file``: a path, or ``-`` for standard input."""
    if source == "-":
        if stdin is not None:
            return stdin
        import sys

        return sys.stdin.buffer.read()
    try:
        return Path(source).read_bytes()
    except FileNotFoundError:
        raise InputError(f"diff file not found: {source}") from None
    except OSError as exc:
        raise InputError(f"cannot read diff file {source}: {exc.strerror or exc}") from None
