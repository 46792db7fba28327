"""Who holds the matched code: every indexed copy of its lineage, and the one reported as its origin.

Origin rule, first that separates the holders:
1. ``not vendored`` — a copy outside vendored folders (``vendor/``, ``_vendor/``, ``third_party/``,
   ``node_modules/``, ``extern/``, …) over the copies inside them;
2. ``package name`` — a holder whose own name the vendored copies' paths spell (``pip/_vendor/requests/…`` names
   ``requests``), or whose own path starts with its name;
3. ``earliest version`` — the oldest version of that project, then the first source indexed.
When step 1–2 leave holders of more than one project, the origin is ``ambiguous`` and the report says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from licheck.store.index_db import IndexDB, UnitRow

VENDORED_DIRS = frozenset({"vendor", "_vendor", "vendored", "_vendored", "third_party", "thirdparty", "third-party",
                           "3rdparty", "node_modules", "extern", "external", "externals", "bundled", "_bundled",
                           "deps", "contrib"})
MAX_HOLDERS = 200


@dataclass(frozen=True)
class Holder:
    name: str
    version: str
    path: str
    start_line: int
    end_line: int
    license: str
    license_category: str
    license_origin: str
    url: str
    lineage: int
    unit_id: int


@dataclass(frozen=True)
class Origin:
    holder: Holder
    rule: str
    ambiguous: bool


def holders_of(index: IndexDB, row: UnitRow, source_lines: tuple[int, int]) -> list[Holder]:
    """Every placement of every unit of ``row``'s lineage, the matched unit first (at its matched lines)."""
    units = index.lineage_units(row.lineage, limit=MAX_HOLDERS) if row.lineage else []
    units = [row] + [u for u in units if u.id != row.id]
    seen: set[tuple[str, str, str]] = set()
    holders = []
    for unit in units:
        lines = source_lines if unit.id == row.id else (unit.start_line, unit.end_line)
        for place in index.placements(unit.content_id):
            key = (place.source.name, place.source.version, place.path)
            if key in seen:
                continue
            seen.add(key)
            holders.append(Holder(place.source.name, place.source.version, place.path, lines[0], lines[1],
                                  place.license, place.license_category, place.license_origin, place.source.url,
                                  unit.lineage or unit.id, unit.id))
            if len(holders) >= MAX_HOLDERS:
                return holders
    return holders


def is_vendored(path: str) -> bool:
    return any(part.lower() in VENDORED_DIRS for part in path.split("/")[:-1])


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _named_by_vendored_copies(holders: list[Holder]) -> set[str]:
    """Project names that vendored paths spell right after their vendor folder (``_vendor/<name>/…``)."""
    names = set()
    for h in holders:
        parts = h.path.split("/")
        for i, part in enumerate(parts[:-1]):
            if part.lower() in VENDORED_DIRS:
                names.add(_norm(parts[i + 1].removesuffix(".py")))
    return names


def origin_of(holders: list[Holder]) -> Origin:
    if len({h.name for h in holders}) == 1:
        return Origin(_earliest(holders), "only holder" if len(holders) == 1 else "one project", False)
    rule = "earliest version"
    pool = [h for h in holders if not is_vendored(h.path)]
    if pool and len(pool) < len(holders):
        rule = "not vendored"
    pool = pool or holders
    spelled = _named_by_vendored_copies(holders)
    named = [h for h in pool if _norm(h.name) in spelled]
    if not named:
        named = [h for h in pool if _norm(h.path.split("/")[0]) == _norm(h.name)]
    if named and len({h.name for h in named}) < len({h.name for h in pool}):
        pool, rule = named, "package name"
    return Origin(_earliest(pool), rule, len({h.name for h in pool}) > 1)


def _earliest(holders: list[Holder]) -> Holder:
    return min(enumerate(holders), key=lambda ih: (_version_key(ih[1].version), ih[0]))[1]


def _version_key(version: str) -> tuple:
    try:
        from packaging.version import InvalidVersion, Version
    except ImportError:  # pragma: no cover - packaging ships with pip and setuptools
        return (1, version)
    try:
        return (0, Version(version))
    except InvalidVersion:
        return (1, version)
