"""Band keys → the indexed units worth aligning with a query unit. Shared by the scanner and the index's null."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable

from licheck.store.index_db import IndexDB, UnitRow
from licheck.verify import Side, gather, quick_similarity

MAX_CANDIDATES = 20  # looked up by band hits
MAX_VERIFIED = 5  # fully aligned, by quick similarity
MIN_QUICK_SIMILARITY = 0.3
BUCKET_CAP = 200
MAX_RUNS = 1  # runs of adjacent units of one file also aligned with the query
RUN_MAX_TOKENS = 4000


def side_of(index: IndexDB, row: UnitRow) -> Side:
    tokens = index.content_tokens(row.content_id)
    return gather(tokens.structural, tokens.lexical, tokens.lines, row.ranges, tokens.comment_digests)


def candidates(index: IndexDB, band_keys: Iterable[int], query: Side, *,
               keep: Callable[[UnitRow], bool] | None = None) -> list[tuple[float, UnitRow, Side]]:
    """Up to MAX_VERIFIED (quick similarity, unit, its tokens), most similar first; ``keep`` filters units."""
    hits = index.lookup(band_keys, bucket_cap=BUCKET_CAP)
    if not hits:
        return []
    # the most shared bands first (ties: the older unit); at millions of units a unit has hundreds of hits
    ranked = heapq.nsmallest(MAX_CANDIDATES if keep is None else 4 * MAX_CANDIDATES, hits,
                             key=lambda uid: (-hits[uid], uid))
    if keep is None:
        rows = index.units(ranked)
    else:  # filtered units (the query's own copies) must not crowd out the others
        by_id = {row.id: row for row in index.units(ranked)}
        rows = [by_id[uid] for uid in ranked if uid in by_id and keep(by_id[uid])][:MAX_CANDIDATES]
    scored = sorted(((quick_similarity(query, side), row.id, row, side)
                     for row in rows for side in (side_of(index, row),)), key=lambda t: (-t[0], t[1]))
    found = [(quick, row, side) for quick, _, row, side in scored[:MAX_VERIFIED] if quick >= MIN_QUICK_SIMILARITY]
    return found + _runs_of_units(index, query, rows)


def _runs_of_units(index: IndexDB, query: Side, rows: list[UnitRow]) -> list[tuple[float, UnitRow, Side]]:
    """Candidates of one file taken together: a method inlined into the query, or split out of it, matches
    the run of adjacent source units better than any one of them (the best MAX_RUNS files, by quick similarity)."""
    by_content: dict[int, list[UnitRow]] = {}
    for row in rows:
        if row.kind != "window":  # windows overlap the units they cover
            by_content.setdefault(row.content_id, []).append(row)
    runs = []
    for members in by_content.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda r: r.ranges[0][0] if r.ranges else 0)
        ranges = _union(r.ranges for r in members)
        tokens = index.content_tokens(members[0].content_id)
        side = gather(tokens.structural, tokens.lexical, tokens.lines, ranges, tokens.comment_digests)
        if len(side.structural) > RUN_MAX_TOKENS:
            continue
        quick = quick_similarity(query, side)
        if quick >= MIN_QUICK_SIMILARITY:
            runs.append((quick, members[0], side))
    runs.sort(key=lambda t: (-t[0], t[1].id))
    return runs[:MAX_RUNS]


def _union(all_ranges: Iterable[tuple[tuple[int, int], ...]]) -> tuple[tuple[int, int], ...]:
    merged: list[list[int]] = []
    for start, end in sorted(r for ranges in all_ranges for r in ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((a, b) for a, b in merged)
