"""`licheck index add|build|list|remove|info` through click's CliRunner, exit codes included."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from licheck.cli import cli
from tests.sources.conftest import CODE_A, CODE_B, file_member, tar_with, write_tree


def _run(*args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_index_add_takes_folders_archives_and_a_license(tmp_path: Path) -> None:
    folder = write_tree(tmp_path / "intervals", {"intervals.py": CODE_A})
    archive = tar_with(tmp_path / "stats-1.2.tar.gz", [file_member("stats-1.2/stats.py", CODE_B.encode())])
    index = str(tmp_path / "i.db")
    code, _, err = _run("index", "add", str(folder), str(archive), "--index", index, "--license", "MIT")
    assert code == 0, err
    assert "intervals: 1 files" in err and "stats-1.2: 1 files" in err
    code, out, _ = _run("index", "list", "--index", index)
    assert [line.split("\t")[:3] for line in out.splitlines()] == [["intervals", "", "MIT"], ["stats-1.2", "", "MIT"]]


def test_index_add_twice_reports_unchanged(tmp_path: Path) -> None:
    folder = write_tree(tmp_path / "intervals", {"intervals.py": CODE_A})
    index = str(tmp_path / "i.db")
    _run("index", "add", str(folder), "--index", index)
    code, _, err = _run("index", "add", str(folder), "--index", index)
    assert code == 0 and "already indexed, unchanged" in err


def test_index_add_with_a_bad_spec_exits_2_before_fetching_anything(tmp_path: Path) -> None:
    code, _, err = _run("index", "add", "pypi:requests", "--index", str(tmp_path / "i.db"))
    assert code == 2
    assert "pin one version" in err and "hint:" in err


def test_index_add_of_a_hostile_archive_exits_2_with_the_reason(tmp_path: Path) -> None:
    archive = tar_with(tmp_path / "evil.tar.gz", [file_member("../../evil.py", b"x = 1\n")])
    code, _, err = _run("index", "add", str(archive), "--index", str(tmp_path / "i.db"))
    assert code == 2
    assert "refusing to unpack evil.tar.gz" in err


def test_index_build_then_list_info_remove(tmp_path: Path) -> None:
    write_tree(tmp_path / "alpha", {"alpha.py": CODE_A})
    write_tree(tmp_path / "beta", {"beta.py": CODE_B})
    manifest = tmp_path / "m.toml"
    manifest.write_text('[[source]]\nspec = "alpha"\nlicense = "GPL-3.0-only"\n\n[[source]]\nspec = "beta"\n'
                        'license = "MIT"\nname = "beta-lib"\n')
    index = str(tmp_path / "i.db")
    code, _, err = _run("index", "build", str(manifest), "--index", index)
    assert code == 0, err
    assert "[1/2] alpha" in err and "2 indexed, 0 unchanged, 0 failed" in err
    code, _, err = _run("index", "build", str(manifest), "--index", index)
    assert code == 0 and "0 indexed, 2 unchanged, 0 failed" in err
    code, out, _ = _run("index", "info", "--index", index, "--format", "json")
    info = json.loads(out)
    assert info["sources"] == 2 and {s["name"] for s in info["source_list"]} == {"alpha", "beta-lib"}
    code, _, err = _run("index", "remove", "alpha", "--index", index)
    assert code == 0 and "removed 1 source" in err
    code, out, _ = _run("index", "list", "--index", index)
    assert out.startswith("beta-lib\t")
    assert _run("index", "remove", "alpha", "--index", index)[0] == 2


def test_index_build_with_a_failing_source_indexes_the_rest_and_exits_2(tmp_path: Path) -> None:
    write_tree(tmp_path / "good", {"good.py": CODE_A})
    tar_with(tmp_path / "evil.tar.gz", [file_member("/etc/evil.py", b"x = 1\n")])
    manifest = tmp_path / "m.toml"
    manifest.write_text('[[source]]\nspec = "evil.tar.gz"\n\n[[source]]\nspec = "good"\n')
    index = str(tmp_path / "i.db")
    code, _, err = _run("index", "build", str(manifest), "--index", index)
    assert code == 2
    assert "evil.tar.gz: failed" in err and "absolute path" in err and "1 indexed, 0 unchanged, 1 failed" in err
    assert _run("index", "list", "--index", index)[1].startswith("good\t")


def test_index_build_with_an_invalid_manifest_exits_2(tmp_path: Path) -> None:
    manifest = tmp_path / "m.toml"
    manifest.write_text('[[source]]\nspek = "x"\n')
    code, _, err = _run("index", "build", str(manifest), "--index", str(tmp_path / "i.db"))
    assert code == 2 and "problem(s)" in err
