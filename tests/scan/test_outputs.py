"""SARIF, SPDX and CycloneDX outputs, each validated against its schema; NOTICE entries; a lean `scan` start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import GPL_FILE, MIT_FILE, UNKNOWN_FILE

SARIF_SCHEMA = Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json"  # provenance: schemas/README.md


@pytest.fixture
def scanned(tmp_path: Path) -> Path:
    """A folder with copies of GPL, MIT and unknown-license code (the unknown one after a few lines)."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "gpl_copy.py").write_text(GPL_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "src" / "mit_copy.py").write_text(MIT_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "src" / "tally.py").write_text("import math\n\n\n" + UNKNOWN_FILE.read_text(encoding="utf-8"),
                                               encoding="utf-8")
    return tmp_path


def render(run_cli, folder: Path, index_path: Path, fmt: str):  # type: ignore[no-untyped-def]
    result = run_cli(["scan", "src", "--index", str(index_path), "--format", fmt], cwd=folder)
    assert result.exit_code == 1, result.stderr  # the GPL copy is denied
    return result.stdout


def json_ids(run_cli, folder: Path, index_path: Path) -> set[str]:  # type: ignore[no-untyped-def]
    return {f["id"] for f in json.loads(render(run_cli, folder, index_path, "json"))["findings"]}


def test_sarif_validates_against_the_oasis_sarif_2_1_0_schema(run_cli, scanned: Path, index_path: Path) -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the OASIS SARIF 2.1.0 schema is not at {SARIF_SCHEMA} (see tests/scan/schemas/README.md)")
    import jsonschema

    document = json.loads(render(run_cli, scanned, index_path, "sarif"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=str)
    assert errors == []


def test_sarif_has_a_rule_per_license_category_and_both_locations(run_cli, scanned: Path, index_path: Path) -> None:
    run = json.loads(render(run_cli, scanned, index_path, "sarif"))["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert {"licheck/strong-copyleft", "licheck/permissive", "licheck/unknown"} <= set(rules)
    gpl = [r for r in run["results"] if r["ruleId"] == "licheck/strong-copyleft"][0]
    assert gpl["level"] == "error" and rules[gpl["ruleIndex"]] == gpl["ruleId"]
    assert gpl["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/gpl_copy.py"
    related = gpl["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == "gplthing/intervals.py" and related["region"]["startLine"] == 2
    assert gpl["relatedLocations"][0]["id"] == 1 and "[gplthing 1.0 intervals.py:2-20](1)" in gpl["message"]["text"]
    assert {r["partialFingerprints"]["licheckFindingId/v1"] for r in run["results"]} == json_ids(
        run_cli, scanned, index_path)


def test_spdx_document_validates_with_spdx_tools_and_has_snippets(run_cli, scanned: Path, index_path: Path,
                                                                   tmp_path: Path) -> None:
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    out = tmp_path / "scan.spdx.json"
    out.write_text(render(run_cli, scanned, index_path, "spdx"), encoding="utf-8")
    document = parse_file(str(out))
    assert validate_full_spdx_document(document) == []
    assert {str(s.license_info_in_snippet[0]) for s in document.snippets} == {"GPL-3.0-only", "MIT", "NOASSERTION"}
    [gpl] = [s for s in document.snippets if s.line_range[0] == 2 and "gplthing" in s.name]
    assert gpl.line_range == (2, 20) and gpl.byte_range[0] > 1
    assert "gplthing 1.0" in gpl.attribution_texts[0] and "intervals.py lines 2-20" in gpl.attribution_texts[0]
    files = {f.spdx_id: f.name for f in document.files}
    assert files[gpl.file_spdx_id] == "./src/gpl_copy.py"
    text = (scanned / "src" / "gpl_copy.py").read_bytes()
    start, end = gpl.byte_range
    assert text[start - 1:end].decode().startswith("def merge_intervals")


def test_cyclonedx_bom_validates_against_the_1_6_schema_with_occurrences(run_cli, scanned: Path,
                                                                         index_path: Path) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    text = render(run_cli, scanned, index_path, "cyclonedx")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = json.loads(text)
    assert bom["specVersion"] == "1.6"
    components = {c["name"]: c for c in bom["components"]}
    occurrence = components["mystery"]["evidence"]["occurrences"][0]
    assert occurrence["location"] == "src/tally.py" and occurrence["line"] == 7
    assert components["gplthing"]["licenses"] == [{"license": {"id": "GPL-3.0-only"}}]


def test_notice_lists_permissive_sources_with_their_uses(run_cli, scanned: Path, index_path: Path) -> None:
    result = run_cli(["notice", "src", "--index", str(index_path)], cwd=scanned)
    assert result.exit_code == 0
    assert "mitwrap 2.1 — licensed under MIT" in result.stdout
    assert "src/mit_copy.py lines 4-" in result.stdout and "(from wrapping.py lines 4-" in result.stdout
    assert "a notice alone does not satisfy it" in result.stdout  # said of the GPL source


def test_notice_leaves_out_first_party_sources(run_cli, scanned: Path, index_path: Path) -> None:
    (scanned / ".licheck.toml").write_text('first-party = ["mitwrap"]\n', encoding="utf-8")
    result = run_cli(["notice", "src", "--index", str(index_path)], cwd=scanned)
    assert "mitwrap" not in result.stdout and "gplthing" in result.stdout


def test_output_file_receives_the_report(run_cli, scanned: Path, index_path: Path) -> None:
    result = run_cli(["scan", "src", "--index", str(index_path), "--format", "sarif", "-o", "r.sarif"], cwd=scanned)
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads((scanned / "r.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_scan_imports_no_torch_and_no_sbom_library_unless_asked(scanned: Path, index_path: Path) -> None:
    probe = (
        "import sys\nfrom licheck.cli import cli\n"
        f"try:\n    cli.main(['scan', 'src', '--index', {str(index_path)!r}, '--format', 'json'])\n"
        "except SystemExit:\n    pass\n"
        "heavy = {'torch', 'transformers', 'spdx_tools', 'cyclonedx', 'jsonschema', 'rich'}\n"
        "heavy |= {'numpy.ma', 'numpy.random', 'importlib.metadata', 'licheck.store.shards'}\n"
        "import os\n"
        "print(sorted(({m.split('.')[0] for m in sys.modules} | set(sys.modules)) & heavy),"
        " os.environ.get('OPENBLAS_NUM_THREADS'), file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=scanned, capture_output=True, text=True, timeout=60,
                          env=env)
    # nor what a pre-commit hook's start-up need not pay for: a console library, numpy's masked arrays and random
    # generators, package metadata, the shard machinery, and OpenBLAS's thread pool
    assert done.stderr.strip().splitlines()[-1] == "[] 1"


def test_sbom_format_without_its_library_is_a_usage_error_naming_what_to_install(
        run_cli, scanned: Path, index_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "spdx_tools" or m.startswith("spdx_tools.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "spdx_tools", None)
    result = run_cli(["scan", "src", "--index", str(index_path), "--format", "spdx"], cwd=scanned)
    assert result.exit_code == 2
    assert "needs a library that is not installed (spdx_tools)" in result.stderr and "pip install" in result.stderr
