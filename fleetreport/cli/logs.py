"""Logging to stderr: plain lines for people, or one JSON object per line for log collectors.

Nothing logged carries a secret: Secret objects print as ``***`` and no code logs a password.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

TEXT_FORMAT = "fleetreport: %(levelname)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """``{"time": ..., "level": ..., "logger": ..., "message": ...}`` per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.levelno >= logging.ERROR:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: int, log_format: str = "text") -> None:
    """Send fleetreport's log records to stderr at ``level`` in ``log_format``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root = logging.getLogger("fleetreport")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    # A log line that cannot be written must not make logging print the record (and the
    # exception it carries) somewhere else.
    logging.raiseExceptions = False


def json_line(level: str, message: str) -> str:
    """A message the CLI prints itself (errors, the summary) as a JSON log line."""
    return json.dumps(
        {
            "time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "level": level,
            "logger": "fleetreport",
            "message": message,
        },
        ensure_ascii=False,
    )
