"""The distillation rule against its null of synthetic derivatives, and S3's dimension guard (numpy only)."""

from __future__ import annotations

import numpy as np

from licheck.fingerprint.calibration.derivative_null import derivative_spreads, distillation_test
from licheck.fingerprint.inputs.observations import full_observations
from licheck.fingerprint.linalg import output_space_basis
from licheck.fingerprint.statistics.measures import compare_weights, s3_overlap

V, H = 400, 24


def _victim() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    head = rng.standard_normal((V, H)) * np.geomspace(3.0, 0.3, H)  # a decaying spectrum, as trained heads have
    return head, output_space_basis(head)


def _verdict(head: np.ndarray, suspect: np.ndarray) -> bool:
    basis = output_space_basis(head)
    w = compare_weights(basis, suspect)
    return distillation_test(w.overlap, w.low_quantile, derivative_spreads(basis, head)).flagged


def test_a_noised_or_pruned_head_is_a_derivative_not_a_student() -> None:
    head, _ = _victim()
    rng = np.random.default_rng(5)
    noised = head + 0.4 * np.sqrt(np.mean(head**2)) * rng.standard_normal(head.shape)
    pruned = np.where(np.abs(head) < np.quantile(np.abs(head), 0.5), 0.0, head)
    assert not _verdict(head, noised) and not _verdict(head, pruned)


def test_a_student_sharing_only_the_dominant_directions_is_flagged_as_distillation() -> None:
    head, _ = _victim()
    u, _, _ = np.linalg.svd(head, full_matrices=False)
    rng = np.random.default_rng(6)
    student = np.hstack([u[:, : H // 2] * 2.0, rng.standard_normal((V, H - H // 2))])  # the rest unrelated
    assert _verdict(head, student)


def test_s3_refuses_a_suspect_whose_space_is_larger_than_the_positions_show() -> None:
    _, basis = _victim()
    big = np.random.default_rng(7).standard_normal((V, 60))
    z = np.random.default_rng(8).standard_normal((50, 60))
    few = s3_overlap(full_observations(z @ big.T), basis)
    z = np.random.default_rng(8).standard_normal((200, 60))
    many = s3_overlap(full_observations(z @ big.T), basis)
    assert not few.dimension_seen and not few.enough_positions
    assert many.dimension_seen and many.suspect_dim == 60
