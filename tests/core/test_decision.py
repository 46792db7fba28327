"""How a match is decided, by intent: lineages not source counts, significance against the index, every holder."""

from __future__ import annotations

from pathlib import Path

import pytest

from licheck.decide.holders import Holder, origin_of
from licheck.indexer import SourceSpec, add_source
from licheck.store.index_db import IndexDB
from tests.core.generated import task_program, write_task_projects
from tests.core.helpers import build_index, function_source, rename, scan_text, striking

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus" / "python"
INVENTORY = (CORPUS / "inventory.py").read_text()
VENDORS = [("shipit", "MIT"), ("crateflow", "Apache-2.0"), ("palletize", "MIT"), ("stockroom", "BSD-3-Clause")]
RENAMES = {"warehouses": "depots", "demand": "orders", "safety_margin": "buffer", "rebalance_stock": "level_out"}


def _edited_copy() -> str:
    """rebalance_stock, renamed, one statement changed: what a model that memorised it emits."""
    copy = rename(function_source(INVENTORY, "rebalance_stock"), RENAMES)
    return copy.replace("return", "result = None\n    return", 1)


@pytest.fixture(scope="module")
def vendored_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """warehouse-kit upstream, vendored into four other projects' _vendor/ trees, plus independent authors."""
    root = tmp_path_factory.mktemp("vendored")
    sources = [(CORPUS, "warehouse-kit", "GPL-3.0-only")]
    for name, license_ in VENDORS:
        folder = root / name
        vendored = folder / name / "_vendor" / "warehouse_kit"
        vendored.mkdir(parents=True)
        (vendored / "inventory.py").write_text(INVENTORY)
        (folder / name / "app.py").write_text(task_program(hash(name) % 1000 + 5000))
        sources.append((folder, name, license_))
    sources += write_task_projects(root / "authors", range(60))
    return build_index(root / "index.sqlite", *sources)


def test_widely_vendored_function_is_striking_against_every_holder(vendored_index: Path) -> None:
    found = striking(scan_text(vendored_index, "generated.py", _edited_copy()))
    assert len(found) == 1
    finding = found[0]
    assert finding.decided_by == "e-value" and finding.evidence["e_value"] <= 1e-2
    assert {h.name for h in finding.holders} == {"warehouse-kit", *(name for name, _ in VENDORS)}
    assert finding.source.source_count == 5
    # the policy decides on the most restrictive holder: the GPL upstream
    assert finding.policy == "deny"


def test_origin_is_the_upstream_not_the_vendored_copy(vendored_index: Path) -> None:
    finding = striking(scan_text(vendored_index, "generated.py", _edited_copy()))[0]
    assert (finding.source.name, finding.source.path) == ("warehouse-kit", "inventory.py")
    assert finding.origin_rule in ("not vendored", "package name") and not finding.origin_ambiguous
    assert finding.holders[0].name == "warehouse-kit"
    assert all("/_vendor/" in h.path for h in finding.holders[1:])


def test_ambiguous_origin_is_said_plainly() -> None:
    def holder(name: str, path: str) -> Holder:
        return Holder(name, "1.0", path, 1, 9, "MIT", "permissive", "", "", 1, 1)

    origin = origin_of([holder("alpha", "src/util.py"), holder("beta", "lib/util.py")])
    assert origin.ambiguous and origin.holder.name == "alpha"
    named = origin_of([holder("alpha", "alpha/util.py"), holder("beta", "beta/_vendor/alpha/util.py")])
    assert not named.ambiguous and named.holder.name == "alpha"


def test_task_dictated_short_program_is_not_striking(tmp_path: Path) -> None:
    index = build_index(tmp_path / "authors.sqlite", *write_task_projects(tmp_path / "authors", range(80)))
    flagged = [seed for seed in range(1000, 1030) if striking(scan_text(index, "solution.py", task_program(seed)))]
    # an author whose every choice and most names repeat an indexed one is a genuine near-duplicate; rare
    assert len(flagged) <= 1, flagged


def test_e_value_grows_with_the_index(tmp_path: Path) -> None:
    index = build_index(tmp_path / "i.sqlite", (CORPUS, "warehouse-kit", "GPL-3.0-only"),
                        *write_task_projects(tmp_path / "authors", range(60)))
    before = striking(scan_text(index, "generated.py", _edited_copy()))[0].evidence
    with IndexDB.open_for_write(index) as db:  # a few more unrelated sources: the same match is less surprising
        for project in write_task_projects(tmp_path / "more", range(100, 110)):
            add_source(db, SourceSpec(project[0], name=project[1], version="1.0", license="MIT"), jobs=1)
    after = striking(scan_text(index, "generated.py", _edited_copy()))[0].evidence
    assert after["bits"] == before["bits"]
    assert after["e_value"] > before["e_value"]


