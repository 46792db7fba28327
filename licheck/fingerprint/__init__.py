"""Model ownership verification: is a suspect LLM derived from a victim model?

The only licheck package allowed to import torch/transformers/safetensors; it is imported lazily by
the `licheck fingerprint` commands. The subpackages are the method's stages, in reading order; a
stage imports only from itself, from earlier stages and from the two leaf helpers (`linalg`,
`digest`), never from a later one (tests/fingerprint/test_layout.py checks it):

1. `inputs/`      the victim's fingerprint (extract, file format) and the suspect's outputs: model
                  folders read safely, local runs, output files, HTTP endpoints with logit-bias recovery
2. `statistics/`  S1 / S2 / S3 and weight mode on one (victim space, suspect) pair; positive controls
3. `calibration/` the empirical null (same tokenizer, or other tokenizers on their shared tokens),
                  thresholds, p-values and their resolution
4. `verdict/`     the verification: statistics placed against the null, one decision
5. `report/`      JSON, table, plot and the HTML evidence report

`api.py` and `endpoint_api.py` are the facade the CLI calls: one function per command.
"""

from __future__ import annotations
