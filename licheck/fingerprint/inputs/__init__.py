"""Stage 1: what a verification reads: the victim fingerprint and the suspect outputs or weights."""
