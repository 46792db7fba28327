"""verify: suspect outputs or weights + fingerprint + null -> calibrated verdict and report."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from licheck.errors import InputError
from licheck.fingerprint.calibration.calibrate import (
    MIN_NULL_PAIRS,
    Calibrated,
    NullModel,
    NullSample,
    calibrate_statistic,
)
from licheck.fingerprint.calibration.derivative_null import (
    DistillationTest,
    derivative_outputs,
    derivative_spreads,
    distillation_test,
    output_distillation_test,
)
from licheck.fingerprint.calibration.shared_vocab import restrict_fingerprint, restrict_observations
from licheck.fingerprint.inputs.fpfile import Fingerprint
from licheck.fingerprint.inputs.observations import Observations
from licheck.fingerprint.statistics.controls import Floors, measure_floors
from licheck.fingerprint.statistics.pairs import FIXED_SUFFIX, PairStats, pair_statistics
from licheck.fingerprint.verdict.decide import Decision, decide
from licheck.fingerprint.verdict.settings import VerifySettings


@dataclass(frozen=True)
class Verification:
    """Everything one verification established; `report.verify_report.build_report` turns it into the report."""

    fp: Fingerprint
    decision: Decision
    tests: dict[str, Calibrated]
    stats: PairStats
    floors: Floors
    obs: Observations | None
    null: NullModel
    settings: VerifySettings
    distillation: DistillationTest | None = None

    @property
    def verdict(self) -> str:
        return self.decision.verdict


def verify_observations(fp: Fingerprint, obs: Observations, null: NullModel, settings: VerifySettings) -> Verification:
    """Test suspect outputs against the fingerprint, thresholds from the null."""
    _check_compatible(fp, null, obs.vocab_size)
    if null.coordinates is not None:
        fp, obs = _on_shared_tokens(fp, obs, null.coordinates)
    if obs.fixed and not obs.topk_only:
        fp, obs = _on_fixed_coordinates(fp, obs)
    floors = _floors(fp)
    blockers = _blockers(fp, obs, settings)
    stats = pair_statistics(fp.basis, None if obs.topk_only else obs, floor=floors.floor)
    tests = _calibrate_tests(stats, null, obs.n_positions, settings.alpha, weights=False, required=not blockers,
                             design=design_of(obs))
    can_rule_out, why = _can_rule_out(obs, stats)
    distill = _distillation(fp, stats, tests, fixed_rows=obs.values if obs.fixed and stats.s1 is not None else None)
    decision = decide(tests, blockers=blockers, can_rule_out=can_rule_out, rule_out_reason=why,
                      distillation_suspected=bool(distill and distill.flagged))
    return Verification(fp=fp, decision=decision, tests=tests, stats=stats, floors=floors, obs=obs, null=null,
                        settings=settings, distillation=distill)


def verify_weights(fp: Fingerprint, head: np.ndarray, bias: np.ndarray | None, null: NullModel,
                   settings: VerifySettings) -> Verification:
    """Weight mode: principal angles between the two output layers; no queries."""
    _check_compatible(fp, null, head.shape[0])
    if null.coordinates is not None:
        fp = restrict_fingerprint(fp, null.coordinates)
        head, bias = head[null.coordinates], None if bias is None else bias[null.coordinates]
    floors = _floors(fp)
    stats = pair_statistics(fp.basis, None, floor=floors.floor, suspect_head=head, suspect_bias=bias)
    tests = _calibrate_tests(stats, null, 0, settings.alpha, weights=True)
    distill = _distillation(fp, stats, tests)
    decision = decide(tests, blockers=[], can_rule_out=True, distillation_suspected=bool(distill and distill.flagged))
    return Verification(fp=fp, decision=decision, tests=tests, stats=stats, floors=floors, obs=None, null=null,
                        settings=settings, distillation=distill)


_FLOORS: dict[tuple[str, str], Floors] = {}


def _floors(fp: Fingerprint) -> Floors:
    """The positive controls depend on the fingerprint only: measured once per fingerprint and process."""
    key = (fp.meta.head_digest, fp.meta.kind)
    if key not in _FLOORS:
        _FLOORS[key] = measure_floors(fp.basis, fp.head, fp.bias)
    return _FLOORS[key]


def _on_shared_tokens(fp: Fingerprint, obs: Observations, ids: np.ndarray) -> tuple[Fingerprint, Observations]:
    """Victim space and suspect outputs on the tokens the null's models share; partial rows capped at the
    null's partial design (2 x the dimension; fixed-design rows keep all theirs), and top-k-only when too few
    coordinates remain."""
    fp = restrict_fingerprint(fp, ids)
    dim = fp.basis.shape[1]
    obs = restrict_observations(obs, ids, max_coords=None if obs.fixed else 2 * dim)
    if obs.ids is not None and obs.coords_per_position <= dim:
        obs = replace(obs, topk_only=True)
    return fp, obs


def _on_fixed_coordinates(fp: Fingerprint, obs: Observations) -> tuple[Fingerprint, Observations]:
    """A fixed-design recovery (the same coordinates at every position): the victim's space and the suspect's
    rows on those coordinates, as whole vectors over them, so S2 and S3 can be computed; they are then
    calibrated against the null's fixed-design statistics (`s1x`, `s2x`, `s3x`)."""
    assert obs.ids is not None
    ids = obs.ids[0]
    if not np.array_equal(obs.ids, np.broadcast_to(ids, obs.ids.shape)):
        raise InputError("a fixed-design recovery must hold the same coordinates at every position")
    return restrict_fingerprint(fp, ids), replace(obs, ids=None, vocab_size=int(ids.size))


