"""docs/triage.md's commands are real: each parses against licheck's own CLI (options, arguments, subcommands)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from licheck.cli import cli

DOC = Path(__file__).resolve().parents[2] / "docs" / "triage.md"


def doc_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    lines = [line.split(" #", 1)[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("licheck ")]


def parse(words: list[str]) -> click.Command:
    """Parse ``words`` (after `licheck`) as click would run them, without running; returns the command reached."""
    command: click.Command = cli
    ctx = command.make_context("licheck", words)
    while isinstance(command, click.Group):
        protected = getattr(ctx, "_protected_args", None)  # click >= 8.2 (protected_args is deprecated there)
        rest = [*(ctx.protected_args if protected is None else protected), *ctx.args]
        name, sub, rest = command.resolve_command(ctx, rest)
        assert sub is not None, words
        ctx = sub.make_context(name or "", rest, parent=ctx)
        command = sub
    return command


def test_the_triage_doc_has_the_commands_of_each_decision() -> None:
    verbs = {" ".join(line.split()[:3]) for line in doc_commands()}
    assert {"licheck scan src/", "licheck report scan.json", "licheck notice src/", "licheck baseline create",
            "licheck baseline update"} <= verbs


@pytest.mark.parametrize("line", doc_commands())
def test_each_command_in_the_triage_doc_parses(line: str) -> None:
    parse(shlex.split(line)[1:])
