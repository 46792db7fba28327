"""The compact band layout: LSH band rows packed into blocks, one SQLite row per block.

A band row (band key, unit id) used to be one row of a WITHOUT ROWID table: ≈ 18 bytes on disk, 71 % of an
index. Here each key is cut to ``KEY_BITS`` bits inside its band (a *compact key*: band << KEY_BITS | low bits
of the 63-bit key), rows are grouped into blocks by the compact key's top bits, and a block stores its rows
sorted by unit id: the 16-bit key suffixes as a uint16 array and the unit ids as varint gaps. That is ≈ 4
bytes a row. Per band, keys of unrelated units now collide with probability units / 2**KEY_BITS (0.04 % at
60k units, 1.5 % at 2M): such a collision adds a one-band candidate, which verification drops.

Pure numpy, no SQL: ``index_db`` stores what these functions make.
"""

from __future__ import annotations

import numpy as np

from licheck.arrays import members, unique_sorted

LAYOUT = "blocks-v1"  # recorded in the index stamp: another layout is refused with a "rebuild" error
KEY_BITS = 27  # bits of each band key kept (within its band)
SUFFIX_BITS = 16  # stored per row; the other KEY_BITS - SUFFIX_BITS bits name the block
PREFIX_BITS = KEY_BITS - SUFFIX_BITS
_SUFFIX_MASK = (1 << SUFFIX_BITS) - 1


def layout_stamp() -> str:
    return f"{LAYOUT};key_bits={KEY_BITS};suffix_bits={SUFFIX_BITS}"


def compact_keys(band_keys: np.ndarray, bands: int | None = None) -> np.ndarray:
    """63-bit band keys → compact keys of the same shape: band << KEY_BITS | key's low bits.

    The band of a key is its column of a (units × bands) array; of a flat array (one or more units' keys one
    after the other), its position modulo ``bands``.
    """
    keys = np.asarray(band_keys, dtype=np.int64)
    if keys.size == 0:
        return keys
    width = keys.shape[-1] if bands is None else bands
    band = np.arange(keys.shape[-1], dtype=np.int64) % width
    return (band << KEY_BITS) | (keys & ((1 << KEY_BITS) - 1))


def block_of(compact: np.ndarray) -> np.ndarray:
    return np.asarray(compact, dtype=np.int64) >> SUFFIX_BITS


def group_rows(keys: np.ndarray, units: np.ndarray) -> list[tuple[int, bytes, bytes]]:
    """(compact key, unit id) rows → encoded blocks (block, suffixes, unit-id gaps), duplicates dropped.

    Vectorized over all blocks at once: a merge rewrites tens of thousands of blocks.
    """
    keys = np.asarray(keys, dtype=np.int64)
    units = np.asarray(units, dtype=np.int64)
    if len(keys) == 0:
        return []
    blocks = keys >> SUFFIX_BITS
    order = np.lexsort((keys, units, blocks))  # by block, then unit id
    keys, units, blocks = keys[order], units[order], blocks[order]
    fresh = np.r_[True, (keys[1:] != keys[:-1]) | (units[1:] != units[:-1])]
    keys, units, blocks = keys[fresh], units[fresh], blocks[fresh]
    first = np.r_[True, blocks[1:] != blocks[:-1]]
    gaps = np.where(first, units, units - np.r_[0, units[:-1]])
    data, lengths = _varints(gaps)
    suffixes = (keys & _SUFFIX_MASK).astype("<u2").tobytes()
    cuts = np.flatnonzero(first)
    rows_end = np.r_[cuts[1:], len(keys)]
    byte_end = np.cumsum(lengths)
    out = []
    for lo, hi in zip(cuts.tolist(), rows_end.tolist(), strict=True):
        start = int(byte_end[lo - 1]) if lo else 0
        out.append((int(blocks[lo]), suffixes[2 * lo : 2 * hi], data[start : int(byte_end[hi - 1])]))
    return out


