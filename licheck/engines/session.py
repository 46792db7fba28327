"""A SparkSession for licheck's jobs: bound to 127.0.0.1 in local mode, UI off, quiet logs.

Imported only by the Spark engine: pyspark is an optional extra (``licheck[spark]``) and needs Java 17+.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from licheck.errors import UsageError

LOCAL_MASTER = "local[*]"


def spark_session(master: str | None, *, app: str = "licheck-index", driver_memory: str = "2g",
                  conf: dict[str, str] | None = None) -> Any:
    """A session on ``master``; ``None`` takes spark-submit's master (``local[*]`` outside spark-submit).
    ``conf``: more Spark settings (e.g. an event log for benchmarks)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError("the Spark engine needs pyspark", hint="pip install 'licheck-provenance[spark]' (and Java 17+)") \
            from None
    # executors run this interpreter, which has licheck installed (a cluster ships its own: see docs/scale.md)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app).config("spark.ui.enabled", "false") \
        .config("spark.ui.showConsoleProgress", "false").config("spark.driver.memory", driver_memory) \
        .config("spark.sql.parquet.compression.codec", "zstd")
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    if master is None and "PYSPARK_GATEWAY_PORT" not in os.environ:  # not under spark-submit: run locally
        master = LOCAL_MASTER
    if master is not None:
        builder = builder.master(master)
    if master is not None and master.startswith("local"):
        # local mode listens on loopback only: nothing is reachable from the network
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1") \
            .config("spark.sql.shuffle.partitions", str(2 * (os.cpu_count() or 1)))  # not 200 tiny tasks per shuffle
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def active_session() -> Any:
    """The session already running in this process (a notebook's, a test's), which a build must not stop."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return None
    return SparkSession.getActiveSession()
