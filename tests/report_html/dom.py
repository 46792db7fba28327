"""Reading a report page back as a browser's tokenizer sees it: start tags, and code lines with their blocks."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"meta", "link", "br", "img", "input", "hr", "wbr", "source", "area", "base", "col", "embed", "track"}
Attrs = dict[str, str | None]


class Page(HTMLParser):
    """Every start tag (with attributes), and every code line: (finding number, side, aligned block, line number)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, Attrs]] = []
        self.lines: list[tuple[int, str, str | None, int]] = []
        self._open: list[tuple[str, Attrs]] = []

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        self.tags.append((tag, attrs))
        if tag in VOID:
            return
        if tag == "span" and attrs.get("data-n") is not None:
            self.lines.append((self._finding(), self._side(), self._nearest("data-b"), int(attrs["data-n"] or 0)))
        self._open.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, -1, -1):  # close up to the matching element, like a browser
            if self._open[depth][0] == tag:
                del self._open[depth:]
                return

    def _nearest(self, name: str) -> str | None:
        return next((a[name] for _, a in reversed(self._open) if a.get(name) is not None), None)

    def _finding(self) -> int:
        found = next((a.get("id") or "" for t, a in reversed(self._open) if t == "article"), "")
        return int(found[1:]) if found.startswith("f") else -1

    def _side(self) -> str:
        for _, attrs in reversed(self._open):
            classes = (attrs.get("class") or "").split()
            if "side" in classes:
                return "query" if "query" in classes else "source"
        return ""


def read_page(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page
