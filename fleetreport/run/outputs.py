"""A run's outputs: written into a staging folder, renamed into a dated folder, then ``latest``.

An interrupted run leaves only a hidden ``.staging-*`` folder behind (removed by the next
run); the previous dated folders and the ``latest`` pointers are untouched until the new folder
is complete.

Two pointers name the newest folder: ``latest.txt`` (its name on one line, written on every
system, for scripts) and a ``latest`` symbolic link where the system allows one. Windows grants
link rights only to administrators and to Developer Mode, so there a run without them keeps
just ``latest.txt`` and says so once in the log; nothing fails.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from fleetreport.atomic_write import write_atomically
from fleetreport.errors import OutputError

log = logging.getLogger(__name__)
LATEST = "latest"
LATEST_POINTER = "latest.txt"
STAGING_PREFIX = ".staging-"
RUN_FOLDER_FORMAT = "%Y-%m-%dT%H%M%SZ"


@contextlib.contextmanager
def staged_run_folder(root: Path) -> Iterator[Path]:
    """A fresh staging folder under ``root``; removed if the block fails."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        _remove_stale_staging(root)
        staging = root / f"{STAGING_PREFIX}{os.getpid()}"
        staging.mkdir()  # with the user's umask, like any folder they create
    except OSError as error:
        raise OutputError(
            f"cannot write to output folder {root}: {error.strerror or error}",
            hint="check [output] folder and its permissions",
        ) from None
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def publish(staging: Path, root: Path, collected_at: datetime) -> Path:
    """Rename the staging folder to its dated name and point ``latest`` at it."""
    name = collected_at.strftime(RUN_FOLDER_FORMAT)
    target = root / name
    suffix = 2
    while target.exists():
        target = root / f"{name}-{suffix}"
        suffix += 1
    staging.rename(target)
    write_atomically(root / LATEST_POINTER, f"{target.name}\n")
    _link_latest(root, target)
    return target


def _link_latest(root: Path, target: Path) -> None:
    """Point the ``latest`` link at ``target`` atomically, where links may be made."""
    link = root / LATEST
    temporary = root / f".{LATEST}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    try:
        temporary.symlink_to(target.name, target_is_directory=True)
        temporary.replace(link)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if link.is_symlink():  # a stale link would name an older folder: better none
            with contextlib.suppress(OSError):
                link.unlink()
        log.info(
            "no 'latest' link (%s): %s names the newest folder",
            error.strerror or error,
            LATEST_POINTER,
        )


def prune(root: Path, keep: int) -> list[Path]:
    """Remove the oldest dated folders beyond ``keep`` (0 keeps all); the ones removed."""
    if keep <= 0:
        return []
    dated = sorted(
        p for p in root.iterdir() if p.is_dir() and not p.is_symlink() and _is_run_folder(p)
    )
    removed = dated[:-keep]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
        log.info("removed old run folder %s", folder)
    return removed


def _is_run_folder(path: Path) -> bool:
    try:
        datetime.strptime(path.name[:18], RUN_FOLDER_FORMAT)
    except ValueError:
        return False
    return True


def _remove_stale_staging(root: Path) -> None:
    for stale in root.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)
