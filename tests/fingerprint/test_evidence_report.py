"""verify --report: one self-contained HTML evidence report, read back by real headless chromium with the
network off (tests/browser.py)."""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner
from server import ModelServer, ServerMode

from licheck.cli import cli

sys.path.insert(0, str(Path(__file__).parents[1]))
from browser import dump_dom, run_chromium  # noqa: E402

HOSTILE = "</b><img src=x onerror=alert(1)>"


class _Links(HTMLParser):
    """Every src/href attribute and every element, as a browser's tokenizer sees the page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.imgs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v or "" for k, v in attrs if k in ("src", "href")]
        if tag == "img":
            self.imgs.append(dict(attrs))


def _links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def test_endpoint_evidence_report_renders_offline_with_verdict_statistics_hashes_and_calls(
        models, victim_fp, null_file, tmp_path) -> None:
    record, page, out = tmp_path / "record.jsonl", tmp_path / "report.html", tmp_path / "report.json"
    with ModelServer(models["bf16"], ServerMode()) as server:
        args = ["fingerprint", "verify", str(victim_fp), "--suspect-endpoint", server.url, "--suspect-name", HOSTILE,
                "--format", "json", "--max-positions", "8", "--record", str(record), "--report", str(page),
                "--output", str(out)]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    report = json.loads(out.read_text())
    dom = dump_dom(page, tmp_path)
    links = _links(dom)
    assert 'data-verdict="derived"' in dom and "Verdict: derived" in dom
    tested = [name for name, e in report["statistics"].items() if "threshold" in e]
    assert "s1" in tested and all(f'data-stat="{name}"' in dom for name in tested)
    assert len(links.imgs) == len(tested)
    assert report["inputs"]["fingerprint"] in dom and report["inputs"]["victim_weights"] in dom
    assert report["dispute_record"]["sha256"] in dom
    assert dom.count('class="call"') == report["calls"] == len(record.read_text().splitlines())
    assert all(json.loads(line)["request_sha256"] in dom for line in record.read_text().splitlines())
    assert report["null"]["kind"] in dom and "p-value resolution" in dom
    # self-contained: every plot inline and decoded by the browser with the network off, no remote URL anywhere
    assert links.imgs and all(str(i["src"]).startswith("data:image/png;base64,") for i in links.imgs)
    assert all(i.get("data-rendered") == "true" for i in links.imgs)
    assert not [u for u in links.urls if re.match(r"\s*(https?:)?//", u)]
    assert "default-src 'none'" in dom
    # the hostile suspect name stays text
    assert "onerror" not in "".join(str(i) for i in links.imgs) and "&lt;img src=x onerror" in dom


def test_evidence_report_prints_to_pdf(models, victim_fp, null_file, tmp_path) -> None:
    page, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    args = ["fingerprint", "verify", str(victim_fp), "--suspect-model", str(models["lora-head"]), "--report",
            str(page)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    html = page.read_text()
    assert "No endpoint was queried (weights access)" in html and 'data-stat="weight_overlap"' in html
    assert 'id="distillation"' in html and "consistent with a derivative" in html
    run_chromium(page.resolve().as_uri(), tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
