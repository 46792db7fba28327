"""Stage 3: the empirical null: independent model pairs, thresholds, p-values and their resolution."""
