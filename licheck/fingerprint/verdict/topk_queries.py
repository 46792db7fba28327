"""Verification through a top-k API (an endpoint, or a simulated one): cheap first, then a fixed token set.

1. Probe the logit bias (2 calls; the second carries a recovery group).
2. The cheap look: FIRST_LOOK positions, each the top-k plus random coordinates (24 calls at k = 20 for a
   49-dimensional victim space). S1 on them decides light derivatives; it stops the run only when the
   suspect sits at the numerical floor (`sequential.is_member`).
3. When undecided, escalate: recover one fixed set of FIXED_PER_DIM x d = 3d tokens at every position
   (at most 1 + ceil(3d / (k - 1)) calls per position: 9 for d = 49), so S1, S2 and S3 — and the distillation
   rule — run on those rows, calibrated against the null's fixed-design statistics. Looks from 2d positions
   (S3's minimum; later when the null's fixed-design S3 needs it: `first_fixed_look`), doubling, up to what
   `available` positions and the call budget allow.
The false-positive rate is split over every planned look (Bonferroni), the cheap one included.
Without an honoured bias, or when the budget cannot reach 2d fixed positions, or with a null built before
fixed-design statistics existed, the run keeps the cheap design at every look (and says why).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from licheck.errors import UsageError
from licheck.fingerprint.calibration.calibrate import MIN_NULL_PAIRS, NullModel
from licheck.fingerprint.inputs.collect import Collector
from licheck.fingerprint.inputs.fpfile import Fingerprint
from licheck.fingerprint.inputs.observations import Observations
from licheck.fingerprint.inputs.recovery import (
    FIXED_PER_DIM,
    TopKSource,
    fixed_calls_per_position,
    fixed_coordinates,
)
from licheck.fingerprint.statistics.pairs import FIXED_BLOCK_SIZES
from licheck.fingerprint.verdict.sequential import planned_looks, verify_sequential
from licheck.fingerprint.verdict.settings import VerifySettings
from licheck.fingerprint.verdict.verify import Verification, fixed_design_pairs

FIRST_LOOK = 4  # positions: light derivatives are decided here (S1 on recovered coordinates)
PROBE_CALLS = 2


@dataclass(frozen=True)
class QueryPlan:
    looks: tuple[int, ...]  # positions at each look
    fixed_from: int  # looks at this index and later use the fixed design (len(looks): none does)
    tokens: np.ndarray | None  # the fixed coordinates (victim ids)
    cheap_budget: int  # positions the cheap design may use
    fixed_budget: int  # positions the fixed design may use
    note: str


def plan_queries(fp: Fingerprint, null: NullModel, collector: Collector, *, available: int,
                 max_calls: int | None) -> QueryPlan:
    """Looks and designs within `available` positions and `max_calls` calls (probe included)."""
    cheap_cost = collector.calls_per_position()
    if max_calls is not None and max_calls < PROBE_CALLS + cheap_cost:
        raise UsageError(f"--max-calls {max_calls} does not cover one position ({cheap_cost} calls) "
                         f"after the {PROBE_CALLS}-call logit-bias probe")
    cheap_budget = available if max_calls is None else max(1, min(available, (max_calls - 1) // cheap_cost))
    dim = fp.basis.shape[1]
    tokens = fixed_coordinates(fp.meta.vocab_size, dim, candidates=null.coordinates)
    first = min(FIRST_LOOK, cheap_budget)
    spent = 1 + first * cheap_cost  # upper bound: the probe's extra call and the cheap look's positions
    fixed_cost = fixed_calls_per_position(tokens.size, collector.source.top_k)
    fixed_budget = available if max_calls is None else min(available, max(0, (max_calls - spent) // fixed_cost))
    start = first_fixed_look(null, dim, fixed_budget)
    why = ""
    if not collector.probe.honoured:
        why = "the logit bias is not honoured"
    elif fixed_budget < 2 * dim:
        why = (f"the budget allows {fixed_budget} fixed-design positions; S3 needs {2 * dim} "
               f"(at most {fixed_cost} calls each: raise --max-calls / --max-positions)")
    elif start is None:
        why = (f"the calibration null has no fixed-design S3 from {MIN_NULL_PAIRS} model pairs within "
               f"{fixed_budget} positions (a null built before licheck recorded it must be rebuilt)")
    if why:
        return QueryPlan(looks=planned_looks(FIRST_LOOK, cheap_budget), fixed_from=10**9, tokens=None,
                         cheap_budget=cheap_budget, fixed_budget=0, note=f"fixed-coordinate design not used: {why}")
    assert start is not None
    looks = (first, *planned_looks(start, fixed_budget))
    note = (f"after the first look, one fixed set of {tokens.size} tokens ({FIXED_PER_DIM} x the victim's "
            f"{dim} output dimensions) is recovered at every position (at most {fixed_cost} calls per position)")
    return QueryPlan(looks=looks, fixed_from=1, tokens=tokens, cheap_budget=cheap_budget, fixed_budget=fixed_budget,
                     note=note)


def first_fixed_look(null: NullModel, dim: int, budget: int) -> int | None:
    """The first fixed-design look: at least 2 x dim positions (S3's minimum), and late enough that the null's
    fixed-design S3 has all the model pairs it can have within the budget (pairs with a larger victim space
    need more positions). None when fewer than MIN_NULL_PAIRS pairs are reachable."""
    sizes = sorted({2 * dim, *(n for n in FIXED_BLOCK_SIZES if 2 * dim < n <= budget)})
    sizes = [n for n in sizes if n <= budget]
    pairs = {n: fixed_design_pairs(null, n) for n in sizes}
    most = max(pairs.values(), default=0)
    if most < MIN_NULL_PAIRS:
        return None
    return min(n for n in sizes if pairs[n] == most)


def verify_topk_source(fp: Fingerprint, source: TopKSource, null: NullModel, settings: VerifySettings, *,
                       available: int, max_calls: int | None, seed: int = 0,
                       observe: Callable[[Observations], Observations] | None = None,
                       progress: Callable[[str], None] | None = None) -> tuple[Verification, QueryPlan]:
    """Probe, plan, then query sequentially: the cheap look, then fixed-design looks while undecided.
    `observe` may decorate each look's observations (e.g. with the endpoint's token-mapping counts)."""
    collector = Collector(source, coords=2 * fp.basis.shape[1], seed=seed)
    plan = plan_queries(fp, null, collector, available=available, max_calls=max_calls)
    if progress:
        progress(f"querying up to {max(plan.cheap_budget, plan.fixed_budget)} positions "
                 f"(looks at {', '.join(map(str, plan.looks))}); {plan.note}")
    looks_taken = [0]

    def fetch(n: int) -> Observations:  # called once per look, in order
        look = looks_taken[0]
        looks_taken[0] += 1
        if look >= plan.fixed_from and plan.tokens is not None:
            obs = collector.take_fixed(n, plan.fixed_budget, plan.tokens)
        else:
            obs = collector.take(n, plan.cheap_budget)
        obs = replace(obs, calls=collector.calls)
        return observe(obs) if observe else obs

    access = "top-k+logit-bias" if collector.probe.honoured else "top-k"
    settings = replace(settings, access=access, notes=(*settings.notes, collector.probe.detail, plan.note))
    provisional = 1 if plan.tokens is not None else 0
    return verify_sequential(fp, fetch, null, settings, looks=plan.looks, provisional=provisional), plan
