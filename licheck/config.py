"""One frozen, validated Settings from ``[tool.licheck]`` (pyproject.toml) or ``.licheck.toml``, ``LICHECK_*``
environment variables and defaults — in that order of precedence, lowest first (the command line wins over all).

Every problem in the file and the environment is collected and reported in one ConfigError (exit 2).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from licheck.errors import ConfigError, UsageError
from licheck.policy import ACTIONS, DEFAULT_DENY, DEFAULT_WARN, UNKNOWN_KEYS

CONFIG_FILE = ".licheck.toml"
PYPROJECT = "pyproject.toml"
DEFAULT_INDEX_FILE = "index.sqlite"
_CATEGORIES = ("permissive", "weak_copyleft", "strong_copyleft", "network_copyleft", "public_domain", "proprietary")


@dataclass(frozen=True)
class Settings:
    """Everything a scan needs besides its inputs; defaults are what ``licheck scan`` does with no config."""

    index: str | None = None
    deny: frozenset[str] = DEFAULT_DENY  # license categories or SPDX ids whose striking matches fail the run
    warn: frozenset[str] = DEFAULT_WARN
    allow: frozenset[str] = frozenset()
    unknown: str = "warn"  # what a striking match of NOASSERTION / unknown-license code does: deny | warn | allow
    first_party: tuple[str, ...] = ()  # source names or globs (name, path, name/path) of the user's own code
    forks: tuple[str, ...] = ()
    upstreams: tuple[str, ...] = ()
    ignore_paths: tuple[str, ...] = ()  # globs over scanned paths (vendored code): findings there are allowed
    min_tokens: int | None = None  # None: the scanner's own floor (licheck.decide.rules.Thresholds.min_tokens)
    max_e_value: float | None = None  # None: the decision's default (licheck.decide.rules.Thresholds.max_e_value)
    license_basis: str = "holders"  # holders: the most restrictive license of every holder; origin: the origin's
    min_lines: int = 1
    min_similarity: float = 0.0
    striking_only: bool = False
    baseline: str | None = None
    source: str = "defaults"  # where the settings came from, for messages


# key in the file / env → (Settings field, kind)
_KEYS: dict[str, tuple[str, str]] = {
    "index": ("index", "path"),
    "deny": ("deny", "licenses"),
    "warn": ("warn", "licenses"),
    "allow": ("allow", "licenses"),
    "unknown": ("unknown", "action"),
    "first-party": ("first_party", "globs"),
    "forks": ("forks", "globs"),
    "upstreams": ("upstreams", "globs"),
    "ignore-paths": ("ignore_paths", "globs"),
    "min-tokens": ("min_tokens", "count"),
    "min-lines": ("min_lines", "count"),
    "min-similarity": ("min_similarity", "fraction"),
    "max-e-value": ("max_e_value", "positive"),
    "license-basis": ("license_basis", "basis"),
    "striking-only": ("striking_only", "bool"),
    "baseline": ("baseline", "path"),
}
_TABLES = {"thresholds": ("min-tokens", "min-lines", "min-similarity", "max-e-value")}


def default_index_path() -> Path:
    """The index used when none is given: ``index.sqlite`` in the user's cache folder (platformdirs:
    ``$XDG_CACHE_HOME/licheck`` or ``~/.cache/licheck`` on Linux, ``~/Library/Caches/licheck`` on macOS,
    ``%LOCALAPPDATA%\\licheck\\Cache`` on Windows)."""
    from platformdirs import user_cache_path

    return user_cache_path("licheck", appauthor=False) / DEFAULT_INDEX_FILE


def resolve_index(given: str | None, *, creates: bool = False) -> str:
    """The index a command uses: ``given`` (from --index, LICHECK_INDEX or the config's ``index``), else the
    default one — created by commands that build (``creates``), required to exist by the others."""
    if given:
        return given
    default = default_index_path()
    if creates:
        default.parent.mkdir(parents=True, exist_ok=True)
    elif not default.is_file():
        raise UsageError(f"no index given and no default index yet: run `licheck index build starter` "
                         f"(it builds {default})",
                         hint="or pass --index FILE, set LICHECK_INDEX, or `index = …` in [tool.licheck]")
    return str(default)


def configured_index(cwd: Path | None = None) -> str | None:
    """The ``index`` of the nearest config file or LICHECK_INDEX, if any (the whole config is validated)."""
    return load_settings(cwd=cwd).index


def find_config(start: Path) -> Path | None:
    """The nearest ``.licheck.toml``, or ``pyproject.toml`` with a ``[tool.licheck]`` table, from ``start`` up to
    the top of its git repository."""
    for folder in (start.resolve(), *start.resolve().parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and b"[tool.licheck" in pyproject.read_bytes():
            return pyproject
        if (folder / ".git").exists():
            return None
    return None


def load_settings(*, config_path: str | Path | None = None, cwd: Path | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then the config file (``config_path``, ``LICHECK_CONFIG`` or found from ``cwd``), then env."""
    env = os.environ if environ is None else environ
    problems: list[str] = []
    values: dict[str, Any] = {}
    origin = "defaults"
    path = Path(config_path) if config_path else (Path(env["LICHECK_CONFIG"]) if env.get("LICHECK_CONFIG") else None)
    if path is None:
        path = find_config(cwd or Path.cwd())
    if path is not None:
        table = _read_table(path, problems)
        values.update(_check_table(table, path, problems))
        origin = str(path)
    values.update(_check_env(env, problems))
    if not problems:
        _check_consistency(values, problems, origin)
    if problems:
        where = f" in {origin}" if origin != "defaults" else ""
        raise ConfigError(f"invalid licheck configuration{where} ({len(problems)} problem(s)):\n"
                          + "\n".join(f"  - {p}" for p in problems),
                          hint="fix every listed entry; docs/policy.md describes each key")
    return replace(Settings(), source=origin, **values)


def _read_table(path: Path, problems: list[str]) -> dict[str, Any]:
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"config file not found: {path}")
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"cannot read {path}: {exc}")
        return {}
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path} is not valid TOML: {exc}")
        return {}
    tool = data.get("tool", {}).get("licheck") if isinstance(data.get("tool"), dict) else None
    if path.name == PYPROJECT:
        if tool is None:
            problems.append(f"{path} has no [tool.licheck] table")
        return tool if isinstance(tool, dict) else {}
    return tool if isinstance(tool, dict) else data


