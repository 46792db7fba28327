"""Sequential testing: query more positions only while the evidence is undecided, within a budget.

Looks are planned before the first query (the start size, doubling, up to the budget), and the
false-positive rate is split evenly over them (Bonferroni over looks), so stopping early at any look keeps
the verdict's family-wise rate at alpha. A run stops at the first look that is decided:
- `derived` (or the distillation finding) at alpha / looks;
- `independent` with every test's p-value above FUTILITY_P (the suspect sits in the bulk of the null:
  more positions would not move it; measured on the zoo, S3 barely changes from 2(h+1) to 1024 positions);
- blocked (e.g. top-k only): more queries of the same kind cannot help.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from licheck.fingerprint.calibration.calibrate import NullModel
from licheck.fingerprint.inputs.fpfile import Fingerprint
from licheck.fingerprint.inputs.observations import Observations
from licheck.fingerprint.verdict.decide import DERIVED, INDEPENDENT
from licheck.fingerprint.verdict.settings import VerifySettings
from licheck.fingerprint.verdict.verify import Verification, verify_observations

FUTILITY_P = 0.2


def planned_looks(start: int, budget: int) -> tuple[int, ...]:
    """start, 2 start, 4 start, ... and the budget itself (positions)."""
    if budget <= start:
        return (max(budget, 1),)
    looks = [start]
    while looks[-1] * 2 < budget:
        looks.append(looks[-1] * 2)
    return (*looks, budget)


def verify_sequential(fp: Fingerprint, fetch: Callable[[int], Observations], null: NullModel,
                      settings: VerifySettings, *, looks: tuple[int, ...]) -> Verification:
    """`fetch(n)`: the suspect's observations at its first n positions (it may query them now)."""
    per_look = settings.alpha / len(looks)
    result: Verification | None = None
    taken: list[int] = []
    for n in looks:
        obs = fetch(n)
        taken.append(obs.n_positions)
        result = verify_observations(fp, obs, null, replace(settings, alpha=per_look))
        if _decided(result) or obs.n_positions < n:  # decided, or the source has no more positions
            break
    assert result is not None
    note = (f"sequential test: looks planned at {', '.join(map(str, looks))} positions, alpha {settings.alpha:g} "
            f"split over them ({per_look:.3g} each); stopped after {taken[-1]} positions")
    return _family_wise(result, len(looks), settings, note)


def _decided(v: Verification) -> bool:
    d = v.decision
    if d.verdict == DERIVED or d.findings:
        return True
    if d.verdict == INDEPENDENT:
        return all(t.p_value > FUTILITY_P for t in v.tests.values())
    return v.obs is not None and v.obs.topk_only  # blocked: more top-k-only answers cannot test membership


def _family_wise(v: Verification, n_looks: int, settings: VerifySettings, note: str) -> Verification:
    """Report the rate over all planned looks, and the user's alpha."""
    d = v.decision
    decision = replace(d, false_positive_rate=_scaled(d.false_positive_rate, n_looks),
                       fpr_extrapolated=_scaled(d.fpr_extrapolated, n_looks))
    return replace(v, decision=decision, settings=replace(v.settings, alpha=settings.alpha,
                                                          notes=(*v.settings.notes, note)))


def _scaled(p: float | None, n_looks: int) -> float | None:
    return None if p is None else min(1.0, p * n_looks)