def test_index_without_derived_statistics_asks_for_a_refresh(tmp_path: Path) -> None:
    from licheck.errors import IndexFileError
    from licheck.scanner import Scanner

    index = build_index(tmp_path / "i.sqlite", (CORPUS, "warehouse-kit", "GPL-3.0-only"))
    with IndexDB.open_for_write(index) as db, db.transaction():
        db.db.execute("DELETE FROM statistics WHERE name = 'null'")
        db.put_statistic("stale", b"0")  # as an index written by a licheck that derived nothing
    with IndexDB.open_readonly(index) as db, pytest.raises(IndexFileError, match="licheck index refresh"):
        Scanner(db)


def test_json_report_carries_holders_origin_evidence_and_alignment(vendored_index: Path) -> None:
    from licheck.report.json_report import finding_to_dict

    data = finding_to_dict(striking(scan_text(vendored_index, "generated.py", _edited_copy()))[0])
    assert data["origin"] == {"name": "warehouse-kit", "version": "1.0", "path": "inventory.py",
                              "rule": data["origin"]["rule"], "ambiguous": False}
    assert len(data["holders"]) == 5 and len({h["lineage"] for h in data["holders"]}) == 1
    assert data["evidence"]["bits"] > 0 and 0 < data["evidence"]["e_value"] <= 1e-2
    assert data["source"]["sources_holding"] == 5
    for q_lo, q_hi, s_lo, s_hi in data["alignment"]:
        assert data["start_line"] <= q_lo <= q_hi <= data["end_line"] and s_lo <= s_hi


def test_stricter_e_value_level_from_the_config_makes_the_same_match_not_striking(vendored_index: Path,
                                                                                   tmp_path: Path) -> None:
    from licheck.config import load_settings

    config = tmp_path / ".licheck.toml"
    config.write_text("[tool.licheck.thresholds]\nmax-e-value = 1e-300\n")
    assert load_settings(config_path=config).max_e_value == 1e-300
    from dataclasses import replace

    from licheck.decide.rules import Thresholds
    from licheck.scanner import Scanner, ScanSettings, ScanTarget

    settings = ScanSettings(thresholds=replace(Thresholds(), max_e_value=1e-300))
    with IndexDB.open_readonly(vendored_index) as db:
        report = Scanner(db, settings).scan([ScanTarget(display="g.py", data=_edited_copy().encode())])
    assert report.findings and not any(f.striking for f in report.findings)


@pytest.mark.parametrize("body", ["[tool.licheck.thresholds]\nmax-e-value = 0\n",
                                  "[tool.licheck]\nlicense-basis = \"loudest\"\n"])
def test_invalid_decision_settings_are_refused(tmp_path: Path, body: str) -> None:
    from licheck.config import load_settings
    from licheck.errors import ConfigError

    config = tmp_path / ".licheck.toml"
    config.write_text(body)
    with pytest.raises(ConfigError):
        load_settings(config_path=config)


CATALOGUE = 'def parse_record(line, separator=";"):\n    fields = [part.strip() for part in line.split(separator)]\n    if len(fields) < 4:\n        raise ValueError(f"short record: {line!r}")\n    sku, name, quantity, price = fields[:4]\n    quantity = int(quantity)\n    price = round(float(price.replace(",", ".")), 2)\n    if quantity < 0 or price < 0:\n        raise ValueError(f"negative amount in {sku}")\n    return {"sku": sku.upper(), "name": name.title(), "quantity": quantity, "price": price}\n\n\ndef load_catalogue(path, separator=";"):\n    catalogue = {}\n    with open(path, encoding="utf-8") as handle:\n        for number, line in enumerate(handle, start=1):\n            if not line.strip() or line.startswith("#"):\n                continue\n            record = parse_record(line, separator)\n            if record["sku"] in catalogue:\n                catalogue[record["sku"]]["quantity"] += record["quantity"]\n            else:\n                catalogue[record["sku"]] = record\n    return catalogue\n'
INLINED = 'def read_items(filename, sep=";"):\n    items = {}\n    with open(filename, encoding="utf-8") as stream:\n        for index, row in enumerate(stream, start=1):\n            if not row.strip() or row.startswith("#"):\n                continue\n            cells = [part.strip() for part in row.split(sep)]\n            if len(cells) < 4:\n                raise ValueError(f"short record: {row!r}")\n            code, title, amount, cost = cells[:4]\n            amount = int(amount)\n            cost = round(float(cost.replace(",", ".")), 2)\n            if amount < 0 or cost < 0:\n                raise ValueError(f"negative amount in {code}")\n            entry = {"sku": code.upper(), "name": title.title(), "quantity": amount, "price": cost}\n            if entry["sku"] in items:\n                items[entry["sku"]]["quantity"] += entry["quantity"]\n            else:\n                items[entry["sku"]] = entry\n    return items\n'


def test_inlined_helper_matches_the_run_of_both_source_functions(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "catalogue.py").write_text(CATALOGUE)
    index = build_index(tmp_path / "i.sqlite", (tmp_path / "src", "catalogue", "GPL-3.0-only"), (CORPUS, "kit", "MIT"))
    found = striking(scan_text(index, "inlined.py", INLINED))
    assert len(found) == 1
    # one finding spanning the helper and its caller, not just the helper
    assert found[0].source.start_line <= 2 and found[0].source.end_line >= 20


