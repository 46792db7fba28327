"""Generate docs/cli.md from the `--help` of every licheck command (run: python docs/gen_cli.py).

`python docs/gen_cli.py --check` exits 1 when docs/cli.md differs from what the commands say (a test runs it).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

DOC = Path(__file__).resolve().parent / "cli.md"
WIDTH = 100


def walk(command: click.Command, parent: click.Context | None, name: str) -> Iterator[tuple[str, str]]:
    """(`licheck sub cmd`, help text) for a command and, depth first, its subcommands in name order."""
    settings = {"terminal_width": WIDTH, "max_content_width": WIDTH, **command.context_settings}
    ctx = click.Context(command, info_name=name, parent=parent, **settings)
    yield ctx.command_path, command.get_help(ctx)
    if isinstance(command, click.Group):
        for sub_name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, sub_name)
            if sub is not None and not sub.hidden:
                yield from walk(sub, ctx, sub_name)


def render() -> str:
    from licheck.cli import cli

    parts = ["# licheck command-line reference", "",
             "Generated from `--help` by `python docs/gen_cli.py`; a test checks it is current. Exit codes: "
             "0 clean, 1 policy violated (scan) or ownership confirmed (verify), 2 usage or input error.", ""]
    for path, text in walk(cli, None, "licheck"):
        parts += [f"## `{path}`", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = DOC.read_text(encoding="utf-8") if DOC.is_file() else ""
        if current != text:
            print(f"{DOC} is out of date: run `python docs/gen_cli.py`", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
