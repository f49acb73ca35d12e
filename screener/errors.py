"""One error family for the library; cli.py maps each to a documented exit code."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes (documented in README)."""

    OK = 0
    ERROR = 1  # unexpected failure (a bug): reported with its type, not a traceback
    USAGE = 2  # bad option or argument value
    INPUT = 3  # unreadable or invalid input file (documents, signals)
    DATABASE = 4  # database missing, locked, corrupt or a failed SQL statement
    NOTHING = 5  # nothing to do: no document could be ingested, unknown ticker
    OUTPUT = 6  # the output file cannot be written (or would overwrite a database)
    INTERRUPTED = 130  # Ctrl-C / SIGTERM: the database as it was, or fully committed (said)


class ScreenerError(Exception):
    """Base class: a message a user can act on."""

    exit_code: ExitCode = ExitCode.ERROR
    multiline = False  # a list of problems, one a line; any other message is one line


class UsageError(ScreenerError):
    exit_code = ExitCode.USAGE


class InputError(ScreenerError):
    exit_code = ExitCode.INPUT


class DatabaseError(ScreenerError):
    exit_code = ExitCode.DATABASE


class NotFoundError(ScreenerError):
    exit_code = ExitCode.NOTHING


class OutputError(ScreenerError):
    exit_code = ExitCode.OUTPUT
