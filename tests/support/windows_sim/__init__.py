"""The Windows lane: run the real CLI in a Python that behaves as CPython on Windows does where
fleetreport could tell the difference, without a Windows machine.

``windows_like_env(tmp_path)`` is the environment for ``subprocess.run([sys.executable, "-m",
"fleetreport", ...], env=...)``. In that process (through ``sitecustomize.py`` in this folder):

- the Unix-only modules (``fcntl``, ``termios``, ``pwd``, ``grp``, ``resource``, ...) raise
  ``ModuleNotFoundError``, as on Windows;
- ``os.symlink`` (so ``Path.symlink_to``) raises ``OSError`` ``[WinError 1314] A required
  privilege is not held by the client``, as for a user without link rights; ``os.link`` works;
- standard output is cp1252 with strict errors (a console redirected to a file or a scheduled
  task's log); standard error is cp1252 with Python's ``backslashreplace``;
- UTF-8 mode is off (``PYTHONUTF8=0``), and ``open()`` without an encoding warns
  (``EncodingWarning``): on Windows that default is the ANSI code page, not UTF-8.

What it cannot show (msvcrt locking, junctions, the Credential Manager, other code pages,
path limits): see docs/platforms.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HARNESS = Path(__file__).resolve().parent
REPO = HARNESS.parents[2]
CONSOLE_ENCODING = "cp1252"

_DROPPED = ("PYTHONSTARTUP", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONWARNINGS")
_DROPPED_PREFIXES = ("FLEETREPORT_", "XDG_")


def windows_like_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a subprocess running ``python -m fleetreport`` as on Windows.

    ``tmp_path`` becomes the home and the temporary folder, so nothing outside it is touched.
    """
    home = tmp_path / "home"
    temp = tmp_path / "temp"
    home.mkdir(parents=True, exist_ok=True)
    temp.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if key not in _DROPPED}
    env = {key: value for key, value in env.items() if not key.startswith(_DROPPED_PREFIXES)}
    env.update(
        PYTHONPATH=os.pathsep.join([str(HARNESS), str(REPO)]),
        PYTHONIOENCODING=CONSOLE_ENCODING,
        PYTHONUTF8="0",
        PYTHONWARNDEFAULTENCODING="1",
        PYTHONDONTWRITEBYTECODE="1",
        HOME=str(home),
        USERPROFILE=str(home),
        TMP=str(temp),
        TEMP=str(temp),
        TMPDIR=str(temp),
    )
    return env


def python() -> str:
    """The interpreter of the test run (the project's venv), for the subprocess."""
    return sys.executable
