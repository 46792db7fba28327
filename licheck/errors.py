"""Typed errors: each carries the exit code the CLI maps it to and a hint on how to fix it."""

from __future__ import annotations

EXIT_CLEAN = 0
EXIT_VIOLATION = 1  # scan: policy violated; fingerprint verify: ownership confirmed
EXIT_ERROR = 2  # usage or input error, or anything that prevented an answer


class LicheckError(Exception):
    """Base class of every error licheck reports to a user."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class UsageError(LicheckError):
    """The command line or configuration asks for something impossible."""


class InputError(LicheckError):
    """An input (file, diff, archive, model) cannot be read."""


class IndexFileError(LicheckError):
    """The index file is missing, corrupt, locked, or built with other settings."""


class IndexMismatchError(IndexFileError):
    """The index was built with other sketch settings or library versions."""


class ConfigError(LicheckError):
    """The policy/config file is invalid; the message lists every problem."""


class SourceError(LicheckError):
    """A source (registry package, archive, git revision) could not be fetched or unpacked safely."""


class UnsafeArchiveError(SourceError):
    """An archive member would escape the extraction folder or is a decompression bomb."""
