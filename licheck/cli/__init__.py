"""The `licheck` command line: a thin layer over the library, with one error boundary."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from licheck import DISTRIBUTION, __version__
from licheck.errors import EXIT_ERROR, LicheckError


class LicheckGroup(click.Group):
    """The root group: maps every way a command can end to the exit codes of DESIGN.md.

    0 clean, 1 violation (set by commands through ctx.exit), 2 usage/input error or any crash.
    A bare ClickException or an uncaught traceback would exit 1, which CI reads as "violation".
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _LAZY_COMMANDS:
            if cmd_name in _NO_BLAS_THREADS and "numpy" not in sys.modules:
                # a scan does no linear algebra: OpenBLAS's thread pool, started when numpy is imported, would
                # only cost a pre-commit hook ≈ 0.1 s of CPU (its threads spin up and wait on every core)
                os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
            module_name, attribute = _LAZY_COMMANDS[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module_name), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:  # type: ignore[override]
        extra.pop("standalone_mode", None)
        try:
            rv = super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:  # raised by ctx.exit in some click versions
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(EXIT_ERROR)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(EXIT_ERROR)
        except LicheckError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(EXIT_ERROR)
        except Exception as exc:  # noqa: BLE001 - the boundary: never let a crash exit 1
            if os.environ.get("LICHECK_DEBUG"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("  hint: set LICHECK_DEBUG=1 to see the traceback, and report it.", err=True)
            sys.exit(EXIT_ERROR)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=LicheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="licheck",
                      message=f"%(prog)s %(version)s (distribution: {DISTRIBUTION})")
def cli() -> None:
    """Find code copied from licensed open-source projects, and models derived from yours."""


# name → "module:attribute"; a command's module is imported only when that command runs (or --help lists it),
# so `licheck scan` never loads the index builder, and nothing loads torch but `fingerprint` commands.
_LAZY_COMMANDS = {
    "baseline": "licheck.cli.baseline_cmd:baseline",
    "fingerprint": "licheck.cli.fingerprint_cmd:fingerprint",
    "index": "licheck.cli.index_cmd:index",
    "init": "licheck.cli.init_cmd:init",
    "notice": "licheck.cli.notice_cmd:notice",
    "report": "licheck.cli.report_cmd:report",
    "scan": "licheck.cli.scan_cmd:scan",
}


_NO_BLAS_THREADS = frozenset({"scan"})


def main() -> None:
    cli.main(prog_name="licheck")
