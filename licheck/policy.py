"""Finding + license + settings → deny / warn / allow, and the reason for it.

Precedence, first that applies: the finding's scanned path is ignored (vendored code), or its source is on an
allow-list (first-party code, forks, upstreams) → allow; the source's license is NOASSERTION/unknown → the
``unknown`` entry; an SPDX id listed in allow/deny/warn; the license category listed in allow/deny/warn;
otherwise warn. Only striking findings can be denied or warned about; lesser similarity is shown as allow.
Unknown-license findings are always kept in the report, whatever their action. A finding's code may be held by
several sources (its holders); the policy takes the most restrictive of their licenses unless the config says
``license-basis = "origin"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from licheck.report.model import Finding, ScanReport

ACTIONS = ("deny", "warn", "allow")
DEFAULT_DENY = frozenset({"strong_copyleft", "network_copyleft"})
DEFAULT_WARN = frozenset({"weak_copyleft", "permissive", "public_domain", "proprietary"})
UNKNOWN_KEYS = frozenset({"NOASSERTION", "NONE"})


@dataclass(frozen=True)
class Policy:
    deny: frozenset[str] = DEFAULT_DENY  # license categories or SPDX ids whose striking matches fail the run
    warn: frozenset[str] = DEFAULT_WARN
    allow: frozenset[str] = field(default_factory=frozenset)
    unknown: str = "warn"  # NOASSERTION or unknown-category licenses
    first_party: tuple[str, ...] = ()
    forks: tuple[str, ...] = ()
    upstreams: tuple[str, ...] = ()
    ignore_paths: tuple[str, ...] = ()
    license_basis: str = "holders"  # holders: the most restrictive license among every holder; origin: its own

    def decide(self, *, striking: bool, license_expression: str, category: str) -> str:
        """The action for a license alone (what the scanner asks); see ``judge`` for a whole finding."""
        return self._by_license(striking=striking, expression=license_expression, category=category)[0]

    def decide_many(self, *, striking: bool, licenses: list[tuple[str, str]]) -> str:
        """The most restrictive action over several holders' (expression, category)."""
        return self._most_restrictive(striking, licenses)[0]

    def _most_restrictive(self, striking: bool, licenses: list[tuple[str, str]]) -> tuple[str, str]:
        verdicts = [self._by_license(striking=striking, expression=e, category=c) for e, c in dict.fromkeys(licenses)]
        return min(verdicts, key=lambda v: ACTIONS.index(v[0]))

    def judge(self, finding: Finding) -> tuple[str, str]:
        """(action, reason) for one finding, allow-lists included."""
        for pattern in self.ignore_paths:
            if _path_matches(finding.path, pattern):
                return "allow", f"ignored path ({pattern})"
        src = finding.source
        for label, patterns in (("first-party", self.first_party), ("fork", self.forks), ("upstream", self.upstreams)):
            for pattern in patterns:
                if _source_matches(src.name, src.path, pattern):
                    return "allow", f"{label} source ({pattern})"
        licenses = [(src.license, src.license_category)]
        if self.license_basis == "holders":
            licenses += [(h.license, h.license_category) for h in finding.holders]
        action, reason = self._most_restrictive(finding.striking, licenses)
        if len(set(licenses)) > 1 and reason != "not striking":
            reason += " (most restrictive of the holders' licenses)"
        return action, reason

    def _by_license(self, *, striking: bool, expression: str, category: str) -> tuple[str, str]:
        ids = _ids_in(expression)
        if not ids or ids <= UNKNOWN_KEYS or category == "unknown":
            action, reason = self.unknown, "unknown license (policy 'unknown')"
        else:
            action, reason = self._listed(ids, f"license {expression}") or self._listed(
                {category}, f"category {category}") or ("warn", "not listed")
        if not striking and action != "allow":
            return "allow", "not striking"
        return action, reason

    def _listed(self, keys: set[str], what: str) -> tuple[str, str] | None:
        for action, listed in (("allow", self.allow), ("deny", self.deny), ("warn", self.warn)):
            hit = keys & listed
            if hit:
                return action, f"{what} in '{action}'"
        return None


def policy_from_settings(settings: object) -> Policy:
    """The Policy part of a ``licheck.config.Settings``."""
    names = ("deny", "warn", "allow", "unknown", "first_party", "forks", "upstreams", "ignore_paths", "license_basis")
    return Policy(**{name: getattr(settings, name) for name in names})


def apply_policy(report: ScanReport, policy: Policy, *, min_lines: int = 1,
                 min_similarity: float = 0.0) -> dict[str, str]:
    """Re-decide every finding of ``report`` with the whole policy (in place); returns reason by finding id.

    Findings below the size/similarity floors are removed — whatever their license, so unknown licenses are
    never singled out.
    """
    reasons: dict[str, str] = {}
    kept = []
    for finding in report.findings:
        if finding.end_line - finding.start_line + 1 < min_lines or finding.similarity < min_similarity:
            continue
        action, reason = policy.judge(finding)
        kept.append(replace(finding, policy=action))
        reasons[finding.fingerprint] = reason
    report.findings[:] = kept
    return reasons


def _ids_in(expression: str) -> set[str]:
    return {part.strip("()") for part in expression.replace("(", " ").replace(")", " ").split()
            if part not in ("AND", "OR", "WITH")}


def _source_matches(name: str, path: str, pattern: str) -> bool:
    return fnmatchcase(name, pattern) or fnmatchcase(path, pattern) or fnmatchcase(f"{name}/{path}", pattern)


def _path_matches(path: str, pattern: str) -> bool:
    return fnmatchcase(path, pattern) or (pattern.endswith("/**") and path.startswith(pattern[:-2]))
