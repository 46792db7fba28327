"""From calibrated statistics and guards to one verdict: derived / independent / inconclusive."""

from __future__ import annotations

from dataclasses import dataclass

from licheck.fingerprint.calibration.calibrate import Calibrated

DERIVED = "derived"
INDEPENDENT = "independent"
INCONCLUSIVE = "inconclusive"
DISTILLATION_FINDING = "output space aligned — possible distillation"

METHOD_NAMES = {
    "s1": "compatibility",
    "s2": "joint-space",
    "s3": "subspace-overlap",
    "weight_residual": "weight-residual",
    "weight_overlap": "weight-principal-angles",
    "weight_lowrank": "weight-low-rank-residual",
}
# Tests that show the suspect's outputs stay inside (or a low-rank step from) the victim's space.
MEMBERSHIP_TESTS = ("s1", "s2", "weight_residual", "weight_lowrank", "weight_overlap")


@dataclass(frozen=True)
class Decision:
    verdict: str
    method: str
    statistic: float | None
    threshold: float | None
    false_positive_rate: float | None
    fpr_extrapolated: float | None
    reasons: tuple[str, ...]
    findings: tuple[str, ...]


def decide(tests: dict[str, Calibrated], *, blockers: list[str], can_rule_out: bool,
           rule_out_reason: str = "", distillation_suspected: bool = False) -> Decision:
    """Bonferroni over the tests run; membership beats overlap; never `independent` when blocked.

    `can_rule_out` is False when the run lacks the statistic that could see heavy derivation
    (S3 below its minimum positions, or only a few coordinates per position).
    """
    n_tests = max(len(tests), 1)
    if blockers:
        primary = _primary(tests)
        return Decision(INCONCLUSIVE, _method(primary), _value(primary), _threshold(primary), None, None,
                        tuple(blockers), ())
    significant = [t for t in tests.values() if t.significant]
    if significant:
        membership = [t for t in significant if t.name in MEMBERSHIP_TESTS]
        best = min(membership or significant, key=lambda t: t.p_extrapolated)
        findings: tuple[str, ...] = ()
        verdict = DERIVED
        if distillation_suspected and not _at_floor(tests):
            findings = (DISTILLATION_FINDING,)
            verdict = INCONCLUSIVE
        fpr = min(1.0, min(t.p_value for t in significant) * n_tests)
        fpr_x = min(1.0, min(t.p_extrapolated for t in significant) * n_tests)
        reasons = tuple(f"{METHOD_NAMES[t.name]}: {t.value:.4g} beyond threshold {t.threshold:.4g}" for t in significant)
        if verdict == INCONCLUSIVE:
            reasons += ("the suspect's output space is aligned with the victim's, but not the way a copy's is",)
        return Decision(verdict, METHOD_NAMES[best.name], best.value, best.threshold, fpr, fpr_x, reasons, findings)
    primary = _primary(tests)
    if not can_rule_out:
        return Decision(INCONCLUSIVE, _method(primary), _value(primary), _threshold(primary), None, None,
                        (rule_out_reason or "too few positions to rule out heavy derivation",), ())
    return Decision(INDEPENDENT, _method(primary), _value(primary), _threshold(primary),
                    None, None, ("no statistic beyond its null threshold",), ())


def _at_floor(tests: dict[str, Calibrated]) -> bool:
    """S2 far below its null (a low-rank step from the victim's space): an adapter, not a student."""
    s2 = tests.get("s2")
    return bool(s2 and s2.significant and s2.value < 1e-3 * s2.null_range[0])


def _primary(tests: dict[str, Calibrated]) -> Calibrated | None:
    for name in ("s3", "weight_overlap", "s1", "s2", "weight_residual", "weight_lowrank"):
        if name in tests:
            return tests[name]
    return None


def _method(test: Calibrated | None) -> str:
    return METHOD_NAMES[test.name] if test else "none"


def _value(test: Calibrated | None) -> float | None:
    return test.value if test else None


def _threshold(test: Calibrated | None) -> float | None:
    return test.threshold if test else None
