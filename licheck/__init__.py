"""licheck: code provenance and model ownership checks."""

from __future__ import annotations

__version__ = "0.1.0"

# The name licheck is installed under (`pip install licheck-provenance`): `licheck` on PyPI is another project.
DISTRIBUTION = "licheck-provenance"
