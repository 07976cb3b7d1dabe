"""A lock file that stops two overlapping runs (cron firing again) from clobbering each other.

``flock`` on an open file: the kernel releases it when the process dies, so a crashed run
never leaves a stale lock behind. The file records who holds it, for the message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from fleetreport.errors import ExitCode, FleetReportError


class LockedError(FleetReportError):
    """Another run holds the lock."""

    exit_code = ExitCode.LOCKED


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold the lock for the duration of the block, or fail at once if it is taken."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise LockedError(
                f"another fleetreport run is in progress ({holder}; lock {path})",
                hint="wait for it to finish; the lock is released when that process ends",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC\n")
        handle.flush()
        yield
    finally:
        handle.close()
