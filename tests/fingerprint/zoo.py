"""Tiny causal LMs for tests and the benchmark: built from configs, trained briefly, cached on disk.

Every model is keyed by a hash of its recipe (the zoo version, the parents' keys, the settings),
so a cache hit is exact and a changed recipe rebuilds. Nothing is downloaded: the tokenizer is
trained here on Python standard-library sources.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import numpy as np  # noqa: E402

ZOO_VERSION = "3"
VOCAB = 1024
# tokenizer variants: (vocabulary size, training split). "alt" is a second byte-level BPE with its own merges,
# for nulls built from models whose tokenizer differs from the victim's.
TOKENIZERS = {"main": (VOCAB, "main"), "alt": (768, "other")}
SEQ = 64
BATCH = 16
CACHE = Path(os.environ.get("LICHECK_TEST_CACHE", Path.home() / ".cache" / "licheck-tests"))


@dataclass(frozen=True)
class Recipe:
    name: str
    kind: str  # base | attack
    params: dict = field(default_factory=dict)
    parent: Recipe | None = None

    @property
    def key(self) -> str:
        blob = json.dumps({"v": ZOO_VERSION, "name": self.name, "kind": self.kind, "params": self.params,
                           "parent": self.parent.key if self.parent else None}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _torch():
    import torch

    torch.set_num_threads(int(os.environ.get("LICHECK_TEST_THREADS", "2")))
    return torch


# ---------------------------------------------------------------- data and tokenizer
def corpus(split: str) -> str:
    """Standard-library sources: modules a-m are the main corpus, n-z the 'other data'."""
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in root.glob("*.py") if (p.name[0] <= "m") == (split == "main"))
    text, size = [], 0
    for path in files:
        chunk = path.read_text(encoding="utf-8", errors="replace")
        text.append(chunk)
        size += len(chunk)
        if size > 1_500_000:
            break
    return "\n".join(text)


def tokenizer_dir(variant: str = "main") -> Path:
    target = CACHE / (f"tokenizer-{ZOO_VERSION}" if variant == "main" else f"tokenizer-{ZOO_VERSION}-{variant}")
    if (target / "tokenizer.json").is_file():
        return target
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    size, split = TOKENIZERS[variant]
    trainer = trainers.BpeTrainer(vocab_size=size, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    text = corpus(split)
    tok.train_from_iterator([text[i:i + 4000] for i in range(0, len(text), 4000)], trainer=trainer)
    tmp = target.with_suffix(".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    tok.save(str(tmp / "tokenizer.json"))
    tmp.rename(target)
    return target


def token_ids(split: str, variant: str = "main") -> np.ndarray:
    path = CACHE / (f"ids-{ZOO_VERSION}-{split}.npy" if variant == "main" else f"ids-{ZOO_VERSION}-{split}-{variant}.npy")
    if path.is_file():
        return np.load(path)
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_dir(variant) / "tokenizer.json"))
    ids = np.array(tok.encode(corpus(split)).ids, dtype=np.int64)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, ids)
    return ids


def batches(split: str, seed: int, variant: str = "main"):
    ids = token_ids(split, variant)
    rng = np.random.default_rng(seed)
    torch = _torch()
    while True:
        starts = rng.integers(0, ids.size - SEQ - 1, size=BATCH)
        yield torch.from_numpy(np.stack([ids[s:s + SEQ] for s in starts]))


# ---------------------------------------------------------------- building
def is_built(recipe: Recipe) -> bool:
    return (CACHE / f"{recipe.name}-{recipe.key}" / "done").is_file()


def build(recipe: Recipe) -> Path:
    """The model directory for a recipe, built (and its parents) on a cache miss."""
    target = CACHE / f"{recipe.name}-{recipe.key}"
    if (target / "done").is_file():
        return target
    parent = build(recipe.parent) if recipe.parent else None
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    if recipe.kind == "base":
        model = _train_base(recipe.params)
        model.save_pretrained(str(tmp))
    else:
        ATTACKS[recipe.params["attack"]](parent, tmp, recipe.params)
    shutil.copy(tokenizer_dir(tokenizer_of(recipe)) / "tokenizer.json", tmp / "tokenizer.json")
    (tmp / "recipe.json").write_text(json.dumps({"name": recipe.name, "params": recipe.params,
                                                 "tokenizer": tokenizer_of(recipe)}))
    (tmp / "done").write_text("ok")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target


def tokenizer_of(recipe: Recipe) -> str:
    """The tokenizer variant of a recipe: its own, or its base model's."""
    while recipe.parent is not None:
        recipe = recipe.parent
    return str(recipe.params.get("tokenizer", "main"))


