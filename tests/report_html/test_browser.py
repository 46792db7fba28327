"""The report as a reader sees it: loaded in headless chromium (network off), the DOM read back after the page's
script ran. Filters and sort come from the URL's fragment, which the page reads on load, as a shared link would."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from licheck.report.html import render_html
from licheck.report.html_sources import IndexTexts, QueryFiles
from tests.browser import dump_dom, screenshot
from tests.report_html.conftest import HOSTILE, HOSTILE_PATH, Scanned
from tests.report_html.dom import Page, read_page


@pytest.fixture(scope="module")
def shown(scanned: Scanned, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Page]:
    dom = dump_dom(scanned.html_path, tmp_path_factory.mktemp("chromium"))
    return dom, read_page(dom)


def articles(page: Page) -> list[dict[str, str | None]]:
    return [attrs for tag, attrs in page.tags if tag == "article"]


def shown_count(dom: str) -> str:
    found = re.search(r'<output id="shown"[^>]*>([^<]*)</output>', dom)
    assert found, "no count of shown findings in the DOM"
    return found.group(1)


def test_the_page_script_runs_and_every_finding_is_there(scanned: Scanned, shown: tuple[str, Page]) -> None:
    dom, page = shown
    body = next(attrs for tag, attrs in page.tags if tag == "body")
    assert body.get("data-ready-ms") is not None  # the script ran to its end
    ids = [a.get("data-id") for a in articles(page)]
    assert sorted(ids) == sorted(f["id"] for f in scanned.report["findings"])  # type: ignore[arg-type]
    assert not [a for a in articles(page) if "hidden" in a]
    total = len(scanned.report["findings"])
    assert shown_count(dom) == f"{total} of {total} findings shown"


def test_aligned_blocks_are_marked_on_both_sides_of_every_finding(scanned: Scanned, shown: tuple[str, Page]) -> None:
    _, page = shown
    order = [a.get("data-id") for a in articles(page)]
    for finding in scanned.report["findings"]:
        number = order.index(finding["id"])
        marked = {(side, n) for f, side, block, n in page.lines if f == number and block is not None}
        runs = finding.get("alignment") or [[finding["start_line"], finding["end_line"],
                                             finding["source"]["start_line"], finding["source"]["end_line"]]]
        query = {n for q_lo, q_hi, _, _ in runs for n in range(q_lo, q_hi + 1)}
        source = {n for _, _, s_lo, s_hi in runs for n in range(s_lo, s_hi + 1)}
        assert {n for side, n in marked if side == "query"} == query, finding["path"]
        assert {n for side, n in marked if side == "source"} == source, finding["path"]
        context = {(side, n) for f, side, block, n in page.lines if f == number and block is None}
        assert context and not context & ({("query", n) for n in query} | {("source", n) for n in source})


def test_a_policy_filter_in_the_url_hides_the_other_findings(scanned: Scanned, tmp_path: Path) -> None:
    dom = dump_dom(scanned.html_path, tmp_path, fragment="policy=deny")
    page = read_page(dom)
    visible = {a.get("data-id") for a in articles(page) if "hidden" not in a}
    hidden = {a.get("data-id") for a in articles(page) if "hidden" in a}
    denied = {f["id"] for f in scanned.report["findings"] if f["policy"] == "deny"}
    assert visible == denied and hidden and not hidden & denied
    assert shown_count(dom) == f"{len(denied)} of {len(scanned.report['findings'])} findings shown"


def test_category_and_text_filters_combine(scanned: Scanned, tmp_path: Path) -> None:
    dom = dump_dom(scanned.html_path, tmp_path, fragment="cat=permissive&q=mit")
    visible = {a.get("data-id") for a in articles(read_page(dom)) if "hidden" not in a}
    assert visible == {f["id"] for f in scanned.report["findings"] if f["path"] == "copied_mit.py"}
    dom = dump_dom(scanned.html_path, tmp_path, fragment="src=mystery%200.3")  # a summary table's link
    visible = {a.get("data-id") for a in articles(read_page(dom)) if "hidden" not in a}
    assert visible == {f["id"] for f in scanned.report["findings"] if f["source"]["name"] == "mystery"}
    assert shown_count(dom).endswith("(source mystery 0.3)")


def test_sort_and_similarity_floor_from_the_url(scanned: Scanned, tmp_path: Path) -> None:
    report = json.loads(scanned.json_path.read_text())
    for finding in report["findings"]:  # policies in another order than file names, so the two sorts differ
        finding["policy"] = {"copied_unknown.py": "deny", HOSTILE_PATH: "allow"}.get(finding["path"], "warn")
        finding["similarity"] = 0.7 if finding["path"] == "copied_gpl.py" else 0.95
    page_path = tmp_path / "resorted.html"
    with IndexTexts.open(str(scanned.index)) as sources:
        page_path.write_text(render_html(report, queries=QueryFiles.on_disk(scanned.root), sources=sources))
    by_id = {f["id"]: f for f in report["findings"]}
    default = [by_id[a["data-id"]] for a in articles(read_page(dump_dom(page_path, tmp_path)))]  # type: ignore[index]
    assert [f["policy"] for f in default] == ["deny", "warn", "warn", "warn", "allow", "allow"]
    resorted = [by_id[a["data-id"]] for a in articles(read_page(dump_dom(page_path, tmp_path, fragment="sort=file")))]  # type: ignore[index]
    assert [f["path"] for f in resorted] == sorted(f["path"] for f in report["findings"])
    assert [f["path"] for f in resorted] != [f["path"] for f in default]
    dom = dump_dom(page_path, tmp_path, fragment="min=0.9&sort=similarity")
    kept = [by_id[a["data-id"]] for a in articles(read_page(dom)) if "hidden" not in a]  # type: ignore[index]
    assert {f["path"] for f in kept} == {"copied_unknown.py", "copied_mit.py", HOSTILE_PATH}
    assert shown_count(dom) == "4 of 6 findings shown"


def test_a_finding_id_in_the_url_opens_that_finding(scanned: Scanned, tmp_path: Path) -> None:
    target = next(f["id"] for f in scanned.report["findings"] if f["path"] == "copied_unknown.py")
    page = read_page(dump_dom(scanned.html_path, tmp_path, fragment=f"open={target}"))
    opened = []
    current = None
    for tag, attrs in page.tags:
        if tag == "article":
            current = attrs.get("data-id")
        elif tag == "details" and "open" in attrs:
            opened.append(current)
    assert opened == [target]


def test_hostile_file_name_and_code_stay_text_in_the_rendered_page(scanned: Scanned, shown: tuple[str, Page]) -> None:
    dom, page = shown
    assert not [t for t, a in page.tags if t in ("img", "iframe", "object") or any(k.startswith("on") for k in a)]
    scripts = [a for t, a in page.tags if t == "script"]
    assert len(scripts) == 2  # the records and the page's script: nothing injected
    escaped = HOSTILE.replace("<", "&lt;").replace(">", "&gt;")
    assert dom.count(escaped) >= 3  # file name in the headline and side heading, the comment in the code
    hostile_ids = {f["id"] for f in scanned.report["findings"] if f["path"] == HOSTILE_PATH}
    assert hostile_ids <= {a.get("data-id") for a in articles(page)}


def test_a_screenshot_of_the_report_is_an_image(scanned: Scanned, tmp_path: Path) -> None:
    png = screenshot(scanned.html_path, tmp_path / "report.png", (900, 600), fragment="open=" +
                     scanned.report["findings"][0]["id"], tmp_path=tmp_path)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 900 and int.from_bytes(data[20:24], "big") == 600
