"""The index manifests shipped with licheck, found by name: `licheck index build starter`.

Every ``*.toml`` file in this folder is a manifest named after its file (``starter.toml`` → ``starter``); a new
one needs no registration, only the file (it ships in the wheel through the ``manifests/*.toml`` package-data
entry of pyproject.toml). Its first comment line is its description in `licheck index manifests`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from licheck.errors import UsageError

FOLDER = Path(__file__).resolve().parent
SUFFIX = ".toml"


@dataclass(frozen=True)
class BundledManifest:
    name: str
    path: Path
    description: str
    sources: int  # [[source]] entries (0 when the file is not valid TOML: `index build` says why)


def bundled_manifests(folder: Path = FOLDER) -> list[BundledManifest]:
    """The manifests shipped in ``folder``, by name."""
    return [BundledManifest(path.stem, path, _description(path), _source_count(path))
            for path in sorted(folder.glob(f"*{SUFFIX}"))]


def resolve_manifest(name_or_path: str, *, folder: Path = FOLDER, cwd: Path | None = None) -> Path:
    """An existing manifest file, else the shipped manifest of that name (with or without ``.toml``)."""
    given = Path(name_or_path).expanduser()
    if not given.is_absolute() and cwd is not None:
        given = cwd / given
    if given.is_file():
        return given
    shipped = {m.name: m.path for m in bundled_manifests(folder)}
    name = name_or_path.removesuffix(SUFFIX)
    if name in shipped:
        return shipped[name]
    names = ", ".join(sorted(shipped)) or "none"
    raise UsageError(f"no manifest file {name_or_path!r}, and no shipped manifest of that name (shipped: {names})",
                     hint="pass a manifest file's path, or a name from `licheck index manifests`")


def _source_count(path: Path) -> int:
    import tomllib

    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("source", [])
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return 0
    return len(entries) if isinstance(entries, list) else 0


def _description(path: Path) -> str:
    """The first comment line of the file, without the leading ``#`` and the ``licheck NAME index:`` label."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    for line in lines:
        text = line.strip()
        if text.startswith("#") and text.lstrip("#").strip():
            text = text.lstrip("#").strip()
            label, sep, rest = text.partition(":")
            return rest.strip() if sep and label.startswith("licheck ") else text
        if text and not text.startswith("#"):
            return ""
    return ""
