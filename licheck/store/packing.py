"""An analysed file in the shape the index stores it: blobs and rows, built in the worker that analysed it.

Packing in the worker keeps the writing process (the one SQLite connection) doing only inserts: no
compression, no per-unit Python objects to unpickle.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from licheck.analyze import FileAnalysis

CONTENT_ENCODING = "tokens-delta-lines-zlib6-v1"  # recorded in the index stamp; another one is refused
UnitRowData = tuple[str, str, int, int, bytes, int, int]  # kind, name, start_line, end_line, ranges, tokens, digest


@dataclass(frozen=True)
class PackedFile:
    path: str
    text_digest: int
    language: str
    line_count: int
    tokens: bytes  # pack_tokens: zlib of the (structural, lexical, line deltas) uint32 rows
    comments: bytes  # int64 comment digests
    units: list[UnitRowData]
    band_keys: np.ndarray  # (units × bands) int64
    text: bytes = b""  # zlib of the UTF-8 source text; empty when the analysis carried none


def pack_file(analysis: FileAnalysis) -> PackedFile:
    units = [
        (au.unit.kind, au.unit.name, au.unit.start_line, au.unit.end_line,
         np.asarray(au.unit.ranges, dtype="<u4").tobytes(), au.unit.token_count, au.digest)
        for au in analysis.units
    ]
    keys = np.array([au.band_keys for au in analysis.units], dtype=np.int64)
    if not units:
        keys = np.empty((0, 0), dtype=np.int64)
    return PackedFile(
        path=analysis.path, text_digest=analysis.text_digest, language=analysis.language,
        line_count=analysis.line_count, tokens=pack_tokens(analysis.structural, analysis.lexical, analysis.lines),
        comments=np.array([c.digest for c in analysis.comments], dtype="<i8").tobytes(), units=units, band_keys=keys,
        text=pack_text(analysis.text),
    )


def pack_tokens(structural: np.ndarray, lexical: np.ndarray, lines: np.ndarray) -> bytes:
    """Token streams as stored: line numbers as deltas (mostly 0 and 1: 28 % smaller than raw, measured on
    the peers' corpus with benchmarks/index_size.py), zlib level 6 (level 9 is 4x slower for 2 % more)."""
    deltas = np.diff(np.asarray(lines, dtype=np.int64), prepend=0)
    rows = np.stack([np.asarray(structural), np.asarray(lexical), deltas]).astype("<u4")
    return zlib.compress(rows.tobytes(), 6)


def unpack_tokens(blob: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = np.frombuffer(zlib.decompress(blob), dtype="<u4").reshape(3, -1)
    return rows[0], rows[1], np.cumsum(rows[2], dtype=np.int64).astype(np.uint32)


def pack_text(text: str) -> bytes:
    """Source text as stored: zlib at its best level (text is read rarely and kept for good)."""
    return zlib.compress(text.encode("utf-8"), 9) if text else b""


def unpack_text(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")
