"""licheck: code provenance and model ownership checks."""

from __future__ import annotations

__version__ = "0.1.0"
