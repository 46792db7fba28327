"""Behavioural cases, named by intent: what must be found as a striking copy, and what must not."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.core.helpers import build_index, function_source, rename, scan_text, striking

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus" / "python"
INVENTORY = (CORPUS / "inventory.py").read_text()


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("idx") / "index.sqlite"
    return build_index(path, (CORPUS, "warehouse-kit", "GPL-3.0-only"))


def test_exact_copy_is_striking_with_source_lines_and_license(index: Path) -> None:
    copy = function_source(INVENTORY, "rebalance_stock")
    found = striking(scan_text(index, "copy.py", copy))
    assert len(found) == 1
    finding = found[0]
    assert finding.source.name == "warehouse-kit"
    assert finding.source.path == "inventory.py"
    assert finding.source.license == "GPL-3.0-only"
    assert finding.source.license_category == "strong_copyleft"
    original_start = INVENTORY.splitlines().index("def rebalance_stock(warehouses, demand, safety_margin=0.15):") + 1
    assert abs(finding.source.start_line - original_start) <= 1
    assert finding.start_line == 1 and finding.end_line >= 20
    assert finding.policy == "deny"


def test_renamed_identifiers_still_match(index: Path) -> None:
    copy = rename(function_source(INVENTORY, "seasonal_forecast"),
                  {"history": "series", "period": "cycle", "level": "base", "seasonals": "offsets",
                   "forecast": "fitted", "observed": "value", "slot": "k", "seasonal_forecast": "predict"})
    found = striking(scan_text(index, "renamed.py", copy))
    assert found and found[0].source.path == "inventory.py"
    assert found[0].similarity > 0.95


def test_reformatted_copy_without_comments_still_matches(index: Path) -> None:
    original = function_source(INVENTORY, "pick_route")
    reformatted = ast.unparse(ast.parse(original))  # new layout, comments gone
    assert "#" not in reformatted and reformatted != original
    found = striking(scan_text(index, "reformatted.py", reformatted))
    assert found and found[0].decided_by == "e-value"


def test_comment_kept_copy_is_decided_by_licoeval_criterion(index: Path) -> None:
    found = striking(scan_text(index, "copy.py", function_source(INVENTORY, "group_by_supplier")))
    assert found[0].decided_by == "licoeval"
    assert any("bucket purchase lines by supplier" in c for c in found[0].shared_comments)


def test_reordered_and_inserted_statements_still_match(index: Path) -> None:
    original = function_source(INVENTORY, "rebalance_stock")
    edited = original.replace("    surplus = {}\n    deficit = {}\n", "    deficit = {}\n    surplus = {}\n    audit_log = []\n")
    edited = edited.replace("            transfers.append((donor, needy, moved))\n",
                            "            transfers.append((donor, needy, moved))\n            audit_log.append(moved)\n")
    assert edited != original
    found = striking(scan_text(index, "edited.py", edited))
    assert found and found[0].source.path == "inventory.py"


def test_snippet_of_a_long_function_embedded_in_a_new_file_matches_with_its_lines(index: Path) -> None:
    snippet = function_source(INVENTORY, "pick_route")
    own_code = "\n".join(f"def helper_{i}(value):\n    return value * {i} + {i * 3}\n" for i in range(6))
    text = f"import os\n\n{own_code}\n\n{snippet}\n\n{own_code.replace('helper_', 'other_')}"
    found = striking(scan_text(index, "embedded.py", text))
    assert len(found) == 1
    snippet_start = text.splitlines().index(snippet.splitlines()[0]) + 1
    assert abs(found[0].start_line - snippet_start) <= 2
    assert abs(found[0].end_line - (snippet_start + len(snippet.splitlines()) - 1)) <= 2


def test_method_copied_out_of_a_class_matches(index: Path) -> None:
    ledger = (CORPUS / "ledger.py").read_text()
    body = ledger[ledger.index("    def trial_balance") : ledger.index("    def close_period")]
    text = "def balances_of(self, period=None):\n" + "\n".join(body.splitlines()[1:]) + "\n"
    found = striking(scan_text(index, "method.py", text))
    assert found and found[0].source.path == "ledger.py"


def test_unrelated_code_is_not_reported(index: Path) -> None:
    unrelated = '''
def parse_duration(text):
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    total = 0
    for amount, unit in re.findall(r"(\\d+)([smhd])", text):
        total += int(amount) * units[unit]
    if not total:
        raise ValueError(f"no duration in {text!r}")
    return total


class Cache:
    def __init__(self, size):
        self.size = size
        self.items = collections.OrderedDict()

    def get(self, key):
        value = self.items.pop(key)
        self.items[key] = value
        return value
'''
    assert scan_text(index, "unrelated.py", unrelated) == []


def test_getters_and_main_guard_are_below_the_size_floor(tmp_path: Path, fixtures_dir: Path) -> None:
    index = build_index(tmp_path / "g.sqlite", (fixtures_dir / "boilerplate", "scaffolds", "GPL-3.0-only"))
    text = (
        "class Pair:\n    def __init__(self, x, y):\n        self._x = x\n        self._y = y\n\n"
        "    @property\n    def x(self):\n        return self._x\n\n"
        "def main(argv=None):\n    args = parse_args(argv)\n    return 0\n\n"
        "if __name__ == '__main__':\n    sys.exit(main())\n"
    )
    assert striking(scan_text(index, "mine.py", text)) == []


def test_snippet_lifted_out_of_a_long_function_into_a_new_function_is_found(index: Path) -> None:
    reports = (CORPUS / "reports.py").read_text()
    lines = reports.splitlines()
    start = lines.index("    # aggregate net revenue, order counts and basket sizes per region")
    end = lines.index("    # rank regions and compute month-over-month style indicators")
    snippet = "\n".join(lines[start:end])  # 17 lines out of a 60-line function
    text = (
        "def summarize(orders, refunded, regions, month):\n"
        "    started = time.monotonic()\n"
        "    log.info('summarizing %d orders', len(orders))\n"
        f"{snippet}\n"
        "    elapsed = time.monotonic() - started\n"
        "    return per_region, unknown_region, elapsed\n"
    )
    found = striking(scan_text(index, "partial.py", text))
    assert found and found[0].source.path == "reports.py"
    assert abs(found[0].start_line - 4) <= 2 and abs(found[0].end_line - (3 + end - start)) <= 2
    source_start = start + 1
    assert abs(found[0].source.start_line - source_start) <= 2
