"""The victim's vocabulary: a digest of the tokenizer, and token strings/bytes -> ids."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from licheck.errors import InputError


def _byte_alphabet() -> dict[str, int]:
    """The byte-level BPE alphabet: printable Latin-1 bytes stand for themselves, the others are shifted."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    chars = {b: chr(b) for b in printable}
    shift = 0
    for b in range(256):
        if b not in chars:
            chars[b] = chr(256 + shift)
            shift += 1
    return {c: b for b, c in chars.items()}


_BYTE_OF_CHAR = _byte_alphabet()


@dataclass(frozen=True)
class Vocabulary:
    """Token strings in id order (`tokens[i]` is id i) and the tokenizer digest."""

    tokens: tuple[str, ...]
    digest: str
    byte_level: bool

    @property
    def size(self) -> int:
        return len(self.tokens)


@dataclass(frozen=True)
class TokenMap:
    """Lookup tables from what APIs return (raw token, decoded text, byte list) to ids."""

    by_raw: dict[str, int]
    by_text: dict[str, int]
    by_bytes: dict[bytes, int]

    def lookup(self, token: str | None, raw_bytes: list[int] | None = None) -> int | None:
        if raw_bytes is not None:
            found = self.by_bytes.get(bytes(raw_bytes))
            if found is not None:
                return found
        if token is None:
            return None
        if token.startswith("bytes:"):  # OpenAI's spelling of tokens that are not valid UTF-8
            raw = _parse_escaped_bytes(token[6:])
            if raw is not None and raw in self.by_bytes:
                return self.by_bytes[raw]
        if token in self.by_text:
            return self.by_text[token]
        return self.by_raw.get(token)


def load_vocabulary(model_dir: Path) -> Vocabulary:
    """Read tokenizer.json (no code is run) and digest its model section."""
    path = model_dir / "tokenizer.json"
    if not path.is_file():
        raise InputError(f"{model_dir}: no tokenizer.json", hint="fingerprints need a fast tokenizer file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        vocab = data["model"]["vocab"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: malformed tokenizer.json ({exc})") from exc
    added = {item["content"]: int(item["id"]) for item in data.get("added_tokens", []) if "content" in item}
    table = {**{str(k): int(v) for k, v in vocab.items()}, **added}
    size = max(table.values()) + 1
    tokens = [""] * size
    for token, idx in table.items():
        tokens[idx] = token
    canonical = json.dumps({"model": data["model"], "added": sorted(added.items())}, sort_keys=True)
    byte_level = "ByteLevel" in json.dumps(data.get("pre_tokenizer")) or "ByteLevel" in json.dumps(data.get("decoder"))
    return Vocabulary(tokens=tuple(tokens), digest="sha256:" + hashlib.sha256(canonical.encode()).hexdigest(),
                      byte_level=byte_level)


def token_bytes(token: str, *, byte_level: bool) -> bytes | None:
    """The bytes a vocabulary entry stands for (None when it is not a byte-level string)."""
    if not byte_level:
        return token.replace("\u2581", " ").encode("utf-8")
    try:
        return bytes(_BYTE_OF_CHAR[c] for c in token)
    except KeyError:
        return None


def build_token_map(vocab: Vocabulary) -> TokenMap:
    by_raw = {tok: i for i, tok in enumerate(vocab.tokens)}
    by_bytes: dict[bytes, int] = {}
    by_text: dict[str, int] = {}
    for i, tok in enumerate(vocab.tokens):
        raw = token_bytes(tok, byte_level=vocab.byte_level)
        if raw is None:
            continue
        by_bytes.setdefault(raw, i)
        try:
            by_text.setdefault(raw.decode("utf-8"), i)
        except UnicodeDecodeError:
            continue
    return TokenMap(by_raw=by_raw, by_text=by_text, by_bytes=by_bytes)


def _parse_escaped_bytes(text: str) -> bytes | None:
    r"""`\xe2\x80` -> b'\xe2\x80'; None when the text is not only \xNN escapes."""
    parts = text.split("\\x")
    if parts[0] != "" or len(parts) < 2:
        return None
    try:
        return bytes(int(p, 16) for p in parts[1:] if len(p) == 2) if all(len(p) == 2 for p in parts[1:]) else None
    except ValueError:
        return None
