"""A small SPDX license-expression parser: ``A AND (B OR C WITH E)`` -> a tree of frozen nodes.

We parse ourselves (instead of building license-expression's Licensing object, which loads the
whole ScanCode index) so that category lookups stay cheap at start-up. Ids are checked against the
generated id table; ``tests/licenses`` cross-checks the rendering against license-expression.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from licheck.licenses.ids import canonical_exception_id, canonical_license_id

SPECIAL = ("NOASSERTION", "NONE")
_TOKEN = re.compile(r"\(|\)|[^\s()]+")


@dataclass(frozen=True)
class License:
    id: str  # current SPDX id, LicenseRef-*, NOASSERTION or NONE
    or_later: bool = False  # the SPDX "+" operator on an id that has no "-or-later" form


@dataclass(frozen=True)
class WithException:
    license: License
    exception: str


@dataclass(frozen=True)
class Compound:
    operator: str  # "AND" or "OR"
    args: tuple[Node, ...]


Node = License | WithException | Compound


class ExpressionError(ValueError):
    """Not an SPDX expression made of known ids."""


def parse_expression(text: str) -> Node:
    """Parse an SPDX expression (operators and ids case-insensitive); raise ExpressionError if invalid."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        raise ExpressionError("empty expression")
    if len(tokens) == 1 and tokens[0].upper() in SPECIAL:
        return License(tokens[0].upper())
    parser = _Parser(tokens)
    node = parser.parse_or()
    if parser.pos != len(tokens):
        raise ExpressionError(f"unexpected {tokens[parser.pos]!r}")
    return node


def render_expression(node: Node) -> str:
    """Canonical text; nested compounds are parenthesized like license-expression does."""
    if isinstance(node, License):
        return node.id + ("+" if node.or_later else "")
    if isinstance(node, WithException):
        return f"{render_expression(node.license)} WITH {node.exception}"
    parts = [
        f"({render_expression(a)})" if isinstance(a, Compound) else render_expression(a) for a in node.args
    ]
    return f" {node.operator} ".join(parts)


def combine_expressions(expressions: list[str], operator: str) -> str:
    """Join expressions with AND/OR, dropping duplicates and NOASSERTION parts."""
    unique = list(dict.fromkeys(e for e in expressions if e and e not in SPECIAL))
    if not unique:
        return "NOASSERTION"
    if len(unique) == 1:
        return unique[0]
    return render_expression(Compound(operator, tuple(parse_expression(e) for e in unique)))


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _next(self) -> str:
        token = self._peek()
        if token is None:
            raise ExpressionError("expression ends too early")
        self.pos += 1
        return token

    def _compound(self, operator: str, parse_sub: Callable[[], Node]) -> Node:
        args = [parse_sub()]
        while (token := self._peek()) is not None and token.upper() == operator:
            self.pos += 1
            args.append(parse_sub())
        flat: list[Node] = []
        for arg in args:
            same = isinstance(arg, Compound) and arg.operator == operator
            flat.extend(arg.args if same and isinstance(arg, Compound) else (arg,))
        return flat[0] if len(flat) == 1 else Compound(operator, tuple(flat))

    def parse_or(self) -> Node:
        return self._compound("OR", self.parse_and)

    def parse_and(self) -> Node:
        return self._compound("AND", self.parse_with)

    def parse_with(self) -> Node:
        atom = self.parse_atom()
        token = self._peek()
        if token is None or token.upper() != "WITH":
            return atom
        self.pos += 1
        if not isinstance(atom, License):
            raise ExpressionError("WITH must follow a single license id")
        name = self._next()
        exception = canonical_exception_id(name)
        if exception is None:
            raise ExpressionError(f"unknown license exception {name!r}")
        return WithException(atom, exception)

    def parse_atom(self) -> Node:
        token = self._next()
        if token == "(":
            node = self.parse_or()
            if self._next() != ")":
                raise ExpressionError("missing ')'")
            return node
        if token == ")" or token.upper() in ("AND", "OR", "WITH") or token.upper() in SPECIAL:
            raise ExpressionError(f"unexpected {token!r}")
        return _license_of(token)


def _license_of(token: str) -> License:
    known = canonical_license_id(token)
    if known:
        return License(known)
    if token.endswith("+"):
        base = canonical_license_id(token[:-1])
        if base:
            return License(base, or_later=True)
    raise ExpressionError(f"unknown license id {token!r}")
