"""verify: verdicts, exit codes and the JSON report, on tiny models and their derivatives."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import zoo
from click.testing import CliRunner
from formats import write_chat_top_logprobs, write_legacy_top_logprobs, write_vllm_prompt_logprobs

from licheck.cli import cli
from licheck.fingerprint.inputs.fpfile import load_fingerprint

CONTRACT = {"verdict", "method", "statistic", "threshold", "false_positive_rate", "queries", "victim", "suspect"}


def _verify(victim_fp: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["fingerprint", "verify", str(victim_fp), *args, "--format", "json"],
                                catch_exceptions=False)
    if result.exit_code == 2:
        return 2, {"error": result.output}
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture(scope="module")
def outputs(models) -> dict[str, np.ndarray]:
    return {name: zoo.model_outputs(models[name], positions=192) for name in ("victim", "ft", "indep-heldout")}


def test_weight_mode_calls_a_bf16_copy_derived_with_exit_1(models, victim_fp, null_file) -> None:
    code, report = _verify(victim_fp, "--suspect-model", str(models["bf16"]))
    assert code == 1 and report["verdict"] == "derived" and report["mode"] == "weights"
    assert CONTRACT <= report.keys() and report["queries"] == 0
    assert report["statistics"]["weight_residual"]["value"] < 1e-2


def test_weight_mode_estimates_the_rank_of_a_lora_on_the_head(models, victim_fp, null_file) -> None:
    code, report = _verify(victim_fp, "--suspect-model", str(models["lora-head"]))
    assert code == 1 and report["verdict"] == "derived"
    assert report["statistics"]["weight_residual"]["adapter_rank"] == 4
    assert report["statistics"]["weight_lowrank"]["value"] < 1e-4


def test_weight_mode_calls_a_held_out_independent_model_independent_with_exit_0(models, victim_fp, null_file) -> None:
    code, report = _verify(victim_fp, "--suspect-model", str(models["indep-heldout"]))
    assert code == 0 and report["verdict"] == "independent"


def test_run_mode_finds_the_lora_head_adapter_rank_through_the_joint_space(models, victim_fp, null_file) -> None:
    code, report = _verify(victim_fp, "--suspect-model", str(models["lora-head"]), "--run", "--max-positions", "256")
    assert code == 1 and report["verdict"] == "derived" and report["method"] == "joint-space"
    assert report["statistics"]["s2"]["adapter_rank"] == 4
    assert report["statistics"]["s1"]["value"] > 0.05  # S1 alone sees the head moved
    assert report["floors"]["self_copy"] < 1e-5 < report["floors"]["bf16_copy"] < 1e-2


def test_full_vllm_prompt_logprobs_of_a_fine_tune_are_derived(outputs, victim_fp, null_file, tmp_path) -> None:
    path = tmp_path / "ft.jsonl"
    write_vllm_prompt_logprobs(path, outputs["ft"], load_fingerprint(victim_fp).meta.tokens)
    code, report = _verify(victim_fp, "--suspect-outputs", str(path))
    assert code == 1 and report["verdict"] == "derived"
    assert report["tokens"]["unmapped"] == 0 and report["positions"] == 192
    assert report["chance_level"] == pytest.approx(49 / 1024)
    assert report["inputs"]["suspect_outputs"].startswith("sha256:")


def test_full_logprobs_of_an_independent_model_are_independent(outputs, victim_fp, null_file, tmp_path) -> None:
    path = tmp_path / "indep.jsonl"
    write_vllm_prompt_logprobs(path, outputs["indep-heldout"], load_fingerprint(victim_fp).meta.tokens)
    code, report = _verify(victim_fp, "--suspect-outputs", str(path))
    assert code == 0 and report["verdict"] == "independent", report["reasons"]
    assert report["statistics"]["s3"]["status"] == "ok"


def test_top_k_logprobs_alone_are_inconclusive_for_copies_and_strangers(outputs, victim_fp, null_file, tmp_path) -> None:
    tokens = load_fingerprint(victim_fp).meta.tokens
    for name in ("victim", "indep-heldout"):
        path = tmp_path / f"{name}-chat.jsonl"
        write_chat_top_logprobs(path, outputs[name], tokens, k=20)
        code, report = _verify(victim_fp, "--suspect-outputs", str(path))
        assert code == 0 and report["verdict"] == "inconclusive"
        assert any("logit bias" in r for r in report["reasons"])


def test_legacy_completions_top_logprobs_are_parsed(outputs, victim_fp, null_file, tmp_path) -> None:
    path = tmp_path / "legacy.jsonl"
    write_legacy_top_logprobs(path, outputs["victim"][:10], load_fingerprint(victim_fp).meta.tokens, k=5)
    code, report = _verify(victim_fp, "--suspect-outputs", str(path))
    assert report["positions"] == 10 and report["coordinates_per_position"] == 5 and report["verdict"] == "inconclusive"


def test_unmapped_tokens_are_counted_and_make_the_verdict_inconclusive(outputs, victim_fp, null_file, tmp_path) -> None:
    tokens = list(load_fingerprint(victim_fp).meta.tokens)
    alien = tuple(t + "\u2603" if i % 5 == 0 else t for i, t in enumerate(tokens))
    path = tmp_path / "alien.jsonl"
    write_chat_top_logprobs(path, outputs["victim"], alien, k=20)
    code, report = _verify(victim_fp, "--suspect-outputs", str(path))
    assert report["verdict"] == "inconclusive" and report["tokens"]["unmapped"] > 0
    assert any("unmapped vocabulary" in r for r in report["reasons"])


def test_table_format_and_plot_are_written_for_people(models, victim_fp, null_file, tmp_path) -> None:
    plot = tmp_path / "dispute.png"
    result = CliRunner().invoke(cli, ["fingerprint", "verify", str(victim_fp), "--suspect-model", str(models["bf16"]),
                                      "--plot", str(plot)], catch_exceptions=False)
    assert result.exit_code == 1 and "DERIVED" in result.stdout and "chance level" in result.stdout
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_null_is_a_usage_error(models, tmp_path) -> None:
    from licheck.fingerprint import api

    fp = tmp_path / "lonely.safetensors"
    api.extract_white_box(models["victim"], fp)
    code, report = _verify(fp, "--suspect-model", str(models["bf16"]))
    assert code == 2 and "calibrat" in report["error"]


def test_softcapped_outputs_are_derived_once_the_known_cap_is_inverted(outputs, victim_fp, null_file, tmp_path) -> None:
    from formats import log_softmax

    capped = 3.0 * np.tanh(outputs["victim"][:96] / 3.0)
    np.save(tmp_path / "capped.npy", log_softmax(capped))
    code, report = _verify(victim_fp, "--suspect-outputs", str(tmp_path / "capped.npy"), "--softcap", "3")
    assert code == 1 and report["verdict"] == "derived"
    assert report["statistics"]["s1"]["value"] < 1e-3
    _, raw = _verify(victim_fp, "--suspect-outputs", str(tmp_path / "capped.npy"))
    assert raw["statistics"]["s1"]["value"] > 10 * report["statistics"]["s1"]["value"]


def test_temperature_scaled_logprobs_stay_in_the_victim_space(outputs, victim_fp, null_file, tmp_path) -> None:
    from formats import log_softmax

    np.save(tmp_path / "hot.npy", log_softmax(outputs["victim"][:8] / 1.7))
    code, report = _verify(victim_fp, "--suspect-outputs", str(tmp_path / "hot.npy"))
    assert code == 1 and report["method"] == "compatibility" and report["statistics"]["s1"]["value"] < 1e-4
