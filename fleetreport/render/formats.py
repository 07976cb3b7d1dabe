"""The report formats and paper sizes a user can name: one list for the command line, the run
config and the writers (a module of constants, so that parsing options imports no renderer)."""

from __future__ import annotations

FORMATS = ("html", "json", "csv", "xlsx", "pdf")
"""Report formats, ``--format`` and the run config's ``[output] formats``."""

PAPER_SIZES = {"a4": "A4", "letter": "letter"}
"""Paper names accepted, as CSS ``@page`` sizes."""
