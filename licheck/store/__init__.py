from licheck.store.index_db import IndexDB, SourceRecord

__all__ = ["IndexDB", "SourceRecord"]
