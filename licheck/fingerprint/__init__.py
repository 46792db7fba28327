"""Model ownership verification: is a suspect LLM derived from a victim model?

The only licheck package allowed to import torch/transformers/safetensors; it is imported
lazily by the `licheck fingerprint` commands. The numpy math (linalg, stats, calibrate,
verdict) is kept apart from model and file I/O (model_dir, tensors, fpfile, runner, endpoint).
"""

from __future__ import annotations
