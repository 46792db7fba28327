"""The calls the `licheck fingerprint` commands make: one function per command, paths in, results out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from licheck.errors import InputError, UsageError
from licheck.fingerprint import null_api
from licheck.fingerprint.calibration.calibrate import NullModel
from licheck.fingerprint.calibration.nullfile import load_null, null_path_for
from licheck.fingerprint.digest import file_digest
from licheck.fingerprint.inputs.extract import extract_from_outputs, extract_from_weights
from licheck.fingerprint.inputs.fpfile import Fingerprint, load_fingerprint, save_fingerprint
from licheck.fingerprint.inputs.model_dir import open_model_dir
from licheck.fingerprint.inputs.observations import Observations, full_observations
from licheck.fingerprint.inputs.outputs_file import (
    observations_from_positions,
    parse_jsonl,
    read_array_outputs,
)
from licheck.fingerprint.inputs.prompts import load_prompts
from licheck.fingerprint.inputs.runner import run_model
from licheck.fingerprint.inputs.softcap import uncap_logprobs
from licheck.fingerprint.inputs.tensors import read_output_layer
from licheck.fingerprint.inputs.vocab import Vocabulary, build_token_map, load_vocabulary
from licheck.fingerprint.null_api import full_vectors
from licheck.fingerprint.report.verify_report import VerifyReport, build_report
from licheck.fingerprint.verdict.settings import VerifySettings
from licheck.fingerprint.verdict.verify import verify_observations, verify_weights

Progress = Callable[[str], None]
DEFAULT_MAX_POSITIONS = 768


def extract_white_box(model_dir: Path, output: Path, *, allow_pickle: bool = False) -> Fingerprint:
    fp = extract_from_weights(model_dir, allow_pickle=allow_pickle)
    save_fingerprint(fp, output)
    return fp


def extract_black_box(outputs: Path, tokenizer_dir: Path, output: Path, *, name: str) -> Fingerprint:
    vocab = load_vocabulary(tokenizer_dir)
    values = full_vectors(outputs, vocab)
    fp = extract_from_outputs(values, vocab, name=name, source_digest=file_digest([outputs]))
    save_fingerprint(fp, output)
    return fp


def verify_suspect_model(fp_path: Path, suspect_dir: Path, *, null_path: Path | None, null_models: list[Path] | None = None, run: bool,
                         prompts: Path | None, max_positions: int, allow_pickle: bool, alpha: float,
                         progress: Progress | None = None) -> VerifyReport:
    fp, null = load_fingerprint_and_null(fp_path, null_path, null_models=null_models, progress=progress)
    model = open_model_dir(suspect_dir)
    vocab = load_vocabulary(model.path)
    _require_same_vocabulary(fp, vocab, suspect_dir)
    hashes = {"fingerprint": file_digest([fp_path]), "suspect_weights": file_digest(model.safetensors_files or
                                                                                   model.pickle_files)}
    settings = VerifySettings(alpha=alpha, suspect_name=model.path.name, input_hashes=hashes)
    if not run:
        layer = read_output_layer(model, allow_pickle=allow_pickle)
        return build_report(verify_weights(fp, layer.head, layer.bias, null, replace(settings, access="weights")))
    if progress:
        progress(f"running {model.path.name} on the prompt set")
    result = run_model(model, load_prompts(prompts), max_positions=max_positions, allow_pickle=allow_pickle)
    notes = (f"suspect softcap {result.softcap_inverted} inverted",) if result.softcap_inverted else ()
    return build_report(verify_observations(fp, result.observations, null,
                                            replace(settings, access="full-logits", notes=notes)))


def verify_suspect_outputs(fp_path: Path, outputs: Path, *, null_path: Path | None, alpha: float,
                           null_models: list[Path] | None = None, softcap: float | None = None,
                           suspect_name: str | None = None, progress: Progress | None = None) -> VerifyReport:
    fp, null = load_fingerprint_and_null(fp_path, null_path, null_models=null_models, progress=progress)
    obs = read_observations(outputs, fp)
    cap = softcap or fp.meta.softcap
    notes: tuple[str, ...] = ()
    if cap and obs.is_full:
        obs = replace(obs, values=uncap_logprobs(obs.values, cap, fp.basis))
        notes = (f"softcap {cap} inverted (offset fitted per position)",)
    access = "full" if obs.is_full else ("top-k" if obs.topk_only else "partial")
    settings = VerifySettings(alpha=alpha, access=access, suspect_name=suspect_name or outputs.name,
                              input_hashes={"fingerprint": file_digest([fp_path]), "suspect_outputs":
                                            file_digest([outputs])}, notes=notes)
    return build_report(verify_observations(fp, obs, null, settings))


def read_observations(outputs: Path, fp: Fingerprint) -> Observations:
    if outputs.suffix in (".npy", ".safetensors"):
        return full_observations(read_array_outputs(outputs))
    vocab = Vocabulary(tokens=fp.meta.tokens, digest=fp.meta.tokenizer_digest, byte_level=fp.meta.byte_level)
    parsed = parse_jsonl(outputs, build_token_map(vocab), vocab_size=fp.meta.vocab_size)
    return observations_from_positions(parsed, vocab_size=fp.meta.vocab_size, output_dim=fp.basis.shape[1])


def calibrate(model_dirs: list[Path], output_files: list[Path], *, tokenizer_dir: Path | None, output: Path,
              prompts: Path | None, max_positions: int, allow_pickle: bool, fingerprint: Path | None = None,
              progress: Progress | None = None) -> NullModel:
    victim = load_fingerprint(fingerprint) if fingerprint is not None else None
    return null_api.calibrate(model_dirs, output_files, tokenizer_dir=tokenizer_dir, output=output, prompts=prompts,
                              max_positions=max_positions, allow_pickle=allow_pickle, victim=victim,
                              progress=progress)


def load_fingerprint_and_null(fp_path: Path, null_path: Path | None, *, null_models: list[Path] | None = None,
                              prompts: Path | None = None, max_positions: int = DEFAULT_MAX_POSITIONS,
                              allow_pickle: bool = False,
                              progress: Progress | None = None) -> tuple[Fingerprint, NullModel]:
    """The fingerprint and its null: built now from `null_models`, or read from --null / the default path."""
    fp = load_fingerprint(fp_path)
    if null_models:
        return fp, null_api.calibrate(null_models, [], tokenizer_dir=None, output=None, prompts=prompts,
                                      max_positions=max_positions, allow_pickle=allow_pickle, victim=fp,
                                      progress=progress)
    path = null_path or null_path_for(fp_path)
    if not path.is_file():
        raise UsageError(f"no calibration null at {path}",
                         hint="build one with `licheck fingerprint calibrate --fingerprint FP MODEL_DIR... --output "
                              "PATH` (independent models, any tokenizer), pass --null, or --null-models DIR...")
    return fp, load_null(path)


def _require_same_vocabulary(fp: Fingerprint, vocab: Vocabulary, suspect_dir: Path) -> None:
    if vocab.digest != fp.meta.tokenizer_digest:
        raise InputError(f"{suspect_dir}: the suspect's tokenizer differs from the victim's (mismatched vocabularies)",
                         hint="verify through --suspect-outputs with tokens mapped to the victim's vocabulary")
