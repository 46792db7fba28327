"""The derived statistics (lineages, shingle counts, the null) of an index a distributed build wrote.

The same ``licheck.decide.derive.derive_statistics`` the local build runs, with the two steps that grow with the
index handed to Spark: the near-duplicate edges (``spark_lineage``) and the null's scans (``spark_null``).
"""

from __future__ import annotations

from typing import Any

from licheck.store.index_db import IndexDB


def derive_index(db: IndexDB, *, spark: Any = None) -> dict[str, float]:
    """Derive ``db``'s statistics; with ``spark``, its edges and null scans run as Spark jobs."""
    from licheck.decide.derive import derive_statistics

    if spark is None:
        return derive_statistics(db)
    from licheck.engines.spark_lineage import spark_edges
    from licheck.engines.spark_null import spark_null_scores

    return derive_statistics(db, edges_of=lambda band_rows: spark_edges(spark, band_rows),
                             null_scores=spark_null_scores(spark))
