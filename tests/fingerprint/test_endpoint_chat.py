"""Chat-completions endpoints, shape detection, retries, rate limits and the dispute record, against a real
HTTP server on 127.0.0.1 serving a tiny model."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from click.testing import CliRunner
from server import ModelServer, ServerMode

from licheck.cli import cli


def _verify(victim_fp, url: str, *extra: str):
    args = ["fingerprint", "verify", str(victim_fp), "--suspect-endpoint", url, "--suspect-name", "tiny",
            "--format", "json", "--max-positions", "8", "--timeout", "5", *extra]
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def _lines(record) -> list[dict]:
    return [json.loads(line) for line in record.read_text().splitlines()]


def test_chat_only_server_is_detected_and_a_bf16_copy_convicted_through_top_logprobs(models, victim_fp, null_file,
                                                                                    tmp_path) -> None:
    record = tmp_path / "record.jsonl"
    with ModelServer(models["bf16"], ServerMode(shapes=("chat",))) as server:
        result = _verify(victim_fp, server.url, "--record", str(record), "--top-k", "50")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "derived" and report["mode"] == "top-k+logit-bias"
    assert {r["_shape"] for r in server.requests} == {"chat"}
    assert all(r["top_logprobs"] <= 20 and r["logprobs"] is True for r in server.requests)
    # one plain call per position (the probe's doubles as the first position's); the rest carry a logit bias
    assert sum("logit_bias" not in r for r in server.requests) == report["positions"]
    assert any("chat completions answered" in note for note in report["notes"])
    assert report["calls"] == len(server.requests) == len(report["call_log"]) == len(_lines(record))


def test_completions_only_server_falls_back_and_the_record_keeps_the_refused_chat_call(models, victim_fp, null_file,
                                                                                      tmp_path) -> None:
    record = tmp_path / "record.jsonl"
    with ModelServer(models["bf16"], ServerMode(shapes=("completions",))) as server:
        result = _verify(victim_fp, server.url, "--record", str(record))
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    entries = _lines(record)
    assert entries[0]["api"] == "chat" and entries[0]["status"] == 404
    assert {e["api"] for e in entries[1:]} == {"completions"}
    assert any("legacy completions used" in note for note in report["notes"])


def test_explicit_chat_against_a_completions_server_is_an_input_error(models, victim_fp, null_file) -> None:
    with ModelServer(models["victim"], ServerMode(shapes=("completions",))) as server:
        result = _verify(victim_fp, server.url, "--api", "chat")
    assert result.exit_code == 2 and "HTTP 404" in result.output


def test_chat_refuses_more_than_twenty_top_logprobs_before_any_call(models, victim_fp, null_file) -> None:
    with ModelServer(models["victim"], ServerMode()) as server:
        result = _verify(victim_fp, server.url, "--api", "chat", "--top-k", "21")
    assert result.exit_code == 2 and "at most 20" in result.output and server.requests == []


def test_overloaded_server_is_retried_after_its_retry_after_and_every_attempt_recorded(models, victim_fp, null_file,
                                                                                      tmp_path) -> None:
    record = tmp_path / "record.jsonl"
    with ModelServer(models["bf16"], ServerMode(fail_first=2, retry_after="0.05")) as server:
        result = _verify(victim_fp, server.url, "--record", str(record), "--retries", "2")
    assert result.exit_code == 1, result.output
    entries = _lines(record)
    assert [e["status"] for e in entries[:3]] == [503, 503, 200]
    assert [e["attempt"] for e in entries[:3]] == [0, 1, 2]


def test_server_down_for_longer_than_the_retries_is_an_input_error(models, victim_fp, null_file) -> None:
    with ModelServer(models["victim"], ServerMode(fail_first=10, retry_after="0")) as server:
        result = _verify(victim_fp, server.url, "--retries", "1")
    assert result.exit_code == 2 and "HTTP 503 after 2 attempts" in result.output
    assert len(server.requests) == 2


def test_rate_limit_spaces_requests(models, victim_fp, null_file, tmp_path) -> None:
    record = tmp_path / "record.jsonl"
    with ModelServer(models["victim"], ServerMode()) as server:
        result = _verify(victim_fp, server.url, "--record", str(record), "--rate-limit", "40",
                         "--max-positions", "2")
    assert result.exit_code in (0, 1), result.output
    sent = [datetime.fromisoformat(e["sent_at"]) for e in _lines(record)]
    gaps = [(b - a).total_seconds() for a, b in zip(sent, sent[1:], strict=False)]
    assert len(gaps) >= 5 and min(gaps) >= 1 / 40 - 2e-3


def test_dispute_record_hashes_are_those_of_the_exact_bytes_exchanged(models, victim_fp, null_file, tmp_path) -> None:
    record = tmp_path / "record.jsonl"
    with ModelServer(models["victim"], ServerMode()) as server:
        result = _verify(victim_fp, server.url, "--record", str(record), "--max-positions", "2")
    report = json.loads(result.stdout)
    for entry in _lines(record):
        assert hashlib.sha256(json.dumps(entry["request"]).encode()).hexdigest() == entry["request_sha256"]
        assert hashlib.sha256(entry["response"].encode()).hexdigest() == entry["response_sha256"]
        assert datetime.fromisoformat(entry["sent_at"]) <= datetime.fromisoformat(entry["received_at"])
    assert report["dispute_record"]["sha256"] == "sha256:" + hashlib.sha256(
        record.name.encode() + b"\0" + record.read_bytes()).hexdigest()


def test_sequential_test_stops_at_the_first_decided_look_within_24_calls(models, victim_fp, null_file) -> None:
    with ModelServer(models["bf16"], ServerMode()) as server:
        result = _verify(victim_fp, server.url, "--max-positions", "64")
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and report["positions"] == 4 and report["calls"] == len(server.requests) <= 24
    assert any(n.startswith("sequential test: looks planned at 4, 8, 16, 32, 64") for n in report["notes"])


def test_call_budget_bounds_the_queries_of_an_undecided_suspect(models, victim_fp, null_file) -> None:
    with ModelServer(models["indep-heldout"], ServerMode()) as server:
        result = _verify(victim_fp, server.url, "--max-positions", "64", "--max-calls", "40")
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["verdict"] != "derived"
    assert len(server.requests) <= 40 and report["positions"] <= 40 // 6


def test_call_budget_below_one_position_is_a_usage_error(models, victim_fp, null_file) -> None:
    with ModelServer(models["victim"], ServerMode()) as server:
        result = _verify(victim_fp, server.url, "--max-calls", "5")
    assert result.exit_code == 2 and "does not cover one position" in result.output
