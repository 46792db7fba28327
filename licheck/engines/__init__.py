"""Build engines: the same per-source and per-file functions, run by this process (local) or by Spark.

``rows`` holds the pure functions both engines map over sources and files, ``writer`` turns their rows into an
index file (through ``IndexDB``'s write API, into a fresh file swapped in atomically), ``spark`` runs them as
Spark tasks. Nothing here imports pyspark unless ``licheck.engines.spark`` is imported.
"""
