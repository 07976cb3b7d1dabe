"""A lock file that stops two overlapping runs (cron or Task Scheduler firing again) from
clobbering each other.

``filelock`` takes the operating system's own lock on the file (``flock`` on Linux and macOS,
``LockFileEx`` on Windows): the system releases it when the process dies, so a crashed run
never leaves a stale lock behind. Who holds it is written beside it, for the message: Windows
lets no other process read a locked file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import filelock

from fleetreport.errors import ExitCode, FleetReportError, OutputError

HOLDER_SUFFIX = ".holder"


class LockedError(FleetReportError):
    """Another run holds the lock."""

    exit_code = ExitCode.LOCKED


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold the lock for the duration of the block, or fail at once if it is taken."""
    holder = path.with_name(path.name + HOLDER_SUFFIX)
    lock = filelock.FileLock(str(path), timeout=0, thread_local=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except filelock.Timeout:
        raise LockedError(
            f"another fleetreport run is in progress ({_holder_text(holder)}; lock {path})",
            hint="wait for it to finish; the lock is released when that process ends",
        ) from None
    except OSError as error:
        raise OutputError(
            f"cannot create the run lock {path}: {error.strerror or error}",
            hint="check that the folder of [run] lock_file (or [output] folder) is writable",
        ) from None
    try:
        with contextlib.suppress(OSError):
            holder.write_text(
                f"pid {os.getpid()}, started {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC\n",
                encoding="utf-8",
            )
        yield
    finally:
        with contextlib.suppress(OSError):
            holder.unlink()
        lock.release()


def _holder_text(holder: Path) -> str:
    try:
        return holder.read_text(encoding="utf-8").strip() or "another process"
    except (OSError, UnicodeDecodeError):
        return "another process"
