"""Typed errors, each carrying the exit code the CLI turns it into.

Domain and storage code raise these; the CLI's one error boundary prints the
message as one line on stderr and exits with ``exit_code``.
"""

from __future__ import annotations


class SessionpackError(Exception):
    """Base class. ``str(err)`` is the one line shown to the user."""

    exit_code = 1


class RuleError(SessionpackError):
    """Refused by a rule of the product (no balance, expired, sold before...)."""

    exit_code = 1


class InputError(SessionpackError):
    """Bad usage or bad input (unknown id, malformed value, bad file)."""

    exit_code = 2


class DataDirError(SessionpackError):
    """The data directory is missing, uninitialised, damaged or unwritable."""

    exit_code = 3


class TemporaryError(SessionpackError):
    """Try again later: lock held too long, mail server down."""

    exit_code = 75


class FileProblem(DataDirError):
    """Damage in a file of the data directory, located by file and line."""

    def __init__(self, path: str, line: int | None, what: str, fix: str = "") -> None:
        self.path = path
        self.line = line
        self.what = what
        self.fix = fix
        where = f"{path}:{line}" if line else path
        text = f"{where}: {what}"
        if fix:
            text += f"; {fix}"
        super().__init__(text)


class CatalogProblem(InputError):
    """A hand-edited catalog file (TOML) is wrong; exit 2, nothing written."""

    def __init__(self, path: str, line: int | None, what: str, fix: str = "") -> None:
        self.path = path
        self.line = line
        self.what = what
        self.fix = fix
        where = f"{path}:{line}" if line else path
        text = f"{where}: {what}"
        if fix:
            text += f"; {fix}"
        super().__init__(text)


class FieldError(InputError):
    """A value under ``key`` (a dotted path such as ``contents.services``) is wrong.

    Raised by the pure parsers of catalog records; storage turns the key into
    a file and line when the record came from a hand-edited file.
    """

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        self.message = message
        super().__init__(f"{key}: {message}" if key else message)
