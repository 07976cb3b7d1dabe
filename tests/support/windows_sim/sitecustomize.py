"""Make this Python look like CPython on Windows to the code it runs (the Windows lane).

Loaded at start-up because ``tests/support/windows_sim`` is first on ``PYTHONPATH``; see
``windows_sim/__init__.py``. ``os.name`` and ``sys.platform`` stay true: faking them breaks
the standard library itself, and fleetreport must not branch on them where a library decides.
"""

from __future__ import annotations

import errno
import importlib.abc
import importlib.machinery
import os
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType
from typing import TypeAlias

StrOrBytesPath: TypeAlias = str | bytes | os.PathLike[str] | os.PathLike[bytes]

UNIX_ONLY_MODULES = frozenset(
    {
        "fcntl",
        "termios",
        "tty",
        "pty",
        "pwd",
        "grp",
        "spwd",
        "resource",
        "syslog",
        "readline",
        "crypt",
        "_crypt",
        "nis",
        "ossaudiodev",
        "_curses",
        "_curses_panel",
        "_dbm",
        "_gdbm",
    }
)
"""Modules CPython for Windows does not ship (``posix`` itself stays: ``os`` is built on it)."""

ERROR_PRIVILEGE_NOT_HELD = 1314


class NoUnixModules(importlib.abc.MetaPathFinder):
    """Refuses the Unix-only modules as Windows does: ``ModuleNotFoundError``."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname in UNIX_ONLY_MODULES:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


class PrivilegeNotHeldError(OSError):
    """``os.symlink`` by a Windows user without the symbolic-link privilege (WinError 1314)."""

    winerror = ERROR_PRIVILEGE_NOT_HELD

    def __str__(self) -> str:
        return (
            f"[WinError {ERROR_PRIVILEGE_NOT_HELD}] {self.strerror}: "
            f"{self.filename!r} -> {self.filename2!r}"
        )


def symlink_without_privilege(
    src: StrOrBytesPath,
    dst: StrOrBytesPath,
    target_is_directory: bool = False,
    *,
    dir_fd: int | None = None,
) -> None:
    """What ``os.symlink`` does on Windows without Developer Mode or admin rights."""
    raise PrivilegeNotHeldError(
        errno.EINVAL,  # CPython maps winerror 1314 to EINVAL
        "A required privilege is not held by the client",
        os.fsdecode(src),
        None,
        os.fsdecode(dst),
    )


def install() -> None:
    """Hide the Unix-only modules and take symbolic links away."""
    # filelock, seeing no fcntl on a platform it takes for Unix, falls back to its soft lock
    # and says so; on Windows it uses msvcrt and says nothing.
    warnings.filterwarnings("ignore", "only soft file lock is available", UserWarning)
    for name in UNIX_ONLY_MODULES:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, NoUnixModules())
    os.symlink = symlink_without_privilege


install()
