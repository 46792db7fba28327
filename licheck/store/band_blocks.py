"""The compact band layout: LSH band rows packed into blocks, one SQLite row per block.

A band row (band key, unit id) used to be one row of a WITHOUT ROWID table: ≈ 18 bytes on disk, 71 % of an
index. Here each key is cut to ``KEY_BITS`` bits inside its band (a *compact key*: band << KEY_BITS | low bits
of the 63-bit key), rows are grouped into blocks by the compact key's top bits, and a block stores its rows
sorted by unit id: the 16-bit key suffixes as a uint16 array, and the unit ids as the block's first id
(uint32) followed by the gaps between consecutive ids as uint16 (uint32 in the rare block with a larger gap).
That is ≈ 4 bytes a row. Per band, keys of unrelated units now collide with probability units / 2**KEY_BITS
(0.04 % at 60k units, 1.5 % at 2M): such a collision adds a one-band candidate, which verification drops.

Why fixed-width gaps: a block holds a band's rows for 2**SUFFIX_BITS keys, so its mean gap is
2**PREFIX_BITS = 2,048 whatever the index size — two bytes as a varint or as a uint16 — while the rows a block
holds grow with the index (≈ 1,250 at 2.5M units). A lookup reads 42 blocks and needs every row's unit id to
find the few it wants: varint gaps (``blocks-v1``) take a dozen array passes over every byte to decode, uint16
gaps one cumulative sum. Indexes of ``blocks-v1`` are converted in place by a writer (``licheck index
refresh``).

Pure numpy, no SQL: ``index_db`` stores what these functions make.
"""

from __future__ import annotations

import numpy as np

from licheck.arrays import members, unique_sorted

LAYOUT = "blocks-v2"  # recorded in the index stamp: blocks-v1 is converted, any other refused ("rebuild")
KEY_BITS = 27  # bits of each band key kept (within its band)
SUFFIX_BITS = 16  # stored per row; the other KEY_BITS - SUFFIX_BITS bits name the block
PREFIX_BITS = KEY_BITS - SUFFIX_BITS
_SUFFIX_MASK = (1 << SUFFIX_BITS) - 1


_WIDE = 1 << 31  # set in a block's first unit id when its gaps are uint32
MAX_UNIT_ID = _WIDE - 1


def layout_stamp(layout: str = LAYOUT) -> str:
    return f"{layout};key_bits={KEY_BITS};suffix_bits={SUFFIX_BITS}"


