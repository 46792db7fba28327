"""The policy: deny/warn/allow by category or SPDX id, allow-lists of the user's own code, unknown licenses."""

from __future__ import annotations

import json
from pathlib import Path

from licheck.policy import Policy
from licheck.report.model import Finding, SourceRef

from .conftest import GPL_FILE, UNKNOWN_FILE


def finding(*, license: str = "GPL-3.0-only", category: str = "strong_copyleft", striking: bool = True,
            name: str = "gplthing", source_path: str = "intervals.py", path: str = "src/a.py") -> Finding:
    source = SourceRef(name=name, version="1.0", path=source_path, start_line=1, end_line=10, url="",
                       license=license, license_category=category)
    return Finding(path=path, start_line=1, end_line=10, similarity=0.95, matched_tokens=120, striking=striking,
                   decided_by="licoeval", source=source, fingerprint="f")


def test_striking_strong_copyleft_is_denied_by_default() -> None:
    assert Policy().judge(finding()) == ("deny", "category strong_copyleft in 'deny'")


def test_similar_but_not_striking_code_is_never_denied() -> None:
    assert Policy().judge(finding(striking=False))[0] == "allow"


def test_spdx_id_entry_wins_over_its_category() -> None:
    policy = Policy(allow=frozenset({"GPL-3.0-only"}))
    assert policy.judge(finding()) == ("allow", "license GPL-3.0-only in 'allow'")
    policy = Policy(deny=frozenset({"Zlib"}), allow=frozenset({"permissive"}))
    assert policy.judge(finding(license="Zlib", category="permissive"))[0] == "deny"


def test_first_party_source_by_name_glob_is_allowed_even_under_gpl() -> None:
    assert Policy(first_party=("gpl*",)).judge(finding()) == ("allow", "first-party source (gpl*)")


def test_fork_and_upstream_by_path_glob_are_allowed() -> None:
    assert Policy(forks=("gplthing/lib/*",)).judge(finding(source_path="lib/x.py"))[0] == "allow"
    assert Policy(upstreams=("lib/*.py",)).judge(finding(source_path="lib/x.py"))[1] == "upstream source (lib/*.py)"


def test_ignored_scanned_paths_are_allowed() -> None:
    assert Policy(ignore_paths=("vendor/**",)).judge(finding(path="vendor/pkg/a.py"))[0] == "allow"
    assert Policy(ignore_paths=("vendor/**",)).judge(finding(path="src/vendor.py"))[0] == "deny"


def test_noassertion_license_follows_its_own_entry() -> None:
    unknown = finding(license="NOASSERTION", category="unknown")
    assert Policy().judge(unknown)[0] == "warn"
    assert Policy(unknown="deny").judge(unknown) == ("deny", "unknown license (policy 'unknown')")
    assert Policy(unknown="allow").judge(unknown)[0] == "allow"


def test_unknown_license_finding_is_shown_even_when_allowed(run_cli, tmp_path: Path, index_path: Path) -> None:
    (tmp_path / ".licheck.toml").write_text('unknown = "allow"\n', encoding="utf-8")
    (tmp_path / "t.py").write_text(UNKNOWN_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli(["scan", "t.py", "--index", str(index_path), "--format", "json"], cwd=tmp_path)
    assert result.exit_code == 0
    [shown] = json.loads(result.stdout)["findings"]
    assert shown["source"]["license"] == "NOASSERTION" and shown["policy"] == "allow"
    assert json.loads(result.stdout)["summary"]["unknown_license"] == 1


def test_unknown_license_denied_by_policy_fails_the_scan(run_cli, tmp_path: Path, index_path: Path) -> None:
    (tmp_path / "t.py").write_text(UNKNOWN_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli(["scan", "t.py", "--index", str(index_path), "--format", "json"], cwd=tmp_path,
                     env={"LICHECK_UNKNOWN": "deny"})
    assert result.exit_code == 1
    assert json.loads(result.stdout)["findings"][0]["policy_reason"] == "unknown license (policy 'unknown')"


def test_first_party_allow_list_in_pyproject_keeps_own_code_from_failing(run_cli, tmp_path: Path,
                                                                         index_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.licheck]\nfirst-party = ["gplthing"]\n', encoding="utf-8")
    (tmp_path / "mine.py").write_text(GPL_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli(["scan", "mine.py", "--index", str(index_path), "--format", "json"], cwd=tmp_path)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["findings"] and {f["policy"] for f in report["findings"]} == {"allow"}
    assert report["findings"][0]["policy_reason"] == "first-party source (gplthing)"


def test_minimum_lines_threshold_drops_smaller_findings(run_cli, tmp_path: Path, index_path: Path) -> None:
    (tmp_path / ".licheck.toml").write_text("[thresholds]\nmin-lines = 50\n", encoding="utf-8")
    (tmp_path / "c.py").write_text(GPL_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli(["scan", "c.py", "--index", str(index_path), "--format", "json"], cwd=tmp_path)
    assert result.exit_code == 0 and json.loads(result.stdout)["findings"] == []


def test_index_path_from_the_config_file_is_used(run_cli, tmp_path: Path, index_path: Path) -> None:
    (tmp_path / ".licheck.toml").write_text(f'index = "{index_path.as_posix()}"\n', encoding="utf-8")
    (tmp_path / "c.py").write_text(GPL_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli(["scan", "c.py", "--format", "json"], cwd=tmp_path)
    assert result.exit_code == 1 and json.loads(result.stdout)["index"]["path"] == str(index_path)


def test_minimum_tokens_threshold_raises_the_scanners_floor(run_cli, tmp_path: Path, index_path: Path) -> None:
    (tmp_path / "c.py").write_text(GPL_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    args = ["scan", "c.py", "--index", str(index_path), "--format", "json"]
    assert json.loads(run_cli(args, cwd=tmp_path).stdout)["findings"]
    (tmp_path / ".licheck.toml").write_text("[thresholds]\nmin-tokens = 10000\n", encoding="utf-8")
    result = run_cli(args, cwd=tmp_path)
    assert result.exit_code == 0 and json.loads(result.stdout)["findings"] == []
