"""CPU of one LSH lookup's block decoding, by block size: the previous layout (varint gaps, every row decoded)
against the current one (uint16 gaps, only the matching rows worked out).

    python benchmarks/band_lookup.py [--repeat 500] [--index FILE ...]

With --index, also the whole of ``IndexDB.lookup`` (SQLite reads included) for every unit of the peers' 2,086
queries (~/.cache/licheck-peers/testset/queries) against each index: CPU seconds in all and per lookup.

A lookup reads the 42 blocks holding a unit's 42 band keys. A block holds a band's rows for 2**16 keys, so its
size grows with the index: ≈ 29 rows at the peers' 60k units, ≈ 1,250 at 2.57M units (mean gap 2,048 either
way). Synthetic blocks of those sizes are timed here, in-process, so the figures are the decoding alone (no
SQLite); print the load average beside them.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from licheck.store import band_blocks


def blocks_of(rows_per_block: int, *, seed: int = 0) -> tuple[list[tuple[int, bytes, bytes]], np.ndarray]:
    rng = np.random.default_rng(seed)
    units_total = rows_per_block * 2048  # a mean gap of 2,048, as in a real index
    blocks = []
    for band in range(42):
        units = np.sort(rng.choice(units_total, rows_per_block, replace=False))
        keys = (np.int64(band) << 16) | rng.integers(0, 1 << 16, size=rows_per_block)
        blocks += band_blocks.group_rows(keys, units)
    query = np.array([(b << 16) | int(np.frombuffer(s, "<u2")[0]) for b, s, _ in blocks], dtype=np.int64)
    return blocks, query


def as_v1(blocks: list[tuple[int, bytes, bytes]]) -> list[tuple[int, bytes, bytes]]:
    """The same rows as the previous layout stored them: varint gaps restarting from 0 in each block."""
    out = []
    for block, suffixes, units in blocks:
        _, ids = band_blocks.decode_blocks([(block, suffixes, units)])
        out.append((block, suffixes, band_blocks.encode_varints(np.diff(ids, prepend=0))))
    return out


def v1_lookup(blocks: list[tuple[int, bytes, bytes]], query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keys, units = band_blocks.decode_blocks_v1(blocks)
    wanted = np.isin(keys, query)  # what the previous lookup did: every row decoded, then filtered
    return keys[wanted], units[wanted]


def per_call_ms(fn, *args, repeat: int) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    for _ in range(repeat):
        fn(*args)
    return (time.process_time() - start) / repeat * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=500)
    parser.add_argument("--index", type=Path, action="append", default=[])
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; CPU ms per lookup of 42 blocks (process time, {args.repeat} runs)")
    print("| rows a block | units it stands for | previous layout (varint, all rows) | current (uint16, matching rows) |")
    print("|---|---|---|---|")
    for rows in (29, 300, 1255, 2500):
        blocks, query = blocks_of(rows)
        old = as_v1(blocks)
        got, want = band_blocks.rows_with_keys(blocks, query), v1_lookup(old, query)
        assert sorted(zip(*map(np.ndarray.tolist, got), strict=True)) == sorted(zip(*map(np.ndarray.tolist, want),
                                                                                   strict=True))
        print(f"| {rows:,} | ≈ {rows * 2048:,} | {per_call_ms(v1_lookup, old, query, repeat=args.repeat):.3f} "
              f"| {per_call_ms(band_blocks.rows_with_keys, blocks, query, repeat=args.repeat):.3f} |")
    for index in args.index:
        real_lookups(index)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def real_lookups(index: Path) -> None:
    from licheck.analyze import analyze_file
    from licheck.inputs.files import read_bytes
    from licheck.scanner import targets_from_paths
    from licheck.sketch import MinHasher
    from licheck.store.opening import open_index

    targets = targets_from_paths([Path.home() / ".cache" / "licheck-peers" / "testset" / "queries"])
    with open_index(index) as db:
        hasher = MinHasher(db.params)
        keys = [unit.band_keys for target in targets
                for unit in analyze_file(target.display, read_bytes(target.path), hasher).units]
        units = db.counts()[1]
        start = time.process_time()
        hits = sum(len(db.lookup(k, bucket_cap=200)) for k in keys)
        spent = time.process_time() - start
    print(f"{index}: {units:,} units; {len(keys):,} lookups in {spent:.2f} s CPU ({spent / len(keys) * 1000:.2f} ms "
          f"each, SQLite included), {hits:,} candidate hits")


if __name__ == "__main__":
    main()
