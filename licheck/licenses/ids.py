"""SPDX license and exception ids known to the ScanCode index (via ``licheck/data/spdx_licenses.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "spdx_licenses.json"


@dataclass(frozen=True)
class IdTable:
    """Case-insensitive lookups: any known spelling -> current SPDX id, and id -> ScanCode category."""

    licenses: dict[str, str]  # lowercased id or alias -> current id
    exceptions: dict[str, str]  # lowercased exception id or alias -> current id
    scancode_category: dict[str, str]  # current id -> ScanCode category ("Permissive", "Copyleft", ...)
    source: str


@lru_cache(maxsize=1)
def id_table() -> IdTable:
    """Load the generated data file once."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    licenses = {key.lower(): key for key in data["licenses"]}
    exceptions = {key.lower(): key for key in data["exceptions"]}
    for alias, target in data["aliases"].items():
        table = exceptions if target in data["exceptions"] else licenses
        table.setdefault(alias.lower(), target)
    return IdTable(
        licenses=licenses,
        exceptions=exceptions,
        scancode_category={**data["licenses"], **data["exceptions"]},
        source=data["source"],
    )


def canonical_license_id(token: str) -> str | None:
    """``"gpl-2.0+"`` -> ``"GPL-2.0-or-later"``; unknown ids -> None (LicenseRef-* kept as written)."""
    table = id_table()
    found = table.licenses.get(token.lower())
    if found:
        return found
    if token.lower().startswith(("licenseref-", "documentref-")):
        return token
    return None


def canonical_exception_id(token: str) -> str | None:
    """``"classpath-exception-2.0"`` -> ``"Classpath-exception-2.0"``; unknown -> None."""
    return id_table().exceptions.get(token.lower())


def scancode_category_of(spdx_id: str) -> str | None:
    """The ScanCode category of a current SPDX id, or None when ScanCode does not know it."""
    return id_table().scancode_category.get(spdx_id)
