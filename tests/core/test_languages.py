"""Every supported grammar yields units whose renamed copies are found; other text falls back to lexical tokens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from licheck.analyze import analyze_file
from licheck.lang.registry import language_for
from licheck.sketch import MinHasher, SketchParams
from tests.core.helpers import build_index, scan_text, striking

POLYGLOT = Path(__file__).resolve().parents[2] / "fixtures" / "corpus" / "polyglot"
# file → identifiers a copier might rename (locals and parameters only: APIs stay as they are)
RENAMES = {
    "sched.js": {"queue": "pending", "freeAt": "busyUntil", "plan": "result", "best": "pick", "start": "begin"},
    "sched.ts": {"elapsed": "delta", "refill": "added", "wait": "pause", "bucket": "b"},
    "panel.tsx": {"failing": "broken", "slowest": "worst_one", "summary": "text"},
    "Matrix.java": {"rows": "n", "result": "out", "sum": "acc", "row": "r"},
    "ring.c": {"used": "filled", "room": "space", "count": "n", "first": "chunk"},
    "histogram.cpp": {"histogram": "hist", "cumulative": "cdf", "running": "acc", "lowest": "lo", "output": "out"},
    "backoff.go": {"last": "lastErr", "delay": "wait", "attempt": "i", "permanent": "perm"},
    "words.rs": {"counts": "freq", "ranked": "sorted_words", "word": "w", "raw": "token"},
    "Invoice.cs": {"subtotal": "gross", "discount": "rebate", "taxed": "net", "line": "item"},
    "slugs.rb": {"base": "stem", "candidate": "slug", "counter": "n", "suffix": "tail"},
    "cart.php": {"merged": "result", "current": "have", "total": "sum"},
}
EXPECTED_LANGUAGE = {".js": "javascript", ".ts": "typescript", ".tsx": "tsx", ".java": "java", ".c": "c",
                     ".cpp": "cpp", ".go": "go", ".rs": "rust", ".cs": "csharp", ".rb": "ruby", ".php": "php"}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("poly") / "index.sqlite", (POLYGLOT, "polyglot-kit", "MPL-2.0"))


@pytest.mark.parametrize("name", sorted(RENAMES))
def test_each_language_finds_its_renamed_copy(index: Path, name: str) -> None:
    text = (POLYGLOT / name).read_text()
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, RENAMES[name])) + r")\b")
    renamed = pattern.sub(lambda m: RENAMES[name][m.group(1)], text)
    assert renamed != text
    found = striking(scan_text(index, "copy" + Path(name).suffix, renamed))
    assert found, f"no striking finding for a renamed copy of {name}"
    assert found[0].source.path == name
    assert found[0].source.license == "MPL-2.0" and found[0].source.license_category == "weak_copyleft"


@pytest.mark.parametrize("name", sorted(RENAMES))
def test_each_language_is_parsed_by_its_grammar(name: str) -> None:
    path = POLYGLOT / name
    spec = language_for(path)
    assert spec is not None and spec.name == EXPECTED_LANGUAGE[path.suffix]
    analysis = analyze_file(name, path.read_bytes(), MinHasher(SketchParams()))
    assert analysis.language == spec.name
    assert any(u.unit.kind == "function" for u in analysis.units)
    assert not analysis.parse_errors


def test_shebang_selects_the_grammar() -> None:
    assert language_for("tool", b"#!/usr/bin/env python3\nprint(1)\n").name == "python"
    assert language_for("tool", b"#!/usr/bin/node\n").name == "javascript"
    assert language_for("tool", b"#!/bin/sh\n") is None


def test_text_without_a_grammar_falls_back_to_lexical_windows() -> None:
    kotlin = "\n".join(f"fun step{i}(x: Int): Int {{ val y = x * {i} + offset; return y - {i} }}" for i in range(12))
    analysis = analyze_file("Steps.kt", kotlin.encode(), MinHasher(SketchParams()))
    assert analysis.language == "text"
    assert analysis.units and all(u.unit.kind == "window" for u in analysis.units)


def test_syntax_errors_still_yield_the_units_that_parse() -> None:
    broken = (POLYGLOT / "sched.js").read_text() + "\nfunction broken( {{{ \n"
    analysis = analyze_file("broken.js", broken.encode(), MinHasher(SketchParams()))
    assert analysis.parse_errors
    assert any(u.unit.name == "scheduleJobs" for u in analysis.units)
