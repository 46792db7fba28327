"""Source specs: the strings users write to name something to index."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from licheck.errors import UsageError

KINDS = ("local", "pypi", "npm", "deb", "git")
_PYPI = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9._+!-]+)$")
_NPM = re.compile(r"^(?P<name>(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*)@(?P<version>[0-9A-Za-z.+-]+)$")
_DEB = re.compile(r"^(?P<name>[a-z0-9][a-z0-9.+-]+)(?:=(?P<version>[0-9A-Za-z.+~:-]+))?$")
_SPEC_HELP = ("write one of: a local folder or file; pypi:NAME==VERSION; npm:NAME@VERSION; deb:PACKAGE or "
              "deb:PACKAGE=VERSION; git:PATH_OR_URL@REV")


@dataclass(frozen=True)
class SourceRef:
    """A parsed source spec: what to fetch, before anything is fetched."""

    kind: str  # one of KINDS
    name: str  # package name, or the path/URL for local and git sources
    version: str = ""  # pinned version, git revision; "" when not pinned (deb:PACKAGE, local)
    text: str = ""  # the spec as written

    @property
    def label(self) -> str:
        return self.text or f"{self.kind}:{self.name}"


def parse_source_spec(text: str) -> SourceRef:
    """``pypi:requests==2.32.3`` → SourceRef("pypi", "requests", "2.32.3"); anything without a known prefix is a path."""
    spec = text.strip()
    prefix, sep, rest = spec.partition(":")
    if not sep or prefix not in KINDS[1:] or (len(prefix) == 1 and Path(spec).exists()):
        return SourceRef("local", spec, "", spec)
    parser = {"pypi": _parse_pypi, "npm": _parse_npm, "deb": _parse_deb, "git": _parse_git}[prefix]
    return parser(rest.strip(), spec)


def _parse_pypi(rest: str, spec: str) -> SourceRef:
    match = _PYPI.match(rest)
    if not match:
        raise UsageError(f"bad PyPI source {spec!r}: pin one version", hint="write pypi:NAME==VERSION, e.g. pypi:requests==2.32.3")
    return SourceRef("pypi", match["name"], match["version"], spec)


def _parse_npm(rest: str, spec: str) -> SourceRef:
    match = _NPM.match(rest)
    if not match:
        raise UsageError(f"bad npm source {spec!r}: pin one version",
                         hint="write npm:NAME@VERSION, e.g. npm:lodash@4.17.21 or npm:@babel/core@7.26.0")
    return SourceRef("npm", match["name"], match["version"], spec)


def _parse_deb(rest: str, spec: str) -> SourceRef:
    match = _DEB.match(rest)
    if not match:
        raise UsageError(f"bad Debian source {spec!r}", hint="write deb:PACKAGE or deb:PACKAGE=VERSION, e.g. deb:zlib")
    return SourceRef("deb", match["name"], match["version"] or "", spec)


def _parse_git(rest: str, spec: str) -> SourceRef:
    location, at, rev = rest.rpartition("@")
    if not at or not location or not rev or ":" in rev:
        raise UsageError(f"bad git source {spec!r}: name a revision",
                         hint="write git:PATH_OR_URL@REV, e.g. git:../myrepo@v1.2.0 or git:https://host/repo.git@main")
    return SourceRef("git", location, rev, spec)


def spec_help() -> str:
    return _SPEC_HELP
