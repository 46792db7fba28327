"""A sharded index folder reads like the index file it was split from; mismatched shards are refused."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import asdict
from pathlib import Path

import pytest

from licheck.decide.derive import derive_statistics
from licheck.errors import IndexFileError, IndexMismatchError
from licheck.scanner import Scanner, ScanTarget, targets_from_paths
from licheck.store.index_db import IndexDB
from licheck.store.merge import merge_indexes
from licheck.store.shards import MANIFEST, ShardedIndex, compact_index, open_index, split_index
from tests.core.helpers import build_index, function_source, rename

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "corpus"


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("single")
    return build_index(folder / "one.sqlite", (FIXTURES / "python", "kit", "MIT"),
                       (FIXTURES / "polyglot", "poly", "GPL-3.0-only"))


def _queries(tmp: Path) -> list[ScanTarget]:
    text = (FIXTURES / "python" / "inventory.py").read_text()
    renamed = rename(function_source(text, "rebalance_stock"), {"rebalance_stock": "rebalance", "stock": "items"})
    (tmp / "renamed.py").write_text(renamed)
    return [*targets_from_paths([FIXTURES / "python", FIXTURES / "polyglot"]),
            ScanTarget(display="renamed.py", path=tmp / "renamed.py")]


def _findings(index: IndexDB | ShardedIndex, targets: list[ScanTarget]) -> list[dict[str, object]]:
    report = Scanner(index).scan(targets, jobs=1)
    return [asdict(f) for f in report.findings]


def test_sharded_index_gives_the_findings_of_its_single_file(single: Path, tmp_path: Path) -> None:
    split_index(single, tmp_path / "sharded", shards=3)
    targets = _queries(tmp_path)
    with IndexDB.open_readonly(single) as db:
        expected = _findings(db, targets)
        expected_bands = db.band_rows()
    with open_index(tmp_path / "sharded") as sharded:
        assert isinstance(sharded, ShardedIndex) and len(sharded.shards) == 3
        assert sharded.counts() == IndexDB.open_readonly(single).counts()
        got = _findings(sharded, targets)
        assert (sharded.band_rows() == expected_bands).all()
    assert len(expected) >= 10 and got == expected


def test_compacting_a_sharded_index_gives_back_the_same_index(single: Path, tmp_path: Path) -> None:
    split_index(single, tmp_path / "sharded", shards=2)
    compact_index(tmp_path / "sharded", tmp_path / "back.sqlite")
    targets = _queries(tmp_path)
    with IndexDB.open_readonly(single) as a, IndexDB.open_readonly(tmp_path / "back.sqlite") as b:
        assert (a.band_rows() == b.band_rows()).all()
        assert a.list_sources() == b.list_sources()
        assert _findings(a, targets) == _findings(b, targets)


def test_merge_writes_a_folder_or_a_file_and_reshards(single: Path, tmp_path: Path) -> None:
    result = merge_indexes([single], tmp_path / "dir", shards=2)
    assert (result.shards, result.sources) == (2, 2)
    again = merge_indexes([tmp_path / "dir"], tmp_path / "dir2", shards=5)
    assert again.shards == 5 and again.units == result.units
    back = merge_indexes([tmp_path / "dir2"], tmp_path / "back.sqlite")
    assert back.shards == 0 and back.units == result.units


def test_shard_from_another_build_is_refused_with_a_rebuild_error(single: Path, tmp_path: Path) -> None:
    first = split_index(single, tmp_path / "a", shards=2)
    second = split_index(single, tmp_path / "b", shards=2)
    shutil.copy(tmp_path / "b" / second.shards[1].file, tmp_path / "a" / first.shards[1].file)
    with pytest.raises(IndexMismatchError, match="another build(.|\\n)*rebuild"):
        open_index(tmp_path / "a")


def test_shard_with_other_sketch_settings_is_refused_with_a_rebuild_error(single: Path, tmp_path: Path) -> None:
    manifest = split_index(single, tmp_path / "a", shards=2)
    db = sqlite3.connect(tmp_path / "a" / manifest.shards[0].file)
    db.execute("UPDATE meta SET value = '\"other\"' WHERE key = 'normalizer'")
    db.commit()
    db.close()
    with pytest.raises(IndexMismatchError, match="rebuild"):
        open_index(tmp_path / "a")


def test_folder_of_the_previous_band_layout_says_how_to_convert_it(single: Path, tmp_path: Path) -> None:
    from licheck.store import band_blocks

    manifest = split_index(single, tmp_path / "a", shards=2)
    for name in (manifest.core, *(entry.file for entry in manifest.shards)):  # as an older licheck stamped them
        db = sqlite3.connect(tmp_path / "a" / name)
        db.execute("UPDATE meta SET value = ? WHERE key = 'band_layout'", (band_blocks.CONVERTIBLE_STAMP,))
        db.commit()
        db.close()
    with pytest.raises(IndexMismatchError, match="previous layout") as refused:
        open_index(tmp_path / "a")
    assert "licheck index merge FILE -o" in (refused.value.hint or "")


def test_folder_without_manifest_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(IndexFileError, match=MANIFEST):
        open_index(tmp_path / "empty")


def test_open_scan_keeps_reading_while_the_folder_is_rebuilt(single: Path, tmp_path: Path) -> None:
    old = split_index(single, tmp_path / "dir", shards=2)
    targets = _queries(tmp_path)
    with open_index(tmp_path / "dir") as reader:
        before = _findings(reader, targets)
        new = split_index(single, tmp_path / "dir", shards=3)  # swapped in under the open reader
        assert _findings(reader, targets) == before
    assert not (tmp_path / "dir" / old.core).exists()
    with open_index(tmp_path / "dir") as fresh:
        assert fresh.manifest.build == new.build and _findings(fresh, targets) == before


def test_removing_a_source_from_a_sharded_index_drops_its_findings(single: Path, tmp_path: Path) -> None:
    from licheck.store.shards import remove_source

    split_index(single, tmp_path / "dir", shards=2)
    assert remove_source(tmp_path / "dir", "poly", None, derive=derive_statistics) == 1
    with open_index(tmp_path / "dir") as index:
        assert [s["name"] for s in index.list_sources()] == ["kit"]
        assert index.manifest.sources == (("kit", "1.0"),) and len(index.shards) == 2
        assert not index.statistics_stale
        assert set(index.band_rows()[:, 1].tolist()) == {u[0] for u in index.all_units()}
        report = Scanner(index).scan(targets_from_paths([FIXTURES / "polyglot"]), jobs=1)
    assert all(f.source.name == "kit" for f in report.findings)


def test_merging_two_indexes_gives_the_findings_of_one_built_from_both(single: Path, tmp_path: Path) -> None:
    kit = build_index(tmp_path / "kit.sqlite", (FIXTURES / "python", "kit", "MIT"))
    poly = build_index(tmp_path / "poly.sqlite", (FIXTURES / "polyglot", "poly", "GPL-3.0-only"),
                       (FIXTURES / "python", "kit", "MIT"))  # kit again: taken once, from the first input
    split_index(poly, tmp_path / "poly-dir", shards=2)
    result = merge_indexes([kit, tmp_path / "poly-dir"], tmp_path / "merged", shards=3, derive=derive_statistics)
    assert result.duplicates == (("kit", "1.0"),) and (result.sources, result.shards) == (2, 3)
    targets = _queries(tmp_path)
    with IndexDB.open_readonly(single) as one, open_index(tmp_path / "merged") as merged:
        assert merged.counts() == one.counts()
        assert [(s["name"], s["file_count"]) for s in merged.list_sources()] == \
            [(s["name"], s["file_count"]) for s in one.list_sources()]
        assert len(merged.band_rows()) == len(one.band_rows())
        assert not merged.statistics_stale
        assert _findings(merged, targets) == _findings(one, targets)


def test_indexes_with_other_sketch_settings_are_not_merged(single: Path, tmp_path: Path) -> None:
    from licheck.indexer import SourceSpec, add_source
    from licheck.sketch import SketchParams

    with IndexDB.open_for_write(tmp_path / "other.sqlite", SketchParams(bands=32, rows=4)) as db:
        add_source(db, SourceSpec(FIXTURES / "python", name="other", version="1", license="MIT"), jobs=1)
    with pytest.raises(IndexMismatchError, match="other sketch parameters(.|\\n)*rebuild"):
        merge_indexes([single, tmp_path / "other.sqlite"], tmp_path / "merged.sqlite")
    assert not (tmp_path / "merged.sqlite").exists() and not list(tmp_path.glob(".merged*"))


def test_merge_and_compact_commands_round_trip_through_a_folder(single: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from licheck.cli import cli

    # through the top-level group, as users run them (a command invoked on its own caches a help option
    # without `-h`, which the CLI reference would then show)
    runner = CliRunner()
    made = runner.invoke(cli, ["index", "merge", str(single), "-o", str(tmp_path / "dir"), "--shards", "2"])
    assert made.exit_code == 0, made.output
    assert "2 shards" in made.output and (tmp_path / "dir" / MANIFEST).is_file()
    back = runner.invoke(cli, ["index", "compact", str(tmp_path / "dir"), "-o", str(tmp_path / "back.sqlite")])
    assert back.exit_code == 0, back.output
    with IndexDB.open_readonly(single) as a, IndexDB.open_readonly(tmp_path / "back.sqlite") as b:
        assert a.counts() == b.counts()


def test_splitting_reads_the_source_only_and_keeps_its_buffered_band_rows(tmp_path: Path) -> None:
    from licheck.indexer import SourceSpec, add_source

    db = IndexDB.open_for_write(tmp_path / "buffered.sqlite")
    add_source(db, SourceSpec(FIXTURES / "python", name="kit", version="1", license="MIT"), jobs=1)
    db.close()  # closed, not exited: the band rows stay in the write buffer
    before = (tmp_path / "buffered.sqlite").read_bytes()
    split_index(tmp_path / "buffered.sqlite", tmp_path / "dir", shards=2)
    assert (tmp_path / "buffered.sqlite").read_bytes() == before
    with IndexDB.open_readonly(tmp_path / "buffered.sqlite") as one, open_index(tmp_path / "dir") as sharded:
        assert one.db.execute("SELECT count(*) FROM bands").fetchone()[0] > 0
        assert (sharded.band_rows() == one.band_rows()).all()


def test_scan_command_takes_a_sharded_folder_as_its_index(single: Path, tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from licheck.cli import cli

    split_index(single, tmp_path / "sharded", shards=2)
    targets = _queries(tmp_path)
    runner = CliRunner()
    outputs = []
    for index in (single, tmp_path / "sharded"):
        result = runner.invoke(cli, ["scan", str(tmp_path / "renamed.py"), "--index", str(index), "--format", "json"])
        assert result.exit_code in (0, 1), result.output
        outputs.append([(f["source"]["name"], f["start_line"], f["striking"]) for f in json.loads(result.output)["findings"]])
    assert outputs[0] and outputs[0] == outputs[1]
    # many files: the worker processes open the folder too
    with open_index(tmp_path / "sharded") as sharded:
        many = Scanner(sharded).scan(targets * 20, jobs=2)
    assert many.files_scanned == len(targets) * 20 and not many.skipped


def test_index_build_with_shards_writes_a_folder_that_scans_like_the_file(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from licheck.cli import cli

    shutil.copytree(FIXTURES / "python", tmp_path / "kit")
    (tmp_path / "m.toml").write_text('[[source]]\nspec = "kit"\nlicense = "GPL-3.0-only"\n')
    runner = CliRunner()
    folder = tmp_path / "idx"
    built = runner.invoke(cli, ["index", "build", str(tmp_path / "m.toml"), "--index", str(folder), "--shards", "2",
                                "--jobs", "1", "--cache", str(tmp_path / "cache")])
    assert built.exit_code == 0, built.output
    assert (folder / MANIFEST).is_file() and (tmp_path / "idx.sqlite").is_file()
    with open_index(folder) as sharded:
        assert isinstance(sharded, ShardedIndex) and len(sharded.shards) == 2
    _queries(tmp_path)
    found = []
    for number, index in enumerate((folder, tmp_path / "idx.sqlite")):
        out = tmp_path / f"scan{number}.json"
        runner.invoke(cli, ["scan", str(tmp_path / "renamed.py"), "--index", str(index), "--format", "json",
                            "-o", str(out)])
        found.append(json.loads(out.read_text())["findings"])
    assert found[0] and [f["id"] for f in found[0]] == [f["id"] for f in found[1]]
    refused = runner.invoke(cli, ["index", "build", str(tmp_path / "m.toml"), "--index", str(tmp_path / "idx.sqlite"),
                                  "--shards", "2"])
    assert refused.exit_code == 2 and "writes a folder" in refused.output
