"""The lines fleetreport prints itself: errors and summaries, as text or as JSON log lines."""

from __future__ import annotations

import sys

from fleetreport.cli.logs import json_line
from fleetreport.errors import FleetReportError

_json = False


def tolerate_unencodable_characters() -> None:
    """Let stdout and stderr print any name, whatever the console's code page.

    A pool named ``Schulung-Łódź`` cannot be encoded in cp1252, the code page of a Windows
    console, of output redirected to a file there, and of a scheduled task's log: such a
    character is written as ``\\u0141`` instead of failing the run. UTF-8 consoles are unchanged.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def use_json(enabled: bool) -> None:
    """Print errors as JSON log lines (``--log-format json``)."""
    global _json
    _json = enabled


def print_line(message: str, level: str = "info") -> None:
    """One line on stderr, prefixed with the program's name."""
    if _json:
        print(json_line(level, message), file=sys.stderr)
    else:
        print(f"fleetreport: {message}", file=sys.stderr)


def print_error(error: FleetReportError) -> None:
    """A user-facing error as its one line."""
    if _json:
        print(json_line("error", error.one_line()), file=sys.stderr)
    else:
        print_line(f"error: {error.one_line()}")


def print_summary(message: str) -> None:
    """The run's one summary line, on stdout."""
    print(json_line("info", message) if _json else message)
