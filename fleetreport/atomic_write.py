"""Write output files whole or not at all: a temporary file beside the target, then a rename."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from fleetreport.errors import OutputError

_SHARING_VIOLATIONS = (32, 33)  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
_REFUSED = (errno.EACCES, errno.EPERM)
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def write_atomically(path: Path, data: bytes | str, *, private: bool = False) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    ``private`` keeps the file readable by its owner only (mode 0600) from the first byte
    (mkstemp creates the temporary file so); otherwise it gets 0644 less the umask.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise write_error(path, error) from error
    replacing = False
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        if not private:
            os.chmod(temporary, 0o644 & ~_current_umask())
        replacing = True
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise write_error(path, error, replacing=replacing) from error
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_error(path: Path, error: OSError, *, replacing: bool = False) -> OutputError:
    """What went wrong writing ``path`` (``replacing``: in the rename onto it), and what to do."""
    folder = path.parent if str(path.parent) else Path(".")
    reason = error.strerror or str(error)
    if error.errno in _NO_SPACE:
        return OutputError(
            f"cannot write {path}: {reason}", hint=f"free space on the disk that holds {folder}"
        )
    if replacing and held_by_another_program(path, error):
        return OutputError(
            f"cannot replace {path}: it is open in another program",
            hint="close it in Excel (or the program that has it open) and run again",
        )
    if path.is_dir():
        return OutputError(f"cannot write {path}: it is a folder", hint="give a file name")
    if not folder.is_dir():
        return OutputError(
            f"cannot write {path}: the folder {folder} does not exist", hint="create it first"
        )
    if error.errno in _REFUSED:
        return OutputError(
            f"cannot write {path}: {reason}",
            hint=f"check that you may write to the folder {folder}",
        )
    return OutputError(f"cannot write {path}: {reason}", hint="check free space and the path")


def held_by_another_program(path: Path, error: OSError) -> bool:
    """True when replacing an existing file failed because a program holds it open.

    Windows refuses to replace a file another program opened without delete sharing (Excel
    does): a sharing or lock violation (winerror 32, 33) or access denied (errno EACCES).
    """
    if not path.is_file():
        return False
    return getattr(error, "winerror", None) in _SHARING_VIOLATIONS or error.errno in _REFUSED


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
