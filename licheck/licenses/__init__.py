"""License knowledge: SPDX normalization, categories, obligations and detection."""

from __future__ import annotations

from licheck.licenses.categories import CATEGORIES, category_of
from licheck.licenses.dep5 import Dep5, dep5_licenses
from licheck.licenses.detect import detect_package_license, license_from_option, spdx_header_of
from licheck.licenses.info import LicenseInfo
from licheck.licenses.obligations import obligations_for
from licheck.licenses.spdx import normalize_license

__all__ = [
    "CATEGORIES",
    "Dep5",
    "LicenseInfo",
    "category_of",
    "dep5_licenses",
    "detect_package_license",
    "license_from_option",
    "normalize_license",
    "obligations_for",
    "spdx_header_of",
]
