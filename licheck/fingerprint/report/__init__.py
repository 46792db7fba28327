"""Stage 5: the verify report: JSON, table, plot, HTML evidence report."""
