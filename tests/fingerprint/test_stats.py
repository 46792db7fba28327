"""The statistics on synthetic output layers: exact, quick, no model needed."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from licheck.fingerprint.calibration.calibrate import NullModel, NullPair, calibrate_statistic, empirical_p
from licheck.fingerprint.inputs.observations import Observations, full_observations
from licheck.fingerprint.inputs.softcap import uncap_logprobs
from licheck.fingerprint.linalg import output_space_basis, rank_from_gap
from licheck.fingerprint.statistics.measures import (
    compare_weights,
    s1_ratios,
    s1_statistic,
    s2_joint_space,
    s3_overlap,
)
from licheck.fingerprint.verdict.decide import INCONCLUSIVE, INDEPENDENT, decide

V, H = 400, 24


def _head(seed: int, h: int = H) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((V, h))


def _outputs(head: np.ndarray, n: int, seed: int = 1) -> np.ndarray:
    z = np.random.default_rng(seed).standard_normal((n, head.shape[1]))
    logits = z @ head.T
    return logits - np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1, keepdims=True)) - logits.max(1, keepdims=True)


def test_member_outputs_score_at_the_float_floor_and_strangers_do_not() -> None:
    q = output_space_basis(_head(0))
    assert s1_statistic(s1_ratios(full_observations(_outputs(_head(0), 16)), q)) < 1e-10
    assert s1_statistic(s1_ratios(full_observations(_outputs(_head(1), 16)), q)) > 0.5


@settings(max_examples=20, deadline=None)
@given(temperature=st.floats(0.2, 5.0), offset=st.floats(-50, 50))
def test_temperature_and_per_position_offsets_leave_membership_unchanged(temperature: float, offset: float) -> None:
    q = output_space_basis(_head(0))
    y = _outputs(_head(0) / temperature, 8) + offset
    assert s1_statistic(s1_ratios(full_observations(y), q)) < 1e-8


def test_lora_on_the_head_is_recovered_as_its_rank_by_the_joint_space() -> None:
    rng = np.random.default_rng(3)
    head = _head(0)
    adapted = head + 0.3 * rng.standard_normal((V, 4)) @ rng.standard_normal((4, H))
    obs = full_observations(_outputs(adapted, 200))
    q = output_space_basis(head)
    joint = s2_joint_space(obs, q, floor=1e-12)
    assert s1_statistic(s1_ratios(obs, q)) > 0.05
    assert joint.adapter_rank == 4 and joint.gap_rank == 4
    assert joint.statistic < 1e-9
    assert compare_weights(q, adapted).adapter_rank == 4


def test_subspace_overlap_is_one_for_a_copy_and_near_chance_for_a_stranger() -> None:
    q = output_space_basis(_head(0))
    copy = s3_overlap(full_observations(_outputs(_head(0), 120)), q)
    stranger = s3_overlap(full_observations(_outputs(_head(5), 120)), q)
    assert copy.suspect_dim == H and copy.overlap > 0.999
    assert stranger.overlap < 3 * (H + 1) / V


def test_overlap_reports_insufficient_queries_below_twice_the_suspect_dimension() -> None:
    result = s3_overlap(full_observations(_outputs(_head(0), 30)), output_space_basis(_head(0)), max_dim=H)
    assert not result.enough_positions and result.min_positions == 2 * H


def test_partial_coordinates_test_membership_only_with_more_than_the_space_dimension() -> None:
    head, q = _head(0), output_space_basis(_head(0))
    y = _outputs(_head(9), 6)
    ids = np.stack([np.random.default_rng(t).choice(V, 3 * H, replace=False) for t in range(6)])
    vals = np.take_along_axis(y, ids, axis=1)
    many = Observations(values=vals, ids=ids, vocab_size=V)
    assert s1_statistic(s1_ratios(many, q)) > 0.3
    few = Observations(values=vals[:, :H], ids=ids[:, :H], vocab_size=V)
    assert s1_statistic(s1_ratios(few, q)) < 1e-8  # k <= h+1 equations are always solvable
    member = np.take_along_axis(_outputs(head, 6), ids, axis=1)
    assert s1_statistic(s1_ratios(Observations(values=member, ids=ids, vocab_size=V), q)) < 1e-8


def test_softcapped_logprobs_are_uncapped_before_testing() -> None:
    head = _head(0) * 0.5
    logits = np.random.default_rng(2).standard_normal((10, H)) @ head.T
    capped = 8.0 * np.tanh(logits / 8.0)
    lp = capped - np.log(np.exp(capped).sum(1, keepdims=True))
    q = output_space_basis(head)
    raw = s1_statistic(s1_ratios(full_observations(lp), q))
    fixed = s1_statistic(s1_ratios(full_observations(uncap_logprobs(lp, 8.0, q)), q))
    assert raw > 1e-2 and fixed < 1e-4


def test_rank_from_gap_finds_the_largest_log_gap() -> None:
    assert rank_from_gap(np.array([10.0, 9.0, 8.0, 1e-6, 1e-7])) == 3


def test_p_value_counts_null_values_at_least_as_extreme() -> None:
    null = np.array([0.3, 0.31, 0.33, 0.35])
    assert empirical_p(null, 0.305, "lower") == 2 / 5
    assert empirical_p(null, 0.9, "higher") == 1 / 5
    test = calibrate_statistic("s1", 0.001, null, alpha=1e-2)
    assert test.significant and test.threshold <= null.min() and test.p_value == 1 / 5


def test_a_null_of_few_pairs_cannot_claim_a_tail_it_has_not_seen() -> None:
    """S3 of independent pairs, logit-normal: a suspect 3.6 null spreads out is beyond a 1e-3 normal fit, but
    a dozen pairs cannot tell a tail that far from a heavier one; a thousand pairs can."""
    rng = np.random.default_rng(3)
    logit = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    small, large = logit(rng.normal(-1.5, 0.2, 12)), logit(rng.normal(-1.5, 0.2, 1000))
    for null in (small, large):
        z = np.log(null / (1 - null))
        suspect = float(logit(z.mean() + 3.6 * z.std(ddof=1)))
        test = calibrate_statistic("s3", suspect, null, alpha=1e-3)
        assert test.significant == (null.size == 1000), (null.size, test.p_extrapolated)


def test_blocks_of_one_pair_count_as_one_pair() -> None:
    """Four disjoint blocks of one model pair are four looks at that pair: its null supports no test."""
    one = NullPair("a", "b", {"s3@64": [0.16, 0.16, 0.16, 0.16]}, np.zeros(0), np.zeros(0))
    other = NullPair("b", "a", {"s3@64": [0.2, 0.21]}, np.zeros(0), np.zeros(0))
    null = NullModel(pairs=(one,), n_positions=256, vocab_size=V, tokenizer_digest="t")
    sample = null.blocks_sample("s3", 66)
    assert sample.values.size == 4 and sample.pairs == 1
    both = NullModel(pairs=(one, other), n_positions=256, vocab_size=V, tokenizer_digest="t").blocks_sample("s3", 66)
    assert both.values.size == 6 and both.pairs == 2
    tested = calibrate_statistic("s3", 0.3, both.values, alpha=1e-2, pairs=both.pairs)
    assert tested.resolution == 1 / 3 and tested.n_pairs == 2
    assert tested.p_value == 1 / 3  # beyond all 6 values, but 6 values of 2 pairs cannot show 1/7


def test_blocked_runs_are_inconclusive_and_never_independent() -> None:
    null = np.array([0.3, 0.31, 0.33, 0.35])
    tests = {"s1": calibrate_statistic("s1", 0.32, null, alpha=1e-2)}
    assert decide(tests, blockers=["top-k only"], can_rule_out=True).verdict == INCONCLUSIVE
    assert decide(tests, blockers=[], can_rule_out=False).verdict == INCONCLUSIVE
    assert decide(tests, blockers=[], can_rule_out=True).verdict == INDEPENDENT
