"""Summarise the output of `licheck index build` (one line per source): per ecosystem, sources indexed and
failed, new units, files, and the seconds the build spent fetching and indexing them.

    licheck index build indexes/popular.toml --index popular.sqlite -j 2 2>&1 | tee build.log
    python benchmarks/build_log_summary.py build.log
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

LINE = re.compile(r"^\[(\d+)/(\d+)\] (\w+):(\S+?): (.*)$")
INDEXED = re.compile(r"(\d+) files, (\d+) new units.*\((\d+(?:\.\d+)?) s fetch, (\d+(?:\.\d+)?) s index\)")


def summarise(text: str) -> dict[str, dict[str, float]]:
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for line in text.splitlines():
        match = LINE.match(line)
        if not match:
            continue
        kind, rest = match.group(3), match.group(5)
        row = totals[kind]
        found = INDEXED.search(rest)
        if found:
            row["indexed"] += 1
            row["files"] += int(found.group(1))
            row["new_units"] += int(found.group(2))
            row["fetch_s"] += float(found.group(3))
            row["index_s"] += float(found.group(4))
        elif rest.startswith("failed"):
            row["failed"] += 1
        else:
            row["other"] += 1
    every = defaultdict(float)
    for row in totals.values():
        for key, value in row.items():
            every[key] += value
    return {**{k: dict(v) for k, v in sorted(totals.items())}, "all": dict(every)}


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    figures = summarise(Path(sys.argv[1]).read_text(errors="replace"))
    for kind, row in figures.items():
        rate = row.get("new_units", 0) / max(row.get("index_s", 0), 1e-9)
        print(f"{kind:6} indexed {int(row.get('indexed', 0)):5}  failed {int(row.get('failed', 0)):4}  "
              f"files {int(row.get('files', 0)):8,}  new units {int(row.get('new_units', 0)):10,}  "
              f"index {row.get('index_s', 0):8.1f} s ({rate:,.0f} units/s)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
