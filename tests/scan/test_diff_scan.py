"""Diff-aware scans through the CLI: --staged, --diff REV, --diff-file FILE|-, on real git repositories."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from licheck.inputs.git import revision_changes, staged_changes

from .conftest import GPL_FILE, UNRELATED_FILE, copy_into, git


def scan_json(run_cli, repo: Path, index_path: Path, *args: str):  # type: ignore[no-untyped-def]
    result = run_cli(["scan", *args, "--index", str(index_path), "--format", "json"], cwd=repo)
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def test_staged_copy_of_gpl_code_is_a_violation_naming_source_lines_and_license(run_cli, repo, index_path) -> None:
    copy_into(repo, GPL_FILE, "pkg/util.py", prefix="import os\n\n")
    git(repo, "add", ".")
    result, report = scan_json(run_cli, repo, index_path, "--staged")
    assert result.exit_code == 1
    finding = [f for f in report["findings"] if f["policy"] == "deny"][0]
    assert finding["path"] == "pkg/util.py" and finding["start_line"] == 4
    assert finding["source"]["name"] == "gplthing" and finding["source"]["license"] == "GPL-3.0-only"
    assert "pkg/util.py lines 4-" in result.stderr and "gplthing 1.0 intervals.py lines 2-" in result.stderr
    assert "GPL-3.0-only" in result.stderr


def test_staged_scan_reads_the_index_not_the_working_tree(run_cli, repo, index_path) -> None:
    copy_into(repo, GPL_FILE, "util.py")
    git(repo, "add", ".")
    (repo / "util.py").write_text("x = 1\n", encoding="utf-8")  # unstaged edit: the commit still holds the copy
    result, _ = scan_json(run_cli, repo, index_path, "--staged")
    assert result.exit_code == 1


def test_code_that_existed_before_the_change_never_triggers_on_its_own(run_cli, repo, index_path) -> None:
    copy_into(repo, GPL_FILE, "legacy.py")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "old copy, already reviewed")
    path = repo / "legacy.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n\nVERSION = '1.2'\n", encoding="utf-8")
    git(repo, "add", ".")
    result, report = scan_json(run_cli, repo, index_path, "--staged")
    assert result.exit_code == 0, result.stderr
    assert report["findings"] == [] and report["summary"]["files_scanned"] == 1


def test_unrelated_staged_code_is_clean(run_cli, repo, index_path) -> None:
    copy_into(repo, UNRELATED_FILE, "thermo.py")
    git(repo, "add", ".")
    result, report = scan_json(run_cli, repo, index_path, "--staged")
    assert result.exit_code == 0 and report["summary"]["violations"] == 0


def test_nothing_staged_is_clean(run_cli, repo, index_path) -> None:
    result, report = scan_json(run_cli, repo, index_path, "--staged")
    assert result.exit_code == 0 and report["summary"]["files_scanned"] == 0


def test_diff_revision_range_scans_the_right_hand_commit(run_cli, repo, index_path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    copy_into(repo, GPL_FILE, "feature.py")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "feature")
    (repo / "feature.py").unlink()  # not in the working tree any more: contents come from the commit
    result, report = scan_json(run_cli, repo, index_path, "--diff", "main...feature")
    assert result.exit_code == 1 and report["findings"][0]["path"] == "feature.py"


def test_diff_single_revision_reads_the_working_tree_and_skips_files_deleted_there(repo: Path) -> None:
    copy_into(repo, GPL_FILE, "wt.py")
    git(repo, "add", ".")
    (repo / "app.py").unlink()  # committed, then deleted in the working tree
    changes = revision_changes(repo, "HEAD")
    by_path = {c.path: c for c in changes.changes}
    assert by_path["wt.py"].scannable and changes.read_new(by_path["wt.py"]) == (repo / "wt.py").read_bytes()
    assert by_path["app.py"].status == "deleted" and not by_path["app.py"].scannable


def test_diff_file_from_stdin_is_scanned(run_cli, repo, index_path) -> None:
    copy_into(repo, GPL_FILE, "patched.py")
    git(repo, "add", "-N", "patched.py")
    patch = git(repo, "diff").stdout
    result = run_cli(["scan", "--diff-file", "-", "--index", str(index_path), "--format", "json"], cwd=repo,
                     input=patch)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["findings"][0]["source"]["name"] == "gplthing"


def test_malformed_diff_file_exits_2_with_a_readable_error(run_cli, repo, index_path, tmp_path) -> None:
    bad = tmp_path / "bad.diff"
    bad.write_text("--- a/x.py\n+++ b/x.py\n@@ -1,5 +1,5 @@\n+only one line\n", encoding="utf-8")
    result = run_cli(["scan", "--diff-file", str(bad), "--index", str(index_path)], cwd=repo)
    assert result.exit_code == 2 and "not a valid unified diff" in result.stderr


def test_combining_staged_and_paths_is_a_usage_error(run_cli, repo, index_path) -> None:
    result = run_cli(["scan", "app.py", "--staged", "--index", str(index_path)], cwd=repo)
    assert result.exit_code == 2 and "cannot be combined" in result.stderr


def test_staged_outside_a_git_repository_exits_2(run_cli, tmp_path, index_path) -> None:
    result = run_cli(["scan", "--staged", "--index", str(index_path)], cwd=tmp_path)
    assert result.exit_code == 2 and "not inside a git repository" in result.stderr


def test_unknown_revision_exits_2(run_cli, repo, index_path) -> None:
    result = run_cli(["scan", "--diff", "nosuchbranch...HEAD", "--index", str(index_path)], cwd=repo)
    assert result.exit_code == 2 and "git diff failed" in result.stderr


def test_staged_deletion_rename_and_binary_changes_scan_nothing_and_do_not_crash(run_cli, repo, index_path) -> None:
    copy_into(repo, GPL_FILE, "keep.py")
    (repo / "blob.bin").write_bytes(b"\x00\x01\x02")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "two")
    git(repo, "mv", "keep.py", "moved.py")
    git(repo, "rm", "-q", "app.py")
    (repo / "blob.bin").write_bytes(b"\x00\x03")
    git(repo, "add", ".")
    result, report = scan_json(run_cli, repo, index_path, "--staged")
    assert result.exit_code == 0 and report["summary"]["files_scanned"] == 0


def test_staged_file_that_is_not_utf8_is_skipped_with_a_reason(run_cli, repo, index_path) -> None:
    (repo / "latin.py").write_bytes(b"name = 'caf\xe9'\n" * 3)
    git(repo, "add", ".")
    result, report = scan_json(run_cli, repo, index_path, "--staged")
    assert result.exit_code == 0
    assert report["skipped"] == [{"path": "latin.py", "reason": "not valid UTF-8 (byte 11)"}]


def test_staged_changes_reports_added_line_numbers_of_the_new_file(repo: Path) -> None:
    (repo / "app.py").write_text("import sys\ndef main():\n    return 0\n\nmain()\n", encoding="utf-8")
    git(repo, "add", ".")
    [change] = staged_changes(repo).changes
    assert change.added_lines == {1, 4, 5}


def test_diff_file_run_from_a_subfolder_reads_files_from_the_repository_root(run_cli, repo, index_path) -> None:
    (repo / "lib").mkdir()
    (repo / "lib" / "patched.py").write_text("import os\n\nLIMIT = 3\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "lib")
    path = copy_into(repo, GPL_FILE, "lib/patched.py", prefix="import os\n\nLIMIT = 3\n")
    patch = git(repo, "diff", "-U0").stdout  # no context: the hunks alone would not be the whole file
    (repo / "docs").mkdir()
    result = run_cli(["scan", "--diff-file", "-", "--index", str(index_path), "--format", "spdx"],
                     cwd=repo / "docs", input=patch)
    assert result.exit_code == 1
    [checksum] = json.loads(result.stdout)["files"][0]["checksums"]
    assert checksum["checksumValue"] == hashlib.sha1(path.read_bytes()).hexdigest()
