"""The CLI reference (docs/cli.md) is generated from --help, so it cannot drift from the commands."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[2]


def load_generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_cli", ROOT / "docs" / "gen_cli.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_matches_the_commands_help() -> None:
    generated = load_generator().render()
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == generated, "docs/cli.md is out of date: run `python docs/gen_cli.py`"


def test_every_command_has_a_section_in_the_cli_reference() -> None:
    from licheck.cli import cli

    sections = set(re.findall(r"^## `(.+)`$", (ROOT / "docs" / "cli.md").read_text(encoding="utf-8"), re.M))
    expected = {"licheck", "licheck scan", "licheck notice", "licheck baseline create", "licheck baseline update"}
    expected |= {f"licheck {name}" for name in cli.list_commands(click.Context(cli))}
    assert expected <= sections


def test_scan_help_names_every_input_mode_and_output_format() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    scan = text.split("## `licheck scan`", 1)[1]
    for option in ("--staged", "--diff REV", "--diff-file FILE|-", "--baseline FILE", "--config, --policy",
                   "table|json|sarif|spdx|cyclonedx"):
        assert option in scan, option
