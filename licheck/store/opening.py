"""Opening an index for reading: one file, or a sharded folder alike (what ``scan`` and ``index info`` open)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from licheck.store.index_db import IndexDB

if TYPE_CHECKING:
    from licheck.store.shards import ShardedIndex


def open_index(path: str | Path) -> IndexDB | ShardedIndex:
    path = Path(path)
    if path.is_dir():
        # imported only for a folder: a pre-commit hook's scan of one file never loads the shard machinery
        from licheck.store.shards import ShardedIndex

        return ShardedIndex.open(path)
    return IndexDB.open_readonly(path)
