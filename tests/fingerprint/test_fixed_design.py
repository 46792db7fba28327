"""Top-k + logit bias, escalated: one fixed token set recovered at every position, so the suspect's own output
space (S3) and the distillation rule work through an API. Synthetic heads (numpy) for the rules; the real
HTTP server over tiny models for the endpoint path."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache

import numpy as np
from click.testing import CliRunner
from server import ModelServer, ServerMode

from licheck.cli import cli
from licheck.fingerprint.calibration.null_build import NullMember, build_null
from licheck.fingerprint.inputs.collect import Collector
from licheck.fingerprint.inputs.fpfile import FORMAT, Fingerprint, FingerprintMeta
from licheck.fingerprint.inputs.observations import full_observations
from licheck.fingerprint.inputs.recovery import fixed_calls_per_position, fixed_coordinates
from licheck.fingerprint.linalg import output_space_basis
from licheck.fingerprint.verdict.decide import DISTILLATION_FINDING
from licheck.fingerprint.verdict.settings import VerifySettings
from licheck.fingerprint.verdict.topk_queries import verify_topk_source

V, H, N = 400, 24, 256


class TopK:
    """A top-k API over stored logits that applies the logit bias before reporting logprobs."""

    def __init__(self, logits: np.ndarray, top_k: int = 20) -> None:
        self.logits, self.top_k, self.vocab_size = logits, top_k, logits.shape[1]
        self.calls = 0

    def top_logprobs(self, position: int, logit_bias: dict[int, float]) -> dict[int, float]:
        self.calls += 1
        row = self.logits[position].copy()
        for token, value in logit_bias.items():
            row[token] += value
        lp = row - row.max() - np.log(np.exp(row - row.max()).sum())
        return {int(i): float(lp[i]) for i in np.argsort(-row)[: self.top_k]}


def _head(seed: int, hidden: int = H) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((V, hidden)) * np.geomspace(3.0, 0.3, hidden)  # a decaying spectrum


def _logits(head: np.ndarray, seed: int, n: int = N) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, head.shape[1])) @ head.T


def _fingerprint(head: np.ndarray) -> Fingerprint:
    basis = output_space_basis(head)
    meta = FingerprintMeta(format=FORMAT, kind="white-box", name="victim", hidden_size=H, vocab_size=V,
                           output_dim=basis.shape[1], tokenizer_digest="synthetic", softcap=None, weights_digest="",
                           head_digest=f"synthetic-{head.shape}-{float(head.sum()):.6f}", head_tensor="lm_head.weight",
                           model_type="synthetic", byte_level=True, tokens=(), created_at="", licheck_version="")
    return Fingerprint(meta=meta, basis=basis, head=head, bias=None)


@lru_cache(maxsize=1)
def _null():
    members = [NullMember(name=f"indep-{s}", basis=output_space_basis(h), observations=full_observations(_logits(h, 50 + s)))
               for s, h in ((s, _head(s, hidden)) for s, hidden in ((1, 24), (2, 20), (3, 24), (4, 22)))]
    return build_null(members, tokenizer_digest="synthetic")


def _verify(suspect_head: np.ndarray, *, max_calls: int = 3000, null=None):
    fp = _fingerprint(_head(0))
    source = TopK(_logits(suspect_head, 99))
    verification, plan = verify_topk_source(fp, source, null or _null(), VerifySettings(), available=N,
                                            max_calls=max_calls)
    return verification, plan, source


def test_the_fixed_set_is_recovered_exactly_at_every_position_and_reuses_the_cheap_look() -> None:
    logits = _logits(_head(0), 7, n=12)
    source = TopK(logits)
    collector = Collector(source, coords=2 * (H + 1))
    cheap = collector.take(4, 12)
    before = source.calls
    tokens = fixed_coordinates(V, H + 1)
    fixed = collector.take_fixed(12, 12, tokens)
    assert fixed.fixed and (fixed.ids == tokens).all() and fixed.n_positions == 12
    ref = logits.argmax(axis=1)
    expected = logits[:, tokens] - logits[np.arange(12), ref][:, None]
    assert np.allclose(fixed.values, expected, atol=1e-9)
    # positions 0-3 keep their first answers: fewer calls there than at a fresh position
    per_position = fixed_calls_per_position(tokens.size, 20)
    assert source.calls - before < 12 * per_position and cheap.n_positions == 4


def test_a_heavily_noised_head_behind_a_top_k_api_is_convicted_through_s3_on_the_fixed_set() -> None:
    victim = _head(0)
    noised = victim + 0.6 * np.sqrt(np.mean(victim**2)) * np.random.default_rng(11).standard_normal(victim.shape)
    verification, plan, source = _verify(noised)
    assert verification.verdict == "derived" and verification.obs is not None and verification.obs.fixed
    assert verification.tests["s3"].significant and not verification.decision.findings
    assert plan.looks[0] == 4 and plan.fixed_from == 1 and source.calls <= 3000


def test_a_student_of_the_victims_outputs_is_reported_as_distillation_through_a_top_k_api() -> None:
    # a student reproduces the victim's outputs along the directions its training exercised (here the 16
    # dominant ones, at their scale) and adds a little of its own (16 more directions: its space is larger
    # than the first fixed look's positions show, so the run must go on to a look where S3 is tested)
    u, s, _ = np.linalg.svd(_head(0), full_matrices=False)
    student = np.hstack([u[:, :16] * s[:16], 0.2 * _head(12, 16)])
    verification, _, _ = _verify(student)
    assert verification.verdict == "inconclusive" and verification.decision.findings == (DISTILLATION_FINDING,)
    assert verification.distillation is not None and verification.distillation.flagged
    assert verification.distillation.rule == "output-residual" and "s3" in verification.tests


def test_an_independent_model_behind_a_top_k_api_can_be_cleared_once_s3_is_estimated() -> None:
    verification, _, _ = _verify(_head(21))
    assert verification.verdict == "independent" and verification.tests["s3"].value < 0.7


def test_a_copy_is_decided_at_the_cheap_look_without_escalating() -> None:
    verification, _, source = _verify(_head(0))
    assert verification.verdict == "derived" and verification.obs is not None and not verification.obs.fixed
    assert verification.obs.n_positions == 4 and source.calls <= 1 + 4 * 3


def test_a_null_without_fixed_design_statistics_keeps_the_cheap_design_and_says_why() -> None:
    null = _null()
    old = replace(null, pairs=tuple(replace(p, stats={k: v for k, v in p.stats.items() if "x@" not in k})
                                    for p in null.pairs))
    verification, plan, _ = _verify(_head(21), null=old)
    assert plan.tokens is None and verification.verdict == "inconclusive"
    assert any("no fixed-design S3" in note for note in verification.settings.notes)


def test_a_call_budget_too_small_for_s3_keeps_the_cheap_design_within_it() -> None:
    verification, plan, source = _verify(_head(21), max_calls=120)
    assert plan.tokens is None and source.calls <= 120 and verification.verdict != "derived"
    assert any("S3 needs" in note for note in verification.settings.notes)


def _endpoint(victim_fp, url: str, *extra: str):
    args = ["fingerprint", "verify", str(victim_fp), "--suspect-endpoint", url, "--suspect-name", "tiny",
            "--format", "json", "--timeout", "5", *extra]
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_a_fine_tune_behind_a_chat_endpoint_is_judged_on_one_fixed_token_set(models, victim_fp, null_file,
                                                                            tmp_path) -> None:
    record = tmp_path / "record.jsonl"
    with ModelServer(models["ft"], ServerMode(shapes=("chat",))) as server:
        result = _endpoint(victim_fp, server.url, "--max-calls", "2500", "--record", str(record))
    report = json.loads(result.stdout)
    assert report["verdict"] == "derived", report["reasons"]
    assert report["coordinate_design"] == "fixed" and report["statistics"]["s3"]["significant"]
    assert report["calls"] == len(server.requests) == len(record.read_text().splitlines()) <= 2500
    # every fixed-design request biases the reference and at most k - 1 = 19 other tokens
    assert all(len(r.get("logit_bias", {})) <= 20 and r["top_logprobs"] <= 20 for r in server.requests)
    assert any("one fixed set of 147 tokens" in note for note in report["notes"])


def test_an_independent_model_behind_a_completions_endpoint_is_cleared_not_left_inconclusive(models, victim_fp,
                                                                                            null_file) -> None:
    with ModelServer(models["indep-heldout"], ServerMode(shapes=("completions",))) as server:
        result = _endpoint(victim_fp, server.url, "--max-calls", "2500")
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["verdict"] == "independent", report["reasons"]
    assert report["coordinate_design"] == "fixed" and report["calls"] <= 2500


def test_a_bf16_copy_behind_an_endpoint_is_settled_by_the_cheap_look_though_escalation_was_planned(
        models, victim_fp, null_file) -> None:
    with ModelServer(models["bf16"], ServerMode()) as server:
        result = _endpoint(victim_fp, server.url, "--max-calls", "2500")
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and report["verdict"] == "derived" and report["coordinate_design"] == "partial"
    assert report["positions"] == 4 and report["calls"] == len(server.requests) <= 24
    assert any("one fixed set of 147 tokens" in note for note in report["notes"])
