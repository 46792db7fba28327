"""What the decision reads from an index, derived after every change: lineages, shingle counts, the null.

``derive_statistics`` runs when a writer closes an index it changed (``IndexDB.__exit__``), after ``licheck
index add/build/remove``, and on demand (``licheck index refresh``):

1. lineages — near-duplicate edges over the index's own band rows (``lineage.near_duplicate_edges``, or a
   Spark job's), each confirmed by raw-token overlap, then connected components;
2. shingle counts — each lineage's structural and lexical 4-grams, counted once per lineage (``information``);
3. the null — a seeded sample of lineages, stratified by language, scanned against the rest of the index,
   fitted per language and size (``null.NullModel``). Counts and null are refitted together when the index or
   one of its languages moved by more than ``REFIT_GROWTH`` since the fit (or on ``refresh --refit``); in
   between, E-values scale with the growth, as BLAST's do with database size.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

import numpy as np

from licheck.decide.counts_store import load_counts, store_counts
from licheck.decide.information import (
    LEXICAL_SALT,
    SHINGLE_K,
    ShingleCounts,
    lexical_shingles,
    structural_shingles,
)
from licheck.decide.lineage import components_of_edges, near_duplicate_edges
from licheck.decide.null import NullModel
from licheck.decide.null_scores import (
    PENDING_COUNTS,
    NullScorer,
    NullTask,
    local_scores,
    unpack_ranges,
)
from licheck.shingle import shingle_hashes_at
from licheck.store.index_db import IndexDB
from licheck.verify import gather

NULL_SAMPLE = 2400  # sampled lineages: a tail fit on ≈ 480 exceedances (1,200 left ±2 points of recall to chance)
MIN_NULL_TOKENS = 25  # as the decision's floor: shorter units are never reported
REFIT_GROWTH = 0.25
MIN_LANGUAGE_SAMPLE = 300  # sampled lineages per language at least: enough for its own tail
MIN_LANGUAGE_LINEAGES = 50  # a language with fewer lineages does not trigger refits on its own
SEED = 20261203

Progress = Callable[[str], None]


EdgeFinder = Callable[[np.ndarray], np.ndarray]  # band rows (key, unit id) → near-duplicate edges (a, b)


def derive_statistics(db: IndexDB, *, refit: bool = False, progress: Progress | None = None,
                      edges_of: EdgeFinder | None = None, null_scores: NullScorer | None = None,
                      jobs: int = 1) -> dict[str, float]:
    """Recompute lineages, shingle counts and (when due) the null of a writable index; returns timings.

    ``edges_of`` finds the near-duplicate pairs over the band rows elsewhere (a Spark build passes its
    distributed job); each edge is confirmed here by raw-token overlap either way. ``null_scores`` scans the
    null's sampled lineages (a Spark build passes its job; default: ``jobs`` local processes), reading the
    index file as committed here before it runs. ``jobs`` > 1 spawns fresh interpreters, so a script that calls
    this needs the usual ``if __name__ == "__main__":`` guard.
    """
    say = progress or (lambda _message: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    units = list(db.all_units())  # (id, content id, ranges, tokens, lineage, language), by content
    ids = np.array([u[0] for u in units], dtype=np.int64)
    say(f"lineages of {len(ids):,} units")
    rows = db.band_rows()
    by_id = {u[0]: u for u in units}
    edges = (edges_of or near_duplicate_edges)(rows) if len(ids) else np.empty((0, 2), dtype=np.int64)
    lineage = components_of_edges(ids, edges, keep_edges=lambda pairs: _lexically_close(db, by_id, pairs))
    with db.transaction():
        db.set_lineages(zip(lineage.tolist(), ids.tolist(), strict=True))
    timings["lineages_s"] = time.perf_counter() - t0
    representatives = [u for u, lin in zip(units, lineage.tolist(), strict=True) if u[0] == lin]

    # The null and the shingle counts its scores were computed with are one model: both are refitted together,
    # and in between E-values scale with the index's growth (a match's bits stay what they were at the fit).
    old = load_null(db)
    stored = load_counts(db)
    lineages_now = len(representatives)
    per_language = Counter(u[5] for u in representatives)
    due = refit or old is None or stored is None or _grown(old, lineages_now, per_language)
    t0 = time.perf_counter()
    if due or stored is None:
        say(f"shingle counts over {len(representatives):,} lineages")
        counts = _count_shingles(db, representatives)
    else:
        counts = stored
    timings["shingles_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    null = old
    if due:
        # The null's tasks read the counts from the file (they may run in other processes or on executors), so
        # the counts are committed first, under their own name: an interrupted fit leaves the stored counts and
        # null the matching pair they were. The lineages they read were committed above.
        with db.transaction():
            store_counts(db, PENDING_COUNTS, counts)
        tasks = _null_tasks(representatives, lineage, ids, rows)
        say(f"null distribution from {len(tasks):,} sampled lineages")
        samples = (null_scores or local_scores(jobs))(db.path, tasks)
        null = NullModel.fit(samples, lineages=lineages_now, languages=dict(per_language))
    timings["null_s"] = time.perf_counter() - t0
    timings["null_refit"] = float(due)
    with db.transaction():
        if due:
            db.rename_statistic(PENDING_COUNTS, "shingles")
        else:  # the same counts, in the current stored form
            store_counts(db, "shingles", counts)
        db.put_statistic("null", null.to_bytes())
        db.put_statistic("lineages", str(lineages_now).encode())
        db.put_statistic("units", str(len(ids)).encode())
        db.put_statistic("stale", b"0")
        db.delete_statistic(PENDING_COUNTS)
    return timings


COUNT_BATCH = 4_000_000  # shingles counted per numpy pass


def _count_shingles(db: IndexDB, representatives: list) -> ShingleCounts:
    """Each lineage's structural and lexical 4-grams, once per lineage; hashed once per file, in batches."""
    counts = ShingleCounts.empty(sum(u[3] for u in representatives) * 2)
    owners: list[np.ndarray] = []
    hashes: list[np.ndarray] = []
    pending = 0
    by_content: dict[int, list] = {}
    for unit in representatives:
        by_content.setdefault(unit[1], []).append(unit)
    for number, (content_id, units) in enumerate(by_content.items()):
        tokens = db.content_tokens(content_id)
        structural = shingle_hashes_at(np.asarray(tokens.structural, dtype=np.uint32), SHINGLE_K)
        lexical = shingle_hashes_at(np.asarray(tokens.lexical, dtype=np.uint32), SHINGLE_K) ^ LEXICAL_SALT
        for unit in units:
            ranges = unpack_ranges(unit[2])
            if len(ranges) == 1:  # a slice of the file's shingles
                a, b = ranges[0]
                unit_hashes = np.concatenate([structural[a:max(a, b - SHINGLE_K + 1)], lexical[a:max(a, b - SHINGLE_K + 1)]])
            else:  # a class body without its methods: shingles of the gathered stream
                s_ids, l_ids = _unit_streams(db, content_id, unit[2])
                unit_hashes = np.concatenate([structural_shingles(s_ids), lexical_shingles(l_ids)])
            counts.by_language[unit[5]] = counts.by_language.get(unit[5], 0) + 1
            owners.append(np.full(len(unit_hashes), len(owners), dtype=np.int64))
            hashes.append(unit_hashes)
            pending += len(unit_hashes)
        if pending >= COUNT_BATCH or number == len(by_content) - 1:
            if hashes:
                counts.add_many(np.concatenate(owners), np.concatenate(hashes), owners=len(owners))
            owners, hashes, pending = [], [], 0
    return counts.folded()


