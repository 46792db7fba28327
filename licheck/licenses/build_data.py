"""Generate ``licheck/data/spdx_licenses.json`` from the ScanCode index bundled with license-expression.

Run ``python -m licheck.licenses.build_data`` after upgrading license-expression. The data file keeps
only what licheck needs (SPDX id -> ScanCode category, deprecated/other ids -> current id), so that
``category_of`` never loads the 1 MB ScanCode index at run time.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from typing import Any

from licheck.licenses.ids import DATA_FILE


def load_scancode_index() -> list[dict[str, Any]]:
    """The ScanCode license index vendored in license-expression."""
    from license_expression import get_license_index  # type: ignore[import-untyped]

    index: list[dict[str, Any]] = get_license_index()
    return index


def build_license_data(index: list[dict[str, Any]]) -> dict[str, Any]:
    """Reduce the ScanCode index to ``{licenses, exceptions, aliases}`` keyed by SPDX id."""
    licenses: dict[str, str] = {}
    exceptions: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for entry in sorted(index, key=lambda e: str(e.get("license_key"))):
        spdx_id = entry.get("spdx_license_key")
        if not spdx_id:
            continue
        table = exceptions if entry.get("is_exception") else licenses
        table[spdx_id] = str(entry.get("category") or "Unstated License")
        for other in entry.get("other_spdx_license_keys") or ():
            if other and other != spdx_id:
                aliases[other] = spdx_id
    return {
        "source": f"license-expression {version('license-expression')} scancode-licensedb-index.json",
        "licenses": licenses,
        "exceptions": exceptions,
        "aliases": dict(sorted(aliases.items())),
    }


def render_license_data(data: dict[str, Any]) -> str:
    """Deterministic JSON text (one entry per line keeps diffs readable)."""
    return json.dumps(data, indent=0, sort_keys=True) + "\n"


def main() -> int:
    DATA_FILE.write_text(render_license_data(build_license_data(load_scancode_index())), encoding="utf-8")
    print(f"wrote {DATA_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