CONVERTIBLE_STAMP = layout_stamp("blocks-v1")  # varint gaps: converted in place by a writer


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
    if units[-1] > MAX_UNIT_ID or units[0] < 0:
        raise ValueError(f"unit ids must lie in 0..{MAX_UNIT_ID}")
    first = np.r_[True, blocks[1:] != blocks[:-1]]
    gaps = np.where(first, 0, units - np.r_[0, units[:-1]])
    suffixes = (keys & _SUFFIX_MASK).astype("<u2").tobytes()
    cuts = np.flatnonzero(first)
    rows_end = np.r_[cuts[1:], len(keys)]
    narrow = gaps.astype("<u2").tobytes()
    out = []
    for lo, hi in zip(cuts.tolist(), rows_end.tolist(), strict=True):
        wide = hi - lo > 1 and int(gaps[lo + 1 : hi].max()) > 0xFFFF
        head = (int(units[lo]) | (_WIDE if wide else 0)).to_bytes(4, "little")
        body = gaps[lo + 1 : hi].astype("<u4").tobytes() if wide else narrow[2 * (lo + 1) : 2 * hi]
        out.append((int(blocks[lo]), suffixes[2 * lo : 2 * hi], head + body))
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
    query's suffixes in that block (one elementwise pass per query key of a block, nearly always one), and keys
    and unit ids are worked out for the matching rows only — from one cumulative sum of the gaps.
    """
    if not blocks or not len(query):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    counts = np.fromiter((len(s) >> 1 for _, s, _ in blocks), dtype=np.int64, count=len(blocks))
    suffixes = np.frombuffer(b"".join(s for _, s, _ in blocks), dtype="<u2")
    ids = np.fromiter((b for b, _, _ in blocks), dtype=np.int64, count=len(blocks))
    wanted = unique_sorted(np.asarray(query, dtype=np.int64))
    wanted_blocks = wanted >> SUFFIX_BITS
    lo = np.searchsorted(wanted_blocks, ids, side="left")
    hi = np.searchsorted(wanted_blocks, ids, side="right")
    hit = np.zeros(len(suffixes), dtype=bool)
    for k in range(int((hi - lo).max(initial=0))):
        want = np.where(hi - lo > k, wanted[np.minimum(lo + k, len(wanted) - 1)] & _SUFFIX_MASK, -1)
        hit |= suffixes == np.repeat(want.astype(np.int32), counts)
    rows = np.flatnonzero(hit)
    starts = np.cumsum(counts) - counts
    owner = np.searchsorted(starts, rows, side="right") - 1
    keys = (ids[owner] << SUFFIX_BITS) | suffixes[rows]
    heads, gaps = _heads_and_gaps(blocks)
    if len(gaps) != len(suffixes) - len(blocks):
        raise ValueError("band block is damaged")
    running = np.concatenate(([0], np.cumsum(gaps, dtype=np.int64)))  # running[i]: the first i gaps summed
    first_gap = starts - np.arange(len(blocks))  # where each block's gaps begin (its first row has none)
    return keys, (heads & MAX_UNIT_ID)[owner] + running[rows - owner] - running[first_gap[owner]]


def _heads_and_gaps(blocks: list[tuple[int, bytes, bytes]]) -> tuple[np.ndarray, np.ndarray]:
    """Each block's first unit id (with its wide flag) and all blocks' gaps, one after the other.

    Wide (uint32-gap) blocks are not rare in real indexes: a source of tens of thousands of near-identical
    generated units puts its band keys in a few blocks and leaves long runs of ids out of all the others.
    """
    try:
        heads = np.frombuffer(b"".join(u[:4] for _, _, u in blocks), dtype="<u4").astype(np.int64)
        if len(heads) != len(blocks):
            raise ValueError
        if not (heads >= _WIDE).any():
            return heads, np.frombuffer(b"".join(u[4:] for _, _, u in blocks), dtype="<u2")
        return heads, np.concatenate([np.frombuffer(u[4:], dtype="<u4" if w else "<u2").astype(np.int64)
                                      for (_, _, u), w in zip(blocks, (heads >= _WIDE).tolist(), strict=True)])
    except ValueError:  # a blob too short for its first id, or not a whole number of gaps
        raise ValueError("band block is damaged") from None


def _block_units(blocks: list[tuple[int, bytes, bytes]], counts: np.ndarray) -> np.ndarray:
    """Unit ids of every row: each block's first id, then a running sum of its gaps."""
    heads, gaps = _heads_and_gaps(blocks)
    if len(gaps) != int(counts.sum()) - len(blocks) or (counts < 1).any():
        raise ValueError("band block is damaged")
    starts = np.cumsum(counts) - counts
    flat = np.empty(int(counts.sum()), dtype=np.int64)
    is_start = np.zeros(len(flat), dtype=bool)
    is_start[starts] = True
    flat[starts] = heads & MAX_UNIT_ID
    flat[~is_start] = gaps
    running = np.cumsum(flat)
    return running - np.repeat(running[starts] - flat[starts], counts)


def decode_blocks_v1(blocks: list[tuple[int, bytes, bytes]]) -> tuple[np.ndarray, np.ndarray]:
    """``decode_blocks`` for the ``blocks-v1`` layout (varint gaps, restarting from 0 in each block), read once
    to convert an index."""
    if not blocks:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    counts = np.array([len(s) // 2 for _, s, _ in blocks], dtype=np.int64)
    suffixes = np.frombuffer(b"".join(s for _, s, _ in blocks), dtype="<u2").astype(np.int64)
    gaps = decode_varints(b"".join(u for _, _, u in blocks))
    if len(gaps) != len(suffixes):
        raise ValueError("band block is damaged")
    running = np.cumsum(gaps)
    starts = np.cumsum(counts) - counts
    before = np.where(starts > 0, running[np.maximum(starts - 1, 0)], 0)
    ids = np.array([b for b, _, _ in blocks], dtype=np.int64)
    return (np.repeat(ids, counts) << SUFFIX_BITS) | suffixes, running - np.repeat(before, counts)


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
    starts = np.flatnonzero(np.concatenate(([True], ends[:-1])))
    position = np.arange(len(raw)) - np.repeat(starts, np.diff(np.append(starts, len(raw))))
    parts = (raw & 0x7F).astype(np.int64) << (7 * position)
    return np.add.reduceat(parts, starts)
