"""What a verification is held to and what it records about its inputs."""

from __future__ import annotations

from dataclasses import dataclass, field

from licheck.fingerprint.inputs.http_client import CallRecord


@dataclass(frozen=True)
class VerifySettings:
    alpha: float = 1e-2  # family-wise false-positive rate the verdict is held to
    max_unmapped_fraction: float = 0.01
    access: str = "full"  # full | topk | topk+logit_bias | weights
    suspect_name: str = "suspect"
    input_hashes: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    call_log: tuple[CallRecord, ...] = ()  # every endpoint attempt, for the report's list of calls
    dispute_record: dict[str, str | int] | None = None  # the record file: path, sha256, entries