def _check_table(table: Mapping[str, Any], path: Path, problems: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for raw_key, raw in table.items():
        key = raw_key.replace("_", "-")
        if key in _TABLES and isinstance(raw, dict):
            for sub_key, sub_value in raw.items():
                name = sub_key.replace("_", "-")
                if name not in _TABLES[key]:
                    problems.append(_unknown_key(f"{key}.{sub_key}", _TABLES[key], prefix=f"{key}."))
                    continue
                _take(values, name, sub_value, f"{key}.{sub_key}", problems, base=path.parent)
        elif key not in _KEYS:
            problems.append(_unknown_key(raw_key, [*_KEYS, *_TABLES]))
        else:
            _take(values, key, raw, raw_key, problems, base=path.parent)
    return values


def _check_env(env: Mapping[str, str], problems: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, (_, kind) in _KEYS.items():
        name = "LICHECK_" + key.upper().replace("-", "_")
        raw = env.get(name)
        if raw is None or raw == "":
            continue
        value: Any = raw
        if kind in ("licenses", "globs"):
            value = [part.strip() for part in raw.split(",") if part.strip()]
        elif kind == "bool":
            value = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}.get(raw.lower(), raw)
        elif kind in ("count", "fraction", "positive"):
            value = _number(raw)
        _take(values, key, value, f"environment variable {name}", problems, base=Path.cwd())
    return values


def _number(raw: str) -> Any:
    for kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            continue
    return raw


def _take(values: dict[str, Any], key: str, raw: Any, label: str, problems: list[str], *, base: Path) -> None:
    attr, kind = _KEYS[key]
    checked = _CHECKS[kind](raw, label, problems, base)
    if checked is not _INVALID:
        values[attr] = checked


_INVALID = object()


def _check_path(raw: Any, label: str, problems: list[str], base: Path) -> Any:
    if not isinstance(raw, str) or not raw.strip():
        problems.append(f"{label}: expected a path (a non-empty string), got {raw!r}")
        return _INVALID
    path = Path(os.path.expanduser(raw))
    return str(path if path.is_absolute() else base / path)


def _check_licenses(raw: Any, label: str, problems: list[str], base: Path) -> Any:
    from licheck.licenses.ids import canonical_license_id

    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        problems.append(f"{label}: expected a list of license categories or SPDX ids, got {raw!r}")
        return _INVALID
    kept: set[str] = set()
    for item in raw:
        if item in UNKNOWN_KEYS or item.lower() in ("unknown", "noassertion"):
            problems.append(f"{label}: {item!r} — NOASSERTION/unknown licenses have their own entry: "
                            f"unknown = \"deny\" | \"warn\" | \"allow\"")
        elif item in _CATEGORIES:
            kept.add(item)
        elif (canonical := canonical_license_id(item)) is not None:
            kept.add(canonical)
        else:
            import difflib

            close = difflib.get_close_matches(item, _CATEGORIES, n=1)
            suggestion = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{label}: {item!r} is neither a license category ({', '.join(_CATEGORIES)}) "
                            f"nor a known SPDX license id{suggestion}")
    return frozenset(kept)


