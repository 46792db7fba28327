"""The command line through click's CliRunner: contracts of DESIGN.md, exit codes, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from licheck.cli import cli
from tests.core.helpers import function_source

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus" / "python"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def gpl_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("cli") / "index.sqlite"
    code, _, err = run("index", "add", str(CORPUS), "--index", str(index), "--name", "warehouse-kit",
                       "--version", "2.1", "--license", "GPL-3.0-or-later", "--url", "https://example.org/kit")
    assert code == 0, err
    return index


def test_index_info_reports_sources_and_units_as_json(gpl_index: Path) -> None:
    code, out, _ = run("index", "info", "--index", str(gpl_index), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["sources"] == 1 and data["units"] > 5
    assert data["source_list"][0]["license"] == "GPL-3.0-or-later"
    assert data["source_list"][0]["license_origin"] == "--license option"


def test_scan_json_follows_the_contract_and_exits_1_on_a_copyleft_copy(gpl_index: Path, tmp_path: Path) -> None:
    query = tmp_path / "copy.py"
    query.write_text(function_source((CORPUS / "inventory.py").read_text(), "rebalance_stock"))
    code, out, _ = run("scan", str(query), "--index", str(gpl_index), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert set(report) >= {"licheck_version", "index", "findings", "summary"}
    assert report["index"]["sources"] == 1
    finding = report["findings"][0]
    assert {"path", "start_line", "end_line", "similarity", "matched_tokens", "striking", "source", "evidence",
            "policy"} <= set(finding)
    assert 0 <= finding["similarity"] <= 1 and finding["striking"] is True
    expected = {"name": "warehouse-kit", "version": "2.1", "path": "inventory.py", "url": "https://example.org/kit",
                "license": "GPL-3.0-or-later", "license_category": "strong_copyleft"}
    assert {key: finding["source"][key] for key in expected} == expected
    assert finding["source"]["start_line"] == 7 and finding["source"]["end_line"] > finding["source"]["start_line"]
    assert finding["policy"] == "deny"
    assert report["summary"]["violations"] == 1 and report["summary"]["files_scanned"] == 1


def test_scan_of_clean_code_exits_0(gpl_index: Path, tmp_path: Path) -> None:
    query = tmp_path / "mine.py"
    query.write_text("def add(a, b):\n    return a + b\n")
    code, out, _ = run("scan", str(query), "--index", str(gpl_index), "--format", "json")
    assert code == 0 and json.loads(out)["findings"] == []


def test_index_comes_from_the_environment(gpl_index: Path, tmp_path: Path) -> None:
    query = tmp_path / "mine.py"
    query.write_text("x = 1\n")
    code, _, _ = run("scan", str(query), "--format", "json", env={"LICHECK_INDEX": str(gpl_index)})
    assert code == 0


def test_table_report_names_source_lines_and_license(gpl_index: Path, tmp_path: Path) -> None:
    query = tmp_path / "copy.py"
    query.write_text(function_source((CORPUS / "inventory.py").read_text(), "pick_route"))
    code, out, _ = run("scan", str(query), "--index", str(gpl_index))
    assert code == 1
    assert "warehouse-kit" in out and "inventory.py:" in out and "GPL-3.0-or-later" in out


def test_bad_files_are_skipped_with_a_reason_among_good_ones(gpl_index: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.py").write_text(function_source((CORPUS / "inventory.py").read_text(), "pick_route"))
    (folder / "binary.py").write_bytes(b"\x00\x01\x02binary\x00" * 10)
    (folder / "latin1.py").write_bytes("caf\xe9 = 1\n".encode("latin-1"))
    (folder / "empty.py").write_text("")
    (folder / "huge.py").write_text("x = 1\n" * 400_000)
    code, out, _ = run("scan", str(folder), "--index", str(gpl_index), "--format", "json")
    report = json.loads(out)
    reasons = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert code == 1 and report["summary"]["files_scanned"] == 1
    assert reasons["binary.py"] == "binary file"
    assert reasons["latin1.py"].startswith("not valid UTF-8")
    assert reasons["empty.py"] == "empty file"
    assert reasons["huge.py"].startswith("larger than")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "no/such/file.py"], "no such file"),
        (["scan"], "nothing to scan"),
        (["scan", "."], "index not found"),
        (["index", "add", "no/such/dir"], "no such file"),
        (["index", "add", "fixtures", "--license", "Not A License (tm)"], "license"),
        (["scan", ".", "--format", "xml"], "Invalid value"),
    ],
)
def test_usage_and_input_errors_exit_2_with_a_message(tmp_path: Path, args: list[str], message: str) -> None:
    index = ["--index", str(tmp_path / "missing.sqlite")] if "--index" not in args else []
    code, out, err = run(*args, *index)
    assert code == 2
    assert message.lower() in (out + err).lower()


def test_a_non_index_file_is_an_input_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_text("this is not sqlite")
    code, _, err = run("scan", str(CORPUS), "--index", str(bogus))
    assert code == 2 and "not a licheck index" in err


def test_scan_help_does_not_import_torch() -> None:
    import subprocess
    import sys

    probe = "import sys; from licheck.cli import cli; print('torch' in sys.modules or 'transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
