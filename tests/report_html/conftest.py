"""A real scan to render: our own fixture code indexed under GPL, MIT and no license, scanned from copies of it
(one in a file whose name and code carry an HTML injection attempt); and headless Debian chromium to view it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
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


def chromium_binary() -> str:
    """Debian's chromium; skipped when absent, except in CI (env CI set) where its absence is a failure."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed (CI installs it: apt-get install -y chromium)")
    pytest.skip("chromium is not installed (apt-get install -y chromium)")


def run_chromium(page: Path, *extra: str, fragment: str = "", timeout: int = 90) -> subprocess.CompletedProcess[str]:
    """Headless chromium, network off (every host resolves to nothing), a fresh profile, on file://page#fragment."""
    binary = chromium_binary()
    with tempfile.TemporaryDirectory(prefix="licheck-chromium-") as profile:
        url = page.resolve().as_uri() + (f"#{fragment}" if fragment else "")
        args = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND", *extra, url]
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)


def dump_dom(page: Path, *, fragment: str = "", extra: tuple[str, ...] = ()) -> str:
    result = run_chromium(page, "--dump-dom", *extra, fragment=fragment)
    assert result.returncode == 0 and "<html" in result.stdout, result.stderr[-2000:]
    return result.stdout
