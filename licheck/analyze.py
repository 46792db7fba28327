"""One file's bytes → everything index and scan need from it. A pure function of (bytes, path, parameters)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from licheck.lang.registry import language_for
from licheck.normalize import Comment, FileTokens, tokenize_lexically, tokenize_tree
from licheck.shingle import shingle_hashes, token_ids
from licheck.sketch import MinHasher, SketchParams
from licheck.units import Unit, extract_units


def digest64(data: bytes) -> int:
    """A signed-63-bit content digest (fits an SQLite INTEGER)."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little") >> 1


class UnreadableFile(Exception):
    """A file that is not text licheck can analyse; the message is the reason shown to users."""


@dataclass
class AnalyzedUnit:
    unit: Unit
    digest: int  # hash of the unit's structural tokens: identical code → identical digest
    band_keys: list[int]


@dataclass
class FileAnalysis:
    path: str
    language: str
    line_count: int
    structural: np.ndarray  # uint32 token ids
    lexical: np.ndarray  # uint32 token ids
    lines: np.ndarray  # uint32 line of each token
    comments: list[Comment]
    units: list[AnalyzedUnit]
    text_digest: int
    parse_errors: bool
    text: str = ""  # the decoded source, so the index can show the original lines


def decode_source(data: bytes, *, max_bytes: int) -> str:
    """The text of a file, or UnreadableFile with the reason it cannot be analysed."""
    if not data.strip():
        raise UnreadableFile("empty file")
    if len(data) > max_bytes:
        raise UnreadableFile(f"larger than the {max_bytes // 1024} KiB limit ({len(data) // 1024} KiB)")
    if b"\0" in data[:8192]:
        raise UnreadableFile("binary file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"not valid UTF-8 (byte {exc.start})") from None


def tokenize_source(path: str, data: bytes, text: str) -> FileTokens:
    spec = language_for(path, data[:256])
    if spec is None:
        return tokenize_lexically(text)
    return tokenize_tree(data, spec)


def analyze_file(path: str, data: bytes, hasher: MinHasher, *, max_bytes: int = 1_000_000) -> FileAnalysis:
    text = decode_source(data, max_bytes=max_bytes)
    tokens = tokenize_source(path, data, text)
    structural = token_ids(tokens.structural)
    params: SketchParams = hasher.params
    units = []
    extracted = extract_units(tokens)
    id_sets = [structural[np.fromiter(u.indices(), dtype=np.int64, count=u.token_count)] for u in extracted]
    shingle_sets = [shingle_hashes(ids, params.shingle_k) for ids in id_sets]
    keys = hasher.band_keys_many(hasher.signatures(shingle_sets))
    for unit, ids, unit_keys in zip(extracted, id_sets, keys, strict=True):
        units.append(AnalyzedUnit(unit, digest64(ids.tobytes()), unit_keys.tolist()))
    return FileAnalysis(
        path=path,
        language=tokens.language,
        line_count=tokens.line_count,
        structural=structural,
        lexical=token_ids(tokens.lexical),
        lines=np.asarray(tokens.lines, dtype=np.uint32),
        comments=tokens.comments,
        units=units,
        text_digest=digest64(data),
        parse_errors=tokens.parse_errors,
        text=text,
    )
