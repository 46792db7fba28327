"""What a model directory holds, checked before anything is read: config, weight files, tokenizer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from licheck.errors import InputError

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
SOFTCAP_KEYS = ("final_logit_softcapping", "logit_softcapping", "final_logit_softcap")


@dataclass(frozen=True)
class ModelDir:
    """A local Hugging Face model directory that passed the safety checks."""

    path: Path
    config: dict
    safetensors_files: tuple[Path, ...]
    index_map: dict[str, str] | None  # tensor name -> shard file name (sharded checkpoints)
    pickle_files: tuple[Path, ...]

    @property
    def hidden_size(self) -> int:
        return int(_first(self.config, ("hidden_size", "n_embd", "d_model"), 0))

    @property
    def vocab_size(self) -> int:
        return int(_first(self.config, ("vocab_size",), 0))

    @property
    def model_type(self) -> str:
        return str(self.config.get("model_type", "unknown"))

    @property
    def softcap(self) -> float | None:
        value = _first(self.config, SOFTCAP_KEYS, None)
        return float(value) if value else None

    @property
    def tied(self) -> bool:
        return bool(self.config.get("tie_word_embeddings", self.model_type in ("gpt2",)))


def open_model_dir(path: str | Path) -> ModelDir:
    """Read config.json and list weight files, refusing custom code."""
    root = Path(path)
    if not root.is_dir():
        raise InputError(f"{root}: not a model directory", hint="pass a local Hugging Face model folder")
    config = load_config(root)
    index_map = _load_index(root)
    if index_map is not None:
        shards = sorted({_inside(root, name) for name in index_map.values()})
    else:
        shards = sorted(root.glob("*.safetensors"))
    pickles = tuple(sorted(p for p in root.iterdir() if p.suffix in PICKLE_SUFFIXES and p.is_file()))
    return ModelDir(path=root, config=config, safetensors_files=tuple(shards), index_map=index_map,
                    pickle_files=pickles)


def load_config(root: Path) -> dict:
    """config.json, refusing `auto_map` (custom code) and anything that is not a JSON object."""
    cfg_path = root / "config.json"
    if not cfg_path.is_file():
        raise InputError(f"{root}: no config.json", hint="a Hugging Face model directory has one")
    try:
        config = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{cfg_path}: unreadable config ({exc})") from exc
    if not isinstance(config, dict):
        raise InputError(f"{cfg_path}: the config is not a JSON object")
    if config.get("auto_map"):
        raise InputError(
            f"{cfg_path}: auto_map names custom model code; licheck never runs remote code",
            hint="use a model with a built-in transformers architecture",
        )
    text = config.get("text_config")
    if isinstance(text, dict):  # multimodal wrappers keep the language model's sizes here
        merged = dict(text)
        merged.update({k: v for k, v in config.items() if k != "text_config" and k not in merged})
        return merged
    return config


def _load_index(root: Path) -> dict[str, str] | None:
    index_path = root / "model.safetensors.index.json"
    if not index_path.is_file():
        return None
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
        weight_map = index["weight_map"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{index_path}: malformed index file ({exc})") from exc
    if not isinstance(weight_map, dict) or not all(isinstance(v, str) for v in weight_map.values()):
        raise InputError(f"{index_path}: weight_map must map tensor names to shard file names")
    for name in weight_map.values():
        _inside(root, name)
    return {str(k): str(v) for k, v in weight_map.items()}


def _inside(root: Path, name: str) -> Path:
    candidate = (root / name).resolve()
    if root.resolve() not in candidate.parents or not candidate.is_file():
        raise InputError(f"{root}: the index names a shard outside the folder or missing: {name!r}")
    return candidate


def _first(config: dict, keys: tuple[str, ...], default: object) -> object:
    for key in keys:
        if config.get(key) is not None:
            return config[key]
    return default