def design_of(obs: Observations) -> str:
    """full (whole vectors), fixed (the same recovered coordinates at every position) or partial."""
    if obs.fixed:
        return "fixed"
    return "full" if obs.is_full else "partial"


def _check_compatible(fp: Fingerprint, null: NullModel, vocab_size: int) -> None:
    if vocab_size != fp.meta.vocab_size:
        raise InputError(f"the suspect's vocabulary has {vocab_size} entries, the victim's {fp.meta.vocab_size}",
                         hint="mismatched vocabularies: supply outputs mapped to the victim's tokenizer")
    if null.vocab_size != fp.meta.vocab_size or null.tokenizer_digest != fp.meta.tokenizer_digest:
        raise InputError("the calibration null was built for another tokenizer than the fingerprint's",
                         hint="calibrate with independent models that share the victim's tokenizer")


def _blockers(fp: Fingerprint, obs: Observations, settings: VerifySettings) -> list[str]:
    out = []
    if obs.topk_only:
        out.append(f"top-k logprobs without usable logit bias: {obs.coords_per_position} coordinates per position "
                   f"cannot test membership in a {fp.basis.shape[1]}-dimensional space")
    total = obs.mapped_tokens + obs.unmapped_tokens
    if total and obs.unmapped_tokens / total > settings.max_unmapped_fraction:
        out.append(f"unmapped vocabulary: {obs.unmapped_tokens} of {total} returned tokens are not in the "
                   "victim's vocabulary")
    if obs.n_positions < 1:
        out.append("too few positions")
    return out


def _can_rule_out(obs: Observations, stats: PairStats) -> tuple[bool, str]:
    if stats.overlap is None:
        return False, ("too few positions: only S1 on partial coordinates was possible, "
                       "which cannot rule out heavy fine-tuning")
    if not stats.overlap.dimension_seen:
        return False, (f"too few positions: the suspect's output space is larger than {obs.n_positions} positions "
                       "can show; query more positions")
    if not stats.s3_ok:
        return False, (f"too few positions: S3 needs at least twice the victim's and the suspect's output "
                       f"dimension (suspect {stats.overlap.suspect_dim}), got {obs.n_positions}")
    return True, ""


