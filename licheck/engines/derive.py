"""The index's derived statistics (lineages, the null distribution), once this licheck computes them.

They come from ``licheck.decide.derive.derive_statistics(db)``, run on a written index; a Spark build runs the
same function on the index it wrote, so both engines store the same result. Until that module exists, builds
skip the step (the index then reads as having stale statistics, as one written before them).
"""

from __future__ import annotations

import importlib
from typing import Any

from licheck.store.index_db import IndexDB

_MODULE = "licheck.decide.derive"


def derive_if_available(db: IndexDB, **options: Any) -> bool:
    """Run ``derive_statistics(db, **options)`` when this licheck has it; True when it ran."""
    try:
        module = importlib.import_module(_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name not in (_MODULE, "licheck.decide"):  # a module it imports is missing: a real error
            raise
        return False
    module.derive_statistics(db, **options)
    return True
