"""License knowledge: SPDX normalization, categories, obligations and detection.

Names are imported lazily from their modules so that ``from licheck.licenses.categories import
category_of`` does not pay for the detection code (tomllib, email parsing).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "CATEGORIES": "categories",
    "category_of": "categories",
    "Dep5": "dep5",
    "dep5_licenses": "dep5",
    "detect_package_license": "detect",
    "license_from_option": "detect",
    "spdx_header_of": "detect",
    "license_from_header": "detect",
    "LicenseInfo": "info",
    "obligations_for": "obligations",
    "normalize_license": "spdx",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'licheck.licenses' has no attribute {name!r}")
    return getattr(import_module(f"licheck.licenses.{module}"), name)
