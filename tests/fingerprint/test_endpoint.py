"""verify --suspect-endpoint against a real HTTP server on 127.0.0.1 serving a tiny model."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from server import ModelServer, ServerMode

from licheck.cli import cli

KEY = "sk-test-SECRET-0123456789"


def _verify(victim_fp, url: str, *extra: str, env: dict | None = None):
    args = ["fingerprint", "verify", str(victim_fp), "--suspect-endpoint", url, "--suspect-name", "tiny",
            "--format", "json", "--max-positions", "12", "--timeout", "2", *extra]
    return CliRunner(env=env or {}).invoke(cli, args, catch_exceptions=False)


def test_honoured_logit_bias_recovers_coordinates_and_convicts_a_bf16_copy(models, victim_fp, null_file, tmp_path) -> None:
    record = tmp_path / "record.jsonl"
    with ModelServer(models["bf16"], ServerMode(api_key=KEY)) as server:
        result = _verify(victim_fp, server.url, "--record", str(record), env={"LICHECK_API_KEY": KEY})
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "derived" and report["mode"] == "top-k+logit-bias"
    assert report["coordinates_per_position"] >= 2 * 49 - 20
    assert report["calls"] == len(server.requests) and report["calls"] <= 12 * 6 + 2
    assert all(h == f"Bearer {KEY}" for h in server.headers)
    assert KEY not in result.output and KEY not in record.read_text()
    assert all("request_sha256" in json.loads(line) for line in record.read_text().splitlines())


def test_endpoint_that_ignores_logit_bias_in_its_logprobs_is_inconclusive(models, victim_fp, null_file) -> None:
    with ModelServer(models["victim"], ServerMode(honour_bias=False)) as server:
        result = _verify(victim_fp, server.url)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "inconclusive" and report["mode"] == "top-k"
    assert any("ignore the logit bias" in note for note in report["notes"])


def test_independent_model_behind_an_endpoint_is_never_convicted(models, victim_fp, null_file) -> None:
    with ModelServer(models["indep-heldout"], ServerMode()) as server:
        result = _verify(victim_fp, server.url)
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["verdict"] != "derived"


@pytest.mark.parametrize("mode", [ServerMode(garbage=True), ServerMode(delay=3.0)], ids=["garbage", "timeout"])
def test_endpoint_answering_garbage_or_too_late_is_an_input_error(models, victim_fp, null_file, mode) -> None:
    with ModelServer(models["victim"], mode) as server:
        result = _verify(victim_fp, server.url, "--timeout", "0.5")
    assert result.exit_code == 2
    assert "not JSON" in result.output or "timed out" in result.output


def test_endpoint_without_the_right_key_fails_without_echoing_it(models, victim_fp, null_file) -> None:
    with ModelServer(models["victim"], ServerMode(api_key="other")) as server:
        result = _verify(victim_fp, server.url, env={"LICHECK_API_KEY": KEY})
    assert result.exit_code == 2 and "HTTP 401" in result.output and KEY not in result.output
