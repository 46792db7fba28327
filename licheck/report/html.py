"""The side-by-side HTML report of a scan: one self-contained page, made from the JSON report dict.

`licheck scan --format html` and `licheck report FILE.json` both end here, so a report rendered later from a
saved JSON report is the same page. Query code comes from the scanned files, source code from the index's
stored text; both are capped (context lines, lines per side, lines per report) so a large scan stays a page a
browser opens at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from licheck.report.html_code import Excerpt, Highlighter, highlight_css, make_excerpt
from licheck.report.html_model import FindingView, finding_views, summary_of
from licheck.report.html_sources import IndexTexts, Lines, QueryFiles


@dataclass(frozen=True)
class HtmlLimits:
    context: int = 3  # lines shown around the matched lines
    side_lines: int = 60  # lines shown per side of one finding
    report_lines: int = 150_000  # code lines in the whole report; later findings show none
    report_bytes: int = 9_000_000  # code markup in the whole report: with the rest, a page of ≈ 15 MB at most
    highlight_lines: int = 40_000  # lines highlighted by Pygments; the rest are shown plain
    line_chars: int = 240  # longer lines are clipped (minified code)


def render_html(report: Mapping[str, Any], *, queries: QueryFiles, sources: IndexTexts,
                limits: HtmlLimits = HtmlLimits()) -> str:
    """The page for ``report`` (a dict in the shape of licheck's JSON report)."""
    from licheck.render import render_page

    views = finding_views(report)
    _attach_code(views, queries, sources, limits)
    return render_page(
        "scan_report.html.j2",
        summary=summary_of(report, views),
        findings=views,
        records=[v.filter_record() for v in views],
        code_css=highlight_css(".code"),
        index_problem=sources.problem,
        limits=limits,
    )


def _attach_code(views: list[FindingView], queries: QueryFiles, sources: IndexTexts, limits: HtmlLimits) -> None:
    highlighter = Highlighter(limits.highlight_lines)
    left, left_bytes = limits.report_lines, limits.report_bytes
    for view in views:
        if left <= 0 or left_bytes <= 0:
            limit = (f"{limits.report_lines} code lines" if left <= 0
                     else f"{limits.report_bytes / 1e6:g} MB of code")
            omitted = Excerpt(note=f"code not embedded: the report's limit of {limit} is reached (render fewer "
                                   f"findings, e.g. `licheck report FILE.json --path {view.data.get('path', '')}`)")
            view.query = view.source = omitted
            continue
        view.query = _excerpt(queries.lines(str(view.data.get("path", ""))), [q for q, _ in view.blocks],
                              str(view.data.get("path", "")), limits, highlighter)
        view.source = _excerpt(sources.lines(view.src), [s for _, s in view.blocks],
                               str(view.src.get("path", "")), limits, highlighter)
        left -= len(view.query.lines) + len(view.source.lines)
        left_bytes -= _markup_size(view.query) + _markup_size(view.source)


def _markup_size(excerpt: Excerpt) -> int:
    """About the bytes the excerpt takes in the page (its code, and each line's element)."""
    return sum(len(str(line.code)) + 24 for line in excerpt.lines)


def _excerpt(lines: Lines, blocks: list[tuple[int, int]], path: str, limits: HtmlLimits,
             highlighter: Highlighter) -> Excerpt:
    if isinstance(lines, str):
        return Excerpt(note=lines)
    return make_excerpt(lines, blocks, path=path, context=limits.context, max_lines=limits.side_lines,
                        max_chars=limits.line_chars, highlighter=highlighter)


def render_scan_html(report: Mapping[str, Any], *, read_query: Callable[[str], bytes | None],
                     index_path: str | None = None, limits: HtmlLimits = HtmlLimits()) -> str:
    """The page for a scan just run: query code from what was scanned, source code from its index."""
    with IndexTexts.open(index_path or (report.get("index") or {}).get("path")) as sources:
        return render_html(report, queries=QueryFiles(read_query, where="in the scan's inputs"), sources=sources,
                           limits=limits)


def render_saved_html(report: Mapping[str, Any], *, root: Path, index_path: str | None = None,
                      limits: HtmlLimits = HtmlLimits()) -> str:
    """The page for a saved JSON report: scanned files re-read under ``root``, the index it names (or another)."""
    with IndexTexts.open(index_path or (report.get("index") or {}).get("path")) as sources:
        return render_html(report, queries=QueryFiles.on_disk(root), sources=sources, limits=limits)


def read_json_report(path: str | Path) -> dict[str, Any]:
    """A saved `licheck scan --format json` report, or InputError saying why it is not one."""
    import json

    from licheck.errors import InputError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"report not found: {path}", hint="save one with `licheck scan … --format json -o FILE`") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"cannot read report {path}: {exc}", hint="pass a `licheck scan --format json` report") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise InputError(f"{path} is not a licheck JSON report (no findings list)",
                         hint="pass a `licheck scan --format json` report")
    return data


def only_paths(report: Mapping[str, Any], paths: tuple[str, ...]) -> dict[str, Any]:
    """The report with only the findings in the scanned files ``paths`` (the summary stays the scan's)."""
    wanted = set(paths)
    return {**report, "findings": [f for f in report.get("findings", []) if f.get("path") in wanted]}
