"""Errors a user can hit, each with a one-line message, a hint and a documented exit code."""

from __future__ import annotations

from enum import IntEnum

from fleetreport.text import terminal_safe


class ExitCode(IntEnum):
    """Process exit codes; the README's table documents them."""

    OK = 0
    ERROR = 1
    FINDINGS = 2
    PARTIAL = 3
    USAGE = 64
    LOCKED = 75


class FleetReportError(Exception):
    """A failure the user can act on: printed as one line, never as a traceback."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """The message and its hint on a single line, with no control characters."""
        text = self.message if not self.hint else f"{self.message} (hint: {self.hint})"
        return terminal_safe(" ".join(text.split()), limit=1000)


class UsageError(FleetReportError):
    """The command line itself is wrong."""

    exit_code = ExitCode.USAGE


class InputFileError(FleetReportError):
    """A file the user gave us is missing, unreadable, corrupt or of the wrong kind."""


class OutputError(FleetReportError):
    """An output file could not be written."""


class CredentialError(FleetReportError):
    """A password could not be found, or a server rejected the credentials."""


class SourceError(FleetReportError):
    """A vCenter or Horizon source could not be reached or read."""

    def __init__(self, source: str, message: str, hint: str | None = None) -> None:
        super().__init__(f"{source}: {message}", hint)
        self.source = source


class ConfigError(InputFileError):
    """A configuration file is malformed, has an unknown key or a value of the wrong type."""