def _config(params: dict):
    from transformers import GPT2Config, LlamaConfig

    h = params.get("hidden", 48)
    vocab = TOKENIZERS[params.get("tokenizer", "main")][0]
    if params.get("arch", "llama") == "gpt2":
        return GPT2Config(vocab_size=vocab, n_embd=h, n_layer=params.get("layers", 2), n_head=4, n_positions=128,
                          tie_word_embeddings=True)
    return LlamaConfig(vocab_size=vocab, hidden_size=h, intermediate_size=h * 3, num_hidden_layers=params.get("layers", 2),
                       num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=128,
                       tie_word_embeddings=False)


def _train_base(params: dict):
    torch = _torch()
    from transformers import AutoModelForCausalLM

    torch.manual_seed(params.get("seed", 0))
    model = AutoModelForCausalLM.from_config(_config(params))
    train(model, split=params.get("data", "main"), steps=params.get("steps", 150), lr=params.get("lr", 3e-3),
          seed=params.get("seed", 0), tokenizer=params.get("tokenizer", "main"))
    return model


def train(model, *, split: str, steps: int, lr: float, seed: int, params=None, tokenizer: str = "main") -> None:
    torch = _torch()
    opt = torch.optim.AdamW([p for p in (params or model.parameters()) if p.requires_grad], lr=lr)
    model.train()
    data = batches(split, seed + 1000, tokenizer)
    for _ in range(steps):
        x = next(data)
        loss = model(input_ids=x, labels=x).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    model.eval()


def heldout_loss(model_dir: Path, *, n_batches: int = 8) -> float:
    """Mean next-token loss on held-out windows of the main corpus (the utility measure)."""
    torch = _torch()
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32).eval()
    data = batches("main", 424242)
    with torch.no_grad():
        losses = [float(model(input_ids=(x := next(data)), labels=x).loss) for _ in range(n_batches)]
    return float(np.mean(losses))


# ---------------------------------------------------------------- attacks
def _load(parent: Path, dtype=None):
    torch = _torch()
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(str(parent), dtype=dtype or torch.float32)


def _linear_weights(model):
    torch = _torch()
    return [m.weight for m in model.modules() if isinstance(m, torch.nn.Linear)] + \
        [m.weight for m in model.modules() if type(m).__name__ == "Conv1D"]


def attack_copy(parent: Path, out: Path, params: dict) -> None:
    for path in parent.iterdir():
        if path.suffix in (".safetensors", ".json") and path.name != "recipe.json":
            shutil.copy(path, out / path.name)


def attack_dtype(parent: Path, out: Path, params: dict) -> None:
    torch = _torch()
    _load(parent, getattr(torch, params["dtype"])).save_pretrained(str(out))


def attack_quantize(parent: Path, out: Path, params: dict) -> None:
    torch = _torch()
    model = _load(parent)
    levels = 2 ** (params["bits"] - 1) - 1
    with torch.no_grad():
        for w in _linear_weights(model) + [model.get_output_embeddings().weight]:
            scale = w.abs().amax(dim=1, keepdim=True).clamp_min(1e-12) / levels
            w.copy_(torch.round(w / scale).clamp(-levels, levels) * scale)
    model.save_pretrained(str(out))


def attack_prune(parent: Path, out: Path, params: dict) -> None:
    torch = _torch()
    model = _load(parent)
    with torch.no_grad():
        for w in _linear_weights(model) + [model.get_output_embeddings().weight]:
            cut = torch.quantile(w.abs().flatten().float(), params["fraction"])
            w.mul_((w.abs() > cut).to(w.dtype))
    model.save_pretrained(str(out))


