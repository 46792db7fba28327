"""Band keys → the indexed units worth aligning with a query unit. Shared by the scanner and the index's null."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from licheck.store.index_db import IndexDB, UnitRow
from licheck.verify import Side, gather, quick_similarity

MAX_CANDIDATES = 20  # looked up by band hits
MAX_VERIFIED = 5  # fully aligned, by quick similarity
MIN_QUICK_SIMILARITY = 0.3
BUCKET_CAP = 200


def side_of(index: IndexDB, row: UnitRow) -> Side:
    tokens = index.content_tokens(row.content_id)
    return gather(tokens.structural, tokens.lexical, tokens.lines, row.ranges, tokens.comment_digests)


def candidates(index: IndexDB, band_keys: Iterable[int], query: Side, *,
               keep: Callable[[UnitRow], bool] | None = None) -> list[tuple[float, UnitRow, Side]]:
    """Up to MAX_VERIFIED (quick similarity, unit, its tokens), most similar first; ``keep`` filters units."""
    hits = index.lookup(band_keys, bucket_cap=BUCKET_CAP)
    if not hits:
        return []
    ranked = sorted(hits, key=lambda uid: (-hits[uid], uid))
    if keep is None:
        rows = index.units(ranked[:MAX_CANDIDATES])
    else:  # filtered units (the query's own copies) must not crowd out the others
        by_id = {row.id: row for row in index.units(ranked[:4 * MAX_CANDIDATES])}
        rows = [by_id[uid] for uid in ranked if uid in by_id and keep(by_id[uid])][:MAX_CANDIDATES]
    scored = sorted(((quick_similarity(query, side), row.id, row, side)
                     for row in rows for side in (side_of(index, row),)), key=lambda t: (-t[0], t[1]))
    return [(quick, row, side) for quick, _, row, side in scored[:MAX_VERIFIED] if quick >= MIN_QUICK_SIMILARITY]
