"""extract: the victim's output layer read straight from its checkpoint files, safely."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from safetensors.numpy import load_file, save_file

from licheck.cli import cli
from licheck.fingerprint import api
from licheck.fingerprint.inputs.fpfile import load_fingerprint
from licheck.fingerprint.linalg import principal_cosines


def _invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _clone(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_extract_reads_lm_head_and_records_sizes_digests_and_vocabulary(models, tmp_path) -> None:
    out = tmp_path / "fp.safetensors"
    result = _invoke("fingerprint", "extract", str(models["victim"]), "--output", str(out))
    assert result.exit_code == 0, result.output
    fp = load_fingerprint(out)
    head = load_file(str(models["victim"] / "model.safetensors"))["lm_head.weight"]
    assert np.array_equal(fp.head, head)
    assert (fp.meta.hidden_size, fp.meta.vocab_size, fp.meta.output_dim) == (48, 1024, 49)
    assert fp.meta.tokenizer_digest.startswith("sha256:") and fp.meta.weights_digest.startswith("sha256:")
    assert len(fp.meta.tokens) == 1024 and fp.meta.byte_level


def test_extract_never_imports_torch(models, tmp_path) -> None:
    code = ("import sys; from pathlib import Path; from licheck.fingerprint import api; "
            f"api.extract_white_box(Path({str(models['victim'])!r}), Path({str(tmp_path / 'x.safetensors')!r})); "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_tied_gpt2_fingerprint_uses_the_input_embedding(models) -> None:
    fp = api.extract_from_weights(models["gpt2"])
    wte = load_file(str(models["gpt2"] / "model.safetensors"))["transformer.wte.weight"]
    assert fp.meta.head_tensor == "transformer.wte.weight" and np.array_equal(fp.head, wte)


def test_sharded_checkpoint_is_read_through_its_index(models, tmp_path) -> None:
    target = tmp_path / "sharded"
    target.mkdir()
    for name in ("config.json", "tokenizer.json"):
        shutil.copy(models["victim"] / name, target / name)
    tensors = load_file(str(models["victim"] / "model.safetensors"))
    names = sorted(tensors)
    half = {n: tensors[n] for n in names[: len(names) // 2]}
    rest = {n: tensors[n] for n in names[len(names) // 2:]}
    save_file(half, str(target / "model-00001-of-00002.safetensors"))
    save_file(rest, str(target / "model-00002-of-00002.safetensors"))
    weight_map = {n: "model-00001-of-00002.safetensors" for n in half} | {n: "model-00002-of-00002.safetensors" for n in rest}
    (target / "model.safetensors.index.json").write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))
    fp = api.extract_from_weights(target)
    assert np.array_equal(fp.head, tensors["lm_head.weight"])


def test_pickle_checkpoint_is_refused_unless_allowed(models, tmp_path) -> None:
    import torch

    target = tmp_path / "pickled"
    target.mkdir()
    for name in ("config.json", "tokenizer.json"):
        shutil.copy(models["victim"] / name, target / name)
    tensors = load_file(str(models["victim"] / "model.safetensors"))
    torch.save({k: torch.from_numpy(v) for k, v in tensors.items()}, target / "pytorch_model.bin")
    refused = _invoke("fingerprint", "extract", str(target), "-o", str(tmp_path / "a.safetensors"))
    assert refused.exit_code == 2 and "pickle" in refused.output
    allowed = _invoke("fingerprint", "extract", str(target), "-o", str(tmp_path / "b.safetensors"), "--allow-pickle")
    assert allowed.exit_code == 0
    assert np.array_equal(load_fingerprint(tmp_path / "b.safetensors").head, tensors["lm_head.weight"])


def test_config_naming_custom_code_is_refused(models, tmp_path) -> None:
    target = _clone(models["victim"], tmp_path / "remote")
    config = json.loads((target / "config.json").read_text())
    config["auto_map"] = {"AutoModelForCausalLM": "modeling_evil.EvilForCausalLM"}
    (target / "config.json").write_text(json.dumps(config))
    result = _invoke("fingerprint", "extract", str(target), "-o", str(tmp_path / "x.safetensors"))
    assert result.exit_code == 2 and "auto_map" in result.output


@pytest.mark.parametrize("damage", ["huge-length", "not-json", "truncated"])
def test_malformed_safetensors_is_a_clear_input_error(models, tmp_path, damage: str) -> None:
    target = _clone(models["victim"], tmp_path / "bad")
    path = target / "model.safetensors"
    data = path.read_bytes()
    if damage == "huge-length":
        data = (10**12).to_bytes(8, "little") + data[8:]
    elif damage == "not-json":
        data = data[:8] + b"{" * 20 + data[28:]
    else:
        data = data[: len(data) // 2]
    path.write_bytes(data)
    result = _invoke("fingerprint", "extract", str(target), "-o", str(tmp_path / "x.safetensors"))
    assert result.exit_code == 2 and "safetensors" in result.output


def test_fingerprint_file_holds_no_pickle_and_round_trips(victim_fp) -> None:
    raw = victim_fp.read_bytes()
    assert b"\x80\x04" not in raw[:16]  # not a pickle stream
    fp = load_fingerprint(victim_fp)
    assert fp.basis.shape == (1024, 49)
    assert np.allclose(fp.basis.T @ fp.basis, np.eye(49), atol=1e-10)


def test_black_box_extract_recovers_the_victim_space_from_its_outputs(models, tokenizer_dir, tmp_path) -> None:
    import zoo

    outputs = tmp_path / "victim_outputs.npy"
    np.save(outputs, zoo.model_outputs(models["victim"], positions=256))
    out = tmp_path / "bb.safetensors"
    result = _invoke("fingerprint", "extract", "--from-outputs", str(outputs), "--tokenizer", str(tokenizer_dir),
                     "-o", str(out))
    assert result.exit_code == 0, result.output
    black = load_fingerprint(out)
    white = api.extract_from_weights(models["victim"])
    assert black.meta.kind == "black-box" and black.meta.hidden_size == 48
    assert principal_cosines(black.basis, white.basis).min() > 0.999
