"""Lineages found by the Spark job are the partition the local clustering finds, on a real small index."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("pyspark")
lineage = pytest.importorskip("licheck.decide.lineage")

from licheck.engines.session import spark_session  # noqa: E402
from licheck.engines.spark_lineage import cluster_lineages_spark  # noqa: E402
from licheck.indexer import SourceSpec, add_source  # noqa: E402
from licheck.store.index_db import IndexDB  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = spark_session("local[2]", app="licheck-lineage-test", driver_memory="1g")
    yield session
    session.stop()


def _edited_copy(source: Path, target: Path) -> None:
    """Every file of ``source`` with every 12th line dropped: near-duplicates of most units, not copies."""
    for path in source.rglob("*"):
        if path.is_file():
            out = target / path.relative_to(source)
            out.parent.mkdir(parents=True, exist_ok=True)
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            out.write_text("".join(line for n, line in enumerate(lines, 1) if n % 12), encoding="utf-8")


@pytest.fixture(scope="module")
def bands(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, np.ndarray]:
    root = tmp_path_factory.mktemp("lineage")
    original = root / "original"
    shutil.copytree(REPO / "fixtures" / "corpus", original / "corpus")
    for module in ("indexer.py", "scanner.py", "verify.py", "units.py", "normalize.py"):
        shutil.copy(REPO / "licheck" / module, original / module)
    _edited_copy(original, root / "edited")
    with IndexDB.open_for_write(root / "index.sqlite") as db:
        for folder in (original, root / "edited"):
            add_source(db, SourceSpec(folder, license="MIT"), jobs=1)
        unit_ids = np.array([row[0] for row in db.all_units()], dtype=np.int64)
        return unit_ids, db.band_rows()


def _partition(unit_ids: np.ndarray, labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for unit, label in zip(unit_ids.tolist(), labels.tolist(), strict=True):
        groups.setdefault(label, set()).add(unit)
    return {frozenset(g) for g in groups.values()}


def test_spark_lineages_match_the_local_clustering(spark: Any, bands: tuple[np.ndarray, np.ndarray]) -> None:
    unit_ids, rows = bands
    expected = lineage.cluster_lineages(unit_ids, rows)
    assert len(set(expected.tolist())) < len(unit_ids), "no near-duplicates: the test would show nothing"
    for driver_edges in (5_000_000, 0):  # components found on the driver, then by label propagation in Spark
        found = cluster_lineages_spark(spark, unit_ids, rows, driver_edges=driver_edges)
        assert _partition(unit_ids, found) == _partition(unit_ids, expected), driver_edges
        assert np.array_equal(found, expected)  # labelled alike: each lineage by its smallest unit id


def test_full_buckets_make_no_pairs(spark: Any) -> None:
    """A bucket over the cap is boilerplate: units that share only it stay apart, as in the local clustering."""
    units = np.arange(1, 8, dtype=np.int64)
    rows = np.array([(1000 + band, unit) for unit in units for band in range(3)], dtype=np.int64)
    for cap in (len(units), len(units) - 1):
        expected = lineage.cluster_lineages(units, rows, min_shared=3, bucket_cap=cap)
        found = cluster_lineages_spark(spark, units, rows, min_shared=3, bucket_cap=cap)
        assert np.array_equal(found, expected)
    assert len(set(found.tolist())) == len(units)


def test_a_long_chain_settles_in_few_rounds(spark: Any) -> None:
    """Each unit shares its bands with the next only: one lineage through 64 links (pointer jumping)."""
    units = np.arange(10, 74, dtype=np.int64)
    rows = np.array([(int(unit) * 10 + band, int(unit) + step) for unit in units[:-1] for band in range(2)
                     for step in (0, 1)], dtype=np.int64)
    expected = lineage.cluster_lineages(units, rows, min_shared=2)
    assert set(expected.tolist()) == {10}
    # plain min-label propagation would need 63 rounds; with pointer jumping 7 do
    found = cluster_lineages_spark(spark, units, rows, min_shared=2, driver_edges=0, max_rounds=8)
    assert np.array_equal(found, expected)