def _calibrate_tests(stats: PairStats, null: NullModel, n_positions: int, alpha: float, *,
                     weights: bool, required: bool = True, design: str = "full") -> dict[str, Calibrated]:
    values = stats.as_null_stats()
    names = [n for n in (("weight_residual", "weight_lowrank", "weight_overlap") if weights else ("s1", "s2", "s3")) if n in values]
    names = [n for n in names if null_sample(null, n, n_positions, design).pairs >= MIN_NULL_PAIRS]
    if not names:
        if not required:
            return {}
        raise InputError("the calibration null holds no statistic this verification can use",
                         hint=f"a statistic needs a null of at least {MIN_NULL_PAIRS} independent model pairs at "
                              "this number of positions; calibrate from model directories for weight mode, or "
                              "from output files, with more independent models (a null built before licheck "
                              "recorded fixed-design statistics must be rebuilt for a fixed-design recovery)")
    each = alpha / len(names)
    out = {}
    for name in names:
        reference = null_sample(null, name, n_positions, design)
        out[name] = calibrate_statistic(name, values[name], reference.values, alpha=each, pairs=reference.pairs)
    return out


def null_sample(null: NullModel, name: str, n_positions: int, design: str = "full") -> NullSample:
    """The null of `name` at this run's number of positions and design (full / partial / fixed), and the
    model pairs it comes from."""
    if design == "fixed" and name in ("s1", "s2", "s3"):
        return null.blocks_sample(name + FIXED_SUFFIX, n_positions)
    if name == "s1":
        return null.s1_sample(n_positions, partial=design == "partial")
    if name in ("s2", "s3"):
        return null.blocks_sample(name, n_positions)
    return null.sample(name)


def null_reference(null: NullModel, name: str, n_positions: int, design: str = "full") -> np.ndarray:
    """The null values of `name` at this run's number of positions."""
    return null_sample(null, name, n_positions, design).values


def fixed_design_pairs(null: NullModel, n_positions: int) -> int:
    """Model pairs behind the null's fixed-design S3 at (at most) n_positions (0 for nulls built before it)."""
    return null.blocks_sample("s3" + FIXED_SUFFIX, n_positions).pairs


def _distillation(fp: Fingerprint, stats: PairStats, tests: dict[str, Calibrated], *,
                  fixed_rows: np.ndarray | None = None) -> DistillationTest | None:
    """Aligned beyond the null: is the alignment more uneven than any derivative's of the same overlap?
    (calibration/derivative_null.py). Only asked when S3 or the weight overlap rejects the null. On a
    fixed-design recovery (`fixed_rows`: a few hundred coordinates) the output rule replaces the spread: are
    the suspect's outputs closer to the victim's space than any derivative's of the same overlap?"""
    s3, wo = tests.get("s3"), tests.get("weight_overlap")
    if s3 is not None and s3.significant and stats.overlap is not None and fixed_rows is not None:
        assert stats.s1 is not None
        reference = derivative_outputs(fp.basis, fp.head, fixed_rows)
        return output_distillation_test(stats.overlap.overlap, stats.s1, reference)
    if s3 is not None and s3.significant and stats.overlap is not None:
        return distillation_test(stats.overlap.overlap, stats.overlap.low_quantile, _derivatives(fp))
    if wo is not None and wo.significant and stats.weights is not None:
        return distillation_test(stats.weights.overlap, stats.weights.low_quantile, _derivatives(fp))
    return None


_DERIVATIVES: dict[tuple[str, str], np.ndarray] = {}


def _derivatives(fp: Fingerprint) -> np.ndarray:
    """The synthetic-derivative null depends on the fingerprint only: built once per fingerprint and process."""
    key = (fp.meta.head_digest, str(fp.basis.shape))
    if key not in _DERIVATIVES:
        _DERIVATIVES[key] = derivative_spreads(fp.basis, fp.head)
    return _DERIVATIVES[key]
