"""Stage 2: the statistics of one (victim output space, suspect) pair (pure numpy)."""
