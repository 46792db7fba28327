"""The HTML report as a file: both sides' code from a real scan and index, escaped, capped, one path for
`scan --format html` and `licheck report FILE.json`, and honest about what it cannot show."""

from __future__ import annotations

import html as html_lib
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from licheck.cli import cli
from licheck.report.html import HtmlLimits, render_html
from licheck.report.html_sources import IndexTexts, QueryFiles
from tests.report_html.conftest import DATA, HOSTILE, Scanned, working_dir
from tests.report_html.dom import read_page


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    return read_page(html).tags


def test_scan_and_saved_json_render_the_same_page(scanned: Scanned) -> None:
    with working_dir(scanned.root):
        result = CliRunner().invoke(cli, ["report", "scan.json", "-o", "again.html"])
    assert result.exit_code == 0, result.output
    assert (scanned.root / "again.html").read_text() == scanned.html_path.read_text()


def test_both_sides_show_the_real_lines_with_the_match_marked(scanned: Scanned) -> None:
    html = scanned.html_path.read_text()
    finding = next(f for f in scanned.report["findings"] if f["path"] == "copied_gpl.py")
    source_first = (DATA / "gpl_source" / "intervals.py").read_text().splitlines()[finding["source"]["start_line"] - 1]
    marked = {(side, n) for _, side, block, n in read_page(html).lines if block is not None}
    assert ("query", finding["start_line"]) in marked and ("source", finding["source"]["start_line"]) in marked
    assert "merge_intervals" in html and source_first.split("(")[0].split()[-1] in html
    assert 'class="k">def</span>' in html  # highlighted by Pygments


def test_hostile_file_name_and_code_are_text_not_markup(scanned: Scanned) -> None:
    html = scanned.html_path.read_text()
    assert HOSTILE not in html
    assert not [a for tag, a in elements(html) if tag == "img" or "onerror" in a]
    assert html.count("</script>") == html.count("<script")  # no script closed early
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_page_loads_nothing_from_the_network(scanned: Scanned) -> None:
    html = scanned.html_path.read_text()
    assert "default-src 'none'" in html
    for _tag, attrs in elements(html):
        for name in ("src", "href", "action"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value), (name, value)


def test_every_finding_has_its_id_license_holders_and_accept_command(scanned: Scanned) -> None:
    html = scanned.html_path.read_text()
    ids = [a.get("data-id") for tag, a in elements(html) if tag == "article"]
    assert sorted(ids) == sorted(f["id"] for f in scanned.report["findings"])  # type: ignore[arg-type]
    assert "GPL-3.0-only" in html and "obligations:" in html
    assert f"licheck baseline create .licheck-baseline.json copied_gpl.py --index {scanned.index}" in html


def test_alignment_runs_from_the_json_are_highlighted_as_blocks(scanned: Scanned, tmp_path: Path) -> None:
    report = json.loads(scanned.json_path.read_text())
    finding = next(f for f in report["findings"] if f["path"] == "copied_gpl.py")
    q, s = finding["start_line"], finding["source"]["start_line"]
    finding["alignment"] = [[q, q + 1, s, s + 1], [q + 4, q + 5, s + 4, s + 5]]
    report["findings"] = [finding]
    with IndexTexts.open(str(scanned.index)) as sources:
        html = render_html(report, queries=QueryFiles.on_disk(scanned.root), sources=sources)
    blocks = [(side, block, n) for _, side, block, n in read_page(html).lines if block is not None]
    assert sorted(blocks) == sorted([("query", "0", q), ("query", "0", q + 1), ("query", "1", q + 4),
                                     ("query", "1", q + 5), ("source", "0", s), ("source", "0", s + 1),
                                     ("source", "1", s + 4), ("source", "1", s + 5)])


