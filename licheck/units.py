"""Token streams + unit nodes → units: the spans of code that can be copied, each with its line span.

Functions and methods; class bodies without their methods; windows over top-level code; and windows over
long functions, so a snippet lifted out of a long function is not diluted by the rest of it.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from licheck.normalize import FileTokens, UnitNode

MIN_UNIT_TOKENS = 20
TOP_WINDOW_LINES, TOP_WINDOW_STRIDE = 30, 15
LONG_FUNCTION_LINES = 50
FUNCTION_WINDOW_LINES, FUNCTION_WINDOW_STRIDE = 25, 12


@dataclass(frozen=True)
class Unit:
    kind: str  # function | class | window
    name: str
    ranges: tuple[tuple[int, int], ...]  # half-open token index ranges into the file's streams
    start_line: int
    end_line: int

    @property
    def token_count(self) -> int:
        return sum(end - start for start, end in self.ranges)

    def indices(self) -> list[int]:
        return [i for start, end in self.ranges for i in range(start, end)]


def extract_units(tokens: FileTokens, *, min_tokens: int = MIN_UNIT_TOKENS) -> list[Unit]:
    starts = tokens.starts
    spans = [(node, bisect_left(starts, node.start_byte), bisect_left(starts, node.end_byte)) for node in tokens.nodes]
    units: list[Unit] = []
    functions = [(lo, hi) for node, lo, hi in spans if node.kind == "function"]
    for node, lo, hi in spans:
        if node.kind == "function":
            units.append(_unit("function", node, ((lo, hi),), tokens))
            if node.end_line - node.start_line + 1 > LONG_FUNCTION_LINES:
                units.extend(_windows(tokens, lo, hi, FUNCTION_WINDOW_LINES, FUNCTION_WINDOW_STRIDE, node.name))
        else:
            inner = [(a, b) for a, b in functions if lo <= a and b <= hi]
            units.append(_unit("class", node, _subtract((lo, hi), inner), tokens))
    outermost = _outermost([(lo, hi) for _, lo, hi in spans])
    for lo, hi in _subtract((0, len(starts)), outermost):
        units.extend(_windows(tokens, lo, hi, TOP_WINDOW_LINES, TOP_WINDOW_STRIDE, "<top-level>"))
    return [unit for unit in units if unit.token_count >= min_tokens]


def _unit(kind: str, node: UnitNode, ranges: tuple[tuple[int, int], ...], tokens: FileTokens) -> Unit:
    ranges = tuple(r for r in ranges if r[1] > r[0])
    if not ranges:
        return Unit(kind, node.name, (), node.start_line, node.end_line)
    return Unit(kind, node.name, ranges, node.start_line, node.end_line)


def _windows(tokens: FileTokens, lo: int, hi: int, size: int, stride: int, name: str) -> list[Unit]:
    """Windows of ``size`` lines every ``stride`` lines over tokens[lo:hi]; one window when it is short."""
    if hi <= lo:
        return []
    lines = tokens.lines
    first, last = lines[lo], lines[hi - 1]
    windows = []
    top = first
    while True:
        bottom = min(top + size - 1, last)
        a = bisect_left(lines, top, lo, hi)
        b = bisect_left(lines, bottom + 1, lo, hi)
        if b > a:
            windows.append(Unit("window", name, ((a, b),), lines[a], lines[b - 1]))
        if bottom >= last:
            return windows
        top += stride


def _outermost(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    result: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges, key=lambda r: (r[0], -r[1])):
        if result and lo < result[-1][1]:
            continue
        result.append((lo, hi))
    return result


def _subtract(span: tuple[int, int], holes: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    lo, hi = span
    pieces = []
    cursor = lo
    for a, b in _outermost(holes):
        if a > cursor:
            pieces.append((cursor, min(a, hi)))
        cursor = max(cursor, b)
    if cursor < hi:
        pieces.append((cursor, hi))
    return tuple(p for p in pieces if p[1] > p[0])
