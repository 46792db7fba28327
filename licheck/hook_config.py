"""Adding the licheck hook to a ``.pre-commit-config.yaml``, keeping everything already there.

The file is edited as text (comments, order and quoting survive): the hook's repo entry is inserted at the end of
the ``repos:`` block sequence, with the indentation the file already uses. The result is parsed back and must equal
the old configuration plus the new entry; when it does not (an unusual layout), nothing is written and the error
shows the entry to add by hand.
"""

from __future__ import annotations

import json
import re
from typing import Any

from licheck.errors import ConfigError

HOOK_ID = "licheck"
# the published hook (.pre-commit-hooks.yaml), as a `repo: local` hook running the licheck on PATH
LOCAL_HOOK: dict[str, Any] = {
    "id": HOOK_ID,
    "name": "licheck (code copied from licensed open-source projects)",
    "entry": "licheck scan --staged",
    "language": "system",
    "pass_filenames": False,
    "require_serial": True,
    "types": ["text"],
}

_REPOS_LINE = re.compile(r"^repos\s*:\s*(#.*)?$")
_EMPTY_REPOS_LINE = re.compile(r"^repos\s*:\s*\[\s*\]\s*(#.*)?$")


def hook_entry(*, repo: str | None = None, rev: str | None = None) -> dict[str, Any]:
    """The ``repos:`` item: a local hook (the installed licheck), or the hook of a licheck clone at ``rev``."""
    if repo is None:
        return {"repo": "local", "hooks": [dict(LOCAL_HOOK)]}
    return {"repo": repo, "rev": rev or "", "hooks": [{"id": HOOK_ID}]}


def has_hook(config: Any) -> bool:
    repos = config.get("repos") if isinstance(config, dict) else None
    return isinstance(repos, list) and any(
        isinstance(item, dict) and any(isinstance(h, dict) and h.get("id") == HOOK_ID for h in item.get("hooks") or [])
        for item in repos)


def add_hook(text: str | None, *, repo: str | None = None, rev: str | None = None) -> str | None:
    """``text`` (a .pre-commit-config.yaml, or None when there is none) with the licheck hook added; None when it
    already has a hook with id ``licheck``."""
    import yaml

    entry = hook_entry(repo=repo, rev=rev)
    if text is None or not text.strip():
        return (text or "") + "repos:\n" + render_entry(entry, indent=2)
    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f".pre-commit-config.yaml is not valid YAML: {exc}") from None
    if not isinstance(config, dict):
        raise ConfigError(".pre-commit-config.yaml is not a mapping", hint="it should start with `repos:`")
    if has_hook(config):
        return None
    if "repos" in config and not isinstance(config["repos"], list):
        raise ConfigError(".pre-commit-config.yaml: `repos` is not a list")
    new = _insert(text, entry)
    expected = {**config, "repos": [*(config.get("repos") or []), entry]}
    if new is None or yaml.safe_load(new) != expected:
        raise ConfigError("cannot add the licheck hook to this .pre-commit-config.yaml automatically",
                          hint="add this item under `repos:` by hand:\n" + render_entry(entry, indent=2))
    return new


def render_entry(entry: dict[str, Any], *, indent: int) -> str:
    """One ``repos:`` item in block style, every scalar JSON-quoted where YAML could misread it."""
    pad = " " * indent
    lines = [f"{pad}- repo: {_scalar(entry['repo'])}"]
    if "rev" in entry:
        lines.append(f"{pad}  rev: {_scalar(entry['rev'])}")
    lines.append(f"{pad}  hooks:")
    for hook in entry["hooks"]:
        for number, (key, value) in enumerate(hook.items()):
            lead = "- " if number == 0 else "  "
            lines.append(f"{pad}    {lead}{key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    text = str(value)
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ ()./-]*", text) and text.strip() == text and ": " not in text
    return text if plain and text not in ("true", "false", "null", "yes", "no", "on", "off") else json.dumps(text)


def _insert(text: str, entry: dict[str, Any]) -> str | None:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    starts = [i for i, line in enumerate(lines) if _REPOS_LINE.match(line.rstrip("\r\n"))]
    empties = [i for i, line in enumerate(lines) if _EMPTY_REPOS_LINE.match(line.rstrip("\r\n"))]
    if not starts and not empties:
        if any(line.startswith("repos") for line in lines):
            return None  # some other layout (e.g. a flow sequence): do not guess
        return "".join(lines) + "repos:\n" + render_entry(entry, indent=2)
    if empties:
        i = empties[0]
        return "".join(lines[:i]) + "repos:\n" + render_entry(entry, indent=2) + "".join(lines[i + 1:])
    start = starts[0]
    end = start + 1
    while end < len(lines) and _in_block(lines[end]):
        end += 1
    last = end
    while last > start + 1 and (not lines[last - 1].strip() or lines[last - 1].lstrip().startswith("#")):
        last -= 1  # trailing blank lines and comments stay with what follows the block
    items = [line for line in lines[start + 1:last] if line.lstrip().startswith("- ")]
    indent = len(items[0]) - len(items[0].lstrip()) if items else 2
    return "".join(lines[:last]) + render_entry(entry, indent=indent) + "".join(lines[last:])


def _in_block(line: str) -> bool:
    """Whether a line after ``repos:`` still belongs to its value (indented, a column-0 item, blank, a comment)."""
    return not line.strip() or line[0] in " \t#" or line.startswith("- ") or line.rstrip("\r\n") == "-"