def test_missing_scanned_file_and_missing_index_are_said_in_the_page(scanned: Scanned, tmp_path: Path) -> None:
    report = json.loads(scanned.json_path.read_text())
    report["index"]["path"] = str(tmp_path / "gone.sqlite")
    saved = tmp_path / "r.json"
    saved.write_text(json.dumps(report))
    result = CliRunner().invoke(cli, ["report", str(saved), "--root", str(tmp_path), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "r.html").read_text()
    assert "copied_gpl.py is not there any more" in html
    assert "source code not shown: index not found" in html


def test_code_is_capped_per_side_and_per_report(scanned: Scanned) -> None:
    limits = HtmlLimits(context=0, side_lines=3, report_lines=8, highlight_lines=0)
    with IndexTexts.open(str(scanned.index)) as sources:
        html = render_html(scanned.report, queries=QueryFiles.on_disk(scanned.root), sources=sources, limits=limits)
    code_lines = read_page(html).lines
    assert 0 < len(code_lines) <= 8 + 3 * 2
    assert "limit of 3 per side" in html and "limit of 8 code lines is reached" in html
    assert 'class="k">' not in html  # no highlighting budget: plain, escaped text
    with IndexTexts.open(str(scanned.index)) as sources:
        html = render_html(scanned.report, queries=QueryFiles.on_disk(scanned.root), sources=sources,
                           limits=HtmlLimits(report_bytes=1))
    assert len(read_page(html).lines) < sum(f["end_line"] - f["start_line"] + 1 for f in scanned.report["findings"])
    assert "limit of 1e-06 MB of code is reached" in html  # the first finding's code, then none


def test_report_of_a_file_that_is_not_a_report_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("[1, 2]")
    for target in (bad, tmp_path / "missing.json"):
        result = CliRunner().invoke(cli, ["report", str(target)])
        assert result.exit_code == 2


def test_only_the_findings_of_one_file(scanned: Scanned) -> None:
    with working_dir(scanned.root):
        result = CliRunner().invoke(cli, ["report", "scan.json", "--path", "copied_mit.py"])
    assert result.exit_code == 0
    ids = [a.get("data-id") for tag, a in elements(result.output) if tag == "article"]
    assert ids == [f["id"] for f in scanned.report["findings"] if f["path"] == "copied_mit.py"]


def test_scan_help_does_not_import_the_html_layer() -> None:
    code = ("import sys; from licheck.cli import main; sys.argv = ['licheck', 'scan', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "bad = [m for m in ('jinja2', 'pygments', 'markupsafe', 'licheck.report.html') if m in sys.modules]\n"
            "print('LOADED', bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "LOADED []" in out


def _holder(name: str, path: str, lineage: int, license: str = "GPL-3.0-only",
            category: str = "strong_copyleft") -> dict:
    return {"name": name, "version": "1.0", "path": path, "start_line": 3, "end_line": 21, "license": license,
            "license_category": category, "lineage": lineage}


NEWER_FIELDS = ("holders", "origin", "alignment", "lineage", "bits", "e_value")  # what the decision issue added


def _render_one(scanned: Scanned, *, older: bool = False, **fields: object) -> str:
    """The page of one GPL finding with ``fields`` set (``older``: without the fields newer scans carry)."""
    report = json.loads(scanned.json_path.read_text())
    finding = next(f for f in report["findings"] if f["path"] == "copied_gpl.py")
    if older:
        for name in NEWER_FIELDS:
            finding.pop(name, None)
        finding["evidence"] = {k: v for k, v in finding["evidence"].items() if k in ("shared_comments", "scores")}
        finding["decided_by"] = "licoeval"
    finding.update(fields)
    report["findings"] = [finding]
    with IndexTexts.open(str(scanned.index)) as sources:
        return render_html(report, queries=QueryFiles.on_disk(scanned.root), sources=sources)


def _cells(html: str, table_class: str) -> list[str]:
    """The text of each row of the first table with ``table_class`` (tags dropped)."""
    found = re.search(rf'<table class="{table_class}">(.*?)</table>', html, re.S)
    assert found, table_class
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split())
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S)]


def test_every_holder_the_origin_and_the_decision_evidence_are_shown(scanned: Scanned) -> None:
    holders = [_holder("vendorer", "third_party/intervals.py", 7, "MIT", "permissive"),
               _holder("gplthing", "intervals.py", 7)]
    html = _render_one(scanned, holders=holders, decided_by="e-value", bits=84.25, e_value=3.1e-12,
                       evidence={"structural_bits": 50.0, "lexical_bits": 34.25, "shared_comments": []},
                       origin={"name": "gplthing", "version": "1.0", "path": "intervals.py",
                               "rule": "earliest-release", "ambiguous": True})
    rows = _cells(html, "holders")
    assert rows[1].startswith("gplthing 1.0 origin intervals.py 3-21 GPL-3.0-only strong copyleft 7")  # origin first
    assert rows[2] == "vendorer 1.0 third_party/intervals.py 3-21 MIT permissive 7"
    assert "origin: the holder marked below" in html
    unlisted = _render_one(scanned, holders=holders[:1], origin={"name": "gplthing", "version": "1.0",
                                                                 "path": "intervals.py", "rule": "earliest-release"})
    assert "origin: <b>gplthing 1.0</b> <code>intervals.py</code>" in unlisted  # not a listed holder: named
    assert "(rule: earliest-release)" in html and "ambiguous: another holder may be the origin" in html
    evidence = _cells(html, "kv")
    assert "decided by e-value" in evidence and "e-value 3.1e-12" in evidence
    assert "bits 84.2 (structural 50.0, lexical 34.2)" in evidence
    assert "striking: e-value · E 3.1e-12" in html and "2 holders" in html


