"""A file's bytes → its token streams (structural, lexical), comment evidence, and the nodes units come from.

Structural tokens are tree-sitter leaves with local identifiers abstracted to ``ID``, numbers to ``NUM`` (except
0 and 1), strings to ``STR``; names of called functions, attributes, fields and types are kept, lower-cased,
because they tell real copies from independently written code of the same shape. Comments, docstrings and
imports are dropped from the streams; comments are kept aside as evidence of copying.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np

from licheck.lang.registry import (
    COMMENT_KINDS,
    IDENTIFIER_KINDS,
    IMPORT_KINDS,
    KEPT_FIELDS,
    KEPT_IDENTIFIER_KINDS,
    LANGUAGES,
    NUMBER_KINDS,
    STRING_KINDS,
    LanguageSpec,
    parser_for,
)

NORMALIZER_VERSION = "2"
_MAX_LEXICAL_TOKEN = 64


@dataclass(frozen=True)
class Comment:
    line: int  # 1-based
    text: str  # normalized: lower-case words
    digest: int  # 63-bit hash of text


@dataclass(frozen=True)
class UnitNode:
    """A syntax node that may become a unit (function or class), by byte and line span."""

    kind: str  # "function" | "class"
    name: str
    start_byte: int
    end_byte: int
    start_line: int
    end_line: int


@dataclass
class FileTokens:
    language: str
    structural: list[str]
    lexical: list[str]
    lines: list[int]  # 1-based line of each token
    starts: list[int]  # byte offset of each token
    comments: list[Comment]
    nodes: list[UnitNode]
    line_count: int
    parse_errors: bool = False


_COMMENT_MARKERS = re.compile(r"^\s*(?:#+!?|//+!?|/\*+!?|\*+/?|--+|;+|'''|\"\"\"|<!--)|(?:\*/|-->|'''|\"\"\")\s*$")
_WORD = re.compile(r"[a-z0-9_']+")
_TRIVIAL_COMMENT = re.compile(r"\b(?:license|licence|copyright|spdx|todo|fixme|xxx|noqa|pylint|type: ?ignore|eslint|"
                              r"nolint|pragma|istanbul|prettier-ignore|fmt: ?(?:on|off))\b")
MIN_COMMENT_WORDS = 4


def stable_hash(text: str) -> int:
    """A 63-bit hash that is the same in every process and on every platform."""
    data = text.encode("utf-8", "surrogatepass")
    return (zlib.crc32(data) << 31 | zlib.adler32(data) >> 1) & 0x7FFFFFFFFFFFFFFF


def normalize_comment(raw: str, line: int) -> list[Comment]:
    """Comment lines of at least four words, license headers and tool pragmas dropped."""
    found = []
    for offset, text_line in enumerate(raw.splitlines()):
        stripped = _COMMENT_MARKERS.sub("", text_line).strip().lower()
        words = _WORD.findall(stripped)
        if len(words) < MIN_COMMENT_WORDS or _TRIVIAL_COMMENT.search(stripped):
            continue
        text = " ".join(words)
        found.append(Comment(line + offset, text, stable_hash(text)))
    return found


_PLAIN, _SPECIAL, _UNIT = 0, 1, 2


@cache
def _kind_table(name: str) -> tuple[list[str], bytes]:
    """Per grammar: each node kind id's name, and whether the walk treats it specially (ints beat strings)."""
    spec = LANGUAGES[name]
    language = parser_for(name).language
    names, flags = [], bytearray()
    for kind_id in range(language.node_kind_count):
        kind = language.node_kind_for_id(kind_id) or ""
        names.append(kind)
        named = language.node_kind_is_named(kind_id)
        special = named and (kind in STRING_KINDS or kind in NUMBER_KINDS or kind in COMMENT_KINDS
                             or kind in IMPORT_KINDS or (spec.docstrings and kind == "expression_statement"))
        unit = named and (kind in spec.function_kinds or kind in spec.class_kinds)
        flags.append(_SPECIAL if special else _UNIT if unit else _PLAIN)
    return names, bytes(flags)


