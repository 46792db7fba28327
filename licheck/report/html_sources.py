"""Where the HTML report's code comes from: the scanned files (query side) and the index's stored text (source side).

Each reader returns a file's lines, or a sentence saying why they cannot be shown; it never raises for a
missing or changed file, because a report of the rest is still worth having.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from licheck.report.html_code import split_lines

Lines = list[str] | str  # the lines, or why there are none


class QueryFiles:
    """Scanned files, by the path the report names them with."""

    def __init__(self, read: Callable[[str], bytes | None], *, where: str) -> None:
        self._read = read
        self._where = where
        self._cache: dict[str, Lines] = {}

    @classmethod
    def on_disk(cls, root: Path) -> QueryFiles:
        """Re-read files from disk, relative paths from ``root`` (for `licheck report` on a saved JSON report)."""

        def read(path: str) -> bytes | None:
            try:
                return (root / path).read_bytes()
            except OSError:
                return None

        return cls(read, where=f"under {root}")

    def lines(self, path: str) -> Lines:
        if path not in self._cache:
            data = self._read(path)
            self._cache[path] = (f"{path} is not there any more ({self._where}): the query code cannot be shown"
                                 if data is None else split_lines(data))
        return self._cache[path]


class IndexTexts:
    """Indexed code by the finding's ``source.unit_id``, from the text the index keeps for each content."""

    def __init__(self, index: Any | None, *, unavailable: str = "") -> None:
        self._index = index  # an open IndexDB, or None with the reason in ``unavailable``
        self._unavailable = unavailable
        self._cache: dict[int, Lines] = {}

    @classmethod
    def open(cls, path: str | None) -> IndexTexts:
        """The index at ``path`` read-only; when it cannot be opened, every source reads as the reason why."""
        if not path:
            return cls(None, unavailable="the report names no index (pass --index): source code not shown")
        from licheck.errors import LicheckError
        from licheck.store.opening import open_index

        try:
            return cls(open_index(path))
        except LicheckError as exc:
            return cls(None, unavailable=f"source code not shown: {exc}")

    def close(self) -> None:
        if self._index is not None:
            self._index.close()

    def __enter__(self) -> IndexTexts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def problem(self) -> str:
        return self._unavailable

    def lines(self, source: Mapping[str, Any]) -> Lines:
        if self._index is None:
            return self._unavailable
        unit_id = source.get("unit_id")
        if not isinstance(unit_id, int) or unit_id <= 0:
            return "the report does not say which indexed unit matched (it predates unit ids): source code not shown"
        if unit_id not in self._cache:
            self._cache[unit_id] = self._read(unit_id, source)
        return self._cache[unit_id]

    def _read(self, unit_id: int, source: Mapping[str, Any]) -> Lines:
        rows = self._index.units([unit_id])  # type: ignore[union-attr]
        changed = "the index changed since the scan (rebuild the report from a new scan): source code not shown"
        if not rows:
            return changed
        content_id = rows[0].content_id
        placements = self._index.placements(content_id)  # type: ignore[union-attr]
        if not any(p.path == source.get("path") and p.source.name == source.get("name") for p in placements):
            return changed
        text = self._index.content_text(content_id)  # type: ignore[union-attr]
        if text is None:
            return "the index keeps no text for this file (it was indexed by an older licheck: rebuild the index)"
        return text.splitlines()