def attack_head_noise(parent: Path, out: Path, params: dict) -> None:
    torch = _torch()
    model = _load(parent)
    gen = torch.Generator().manual_seed(params.get("seed", 7))
    with torch.no_grad():
        w = model.get_output_embeddings().weight
        w.add_(torch.randn(w.shape, generator=gen) * w.std() * params["scale"])
    model.save_pretrained(str(out))


def attack_temperature(parent: Path, out: Path, params: dict) -> None:
    torch = _torch()
    model = _load(parent)
    with torch.no_grad():
        model.get_output_embeddings().weight.div_(params["t"])
    model.save_pretrained(str(out))


def attack_finetune(parent: Path, out: Path, params: dict) -> None:
    torch = _torch()
    torch.manual_seed(params.get("seed", 11))
    model = _load(parent)
    if params.get("freeze_head"):
        model.get_output_embeddings().weight.requires_grad_(False)
    train(model, split=params.get("data", "other"), steps=params["steps"], lr=params["lr"], seed=params.get("seed", 11))
    model.save_pretrained(str(out))


def attack_lora(parent: Path, out: Path, params: dict) -> None:
    torch = _torch()
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(params.get("seed", 13))
    model = _load(parent)
    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    if params.get("head"):
        targets.append("lm_head")
    peft_model = get_peft_model(model, LoraConfig(r=params["r"], lora_alpha=2 * params["r"], target_modules=targets,
                                                  lora_dropout=0.0, init_lora_weights="gaussian"))
    train(peft_model, split="other", steps=params["steps"], lr=params["lr"], seed=params.get("seed", 13))
    merged = peft_model.merge_and_unload()
    merged.save_pretrained(str(out))


def attack_distill(parent: Path, out: Path, params: dict) -> None:
    torch = _torch()
    from transformers import AutoModelForCausalLM

    teacher = _load(parent).eval()
    torch.manual_seed(params.get("seed", 17))
    student = AutoModelForCausalLM.from_config(_config({"hidden": params.get("hidden", 48)}))
    opt = torch.optim.AdamW(student.parameters(), lr=params["lr"])
    data = batches("main", params.get("seed", 17) + 5)
    for _ in range(params["steps"]):
        x = next(data)
        with torch.no_grad():
            target = torch.log_softmax(teacher(input_ids=x).logits, dim=-1)
        logp = torch.log_softmax(student(input_ids=x).logits, dim=-1)
        loss = torch.nn.functional.kl_div(logp, target, log_target=True, reduction="batchmean")
        loss.backward()
        opt.step()
        opt.zero_grad()
    student.eval().save_pretrained(str(out))


ATTACKS: dict[str, Callable[[Path, Path, dict], None]] = {
    "copy": attack_copy, "dtype": attack_dtype, "quantize": attack_quantize, "prune": attack_prune,
    "head_noise": attack_head_noise, "temperature": attack_temperature, "finetune": attack_finetune,
    "lora": attack_lora, "distill": attack_distill,
}


def base(name: str, **params) -> Recipe:
    return Recipe(name=name, kind="base", params=params)


def attack(name: str, parent: Recipe, **params) -> Recipe:
    return Recipe(name=name, kind="attack", params=params, parent=parent)


# ---------------------------------------------------------------- running
def model_tokenizer(model_dir: Path) -> str:
    """The tokenizer variant a built model was trained with (recorded in its recipe.json)."""
    recipe = json.loads((model_dir / "recipe.json").read_text())
    return str(recipe.get("tokenizer", "main"))


def model_outputs(model_dir: Path, *, positions: int, seed: int = 99, split: str = "main") -> np.ndarray:
    """Full logits of a model on held-out corpus windows (the benchmark's query positions)."""
    torch = _torch()
    model = _load(model_dir).eval()
    ids = token_ids(split, model_tokenizer(model_dir))
    rng = np.random.default_rng(seed)
    rows = []
    with torch.no_grad():
        while sum(r.shape[0] for r in rows) < positions:
            start = int(rng.integers(0, ids.size - SEQ - 1))
            x = torch.from_numpy(ids[start:start + SEQ][None])
            rows.append(model(input_ids=x).logits[0].to(torch.float32).numpy())
    return np.concatenate(rows)[:positions].astype(np.float64)