def decode_blocks(blocks: list[tuple[int, bytes, bytes]]) -> tuple[np.ndarray, np.ndarray]:
    """Many (block, suffixes, units) rows → (compact keys, unit ids), decoded in one vectorized pass."""
    if not blocks:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    counts = np.array([len(s) // 2 for _, s, _ in blocks], dtype=np.int64)
    suffixes = np.frombuffer(b"".join(s for _, s, _ in blocks), dtype="<u2").astype(np.int64)
    units = _block_units(blocks, counts)
    ids = np.array([b for b, _, _ in blocks], dtype=np.int64)
    keys = (np.repeat(ids, counts) << SUFFIX_BITS) | suffixes
    return keys, units


def rows_with_keys(blocks: list[tuple[int, bytes, bytes]], query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(compact keys, unit ids) of the rows of these blocks whose keys are in ``query``.

    A lookup reads whole blocks but needs a few rows of each: the rows are matched block by block against the
    query's suffixes in that block (one elementwise pass per query key of a block, nearly always one), so no
    block's keys are sorted or searched. Unit ids are decoded for all rows (their gaps chain through a block).
    """
    if not blocks or not len(query):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    counts = np.array([len(s) // 2 for _, s, _ in blocks], dtype=np.int64)
    suffixes = np.frombuffer(b"".join(s for _, s, _ in blocks), dtype="<u2").astype(np.int32)
    ids = np.array([b for b, _, _ in blocks], dtype=np.int64)
    wanted = unique_sorted(np.asarray(query, dtype=np.int64))
    wanted_blocks = wanted >> SUFFIX_BITS
    lo = np.searchsorted(wanted_blocks, ids, side="left")
    hi = np.searchsorted(wanted_blocks, ids, side="right")
    hit = np.zeros(len(suffixes), dtype=bool)
    for k in range(int((hi - lo).max(initial=0))):
        has = hi - lo > k
        want = np.where(has, (wanted[np.minimum(lo + k, len(wanted) - 1)] & _SUFFIX_MASK).astype(np.int32), -1)
        hit |= suffixes == np.repeat(want, counts)
    units = _block_units(blocks, counts)
    keys = (np.repeat(ids, counts) << SUFFIX_BITS) | suffixes
    return keys[hit].astype(np.int64), units[hit]


def _block_units(blocks: list[tuple[int, bytes, bytes]], counts: np.ndarray) -> np.ndarray:
    gaps = decode_varints(b"".join(u for _, _, u in blocks))
    if len(gaps) != int(counts.sum()):
        raise ValueError("band block is damaged")
    # gaps restart from 0 in every block: a running sum minus the sum before each block's first row
    running = np.cumsum(gaps)
    starts = np.cumsum(counts) - counts
    before = np.where(starts > 0, running[np.maximum(starts - 1, 0)], 0)
    return running - np.repeat(before, counts)


def count_hits(query: np.ndarray, keys: np.ndarray, units: np.ndarray, *, bucket_cap: int) -> dict[int, int]:
    """Units sharing a bucket with the query's compact keys, and in how many; buckets over the cap are skipped."""
    wanted = members(keys, unique_sorted(query))
    keys, units = keys[wanted], units[wanted]
    if len(keys) == 0:
        return {}
    _, inverse, sizes = np.unique(keys, return_inverse=True, return_counts=True)
    kept = units[sizes[inverse] <= bucket_cap]
    ids, hits = np.unique(kept, return_counts=True)
    return dict(zip(ids.tolist(), hits.tolist(), strict=True))


def encode_varints(values: np.ndarray) -> bytes:
    """Non-negative integers → LEB128 bytes (7 bits a byte, high bit set on all but the last)."""
    return _varints(values)[0]


def _varints(values: np.ndarray) -> tuple[bytes, np.ndarray]:
    v = np.asarray(values, dtype=np.uint64)
    lengths = np.ones(len(v), dtype=np.int64)
    if len(v) == 0:
        return b"", lengths
    rest = v >> np.uint64(7)
    while rest.any():
        lengths += rest > 0
        rest >>= np.uint64(7)
    if int(lengths.max()) == 1:
        return v.astype(np.uint8).tobytes(), lengths
    owner = np.repeat(np.arange(len(v)), lengths)
    position = np.arange(len(owner)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    groups = (v[owner] >> (np.uint64(7) * position.astype(np.uint64))) & np.uint64(0x7F)
    more = position < lengths[owner] - 1
    return (groups | (more.astype(np.uint64) << np.uint64(7))).astype(np.uint8).tobytes(), lengths


def decode_varints(data: bytes) -> np.ndarray:
    raw = np.frombuffer(data, dtype=np.uint8)
    if len(raw) == 0:
        return np.empty(0, dtype=np.int64)
    ends = raw < 0x80
    if ends.all():
        return raw.astype(np.int64)
    starts = np.flatnonzero(np.r_[True, ends[:-1]])
    position = np.arange(len(raw)) - np.repeat(starts, np.diff(np.r_[starts, len(raw)]))
    parts = (raw & 0x7F).astype(np.int64) << (7 * position)
    return np.add.reduceat(parts, starts)
