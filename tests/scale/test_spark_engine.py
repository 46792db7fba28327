"""The Spark engine (local mode, 127.0.0.1) builds the same index as the local engine from the same manifest."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

pytest.importorskip("pyspark")

from licheck.cli import cli  # noqa: E402
from licheck.engines.parquet_rows import PACKED_FIELDS  # noqa: E402
from licheck.engines.rows import AnalyzedRow, FileRow, SourceRow, analyze_row  # noqa: E402
from licheck.engines.spark import build_with_spark, spark_session  # noqa: E402
from licheck.engines.writer import BuildFailed, fresh_path, write_index  # noqa: E402
from licheck.errors import EXIT_ERROR, UsageError  # noqa: E402
from licheck.scanner import Scanner, ScanTarget  # noqa: E402
from licheck.sketch import MinHasher, SketchParams  # noqa: E402
from licheck.sources.manifest import build_from_manifest, load_manifest  # noqa: E402
from licheck.store.index_db import IndexDB, SourceRecord  # noqa: E402
from licheck.store.packing import PackedFile  # noqa: E402

PY_SOURCE = '''
def merge_intervals(intervals):
    """Merge overlapping closed intervals."""
    ordered = sorted(intervals, key=lambda pair: pair[0])
    merged = []
    for start, end in ordered:
        if merged and start <= merged[-1][1]:
            # overlapping: extend the last interval
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class RingBuffer:
    def __init__(self, size):
        self.size = size
        self.items = [None] * size
        self.head = 0
        self.count = 0

    def push(self, item):
        self.items[(self.head + self.count) % self.size] = item
        if self.count < self.size:
            self.count += 1
        else:
            self.head = (self.head + 1) % self.size

    def pop(self):
        if not self.count:
            raise IndexError("empty ring buffer")
        item = self.items[self.head]
        self.head = (self.head + 1) % self.size
        self.count -= 1
        return item
'''

JS_SOURCE = '''
// SPDX-License-Identifier: MPL-2.0
function debounce(fn, wait) {
  let timer = null;
  return function debounced(...args) {
    if (timer !== null) { clearTimeout(timer); }
    timer = setTimeout(() => { timer = null; fn.apply(this, args); }, wait);
  };
}

function chunk(list, size) {
  const out = [];
  for (let i = 0; i < list.length; i += size) { out.push(list.slice(i, i + size)); }
  return out;
}
'''

C_SOURCE = '''
#include <stddef.h>
/* Fowler-Noll-Vo hash over a buffer */
unsigned long fnv1a(const unsigned char *data, size_t length) {
    unsigned long hash = 2166136261u;
    for (size_t i = 0; i < length; i++) {
        hash ^= data[i];
        hash *= 16777619u;
    }
    return hash;
}
'''


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = spark_session("local[2]", app="licheck-test", driver_memory="1g")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, spark: Any) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("scale")
    alpha = root / "alpha"
    (alpha / "pkg").mkdir(parents=True)
    (alpha / "pkg" / "intervals.py").write_text(PY_SOURCE)
    (alpha / "pkg" / "timing.js").write_text(JS_SOURCE)
    (alpha / "pkg" / "empty.py").write_text("")
    beta = root / "beta"
    beta.mkdir()
    (beta / "hash.c").write_text(C_SOURCE)
    (beta / "copied.py").write_text(PY_SOURCE)  # the same content in two sources: stored once
    manifest = root / "m.toml"
    manifest.write_text('[[source]]\nspec = "alpha"\nlicense = "MIT"\n\n'
                        '[[source]]\nspec = "beta"\nname = "beta-lib"\nlicense = "GPL-3.0-or-later"\n\n'
                        '[[source]]\nspec = "missing-folder"\n')
    loaded = load_manifest(manifest)
    local = root / "local.sqlite"
    with IndexDB.open_for_write(local) as db:
        build_from_manifest(db, loaded, cache=root / "cache", jobs=1)
    # closing the writer packed the bands and derived the statistics, as `licheck index build` does
    target = root / "spark.sqlite"
    result = build_with_spark(loaded, target, cache=root / "cache", session=spark)
    assert [s.record.name if s.record else None for s in result.report.sources] == ["alpha", "beta-lib", None]
    assert result.failed_labels == [loaded.entries[2].ref.label]
    assert "missing-folder" in result.report.failed[0].error
    assert not (root / ".spark.sqlite.spark-work").exists(), "the Parquet rows were left behind"
    return root, local, target


def _dump(path: Path, sql: str) -> list[tuple]:
    if sql == "band rows":  # through the store's reader: the on-disk band layout is the store's business
        with IndexDB.open_readonly(path) as index:
            rows = index.band_rows()
        return sorted(map(tuple, rows.tolist()))
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


TABLES = {
    "sources": "SELECT name, version, origin, digest, license, license_category, license_origin, file_count, unit_count"
               " FROM sources ORDER BY id",
    "files": "SELECT source_id, content_id, path, license, license_category, license_origin FROM files ORDER BY id",
    "contents": "SELECT id, digest, language, line_count, tokens, comments FROM contents ORDER BY id",
    "content_text": "SELECT content_id, text FROM content_text ORDER BY content_id",
    "units": "SELECT id, content_id, kind, name, start_line, end_line, ranges, token_count, digest, lineage"
             " FROM units ORDER BY id",
    "bands": "band rows",
    "statistics": "SELECT name, value FROM statistics ORDER BY name",
}


def test_every_packed_field_has_a_parquet_column() -> None:
    assert tuple(f.name for f in fields(PackedFile)) == PACKED_FIELDS


@pytest.mark.parametrize("table", sorted(TABLES))
def test_spark_and_local_builds_store_the_same_rows(built: tuple[Path, Path, Path], table: str) -> None:
    _, local, spark = built
    expected = _dump(local, TABLES[table])
    assert expected, f"the local build wrote no {table}"
    assert _dump(spark, TABLES[table]) == expected


def test_spark_and_local_builds_give_the_same_findings(built: tuple[Path, Path, Path]) -> None:
    _, local, spark = built
    query = PY_SOURCE.replace("intervals", "spans").replace("merged", "acc").replace("ordered", "by_start")
    target = ScanTarget(display="query.py", data=("import os\n\n" + query).encode())
    reports = []
    for path in (local, spark):
        with IndexDB.open_readonly(path) as db:
            report = Scanner(db).scan([target], jobs=1)
        reports.append([(f.start_line, f.end_line, f.source.name, f.source.path, f.source.start_line,
                         f.similarity, f.striking, f.source.license) for f in report.findings])
    assert reports[0], "the renamed copy was not found"
    assert reports[1] == reports[0]


def test_the_null_scans_give_the_same_scores_in_spark_in_processes_and_here(tmp_path: Path, spark: Any) -> None:
    from licheck.decide.derive import null_tasks
    from licheck.decide.null_scores import local_scores
    from licheck.engines.spark_null import spark_null_scores
    from tests.core.generated import write_task_projects
    from tests.core.helpers import build_index

    local = build_index(tmp_path / "authors.sqlite", *write_task_projects(tmp_path / "authors", range(40)))
    with IndexDB.open_readonly(local) as db:
        tasks = null_tasks(db)
    assert len(tasks) >= 10
    here = local_scores(1)(local, tasks)
    assert any(score > 0 for _, _, score in here), "no sampled unit met anything: the comparison says nothing"
    assert local_scores(2)(local, tasks) == here
    assert spark_null_scores(spark, tasks_per_slice=4)(local, tasks) == here
    assert spark_null_scores(spark, ship=True)(local, tasks) == here  # as on a cluster: the file is shipped


def test_a_build_that_fails_while_writing_leaves_the_previous_index(built: tuple[Path, Path, Path], spark: Any,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    root, _, target = built
    before = _dump(target, TABLES["units"])

    def broken_derive(db: IndexDB, **options: object) -> dict[str, float]:
        raise OSError("disk full")

    monkeypatch.setattr("licheck.engines.derive.derive_index", broken_derive)
    with pytest.raises(BuildFailed) as failure:
        build_with_spark(load_manifest(root / "m.toml"), target, cache=root / "cache", session=spark)
    assert "disk full" in str(failure.value) and "unchanged" in str(failure.value)
    assert "rebuild all 3 sources" in (failure.value.hint or "")
    assert _dump(target, TABLES["units"]) == before
    assert not fresh_path(target).exists()
    with IndexDB.open_readonly(target) as db:  # still opens, stamp checked, as a scan would
        assert db.unit_count() == len(before)


def test_a_spark_job_that_fails_leaves_the_previous_index(built: tuple[Path, Path, Path], spark: Any) -> None:
    root, _, target = built
    before = _dump(target, TABLES["bands"])
    (root / "not-a-folder").write_text("a file where the work folder's parent should be")
    with pytest.raises(BuildFailed) as failure:  # Spark itself cannot write the Parquet rows
        build_with_spark(load_manifest(root / "m.toml"), target, cache=root / "cache", session=spark,
                         work=root / "not-a-folder" / "work")
    assert "rebuild all 3 sources" in (failure.value.hint or "")
    assert _dump(target, TABLES["bands"]) == before
    assert not fresh_path(target).exists()


def test_cli_spark_build_names_the_sources_to_rebuild(built: tuple[Path, Path, Path], spark: Any) -> None:
    root, local, _ = built
    target = root / "cli.sqlite"
    result = CliRunner().invoke(cli, ["index", "build", str(root / "m.toml"), "--index", str(target),
                                      "--engine", "spark", "--cache", str(root / "cache")])
    assert result.exit_code == EXIT_ERROR, result.output  # one source failed
    assert "rebuild these sources: " in result.output and "missing-folder" in result.output
    assert _dump(target, TABLES["units"]) == _dump(local, TABLES["units"])


def test_a_source_whose_analysis_crashed_is_left_out_and_named(tmp_path: Path) -> None:
    hasher = MinHasher(SketchParams())
    good = analyze_row(FileRow(0, 0, "a.py", PY_SOURCE.encode(), "MIT", None, False), hasher)
    crashed = AnalyzedRow(1, 1, "b.c", None, None, failed="RuntimeError: parser blew up")
    rows = [SourceRow(0, SourceRecord("alpha", "1", "x", "", "d0", "MIT", "permissive", "")), good,
            SourceRow(1, SourceRecord("beta", "1", "y", "", "d1", "MIT", "permissive", "")),
            analyze_row(FileRow(1, 0, "c.c", C_SOURCE.encode(), "MIT", None, False), hasher), crashed]
    report = write_index(tmp_path / "i.sqlite", iter(rows), params=SketchParams(), total=2)
    assert [(s.number, s.error) for s in report.failed] == [(1, "b.c: RuntimeError: parser blew up")]
    with IndexDB.open_readonly(tmp_path / "i.sqlite") as db:
        assert [s["name"] for s in db.list_sources()] == ["alpha"]
        assert db.unit_count() == report.sources[0].units > 0  # beta's c.c was rolled back with it


def test_a_sharded_folder_is_refused_before_anything_runs(built: tuple[Path, Path, Path]) -> None:
    root, _, _ = built
    folder = root / "sharded"
    folder.mkdir()
    with pytest.raises(UsageError, match="sharded index folder"):
        build_with_spark(load_manifest(root / "m.toml"), folder, cache=root / "cache")
    assert list(folder.iterdir()) == []


def test_scan_never_imports_pyspark(built: tuple[Path, Path, Path]) -> None:
    root, local, _ = built
    (root / "q.py").write_text(PY_SOURCE)
    code = ("import sys; from licheck.cli import main; sys.argv = ['licheck', 'scan', sys.argv[1], '--index', sys.argv[2],"
            " '--format', 'json', '--output', sys.argv[3]]\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "assert 'pyspark' not in sys.modules, 'scan imported pyspark'")
    done = subprocess.run([sys.executable, "-c", code, str(root / "q.py"), str(local), str(root / "out.json")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_help_never_imports_pyspark() -> None:
    code = ("import sys\nfrom licheck.cli import cli\nfor args in (['--help'], ['index', 'build', '--help']):\n"
            "    try:\n        cli.main(args)\n    except SystemExit:\n        pass\n"
            "assert 'pyspark' not in sys.modules and 'licheck.engines' not in sys.modules, 'help imported the engine'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "--engine [local|spark]" in done.stdout


def test_an_interrupted_spark_build_leaves_the_previous_index(built: tuple[Path, Path, Path]) -> None:
    """Ctrl-C while Spark runs: the command says what happened, exits 2, and the old index is as it was."""
    root, _, spark = built
    target = root / "interrupted.sqlite"
    shutil.copy(spark, target)
    before = target.read_bytes()
    work = root / "interrupted-work"
    command = [sys.executable, "-m", "licheck", "index", "build", str(root / "m.toml"), "--index", str(target),
               "--engine", "spark", "--jobs", "1", "--cache", str(root / "cache"), "--work", str(work)]
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while not work.exists() and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # the Parquet job has started: the build is under way
    assert build.poll() is None, "the build ended before it could be interrupted"
    build.send_signal(signal.SIGINT)
    _, stderr = build.communicate(timeout=90)
    assert build.returncode == EXIT_ERROR, stderr
    assert "the build did not finish (KeyboardInterrupt)" in stderr and "is unchanged" in stderr, stderr
    assert "rebuild all 3 sources" in stderr
    assert target.read_bytes() == before
    assert not fresh_path(target).exists()
    with IndexDB.open_readonly(target) as db:
        assert db.unit_count() > 0