def test_a_long_list_of_holders_is_capped_and_counted(scanned: Scanned) -> None:
    holders = [_holder(f"fork{i:02}", f"vendor/{i}/intervals.py", i) for i in range(20)]
    rows = _cells(_render_one(scanned, holders=holders), "holders")
    assert len(rows) == 1 + 12 and rows[1].startswith("fork00 ")
    assert "and 8 more holder(s)" in _render_one(scanned, holders=holders)


def test_an_older_report_without_holders_or_origin_shows_its_one_source(scanned: Scanned) -> None:
    html = _render_one(scanned, older=True)
    rows = _cells(html, "holders")
    assert len(rows) == 2 and rows[1].startswith("gplthing 1.0 intervals.py")
    assert "origin:" not in html and "striking: licoeval</span>" in html  # no E-value, no holder count
    assert not [row for row in _cells(html, "kv") if row.startswith(("bits", "e-value"))]


def test_the_accept_command_in_the_page_accepts_the_finding(scanned: Scanned, tmp_path: Path) -> None:
    work = tmp_path / "work"
    shutil.copytree(scanned.root, work)
    finding = next(f for f in scanned.report["findings"] if f["path"] == "copied_mit.py")
    command = re.search(r'data-id="{}".*?<pre class="cmd">([^<]*)</pre>'.format(finding["id"]),
                        scanned.html_path.read_text(), re.S)
    assert command
    words = shlex.split(html_lib.unescape(command.group(1)))
    runner = CliRunner()
    with working_dir(work):
        assert runner.invoke(cli, words[1:]).exit_code == 0
        again = runner.invoke(cli, ["scan", "copied_mit.py", "copied_gpl.py", "--index", str(scanned.index),
                                    "--baseline", ".licheck-baseline.json", "--format", "json", "-o", "again.json"])
        assert again.exit_code == 1, again.output
        ids = {f["id"] for f in json.loads(Path("again.json").read_text())["findings"]}
    assert finding["id"] not in ids and ids  # accepted; the GPL copies are still reported
    report = json.loads(scanned.json_path.read_text())
    report["baseline"] = {"path": ".licheck-baseline.json", "accepted": 1}
    with IndexTexts.open(str(scanned.index)) as sources:
        html = render_html(report, queries=QueryFiles.on_disk(work), sources=sources)
    gpl_id = next(f["id"] for f in report["findings"] if f["path"] == "copied_gpl.py")
    assert (f"licheck baseline update .licheck-baseline.json copied_gpl.py --index {scanned.index} --id {gpl_id}"
            in html)  # a second acceptance adds to the first


def test_accepting_one_id_keeps_the_other_findings_of_its_file(scanned: Scanned, tmp_path: Path) -> None:
    work = tmp_path / "work"
    shutil.copytree(scanned.root, work)
    runner = CliRunner()
    with working_dir(work):
        report = runner.invoke(cli, ["scan", "copied_gpl.py", "copied_mit.py", "--index", str(scanned.index),
                                     "--format", "json", "-o", "all.json"])
        assert report.exit_code == 1
        ids = [f["id"] for f in json.loads(Path("all.json").read_text())["findings"]]
        assert len(ids) >= 2
        made = runner.invoke(cli, ["baseline", "create", "b.json", "copied_gpl.py", "copied_mit.py", "--index",
                                   str(scanned.index), "--id", ids[0]])
        assert made.exit_code == 0, made.output
        assert list(json.loads(Path("b.json").read_text())["findings"]) == [ids[0]]
        unknown = runner.invoke(cli, ["baseline", "update", "b.json", "copied_gpl.py", "--index",
                                      str(scanned.index), "--id", "0" * 24])
        assert unknown.exit_code == 2 and "no current finding has id" in unknown.output
        assert list(json.loads(Path("b.json").read_text())["findings"]) == [ids[0]]  # nothing lost


def test_hostile_license_holder_and_origin_text_is_escaped(scanned: Scanned) -> None:
    bad = _holder(HOSTILE, f"{HOSTILE}/x.py", 3, license=HOSTILE, category=HOSTILE)
    source = next(f["source"] for f in scanned.report["findings"] if f["path"] == "copied_gpl.py")
    source = {**source, "license": HOSTILE, "license_category": HOSTILE, "license_origin": HOSTILE, "url": HOSTILE}
    html = _render_one(scanned, holders=[bad], decided_by=HOSTILE, policy_reason=HOSTILE, source=source,
                       obligations=[HOSTILE],
                       origin={"name": HOSTILE, "path": HOSTILE, "rule": HOSTILE},
                       evidence={"shared_comments": [HOSTILE], "scores": {HOSTILE: 1.0}})
    assert HOSTILE not in html
    assert not [t for t, a in elements(html) if t == "img" or any(k.startswith("on") for k in a)]
    assert html.count("<script") == html.count("</script>") == 2
