"""What reusing code under each license category obliges the reuser to do (a summary, not legal advice)."""

from __future__ import annotations

_ATTRIBUTION = ("attribution", "include license notice")

OBLIGATIONS: dict[str, tuple[str, ...]] = {
    "public_domain": (),
    "permissive": _ATTRIBUTION,
    "weak_copyleft": (
        *_ATTRIBUTION,
        "release modifications of the licensed files under the same license",
        "provide source of the licensed files when distributing",
    ),
    "strong_copyleft": (
        *_ATTRIBUTION,
        "release derived work under the same license",
        "provide complete corresponding source when distributing",
    ),
    "network_copyleft": (
        *_ATTRIBUTION,
        "release derived work under the same license",
        "provide complete corresponding source when distributing",
        "offer source to network users",
    ),
    "proprietary": ("permission from the copyright holder required", "check the license terms before use"),
    "unknown": ("license unknown: review before use",),
}


def obligations_for(category: str) -> tuple[str, ...]:
    """``"permissive"`` -> ``("attribution", "include license notice")``; unknown categories -> review."""
    return OBLIGATIONS.get(category, OBLIGATIONS["unknown"])