def _unit_streams(db: IndexDB, content_id: int, ranges: bytes) -> tuple[np.ndarray, np.ndarray]:
    tokens = db.content_tokens(content_id)
    side = gather(tokens.structural, tokens.lexical, tokens.lines, unpack_ranges(ranges), frozenset())
    return np.asarray(side.structural, dtype=np.uint32), np.asarray(side.lexical, dtype=np.uint32)


LEXICAL_CACHE = 200_000  # units' raw-token shingles kept while edges are confirmed (≈ 1 KB each)
LINEAGE_LEXICAL_JACCARD = 0.5  # near-identical copies keep most raw-token 4-grams; same-shape rewrites do not


def _lexically_close(db: IndexDB, by_id: dict, edges: np.ndarray) -> np.ndarray:
    """For each structural near-duplicate pair: do the two units also share most of their raw-token 4-grams?"""
    cache: dict[int, tuple[bytes, np.ndarray]] = {}

    def shingles(unit_id: int) -> tuple[bytes, np.ndarray]:
        if unit_id not in cache:
            if len(cache) >= LEXICAL_CACHE:  # edges come sorted by their first unit: old entries are mostly done
                cache.clear()
            unit = by_id[unit_id]
            lexical = _unit_streams(db, unit[1], unit[2])[1]
            cache[unit_id] = (lexical.tobytes(), lexical_shingles(lexical))
        return cache[unit_id]

    keep = np.zeros(len(edges), dtype=bool)
    for i, (a, b) in enumerate(edges.tolist()):
        if a not in by_id or b not in by_id:
            continue
        (raw_a, sa), (raw_b, sb) = shingles(a), shingles(b)
        if raw_a == raw_b:  # the same raw tokens: a copy (the usual edge)
            keep[i] = True
            continue
        shared = len(np.intersect1d(sa, sb, assume_unique=True))
        keep[i] = shared >= LINEAGE_LEXICAL_JACCARD * (len(sa) + len(sb) - shared) > 0
    return keep


