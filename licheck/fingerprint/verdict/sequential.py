"""Sequential testing: query more positions only while the evidence is undecided, within a budget.

Looks are planned before the first query (the start size, doubling, up to the budget), and the
false-positive rate is split evenly over them (Bonferroni over looks), so stopping early at any look keeps
the verdict's family-wise rate at alpha. A run stops at the first look that is decided:
- `derived` (or the distillation finding) at alpha / looks;
- `independent` with every test's p-value above FUTILITY_P (the suspect sits in the bulk of the null:
  more positions would not move it; measured on the zoo, S3 barely changes from 2(h+1) to 1024 positions);
- blocked (e.g. top-k only): more queries of the same kind cannot help.

The first `provisional` looks (the cheap look of a top-k + logit-bias run, which sees S1 only) stop the run
only when the suspect is a member of the victim's space up to the run's numerical floor (a copy, a dtype
cast, a head-frozen fine-tune): a `derived` further from the floor could be a distilled student, which
only the later looks (S3 and the distillation rule) can tell apart; in such a run a later look's `derived`
stops it only once S3 was tested. A held `derived` is reported if no later look decides.
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
# a provisional look's `derived` is final when S1 is within this factor of the run's numerical floor (the bf16
# copy's S1): int8 and bf16 copies sit at 1-3 x the floor; int4, adapters on the head and distillation 50 x above
MEMBER_FLOOR_FACTOR = 10.0


def planned_looks(start: int, budget: int) -> tuple[int, ...]:
    """start, 2 start, 4 start, ... and the budget itself (positions)."""
    if budget <= start:
        return (max(budget, 1),)
    looks = [start]
    while looks[-1] * 2 < budget:
        looks.append(looks[-1] * 2)
    return (*looks, budget)


def verify_sequential(fp: Fingerprint, fetch: Callable[[int], Observations], null: NullModel,
                      settings: VerifySettings, *, looks: tuple[int, ...], provisional: int = 0) -> Verification:
    """`fetch(n)`: the suspect's observations at its first n positions (it may query them now); the first
    `provisional` looks stop the run only at membership (module docstring)."""
    per_look = settings.alpha / len(looks)
    result: Verification | None = None
    held: Verification | None = None
    taken: list[int] = []
    for i, n in enumerate(looks):
        obs = fetch(n)
        taken.append(obs.n_positions)
        result = verify_observations(fp, obs, null, replace(settings, alpha=per_look))
        if obs.n_positions < n:  # the source has no more positions
            break
        if provisional and i < len(looks) - 1 and _alignment_unsettled(result, cheap=i < provisional):
            held = held or (result if result.verdict == DERIVED else None)
            continue
        if _decided(result):
            break
    assert result is not None
    note = (f"sequential test: looks planned at {', '.join(map(str, looks))} positions, alpha {settings.alpha:g} "
            f"split over them ({per_look:.3g} each); stopped after {taken[-1]} positions")
    if held is not None and result.verdict != DERIVED and not result.decision.findings:
        note += (f"; reported from the look at {held.obs.n_positions if held.obs else 0} positions, whose "
                 "`derived` the later looks neither confirmed nor explained as distillation")
        result = held
    return _family_wise(result, len(looks), settings, note)


def is_member(v: Verification) -> bool:
    """`derived` with S1 within MEMBER_FLOOR_FACTOR of the numerical floor: the suspect's outputs lie in the
    victim's space up to precision."""
    s1 = v.tests.get("s1")
    return (v.verdict == DERIVED and s1 is not None and s1.significant
            and s1.value <= MEMBER_FLOOR_FACTOR * v.floors.floor)


def _alignment_unsettled(v: Verification, *, cheap: bool) -> bool:
    """In a run with provisional looks: more looks are needed to tell a derivative from a student. The cheap
    look settles only membership; a later look's `derived` is settled once S3 was tested (the distillation
    rule is asked whenever S3 rejects the null), not while the suspect's space is larger than the positions show."""
    if _blocked(v) or is_member(v):
        return False
    return cheap or (v.verdict == DERIVED and "s3" not in v.tests)


def _blocked(v: Verification) -> bool:
    return v.obs is not None and v.obs.topk_only


def _decided(v: Verification) -> bool:
    d = v.decision
    if d.verdict == DERIVED or d.findings:
        return True
    if d.verdict == INDEPENDENT:
        return all(t.p_value > FUTILITY_P for t in v.tests.values())
    return _blocked(v)  # blocked: more top-k-only answers cannot test membership


def _family_wise(v: Verification, n_looks: int, settings: VerifySettings, note: str) -> Verification:
    """Report the rate over all planned looks, and the user's alpha."""
    d = v.decision
    decision = replace(d, false_positive_rate=_scaled(d.false_positive_rate, n_looks),
                       fpr_extrapolated=_scaled(d.fpr_extrapolated, n_looks))
    return replace(v, decision=decision, settings=replace(v.settings, alpha=settings.alpha,
                                                          notes=(*v.settings.notes, note)))


def _scaled(p: float | None, n_looks: int) -> float | None:
    return None if p is None else min(1.0, p * n_looks)
