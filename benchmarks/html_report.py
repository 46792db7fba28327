"""The HTML report of the peers' 2,086-query scan: time to write it, its size, and headless Chromium's load time.

usage: python benchmarks/html_report.py [--work ~/.cache/licheck-peers] [--index FILE] [--out DIR] [--rescan]
Needs the peers' corpus index and test set (benchmarks/peers_accuracy.py builds the index; one this licheck
refuses, an older layout, is rebuilt from the corpus into --out, as peers_accuracy builds it). Scans
testset/queries once with `licheck scan --format json` (kept under --out), then times, best of --repeat:
rendering and writing the page in-process, and `licheck report scan.json -o report.html` as a user runs it.
Chromium (tests/browser.py: headless, network off) loads the page: wall time of the whole run next to that of an
empty page (the difference is the page's cost), the script's own ready time (``data-ready-ms``: since navigation
start, so parsing and layout of the DOM included), and the time to apply a filter and a sort from the URL.
Targets (issue 12): written in ≤ 5 s, ≤ 15 MB.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests/browser.py, the chromium runner the browser tests use

from benchmarks.peers_accuracy import build  # noqa: E402
from licheck.errors import IndexMismatchError, LicheckError  # noqa: E402
from licheck.report.html import read_json_report, render_saved_html  # noqa: E402
from licheck.store.index_db import IndexDB  # noqa: E402
from tests.browser import dump_dom  # noqa: E402


def scan(work: Path, index: Path, json_path: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "licheck", "scan", "testset/queries", "--index", str(index),
                             "--format", "json", "-o", str(json_path)], cwd=work, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        sys.exit(f"scan failed ({result.returncode}): {result.stderr[-2000:]}")
    return time.perf_counter() - start


def readable_index(work: Path, index: Path, out: Path) -> Path:
    """``index`` if this licheck reads it, else a copy rebuilt from the corpus under ``out`` (as peers_accuracy does)."""
    try:
        IndexDB.open_readonly(index).close()
        return index
    except IndexMismatchError as exc:
        rebuilt = out / "index.sqlite"
        try:
            IndexDB.open_readonly(rebuilt).close()
            return rebuilt
        except LicheckError:  # not there yet, or refused too
            pass
        print(f"{exc}: rebuilding {rebuilt} from the corpus", file=sys.stderr)
        print(f"index rebuilt in {build(work, rebuilt, os.cpu_count() or 1):.0f} s", file=sys.stderr)
        return rebuilt


def best_of(repeat: int, run) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Least wall time and least CPU time (this process and its children) of ``repeat`` runs: on a shared machine
    the CPU time is the figure that load does not inflate."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), _cpu_s()
        run()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu_s() - cpu)
    return min(walls), min(cpus)


def _cpu_s() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def chromium_figures(page: Path, empty: Path, tmp: Path, repeat: int) -> dict[str, str]:
    walls, empties, ready = [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        dom = dump_dom(page, tmp)
        walls.append(time.perf_counter() - start)
        ready.append(float(_attr(dom, "data-ready-ms")))
        start = time.perf_counter()
        dump_dom(empty, tmp)
        empties.append(time.perf_counter() - start)
    filtered = dump_dom(page, tmp, fragment="policy=deny&sort=file")
    shown = re.search(r'<output id="shown"[^>]*>([^<]*)<', filtered)
    return {"wall": f"{min(walls):.2f} s", "empty page wall": f"{min(empties):.2f} s",
            "page's own ready time": f"{min(ready):.0f} ms",
            "filter+sort from URL (apply)": f"{float(_attr(filtered, 'data-apply-ms')):.0f} ms "
                                             f"({shown.group(1) if shown else '?'})"}


def _attr(dom: str, name: str) -> str:
    found = re.search(rf'{name}="([0-9.]+)"', dom)
    if not found:
        sys.exit(f"the page did not run its script (no {name} in the DOM)")
    return found.group(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("PEERS_WORK", Path.home() / ".cache/licheck-peers")))
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="where scan.json and report.html go (default: WORK/html-report)")
    parser.add_argument("--rescan", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = args.work.resolve()
    index = (args.index or work / "licheck-index.sqlite").resolve()
    out = (args.out or work / "html-report").resolve()
    out.mkdir(parents=True, exist_ok=True)
    json_path, page = out / "scan.json", out / "report.html"
    index = readable_index(work, index, out)
    stale = json_path.exists() and read_json_report(json_path).get("index", {}).get("path") != str(index)
    if args.rescan or stale or not json_path.exists():  # unit ids in the JSON are the index's
        print(f"scan of testset/queries: {scan(work, index, json_path):.1f} s", file=sys.stderr)
    report = read_json_report(json_path)
    load_start = os.getloadavg()

    def render_and_write() -> None:
        page.write_text(render_saved_html(report, root=work, index_path=str(index)), encoding="utf-8")

    write_s = best_of(args.repeat, render_and_write)
    cli_s = best_of(args.repeat, lambda: subprocess.run(
        [sys.executable, "-m", "licheck", "report", str(json_path), "--root", str(work), "--index", str(index),
         "-o", str(page)], check=True))
    html = page.read_text(encoding="utf-8")
    articles = html.count('<article class="finding"')
    code_lines = html.count('<span data-n=')
    with tempfile.TemporaryDirectory(prefix="licheck-bench-") as tmp:
        empty = Path(tmp) / "empty.html"
        empty.write_text("<!doctype html><title>empty</title><p>empty</p>")
        browser = chromium_figures(page, empty, Path(tmp), args.repeat)
    load = os.getloadavg()
    print(f"load average at the start: {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}")
    print(f"report of {report['summary'].get('files_scanned', '?')} scanned files: {articles} findings, "
          f"{code_lines} code lines embedded")
    print(f"render + write (in-process, best of {args.repeat}): {write_s[0]:.2f} s wall, {write_s[1]:.2f} s CPU"
          "   target <= 5 s")
    print(f"`licheck report scan.json -o report.html` (best of {args.repeat}): {cli_s[0]:.2f} s wall, "
          f"{cli_s[1]:.2f} s CPU")
    print(f"size: {page.stat().st_size / 1e6:.2f} MB   target <= 15 MB")
    print(f"headless chromium (best of {args.repeat}): " + "; ".join(f"{k} {v}" for k, v in browser.items()))
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
