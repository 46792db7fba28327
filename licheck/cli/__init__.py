"""The `licheck` command line: a thin layer over the library, with one error boundary."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from licheck import __version__
from licheck.errors import EXIT_ERROR, LicheckError


class LicheckGroup(click.Group):
    """The root group: maps every way a command can end to the exit codes of DESIGN.md.

    0 clean, 1 violation (set by commands through ctx.exit), 2 usage/input error or any crash.
    A bare ClickException or an uncaught traceback would exit 1, which CI reads as "violation".
    """

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
@click.version_option(__version__, prog_name="licheck")
def cli() -> None:
    """Find code copied from licensed open-source projects, and models derived from yours."""


def _register() -> None:
    from licheck.cli.index_cmd import index
    from licheck.cli.scan_cmd import scan

    cli.add_command(index)
    cli.add_command(scan)
    from licheck.cli.baseline_cmd import baseline
    from licheck.cli.notice_cmd import notice

    cli.add_command(baseline)
    cli.add_command(notice)
    try:  # the fingerprint group imports nothing heavy until one of its commands runs
        from licheck.cli.fingerprint_cmd import fingerprint
    except ImportError:
        pass
    else:
        cli.add_command(fingerprint)


_register()


def main() -> None:
    cli.main(prog_name="licheck")
