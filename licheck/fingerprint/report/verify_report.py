"""The verify report: DESIGN.md's JSON contract plus every statistic, the null and the inputs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from licheck import __version__

if TYPE_CHECKING:
    from licheck.fingerprint.calibration.calibrate import Calibrated
    from licheck.fingerprint.statistics.pairs import PairStats
    from licheck.fingerprint.verdict.verify import Verification


@dataclass(frozen=True)
class VerifyReport:
    data: dict[str, Any]
    verification: Verification | None = field(default=None, repr=False, compare=False)  # for plots and HTML

    @property
    def verdict(self) -> str:
        return str(self.data["verdict"])


def build_report(verification: Verification) -> VerifyReport:
    """DESIGN.md's JSON contract, then every statistic, the null, the inputs and their hashes."""
    v = verification
    fp, decision, tests, stats, floors, obs, null, settings = (v.fp, v.decision, v.tests, v.stats, v.floors, v.obs,
                                                               v.null, v.settings)
    meta = fp.meta
    data: dict[str, Any] = {
        "verdict": decision.verdict,
        "method": decision.method,
        "statistic": decision.statistic,
        "threshold": decision.threshold,
        "false_positive_rate": decision.false_positive_rate,
        "false_positive_rate_extrapolated": decision.fpr_extrapolated,
        "queries": obs.queries if obs else 0,
        "victim": meta.name,
        "suspect": settings.suspect_name,
        "licheck_version": __version__,
        "mode": settings.access,
        "reasons": list(decision.reasons),
        "findings": list(decision.findings),
        "alpha": settings.alpha,
        "victim_hidden_size": meta.hidden_size,
        "victim_output_dim": int(fp.basis.shape[1]),
        "vocab_size": meta.vocab_size,
        "chance_level": (meta.hidden_size + 1) / meta.vocab_size,
        "statistics": _statistics(stats, tests),
        "floors": {"self_copy": floors.self_copy, "bf16_copy": floors.bf16_copy},
        "positions": obs.n_positions if obs else 0,
        "coordinates_per_position": obs.coords_per_position if obs else 0,
        # fixed: the same recovered tokens at every position (the statistics run on them; vocab_size counts them)
        "coordinate_design": None if obs is None else ("fixed" if obs.fixed else "full" if obs.is_full else "partial"),
        "calls": obs.calls if obs else 0,
        "tokens": {"mapped": obs.mapped_tokens, "unmapped": obs.unmapped_tokens} if obs else None,
        "null": {"kind": null.kind, "pairs": len(null.pairs), "members": list(null.members),
                 "n_positions": null.n_positions,
                 "shared_tokens": None if null.coordinates is None else int(null.coordinates.size),
                 "victim_vocab_size": null.vocab_size,
                 "fpr_resolution": min((t.resolution for t in tests.values()), default=None),
                 "p_value_resolution": {name: t.resolution for name, t in tests.items()},
                 "fpr_note": "false_positive_rate is empirical (resolution-limited); "
                             "false_positive_rate_extrapolated is the Student-t predictive tail of the "
                             "transformed null (fitted on its independent model pairs: pairs - 1 degrees of freedom); "
                             "p_value is never below 1 / (1 + pairs)"},
        "inputs": dict(settings.input_hashes) | {"victim_weights": meta.weights_digest,
                                                  "victim_tokenizer": meta.tokenizer_digest},
        "notes": list(settings.notes),
        "distillation_test": None if v.distillation is None else asdict(v.distillation),
        "call_log": [asdict(c) for c in settings.call_log],
        "dispute_record": settings.dispute_record,
    }
    return VerifyReport(data=data, verification=verification)


def _statistics(stats: PairStats, tests: dict[str, Calibrated]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if stats.s1 is not None:
        out["s1"] = {"value": stats.s1, "aggregate": "median over positions"}
    if stats.joint is not None:
        j = stats.joint
        s2_test = tests.get("s2")
        rank = j.adapter_rank if s2_test is not None and s2_test.significant else None
        out["s2"] = {"value": j.statistic, "held_out_by_k": list(j.held_out), "adapter_rank": rank,
                     "gap_rank": j.gap_rank, "l_sum": j.l_sum}
    if stats.overlap is not None:
        o = stats.overlap
        out["s3"] = {"value": o.overlap, "suspect_dim": o.suspect_dim, "min_positions": o.min_positions,
                     "cos2_q20": o.low_quantile,
                     "status": "ok" if stats.s3_ok else "insufficient queries"}
    if stats.weights is not None:
        w = stats.weights
        out["weight_overlap"] = {"value": w.overlap, "min_cosine": w.min_cosine, "suspect_dim": w.suspect_dim,
                                 "cos2_q20": w.low_quantile}
        out["weight_residual"] = {"value": w.residual, "adapter_rank": w.adapter_rank}
        out["weight_lowrank"] = {"value": w.lowrank_residual}
    for name, test in tests.items():
        entry = out.setdefault(name, {"value": test.value})
        entry.update({k: v for k, v in asdict(test).items() if k not in ("name", "value")})
        entry["null_range"] = list(test.null_range)
    return out
