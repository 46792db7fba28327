"""The scanner's own behaviour: parallel and serial scans agree; diff mode only reports added lines."""

from __future__ import annotations

from pathlib import Path

from licheck.scanner import PARALLEL_MIN_FILES, Scanner, ScanTarget
from licheck.store.index_db import IndexDB
from tests.core.helpers import build_index, function_source

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus" / "python"


def test_parallel_scan_reports_exactly_what_a_serial_scan_does(tmp_path: Path) -> None:
    index = build_index(tmp_path / "i.sqlite", (CORPUS, "kit", "GPL-3.0-only"))
    inventory = (CORPUS / "inventory.py").read_text()
    names = ["rebalance_stock", "seasonal_forecast", "pick_route", "group_by_supplier"]
    targets = [
        ScanTarget(display=f"f{i}.py", data=(f"# file {i}\n" * (i % 7) + function_source(inventory, names[i % 4])).encode())
        for i in range(PARALLEL_MIN_FILES + 4)
    ] + [ScanTarget(display="bad.py", data=b"\x00\x01" * 20)]
    with IndexDB.open_readonly(index) as db:
        serial = Scanner(db).scan(targets, jobs=1)
        parallel = Scanner(db).scan(targets, jobs=2)
    assert serial.findings == parallel.findings
    assert serial.skipped == parallel.skipped and len(serial.skipped) == 1
    assert serial.files_scanned == parallel.files_scanned == PARALLEL_MIN_FILES + 4
    assert all(f.striking for f in serial.findings) and len(serial.findings) == PARALLEL_MIN_FILES + 4


def test_in_diff_mode_only_added_lines_produce_findings(tmp_path: Path) -> None:
    index = build_index(tmp_path / "i.sqlite", (CORPUS, "kit", "GPL-3.0-only"))
    copied = function_source((CORPUS / "inventory.py").read_text(), "pick_route")
    own = "def mine(a, b):\n    total = a + b\n    return total * 2\n\n\n"
    text = own + copied
    copied_lines = frozenset(range(6, 6 + len(copied.splitlines())))
    with IndexDB.open_readonly(index) as db:
        scanner = Scanner(db)
        old_code = scanner.scan([ScanTarget("f.py", text.encode(), added_lines=frozenset({1, 2, 3}))])
        new_code = scanner.scan([ScanTarget("f.py", text.encode(), added_lines=copied_lines)])
    assert old_code.findings == []
    assert len(new_code.findings) == 1 and new_code.findings[0].start_line == 6


def test_the_shipped_minhash_coefficients_are_the_ones_the_seed_draws() -> None:
    import numpy as np

    from licheck.sketch import _SHIPPED, MinHasher, SketchParams, random_coefficients

    params = SketchParams()
    assert np.array_equal(np.load(_SHIPPED), np.concatenate(random_coefficients(params.seed, params.num_perm,
                                                                                params.bands)))
    hasher = MinHasher(params)
    drawn = random_coefficients(params.seed, params.num_perm, params.bands)
    assert all(np.array_equal(got, want) for got, want in zip((hasher._a, hasher._b, hasher._band_salt), drawn,
                                                               strict=True))
    other = MinHasher(SketchParams(seed=2))  # other parameters draw their own
    assert np.array_equal(other._a, random_coefficients(2, params.num_perm, params.bands)[0])
    assert not np.array_equal(other._a, hasher._a)
