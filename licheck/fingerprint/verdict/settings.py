"""What a verification is held to and what it records about its inputs."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class VerifySettings:
    alpha: float = 1e-2  # family-wise false-positive rate the verdict is held to
    max_unmapped_fraction: float = 0.01
    access: str = "full"  # full | topk | topk+logit_bias | weights
    suspect_name: str = "suspect"
    input_hashes: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