def _grown(old: NullModel, lineages_now: int, per_language: Counter[str]) -> bool:
    """Refit when the index, or any one language of it, moved by more than REFIT_GROWTH since the fit: code of
    a language new to the index has no counted shingles and no null of its own until then."""
    if abs(lineages_now - old.lineages) > REFIT_GROWTH * max(old.lineages, 1):
        return True
    return any(abs(count - old.languages.get(language, 0)) > REFIT_GROWTH * max(old.languages.get(language, 0), 1)
               for language, count in per_language.items() if count >= MIN_LANGUAGE_LINEAGES)


def load_null(db: IndexDB) -> NullModel | None:
    data = db.statistic("null")
    if data is None:
        return None
    try:
        return NullModel.from_bytes(data)
    except (ValueError, KeyError, TypeError):
        return None  # another licheck's null: refitted on the next derive


def null_tasks(db: IndexDB) -> list[NullTask]:
    """The null's tasks as the index's stored lineages give them (what the last derive scanned, when current)."""
    units = list(db.all_units())
    ids = np.array([u[0] for u in units], dtype=np.int64)
    lineage = np.array([u[4] for u in units], dtype=np.int64)
    return _null_tasks([u for u in units if u[0] == u[4]], lineage, ids, db.band_rows())


def _null_tasks(representatives: list, lineage: np.ndarray, ids: np.ndarray, rows: np.ndarray) -> list[NullTask]:
    eligible = _sample(representatives)
    lineage_of = dict(zip(ids.tolist(), lineage.tolist(), strict=True))
    keys_of = _band_keys_of(rows, np.array([u[0] for u in eligible], dtype=np.int64))
    return [NullTask(unit_id, content_id, ranges, tokens, lineage_of[unit_id], language,
                     tuple(keys_of.get(unit_id, ())))
            for unit_id, content_id, ranges, tokens, _lin, language in eligible]


def _sample(representatives: list) -> list:
    """NULL_SAMPLE lineages long enough to report, seeded; each language gets at least MIN_LANGUAGE_SAMPLE
    (when it has them), so a minority language is judged by its own null."""
    rng = np.random.default_rng(SEED)
    eligible = [u for u in representatives if u[3] >= MIN_NULL_TOKENS]
    by_language: dict[str, list] = {}
    for unit in eligible:
        by_language.setdefault(unit[5], []).append(unit)
    picked = []
    for _language, units in sorted(by_language.items()):
        share = max(MIN_LANGUAGE_SAMPLE, round(NULL_SAMPLE * len(units) / max(len(eligible), 1)))
        if len(units) > share:
            units = [units[i] for i in sorted(rng.choice(len(units), share, replace=False))]
        picked += units
    return picked


def _band_keys_of(rows: np.ndarray, unit_ids: np.ndarray) -> dict[int, list[int]]:
    if len(rows) == 0 or len(unit_ids) == 0:
        return {}
    picked = rows[np.isin(rows[:, 1], unit_ids)]
    picked = picked[np.argsort(picked[:, 1], kind="stable")]
    starts = np.flatnonzero(np.r_[True, picked[1:, 1] != picked[:-1, 1]])
    return {int(picked[s, 1]): picked[s:e, 0].tolist() for s, e in zip(starts, np.r_[starts[1:], len(picked)], strict=True)}
