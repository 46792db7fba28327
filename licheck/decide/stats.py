"""The derived statistics a scan reads from its index (written by ``derive``)."""

from __future__ import annotations

from dataclasses import dataclass

from licheck.decide.counts_store import UNREADABLE, open_counts
from licheck.decide.information import ShingleCounts
from licheck.decide.null import NullModel
from licheck.errors import IndexFileError
from licheck.store.index_db import IndexDB

REFRESH_HINT = "run `licheck index refresh --index FILE` once (it derives lineages and the null)"


@dataclass(frozen=True)
class DecisionStatistics:
    counts: ShingleCounts
    null: NullModel
    lineages: int
    stale: bool  # sources changed since they were derived (an interrupted add): still usable, refreshed next write


NAMES = ("shingles", "null", "lineages")


def require_statistics(index: IndexDB) -> None:
    """Fail early, without reading the (large) shingle table, when the index has no derived statistics."""
    if any(index.statistic_size(name) is None for name in NAMES):
        raise IndexFileError(f"{index.path} has no derived statistics (lineages, null distribution)",
                             hint=REFRESH_HINT)


def load_statistics(index: IndexDB) -> DecisionStatistics:
    require_statistics(index)
    null, lineages = (index.statistic(name) for name in NAMES[1:])
    assert null is not None and lineages is not None
    try:
        model = NullModel.from_bytes(null)
        counts = open_counts(index)
        count = int(lineages)
    except UNREADABLE:
        raise IndexFileError(f"{index.path} holds derived statistics this licheck cannot read",
                             hint=REFRESH_HINT) from None
    return DecisionStatistics(counts, model, count, index.statistics_stale)
