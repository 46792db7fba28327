"""Code excerpts for the HTML report: the lines around a match, aligned blocks marked, highlighted by Pygments.

A finding's code is untrusted input. Lines reach the page either as plain strings (escaped by Jinja's
autoescaping) or as the markup Pygments' HtmlFormatter makes of them (it escapes every token's text); nothing
else is ever marked safe. Pygments is imported only when an excerpt is highlighted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from pathlib import PurePosixPath
from typing import Any

Block = tuple[int, int]  # first and last line (1-based, inclusive) of one aligned run, on one side


@dataclass(frozen=True)
class CodeLine:
    number: int
    code: Any  # str (escaped when rendered) or markupsafe.Markup made by Pygments
    block: int | None  # index of the aligned block holding this line (the same index on both sides)


@dataclass(frozen=True)
class Excerpt:
    lines: tuple[CodeLine, ...] = ()
    hidden_after: int = 0  # lines of the window left out by the per-side cap
    note: str = ""  # why code is missing or incomplete, in words

    @property
    def runs(self) -> list[tuple[int | None, list[CodeLine]]]:
        """Consecutive lines grouped by aligned block (None: not aligned), so a block is one element of the page."""
        return [(block, list(lines)) for block, lines in groupby(self.lines, key=lambda line: line.block)]


def excerpt_window(blocks: Sequence[Block], *, context: int, line_count: int) -> tuple[int, int]:
    """The lines to show: every block, with ``context`` lines around, inside the file."""
    first = min(start for start, _ in blocks) - context
    last = max(end for _, end in blocks) + context
    return max(1, first), min(line_count, last)


def block_of_line(blocks: Sequence[Block]) -> dict[int, int]:
    """Line → index of the first block covering it."""
    owner: dict[int, int] = {}
    for index, (start, end) in enumerate(blocks):
        for line in range(start, end + 1):
            owner.setdefault(line, index)
    return owner


class Highlighter:
    """Pygments HTML for lines of code, within a budget of lines (beyond it, lines stay plain text)."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.highlighted = 0

    def render(self, path: str, lines: list[str]) -> list[Any]:
        if not lines or self.highlighted + len(lines) > self.budget:
            return list(lines)
        marked = _highlight(path, lines)
        if marked is None:
            return list(lines)
        self.highlighted += len(lines)
        return marked


def make_excerpt(text_lines: list[str], blocks: Sequence[Block], *, path: str, context: int, max_lines: int,
                 max_chars: int, highlighter: Highlighter) -> Excerpt:
    """The window of ``text_lines`` around ``blocks``, capped at ``max_lines`` lines of ``max_chars`` each."""
    if not text_lines:
        return Excerpt(note="the file is empty")
    valid = [(s, e) for s, e in blocks if 1 <= s <= e]
    if not valid or valid[0][0] > len(text_lines):
        return Excerpt(note=f"lines {blocks[0][0]}-{blocks[0][1]} are past the end of the file "
                            f"({len(text_lines)} lines): it changed since the scan")
    first, last = excerpt_window(valid, context=context, line_count=len(text_lines))
    shown_last = min(last, first + max_lines - 1)
    raw = [_clip(line, max_chars) for line in text_lines[first - 1:shown_last]]
    owner = block_of_line(valid)
    codes = highlighter.render(path, raw)
    lines = tuple(CodeLine(first + i, code, owner.get(first + i)) for i, code in enumerate(codes))
    hidden = last - shown_last
    note = f"{hidden} more line(s) not shown (limit of {max_lines} per side)" if hidden else ""
    return Excerpt(lines, hidden, note)


def split_lines(data: bytes) -> list[str]:
    return data.decode("utf-8", "replace").splitlines()


def _clip(line: str, max_chars: int) -> str:
    return line if len(line) <= max_chars else line[:max_chars] + " …"


def _highlight(path: str, lines: list[str]) -> list[Any] | None:
    from markupsafe import Markup

    lexer = _lexer_for(PurePosixPath(path).suffix.lower() or PurePosixPath(path).name)
    formatter = _formatter()
    from pygments import format as pygments_format

    html = pygments_format(_coarse_tokens(lexer.get_tokens("\n".join(lines) + "\n")), formatter)
    out = html.split("\n")
    if out and out[-1] == "":
        out.pop()
    if len(out) != len(lines):  # a lexer that changed the line structure: show the lines plainly
        return None
    # Markup: the formatter escaped every token's text (&, <, >, ", '); class names come from Pygments
    return [Markup(line) for line in out]


def _coarse_tokens(tokens: Any) -> Any:
    """Only the token kinds a reader looks for get a colour; names, operators and spaces stay plain (smaller page)."""
    for kind, value in tokens:
        mapped = _KINDS.get(kind)
        if mapped is None:
            mapped = _KINDS[kind] = _coarse(kind)
        yield mapped, value


_KINDS: dict[Any, Any] = {}  # Pygments token type → the one shown (a cache: token types are few)


def _coarse(kind: Any) -> Any:
    from pygments.token import Comment, Keyword, Name, Number, String, Text

    kept = (Keyword, String, Comment, Number, Name.Function, Name.Class, Name.Builtin, Name.Decorator)
    return kind if any(kind in parent for parent in kept) else Text


@cache
def _lexer_for(suffix: str) -> Any:
    from pygments.lexers import TextLexer, get_lexer_for_filename
    from pygments.util import ClassNotFound

    options = {"stripnl": False, "stripall": False, "ensurenl": False}
    try:
        return get_lexer_for_filename(f"x{suffix}" if suffix.startswith(".") else suffix, **options)
    except ClassNotFound:
        return TextLexer(**options)


@cache
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


def highlight_css(scope: str) -> Any:
    """The colours of Pygments' default style, scoped to ``scope`` (CSS made by Pygments, safe to inline)."""
    from markupsafe import Markup
    from pygments.formatters import HtmlFormatter

    return Markup(HtmlFormatter(style="default").get_style_defs(scope))
