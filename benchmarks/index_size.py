"""Bytes per unit of an index, by table and index, from SQLite's dbstat (pages in use, overhead included).

usage: python benchmarks/index_size.py INDEX [INDEX...]     (a file, or a sharded index's folder)
Prints, for each index, the file size, units, and bytes per unit of every table/index, largest first, and
one JSON line with the same figures.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path


def table_bytes(path: Path) -> dict[str, int]:
    db = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    finally:
        db.close()
    return {name: int(size) for name, size in rows}


def unit_count(path: Path) -> int:
    db = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True)
    try:
        return int(db.execute("SELECT count(*) FROM units").fetchone()[0])
    finally:
        db.close()


def measure(target: Path) -> dict[str, object]:
    files = sorted(target.glob("*.sqlite")) if target.is_dir() else [target]
    sizes: dict[str, int] = {}
    for file in files:
        for name, size in table_bytes(file).items():
            sizes[name] = sizes.get(name, 0) + size
    units = max(unit_count(f) for f in files)  # the shards of a folder hold no units; its core holds all
    on_disk = sum(f.stat().st_size for f in files)
    return {"index": str(target), "files": len(files), "units": units, "bytes": on_disk,
            "bytes_per_unit": round(on_disk / max(units, 1), 1),
            "by_table": {k: round(v / max(units, 1), 1) for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])}}


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for raw in sys.argv[1:]:
        figures = measure(Path(raw))
        print(f"{figures['index']}: {figures['units']:,} units, {figures['bytes']:,} bytes in {figures['files']}"
              f" file(s) = {figures['bytes_per_unit']} B/unit")
        for name, per_unit in figures["by_table"].items():  # type: ignore[union-attr]
            print(f"  {name:32} {per_unit:8.1f} B/unit")
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
