"""Baselines of accepted findings: ids that survive shifted lines, and triaged findings that do not come back."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import GPL_FILE, MIT_FILE

COPY = GPL_FILE.read_text(encoding="utf-8")


def scan(run_cli, folder: Path, index_path: Path, *extra: str):  # type: ignore[no-untyped-def]
    result = run_cli(["scan", "copy.py", "--index", str(index_path), "--format", "json", *extra], cwd=folder)
    return result, json.loads(result.stdout) if result.stdout.strip() else None


def ids(report: dict) -> dict[str, tuple[int, int]]:  # type: ignore[type-arg]
    return {f["id"]: (f["start_line"], f["end_line"]) for f in report["findings"]}


def test_finding_ids_stay_the_same_when_lines_shift(run_cli, tmp_path: Path, index_path: Path) -> None:
    (tmp_path / "copy.py").write_text(COPY, encoding="utf-8")
    _, before = scan(run_cli, tmp_path, index_path)
    (tmp_path / "copy.py").write_text("import os\nimport sys\n\n\nLIMIT = 3\n\n" + COPY, encoding="utf-8")
    _, after = scan(run_cli, tmp_path, index_path)
    assert before["findings"] and set(ids(before)) == set(ids(after))
    assert [lines[0] + 6 for lines in ids(before).values()] == [lines[0] for lines in ids(after).values()]


def test_finding_id_changes_when_the_copied_code_changes(run_cli, tmp_path: Path, index_path: Path) -> None:
    (tmp_path / "copy.py").write_text(COPY, encoding="utf-8")
    _, before = scan(run_cli, tmp_path, index_path)
    (tmp_path / "copy.py").write_text(COPY.replace("modulus=65521", "modulus=65519"), encoding="utf-8")
    _, after = scan(run_cli, tmp_path, index_path)
    assert len(after["findings"]) == len(before["findings"]) == 2
    assert len(set(ids(before)) & set(ids(after))) == 1


def test_accepted_findings_do_not_come_back_after_lines_shift(run_cli, tmp_path: Path, index_path: Path) -> None:
    (tmp_path / "copy.py").write_text(COPY, encoding="utf-8")
    created = run_cli(["baseline", "create", "accepted.json", "copy.py", "--index", str(index_path)], cwd=tmp_path)
    assert created.exit_code == 0 and "2 accepted finding(s)" in created.stderr
    (tmp_path / "copy.py").write_text("\n\n# moved down\n" + COPY, encoding="utf-8")
    result, report = scan(run_cli, tmp_path, index_path, "--baseline", "accepted.json")
    assert result.exit_code == 0
    assert report["findings"] == [] and report["summary"]["accepted_by_baseline"] == 2


def test_a_new_copy_is_reported_despite_the_baseline(run_cli, tmp_path: Path, index_path: Path) -> None:
    (tmp_path / "copy.py").write_text(COPY, encoding="utf-8")
    run_cli(["baseline", "create", "accepted.json", "copy.py", "--index", str(index_path)], cwd=tmp_path)
    (tmp_path / "copy.py").write_text(COPY + "\n\n" + MIT_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    result, report = scan(run_cli, tmp_path, index_path, "--baseline", "accepted.json")
    assert [f["source"]["name"] for f in report["findings"]] == ["mitwrap"]
    assert result.exit_code == 0  # MIT: a warning, not a violation


def test_baseline_from_the_config_file_is_applied(run_cli, tmp_path: Path, index_path: Path) -> None:
    (tmp_path / "copy.py").write_text(COPY, encoding="utf-8")
    run_cli(["baseline", "create", "accepted.json", "copy.py", "--index", str(index_path)], cwd=tmp_path)
    (tmp_path / ".licheck.toml").write_text('baseline = "accepted.json"\n', encoding="utf-8")
    result, _ = scan(run_cli, tmp_path, index_path)
    assert result.exit_code == 0


def test_create_refuses_to_overwrite_an_existing_baseline(run_cli, tmp_path: Path, index_path: Path) -> None:
    (tmp_path / "copy.py").write_text(COPY, encoding="utf-8")
    (tmp_path / "accepted.json").write_text("{}", encoding="utf-8")
    result = run_cli(["baseline", "create", "accepted.json", "copy.py", "--index", str(index_path)], cwd=tmp_path)
    assert result.exit_code == 2 and "already exists" in result.stderr


def test_update_adds_new_findings_and_drops_stale_ones(run_cli, tmp_path: Path, index_path: Path) -> None:
    (tmp_path / "copy.py").write_text(COPY, encoding="utf-8")
    run_cli(["baseline", "create", "b.json", "copy.py", "--index", str(index_path)], cwd=tmp_path)
    (tmp_path / "copy.py").write_text(MIT_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli(["baseline", "update", "b.json", "copy.py", "--index", str(index_path)], cwd=tmp_path)
    assert result.exit_code == 0 and "1 new, 2 dropped" in result.stderr
    entries = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["findings"]
    assert [e["source"] for e in entries.values()] == ["mitwrap 2.1"]


def test_a_file_that_is_not_a_baseline_exits_2(run_cli, tmp_path: Path, index_path: Path) -> None:
    (tmp_path / "copy.py").write_text(COPY, encoding="utf-8")
    (tmp_path / "b.json").write_text('{"hello": 1}', encoding="utf-8")
    result, _ = scan(run_cli, tmp_path, index_path, "--baseline", "b.json")
    assert result.exit_code == 2 and "not a licheck baseline" in result.stderr