def _check_globs(raw: Any, label: str, problems: list[str], base: Path) -> Any:
    if not isinstance(raw, list) or not all(isinstance(item, str) and item.strip() for item in raw):
        problems.append(f"{label}: expected a list of source names or path globs, got {raw!r}")
        return _INVALID
    return tuple(raw)


def _check_action(raw: Any, label: str, problems: list[str], base: Path) -> Any:
    if raw not in ACTIONS:
        problems.append(f"{label}: expected one of {', '.join(ACTIONS)}, got {raw!r}")
        return _INVALID
    return raw


def _check_count(raw: Any, label: str, problems: list[str], base: Path) -> Any:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        problems.append(f"{label}: expected a whole number >= 1, got {raw!r}")
        return _INVALID
    return raw


def _check_fraction(raw: Any, label: str, problems: list[str], base: Path) -> Any:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0.0 <= raw <= 1.0:
        problems.append(f"{label}: expected a number between 0 and 1, got {raw!r}")
        return _INVALID
    return float(raw)


def _check_positive(raw: Any, label: str, problems: list[str], base: Path) -> Any:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0.0 < raw <= 1000.0:
        problems.append(f"{label}: expected a number above 0 (at most 1000), got {raw!r}")
        return _INVALID
    return float(raw)


def _check_basis(raw: Any, label: str, problems: list[str], base: Path) -> Any:
    if raw not in ("holders", "origin"):
        problems.append(f"{label}: expected 'holders' or 'origin', got {raw!r}")
        return _INVALID
    return raw


def _check_bool(raw: Any, label: str, problems: list[str], base: Path) -> Any:
    if not isinstance(raw, bool):
        problems.append(f"{label}: expected true or false, got {raw!r}")
        return _INVALID
    return raw


_CHECKS = {"path": _check_path, "licenses": _check_licenses, "globs": _check_globs, "action": _check_action,
           "count": _check_count, "fraction": _check_fraction, "bool": _check_bool,
           "positive": _check_positive, "basis": _check_basis}


def _unknown_key(key: str, known: Any, *, prefix: str = "") -> str:
    import difflib

    close = difflib.get_close_matches(key.replace("_", "-").removeprefix(prefix), list(known), n=1)
    suggestion = f" (did you mean {prefix}{close[0]!r}?)" if close else ""
    return f"unknown key {key!r}{suggestion}"


def _check_consistency(values: Mapping[str, Any], problems: list[str], origin: str) -> None:
    lists = {name: values.get(name, getattr(Settings, name)) for name in ("deny", "warn", "allow")}
    for a, b in (("deny", "warn"), ("deny", "allow"), ("warn", "allow")):
        both = sorted(lists[a] & lists[b])
        explicit = a in values and b in values
        if both and explicit:
            problems.append(f"{', '.join(both)} listed in both {a!r} and {b!r}: pick one")

