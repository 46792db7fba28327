"""Stage 4: the verification: statistics against the null, guards, one verdict."""