def test_index_info_shows_the_null_and_refresh_refits_it(vendored_index: Path, tmp_path: Path) -> None:
    import json
    import shutil

    from click.testing import CliRunner

    from licheck.cli import cli

    index = tmp_path / "copy.sqlite"
    shutil.copy(vendored_index, index)
    runner = CliRunner()
    info = json.loads(runner.invoke(cli, ["index", "info", "--index", str(index), "--format", "json"]).output)
    stats = info["statistics"]
    assert stats["lineages"] >= 60 and not stats["stale"]
    fits = stats["null"]["strata"]
    assert fits["*/*"]["n"] >= 40 and fits["*/*"]["lam"] > 0
    refreshed = runner.invoke(cli, ["index", "refresh", "--index", str(index), "--refit"])
    assert refreshed.exit_code == 0, refreshed.output
    assert "lineages; null refitted" in refreshed.output
    table = runner.invoke(cli, ["index", "info", "--index", str(index)])
    assert "null fitted at" in table.output and "python/" in table.output


def _literal_table(name: str, words: list[str]) -> str:
    pairs = ",\n".join(f'    ("{a}", "{b}")' for a, b in zip(words, reversed(words), strict=True))
    return f"{name} = [\n{pairs},\n]\n"


def test_table_of_literals_matching_another_projects_table_is_not_striking(tmp_path: Path) -> None:
    (tmp_path / "theirs").mkdir()
    theirs = [f"w{i}x" for i in range(40)]
    (tmp_path / "theirs" / "test_cases.py").write_text(_literal_table("CASES", theirs))
    index = build_index(tmp_path / "i.sqlite", (tmp_path / "theirs", "theirs", "GPL-3.0-only"), (CORPUS, "kit", "MIT"))
    mine = _literal_table("EXAMPLES", [f"m{i}y" for i in range(40)])
    findings = scan_text(index, "examples.py", mine)
    assert findings and all(f.similarity == 1.0 for f in findings)  # the same shape, at similarity 1.0 ...
    assert striking(findings) == []  # ... but one shape repeated carries no evidence of copying


def test_the_json_report_doc_names_every_key_a_finding_has(vendored_index: Path) -> None:
    import re

    from licheck.report.json_report import finding_to_dict

    doc = (Path(__file__).resolve().parents[2] / "docs" / "report-json.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_0-9]+)(?:\.[a-z_]+)?`", doc))
    data = finding_to_dict(striking(scan_text(vendored_index, "generated.py", _edited_copy()))[0])
    assert set(data) <= documented, set(data) - documented
    assert set(data["evidence"]) - {"scores", "shared_comments"} <= {
        key.split(".")[1] for key in re.findall(r"`(evidence\.[a-z_]+)`", doc)}
    assert set(data["origin"]) <= documented and set(data["holders"][0]) <= documented


def test_the_null_scans_give_the_same_scores_in_worker_processes(tmp_path: Path) -> None:
    """The index's null is scanned as independent tasks; spread over processes, every score comes back in order."""
    from licheck.decide.derive import null_tasks
    from licheck.decide.null_scores import local_scores
    from licheck.store.index_db import IndexDB

    index = build_index(tmp_path / "authors.sqlite", *write_task_projects(tmp_path / "authors", range(40)))
    with IndexDB.open_readonly(index) as db:
        tasks = null_tasks(db)
    here = local_scores(1)(index, tasks)
    assert len(here) == len(tasks) >= 10 and any(score > 0 for _, _, score in here)
    assert local_scores(2)(index, tasks) == here
    assert [(language, tokens) for language, tokens, _ in here] == [(t.language, t.tokens) for t in tasks]


def test_a_null_fit_that_fails_leaves_the_stored_counts_and_null_as_they_were(tmp_path: Path) -> None:
    from licheck.decide.counts_store import load_counts
    from licheck.decide.derive import derive_statistics
    from licheck.decide.null_scores import PENDING_COUNTS
    from licheck.store.index_db import IndexDB

    index = build_index(tmp_path / "authors.sqlite", *write_task_projects(tmp_path / "authors", range(40)))
    def stored(db: IndexDB) -> dict[str, bytes | None]:
        table = load_counts(db)
        return {"null": db.statistic("null"), "shingles": table.table.tobytes() if table is not None else None}

    with IndexDB.open_readonly(index) as db:
        before = stored(db)

    def interrupted(path: Path, tasks: list) -> list:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), IndexDB.open_for_write(index) as db:
        for folder, name, license_ in write_task_projects(tmp_path / "more", range(40, 70)):  # new counts
            add_source(db, SourceSpec(folder, name=name, version="1.0", license=license_), jobs=1)
        derive_statistics(db, refit=True, null_scores=interrupted)
    with IndexDB.open_readonly(index) as db:
        assert stored(db) == before
        assert db.statistics_stale
    with IndexDB.open_for_write(index) as db:
        derive_statistics(db)
        assert db.statistic(PENDING_COUNTS) is None and not db.statistics_stale
        assert db.statistic_parts(PENDING_COUNTS, [0]) == {}  # its parts went with it
        after = stored(db)
        assert after["shingles"] != before["shingles"] and after["null"] != before["null"]
