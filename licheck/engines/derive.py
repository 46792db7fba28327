"""The index's derived statistics (lineages, the null distribution), when this licheck computes them.

The local build derives them after writing (``licheck.indexer``); a Spark build runs the same step on the index
it wrote, so both engines store the same result.
"""

from __future__ import annotations

from licheck.store.index_db import IndexDB


def derive_if_available(db: IndexDB) -> bool:
    """Run the indexer's derive step on ``db`` when it exists; True when it ran."""
    import licheck.indexer as indexer

    derive = getattr(indexer, "derive_statistics", None) or getattr(indexer, "derive", None)
    if derive is None:
        return False
    derive(db)
    return True