def tokenize_tree(source: bytes, spec: LanguageSpec) -> FileTokens:
    """Walk a tree-sitter parse of ``source`` once, collecting tokens, comments and unit nodes."""
    tree = parser_for(spec.name).parse(source)
    names, flags = _kind_table(spec.name)
    structural: list[str] = []
    lexical: list[str] = []
    starts: list[int] = []
    comments: list[Comment] = []
    nodes: list[UnitNode] = []
    function_kinds = spec.function_kinds
    cursor = tree.walk()
    add_struct, add_lex, add_start = structural.append, lexical.append, starts.append
    kind_count = len(flags)
    while True:
        node = cursor.node
        kind_id = node.kind_id
        flag = flags[kind_id] if kind_id < kind_count else _PLAIN
        if flag == _SPECIAL:
            kind = names[kind_id]
            if kind in COMMENT_KINDS or (kind == "expression_statement" and _is_docstring(node)):
                comments.extend(normalize_comment(_text(source, node), node.start_point[0] + 1))
            elif kind == "expression_statement":
                if cursor.goto_first_child():
                    continue
            elif kind not in IMPORT_KINDS:
                _add_leaf(cursor, node, kind, source, add_struct, add_lex)
                add_start(node.start_byte)
        else:
            if flag == _UNIT:
                kind = names[kind_id]
                nodes.append(_unit_node(node, "function" if kind in function_kinds else "class", source))
            if cursor.goto_first_child():
                continue
            start, end = node.start_byte, node.end_byte
            if end > start:  # a leaf: keywords, operators and punctuation are their own kind
                kind = names[kind_id] if kind_id < kind_count else node.type
                if node.is_named:
                    _add_leaf(cursor, node, kind, source, add_struct, add_lex)
                else:
                    add_lex(kind)
                    add_struct(kind)
                add_start(start)
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                newlines = np.flatnonzero(np.frombuffer(source, dtype=np.uint8) == 10)
                lines = (np.searchsorted(newlines, np.asarray(starts, dtype=np.int64), side="right") + 1).tolist()
                line_count = len(newlines) + (0 if source.endswith(b"\n") else 1)
                return FileTokens(spec.name, structural, lexical, lines, starts, comments, nodes,
                                  line_count, tree.root_node.has_error)


def _text(source: bytes, node: object) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")  # type: ignore[attr-defined]


def _is_docstring(node: object) -> bool:
    return node.named_child_count == 1 and node.named_children[0].type in ("string", "concatenated_string")  # type: ignore[attr-defined]


def _add_leaf(cursor: object, node: object, kind: str, source: bytes, add_struct: object, add_lex: object) -> None:
    text = source[node.start_byte : node.end_byte].decode("utf-8", "replace")  # type: ignore[attr-defined]
    add_lex(text[:_MAX_LEXICAL_TOKEN])  # type: ignore[operator]
    add_struct(_structural_token(cursor, node, kind, text))  # type: ignore[operator]


def _structural_token(cursor: object, node: object, kind: str, text: str) -> str:
    if kind in STRING_KINDS:
        return "STR"
    if kind in NUMBER_KINDS:
        return text if text in ("0", "1") else "NUM"
    if kind in KEPT_IDENTIFIER_KINDS:
        return text.lower()
    if kind in IDENTIFIER_KINDS:
        return text.lower() if _names_an_api(cursor, node) else "ID"
    return text


def _names_an_api(cursor: object, node: object) -> bool:
    """Called functions, attributes and keyword-argument names are kept; locals are not."""
    field = cursor.field_name  # type: ignore[attr-defined]
    if field in KEPT_FIELDS:
        return True
    if field in ("function", "name"):
        parent = node.parent.type  # type: ignore[attr-defined]
        return "call" in parent or "invocation" in parent or parent in ("keyword_argument", "member_access_expression")
    return False


def _unit_node(node: object, kind: str, source: bytes) -> UnitNode:
    name_node = node.child_by_field_name("name")  # type: ignore[attr-defined]
    name = _text(source, name_node) if name_node is not None else ""
    return UnitNode(kind, name[:80], node.start_byte, node.end_byte,  # type: ignore[attr-defined]
                    node.start_point[0] + 1, node.end_point[0] + 1)  # type: ignore[attr-defined]


_LEXICAL_TOKEN = re.compile(r"""[A-Za-z_$][\w$]*|\d[\w.]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|[^\s\w]""")
_LINE_COMMENT = re.compile(r"^\s*(#|//|--|;|%)")


def tokenize_lexically(text: str) -> FileTokens:
    """Fallback for text without a grammar: raw tokens, identifiers kept (lower-cased), literals abstracted."""
    structural: list[str] = []
    lexical: list[str] = []
    lines: list[int] = []
    starts: list[int] = []
    comments: list[Comment] = []
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if _LINE_COMMENT.match(line):
            comments.extend(normalize_comment(line, number))
        else:
            for match in _LEXICAL_TOKEN.finditer(line):
                token = match.group()
                first = token[0]
                structural.append("STR" if first in "\"'" else ("NUM" if first.isdigit() else token.lower()))
                lexical.append(token[:_MAX_LEXICAL_TOKEN])
                lines.append(number)
                starts.append(offset + match.start())
        offset += len(line.encode("utf-8"))
    return FileTokens("text", structural, lexical, lines, starts, comments, [], text.count("\n") + 1)
