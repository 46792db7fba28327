"""The null's raw material: each sampled lineage scanned against the rest of the index, as independent tasks.

A task is one sampled unit and its band keys; its score is the best evidence (in shingle-equivalents) any
*independent* unit of the index reaches against it. Tasks read only the index — its units, lineages, sources
and the shingle counts derive wrote before the null — so they run anywhere the index file can be opened: in
this process, in worker processes (``local_scores`` with jobs > 1), or as a Spark job's tasks
(``licheck.engines.spark_null``). Every runner gives the same scores, in task order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from licheck.decide.counts_store import load_counts
from licheck.decide.evidence import evidence_of
from licheck.decide.information import ShingleCounts
from licheck.lookup import candidates
from licheck.store.index_db import IndexDB, UnitRow
from licheck.verify import compare, gather

PENDING_COUNTS = "null-counts"  # the shingle counts of a null being fitted, until it is stored with them
Sample = tuple[str, int, float]  # (language, tokens, best independent score in shingle-equivalents)
GENERIC_DIRS = frozenset({"src", "lib", "tests", "test", "testing", "docs", "doc", "examples", "example", "scripts",
                          "utils", "util", "core", "common", "internal", "_internal", "app", "bin", "tools", "pkg"})


@dataclass(frozen=True)
class NullTask:
    unit_id: int
    content_id: int
    ranges: bytes  # as the units table stores them
    tokens: int
    lineage: int
    language: str
    band_keys: tuple[int, ...]


# (index path, tasks) → one sample per task, in task order
NullScorer = Callable[[Path, Sequence[NullTask]], list[Sample]]


def place_tail(path: str) -> str:
    """A file's package folder and name (``rich/rule.py``), which vendored and forked copies keep; '' when the
    folder says nothing of the project (``src/``, ``tests/``) or there is none."""
    parts = path.split("/")
    if len(parts) < 2 or parts[-2].lower() in GENERIC_DIRS:
        return ""
    return "/".join(parts[-2:])


def score_tasks(db: IndexDB, tasks: Iterable[NullTask], counts: ShingleCounts) -> list[Sample]:
    """Each task's best score against units of other lineages, other sources and other package paths."""
    sources_cache: dict[int, frozenset[int]] = {}
    tails_cache: dict[int, frozenset[str]] = {}

    def sources(content_id: int) -> frozenset[int]:
        if content_id not in sources_cache:
            sources_cache[content_id] = db.content_sources(content_id)
        return sources_cache[content_id]

    def tails(content_id: int) -> frozenset[str]:
        if content_id not in tails_cache:
            tails_cache[content_id] = frozenset(t for p in db.placements(content_id) if (t := place_tail(p.path)))
        return tails_cache[content_id]

    samples = []
    for task in tasks:
        content = db.content_tokens(task.content_id)
        query = gather(content.structural, content.lexical, content.lines, unpack_ranges(task.ranges), frozenset())
        own_sources = sources(task.content_id)

        def independent(row: UnitRow, own: int = task.lineage, mine: frozenset[int] = own_sources,
                        cid: int = task.content_id) -> bool:
            # not its own lineage, not its own sources, and not a file at the same place (rich/rule.py in two
            # vendored trees is one file edited, not independent code: the null must not learn from copies)
            return ((row.lineage or row.id) != own and not (sources(row.content_id) & mine)
                    and (row.content_id == cid or not (tails(row.content_id) & tails(cid))))

        best = 0.0
        for _quick, _row, side in candidates(db, list(task.band_keys), query, keep=independent):
            best = max(best, evidence_of(compare(query, side), query, side, counts, task.language).bits)
        samples.append((task.language, task.tokens, best / max(counts.scale(task.language), 1.0)))
    return samples


def score_tasks_at(path: str | Path, tasks: Sequence[NullTask]) -> list[Sample]:
    """``score_tasks`` on the index file at ``path``, opened read-only (a worker's or executor's own copy),
    with the counts of the null being fitted (or, outside a derive, the stored ones)."""
    with IndexDB.open_readonly(path) as db:
        counts = load_counts(db, PENDING_COUNTS) or load_counts(db)
        if counts is None:
            raise ValueError(f"{path} holds no shingle counts: derive writes them before the null")
        return score_tasks(db, tasks, counts)


def local_scores(jobs: int = 1) -> NullScorer:
    """A scorer on this machine: in this process, or over ``jobs`` worker processes (task order kept)."""

    def run(path: Path, tasks: Sequence[NullTask]) -> list[Sample]:
        if jobs <= 1 or len(tasks) < 2 * jobs:
            return score_tasks_at(path, tasks)
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # one interleaved batch per worker (languages and sizes mixed evenly; the counts are loaded once each).
        # Spawned, not forked: the caller may hold threads (a progress display, an analyser's pool) that a fork
        # would copy mid-lock; the workers open the file themselves.
        batches = [list(tasks[i::jobs]) for i in range(jobs)]
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            scored = list(pool.map(score_tasks_at, [path] * jobs, batches))
        out: list[Sample] = [("", 0, 0.0)] * len(tasks)
        for i, batch_scores in enumerate(scored):
            out[i::jobs] = batch_scores
        return out

    return run


def unpack_ranges(blob: bytes) -> tuple[tuple[int, int], ...]:
    """A unit's token ranges as the index stores them (pairs of little-endian uint32)."""
    return tuple(map(tuple, np.frombuffer(blob, dtype="<u4").reshape(-1, 2).tolist()))
