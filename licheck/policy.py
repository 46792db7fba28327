"""Finding + license + settings → deny / warn / allow."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_DENY = frozenset({"strong_copyleft", "network_copyleft"})
DEFAULT_WARN = frozenset({"weak_copyleft", "permissive", "public_domain", "proprietary", "unknown"})


@dataclass(frozen=True)
class Policy:
    deny: frozenset[str] = DEFAULT_DENY  # license categories or SPDX ids whose striking matches fail the run
    warn: frozenset[str] = DEFAULT_WARN
    allow: frozenset[str] = field(default_factory=frozenset)

    def decide(self, *, striking: bool, license_expression: str, category: str) -> str:
        """Only striking findings can be denied; lesser similarity is shown as a warning at most."""
        keys = {category, license_expression, *_ids_in(license_expression)}
        if keys & self.allow:
            return "allow"
        if striking and keys & self.deny:
            return "deny"
        if keys & self.warn or keys & self.deny:
            return "warn" if striking else "allow"
        return "warn" if striking else "allow"


def _ids_in(expression: str) -> set[str]:
    return {part.strip("()") for part in expression.split() if part not in ("AND", "OR", "WITH")}
