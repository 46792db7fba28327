"""Near-identical copies of a unit are one *lineage*: connected components over shared LSH bands.

Two units whose MinHash signatures agree on at least ``min_shared`` of the index's bands have an estimated
shingle Jaccard of about (min_shared / bands) ** (1 / rows) or more (0.79 for 21 of 42 bands of 3 rows): the same
code, vendored, forked or copied with small edits. This is the standard large-scale MinHash deduplication job —
bands → candidate pairs → connected components — run over the index's own band rows, so it needs no second
sketch. Buckets holding more than ``bucket_cap`` units are boilerplate and make no pairs (as in lookups).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

DEFAULT_MIN_SHARED = 21  # of 42 bands × 3 rows: estimated Jaccard ≥ 0.79
BUCKET_CAP = 200


def _pair_codes(band_rows: np.ndarray, bucket_cap: int) -> np.ndarray:
    """One code (a << 32 | b, a < b) per pair of units in each band bucket; a pair appears once per shared band."""
    rows = band_rows
    if len(rows) > 1 and not _sorted_by_key(rows[:, 0]):  # band_rows() already sorts: no second 2×-size copy
        rows = rows[np.argsort(rows[:, 0], kind="stable")]
    keys, units = rows[:, 0], rows[:, 1]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    codes = []
    for size in np.unique(sizes):
        if size < 2 or size > bucket_cap:
            continue
        first = starts[sizes == size]
        members = units[first[:, None] + np.arange(size)]  # buckets × size
        i, j = np.triu_indices(size, k=1)
        a, b = members[:, i].ravel(), members[:, j].ravel()
        codes.append((np.minimum(a, b) << 32) | np.maximum(a, b))
        del members, a, b
    if not codes:
        return np.empty(0, dtype=np.int64)
    joined = np.concatenate(codes)
    codes.clear()  # the pieces go before the sort: at millions of units they are gigabytes
    joined.sort()  # in place
    return joined


def _sorted_by_key(keys: np.ndarray) -> bool:
    return bool(np.all(keys[1:] >= keys[:-1]))


def _runs(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of a sorted array and how often each occurs."""
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    return codes[starts], np.diff(np.r_[starts, len(codes)])


def candidate_pairs(band_rows: np.ndarray, *, bucket_cap: int = BUCKET_CAP) -> np.ndarray:
    """(a, b, shared bands) for every pair of units sharing a band bucket, a < b; rows are (key, unit id)."""
    if len(band_rows) < 2:
        return np.empty((0, 3), dtype=np.int64)
    codes = _pair_codes(band_rows, bucket_cap)
    if not len(codes):
        return np.empty((0, 3), dtype=np.int64)
    pair_codes, shared = _runs(codes)
    return np.column_stack([pair_codes >> 32, pair_codes & 0xFFFFFFFF, shared])


def cluster_lineages(unit_ids: np.ndarray, band_rows: np.ndarray, *, min_shared: int = DEFAULT_MIN_SHARED,
                     bucket_cap: int = BUCKET_CAP,
                     keep_edges: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """The lineage of each unit in ``unit_ids``: the smallest unit id of its connected component.

    ``keep_edges`` (edges → boolean mask) confirms candidate edges beyond the bands: the bands see structure
    only, and independently written code of one shape must not become one lineage (``derive`` checks that the
    two units also share most of their raw tokens).
    """
    unit_ids = np.asarray(unit_ids, dtype=np.int64)
    edges = near_duplicate_edges(band_rows, min_shared=min_shared, bucket_cap=bucket_cap)
    return components_of_edges(unit_ids, edges, keep_edges=keep_edges)


def near_duplicate_edges(band_rows: np.ndarray, *, min_shared: int = DEFAULT_MIN_SHARED,
                         bucket_cap: int = BUCKET_CAP) -> np.ndarray:
    """(a, b) for every pair of units sharing at least ``min_shared`` band buckets (this process; a Spark build
    computes the same edges with ``licheck.engines.spark_lineage.lineage_edges``).

    Only the pairs that pass are ever materialised with their counts: the pair codes of a 5M-unit index are
    ≈ 4 GB, and counting every distinct pair (most share one band) would double that."""
    if len(band_rows) < 2:
        return np.empty((0, 2), dtype=np.int64)
    codes = _pair_codes(band_rows, bucket_cap)
    if not len(codes):
        return np.empty((0, 2), dtype=np.int64)
    change = np.flatnonzero(codes[1:] != codes[:-1])  # last index of each run but the final one
    ends = np.r_[change, len(codes) - 1]
    lengths = np.diff(np.r_[-1, ends])
    del change
    kept = codes[ends[lengths >= min_shared]]
    return np.column_stack([kept >> 32, kept & 0xFFFFFFFF])


def components_of_edges(unit_ids: np.ndarray, edges: np.ndarray, *,
                        keep_edges: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """Lineages from near-duplicate edges, each edge first confirmed by ``keep_edges`` when given."""
    unit_ids = np.asarray(unit_ids, dtype=np.int64)
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if keep_edges is not None and len(edges):
        edges = edges[keep_edges(edges)]
    return connected_components(unit_ids, edges)


def connected_components(nodes: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Label of each node (the smallest node id of its component); edges between nodes given by id."""
    order = np.argsort(nodes)
    sorted_nodes = nodes[order]
    label = np.arange(len(nodes))
    if len(edges):
        a = np.searchsorted(sorted_nodes, edges[:, 0])
        b = np.searchsorted(sorted_nodes, edges[:, 1])
        known = (a < len(nodes)) & (b < len(nodes))
        a, b = a[known], b[known]
        known = (sorted_nodes[a] == edges[known, 0]) & (sorted_nodes[b] == edges[known, 1])
        a, b = a[known], b[known]
        while True:  # min-label propagation with pointer jumping: converges in O(log n) rounds on chains
            low = np.minimum(label[a], label[b])
            before = label.copy()
            np.minimum.at(label, a, low)
            np.minimum.at(label, b, low)
            label = label[label]
            if np.array_equal(label, before):
                break
    result = np.empty(len(nodes), dtype=np.int64)
    result[order] = sorted_nodes[label]
    return result
