"""Bad input is a clear error with exit 2, never a verdict; the CLI stays light."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from licheck.cli import cli


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_importing_the_cli_loads_neither_torch_nor_the_fingerprint_package() -> None:
    code = "import sys, licheck.cli; assert 'torch' not in sys.modules and 'licheck.fingerprint' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("content, message", [
    ("", "empty"),
    ('{"choices": [{"logprobs": {"top_logprobs": [{"a": -1.0', "truncated"),
    ('{"choices": []}\n', "no logprobs"),
    ('{"choices": [{"logprobs": {"top_logprobs": [{"a": "high"}]}}]}\n', "malformed"),
], ids=["empty", "truncated", "no-logprobs", "non-numeric"])
def test_unusable_jsonl_is_an_input_error(victim_fp, null_file, tmp_path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    result = _run("fingerprint", "verify", str(victim_fp), "--suspect-outputs", str(path))
    assert result.exit_code == 2 and message in result.output


def test_nan_outputs_are_an_input_error(victim_fp, null_file, tmp_path) -> None:
    values = np.zeros((8, 1024))
    values[3, 7] = np.nan
    np.save(tmp_path / "nan.npy", values)
    result = _run("fingerprint", "verify", str(victim_fp), "--suspect-outputs", str(tmp_path / "nan.npy"))
    assert result.exit_code == 2 and "NaN" in result.output


def test_outputs_over_another_vocabulary_size_are_refused(victim_fp, null_file, tmp_path) -> None:
    np.save(tmp_path / "small.npy", np.random.default_rng(0).standard_normal((8, 1000)))
    result = _run("fingerprint", "verify", str(victim_fp), "--suspect-outputs", str(tmp_path / "small.npy"))
    assert result.exit_code == 2 and "vocabular" in result.output


def test_suspect_model_with_another_tokenizer_is_refused(models, victim_fp, null_file, tmp_path) -> None:
    target = shutil.copytree(models["bf16"], tmp_path / "retok")
    data = json.loads((target / "tokenizer.json").read_text())
    vocab = data["model"]["vocab"]
    a, b = list(vocab)[300:302]
    vocab[a], vocab[b] = vocab[b], vocab[a]
    (target / "tokenizer.json").write_text(json.dumps(data))
    result = _run("fingerprint", "verify", str(victim_fp), "--suspect-model", str(target))
    assert result.exit_code == 2 and "mismatched vocabularies" in result.output


def test_vllm_ids_that_decode_to_other_tokens_are_refused(victim_fp, null_file, tmp_path) -> None:
    path = tmp_path / "shifted.jsonl"
    path.write_text(json.dumps({"prompt_logprobs": [None, {"5": {"logprob": -1.0, "decoded_token": "def"},
                                                           "6": {"logprob": -2.0, "decoded_token": "x"}}]}))
    result = _run("fingerprint", "verify", str(victim_fp), "--suspect-outputs", str(path))
    assert result.exit_code == 2 and "another token" in result.output


def test_verify_needs_exactly_one_suspect(models, victim_fp, null_file, tmp_path) -> None:
    np.save(tmp_path / "x.npy", np.zeros((4, 1024)))
    both = _run("fingerprint", "verify", str(victim_fp), "--suspect-model", str(models["bf16"]),
                "--suspect-outputs", str(tmp_path / "x.npy"))
    none = _run("fingerprint", "verify", str(victim_fp))
    assert both.exit_code == 2 and none.exit_code == 2 and "exactly one" in none.output


def test_calibration_needs_two_independent_models(models, tmp_path) -> None:
    result = _run("fingerprint", "calibrate", str(models["gpt2"]), "-o", str(tmp_path / "n.safetensors"))
    assert result.exit_code == 2 and "at least two" in result.output
