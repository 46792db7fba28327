"""Property tests: consistent renaming and reformatting leave a unit's structural shingles unchanged."""

from __future__ import annotations

import keyword

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from licheck.analyze import analyze_file
from licheck.shingle import shingle_hashes
from licheck.sketch import MinHasher, SketchParams

HASHER = MinHasher(SketchParams())
TEMPLATE = """\
def {f}({a}, {b}, {c}=None):
{i}# {comment}
{i}{t} = []
{i}for {x} in {a}:
{i}{i}if {x} is None or {x} < {b}:{sp}
{i}{i}{i}continue
{i}{i}{t}.append(({x}, {b} * 2)){sp}
{i}if {c} is not None:
{i}{i}{t}.sort(key=lambda {y}: {y}[0], reverse={c})
{i}return {t}
"""
identifier = st.from_regex(r"[a-z_][a-z0-9_]{0,11}", fullmatch=True).filter(
    lambda s: not keyword.iskeyword(s) and s not in {"None", "lambda", "sort", "append", "key", "reverse"}
)


def structural_shingles(source: str) -> list[np.ndarray]:
    analysis = analyze_file("f.py", source.encode(), HASHER)
    out = []
    for unit in analysis.units:
        ids = analysis.structural[np.fromiter(unit.unit.indices(), dtype=np.int64)]
        out.append(shingle_hashes(ids, HASHER.params.shingle_k))
    return out


def render(names: list[str], indent: str, comment: str, trailing: str) -> str:
    f, a, b, c, t, x, y = names
    return TEMPLATE.format(f=f, a=a, b=b, c=c, t=t, x=x, y=y, i=indent, comment=comment, sp=trailing)


BASE = render(["collect", "items", "low", "order", "out", "item", "pair"], "    ", "keep the big ones", "")


@settings(max_examples=60, deadline=None)
@given(st.lists(identifier, min_size=7, max_size=7, unique=True))
def test_consistent_renaming_leaves_structural_shingles_unchanged(names: list[str]) -> None:
    renamed = render(names, "    ", "keep the big ones", "")
    expected, got = structural_shingles(BASE), structural_shingles(renamed)
    assert len(got) == len(expected) and all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["  ", "    ", "\t", "        "]), st.text(alphabet="abcdefgh ", max_size=40),
       st.sampled_from(["", "  ", "  # trailing note"]))
def test_reformatting_and_comments_leave_structural_shingles_unchanged(indent: str, comment: str, trailing: str) -> None:
    reformatted = render(["collect", "items", "low", "order", "out", "item", "pair"], indent, comment, trailing)
    expected, got = structural_shingles(BASE), structural_shingles(reformatted)
    assert len(got) == len(expected) and all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))


def test_a_changed_api_call_changes_the_shingles() -> None:
    # the property above must not hold vacuously: a real change to the code is seen
    changed = BASE.replace(".append(", ".extend(")
    assert not all(np.array_equal(a, b) for a, b in zip(structural_shingles(changed), structural_shingles(BASE), strict=True))


def test_batched_signatures_equal_one_at_a_time_whatever_the_set_sizes() -> None:
    rng = np.random.default_rng(7)
    sets = [np.unique(rng.integers(0, 2**63, size=n, dtype=np.uint64)) for n in (0, 1, 40, 5000, 9000, 20000, 8192, 300)]
    batched = HASHER.signatures(sets)
    for row, shingles in zip(batched, sets, strict=True):
        assert np.array_equal(row, HASHER.signature(shingles))
