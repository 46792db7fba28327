"""The scan path's numpy helpers answer as numpy's set functions do."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from licheck.arrays import intersect, members, unique_sorted

values = st.lists(st.integers(0, 2**64 - 1), max_size=60).map(lambda v: np.array(v, dtype=np.uint64))
small = st.lists(st.integers(0, 40), max_size=60).map(lambda v: np.array(v, dtype=np.int64))


@given(values, values)
def test_helpers_match_numpys_set_functions_on_64_bit_hashes(a: np.ndarray, b: np.ndarray) -> None:
    assert np.array_equal(unique_sorted(a), np.unique(a))
    assert np.array_equal(members(a, unique_sorted(b)), np.isin(a, b))
    assert np.array_equal(intersect(a, b), np.intersect1d(a, b))


@given(small, small)
def test_helpers_match_numpys_set_functions_with_many_repeats(a: np.ndarray, b: np.ndarray) -> None:
    assert np.array_equal(unique_sorted(a), np.unique(a))
    assert np.array_equal(members(a, unique_sorted(b)), np.isin(a, b))
    assert np.array_equal(intersect(a, b), np.intersect1d(a, b))
