"""Session fixtures: the tiny-model zoo (built once, cached on disk by recipe hash), a fingerprint
of the victim and a calibration null from independent models."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import pytest  # noqa: E402

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("safetensors")

sys.path.insert(0, str(Path(__file__).parent))

import zoo  # noqa: E402

VICTIM = zoo.base("victim", seed=0, steps=150)
RECIPES = {
    "victim": VICTIM,
    "indep-seed1": zoo.base("indep-seed1", seed=1, steps=150),
    "indep-h64": zoo.base("indep-h64", seed=3, hidden=64, steps=100),
    "gpt2": zoo.base("gpt2", arch="gpt2", hidden=32, seed=5, steps=150),
    "indep-heldout": zoo.base("indep-heldout", seed=4, hidden=40, data="other", steps=100),
    "bf16": zoo.attack("bf16", VICTIM, attack="dtype", dtype="bfloat16"),
    "lora-head": zoo.attack("lora-head", VICTIM, attack="lora", r=4, head=True, steps=40, lr=3e-3),
    "ft": zoo.attack("ft", VICTIM, attack="finetune", steps=40, lr=3e-3),
    # their own byte-level BPE (V = 768, other data): controls for a null a real user can get
    "alt-llama": zoo.base("alt-llama", seed=21, hidden=40, steps=100, tokenizer="alt"),
    "alt-gpt2": zoo.base("alt-gpt2", arch="gpt2", hidden=32, seed=22, steps=100, tokenizer="alt"),
    "alt-llama-h56": zoo.base("alt-llama-h56", seed=23, hidden=56, steps=100, tokenizer="alt", data="other"),
}
NULL_MODELS = ("indep-seed1", "indep-h64", "gpt2")
# the modules a calibration null depends on (its disk cache is keyed by their contents)
NULL_CODE = ("linalg", "statistics/measures", "statistics/pairs", "calibration/calibrate", "calibration/null_build",
             "calibration/nullfile", "statistics/controls", "inputs/runner", "inputs/prompts", "inputs/observations",
             "inputs/model_dir", "inputs/tensors", "inputs/vocab", "inputs/extract")


def _code_digest() -> str:
    root = Path(__file__).parents[2] / "licheck" / "fingerprint"
    h = hashlib.sha256()
    for name in NULL_CODE:
        h.update((root / f"{name}.py").read_bytes())
    return h.hexdigest()[:12]


@pytest.fixture(scope="session")
def models() -> dict[str, Path]:
    return {name: zoo.build(recipe) for name, recipe in RECIPES.items()}


@pytest.fixture(scope="session")
def tokenizer_dir() -> Path:
    return zoo.tokenizer_dir()


@pytest.fixture(scope="session")
def victim_fp(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    from licheck.fingerprint import api

    out = tmp_path_factory.mktemp("fp") / "victim.safetensors"
    api.extract_white_box(models["victim"], out)
    return out


@pytest.fixture(scope="session")
def null_file(models: dict[str, Path], victim_fp: Path) -> Path:
    """The null next to the fingerprint (verify's default location), cached by model keys and code."""
    from licheck.fingerprint import api

    key = hashlib.sha256((",".join(RECIPES[n].key for n in NULL_MODELS) + _code_digest()).encode()).hexdigest()[:16]
    cached = zoo.CACHE / f"null-{key}.safetensors"
    if not cached.is_file():
        tmp = cached.with_suffix(f".tmp{os.getpid()}")
        api.calibrate([models[n] for n in NULL_MODELS], [], tokenizer_dir=None, output=tmp, prompts=None,
                      max_positions=api.DEFAULT_MAX_POSITIONS, allow_pickle=False)
        tmp.rename(cached)
    target = api.null_path_for(victim_fp)
    shutil.copy(cached, target)
    return target
