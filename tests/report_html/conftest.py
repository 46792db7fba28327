"""A real scan to render: our own fixture code indexed under GPL, MIT and no license, scanned from copies of it
(one in a file whose name and code carry an HTML injection attempt). Chromium runs through tests/browser.py."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from licheck.cli import cli
from licheck.indexer import SourceSpec, add_source
from licheck.store.index_db import IndexDB

DATA = Path(__file__).resolve().parents[1] / "scan" / "data"
HOSTILE = "</script><img src=x onerror=alert(1)>"
HOSTILE_PATH = f"{HOSTILE}.py"  # a folder "<" holding "script><img src=x onerror=alert(1)>.py"


@dataclass(frozen=True)
class Scanned:
    root: Path  # where the scan ran (report paths are relative to it)
    index: Path
    json_path: Path
    html_path: Path
    report: dict


@contextmanager
def working_dir(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _write_queries(root: Path) -> list[str]:
    gpl = (DATA / "gpl_source" / "intervals.py").read_text()
    (root / "copied_gpl.py").write_text("import os\n\n\n" + gpl)
    (root / "copied_mit.py").write_text((DATA / "mit_source" / "wrapping.py").read_text())
    (root / "copied_unknown.py").write_text((DATA / "unknown_source" / "tally.py").read_text())
    hostile = root / HOSTILE_PATH
    hostile.parent.mkdir(parents=True)
    lines = gpl.splitlines()
    lines.insert(5, f"    # {HOSTILE}")  # inside the copied function
    hostile.write_text("\n".join(lines) + "\n")
    return ["copied_gpl.py", "copied_mit.py", "copied_unknown.py", HOSTILE_PATH]


@pytest.fixture(scope="session")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Scanned:
    base = tmp_path_factory.mktemp("report")
    index = base / "index.sqlite"
    with IndexDB.open_for_write(index) as db:
        add_source(db, SourceSpec(DATA / "gpl_source", name="gplthing", version="1.0", license="GPL-3.0-only"), jobs=1)
        add_source(db, SourceSpec(DATA / "mit_source", name="mitwrap", version="2.1", license="MIT"), jobs=1)
        add_source(db, SourceSpec(DATA / "unknown_source", name="mystery", version="0.3", license="NOASSERTION"),
                   jobs=1)
    root = base / "work"
    root.mkdir()
    queries = _write_queries(root)
    runner = CliRunner()
    with working_dir(root):
        for fmt, name in (("json", "scan.json"), ("html", "scan.html")):
            result = runner.invoke(cli, ["scan", *queries, "--index", str(index), "--format", fmt, "-o", name])
            assert result.exit_code == 1, result.output  # the GPL copies are denied
    json_path = root / "scan.json"
    return Scanned(root, index, json_path, root / "scan.html", json.loads(json_path.read_text()))
