"""`licheck fingerprint`: model ownership verification. Imports only click and stdlib at top level."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from licheck.errors import EXIT_CLEAN, EXIT_VIOLATION, UsageError

_EXISTING_DIR = click.Path(exists=True, file_okay=False, path_type=Path)
_EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _progress(message: str) -> None:
    click.echo(message, err=True)


@click.group()
def fingerprint() -> None:
    """Check whether a suspect LLM is derived from your model (output-space fingerprint)."""


@fingerprint.command()
@click.argument("model_dir", required=False, type=_EXISTING_DIR)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Fingerprint file to write "
              "(default: fingerprints/<model>.safetensors).")
@click.option("--from-outputs", type=_EXISTING_FILE, help="Black-box: the victim's own full output vectors "
              "(.npy, .safetensors or JSONL).")
@click.option("--tokenizer", "tokenizer_dir", type=_EXISTING_DIR, help="Tokenizer folder (black-box extract).")
@click.option("--name", help="Name recorded in the fingerprint.")
@click.option("--allow-pickle", is_flag=True, help="Allow .bin/.pt checkpoints (loaded with weights_only=True).")
def extract(model_dir: Path | None, output: Path | None, from_outputs: Path | None, tokenizer_dir: Path | None,
            name: str | None, allow_pickle: bool) -> None:
    """Save the output-space fingerprint of MODEL_DIR (or of --from-outputs vectors)."""
    from licheck.fingerprint import api

    if (model_dir is None) == (from_outputs is None):
        raise UsageError("give either MODEL_DIR (white-box) or --from-outputs FILE (black-box)")
    if model_dir is not None:
        target = output or Path("fingerprints") / f"{model_dir.resolve().name}.safetensors"
        fp = api.extract_white_box(model_dir, target, allow_pickle=allow_pickle)
    else:
        if tokenizer_dir is None:
            raise UsageError("black-box extract needs --tokenizer DIR to name the vocabulary")
        label = name or from_outputs.stem
        target = output or Path("fingerprints") / f"{label}.safetensors"
        fp = api.extract_black_box(from_outputs, tokenizer_dir, target, name=label)
    click.echo(f"fingerprint of {fp.meta.name}: h={fp.meta.hidden_size} V={fp.meta.vocab_size} "
               f"dim={fp.meta.output_dim} ({fp.meta.kind}) -> {target}", err=True)


@fingerprint.command()
@click.argument("fingerprint_file", metavar="FINGERPRINT", type=_EXISTING_FILE)
@click.option("--suspect-model", type=_EXISTING_DIR, help="Suspect model folder (weight mode by default).")
@click.option("--run", is_flag=True, help="Query --suspect-model for full logits instead of comparing weights.")
@click.option("--suspect-outputs", type=_EXISTING_FILE, help="Suspect outputs: JSONL logprobs, .npy, .safetensors.")
@click.option("--suspect-endpoint", help="OpenAI-compatible base URL, e.g. https://host/v1.")
@click.option("--suspect-name", help="Model name sent to the endpoint (and shown in the report).")
@click.option("--api-key-env", default="LICHECK_API_KEY", show_default=True,
              help="Environment variable holding the endpoint's API key.")
@click.option("--null", "null_path", type=_EXISTING_FILE, help="Calibration null (default: <FINGERPRINT>.null.safetensors).")
@click.option("--null-models", multiple=True, type=_EXISTING_DIR,
              help="Build the null now from these independent model folders (repeatable; any tokenizer: "
                   "other tokenizers are compared on the tokens they share with the victim).")
@click.option("--prompts", type=_EXISTING_FILE, help="Prompt file, one per line (default: built-in set).")
@click.option("--max-positions", default=768, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--alpha", default=1e-2, show_default=True, type=click.FloatRange(1e-9, 0.5),
              help="False-positive rate the verdict is held to.")
@click.option("--softcap", type=click.FloatRange(min=0, min_open=True), help="Known final logit softcap to invert.")
@click.option("--top-k", default=20, show_default=True, type=click.IntRange(1, 1000), help="Endpoint logprobs k.")
@click.option("--api", "api_shape", type=click.Choice(["auto", "chat", "completions"]), default="auto",
              show_default=True, help="Endpoint shape: /chat/completions (top_logprobs <= 20) or legacy /completions; "
                                      "auto tries chat first.")
@click.option("--record", type=click.Path(dir_okay=False, path_type=Path),
              help="Endpoint dispute record (JSONL, appended): every request and response with hashes and times.")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.1, 600))
@click.option("--retries", default=2, show_default=True, type=click.IntRange(0, 10),
              help="Retries per endpoint request (timeouts, 429 and 5xx; Retry-After honoured, capped at 30 s).")
@click.option("--max-calls", type=click.IntRange(3), help="Endpoint call budget: positions are queried "
              "sequentially until the verdict is decided or the budget is spent. Without it only --max-positions "
              "bounds the run, and the fixed token set that heavy derivatives need costs up to 1 + ceil(3d / "
              "top-k) calls a position (d: the victim's output dimension): set it for a paid API.")
@click.option("--rate-limit", default=0.0, show_default=True, type=click.FloatRange(0),
              help="Most endpoint requests per second (0: no limit).")
@click.option("--allow-pickle", is_flag=True, help="Allow .bin/.pt checkpoints (weights_only=True).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Draw the statistic against the null.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option("--report", "evidence", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a self-contained HTML evidence report (plots inline, printable, no network).")
@click.pass_context
def verify(ctx: click.Context, fingerprint_file: Path, suspect_model: Path | None, run: bool,
           suspect_outputs: Path | None, suspect_endpoint: str | None, suspect_name: str | None, api_key_env: str,
           null_path: Path | None, null_models: tuple[Path, ...], prompts: Path | None, max_positions: int, alpha: float, softcap: float | None,
           top_k: int, api_shape: str, record: Path | None, timeout: float, retries: int, max_calls: int | None,
           rate_limit: float,
           allow_pickle: bool, fmt: str, plot: Path | None, output: Path | None, evidence: Path | None) -> None:
    """Test a suspect against FINGERPRINT. Exit 1 when derived, 0 otherwise, 2 on errors."""
    from licheck.fingerprint import api
    from licheck.fingerprint.report.table import render_table

    chosen = [x for x in (suspect_model, suspect_outputs, suspect_endpoint) if x is not None]
    if len(chosen) != 1:
        raise UsageError("give exactly one of --suspect-model, --suspect-outputs, --suspect-endpoint")
    if run and suspect_model is None:
        raise UsageError("--run applies to --suspect-model only")
    if suspect_model is not None:
        report = api.verify_suspect_model(fingerprint_file, suspect_model, null_path=null_path,
                                          null_models=list(null_models), run=run,
                                          prompts=prompts, max_positions=max_positions, allow_pickle=allow_pickle,
                                          alpha=alpha, progress=_progress)
    elif suspect_outputs is not None:
        report = api.verify_suspect_outputs(fingerprint_file, suspect_outputs, null_path=null_path, alpha=alpha,
                                            null_models=list(null_models), softcap=softcap,
                                            suspect_name=suspect_name, progress=_progress)
    else:
        from licheck.fingerprint import endpoint_api

        if not suspect_name:
            raise UsageError("--suspect-endpoint needs --suspect-name (the model name the API serves)")
        report = endpoint_api.verify_endpoint(
            fingerprint_file, suspect_endpoint or "", suspect_name, api_key=os.environ.get(api_key_env),
            null_path=null_path, prompts=prompts, max_positions=max_positions, alpha=alpha, top_k=top_k,
            timeout=timeout, record=record, null_models=list(null_models), api=api_shape, rate_limit=rate_limit,
            retries=retries, max_calls=max_calls, progress=_progress)
    text = json.dumps(report.data, indent=2) if fmt == "json" else render_table(report)
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)
    if plot is not None:
        from licheck.fingerprint.report.plot import plot_report

        plot_report(report, plot)
    if evidence is not None:
        from licheck.fingerprint.report.evidence import write_evidence

        write_evidence(report, evidence)
    ctx.exit(EXIT_VIOLATION if report.verdict == "derived" else EXIT_CLEAN)


@fingerprint.command()
@click.argument("model_dirs", nargs=-1, type=_EXISTING_DIR)
@click.option("--outputs", "output_files", multiple=True, type=_EXISTING_FILE,
              help="Full output vectors of an independent model (repeatable).")
@click.option("--tokenizer", "tokenizer_dir", type=_EXISTING_DIR, help="The shared tokenizer (for --outputs).")
@click.option("--fingerprint", "fingerprint_file", type=_EXISTING_FILE,
              help="The victim's fingerprint: models with other tokenizers are then compared on the tokens they "
                   "share with it (a shared-token null).")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Null file to write (verify looks for <FINGERPRINT>.null.safetensors by default).")
@click.option("--prompts", type=_EXISTING_FILE, help="Prompt file, one per line (default: built-in set).")
@click.option("--max-positions", default=768, show_default=True, type=click.IntRange(2, 100_000))
@click.option("--allow-pickle", is_flag=True)
def calibrate(model_dirs: tuple[Path, ...], output_files: tuple[Path, ...], tokenizer_dir: Path | None,
              fingerprint_file: Path | None, output: Path, prompts: Path | None, max_positions: int, allow_pickle: bool) -> None:
    """Build the empirical null from independent MODEL_DIRS (and/or --outputs files).

    Models sharing the victim's tokenizer give the strongest null; with --fingerprint, models whose tokenizers
    differ are compared on the tokens they share with the victim."""
    from licheck.fingerprint import api

    null = api.calibrate(list(model_dirs), list(output_files), tokenizer_dir=tokenizer_dir, output=output,
                         prompts=prompts, max_positions=max_positions, allow_pickle=allow_pickle,
                         fingerprint=fingerprint_file, progress=_progress)
    click.echo(f"{null.kind} null of {len(null.pairs)} ordered pairs -> {output}", err=True)
